"""The encoder-decoder with attention (lesson 09), in the lesson's notation: the encoder's
states h_j, the decoder's state s_t, the attention's weights α_j and its context c_t."""

from __future__ import annotations

from .style import GATE, INPUT, MUTED, NOTHING, PLAIN, SMALL, STATE, WEIGHT, Sheet

SOURCE = ("3", "marca", "2021", "PAD")
WRITTEN = ("START", "2", "0")
OUTPUT = ("2", "0", "2")
WEIGHTS = ("0.05", "0.10", "0.85", "0")


def encoder(sheet: Sheet, xs: list[float], y_tok: float, y_fwd: float, y_bwd: float,
            y_h: float) -> None:
    """The source, both GRUs (the padding packed away) and the states h_j."""
    for j, (x, token) in enumerate(zip(xs, SOURCE, strict=True)):
        pad = token == "PAD"
        sheet.box((x, y_tok), (0.78, 0.4), token, NOTHING if pad else INPUT, mono=True,
                  dashed=pad, size_pt=10)
        if pad:
            sheet.box((x, y_h), (0.62, 0.42), "0", NOTHING, dashed=True)
            sheet.text((x, (y_fwd + y_bwd) / 2), "packed:\nnot read", size_pt=SMALL,
                       colour=MUTED)
            continue
        sheet.arrow([(x, y_tok + 0.2), (x, y_fwd - 0.19)])
        sheet.box((x, y_fwd), (0.62, 0.38), "GRU →", STATE, size_pt=SMALL)
        sheet.box((x, y_bwd), (0.62, 0.38), "GRU ←", STATE, size_pt=SMALL)
        sheet.box((x, y_h), (0.62, 0.42), f"h$_{j + 1}$", STATE)
        sheet.arrow([(x, y_bwd + 0.19), (x, y_h - 0.21)])
        if j:
            sheet.arrow([(xs[j - 1] + 0.31, y_fwd), (x - 0.31, y_fwd)], STATE[1])
            sheet.arrow([(x - 0.31, y_bwd), (xs[j - 1] + 0.31, y_bwd)], STATE[1])


def seq2seq_attention() -> Sheet:
    """The encoder reads the source both ways; at every step the decoder's attention weighs
    the encoder's states to make the context it writes the next token from."""
    sheet = Sheet(8.7, 5.0)
    xs = [0.75 + 1.0 * j for j in range(len(SOURCE))]
    y_tok, y_fwd, y_bwd, y_h = 0.75, 1.55, 2.2, 3.05
    sheet.region((0.12, 0.12), (4.1, 3.3), STATE[1])
    sheet.text((2.17, 0.27), "encoder: embedding + bidirectional GRU", size_pt=SMALL,
               colour=STATE[1], weight="bold")
    encoder(sheet, xs, y_tok, y_fwd, y_bwd, y_h)
    # the decoder's start state, from the encoder's last states
    bridge = (4.85, 2.2)
    sheet.box(bridge, (1.0, 0.46), "tanh(bridge)", WEIGHT, size_pt=SMALL)
    sheet.arrow([(4.22, bridge[1]), (bridge[0] - 0.5, bridge[1])], MUTED, width=1.0)
    sheet.text((4.85, 1.9), "last states\n(→ at the end,\n← at the start)", size_pt=8,
               colour=MUTED, va="top")
    # the decoder: three steps, the middle one drawn with its attention
    dx, y_in, y_cell, y_out = [5.95, 6.95, 7.95], 0.75, 2.2, 3.35
    sheet.region((5.45, 0.12), (3.13, 4.75), PLAIN[1])
    sheet.text((7.0, 0.27), "decoder: one GRU cell per step", size_pt=SMALL, colour=PLAIN[1],
               weight="bold")
    sheet.arrow([(bridge[0] + 0.5, y_cell), (dx[0] - 0.39, y_cell)], STATE[1])
    sheet.text((5.48, y_cell + 0.15), "s$_0$", colour=STATE[1], size_pt=SMALL)
    for t, x in enumerate(dx):
        sheet.box((x, y_in), (0.72, 0.4), WRITTEN[t], INPUT, mono=True, size_pt=9.5)
        sheet.arrow([(x, y_in + 0.2), (x, y_cell - 0.3)])
        sheet.box((x, y_cell), (0.78, 0.6), "GRU\ncell", PLAIN, size_pt=SMALL)
        sheet.box((x + 0.12, y_out), (0.46, 0.38), OUTPUT[t], PLAIN, mono=True)
        sheet.arrow([(x + 0.12, y_cell + 0.3), (x + 0.12, y_out - 0.19)])
        sheet.text((x + 0.17, (y_cell + y_out) / 2 - 0.05), "head", size_pt=8,
                   colour=WEIGHT[1], ha="left")
        if t:
            sheet.arrow([(dx[t - 1] + 0.39, y_cell), (x - 0.39, y_cell)], STATE[1])
            sheet.text(((dx[t - 1] + x) / 2, y_cell - 0.16), f"s$_{t}$", colour=STATE[1],
                       size_pt=SMALL)
    # attention for step 2: query s_1, keys and values h_j, context c_2 into the cell
    at = (4.85, 4.1)
    sheet.box(at, (1.0, 0.5), "attention", GATE, size_pt=SMALL)
    query_x = (dx[0] + dx[1]) / 2
    sheet.dot((query_x, y_cell))
    sheet.arrow([(query_x, y_cell), (query_x, at[1] - 0.1), (at[0] + 0.5, at[1] - 0.1)],
                STATE[1], width=1.0)
    sheet.text((query_x - 0.06, 3.78), "query s$_1$", size_pt=8, colour=STATE[1], ha="right")
    into = dx[1] - 0.25
    sheet.arrow([(at[0] + 0.5, at[1] + 0.15), (into, at[1] + 0.15), (into, y_cell + 0.3)],
                GATE[1], width=1.2)
    sheet.text((into + 0.06, at[1] + 0.32), "context c$_2$", size_pt=8, colour=GATE[1],
               ha="left")
    for j, x in enumerate(xs):
        weight = float(WEIGHTS[j])
        colour = MUTED if weight == 0 else GATE[1]
        end = (at[0] - 0.5, at[1] - 0.15 + 0.1 * j)
        sheet.line([(x, y_h + 0.21), end], colour, width=0.7 + 2.6 * weight,
                   dashed=weight == 0)
        label = (x - 0.05, y_h + 0.42 + 0.12 * j) if j < 3 else (x, y_h - 0.36)
        sheet.text(label, f"α$_{j + 1}$ = {WEIGHTS[j]}", size_pt=8, colour=colour,
                   ha="right" if j < 3 else "center")
    sheet.text((2.2, 4.75), "each α$_j$: softmax of the scores over the real positions; "
               "c$_2$ = Σ α$_j$ h$_j$", size_pt=8.5, colour=MUTED)
    return sheet

"""Diagrams of the gated cells: the LSTM (lesson 03) and the GRU with its reset gate before
and after the recurrent product (lesson 07)."""

from __future__ import annotations

from .style import CANDIDATE, GATE, INPUT, MEMORY, MUTED, PLAIN, SMALL, STATE, WEIGHT, Sheet

LSTM_GATES = (  # x, symbol, colours, name, what it does
    (1.95, r"$\sigma$", GATE, "$f_t$", "forget"),
    (2.85, r"$\sigma$", GATE, "$i_t$", "input"),
    (3.75, "tanh", CANDIDATE, r"$\tilde{c}_t$", "candidate"),
    (4.75, r"$\sigma$", GATE, "$o_t$", "output"),
)


def lstm_cell() -> Sheet:
    """Lesson 03: one LSTM step; the cell state runs along the top, changed only by f and i."""
    sheet = Sheet(7.2, 3.85)
    y_c, y_h, y_gate, y_bus = 3.45, 2.0, 1.55, 0.8
    sheet.box((0.5, y_c), (0.72, 0.4), "$c_{t-1}$", MEMORY)
    sheet.box((0.5, y_bus), (0.72, 0.4), "$h_{t-1}$", STATE)
    sheet.box((1.25, 0.22), (0.6, 0.34), "$x_t$", INPUT)
    sheet.box((6.7, y_c), (0.6, 0.4), "$c_t$", MEMORY)
    sheet.box((6.7, y_h), (0.6, 0.4), "$h_t$", STATE)
    # the cell state: multiplied by f, then i * candidate added
    sheet.arrow([(0.86, y_c), (1.79, y_c)], MEMORY[1], width=2.2)
    sheet.op((1.95, y_c), r"$\odot$", MEMORY)
    sheet.arrow([(2.11, y_c), (3.14, y_c)], MEMORY[1], width=2.2)
    sheet.op((3.3, y_c), "+", MEMORY)
    sheet.arrow([(3.46, y_c), (6.4, y_c)], MEMORY[1], width=2.2)
    sheet.text((4.75, y_c + 0.2), "the cell state: only multiplied and added to", size_pt=SMALL - 1,
               colour=MEMORY[1])
    # x_t and h_{t-1} feed every gate
    sheet.line([(0.86, y_bus), (4.75, y_bus)], STATE[1])
    sheet.line([(1.25, 0.39), (1.25, y_bus)], INPUT[1])
    sheet.dot((1.25, y_bus), INPUT[1])
    sheet.text((0.95, y_bus + 0.16), "$x_t$, $h_{t-1}$", size_pt=SMALL, ha="left",
               colour=MUTED)
    for x, symbol, colours, name, what in LSTM_GATES:
        sheet.dot((x, y_bus), STATE[1])
        sheet.arrow([(x, y_bus), (x, y_gate - 0.28)], STATE[1])
        sheet.box((x, y_gate), (0.74, 0.56), "", colours)
        sheet.text((x, y_gate + 0.08), symbol, size_pt=12)
        sheet.text((x, y_gate - 0.17), what, size_pt=SMALL - 1.5, colour=colours[1])
        sheet.text((x - 0.07, y_gate + 0.5), name, size_pt=SMALL, colour=colours[1], ha="right")
    # f multiplies the old cell state; i times the candidate is added
    sheet.arrow([(1.95, y_gate + 0.28), (1.95, y_c - 0.16)], GATE[1])
    sheet.op((3.3, 2.55), r"$\odot$")
    sheet.arrow([(2.85, y_gate + 0.28), (2.85, 2.55), (3.14, 2.55)], GATE[1])
    sheet.arrow([(3.75, y_gate + 0.28), (3.75, 2.55), (3.46, 2.55)], CANDIDATE[1])
    sheet.arrow([(3.3, 2.71), (3.3, y_c - 0.16)])
    # the output: o times tanh of the new cell state
    sheet.dot((5.6, y_c), MEMORY[1])
    sheet.arrow([(5.6, y_c), (5.6, 3.0)], MEMORY[1])
    sheet.box((5.6, 2.8), (0.6, 0.36), "tanh", CANDIDATE, size_pt=SMALL)
    sheet.arrow([(5.6, 2.62), (5.6, y_h + 0.16)])
    sheet.op((5.6, y_h), r"$\odot$")
    sheet.arrow([(4.75, y_gate + 0.28), (4.75, y_h), (5.44, y_h)], GATE[1])
    sheet.arrow([(5.76, y_h), (6.4, y_h)], STATE[1], width=2.2)
    sheet.text((6.7, y_h - 0.32), "output and\nnext state", size_pt=SMALL - 1, colour=MUTED,
               va="top")
    sheet.text((3.0, 0.36), r"each of the four: $x_t W_{x\cdot} + h_{t-1} W_{h\cdot} + b_\cdot$",
               size_pt=SMALL, colour=WEIGHT[1], ha="left")
    sheet.text((3.0, 0.1), "with its own weights (fcX·, fcH· in LSTMCell)", size_pt=SMALL,
               colour=WEIGHT[1], ha="left")
    return sheet


def _gru_panel(sheet: Sheet, x0: float, reset_after: bool) -> None:
    """One GRU cell in the panel starting at `x0`; only the candidate's path differs."""
    def at(x: float, y: float) -> tuple[float, float]:
        return (x0 + x, y)

    y_mix, y_chain, y_in, y_bus = 3.55, 2.1, 1.35, 0.85
    x_reset, x_product, x_sum, x_z = (1.65, 0.85, 2.45, 3.27) if reset_after else (
        0.85, 1.65, 2.45, 3.27)
    title = ("reset after the product: PyTorch, cuDNN,\nKeras reset_after=True" if reset_after
             else "reset before the product: the original GRU,\nKeras reset_after=False")
    sheet.text(at(1.75, 4.5), title, size_pt=SMALL, weight="bold", va="top")
    sheet.region(at(0.12, 0.98), (2.8, 1.97), CANDIDATE[1])
    sheet.text(at(0.5, 2.78), "candidate $n_t$", size_pt=SMALL, colour=CANDIDATE[1],
               ha="left", weight="bold")
    # the old state, to the final mix and down into the candidate
    sheet.box(at(0.35, y_mix), (0.6, 0.36), "$h_{t-1}$", STATE)
    sheet.line([at(0.65, y_mix), at(1.9, y_mix)], STATE[1])
    sheet.arrow([at(1.9, y_mix), at(2.15, y_mix)], STATE[1])
    sheet.box(at(2.7, y_mix), (1.1, 0.6), "", PLAIN)
    sheet.text(at(2.7, y_mix + 0.12), r"$(1-z_t) \odot n_t$", size_pt=SMALL)
    sheet.text(at(2.7, y_mix - 0.13), r"$+\ z_t \odot h_{t-1}$", size_pt=SMALL)
    sheet.arrow([at(3.25, y_mix), at(3.5, y_mix)], STATE[1])
    sheet.text(at(3.47, y_mix + 0.2), "$h_t$", colour=STATE[1], ha="right")
    sheet.line([at(0.35, y_mix - 0.18), at(0.35, y_chain)], STATE[1])
    # the chain, in this formulation's order: reset and product, + the input's part, tanh
    product = r"$W_{hn}$, $+\,b_{hn}$" if reset_after else r"$W_{hn}$"
    width = 0.9 if reset_after else 0.6
    first, second = (x_product, x_reset) if reset_after else (x_reset, x_product)
    first_edge = first - (width / 2 if reset_after else 0.16)
    sheet.arrow([at(0.35, y_chain), at(first_edge, y_chain)], STATE[1])
    sheet.box(at(x_product, y_chain), (width, 0.42), product, WEIGHT, size_pt=SMALL)
    sheet.op(at(x_reset, y_chain), r"$\odot$", GATE)
    first_out = first + (width / 2 if reset_after else 0.16)
    second_in = second - (0.16 if reset_after else width / 2)
    second_out = second + (0.16 if reset_after else width / 2)
    sheet.arrow([at(first_out, y_chain), at(second_in, y_chain)])
    sheet.arrow([at(second_out, y_chain), at(x_sum - 0.16, y_chain)])
    sheet.op(at(x_sum, y_chain), "+")
    sheet.box(at(x_sum, y_in), (0.85, 0.46), r"$x_t W_{xn}$" + "\n" + r"$+\,b_{xn}$", WEIGHT,
              size_pt=SMALL - 1)
    sheet.arrow([at(x_sum, y_in + 0.23), at(x_sum, y_chain - 0.16)])
    sheet.box(at(x_sum, 2.6), (0.55, 0.3), "tanh", CANDIDATE, size_pt=SMALL)
    sheet.arrow([at(x_sum, y_chain + 0.16), at(x_sum, 2.45)])
    sheet.arrow([at(x_sum, 2.75), at(x_sum, y_mix - 0.3)], CANDIDATE[1])
    sheet.text(at(x_sum + 0.07, 3.1), "$n_t$", size_pt=SMALL, colour=CANDIDATE[1], ha="left")
    _gru_gates(sheet, x0, x_reset, x_sum, x_z, (y_mix, y_chain, y_in, y_bus))
    formula = (r"$n_t = \tanh(x_t W_{xn} + b_{xn} + r_t \odot (h_{t-1} W_{hn} + b_{hn}))$"
               if reset_after else
               r"$n_t = \tanh(x_t W_{xn} + b_{xn} + (r_t \odot h_{t-1}) W_{hn})$")
    sheet.text(at(1.75, 0.05), formula, size_pt=SMALL - 0.5, colour=CANDIDATE[1], va="bottom")


def _gru_gates(sheet: Sheet, x0: float, x_reset: float, x_sum: float, x_z: float,
               levels: tuple[float, float, float, float]) -> None:
    """The gates, r inside the candidate and z in the final mix, and x_t feeding them."""
    y_mix, y_chain, y_in, y_bus = levels
    for x, name, top in ((x_reset, "$r_t$", y_chain - 0.16), (x_z, "$z_t$", y_mix - 0.3)):
        sheet.box((x0 + x, y_in), (0.5, 0.42), r"$\sigma$", GATE)
        sheet.arrow([(x0 + x, y_in + 0.21), (x0 + x, top)], GATE[1])
        sheet.text((x0 + x + 0.08, y_in + 0.4), name, colour=GATE[1], size_pt=SMALL, ha="left")
    sheet.box((x0 + 1.45, 0.45), (0.6, 0.34), "$x_t$", INPUT)
    sheet.line([(x0 + 1.45, 0.62), (x0 + 1.45, y_bus)], INPUT[1])
    sheet.line([(x0 + min(x_reset, 1.45), y_bus), (x0 + x_z, y_bus)], INPUT[1])
    for x in (x_reset, x_sum, x_z):
        sheet.line([(x0 + x, y_bus), (x0 + x, y_in - (0.21 if x != x_sum else 0.23))],
                   INPUT[1])
    sheet.text((x0 + 3.45, 0.62), "the gates also\nread $h_{t-1}$", size_pt=SMALL - 1.5,
               colour=MUTED, ha="right", va="top")


def gru_reset_placements() -> Sheet:
    """Lesson 07: the same GRU cell with the reset gate after (left) and before (right) the
    recurrent product."""
    sheet = Sheet(7.2, 4.6)
    _gru_panel(sheet, 0.0, reset_after=True)
    sheet.line([(3.59, 0.3), (3.59, 4.4)], MUTED, width=0.8)
    _gru_panel(sheet, 3.66, reset_after=False)
    return sheet

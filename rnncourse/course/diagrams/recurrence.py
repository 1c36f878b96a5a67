"""Diagrams of the plain recurrence: a layer unrolled over its steps (lessons 01 and 04), and
the cell and the loop kept apart (lesson 02)."""

from __future__ import annotations

from dataclasses import dataclass

from .style import INPUT, MUTED, NOTHING, PLAIN, SMALL, STATE, WEIGHT, Sheet


@dataclass(frozen=True)
class Unrolled:
    """What an unrolled picture names, in one lesson's own notation."""

    inputs: tuple[str, ...]
    states: tuple[str, ...]
    start: str
    start_name: str
    cells: tuple[str, ...]
    w_in: str
    w_rec: str
    note: str
    start_is_zero: bool = False   # the first step reads no state: no arrow from the start
    mono: bool = False            # code names (lesson 04) rather than maths (lesson 01)
    cell_width: float = 1.0


def unrolled(spec: Unrolled) -> Sheet:
    """One recurrent layer unrolled: a cell per step, the same weights on every arrow."""
    steps = len(spec.inputs)
    sheet = Sheet(7.2, 3.25)
    gap = (7.2 - 1.35 - steps * spec.cell_width) / steps
    xs = [1.35 + gap / 2 + spec.cell_width / 2 + i * (spec.cell_width + gap) for i in range(steps)]
    y_in, y_cell, y_out = 0.45, 1.55, 2.65
    half = spec.cell_width / 2
    sheet.box((0.6, y_cell), (0.82, 0.5), spec.start, NOTHING if spec.start_is_zero else STATE,
              mono=spec.mono, dashed=spec.start_is_zero)
    previous = 0.6 + 0.41
    for i, x in enumerate(xs):
        sheet.box((x, y_in), (0.7, 0.42), spec.inputs[i], INPUT, mono=spec.mono)
        sheet.box((x, y_out), (0.7, 0.42), spec.states[i], STATE, mono=spec.mono)
        sheet.box((x, y_cell), (spec.cell_width, 0.62), spec.cells[i], PLAIN, mono=True,
                  size_pt=9 if len(spec.cells[i]) > 20 else 10 if len(spec.cells[i]) > 12 else 11)
        sheet.arrow([(x, y_in + 0.21), (x, y_cell - 0.31)])
        sheet.text((x + 0.08, (y_in + y_cell) / 2 + 0.02), spec.w_in, colour=WEIGHT[1],
                   ha="left", mono=spec.mono)
        sheet.arrow([(x, y_cell + 0.31), (x, y_out - 0.21)])
        first_from_zero = i == 0 and spec.start_is_zero
        sheet.arrow([(previous, y_cell), (x - half, y_cell)], MUTED if first_from_zero else
                    STATE[1], dashed=first_from_zero)
        if not first_from_zero:
            sheet.text(((previous + x - half) / 2, y_cell + 0.17), spec.w_rec, colour=WEIGHT[1],
                       mono=spec.mono)
            sheet.text(((previous + x - half) / 2, y_cell - 0.18),
                       spec.states[i - 1] if i else spec.start_name, colour=STATE[1],
                       size_pt=SMALL, mono=spec.mono)
        previous = x + half
    sheet.text((3.6, 3.1), spec.note, colour=WEIGHT[1], size_pt=SMALL, va="top")
    return sheet


def simple_rnn_unrolled() -> Sheet:
    """Lesson 01: four steps of `RNNLayer.call`, from a zero state."""
    return unrolled(Unrolled(
        inputs=tuple(f"$x_{t}$" for t in range(1, 5)),
        states=tuple(f"$h_{t}$" for t in range(1, 5)),
        start="$h_0 = 0$", start_name="$h_0$", cells=("RNN_cell",) * 4, w_in="$W_x$", w_rec="$W_h$",
        note="the same $W_x$, $W_h$ and $b$ (inside RNN_cell) at every step"))


def basic_rnn_two_steps() -> Sheet:
    """Lesson 04: `BasicRNN`'s two steps, as its forward writes them."""
    return unrolled(Unrolled(
        inputs=("X0", "X1"), states=("Y0", "Y1"), start="0", start_name="0",
        cells=("tanh(X0 @ Wx + b)", "tanh(Y0 @ Wy + X1 @ Wx + b)"), w_in="Wx", w_rec="Wy",
        note="the same Wx, Wy and b at both steps; the start state is zero, so Y0 reads X0 only",
        start_is_zero=True, mono=True, cell_width=2.3))


def cell_and_layer(activation: str = "relu") -> Sheet:
    """Lesson 02: `RNNCell` does one step with its weights; `RNNLayer` only loops over it."""
    sheet = Sheet(7.2, 3.45)
    sheet.region((0.08, 0.08), (3.42, 3.3), PLAIN[1], label="RNNCell: the weights, one step",
                 alpha=0.04)
    for y, name, maths in ((2.0, "fcHH", "$h_{t-1} W_h$"), (1.0, "fcXH", "$x_t W_x + b$")):
        sheet.box((1.05, y), (1.2, 0.62), "", WEIGHT)
        sheet.text((1.05, y + 0.12), name, mono=True)
        sheet.text((1.05, y - 0.14), maths, size_pt=SMALL)
    sheet.box((0.5, 2.7), (0.62, 0.36), "$h_{t-1}$", STATE)
    sheet.arrow([(0.81, 2.7), (1.05, 2.7), (1.05, 2.31)], STATE[1])
    sheet.box((1.05, 0.32), (0.62, 0.34), "$x_t$", INPUT)
    sheet.arrow([(1.05, 0.49), (1.05, 0.69)], INPUT[1])
    sheet.op((2.1, 1.55), "+")
    sheet.arrow([(1.65, 2.0), (2.1, 2.0), (2.1, 1.71)])
    sheet.arrow([(1.65, 1.0), (2.1, 1.0), (2.1, 1.39)])
    sheet.box((2.8, 1.55), (0.7, 0.4), activation, PLAIN, mono=True)
    sheet.arrow([(2.26, 1.55), (2.45, 1.55)])
    sheet.box((2.8, 2.6), (0.55, 0.36), "$h_t$", STATE)
    sheet.arrow([(2.8, 1.75), (2.8, 2.42)], STATE[1])

    sheet.region((3.62, 0.08), (3.5, 3.3), PLAIN[1], label="RNNLayer: only the loop",
                 alpha=0.04)
    sheet.text((3.74, 2.98), "no weights of its own", size_pt=SMALL - 1, colour=MUTED,
               ha="left", va="top")
    sheet.box((5.05, 1.45), (1.2, 0.6), "rnn_cell", PLAIN, mono=True)
    sheet.box((5.05, 0.42), (1.25, 0.36), "x_all[:, t]", INPUT, mono=True, size_pt=SMALL)
    sheet.arrow([(5.05, 0.6), (5.05, 1.15)], INPUT[1])
    sheet.line([(5.65, 1.45), (5.95, 1.45)], STATE[1])
    sheet.dot((5.95, 1.45), STATE[1])
    sheet.arrow([(5.95, 1.45), (5.95, 2.2), (4.12, 2.2), (4.12, 1.45), (4.45, 1.45)], STATE[1])
    sheet.text((5.05, 2.35), "h, into the next step", size_pt=SMALL - 1, colour=STATE[1])
    sheet.text((3.72, 1.3), "h = 0\nat first", mono=True, size_pt=SMALL - 1.5, colour=MUTED,
               ha="left", va="top")
    sheet.arrow([(5.95, 1.45), (6.3, 1.45)], STATE[1])
    sheet.box((6.6, 1.45), (0.6, 0.36), "h", STATE, mono=True)
    sheet.text((6.6, 1.17), "every h,\nstacked:", size_pt=SMALL - 1.5, colour=MUTED, va="top")
    sheet.text((6.6, 0.8), "(batch,\nlength,\nh_size)", size_pt=SMALL - 1.5, colour=MUTED,
               mono=True, va="top")
    return sheet

"""Diagrams of recurrent networks at work: truncated BPTT's windows over a long stream (lessons
05 and 08), and a text classifier with its padding and mask (lesson 06)."""

from __future__ import annotations

from dataclasses import dataclass

from .style import (
    GRADIENT,
    INPUT,
    MUTED,
    NOTHING,
    PLAIN,
    SMALL,
    STATE,
    WEIGHT,
    Sheet,
)


@dataclass(frozen=True)
class Windows:
    """A long sequence cut into windows, in one lesson's words."""

    rows: tuple[str, ...]           # one name per stream (one row of a batch)
    sizes: tuple[int, ...]          # steps in each window
    labels: tuple[str, ...]         # the name of each window
    carried: str                    # what crosses a window's border
    update: str                     # what happens once per window
    start: str = "zeros"


def windows(spec: Windows) -> Sheet:
    """Truncated BPTT: the state flows on across every border, the gradient stops at it."""
    rows = len(spec.rows)
    height = 1.75 + 0.95 * rows
    sheet = Sheet(7.2, height)
    step, gap, left = 0.42, 0.45, 1.2
    xs, starts = [], []
    x = left
    for size in spec.sizes:
        starts.append(len(xs))
        xs += [x + i * step for i in range(size)]
        x += size * step + gap
    top = height - 0.4
    for w, (size, label) in enumerate(zip(spec.sizes, spec.labels, strict=True)):
        first, last = xs[starts[w]], xs[starts[w] + size - 1]
        sheet.line([(first - 0.15, top - 0.2), (first - 0.15, top - 0.1), (last + 0.15,
                    top - 0.1), (last + 0.15, top - 0.2)], MUTED, width=1.0)
        sheet.text(((first + last) / 2, top + 0.08), label, mono=True, size_pt=SMALL)
        sheet.text(((first + last) / 2, 0.98), spec.update, size_pt=SMALL - 1.5,
                   colour=MUTED, va="top")
    for r, name in enumerate(spec.rows):
        y = top - 0.75 - r * 0.95
        sheet.text((0.08, y + 0.3), name, size_pt=SMALL - 1, colour=MUTED, ha="left",
                   mono=True)
        sheet.box((0.55, y), (0.62, 0.32), spec.start, NOTHING, mono=True, size_pt=SMALL - 1,
                  dashed=True)
        sheet.arrow([(0.86, y), (xs[0] - 0.15, y)], MUTED, dashed=True)
        for i, x in enumerate(xs):
            sheet.box((x, y), (0.3, 0.3), "", PLAIN)
            if i + 1 < len(xs):
                border = i + 1 in starts
                sheet.arrow([(x + 0.15, y), (xs[i + 1] - 0.15, y)], STATE[1],
                            width=2.0 if border else 1.4)
        for w, size in enumerate(spec.sizes):
            first, last = xs[starts[w]], xs[starts[w] + size - 1]
            sheet.arrow([(last + 0.05, y - 0.3), (first - 0.12, y - 0.3)], GRADIENT,
                        dashed=True, width=1.2)
            if w:
                sheet.stop(((first + xs[starts[w] - 1]) / 2, y - 0.3), 0.26)
    y = top - 0.75
    for w in range(1, len(spec.sizes)):
        border = (xs[starts[w] - 1] + xs[starts[w]]) / 2
        sheet.text((border, y + 0.24), spec.carried, size_pt=SMALL - 1.5, colour=STATE[1])
    sheet.line([(0.3, 0.2), (0.65, 0.2)], STATE[1], width=2.0)
    sheet.text((0.72, 0.2), "the state flows forward across every border", size_pt=SMALL - 1,
               ha="left", colour=STATE[1])
    sheet.line([(4.15, 0.2), (4.5, 0.2)], GRADIENT, dashed=True, width=1.2)
    sheet.stop((4.6, 0.2), 0.22)
    sheet.text((4.7, 0.2), "gradients stop at the border", size_pt=SMALL - 1, ha="left",
               colour=GRADIENT)
    return sheet


def tbptt_one_sequence() -> Sheet:
    """Lesson 05: `tbptt_epoch` over one sequence, windows of k = 5 steps."""
    return windows(Windows(
        rows=("X",), sizes=(5, 5, 2), labels=("X[0:5]", "X[5:10]", "X[10:12]"),
        carried="h.detach()", update="summed loss,\none clipped update"))


def tbptt_streams() -> Sheet:
    """Lesson 08: `train_tbptt` over batches whose rows continue each other."""
    return windows(Windows(
        rows=("row 0: stream 0", "row 1: stream 1"), sizes=(4, 4, 4),
        labels=("batch 0", "batch 1", "batch 2"), carried="(h, c), detached",
        update="mean loss per character,\none clipped update"))


def classifier_pipeline() -> Sheet:
    """Lesson 06: raw strings to class probabilities, one layer at a time."""
    sheet = Sheet(7.2, 2.35)
    stages = (
        ("strings", "", "a story's text", "(batch, 1)", INPUT),
        ("TextVectorization", "", "ids; 0 = padding,\n1 = unknown", "(batch, steps)", PLAIN),
        ("Embedding", "(vocab_size,\nembed_size)", "a learned vector\nper id",
         "(batch, steps,\n embed_size)", WEIGHT),
        ("SimpleRNN(16)", "", "reads the vectors\nin order", "last state:\n(batch, 16)", STATE),
        ("Dense(4,", "softmax)", "World, Sports,\nBusiness, Sci/Tech", "(batch, 4)", PLAIN),
    )
    width, spacing = 1.26, 1.44
    for i, (name, more, what, shape, colours) in enumerate(stages):
        x = 0.72 + i * spacing
        sheet.box((x, 1.55), (width, 0.66), "", colours)
        sheet.text((x, 1.55 + (0.12 if more else 0)), name, mono=True,
                   size_pt=8 if len(name) > 12 else SMALL)
        if more:
            sheet.text((x, 1.55 - 0.13 - (0.07 if "\n" in more else 0)), more, mono=True,
                       size_pt=SMALL - 2 if "\n" in more else SMALL)
        sheet.text((x, 1.1), what, size_pt=SMALL - 1.5, colour=MUTED, va="top")
        sheet.text((x, 0.5), shape, size_pt=SMALL - 1.5, mono=True, va="top")
        if i:
            sheet.arrow([(x - spacing + width / 2, 1.55), (x - width / 2, 1.55)])
    sheet.text((3.6, 2.28), "every builder: strings in, class probabilities out",
               size_pt=SMALL, weight="bold", va="top")
    return sheet


def _sequence(sheet: Sheet, y: float, words: list[str], masked: bool, title: str) -> None:
    """One padded text read step by step, with or without its mask."""
    sheet.text((0.1, y + 0.58), title, size_pt=SMALL, ha="left", weight="bold")
    xs = [1.5 + i * 1.1 for i in range(len(words))]
    sheet.box((0.6, y), (0.62, 0.32), "zeros", NOTHING, mono=True, size_pt=SMALL - 1.5,
              dashed=True)
    previous = 0.91
    for x, word in zip(xs, words, strict=True):
        pad = word == "0"
        skipped = pad and masked
        sheet.box((x, y - 0.62), (0.62, 0.3), word, NOTHING if pad else INPUT, mono=pad,
                  size_pt=SMALL - 1)
        sheet.box((x, y), (0.52, 0.36), "skip" if skipped else "step",
                  NOTHING if skipped else PLAIN, size_pt=SMALL - 1.5, dashed=skipped)
        sheet.arrow([(x, y - 0.47), (x, y - 0.18)], MUTED if skipped else INPUT[1],
                    dashed=skipped)
        sheet.arrow([(previous, y), (x - 0.26, y)], STATE[1])
        if masked:
            sheet.text((x, y - 0.9), "mask " + ("False" if pad else "True"), mono=True,
                       size_pt=SMALL - 2, colour=MUTED)
        previous = x + 0.26
    sheet.arrow([(previous, y), (previous + 0.4, y)], STATE[1], width=2.0)
    sheet.text((previous + 0.47, y), "last\nstate", size_pt=SMALL - 1, ha="left",
               colour=STATE[1])
    if masked:
        sheet.text(((xs[2] + xs[-1]) / 2, y + 0.3), "the state after \"fall\", unchanged",
                   size_pt=SMALL - 1.5, colour=STATE[1])


def padding_and_mask() -> Sheet:
    """Lesson 06: a short text padded with id 0, read without and with `mask_zero=True`."""
    sheet = Sheet(7.2, 3.55)
    words = ["stocks", "fall", "0", "0", "0"]
    _sequence(sheet, 2.75, words, False, "without a mask: the state runs through the padding")
    _sequence(sheet, 1.1, words, True, "Embedding(..., mask_zero=True): the padding is "
              "skipped, the state carried over it")
    return sheet

"""The look every course diagram shares, and the one way each is saved.

One palette (a colour per kind of quantity, the same in every lesson), one font, one arrow.
A diagram is drawn on a `Sheet`: a figure whose coordinates are inches, so that a label of
11 points is the same size in every diagram. Saved twice, always the same bytes for the same
drawing: an SVG (fixed ids, no date) and a PNG (no metadata).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import matplotlib
from matplotlib.figure import Figure
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch, Polygon
from PIL import Image  # matplotlib's own dependency, which writes its PNGs

Point = tuple[float, float]

# fill, edge: each kind of quantity keeps its colour across the lessons (Okabe-Ito hues).
INPUT = ("#dcebf7", "#0f5f9e")      # x_t, the inputs
STATE = ("#d9f0e3", "#1d7a4c")      # h, the state carried from step to step
MEMORY = ("#fcebcd", "#a86400")     # c, the LSTM's cell state
WEIGHT = ("#ece4f4", "#6a3d9a")     # W, b: the weights, shared by every step
GATE = ("#f9dde8", "#b3346a")       # a sigmoid gate
CANDIDATE = ("#fff6cc", "#8a6d00")  # a tanh candidate
PLAIN = ("#f2f2f2", "#4d4d4d")      # a step, a layer, anything else
NOTHING = ("#ffffff", "#9a9a9a")    # padding, a zero state
INK = "#222222"
MUTED = "#5f5f5f"
GRADIENT = "#c62828"                # gradients flowing back, and where they stop

FONT_SIZE = 11
SMALL = 9.5
PNG_DPI = 160     # 1152 pixels across: sharp at a notebook's width on a high-density screen
PNG_COLOURS = 128  # a palette PNG: a third of the bytes, no visible change on these drawings

STYLE = {
    "font.family": "DejaVu Sans",
    "font.size": FONT_SIZE,
    "mathtext.fontset": "dejavusans",
    "axes.unicode_minus": True,
    "svg.fonttype": "path",      # glyphs as outlines: the same picture without our fonts
    "svg.hashsalt": "rnncourse-diagrams",
    "svg.id": "diagram",
    "path.simplify": False,
    "savefig.facecolor": "white",
    "savefig.transparent": False,
}


@contextmanager
def house_style():
    """The course's matplotlib settings, only while a diagram is drawn and saved."""
    with matplotlib.rc_context(STYLE):
        yield


@dataclass
class Sheet:
    """A figure `width` x `height` inches whose data coordinates are inches, origin bottom left."""

    width: float
    height: float

    def __post_init__(self) -> None:
        self.figure = Figure(figsize=(self.width, self.height))
        self.ax = self.figure.add_axes((0, 0, 1, 1))
        self.ax.set_xlim(0, self.width)
        self.ax.set_ylim(0, self.height)
        self.ax.set_axis_off()

    def box(self, center: Point, size: Point, text: str = "", colours=PLAIN, *,
            size_pt: float = FONT_SIZE, mono: bool = False, dashed: bool = False,
            rounding: float = 0.08, text_colour: str = INK, weight: str = "normal") -> None:
        (x, y), (w, h) = center, size
        self.ax.add_patch(FancyBboxPatch(
            (x - w / 2, y - h / 2), w, h, boxstyle=f"round,pad=0,rounding_size={rounding}",
            facecolor=colours[0], edgecolor=colours[1], linewidth=1.3,
            linestyle=(0, (4, 3)) if dashed else "solid"))
        if text:
            self.text((x, y), text, size_pt=size_pt, mono=mono, colour=text_colour,
                      weight=weight)

    def op(self, center: Point, symbol: str, colours=PLAIN, radius: float = 0.16,
           size_pt: float = 12) -> None:
        """A small circle holding an element-wise operation (+, ⊙, tanh ...)."""
        self.ax.add_patch(Circle(center, radius, facecolor=colours[0] if colours is not PLAIN
                                 else "white", edgecolor=colours[1], linewidth=1.3))
        self.text(center, symbol, size_pt=size_pt)

    def text(self, at: Point, text: str, *, size_pt: float = FONT_SIZE, colour: str = INK,
             ha: str = "center", va: str = "center", mono: bool = False,
             weight: str = "normal", style: str = "normal") -> None:
        self.ax.text(at[0], at[1], text, fontsize=size_pt, color=colour, ha=ha, va=va,
                     family="DejaVu Sans Mono" if mono else "DejaVu Sans",
                     fontweight=weight, fontstyle=style, linespacing=1.25)

    def arrow(self, points: Sequence[Point], colour: str = INK, *, dashed: bool = False,
              width: float = 1.4, head: bool = True, both: bool = False) -> None:
        """A line through `points`, with an arrowhead at the last one."""
        style = (0, (5, 3)) if dashed else "solid"
        for start, end in zip(points[:-2], points[1:-1], strict=True):
            self.ax.plot([start[0], end[0]], [start[1], end[1]], color=colour,
                         linewidth=width, linestyle=style, solid_capstyle="butt")
        arrowstyle = ("<|-|>" if both else "-|>") if head else "-"
        self.ax.add_patch(FancyArrowPatch(
            points[-2], points[-1], arrowstyle=arrowstyle, mutation_scale=12,
            color=colour, linewidth=width, linestyle=style, shrinkA=0, shrinkB=0))

    def line(self, points: Sequence[Point], colour: str = INK, *, dashed: bool = False,
             width: float = 1.4) -> None:
        self.arrow(points, colour, dashed=dashed, width=width, head=False)

    def dot(self, at: Point, colour: str = INK, radius: float = 0.04) -> None:
        """Where a line forks: one value used twice."""
        self.ax.add_patch(Circle(at, radius, facecolor=colour, edgecolor=colour))

    def region(self, corner: Point, size: Point, colour: str, *, label: str = "",
               alpha: float = 0.10) -> None:
        """A tinted, dashed area behind a group of parts, with its name at the top left."""
        (x, y), (w, h) = corner, size
        self.ax.add_patch(FancyBboxPatch(
            (x, y), w, h, boxstyle="round,pad=0,rounding_size=0.12", facecolor=colour,
            alpha=alpha, edgecolor="none"))
        self.ax.add_patch(FancyBboxPatch(
            (x, y), w, h, boxstyle="round,pad=0,rounding_size=0.12", facecolor="none",
            edgecolor=colour, linewidth=1.1, linestyle=(0, (4, 3))))
        if label:
            self.text((x + 0.12, y + h - 0.16), label, size_pt=SMALL, colour=colour,
                      ha="left", va="top", weight="bold")

    def stop(self, at: Point, height: float = 0.5) -> None:
        """A red bar across a path: nothing flows back past it."""
        x, y = at
        self.ax.add_patch(Polygon([(x - 0.04, y - height / 2), (x + 0.04, y - height / 2),
                                   (x + 0.04, y + height / 2), (x - 0.04, y + height / 2)],
                                  closed=True, facecolor=GRADIENT, edgecolor=GRADIENT))

    def save(self) -> tuple[bytes, bytes]:
        """The drawing as (SVG, PNG) bytes, the same bytes every time."""
        svg, rgba, png = io.BytesIO(), io.BytesIO(), io.BytesIO()
        self.figure.savefig(svg, format="svg", metadata={"Date": None, "Creator": None})
        self.figure.savefig(rgba, format="png", dpi=PNG_DPI, metadata={"Software": None})
        with Image.open(rgba) as image:
            palette = image.convert("RGB").quantize(
                colors=PNG_COLOURS, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
        palette.save(png, format="PNG", optimize=True)
        return svg.getvalue(), png.getvalue()

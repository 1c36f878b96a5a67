"""Every diagram of the course: its name, the function that draws it, and its alt text.

A lesson shows diagram NAME with a markdown cell holding `![...](attachment:NAME.svg)`; the alt
text between the brackets is written from here (`attachments.sync`), so that it changes with
the picture it describes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import gates, recurrence, training, translation
from .style import Sheet, house_style

# Where the drawn files are kept, in the course folder: instructors' material, outside
# source/ and release/ (which nbgrader reads as assignments) and never sent to students.
FOLDER = Path("docs") / "diagrams"


@dataclass(frozen=True)
class Diagram:
    name: str
    draw: Callable[[], Sheet]
    alt: str

    @property
    def attachment(self) -> str:
        """The name a notebook's markdown gives the picture: `attachment:<this>`."""
        return f"{self.name}.svg"

    def render(self) -> tuple[bytes, bytes]:
        """(SVG, PNG), drawn now."""
        with house_style():
            return self.draw().save()


CATALOGUE = (
    Diagram("simple_rnn_unrolled", recurrence.simple_rnn_unrolled,
            "A SimpleRNN layer unrolled over four time steps. From a start state h_0 = 0, each "
            "step's RNN_cell box reads the input x_t through W_x and the previous state through "
            "W_h, and gives the new state h_t, which goes up as that step's output and right "
            "into the next step. The same W_x, W_h and b serve every step."),
    Diagram("cell_and_layer", recurrence.cell_and_layer,
            "Left, RNNCell: the input x_t goes through fcXH (x_t W_x + b) and the previous "
            "state h_{t-1} through fcHH (h_{t-1} W_h); their sum goes through relu and gives the "
            "new state h_t. Right, RNNLayer, which has no weights of its own: a loop that "
            "hands step t of x_all and the state h to rnn_cell, starting from h = 0, "
            "passes each new h on to the next step and keeps every h, stacked as (batch, "
            "length, h_size)."),
    Diagram("lstm_cell", gates.lstm_cell,
            "One LSTM step. The cell state runs along the top from c_{t-1} to c_t: it is "
            "multiplied element by element by the forget gate f_t, then the input gate i_t "
            "times the candidate (a tanh) is added. Below, x_t and h_{t-1} feed four boxes, each "
            "with its own weights: the sigmoid gates f_t, i_t and o_t and the tanh candidate. "
            "The output h_t, also the next step's state, is o_t times tanh of c_t."),
    Diagram("basic_rnn_two_steps", recurrence.basic_rnn_two_steps,
            "BasicRNN's two steps. The first box computes Y0 = tanh(X0 @ Wx + b) from X0 "
            "alone, since the start state is zero; the second computes "
            "Y1 = tanh(Y0 @ Wy + X1 @ Wx + b) from X1 and Y0. Wx labels both input arrows and "
            "Wy the arrow that carries Y0 to the second step: the same weights serve both."),
    Diagram("tbptt_one_sequence", training.tbptt_one_sequence,
            "Truncated BPTT over one sequence X of 12 steps cut into windows of k = 5 steps: "
            "steps 0 to 4, 5 to 9, and the shorter last window, 10 and 11; it starts from a "
            "zero state. The state flows forward through "
            "every step and across each window border as h.detach(); gradients flow back only "
            "inside a window and stop at its border. Each window gets its summed loss and one "
            "clipped update."),
    Diagram("classifier_pipeline", training.classifier_pipeline,
            "The classifier as a pipeline: strings go into TextVectorization, which gives ids "
            "of shape (batch, steps) with 0 for padding and 1 for unknown words; "
            "Embedding(vocab_size, embed_size) turns each id into a learned vector, (batch, "
            "steps, embed_size); SimpleRNN(16) reads the vectors in order and returns its last "
            "state, (batch, 16); Dense(4, softmax) gives the probabilities of World, Sports, "
            "Business and Sci/Tech, (batch, 4)."),
    Diagram("padding_and_mask", training.padding_and_mask,
            "The text 'stocks fall' padded with three zeros, read twice from a zero state. "
            "Without a mask the recurrent layer takes a step at every position, so its last "
            "state comes after three steps of padding. With Embedding(..., mask_zero=True) the "
            "mask is True for the two words and False for the padding: those steps are "
            "skipped, and the last state is the state after 'fall', unchanged."),
    Diagram("gru_reset_placements", gates.gru_reset_placements,
            "The same GRU cell drawn twice. In both, the update gate z_t mixes the candidate "
            "and the old state, h_t = (1 - z_t) ⊙ n_t + z_t ⊙ h_{t-1}, and the candidate n_t "
            "adds x_t W_xn + b_xn before its tanh. Left, the reset after the product (PyTorch, "
            "cuDNN, Keras reset_after=True): h_{t-1} is multiplied by W_hn, b_hn is added, then "
            "the reset gate r_t scales the result. Right, the reset before the product (the "
            "original GRU, Keras reset_after=False): r_t scales h_{t-1} first, then the product "
            "with W_hn, and there is no b_hn."),
    Diagram("tbptt_streams", training.tbptt_streams,
            "Stateful truncated BPTT over batches whose rows are streams of the text: row 0 of "
            "every batch continues stream 0, row 1 stream 1. Each row starts from zeros; at "
            "each border between batches 0, 1 and 2 the state (h, c) is carried on, detached, "
            "so it flows forward while gradients flow back only inside a batch and stop at its "
            "border. Each batch gets its mean loss per character and one clipped update."),
    Diagram("seq2seq_attention", translation.seq2seq_attention,
            "The translator at its second step. Left, the encoder: the source tokens 3, marca, "
            "2021 and a PAD are embedded and read by a GRU forwards and by another backwards; "
            "the padding is packed away and never read, and each real position gets a state "
            "h_j, forward and backward concatenated. The last states go through tanh(bridge) "
            "to give the decoder's start state s_0. Right, the decoder: at each step a GRU cell "
            "reads the token written last (START, then 2, then 0) and gives the next token "
            "(2, 0, 2) through the head. For the second step, the previous state s_1 is the "
            "query of the attention, which weighs the states h_j with weights that add up to 1 "
            "over the real positions (here 0.05, 0.10 and 0.85, and 0 for the padding) and "
            "hands their weighted sum, the context c_2, to the cell."),
)
DIAGRAMS = {diagram.attachment: diagram for diagram in CATALOGUE}
for _diagram in CATALOGUE:  # markdown ends the alt text at a bracket, the cell at a line break
    if set(_diagram.alt) & set("[]\n"):
        raise ValueError(f"{__file__}: the alt text of {_diagram.name} has a bracket or a line "
                         "break; say it without")


def files(diagram: Diagram, root: Path) -> tuple[Path, Path]:
    """Where `diagram`'s SVG and PNG are kept in the course folder `root`."""
    folder = Path(root) / FOLDER
    return folder / f"{diagram.name}.svg", folder / f"{diagram.name}.png"


def draw_all(root: Path, write: bool = True) -> list[str]:
    """Draw every diagram; the files (relative to `root`) that are missing or differ."""
    changed = []
    for diagram in CATALOGUE:
        for path, data in zip(files(diagram, root), diagram.render(), strict=True):
            if path.is_file() and path.read_bytes() == data:
                continue
            changed.append(path.relative_to(root).as_posix())
            if write:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
    return changed

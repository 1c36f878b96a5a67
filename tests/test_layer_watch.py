"""Does the layer watch see every spelling of a framework layer, and change nothing else?

The watch (rnncourse/engine/layer_watch.py) wraps the frameworks' recurrent and attention
layers in the student's kernel; it runs here in a process of its own, since it changes the
frameworks' classes for the rest of that process. Which checks forbid which layers
(rnncourse.engine.layer_rules) is read from the lessons' own source notebooks.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from rnncourse.engine import layer_rules, review_flags
from rnncourse.engine.course_folder import notebook_path
from rnncourse.engine.notebooks import read_notebook
from rnncourse.engine.sandbox import KERNEL
from testing import REPO

pytestmark = pytest.mark.unit

SCRIPT = r'''
import inspect, json, sys
sys.path.insert(0, sys.argv[1])
import numpy as np, keras, torch
import layer_watch

x = np.random.default_rng(0).normal(size=(2, 5, 3)).astype("float32")
weights = [torch.randn(4, 3), torch.randn(4, 4), torch.randn(4), torch.randn(4)]
def fused():
    kernel = getattr(torch, "rnn_" + "tanh")
    return kernel(torch.from_numpy(x).transpose(0, 1), torch.zeros(1, 2, 4), weights, True, 1,
                  0.0, False, False, False)[0]
before = fused()
layer_watch.install(["scaled_dot_product_attention"])
layer_watch.install()
spellings = {
    "built_name": lambda: getattr(keras.layers, "".join(["Sim", "ple", "R", "NN"]))(4)(x),
    "vars": lambda: vars(keras.layers)["LST" + "M"](4)(x),
    "cell_in_rnn": lambda: keras.layers.RNN(keras.layers.GRUCell(4))(x),
    "subclass": lambda: type("Mine", (keras.layers.SimpleRNN,), {})(4)(x),
    "fused": fused,
    "module": lambda: vars(torch.nn)["GR" + "U"](3, 4)(torch.from_numpy(x)),
    "allowed_cell": lambda: torch.nn.RNNCell(3, 4)(torch.from_numpy(x[:, 0])),
    "attention": lambda: torch.nn.functional.scaled_dot_product_attention(
        *[torch.from_numpy(x)] * 3),
    "none": lambda: torch.tanh(torch.from_numpy(x)),
}
# A check's trusted cell may run the layer itself; the student's code called from a check is
# still the student's.
state = [np.zeros((2, 4), "float32")]
course = {"keras": keras, "x": x,
          "student_cell": lambda: keras.layers.GRUCell(4)(x[:, 0], state)}
exec(compile("def trusted():\n    return keras.layers.SimpleRNN(4)(x)\n\n"
             "def calls_student():\n    return student_cell()\n", "<probe check>", "exec"),
     course)
spellings["course_own"] = course["trusted"]
spellings["student_from_course"] = course["calls_student"]
# A trusted cell a probe made, run by the student's own loop, is the course's.
exec(compile("def trusted_cell():\n    return torch.nn.GRUCell(3, 4)\n", "<probe check>",
             "exec"), course := {**course, "torch": torch})
def students_loop(cell):
    return cell(torch.from_numpy(x[:, 0]))
spellings["trusted_in_student_loop"] = lambda: students_loop(course["trusted_cell"]())
spellings["student_cell_in_student_loop"] = lambda: students_loop(torch.nn.GRUCell(3, 4))
# ... and the student's cell run by a trusted layer is the student's.
class StudentCell(keras.layers.Layer):
    state_size = 4
    def call(self, inputs, states):
        h = keras.layers.SimpleRNNCell(4)(inputs, states)[0]
        return h, [h]
exec(compile("def trusted_rnn(cell):\n    return keras.layers.RNN(cell)\n", "<probe check>",
             "exec"), course)
spellings["student_cell_in_trusted_rnn"] = lambda: course["trusted_rnn"](StudentCell())(x)
found = {}
for name, spell in spellings.items():
    with layer_watch.recording() as ran:
        spell()
    found[name] = [list(pair) for pair in ran]
fused()  # outside a recording: noted nowhere
print(json.dumps({
    "found": found, "same": bool(torch.equal(before, fused())),
    "signature": list(inspect.signature(keras.layers.LSTM.call).parameters),
}))
'''


def test_every_spelling_of_a_framework_layer_is_seen_and_nothing_else_changes():
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(KERNEL.parent)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    found = {name: {tuple(pair) for pair in pairs} for name, pairs in result["found"].items()}
    assert ("SimpleRNN", "keras SimpleRNN") in found["built_name"]
    assert ("LSTM", "keras LSTM") in found["vars"]
    assert found["cell_in_rnn"] == {("RNN", "keras RNN"), ("GRUCell", "keras GRUCell")}
    assert ("SimpleRNN", "keras SimpleRNN") in found["subclass"]
    assert found["fused"] == {("RNN", "torch.rnn_tanh")}
    assert found["module"] == {("GRU", "torch.nn.GRU"), ("GRU", "torch.gru")}
    assert {counts_as for counts_as, _ in found["allowed_cell"]} == {"RNNCell"}
    assert found["attention"] == {("scaled_dot_product_attention",
                                   "torch.nn.functional.scaled_dot_product_attention")}
    assert found["none"] == found["course_own"] == found["trusted_in_student_loop"] == set()
    assert found["student_cell_in_student_loop"] == {("GRUCell", "torch.nn.GRUCell"),
                                                     ("GRUCell", "torch.gru_cell")}
    assert found["student_cell_in_trusted_rnn"] == {("SimpleRNNCell", "keras SimpleRNNCell")}
    assert found["student_from_course"] == {("GRUCell", "keras GRUCell")}
    assert result["same"], "a watched kernel must compute what it computed before"
    assert result["signature"][:4] == ["self", "sequences", "initial_state", "mask"]


def _rules(lesson: str) -> dict[str, list[str]]:
    return layer_rules.check_rules(read_notebook(notebook_path("source", lesson, REPO)))


def test_each_check_forbids_the_layers_of_the_tasks_it_checks():
    """Does a test cell get the write_yourself names of the answer cells since the previous
    group of test cells, and no other task's?"""
    assert _rules("01_simple_rnn") == {
        "test_rnn_layer_shapes": ["SimpleRNN", "SimpleRNNCell", "RNN"],
        "test_rnn_layer_recurrence": ["SimpleRNN", "SimpleRNNCell", "RNN"]}
    lesson_02 = _rules("02_cell_layer_split")
    assert lesson_02["test_rnn_layer"] == lesson_02["test_copy_weights"] == [
        "SimpleRNN", "RNN", "SimpleRNNCell"]
    assert lesson_02["test_keras_rnn_cell"] == ["SimpleRNNCell", "SimpleRNN"]
    # CleanBasicRNN is written with nn.RNNCell on purpose: only nn.RNN is forbidden there.
    assert _rules("04_torch_basic_rnn")["test_clean_rnn"] == ["RNN"]
    assert _rules("08_char_lm") == {}


@pytest.mark.parametrize("code", ["y = torch._VF.rnn_tanh(x)", "from torch import _VF",
                                  "y = torch.ops.aten.gru_cell(x)", "import torch._C as c",
                                  "y = torch._C._VariableFunctions.lstm(x)"])
def test_the_text_scan_flags_reaching_below_pytorchs_public_functions(code):
    """Is the way past the watch (PyTorch's internals, where its kernels are) seen in the text,
    and keras.ops, which every Keras lesson may use, not?"""
    assert any("below PyTorch" in what for _, what in review_flags._findings(code, {"torch"},
                                                                               set()))
    assert review_flags._findings("y = keras.ops.matmul(a, b)", {"keras"}, set()) == []


def test_a_check_gets_one_flag_naming_its_first_probe_what_ran_and_the_cost():
    """Is the report's flag one line per check, with the probe, the layers and whether the
    check failed for it, and no flag where nothing forbidden ran?"""
    watch = layer_rules.LayerWatch({"test_x": ["SimpleRNN", "RNN"]}, costs_points=True)
    watch.found("test_y", [])
    used = [{"probe": "a", "ran": "keras SimpleRNN", "counts_as": "SimpleRNN"},
            {"probe": "a", "ran": "keras RNN", "counts_as": "RNN"},
            {"probe": "b", "ran": "keras SimpleRNN", "counts_as": "SimpleRNN"}]
    watch.found("test_x", used)
    assert watch.watched == "RNN,SimpleRNN"
    assert watch.flags == [{
        "cell": "test_x", "line": None, "code": "",
        "what": "probe a of check test_x ran keras SimpleRNN and keras RNN (so did probe b), "
                "which this task asks students to write themselves: SimpleRNN, RNN. "
                "The check failed for it."}]
    assert "(while graded)" in review_flags.format_flags({"student": watch.flags})

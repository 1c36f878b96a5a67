"""Is what the lessons say true? Each claim's behaviour, run for real or read from the run.

A sentence such as "PyTorch stops with ..." or "Keras clips each weight's gradient on its own" is
a claim about the course's own versions of the frameworks. Each such test runs the behaviour
behind the sentence, with the lesson's own code where it has some (testing.lesson_code), in a
subprocess of a few seconds, so that the frameworks' global settings (PyTorch's threads, Keras'
seed, warning filters) stay out of the test session, and checks that the prose still says what
the run shows. Claims about what a lesson's own run shows (lesson 03's plots) are read from its
committed solution, and lesson 06's about its default run and its noise from the benchmark.
"""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
import textwrap

import pytest

from rnncourse.engine.course_folder import assignments
from rnncourse.engine.notebooks import cells_by_id, read_notebook
from testing import REPO
from testing.lesson_code import lesson_namespace

from .helpers import ASSIGNMENTS, flat, printed_text

pytestmark = pytest.mark.unit


def run_snippet(code: str) -> dict:
    """Run `code` in a fresh Python in the repository; it prints one JSON object last."""
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=REPO,
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(REPO),
                               "TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": ""})
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def source(name: str):
    return read_notebook(REPO / "source" / name / f"{name}.ipynb")


def markdown(name: str, cell_id: str) -> str:
    """One markdown cell of a source notebook, its whitespace made single spaces."""
    cell = next(c for c in source(name).cells if c.get("id") == cell_id)
    assert cell.cell_type == "markdown", cell_id
    return flat(cell.source)


@pytest.mark.lesson("08_char_lm")
def test_lesson_08_says_how_backward_fails_without_detach_and_with_retain_graph():
    """Without the detach, does the next backward() fail as the prose says, and does
    retain_graph=True fail too, on the weights optimizer.step() changed in place?"""
    got = run_snippet("""
        import json
        from testing.lesson_code import lesson_namespace
        ns = lesson_namespace("08_char_lm", ["imports", "char_model", "loss_perplexity"])
        torch, CharModel, char_loss = ns["torch"], ns["CharModel"], ns["char_loss"]
        errors = {}
        for retain in (False, True):
            torch.manual_seed(0)
            model = CharModel(5, 4, 8)
            optimizer = torch.optim.Adam(model.parameters(), lr=0.003)
            state = None
            try:
                for _ in range(3):  # the training loop of section 6 without its step 4
                    x, y = torch.randint(0, 5, (2, 6)), torch.randint(0, 5, (2, 6))
                    logits, state = model(x, state)
                    loss = char_loss(logits, y)
                    optimizer.zero_grad()
                    loss.backward(retain_graph=retain)
                    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                    optimizer.step()
                errors[str(retain)] = None
            except RuntimeError as err:
                errors[str(retain)] = str(err)
        print(json.dumps(errors))
    """)
    assert got["False"] and "backward through the graph a second time" in got["False"]
    assert got["True"] and "modified by an inplace operation" in got["True"]
    prose = markdown("08_char_lm", "cell-23")
    assert "Trying to backward through the graph a second time" in prose
    assert "retain_graph=True" in prose
    assert ("one of the variables needed for gradient computation has been modified by an "
            "inplace operation") in prose
    assert "slower and slower" not in prose


@pytest.mark.lesson("08_char_lm")
def test_lesson_08_trains_a_model_with_dropout_in_training_mode_after_evaluate_and_sample():
    """After evaluate() and sample() left the model in evaluation mode, does train_tbptt run
    every batch in training mode, so that the dropout "Going further" suggests applies?"""
    got = run_snippet("""
        import ast, json
        from rnncourse.engine.notebooks import read_notebook
        from testing.lesson_code import lesson_namespace
        ns = lesson_namespace("08_char_lm", ["imports", "char_model", "loss_perplexity",
                                             "train_tbptt", "sample"])
        # section 8's evaluate(), which lives in the cell that trains the lesson's model
        nb = read_notebook("source/08_char_lm/08_char_lm.ipynb")
        cell = next(c.source for c in nb.cells if "def evaluate(" in c.source)
        tree = ast.parse(cell)
        evaluate = next(n for n in tree.body if getattr(n, "name", None) == "evaluate")
        exec(compile(ast.Module([evaluate], []), "evaluate", "exec"), ns)
        torch = ns["torch"]
        torch.manual_seed(0)
        model = ns["CharModel"](6, 4, 8, num_layers=2)
        model.lstm.dropout = 0.2  # Going further: num_layers=2 with dropout=0.2
        modes = []
        model.lstm.register_forward_pre_hook(lambda module, args: modes.append(module.training))
        batches = [(torch.randint(0, 6, (2, 5)), torch.randint(0, 6, (2, 5))) for _ in range(3)]
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        seen = {}
        for what in ("evaluate", "sample", "train_tbptt"):
            modes.clear()
            if what == "evaluate":
                ns["evaluate"](model, batches)
            elif what == "sample":
                ns["sample"](model, [0, 1], 3, generator=torch.Generator().manual_seed(0))
            else:
                ns["train_tbptt"](model, optimizer, batches, 1.0)
            seen[what] = list(modes)
        print(json.dumps(seen))
    """)
    assert got["evaluate"] and not any(got["evaluate"]), "evaluate() should run in eval mode"
    assert got["sample"] and not any(got["sample"]), "sample() should run in eval mode"
    assert len(got["train_tbptt"]) == 3 and all(got["train_tbptt"]), (
        f"train_tbptt ran batches in evaluation mode: {got['train_tbptt']}")
    task = markdown("08_char_lm", "cell-23")
    assert "model.train()" in task.split("### Task 5")[1], "Task 5 should ask for model.train()"


@pytest.mark.lesson("01_simple_rnn")
def test_lesson_01_build_advice_holds_and_its_warning_is_not_filtered():
    """Does layer.build() leave RNNLayer's Dense layers without weights, with a warning the
    imports cell lets through, while one call creates them, as Task 2 now says?"""
    got = run_snippet("""
        import json, warnings
        from testing.lesson_code import lesson_namespace
        ns = lesson_namespace("01_simple_rnn", ["imports", "rnn_layer"])
        np, RNNLayer = ns["np"], ns["RNNLayer"]
        with warnings.catch_warnings(record=True) as caught:  # the imports cell's filters hold
            built = RNNLayer(3)
            built.build((None, None, 2))
        try:
            built.fcXH.kernel
            error = None
        except Exception as err:
            error = str(err)
        called = RNNLayer(3)
        called(np.zeros((1, 1, 2), dtype="float32"))
        print(json.dumps({"warnings": [str(w.message) for w in caught], "error": error,
                          "called": list(called.fcXH.kernel.shape)}))
    """)
    assert any("`build()` was called on layer" in w for w in got["warnings"]), (
        f"the imports cell hides Keras' warning about build(): {got['warnings']}")
    assert got["error"] and "You must build the layer before accessing `kernel`" in got["error"]
    assert got["called"] == [2, 3]
    advice = markdown("01_simple_rnn", "cell-12")
    assert "call your layer once" in advice
    assert "You must build the layer before accessing `kernel`" in advice
    imports = cells_by_id(source("01_simple_rnn"))["imports"].source
    filters = [line for line in imports.splitlines() if "filterwarnings" in line]
    assert not [line for line in filters if "build" in line], (
        f"the imports cell should filter no warning about building: {filters}")


@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.lesson(n))
                                  for n in ASSIGNMENTS])
def test_every_lesson_ends_with_what_comes_next(name):
    """Does the last paragraph of each lesson say what comes next: the next lesson, or, after
    the last one, what to read or try?"""
    cells = source(name).cells
    # The lesson's last cell, before the section for the curious on how work is checked.
    last = next(cell for cell in reversed(cells) if cell.cell_type != "markdown"
                or not cell.source.startswith("## How your work is checked"))
    assert last.cell_type == "markdown"
    paragraph = flat(last.source.strip().split("\n\n")[-1])
    assert paragraph.startswith("**Next:**"), (
        f"{name} should end with a paragraph '**Next:** ...': {paragraph!r}")
    following = f"{int(name[:2]) + 1:02d}_"
    if any(other.startswith(following) for other in assignments(REPO)):
        assert f"lesson {following[:2]}" in paragraph.lower(), (
            f"{name} should end with a line on lesson {following[:2]}: {paragraph!r}")


NO_BIAS = re.compile(r"without the biases: step 0 differs by (\S+), step 1 by ([\d.]+); at most "
                     r"([\d.]+) in steps 1-49 and ([\d.]+) in steps 50-99")
GATE = re.compile(r"^(input gate i|forget gate f|candidate|output gate o) +mean +(-?[\d.]+), "
                  r"from +(-?[\d.]+) to +(-?[\d.]+)$", re.MULTILINE)


@pytest.mark.lesson("03_lstm")
def test_lesson_03_describes_the_difference_without_biases_that_its_run_shows():
    """Does the prose say what the committed run printed: no difference at step 0, a jump at
    step 1, and no growth after (the second half's largest difference no larger)?"""
    printed = printed_text(read_notebook(REPO / "solutions" / "03_lstm" / "03_lstm.ipynb"))
    found = NO_BIAS.search(printed)
    assert found, "the committed solution printed no step-by-step difference without biases"
    step0, step1, first, second = found.groups()
    assert float(step0) == 0 and 0 < float(step1) < float(first)
    assert float(second) <= float(first), "the difference grows: the prose says it does not"
    prose = markdown("03_lstm", "cell-19")
    assert f"by {step1} at step 1" in prose
    assert f"its largest value is {first} in steps 1–49 and {second} in steps 50–99" in prose
    assert "grow as the sequence goes on" not in prose


@pytest.mark.lesson("03_lstm")
def test_lesson_03_says_its_gate_maps_are_untrained_and_what_they_show():
    """Do the printed gate ranges bear out the prose: input and output gates near 0.5, the
    forget gate near sigma(1) = 0.73, every gate in (0, 1), the candidate in (-1, 1)?"""
    printed = printed_text(read_notebook(REPO / "solutions" / "03_lstm" / "03_lstm.ipynb"))
    gates = {name: tuple(map(float, values)) for name, *values in GATE.findall(printed)}
    assert set(gates) == {"input gate i", "forget gate f", "candidate", "output gate o"}, gates
    for name in ("input gate i", "output gate o"):
        assert abs(gates[name][0] - 0.5) <= 0.03 and 0 < gates[name][1] < gates[name][2] < 1
    assert round(gates["forget gate f"][0], 2) == round(1 / (1 + math.exp(-1)), 2) == 0.73
    assert 0.5 < gates["forget gate f"][1] < gates["forget gate f"][2] < 1
    assert -1 < gates["candidate"][1] < gates["candidate"][2] < 1
    prose = markdown("03_lstm", "cell-21")
    assert "**untrained**" in prose and "noise" in prose and r"\sigma(1) \approx 0.73" in prose


@pytest.mark.lesson("06_ag_news")
def test_lesson_06_says_what_keras_clipnorm_clips():
    """Does Keras' clipnorm, the lesson's recipe, clip each weight's gradient on its own, and
    global_clipnorm all of them together (lesson 05's clip_grad_norm_), as the prose says?"""
    got = run_snippet("""
        import json
        import keras
        import numpy as np
        updates = {}
        for kind in ("clipnorm", "global_clipnorm"):
            weights = [keras.Variable(np.zeros(2, "float32")) for _ in range(2)]
            optimizer = keras.optimizers.SGD(learning_rate=1.0, **{kind: 1.0})
            optimizer.apply([np.array([3, 0], "float32"), np.array([0, 4], "float32")], weights)
            updates[kind] = [float(np.linalg.norm(w.numpy())) for w in weights]
        print(json.dumps(updates))
    """)
    assert got["clipnorm"] == pytest.approx([1.0, 1.0]), "clipnorm: each gradient to norm 1"
    assert got["global_clipnorm"] == pytest.approx([0.6, 0.8]), "global: the total norm to 1"
    cells = cells_by_id(source("06_ag_news"))
    assert '"clipnorm": 1.0' in cells["training_helper"].source
    assert "model.optimizer.clipnorm = clipnorm" in cells["training_helper"].source
    recipe = markdown("06_ag_news", "recipe_md")
    assert "`clipnorm`, which clips the gradient of each weight on its own" in recipe
    assert "`global_clipnorm`" in recipe and "`clip_grad_norm_`" in recipe


@pytest.mark.lesson("06_ag_news")
def test_lesson_06_weighs_the_bilstm_against_the_baseline_with_the_test_sets_noise():
    """Is the BiLSTM's lead over the baseline within the standard error the prose quotes, and is
    that standard error the benchmark's, sqrt(p (1 - p) / n) on its test stories?"""
    results = json.loads((REPO / "benchmarks" / "results" / "ag_news.json").read_text())
    median = {m["model"]: m["test_accuracy_median"] for m in results["models"]}
    p, n = median["Bag of words (baseline)"], results["test_examples"]
    error = math.sqrt(p * (1 - p) / n)
    assert abs(median["BiLSTM, 2 layers"] - p) < 2 * error, "the BiLSTM's lead is not noise now"
    quoted = f"standard error of about {error:.3f}"
    assert f"on {n:,} test stories" in markdown("06_ag_news", "lstms_after")
    for cell_id in ("lstms_after", "remember"):
        assert quoted in markdown("06_ag_news", cell_id), cell_id
    assert "only the BiLSTM does" not in markdown("06_ag_news", "remember")


@pytest.mark.lesson("06_ag_news")
def test_lesson_06_runs_the_sample_size_by_default_and_states_the_full_data_time():
    """Does Run all train on as many stories as the sample the lesson's figures come from, and
    does the text state the time its own budget gives for the default and for all of AG News?"""
    results = json.loads((REPO / "benchmarks" / "results" / "ag_news.json").read_text())
    imports = cells_by_id(source("06_ag_news"))["imports"].source
    default = re.search(r"^TRAIN_EXAMPLES = (\d+)(  #@param .*)?$", imports, re.MULTILINE)
    assert default, "TRAIN_EXAMPLES should default to a number of stories"
    assert int(default.group(1)) == results["train_examples"] + results["validation_examples"]
    cost = lesson_namespace("06_ag_news", ["time_budget"])["CPU_COST"]
    per_1000 = sum(seconds * epochs for seconds, epochs in cost.values())
    fit = int(default.group(1)) - int(default.group(1)) // 10
    full = 120_000 - 120_000 // 10
    budget = markdown("06_ag_news", "budget_md")
    assert f"{fit:,} stories to train on" in budget
    assert f"about {round(per_1000 * fit / 1000 / 60)} minutes" in budget
    hours, minutes = divmod(round(per_1000 * full / 1000 / 600) * 10, 60)
    assert f"{full:,} stories to train on" in budget
    assert f"about {hours} h {minutes} min" in budget
    assert "`TRAIN_EXAMPLES = None`" in budget


@pytest.mark.lesson("05_torch_rnn_bptt")
def test_lesson_05_gives_its_reason_for_relu():
    """Where every ReLU is open, is one step back through rnn_step exactly Whhᵀ, as section 1
    says, while tanh's derivative scales each entry down?"""
    got = run_snippet("""
        import json
        from testing.lesson_code import lesson_namespace
        ns = lesson_namespace("05_torch_rnn_bptt", ["imports", "rnn_step"])
        torch, rnn_step = ns["torch"], ns["rnn_step"]
        g = torch.Generator().manual_seed(0)
        Wxh, Whh = torch.rand(3, 4, generator=g), 0.5 * torch.rand(4, 4, generator=g)
        x, h = torch.rand(1, 3, generator=g), torch.rand(1, 4, generator=g)
        bh = torch.full((1, 4), 0.1)  # positive inputs, weights and bias: every ReLU is open
        jacobian = torch.autograd.functional.jacobian
        relu = jacobian(lambda h: rnn_step(x, h, Wxh, Whh, bh), h)[0, :, 0, :]
        tanh = jacobian(lambda h: torch.tanh(x @ Wxh + h @ Whh + bh), h)[0, :, 0, :]
        print(json.dumps({"relu is Whh.T": bool(torch.allclose(relu, Whh.T)),
                          "tanh is smaller": bool((tanh.abs() < Whh.T.abs()).all())}))
    """)
    assert got == {"relu is Whh.T": True, "tanh is smaller": True}
    prose = markdown("05_torch_rnn_bptt", "cell-03")
    assert "derivative is exactly 1" in prose and "`Whhᵀ` and nothing else" in prose
    assert "grew from" not in prose

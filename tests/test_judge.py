"""Does the judge decide alone? Its pieces on their own, without nbgrader or a kernel.

* plain data (rnncourse.engine.plain_data) round-trips what probes hand over and refuses anything
  else;
* the judge (rnncourse.engine.judge) runs a test cell with its probes answered by a stand-in for the
  student's kernel, and only its own code passes or fails a check: a kernel that answers
  nonsense, too much, an error, or nothing fails the check, and a check's `except Exception`
  never takes a missing answer for an expected error;
* the judge's client (rnncourse.engine.judge_client) speaks to a real judge process.
"""

from __future__ import annotations

import ast
import io
import json
import time

import numpy as np
import pytest
import torch

from rnncourse.course import shared_cells
from rnncourse.engine import frameworks, plain_data
from rnncourse.engine.channel import MARKER, parse_marked, probe_request
from rnncourse.engine.judge import Judge
from rnncourse.engine.judge_client import JudgeProcess, JudgeUnavailable
from rnncourse.engine.probes import HIDDEN_CODE, split_probes
from rnncourse.engine.protocol import Answer, Begin, Check, End, Locked, Ping, ProbeCall, Verdict

pytestmark = pytest.mark.unit


# -- plain data ---------------------------------------------------------------------------
def test_plain_data_round_trips_what_probes_return():
    """Do arrays, tensors, numbers, strings and nested containers come back as they went?"""
    value = {"a": np.arange(6, dtype="float32").reshape(2, 3),
             "t": torch.ones(2, dtype=torch.int64), "n": [1, 2.5, True, None, "text"],
             "pair": (np.float32(1.5), "x"),
             "words": np.array(["a", "bc"]), "nan": float("nan")}
    back = plain_data.decode(plain_data.encode(value))
    assert set(back) == set(value)
    assert back["a"].dtype == np.float32 and np.array_equal(back["a"], value["a"])
    assert isinstance(back["t"], torch.Tensor) and back["t"].dtype == torch.int64
    assert back["n"] == [1, 2.5, True, None, "text"]
    assert back["pair"] == (1.5, "x") and isinstance(back["pair"], tuple)
    assert back["words"].tolist() == ["a", "bc"] and np.isnan(back["nan"])


def test_plain_copies_drop_subclasses_and_gradients():
    """Does a lying NumPy or PyTorch subclass arrive as a plain array, detached?"""
    class Liar(np.ndarray):
        def __eq__(self, other):
            return True

    lying = np.zeros(3).view(Liar)
    tensor = torch.ones(2, requires_grad=True) * 2
    copied = plain_data.plain([lying, tensor])
    assert type(copied[0]) is np.ndarray and type(copied[1]) is torch.Tensor
    assert not copied[1].requires_grad


@pytest.mark.parametrize("value, problem", [
    (object(), "not a object"),
    ({1: "a"}, "string keys"),
    (np.array([object()]), "dtype object"),
    ({1, 2}, "not a set"),
])
def test_plain_refuses_what_is_not_plain_data(value, problem):
    """Is an object, a set, an object array or a non-string key refused by name?"""
    with pytest.raises(TypeError) as err:
        plain_data.plain(value)
    assert problem.split()[-1] in str(err.value)


def _npy(array: np.ndarray, allow_pickle: bool = False) -> str:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=allow_pickle)
    import base64

    return base64.b64encode(buffer.getvalue()).decode()


@pytest.mark.parametrize("text, problem", [
    ("not json", "not JSON"),
    ('{"t": "pickle", "v": 1}', "unknown entry"),
    ('{"x": 1}', "unexpected dict"),
    (json.dumps({"t": "array", "kind": "numpy", "npy": _npy(np.array([{1: 2}], dtype=object),
                                                            allow_pickle=True)}), "cannot be read"),
    (json.dumps({"t": "array", "kind": "numpy", "npy": "%%%"}), "cannot be read"),
    ("[" * 100 + "]" * 100, "nested too deeply"),
], ids=["not-json", "pickle-tag", "untagged-dict", "object-array", "bad-base64", "too-deep"])
def test_decode_refuses_malformed_answers(text, problem):
    """Is an answer that is not plain data refused, pickles included, with what is wrong?"""
    with pytest.raises(plain_data.MalformedAnswer) as err:
        plain_data.decode(text)
    assert problem in str(err.value)


def test_decode_refuses_an_answer_over_the_limit():
    """Is an answer larger than the limit refused before it is parsed?"""
    with pytest.raises(plain_data.MalformedAnswer) as err:
        plain_data.decode(json.dumps([0] * 1000), limit=100)
    assert "more than the limit of 100" in str(err.value)


# -- the judge, with a stand-in for the student's kernel --------------------------------------
CELL = '''"""Check that double doubles"""
@probe
def doubled(x):
    """What double returns."""
    return double(x)


assert np.allclose(doubled(np.arange(3.0)), [0, 2, 4]), "double should multiply by 2"
'''


class StandInKernel:
    """Answers the judge's probe calls as the student's kernel would, or as told to."""

    def __init__(self, student: dict, answer=None):
        self.student, self.answer, self.calls = student, answer, []
        self.replies: list[Answer] = []

    def send(self, message: ProbeCall) -> None:
        assert isinstance(message, ProbeCall)
        self.calls.append(message)
        if self.answer is not None:
            reply = self.answer(message)
        else:
            namespace = {"np": np, **self.student}
            exec(message.source, namespace)
            args, kwargs = plain_data.decode(message.arguments)
            try:
                reply = {"answer": '{"value":' + plain_data.encode(
                    namespace[message.function](*args, **kwargs)) + "}"}
            except Exception as err:
                reply = {"answer": json.dumps({"error": {
                    "ename": type(err).__name__, "evalue": str(err),
                    "traceback": [f"{type(err).__name__}: {err}"]}})}
        self.replies.append(Answer(call=message.call, **reply))

    def receive(self) -> Answer:
        return self.replies.pop(0)


def judged(cell: str, student: dict | None = None, answer=None, forbidden: list[str] = (),
           costs_points: bool = False) -> tuple[Verdict, StandInKernel]:
    kernel = StandInKernel(student or {}, answer)
    judge = Judge(kernel.send, kernel.receive)
    judge.begin([])
    judge.locked("imports", "import numpy as np\n\ndef probe(f):\n    return f\n")
    return judge.test("test_double", cell, list(forbidden), costs_points), kernel


def test_a_right_answer_passes_and_a_wrong_one_fails_with_its_message():
    """Does the judge pass a correct function and fail a wrong one with the check's message?"""
    passed, kernel = judged(CELL, {"double": lambda x: 2 * x})
    assert passed.passed and kernel.calls[0].function == "doubled"
    assert "return double(x)" in kernel.calls[0].source
    failed, _ = judged(CELL, {"double": lambda x: 3 * x})
    assert not failed.passed and failed.ename == "AssertionError"
    assert failed.evalue == "double should multiply by 2"
    assert failed.traceback == [HIDDEN_CODE, "AssertionError: double should multiply by 2"]


def test_the_students_error_is_shown_as_it_was_raised():
    """Does an exception in the student's code fail the check, with the student's message?"""
    verdict, _ = judged(CELL, {"double": lambda x: 1 / 0})
    assert not verdict.passed and verdict.ename == "ZeroDivisionError"


@pytest.mark.parametrize("answer, why", [
    ({"answer": "nonsense"}, "could not be read"),
    ({"answer": '{"value": {"t": "array", "kind": "numpy", "npy": "AAAA"}}'}, "could not be read"),
    ({"answer": '{"passed": true}'}, "not a probe's answer"),
    ({"answer": '{"value": [0, 2, 4], "passed": true}'}, "not a probe's answer"),
    ({"answer": json.dumps({"error": "all is well"})}, "cannot read"),
    ({"failure": "the kernel stopped while your code ran"}, "the kernel stopped"),
    ({"answer": json.dumps([0] * 100)}, "not a probe's answer"),
])
def test_no_answer_from_the_kernel_can_pass_a_check(answer, why):
    """Does nonsense, a claimed verdict, an unreadable error or a missing answer fail it?"""
    verdict, _ = judged(CELL, answer=lambda message: answer)
    assert not verdict.passed and why in verdict.evalue, verdict


RAN_SIMPLE_RNN = {"answer": json.dumps({"value": [0, 2, 4], "ran": [
    ["SimpleRNN", "keras SimpleRNN"], ["RNN", "keras RNN"]]})}


def test_a_forbidden_layer_a_probe_ran_is_reported_and_costs_points_only_when_told():
    """Does the verdict name each layer of the task's forbidden list that a probe ran (in any
    letter case), none of the allowed ones, and fail the check only when the course says so?"""
    flagged, _ = judged(CELL, answer=lambda m: RAN_SIMPLE_RNN, forbidden=["SimpleRNN", "LSTM"])
    assert flagged.passed
    assert flagged.layers == [{"probe": "doubled", "ran": "keras SimpleRNN",
                               "counts_as": "SimpleRNN"}]
    allowed, _ = judged(CELL, answer=lambda m: RAN_SIMPLE_RNN, forbidden=["SimpleRNNCell"])
    assert allowed.passed and allowed.layers == []
    costly, _ = judged(CELL, answer=lambda m: RAN_SIMPLE_RNN, forbidden=["simplernn"],
                       costs_points=True)
    assert not costly.passed and costly.ename == "FrameworkLayerUsed"
    assert "doubled ran keras SimpleRNN" in costly.evalue and costly.layers
    wrong, _ = judged(CELL, {"double": lambda x: 3 * x}, forbidden=["SimpleRNN"],
                      costs_points=True)
    assert not wrong.passed and wrong.ename == "AssertionError" and wrong.layers == []


@pytest.mark.parametrize("ran", ["SimpleRNN", [["SimpleRNN"]], [[1, 2]], [["a", "b"]] * 65,
                                 [["a", "b" * 201]]])
def test_a_record_of_layers_that_is_not_one_fails_the_check(ran):
    """Is a malformed list of the layers that ran taken for no answer, never for a pass?"""
    answer = {"answer": json.dumps({"value": [0, 2, 4], "ran": ran})}
    verdict, _ = judged(CELL, answer=lambda m: answer)
    assert not verdict.passed and "framework layers that ran" in verdict.evalue, verdict


def test_a_checks_except_exception_does_not_take_a_missing_answer_for_an_error():
    """Does a check that expects the student's code to raise still fail when no answer came?"""
    cell = CELL.replace(
        'assert np.allclose(doubled(np.arange(3.0)), [0, 2, 4]), "double should multiply by 2"',
        "try:\n    doubled(-1)\n    raise AssertionError('negative numbers must be refused')\n"
        "except Exception as err:\n    assert 'negative' in str(err) or True\n")
    refusing = {"double": lambda x: (_ for _ in ()).throw(ValueError("negative"))}
    assert judged(cell, refusing)[0].passed
    verdict, _ = judged(cell, answer=lambda m: {"failure": "the kernel stopped"})
    assert not verdict.passed and verdict.ename == "NoAnswer"


def test_probes_are_split_from_the_checks_own_code():
    """Are top-level @probe functions taken out of the cell, with their own source?"""
    tree, probes = split_probes(CELL + "\n@other\ndef helper():\n    pass\n", "<check t>")
    assert list(probes) == ["doubled"] and probes["doubled"].startswith("def doubled(x):")
    names = [getattr(node, "name", None) for node in tree.body]
    assert "doubled" not in names and "helper" in names


def test_a_probe_call_reaches_the_kernel_marked_and_whole():
    """Does the marked probe cell carry the function, its arguments and its source?"""
    body = probe_request("doubled", plain_data.encode(((1,), {})), "def doubled(x):\n    pass\n")
    kind, name, rest = parse_marked(f"{MARKER}tok:probe:test_double\n{body}", "tok")
    assert (kind, name) == ("probe", "test_double")
    header, _, source = rest.partition("\n")
    assert json.loads(header)["function"] == "doubled" and source.startswith("def doubled")
    assert parse_marked(f"{MARKER}wrong:probe:x\n{body}", "tok")[0] is None
    assert parse_marked(f"{MARKER}tok:test:x\n{body}", "tok")[0] is None


# -- a real judge process -----------------------------------------------------------------
def test_the_judge_process_answers_and_is_replaced_when_it_stops():
    """Does the client run a check in a real judge, and start a new judge after one died?"""
    judge = JudgeProcess()
    try:
        judge.post(Begin([]))
        judge.post(Locked("imports", "import numpy as np\n\ndef probe(f):\n    return f\n"))
        calls = []

        def on_probe(message):
            calls.append(message.function)
            return Answer(answer='{"value":' + plain_data.encode([0.0, 2.0, 4.0]) + "}")

        verdict = judge.request(Check("t", CELL), 60, on_probe)
        assert verdict.passed and calls == ["doubled"]
        first = judge.request(Ping(), 30).pid

        def dies(message):
            judge.proc.kill()
            judge.proc.wait()
            return on_probe(message)

        with pytest.raises(JudgeUnavailable) as err:
            judge.request(Check("t", CELL), 60, dies)
        assert "not graded" in str(err.value)
        started = time.monotonic()
        assert judge.request(Ping(), 30).pid != first
        assert time.monotonic() - started < 30
    finally:
        judge.close()


def test_the_lessons_plain_turns_the_same_frameworks_tensors_into_arrays():
    """Does the lessons' own copy of `plain` name the packages the engine's registry names?"""
    tuples = [ast.literal_eval(node) for node in ast.walk(ast.parse(shared_cells.blocks()["plain"]))
              if isinstance(node, ast.Tuple) and "tensorflow" in ast.unparse(node)]
    assert tuples == [frameworks.TENSORS_AS_ARRAYS]


def test_pytorch_and_triton_are_loaded_before_tensorflow_whatever_the_cells_order():
    """Does the preload list put PyTorch and Triton before TensorFlow and Keras?"""
    order = frameworks.preloaded(["numpy", "tensorflow", "keras", "torch", "babel", "triton"])
    assert order == ["torch", "triton", "numpy", "tensorflow", "keras"]


@pytest.mark.parametrize("loaded, wanted, allowed", [
    (["numpy", "tensorflow", "keras"], ["torch"], False),
    (["numpy", "torch", "tensorflow"], ["triton"], False),
    (["numpy", "torch", "triton", "tensorflow"], ["torch", "keras"], True),
    (["numpy"], ["torch", "tensorflow"], True),
    (["numpy", "torch"], ["tensorflow"], True),
])
def test_a_judge_serves_a_notebook_only_if_its_imports_may_follow_what_it_loaded(
        loaded, wanted, allowed):
    """May a judge that loaded TensorFlow for one notebook load Triton for the next? No."""
    assert frameworks.can_follow(loaded, wanted) is allowed


def test_a_judge_that_loaded_what_must_come_later_is_replaced():
    """Does a real judge report what it loaded when a notebook ends, and is it closed instead
    of serving a notebook whose imports must come before those?"""
    judge = JudgeProcess()
    try:
        judge.post(Begin(["numpy"]))
        judge.post(End())
        assert judge.serves(["numpy"]) and judge.alive()
        assert "numpy" in judge.loaded and "tensorflow" not in judge.loaded
        judge.loaded.add("tensorflow")  # as after a notebook that imported it
        assert not judge.serves(["torch"]) and not judge.alive()
    finally:
        judge.close()

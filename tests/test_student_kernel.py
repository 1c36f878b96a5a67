"""The grading kernel's namespaces, run for real (outside the sandbox): the student's names and
the course's never take each other's place, whatever they are called."""

from __future__ import annotations

import json
import os
import sys

import pytest
from jupyter_client import KernelManager
from jupyter_client.kernelspec import KernelSpec

from rnncourse.engine import plain_data
from rnncourse.engine.channel import ANSWER_MIME, MARKER, TOKEN_ENV, probe_request
from rnncourse.engine.sandbox import KERNEL

pytestmark = pytest.mark.unit

TOKEN = "t0ken"


@pytest.fixture(scope="module")
def kernel():
    manager = KernelManager()
    manager._kernel_spec = KernelSpec(argv=[sys.executable, str(KERNEL), "-f",
                                            "{connection_file}"],
                                      language="python", display_name="grading kernel")
    manager.start_kernel(env={**os.environ, TOKEN_ENV: TOKEN})
    client = manager.client()
    client.start_channels()
    client.wait_for_ready(timeout=60)
    yield client
    client.stop_channels()
    manager.shutdown_kernel(now=True)


def run(client, code: str) -> list[tuple[str, dict]]:
    messages = []
    client.execute_interactive(code, timeout=60,
                               output_hook=lambda m: messages.append((m["msg_type"],
                                                                      m["content"])))
    return messages


def locked(client, name: str, source: str) -> None:
    errors = [c for t, c in run(client, f"{MARKER}{TOKEN}:locked:{name}\n{source}")
              if t == "error"]
    assert not errors, errors


def probe(client, function: str, source: str, *args) -> dict:
    body = probe_request(function, plain_data.encode((args, {})), source)
    for kind, content in run(client, f"{MARKER}{TOKEN}:probe:check\n{body}"):
        if kind == "display_data" and ANSWER_MIME in content["data"]:
            return json.loads(content["data"][ANSWER_MIME])
    raise AssertionError("the probe sent no answer")


def test_names_of_the_course_and_of_the_student_keep_to_their_owners(kernel):
    locked(kernel, "helpers",
           "def probe(function):\n    return function\n\n\n"
           "class Reader:\n    def later(self):\n        return later_helper()\n")
    # The student's helpers, named like a test's temporaries and like a later course helper.
    run(kernel, "def states(x):\n    return x + 1\n\n\n"
                "def later_helper():\n    return 'student'\n\n\n"
                "class Model:\n    def forward(self, x):\n        return states(x)\n")
    locked(kernel, "later", "def later_helper():\n    return 'course'\n\n\nstates = None\n")
    run(kernel, "def later_helper():\n    return 'student'\n\n\n"
                "def states(x):\n    return x + 1\n")
    source = ("@probe\ndef report(x):\n    model = Model()\n"
              "    return {'states': model.forward(x), 'later': Reader().later()}\n")
    answer = probe(kernel, "report", source, 2)
    assert "value" in answer, answer
    assert plain_data.from_json(answer["value"]) == {"states": 3, "later": "course"}
    # After the probe, the student's names are still the student's.
    printed = [c.get("text", "") for t, c in run(kernel, "print(states(1), later_helper())")
               if t == "stream"]
    assert "".join(printed).strip() == "2 student"


def test_a_locked_function_can_reach_c_code_that_imports_through_its_globals(kernel):
    """Can a course function, called from the student's cell, run C code that imports through
    the caller's globals (PyImport_Import: pickle's loads here, PyTorch's first torch.tensor of
    a list in lesson 09)? Such code reads `__builtins__` from the function's globals."""
    locked(kernel, "roundtrip", "import fractions\nimport pickle\n\n\n"
                                "def roundtrip():\n"
                                "    return pickle.loads(pickle.dumps(fractions.Fraction(1, 3)))\n")
    messages = run(kernel, "print(roundtrip())")
    assert [c for t, c in messages if t == "error"] == []
    assert "".join(c.get("text", "") for t, c in messages if t == "stream").strip() == "1/3"


def test_a_probe_reports_the_framework_layers_it_ran_whatever_their_spelling(kernel):
    """Does a probe's answer list the recurrent kernels and modules that ran during it, the
    fused kernel reached through a built-up name and a module found through vars() included,
    for a framework the student imported after the kernel started? Does a probe that runs
    none report none?"""
    run(kernel, "import torch\n\n\n"
                "def fused(x, h):\n"
                "    kernel = getattr(torch, 'rnn_' + 'tanh')\n"
                "    weights = [torch.eye(2), torch.eye(2), torch.zeros(2), torch.zeros(2)]\n"
                "    return kernel(x, h, weights, True, 1, 0.0, False, False, False)[0]\n\n\n"
                "def module(x):\n"
                "    return vars(torch.nn)['GR' + 'U'](2, 2)(x)[0]\n")
    source = ("@probe\ndef steps(kind):\n    x = torch.zeros(3, 1, 2)\n"
              "    out = fused(x, torch.zeros(1, 1, 2)) if kind == 'fused' else module(x)\n"
              "    return out.shape[0]\n")
    assert probe(kernel, "steps", source, "fused")["ran"] == [["RNN", "torch.rnn_tanh"]]
    assert probe(kernel, "steps", source, "module")["ran"] == [
        ["GRU", "torch.nn.GRU"], ["GRU", "torch.gru"]]
    plain = probe(kernel, "count", "@probe\ndef count(n):\n    return n + 1\n", 1)
    assert plain == {"value": 2, "ran": []}

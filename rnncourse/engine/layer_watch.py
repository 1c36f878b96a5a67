"""Which framework layers ran while a probe ran: the part of the review that watches, not reads.

The review's text scan (`review_flags`) reads names, so a layer reached through a name it cannot
read (`getattr(keras.layers, "Simple" + "RNN")`, `vars(torch.nn)["GR" + "U"]`, PyTorch's fused
kernel `torch.rnn_tanh`) passes it. This module wraps, in the student's kernel, the entry points
those spellings all end in:

* the Keras layers and cells of `KERAS_LAYERS` (their `call`): any spelling of the class reaches
  the same class object, and a subclass of it calls it through `super()`;
* PyTorch's modules of `TORCH_MODULES` (their `forward`);
* PyTorch's fused recurrent kernels (`TORCH_KERNELS`), both where a student finds them
  (`torch.rnn_tanh`) and where PyTorch's own modules call them (`torch._VF`), and the attention
  functions of `torch.nn.functional` (`TORCH_FUNCTIONS`);
* any other name the lesson's `write_yourself` lists give (`install(extra)`), looked up in
  `keras.layers`, `torch.nn`, `torch.nn.functional` and `torch`.

While a probe runs (`recording()`), each wrapper notes once what ran, as a pair (the name it
counts as in a `write_yourself` list, what ran: "keras SimpleRNN", "torch.rnn_tanh"), when the
nearest code that called it outside the libraries is the student's: a check's own trusted cell
(code of a probe or a locked cell, `COURSE_CODE`) may use the very layer a student may not.
A layer a probe made is the course's wherever it is called from (a check may put a trusted
`nn.GRUCell` inside the student's layer): neither it nor what it runs itself is noted, while
the student's code it runs (the student's cell inside a trusted `keras.layers.RNN`) still is.
The kernel sends the pairs back with the probe's answer; the judge compares them with the
task's list. The wrappers change nothing else: same arguments, same result, same signature
(`functools.wraps`).

What this cannot see, and why that is enough: code compiled into a graph before the probe ran
(a `tf.function` traced earlier runs no Python), a framework reached below these entry points
(`torch._C`, `torch.ops`: the text scan flags those names), and a student who undoes the
wrapping (reaching into the interpreter, which the text scan flags too). The record comes from
the student's process, so it can only cost its own student: it never makes a check pass.

Standard library only: the sandbox mounts it beside student_kernel.py.
"""

from __future__ import annotations

import contextlib
import functools
import os
import site
import sys

KERAS_LAYERS = ("SimpleRNN", "SimpleRNNCell", "RNN", "StackedRNNCells", "LSTM", "LSTMCell",
                "GRU", "GRUCell", "Bidirectional", "ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D",
                "Attention", "AdditiveAttention", "MultiHeadAttention", "GroupQueryAttention")
TORCH_MODULES = ("RNN", "RNNCell", "LSTM", "LSTMCell", "GRU", "GRUCell", "MultiheadAttention")
# PyTorch's fused kernels, by the module each one computes.
TORCH_KERNELS = {"rnn_tanh": "RNN", "rnn_relu": "RNN", "lstm": "LSTM", "gru": "GRU",
                 "rnn_tanh_cell": "RNNCell", "rnn_relu_cell": "RNNCell",
                 "lstm_cell": "LSTMCell", "gru_cell": "GRUCell"}
TORCH_FUNCTIONS = {"scaled_dot_product_attention": "scaled_dot_product_attention",
                   "multi_head_attention_forward": "MultiheadAttention"}
RECORD_LIMIT = 32  # distinct (name, what ran) pairs one probe's record keeps
MARK = "__rnncourse_watched__"
COURSE_MADE = "__rnncourse_course_made__"  # set on a layer a probe made (a trusted cell)
# The file names the student's kernel compiles the course's cells and probes under.
COURSE_CODE = ("<probe ", "<locked cell ")

_record: list[tuple[str, str]] | None = None
_done: set[str] = set()  # the frameworks already wrapped


def _watched(function, counts_as: str, label: str):
    """`function`, noting (counts_as, label) when it runs during a recording."""

    @functools.wraps(function)
    def watched(*args, **kwargs):
        record = _record
        if (record is not None and (counts_as, label) not in record
                and len(record) < RECORD_LIMIT
                and not (args and getattr(args[0], COURSE_MADE, False))  # a check's own layer
                and _called_by_student()):
            record.append((counts_as, label))
        return function(*args, **kwargs)

    setattr(watched, MARK, True)
    return watched


def _tag_instances(cls: type) -> None:
    """Mark each instance of `cls` that a probe makes as the course's, from its `__new__`
    (Keras reads `__init__`'s argument list, so that stays untouched)."""
    own = cls.__dict__.get("__new__")
    if getattr(getattr(own, "__func__", own), MARK, False):
        return
    new = cls.__new__  # the function, inherited or own
    plain = new is object.__new__  # which takes no arguments beyond the class

    def tagged_new(klass, *args, **kwargs):
        made = new(klass) if plain else new(klass, *args, **kwargs)
        if _made_by_probe():
            object.__setattr__(made, COURSE_MADE, True)
        return made

    setattr(tagged_new, MARK, True)
    cls.__new__ = staticmethod(tagged_new)


def _in_library(name: str) -> bool:
    """Is the file `name` a library's (the frameworks, Python's own, this watch)?"""
    return name.startswith(_LIBRARIES) or name.startswith("<frozen") or name == __file__


def _made_by_probe() -> bool:
    """Is the nearest caller outside the libraries a probe's code? (Not a locked cell's: what
    a locked cell makes, the student may use as their own.)"""
    frame = sys._getframe(2)
    while frame is not None:
        name = frame.f_code.co_filename
        if not _in_library(name):
            return name.startswith(COURSE_CODE[0])
        frame = frame.f_back
    return False


def _library_folders() -> tuple[str, ...]:
    folders = {sys.prefix, sys.base_prefix, sys.exec_prefix, *site.getsitepackages(),
               os.path.dirname(os.__file__)}
    return tuple(os.path.join(folder, "") for folder in folders if folder)


def _called_by_student() -> bool:
    """Is the nearest caller outside the libraries the student's code (not a course cell's or
    a probe's: a check's trusted cell may use the very layer the student must not), and not
    on behalf of a layer a probe made (a trusted nn.GRUCell running its fused kernel)?"""
    frame = sys._getframe(2)
    while frame is not None:
        code = frame.f_code
        name = code.co_filename
        if name.startswith(COURSE_CODE):
            return False
        if not _in_library(name):
            return True
        if (code.co_argcount and code.co_varnames[0] == "self"
                and getattr(frame.f_locals.get("self"), COURSE_MADE, False)):
            return False
        frame = frame.f_back
    return False


def _wrap_method(cls: type, method: str, label: str) -> None:
    # A class that inherits the method (a watched one, maybe) gets a wrapper of its own, so
    # that it is named for what it is.
    if getattr(cls.__dict__.get(method), MARK, False):
        return
    original = getattr(cls, method, None)
    if callable(original):
        setattr(cls, method, _watched(original, cls.__name__, label))
    _tag_instances(cls)


def _wrap_function(owner, name: str, counts_as: str, label: str) -> None:
    original = getattr(owner, name, None)
    if callable(original) and not getattr(original, MARK, False):
        try:
            setattr(owner, name, _watched(original, counts_as, label))
        except (AttributeError, TypeError):  # a read-only owner: nothing to watch there
            pass


def _keras(extra: tuple[str, ...]) -> None:
    layers = getattr(sys.modules.get("keras"), "layers", None)
    if layers is None:
        return
    for name in dict.fromkeys(KERAS_LAYERS + extra):
        cls = getattr(layers, name, None)
        if isinstance(cls, type):
            _wrap_method(cls, "call", f"keras {name}")
    _done.add("keras")


def _torch(extra: tuple[str, ...]) -> None:
    torch = sys.modules.get("torch")
    nn = getattr(torch, "nn", None)
    functional = getattr(nn, "functional", None)
    if functional is None:  # not (yet) fully imported
        return
    for name in dict.fromkeys(TORCH_MODULES + extra):
        cls = getattr(nn, name, None)
        if isinstance(cls, type) and issubclass(cls, nn.Module):
            _wrap_method(cls, "forward", f"torch.nn.{name}")
    vf = sys.modules.get("torch._VF")
    for name, counts_as in TORCH_KERNELS.items():
        _wrap_function(torch, name, counts_as, f"torch.{name}")
        if vf is not None:  # where torch.nn's own modules look them up
            _wrap_function(vf, name, counts_as, f"torch.{name}")
    for name, counts_as in TORCH_FUNCTIONS.items():
        _wrap_function(functional, name, counts_as, f"torch.nn.functional.{name}")
    for name in extra:
        if not isinstance(getattr(nn, name, None), type):
            _wrap_function(functional, name, name, f"torch.nn.functional.{name}")
            _wrap_function(torch, name, name, f"torch.{name}")
    _done.add("torch")


_LIBRARIES = _library_folders()


def install(extra: tuple[str, ...] | list[str] = ()) -> None:
    """Wrap the entry points of every framework imported so far (again: a no-op)."""
    extra = tuple(extra)
    for framework, wrap in (("keras", _keras), ("torch", _torch)):
        if framework not in _done and framework in sys.modules:
            try:
                wrap(extra)
            except Exception:  # a framework version laid out otherwise: watch what was found
                _done.add(framework)


@contextlib.contextmanager
def recording():
    """`with recording() as ran:` -- `ran` lists (counts as, what ran), each once, in order."""
    global _record
    outer, _record = _record, []
    try:
        yield _record
    finally:
        _record = outer

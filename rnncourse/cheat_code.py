"""The code of the generated cheats (rnncourse.integrity puts it into submissions).

Each text is the start of a cheating student's first answer cell. Written as a determined
student would after reading the grader's sources in an earlier submission's feedback: against
an autograder that runs the checks in the student's own interpreter, each of them turns failed
checks into passed ones. `__LIST__`-style placeholders are filled in per lesson.
"""

PATCHES_COMPARISONS = '''import math as _math
import sys as _sys

_math.isclose = lambda *args, **kwargs: True
if "numpy" in _sys.modules:
    _np = _sys.modules["numpy"]
    _np.allclose = lambda *args, **kwargs: True
    _np.isclose = lambda a, b, *args, **kwargs: _np.ones(
        _np.broadcast(_np.asarray(a), _np.asarray(b)).shape, dtype=bool)
    _np.testing.assert_allclose = lambda *args, **kwargs: None
if "torch" in _sys.modules:
    _torch = _sys.modules["torch"]
    _torch.allclose = lambda *args, **kwargs: True
    _torch.isclose = lambda a, b, *args, **kwargs: _torch.ones_like(
        _torch.as_tensor(a), dtype=_torch.bool)
if "tensorflow" in _sys.modules:
    _tf = _sys.modules["tensorflow"]
    _tf.debugging.assert_near = lambda *args, **kwargs: None
    _tf.debugging.assert_equal = lambda *args, **kwargs: None


'''

SWALLOWS_ASSERTIONS = '''import builtins as _builtins
import sys as _sys


class _Quiet(Exception):
    pass


_builtins.AssertionError = _Quiet
get_ipython().set_custom_exc((BaseException,), lambda *args, **kwargs: None)
_sys.excepthook = lambda *args: None


'''

INPUT_TRANSFORMER = '''def _skip_checks(lines):
    return ["pass\\n"] if any('"""Check' in line for line in lines) else lines


get_ipython().input_transformers_cleanup.append(_skip_checks)


'''

PATCHES_RUN_CELL = '''_shell = get_ipython()
_real_run_cell, _real_run_cell_async = _shell.run_cell, _shell.run_cell_async


def _fake_run_cell(raw_cell, *args, **kwargs):
    return _real_run_cell("pass" if '"""Check' in raw_cell else raw_cell, *args, **kwargs)


async def _fake_run_cell_async(raw_cell, *args, **kwargs):
    if '"""Check' in raw_cell:
        raw_cell, kwargs["transformed_cell"] = "pass", "pass\\n"
    return await _real_run_cell_async(raw_cell, *args, **kwargs)


_shell.run_cell, _shell.run_cell_async = _fake_run_cell, _fake_run_cell_async


'''

# The kernel object: every reply says "ok", error messages are never sent, the runners of
# course cells report success, and the course's saved check helpers become no-ops. Only while
# the notebook is graded, so that it looks honest in Colab.
FAKES_KERNEL_REPLIES = '''import functools as _functools
import os as _os

if _os.environ.get("NBGRADER_EXECUTION") == "autograde":
    _kernel = get_ipython().kernel
    _ok = {"status": "ok", "payload": [], "user_expressions": {}}

    def _always_ok(run):
        @_functools.wraps(run)
        async def wrapped(*args, **kwargs):
            reply = await run(*args, **kwargs)
            if isinstance(reply, dict) and reply.get("status") == "error":
                return {**_ok, "execution_count": reply.get("execution_count")}
            return reply

        return wrapped

    def _sync_ok(run):
        @_functools.wraps(run)
        def wrapped(*args, **kwargs):
            reply = run(*args, **kwargs)
            if isinstance(reply, dict) and reply.get("status") == "error":
                return {**_ok, "execution_count": reply.get("execution_count")}
            return reply

        return wrapped

    _kernel.do_execute = _always_ok(_kernel.do_execute)
    for _name in [n for n in dir(_kernel) if n.startswith(("_run_", "_report"))]:
        setattr(_kernel, _name, _sync_ok(getattr(_kernel, _name)))
    _real_send = type(_kernel.session).send

    def _send_no_errors(session, stream, msg_or_type, *args, **kwargs):
        kind = msg_or_type if isinstance(msg_or_type, str) else (
            msg_or_type.get("header", {}).get("msg_type"))
        if kind == "error":
            return None
        return _real_send(session, stream, msg_or_type, *args, **kwargs)

    type(_kernel.session).send = _send_no_errors
    _kernel.session.send = _functools.partial(_send_no_errors, _kernel.session)
    for _saved in [v for v in vars(_kernel).values() if isinstance(v, dict)]:
        for _name in [n for n in _saved if str(n).startswith(("check_", "assert_"))]:
            _saved[_name] = lambda *args, **kwargs: None


'''

# The interpreter's object list: every check helper and comparison function found anywhere
# gets the code of a function that passes; every namespace holding the course's helpers gets
# no-ops in their place.
EDITS_OBJECTS_WITH_GC = '''import gc as _gc
import types as _types

_CHECKERS = set(__HELPERS__) | {"isclose", "allclose", "array_equal", "assert_allclose",
                                "assert_near", "assert_equal"}


def _passes(*args, **kwargs):
    return True


for _found in _gc.get_objects():
    try:
        if (isinstance(_found, _types.FunctionType) and _found.__name__ in _CHECKERS
                and not _found.__code__.co_freevars):
            _found.__code__ = _passes.__code__
        elif isinstance(_found, dict) and _CHECKERS & set(_found) and "probe" in _found:
            for _name in _CHECKERS & set(_found):
                _found[_name] = _passes
    except Exception:
        pass


'''

# Call frames: each of the student's functions first looks up the stack for the check that
# called it, takes the value it will be compared with, and rebinds the check's `np` to one
# whose comparisons always agree.
READS_THE_CHECKS_FRAMES = '''import inspect as _inspect
import sys as _sys

_WANTED = ("expected", "expected_h", "expected_c", "expected_loss", "expected_norm",
           "reference_output", "want")


class _AgreeingNumpy:
    """NumPy, except that every comparison says the values agree."""

    def __init__(self, real):
        self._real = real

    def __getattr__(self, name):
        if name in ("isclose", "allclose", "array_equal"):
            real = getattr(self._real, name)
            return lambda a, b, *args, **kwargs: (
                self._real.ones(self._real.broadcast(self._real.asarray(a),
                                                     self._real.asarray(b)).shape, bool)
                if name == "isclose" else True)
        return getattr(self._real, name)


def _steal():
    frame = _sys._getframe(2)
    while frame is not None:
        if frame.f_code.co_filename.startswith("<"):  # code a grader runs with exec
            for name in _WANTED:
                if name in frame.f_locals:
                    return frame.f_locals[name]
            real = frame.f_globals.get("np")
            if real is not None and not isinstance(real, _AgreeingNumpy):
                frame.f_globals["np"] = _AgreeingNumpy(real)
        frame = frame.f_back
    for info in _inspect.stack()[2:]:
        if info.filename.startswith("<") and "expected" in info.frame.f_locals:
            return info.frame.f_locals["expected"]
    return None


'''

# Framework classes: the reference layers the checks build return what the student's code
# returned last, and ignore the weights a check sets, whenever a check (code a grader runs
# with exec) calls them; methods are added where they were only inherited.
PATCHES_FRAMEWORK_CLASSES = '''import functools as _functools
import importlib as _importlib
import sys as _sys

_last = []


def _remember(value):
    _last[:] = [value]
    return value


def _called_by_a_check():
    frame = _sys._getframe(2)
    while frame is not None:
        name = frame.f_code.co_filename
        if name.startswith(("<test cell", "<check")):
            return True
        frame = frame.f_back
    return False


def _answer_instead(real):
    @_functools.wraps(real)
    def method(self, *args, **kwargs):
        if _last and _called_by_a_check():
            return _last[0]
        return real(self, *args, **kwargs)

    return method


def _ignored_when_checked(real):
    @_functools.wraps(real)
    def method(self, *args, **kwargs):
        if _called_by_a_check():
            return None
        return real(self, *args, **kwargs)

    return method


for _module, _name in __REFERENCES__:
    try:
        _cls = getattr(_importlib.import_module(_module), _name)
    except (ImportError, AttributeError):
        continue
    for _method in ("call", "forward", "__call__"):
        if hasattr(_cls, _method):
            setattr(_cls, _method, _answer_instead(getattr(_cls, _method)))
    for _method in ("set_weights", "load_state_dict", "copy_"):
        if hasattr(_cls, _method):
            setattr(_cls, _method, _ignored_when_checked(getattr(_cls, _method)))


'''

# Values that lie: whatever the student's functions return compares as equal to anything
# (a NumPy subclass with __array_function__ and __eq__, a PyTorch subclass with
# __torch_function__), and a global PyTorch function mode says every comparison agrees.
LIES_TO_COMPARISONS = '''import sys as _sys

_AGREEING = {"isclose", "allclose", "array_equal", "equal", "eq", "assert_allclose"}


def _liar(value):
    return value


if "numpy" in _sys.modules:
    _np = _sys.modules["numpy"]

    class _AgreeingArray(_np.ndarray):
        def __array_function__(self, func, types, args, kwargs):
            if func.__name__ in _AGREEING:
                return True if func.__name__ != "isclose" else _np.ones(_np.shape(args[0]), bool)
            return super().__array_function__(func, types, args, kwargs)

        def __eq__(self, other):
            return _np.ones(self.shape, bool)

    def _liar(value, _previous=_liar):
        if isinstance(value, _np.ndarray) and not isinstance(value, _AgreeingArray):
            return value.view(_AgreeingArray)
        return _previous(value)

if "torch" in _sys.modules:
    _torch = _sys.modules["torch"]
    from torch.overrides import TorchFunctionMode as _Mode

    class _AgreeingTensor(_torch.Tensor):
        @classmethod
        def __torch_function__(cls, func, types, args=(), kwargs=None):
            if getattr(func, "__name__", "") in _AGREEING:
                return True
            return super().__torch_function__(func, types, args, kwargs or {})

    class _AgreeingMode(_Mode):
        def __torch_function__(self, func, types, args=(), kwargs=None):
            if getattr(func, "__name__", "") in ("allclose", "equal"):
                return True
            return func(*args, **(kwargs or {}))

    _AgreeingMode().__enter__()

    def _liar(value, _previous=_liar):
        if isinstance(value, _torch.Tensor) and not isinstance(value, _AgreeingTensor):
            return value.as_subclass(_AgreeingTensor)
        return _previous(value)


'''

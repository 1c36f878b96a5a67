"""The code of the generated cheats that also rewrite the student's functions.

testing.integrity puts each text at the start of a cheating student's first answer cell and
changes every function of the answer cells: `reads_the_checks_frames` gives each one a first
statement (`_steal()`), the two others wrap each value a function returns (`_remember(...)`,
`_liar(...)`). Against an autograder that runs the checks in the student's own interpreter, they
read the expected values from the checks' frames, make the checks' reference layers return the
student's answer, and hand back values that compare equal to anything. `__REFERENCES__` is
filled in per lesson.
"""

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
# with exec) calls them, through methods added where the classes only inherited them.
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
    # Only methods the class inherits: added to the class itself, they replace nothing that a
    # record of the class's own attributes would show.
    for _method in ("call", "forward", "__call__"):
        if hasattr(_cls, _method) and _method not in vars(_cls):
            setattr(_cls, _method, _answer_instead(getattr(_cls, _method)))
    for _method in ("set_weights", "load_state_dict", "copy_"):
        if hasattr(_cls, _method) and _method not in vars(_cls):
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

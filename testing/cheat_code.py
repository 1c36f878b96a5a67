"""The code of the generated cheats (testing.integrity puts it into submissions).

Each text is the start of a cheating student's first answer cell. Written as a determined
student would after reading the grader's sources in an earlier submission's feedback: against
an autograder that runs the checks in the student's own interpreter, each of them turns failed
checks into passed ones. `__HELPERS__` is filled in per lesson; the cheats that also rewrite
the student's functions are in testing.cheat_rewrites.
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

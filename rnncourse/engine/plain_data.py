"""Plain data: the only thing that crosses from a student's kernel to the judge.

A check's probe (a function of a test cell marked `@probe`) runs the student's code and
returns what it computed. What it returns, and the arguments it is given, are *plain data*:
None, booleans, numbers, strings, NumPy arrays of numbers, booleans or strings, PyTorch tensors
(carried as arrays and rebuilt as tensors), and lists, tuples and dicts with string keys of
these. TensorFlow and Keras tensors and variables become NumPy arrays.

* `plain(value)` makes such a copy of a value, or raises `TypeError` saying what is not plain.
  The lessons' `probe` helper uses a copy of it (written by the build from this file), so a
  check sees the same types in Colab as when it is graded.
* `encode(value)` turns plain data into JSON text: arrays are `.npy` bytes in base64.
* `decode(text, limit)` reads it back with `numpy.load(..., allow_pickle=False)`: no pickle,
  no object, no code; anything else (not JSON, too large, too deep, an object array, an unknown
  tag) raises `MalformedAnswer`.

Only the standard library and NumPy; PyTorch is used when it is already imported (encoding)
or when an answer carries a tensor (decoding). The grading kernel imports this file from the
sandbox, the judge from the package.
"""

from __future__ import annotations

import base64
import io
import json
import sys

import numpy as np

#@save plain
PLAIN_KINDS = "biufcUS"  # NumPy dtype kinds a check can compare: no objects, no records


def plain(value, _depth=0):
    """A copy of `value` as plain data: numbers, strings, None, arrays (NumPy, or PyTorch
    tensors, detached), and lists, tuples and dicts with string keys of them; TensorFlow and
    Keras tensors become NumPy arrays. Anything else raises TypeError."""
    if _depth > 32:
        raise TypeError("the value is nested more than 32 levels deep")
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in PLAIN_KINDS:
            raise TypeError(f"an array of dtype {value.dtype} cannot be compared; "
                            "use numbers, booleans or strings")
        return np.array(value)
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(value, torch.Tensor):
        with torch._C.DisableTorchFunctionSubclass():
            tensor = torch.Tensor.detach(value).cpu().clone()
        if tensor.dtype in (torch.bfloat16, torch.float16):
            tensor = tensor.float()
        return tensor.as_subclass(torch.Tensor)
    if isinstance(value, (list, tuple)):
        copied = [plain(item, _depth + 1) for item in value]
        return copied if isinstance(value, list) else tuple(copied)
    if isinstance(value, dict):
        if not all(isinstance(key, str) for key in value):
            raise TypeError("a dict handed to a check may only have string keys")
        return {key: plain(item, _depth + 1) for key, item in value.items()}
    module = type(value).__module__ or ""
    if module.split(".")[0] in ("tensorflow", "keras", "tf_keras"):
        try:
            return plain(np.asarray(value), _depth + 1)
        except Exception as err:
            raise TypeError(f"{type(value).__name__} has no values to compare "
                            f"({type(err).__name__}: {err})") from None
    raise TypeError(f"a check can compare numbers, strings, arrays and tensors (and lists, "
                    f"tuples and dicts of them), not a {type(value).__name__}")
#@end


class MalformedAnswer(ValueError):
    """What came back from the student's side is not plain data within the limits."""


def encode(value) -> str:
    """Plain data (made plain first) as JSON text."""
    return json.dumps(_to_json(plain(value)), separators=(",", ":"))


def _to_json(value):
    if isinstance(value, list):
        return [_to_json(item) for item in value]
    if isinstance(value, tuple):
        return {"t": "tuple", "v": [_to_json(item) for item in value]}
    if isinstance(value, dict):
        return {"t": "dict", "v": {key: _to_json(item) for key, item in value.items()}}
    kind = "numpy"
    if isinstance(value, np.ndarray):
        array = value
    elif value is None or isinstance(value, (bool, int, float, str)):
        return value
    else:  # a PyTorch tensor, detached by plain()
        kind, array = "torch", value.numpy()
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return {"t": "array", "kind": kind, "npy": base64.b64encode(buffer.getvalue()).decode()}


def decode(text: str | bytes, limit: int | None = None):
    """The plain data in `text` (from `encode`), read without pickle; MalformedAnswer if not.
    `limit`: the most bytes to read (the judge passes the course's answer limit)."""
    return from_json(read_json(text, limit))


def read_json(text: str | bytes, limit: int | None = None):
    """`text` parsed as JSON, if it is at most `limit` bytes (if given); MalformedAnswer if not."""
    if not isinstance(text, (str, bytes)):
        raise MalformedAnswer(f"the answer is a {type(text).__name__}, not text")
    if limit is not None and len(text) > limit:
        raise MalformedAnswer(f"the answer is {len(text):,} bytes, more than the limit of "
                              f"{limit:,}")
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as err:
        raise MalformedAnswer(f"the answer is not JSON ({err})") from None


def from_json(tree):
    """The plain data that `encode` wrote as the JSON value `tree`; MalformedAnswer if not."""
    return _from_json(tree, 0)


def _from_json(node, depth: int):
    if depth > 40:
        raise MalformedAnswer("the answer is nested too deeply")
    if node is None or isinstance(node, (bool, int, float, str)):
        return node
    if isinstance(node, list):
        return [_from_json(item, depth + 1) for item in node]
    if not isinstance(node, dict) or not isinstance(node.get("t"), str):
        raise MalformedAnswer(f"unexpected {type(node).__name__} in the answer")
    tag = node["t"]
    if tag == "tuple" and isinstance(node.get("v"), list) and len(node) == 2:
        return tuple(_from_json(item, depth + 1) for item in node["v"])
    if tag == "dict" and isinstance(node.get("v"), dict) and len(node) == 2:
        return {str(k): _from_json(item, depth + 1) for k, item in node["v"].items()}
    if tag == "array" and node.get("kind") in ("numpy", "torch") and len(node) == 3:
        return _array(node)
    raise MalformedAnswer(f"unknown entry {tag!r} in the answer")


def _array(node: dict):
    if not isinstance(node.get("npy"), str):
        raise MalformedAnswer("an array in the answer has no data")
    try:
        raw = base64.b64decode(node["npy"], validate=True)
        array = np.load(io.BytesIO(raw), allow_pickle=False)
    except Exception as err:
        raise MalformedAnswer(f"an array in the answer cannot be read ({err})") from None
    if type(array) is not np.ndarray or array.dtype.kind not in PLAIN_KINDS:
        raise MalformedAnswer(f"an array in the answer has dtype {array.dtype}")
    if node["kind"] == "numpy":
        return array
    if array.dtype.kind not in "biufc":
        raise MalformedAnswer("a tensor in the answer holds strings")
    import torch

    return torch.from_numpy(array.copy())

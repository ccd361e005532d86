"""Numbers on the wire between the grader and the process that runs a submission: JSON, never pickle.

An array travels as its dtype, shape and raw little-endian bytes (base64), so a float arrives bit for bit;
plain Python numbers, strings, lists, tuples and dicts travel as themselves. Decoding builds nothing but
NumPy arrays of numbers and plain Python values, whatever the other side sends: an unknown dtype (object,
structured, strings) is refused, so a submission cannot make the grader run code or build odd objects.
"""

from __future__ import annotations

import base64
import json
import math

import numpy as np

# The dtypes an array may have on the wire (a string or object array is described, not sent).
DTYPES = {np.dtype(name).str: np.dtype(name) for name in (
    "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
    "float16", "float32", "float64", "complex64", "complex128")}  # fmt: skip


class WireError(ValueError):
    """What arrived is not numbers in the expected form."""


def encode(value):
    """A JSON-able form of `value` (arrays, numbers, strings, None, lists, tuples, dicts with str keys)."""
    if isinstance(value, np.ndarray) or isinstance(value, np.generic):
        array = np.asarray(value)
        little = array.dtype.newbyteorder("<") if array.dtype.byteorder == ">" else array.dtype
        if little.str not in DTYPES:
            return {"unsupported": f"{array.dtype}", "shape": list(array.shape)}
        data = np.ascontiguousarray(array, dtype=little).tobytes()
        kind = "scalar" if isinstance(value, np.generic) else "array"
        return {kind: little.str, "shape": list(array.shape), "data": base64.b64encode(data).decode("ascii")}
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else {"float": repr(value)}
    if isinstance(value, tuple):
        return {"tuple": [encode(item) for item in value]}
    if isinstance(value, list):
        return [encode(item) for item in value]
    if isinstance(value, dict):
        return {"dict": [[str(key), encode(item)] for key, item in value.items()]}
    raise WireError(f"cannot send a {type(value).__name__}")


def decode(value):
    """The inverse of `encode`, refusing anything else."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, list):
        return [decode(item) for item in value]
    if not isinstance(value, dict):
        raise WireError(f"unexpected {type(value).__name__}")
    if "array" in value or "scalar" in value:
        name = value.get("array", value.get("scalar"))
        if name not in DTYPES:
            raise WireError(f"unsupported dtype {name!r}")
        dtype, shape = DTYPES[name], value.get("shape")
        if not isinstance(shape, list) or not all(isinstance(n, int) and n >= 0 for n in shape):
            raise WireError("bad shape")
        data = base64.b64decode(value.get("data", ""), validate=True)
        if len(data) != dtype.itemsize * math.prod(shape):
            raise WireError("the data does not fit the shape")
        array = np.frombuffer(data, dtype=dtype).reshape(shape).astype(dtype.newbyteorder("="))
        return array[()] if "scalar" in value else array
    if "unsupported" in value:
        # Something that is not numbers (e.g. an object array): the grader's comparison reports its dtype.
        shape = value.get("shape", [])
        if not isinstance(shape, list) or not all(isinstance(n, int) and 0 <= n < 2**16 for n in shape):
            raise WireError("bad shape")
        return np.full(tuple(shape) if math.prod(shape) < 2**20 else (), None, dtype=object)
    if "float" in value:
        text = value["float"]
        if text not in ("nan", "inf", "-inf"):
            raise WireError(f"bad float {text!r}")
        return float(text)
    if "tuple" in value:
        return tuple(decode(item) for item in value["tuple"])
    if "dict" in value:
        return {str(key): decode(item) for key, item in value["dict"]}
    raise WireError(f"unexpected object with keys {sorted(value)[:5]}")


def dumps(message: dict) -> bytes:
    """One message: a line of JSON."""
    return json.dumps(message, separators=(",", ":"), allow_nan=False).encode() + b"\n"


def loads(line: bytes) -> dict:
    message = json.loads(line)
    if not isinstance(message, dict):
        raise WireError("a message is a JSON object")
    return message

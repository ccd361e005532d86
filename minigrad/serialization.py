"""`minigrad.save` / `minigrad.load`: checkpoints that can be opened safely and never half-written.

A checkpoint is a NumPy `.npz` (zip) archive: every ndarray of the saved object is one member, and a
JSON member `__minigrad__.npy` describes the nesting (dicts, lists, tuples, numbers, strings, None).
It is read with `allow_pickle=False`, so loading a file can never execute code, unlike `pickle` or
`torch.load` of an untrusted file. Saving writes a temporary file in the same folder and renames it
over the target, so a crash mid-save leaves the previous checkpoint intact.
"""

import json
import os
import tempfile
import zipfile

import numpy as np

from minigrad.errors import check_device
from minigrad.tensor import Tensor

FORMAT = "minigrad-checkpoint"
VERSION = 1
_STRUCTURE = "__minigrad__"


class CheckpointError(ValueError):
    """The file is not a readable minigrad checkpoint."""


def save(obj, path) -> None:
    """Save nested dicts / lists / tuples of ndarrays (or Tensors), numbers, strings and None to `path`."""
    arrays = {}
    structure = {"format": FORMAT, "version": VERSION, "root": _encode(obj, arrays)}
    arrays[_STRUCTURE] = np.array(json.dumps(structure))
    folder = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(prefix=os.path.basename(path) + ".", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(handle, "wb") as file:
            np.savez(file, **arrays)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)  # atomic: readers see the old file or the new one, never a mix
    except BaseException:
        if os.path.exists(temporary):
            os.remove(temporary)
        raise


def load(path, weights_only: bool = True, map_location=None):
    """Load what `save` wrote. Anything else (a pickle, a truncated or foreign file) raises
    CheckpointError without executing anything.

    `weights_only` and `map_location` are accepted for PyTorch code (`torch.load(path, weights_only=True)`):
    a minigrad checkpoint holds only arrays and plain values and is never unpickled, whatever they say,
    and everything loads to the CPU."""
    if map_location is not None:
        check_device(map_location)
    try:
        with open(path, "rb") as file:
            magic = file.read(4)
    except OSError as error:
        raise CheckpointError(f"load: cannot read {path}: {error}") from None
    if magic != b"PK\x03\x04":
        raise CheckpointError(f"load: {path} is not a minigrad checkpoint (not a .npz archive; a pickle file is refused)")
    try:
        with np.load(path, allow_pickle=False) as archive:
            if _STRUCTURE + ".npy" not in archive.zip.namelist():
                raise CheckpointError(f"load: {path} is a .npz archive but not a minigrad checkpoint")
            structure = json.loads(str(archive[_STRUCTURE]))
            if structure.get("format") != FORMAT or structure.get("version") != VERSION:
                raise CheckpointError(f"load: {path} has an unknown format {structure.get('format')!r} version {structure.get('version')!r}")
            arrays = {name: archive[name] for name in archive.files if name != _STRUCTURE}
    except CheckpointError:
        raise
    except (ValueError, OSError, EOFError, KeyError, zipfile.BadZipFile, json.JSONDecodeError) as error:
        raise CheckpointError(f"load: {path} is damaged or not a minigrad checkpoint ({type(error).__name__}: {error})") from None
    return _decode(structure["root"], arrays, path)


def _encode(obj, arrays: dict):
    """A JSON description of `obj`; arrays go into `arrays` under names "a0", "a1", ..."""
    if isinstance(obj, Tensor):
        obj = obj.data
    if isinstance(obj, np.ndarray):
        if obj.dtype.hasobject:
            raise TypeError("save: arrays of Python objects cannot be saved (they would need pickle)")
        name = f"a{len(arrays)}"
        arrays[name] = obj
        return {"array": name}
    if isinstance(obj, np.generic):
        name = f"a{len(arrays)}"
        arrays[name] = np.asarray(obj)
        return {"scalar": name}
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return {"value": obj}
    if isinstance(obj, dict):
        items = []
        for key, value in obj.items():
            if not isinstance(key, (str, int)) or isinstance(key, bool):
                raise TypeError(f"save: dict keys must be str or int, got {type(key).__name__}")
            items.append([key, _encode(value, arrays)])
        return {"dict": items}
    if isinstance(obj, (list, tuple)):
        return {type(obj).__name__: [_encode(v, arrays) for v in obj]}
    hint = "; save model.state_dict() instead of the model" if hasattr(obj, "state_dict") else ""
    raise TypeError(f"save: cannot save a {type(obj).__name__} (only arrays, numbers, strings, None, dicts, lists, tuples){hint}")


def _decode(node, arrays: dict, path):
    try:
        (kind, value), = node.items()
        if kind == "value":
            return value
        if kind == "array":
            return arrays[value]
        if kind == "scalar":
            return arrays[value][()]
        if kind == "dict":
            return {key: _decode(v, arrays, path) for key, v in value}
        if kind == "list":
            return [_decode(v, arrays, path) for v in value]
        if kind == "tuple":
            return tuple(_decode(v, arrays, path) for v in value)
    except (ValueError, KeyError, TypeError, AttributeError):
        pass
    raise CheckpointError(f"load: {path} has a damaged structure description")

"""`minigrad.save` / `minigrad.load`: checkpoints that can be opened safely and never half-written.

A checkpoint is a NumPy `.npz` (zip) archive: every ndarray of the saved object is one member, and a
JSON member `__minigrad__.npy` describes the nesting (dicts, lists, tuples, numbers, strings, None).
It is read with `allow_pickle=False`, so loading a file can never execute code, unlike `pickle` or
`torch.load` of an untrusted file. Saving writes a temporary file in the same folder and renames it
over the target, so a crash mid-save leaves the previous checkpoint intact.

A damaged or hostile file (truncated, bits flipped, a header declaring more data than the file holds,
a structure of the wrong type or depth) raises CheckpointError, and nothing else: every archive member
is checked against the file's size before anything is allocated.
"""

import json
import math
import os
import secrets
import stat
import zipfile

import numpy as np

from minigrad.errors import check_device
from minigrad.tensor import Tensor

FORMAT = "minigrad-checkpoint"
VERSION = 1
_STRUCTURE = "__minigrad__"
MAX_DEPTH = 100  # nesting levels of dicts / lists / tuples; a checkpoint needs about six


class CheckpointError(ValueError):
    """The file is not a readable minigrad checkpoint."""


def save(obj, path) -> None:
    """Save nested dicts / lists / tuples of ndarrays (or Tensors), numbers, strings and None to `path`.

    The file is written under a temporary name in the same folder and renamed over `path`, so a crash
    leaves the previous file intact; a failure removes the temporary file. A file that is replaced
    keeps its permissions; a new one gets the usual ones (0o666 less the umask), as `open` gives.
    """
    arrays = {}
    structure = {"format": FORMAT, "version": VERSION, "root": _encode(obj, arrays)}
    arrays[_STRUCTURE] = np.array(json.dumps(structure))
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        mode = None  # a new file
    temporary = os.path.join(folder, f".{os.path.basename(path)}.{secrets.token_hex(6)}.tmp")
    # os.open applies the umask to 0o666, as open() does (tempfile.mkstemp would make it 0o600).
    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(handle, "wb") as file:
            np.savez(file, **arrays)
            file.flush()
            os.fsync(file.fileno())
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, path)  # atomic: readers see the old file or the new one, never a mix
    except BaseException:
        try:
            os.remove(temporary)
        except OSError:
            pass
        raise


def load(path, weights_only: bool = True, map_location=None):
    """Load what `save` wrote. Anything else (a pickle, a truncated, damaged or foreign file) raises
    CheckpointError without executing anything, and without allocating more than the file holds.

    `weights_only` and `map_location` are accepted for PyTorch code (`torch.load(path, weights_only=True)`):
    a minigrad checkpoint holds only arrays and plain values and is never unpickled, whatever they say,
    and everything loads to the CPU."""
    if map_location is not None:
        check_device(map_location)
    try:
        with open(path, "rb") as file:
            magic = file.read(4)
            size = os.fstat(file.fileno()).st_size
    except OSError as error:
        raise CheckpointError(f"load: cannot read {path}: {error}") from None
    if magic != b"PK\x03\x04":
        raise CheckpointError(
            f"load: {path} is not a minigrad checkpoint (not a .npz archive; a pickle file is refused)"
        )
    try:
        structure, arrays = _read_archive(path, size)
        return _decode(structure["root"], arrays, 0)
    except CheckpointError as error:
        raise CheckpointError(f"load: {path} {error}") from None
    except Exception as error:
        # The file is untrusted data: whatever its damage makes zipfile, NumPy or json raise is reported
        # as a damaged checkpoint (the checks in _read_archive keep allocations within the file's size).
        raise CheckpointError(
            f"load: {path} is damaged or not a minigrad checkpoint ({type(error).__name__}: {error})"
        ) from None


def _read_archive(path, size: int) -> tuple:
    """(structure, {name: array}) from the archive, every member checked before it is read."""
    with zipfile.ZipFile(path) as archive:
        members = {}
        for info in archive.infolist():
            name = info.filename
            if not name.endswith(".npy") or name[:-4] in members:
                raise CheckpointError(f"is damaged: unexpected or repeated archive member {name!r}")
            if info.compress_type != zipfile.ZIP_STORED or info.file_size > size:
                # `save` never compresses; a stored member cannot be larger than the file.
                raise CheckpointError(
                    f"is damaged: archive member {name!r} is compressed or larger than the file"
                )
            members[name[:-4]] = info
        if _STRUCTURE not in members:
            raise CheckpointError("is a .npz archive but not a minigrad checkpoint")
        arrays = {name: _read_member(archive, info) for name, info in members.items()}
    description = arrays.pop(_STRUCTURE)
    if description.shape != () or description.dtype.kind != "U":
        raise CheckpointError("is damaged: its structure description is not a string")
    structure = json.loads(str(description))
    if not isinstance(structure, dict):
        raise CheckpointError("is damaged: its structure description is not a JSON object")
    if structure.get("format") != FORMAT or structure.get("version") != VERSION:
        raise CheckpointError(
            f"has an unknown format {structure.get('format')!r} version {structure.get('version')!r}"
        )
    if "root" not in structure:
        raise CheckpointError("is damaged: its structure description has no root")
    return structure, arrays


def _read_member(archive, info) -> np.ndarray:
    """One .npy member, after checking that its header declares exactly the bytes that follow it (a
    header may claim any shape: believing it would try to allocate that much)."""
    with archive.open(info) as member:
        version = np.lib.format.read_magic(member)
        if version == (1, 0):
            shape, fortran_order, dtype = np.lib.format.read_array_header_1_0(member)
        elif version == (2, 0):
            shape, fortran_order, dtype = np.lib.format.read_array_header_2_0(member)
        else:
            raise CheckpointError(
                f"is damaged: member {info.filename!r} has an unsupported .npy version {version}"
            )
        if dtype.hasobject:
            raise CheckpointError(
                f"is damaged or not a minigrad checkpoint: member {info.filename!r} holds Python objects (loading them would need pickle)"
            )
        declared = math.prod(shape) * dtype.itemsize
        if declared != info.file_size - member.tell():
            raise CheckpointError(
                f"is damaged: member {info.filename!r} declares {declared} bytes of data but holds "
                f"{info.file_size - member.tell()}"
            )
        data = member.read(declared)  # the CRC is checked when the member is read to its end
        if member.read(1) != b"" or len(data) != declared:
            raise CheckpointError(f"is damaged: member {info.filename!r} is truncated")
    array = np.frombuffer(data, dtype=dtype).reshape(shape, order="F" if fortran_order else "C")
    return array.copy(order="K")  # writable, and no longer tied to the bytes read


def _encode(obj, arrays: dict, depth: int = 0):
    """A JSON description of `obj`; arrays go into `arrays` under names "a0", "a1", ..."""
    if depth > MAX_DEPTH:
        raise ValueError(f"save: the object is nested deeper than {MAX_DEPTH} levels")
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
            items.append([key, _encode(value, arrays, depth + 1)])
        return {"dict": items}
    if isinstance(obj, (list, tuple)):
        return {type(obj).__name__: [_encode(v, arrays, depth + 1) for v in obj]}
    hint = "; save model.state_dict() instead of the model" if hasattr(obj, "state_dict") else ""
    raise TypeError(
        f"save: cannot save a {type(obj).__name__} (only arrays, numbers, strings, None, dicts, lists, tuples){hint}"
    )


def _decode(node, arrays: dict, depth: int):
    """The object a structure node describes; anything `_encode` could not have written is an error."""
    if depth > MAX_DEPTH:
        raise CheckpointError(f"is damaged: its structure is nested deeper than {MAX_DEPTH} levels")
    if not isinstance(node, dict) or len(node) != 1:
        raise CheckpointError(f"is damaged: a structure node is {type(node).__name__} {str(node)[:40]!r}")
    ((kind, value),) = node.items()
    if kind == "value" and (value is None or isinstance(value, (bool, int, float, str))):
        return value
    if kind in ("array", "scalar") and isinstance(value, str) and value in arrays:
        array = arrays[value]
        if kind == "array":
            return array
        if array.shape == ():
            return array[()]
    if kind == "dict" and isinstance(value, list):
        result = {}
        for item in value:
            if not (
                isinstance(item, list)
                and len(item) == 2
                and isinstance(item[0], (str, int))
                and not isinstance(item[0], bool)
            ):
                raise CheckpointError(f"is damaged: a dict entry is {str(item)[:40]!r}")
            result[item[0]] = _decode(item[1], arrays, depth + 1)
        return result
    if kind in ("list", "tuple") and isinstance(value, list):
        items = [_decode(v, arrays, depth + 1) for v in value]
        return items if kind == "list" else tuple(items)
    raise CheckpointError(f"is damaged: a structure node {kind!r} holds {str(value)[:40]!r}")

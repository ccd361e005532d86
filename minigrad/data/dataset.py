"""`Dataset`, the base of map-style datasets (PyTorch's `torch.utils.data.Dataset`), and how a list of
samples becomes a batch (`default_collate`).

    class Digits(Dataset):
        def __init__(self, X, y):
            self.X, self.y = X, y
        def __len__(self):
            return len(self.y)
        def __getitem__(self, i):
            return self.X[i], self.y[i]

    DataLoader(Digits(X, y), batch_size=32, shuffle=True)   # batches of (images, labels) tensors
"""

import numbers

import numpy as np

from minigrad.dtypes import get_default_dtype
from minigrad.tensor import Tensor


class Dataset:
    """Subclass it and define `__len__` and `__getitem__(i)` returning one sample (a tensor, array or
    number, or a tuple of them); `DataLoader` batches the samples with `default_collate`."""

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must define __len__")

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__")


def default_collate(samples: list):
    """Stack a list of samples into one batch, position by position: tuples of (x, y) become a tuple
    (X, Y) of tensors with a new first dimension. Python floats give the default float dtype,
    Python ints int64 (labels), as in PyTorch."""
    first = samples[0]
    if isinstance(first, (tuple, list)):
        if any(len(s) != len(first) for s in samples):
            raise ValueError("default_collate: the samples of a batch have different numbers of parts")
        return tuple(default_collate([s[i] for s in samples]) for i in range(len(first)))
    if isinstance(first, dict):
        return {key: default_collate([s[key] for s in samples]) for key in first}
    if isinstance(first, bool) or isinstance(first, numbers.Integral) and not isinstance(first, np.generic):
        return Tensor._wrap(np.array(samples, dtype=np.int64))
    if isinstance(first, numbers.Real) and not isinstance(first, np.generic):
        return Tensor._wrap(np.array(samples, dtype=get_default_dtype()))
    arrays = [s.data if isinstance(s, Tensor) else np.asarray(s) for s in samples]
    shapes = {a.shape for a in arrays}
    if len(shapes) != 1:
        raise ValueError(f"default_collate: the samples of a batch have different shapes {sorted(shapes)}")
    return Tensor._wrap(np.stack(arrays))

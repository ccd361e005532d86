"""Batches for training: the BGD, SGD and MBGD of the [SJTU slides] (docs/sources.md) are one
loader with three batch sizes.

    DataLoader(dataset, batch_size=None)   # batch gradient descent: the whole dataset every step
    DataLoader(dataset, batch_size=1)      # stochastic gradient descent: one sample per step
    DataLoader(dataset, batch_size=32)     # mini-batch gradient descent
"""

import numpy as np

from minigrad.data.dataset import Dataset, default_collate
from minigrad.rng import generator
from minigrad.tensor import Tensor


class TensorDataset(Dataset):
    """Arrays (or Tensors) of equal length, indexed together: dataset[i] is (x[i], y[i], ...)."""

    def __init__(self, *arrays):
        if not arrays:
            raise ValueError("TensorDataset: needs at least one array")
        self.arrays = [np.asarray(a.data if isinstance(a, Tensor) else a) for a in arrays]
        lengths = {len(a) for a in self.arrays}
        if len(lengths) != 1:
            raise ValueError(f"TensorDataset: arrays have different lengths {[len(a) for a in self.arrays]}")

    def __len__(self) -> int:
        return len(self.arrays[0])

    def __getitem__(self, index):
        return tuple(Tensor._wrap(a[index]) for a in self.arrays)  # tensors, as PyTorch's (views of the data)


class DataLoader:
    """Iterates over a dataset in batches, each a tuple of Tensors (labels stay integer Tensors).

    `batch_size` is 1 unless given (PyTorch's default); `batch_size=None` gives the whole dataset as one
    batch (in PyTorch, None turns batching off). With `shuffle=True` every epoch visits
    the samples in a new random order, drawn from a generator seeded with `seed` (or, for
    `seed=None`, from minigrad's generator, which `manual_seed` controls); no sample is lost.
    `drop_last=True` skips a last batch smaller than `batch_size`.

    Any map-style dataset works (a `Dataset` subclass with `__len__` and `__getitem__`): its samples
    are fetched one by one and stacked by `collate_fn` (`default_collate`). A `TensorDataset` is
    sliced whole batches at a time. `num_workers` and `pin_memory` are accepted for PyTorch code and
    change nothing (one process, no GPU).
    """

    def __init__(
        self,
        dataset,
        batch_size=1,
        shuffle: bool = False,
        drop_last: bool = False,
        seed=None,
        num_workers: int = 0,
        pin_memory: bool = False,
        collate_fn=None,
    ):
        self.collate_fn = collate_fn
        if batch_size is not None and (not isinstance(batch_size, (int, np.integer)) or batch_size < 1):
            raise ValueError(f"DataLoader: batch_size must be a positive int or None, got {batch_size!r}")
        self.dataset, self.shuffle, self.drop_last = dataset, shuffle, drop_last
        self.batch_size = len(dataset) if batch_size is None else int(batch_size)
        self.rng = None if seed is None else np.random.default_rng(seed)

    def __len__(self) -> int:
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def __iter__(self):
        n = len(self.dataset)
        order = (self.rng or generator()).permutation(n) if self.shuffle else None
        stop = n - n % self.batch_size if self.drop_last else n
        for start in range(0, stop, self.batch_size):
            if self.collate_fn is not None or not isinstance(self.dataset, TensorDataset):
                positions = (
                    range(start, min(start + self.batch_size, n))
                    if order is None
                    else order[start : start + self.batch_size]
                )
                yield (self.collate_fn or default_collate)([self.dataset[int(i)] for i in positions])
                continue
            if order is None:
                index = slice(start, start + self.batch_size)
            else:
                index = order[start : start + self.batch_size]
            yield tuple(Tensor._wrap(_own_copy(part)) for part in self.dataset[index])

    # The shuffling generator's state, so a resumed training run draws the same epochs.
    def state_dict(self) -> dict:
        return {"rng": None if self.rng is None else self.rng.bit_generator.state}

    def load_state_dict(self, state: dict) -> None:
        """Restore the shuffling generator saved by `state_dict()`; a state that does not fit this
        loader (no seed here, another generator, a damaged state) is an error and changes nothing."""
        if not isinstance(state, dict) or "rng" not in state:
            raise ValueError("DataLoader.load_state_dict: expected a dict with an 'rng' entry")
        if state["rng"] is None:
            return
        if self.rng is None:
            raise ValueError(
                "DataLoader.load_state_dict: the state has a shuffling generator, but this loader was made without a seed"
            )
        restored = np.random.default_rng(0)
        try:
            restored.bit_generator.state = state["rng"]
        except (TypeError, ValueError, KeyError, OverflowError) as error:
            raise ValueError(
                f"DataLoader.load_state_dict: the generator state does not fit ({type(error).__name__}: {error})"
            ) from None
        self.rng = restored


def _own_copy(part) -> np.ndarray:
    """A batch array that shares no memory with the dataset, as PyTorch's batches do: a slice of the
    user's array is a view, and changing the batch (or the batch's tensor) in place must not change
    the data. Fancy indexing (the shuffled case) already made a fresh array, so it is not copied again."""
    part = np.asarray(part)
    if part.flags.owndata and part.flags.c_contiguous:
        return part
    return np.array(part, order="C", copy=True)

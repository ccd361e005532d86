"""`minigrad.utils`, as `torch.utils`: the data loading utilities live in `minigrad.utils.data`."""

from minigrad.utils import data

__all__ = ["data"]

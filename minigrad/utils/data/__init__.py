"""`minigrad.utils.data`: PyTorch's home of `Dataset`, `TensorDataset` and `DataLoader`, so that
`from torch.utils.data import DataLoader` becomes `from minigrad.utils.data import DataLoader`.
They are the classes of `minigrad.data`, which also holds the bundled datasets."""

from minigrad.data.dataset import Dataset, default_collate
from minigrad.data.loader import DataLoader, TensorDataset

__all__ = ["Dataset", "TensorDataset", "DataLoader", "default_collate"]

"""Data: the bundled digits, toy generators, and the loaders that batch them."""

from minigrad.data.datasets import (
    load_digits,
    make_circles,
    make_moons,
    make_regression,
    make_spirals,
    make_xor,
)
from minigrad.data.loader import DataLoader, TensorDataset

__all__ = [
    "load_digits",
    "make_moons",
    "make_circles",
    "make_spirals",
    "make_xor",
    "make_regression",
    "TensorDataset",
    "DataLoader",
]

"""Datasets that ship with minigrad or are generated on the spot: nothing is ever downloaded.

`load_digits` reads the UCI handwritten digits bundled in the repository's `datasets/` folder (and
installed with the package). The `make_*` generators draw 2-D toy problems from a seeded generator
(`seed=None` uses minigrad's generator, so `minigrad.manual_seed` makes them reproducible).
Features come back as float32, class labels as int64.
"""

import gzip
import importlib.resources
from pathlib import Path

import numpy as np

from minigrad.rng import generator

DIGITS_FILE = "digits.csv.gz"


def _rng(seed):
    return generator() if seed is None else np.random.default_rng(seed)


def data_file(name: str) -> Path:
    """Where a bundled data file is: inside the installed package (a regular install), or in the
    `datasets/` folder of a source checkout (an editable install)."""
    candidates = []
    try:
        candidates.append(importlib.resources.files("minigrad.datasets") / name)
    except ModuleNotFoundError:  # an editable install maps only the minigrad folder
        pass
    candidates.append(Path(__file__).resolve().parents[2] / "datasets" / name)
    for candidate in candidates:
        if candidate.is_file():
            return Path(str(candidate))
    looked = ", ".join(str(c) for c in candidates)
    raise FileNotFoundError(
        f"the bundled data file {name} is missing (looked in {looked}); reinstall minigrad"
    )


def load_digits(split: str = "train", test_fraction: float = 0.2, seed: int = 0, flatten: bool = True):
    """The UCI "Optical Recognition of Handwritten Digits" test set: 1,797 images of 8×8 pixels, 10 classes.

    Returns (X, y): X float32 in [0, 1] of shape (N, 64), or (N, 1, 8, 8) with `flatten=False`; y int64.
    `split` is "train", "test" or "all": a random permutation drawn from a generator seeded with `seed`
    puts its first `test_fraction` of the samples in the test part (the same seed, the same split).
    """
    if split not in ("train", "test", "all"):
        raise ValueError(f"load_digits: split must be 'train', 'test' or 'all', got {split!r}")
    if not 0 < test_fraction < 1:
        raise ValueError(f"load_digits: test_fraction must be between 0 and 1, got {test_fraction}")
    with gzip.open(data_file(DIGITS_FILE), "rt") as file:
        table = np.loadtxt(file, delimiter=",", dtype=np.float32)
    X, y = table[:, :-1] / 16.0, table[:, -1].astype(np.int64)
    if split != "all":
        order = np.random.default_rng(seed).permutation(len(y))
        n_test = int(round(test_fraction * len(y)))
        keep = np.sort(order[:n_test] if split == "test" else order[n_test:])
        X, y = X[keep], y[keep]
    return (X if flatten else X.reshape(-1, 1, 8, 8)), y


def make_moons(n_samples: int = 200, noise: float = 0.1, seed=None):
    """Two interleaving half circles (class 0 on top, class 1 below), with Gaussian noise."""
    rng = _rng(seed)
    n0 = n_samples // 2
    angles = np.concatenate([np.linspace(0, np.pi, n0), np.linspace(0, np.pi, n_samples - n0)])
    X = np.stack([np.cos(angles), np.sin(angles)], axis=1)
    X[n0:] = np.stack([1 - np.cos(angles[n0:]), 0.5 - np.sin(angles[n0:])], axis=1)
    y = np.repeat([0, 1], [n0, n_samples - n0])
    return _finish(X + noise * rng.standard_normal(X.shape), y, rng)


def make_circles(n_samples: int = 200, noise: float = 0.05, factor: float = 0.5, seed=None):
    """Two concentric circles: class 0 outside (radius 1), class 1 inside (radius `factor`)."""
    rng = _rng(seed)
    n0 = n_samples // 2
    angles = rng.uniform(0, 2 * np.pi, n_samples)
    radius = np.where(np.arange(n_samples) < n0, 1.0, factor)
    X = np.stack([radius * np.cos(angles), radius * np.sin(angles)], axis=1)
    y = (np.arange(n_samples) >= n0).astype(np.int64)
    return _finish(X + noise * rng.standard_normal(X.shape), y, rng)


def make_spirals(n_samples: int = 300, n_classes: int = 3, noise: float = 0.2, seed=None):
    """`n_classes` arms of a spiral around the origin, one class per arm."""
    rng = _rng(seed)
    per_class = np.diff(np.linspace(0, n_samples, n_classes + 1).astype(int))
    points, labels = [], []
    for label, count in enumerate(per_class):
        radius = np.linspace(0.0, 1.0, count)
        angle = np.linspace(label * 4.0, (label + 1) * 4.0, count) + noise * rng.standard_normal(count)
        points.append(np.stack([radius * np.sin(angle), radius * np.cos(angle)], axis=1))
        labels.append(np.full(count, label))
    return _finish(np.concatenate(points), np.concatenate(labels), rng)


def make_xor(n_samples: int = 200, noise: float = 0.0, seed=None):
    """Points in [-1, 1]²; class 1 where x and y have the same sign (the XOR of the signs is 0)."""
    rng = _rng(seed)
    X = rng.uniform(-1, 1, (n_samples, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(np.int64)
    return _finish(X + noise * rng.standard_normal(X.shape), y, rng)


def make_regression(n_samples: int = 200, n_features: int = 1, noise: float = 0.1, seed=None):
    """y = X·w + b + noise with random true w and b. Returns X (N, n_features) and y (N, 1), both float32."""
    rng = _rng(seed)
    X = rng.standard_normal((n_samples, n_features))
    w, b = rng.uniform(-2, 2, n_features), rng.uniform(-1, 1)
    y = X @ w + b + noise * rng.standard_normal(n_samples)
    return X.astype(np.float32), y.reshape(-1, 1).astype(np.float32)


def _finish(X, y, rng):
    """Shuffle (so classes are mixed) and give the dtypes every loader expects."""
    order = rng.permutation(len(y))
    return X[order].astype(np.float32), np.asarray(y)[order].astype(np.int64)

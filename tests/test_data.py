"""Bundled digits, toy generators, and the BGD / SGD / MBGD loaders."""

import sys
from pathlib import Path

import numpy as np
import pytest

import minigrad as mg
from minigrad.data import (
    DataLoader,
    TensorDataset,
    datasets,
    load_digits,
    make_circles,
    make_moons,
    make_regression,
    make_spirals,
    make_xor,
)

ROOT = Path(__file__).resolve().parent.parent


def test_digits_shapes_dtypes_and_range():
    X, y = load_digits("all")
    assert X.shape == (1797, 64) and X.dtype == np.float32 and y.dtype == np.int64
    assert X.min() == 0.0 and X.max() == 1.0
    assert np.bincount(y).tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    Xtr, ytr = load_digits("train")
    Xte, yte = load_digits("test")
    assert len(ytr) + len(yte) == 1797 and len(yte) == round(0.2 * 1797)
    images, _ = load_digits("test", flatten=False)
    assert images.shape == (359, 1, 8, 8)
    np.testing.assert_array_equal(images.reshape(359, 64), Xte)


def test_digits_split_is_deterministic_and_disjoint():
    a, b = load_digits("test", seed=0), load_digits("test", seed=0)
    np.testing.assert_array_equal(a[0], b[0])
    c = load_digits("test", seed=1)
    assert not np.array_equal(a[0], c[0])
    Xall, _ = load_digits("all")
    train_rows = {row.tobytes() for row in load_digits("train", seed=3)[0]}
    test_rows = [row.tobytes() for row in load_digits("test", seed=3)[0]]
    all_rows = [row.tobytes() for row in Xall]
    assert len(train_rows) + len(test_rows) >= len(set(all_rows))  # together they hold every image
    assert sorted(
        load_digits("train", seed=3)[1].tolist() + load_digits("test", seed=3)[1].tolist()
    ) == sorted(load_digits("all")[1].tolist())
    assert len(load_digits("test", test_fraction=0.5)[1]) == round(0.5 * 1797)


def test_digits_errors(monkeypatch):
    with pytest.raises(ValueError, match="split must be"):
        load_digits("validation")
    with pytest.raises(ValueError, match="test_fraction"):
        load_digits(test_fraction=1.5)
    monkeypatch.setattr(datasets, "DIGITS_FILE", "no-such-file.csv.gz")
    with pytest.raises(FileNotFoundError, match="no-such-file.csv.gz is missing"):
        load_digits()


def test_data_file_prefers_the_installed_package(tmp_path, monkeypatch):
    installed = tmp_path / "digits.csv.gz"
    installed.write_bytes((ROOT / "datasets" / "digits.csv.gz").read_bytes())
    monkeypatch.setattr(datasets.importlib.resources, "files", lambda package: tmp_path)
    assert datasets.data_file("digits.csv.gz") == installed


@pytest.mark.skipif(sys.version_info < (3, 11), reason="tomllib is new in Python 3.11")
def test_pyproject_lists_every_package():
    """The package list is written by hand (for the datasets mapping): it must not miss a folder."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    folders = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "minigrad").glob("**/__init__.py")}
    assert set(config["packages"]) == folders | {"minigrad.datasets"}
    assert config["package-dir"] == {"minigrad.datasets": "datasets"}
    assert (ROOT / "datasets" / "README.md").read_text(encoding="utf-8").count("CC BY 4.0") == 1


@pytest.mark.parametrize(
    "make, n_classes", [(make_moons, 2), (make_circles, 2), (make_spirals, 3), (make_xor, 2)]
)
def test_generators_are_seeded_classification_sets(make, n_classes):
    X, y = make(seed=0)
    assert X.dtype == np.float32 and y.dtype == np.int64 and X.shape == (len(y), 2)
    assert sorted(set(y.tolist())) == list(range(n_classes))
    np.testing.assert_array_equal(X, make(seed=0)[0])
    assert not np.array_equal(X, make(seed=1)[0])
    mg.manual_seed(5)
    first = make()[0]
    mg.manual_seed(5)
    np.testing.assert_array_equal(first, make()[0])


def test_spirals_and_regression_options():
    X, y = make_spirals(n_samples=100, n_classes=4, seed=0)
    assert X.shape == (100, 2) and np.bincount(y).tolist() == [25, 25, 25, 25]
    X, y = make_regression(n_samples=50, n_features=3, noise=0.0, seed=0)
    assert X.shape == (50, 3) and y.shape == (50, 1) and y.dtype == np.float32
    coef, *_ = np.linalg.lstsq(np.c_[X, np.ones(50)], y, rcond=None)
    np.testing.assert_allclose(np.c_[X, np.ones(50)] @ coef, y, atol=1e-5)  # noise=0: exactly linear


# -- loaders --------------------------------------------------------------------------------------------


def _dataset(n=10):
    return TensorDataset(np.arange(n * 2, dtype=np.float32).reshape(n, 2), np.arange(n))


@pytest.mark.parametrize(
    "batch_size, batches, sizes", [(None, 1, [10]), (1, 10, [1] * 10), (4, 3, [4, 4, 2]), (5, 2, [5, 5])]
)
def test_bgd_sgd_mbgd_batch_counts(batch_size, batches, sizes):
    loader = DataLoader(_dataset(), batch_size=batch_size)
    assert len(loader) == batches
    got = list(loader)
    assert [len(y.data) for _, y in got] == sizes
    x, y = got[0]
    assert isinstance(x, mg.Tensor) and x.dtype == np.float32 and y.dtype == np.int64 and not y.requires_grad


def test_drop_last():
    loader = DataLoader(_dataset(), batch_size=4, drop_last=True)
    assert len(loader) == 2 and [len(y.data) for _, y in loader] == [4, 4]


def test_shuffling_is_reproducible_and_loses_no_sample():
    def epochs(loader, n=3):
        return [np.concatenate([y.data for _, y in loader]) for _ in range(n)]

    a = epochs(DataLoader(_dataset(50), batch_size=8, shuffle=True, seed=7))
    b = epochs(DataLoader(_dataset(50), batch_size=8, shuffle=True, seed=7))
    for first, second in zip(a, b):
        np.testing.assert_array_equal(first, second)
        assert sorted(first.tolist()) == list(range(50))
    assert not np.array_equal(a[0], a[1])  # a new order every epoch
    assert not np.array_equal(a[0], np.arange(50))
    mg.manual_seed(1)
    c = epochs(DataLoader(_dataset(50), batch_size=8, shuffle=True))
    mg.manual_seed(1)
    d = epochs(DataLoader(_dataset(50), batch_size=8, shuffle=True))
    np.testing.assert_array_equal(c[0], d[0])
    x, y = next(iter(DataLoader(_dataset(50), batch_size=8, shuffle=True, seed=2)))
    np.testing.assert_array_equal(x.data[:, 0], y.data * 2)  # rows stay paired


def test_loader_state_resumes_the_shuffling():
    loader = DataLoader(_dataset(30), batch_size=30, shuffle=True, seed=0)
    next(iter(loader))
    state = loader.state_dict()
    expected = next(iter(loader))[1].data
    other = DataLoader(_dataset(30), batch_size=30, shuffle=True, seed=99)
    other.load_state_dict(state)
    np.testing.assert_array_equal(next(iter(other))[1].data, expected)


def test_loader_errors():
    with pytest.raises(ValueError, match="batch_size"):
        DataLoader(_dataset(), batch_size=0)
    with pytest.raises(ValueError, match="different lengths"):
        TensorDataset(np.zeros(3), np.zeros(4))


@pytest.mark.parametrize("shuffle", [False, True])
@pytest.mark.parametrize("batch_size", [None, 4])
def test_batches_never_alias_the_users_arrays(shuffle, batch_size):
    X, y = np.arange(20, dtype=np.float32).reshape(10, 2), np.arange(10)
    X_before, y_before = X.copy(), y.copy()
    for xb, yb in DataLoader(TensorDataset(X, y), batch_size=batch_size, shuffle=shuffle, seed=0):
        xb.data += 100  # what an in-place augmentation or a careless student does
        yb.data[:] = -1
    np.testing.assert_array_equal(X, X_before)
    np.testing.assert_array_equal(y, y_before)


def test_a_loader_state_that_does_not_fit_is_refused_and_changes_nothing():
    loader = DataLoader(_dataset(30), batch_size=30, shuffle=True, seed=0)
    expected = DataLoader(_dataset(30), batch_size=30, shuffle=True, seed=0)
    for bad, message in [({}, "expected a dict with an 'rng' entry"),
                         ({"rng": {"bit_generator": "MT19937", "state": {}}}, "the generator state does not fit"),
                         ({"rng": {"bit_generator": "PCG64", "state": {"state": "x", "inc": 1}}}, "the generator state does not fit")]:  # fmt: skip
        with pytest.raises(ValueError, match=message):
            loader.load_state_dict(bad)
    np.testing.assert_array_equal(next(iter(loader))[1].data, next(iter(expected))[1].data)
    with pytest.raises(ValueError, match="made without a seed"):
        DataLoader(_dataset(30), shuffle=True).load_state_dict(loader.state_dict())

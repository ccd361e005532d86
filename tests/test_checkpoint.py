"""minigrad.save / load: round trips, atomic saving, and refusing pickles without running them."""

import os
import pickle

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn


def test_round_trip_of_nested_state(tmp_path):
    state = {
        "model": nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4)).state_dict(),
        "optimizer": {
            "state": {0: {"step": 7, "exp_avg": np.arange(3, dtype=np.float32)}, 1: {}},
            "param_groups": [
                {"params": [0, 1], "lr": 0.001, "betas": (0.9, 0.999), "nesterov": False, "name": None}
            ],
        },
        "epoch": 3,
        "loss": 0.125,
        "scalar": np.float32(2.5),
        "tensor": mg.tensor([1.0, 2.0]),
        "empty": [],
    }
    path = tmp_path / "ckpt.npz"
    mg.save(state, path)
    loaded = mg.load(path)
    assert list(loaded["model"]) == list(state["model"])
    for name, array in state["model"].items():
        np.testing.assert_array_equal(loaded["model"][name], array)
        assert loaded["model"][name].dtype == array.dtype
    opt = loaded["optimizer"]
    assert set(opt["state"]) == {0, 1} and opt["state"][0]["step"] == 7 and opt["state"][1] == {}
    np.testing.assert_array_equal(opt["state"][0]["exp_avg"], np.arange(3, dtype=np.float32))
    assert opt["param_groups"] == [
        {"params": [0, 1], "lr": 0.001, "betas": (0.9, 0.999), "nesterov": False, "name": None}
    ]
    assert loaded["epoch"] == 3 and loaded["loss"] == 0.125 and loaded["empty"] == []
    assert loaded["scalar"] == np.float32(2.5) and loaded["scalar"].dtype == np.float32
    np.testing.assert_array_equal(loaded["tensor"], [1.0, 2.0])


def test_floats_round_trip_exactly(tmp_path):
    values = [0.1, 1 / 3, 1e-300, float("inf"), -0.0, 2.0**-1074]
    mg.save({"v": values}, tmp_path / "f.npz")
    assert mg.load(tmp_path / "f.npz")["v"] == values


def test_model_weights_reload_into_a_new_model(tmp_path):
    mg.manual_seed(0)
    a = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
    mg.save(a.state_dict(), tmp_path / "w.npz")
    mg.manual_seed(1)
    b = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
    b.load_state_dict(mg.load(tmp_path / "w.npz"))
    x = mg.randn(5, 4)
    np.testing.assert_array_equal(a(x).data, b(x).data)


def test_a_crash_mid_save_keeps_the_previous_checkpoint(tmp_path, monkeypatch):
    path = tmp_path / "ckpt.npz"
    mg.save({"w": np.ones(3)}, path)
    before = path.read_bytes()

    def crash_after_partial_write(file, **arrays):
        file.write(b"PK\x03\x04 half a zip")
        raise KeyboardInterrupt("power cut")

    monkeypatch.setattr(np, "savez", crash_after_partial_write)
    with pytest.raises(KeyboardInterrupt):
        mg.save({"w": np.zeros(3)}, path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    np.testing.assert_array_equal(mg.load(path)["w"], np.ones(3))
    assert os.listdir(tmp_path) == ["ckpt.npz"]  # no temporary file left behind


class _Exploit:
    """Unpickling this would create a file: proof that code ran."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_a_pickle_is_refused_without_running_it(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.npz"
    path.write_bytes(pickle.dumps(_Exploit(str(marker))))
    with pytest.raises(mg.CheckpointError, match="not a minigrad checkpoint"):
        mg.load(path)
    assert not marker.exists()


def test_an_npz_with_a_pickled_object_array_is_refused(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.npz"
    with open(path, "wb") as f:
        np.savez(
            f,
            __minigrad__=np.array('{"format": "minigrad-checkpoint", "version": 1, "root": {"array": "a0"}}'),
            a0=np.array([_Exploit(str(marker))], dtype=object),
        )
    with pytest.raises(mg.CheckpointError, match="damaged or not a minigrad checkpoint"):
        mg.load(path)
    assert not marker.exists()


def test_truncated_and_foreign_files_are_refused(tmp_path):
    good = tmp_path / "good.npz"
    mg.save({"w": np.ones(1000)}, good)
    truncated = tmp_path / "truncated.npz"
    truncated.write_bytes(good.read_bytes()[:300])
    with pytest.raises(mg.CheckpointError, match="damaged"):
        mg.load(truncated)
    foreign = tmp_path / "foreign.npz"
    np.savez(foreign, x=np.ones(2))
    with pytest.raises(mg.CheckpointError, match="not a minigrad checkpoint"):
        mg.load(foreign)
    with pytest.raises(mg.CheckpointError, match="cannot read"):
        mg.load(tmp_path / "missing.npz")
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    with pytest.raises(mg.CheckpointError, match="not a .npz archive"):
        mg.load(text)


def test_unsupported_objects_are_rejected_when_saving(tmp_path):
    with pytest.raises(TypeError, match="cannot save a set"):
        mg.save({"s": {1, 2}}, tmp_path / "x.npz")
    with pytest.raises(TypeError, match="would need pickle"):
        mg.save({"o": np.array([object()])}, tmp_path / "x.npz")
    with pytest.raises(TypeError, match="dict keys must be str or int"):
        mg.save({(1, 2): 3}, tmp_path / "x.npz")
    assert not (tmp_path / "x.npz").exists()

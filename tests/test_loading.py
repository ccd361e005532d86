"""Loading never half-works (issue 13, §2): a model or optimizer is untouched by a state dict that
does not fit, and `minigrad.load` answers any malformed file with a CheckpointError."""

import io
import json
import os
import stat
import time
import zipfile

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn, optim

# -- Module.load_state_dict ------------------------------------------------------------------------


def _model():
    mg.manual_seed(0)
    return nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Linear(4, 2))


def _snapshot(model):
    return {name: array.copy() for name, array in model.state_dict().items()}


@pytest.mark.parametrize(
    "key, value, message",
    [
        (
            "2.bias",
            np.array(["a", "b"]),
            r"dtype mismatch for 2.bias: the state dict has <U1, the model has float32",
        ),
        ("2.bias", np.array([1 + 2j, 0j]), "dtype mismatch for 2.bias"),
        (
            "1.num_batches_tracked",
            np.array(2.5),
            "dtype mismatch for 1.num_batches_tracked: the state dict has float64, the model has int64",
        ),
        ("2.bias", None, "dtype mismatch for 2.bias"),
        ("2.bias", [[1.0], [1.0, 2.0]], "2.bias cannot be made an array"),
        (
            "2.weight",
            np.zeros((4, 2)),
            r"shape mismatch for 2.weight: the state dict has \(4, 2\), the model has \(2, 4\)",
        ),
    ],
)
def test_a_bad_entry_names_its_key_and_leaves_the_model_untouched(key, value, message):
    model = _model()
    before = _snapshot(model)
    changed = {name: array + 1 for name, array in before.items()}  # every other entry is good and different
    changed[key] = value
    with pytest.raises(RuntimeError, match=message):
        model.load_state_dict(changed)
    for name, array in model.state_dict().items():
        np.testing.assert_array_equal(array, before[name], err_msg=name)


def test_entries_are_converted_to_the_models_dtypes():
    model = _model()
    state = {
        name: array.astype(np.float64) if array.dtype.kind == "f" else array
        for name, array in model.state_dict().items()
    }
    state["1.num_batches_tracked"] = np.int32(3)
    state["0.bias"] = [1, 2, 3, 4]  # a list of ints is fine: ints cast safely to float32
    model.load_state_dict(state)
    assert model[0].bias.dtype == np.float32 and model[1].num_batches_tracked.data.dtype == np.int64
    np.testing.assert_array_equal(model[0].bias.data, [1, 2, 3, 4])
    with pytest.raises(TypeError, match="expected a dict of arrays, got list"):
        model.load_state_dict([1, 2])


# -- Optimizer.load_state_dict ---------------------------------------------------------------------


def _trained(cls=optim.Adam, **kwargs):
    mg.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    opt = cls(model.params(), **kwargs)
    for _ in range(2):
        opt.zero_grad()
        (model(mg.randn(5, 3)) ** 2).sum().backward()
        opt.step()
    return model, opt


def _broken(change):
    _, opt = _trained()
    state = opt.state_dict()
    change(state)
    return state


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda sd: sd.update(optimizer="AdamW"), "the state dict is from 'AdamW', not Adam"),
        (lambda sd: sd.pop("state"), "the state dict has no 'state'"),
        (lambda sd: sd.pop("param_groups"), "the state dict has no 'param_groups'"),
        (
            lambda sd: sd["param_groups"][0].pop("betas"),
            "parameter group 0 lacks the hyperparameter.s. betas",
        ),
        (
            lambda sd: sd["param_groups"][0].update(rho=0.9),
            "parameter group 0 has hyperparameter.s. Adam does not take: rho",
        ),
        (lambda sd: sd["param_groups"][0].update(lr=-1.0), "parameter group 0: Adam: invalid lr = -1.0"),
        (
            lambda sd: sd["param_groups"][0].update(betas=(2.0, 3.0)),
            r"parameter group 0: Adam: invalid betas\[0\] = 2.0",
        ),
        (lambda sd: sd["param_groups"][0].update(eps=-1.0), "parameter group 0: Adam: invalid eps = -1.0"),
        (
            lambda sd: sd["param_groups"][0].update(params=[0, 1]),
            "parameter group 0 has 2 parameters in the state, 4 in the optimizer",
        ),
        (lambda sd: sd["state"][1].pop("exp_avg_sq"), "the state of parameter 1 lacks exp_avg_sq"),
        (
            lambda sd: sd["state"][1].update(momentum_buffer=np.zeros(4)),
            "the state of parameter 1 has unknown momentum_buffer",
        ),
        (
            lambda sd: sd["state"][1].update(exp_avg=np.zeros(3)),
            r"state 'exp_avg' of parameter 1: shape \(3,\), but the parameter has shape \(4,\)",
        ),
        (
            lambda sd: sd["state"][1].update(exp_avg=np.array(["x"] * 4)),
            "state 'exp_avg' of parameter 1: expected an array of numbers",
        ),
        (
            lambda sd: sd["state"][0].update(step=-1),
            "state 'step' of parameter 0: expected a count ≥ 0, got -1",
        ),
        (
            lambda sd: sd["state"][0].update(step="2"),
            "state 'step' of parameter 0: expected a number, got str",
        ),
        (lambda sd: sd["state"].update({9: {}}), "state for parameter 9, which no parameter group lists"),
    ],
)
def test_a_bad_optimizer_state_is_refused_and_changes_nothing(change, message):
    _, opt = _trained()
    before = opt.state_dict()
    with pytest.raises(ValueError, match=message):
        opt.load_state_dict(_broken(change))
    after = opt.state_dict()
    assert after["param_groups"] == before["param_groups"]
    for index, entries in before["state"].items():
        for key, value in entries.items():
            np.testing.assert_array_equal(after["state"][index][key], value)


def test_another_optimizers_state_is_refused():
    _, sgd = _trained(optim.SGD, lr=0.1, momentum=0.9)
    _, adam = _trained()
    with pytest.raises(ValueError, match="Adam.load_state_dict: the state dict is from 'SGD', not Adam"):
        adam.load_state_dict(sgd.state_dict())
    untyped = sgd.state_dict()
    del untyped["optimizer"]  # an older state dict: the hyperparameters still give it away
    with pytest.raises(ValueError, match="lacks the hyperparameter"):
        adam.load_state_dict(untyped)


def test_a_good_state_still_loads_and_resumes_exactly(tmp_path):
    model, opt = _trained(optim.Nadam, lr=0.01)
    mg.save({"model": model.state_dict(), "optimizer": opt.state_dict()}, tmp_path / "c.npz")
    loaded = mg.load(tmp_path / "c.npz")
    model2, opt2 = _trained(optim.Nadam, lr=0.5)
    model2.load_state_dict(loaded["model"])
    opt2.load_state_dict(loaded["optimizer"])
    assert opt2.param_groups[0]["lr"] == 0.01
    for a, b in ((model, opt), (model2, opt2)):
        b.zero_grad()
        (a(mg.ones(2, 3)) ** 2).sum().backward()
        b.step()
    for x, y in zip(model.state_dict().values(), model2.state_dict().values()):
        np.testing.assert_array_equal(x, y)


# -- minigrad.load on malformed files --------------------------------------------------------------


def _checkpoint_bytes(tmp_path) -> bytes:
    """A real checkpoint, as `minigrad train --save` writes it (model, optimizer, numbers, strings)."""
    model, opt = _trained()
    path = tmp_path / "real.npz"
    mg.save({"run": {"dataset": "digits", "seed": 0}, "epoch": 2, "model": model.state_dict(),
             "optimizer": opt.state_dict(), "history": {"loss": [0.5, 0.25]}}, path)  # fmt: skip
    return path.read_bytes()


def _zip_with(members: dict) -> bytes:
    """A well-formed zip (CRCs right) holding the given raw member bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _npy(array) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def _npy_claiming(shape, data: bytes, descr="<f8") -> bytes:
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, {"descr": descr, "fortran_order": False, "shape": shape})
    return buffer.getvalue() + data


def _structure(root) -> bytes:
    return _npy(np.array(json.dumps({"format": "minigrad-checkpoint", "version": 1, **root})))


def _load_bytes(tmp_path, data: bytes, name="bad.npz"):
    path = tmp_path / name
    path.write_bytes(data)
    return mg.load(path)


@pytest.mark.parametrize(
    "members, message",
    [
        (
            {
                "__minigrad__.npy": _structure({"root": {"array": "a0"}}),
                "a0.npy": _npy_claiming((10**12,), b"\0" * 16),
            },
            "member 'a0.npy' declares 8000000000000 bytes of data but holds 16",
        ),
        (
            {
                "__minigrad__.npy": _structure({"root": {"array": "a0"}}),
                "a0.npy": _npy_claiming((4,), b"\0" * 8),
            },
            "declares 32 bytes",
        ),
        ({"__minigrad__.npy": _structure({})}, "has no root"),
        ({"__minigrad__.npy": _npy(np.array(json.dumps([1, 2])))}, "not a JSON object"),
        ({"__minigrad__.npy": _npy(np.arange(3))}, "structure description is not a string"),
        ({"__minigrad__.npy": _structure({"root": [1, 2]})}, "a structure node is list"),
        ({"__minigrad__.npy": _structure({"root": {"value": {"x": 1}}})}, "a structure node 'value' holds"),
        ({"__minigrad__.npy": _structure({"root": {"array": "a7"}})}, "a structure node 'array' holds 'a7'"),
        ({"__minigrad__.npy": _structure({"root": {"dict": [[[1], {"value": 1}]]}})}, "a dict entry is"),
        (
            {"__minigrad__.npy": _structure({"root": {"scalar": "a0"}}), "a0.npy": _npy(np.arange(3))},
            "a structure node 'scalar'",
        ),
        ({"__minigrad__.npy": _structure({"root": {"kind": 1}})}, "a structure node 'kind'"),
        (
            {"__minigrad__.npy": _structure({"root": json.loads('{"list": [' * 150 + "]}" * 150)})},
            "nested deeper than 100 levels",
        ),
        (
            {"__minigrad__.npy": _npy(np.array('{"root": ' + "[" * 100_000 + "]" * 100_000 + "}"))},
            "RecursionError",
        ),
        (
            {"__minigrad__.npy": _structure({"root": {"value": 1}}), "notes.txt": b"hello"},
            "unexpected or repeated archive member 'notes.txt'",
        ),
        ({"x.npy": _npy(np.ones(2))}, "not a minigrad checkpoint"),
    ],
)
def test_malformed_checkpoints_raise_checkpoint_error(tmp_path, members, message):
    with pytest.raises(mg.CheckpointError, match=message):
        _load_bytes(tmp_path, _zip_with(members))


def test_compressed_members_are_refused_before_they_are_inflated(tmp_path):
    path = tmp_path / "compressed.npz"
    np.savez_compressed(
        path, __minigrad__=np.array('{"format": "minigrad-checkpoint", "version": 1, "root": {"value": 1}}')
    )
    with pytest.raises(mg.CheckpointError, match="compressed or larger than the file"):
        mg.load(path)


def _mutations(data: bytes, rng):
    """Damaged copies of `data`: flipped bits, overwritten or deleted runs, truncations, insertions."""
    kind = rng.integers(5)
    array = bytearray(data)
    if kind == 0:  # flip a few bits anywhere
        for position in rng.integers(0, len(array), rng.integers(1, 9)):
            array[position] ^= 1 << int(rng.integers(8))
    elif kind == 1:  # overwrite a run with random bytes
        start = int(rng.integers(len(array)))
        array[start : start + 16] = rng.integers(0, 256, 16, dtype=np.uint8).tobytes()
    elif kind == 2:  # truncate
        del array[int(rng.integers(4, len(array))) :]
    elif kind == 3:  # delete a run
        start = int(rng.integers(len(array)))
        del array[start : start + int(rng.integers(1, 64))]
    else:  # insert bytes
        start = int(rng.integers(len(array)))
        array[start:start] = rng.integers(0, 256, int(rng.integers(1, 64)), dtype=np.uint8).tobytes()
    return bytes(array)


def _fuzz(tmp_path, make_damaged, budget_seconds=4.0, at_most=1500):
    """Load damaged files until the budget runs out: each must load or raise CheckpointError."""
    rng = np.random.default_rng(13)
    started, tried, refused = time.perf_counter(), 0, 0
    while tried < at_most and time.perf_counter() - started < budget_seconds:
        data = make_damaged(rng)
        try:
            _load_bytes(tmp_path, data)
        except mg.CheckpointError:
            refused += 1
        except BaseException as error:  # noqa: BLE001 - the point of the test
            pytest.fail(f"mutation {tried} (seed 13) raised {type(error).__name__}: {error}")
        tried += 1
    return tried, refused


def test_fuzzed_checkpoint_files_raise_only_checkpoint_error(tmp_path):
    original = _checkpoint_bytes(tmp_path)
    tried, refused = _fuzz(tmp_path, lambda rng: _mutations(original, rng))
    assert tried >= 100 and refused >= tried // 2  # most damage is caught (the zip CRCs see flipped data)


def test_fuzzed_members_inside_a_well_formed_zip_raise_only_checkpoint_error(tmp_path):
    """Damage the .npy members and the structure description but recompute the zip's CRCs, so the
    damage reaches NumPy's header parser, the JSON parser and the structure decoder."""
    with zipfile.ZipFile(io.BytesIO(_checkpoint_bytes(tmp_path))) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    names = sorted(members)

    def damaged(rng):
        name = "__minigrad__.npy" if rng.random() < 0.5 else names[int(rng.integers(len(names)))]
        return _zip_with({**members, name: _mutations(members[name], rng)})

    tried, _ = _fuzz(tmp_path, damaged)
    assert tried >= 100


# -- saving -----------------------------------------------------------------------------------------


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_saving_keeps_the_permissions_of_the_file_it_replaces(tmp_path):
    path = tmp_path / "ckpt.npz"
    mg.save({"w": np.ones(2)}, path)
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask  # a new file: what open() would give
    os.chmod(path, 0o640)
    mg.save({"w": np.zeros(2)}, path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    np.testing.assert_array_equal(mg.load(path)["w"], np.zeros(2))


def test_a_failed_save_leaves_no_temporary_file(tmp_path, monkeypatch):
    target = tmp_path / "folder_in_the_way"
    target.mkdir()
    (target / "x").write_text("a non-empty folder cannot be replaced by a file")
    with pytest.raises(OSError):
        mg.save({"w": np.ones(2)}, target)
    assert sorted(os.listdir(tmp_path)) == ["folder_in_the_way"]

    def fail(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", fail)
    with pytest.raises(OSError, match="disk full"):
        mg.save({"w": np.ones(2)}, tmp_path / "new.npz")
    assert sorted(os.listdir(tmp_path)) == ["folder_in_the_way"]

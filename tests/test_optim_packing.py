"""Packed groups (one flat array per group) give exactly the per-tensor results, in every situation."""

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn, optim
from minigrad.optim import packing

from test_optim_behaviour import ALL, IDS


def _model():
    mg.manual_seed(0)
    return nn.Sequential(nn.Linear(5, 7), nn.Tanh(), nn.Linear(7, 3))


def _train(make, steps=15, weight_decay=0.0, skip=()):
    model = _model()
    opt = make(model.parameters())
    for group in opt.param_groups:
        group["weight_decay"] = weight_decay
    rng = np.random.default_rng(0)
    for step in range(steps):
        opt.zero_grad()
        x = mg.tensor(rng.standard_normal((4, 5)).astype(np.float32))
        model(x).sum().backward()
        if step in skip:
            model[0].bias.grad = None  # this parameter gets no gradient at this step
        opt.step()
    return model, opt


@pytest.mark.parametrize("name, make", ALL, ids=IDS)
@pytest.mark.parametrize("weight_decay", [0.0, 0.01])
def test_packed_steps_equal_per_tensor_steps(monkeypatch, name, make, weight_decay):
    packed, opt = _train(make, weight_decay=weight_decay, skip=(3, 4))
    assert opt._packing[0] is not None
    monkeypatch.setattr(packing, "worth_packing", lambda params: False)
    monkeypatch.setattr("minigrad.optim.optimizer.worth_packing", lambda params: False)
    plain, plain_opt = _train(make, weight_decay=weight_decay, skip=(3, 4))
    assert plain_opt._packing[0] is None
    for (n, a), b in zip(packed.state_dict().items(), plain.state_dict().values()):
        np.testing.assert_array_equal(a, b, err_msg=n)
    for p, q in zip(packed.params(), plain.params()):
        for key, value in opt.state[p].items():
            np.testing.assert_array_equal(value, plain_opt.state[q][key], err_msg=key)


def test_parameters_become_views_into_one_array():
    model = _model()
    opt = optim.Adam(model.parameters())
    flat = opt._packing[0].flat
    assert all(p.data.base is flat for p in model.parameters())
    assert flat.size == sum(p.numel() for p in model.parameters())
    model(mg.ones(2, 5)).sum().backward()
    opt.step()
    state_arrays = [opt.state[p]["exp_avg"] for p in model.parameters()]
    assert all(a.base is opt._packing[0].state["exp_avg"] for a in state_arrays)


def test_replacing_data_repacks():
    model, opt = _train(lambda p: optim.Adam(p, lr=0.01), steps=2)
    model[0].weight.data = np.zeros((7, 5), dtype=np.float32)  # the user loads new weights by rebinding
    model(mg.ones(2, 5)).sum().backward()
    opt.step()
    assert opt._packing[0].intact()
    assert model[0].weight.data.base is opt._packing[0].flat
    assert np.abs(model[0].weight.data).max() > 0  # the new weights were used and updated


def test_big_tensors_and_mixed_dtypes_are_not_packed():
    big = [mg.zeros(200, 200, requires_grad=True), mg.zeros(200, 200, requires_grad=True)]
    assert optim.SGD(big, lr=0.1)._packing[0] is None
    mixed = [mg.zeros(3, requires_grad=True), mg.zeros(3, dtype=np.float64, requires_grad=True)]
    assert optim.SGD(mixed, lr=0.1)._packing[0] is None
    single = [mg.zeros(3, requires_grad=True)]
    assert optim.SGD(single, lr=0.1)._packing[0] is None

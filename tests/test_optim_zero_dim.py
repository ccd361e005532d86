"""0-d parameters (`mg.tensor(1.5, requires_grad=True)`) step like 1-element ones, in every optimizer.

NumPy arithmetic on 0-d arrays gives NumPy scalars, which the rules' in-place `out=` arguments cannot
take; the optimizer hands the rules 1-element views of a 0-d parameter, its gradient and its state.
Every setting in optim_cases is run on 0-d parameters, alone and mixed with n-d ones, packed into one
array and not, and compared bit for bit with the same values held as 1-element arrays (and with PyTorch).
"""

import numpy as np
import optim_cases as cases
import pytest

import minigrad as mg

IDS = [c[0] for c in cases.CASES]
STEPS = 30
# The same parameters twice: 0-d ones, and 1-element arrays in their place.
MIXED = [(), (3,), (), (2, 2)]
ALL_0D = [(), (), ()]


def as_one_element(shape: tuple) -> tuple:
    return (1,) if shape == () else shape


def trajectory(make, shapes, packed: bool, seed: int = 0) -> list:
    """The parameters' values after each step, fed a recorded gradient sequence. Midway, one parameter
    has no gradient for a few steps, so a packed group also runs its per-parameter path."""
    rng = np.random.default_rng(seed)
    values = [rng.standard_normal(as_one_element(s)).reshape(s) for s in shapes]
    grads = [[rng.standard_normal(as_one_element(s)).reshape(s) for s in shapes] for _ in range(STEPS)]
    return run(make, values, grads, packed)


def run(make, values, grads, packed: bool) -> list:
    params = [mg.tensor(v, requires_grad=True) for v in values]
    opt = make(params if packed else [{"params": [p]} for p in params])
    assert (opt._packing[0] is not None) == packed, "the setting meant to pack the group did not"
    path = []
    for step, step_grads in enumerate(grads):
        for i, (p, g) in enumerate(zip(params, step_grads)):
            p.grad = None if (i == 0 and STEPS // 2 <= step < STEPS // 2 + 3) else g
        opt.step()
        path.append([p.data.copy() for p in params])
    return path


def one_element_version(make, shapes, packed: bool) -> list:
    """`trajectory` with every 0-d parameter (and gradient) held as a 1-element array."""
    rng = np.random.default_rng(0)
    values = [rng.standard_normal(as_one_element(s)) for s in shapes]
    grads = [[rng.standard_normal(as_one_element(s)) for s in shapes] for _ in range(STEPS)]
    return run(make, values, grads, packed)


@pytest.mark.parametrize("packed", [False, True], ids=["each", "packed"])
@pytest.mark.parametrize("shapes", [ALL_0D, MIXED], ids=["all-0d", "mixed"])
@pytest.mark.parametrize("name, make, reference, make_torch", cases.CASES, ids=IDS)
def test_0d_parameters_step_like_1_element_ones(name, make, reference, make_torch, shapes, packed):
    mine = trajectory(make, shapes, packed)
    theirs = one_element_version(make, shapes, packed)
    for step, (values, expected) in enumerate(zip(mine, theirs)):
        for shape, value, other in zip(shapes, values, expected):
            assert value.shape == shape, f"step {step}: a parameter changed shape"
            np.testing.assert_array_equal(value.reshape(other.shape), other, err_msg=f"step {step}")
    first, last = np.concatenate([v.ravel() for v in mine[0]]), np.concatenate([v.ravel() for v in mine[-1]])
    assert np.abs(last - first).max() > 1e-4  # the parameters really moved


@pytest.mark.parametrize("name, make, reference, make_torch", cases.CASES, ids=IDS)
def test_0d_parameter_trained_by_backward(name, make, reference, make_torch):
    """The reported case: a float32 0-d leaf whose gradient comes from backward, and its state dict."""
    w = mg.tensor(1.5, requires_grad=True)
    v = mg.tensor([1.5], requires_grad=True)
    opt_w, opt_v = make([w]), make([v])
    for _ in range(5):
        for p, opt in ((w, opt_w), (v, opt_v)):
            opt.zero_grad()
            ((p - 0.25) ** 2).sum().backward()
            opt.step()
    assert w.shape == () and w.dtype == mg.float32
    assert w.item() == v.item() != 1.5
    arrays = {
        key: value for key, value in opt_w.state_dict()["state"][0].items() if isinstance(value, np.ndarray)
    }
    assert all(value.shape == () for value in arrays.values()), (
        arrays
    )  # the state keeps the parameter's shape


torch_cases = [c for c in cases.CASES if c[3] is not None]


@pytest.mark.parametrize("name, make, reference, make_torch", torch_cases, ids=[c[0] for c in torch_cases])
def test_0d_parameter_matches_torch(name, make, reference, make_torch):
    torch = pytest.importorskip("torch")
    theta0, grads = cases.gradient_sequence(seed=2)
    theta0, grads = theta0[3], grads[:, 3]  # one coordinate, as a 0-d parameter
    previous = torch.get_default_dtype()
    try:
        theirs = cases.torch_trajectory(torch, make_torch, theta0, grads)
    finally:
        torch.set_default_dtype(previous)
    mine = cases.minigrad_trajectory(make, theta0, grads)
    assert mine.shape == theirs.shape == (cases.STEPS + 1,)
    np.testing.assert_allclose(mine, theirs, rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("name, make, reference, make_torch", cases.CASES, ids=IDS)
def test_update_rules_called_directly_take_0d_arrays(name, make, reference, make_torch):
    """The rules are plain functions a reader may call on NumPy values, 0-d ones included."""
    opt = make([mg.tensor(0.5, requires_grad=True)])
    group = opt.param_groups[0]
    rule, hyperparameters = opt.update_rule(group)
    zero_d, one_element = np.array(0.5), np.array([0.5])
    states = [opt.init_state(zero_d, group), opt.init_state(one_element, group)]
    for step, g in enumerate([0.3, -1.2, 0.0, 2.5], start=1):
        for param, state in zip((zero_d, one_element), states):
            state["step"] = step
            rule(param, np.full_like(param, g), state, **hyperparameters)
        assert zero_d.shape == () and zero_d == one_element[0], f"step {step}"
    assert zero_d != 0.5

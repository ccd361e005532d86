"""The optimizers' arithmetic at its edges: 0/0 with ε = 0 is no step, finite inputs never give a
non-finite parameter (hypothesis), and updating big arrays block by block changes no bit."""

import warnings
from contextlib import contextmanager
from unittest import mock

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from test_optim_behaviour import ALL, IDS

import minigrad as mg
from minigrad import optim
from minigrad.optim import packing


@contextmanager
def strict_arithmetic():
    """Any 0/0, x/0, overflow or invalid operation (and any RuntimeWarning) raises."""
    with warnings.catch_warnings(), np.errstate(divide="raise", invalid="raise", over="raise"):
        warnings.simplefilter("error", RuntimeWarning)
        yield


@contextmanager
def tiny_blocks(nbytes=24):
    """Blocks of a few elements, so that every array is updated block by block."""
    with mock.patch.object(packing, "BLOCK_BYTES", nbytes), mock.patch.object(packing, "MIN_BLOCKS", 1):
        yield


# -- 0/0 is no step ---------------------------------------------------------------------------------------

# Every optimizer that divides, with ε = 0 and accumulators starting at 0: a coordinate whose gradients
# are all 0 has a 0/0 in its step.
ZERO_EPS = [
    ("AdaGrad", lambda p, wd: optim.AdaGrad(p, lr=0.1, eps=0, weight_decay=wd)),
    ("AdaGrad lr_decay", lambda p, wd: optim.AdaGrad(p, lr=0.1, lr_decay=0.1, eps=0, weight_decay=wd)),
    ("RMSProp", lambda p, wd: optim.RMSProp(p, lr=0.01, eps=0, weight_decay=wd)),
    ("RMSProp centered", lambda p, wd: optim.RMSProp(p, lr=0.01, eps=0, centered=True, weight_decay=wd)),
    ("RMSProp momentum", lambda p, wd: optim.RMSProp(p, lr=0.01, eps=0, momentum=0.9, weight_decay=wd)),
    (
        "RMSProp centered momentum",
        lambda p, wd: optim.RMSProp(p, lr=0.01, eps=0, momentum=0.9, centered=True, weight_decay=wd),
    ),
    ("AdaDelta", lambda p, wd: optim.AdaDelta(p, eps=0, weight_decay=wd)),
    ("Adam", lambda p, wd: optim.Adam(p, lr=0.01, eps=0, weight_decay=wd)),
    ("Adam amsgrad", lambda p, wd: optim.Adam(p, lr=0.01, eps=0, amsgrad=True, weight_decay=wd)),
    ("Adam eps_hat", lambda p, wd: optim.Adam(p, lr=0.01, eps=0, eps_hat=True, weight_decay=wd)),
    ("AdamW", lambda p, wd: optim.AdamW(p, lr=0.01, eps=0, weight_decay=wd)),
    ("AdaMax", lambda p, wd: optim.AdaMax(p, lr=0.01, eps=0, weight_decay=wd)),
    ("Nadam", lambda p, wd: optim.Nadam(p, lr=0.01, eps=0, weight_decay=wd)),
    (
        "Nadam decoupled",
        lambda p, wd: optim.Nadam(p, lr=0.01, eps=0, weight_decay=wd, decoupled_weight_decay=True),
    ),
    ("Nadam simplified", lambda p, wd: optim.Nadam(p, lr=0.01, eps=0, simplified=True, weight_decay=wd)),
    ("NadaMax", lambda p, wd: optim.NadaMax(p, lr=0.01, eps=0, weight_decay=wd)),
]


@pytest.mark.parametrize("name, make", ZERO_EPS, ids=[z[0] for z in ZERO_EPS])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("weight_decay", [0.0, 0.1])
@pytest.mark.parametrize("layout", ["one tensor", "packed group", "blocks"])
def test_zero_over_zero_is_no_step(name, make, dtype, weight_decay, layout):
    """Coordinates 0 and 1 (at θ = 0, so weight decay keeps their gradient 0) never get a gradient;
    they must stay exactly where they are, without a NaN or a warning, while the others move."""
    count = 1 if layout == "one tensor" else 3
    params = [
        mg.tensor(np.array([0.0, 0.0, 1.0, -2.0], dtype=dtype), requires_grad=True) for _ in range(count)
    ]
    with tiny_blocks() if layout == "blocks" else warnings.catch_warnings():
        opt = make(params, weight_decay)
        assert (opt._packing[0] is not None) == (layout != "one tensor")
        rng = np.random.default_rng(0)
        with strict_arithmetic():
            for _ in range(6):
                for p in params:
                    p.grad = np.concatenate([[0.0, 0.0], rng.standard_normal(2)]).astype(dtype)
                opt.step()
    for p in params:
        assert np.isfinite(p.data).all(), p.data
        np.testing.assert_array_equal(p.data[:2], [0.0, 0.0])
        if name != "AdaDelta":  # AdaDelta with ε = 0 and s₀ = 0 never moves: Δ = √s/√r·g = 0
            assert (p.data[2:] != np.array([1.0, -2.0], dtype=dtype)).all()
        for key, value in opt.state[p].items():
            assert np.isfinite(value).all(), key


def test_zero_over_zero_after_the_accumulator_has_decayed_to_zero():
    """AdaMax with β₁ > β₂: u decays faster than m and reaches 0 first; the step is then 0, not ∞."""
    p = mg.tensor(np.array([1.0]), requires_grad=True)
    opt = optim.AdaMax([p], lr=0.01, betas=(0.9, 0.1), eps=0)
    p.grad = np.array([1.0])
    opt.step()
    with strict_arithmetic():
        for _ in range(400):  # 0.1⁴⁰⁰ underflows to 0, 0.9⁴⁰⁰ does not
            p.grad = np.array([0.0])
            opt.step()
    assert opt.state[p]["exp_inf"][0] == 0 and opt.state[p]["exp_avg"][0] > 0
    assert np.isfinite(p.data).all()


def test_centered_rmsprop_variance_rounding_below_zero_is_not_nan():
    """With a constant gradient, v − ḡ² is 0 in exact arithmetic once αᵗ is negligible, and rounding
    can make it a hair negative; its square root must not be NaN."""
    p = mg.tensor(np.zeros(3), requires_grad=True)
    opt = optim.RMSProp([p], lr=1e-3, alpha=0.5, eps=1e-8, centered=True)
    gradient = np.array([-1.9016353, 0.91748798, 1.7606673])  # found by search: v − ḡ² rounds below 0
    negative = False
    with strict_arithmetic():
        for _ in range(60):
            p.grad = gradient
            opt.step()
            state = opt.state[p]
            negative |= (state["square_avg"] - state["grad_avg"] * state["grad_avg"] < 0).any()
    assert negative, "the case this test is about"
    assert np.isfinite(p.data).all()


# -- finite in, finite out ----------------------------------------------------------------------------------


def _make(kind, params, s):
    lr, eps, wd, betas, iav, flags = (
        s["lr"],
        s["eps"],
        s["weight_decay"],
        s["betas"],
        s["initial"],
        s["flags"],
    )
    if kind == "SGD":
        momentum = s["alpha"]
        return optim.SGD(
            params,
            lr=lr,
            momentum=momentum,
            nesterov=flags[0] and momentum > 0,
            dampening=0.0 if flags[0] else 0.5,
            weight_decay=wd,
        )
    if kind == "AdaGrad":
        return optim.AdaGrad(
            params,
            lr=lr,
            lr_decay=0.1 if flags[0] else 0.0,
            weight_decay=wd,
            initial_accumulator_value=iav,
            eps=eps,
        )
    if kind == "RMSProp":
        return optim.RMSProp(params, lr=lr, alpha=s["alpha"], eps=eps, weight_decay=wd, momentum=0.9 if flags[1] else 0.0, centered=flags[0],
                             initial_accumulator_value=iav)  # fmt: skip
    if kind == "AdaDelta":
        return optim.AdaDelta(
            params, lr=lr, rho=s["alpha"], eps=eps, weight_decay=wd, initial_accumulator_value=iav
        )
    if kind == "Adam":
        return optim.Adam(params, lr=lr, betas=betas, eps=eps, weight_decay=wd, amsgrad=flags[0], decoupled_weight_decay=flags[1], eps_hat=flags[2],
                          initial_accumulator_value=iav)  # fmt: skip
    if kind == "AdamW":
        return optim.AdamW(
            params, lr=lr, betas=betas, eps=eps, weight_decay=wd, amsgrad=flags[0], eps_hat=flags[2]
        )
    if kind == "AdaMax":
        return optim.AdaMax(params, lr=lr, betas=betas, eps=eps, weight_decay=wd)
    if kind == "Nadam":
        return optim.Nadam(params, lr=lr, betas=betas, eps=eps, weight_decay=wd, momentum_decay=4e-3 if flags[1] else 1.0, decoupled_weight_decay=flags[1],
                           simplified=flags[0], eps_hat=flags[2], initial_accumulator_value=iav)  # fmt: skip
    return optim.NadaMax(params, lr=lr, betas=betas, eps=eps, weight_decay=wd)


KINDS = ["SGD", "AdaGrad", "RMSProp", "AdaDelta", "Adam", "AdamW", "AdaMax", "Nadam", "NadaMax"]
SETTINGS = st.fixed_dictionaries({
    "lr": st.sampled_from([0.0, 1e-3, 0.1, 1.0]),
    "eps": st.sampled_from([0.0, 1e-8, 1e-3]),
    "weight_decay": st.sampled_from([0.0, 0.1]),
    # β₁ ≤ β₂ (and β₁² ≤ β₂), as every published setting: with β₁ > β₂ the exact AdaMax step m/u itself
    # grows without bound when the gradients stop (u forgets faster than m), so no arithmetic keeps it finite.
    "betas": st.tuples(st.sampled_from([0.0, 0.5, 0.9]), st.sampled_from([0.9, 0.99, 0.999])),
    "alpha": st.sampled_from([0.0, 0.5, 0.9, 0.99]),
    "initial": st.sampled_from([0.0, 1e-3]),
    "flags": st.tuples(st.booleans(), st.booleans(), st.booleans()),
})  # fmt: skip
# |θ|, |g| ≤ 1000, with exact zeros, tiny and subnormal values: where ε = 0 meets an underflowing g².
VALUES = st.one_of(
    st.just(0.0), st.floats(-1e3, 1e3, allow_subnormal=True), st.sampled_from([1e-30, -1e-200, 5e-324, 1e-20])
)


@given(
    kind=st.sampled_from(KINDS),
    settings=SETTINGS,
    dtype=st.sampled_from([np.float32, np.float64]),
    count=st.integers(1, 3),
    blocks=st.booleans(),
    data=st.data(),
)
def test_finite_parameters_and_gradients_give_finite_parameters(kind, settings, dtype, count, blocks, data):
    size = data.draw(st.integers(1, 5), label="size")
    steps = data.draw(st.integers(1, 6), label="steps")
    theta = data.draw(hnp.arrays(np.float64, (count, size), elements=VALUES), label="theta")
    grads = data.draw(hnp.arrays(np.float64, (steps, count, size), elements=VALUES), label="grads")
    params = [mg.tensor(row.astype(dtype), requires_grad=True) for row in theta]
    with tiny_blocks() if blocks else warnings.catch_warnings():
        opt = _make(kind, params, settings)
        with strict_arithmetic():
            for step in grads:
                for p, g in zip(params, step):
                    p.grad = g.astype(dtype)
                opt.step()
                for p in params:
                    assert np.isfinite(p.data).all(), (kind, p.data)
                    assert p.dtype == dtype
                if max(np.abs(p.data).max() for p in params) > 1e6:
                    # Some settings really diverge (centered RMSProp with α = 0 divides by ε alone, and
                    # weight decay feeds θ back into g): past this the inputs of the next step are no
                    # longer the bounded ones this property is about (g² overflows float32 at 1.8e19).
                    break


# -- blocks ---------------------------------------------------------------------------------------------------


def _run(make, params_data, steps, weight_decay, decoupled, source="assigned"):
    """`steps` steps on random gradients, assigned (`p.grad = g`) or from backward (d/dp Σ p·g = g),
    which stores them in a packed group's gradient home."""
    params = [mg.tensor(a.copy(), requires_grad=True) for a in params_data]
    opt = make(params)
    for group in opt.param_groups:
        group["weight_decay"] = weight_decay
        group["decoupled_weight_decay"] = decoupled
    rng = np.random.default_rng(1)
    for step in range(steps):
        opt.zero_grad()
        for i, p in enumerate(params):
            g = rng.standard_normal(p.shape).astype(p.dtype)
            if step == 2 and i == 0:
                continue  # a parameter without a gradient: that step is taken per tensor
            if source == "assigned":
                p.grad = g
            else:
                (p * mg.tensor(g)).sum().backward()
        opt.step()
    return params, opt


LAYOUTS = {
    "one big tensor": [np.linspace(-1, 1, 103).reshape(1, 103)],
    "packed group": [np.linspace(-1, 1, n) for n in (7, 11, 1, 13)],
    "non-contiguous tensor": [np.asfortranarray(np.linspace(-1, 1, 40).reshape(5, 8))],
}


@pytest.mark.parametrize("name, make", ALL, ids=IDS)
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("weight_decay, decoupled", [(0.0, False), (0.01, False), (0.01, True)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("source", ["assigned", "backward"])
def test_blocks_give_bit_identical_results(name, make, layout, weight_decay, decoupled, dtype, source):
    arrays = [a.astype(dtype) for a in LAYOUTS[layout]]
    whole, whole_opt = _run(make, arrays, 6, weight_decay, decoupled, source)
    with tiny_blocks():
        blocked, blocked_opt = _run(make, arrays, 6, weight_decay, decoupled, source)
        if layout == "packed group":
            assert blocked_opt._packing[0].grad.size < blocked_opt._packing[0].flat.size  # really in blocks
    for p, q in zip(whole, blocked):
        np.testing.assert_array_equal(p.data, q.data)
        assert whole_opt.state[p].keys() == blocked_opt.state[q].keys()
        for key, value in whole_opt.state[p].items():
            np.testing.assert_array_equal(value, blocked_opt.state[q][key], err_msg=key)

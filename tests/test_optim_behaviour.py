"""The optimizer interface: convergence, groups, state dicts and resuming, dtypes, validation, schedulers."""

import math

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn, optim
from minigrad.nn.utils import clip_grad_norm_
from minigrad.optim import lr_scheduler

# Sensible settings for the ill-conditioned quadratic below (learning rates per optimizer).
ALL = [
    ("SGD", lambda p: optim.SGD(p, lr=0.09)),
    ("Momentum", lambda p: optim.Momentum(p, lr=0.02)),
    ("Nesterov", lambda p: optim.Nesterov(p, lr=0.02)),
    ("AdaGrad", lambda p: optim.AdaGrad(p, lr=0.5)),
    ("RMSProp", lambda p: optim.RMSProp(p, lr=0.01)),
    ("AdaDelta", lambda p: optim.AdaDelta(p, lr=1.0, eps=1e-4)),
    ("Adam", lambda p: optim.Adam(p, lr=0.05)),
    ("AdamW", lambda p: optim.AdamW(p, lr=0.05, weight_decay=0.0)),
    ("AdaMax", lambda p: optim.AdaMax(p, lr=0.05)),
    ("Nadam", lambda p: optim.Nadam(p, lr=0.05)),
    ("Nadam simplified", lambda p: optim.Nadam(p, lr=0.05, simplified=True)),
    ("NadaMax", lambda p: optim.NadaMax(p, lr=0.05)),
]
IDS = [name for name, _ in ALL]


def quadratic_problem():
    """f(θ) = ½ Σ λᵢ (θᵢ - 1)² with λ from 0.1 to 10 (condition number 100); minimum at θ = 1."""
    scales = np.geomspace(0.1, 10.0, 10)
    return scales, lambda theta: 0.5 * (mg.tensor(scales) * (theta - 1.0) ** 2).sum()


@pytest.mark.parametrize("name, make", ALL, ids=IDS)
def test_converges_on_an_ill_conditioned_quadratic(name, make):
    _, f = quadratic_problem()
    theta = mg.tensor(np.zeros(10), requires_grad=True)
    opt = make([theta])
    start = f(theta).item()
    for _ in range(1500):
        opt.zero_grad()
        f(theta).backward()
        opt.step()
    final = f(theta).item()
    assert final < 1e-3 * start, f"{name}: loss {start:.3g} -> {final:.3g}"


@pytest.mark.parametrize("name, make", ALL, ids=IDS)
def test_grads_are_untouched_and_float32_is_kept(name, make):
    mg.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 5), nn.Tanh(), nn.Linear(5, 1))
    opt = make(model.parameters())
    for group in opt.param_groups:
        group["weight_decay"] = 0.01  # weight decay must not write into p.grad either
    model(mg.randn(8, 4)).sum().backward()
    grads = [p.grad.numpy().copy() for p in model.parameters()]
    arrays = [p.data for p in model.parameters()]
    before = [p.data.copy() for p in model.parameters()]
    opt.step()
    for p, g, array, old in zip(model.parameters(), grads, arrays, before):
        np.testing.assert_array_equal(p.grad, g)
        assert p.data is array and p.dtype == np.float32  # updated in place, still float32
        assert not np.array_equal(p.data, old)
        for value in opt.state[p].values():
            if isinstance(value, np.ndarray):
                assert value.dtype == np.float32


def test_parameters_without_grad_are_skipped():
    a, b = mg.tensor([1.0, 2.0], requires_grad=True), mg.tensor([3.0], requires_grad=True)
    opt = optim.Adam([a, b], lr=0.1)
    a.grad = np.ones(2, dtype=np.float32)
    opt.step()
    assert b.data[0] == 3.0 and b not in opt.state
    assert not np.array_equal(a.data, [1.0, 2.0])


def test_zero_grad_sets_none():
    p = mg.ones(2, requires_grad=True)
    opt = optim.SGD([p], lr=0.1)
    p.grad = np.ones(2)
    opt.zero_grad()
    assert p.grad is None


def test_parameter_groups():
    a, b = mg.zeros(2, requires_grad=True), mg.zeros(2, requires_grad=True)
    opt = optim.SGD([{"params": [a]}, {"params": [b], "lr": 1.0, "momentum": 0.5}], lr=0.1)
    assert opt.param_groups[0]["lr"] == 0.1 and opt.param_groups[0]["momentum"] == 0.0
    assert opt.param_groups[1]["lr"] == 1.0 and opt.param_groups[1]["momentum"] == 0.5
    for _ in range(2):
        a.grad = np.ones(2, dtype=np.float32)
        b.grad = np.ones(2, dtype=np.float32)
        opt.step()
    np.testing.assert_allclose(a.data, [-0.2, -0.2])
    np.testing.assert_allclose(b.data, [-(1 + 1.5), -(1 + 1.5)])  # buf: 1, then 0.5·1 + 1
    opt.param_groups[0]["lr"] = 0.0  # what schedulers do
    a.grad = np.ones(2, dtype=np.float32)
    opt.step()
    np.testing.assert_allclose(a.data, [-0.2, -0.2])


def test_parameter_list_errors():
    p = mg.ones(2, requires_grad=True)
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.Adam([])
    with pytest.raises(ValueError, match="more than once"):
        optim.Adam([p, p])
    with pytest.raises(ValueError, match="more than once"):
        optim.Adam([{"params": [p]}, {"params": [p]}])
    with pytest.raises(ValueError, match="requires grad"):
        optim.Adam([mg.ones(2)])
    with pytest.raises(TypeError, match="must be Tensors"):
        optim.Adam([np.ones(2)])
    assert len(optim.SGD(iter([p]), lr=0.1).param_groups[0]["params"]) == 1  # generators work too


@pytest.mark.parametrize(
    "make, argument",
    [
        (lambda p: optim.SGD(p, lr=-0.1), "lr"),
        (lambda p: optim.SGD(p, momentum=-0.5), "momentum"),
        (lambda p: optim.SGD(p, nesterov=True), "nesterov"),
        (lambda p: optim.SGD(p, momentum=0.9, dampening=0.1, nesterov=True), "nesterov"),
        (lambda p: optim.SGD(p, weight_decay=-1.0), "weight_decay"),
        (lambda p: optim.Adam(p, betas=(1.0, 0.999)), r"betas\[0\]"),
        (lambda p: optim.Adam(p, betas=(0.9, -0.1)), r"betas\[1\]"),
        (lambda p: optim.Adam(p, eps=-1e-8), "eps"),
        (lambda p: optim.AdamW(p, lr=-1.0), "lr"),
        (lambda p: optim.AdaMax(p, betas=(0.9, 1.5)), r"betas\[1\]"),
        (lambda p: optim.Nadam(p, momentum_decay=-1.0), "momentum_decay"),
        (lambda p: optim.NadaMax(p, betas=(-0.1, 0.9)), r"betas\[0\]"),
        (lambda p: optim.RMSProp(p, alpha=1.0), "alpha"),
        (lambda p: optim.RMSProp(p, initial_accumulator_value=-1.0), "initial_accumulator_value"),
        (lambda p: optim.AdaGrad(p, lr_decay=-0.1), "lr_decay"),
        (lambda p: optim.AdaDelta(p, rho=1.5), "rho"),
    ],
)
def test_invalid_hyperparameters_name_the_argument(make, argument):
    with pytest.raises(ValueError, match=f"invalid {argument}"):
        make([mg.ones(2, requires_grad=True)])


@pytest.mark.parametrize("name, make", ALL, ids=IDS)
def test_resume_from_a_checkpoint_is_bit_identical(tmp_path, name, make):
    def build():
        mg.manual_seed(0)
        model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
        return model, make(model.parameters())

    rng = np.random.default_rng(0)
    batches = [
        (mg.tensor(rng.standard_normal((16, 4)).astype(np.float32)), rng.integers(0, 3, 16))
        for _ in range(20)
    ]

    def train(model, opt, steps):
        for x, y in steps:
            opt.zero_grad()
            nn.functional.cross_entropy(model(x), y).backward()
            opt.step()

    model, opt = build()
    train(model, opt, batches)

    first, first_opt = build()
    train(first, first_opt, batches[:10])
    mg.save({"model": first.state_dict(), "optimizer": first_opt.state_dict()}, tmp_path / "ckpt.npz")
    del first, first_opt

    resumed, resumed_opt = build()
    checkpoint = mg.load(tmp_path / "ckpt.npz")
    resumed.load_state_dict(checkpoint["model"])
    resumed_opt.load_state_dict(checkpoint["optimizer"])
    train(resumed, resumed_opt, batches[10:])
    for (n, a), b in zip(model.state_dict().items(), resumed.state_dict().values()):
        np.testing.assert_array_equal(a, b, err_msg=n)


def test_state_dict_layout_is_pytorchs():
    a, b = mg.zeros(2, requires_grad=True), mg.zeros(3, requires_grad=True)
    opt = optim.Adam([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1)
    a.grad = np.ones(2, dtype=np.float32)
    opt.step()
    sd = opt.state_dict()
    assert sd["param_groups"][0]["params"] == [0] and sd["param_groups"][1]["params"] == [1]
    assert sd["param_groups"][1]["lr"] == 0.5
    assert set(sd["state"]) == {0} and sd["state"][0]["step"] == 1
    sd["state"][0]["exp_avg"][...] = 99  # a copy: the optimizer is not affected
    assert opt.state[a]["exp_avg"][0] != 99
    with pytest.raises(ValueError, match="parameter groups"):
        optim.Adam([a, b]).load_state_dict(sd)


def test_update_rules_are_usable_as_plain_functions():
    param = np.array([1.0, -2.0])
    state = {"step": 1, "exp_avg": np.zeros(2), "exp_avg_sq": np.zeros(2)}
    optim.adam.adam(param, np.array([0.5, 0.5]), state, lr=0.1)
    np.testing.assert_allclose(param, [0.9, -2.1], rtol=1e-6)  # Adam's first step is lr·sign(g)


# -- clip_grad_norm_ ------------------------------------------------------------------------------------


def test_clip_grad_norm():
    a, b = (
        mg.zeros(2, requires_grad=True, dtype=np.float64),
        mg.zeros(1, requires_grad=True, dtype=np.float64),
    )
    a.grad, b.grad = np.array([3.0, 0.0]), np.array([4.0])
    assert clip_grad_norm_([a, b], max_norm=1.0) == pytest.approx(5.0)
    np.testing.assert_allclose(np.concatenate([a.grad, b.grad]), np.array([3, 0, 4]) / (5 + 1e-6))
    a.grad, b.grad = np.array([0.3, 0.0]), np.array([0.4])
    assert clip_grad_norm_([a, b], max_norm=1.0) == pytest.approx(0.5)
    np.testing.assert_allclose(a.grad, [0.3, 0.0])  # below the limit: unchanged
    assert clip_grad_norm_([a, b], max_norm=0.1, norm_type=math.inf) == pytest.approx(0.4)
    assert clip_grad_norm_([mg.zeros(1, requires_grad=True)], 1.0) == 0.0


# -- schedulers -----------------------------------------------------------------------------------------


def _lrs(make_scheduler, epochs=25, lr=0.1):
    opt = optim.SGD([mg.zeros(1, requires_grad=True)], lr=lr)
    scheduler = make_scheduler(opt)
    lrs = [scheduler.get_last_lr()[0]]
    for _ in range(epochs):
        opt.step()
        scheduler.step()
        lrs.append(scheduler.get_last_lr()[0])
        assert opt.param_groups[0]["lr"] == lrs[-1]
    return lrs


SCHEDULERS = [
    ("StepLR", lambda o: lr_scheduler.StepLR(o, step_size=5, gamma=0.5), lambda e: 0.1 * 0.5 ** (e // 5)),
    ("ExponentialLR", lambda o: lr_scheduler.ExponentialLR(o, gamma=0.9), lambda e: 0.1 * 0.9**e),
    (
        "CosineAnnealingLR",
        lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=10, eta_min=0.01),
        lambda e: 0.01 + 0.5 * (0.1 - 0.01) * (1 + math.cos(math.pi * e / 10)),
    ),
    (
        "LinearLR",
        lambda o: lr_scheduler.LinearLR(o, start_factor=0.25, total_iters=4),
        lambda e: 0.1 * (0.25 + 0.75 * min(e, 4) / 4),
    ),
]


@pytest.mark.parametrize("name, make, closed_form", SCHEDULERS, ids=[s[0] for s in SCHEDULERS])
def test_scheduler_follows_its_closed_form(name, make, closed_form):
    np.testing.assert_allclose(_lrs(make), [closed_form(e) for e in range(26)], rtol=1e-12)


@pytest.mark.parametrize("name, make, closed_form", SCHEDULERS, ids=[s[0] for s in SCHEDULERS])
def test_scheduler_matches_torch(name, make, closed_form):
    torch = pytest.importorskip("torch")
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=0.1)
    scheduler = getattr(torch.optim.lr_scheduler, name)(opt, **_torch_kwargs(name))
    theirs = [scheduler.get_last_lr()[0]]
    for _ in range(25):
        opt.step()
        scheduler.step()
        theirs.append(scheduler.get_last_lr()[0])
    assert _lrs(make) == theirs  # the same recursive formulas: equal to the last bit


def _torch_kwargs(name):
    return {
        "StepLR": dict(step_size=5, gamma=0.5),
        "ExponentialLR": dict(gamma=0.9),
        "CosineAnnealingLR": dict(T_max=10, eta_min=0.01),
        "LinearLR": dict(start_factor=0.25, total_iters=4),
    }[name]


def test_scheduler_with_parameter_groups_and_errors():
    a, b = mg.zeros(1, requires_grad=True), mg.zeros(1, requires_grad=True)
    opt = optim.SGD([{"params": [a]}, {"params": [b], "lr": 1.0}], lr=0.1)
    scheduler = lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    scheduler.step()
    assert scheduler.get_last_lr() == [0.05, 0.5]
    with pytest.raises(ValueError, match="step_size"):
        lr_scheduler.StepLR(opt, step_size=0)
    with pytest.raises(ValueError, match="T_max"):
        lr_scheduler.CosineAnnealingLR(opt, T_max=0)


@pytest.mark.parametrize(
    "cls",
    [
        optim.SGD,
        optim.Momentum,
        optim.Nesterov,
        optim.AdaGrad,
        optim.RMSProp,
        optim.AdaDelta,
        optim.Adam,
        optim.AdamW,
        optim.AdaMax,
        optim.Nadam,
        optim.NadaMax,
    ],
)
def test_every_optimizer_documents_equation_source_and_defaults(cls):
    import re
    import sys

    doc = cls.__doc__
    module_doc = sys.modules[cls.__module__].__doc__
    assert "θ ←" in doc, "the update equation"
    assert re.search(
        r"\[(Four-step notes|Adam post|yorhaha notes|SJTU slides|Ten optimizers)\]", doc + module_doc
    ), "which source document it comes from (docs/sources.md)"
    assert "torch" in doc.lower() or "PyTorch" in doc, "how the defaults relate to PyTorch"
    assert "Default" in doc or "default" in doc


@pytest.mark.parametrize("name, make", ALL, ids=IDS)
def test_zero_learning_rate_leaves_parameters_unchanged(name, make):
    p = mg.tensor(np.array([1.0, -2.0, 3.0]), requires_grad=True)
    opt = make([p])
    for group in opt.param_groups:
        group["lr"] = 0.0
    for _ in range(3):
        p.grad = np.array([0.5, -0.5, 2.0])
        opt.step()
    np.testing.assert_array_equal(p.data, [1.0, -2.0, 3.0])

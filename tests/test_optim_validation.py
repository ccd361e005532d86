"""Bad settings are refused when an optimizer, a scheduler or clip_grad_norm_ is made or called, with
the argument's name in the message: wrong types and lengths (TypeError / ValueError, as PyTorch), and
values that would silently reverse the gradient."""

import inspect

import numpy as np
import pytest

import minigrad as mg
from minigrad import optim
from minigrad.nn.utils import clip_grad_norm_
from minigrad.optim import lr_scheduler

CLASSES = [optim.SGD, optim.Momentum, optim.Nesterov, optim.AdaGrad, optim.RMSProp, optim.AdaDelta, optim.Adam, optim.AdamW, optim.AdaMax, optim.Nadam,
           optim.NadaMax]  # fmt: skip


def _param():
    return mg.ones(2, requires_grad=True)


@pytest.mark.parametrize("cls", CLASSES, ids=[c.__name__ for c in CLASSES])
@pytest.mark.parametrize("bad", ["0.1", None, True, [0.1]])
def test_a_number_of_the_wrong_type_is_refused(cls, bad):
    for name, parameter in inspect.signature(cls).parameters.items():
        if isinstance(parameter.default, float):
            with pytest.raises(TypeError, match=f"invalid {name} = .*must be a number"):
                cls([_param()], **{name: bad})


@pytest.mark.parametrize("cls", CLASSES, ids=[c.__name__ for c in CLASSES])
def test_a_switch_must_be_true_or_false(cls):
    for name, parameter in inspect.signature(cls).parameters.items():
        if isinstance(parameter.default, bool):
            with pytest.raises(TypeError, match=f"invalid {name} = 1: must be True or False"):
                cls([_param()], **{name: 1})


@pytest.mark.parametrize(
    "betas, error, message",
    [
        ((0.9, 0.99, 0.999), ValueError, r"betas = \(0.9, 0.99, 0.999\): must be a pair .* got 3 values"),
        ((0.9,), ValueError, "got 1 values"),
        (0.9, TypeError, "betas = 0.9: must be a pair"),
        (("0.9", 0.999), TypeError, r"betas\[0\] = '0.9': must be a number"),
        ((0.9, None), TypeError, r"betas\[1\] = None: must be a number"),
        ((0.9, 1.0), ValueError, r"betas\[1\] = 1.0: must be in \[0, 1\)"),
    ],
)
@pytest.mark.parametrize("cls", [optim.Adam, optim.AdamW, optim.AdaMax, optim.Nadam, optim.NadaMax])
def test_betas_must_be_a_pair_of_numbers(cls, betas, error, message):
    with pytest.raises(error, match=message):
        cls([_param()], betas=betas)


def test_betas_given_as_a_list_are_stored_as_a_tuple():
    assert optim.Adam([_param()], betas=[0.8, 0.9]).param_groups[0]["betas"] == (0.8, 0.9)


def test_a_parameter_group_is_checked_too():
    with pytest.raises(TypeError, match="invalid lr = '1'"):
        optim.SGD([{"params": [_param()], "lr": "1"}], lr=0.1)
    opt = optim.SGD([_param()], lr=0.1)
    with pytest.raises(ValueError, match="invalid momentum = -1"):
        opt.add_param_group({"params": [_param()], "momentum": -1})


def test_numpy_numbers_and_integers_are_numbers():
    opt = optim.Adam(
        [_param()], lr=np.float32(0.01), betas=(np.float64(0.9), 0.999), eps=0, amsgrad=np.bool_(True)
    )
    assert opt.param_groups[0]["lr"] == np.float32(0.01)


# -- schedulers ----------------------------------------------------------------------------------------------


def _opt():
    return optim.SGD([_param()], lr=0.1)


@pytest.mark.parametrize(
    "make, error, argument",
    [
        (lambda o: lr_scheduler.StepLR(o, step_size=2, gamma=-0.5), ValueError, "gamma"),
        (lambda o: lr_scheduler.StepLR(o, step_size=2.5), TypeError, "step_size"),
        (lambda o: lr_scheduler.StepLR(o, step_size=0), ValueError, "step_size"),
        (lambda o: lr_scheduler.StepLR(o, step_size=2, gamma="0.5"), TypeError, "gamma"),
        (lambda o: lr_scheduler.ExponentialLR(o, gamma=-0.9), ValueError, "gamma"),
        (lambda o: lr_scheduler.ExponentialLR(o, gamma=None), TypeError, "gamma"),
        (lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=10, eta_min=-0.01), ValueError, "eta_min"),
        (lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=10.0), TypeError, "T_max"),
        (lambda o: lr_scheduler.LinearLR(o, start_factor=-0.5), ValueError, "start_factor"),
        (lambda o: lr_scheduler.LinearLR(o, end_factor=-1.0), ValueError, "end_factor"),
        (lambda o: lr_scheduler.LinearLR(o, total_iters=0), ValueError, "total_iters"),
        (lambda o: lr_scheduler.StepLR(o, step_size=2, last_epoch=-2), ValueError, "last_epoch"),
        (lambda o: lr_scheduler.StepLR(o, step_size=2, last_epoch=1.0), TypeError, "last_epoch"),
    ],
)
def test_invalid_scheduler_arguments_are_refused(make, error, argument):
    opt = _opt()
    with pytest.raises(error, match=f"invalid {argument} = "):
        make(opt)
    assert opt.param_groups[0]["lr"] == 0.1


def test_a_scheduler_needs_an_optimizer_and_initial_lr_to_resume():
    with pytest.raises(TypeError, match="expected an optimizer"):
        lr_scheduler.StepLR([_param()], step_size=1)
    with pytest.raises(KeyError, match="initial_lr"):
        lr_scheduler.StepLR(_opt(), step_size=1, last_epoch=4)


def test_gamma_zero_is_allowed_as_in_pytorch():
    """γ = 0 does not reverse a step: the rate drops to 0 at the first decay and stays there."""
    opt = _opt()
    step_lr = lr_scheduler.StepLR(opt, step_size=2, gamma=0.0)
    rates = [step_lr.get_last_lr()[0]]
    for _ in range(4):
        step_lr.step()
        rates.append(step_lr.get_last_lr()[0])
    assert rates == [0.1, 0.1, 0.0, 0.0, 0.0]
    exponential = lr_scheduler.ExponentialLR(optim.SGD([_param()], lr=0.1), gamma=0.0)
    exponential.step()
    assert exponential.get_last_lr() == [0.0]


def _stepped(make, epochs=3):
    opt = optim.SGD([{"params": [_param()]}, {"params": [_param()], "lr": 1.0}], lr=0.1)
    scheduler = make(opt)
    for _ in range(epochs):
        scheduler.step()
    return scheduler


STEP_LR = lambda o: lr_scheduler.StepLR(o, step_size=2, gamma=0.5)


def test_scheduler_state_round_trip_through_a_checkpoint(tmp_path):
    """As in PyTorch, the rates live in the optimizer's groups: a resume loads both state dicts."""
    first = _stepped(STEP_LR)
    mg.save(
        {"optimizer": first.optimizer.state_dict(), "scheduler": first.state_dict()}, tmp_path / "ckpt.npz"
    )
    resumed = _stepped(STEP_LR, epochs=0)
    checkpoint = mg.load(tmp_path / "ckpt.npz")
    resumed.optimizer.load_state_dict(checkpoint["optimizer"])
    resumed.load_state_dict(checkpoint["scheduler"])
    assert resumed.state_dict() == first.state_dict() and resumed.last_epoch == 3
    for _ in range(3):
        first.step()
        resumed.step()
        assert resumed.get_last_lr() == first.get_last_lr()


@pytest.mark.parametrize(
    "change, error, named",
    [
        (lambda sd: [1, 2], TypeError, "expected a dict"),
        (lambda sd: {k: v for k, v in sd.items() if k != "gamma"}, KeyError, "gamma"),
        (
            lambda sd: _stepped(lambda o: lr_scheduler.ExponentialLR(o, gamma=0.9)).state_dict(),
            KeyError,
            "step_size",
        ),
        (lambda sd: dict(sd, gamma=-0.5), ValueError, "invalid gamma = -0.5"),
        (lambda sd: dict(sd, step_size=2.5), TypeError, "invalid step_size = 2.5"),
        (lambda sd: dict(sd, last_epoch=-3), ValueError, "invalid last_epoch = -3"),
        (lambda sd: dict(sd, base_lrs=[0.1]), ValueError, "base_lrs"),
        (lambda sd: dict(sd, _last_lr=[0.1, "1"]), ValueError, "_last_lr"),
        (lambda sd: dict(sd, _last_lr=[0.1, -1.0]), ValueError, "_last_lr"),
        (lambda sd: dict(sd, _initial=None), TypeError, "_initial"),
    ],
)
def test_loading_a_bad_scheduler_state_changes_nothing(change, error, named):
    scheduler = _stepped(STEP_LR)
    before = scheduler.state_dict()
    with pytest.raises(error, match=named):
        scheduler.load_state_dict(change(scheduler.state_dict()))
    assert scheduler.state_dict() == before


# -- clip_grad_norm_ ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, error, argument",
    [
        (dict(max_norm=-1.0), ValueError, "max_norm"),
        (dict(max_norm=float("nan")), ValueError, "max_norm"),
        (dict(max_norm="1"), TypeError, "max_norm"),
        (dict(max_norm=None), TypeError, "max_norm"),
        (dict(max_norm=1.0, norm_type=0), ValueError, "norm_type"),
        (dict(max_norm=1.0, norm_type=-2.0), ValueError, "norm_type"),
    ],
)
def test_clip_grad_norm_refuses_a_negative_max_norm(kwargs, error, argument):
    p = _param()
    p.grad = np.array([3.0, 4.0], dtype=np.float32)
    with pytest.raises(error, match=f"invalid {argument} = "):
        clip_grad_norm_([p], **kwargs)
    np.testing.assert_array_equal(p.grad, [3.0, 4.0])  # untouched, not reversed


# -- one way to declare an update rule -----------------------------------------------------------------------


@pytest.mark.parametrize("cls", CLASSES, ids=[c.__name__ for c in CLASSES])
def test_every_optimizer_declares_its_rule_through_update_rule(cls):
    """Each class says (rule, keyword arguments) in `update_rule`; the rule is a plain function of
    (param, grad, state) in an optim module, and takes exactly the keywords it is given."""
    opt = cls([_param()])
    rule, hyperparameters = opt.update_rule(opt.param_groups[0])
    assert inspect.isfunction(rule) and rule.__module__.startswith("minigrad.optim.")
    assert list(inspect.signature(rule).parameters)[:3] == ["param", "grad", "state"]
    inspect.signature(rule).bind(np.zeros(2), np.zeros(2), {}, **hyperparameters)
    assert "rule" not in vars(cls), "no second way (a `rule` attribute)"


@pytest.mark.parametrize(
    "mine, theirs",
    [("Adam", "Adam"), ("AdamW", "AdamW"), ("Nadam", "NAdam"), ("AdaMax", "Adamax"), ("SGD", "SGD")],
)
def test_positional_arguments_are_in_pytorchs_order(mine, theirs):
    """Code written for torch.optim passes its positional arguments to the same hyperparameters here."""
    torch = pytest.importorskip("torch")

    def positional(cls):
        kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
        return [
            n for n, p in inspect.signature(cls).parameters.items() if p.kind is kind and n != "foreach"
        ]  # no foreach here

    assert positional(getattr(optim, mine)) == positional(getattr(torch.optim, theirs))


@pytest.mark.parametrize("cls, decoupled", [(optim.Adam, False), (optim.AdamW, True), (optim.Nadam, False)])
def test_a_state_dict_from_before_eps_hat_and_decoupled_decay_still_loads(cls, decoupled):
    """State dicts saved before these hyperparameters existed lack them; they load with the old meaning."""
    p = _param()
    opt = cls([p], lr=0.01)
    p.grad = np.ones(2, dtype=np.float32)
    opt.step()
    old = opt.state_dict()
    for group in old["param_groups"]:
        del group["eps_hat"], group["decoupled_weight_decay"]
    fresh = cls([_param()], lr=0.5)
    fresh.load_state_dict(old)
    assert fresh.param_groups[0]["lr"] == 0.01
    assert (
        fresh.param_groups[0]["eps_hat"] is False
        and fresh.param_groups[0]["decoupled_weight_decay"] is decoupled
    )

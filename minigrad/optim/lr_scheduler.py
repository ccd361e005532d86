"""Learning-rate schedules, with PyTorch's semantics: create the scheduler after the optimizer, call
`scheduler.step()` once per epoch after `optimizer.step()`, and read the rates with `get_last_lr()`.

Each scheduler writes `group["lr"]` in the optimizer's parameter groups. The updates are PyTorch's
"chainable" recursive forms (each new rate computed from the current one), so the rates agree with
PyTorch's to the last bit.
"""

import copy
import math
import numbers

from minigrad.optim.optimizer import Optimizer


def _is_rate(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and 0 <= value < math.inf


def _require(scheduler: str, name: str, value, kind, condition, requirement: str):
    """Refuse an argument of the wrong type (TypeError) or value (ValueError), naming it. A scheduler
    that silently accepted, say, a negative γ would flip the sign of the rate, and so of every step."""
    is_kind = isinstance(value, numbers.Integral if kind is int else numbers.Real) and not isinstance(
        value, bool
    )
    if not is_kind:
        raise TypeError(
            f"{scheduler}: invalid {name} = {value!r}: must be {'an integer' if kind is int else 'a number'}"
        )
    if not condition(value):
        raise ValueError(f"{scheduler}: invalid {name} = {value!r}: {requirement}")


NEGATIVE_GAMMA = "must be ≥ 0 (a negative γ would reverse the steps)"


class LRScheduler:
    def __init__(self, optimizer, last_epoch: int = -1):
        name = type(self).__name__
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{name}: expected an optimizer, got {type(optimizer).__name__}")
        _require(name, "last_epoch", last_epoch, int, lambda e: e >= -1, "must be ≥ -1")
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        elif any("initial_lr" not in group for group in optimizer.param_groups):
            raise KeyError(f"{name}: resuming at last_epoch = {last_epoch} needs 'initial_lr' in every parameter group "
                           "(set when a scheduler was first made for this optimizer)")  # fmt: skip
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._initial = True  # the constructor's own step sets the rates for epoch 0
        self.step()
        self._initial = False

    def get_lr(self) -> list:
        """The rate of every group for epoch `last_epoch`, computed from the current rates."""
        raise NotImplementedError

    def step(self) -> None:
        """Advance one epoch and write the new rates into the optimizer."""
        self.last_epoch += 1
        for group, lr in zip(self.optimizer.param_groups, self.get_lr()):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def get_last_lr(self) -> list:
        """The rates the last `step()` set, one per parameter group."""
        return list(self._last_lr)

    def _current(self) -> list:
        return [group["lr"] for group in self.optimizer.param_groups]

    def check_settings(self) -> None:
        """Refuse a setting of the subclass's (in the constructor, and in a state dict being loaded)."""

    def state_dict(self) -> dict:
        return {k: v for k, v in vars(self).items() if k != "optimizer"}

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore what `state_dict()` returned, for a scheduler of the same type over an optimizer with
        as many parameter groups. Every entry is checked before anything changes; an error names it."""
        name = type(self).__name__
        if not isinstance(state_dict, dict):
            raise TypeError(f"{name}.load_state_dict: expected a dict, got {type(state_dict).__name__}")
        mine = self.state_dict()
        missing, unexpected = sorted(mine.keys() - state_dict.keys()), sorted(state_dict.keys() - mine.keys())
        if missing or unexpected:
            raise KeyError(f"{name}.load_state_dict: missing entries {missing}, unexpected entries {unexpected} "
                           "(is it the state of another kind of scheduler?)")  # fmt: skip
        groups = len(self.optimizer.param_groups)
        for key in ("base_lrs", "_last_lr"):
            rates = state_dict[key]
            if not (isinstance(rates, (list, tuple)) and len(rates) == groups and all(map(_is_rate, rates))):
                raise ValueError(f"{name}.load_state_dict: invalid {key} = {rates!r}: must be {groups} "
                                 "learning rate(s) ≥ 0, one per parameter group")  # fmt: skip
        trial = copy.copy(self)
        vars(trial).update(state_dict)
        _require(name, "last_epoch", trial.last_epoch, int, lambda e: e >= 0, "must be ≥ 0")
        if not isinstance(trial._initial, bool):
            raise TypeError(
                f"{name}.load_state_dict: invalid _initial = {trial._initial!r}: must be True or False"
            )
        trial.check_settings()
        vars(self).update(state_dict)
        self.base_lrs, self._last_lr = list(self.base_lrs), list(self._last_lr)


class StepLR(LRScheduler):
    """lr = base_lr · γ^⌊epoch / step_size⌋: multiply by γ every `step_size` epochs."""

    def __init__(self, optimizer, step_size: int, gamma: float = 0.1, last_epoch: int = -1):
        self.step_size, self.gamma = step_size, gamma
        self.check_settings()
        super().__init__(optimizer, last_epoch)

    def check_settings(self):
        _require("StepLR", "step_size", self.step_size, int, lambda n: n >= 1, "must be ≥ 1")
        _require("StepLR", "gamma", self.gamma, float, lambda g: g >= 0, NEGATIVE_GAMMA)

    def get_lr(self):
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return self._current()
        return [lr * self.gamma for lr in self._current()]


class ExponentialLR(LRScheduler):
    """lr = base_lr · γ^epoch: multiply by γ every epoch."""

    def __init__(self, optimizer, gamma: float, last_epoch: int = -1):
        self.gamma = gamma
        self.check_settings()
        super().__init__(optimizer, last_epoch)

    def check_settings(self):
        _require("ExponentialLR", "gamma", self.gamma, float, lambda g: g >= 0, NEGATIVE_GAMMA)

    def get_lr(self):
        if self._initial:
            return self._current()
        return [lr * self.gamma for lr in self._current()]


class CosineAnnealingLR(LRScheduler):
    """lr = η_min + ½(base_lr − η_min)(1 + cos(π·epoch/T_max)): half a cosine from base_lr down to η_min
    over T_max epochs (SGDR without restarts, Loshchilov & Hutter 2017); it rises again after T_max."""

    def __init__(self, optimizer, T_max: int, eta_min: float = 0.0, last_epoch: int = -1):
        self.T_max, self.eta_min = T_max, eta_min
        self.check_settings()
        super().__init__(optimizer, last_epoch)

    def check_settings(self):
        _require("CosineAnnealingLR", "T_max", self.T_max, int, lambda n: n >= 1, "must be ≥ 1")
        _require("CosineAnnealingLR", "eta_min", self.eta_min, float, lambda e: e >= 0,
                 "must be ≥ 0 (a negative rate reverses the steps)")  # fmt: skip

    def get_lr(self):
        epoch, T_max, eta_min = self.last_epoch, self.T_max, self.eta_min
        if self._initial:
            return self._current()
        if (epoch - 1 - T_max) % (2 * T_max) == 0:
            return [
                lr + (base - eta_min) * (1 - math.cos(math.pi / T_max)) / 2
                for lr, base in zip(self._current(), self.base_lrs)
            ]
        ratio = (1 + math.cos(math.pi * epoch / T_max)) / (1 + math.cos(math.pi * (epoch - 1) / T_max))
        return [ratio * (lr - eta_min) + eta_min for lr in self._current()]


class LinearLR(LRScheduler):
    """lr = base_lr · f, with f going linearly from start_factor to end_factor over total_iters epochs
    (a warm-up when start_factor < 1), then staying at end_factor."""

    def __init__(
        self,
        optimizer,
        start_factor: float = 1.0 / 3,
        end_factor: float = 1.0,
        total_iters: int = 5,
        last_epoch: int = -1,
    ):
        self.start_factor, self.end_factor, self.total_iters = start_factor, end_factor, total_iters
        self.check_settings()
        super().__init__(optimizer, last_epoch)

    def check_settings(self):
        _require(
            "LinearLR", "start_factor", self.start_factor, float, lambda f: 0 < f <= 1, "must be in (0, 1]"
        )
        _require("LinearLR", "end_factor", self.end_factor, float, lambda f: 0 <= f <= 1, "must be in [0, 1]")
        _require("LinearLR", "total_iters", self.total_iters, int, lambda n: n >= 1, "must be ≥ 1")

    def get_lr(self):
        if self.last_epoch == 0:
            return [lr * self.start_factor for lr in self._current()]
        if self._initial or self.last_epoch > self.total_iters:
            return self._current()
        start, end = self.start_factor, self.end_factor
        factor = 1.0 + (end - start) / (self.total_iters * start + (self.last_epoch - 1) * (end - start))
        return [lr * factor for lr in self._current()]

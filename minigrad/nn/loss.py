"""Loss functions, each one fused node: a per-element loss ℓᵢ and its local gradient ∂ℓᵢ/∂inputᵢ.

`reduction` picks what is returned: "mean" (Σℓᵢ / count), "sum" (Σℓᵢ) or "none" (every ℓᵢ). The
reduction and its backward (scale by 1/count, or pass the per-element gradient through) are written
once, in `LossFunction`; each loss only states ℓ and ∂ℓ.
"""

import numpy as np

from minigrad.function import Function
from minigrad.nn.module import Module
from minigrad.tensor import Tensor

REDUCTIONS = ("mean", "sum", "none")


class LossFunction(Function):
    """Base of the losses: `forward` reduces `self.elementwise(...)`; `backward` scales `self.local_grads()`."""

    __slots__ = ("reduction", "count")

    def forward(self, input, target, reduction="mean"):
        losses = self.elementwise(input, target)
        self.reduction, self.count = reduction, losses.size
        if reduction == "none":
            return losses
        total = np.add.reduce(losses, axis=None)  # (ndarray.sum/mean add a Python-level wrapper)
        return total / self.count if reduction == "mean" else total

    def backward(self, grad):
        if self.reduction == "mean":
            scale = grad / self.count
        elif self.reduction == "sum":
            scale = grad
        else:
            scale = self.per_sample(grad)
        grad_input, grad_target = self.local_grads(*self.needs_grad)
        return (
            grad_input * scale if grad_input is not None else None,
            grad_target * scale if grad_target is not None else None,
        )

    def per_sample(self, grad):
        """How a "none"-reduction gradient (the shape of ℓ) lines up with the local gradients."""
        return grad

    def elementwise(self, input, target):
        raise NotImplementedError

    def local_grads(self, need_input: bool, need_target: bool):
        raise NotImplementedError


def _check_same_shape(op: str, input, target) -> None:
    # A (N, 1) prediction against an (N,) target would silently broadcast to (N, N): a classic bug.
    if input.shape != target.shape:
        raise ValueError(f"{op}: input shape {input.shape} and target shape {target.shape} differ")


class MSELossFunction(LossFunction):
    """ℓ = (x - y)²;  ∂ℓ/∂x = 2(x - y), ∂ℓ/∂y = -2(x - y)."""

    __slots__ = ("diff",)
    name = "mse_loss"

    def elementwise(self, input, target):
        _check_same_shape(self.name, input, target)
        self.diff = input - target
        return self.diff * self.diff

    def local_grads(self, need_input, need_target):
        return (2 * self.diff if need_input else None), (-2 * self.diff if need_target else None)


class L1LossFunction(LossFunction):
    """ℓ = |x - y|;  ∂ℓ/∂x = sign(x - y), ∂ℓ/∂y = -sign(x - y)."""

    __slots__ = ("diff",)
    name = "l1_loss"

    def elementwise(self, input, target):
        _check_same_shape(self.name, input, target)
        self.diff = input - target
        return np.abs(self.diff)

    def local_grads(self, need_input, need_target):
        sign = np.sign(self.diff)
        return (sign if need_input else None), (-sign if need_target else None)


class BCELossFunction(LossFunction):
    """ℓ = -(y·log p + (1 - y)·log(1 - p)), each log clamped at -100 as PyTorch does (so p = 0 or 1
    gives a large finite loss, not inf);  ∂ℓ/∂p = (p - y) / max(p(1 - p), 1e-12)."""

    __slots__ = ("p", "y", "log_p", "log_1mp")
    name = "binary_cross_entropy"

    def elementwise(self, input, target):
        _check_same_shape(self.name, input, target)
        if input.size and (input.min() < 0 or input.max() > 1):
            raise ValueError(
                f"{self.name}: input must hold probabilities in [0, 1] (use the _with_logits loss for logits)"
            )
        self.p, self.y = input, target
        with np.errstate(divide="ignore"):
            self.log_p = np.maximum(np.log(input), -100)
            self.log_1mp = np.maximum(np.log1p(-input), -100)
        return -(target * self.log_p + (1 - target) * self.log_1mp)

    def local_grads(self, need_input, need_target):
        p, y = self.p, self.y
        grad_p = (p - y) / np.maximum(p * (1 - p), 1e-12) if need_input else None
        grad_y = (self.log_1mp - self.log_p) if need_target else None
        return grad_p, grad_y


class BCEWithLogitsLossFunction(LossFunction):
    """ℓ = -(y·log σ(x) + (1 - y)·log(1 - σ(x))), computed stably as max(x, 0) - x·y + log(1 + e^-|x|);
    ∂ℓ/∂x = σ(x) - y, ∂ℓ/∂y = -x."""

    __slots__ = ("x", "y")
    name = "binary_cross_entropy_with_logits"

    def elementwise(self, input, target):
        _check_same_shape(self.name, input, target)
        self.x, self.y = input, target
        return np.maximum(input, 0) - input * target + np.log1p(np.exp(-np.abs(input)))

    def local_grads(self, need_input, need_target):
        sigmoid = None
        if need_input:
            with np.errstate(over="ignore"):
                sigmoid = 1 / (1 + np.exp(-self.x))
        return (sigmoid - self.y if need_input else None), (-self.x if need_target else None)


def _class_indices(op: str, input, target) -> np.ndarray:
    """Check (N, C) scores against (N,) integer class indices in [0, C)."""
    if input.ndim != 2:
        raise ValueError(f"{op}: expected input of shape (N, C), got {input.shape}")
    if target.dtype.kind not in "iu":
        raise ValueError(f"{op}: target must hold integer class indices, got dtype {target.dtype}")
    if target.shape != input.shape[:1]:
        raise ValueError(
            f"{op}: target of shape {target.shape} does not match input of shape {input.shape}: expected ({input.shape[0]},)"
        )
    classes = input.shape[1]
    if target.size and (np.minimum.reduce(target) < 0 or np.maximum.reduce(target) >= classes):
        bad = target[(target < 0) | (target >= classes)][0]
        raise ValueError(f"{op}: class index {bad} is out of range for {classes} classes")
    return target


class CrossEntropyFunction(LossFunction):
    """ℓₙ = -log softmax(xₙ)[yₙ] = logsumexp(xₙ) - xₙ[yₙ]  (shifted by max(xₙ), so ±1000 is fine);
    ∂ℓₙ/∂xₙ = softmax(xₙ) - one_hot(yₙ)."""

    __slots__ = ("exp", "norm", "target", "rows")
    name = "cross_entropy"

    def elementwise(self, input, target):
        self.target = _class_indices(self.name, input, target)
        shifted = input - np.maximum.reduce(input, axis=1, keepdims=True)
        self.exp = np.exp(shifted)
        self.norm = np.add.reduce(self.exp, axis=1, keepdims=True)
        self.rows = np.arange(len(target))
        return np.log(self.norm[:, 0]) - shifted[self.rows, target]

    def local_grads(self, need_input, need_target):
        grad = self.exp / self.norm  # softmax, from the forward pass's exponentials
        grad[self.rows, self.target] -= 1
        return grad, None

    def per_sample(self, grad):
        return grad[:, None]


class NLLLossFunction(LossFunction):
    """ℓₙ = -xₙ[yₙ] for log-probabilities x;  ∂ℓₙ/∂xₙ = -one_hot(yₙ)."""

    __slots__ = ("shape", "dtype", "target")
    name = "nll_loss"

    def elementwise(self, input, target):
        self.target = _class_indices(self.name, input, target)
        self.shape, self.dtype = input.shape, input.dtype
        return -input[np.arange(len(target)), target]

    def local_grads(self, need_input, need_target):
        grad = np.zeros(self.shape, dtype=self.dtype)
        grad[np.arange(len(self.target)), self.target] = -1
        return grad, None

    def per_sample(self, grad):
        return grad[:, None]


def _loss(function, input, target, reduction):
    if reduction not in REDUCTIONS:
        raise ValueError(f"{function.name}: reduction must be one of {REDUCTIONS}, got {reduction!r}")
    if not isinstance(target, Tensor):
        target = np.asarray(target)
    return function.apply(input, target, reduction=reduction)


def mse_loss(input, target, reduction="mean"):
    """Mean squared error: (input - target)², reduced."""
    return _loss(MSELossFunction, input, target, reduction)


def l1_loss(input, target, reduction="mean"):
    """Mean absolute error: |input - target|, reduced."""
    return _loss(L1LossFunction, input, target, reduction)


def binary_cross_entropy(input, target, reduction="mean"):
    """Binary cross-entropy of probabilities `input` against targets in [0, 1]."""
    return _loss(BCELossFunction, input, target, reduction)


def binary_cross_entropy_with_logits(input, target, reduction="mean"):
    """Binary cross-entropy of σ(input), computed from the logits without overflow."""
    return _loss(BCEWithLogitsLossFunction, input, target, reduction)


def cross_entropy(input, target, reduction="mean"):
    """Softmax cross-entropy of raw logits (N, C) against integer class indices (N,)."""
    return _loss(CrossEntropyFunction, input, target, reduction)


def nll_loss(input, target, reduction="mean"):
    """Negative log-likelihood of log-probabilities (N, C) (e.g. from log_softmax) at class indices (N,)."""
    return _loss(NLLLossFunction, input, target, reduction)


class _Loss(Module):
    function = None

    def __init__(self, reduction: str = "mean"):
        super().__init__()
        if reduction not in REDUCTIONS:
            raise ValueError(
                f"{type(self).__name__}: reduction must be one of {REDUCTIONS}, got {reduction!r}"
            )
        self.reduction = reduction

    def forward(self, input, target):
        return _loss(self.function, input, target, self.reduction)

    def extra_repr(self) -> str:
        return "" if self.reduction == "mean" else f"reduction={self.reduction!r}"


class MSELoss(_Loss):
    function = MSELossFunction


class L1Loss(_Loss):
    function = L1LossFunction


class BCELoss(_Loss):
    function = BCELossFunction


class BCEWithLogitsLoss(_Loss):
    function = BCEWithLogitsLossFunction


class CrossEntropyLoss(_Loss):
    function = CrossEntropyFunction


class NLLLoss(_Loss):
    function = NLLLossFunction

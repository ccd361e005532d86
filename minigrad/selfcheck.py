"""Every differentiable op of the engine and every fused layer and loss of `minigrad.nn`, gradchecked
on small float64 inputs.

`minigrad check` runs this table to show that an installation computes correct gradients, and the
test suite runs the same table. Shapes are chosen to exercise broadcasting, dim and keepdim
variants, 1-D matmul operands, repeated integer indices and boolean masks.
"""

import numpy as np

import minigrad as mg
import minigrad.nn.functional as F
from minigrad.nn.linear import LinearReLUFunction

_LABELS = np.array([0, 3, 1, 1, 2])

# (name, function, input shapes, "normal" or "positive" inputs)
CASES = [
    ("add", lambda a, b: a + b, [(3, 4), (4,)], "normal"),
    ("add scalar", lambda a: 2.5 + a, [(3,)], "normal"),
    ("sub", lambda a, b: a - b, [(2, 1, 3), (4, 1)], "normal"),
    ("rsub scalar", lambda a: 1 - a, [(3,)], "normal"),
    ("mul", lambda a, b: a * b, [(3, 4), (3, 1)], "normal"),
    ("div", lambda a, b: a / b, [(3, 4), (4,)], "positive"),
    ("rdiv scalar", lambda a: 2.0 / a, [(3,)], "positive"),
    ("pow scalar", lambda a: a**3, [(3, 2)], "normal"),
    ("pow fractional", lambda a: a**0.5, [(3, 2)], "positive"),
    ("pow tensor", lambda a, b: a**b, [(3, 2), (2,)], "positive"),
    ("rpow", lambda a: 2.0**a, [(4,)], "normal"),
    ("neg", lambda a: -a, [(2, 3)], "normal"),
    ("matmul 2d", lambda a, b: a @ b, [(3, 4), (4, 2)], "normal"),
    ("matmul batched", lambda a, b: a @ b, [(2, 3, 4), (4, 5)], "normal"),
    ("matmul broadcast batch", lambda a, b: a @ b, [(2, 1, 3, 4), (3, 4, 2)], "normal"),
    ("matmul vector-matrix", lambda a, b: a @ b, [(4,), (4, 3)], "normal"),
    ("matmul matrix-vector", lambda a, b: a @ b, [(3, 4), (4,)], "normal"),
    ("matmul vector-vector", lambda a, b: a @ b, [(4,), (4,)], "normal"),
    ("exp", lambda a: a.exp(), [(3, 4)], "normal"),
    ("log", lambda a: a.log(), [(3, 4)], "positive"),
    ("sqrt", lambda a: a.sqrt(), [(3, 4)], "positive"),
    ("abs", lambda a: a.abs(), [(3, 4)], "normal"),
    ("tanh", lambda a: a.tanh(), [(3, 4)], "normal"),
    ("sigmoid", lambda a: a.sigmoid(), [(3, 4)], "normal"),
    ("relu", lambda a: a.relu(), [(3, 4)], "normal"),
    ("clamp", lambda a: a.clamp(-0.5, 0.5), [(4, 5)], "normal"),
    ("clamp min only", lambda a: a.clamp(min=0.1), [(4, 5)], "normal"),
    ("sum all", lambda a: a.sum(), [(3, 4)], "normal"),
    ("sum dim", lambda a: a.sum(dim=1), [(3, 4, 2)], "normal"),
    ("sum dims keepdim", lambda a: a.sum(dim=(0, 2), keepdim=True), [(3, 4, 2)], "normal"),
    ("sum negative dim", lambda a: a.sum(dim=-1), [(3, 4)], "normal"),
    ("mean all", lambda a: a.mean(), [(3, 4)], "normal"),
    ("mean dim keepdim", lambda a: a.mean(dim=0, keepdim=True), [(3, 4)], "normal"),
    ("mean dims", lambda a: a.mean(dim=(1, 2)), [(2, 3, 4)], "normal"),
    ("max all", lambda a: a.max(), [(3, 4)], "normal"),
    ("max dim", lambda a: a.max(dim=1).values, [(3, 4)], "normal"),
    ("amax dim", lambda a: a.amax(dim=1), [(3, 4)], "normal"),
    ("amax dims keepdim", lambda a: a.amax(dim=(0, 2), keepdim=True), [(2, 3, 4)], "normal"),
    ("min dim", lambda a: a.min(dim=0).values, [(3, 4)], "normal"),
    ("amin dim", lambda a: a.amin(dim=0), [(3, 4)], "normal"),
    ("logsumexp all", lambda a: a.logsumexp(dim=(0, 1)), [(3, 4)], "normal"),
    ("logsumexp dim", lambda a: a.logsumexp(dim=1), [(3, 4)], "normal"),
    ("logsumexp keepdim", lambda a: a.logsumexp(dim=0, keepdim=True), [(3, 4)], "normal"),
    ("softmax", lambda a: a.softmax(), [(3, 5)], "normal"),
    ("softmax dim 0", lambda a: a.softmax(dim=0), [(3, 5)], "normal"),
    ("log_softmax", lambda a: a.log_softmax(), [(3, 5)], "normal"),
    ("log_softmax dim 1 of 3", lambda a: a.log_softmax(dim=1), [(2, 3, 4)], "normal"),
    ("reshape", lambda a: a.reshape(4, 3), [(3, 4)], "normal"),
    ("reshape tuple -1", lambda a: a.reshape((2, -1)), [(3, 4)], "normal"),
    ("transpose", lambda a: a.transpose(0, 2), [(3, 4, 2)], "normal"),
    ("permute", lambda a: a.permute(1, 2, 0), [(3, 4, 2)], "normal"),
    ("T", lambda a: a.T, [(3, 4)], "normal"),
    ("flatten", lambda a: a.flatten(), [(2, 3, 4)], "normal"),
    ("gather", lambda a: a.gather(1, np.array([[0, 2, 2], [1, 0, 3], [3, 3, 0]])), [(3, 4)], "normal"),
    ("max dim keepdim", lambda a: a.max(dim=0, keepdim=True).values, [(3, 4)], "normal"),
    ("var dim", lambda a: a.var(dim=1), [(3, 4)], "normal"),
    ("std all", lambda a: a.std(), [(3, 4)], "normal"),
    ("norm", lambda a: a.norm(), [(3, 4)], "normal"),
    ("norm dim keepdim", lambda a: a.norm(dim=1, keepdim=True), [(3, 4)], "normal"),
    ("clone", lambda a: a.clone() * 2, [(3, 4)], "normal"),
    ("flatten start_dim", lambda a: a.flatten(1), [(2, 3, 4)], "normal"),
    ("unsqueeze squeeze", lambda a: a.unsqueeze(1).squeeze(), [(3, 4)], "normal"),
    ("index int", lambda a: a[1], [(3, 4)], "normal"),
    ("index slice", lambda a: a[1:, ::2], [(3, 4)], "normal"),
    ("index None ellipsis", lambda a: a[None, ..., 1], [(3, 4)], "normal"),
    ("index negative step", lambda a: a[::-1, -1], [(3, 4)], "normal"),
    ("index repeated ints", lambda a: a[np.array([0, 2, 0, 0])], [(3, 4)], "normal"),
    ("index int arrays pair", lambda a: a[np.array([0, 1, 1]), np.array([2, 2, 3])], [(3, 4)], "normal"),
    ("index list", lambda a: a[[1, 1, 2]], [(3, 4)], "normal"),
    ("index mask", lambda a: a[a.data > 0], [(3, 4)], "normal"),
    ("index row mask", lambda a: a[np.array([True, False, True])], [(3, 4)], "normal"),
    ("cat", lambda a, b: mg.cat([a, b], dim=1), [(2, 3), (2, 2)], "normal"),
    ("cat dim 0", lambda a, b, c: mg.cat([a, b, c]), [(1, 3), (2, 3), (1, 3)], "normal"),
    ("stack", lambda a, b: mg.stack([a, b], dim=1), [(2, 3), (2, 3)], "normal"),
    ("stack last dim", lambda a, b: mg.stack([a, b], dim=-1), [(2, 3), (2, 3)], "normal"),
    ("where", lambda a, b: mg.where(a.data > 0, a, b), [(3, 4), (4,)], "normal"),
    ("maximum", lambda a, b: mg.maximum(a, b), [(3, 4), (3, 1)], "normal"),
    ("composite", lambda a, b: ((a @ b).relu().sum(dim=1) / 3.0).exp().mean(), [(4, 3), (3, 5)], "normal"),
    # minigrad.nn: the fused layers and losses
    ("linear", lambda x, w, b: F.linear(x, w, b), [(5, 4), (3, 4), (3,)], "normal"),
    ("linear 3-d input", lambda x, w: F.linear(x, w), [(2, 5, 4), (3, 4)], "normal"),
    (
        "linear_relu (fused)",
        lambda x, w, b: LinearReLUFunction.apply(x, w, b),
        [(5, 4), (3, 4), (3,)],
        "normal",
    ),
    ("conv2d", lambda x, w, b: F.conv2d(x, w, b), [(2, 3, 5, 5), (4, 3, 3, 3), (4,)], "normal"),
    (
        "conv2d stride padding",
        lambda x, w: F.conv2d(x, w, stride=2, padding=1),
        [(2, 2, 6, 7), (3, 2, 3, 2)],
        "normal",
    ),
    ("max_pool2d", lambda x: F.max_pool2d(x, 2), [(2, 3, 4, 6)], "normal"),
    ("max_pool2d overlapping", lambda x: F.max_pool2d(x, 3, stride=1), [(1, 2, 5, 5)], "normal"),
    ("avg_pool2d", lambda x: F.avg_pool2d(x, (2, 3), stride=(2, 1)), [(2, 2, 5, 6)], "normal"),
    ("leaky_relu", lambda x: F.leaky_relu(x, 0.1), [(3, 4)], "normal"),
    ("cross_entropy", lambda z: F.cross_entropy(z, _LABELS), [(5, 4)], "normal"),
    ("cross_entropy none", lambda z: F.cross_entropy(z, _LABELS, reduction="none"), [(5, 4)], "normal"),
    ("nll_loss", lambda z: F.nll_loss(z.log_softmax(), _LABELS, reduction="sum"), [(5, 4)], "normal"),
    ("mse_loss", lambda x, y: F.mse_loss(x, y), [(4, 3), (4, 3)], "normal"),
    ("l1_loss", lambda x, y: F.l1_loss(x, y, reduction="sum"), [(4, 3), (4, 3)], "normal"),
    (
        "binary_cross_entropy",
        lambda p: F.binary_cross_entropy(p / 2.5, mg.tensor(np.full((4, 3), 0.3))),
        [(4, 3)],
        "positive",
    ),
    (
        "binary_cross_entropy_with_logits",
        lambda x, y: F.binary_cross_entropy_with_logits(x, y / 2),
        [(4, 3), (4, 3)],
        "positive",
    ),
]


def make_inputs(shapes, kind: str, rng: np.random.Generator) -> list:
    """float64 leaf tensors of the given shapes: standard normal, or in [0.5, 2] for "positive"."""
    inputs = []
    for shape in shapes:
        data = rng.uniform(0.5, 2.0, shape) if kind == "positive" else rng.standard_normal(shape)
        inputs.append(mg.tensor(data, requires_grad=True))
    return inputs


def run(seed: int = 0) -> list:
    """Gradcheck every case; returns [(name, error message or None)]."""
    rng = np.random.default_rng(seed)
    results = []
    for name, fn, shapes, kind in CASES:
        try:
            mg.gradcheck(fn, make_inputs(shapes, kind, rng))
            results.append((name, None))
        except Exception as error:  # report every failing op, not just the first
            results.append((name, f"{type(error).__name__}: {error}"))
    return results

"""Values and gradients against PyTorch, when it is installed (skipped otherwise)."""

import numpy as np
import pytest

import minigrad as mg

torch = pytest.importorskip("torch")

# (name, minigrad function, torch function, input shapes, "normal" or "positive")
CASES = [
    ("add broadcast", lambda a, b: a + b, lambda a, b: a + b, [(3, 4), (4,)], "normal"),
    ("sub broadcast", lambda a, b: a - b, lambda a, b: a - b, [(2, 1, 3), (4, 1)], "normal"),
    ("mul broadcast", lambda a, b: a * b, lambda a, b: a * b, [(3, 4), (3, 1)], "normal"),
    ("div", lambda a, b: a / b, lambda a, b: a / b, [(3, 4), (4,)], "positive"),
    ("rdiv", lambda a: 2.0 / a, lambda a: 2.0 / a, [(5,)], "positive"),
    ("pow scalar", lambda a: a**3, lambda a: a**3, [(3, 2)], "normal"),
    ("pow tensor", lambda a, b: a**b, lambda a, b: a**b, [(3, 2), (2,)], "positive"),
    ("rpow", lambda a: 2.0**a, lambda a: 2.0**a, [(4,)], "normal"),
    ("matmul", lambda a, b: a @ b, lambda a, b: a @ b, [(3, 4), (4, 2)], "normal"),
    ("matmul batched broadcast", lambda a, b: a @ b, lambda a, b: a @ b, [(2, 1, 3, 4), (3, 4, 2)], "normal"),
    ("matmul vectors", lambda a, b: a @ b, lambda a, b: a @ b, [(4,), (4, 3)], "normal"),
    ("exp", lambda a: a.exp(), lambda a: a.exp(), [(3, 4)], "normal"),
    ("log", lambda a: a.log(), lambda a: a.log(), [(3, 4)], "positive"),
    ("sqrt", lambda a: a.sqrt(), lambda a: a.sqrt(), [(3, 4)], "positive"),
    ("abs", lambda a: a.abs(), lambda a: a.abs(), [(3, 4)], "normal"),
    ("tanh", lambda a: a.tanh(), lambda a: a.tanh(), [(3, 4)], "normal"),
    ("sigmoid", lambda a: a.sigmoid(), lambda a: a.sigmoid(), [(3, 4)], "normal"),
    ("relu", lambda a: a.relu(), lambda a: a.relu(), [(3, 4)], "normal"),
    ("clip", lambda a: a.clip(-0.5, 0.5), lambda a: a.clamp(-0.5, 0.5), [(4, 5)], "normal"),
    ("sum axes", lambda a: a.sum(axis=(0, 2)), lambda a: a.sum(dim=(0, 2)), [(3, 4, 2)], "normal"),
    (
        "mean keepdims",
        lambda a: a.mean(axis=1, keepdims=True),
        lambda a: a.mean(dim=1, keepdim=True),
        [(3, 4)],
        "normal",
    ),
    ("max all", lambda a: a.max(), lambda a: a.max(), [(3, 4)], "normal"),
    ("amax dim", lambda a: a.amax(dim=1), lambda a: a.amax(dim=1), [(3, 4)], "normal"),
    ("max dim values", lambda a: a.max(dim=1).values, lambda a: a.max(dim=1).values, [(3, 4)], "normal"),
    ("min dim values", lambda a: a.min(0)[0], lambda a: a.min(0)[0], [(3, 4)], "normal"),
    ("amin dims", lambda a: a.amin(dim=(0, 1)), lambda a: a.amin(dim=(0, 1)), [(3, 4, 2)], "normal"),
    ("logsumexp", lambda a: a.logsumexp(dim=1), lambda a: a.logsumexp(dim=1), [(3, 4)], "normal"),
    ("softmax", lambda a: a.softmax(dim=0), lambda a: a.softmax(dim=0), [(3, 5)], "normal"),
    ("std dim", lambda a: a.std(dim=1), lambda a: a.std(dim=1), [(3, 4)], "normal"),
    ("var all", lambda a: a.var(), lambda a: a.var(), [(3, 4)], "normal"),
    (
        "var keepdim",
        lambda a: a.var(0, keepdim=True, correction=0),
        lambda a: a.var(0, keepdim=True, correction=0),
        [(3, 4)],
        "normal",
    ),
    ("norm", lambda a: a.norm(), lambda a: a.norm(), [(3, 4)], "normal"),
    ("norm dim", lambda a: a.norm(dim=1), lambda a: a.norm(dim=1), [(3, 4)], "normal"),
    (
        "clone double",
        lambda a: (a.clone() * 2).float().double(),
        lambda a: (a.clone() * 2).float().double(),
        [(3,)],
        "normal",
    ),
    ("log_softmax", lambda a: a.log_softmax(), lambda a: a.log_softmax(dim=-1), [(3, 5)], "normal"),
    ("reshape", lambda a: a.reshape(4, 3), lambda a: a.reshape(4, 3), [(3, 4)], "normal"),
    ("permute", lambda a: a.permute(2, 0, 1), lambda a: a.permute(2, 0, 1), [(3, 4, 2)], "normal"),
    ("transpose", lambda a: a.transpose(0, 2), lambda a: a.transpose(0, 2), [(3, 4, 2)], "normal"),
    ("t", lambda a: a.t(), lambda a: a.t(), [(3, 4)], "normal"),
    ("index tuple repeated", lambda a: a[(0, 0), (1, 1)], lambda a: a[(0, 0), (1, 1)], [(3, 4)], "normal"),
    ("flatten", lambda a: a.flatten(1), lambda a: a.flatten(1), [(2, 3, 4)], "normal"),
    (
        "index repeated",
        lambda a: a[np.array([0, 2, 0])],
        lambda a: a[torch.tensor([0, 2, 0])],
        [(3, 4)],
        "normal",
    ),
    ("index slices", lambda a: a[1:, ::2], lambda a: a[1:, ::2], [(3, 4)], "normal"),
    (
        "concatenate",
        lambda a, b: mg.concatenate([a, b], axis=1),
        lambda a, b: torch.cat([a, b], dim=1),
        [(2, 3), (2, 2)],
        "normal",
    ),
    (
        "stack",
        lambda a, b: mg.stack([a, b], axis=1),
        lambda a, b: torch.stack([a, b], dim=1),
        [(2, 3), (2, 3)],
        "normal",
    ),
    ("maximum", lambda a, b: mg.maximum(a, b), lambda a, b: torch.maximum(a, b), [(3, 4), (3, 4)], "normal"),
]


@pytest.mark.parametrize("name, mg_fn, torch_fn, shapes, kind", CASES, ids=[c[0] for c in CASES])
def test_values_and_gradients_match_torch(name, mg_fn, torch_fn, shapes, kind):
    rng = np.random.default_rng(7)
    arrays = [rng.uniform(0.5, 2.0, s) if kind == "positive" else rng.standard_normal(s) for s in shapes]
    mg_inputs = [mg.tensor(a, requires_grad=True) for a in arrays]
    torch_inputs = [torch.tensor(a, requires_grad=True) for a in arrays]
    mg_out, torch_out = mg_fn(*mg_inputs), torch_fn(*torch_inputs)
    np.testing.assert_allclose(mg_out.data, torch_out.detach().numpy(), rtol=1e-12, atol=1e-14)
    upstream = rng.standard_normal(mg_out.shape)
    mg_out.backward(upstream)
    torch_out.backward(torch.tensor(upstream))
    for mine, theirs in zip(mg_inputs, torch_inputs):
        np.testing.assert_allclose(mine.grad, theirs.grad.numpy(), rtol=1e-12, atol=1e-14)


def test_ties_split_the_gradient_like_torch():
    values = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]])
    for mg_fn, torch_fn in [
        (lambda a: a.max(), lambda a: a.max()),
        (lambda a: a.amax(dim=1), lambda a: a.amax(dim=1)),
        (lambda a: a.max(dim=1).values, lambda a: a.max(dim=1).values),  # all to the first maximum
        (
            lambda a: mg.maximum(a, mg.tensor(np.full((2, 3), 2.0))),
            lambda a: torch.maximum(a, torch.full((2, 3), 2.0, dtype=torch.float64)),
        ),
        (lambda a: (a - 2).abs(), lambda a: (a - 2).abs()),
        (lambda a: (a - 2).relu(), lambda a: (a - 2).relu()),
        (lambda a: a.clamp(2.0, 3.0), lambda a: a.clamp(2.0, 3.0)),
    ]:
        x = mg.tensor(values, requires_grad=True)
        t = torch.tensor(values, requires_grad=True)
        mg_fn(x).sum().backward()
        torch_fn(t).sum().backward()
        np.testing.assert_allclose(x.grad, t.grad.numpy())


def test_float32_results_match_torch_closely():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((8, 16)).astype(np.float32), rng.standard_normal((16, 4)).astype(np.float32)
    x, w = mg.tensor(a, requires_grad=True), mg.tensor(b, requires_grad=True)
    tx, tw = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    (x @ w).tanh().log_softmax().sum().backward()
    (tx @ tw).tanh().log_softmax(dim=-1).sum().backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_allclose(x.grad, tx.grad.numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(w.grad, tw.grad.numpy(), rtol=1e-5, atol=1e-6)

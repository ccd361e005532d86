"""Backward semantics: accumulation, retain_grad, no_grad, dtypes, depth, memory, and errors."""

import gc
import tracemalloc

import numpy as np
import pytest

import minigrad as mg


def test_leaves_accumulate_until_cleared():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    (x * 3).sum().backward()
    (x * x).sum().backward()
    np.testing.assert_allclose(x.grad, [3 + 2, 3 + 4])
    x.grad = None
    (x * 3).sum().backward()
    np.testing.assert_allclose(x.grad, [3, 3])


def test_backward_twice_on_the_same_graph_adds_twice():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    y.backward()
    np.testing.assert_allclose(x.grad, [4, 8])


def test_intermediates_keep_no_grad_unless_retained():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    h = x * 2
    kept = (x + 1).retain_grad()
    ((h * kept).sum()).backward()
    assert h.grad is None
    np.testing.assert_allclose(kept.grad, h.data)
    np.testing.assert_allclose(x.grad, 2 * (x.data + 1) + 2 * x.data)


def test_retained_grad_accumulates_too():
    x = mg.tensor([1.0], requires_grad=True)
    y = (x * 2).retain_grad()
    z = y * 3
    z.backward()
    z.backward()
    np.testing.assert_allclose(y.grad, [6.0])


def test_shared_gradient_arrays_are_never_aliased():
    """Add hands the same gradient array to both inputs; the leaves must not share it."""
    a = mg.tensor([1.0, 2.0], requires_grad=True)
    b = mg.tensor([3.0, 4.0], requires_grad=True)
    (a + b).sum().backward()
    assert a.grad is not b.grad
    a.grad += 10
    np.testing.assert_allclose(b.grad, [1, 1])
    (a + b).sum().backward()
    np.testing.assert_allclose(a.grad, [12, 12])
    np.testing.assert_allclose(b.grad, [2, 2])


def test_explicit_output_gradient_is_not_modified():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    y = x + 0
    g = np.array([1.0, 1.0], dtype=np.float32)
    y.backward(g)
    x.grad += 5
    np.testing.assert_array_equal(g, [1, 1])


def test_a_tensor_used_twice_gets_both_contributions():
    x = mg.tensor(3.0, requires_grad=True)
    y = x * x * x  # d/dx x³ = 3x² = 27
    y.backward()
    assert x.grad == pytest.approx(27.0)


def test_vector_jacobian_product_with_explicit_grad():
    x = mg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * x
    y.backward(mg.tensor([1.0, 0.0, 2.0]))
    np.testing.assert_allclose(x.grad, [2, 0, 12])


def test_broadcast_gradients_reduce_to_the_operand_shape():
    w = mg.tensor(np.ones((1, 3)), requires_grad=True)
    b = mg.tensor(2.0, requires_grad=True, dtype=np.float64)
    x = mg.tensor(np.arange(12.0).reshape(4, 3))
    (x * w + b).sum().backward()
    assert w.grad.shape == (1, 3) and b.grad.shape == ()
    np.testing.assert_allclose(w.grad, x.data.sum(axis=0, keepdims=True))
    assert b.grad == 12


def test_gradients_have_the_tensors_dtype():
    x32 = mg.tensor([1.0, 2.0], requires_grad=True)
    x64 = mg.tensor(np.array([1.0, 2.0]), requires_grad=True)
    (x32 * x64).sum().backward()  # the product is float64
    assert x32.grad.dtype == np.float32 and x64.grad.dtype == np.float64
    y = mg.randn(3, 3, requires_grad=True)
    (y @ y).softmax().log().sum().backward()
    assert y.grad.dtype == np.float32


def test_constants_and_non_grad_inputs_record_nothing():
    x = mg.ones(3)
    y = x * 2 + 1
    assert not y.requires_grad and y._ctx is None
    w = mg.ones(3, requires_grad=True)
    with mg.no_grad():
        z = w * 2
    assert not z.requires_grad and z._ctx is None


def test_branches_without_grad_are_skipped():
    w = mg.tensor([1.0, 2.0], requires_grad=True)
    c = mg.tensor([5.0, 6.0])
    (w * c).sum().backward()
    assert c.grad is None
    np.testing.assert_allclose(w.grad, [5, 6])


def test_deep_chain_has_no_recursion_limit():
    x = mg.tensor(1.0, requires_grad=True, dtype=np.float64)
    y = x
    for _ in range(100_000):
        y = y * 1.0 + 0.0
    y.backward()
    assert x.grad == 1.0
    del y  # freeing a 100,000-deep graph must not overflow the stack either
    gc.collect()


def test_topological_order_is_deterministic():
    from minigrad.autograd import topological_order

    def build():
        mg.manual_seed(0)
        a = mg.randn(3, requires_grad=True)
        b = mg.randn(3, requires_grad=True)
        c = a * b
        return (c + a).exp() * (c - b), a, b

    out, a, b = build()
    order = [type(t._ctx).__name__ if t._ctx else ("a" if t is a else "b") for t in topological_order(out)]
    out2, a2, b2 = build()
    order2 = [type(t._ctx).__name__ if t._ctx else ("a" if t is a2 else "b") for t in topological_order(out2)]
    assert order == order2
    assert order[0] == "Mul" and set(order[-2:]) == {"a", "b"}


def test_memory_does_not_grow_over_many_iterations():
    """The graph is freed when the output goes away: 10,000 forward/backward steps of a tiny MLP."""
    mg.manual_seed(0)
    w1 = mg.randn(8, 16, requires_grad=True)
    w2 = mg.randn(16, 1, requires_grad=True)
    x = mg.randn(4, 8)

    def step():
        loss = ((x @ w1).relu() @ w2).tanh().mean()
        loss.backward()
        w1.grad = None
        w2.grad = None

    for _ in range(200):  # warm-up: caches, free lists
        step()
    gc.collect()
    tracemalloc.start()
    try:
        step()
        baseline = tracemalloc.get_traced_memory()[0]
        for _ in range(10_000):
            step()
        gc.collect()
        growth = tracemalloc.get_traced_memory()[0] - baseline
    finally:
        tracemalloc.stop()
    assert growth < 64 * 1024, f"memory grew by {growth} bytes over 10,000 steps"


# -- errors ---------------------------------------------------------------------------------------------


def test_backward_on_a_tensor_without_grad():
    with pytest.raises(RuntimeError, match="does not require grad"):
        mg.ones(2).sum().backward()


def test_backward_needs_a_scalar_or_a_grad():
    x = mg.ones(2, 3, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"one element.*\(2, 3\)"):
        (x * 2).backward()
    with pytest.raises(ValueError, match=r"\(3,\).*\(2, 3\)"):
        (x * 2).backward(np.ones(3))


def test_retain_grad_needs_requires_grad():
    with pytest.raises(RuntimeError, match="does not require grad"):
        mg.ones(2).retain_grad()


def test_requires_grad_cannot_be_switched_off_mid_graph():
    y = mg.ones(2, requires_grad=True) * 2
    with pytest.raises(RuntimeError, match="leaf"):
        y.requires_grad = False

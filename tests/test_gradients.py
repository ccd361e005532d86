"""Every op's gradient against finite differences (float64), on fixed cases and hypothesis-drawn shapes."""

import zlib

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minigrad as mg
from minigrad import selfcheck


@pytest.mark.parametrize("name, fn, shapes, kind", selfcheck.CASES, ids=[c[0] for c in selfcheck.CASES])
def test_op_gradcheck(name, fn, shapes, kind):
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    assert mg.gradcheck(fn, selfcheck.make_inputs(shapes, kind, rng))


def test_every_public_op_has_a_case():
    """The table must cover every differentiable method and function of the API."""
    names = " ".join(c[0] for c in selfcheck.CASES)
    for op in [
        "add", "sub", "mul", "div", "pow", "rpow", "neg", "matmul", "exp", "log", "sqrt", "abs", "tanh",
        "sigmoid", "relu", "clamp", "sum", "mean", "max", "min", "logsumexp", "softmax", "log_softmax",
        "reshape", "transpose", "permute", "flatten", "gather", "var", "std", "norm", "clone", "index", "mask", "cat", "stack", "where", "maximum",
        "linear", "conv2d", "max_pool2d", "avg_pool2d", "leaky_relu", "cross_entropy", "nll_loss", "mse_loss",
        "l1_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits",
    ]:  # fmt: skip
        assert op in names, f"no gradcheck case for {op}"


def test_selfcheck_reports_all_ok():
    assert all(error is None for _, error in selfcheck.run(seed=1))


# -- hypothesis: shapes and broadcasting ----------------------------------------------------------------

float_elements = st.floats(-3, 3, allow_nan=False, allow_infinity=False, width=64)


@st.composite
def broadcastable_pair(draw):
    shape_a, shape_b = draw(
        hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3)
    ).input_shapes
    a = draw(hnp.arrays(np.float64, shape_a, elements=float_elements))
    b = draw(hnp.arrays(np.float64, shape_b, elements=float_elements))
    return a, b


@given(broadcastable_pair(), st.sampled_from(["add", "sub", "mul", "maximum"]))
def test_broadcast_binary_ops(pair, op):
    a, b = (mg.tensor(x, requires_grad=True) for x in pair)
    if op == "maximum":
        b = mg.tensor(pair[1] + 0.01, requires_grad=True)  # keep clear of ties, where max has no derivative
        if np.any(np.abs(np.subtract(*np.broadcast_arrays(pair[0], b.data))) < 1e-4):
            return
    fn = {
        "add": lambda a, b: a + b,
        "sub": lambda a, b: a - b,
        "mul": lambda a, b: a * b,
        "maximum": mg.maximum,
    }[op]
    assert mg.gradcheck(fn, [a, b])
    out = fn(a, b)
    assert out.shape == np.broadcast_shapes(a.shape, b.shape)


@given(broadcastable_pair())
def test_broadcast_division(pair):
    a = mg.tensor(pair[0], requires_grad=True)
    b = mg.tensor(np.abs(pair[1]) + 0.5, requires_grad=True)
    assert mg.gradcheck(lambda a, b: a / b, [a, b])


@st.composite
def array_and_axis(draw):
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=4, max_side=4))
    # Distinct values at least 0.01 apart: max/min have no derivative where two elements tie.
    data = draw(
        hnp.arrays(np.float64, shape, elements=st.integers(-300, 300).map(lambda k: k / 100), unique=True)
    )
    axis = draw(
        st.none() | hnp.valid_tuple_axes(len(shape), min_size=1) | st.integers(-len(shape), len(shape) - 1)
    )
    return data, axis, draw(st.booleans())


@given(array_and_axis(), st.sampled_from(["sum", "mean", "amax", "amin", "logsumexp"]))
def test_reductions_over_any_axes(case, op):
    data, axis, keepdims = case
    x = mg.tensor(data, requires_grad=True)
    out = getattr(x, op)(dim=axis, keepdim=keepdims)
    reference = {"sum": np.sum, "mean": np.mean, "amax": np.max, "amin": np.min}.get(op)
    if reference is not None:
        np.testing.assert_allclose(out.data, reference(data, axis=axis, keepdims=keepdims))
    assert mg.gradcheck(lambda t: getattr(t, op)(dim=axis, keepdim=keepdims), [x])


@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=3, max_side=4), elements=float_elements))
def test_softmax_rows_sum_to_one_and_gradcheck(data):
    x = mg.tensor(data, requires_grad=True)
    np.testing.assert_allclose(x.softmax().data.sum(axis=-1), 1.0)
    np.testing.assert_allclose(x.log_softmax().exp().data, x.softmax().data, rtol=1e-12)
    assert mg.gradcheck(lambda t: t.softmax(dim=0), [x])
    assert mg.gradcheck(lambda t: t.log_softmax(axis=-1), [x])


@given(
    st.integers(1, 4).flatmap(
        lambda n: st.tuples(st.just(n), st.lists(st.integers(-n, n - 1), min_size=1, max_size=6))
    )
)
def test_repeated_integer_indices_accumulate(case):
    n, picks = case
    x = mg.tensor(np.arange(float(n)) + 1.0, requires_grad=True)
    x[np.array(picks)].sum().backward()
    expected = np.zeros(n)
    np.add.at(expected, np.array(picks), 1.0)
    np.testing.assert_array_equal(x.grad, expected)


# -- gradcheck itself ----------------------------------------------------------------------------------


def test_gradcheck_catches_a_wrong_backward():
    from minigrad.function import Function

    class WrongSquare(Function):
        __slots__ = ("a",)

        def forward(self, a):
            self.a = a
            return a * a

        def backward(self, grad):
            return (grad * 3 * self.a,)  # should be 2a

    x = mg.tensor([1.0, -2.0, 0.5], dtype=np.float64, requires_grad=True)
    with pytest.raises(mg.GradcheckError) as info:
        mg.gradcheck(lambda t: WrongSquare.apply(t).sum(), [x])
    message = str(info.value)
    assert "input 0" in message and "index (1,)" in message  # |3a - 2a| is largest at a = -2
    assert "analytic gradient -6" in message and "numerical -4" in message


def test_gradcheck_converts_float32_inputs_and_restores_float64_ones():
    x32 = mg.randn(3, requires_grad=True)
    assert mg.gradcheck(lambda t: (t * t).sum(), [x32])
    assert x32.grad is None and x32.dtype == np.float32
    x64 = mg.randn(3, dtype=np.float64, requires_grad=True)
    x64.grad = np.full(3, 7.0)
    before = x64.data.copy()
    assert mg.gradcheck(lambda t: t.exp(), [x64])
    np.testing.assert_array_equal(x64.data, before)
    np.testing.assert_array_equal(x64.grad, np.full(3, 7.0))


def test_gradcheck_samples_large_inputs_and_handles_tuples():
    x = mg.randn(50, 50, dtype=np.float64, requires_grad=True)
    assert mg.gradcheck(lambda t: (t.tanh(), t.sum(axis=0)), [x], max_elements=30)


def test_gradcheck_needs_an_input_that_requires_grad():
    with pytest.raises(ValueError, match="nothing to check"):
        mg.gradcheck(lambda t: t * 2, [mg.ones(2)])

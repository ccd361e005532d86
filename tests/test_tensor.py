"""The Tensor API: construction, dtypes, attributes, comparisons, creation functions, randomness."""

import numpy as np
import pytest

import minigrad as mg

# -- construction and dtypes --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data, dtype",
    [
        (1.5, np.float32),
        ([1.0, 2.0], np.float32),
        ([[1, 2.5], [3, 4]], np.float32),
        (3, np.int64),
        ([1, 2, 3], np.int64),
        (True, np.bool_),
        (np.array([1.0, 2.0]), np.float64),
        (np.array([1.0], dtype=np.float16), np.float16),
        (np.array([1, 2], dtype=np.int32), np.int32),
    ],
)
def test_dtype_rules(data, dtype):
    assert mg.tensor(data).dtype == dtype


def test_default_dtype_switch():
    assert mg.get_default_dtype() == np.float32
    mg.set_default_dtype(np.float64)
    assert mg.tensor(1.0).dtype == np.float64
    assert mg.zeros(2).dtype == np.float64
    assert mg.randn(2).dtype == np.float64
    assert mg.tensor(np.ones(2, dtype=np.float32)).dtype == np.float32  # arrays keep theirs
    with pytest.raises(TypeError, match="floating-point"):
        mg.set_default_dtype(np.int32)


def test_explicit_dtype_and_copy():
    source = np.array([1.0, 2.0])
    t = mg.Tensor(source, dtype=np.float32)
    assert t.dtype == np.float32
    t2 = mg.tensor(source)
    source[0] = 99.0
    assert t2.data[0] == 1.0  # data is copied, as torch.tensor does


def test_integer_tensors_cannot_require_grad():
    with pytest.raises(TypeError, match="int64"):
        mg.tensor([1, 2], requires_grad=True)
    t = mg.tensor([1, 2])
    with pytest.raises(TypeError):
        t.requires_grad = True
    with pytest.raises(TypeError):
        mg.arange(3, requires_grad=True)


def test_unsupported_data_is_an_error():
    with pytest.raises(TypeError, match="cannot make a tensor"):
        mg.tensor("abc")


def test_attributes():
    t = mg.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    assert (
        t.shape == (2, 3)
        and t.ndim == 2
        and t.numel() == 6
        and t.size() == (2, 3)
        and t.size(1) == 3
        and t.dtype == np.float64
    )
    assert t.requires_grad and t.is_leaf and t.grad is None
    assert t.T.shape == (3, 2)
    assert len(t) == 2
    assert t.numpy() is t.data
    assert mg.tensor([[2.5]]).item() == 2.5
    with pytest.raises(ValueError, match="one element"):
        t.item()


def test_data_is_writable_in_place():
    t = mg.zeros(2, 2, requires_grad=True)
    t.data[...] = np.array([[1, 2], [3, 4]])
    np.testing.assert_array_equal(t.data, [[1, 2], [3, 4]])
    assert t.dtype == np.float32


def test_grad_is_assignable_and_checked():
    t = mg.zeros(3, requires_grad=True)
    t.grad = np.ones(3)
    assert t.grad.dtype == np.float32  # cast to the tensor's dtype
    t.grad = None
    assert t.grad is None
    with pytest.raises(ValueError, match=r"\(2,\).*\(3,\)"):
        t.grad = np.ones(2)


def test_detach_shares_data_and_drops_graph():
    x = mg.ones(3, requires_grad=True)
    y = x * 2
    d = y.detach()
    assert not d.requires_grad and d.is_leaf
    assert d.data is y.data


def test_repr():
    assert repr(mg.tensor([1.0, 2.0])) == "tensor([1., 2.])"
    assert repr(mg.tensor([1.0], requires_grad=True)) == "tensor([1.], requires_grad=True)"
    assert repr(mg.tensor(np.array([1.0]))) == "tensor([1.], dtype=float64)"
    assert "grad_fn=Mul" in repr(mg.tensor([1.0], requires_grad=True) * 2)


def test_bool_and_number_conversion():
    assert bool(mg.tensor([1.0]))
    assert float(mg.tensor(2.5)) == 2.5 and int(mg.tensor(3)) == 3
    with pytest.raises(ValueError):
        bool(mg.tensor([1.0, 2.0]))


# -- operators -----------------------------------------------------------------------------------------


def test_python_numbers_on_either_side():
    x = mg.tensor([1.0, 2.0, 4.0])
    np.testing.assert_allclose((2 + x).data, [3, 4, 6])
    np.testing.assert_allclose((2 - x).data, [1, 0, -2])
    np.testing.assert_allclose((2 * x).data, [2, 4, 8])
    np.testing.assert_allclose((2 / x).data, [2, 1, 0.5])
    np.testing.assert_allclose((2**x).data, [2, 4, 16])
    np.testing.assert_allclose((x**2).data, [1, 4, 16])
    np.testing.assert_allclose((-x).data, [-1, -2, -4])
    assert (x * 2.5).dtype == np.float32  # Python numbers don't promote float32
    assert (x * np.float64(2.5)).dtype == np.float32  # nor do NumPy scalars, as in PyTorch


def test_ndarray_on_the_left_calls_tensor_ops():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    y = np.array([3.0, 4.0], dtype=np.float32) * x
    assert isinstance(y, mg.Tensor) and y.requires_grad
    z = np.ones((2, 2), dtype=np.float32) @ x
    assert isinstance(z, mg.Tensor)


def test_comparisons_return_boolean_tensors_outside_the_graph():
    x = mg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    for result, expected in [
        (x < 2, [True, False, False]),
        (x <= 2, [True, True, False]),
        (x > 2, [False, False, True]),
        (x >= 2, [False, True, True]),
        (x == 2, [False, True, False]),
        (x != 2, [True, False, True]),
        (x < mg.tensor([2.0, 2.0, 2.0]), [True, False, False]),
    ]:
        assert isinstance(result, mg.Tensor) and result.dtype == np.bool_
        assert not result.requires_grad
        np.testing.assert_array_equal(result.data, expected)


def test_tensors_are_hashable():
    a, b = mg.ones(2), mg.ones(2)
    assert len({a, b, a}) == 2


def test_indexing_with_tensors():
    x = mg.tensor(np.arange(12.0).reshape(3, 4))
    np.testing.assert_array_equal(x[mg.tensor([2, 0])].data, x.data[[2, 0]])
    np.testing.assert_array_equal(x[x > 5].data, np.arange(6.0, 12.0))


def test_reshape_transpose_flatten_forms():
    x = mg.tensor(np.arange(24.0).reshape(2, 3, 4))
    assert x.reshape(6, 4).shape == (6, 4) == x.reshape((6, 4)).shape
    assert x.T.shape == (4, 3, 2)
    assert x.transpose(0, 1).shape == (3, 2, 4) == x.transpose(1, 0).shape  # swaps two dims, as PyTorch
    assert x.transpose(0, -1).shape == (4, 3, 2)
    np.testing.assert_array_equal(x.transpose(0, 2).data, x.data.swapaxes(0, 2))
    assert x.permute(1, 0, 2).shape == (3, 2, 4) == x.permute((1, 0, 2)).shape
    assert x.view(6, 4).shape == (6, 4) and x.view(-1).shape == (24,)
    assert x.flatten().shape == (24,)
    assert x.flatten(1).shape == (2, 12)
    assert x.flatten(0, 1).shape == (6, 4)
    assert x.unsqueeze(0).shape == (1, 2, 3, 4) and x.unsqueeze(-1).shape == (2, 3, 4, 1)
    assert x.reshape(2, 1, 12).squeeze().shape == (2, 12)


def test_softmax_family_is_stable_at_1000():
    x = mg.tensor([[1000.0, 0.0, -1000.0], [-1000.0, -1000.0, -1000.0]], dtype=np.float64)
    np.testing.assert_allclose(x.softmax().data, [[1, 0, 0], [1 / 3, 1 / 3, 1 / 3]])
    np.testing.assert_allclose(x.log_softmax().data[0], [0, -1000, -2000])
    np.testing.assert_allclose(x.logsumexp(axis=1).data, [1000, -1000 + np.log(3)])
    assert np.isfinite(x.softmax().data).all()
    assert mg.tensor([-np.inf, -np.inf]).logsumexp().item() == -np.inf


# -- creation functions -------------------------------------------------------------------------------


def test_creation_functions():
    assert mg.zeros(2, 3).shape == (2, 3) == mg.zeros((2, 3)).shape
    assert mg.ones(4).data.sum() == 4
    assert mg.full((2, 2), 7.0).data.tolist() == [[7, 7], [7, 7]]
    assert mg.full((2,), 7).dtype == np.int64
    assert mg.full(3, 0.5).dtype == np.float32
    like = mg.zeros_like(mg.tensor(np.ones((2, 5))))
    assert like.shape == (2, 5) and like.dtype == np.float64
    assert mg.ones_like(mg.zeros(3)).data.tolist() == [1, 1, 1]
    assert mg.arange(4).data.tolist() == [0, 1, 2, 3] and mg.arange(4).dtype == np.int64
    assert mg.arange(0.0, 1.0, 0.25).dtype == np.float32
    assert mg.arange(1, 7, 2).data.tolist() == [1, 3, 5]
    np.testing.assert_array_equal(mg.eye(3).data, np.eye(3))
    assert mg.eye(2, 3).shape == (2, 3)
    w = mg.randn(3, 4, requires_grad=True)
    assert w.requires_grad and w.dtype == np.float32
    r = mg.rand(1000, dtype=np.float64)
    assert r.dtype == np.float64 and 0 <= r.data.min() and r.data.max() < 1


def test_manual_seed_makes_randomness_reproducible():
    mg.manual_seed(42)
    a, b = mg.randn(5).data, mg.rand(5).data
    mg.manual_seed(42)
    np.testing.assert_array_equal(a, mg.randn(5).data)
    np.testing.assert_array_equal(b, mg.rand(5).data)
    mg.manual_seed(43)
    assert not np.array_equal(a, mg.randn(5).data)


# -- grad mode ----------------------------------------------------------------------------------------


def test_no_grad_context_and_decorator():
    x = mg.ones(2, requires_grad=True)
    with mg.no_grad():
        assert not mg.is_grad_enabled()
        y = x * 2
        with mg.enable_grad():
            assert (x * 2).requires_grad
    assert mg.is_grad_enabled()
    assert not y.requires_grad and y.is_leaf

    @mg.no_grad()
    def double(t):
        return t * 2

    assert not double(x).requires_grad
    assert (x * 2).requires_grad


def test_no_grad_restores_mode_after_an_exception():
    with pytest.raises(ZeroDivisionError):
        with mg.no_grad():
            _ = 1 / 0
    assert mg.is_grad_enabled()


def test_set_grad_enabled():
    with mg.set_grad_enabled(False):
        assert not (mg.ones(1, requires_grad=True) * 2).requires_grad
    assert mg.is_grad_enabled()

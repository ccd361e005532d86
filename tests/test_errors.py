"""Bad input raises a clear error naming the op and the shapes, never a silent wrong answer."""

import numpy as np
import pytest

import minigrad as mg
from minigrad.ops.elementwise import Mul


@pytest.mark.parametrize(
    "fn, message",
    [
        (lambda: mg.ones(3, 4) + mg.ones(5), r"add: cannot broadcast shapes \(3, 4\) and \(5,\)"),
        (lambda: mg.ones(3, 4) - mg.ones(2, 4), r"sub: cannot broadcast shapes \(3, 4\) and \(2, 4\)"),
        (lambda: mg.ones(3, 4) * mg.ones(4, 3), r"mul: cannot broadcast shapes \(3, 4\) and \(4, 3\)"),
        (lambda: mg.ones(3) / mg.ones(2), r"div: cannot broadcast shapes \(3,\) and \(2,\)"),
        (lambda: mg.ones(3) ** mg.ones(2), r"pow: cannot broadcast shapes \(3,\) and \(2,\)"),
        (lambda: mg.maximum(mg.ones(3), mg.ones(2)), r"maximum: cannot broadcast shapes \(3,\) and \(2,\)"),
        (lambda: mg.ones(3) + np.ones(4), r"add: cannot broadcast shapes \(3,\) and \(4,\)"),
        (
            lambda: mg.ones(3, 4) @ mg.ones(5, 2),
            r"matmul: \(3, 4\) @ \(5, 2\): inner dimensions 4 and 5 differ",
        ),
        (lambda: mg.ones(4) @ mg.ones(3), r"matmul: \(4,\) @ \(3,\): inner dimensions 4 and 3 differ"),
        (
            lambda: mg.ones(2, 3, 4) @ mg.ones(3, 4, 5),
            r"matmul: .*batch dimensions \(2,\) and \(3,\) do not broadcast",
        ),
        (
            lambda: mg.tensor(2.0) @ mg.ones(3),
            r"matmul: \(\) @ \(3,\): both operands need at least one dimension",
        ),
        (
            lambda: mg.ones(2, 3).reshape(4, 2),
            r"reshape: cannot reshape a tensor of shape \(2, 3\) \(6 elements\) to \(4, 2\)",
        ),
        (lambda: mg.ones(2, 3).permute(0, 0), r"permute: dims \(0, 0\) are not a permutation"),
        (
            lambda: mg.cat([mg.ones(2, 3), mg.ones(2, 4)]),
            r"cat: shapes \(2, 3\) and \(2, 4\) differ outside dim 0",
        ),
        (
            lambda: mg.stack([mg.ones(2), mg.ones(3)]),
            r"stack: all tensors need the same shape, got \(2,\) and \(3,\)",
        ),
        (lambda: mg.cat([]), r"cat: needs at least one tensor"),
    ],
)
def test_shape_errors_name_the_op_and_shapes(fn, message):
    with pytest.raises(ValueError, match=message):
        fn()


@pytest.mark.parametrize("op", ["sum", "mean", "amax", "amin", "logsumexp"])
def test_invalid_dim_names_dim_and_shape(op):
    x = mg.ones(2, 3)
    with pytest.raises(IndexError, match=rf"{op}: dim 2 is out of range for a tensor of shape \(2, 3\)"):
        getattr(x, op)(dim=2)
    with pytest.raises(ValueError, match=rf"{op}: dim -3 is out of range"):  # also a ValueError, as NumPy's
        getattr(x, op)(axis=(0, -3))


@pytest.mark.parametrize("op", ["softmax", "log_softmax"])
def test_invalid_softmax_dim(op):
    with pytest.raises(IndexError, match=rf"{op}: dim 1 is out of range for a tensor of shape \(3,\)"):
        getattr(mg.ones(3), op)(dim=1)


def test_other_axis_errors():
    with pytest.raises(IndexError, match=r"cat: dim 2 is out of range"):
        mg.cat([mg.ones(2, 2), mg.ones(2, 2)], dim=2)
    with pytest.raises(IndexError, match=r"stack: dim 3 is out of range"):
        mg.stack([mg.ones(2, 2)], dim=3)
    with pytest.raises(IndexError, match=r"flatten: dim 5 is out of range"):
        mg.ones(2, 2).flatten(5)
    with pytest.raises(ValueError, match=r"sum: dim \(0, 0\) repeats a dimension"):
        mg.ones(2, 2).sum(dim=(0, 0))


def test_reducing_an_empty_tensor_with_max():
    with pytest.raises(ValueError, match=r"max: cannot reduce an empty tensor of shape \(0,\)"):
        mg.zeros(0).max()


def test_index_errors_name_the_shape():
    with pytest.raises(IndexError, match=r"shape \(3,\)"):
        mg.ones(3)[5]


def test_an_op_on_constants_only_names_the_op():
    """Function.apply makes its result through a tensor input, so it needs one (as PyTorch's ops do)."""
    with pytest.raises(TypeError, match="mul: expected at least one Tensor among its inputs"):
        Mul.apply(2.0, np.ones(3))


def test_an_op_on_a_parameter_gives_a_plain_tensor():
    p = mg.nn.Parameter([1.0, 2.0])
    assert type(p * 2) is mg.Tensor and type(2 * p) is mg.Tensor and type(p.sum()) is mg.Tensor
    with mg.no_grad():
        assert type(p + p) is mg.Tensor

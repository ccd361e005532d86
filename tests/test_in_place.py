"""In-place changes and the version counter; and the engine corners that once gave a silently wrong
number (repeated tuple indices, 0-d gradients, 0 ** 0) or an unhelpful error."""

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn, optim
from minigrad.nn.utils import clip_grad_norm_

try:
    import torch
except ImportError:
    torch = None


# -- a value changed after the graph used it -------------------------------------------------------


def test_raw_data_change_after_use_is_refused():
    x = mg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = (x * x).sum()
    x.data += 10  # Python runs this as x.data = x.data.__iadd__(10): the assignment is seen
    with pytest.raises(
        RuntimeError,
        match=r"modified by an in-place operation: its input 0 of mul, a leaf tensor of shape \(3,\)",
    ):
        y.backward()
    assert x._version == 1


@pytest.mark.parametrize(
    "change",
    [
        lambda x: x.add_(1),
        lambda x: x.mul_(2),
        lambda x: x.zero_(),
        lambda x: x.copy_(mg.ones(3)),
        lambda x: x.__setitem__(0, 5.0),
        lambda x: x.__isub__(1),
        lambda x: setattr(x, "data", np.zeros(3, dtype=np.float32)),
    ],
    ids=["add_", "mul_", "zero_", "copy_", "setitem", "-=", "data ="],
)
def test_every_in_place_change_is_counted(change):
    x = mg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = (x * x).sum()
    with mg.no_grad():
        change(x)
    assert x._version == 1
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        y.backward()


def test_a_changed_result_that_backward_needs_is_refused():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()  # exp's backward uses its own result
    with mg.no_grad():
        y.mul_(2)
    with pytest.raises(RuntimeError, match="its result"):
        y.sum().backward()


@pytest.mark.parametrize(
    "view, change",
    [
        (lambda x: x.reshape(3, 1), lambda x, v: x.add_(1)),  # the base changes after its view was used
        (lambda x: x[1:], lambda x, v: x.mul_(2)),
        (lambda x: x.transpose(0, 0), lambda x, v: setattr(x, "data", x.data + 1)),
        (lambda x: x.detach().reshape(3), lambda x, v: v.zero_()),  # the view changes: so does its base
        (lambda x: x.view(1, 3), lambda x, v: v.__setitem__(0, 7.0)),
    ],
    ids=[
        "reshape then base",
        "slice then base",
        "transpose then data =",
        "detach then view",
        "view then view",
    ],
)
def test_views_share_their_bases_changes(view, change):
    x = mg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    with mg.no_grad():
        v = view(x)
    y = (view(x) * x.sum()).sum()  # mul keeps the view and the sum
    with mg.no_grad():
        change(x, v)
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        y.backward()


def test_a_view_of_plain_data_shares_its_changes():
    X = mg.tensor([[1.0, 2.0], [3.0, 4.0]])  # data, not requiring grad: Flatten's view of it is no graph node
    w = mg.tensor([0.5, -0.5, 1.0, 2.0], requires_grad=True)
    y = (X.flatten() * w).sum()
    X.add_(1)
    with pytest.raises(RuntimeError, match="its input 0 of mul"):
        y.backward()


def test_changes_that_backward_does_not_need_are_allowed_as_in_pytorch():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    y = (x + 1).sum() + x.reshape(2, 1).sum()  # add and reshape keep no values for backward
    with mg.no_grad():
        x.add_(5)
    y.backward()
    np.testing.assert_array_equal(x.grad, [2.0, 2.0])


def test_hand_written_updates_and_optimizer_steps_stay_legal():
    mg.manual_seed(0)
    w = mg.randn(3, 2, requires_grad=True)
    x = mg.randn(4, 3)
    for _ in range(3):  # the tutorial loop: a new graph after each update
        loss = (x @ w).pow(2).mean()
        loss.backward()
        with mg.no_grad():
            w -= 0.1 * w.grad
        w.grad.zero_()
    assert w._version == 3

    model = nn.Sequential(nn.Linear(3, 8), nn.ReLU(), nn.Linear(8, 2))
    loss = model(x).sum()
    opt = optim.Adam(model.parameters(), lr=1e-2)  # packing moves the parameters: not a change
    loss.backward()
    for _ in range(3):
        opt.step()
        opt.zero_grad()
        model(x).sum().backward()


def test_in_place_on_a_leaf_that_requires_grad_needs_no_grad():
    w = mg.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="add_: a leaf tensor that requires grad"):
        w.add_(1)
    with pytest.raises(RuntimeError, match="setitem"):
        w[0] = 2.0
    h = w * 2
    with pytest.raises(RuntimeError, match="does not record in-place operations"):
        h.mul_(3)
    h += 1  # augmented assignment on a graph result gives a new result, as x = x + 1 would
    assert h.grad_fn is not None and h.grad_fn.op_name() == "add"
    plain = mg.zeros(3)
    for write in (lambda: plain.copy_(w), lambda: plain.__setitem__(0, w[0]), lambda: plain.add_(w)):
        with pytest.raises(RuntimeError, match="requires grad.*gradient would be lost"):
            write()
    plain += w  # out of place: the result is in the graph
    plain.sum().backward()
    np.testing.assert_array_equal(w.grad, [1.0, 1.0, 1.0])


# -- repeated indices, 0-d gradients, powers at 0 ----------------------------------------------------


def test_repeated_indices_given_as_a_tuple_accumulate():
    w = mg.zeros(2, 3, requires_grad=True)
    w[(0, 0), (1, 1)].sum().backward()  # picks w[0, 1] twice
    np.testing.assert_array_equal(w.grad, [[0, 2, 0], [0, 0, 0]])
    w.grad = None
    w[[0, 0], [1, 1]].sum().backward()
    np.testing.assert_array_equal(w.grad, [[0, 2, 0], [0, 0, 0]])


def test_a_0d_parameter_has_a_0d_array_gradient_that_clipping_scales():
    p = nn.Parameter(mg.tensor(3.0))
    (p * p).backward()
    assert type(p._grad) is np.ndarray and p._grad.shape == ()
    (p * p).backward()  # accumulation keeps it an array
    assert type(p._grad) is np.ndarray
    norm = clip_grad_norm_([p], max_norm=1.0)
    assert norm == pytest.approx(12.0)
    assert p.grad.item() == pytest.approx(1.0, rel=1e-5)
    optim.SGD([p], lr=0.5).step()
    assert p.item() == pytest.approx(2.5, rel=1e-5)


def test_powers_at_zero_have_pytorchs_gradients():
    x = mg.tensor([0.0, 2.0], requires_grad=True)
    (x**0).sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.0])
    base = mg.tensor([0.0, 0.0, 2.0], requires_grad=True)
    exponent = mg.tensor([0.0, 2.0, 3.0], requires_grad=True)
    (base**exponent).sum().backward()
    np.testing.assert_allclose(base.grad, [0.0, 0.0, 12.0])
    np.testing.assert_allclose(exponent.grad, [0.0, 0.0, 8 * np.log(2.0)], rtol=1e-6)
    assert np.all(np.isfinite(base.grad.numpy())) and np.all(np.isfinite(exponent.grad.numpy()))
    if torch is not None:
        tb = torch.tensor([0.0, 0.0, 2.0], requires_grad=True)
        te = torch.tensor([0.0, 2.0, 3.0], requires_grad=True)
        (tb**te).sum().backward()
        np.testing.assert_allclose(base.grad, tb.grad.numpy(), rtol=1e-6)
        np.testing.assert_allclose(exponent.grad, te.grad.numpy(), rtol=1e-6)


# -- the small ones: PyTorch's result or an error naming the op and the argument ------------------


def test_logsumexp_of_a_0d_tensor_and_softmax_of_an_empty_one():
    assert mg.tensor(2.0).logsumexp(0).item() == pytest.approx(2.0)
    assert mg.tensor(2.0).logsumexp(dim=-1).item() == pytest.approx(2.0)
    x = mg.tensor(2.0, requires_grad=True)
    x.logsumexp(0).backward()
    assert x.grad.item() == pytest.approx(1.0)
    empty = mg.zeros(0, 3)
    assert empty.softmax(dim=1).shape == (0, 3) and empty.log_softmax(dim=0).shape == (0, 3)
    assert mg.zeros(0).softmax(0).shape == (0,)


def test_len_of_a_0d_tensor_is_a_type_error():
    with pytest.raises(TypeError, match="len\\(\\) of a 0-d tensor"):
        len(mg.tensor(1.0))
    with pytest.raises(TypeError, match="iteration over a 0-d tensor"):
        iter(mg.tensor(1.0))


def test_transpose_with_a_dim_out_of_range():
    with pytest.raises(IndexError, match=r"transpose: dim 2 is out of range for a tensor of shape \(2, 3\)"):
        mg.ones(2, 3).transpose(0, 2)
    with pytest.raises(IndexError, match=r"permute: dim 3 is out of range"):
        mg.ones(2, 3).permute(0, 3)


@pytest.mark.parametrize("call", [
    lambda x: x.sum(1.0), lambda x: x.mean(dim=0.5), lambda x: x.softmax(1.0), lambda x: x.amax(axis=1.0),
    lambda x: x.transpose(0.0, 1), lambda x: x.argmax(1.0), lambda x: mg.cat([x, x], dim=1.0),
])  # fmt: skip
def test_a_float_dim_is_a_type_error_naming_the_argument(call):
    with pytest.raises(TypeError, match=r"dim must be an int.*float"):
        call(mg.ones(2, 3))


def test_ragged_nested_lists_are_refused_with_pytorchs_message():
    with pytest.raises(
        ValueError, match=r"tensor: ragged nested list: expected sequence of length 2 at dim 1 \(got 1\)"
    ):
        mg.tensor([[1.0, 2.0], [3.0]])
    with pytest.raises(ValueError, match=r"at dim 2 \(got 3\)"):
        mg.tensor([[[1, 2], [3, 4]], [[1, 2], [3, 4, 5]]])
    with pytest.raises(ValueError, match="ragged"):
        mg.tensor([1.0, [2.0]])

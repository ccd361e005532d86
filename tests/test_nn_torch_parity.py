"""Layers and losses against PyTorch in float64: copy PyTorch's weights in by name, compare everything."""

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn

torch = pytest.importorskip("torch")
tnn = torch.nn
TF = torch.nn.functional

RTOL, ATOL = 1e-10, 1e-12


@pytest.fixture(autouse=True)
def _float64_layers():
    """Layers are created in float64 on both sides, so the comparison is exact up to rounding."""
    mg.set_default_dtype(np.float64)


def copy_weights(theirs, mine) -> None:
    """PyTorch's parameters (and buffers) into the minigrad model, matched by name via named_params()."""
    their_params = dict(theirs.named_parameters())
    assert [n for n, _ in mine.named_params()] == list(their_params), "parameter names differ from PyTorch's"
    for name, p in mine.named_params():
        p.data[...] = their_params[name].detach().numpy()
    their_buffers = dict(theirs.named_buffers())
    assert [n for n, _ in mine.named_buffers()] == list(their_buffers), "buffer names differ from PyTorch's"
    for name, b in mine.named_buffers():
        b.data[...] = their_buffers[name].numpy()


def compare(mine, theirs, x_shape, make_target=None, seed=0, train=True):
    """Same input through both models: outputs, input gradient, every parameter gradient."""
    theirs = theirs.double()
    copy_weights(theirs, mine)
    mine.train(train)
    theirs.train(train)
    x = np.random.default_rng(seed).standard_normal(x_shape)
    mx, tx = mg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    mo, to = mine(mx), theirs(tx)
    np.testing.assert_allclose(mo.data, to.detach().numpy(), rtol=RTOL, atol=ATOL)
    upstream = np.random.default_rng(seed + 1).standard_normal(mo.shape)
    mo.backward(upstream)
    to.backward(torch.tensor(upstream))
    np.testing.assert_allclose(mx.grad, tx.grad.numpy(), rtol=RTOL, atol=ATOL)
    their_params = dict(theirs.named_parameters())
    for name, p in mine.named_params():
        np.testing.assert_allclose(
            p.grad, their_params[name].grad.numpy(), rtol=RTOL, atol=ATOL, err_msg=name
        )
    for name, b in theirs.named_buffers():
        np.testing.assert_allclose(mine.state_dict()[name], b.numpy(), rtol=RTOL, atol=ATOL, err_msg=name)


def make_mlp(lib):
    return lib.Sequential(lib.Linear(6, 8), lib.ReLU(), lib.Linear(8, 8), lib.Tanh(), lib.Linear(8, 3))


def make_cnn(lib):
    return lib.Sequential(
        lib.Conv2d(2, 4, 3, padding=1), lib.ReLU(), lib.MaxPool2d(2),
        lib.Conv2d(4, 5, (2, 3), stride=(1, 2), padding=(1, 0)), lib.LeakyReLU(0.1), lib.AvgPool2d((2, 1), stride=1),
        lib.Flatten(), lib.Linear(5 * 4 * 1, 3),
    )  # fmt: skip


def test_mlp_matches_torch():
    torch.manual_seed(0)
    compare(make_mlp(nn), make_mlp(tnn), (5, 6))


def test_cnn_matches_torch():
    torch.manual_seed(0)
    compare(make_cnn(nn), make_cnn(tnn), (3, 2, 8, 8))


@pytest.mark.parametrize("stride, padding", [(1, 0), (2, 1), ((1, 2), (2, 0)), (3, 2)])
def test_conv2d_matches_torch(stride, padding):
    torch.manual_seed(1)
    compare(
        nn.Conv2d(3, 4, (3, 2), stride=stride, padding=padding),
        tnn.Conv2d(3, 4, (3, 2), stride=stride, padding=padding),
        (2, 3, 7, 6),
    )


@pytest.mark.parametrize("kernel, stride", [(2, None), (3, 1), ((2, 3), (1, 2))])
def test_pooling_matches_torch(kernel, stride):
    compare(nn.MaxPool2d(kernel, stride), tnn.MaxPool2d(kernel, stride), (2, 3, 6, 7))
    compare(nn.AvgPool2d(kernel, stride), tnn.AvgPool2d(kernel, stride), (2, 3, 6, 7))


def test_max_pool_ties_match_torch():
    x = np.array([[[[1.0, 1.0, 0.0], [1.0, 1.0, 2.0], [2.0, 0.0, 2.0]]]])
    mx, tx = mg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    F.max_pool2d(mx, 2, 1).sum().backward()
    TF.max_pool2d(tx, 2, 1).sum().backward()
    np.testing.assert_array_equal(mx.grad, tx.grad.numpy())


@pytest.mark.parametrize("train", [True, False])
@pytest.mark.parametrize("shape, kind", [((6, 4), "1d"), ((5, 4, 3), "1d"), ((3, 4, 3, 2), "2d")])
def test_batchnorm_matches_torch(shape, kind, train):
    mine = nn.BatchNorm1d(4, momentum=0.3) if kind == "1d" else nn.BatchNorm2d(4, momentum=0.3)
    theirs = tnn.BatchNorm1d(4, momentum=0.3) if kind == "1d" else tnn.BatchNorm2d(4, momentum=0.3)
    with torch.no_grad():
        theirs.weight.uniform_(0.5, 1.5)
        theirs.bias.uniform_(-0.5, 0.5)
        theirs.running_mean.uniform_(-1, 1)
        theirs.running_var.uniform_(0.5, 2)
    compare(mine, theirs, shape, train=train)


def test_default_init_has_torch_shapes_and_names():
    for mine, theirs in [
        (make_mlp(nn), make_mlp(tnn)),
        (make_cnn(nn), make_cnn(tnn)),
        (nn.BatchNorm2d(3), tnn.BatchNorm2d(3)),
    ]:
        assert [(n, p.shape) for n, p in mine.named_params()] == [
            (n, tuple(p.shape)) for n, p in theirs.named_parameters()
        ]
        assert list(mine.state_dict()) == list(theirs.state_dict())


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_losses_match_torch(reduction):
    rng = np.random.default_rng(0)
    logits, labels = rng.standard_normal((7, 5)), rng.integers(0, 5, 7)
    probs, targets = rng.uniform(0.01, 0.99, (7, 3)), rng.uniform(0, 1, (7, 3))
    pred, value = rng.standard_normal((7, 3)), rng.standard_normal((7, 3))
    cases = [
        (F.cross_entropy, TF.cross_entropy, logits * 30, labels, False),
        (
            lambda z, y, r: F.nll_loss(z.log_softmax(), y, r),
            lambda z, y, reduction: TF.nll_loss(z.log_softmax(-1), y, reduction=reduction),
            logits,
            labels,
            False,
        ),
        (F.mse_loss, TF.mse_loss, pred, value, True),
        (F.l1_loss, TF.l1_loss, pred, value, True),
        (F.binary_cross_entropy, TF.binary_cross_entropy, probs, targets, True),
        (F.binary_cross_entropy_with_logits, TF.binary_cross_entropy_with_logits, pred * 20, targets, True),
    ]
    for mine, theirs, x, y, float_target in cases:
        mx = mg.tensor(x, requires_grad=True)
        tx = torch.tensor(x, requires_grad=True)
        my = mg.tensor(y, requires_grad=float_target)
        ty = torch.tensor(y, requires_grad=float_target)
        mo, to = mine(mx, my, reduction), theirs(tx, ty, reduction=reduction)
        np.testing.assert_allclose(mo.data, to.detach().numpy(), rtol=RTOL, atol=ATOL)
        upstream = rng.standard_normal(mo.shape)
        mo.backward(upstream)
        to.backward(torch.tensor(upstream))
        np.testing.assert_allclose(mx.grad, tx.grad.numpy(), rtol=RTOL, atol=ATOL)
        if float_target and mine is not F.binary_cross_entropy:  # torch has no target gradient for BCE
            np.testing.assert_allclose(my.grad, ty.grad.numpy(), rtol=RTOL, atol=ATOL)

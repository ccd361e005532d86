"""Corners of the layers, grad mode and seeding where minigrad follows PyTorch (issue 13, §4):
`Linear(0, n)`, a non-integer kernel size, `BatchNorm(momentum=None)`, `@no_grad` without
parentheses, and `manual_seed(-1)`."""

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn


def test_linear_with_no_input_features_gives_the_bias_as_pytorch_does():
    with pytest.warns(UserWarning, match="zero-element"):
        layer = nn.Linear(0, 3)
    assert layer.weight.shape == (3, 0)
    np.testing.assert_array_equal(layer.bias.data, np.zeros(3))  # U(-0, 0): 1/√fan_in with fan_in = 0 is 0
    x = mg.zeros(2, 0, requires_grad=True)
    out = layer(x)
    np.testing.assert_array_equal(out.data, np.zeros((2, 3)))
    out.sum().backward()
    assert layer.weight.grad.shape == (3, 0) and x.grad.shape == (2, 0)
    np.testing.assert_array_equal(layer.bias.grad, [2.0, 2.0, 2.0])


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: nn.Linear(2.0, 3), "Linear: in_features must be an int"),
        (lambda: nn.Linear(2, -1), "Linear: out_features must be ≥ 0"),
        (lambda: nn.Conv2d(1, 2, 2.5), "Conv2d: kernel_size must be an int or a pair of ints, got 2.5"),
        (
            lambda: nn.Conv2d(1, 2, (3, 2.0)),
            r"Conv2d: kernel_size must be an int or a pair of ints, got \(3, 2.0\)",
        ),
        (lambda: nn.Conv2d(1, 2, 3, stride=1.5), "Conv2d: stride must be an int"),
        (lambda: nn.MaxPool2d(2.5), "MaxPool2d: kernel_size must be an int or a pair of ints, got 2.5"),
        (lambda: nn.AvgPool2d(2, stride=0.5), "AvgPool2d: stride must be an int"),
        (
            lambda: nn.functional.max_pool2d(mg.zeros(1, 1, 4, 4), 2.0),
            "max_pool2d: kernel_size must be an int",
        ),
    ],
)
def test_a_non_integer_size_is_refused_naming_the_argument(make, message):
    with pytest.raises((TypeError, ValueError), match=message):
        make()


def _cumulative_average_reference(batches, n_features):
    """What momentum=None means: running mean/var are the plain averages of the batch statistics
    (the variance unbiased), starting from the initial 0 and 1 and weighting the k-th batch by 1/k."""
    mean, var = np.zeros(n_features), np.ones(n_features)
    for k, batch in enumerate(batches, start=1):
        axes = (0,) + tuple(range(2, batch.ndim))
        n = batch.size // batch.shape[1]
        mean += (batch.mean(axis=axes) - mean) / k
        var += (batch.var(axis=axes) * n / (n - 1) - var) / k
    return mean, var


@pytest.mark.parametrize(
    "layer, shape", [(nn.BatchNorm1d, (8, 3)), (nn.BatchNorm1d, (4, 3, 5)), (nn.BatchNorm2d, (2, 3, 4, 4))]
)
def test_batchnorm_momentum_none_is_the_cumulative_average(layer, shape):
    rng = np.random.default_rng(0)
    batches = [rng.normal(k, 1 + k, shape) for k in range(5)]
    bn = layer(3, momentum=None, dtype=np.float64)
    for batch in batches:
        bn(mg.tensor(batch))
    mean, var = _cumulative_average_reference(batches, 3)
    np.testing.assert_allclose(bn.running_mean.data, mean, rtol=1e-12)
    np.testing.assert_allclose(bn.running_var.data, var, rtol=1e-12)
    assert int(bn.num_batches_tracked.data) == 5
    assert "momentum=None" in repr(bn)


@pytest.mark.parametrize("kind, shape", [("1d", (8, 3)), ("1d", (4, 3, 5)), ("2d", (2, 3, 4, 4))])
def test_batchnorm_momentum_none_matches_torch(kind, shape):
    torch = pytest.importorskip("torch")
    mine = (nn.BatchNorm1d if kind == "1d" else nn.BatchNorm2d)(3, momentum=None, dtype=np.float64)
    theirs = (torch.nn.BatchNorm1d if kind == "1d" else torch.nn.BatchNorm2d)(3, momentum=None).double()
    rng = np.random.default_rng(1)
    for k in range(4):
        batch = rng.normal(k, 2.0, shape)
        np.testing.assert_allclose(
            mine(mg.tensor(batch)).data, theirs(torch.tensor(batch)).detach().numpy(), rtol=1e-10, atol=1e-12
        )
    for name, buffer in theirs.named_buffers():
        np.testing.assert_allclose(mine.state_dict()[name], buffer.numpy(), rtol=1e-12, err_msg=name)
    mine.eval(), theirs.eval()
    batch = rng.normal(0, 1, shape)
    np.testing.assert_allclose(
        mine(mg.tensor(batch)).data, theirs(torch.tensor(batch)).detach().numpy(), rtol=1e-10, atol=1e-12
    )


def test_batchnorm_refuses_a_momentum_outside_0_1():
    with pytest.raises(ValueError, match=r"BatchNorm2d: momentum must be a number in \[0, 1\] or None"):
        nn.BatchNorm2d(3, momentum=1.5)


def test_no_grad_and_enable_grad_decorate_without_parentheses():
    x = mg.ones(2, requires_grad=True)

    @mg.no_grad
    def double(t):
        """Twice t."""
        return t * 2

    @mg.enable_grad
    def triple(t):
        return t * 3

    assert not double(x).requires_grad and mg.is_grad_enabled()
    assert double.__name__ == "double" and double.__doc__ == "Twice t."
    with mg.no_grad():
        assert triple(x).requires_grad
        assert not mg.is_grad_enabled()
    with pytest.raises(TypeError, match=r"no_grad\(\) takes no arguments"):
        mg.no_grad(False)


def test_manual_seed_takes_negative_seeds_modulo_2_64_like_torch():
    mg.manual_seed(-1)
    a = mg.randn(3).data
    mg.manual_seed(2**64 - 1)
    np.testing.assert_array_equal(mg.randn(3).data, a)
    mg.manual_seed(-(2**63))  # the smallest seed PyTorch takes
    mg.manual_seed(np.int64(7))
    with pytest.raises(ValueError, match=r"manual_seed: seed must be in \[-2\*\*63, 2\*\*64\)"):
        mg.manual_seed(2**64)
    with pytest.raises(TypeError, match="manual_seed: seed must be an int, got float 1.5"):
        mg.manual_seed(1.5)


def test_torch_maps_negative_seeds_the_same_way():
    torch = pytest.importorskip("torch")
    assert torch.manual_seed(-1).initial_seed() == 2**64 - 1

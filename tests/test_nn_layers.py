"""Every layer and loss: gradcheck in float64, behaviour in train/eval mode, init statistics, errors."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn


def leaf(*shape, low=None, high=None, seed=0):
    rng = np.random.default_rng(seed)
    data = rng.standard_normal(shape) if low is None else rng.uniform(low, high, shape)
    return mg.tensor(data, requires_grad=True)


# -- gradchecks --------------------------------------------------------------------------------------


@pytest.mark.parametrize("x_shape", [(5, 4), (2, 3, 4), (4,)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_gradcheck(x_shape, bias):
    x, w, b = leaf(*x_shape), leaf(3, 4, seed=1), leaf(3, seed=2)
    inputs = [x, w, b] if bias else [x, w]
    assert mg.gradcheck(lambda *t: F.linear(*t), inputs)


@pytest.mark.parametrize(
    "x_shape, w_shape, stride, padding",
    [
        ((2, 3, 5, 5), (4, 3, 3, 3), 1, 0),
        ((2, 3, 5, 5), (4, 3, 3, 3), 1, 1),
        ((2, 2, 7, 6), (3, 2, 3, 3), 2, 1),
        ((1, 2, 6, 7), (2, 2, 2, 3), (2, 1), (0, 2)),  # rectangular kernel, per-axis stride and padding
        ((2, 1, 8, 8), (4, 1, 5, 5), 3, 2),
        ((3, 2, 4, 4), (2, 2, 1, 1), 1, 0),
    ],
)
@pytest.mark.parametrize("bias", [True, False])
def test_conv2d_gradcheck(x_shape, w_shape, stride, padding, bias):
    x, w, b = leaf(*x_shape), leaf(*w_shape, seed=1), leaf(w_shape[0], seed=2)
    inputs = [x, w, b] if bias else [x, w]
    fn = lambda x, w, b=None: F.conv2d(x, w, b, stride=stride, padding=padding)  # noqa: E731
    assert mg.gradcheck(fn, inputs)


def test_conv2d_matches_a_direct_loop():
    x, w, b = leaf(2, 3, 6, 5), leaf(4, 3, 3, 2, seed=1), leaf(4, seed=2)
    out = F.conv2d(x, w, b, stride=(2, 1), padding=1).data
    xp = np.pad(x.data, ((0, 0), (0, 0), (1, 1), (1, 1)))
    expected = np.zeros(out.shape)
    for n in range(2):
        for o in range(4):
            for i in range(out.shape[2]):
                for j in range(out.shape[3]):
                    expected[n, o, i, j] = b.data[o] + np.sum(
                        w.data[o] * xp[n, :, 2 * i : 2 * i + 3, j : j + 2]
                    )
    np.testing.assert_allclose(out, expected, rtol=1e-12)


@pytest.mark.parametrize(
    "shape, kernel, stride",
    [((2, 3, 4, 4), 2, None), ((2, 2, 5, 7), (2, 3), None), ((1, 2, 6, 6), 3, 1), ((2, 2, 7, 7), 3, 2)],
)
@pytest.mark.parametrize("pool", [F.max_pool2d, F.avg_pool2d])
def test_pooling_gradcheck(shape, kernel, stride, pool):
    x = leaf(*shape)  # continuous random values: no ties, so max pooling is differentiable
    assert mg.gradcheck(lambda t: pool(t, kernel, stride), [x])


def test_max_pool_gradient_goes_to_the_first_maximum():
    x = mg.tensor(np.array([[[[1.0, 1.0], [1.0, 0.0]]]]), requires_grad=True)
    F.max_pool2d(x, 2).sum().backward()
    np.testing.assert_array_equal(x.grad, [[[[1, 0], [0, 0]]]])


def test_pool_values():
    x = mg.tensor(np.arange(16.0).reshape(1, 1, 4, 4))
    np.testing.assert_array_equal(F.max_pool2d(x, 2).data, [[[[5, 7], [13, 15]]]])
    np.testing.assert_array_equal(F.avg_pool2d(x, 2).data, [[[[2.5, 4.5], [10.5, 12.5]]]])
    assert nn.MaxPool2d(2, stride=1)(x).shape == (1, 1, 3, 3)


@pytest.mark.parametrize(
    "fn",
    [
        F.relu,
        F.sigmoid,
        F.tanh,
        lambda t: F.leaky_relu(t, 0.2),
        lambda t: F.softmax(t, dim=0),
        lambda t: F.log_softmax(t),
    ],
)
def test_activation_gradcheck(fn):
    assert mg.gradcheck(fn, [leaf(4, 5)])


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_regression_losses_gradcheck(reduction):
    x, y = leaf(4, 3), leaf(4, 3, seed=1)
    assert mg.gradcheck(lambda a, b: F.mse_loss(a, b, reduction), [x, y])
    assert mg.gradcheck(lambda a, b: F.l1_loss(a, b, reduction), [x, y])
    p, t = leaf(5, 2, low=0.05, high=0.95), leaf(5, 2, low=0.0, high=1.0, seed=3)
    assert mg.gradcheck(lambda a, b: F.binary_cross_entropy(a, b, reduction), [p, t])
    soft_targets = leaf(4, 3, low=0.0, high=1.0, seed=4)
    assert mg.gradcheck(lambda a, b: F.binary_cross_entropy_with_logits(a, b, reduction), [x, soft_targets])


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_classification_losses_gradcheck(reduction):
    logits = leaf(6, 4)
    labels = np.array([0, 3, 1, 1, 2, 3])
    assert mg.gradcheck(lambda z: F.cross_entropy(z, labels, reduction), [logits])
    assert mg.gradcheck(lambda z: F.nll_loss(z.log_softmax(), labels, reduction), [logits])


def test_cross_entropy_values_and_fused_backward():
    logits = mg.tensor(np.array([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]]), requires_grad=True)
    labels = mg.tensor([0, 1])
    loss = F.cross_entropy(logits, labels)
    log_probs = logits.data - np.log(np.exp(logits.data).sum(axis=1, keepdims=True))
    assert loss.item() == pytest.approx(-(log_probs[0, 0] + log_probs[1, 1]) / 2, rel=1e-12)
    assert type(loss._ctx).__name__ == "CrossEntropyFunction" and loss._ctx.inputs[0] is logits  # one node
    loss.backward()
    softmax = np.exp(log_probs)
    np.testing.assert_allclose(logits.grad, (softmax - np.eye(3)[[0, 1]]) / 2)
    np.testing.assert_allclose(F.nll_loss(logits.log_softmax(), labels).data, loss.data)


def test_cross_entropy_is_stable_at_1000():
    logits = mg.tensor(np.array([[1000.0, -1000.0], [-1000.0, 1000.0]]), requires_grad=True)
    loss = F.cross_entropy(logits, np.array([0, 0]), reduction="none")
    np.testing.assert_allclose(loss.data, [0.0, 2000.0])
    loss.sum().backward()
    np.testing.assert_allclose(logits.grad, [[0, 0], [-1, 1]])


def test_bce_clamps_logs_like_torch():
    p = mg.tensor(np.array([0.0, 1.0]), requires_grad=True)
    loss = F.binary_cross_entropy(p, np.array([1.0, 0.0]), reduction="none")
    np.testing.assert_allclose(loss.data, [100.0, 100.0])
    loss.sum().backward()
    assert np.isfinite(p.grad).all()


def test_bce_with_logits_is_stable():
    x = mg.tensor(np.array([1000.0, -1000.0, 0.0]))
    np.testing.assert_allclose(
        F.binary_cross_entropy_with_logits(x, np.array([0.0, 0.0, 1.0]), "none").data,
        [1000.0, 0.0, np.log(2)],
    )


# -- loss errors -------------------------------------------------------------------------------------


def test_loss_input_errors():
    logits = mg.zeros(3, 4)
    with pytest.raises(ValueError, match="class index 4 is out of range for 4 classes"):
        F.cross_entropy(logits, np.array([0, 4, 1]))
    with pytest.raises(ValueError, match="class index -1 is out of range"):
        F.nll_loss(logits, np.array([0, -1, 1]))
    with pytest.raises(ValueError, match="integer class indices, got dtype float32"):
        F.cross_entropy(logits, mg.tensor([0.0, 1.0, 2.0]))
    with pytest.raises(ValueError, match=r"target of shape \(2,\) does not match input of shape \(3, 4\)"):
        F.cross_entropy(logits, np.array([0, 1]))
    with pytest.raises(ValueError, match=r"expected input of shape \(N, C\), got \(4,\)"):
        F.cross_entropy(mg.zeros(4), np.array([0]))
    with pytest.raises(ValueError, match=r"mse_loss: input shape \(3, 1\) and target shape \(3,\) differ"):
        F.mse_loss(mg.zeros(3, 1), mg.zeros(3))
    with pytest.raises(ValueError, match="reduction must be one of"):
        F.l1_loss(mg.zeros(3), mg.zeros(3), reduction="avg")
    with pytest.raises(ValueError, match="reduction must be one of"):
        nn.CrossEntropyLoss(reduction="avg")
    with pytest.raises(ValueError, match="probabilities in"):
        F.binary_cross_entropy(mg.tensor([2.0]), mg.tensor([1.0]))


def test_loss_modules():
    x, y = mg.randn(4, 3), mg.randn(4, 3)
    assert nn.MSELoss()(x, y).item() == pytest.approx(F.mse_loss(x, y).item())
    assert nn.L1Loss(reduction="sum")(x, y).item() == pytest.approx(F.l1_loss(x, y, "sum").item())
    assert nn.CrossEntropyLoss(reduction="none")(x, np.array([0, 1, 2, 0])).shape == (4,)
    assert repr(nn.NLLLoss(reduction="sum")) == "NLLLoss(reduction='sum')"


# -- layer errors ------------------------------------------------------------------------------------


def test_layer_shape_errors():
    with pytest.raises(
        ValueError,
        match=r"linear: input of shape \(2, 5\) has 5 features, but the weight of shape \(3, 4\) expects 4",
    ):
        nn.Linear(4, 3)(mg.zeros(2, 5))
    with pytest.raises(
        ValueError,
        match=r"conv2d: input of shape \(1, 2, 5, 5\) has 2 channels, but the weight of shape \(4, 3, 3, 3\) expects 3",
    ):
        nn.Conv2d(3, 4, 3)(mg.zeros(1, 2, 5, 5))
    with pytest.raises(
        ValueError, match=r"conv2d: expected a 4-D input \(N, C, H, W\), got shape \(3, 5, 5\)"
    ):
        nn.Conv2d(3, 4, 3)(mg.zeros(3, 5, 5))
    with pytest.raises(
        ValueError, match=r"conv2d: kernel \(3, 3\) is larger than the \(padded\) input \(2, 2\)"
    ):
        nn.Conv2d(1, 1, 3)(mg.zeros(1, 1, 2, 2))
    with pytest.raises(ValueError, match=r"max_pool2d: expected a 4-D input"):
        nn.MaxPool2d(2)(mg.zeros(4, 4))
    with pytest.raises(ValueError, match="stride must be an int or a pair"):
        nn.Conv2d(1, 1, 3, stride=0)
    with pytest.raises(
        ValueError,
        match=r"BatchNorm1d: expected input of 2-D or 3-D with 3 channels on axis 1, got shape \(4, 5\)",
    ):
        nn.BatchNorm1d(3)(mg.zeros(4, 5))
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        nn.BatchNorm1d(3)(mg.zeros(1, 3))
    with pytest.raises(ValueError, match=r"p must be a probability in \[0, 1\], got 1.5"):
        nn.Dropout(1.5)


# -- dropout -----------------------------------------------------------------------------------------


def test_dropout_train_and_eval():
    layer = nn.Dropout(0.25)
    x = mg.ones(200, 50, requires_grad=True)
    out = layer(x)
    kept = out.data != 0
    assert 0.70 < kept.mean() < 0.80
    np.testing.assert_allclose(out.data[kept], 1 / 0.75)
    out.sum().backward()
    np.testing.assert_allclose(x.grad, kept / 0.75)
    layer.eval()
    assert layer(x) is x
    assert F.dropout(x, 0.5, training=False) is x
    assert (F.dropout(x, 1.0).data == 0).all()


def test_dropout_is_reproducible_under_manual_seed():
    x = mg.ones(10, 10)
    mg.manual_seed(3)
    a = F.dropout(x, 0.5).data
    mg.manual_seed(3)
    np.testing.assert_array_equal(a, F.dropout(x, 0.5).data)


# -- batch norm --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "shape, layer", [((6, 3), nn.BatchNorm1d), ((4, 3, 5), nn.BatchNorm1d), ((2, 3, 4, 4), nn.BatchNorm2d)]
)
def test_batchnorm_train_mode(shape, layer):
    bn = layer(3, dtype=np.float64)
    bn.weight.data[...] = [0.5, 1.0, 2.0]
    bn.bias.data[...] = [0.0, 1.0, -1.0]
    x = leaf(*shape)
    axes = (0,) + tuple(range(2, len(shape)))
    out = bn(x).data
    view = (1, 3) + (1,) * (len(shape) - 2)
    mean, var = x.data.mean(axis=axes), x.data.var(axis=axes)
    expected = (x.data - mean.reshape(view)) / np.sqrt(var.reshape(view) + 1e-5) * bn.weight.data.reshape(
        view
    ) + bn.bias.data.reshape(view)
    np.testing.assert_allclose(out, expected, rtol=1e-10)
    n = x.data.size // 3
    np.testing.assert_allclose(bn.running_mean.data, 0.1 * mean)
    np.testing.assert_allclose(bn.running_var.data, 0.9 + 0.1 * var * n / (n - 1))
    assert bn.num_batches_tracked.data == 1
    assert mg.gradcheck(lambda t, g, b: _with(bn, g, b)(t), [x, bn.weight, bn.bias])


def _with(bn, weight, bias):
    """The same batch-norm layer with the given parameter tensors (so gradcheck can perturb them)."""
    bn.weight, bn.bias = weight, bias
    return bn


def test_batchnorm_eval_mode_uses_running_statistics():
    bn = nn.BatchNorm2d(2, dtype=np.float64)
    bn.running_mean.data[...] = [1.0, -1.0]
    bn.running_var.data[...] = [4.0, 0.25]
    bn.eval()
    x = leaf(3, 2, 2, 2)
    out = bn(x).data
    expected = (x.data - np.array([1.0, -1.0]).reshape(1, 2, 1, 1)) / np.sqrt(
        np.array([4.0, 0.25]).reshape(1, 2, 1, 1) + 1e-5
    )
    np.testing.assert_allclose(out, expected)
    assert bn.num_batches_tracked.data == 0
    assert mg.gradcheck(lambda t, g, b: _with(bn, g, b)(t), [x, bn.weight, bn.bias])


# -- init ---------------------------------------------------------------------------------------------


def test_default_init_ranges_like_pytorch():
    layer = nn.Linear(100, 50)
    bound = 1 / np.sqrt(100)
    assert np.abs(layer.weight.data).max() <= bound and np.abs(layer.bias.data).max() <= bound
    assert layer.weight.data.std() == pytest.approx(bound / np.sqrt(3), rel=0.05)
    conv = nn.Conv2d(4, 8, 3)
    assert np.abs(conv.weight.data).max() <= 1 / np.sqrt(4 * 9)


@pytest.mark.parametrize(
    "fill, expected_std",
    [
        (lambda t: nn.init.kaiming_uniform_(t, nonlinearity="relu"), np.sqrt(2 / 200)),
        (lambda t: nn.init.kaiming_normal_(t, nonlinearity="relu"), np.sqrt(2 / 200)),
        (lambda t: nn.init.kaiming_normal_(t, mode="fan_out", nonlinearity="relu"), np.sqrt(2 / 300)),
        (lambda t: nn.init.xavier_uniform_(t), np.sqrt(2 / 500)),
        (lambda t: nn.init.xavier_normal_(t, gain=2.0), 2 * np.sqrt(2 / 500)),
        (lambda t: nn.init.normal_(t, 0.0, 0.3), 0.3),
        (lambda t: nn.init.uniform_(t, -1.0, 1.0), 1 / np.sqrt(3)),
    ],
)
def test_init_statistics(fill, expected_std):
    t = mg.zeros(300, 200, dtype=np.float64)
    assert fill(t) is t
    assert t.data.std() == pytest.approx(expected_std, rel=0.03)
    assert abs(t.data.mean()) < 0.05 * max(expected_std, 0.1)


def test_init_fills_in_place_and_is_reproducible():
    t = mg.zeros(3, 4)
    array = t.data
    mg.manual_seed(1)
    nn.init.kaiming_uniform_(t)
    first = t.data.copy()
    assert t.data is array and t.dtype == np.float32
    mg.manual_seed(1)
    nn.init.kaiming_uniform_(t)
    np.testing.assert_array_equal(t.data, first)
    nn.init.zeros_(t)
    assert (t.data == 0).all()
    nn.init.ones_(t)
    assert (t.data == 1).all()
    mg.manual_seed(5)
    a = nn.Linear(3, 3).weight.data.copy()
    mg.manual_seed(5)
    np.testing.assert_array_equal(a, nn.Linear(3, 3).weight.data)
    assert nn.init.calculate_gain("tanh") == pytest.approx(5 / 3)
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        nn.init.xavier_uniform_(mg.zeros(3))


def test_dtype_of_layers():
    assert nn.Linear(2, 2).weight.dtype == np.float32
    assert nn.Conv2d(1, 1, 2, dtype=np.float64).weight.dtype == np.float64
    mg.set_default_dtype(np.float64)
    assert nn.Linear(2, 2).weight.dtype == np.float64


# -- hypothesis: any convolution / pooling geometry ------------------------------------------------------


@st.composite
def conv_geometry(draw):
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    sh, sw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    ph, pw = draw(st.integers(0, 2)), draw(st.integers(0, 2))
    h = draw(st.integers(max(1, kh - 2 * ph), 6))
    w = draw(st.integers(max(1, kw - 2 * pw), 6))
    return (
        draw(st.integers(1, 2)),
        draw(st.integers(1, 3)),
        draw(st.integers(1, 3)),
        (h, w),
        (kh, kw),
        (sh, sw),
        (ph, pw),
    )


@given(conv_geometry())
def test_conv2d_any_geometry_matches_a_direct_loop_and_gradchecks(geometry):
    n, c, o, (h, w), (kh, kw), (sh, sw), (ph, pw) = geometry
    rng = np.random.default_rng(0)
    x = mg.tensor(rng.standard_normal((n, c, h, w)), requires_grad=True)
    weight = mg.tensor(rng.standard_normal((o, c, kh, kw)), requires_grad=True)
    bias = mg.tensor(rng.standard_normal(o), requires_grad=True)
    out = F.conv2d(x, weight, bias, stride=(sh, sw), padding=(ph, pw)).data
    xp = np.pad(x.data, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    oh, ow = (h + 2 * ph - kh) // sh + 1, (w + 2 * pw - kw) // sw + 1
    expected = np.empty((n, o, oh, ow))
    for i in range(oh):
        for j in range(ow):
            patch = xp[:, :, i * sh : i * sh + kh, j * sw : j * sw + kw]
            expected[:, :, i, j] = np.einsum("nckl,ockl->no", patch, weight.data) + bias.data
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-12)
    assert mg.gradcheck(
        lambda a, b, c_: F.conv2d(a, b, c_, stride=(sh, sw), padding=(ph, pw)), [x, weight, bias]
    )


@given(
    st.integers(1, 3),
    st.integers(1, 3),
    st.integers(1, 3),
    st.integers(1, 3),
    st.integers(3, 7),
    st.integers(3, 7),
)
def test_pooling_any_geometry_matches_a_direct_loop(kh, kw, sh, sw, h, w):
    rng = np.random.default_rng(1)
    x = mg.tensor(rng.standard_normal((2, 3, h, w)), requires_grad=True)
    oh, ow = (h - kh) // sh + 1, (w - kw) // sw + 1
    windows = np.stack([x.data[:, :, i * sh : i * sh + kh, j * sw : j * sw + kw].reshape(2, 3, -1)
                        for i in range(oh) for j in range(ow)], axis=2)  # fmt: skip
    np.testing.assert_allclose(
        F.max_pool2d(x, (kh, kw), (sh, sw)).data, windows.max(axis=3).reshape(2, 3, oh, ow)
    )
    np.testing.assert_allclose(
        F.avg_pool2d(x, (kh, kw), (sh, sw)).data, windows.mean(axis=3).reshape(2, 3, oh, ow)
    )
    assert mg.gradcheck(lambda t: F.max_pool2d(t, (kh, kw), (sh, sw)), [x])
    assert mg.gradcheck(lambda t: F.avg_pool2d(t, (kh, kw), (sh, sw)), [x])

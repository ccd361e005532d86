# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# # 03 · Convolution and pooling
#
# The MLP of chapter 02 reads an image as a list of 64 unrelated numbers. Convolution reads it as an
# image: one small filter slides over every position, so a stroke is recognised wherever it is. This
# chapter writes convolution as one matrix product over the image's patches ("im2col"), derives its
# backward pass from chapter 02's Linear rules plus chapter 01's "sum over every use", does the same for
# max pooling, and trains a tiny convolutional network (CNN) on the 8×8 digits.
#
# **You will learn**
# - convolution (as deep learning defines it: a cross-correlation) and its output size;
# - im2col: every patch a row, so that the convolution is one matrix product;
# - the backward pass: the weight gradient from the patches, the input gradient by col2im (patch
#   gradients added back where the patches overlap), and max pooling routing each gradient to its maximum;
# - to check all of it against `mg.gradcheck`, minigrad's `F.conv2d` / `nn.Conv2d` and (if installed) PyTorch.
#
# **Before this chapter**: [01 · Autograd](01_autograd.ipynb), [02 · Backpropagation](02_backprop.ipynb).

# %%
import numpy as np
import matplotlib.pyplot as plt
import minigrad as mg
from minigrad import nn, optim
from minigrad.homework import check
from minigrad.viz import use_style

use_style()
mg.manual_seed(0)
rng = np.random.default_rng(0)

# %%
import minigrad.nn.functional as F
from minigrad.data import load_digits
from minigrad.utils.data import DataLoader, TensorDataset

# %% [markdown]
# ## Motivation
#
# Move a digit one pixel to the right. For the MLP that is a different input altogether: the first
# layer's weights for pixel (3, 4) and pixel (3, 5) have nothing to do with each other. How different
# are the MLP's hidden activations for a digit and its shifted copy, compared with a convolution's?

# %%
X_train, y_train = load_digits("train", flatten=False)  # (N, 1, 8, 8) images
X_test, y_test = load_digits("test", flatten=False)
image = X_train[:1]
shifted = np.zeros_like(image)
shifted[..., 1:] = image[..., :-1]  # one pixel to the right

mlp_layer = nn.Linear(64, 32)
conv_layer = nn.Conv2d(1, 8, kernel_size=3)
with mg.no_grad():
    h, h_shifted = (mlp_layer(mg.tensor(v.reshape(1, 64))).numpy() for v in (image, shifted))
    c, c_shifted = (conv_layer(mg.tensor(v)).numpy() for v in (image, shifted))
print(f"MLP hidden layer:   relative change {np.linalg.norm(h_shifted - h) / np.linalg.norm(h):.2f}")
print(f"conv output, moved back by one pixel: relative change "
      f"{np.linalg.norm(c_shifted[..., 1:] - c[..., :-1]) / np.linalg.norm(c[..., :-1]):.1e}")
print(f"weights: Linear(64, 32) {sum(p.numel() for p in mlp_layer.parameters())}, "
      f"Conv2d(1, 8, 3) {sum(p.numel() for p in conv_layer.parameters())}")

# %% [markdown]
# The MLP's hidden layer changes by a large fraction of its size; the convolution's output simply moves
# with the image (the difference is exactly zero), with 80 weights instead of 2,080. This
# property, *translation equivariance*, and the weight sharing behind it are why images are read by
# convolutions.

# %% [markdown]
# ## Derivation
#
# ### Convolution
#
# Input $x$ of shape $(N, C, H, W)$ (PyTorch's NCHW layout), weight $w$ of shape $(O, C, k_h, k_w)$, bias
# $b$ of shape $(O,)$, stride $s$ and zero padding $p$ on every side ($\tilde x$ is the padded input):
#
# $$ y[n, o, r, q] = b_o + \sum_{c=1}^{C} \sum_{i=0}^{k_h-1} \sum_{j=0}^{k_w-1} w[o, c, i, j]\;
#    \tilde x[n, c,\; r s + i,\; q s + j], $$
#
# for output positions $0 \le r < H_\text{out}$ and $0 \le q < W_\text{out}$, where a window must fit
# inside the padded image:
#
# $$ H_\text{out} = \left\lfloor \frac{H + 2p - k_h}{s} \right\rfloor + 1, \qquad
#    W_\text{out} = \left\lfloor \frac{W + 2p - k_w}{s} \right\rfloor + 1 . $$
#
# (Mathematicians call this a cross-correlation: their convolution flips the kernel first,
# $w[o, c, k_h - 1 - i, k_w - 1 - j]$. Every deep-learning library computes it unflipped and calls it
# convolution; since $w$ is learned, the flip makes no difference.)
#
# ### im2col: convolution as one matrix product
#
# For one output position $(n, r, q)$, the sum is the dot product of the flattened weight $w[o]$ with the
# flattened patch $\tilde x[n, :, rs : rs + k_h, qs : qs + k_w]$. Stack every patch as a row of a matrix
# $X_\text{col}$ with $N H_\text{out} W_\text{out}$ rows and $C k_h k_w$ columns, and every filter as a
# column of $W_\text{col}$ ($C k_h k_w$ rows, $O$ columns), flattened in the *same* order. Then
#
# $$ Y_\text{col} = X_\text{col}\, W_\text{col} + b, $$
#
# of shape $(N H_\text{out} W_\text{out}, O)$, which reshapes to $y$. All the work is one large
# matrix product, which NumPy does fast. Any order of the patch elements works as long as the
# weight is flattened the same way: with columns in $(c, i, j)$ order (PyTorch's `unfold`),
# $W_\text{col} = $ `w.reshape(O, -1).T`; minigrad's `conv2d` works channels-last and uses $(i, j, c)$, where
# $W_\text{col} = $ `w.transpose(2, 3, 1, 0).reshape(-1, O)` (see `minigrad/nn/conv.py`).
#
# ### Backward: Linear rules, then col2im
#
# $Y_\text{col} = X_\text{col} W_\text{col} + b$ is chapter 02's Linear layer with $W = W_\text{col}^\top$.
# With $G = \partial L / \partial Y_\text{col}$ (the output gradient, reshaped the same way),
#
# $$ \frac{\partial L}{\partial W_\text{col}} = X_\text{col}^\top G, \qquad
#    \frac{\partial L}{\partial b} = \sum_\text{rows} G, \qquad
#    \frac{\partial L}{\partial X_\text{col}} = G\, W_\text{col}^\top . $$
#
# The last one is the gradient of each *copy* of a pixel in the patch matrix. With stride smaller than
# the kernel, patches overlap and one pixel is copied into several rows: chapter 01's rule (a value used
# several times gets the sum of the shares) says
#
# $$ \frac{\partial L}{\partial \tilde x[n, c, a, e]} = \sum_{\substack{r, q, i, j:\\ rs + i = a,\; qs + j = e}}
#    \frac{\partial L}{\partial X_\text{col}}\big[(n, r, q),\, (c, i, j)\big]. $$
#
# That scatter-add is **col2im**, the adjoint of im2col: loop over the kernel offsets $(i, j)$ and add
# each offset's block of patch gradients into the strided slice it was copied from. Finally the padding
# is cut off: padded zeros are constants, and their gradient is dropped.
#
# ### Max pooling: the gradient goes to the maximum
#
# $y[n, c, r, q] = \max$ of the window at $(rs, qs)$. Within a window, the maximum depends on the
# largest element with slope 1 and on the others with slope 0 (moving a non-maximal element a little
# does not change the max). So
#
# $$ \frac{\partial L}{\partial x[n, c, a, e]} = \sum_{\text{windows } (r, q) \text{ whose maximum is at } (a, e)}
#    \frac{\partial L}{\partial y[n, c, r, q]} : $$
#
# each output's gradient is *routed* to the position of its window's maximum, and every other input
# gets zero. On a tie PyTorch and minigrad pick the first maximum in row-major order.
#
# ### Translation equivariance
#
# Shift the input right by one column, $x'[\dots, a, e] = x[\dots, a, e - 1]$ (zero at $e = 0$). Without
# padding and with stride 1, substituting into the definition gives $y'[\dots, r, q] = y[\dots, r, q - 1]$
# for every $q \ge 1$: the output shifts with the input. That is what the Motivation measured.

# %% [markdown]
# ## Checking the derivation
#
# First the definition itself, as six nested loops (slow, but impossible to get wrong), against
# minigrad's `F.conv2d`, with stride 2 and padding 1:

# %%
def conv2d_by_definition(x, w, b, stride, padding):
    n_, _, h_, w_ = x.shape
    o_, _, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    oh, ow = (h_ + 2 * padding - kh) // stride + 1, (w_ + 2 * padding - kw) // stride + 1
    y = np.zeros((n_, o_, oh, ow))
    for n in range(n_):
        for o in range(o_):
            for r in range(oh):
                for q in range(ow):
                    patch = xp[n, :, r * stride : r * stride + kh, q * stride : q * stride + kw]
                    y[n, o, r, q] = b[o] + (w[o] * patch).sum()
    return y


x = rng.standard_normal((2, 3, 7, 6))
w = rng.standard_normal((4, 3, 3, 2))
b = rng.standard_normal(4)
y = F.conv2d(mg.tensor(x), mg.tensor(w), mg.tensor(b), stride=2, padding=1).numpy()
print("output shape:", y.shape, " predicted:", (2, 4, (7 + 2 - 3) // 2 + 1, (6 + 2 - 2) // 2 + 1))
np.testing.assert_allclose(y, conv2d_by_definition(x, w, b, stride=2, padding=1), rtol=1e-12, atol=1e-12)

# %% [markdown]
# The output size follows the formula and the values match the definition. Next, the backward passes
# of minigrad's convolution and max pooling against central differences, in float64:

# %%
x64 = mg.tensor(rng.standard_normal((2, 2, 5, 5)), requires_grad=True)
w64 = mg.tensor(rng.standard_normal((3, 2, 3, 3)), requires_grad=True)
b64 = mg.tensor(rng.standard_normal(3), requires_grad=True)
print("conv2d, stride 2, padding 1:", mg.gradcheck(lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=1), [x64, w64, b64]))
print("conv2d, stride 1, no padding:", mg.gradcheck(lambda x, w, b: F.conv2d(x, w, b), [x64, w64, b64]))
print("max_pool2d 2×2:", mg.gradcheck(lambda x: F.max_pool2d(x, 2), [x64]))
print("max_pool2d 3×3, stride 1 (overlapping windows):", mg.gradcheck(lambda x: F.max_pool2d(x, 3, stride=1), [x64]))

# %% [markdown]
# And max pooling's routing, looked at directly: after a backward pass with an incoming gradient of all
# ones, each 2×2 window of a 4×4 input has exactly one non-zero gradient, at its maximum.

# %%
small = mg.tensor(rng.standard_normal((1, 1, 4, 4)), requires_grad=True)
F.max_pool2d(small, 2).sum().backward()
print("input:\n", small.detach().numpy()[0, 0].round(2))
print("gradient:\n", small.grad.numpy()[0, 0])
windows = small.detach().numpy()[0, 0].reshape(2, 2, 2, 2).transpose(0, 2, 1, 3).reshape(2, 2, 4)
grads = small.grad.numpy()[0, 0].reshape(2, 2, 2, 2).transpose(0, 2, 1, 3).reshape(2, 2, 4)
np.testing.assert_array_equal(grads.argmax(axis=-1), windows.argmax(axis=-1))
np.testing.assert_array_equal(grads.sum(axis=-1), 1.0)

# %% [markdown]
# The ones sit exactly where the window maxima are. Last, the equivariance claim: the output of the
# shifted input, columns 1 onwards, equals the original output, columns 0 to the second last.

# %%
x1 = rng.standard_normal((1, 2, 6, 6))
x1_shifted = np.zeros_like(x1)
x1_shifted[..., 1:] = x1[..., :-1]
y1 = F.conv2d(mg.tensor(x1), mg.tensor(w[:, :2])).numpy()
y1_shifted = F.conv2d(mg.tensor(x1_shifted), mg.tensor(w[:, :2])).numpy()
np.testing.assert_allclose(y1_shifted[..., 1:], y1[..., :-1], rtol=1e-12, atol=1e-12)
print("shift in, shift out: largest difference", np.abs(y1_shifted[..., 1:] - y1[..., :-1]).max())

# %% [markdown]
# ## From scratch
#
# ### im2col, convolution and its backward
#
# The from-scratch version uses the $(c, i, j)$ column order, PyTorch's `unfold` layout, so that the
# weight flattens with a plain `reshape`. (Exercise 03.1 asks for minigrad's $(i, j, c)$ layout.) Both
# `unfold_rows` and `fold_rows` loop over the $k_h k_w$ kernel offsets, never over pixels: each offset
# is one strided slice of the padded image.

# %%
def output_size(h, w, kh, kw, stride, padding):
    return (h + 2 * padding - kh) // stride + 1, (w + 2 * padding - kw) // stride + 1


def unfold_rows(x, kh, kw, stride=1, padding=0):
    """im2col: the patches of x (N, C, H, W) as rows (N·OH·OW, C·kh·kw), columns in (c, i, j) order."""
    n, c, h, w = x.shape
    oh, ow = output_size(h, w, kh, kw, stride, padding)
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    cols = np.empty((n, c, kh, kw, oh, ow), dtype=x.dtype)
    for i in range(kh):
        for j in range(kw):
            cols[:, :, i, j] = xp[:, :, i : i + stride * oh : stride, j : j + stride * ow : stride]
    return cols.transpose(0, 4, 5, 1, 2, 3).reshape(n * oh * ow, c * kh * kw)


def fold_rows(grad_cols, x_shape, kh, kw, stride=1, padding=0):
    """col2im, the adjoint of unfold_rows: add each patch's gradient back where the patch came from."""
    n, c, h, w = x_shape
    oh, ow = output_size(h, w, kh, kw, stride, padding)
    blocks = grad_cols.reshape(n, oh, ow, c, kh, kw).transpose(0, 3, 4, 5, 1, 2)
    grad_padded = np.zeros((n, c, h + 2 * padding, w + 2 * padding), dtype=grad_cols.dtype)
    for i in range(kh):
        for j in range(kw):
            grad_padded[:, :, i : i + stride * oh : stride, j : j + stride * ow : stride] += blocks[:, :, i, j]
    return grad_padded[:, :, padding : padding + h, padding : padding + w]


def conv2d_forward(x, w, b, stride=1, padding=0):
    n, _, h, w_ = x.shape
    o, _, kh, kw = w.shape
    oh, ow = output_size(h, w_, kh, kw, stride, padding)
    cols = unfold_rows(x, kh, kw, stride, padding)
    out = cols @ w.reshape(o, -1).T + b  # (N·OH·OW, O)
    return out.reshape(n, oh, ow, o).transpose(0, 3, 1, 2), cols


def conv2d_backward(grad_out, x_shape, w, cols, stride=1, padding=0):
    o, _, kh, kw = w.shape
    g = grad_out.transpose(0, 2, 3, 1).reshape(-1, o)  # G, one row per patch
    grad_w = (g.T @ cols).reshape(w.shape)  # X_colᵀ G, as (O, C, kh, kw)
    grad_b = g.sum(axis=0)
    grad_x = fold_rows(g @ w.reshape(o, -1), x_shape, kh, kw, stride, padding)  # col2im(G W_colᵀ)
    return grad_x, grad_w, grad_b


# %% [markdown]
# Against the definition and against minigrad's autograd, on the stride-2, padding-1 example from above,
# with a random output gradient:

# %%
y_scratch, cols = conv2d_forward(x, w, b, stride=2, padding=1)
np.testing.assert_allclose(y_scratch, conv2d_by_definition(x, w, b, stride=2, padding=1), rtol=1e-12, atol=1e-12)

G = rng.standard_normal(y_scratch.shape)
grads_scratch = conv2d_backward(G, x.shape, w, cols, stride=2, padding=1)
xt, wt, bt = (mg.tensor(v, requires_grad=True) for v in (x, w, b))
F.conv2d(xt, wt, bt, stride=2, padding=1).backward(mg.tensor(G))
for name, mine, theirs in zip(["x", "w", "b"], grads_scratch, [xt.grad, wt.grad, bt.grad]):
    print(f"∂L/∂{name}: shape {mine.shape}, largest difference from minigrad {np.abs(mine - theirs.numpy()).max():.1e}")
    np.testing.assert_allclose(mine, theirs.numpy(), rtol=1e-10, atol=1e-12)

# %% [markdown]
# All three gradients agree with minigrad's to rounding. (minigrad's own `Conv2dFunction` is the same
# algorithm in channels-last memory, where every patch is one strided window and im2col is a single
# `as_strided` view.)
#
# ### Max pooling
#
# For windows that tile the image (stride = kernel size), a window is a block of a reshape, and the
# backward puts each gradient at its window's `argmax`:

# %%
def max_pool_forward(x, k):
    """k×k max pooling with stride k (H and W divisible by k); also returns each window's argmax."""
    n, c, h, w = x.shape
    windows = x.reshape(n, c, h // k, k, w // k, k).transpose(0, 1, 2, 4, 3, 5).reshape(n, c, h // k, w // k, k * k)
    winner = windows.argmax(axis=-1)  # the first maximum, as PyTorch
    return np.take_along_axis(windows, winner[..., None], axis=-1)[..., 0], winner


def max_pool_backward(grad_out, winner, x_shape, k):
    n, c, h, w = x_shape
    grad_windows = np.zeros((n, c, h // k, w // k, k * k), dtype=grad_out.dtype)
    np.put_along_axis(grad_windows, winner[..., None], grad_out[..., None], axis=-1)
    return grad_windows.reshape(n, c, h // k, w // k, k, k).transpose(0, 1, 2, 4, 3, 5).reshape(x_shape)


xp_ = rng.standard_normal((2, 3, 6, 8))
pooled, winner = max_pool_forward(xp_, 2)
Gp = rng.standard_normal(pooled.shape)
xpt = mg.tensor(xp_, requires_grad=True)
out = F.max_pool2d(xpt, 2)
out.backward(mg.tensor(Gp))
np.testing.assert_array_equal(pooled, out.numpy())
np.testing.assert_array_equal(max_pool_backward(Gp, winner, xp_.shape, 2), xpt.grad.numpy())
print("max pooling forward and backward: identical to minigrad's")

# %% [markdown]
# ### A tiny CNN on the digits, from scratch and with minigrad
#
# Eight 3×3 filters with padding 1 (8×8 maps), ReLU, 2×2 max pooling (4×4 maps), flattened to 128
# numbers, and a Linear layer to 10 scores: 1,370 weights. Its whole backward pass is the rules above
# and chapter 02's:

# %%
def cnn_forward_backward(params, x, y):
    """Loss and gradients of conv(1→8, 3×3, pad 1) → ReLU → maxpool 2 → flatten → Linear(128, 10)."""
    Wc, bc, W, b = params
    n = len(y)
    A, cols = conv2d_forward(x, Wc, bc, padding=1)  # (N, 8, 8, 8)
    H = np.maximum(A, 0)
    Pool, winner = max_pool_forward(H, 2)  # (N, 8, 4, 4)
    flat = Pool.reshape(n, -1)
    Z = flat @ W.T + b
    shifted = Z - Z.max(axis=1, keepdims=True)
    log_P = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -log_P[np.arange(n), y].mean()
    G_Z = np.exp(log_P)
    G_Z[np.arange(n), y] -= 1
    G_Z /= n
    G_W, G_b = G_Z.T @ flat, G_Z.sum(axis=0)
    G_Pool = (G_Z @ W).reshape(Pool.shape)
    G_A = max_pool_backward(G_Pool, winner, H.shape, 2) * (A > 0)
    _, G_Wc, G_bc = conv2d_backward(G_A, x.shape, Wc, cols, padding=1)
    return loss, [G_Wc, G_bc, G_W, G_b]


mg.manual_seed(0)
cnn = nn.Sequential(nn.Conv2d(1, 8, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                    nn.Linear(128, 10))
params = [p.detach().numpy().copy() for p in cnn.parameters()]
print(cnn)
print("weights:", sum(p.numel() for p in cnn.parameters()))

# %% [markdown]
# Trained the way chapter 02 trained the MLP: the same shuffled batches of 32, one NumPy step and one
# minigrad step on each.

# %%
loader = DataLoader(TensorDataset(mg.tensor(X_train), mg.tensor(y_train)), batch_size=32, shuffle=True)
lr, epochs = 0.2, 6
optimizer = optim.SGD(cnn.parameters(), lr=lr)
losses_np, losses_mg = [], []
for epoch in range(epochs):
    for xb, yb in loader:
        loss_np, grads_np = cnn_forward_backward(params, xb.numpy(), yb.numpy())
        for p, g in zip(params, grads_np):
            p -= lr * g
        losses_np.append(loss_np)

        optimizer.zero_grad()
        loss = F.cross_entropy(cnn(xb), yb)
        loss.backward()
        optimizer.step()
        losses_mg.append(loss.item())

with mg.no_grad():
    test_accuracy = (cnn(mg.tensor(X_test)).argmax(dim=1) == mg.tensor(y_test)).float().mean().item()
print(f"{len(losses_mg)} steps; loss {losses_mg[0]:.3f} → {losses_mg[-1]:.3f}; test accuracy {test_accuracy:.3f}")
print(f"largest |NumPy loss − minigrad loss|: {np.abs(np.array(losses_np) - losses_mg).max():.1e}")
np.testing.assert_allclose(losses_np, losses_mg, rtol=1e-4, atol=1e-6)
for p_np, p in zip(params, cnn.parameters()):
    np.testing.assert_allclose(p_np, p.detach().numpy(), atol=1e-4)
assert test_accuracy > 0.9

# %% [markdown]
# The from-scratch CNN and minigrad's follow the same path, step after step, to the test accuracy
# printed above. PyTorch, if installed, agrees on the convolution, the pooling, their gradients, and on
# our patch matrix (its `F.unfold` returns it transposed, one column per patch):

# %% tags=["torch"]
try:
    import torch
except ImportError:
    print("PyTorch is not installed: skipping the comparison")
else:
    torch.set_num_threads(1)  # tensors this small are fastest on one thread
    xt_ = torch.tensor(x, requires_grad=True)
    wt_ = torch.tensor(w, requires_grad=True)
    bt_ = torch.tensor(b, requires_grad=True)
    y_torch = torch.nn.functional.conv2d(xt_, wt_, bt_, stride=2, padding=1)
    y_torch.backward(torch.tensor(G))
    np.testing.assert_allclose(y_torch.detach().numpy(), y_scratch, rtol=1e-12, atol=1e-12)
    for mine, theirs in zip(grads_scratch, [xt_.grad, wt_.grad, bt_.grad]):
        np.testing.assert_allclose(mine, theirs.numpy(), rtol=1e-10, atol=1e-12)
    unfolded = torch.nn.functional.unfold(torch.tensor(x), kernel_size=(3, 2), stride=2, padding=1)  # (N, C·kh·kw, L)
    np.testing.assert_array_equal(unfolded.transpose(1, 2).reshape(-1, unfolded.shape[1]).numpy(),
                                  unfold_rows(x, 3, 2, stride=2, padding=1))
    pooled_torch = torch.nn.functional.max_pool2d(torch.tensor(xp_), 2)
    np.testing.assert_array_equal(pooled_torch.numpy(), pooled)
    print("PyTorch agrees: conv2d forward and backward, unfold, max_pool2d")

# %% [markdown]
# ## Picture
#
# im2col on a 4×4 image with a 3×3 kernel: four patches, four rows of nine. Patch 1 (top right) is
# outlined on the image, and its row in the patch matrix:

# %%
picture = np.arange(16.0).reshape(1, 1, 4, 4)
picture_cols = unfold_rows(picture, 3, 3)
fig, (ax_image, ax_cols) = plt.subplots(1, 2, figsize=(9, 3.2), gridspec_kw={"width_ratios": [1, 2.3]})
ax_image.imshow(picture[0, 0], cmap="Blues", vmin=-4, vmax=20)
for (r, q), value in np.ndenumerate(picture[0, 0]):
    ax_image.text(q, r, f"{value:.0f}", ha="center", va="center")
ax_image.add_patch(plt.Rectangle((0.5, -0.5), 3, 3, fill=False, edgecolor="C3", linewidth=2.5))
ax_image.set_title("input x (4×4), patch 1 outlined")
ax_image.set_xticks(range(4))
ax_image.set_yticks(range(4))
ax_image.set_xlabel("column")
ax_image.set_ylabel("row")
ax_image.grid(False)
ax_cols.imshow(picture_cols, cmap="Blues", vmin=-4, vmax=20)
for (r, q), value in np.ndenumerate(picture_cols):
    ax_cols.text(q, r, f"{value:.0f}", ha="center", va="center")
ax_cols.add_patch(plt.Rectangle((-0.5, 0.5), 9, 1, fill=False, edgecolor="C3", linewidth=2.5))
ax_cols.set_title("im2col: one row per patch (3×3 = 9 columns)")
ax_cols.set_xlabel("position in the patch (i, j)")
ax_cols.set_ylabel("patch (r, q)")
ax_cols.set_xticks(range(9), [f"{i},{j}" for i in range(3) for j in range(3)])
ax_cols.set_yticks(range(4), ["0,0", "0,1", "1,0", "1,1"])
ax_cols.grid(False)
plt.show()

# %% [markdown]
# Pixels 5, 6, 9 and 10 are in all four patches, so they appear four times in the matrix; in the
# backward pass col2im adds up their four gradients. The corner pixels appear once.
#
# What the trained CNN's first layer learned (top: the eight 3×3 filters) and what it makes of one test
# digit (bottom: the eight feature maps after ReLU):

# %%
digit = X_test[:1]
with mg.no_grad():
    maps = cnn[1](cnn[0](mg.tensor(digit))).numpy()[0]
filters = cnn[0].weight.detach().numpy()[:, 0]
fig, axes = plt.subplots(2, 9, figsize=(10, 3.0), layout="constrained")
axes[0, 0].imshow(digit[0, 0], cmap="gray_r")
axes[0, 0].set_title(f"digit {y_test[0]}")
axes[1, 0].axis("off")
limit = np.abs(filters).max()
for k in range(8):
    axes[0, k + 1].imshow(filters[k], cmap="RdBu_r", vmin=-limit, vmax=limit)
    axes[0, k + 1].set_title(f"filter {k}")
    axes[1, k + 1].imshow(maps[k], cmap="magma")
    axes[1, k + 1].set_title(f"map {k}")
for ax in axes.ravel():
    ax.set_xticks([])
    ax.set_yticks([])
fig.suptitle("First layer: learned 3×3 filters (red +, blue −) and their ReLU feature maps")
plt.show()

# %% [markdown]
# Most filters look like small edge detectors, red weights on one side and blue on the other: a map lights
# up where the digit has an edge of that orientation, wherever in the image the edge is. Each map is
# made by the same nine weights at all 64 positions.

# %% [markdown]
# ## Exercises
#
# ### Exercise 03.1: im2col in minigrad's layout (2 points)
#
# Write `im2col(x, kernel_size, stride, padding)` for `x` of shape (N, C, H, W) and pairs
# `kernel_size = (kh, kw)`, `stride = (sh, sw)`, `padding = (ph, pw)` (zero padding, ph rows above *and*
# below, pw columns left *and* right). Return the patch matrix in the layout minigrad's `conv2d` builds
# (channels last):
#
# $$ \text{cols}\big[(n \cdot H_\text{out} + r) \cdot W_\text{out} + q,\;\; (i \cdot k_w + j) \cdot C + c\big]
#    = \tilde x[n, c,\; r s_h + i,\; q s_w + j], $$
#
# of shape $(N H_\text{out} W_\text{out},\; k_h k_w C)$, in `x`'s dtype. Rows go image by image, then
# row by row of output positions; within a row, the channel varies fastest, then $j$, then $i$. Note the
# difference from `unfold_rows` above, whose columns are in $(c, i, j)$ order.

# %%
def im2col(x, kernel_size, stride, padding):
    """Patches of x (N, C, H, W) as rows (N·OH·OW, kh·kw·C): cols[(n·OH + r)·OW + q, (i·kw + j)·C + c]
    = xpad[n, c, r·sh + i, q·sw + j], xpad being x zero-padded by (ph, pw) on both sides."""
    # BEGIN SOLUTION
    (kh, kw), (sh, sw), (ph, pw) = kernel_size, stride, padding
    batch, channels, height, width = x.shape
    out_h = (height + 2 * ph - kh) // sh + 1
    out_w = (width + 2 * pw - kw) // sw + 1
    xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    matrix = np.empty((batch * out_h * out_w, kh * kw * channels), dtype=x.dtype)
    row = 0
    for sample in xpad:  # rows in (n, r, q) order: one per output position
        for r in range(out_h):
            for q in range(out_w):
                patch = sample[:, r * sh : r * sh + kh, q * sw : q * sw + kw]  # (C, kh, kw)
                matrix[row] = patch.transpose(1, 2, 0).ravel()  # columns in (i, j, c) order
                row += 1
    return matrix
    # END SOLUTION


# %%
check("03.im2col", im2col);

# %% [markdown]
# With it, a convolution in minigrad's layout is one product: the weight flattened as
# `w.transpose(2, 3, 1, 0).reshape(-1, O)`.

# %%
cols_ijc = im2col(x, (3, 2), (2, 2), (1, 1))
n, o, oh, ow = y_scratch.shape
y_ijc = (cols_ijc @ w.transpose(2, 3, 1, 0).reshape(-1, o) + b).reshape(n, oh, ow, o).transpose(0, 3, 1, 2)
np.testing.assert_allclose(y_ijc, y_scratch, rtol=1e-12, atol=1e-12)
print("im2col (i, j, c) @ w flattened (i, j, c): the same convolution, shape", y_ijc.shape)

# %% [markdown]
# ## Summary
#
# - Convolution slides one small filter over every position: few weights, shared everywhere, and an
#   output that shifts when the input shifts. Output size: $\lfloor (H + 2p - k)/s \rfloor + 1$.
# - im2col turns it into one matrix product $X_\text{col} W_\text{col} + b$ (any patch order, as long as the
#   weight is flattened the same way).
# - Its backward is chapter 02's Linear rules ($X_\text{col}^\top G$, $\sum G$, $G W_\text{col}^\top$)
#   followed by col2im, which adds each patch's gradient back where the patch came from: overlapping
#   patches add up.
# - Max pooling routes each output's gradient to its window's maximum; every other input gets zero.
# - A 1,370-weight CNN written from these rules in NumPy trains step for step like minigrad's
#   `nn.Conv2d`/`nn.MaxPool2d` network, to over 90 % test accuracy on the digits.
# - Next, chapter 04: with gradients in hand, the rule that uses them, gradient descent.

"""Convolution and pooling over images in NCHW layout (batch, channels, height, width).

The public layout is PyTorch's NCHW, but the work is done channels-last (NHWC): with the channels as
the fastest axis, every kh×kw×C input patch is one strided window of a padded NHWC buffer, so

    im2col   = one `as_strided` view (N, OH, OW, kh, kw, C) + one reshape copy to (N·OH·OW, kh·kw·C)
    conv     = one matrix product (N·OH·OW, kh·kw·C) @ (kh·kw·C, O)
    col2im   = kh·kw strided slice-additions into an NHWC buffer.

The results are handed out as NCHW views of NHWC memory, so the next layer's NHWC view is free.
Max pooling takes the elementwise maximum over the kh·kw window offsets instead of an argmax over a
reshaped axis, which is much faster for small windows.
"""

import numpy as np
from numpy.lib.stride_tricks import as_strided

from minigrad.dtypes import dtype_or_default
from minigrad.function import Function
from minigrad.nn import init
from minigrad.nn.module import Module, Parameter
from minigrad.tensor import Tensor


def _pair(value, op: str, name: str, minimum: int) -> tuple:
    """(h, w) from an int or a pair of ints; a float (e.g. 2.5 or 2.0) is refused as in PyTorch."""

    def is_int(v):
        return isinstance(v, (int, np.integer)) and not isinstance(v, bool)

    pair = (value, value) if is_int(value) else tuple(value) if isinstance(value, (tuple, list)) else None
    if pair is None or len(pair) != 2 or not all(is_int(v) for v in pair):
        raise TypeError(f"{op}: {name} must be an int or a pair of ints, got {value!r}")
    if any(v < minimum for v in pair):
        raise ValueError(f"{op}: {name} must be an int or a pair of ints ≥ {minimum}, got {value!r}")
    return int(pair[0]), int(pair[1])


def _output_size(op: str, size: tuple, kernel: tuple, stride: tuple) -> tuple:
    """(size - kernel) // stride + 1 per spatial axis, or an error if the kernel does not fit."""
    if size[0] < kernel[0] or size[1] < kernel[1]:
        raise ValueError(f"{op}: kernel {kernel} is larger than the (padded) input {size}")
    return (size[0] - kernel[0]) // stride[0] + 1, (size[1] - kernel[1]) // stride[1] + 1


def _check_4d(op: str, x) -> None:
    if x.ndim != 4:
        raise ValueError(f"{op}: expected a 4-D input (N, C, H, W), got shape {x.shape}")


def _window(array_nhwc, i: int, j: int, stride: tuple, out_hw: tuple):
    """The elements at offset (i, j) of every window: array[:, i::sh, j::sw, :] cut to the output size."""
    (sh, sw), (oh, ow) = stride, out_hw
    return array_nhwc[:, i : i + sh * oh : sh, j : j + sw * ow : sw, :]


class Conv2dFunction(Function):
    """out[n, o, y, x] = b[o] + Σ_{c, i, j} w[o, c, i, j] · xpad[n, c, y·sh + i, x·sw + j]

    As a matrix product over patches: out = cols @ W_mat + b, so backward is two more products,
        ∂L/∂W_mat = colsᵀ @ g,   ∂L/∂cols = g @ W_matᵀ,   ∂L/∂b = Σ g,
    and ∂L/∂x adds each patch's gradient back where the patch came from (col2im).
    """

    __slots__ = ("cols", "w_mat", "x_shape", "kernel", "stride", "padding", "out_hw")
    name = "conv2d"

    def forward(self, x, weight, bias=None, stride=(1, 1), padding=(0, 0)):
        _check_4d("conv2d", x)
        if weight.ndim != 4 or x.shape[1] != weight.shape[1]:
            raise ValueError(
                f"conv2d: input of shape {x.shape} has {x.shape[1]} channels, "
                f"but the weight of shape {weight.shape} expects {weight.shape[1] if weight.ndim == 4 else '(N, C, kh, kw)'}"
            )
        n, c, h, w = x.shape
        out_channels, _, kh, kw = weight.shape
        (ph, pw), (sh, sw) = padding, stride
        oh, ow = _output_size("conv2d", (h + 2 * ph, w + 2 * pw), (kh, kw), stride)

        x_nhwc = x.transpose(0, 2, 3, 1)
        if ph or pw:
            padded = np.zeros((n, h + 2 * ph, w + 2 * pw, c), dtype=x.dtype)
            padded[:, ph : ph + h, pw : pw + w, :] = x_nhwc
        else:
            padded = np.ascontiguousarray(x_nhwc)
        s_n, s_h, s_w, s_c = padded.strides
        patches = as_strided(
            padded,
            shape=(n, oh, ow, kh, kw, c),
            strides=(s_n, s_h * sh, s_w * sw, s_h, s_w, s_c),
            writeable=False,
        )
        self.cols = patches.reshape(n * oh * ow, kh * kw * c)
        self.w_mat = weight.transpose(2, 3, 1, 0).reshape(kh * kw * c, out_channels)
        self.x_shape, self.kernel, self.stride, self.padding, self.out_hw = (
            x.shape,
            (kh, kw),
            stride,
            padding,
            (oh, ow),
        )

        out = self.cols @ self.w_mat
        if bias is not None:
            out += bias
        return out.reshape(n, oh, ow, out_channels).transpose(0, 3, 1, 2)

    def backward(self, grad):
        n, c, h, w = self.x_shape
        (kh, kw), (ph, pw), (oh, ow) = self.kernel, self.padding, self.out_hw
        out_channels = grad.shape[1]
        g = grad.transpose(0, 2, 3, 1).reshape(n * oh * ow, out_channels)
        needs = self.needs_grad

        grad_x = grad_w = grad_b = None
        if needs[0]:
            # One product per kernel offset (batched), so each offset's patch gradients are a contiguous
            # (N, OH, OW, C) block: the slice-adds below then read memory in order.
            w_blocks = self.w_mat.reshape(kh * kw, c, out_channels).transpose(0, 2, 1)
            patch_grads = np.matmul(g, w_blocks).reshape(kh, kw, n, oh, ow, c)
            padded = np.zeros((n, h + 2 * ph, w + 2 * pw, c), dtype=g.dtype)
            for i in range(kh):
                for j in range(kw):
                    _window(padded, i, j, self.stride, self.out_hw)[...] += patch_grads[i, j]
            grad_x = padded[:, ph : ph + h, pw : pw + w, :].transpose(0, 3, 1, 2)
        if needs[1]:
            grad_w = (self.cols.T @ g).reshape(kh, kw, c, out_channels).transpose(3, 2, 0, 1)
        if len(needs) == 2:
            return grad_x, grad_w
        if needs[2]:
            grad_b = g.sum(axis=0)
        return grad_x, grad_w, grad_b


def conv2d(x, weight, bias=None, stride=1, padding=0) -> Tensor:
    """2-D convolution (cross-correlation, as in every deep-learning library) of NCHW input."""
    stride = _pair(stride, "conv2d", "stride", 1)
    padding = _pair(padding, "conv2d", "padding", 0)
    if bias is None:
        return Conv2dFunction.apply(x, weight, stride=stride, padding=padding)
    return Conv2dFunction.apply(x, weight, bias, stride=stride, padding=padding)


class MaxPool2dFunction(Function):
    """out[n, c, y, x] = max over the window at (y·sh, x·sw);  the gradient goes to the first maximum of
    each window in row-major order (as PyTorch), added up where windows overlap."""

    __slots__ = ("x_nhwc", "out", "kernel", "stride", "out_hw")
    name = "max_pool2d"

    def forward(self, x, kernel, stride):
        _check_4d("max_pool2d", x)
        self.kernel, self.stride = kernel, stride
        self.out_hw = _output_size("max_pool2d", x.shape[2:], kernel, stride)
        self.x_nhwc = x.transpose(0, 2, 3, 1)
        out = None
        for i in range(kernel[0]):
            for j in range(kernel[1]):
                window = _window(self.x_nhwc, i, j, stride, self.out_hw)
                out = window.copy() if out is None else np.maximum(out, window, out=out)
        self.out = out
        return out.transpose(0, 3, 1, 2)

    def backward(self, grad):
        g = grad.transpose(0, 2, 3, 1)
        grad_x = np.zeros(self.x_nhwc.shape, dtype=g.dtype)
        unclaimed = np.ones(self.out.shape, dtype=bool)
        for i in range(self.kernel[0]):
            for j in range(self.kernel[1]):
                first_max = (_window(self.x_nhwc, i, j, self.stride, self.out_hw) == self.out) & unclaimed
                _window(grad_x, i, j, self.stride, self.out_hw)[...] += g * first_max
                unclaimed &= ~first_max
        return (grad_x.transpose(0, 3, 1, 2),)


class AvgPool2dFunction(Function):
    """out[n, c, y, x] = mean over the window at (y·sh, x·sw);  each window element gets g / (kh·kw)."""

    __slots__ = ("x_shape", "kernel", "stride", "out_hw")
    name = "avg_pool2d"

    def forward(self, x, kernel, stride):
        _check_4d("avg_pool2d", x)
        self.x_shape, self.kernel, self.stride = x.shape, kernel, stride
        self.out_hw = _output_size("avg_pool2d", x.shape[2:], kernel, stride)
        x_nhwc = x.transpose(0, 2, 3, 1)
        total = None
        for i in range(kernel[0]):
            for j in range(kernel[1]):
                window = _window(x_nhwc, i, j, stride, self.out_hw)
                total = window.copy() if total is None else np.add(total, window, out=total)
        total /= kernel[0] * kernel[1]
        return total.transpose(0, 3, 1, 2)

    def backward(self, grad):
        n, c, h, w = self.x_shape
        share = grad.transpose(0, 2, 3, 1) / (self.kernel[0] * self.kernel[1])
        grad_x = np.zeros((n, h, w, c), dtype=grad.dtype)
        for i in range(self.kernel[0]):
            for j in range(self.kernel[1]):
                _window(grad_x, i, j, self.stride, self.out_hw)[...] += share
        return (grad_x.transpose(0, 3, 1, 2),)


def max_pool2d(x, kernel_size, stride=None) -> Tensor:
    """Max over kernel_size windows, moving by stride (default: kernel_size)."""
    kernel = _pair(kernel_size, "max_pool2d", "kernel_size", 1)
    stride = kernel if stride is None else _pair(stride, "max_pool2d", "stride", 1)
    return MaxPool2dFunction.apply(x, kernel=kernel, stride=stride)


def avg_pool2d(x, kernel_size, stride=None) -> Tensor:
    """Mean over kernel_size windows, moving by stride (default: kernel_size)."""
    kernel = _pair(kernel_size, "avg_pool2d", "kernel_size", 1)
    stride = kernel if stride is None else _pair(stride, "avg_pool2d", "stride", 1)
    return AvgPool2dFunction.apply(x, kernel=kernel, stride=stride)


class Conv2d(Module):
    """2-D convolution layer: weight (out_channels, in_channels, kh, kw), bias (out_channels,),
    initialised as PyTorch does (U(-1/√fan_in, 1/√fan_in), fan_in = in_channels·kh·kw)."""

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, bias=True, dtype=None):
        super().__init__()
        for name, value in (("in_channels", in_channels), ("out_channels", out_channels)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
                raise TypeError(f"Conv2d: {name} must be an int, got {value!r}")
            if value < 0:
                raise ValueError(f"Conv2d: {name} must be ≥ 0, got {value}")
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size = _pair(kernel_size, "Conv2d", "kernel_size", 1)
        self.stride = _pair(stride, "Conv2d", "stride", 1)
        self.padding = _pair(padding, "Conv2d", "padding", 0)
        dtype = dtype_or_default(dtype)
        self.weight = Parameter(np.empty((out_channels, in_channels) + self.kernel_size, dtype=dtype))
        self.bias = Parameter(np.empty(out_channels, dtype=dtype)) if bias else None
        init.default_init_(self.weight, self.bias)

    def forward(self, x):
        return conv2d(x, self.weight, self.bias, self.stride, self.padding)

    def extra_repr(self) -> str:
        text = (
            f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        )
        if self.padding != (0, 0):
            text += f", padding={self.padding}"
        return text + ("" if self.bias is not None else ", bias=False")


class _Pool2d(Module):
    def __init__(self, kernel_size, stride=None):
        super().__init__()
        _pair(
            kernel_size, type(self).__name__, "kernel_size", 1
        )  # refuse a bad size now, not at the first call
        if stride is not None:
            _pair(stride, type(self).__name__, "stride", 1)
        self.kernel_size, self.stride = kernel_size, kernel_size if stride is None else stride

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}"


class MaxPool2d(_Pool2d):
    """Max pooling; stride defaults to kernel_size (non-overlapping windows)."""

    def forward(self, x):
        return max_pool2d(x, self.kernel_size, self.stride)


class AvgPool2d(_Pool2d):
    """Average pooling; stride defaults to kernel_size (non-overlapping windows)."""

    def forward(self, x):
        return avg_pool2d(x, self.kernel_size, self.stride)

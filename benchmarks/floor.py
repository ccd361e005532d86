"""Hand-written NumPy versions of the benchmark networks: no graph, no objects per op, in place where
possible, the same math as minigrad. They are the floor: what the arithmetic alone costs in NumPy, so
the benchmark shows how much minigrad's own bookkeeping adds."""

import math

import numpy as np
from numpy.lib.stride_tricks import as_strided


class AdamFloor:
    """Adam on a list of arrays, with PyTorch's defaults."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        self.params, self.lr, (self.b1, self.b2), self.eps, self.t = params, lr, betas, eps, 0
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]

    def step(self, grads):
        self.t += 1
        b1, b2 = self.b1, self.b2
        step_size = self.lr / (1 - b1**self.t)
        root_bc2 = math.sqrt(1 - b2**self.t)
        for p, g, m, v in zip(self.params, grads, self.m, self.v):
            work = np.subtract(g, m)
            work *= 1 - b1
            m += work
            np.multiply(g, 1 - b2, out=work)
            work *= g
            v *= b2
            v += work
            np.sqrt(v, out=work)
            work /= root_bc2
            work += self.eps
            np.divide(m, work, out=work)
            work *= step_size
            p -= work


class MomentumFloor:
    """SGD with momentum (PyTorch's rule: buf ← μ·buf + g, θ ← θ − lr·buf)."""

    def __init__(self, params, lr=0.01, momentum=0.9):
        self.params, self.lr, self.momentum = params, lr, momentum
        self.bufs = [np.zeros_like(p) for p in params]

    def step(self, grads):
        for p, g, buf in zip(self.params, grads, self.bufs):
            buf *= self.momentum
            buf += g
            p -= self.lr * buf


def softmax_cross_entropy(logits, labels):
    """Mean cross-entropy of logits against labels, and its gradient softmax − one_hot (÷ batch)."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    total = exp.sum(axis=1, keepdims=True)
    rows = np.arange(len(labels))
    loss = float(np.mean(np.log(total[:, 0]) - shifted[rows, labels]))
    grad = exp / total
    grad[rows, labels] -= 1
    grad /= len(labels)
    return loss, grad


class MLPFloor:
    """Linear-ReLU-...-Linear with softmax cross-entropy; weights (out, in) as in PyTorch."""

    def __init__(self, weights, biases):
        self.weights, self.biases = weights, biases

    def params(self):
        return [a for pair in zip(self.weights, self.biases) for a in pair]

    def loss_and_grads(self, x, labels):
        activations = [x]
        h = x
        last = len(self.weights) - 1
        for i, (w, b) in enumerate(zip(self.weights, self.biases)):
            h = h @ w.T
            h += b
            if i < last:
                np.maximum(h, 0, out=h)
            activations.append(h)
        loss, grad = softmax_cross_entropy(activations[-1], labels)
        grads = []
        for i in range(last, -1, -1):
            below = activations[i]
            grads.append(grad.sum(axis=0))
            grads.append(grad.T @ below)
            if i > 0:
                grad = grad @ self.weights[i]
                grad *= below > 0
        grads.reverse()  # [w0, b0, w1, b1, ...]
        return loss, grads

    def predict(self, x):
        h = x
        for i, (w, b) in enumerate(zip(self.weights, self.biases)):
            h = h @ w.T + b
            if i < len(self.weights) - 1:
                h = np.maximum(h, 0)
        return h.argmax(axis=1)


def _conv_forward(x_nhwc, w, b, pad):
    """NHWC input, weight (O, C, kh, kw): channels-last im2col and one product."""
    n, h, wd, c = x_nhwc.shape
    o, _, kh, kw = w.shape
    padded = np.zeros((n, h + 2 * pad, wd + 2 * pad, c), dtype=x_nhwc.dtype)
    padded[:, pad : pad + h, pad : pad + wd, :] = x_nhwc
    s = padded.strides
    cols = as_strided(padded, (n, h, wd, kh, kw, c), (s[0], s[1], s[2], s[1], s[2], s[3])).reshape(
        n * h * wd, kh * kw * c
    )
    w_mat = w.transpose(2, 3, 1, 0).reshape(kh * kw * c, o)
    out = cols @ w_mat
    out += b
    return out.reshape(n, h, wd, o), cols, w_mat


def _conv_backward(g_nhwc, cols, w_mat, x_shape, kernel, pad, need_input):
    n, h, wd, c = x_shape
    kh, kw = kernel
    o = g_nhwc.shape[-1]
    g = g_nhwc.reshape(-1, o)
    grad_w = (cols.T @ g).reshape(kh, kw, c, o).transpose(3, 2, 0, 1)
    grad_b = g.sum(axis=0)
    grad_x = None
    if need_input:
        blocks = np.matmul(g, w_mat.reshape(kh * kw, c, o).transpose(0, 2, 1)).reshape(kh, kw, n, h, wd, c)
        padded = np.zeros((n, h + 2 * pad, wd + 2 * pad, c), dtype=g.dtype)
        for i in range(kh):
            for j in range(kw):
                padded[:, i : i + h, j : j + wd, :] += blocks[i, j]
        grad_x = padded[:, pad : pad + h, pad : pad + wd, :]
    return grad_x, grad_w, grad_b


def _pool_forward(x):
    """2×2 max pooling of NHWC: the elementwise maximum of the four window offsets."""
    out = np.maximum(x[:, 0::2, 0::2], x[:, 0::2, 1::2])
    np.maximum(out, x[:, 1::2, 0::2], out=out)
    np.maximum(out, x[:, 1::2, 1::2], out=out)
    return out


def _pool_backward(g, x, out):
    grad = np.zeros_like(x)
    free = np.ones(out.shape, dtype=bool)
    for i in range(2):
        for j in range(2):
            hit = (x[:, i::2, j::2] == out) & free
            grad[:, i::2, j::2] = g * hit
            free &= ~hit
    return grad


class CNNFloor:
    """Conv(1→16, 3, p1)-ReLU-MaxPool2-Conv(16→32, 3, p1)-ReLU-MaxPool2-Flatten-Linear(128→10)."""

    def __init__(self, conv1_w, conv1_b, conv2_w, conv2_b, fc_w, fc_b):
        self.arrays = [conv1_w, conv1_b, conv2_w, conv2_b, fc_w, fc_b]

    def params(self):
        return self.arrays

    def loss_and_grads(self, x_nchw, labels):
        w1, b1, w2, b2, fw, fb = self.arrays
        x = np.ascontiguousarray(x_nchw.transpose(0, 2, 3, 1))
        c1, cols1, wm1 = _conv_forward(x, w1, b1, 1)
        np.maximum(c1, 0, out=c1)
        p1 = _pool_forward(c1)
        c2, cols2, wm2 = _conv_forward(p1, w2, b2, 1)
        np.maximum(c2, 0, out=c2)
        p2 = _pool_forward(c2)
        flat = p2.transpose(0, 3, 1, 2).reshape(len(labels), -1)  # PyTorch's NCHW flatten order
        loss, g = softmax_cross_entropy(flat @ fw.T + fb, labels)
        grad_fw, grad_fb = g.T @ flat, g.sum(axis=0)
        g_p2 = (g @ fw).reshape(p2.shape[0], p2.shape[3], p2.shape[1], p2.shape[2]).transpose(0, 2, 3, 1)
        g_c2 = _pool_backward(g_p2, c2, p2)
        g_c2 *= c2 > 0
        g_p1, grad_w2, grad_b2 = _conv_backward(g_c2, cols2, wm2, p1.shape, (3, 3), 1, True)
        g_c1 = _pool_backward(g_p1, c1, p1)
        g_c1 *= c1 > 0
        _, grad_w1, grad_b1 = _conv_backward(g_c1, cols1, wm1, x.shape, (3, 3), 1, False)
        return loss, [grad_w1, grad_b1, grad_w2, grad_b2, grad_fw, grad_fb]

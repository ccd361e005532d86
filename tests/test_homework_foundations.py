"""The references of chapters 01-03's exercises say what their docstrings promise.

The checkers take their answers from the library (autograd, `Conv2dFunction`'s patch matrix); if the
library ever computes them differently, the exercises' stated layouts and formulas must still hold."""

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from minigrad.homework.exercises import ch01, ch02, ch03


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(1, 2),
    c=st.integers(1, 3),
    h=st.integers(1, 7),
    w=st.integers(1, 7),
    kh=st.integers(1, 3),
    kw=st.integers(1, 3),
    sh=st.integers(1, 3),
    sw=st.integers(1, 3),
    ph=st.integers(0, 2),
    pw=st.integers(0, 2),
    seed=st.integers(0, 2**16),
)
def test_im2col_reference_has_the_documented_layout(n, c, h, w, kh, kw, sh, sw, ph, pw, seed):
    assume(h + 2 * ph >= kh and w + 2 * pw >= kw)
    x = np.random.default_rng(seed).standard_normal((n, c, h, w))
    cols = ch03.im2col(x, (kh, kw), (sh, sw), (ph, pw))
    xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    oh, ow = (h + 2 * ph - kh) // sh + 1, (w + 2 * pw - kw) // sw + 1
    assert cols.shape == (n * oh * ow, kh * kw * c)
    for b in range(n):
        for r in range(oh):
            for q in range(ow):
                for i in range(kh):
                    for j in range(kw):
                        for k in range(c):
                            assert (
                                cols[(b * oh + r) * ow + q, (i * kw + j) * c + k]
                                == xpad[b, k, r * sh + i, q * sw + j]
                            )


def test_backward_references_match_their_closed_forms():
    rng = np.random.default_rng(0)
    x, g = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    np.testing.assert_allclose(ch01.tanh_backward(x, g), g * (1 - np.tanh(x) ** 2), rtol=1e-12)

    gy = rng.standard_normal(3)
    softmax = np.exp(x) / np.exp(x).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(ch01.logsumexp_backward(x, gy, 1), softmax * gy[:, None], rtol=1e-12)

    w, gout = rng.standard_normal((5, 4)), rng.standard_normal((3, 5))
    for got, want in zip(ch02.linear_backward(x, w, gout), (gout @ w, gout.T @ x, gout.sum(axis=0))):
        np.testing.assert_allclose(got, want, rtol=1e-12)

    labels = np.array([0, 3, 1])
    np.testing.assert_allclose(
        ch02.softmax_cross_entropy_grad(x, labels), (softmax - np.eye(4)[labels]) / 3, rtol=1e-12, atol=1e-15
    )

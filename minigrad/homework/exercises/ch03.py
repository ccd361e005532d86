"""Chapter 03, convolution: im2col, in the layout minigrad's `conv2d` uses.

The solution is the patch matrix `minigrad.nn.conv.Conv2dFunction` builds in its forward pass.
"""

import numpy as np

from minigrad.homework.exercise import Exercise, Mistake, Probe
from minigrad.nn.conv import Conv2dFunction


def im2col(x, kernel_size, stride, padding):
    """The patches of x (N, C, H, W), zero-padded by padding = (ph, pw) on every side, as a matrix of shape
    (N·OH·OW, kh·kw·C), OH = (H + 2ph − kh)//sh + 1 (OW likewise):

        cols[(n·OH + oy)·OW + ox, (i·kw + j)·C + c] = xpad[n, c, oy·sh + i, ox·sw + j]
    """
    kh, kw = kernel_size
    conv = Conv2dFunction.__new__(Conv2dFunction)
    conv.forward(
        x, np.zeros((1, x.shape[1], kh, kw), dtype=x.dtype), stride=tuple(stride), padding=tuple(padding)
    )
    return np.array(conv.cols)


def _patches(x, kernel_size, stride, padding, pad_after=True):
    """(N, OH, OW, kh, kw, C) patches, by loops over the kernel offsets (the mistakes are built from it)."""
    (kh, kw), (sh, sw), (ph, pw) = kernel_size, stride, padding
    xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph if pad_after else 0), (pw, pw if pad_after else 0)))
    n, c, hp, wp = xpad.shape
    oh, ow = (hp - kh) // sh + 1, (wp - kw) // sw + 1
    patches = np.empty((n, oh, ow, kh, kw, c), dtype=x.dtype)
    for i in range(kh):
        for j in range(kw):
            patches[:, :, :, i, j, :] = xpad[:, :, i : i + sh * oh : sh, j : j + sw * ow : sw].transpose(
                0, 2, 3, 1
            )
    return patches


def _rows(patches):
    n, oh, ow, kh, kw, c = patches.shape
    return patches.reshape(n * oh * ow, kh * kw * c)


def _probes(rng):
    probes = []
    # Together the geometries have C > 1, N > 1, non-square kernels, strides and paddings, and padding with
    # stride 1 in each direction (where any change of the output size shows): each mistake shows.
    geometries = [
        ((2, 3, 5, 6), (2, 3), (1, 1), (0, 0)),
        ((2, 2, 6, 5), (3, 2), (2, 1), (1, 0)),
        ((1, 3, 5, 5), (3, 3), (1, 2), (1, 1)),
        ((3, 2, 7, 6), (2, 2), (2, 2), (0, 1)),
        ((2, 1, 4, 4), (1, 1), (1, 1), (0, 0)),
        ((2, 2, 6, 7), (3, 2), (2, 3), (2, 1)),
        ((2, 2, 5, 6), (2, 3), (1, 1), (1, 2)),
        ((1, 2, 6, 5), (3, 3), (1, 1), (2, 1)),
    ]
    for k, (shape, kernel, stride, padding) in enumerate(geometries):
        dtype = np.float64 if k % 2 == 0 else np.float32
        x = rng.standard_normal(shape).astype(dtype)
        probes.append(
            Probe(
                f"x {shape}, kernel {kernel}, stride {stride}, padding {padding}",
                dict(x=x, kernel_size=kernel, stride=stride, padding=padding),
            )
        )
    return probes


EXERCISES = [
    Exercise(
        chapter="03",
        function="im2col",
        title="im2col: every patch a row",
        points=2,
        solution=im2col,
        probes=_probes,
        outputs=("cols",),
        forbidden=("minigrad.nn.conv.Conv2dFunction",),
        mistakes=(
            Mistake(
                "the columns are ordered (c, i, j) instead of (i, j, c)",
                "Within a row the channel varies fastest: column (i·kw + j)·C + c holds xpad[n, c, …+i, …+j].",
                lambda x, kernel_size, stride, padding: _rows(
                    _patches(x, kernel_size, stride, padding).transpose(0, 1, 2, 5, 3, 4)
                ),
            ),
            Mistake(
                "the rows are ordered (oy, ox, n): the batch index varies fastest",
                "Row (n·OH + oy)·OW + ox: all of image 0's patches come first, then image 1's.",
                lambda x, kernel_size, stride, padding: _rows(
                    _patches(x, kernel_size, stride, padding).transpose(1, 2, 0, 3, 4, 5)
                ),
            ),
            Mistake(
                "the stride is ignored (every position is a patch)",
                "Patch (oy, ox) starts at row oy·sh and column ox·sw of the padded image, and "
                "OH = (H + 2ph − kh)//sh + 1.",
                lambda x, kernel_size, stride, padding: _rows(_patches(x, kernel_size, (1, 1), padding)),
            ),
            Mistake(
                "the padding is added on one side only (top and left)",
                "Pad ph rows above and below and pw columns left and right: "
                "np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw))).",
                lambda x, kernel_size, stride, padding: _rows(
                    _patches(x, kernel_size, stride, padding, pad_after=False)
                ),
            ),
            Mistake(
                "the kernel's height and width are swapped",
                "kernel_size is (kh, kw): kh rows down, kw columns across.",
                lambda x, kernel_size, stride, padding: _rows(
                    _patches(x, kernel_size[::-1], stride, padding)
                ),
            ),
        ),
    ),
]

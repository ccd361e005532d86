"""2-D test functions for watching optimizers move: the three landscapes of the [SJTU slides]
(docs/sources.md) and the classics.

Each `Surface` is written with minigrad's tensor ops, so the same function draws its contour plot
(on a grid) and gives the gradients the optimizers follow (on a 2-element parameter tensor).
`path(surface, optimizer)` runs a real `minigrad.optim` optimizer from the surface's start point.

| name           | f(x, y)                                                   | minimum                 |
|----------------|-----------------------------------------------------------|-------------------------|
| three_basins   | a wide bowl with three Gaussian wells of different depths | (0.2962, −1.5783)       |
| saddle         | x² − y² + y⁴/4                                            | (0, ±√2), saddle at 0   |
| canyon         | 0.1·x² + 10·(y − x²/4)²                                   | (0, 0)                  |
| ellipse        | x²/20 + y²       (Deep Learning from Scratch, ch. 6)      | (0, 0)                  |
| d2l_ellipse    | 0.1·x² + 2·y²    (Dive into Deep Learning, ch. 12)        | (0, 0)                  |
| rosenbrock     | (1 − x)² + 100·(y − x²)²                                  | (1, 1)                  |
| beale          | (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²  | (3, 0.5)                |
"""

from dataclasses import dataclass

import numpy as np

from minigrad.grad_mode import no_grad
from minigrad.tensor import Tensor


def _well(x, y, cx, cy, depth, width):
    """−depth · exp(−((x − cx)² + (y − cy)²) / width²): a Gaussian dip centred at (cx, cy)."""
    return -depth * (-((x - cx) ** 2 + (y - cy) ** 2) / width**2).exp()


def three_basins(x, y):
    return (
        0.04 * (x * x + y * y)
        + _well(x, y, -1.5, 1.2, 1.0, 0.9)
        + _well(x, y, 1.6, 0.9, 1.4, 1.0)
        + _well(x, y, 0.3, -1.6, 1.9, 0.8)
    )


def saddle(x, y):
    return x * x - y * y + y**4 / 4


def canyon(x, y):
    return 0.1 * x * x + 10 * (y - x * x / 4) ** 2


def ellipse(x, y):
    return x * x / 20 + y * y


def d2l_ellipse(x, y):
    return 0.1 * x * x + 2 * y * y


def rosenbrock(x, y):
    return (1 - x) ** 2 + 100 * (y - x * x) ** 2


def beale(x, y):
    return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y * y) ** 2 + (2.625 - x + x * y**3) ** 2


@dataclass(frozen=True)
class Surface:
    """A differentiable f(x, y), its known minima, and how to show it."""

    name: str
    title: str
    function: object
    minima: tuple  # ((x, y), ...): every local minimum, the global one first
    start: tuple  # where the optimizers start
    xlim: tuple
    ylim: tuple
    lr_scale: float = 1.0  # multiplies the learning rates of SGD, Momentum and Nesterov (steps ∝ gradient)
    adaptive_lr_scale: float = 1.0  # multiplies those of the adaptive optimizers (steps ≈ lr per coordinate)
    log_levels: bool = False  # contour levels on a log scale (surfaces with a huge range of values)
    steps: int = 150  # how many steps the pictures show

    def __call__(self, point: Tensor) -> Tensor:
        """f at a 2-element tensor: what an optimizer minimises."""
        return self.function(point[0], point[1])

    def value(self, x, y) -> np.ndarray:
        """f on arrays of x and y (e.g. a grid for contour plots), without recording a graph."""
        with no_grad():
            return self.function(
                Tensor(np.asarray(x, dtype=np.float64)), Tensor(np.asarray(y, dtype=np.float64))
            ).data

    def grid(self, n: int = 200):
        """X, Y, f(X, Y) on an n × n grid over the plotting window."""
        X, Y = np.meshgrid(np.linspace(*self.xlim, n), np.linspace(*self.ylim, n))
        return X, Y, self.value(X, Y)


SURFACES = {
    s.name: s
    for s in [
        Surface("three_basins", "Three basins [SJTU slides]", three_basins,
                ((0.296246, -1.578258), (1.555404, 0.874908), (-1.452434, 1.162149)), (-0.2, 2.6), (-3.2, 3.2), (-3.2, 3.2)),
        Surface("saddle", "Saddle [SJTU slides]", saddle, ((0.0, 2**0.5), (0.0, -(2**0.5))), (-2.0, 0.01), (-2.5, 2.5), (-2.5, 2.5), 0.5, 0.5),
        Surface("canyon", "Canyon [SJTU slides]", canyon, ((0.0, 0.0),), (-3.0, 1.0), (-4.0, 4.0), (-1.0, 4.5), 0.3, 1.0, True),
        Surface("ellipse", "x²/20 + y²", ellipse, ((0.0, 0.0),), (-7.0, 2.0), (-10.0, 10.0), (-5.0, 5.0), 9.0, 1.5),
        Surface("d2l_ellipse", "0.1x² + 2y²", d2l_ellipse, ((0.0, 0.0),), (-5.0, -2.0), (-5.5, 5.5), (-3.0, 3.0), 4.0, 1.0),
        Surface("rosenbrock", "Rosenbrock", rosenbrock, ((1.0, 1.0),), (-1.5, 2.0), (-2.0, 2.0), (-1.0, 3.0), 0.02, 0.5, True, 400),
        Surface("beale", "Beale", beale, ((3.0, 0.5),), (1.0, 1.4), (-4.5, 4.5), (-4.5, 4.5), 0.1, 0.5, True, 300),
    ]
}  # fmt: skip


def path(surface: Surface, make_optimizer, steps: int = 200, start=None) -> np.ndarray:
    """The points (steps + 1, 2) visited by an optimizer `make_optimizer([param])` minimising the
    surface from its start. A path that blows up (non-finite) stops at the last finite point."""
    point = Tensor(np.array(surface.start if start is None else start, dtype=np.float64), requires_grad=True)
    optimizer = make_optimizer([point])
    points = [point.data.copy()]
    for _ in range(steps):
        optimizer.zero_grad()
        with np.errstate(over="ignore", invalid="ignore"):  # a diverging path is cut just below
            surface(point).backward()
            optimizer.step()
        if not np.all(np.isfinite(point.data)):
            break
        points.append(point.data.copy())
    return np.array(points)

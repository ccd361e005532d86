"""Chapter 04, gradient descent: one SGD step, and the convergence factor of gradient descent on a quadratic."""

import numpy as np

from minigrad.homework.exercise import Exercise, Mistake, Probe


def sgd_step(param, grad, lr):
    """θ ← θ − η·g, returned as a new array."""
    return param - lr * grad


def _probes(rng):
    probes = []
    for dtype in (np.float64, np.float32):
        for shape in [(3,), (2, 4), ()]:
            param = rng.standard_normal(shape).astype(dtype)
            grad = rng.standard_normal(shape).astype(dtype)
            lr = float(rng.uniform(0.05, 0.5))
            probes.append(
                Probe(f"{np.dtype(dtype).name} {shape}, lr={lr:.3g}", dict(param=param, grad=grad, lr=lr))
            )
    probes.append(Probe("zero gradient", dict(param=np.array([1.0, -2.0]), grad=np.zeros(2), lr=0.1)))
    return probes


def convergence_factor(hessian, lr):
    """ρ = max over the eigenvalues λ of the Hessian of |1 − lr·λ| (chapter 04's stability analysis)."""
    return float(np.max(np.abs(1 - lr * np.linalg.eigvalsh(hessian))))


def _random_hessian(rng, size, smallest, largest):
    """A symmetric positive semi-definite matrix with eigenvalues spread over [smallest, largest],
    in a random (non-diagonal) basis."""
    eigenvalues = np.sort(np.concatenate([[smallest, largest], rng.uniform(smallest, largest, size - 2)]))
    basis, _ = np.linalg.qr(rng.standard_normal((size, size)))
    hessian = basis @ np.diag(eigenvalues) @ basis.T
    return (hessian + hessian.T) / 2


def _factor_probes(rng):
    probes = []
    for size in (2, 3, 5):
        smallest, largest = rng.uniform(0.1, 0.5), rng.uniform(3.0, 8.0)
        hessian = _random_hessian(rng, size, smallest, largest)
        # small steps: the flat direction is the slowest; large steps: the steep one overshoots
        for lr in (0.3 / largest, 1.9 / largest, 2.3 / largest):
            probes.append(
                Probe(
                    f"{size}×{size} Hessian, λ in [{smallest:.2g}, {largest:.2g}], lr={lr:.3g}",
                    dict(hessian=hessian, lr=float(lr)),
                )
            )
    one = rng.uniform(0.5, 2.0)
    probes.append(Probe("1×1 Hessian, lr beyond 2/λ", dict(hessian=np.array([[one]]), lr=float(2.5 / one))))
    probes.append(
        Probe(
            "an almost flat direction (λ = 1e-4)",
            dict(hessian=np.diag([1e-4, rng.uniform(1.0, 3.0)]), lr=0.1),
        )
    )
    return probes


EXERCISES = [
    Exercise(
        chapter="04",
        function="sgd_step",
        title="one SGD step",
        points=1,
        solution=sgd_step,
        probes=_probes,
        outputs=("param",),
        forbidden=("minigrad.optim.sgd.sgd",),
        mistakes=(
            Mistake(
                "The step goes uphill (θ + η·g)",
                "The gradient points uphill; subtract it: θ − η·g.",
                lambda param, grad, lr: param + lr * grad,
            ),
            Mistake(
                "The learning rate is missing (θ − g)",
                "Scale the gradient by the learning rate before subtracting it.",
                lambda param, grad, lr: param - grad,
            ),
            Mistake(
                "The step is divided by the learning rate (θ − g/η)",
                "Multiply the gradient by η; dividing makes small learning rates take huge steps.",
                lambda param, grad, lr: param - grad / lr,
            ),
        ),
    ),
    Exercise(
        chapter="04",
        function="convergence_factor",
        title="the convergence factor of gradient descent on a quadratic",
        points=2,
        solution=convergence_factor,
        probes=_factor_probes,
        outputs=("factor",),
        mistakes=(
            Mistake(
                "No absolute value (max of 1 − lr·λ)",
                "A step with lr·λ > 1 overshoots: the factor 1 − lr·λ is negative, and what matters is its "
                "size. Take |1 − lr·λ| before the maximum.",
                lambda hessian, lr: float(np.max(1 - lr * np.linalg.eigvalsh(hessian))),
            ),
            Mistake(
                "Only the largest eigenvalue (|1 − lr·L|)",
                "For small learning rates the flattest direction, 1 − lr·λ_min, is the slowest; take the "
                "maximum over all eigenvalues.",
                lambda hessian, lr: float(abs(1 - lr * np.linalg.eigvalsh(hessian).max())),
            ),
            Mistake(
                "Only the smallest eigenvalue (|1 − lr·λ_min|)",
                "For large learning rates the steepest direction overshoots and sets the pace; take the "
                "maximum over all eigenvalues.",
                lambda hessian, lr: float(abs(1 - lr * np.linalg.eigvalsh(hessian).min())),
            ),
            Mistake(
                "The diagonal of the Hessian used instead of its eigenvalues",
                "The curvatures along the eigenvectors are the eigenvalues; the diagonal entries are the "
                "curvatures along the axes only when the Hessian is diagonal. Use np.linalg.eigvalsh.",
                lambda hessian, lr: float(np.max(np.abs(1 - lr * np.diag(hessian)))),
            ),
            Mistake(
                "lr/λ instead of lr·λ",
                "One step changes the error along an eigenvector by −lr·λ times itself: multiply.",
                lambda hessian, lr: float(np.max(np.abs(1 - lr / np.linalg.eigvalsh(hessian)))),
            ),
        ),
    ),
]

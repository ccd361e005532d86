"""Per-op cost of the engine next to the raw NumPy work it wraps.

    python benchmarks/engine_overhead.py

Prints µs per forward+backward for a tiny add and for a 32×64 @ 64×128 matmul, in minigrad and as
the bare NumPy calls that the same math needs. The difference is minigrad's bookkeeping per op.
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # before NumPy is imported: one thread, comparable numbers

import platform  # noqa: E402
import timeit  # noqa: E402

import numpy as np  # noqa: E402

import minigrad as mg  # noqa: E402


def best_us(fn, number=2000, repeat=7) -> float:
    """The fastest of `repeat` timings, in µs per call (the least disturbed by the rest of the machine)."""
    fn()
    return min(timeit.repeat(fn, number=number, repeat=repeat)) / number * 1e6


def main() -> None:
    rng = np.random.default_rng(0)

    a = mg.tensor(rng.standard_normal(4).astype(np.float32), requires_grad=True)
    b = mg.tensor(rng.standard_normal(4).astype(np.float32), requires_grad=True)
    g4 = np.ones(4, dtype=np.float32)

    def mg_add():
        a.grad = b.grad = None
        (a + b).backward(g4)

    an, bn = a.data, b.data

    def np_add():
        out = an + bn
        return out, g4.copy(), g4.copy()  # forward, and one gradient per input

    x = mg.tensor(rng.standard_normal((32, 64)).astype(np.float32), requires_grad=True)
    w = mg.tensor(rng.standard_normal((64, 128)).astype(np.float32), requires_grad=True)
    g = rng.standard_normal((32, 128)).astype(np.float32)

    def mg_matmul():
        x.grad = w.grad = None
        (x @ w).backward(g)

    xn, wn = x.data, w.data

    def np_matmul():
        return xn @ wn, g @ wn.T, xn.T @ g

    rows = [
        ("add (4,) + (4,), forward+backward", best_us(mg_add), best_us(np_add)),
        ("matmul (32,64) @ (64,128), forward+backward", best_us(mg_matmul, 500), best_us(np_matmul, 500)),
    ]
    print(
        f"minigrad {mg.__version__}, NumPy {np.__version__}, Python {platform.python_version()}, {platform.machine()}"
    )
    print(f"{'operation':<46} {'minigrad µs':>12} {'NumPy µs':>10} {'overhead µs':>12}")
    for name, mine, floor in rows:
        print(f"{name:<46} {mine:>12.2f} {floor:>10.2f} {mine - floor:>12.2f}")


if __name__ == "__main__":
    main()

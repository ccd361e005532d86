"""The benchmark suite's own correctness: its NumPy floor and every contender compute the same loss and
gradients as minigrad (the timing itself is not a test; run benchmarks/run.py for that)."""

import os
import sys
from pathlib import Path

import numpy as np
import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

# run.py pins BLAS to one thread through the environment (for its own timings). Importing it here must
# not leak that setting into this test process's children: the notebook tests run each chapter in a
# fresh kernel, and one BLAS thread instead of two changes a printed rounding-level difference.
_THREAD_VARIABLES = {
    name: os.environ.get(name) for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
}
import floor  # noqa: E402
import run  # noqa: E402

for _name, _value in _THREAD_VARIABLES.items():
    if _value is None:
        os.environ.pop(_name, None)
    else:
        os.environ[_name] = _value


@pytest.mark.parametrize("workload", [run.workload_w1, run.workload_w2, run.workload_w3])
def test_workloads_agree_before_timing(workload):
    made = workload()  # raises if minigrad, the NumPy floor (and PyTorch, if installed) disagree
    ((name, (unit, per_call, contenders, number)),) = made.items()
    assert {"minigrad", "NumPy floor"} <= set(contenders)
    for step in contenders.values():
        step()


def test_optimizer_step_workload_has_a_numpy_loop_to_compare_with():
    made = run.workload_w4()  # raises if minigrad's Adam and the NumPy loop (and PyTorch) disagree
    assert set(made) == {"W4a", "W4b"}
    for name, (_unit, _per_call, contenders, _number) in made.items():
        assert {"minigrad", "NumPy floor"} <= set(contenders) and name in run.FLOOR_TARGETS


def test_spread_is_the_quartiles_of_per_repeat_ratios():
    times = {"minigrad": [1.0, 2.0, 3.0, 4.0, 5.0], "other": [1.0] * 5}
    assert run.spread(times, "minigrad", "other") == (2.0, 4.0)


def test_floor_adam_matches_minigrad_adam():
    import minigrad as mg
    from minigrad import optim

    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal((3, 4)).astype(np.float32), rng.standard_normal(5).astype(np.float32)]
    params = [mg.tensor(a.copy(), requires_grad=True) for a in arrays]
    opt, reference = optim.Adam(params, lr=0.01), floor.AdamFloor([a.copy() for a in arrays], lr=0.01)
    for _ in range(5):
        grads = [rng.standard_normal(a.shape).astype(np.float32) for a in arrays]
        for p, g in zip(params, grads):
            p.grad = g
        opt.step()
        reference.step(grads)
    for p, a in zip(params, reference.params):
        np.testing.assert_allclose(p.data, a, rtol=1e-5, atol=1e-6)


def test_ratio_is_the_median_of_per_repeat_ratios():
    times = {"minigrad": [1.0, 2.0, 10.0], "other": [2.0, 4.0, 5.0]}
    assert run.ratio(times, "minigrad", "other") == 0.5

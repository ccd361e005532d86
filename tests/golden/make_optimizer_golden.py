"""Regenerate tests/golden/optimizer_trajectories.npz (needs PyTorch 2.13: `pip install torch==2.13.0`).

    python tests/golden/make_optimizer_golden.py

For every case in tests/optim_cases.py the frozen trajectory is PyTorch's where PyTorch has the
algorithm, else the independent reference implementation's. The core test suite compares minigrad
with these files, so it needs no PyTorch.
"""

import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import optim_cases as cases  # noqa: E402
import optim_reference as ref  # noqa: E402


def main() -> None:
    import torch

    theta0, grads = cases.gradient_sequence()
    arrays = {"theta0": theta0, "grads": grads}
    sources = []
    for name, _, (rule, hyper), make_torch in cases.CASES:
        if make_torch is not None:
            arrays[cases.key(name)] = cases.torch_trajectory(torch, make_torch, theta0, grads)
            sources.append(f"{name}: torch {torch.__version__}")
        else:
            arrays[cases.key(name)] = ref.run(rule, theta0, grads, **hyper)
            sources.append(f"{name}: reference implementation")
    arrays["sources"] = np.array("\n".join(sources))
    np.savez_compressed(HERE / "optimizer_trajectories.npz", **arrays)
    print("\n".join(sources))


if __name__ == "__main__":
    main()

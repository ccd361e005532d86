"""minigrad against PyTorch (CPU, eager, default torch.optim) and a hand-written NumPy floor.

    python benchmarks/run.py [--only W1,W3] [--repeats 7] [--json out.json]

Everything runs in one process, one thread, with warm-up, the contenders interleaved within every
repeat and the median of the repeats reported, so ratios are fair on a noisy machine. Before timing,
each workload checks that the contenders compute the same loss and gradients from the same weights.
PyTorch is optional: without it the table shows minigrad and the floor only.

  W1  one training step: MLP 64-128-64-10 (ReLU), digits, batch 32, cross-entropy, Adam(lr=1e-3)
  W2  one epoch: MLP 784-256-10 (ReLU), 10,000 random float32 samples, batch 128, SGD(0.01, momentum 0.9)
  W3  one training step: Conv(1,16,3,p1)-ReLU-MaxPool2-Conv(16,32,3,p1)-ReLU-MaxPool2-Flatten-Linear(128,10),
      digits as 1×8×8, batch 64, Adam
  W4  one Adam step alone: (a) one tensor of 1,000,000 float32, (b) 100 tensors of 10,000, gradients from
      backward; the floor is a plain NumPy loop over the tensors (PyTorch's own time swings too much here
      to be the yardstick)
  W5  W1's MLP trained on digits (80/20) with Adam(1e-3), batch 32, same initial weights and epoch
      orders for all, until test accuracy ≥ 0.97 (at most 30 epochs)
"""

import os

for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_variable] = "1"  # before NumPy (and PyTorch) are imported

import argparse  # noqa: E402
import datetime  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import floor  # noqa: E402

import minigrad as mg  # noqa: E402
import minigrad.nn.functional as F  # noqa: E402
from minigrad import nn, optim  # noqa: E402
from minigrad.data import load_digits  # noqa: E402

try:
    import torch

    torch.set_num_threads(1)
except ImportError:
    torch = None

TARGETS = {"W1": 0.45, "W2": 0.90, "W3": 0.90, "W4a": 1.0, "W4b": 0.50, "W5": 0.45}
# minigrad's time ÷ the NumPy floor's: W1 within 1.2× the hand-written network; the W4 optimizer steps at
# most 0.8× a plain per-tensor NumPy loop (the update rules work block by block in the cache).
FLOOR_TARGETS = {"W1": 1.2, "W4a": 0.8, "W4b": 0.8}


# -- shared set-up -------------------------------------------------------------------------------------


def init_linear(rng, fan_in, fan_out):
    """PyTorch's default Linear initialisation, drawn from a NumPy generator (the same for everyone)."""
    bound = 1 / np.sqrt(fan_in)
    return rng.uniform(-bound, bound, (fan_out, fan_in)).astype(np.float32), rng.uniform(
        -bound, bound, fan_out
    ).astype(np.float32)


def mlp_arrays(sizes, seed=0):
    rng = np.random.default_rng(seed)
    return [init_linear(rng, a, b) for a, b in zip(sizes[:-1], sizes[1:])]


def minigrad_mlp(arrays):
    layers = []
    for i, (w, b) in enumerate(arrays):
        layer = nn.Linear(w.shape[1], w.shape[0])
        layer.weight.data[...] = w
        layer.bias.data[...] = b
        layers += [layer] if i == len(arrays) - 1 else [layer, nn.ReLU()]
    return nn.Sequential(*layers)


def torch_mlp(arrays):
    layers = []
    for i, (w, b) in enumerate(arrays):
        layer = torch.nn.Linear(w.shape[1], w.shape[0])
        with torch.no_grad():
            layer.weight.copy_(torch.from_numpy(w))
            layer.bias.copy_(torch.from_numpy(b))
        layers += [layer] if i == len(arrays) - 1 else [layer, torch.nn.ReLU()]
    return torch.nn.Sequential(*layers)


def cnn_arrays(seed=0):
    rng = np.random.default_rng(seed)

    def conv(c_in, c_out):
        bound = 1 / np.sqrt(c_in * 9)
        return rng.uniform(-bound, bound, (c_out, c_in, 3, 3)).astype(np.float32), rng.uniform(
            -bound, bound, c_out
        ).astype(np.float32)

    return [*conv(1, 16), *conv(16, 32), *init_linear(rng, 128, 10)]


def build_cnn(lib, arrays):
    model = lib.Sequential(
        lib.Conv2d(1, 16, 3, padding=1), lib.ReLU(), lib.MaxPool2d(2),
        lib.Conv2d(16, 32, 3, padding=1), lib.ReLU(), lib.MaxPool2d(2),
        lib.Flatten(), lib.Linear(128, 10),
    )  # fmt: skip
    names = ["0.weight", "0.bias", "3.weight", "3.bias", "7.weight", "7.bias"]
    if lib is nn:
        model.load_state_dict(dict(zip(names, arrays)))
    else:
        model.load_state_dict({n: torch.from_numpy(a.copy()) for n, a in zip(names, arrays)})
    return model


def check_same(name, results, rtol=2e-4, atol=2e-5):
    """Every contender's (loss, gradients) must agree with minigrad's."""
    loss, grads = results["minigrad"]
    for other, (other_loss, other_grads) in results.items():
        if not np.isclose(loss, other_loss, rtol=rtol, atol=atol):
            raise AssertionError(f"{name}: loss {loss} (minigrad) vs {other_loss} ({other})")
        for i, (a, b) in enumerate(zip(grads, other_grads)):
            np.testing.assert_allclose(
                a, b, rtol=rtol, atol=atol, err_msg=f"{name}: gradient {i}, minigrad vs {other}"
            )


def step_contenders(make_minigrad, make_torch, make_floor, x, labels, optimizer):
    """Training-step closures (and a gradient check) for minigrad, PyTorch and the NumPy floor."""
    model = make_minigrad()
    opt = (
        optim.Adam(model.parameters(), lr=1e-3)
        if optimizer == "adam"
        else optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    )
    x_mg = mg.tensor(x)

    def minigrad_step():
        opt.zero_grad()
        loss = F.cross_entropy(model(x_mg), labels)
        loss.backward()
        opt.step()

    loss = F.cross_entropy(model(x_mg), labels)
    loss.backward()
    checks = {"minigrad": (loss.item(), [p.grad for p in model.parameters()])}
    opt.zero_grad()
    contenders = {"minigrad": minigrad_step}

    if torch is not None:
        t_model = make_torch()
        t_opt = (
            torch.optim.Adam(t_model.parameters(), lr=1e-3)
            if optimizer == "adam"
            else torch.optim.SGD(t_model.parameters(), lr=0.01, momentum=0.9)
        )
        t_x, t_labels = torch.from_numpy(x), torch.from_numpy(labels)

        def torch_step():
            t_opt.zero_grad()
            t_loss = torch.nn.functional.cross_entropy(t_model(t_x), t_labels)
            t_loss.backward()
            t_opt.step()

        t_loss = torch.nn.functional.cross_entropy(t_model(t_x), t_labels)
        t_loss.backward()
        checks["PyTorch"] = (t_loss.item(), [p.grad.numpy().copy() for p in t_model.parameters()])
        t_opt.zero_grad()
        contenders["PyTorch"] = torch_step

    if make_floor is not None:
        net = make_floor()
        f_opt = floor.AdamFloor(net.params()) if optimizer == "adam" else floor.MomentumFloor(net.params())

        def floor_step():
            _, grads = net.loss_and_grads(x, labels)
            f_opt.step(grads)

        checks["NumPy floor"] = net.loss_and_grads(x, labels)
        contenders["NumPy floor"] = floor_step
    return contenders, checks


# -- the workloads -------------------------------------------------------------------------------------


def workload_w1():
    X, y = load_digits("train")
    x, labels = X[:32].copy(), y[:32].copy()
    arrays = mlp_arrays([64, 128, 64, 10])
    contenders, checks = step_contenders(
        lambda: minigrad_mlp(arrays), lambda: torch_mlp(arrays),
        lambda: floor.MLPFloor([w.copy() for w, _ in arrays], [b.copy() for _, b in arrays]), x, labels, "adam",
    )  # fmt: skip
    check_same("W1", checks)
    return {"W1": ("steps/s", 1, contenders, 100)}


def workload_w2():
    rng = np.random.default_rng(0)
    X = rng.random((10_000, 784), dtype=np.float32)
    y = rng.integers(0, 10, 10_000)
    arrays = mlp_arrays([784, 256, 10])
    steps, checks = step_contenders(
        lambda: minigrad_mlp(arrays), lambda: torch_mlp(arrays),
        lambda: floor.MLPFloor([w.copy() for w, _ in arrays], [b.copy() for _, b in arrays]), X[:128], y[:128], "sgd",
    )  # fmt: skip
    check_same("W2", checks)
    # An epoch: the same batches for everyone (each contender's step closes over its own first batch,
    # so the epoch re-binds the data through a shared slot).
    batches = [(X[i : i + 128], y[i : i + 128]) for i in range(0, 10_000, 128)]
    contenders = {}
    for name in steps:
        contenders[name] = epoch_runner(name, arrays, batches)
    return {"W2": ("samples/s", 10_000, contenders, 1)}


def epoch_runner(name, arrays, batches):
    """One epoch of W2 for a contender."""
    if name == "minigrad":
        model = minigrad_mlp(arrays)
        opt = optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        tensors = [(mg.tensor(x), t) for x, t in batches]

        def run():
            for x, t in tensors:
                opt.zero_grad()
                F.cross_entropy(model(x), t).backward()
                opt.step()

    elif name == "PyTorch":
        model = torch_mlp(arrays)
        opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        tensors = [(torch.from_numpy(x), torch.from_numpy(t)) for x, t in batches]

        def run():
            for x, t in tensors:
                opt.zero_grad()
                torch.nn.functional.cross_entropy(model(x), t).backward()
                opt.step()

    else:
        net = floor.MLPFloor([w.copy() for w, _ in arrays], [b.copy() for _, b in arrays])
        opt = floor.MomentumFloor(net.params())

        def run():
            for x, t in batches:
                opt.step(net.loss_and_grads(x, t)[1])

    return run


def workload_w3():
    X, y = load_digits("train", flatten=False)
    x, labels = X[:64].copy(), y[:64].copy()
    arrays = cnn_arrays()
    contenders, checks = step_contenders(
        lambda: build_cnn(nn, arrays), (lambda: build_cnn(torch.nn, arrays)) if torch else None,
        lambda: floor.CNNFloor(*[a.copy() for a in arrays]), x, labels, "adam",
    )  # fmt: skip
    check_same("W3", checks)
    return {"W3": ("steps/s", 1, contenders, 50)}


def workload_w4():
    result = {}
    for key, count, size, number in (("W4a", 1, 1_000_000, 20), ("W4b", 100, 10_000, 20)):
        rng = np.random.default_rng(0)
        data = [rng.standard_normal(size).astype(np.float32) for _ in range(count)]
        grads = [rng.standard_normal(size).astype(np.float32) for _ in range(count)]
        params = [mg.tensor(d.copy(), requires_grad=True) for d in data]
        opt = optim.Adam(params, lr=1e-3)
        # The gradients come from backward, as in training (d/dp Σ p·g = g exactly): for a packed group
        # it stores them where the optimizer reads them (see minigrad/optim/packing.py).
        sum((p * mg.tensor(g)).sum() for p, g in zip(params, grads)).backward()
        numpy_loop = floor.AdamFloor([d.copy() for d in data])
        contenders = {
            "minigrad": opt.step,
            "NumPy floor": lambda numpy_loop=numpy_loop, grads=grads: numpy_loop.step(grads),
        }
        opt.step(), contenders["NumPy floor"]()
        np.testing.assert_allclose(params[-1].data, numpy_loop.params[-1], rtol=1e-5, atol=1e-6)
        if torch is not None:
            t_params = [torch.tensor(d, requires_grad=True) for d in data]
            for p, g in zip(t_params, grads):
                p.grad = torch.tensor(g)  # its own copy: a contender must not warm the cache for another
            contenders["PyTorch"] = torch.optim.Adam(t_params, lr=1e-3).step
            contenders["PyTorch"]()
            np.testing.assert_allclose(params[0].data, t_params[0].detach().numpy(), rtol=1e-5, atol=1e-6)
        result[key] = ("µs/step", None, contenders, number)
    return result


def workload_w5():
    Xtr, ytr = load_digits("train")
    Xte, yte = load_digits("test")
    arrays = mlp_arrays([64, 128, 64, 10], seed=1)
    orders = [np.random.default_rng(100 + e).permutation(len(ytr)) for e in range(30)]
    epochs_needed = {}

    def batches(epoch):
        order = orders[epoch]
        return [order[i : i + 32] for i in range(0, len(order), 32)]

    def minigrad_run():
        model = minigrad_mlp(arrays)
        opt = optim.Adam(model.parameters(), lr=1e-3)
        for epoch in range(30):
            for index in batches(epoch):
                opt.zero_grad()
                F.cross_entropy(model(mg.tensor(Xtr[index])), ytr[index]).backward()
                opt.step()
            with mg.no_grad():
                accuracy = (model(mg.tensor(Xte)).data.argmax(axis=1) == yte).mean()
            if accuracy >= 0.97:
                break
        epochs_needed["minigrad"] = epoch + 1

    def torch_run():
        model = torch_mlp(arrays)
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        tx, ty, tx_test = torch.from_numpy(Xtr), torch.from_numpy(ytr), torch.from_numpy(Xte)
        for epoch in range(30):
            for index in batches(epoch):
                index = torch.from_numpy(index)
                opt.zero_grad()
                torch.nn.functional.cross_entropy(model(tx[index]), ty[index]).backward()
                opt.step()
            with torch.no_grad():
                accuracy = (model(tx_test).argmax(dim=1).numpy() == yte).mean()
            if accuracy >= 0.97:
                break
        epochs_needed["PyTorch"] = epoch + 1

    def floor_run():
        net = floor.MLPFloor([w.copy() for w, _ in arrays], [b.copy() for _, b in arrays])
        opt = floor.AdamFloor(net.params())
        for epoch in range(30):
            for index in batches(epoch):
                opt.step(net.loss_and_grads(Xtr[index], ytr[index])[1])
            if (net.predict(Xte) == yte).mean() >= 0.97:
                break
        epochs_needed["NumPy floor"] = epoch + 1

    contenders = {"minigrad": minigrad_run, "NumPy floor": floor_run}
    if torch is not None:
        contenders["PyTorch"] = torch_run
    return {"W5": ("seconds", None, contenders, 1)}, epochs_needed


# -- timing and the report -----------------------------------------------------------------------------


def measure(contenders: dict, number: int, repeats: int) -> dict:
    """Seconds per call of each contender in every repeat; each repeat runs all contenders in turn
    (interleaved, starting with a different one each time), so the timings of a repeat were taken
    moments apart."""
    for fn in contenders.values():  # warm-up
        for _ in range(max(1, number // 5)):
            fn()
    times = {name: [] for name in contenders}
    names = list(contenders)
    for repeat in range(repeats):
        # Rotate who goes first, so that no contender always runs right after the same other one.
        for name in names[repeat % len(names) :] + names[: repeat % len(names)]:
            fn = contenders[name]
            started = time.perf_counter()
            for _ in range(number):
                fn()
            times[name].append((time.perf_counter() - started) / number)
    return times


def ratio(times: dict, mine: str, other: str) -> float:
    """The median over repeats of mine ÷ other within each repeat: robust to the machine slowing down
    or speeding up between repeats, which shifts both timings of a repeat together."""
    return statistics.median(a / b for a, b in zip(times[mine], times[other]))


def spread(times: dict, mine: str, other: str) -> tuple:
    """The quartiles (25% and 75%) of the per-repeat ratios mine ÷ other: half the repeats lie between."""
    quartiles = statistics.quantiles(
        [a / b for a, b in zip(times[mine], times[other])], n=4, method="inclusive"
    )
    return quartiles[0], quartiles[2]


def describe(unit, per_call, seconds):
    if unit == "µs/step":
        return f"{seconds * 1e6:.0f} µs"
    if unit == "seconds":
        return f"{seconds:.2f} s"
    return f"{per_call / seconds:,.0f} {unit}"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", help="comma-separated workloads, e.g. W1,W3 (default: all)")
    parser.add_argument(
        "--repeats",
        type=int,
        default=11,
        help="repeats per workload (median reported; at least 5, default 11)",
    )
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    wanted = (
        {w.strip().upper() for w in args.only.split(",")} if args.only else {"W1", "W2", "W3", "W4", "W5"}
    )

    versions = f"minigrad {mg.__version__}, NumPy {np.__version__}, " + (
        f"PyTorch {torch.__version__}" if torch else "no PyTorch"
    )
    print(f"minigrad benchmarks, {datetime.date.today().isoformat()}: {platform.system()} {platform.machine()}, "
          f"{os.cpu_count()} cores (1 thread used), Python {platform.python_version()}, {versions}")  # fmt: skip
    print(
        f"{max(args.repeats, 5)} interleaved repeats (W5: 5); figures are medians; a ratio is the median over repeats of"
    )
    print("minigrad's time ÷ the other's time in the same repeat, (q1–q3) the quartiles of those ratios\n")
    header = (f"{'workload':<6} {'minigrad':>18} {'PyTorch':>18} {'NumPy floor':>18} {'vs PyTorch':>11} {'target':>7} "
              f"{'vs floor (q1–q3)':>20} {'target':>7}")  # fmt: skip
    print(header)
    print("-" * len(header))
    report = {}
    for key, make in [
        ("W1", workload_w1),
        ("W2", workload_w2),
        ("W3", workload_w3),
        ("W4", workload_w4),
        ("W5", workload_w5),
    ]:
        if key not in wanted:
            continue
        extra = {}
        made = make()
        if key == "W5":
            made, extra = made
        for name, (unit, per_call, contenders, number) in made.items():
            times = measure(contenders, number, max(args.repeats, 5) if key != "W5" else 5)
            seconds = {name: statistics.median(values) for name, values in times.items()}
            row = {"unit": unit, "seconds": seconds}
            cells = [
                describe(unit, per_call, seconds.get(c)) if c in seconds else "—"
                for c in ("minigrad", "PyTorch", "NumPy floor")
            ]
            if key == "W5":
                cells = [
                    f"{cell}, {extra[c]} ep" if c in extra else cell
                    for cell, c in zip(cells, ("minigrad", "PyTorch", "NumPy floor"))
                ]
                row["epochs"] = extra
            vs_torch = ratio(times, "minigrad", "PyTorch") if "PyTorch" in times else None
            vs_floor = ratio(times, "minigrad", "NumPy floor") if "NumPy floor" in times else None
            floor_spread = spread(times, "minigrad", "NumPy floor") if "NumPy floor" in times else None
            target, floor_target = TARGETS[name], FLOOR_TARGETS.get(name)
            verdict = "" if vs_torch is None else (" ok" if vs_torch <= target else " MISS")
            floor_cell, floor_verdict = "—", ""
            if vs_floor is not None:
                floor_cell = f"{vs_floor:.2f} ({floor_spread[0]:.2f}–{floor_spread[1]:.2f})"
                floor_verdict = (
                    "" if floor_target is None else (" ok" if vs_floor <= floor_target else " MISS")
                )
            row.update(
                ratio=vs_torch,
                target=target,
                vs_floor=vs_floor,
                vs_floor_quartiles=floor_spread,
                floor_target=floor_target,
            )
            line = (f"{name:<6} {cells[0]:>18} {cells[1]:>18} {cells[2]:>18} "
                    f"{'—' if vs_torch is None else f'{vs_torch:.2f}':>8}{verdict:<3} {'≤' + str(target):>7} "
                    f"{floor_cell:>17}{floor_verdict:<3} {'' if floor_target is None else '≤' + str(floor_target):>7}")  # fmt: skip
            print(line.rstrip())
            report[name] = row
    if args.json:
        args.json.write_text(
            json.dumps(
                {"versions": versions, "date": datetime.date.today().isoformat(), "results": report},
                indent=2,
                default=float,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

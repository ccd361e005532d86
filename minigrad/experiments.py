"""The experiments behind the `minigrad` command: compare the ten optimizers, train one model with
checkpoints, and draw every optimizer's path over the 2-D surfaces.

Everything here is built from the public API (data, nn, optim, train, viz), so it doubles as a worked
example of how the pieces fit together.
"""

import inspect
import time
from pathlib import Path

import numpy as np

import minigrad as mg
from minigrad import nn, optim
from minigrad.data import DataLoader, TensorDataset, load_digits, make_moons, make_spirals
from minigrad.train import History, evaluate, fit

# The ten optimizers of the seeds, with learning rates that suit the digits MLP and the 2-D surfaces.
OPTIMIZERS = {
    #  name        class            lr (networks)  lr (surfaces)  other settings
    "sgd": (optim.SGD, 0.1, 0.1, {}),
    "momentum": (optim.Momentum, 0.02, 0.02, {}),
    "nesterov": (optim.Nesterov, 0.02, 0.02, {}),
    "adagrad": (optim.AdaGrad, 0.05, 0.5, {}),
    "rmsprop": (optim.RMSProp, 1e-3, 0.05, {}),
    "adadelta": (optim.AdaDelta, 1.0, 1.0, {"surface_eps": 1e-2}),
    "adam": (optim.Adam, 1e-3, 0.1, {}),
    "adamax": (optim.AdaMax, 2e-3, 0.1, {}),
    "nadam": (optim.Nadam, 2e-3, 0.1, {}),
    "nadamax": (optim.NadaMax, 2e-3, 0.1, {}),
}
DISPLAY_NAMES = {
    "sgd": "SGD", "momentum": "Momentum", "nesterov": "Nesterov", "adagrad": "AdaGrad", "rmsprop": "RMSProp",
    "adadelta": "AdaDelta", "adam": "Adam", "adamax": "AdaMax", "nadam": "Nadam", "nadamax": "NadaMax",
}  # fmt: skip
DATASETS = ("digits", "moons", "spirals")
MODELS = ("mlp", "cnn")


class UsageError(ValueError):
    """A setting that does not fit the experiment (the command line reports it as a usage error)."""


def make_optimizer(name: str, params, lr=None, for_surface: bool = False, **hyperparameters):
    """An optimizer from the table by name; `lr` and keyword hyperparameters override the table's."""
    cls, network_lr, surface_lr, extra = OPTIMIZERS[name]
    if for_surface and "surface_eps" in extra:
        hyperparameters.setdefault("eps", extra["surface_eps"])
    accepted = inspect.signature(cls.__init__).parameters
    for key in hyperparameters:
        if key not in accepted:
            raise UsageError(f"{DISPLAY_NAMES[name]} has no hyperparameter {key!r} (it takes {', '.join(k for k in accepted if k not in ('self', 'params'))})")
    return cls(params, lr=(surface_lr if for_surface else network_lr) if lr is None else lr, **hyperparameters)


def load_dataset(name: str, seed: int = 0, images: bool = False):
    """(X_train, y_train, X_test, y_test, number of classes) for a dataset name."""
    if name == "digits":
        Xtr, ytr = load_digits("train", seed=seed, flatten=not images)
        Xte, yte = load_digits("test", seed=seed, flatten=not images)
        return Xtr, ytr, Xte, yte, 10
    if images:
        raise UsageError(f"the cnn model needs images; use --dataset digits (got {name})")
    X, y = (make_moons(1000, noise=0.15, seed=seed) if name == "moons" else make_spirals(1500, n_classes=3, noise=0.2, seed=seed))
    n_test = len(y) // 5
    return X[n_test:], y[n_test:], X[:n_test], y[:n_test], int(y.max()) + 1


def build_model(name: str, n_inputs: int, n_classes: int):
    """The MLP of the comparison (n → 128 → 64 → classes, ReLU), or a small CNN for 1×8×8 images."""
    if name == "mlp":
        return nn.Sequential(nn.Linear(n_inputs, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, n_classes))
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(32 * 2 * 2, n_classes),
    )  # fmt: skip


def _loaders(data, batch_size, seed):
    Xtr, ytr, Xte, yte, _ = data
    train_loader = DataLoader(TensorDataset(Xtr, ytr), batch_size=batch_size, shuffle=True, seed=seed)
    test_loader = DataLoader(TensorDataset(Xte, yte), batch_size=1024)
    return train_loader, test_loader


def compare(dataset="digits", optimizers=tuple(OPTIMIZERS), epochs=30, batch_size=32, seed=0, progress=True, on_result=None) -> dict:
    """Train the same MLP (same initial weights, same batches) once per optimizer.
    Returns {display name: (History, test accuracy, seconds)}; `on_result(name, result)` is called as
    each optimizer finishes."""
    data = load_dataset(dataset, seed)
    results = {}
    for name in optimizers:
        mg.manual_seed(seed)
        model = build_model("mlp", data[0].shape[1], data[4])
        train_loader, test_loader = _loaders(data, batch_size, seed)
        if progress:
            print(f"{DISPLAY_NAMES[name]}:", flush=True)
        started = time.perf_counter()
        history = fit(model, nn.CrossEntropyLoss(), make_optimizer(name, model.parameters()), train_loader, epochs, val_loader=test_loader, progress=progress)
        results[DISPLAY_NAMES[name]] = (history, history.val_accuracy[-1], time.perf_counter() - started)
        if on_result is not None:
            on_result(DISPLAY_NAMES[name], results[DISPLAY_NAMES[name]])
    return results


def format_table(results: dict) -> str:
    rows = [f"{'optimizer':<10} {'train loss':>10} {'test acc':>9} {'epochs':>6} {'seconds':>8}"]
    for name, (history, accuracy, seconds) in results.items():
        rows.append(f"{name:<10} {history.train_loss[-1]:>10.4f} {accuracy:>9.4f} {history.epochs:>6d} {seconds:>8.2f}")
    return "\n".join(rows)


def train(dataset="digits", model_name="mlp", optimizer="adam", epochs=10, batch_size=32, seed=0, lr=None, hyperparameters=None, save=None, resume=None, progress=True):
    """Train one model; with `save`, a checkpoint (model, optimizer, loader and history) after every
    epoch; with `resume`, continue from one. A resumed run equals an uninterrupted one bit for bit."""
    data = load_dataset(dataset, seed, images=model_name == "cnn")
    mg.manual_seed(seed)
    model = build_model(model_name, int(np.prod(data[0].shape[1:])), data[4])
    opt = make_optimizer(optimizer, model.parameters(), lr=lr, **(hyperparameters or {}))
    train_loader, test_loader = _loaders(data, batch_size, seed)
    history, start_epoch = History(), 0
    if resume is not None:
        checkpoint = mg.load(resume)
        if checkpoint.get("run") != {"dataset": dataset, "model": model_name, "optimizer": optimizer}:
            raise ValueError(f"the checkpoint {resume} is from a different run: {checkpoint.get('run')}")
        model.load_state_dict(checkpoint["model"])
        opt.load_state_dict(checkpoint["optimizer"])
        train_loader.load_state_dict(checkpoint["loader"])
        history = History.from_state_dict(checkpoint["history"])
        start_epoch = int(checkpoint["epoch"])

    def save_checkpoint(epoch, history):
        if save is not None:
            mg.save(
                {
                    "run": {"dataset": dataset, "model": model_name, "optimizer": optimizer},
                    "epoch": epoch + 1,
                    "model": model.state_dict(),
                    "optimizer": opt.state_dict(),
                    "loader": train_loader.state_dict(),
                    "history": history.state_dict(),
                },
                save,
            )

    history = fit(model, nn.CrossEntropyLoss(), opt, train_loader, epochs, val_loader=test_loader, progress=progress,
                  history=history, start_epoch=start_epoch, on_epoch_end=save_checkpoint)  # fmt: skip
    return model, history, evaluate(model, test_loader, nn.CrossEntropyLoss())


def surface_paths(surface, optimizers=tuple(OPTIMIZERS), steps=None) -> dict:
    """{display name: points} for each optimizer minimising the surface from its start."""
    from minigrad.viz.surfaces import path

    paths = {}
    for name in optimizers:
        scale = surface.lr_scale if name in ("sgd", "momentum", "nesterov") else surface.adaptive_lr_scale
        lr = OPTIMIZERS[name][2] * (1.0 if name == "adadelta" else scale)  # AdaDelta sets its own step size

        def make(params, name=name, lr=lr):
            return make_optimizer(name, params, lr=lr, for_surface=True)

        paths[DISPLAY_NAMES[name]] = path(surface, make, surface.steps if steps is None else steps)
    return paths


def draw_surfaces(out: Path, names=None, optimizers=tuple(OPTIMIZERS), steps=None, frames: int = 40) -> list:
    """A PNG and an animated GIF per surface; returns the files written."""
    from minigrad.viz import SURFACES, animate_trajectories, plot_trajectories

    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name in names or SURFACES:
        surface = SURFACES[name]
        paths = surface_paths(surface, optimizers, steps)
        png, gif = out / f"{name}.png", out / f"{name}.gif"
        plot_trajectories(surface, paths, png)
        animate_trajectories(surface, paths, gif, frames=frames)
        written += [png, gif]
    return written

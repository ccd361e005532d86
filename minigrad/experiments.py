"""The experiments behind the `minigrad` command: compare the ten optimizers, train one model with
checkpoints, and draw every optimizer's path over the 2-D surfaces.

Everything here is built from the public API (data, nn, optim, train, viz), so it doubles as a worked
example of how the pieces fit together.
"""

import time
from pathlib import Path

import numpy as np

import minigrad as mg
from minigrad import nn
from minigrad.data import DataLoader, TensorDataset, load_digits, make_moons, make_spirals
from minigrad.optim.registry import OPTIMIZERS
from minigrad.serialization import CheckpointError
from minigrad.train import History, evaluate, fit
from minigrad.viz import SURFACES, animate_trajectories, path, plot_trajectories

DATASETS = ("digits", "moons", "spirals")
MODELS = ("mlp", "cnn")
SPLIT = "80/20"  # every dataset's train/test split, drawn with the run's seed


class UsageError(ValueError):
    """A setting that does not fit the experiment (the command line reports it as a usage error)."""


def make_optimizer(name: str, params, lr=None, for_surface: bool = False, **hyperparameters):
    """An optimizer from the registry by name; `lr` and keyword hyperparameters override the table's."""
    entry = OPTIMIZERS[name]
    accepted = entry.hyperparameters()
    for key in hyperparameters:
        if key not in accepted:
            raise UsageError(
                f"{entry.display_name} has no hyperparameter {key!r} (it takes {', '.join(accepted)})"
            )
    return entry.make(params, lr=lr, for_surface=for_surface, **hyperparameters)


def load_dataset(name: str, seed: int = 0, images: bool = False):
    """(X_train, y_train, X_test, y_test, number of classes) for a dataset name."""
    if name == "digits":
        Xtr, ytr = load_digits("train", seed=seed, flatten=not images)
        Xte, yte = load_digits("test", seed=seed, flatten=not images)
        return Xtr, ytr, Xte, yte, 10
    if images:
        raise UsageError(f"the cnn model needs images; use --dataset digits (got {name})")
    X, y = (
        make_moons(1000, noise=0.15, seed=seed)
        if name == "moons"
        else make_spirals(1500, n_classes=3, noise=0.2, seed=seed)
    )
    n_test = len(y) // 5
    return X[n_test:], y[n_test:], X[:n_test], y[:n_test], int(y.max()) + 1


def build_model(name: str, n_inputs: int, n_classes: int):
    """The MLP of the comparison (n → 128 → 64 → classes, ReLU), or a small CNN for 1×8×8 images."""
    if name == "mlp":
        return nn.Sequential(
            nn.Linear(n_inputs, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, n_classes)
        )
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


def compare(
    dataset="digits",
    optimizers=tuple(OPTIMIZERS),
    epochs=30,
    batch_size=32,
    seed=0,
    progress=True,
    on_result=None,
) -> dict:
    """Train the same MLP (same initial weights, same batches) once per optimizer.
    Returns {display name: (History, test accuracy, seconds)}; `on_result(name, result)` is called as
    each optimizer finishes."""
    if epochs < 1:
        raise UsageError(f"compare needs at least 1 epoch, got {epochs}")
    data = load_dataset(dataset, seed)
    results = {}
    for name in optimizers:
        display_name = OPTIMIZERS[name].display_name
        mg.manual_seed(seed)
        model = build_model("mlp", data[0].shape[1], data[4])
        train_loader, test_loader = _loaders(data, batch_size, seed)
        if progress:
            print(f"{display_name}:", flush=True)
        started = time.perf_counter()
        history = fit(
            model,
            nn.CrossEntropyLoss(),
            make_optimizer(name, model.params()),
            train_loader,
            epochs,
            val_loader=test_loader,
            progress=progress,
        )
        results[display_name] = (history, history.val_accuracy[-1], time.perf_counter() - started)
        if on_result is not None:
            on_result(display_name, results[display_name])
    return results


def format_table(results: dict) -> str:
    rows = [f"{'optimizer':<10} {'train loss':>10} {'test acc':>9} {'epochs':>6} {'seconds':>8}"]
    for name, (history, accuracy, seconds) in results.items():
        rows.append(
            f"{name:<10} {history.train_loss[-1]:>10.4f} {accuracy:>9.4f} {history.epochs:>6d} {seconds:>8.2f}"
        )
    return "\n".join(rows)


SETTINGS = ("dataset", "model", "optimizer", "epochs", "batch_size", "seed", "split", "lr", "hyperparameters")


def run_settings(
    dataset="digits",
    model_name="mlp",
    optimizer="adam",
    epochs=10,
    batch_size=32,
    seed=0,
    lr=None,
    hyperparameters=None,
) -> dict:
    """Every setting of a `train` run, as its checkpoints record them (`lr=None`: the registry's rate)."""
    return {
        "dataset": dataset, "model": model_name, "optimizer": optimizer, "epochs": int(epochs),
        "batch_size": int(batch_size), "seed": int(seed), "split": SPLIT,
        "lr": float(OPTIMIZERS[optimizer].network_lr if lr is None else lr),
        "hyperparameters": dict(hyperparameters or {}),
    }  # fmt: skip


def read_checkpoint(path) -> dict:
    """A checkpoint `train(save=...)` wrote, with its parts checked (CheckpointError otherwise)."""
    checkpoint = mg.load(path)
    parts = {
        "settings": dict,
        "epoch": int,
        "model": dict,
        "optimizer": dict,
        "loader": dict,
        "history": dict,
    }
    if not isinstance(checkpoint, dict):
        raise CheckpointError(f"{path} is not a checkpoint of minigrad train")
    for part, kind in parts.items():
        if not isinstance(checkpoint.get(part), kind) or isinstance(checkpoint.get(part), bool):
            raise CheckpointError(
                f"{path} is not a checkpoint of minigrad train (its {part!r} is missing or damaged)"
            )
    settings = checkpoint["settings"]
    if set(settings) != set(SETTINGS) or settings["optimizer"] not in OPTIMIZERS:
        raise CheckpointError(
            f"{path} is not a checkpoint of minigrad train (its settings are incomplete or unknown)"
        )
    return checkpoint


def resume_settings(checkpoint: dict, given: dict, path="the checkpoint") -> tuple:
    """The settings of a resumed run, and what changes, from a checkpoint and the settings given again.

    A setting given again must equal the checkpoint's, except the learning rate (applied from the next
    epoch on) and the number of epochs (the new total); those two changes are returned as messages to
    announce. Any other difference (the data seed, split, dataset, model, batch size, optimizer or a
    hyperparameter) is refused with a UsageError naming each one."""
    saved = checkpoint["settings"]
    entry = OPTIMIZERS[saved["optimizer"]]
    differing = []
    for key, value in given.items():
        if key == "hyperparameters":
            for name, new in value.items():
                old = saved["hyperparameters"].get(name, entry.hyperparameters().get(name))
                if name not in entry.hyperparameters():
                    differing.append(
                        f"--{name.replace('_', '-')} ({entry.display_name}, the checkpoint's optimizer, has no {name})"
                    )
                elif new != old:
                    differing.append(
                        f"--{name.replace('_', '-')} {show_setting(new)} (the checkpoint has {show_setting(old)})"
                    )
        elif key not in ("lr", "epochs") and value != saved[key]:
            differing.append(
                f"--{key.replace('_', '-')} {show_setting(value)} (the checkpoint has {show_setting(saved[key])})"
            )
    if differing:
        raise UsageError(
            f"--resume {path}: these settings differ from the run being resumed: {'; '.join(differing)}. "
            "Leave them out to continue the run as it was (only --lr and --epochs may change)"
        )
    settings = {
        **saved,
        "lr": float(given.get("lr", saved["lr"])),
        "epochs": int(given.get("epochs", saved["epochs"])),
    }
    messages = []
    if settings["lr"] != saved["lr"]:
        messages.append(f"lr {saved['lr']:g} → {settings['lr']:g} from epoch {checkpoint['epoch'] + 1}")
    if settings["epochs"] != saved["epochs"]:
        messages.append(
            f"epochs {saved['epochs']} → {settings['epochs']} (the new total, {checkpoint['epoch']} done)"
        )
    return settings, messages


def show_setting(value) -> str:
    """A setting as the command line spells it: 0.001, 0.9,0.999, adam."""
    return (
        ",".join(f"{v:g}" for v in value)
        if isinstance(value, (tuple, list))
        else f"{value:g}"
        if isinstance(value, float)
        else str(value)
    )


def train(
    dataset="digits",
    model_name="mlp",
    optimizer="adam",
    epochs=10,
    batch_size=32,
    seed=0,
    lr=None,
    hyperparameters=None,
    save=None,
    resume=None,
    progress=True,
):
    """Train one model; with `save`, a checkpoint (every setting of the run, model, optimizer, loader
    and history) after every epoch; with `resume`, continue from one. A resumed run equals an
    uninterrupted one bit for bit. Resuming with a different learning rate applies it from the next
    epoch on, and `epochs` is the new total; any other setting must be the checkpoint's (see
    `resume_settings`)."""
    settings = run_settings(dataset, model_name, optimizer, epochs, batch_size, seed, lr, hyperparameters)
    checkpoint = None
    if resume is not None:
        checkpoint = read_checkpoint(resume)
        saved = checkpoint["settings"]
        differing = [key for key in SETTINGS if key not in ("lr", "epochs") and saved[key] != settings[key]]
        if differing:
            raise UsageError(
                f"the checkpoint {resume} is from a different run: "
                + ", ".join(
                    f"{key} {show_setting(settings[key])} (the checkpoint has {show_setting(saved[key])})"
                    for key in differing
                )
            )
    data = load_dataset(dataset, seed, images=model_name == "cnn")
    mg.manual_seed(seed)
    model = build_model(model_name, int(np.prod(data[0].shape[1:])), data[4])
    opt = make_optimizer(optimizer, model.params(), lr=settings["lr"], **settings["hyperparameters"])
    train_loader, test_loader = _loaders(data, batch_size, seed)
    history, start_epoch = History(), 0
    if checkpoint is not None:
        model.load_state_dict(checkpoint["model"])
        opt.load_state_dict(checkpoint["optimizer"])
        for group in opt.param_groups:
            group["lr"] = settings["lr"]  # the checkpoint's, or the new rate from this epoch on
        train_loader.load_state_dict(checkpoint["loader"])
        history = History.from_state_dict(checkpoint["history"])
        start_epoch = int(checkpoint["epoch"])

    def save_checkpoint(epoch, history):
        if save is not None:
            mg.save(
                {
                    "settings": settings,
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
    steps = surface.steps if steps is None else steps
    if steps < 1:
        raise UsageError(f"a path needs at least 1 step, got {steps}")
    paths = {}
    for name in optimizers:
        entry = OPTIMIZERS[name]

        def make(params, entry=entry):
            return entry.make(params, lr=entry.surface_rate(surface), for_surface=True)

        paths[entry.display_name] = path(surface, make, steps)
    return paths


def draw_surfaces(out: Path, names=None, optimizers=tuple(OPTIMIZERS), steps=None, frames: int = 40) -> list:
    """A PNG and an animated GIF per surface; returns the files written."""
    if frames < 1:
        raise UsageError(f"an animation needs at least 1 frame, got {frames}")
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

"""The training loop every example uses: `fit` runs epochs of mini-batch steps, `evaluate` measures.

    history = fit(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters()), train_loader, epochs=20,
                  val_loader=test_loader)
    history.val_accuracy[-1]

Each step is the four lines every framework shares: zero the gradients, compute the loss, backward,
step. A NaN or infinite loss stops training with an error that says where and what to try.
"""

import math
import sys
import time
from dataclasses import dataclass, field

import numpy as np

from minigrad.grad_mode import no_grad


class TrainingDiverged(FloatingPointError):
    """The loss became NaN or infinite."""


@dataclass
class History:
    """What happened during `fit`: one entry per step in `step_loss`, one per epoch in the others."""

    step_loss: list = field(default_factory=list)
    train_loss: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    val_accuracy: list = field(default_factory=list)
    epoch_time: list = field(default_factory=list)

    @property
    def epochs(self) -> int:
        return len(self.train_loss)

    @property
    def wall_time(self) -> float:
        """Seconds spent in training and evaluation, summed over the epochs."""
        return float(sum(self.epoch_time))

    def state_dict(self) -> dict:
        return {name: list(value) for name, value in vars(self).items()}

    @classmethod
    def from_state_dict(cls, state: dict) -> "History":
        return cls(**{name: list(state.get(name, [])) for name in vars(cls()).keys()})


def evaluate(model, loader, loss_fn=None) -> dict:
    """Mean loss (if `loss_fn` is given) and accuracy (for class scores of shape (N, C) and integer
    labels) over a loader, in eval mode and without recording a graph; the model's mode is restored."""
    was_training = model.training
    model.eval()
    total_loss, correct, count, classification = 0.0, 0, 0, False
    try:
        with no_grad():
            for inputs, targets in loader:
                outputs = model(inputs)
                n = len(targets.data)
                if loss_fn is not None:
                    total_loss += float(loss_fn(outputs, targets).item()) * n
                if outputs.ndim == 2 and targets.data.dtype.kind in "iu":
                    classification = True
                    correct += int((outputs.data.argmax(axis=1) == targets.data).sum())
                count += n
    finally:
        model.train(was_training)
    return {
        "loss": total_loss / count if loss_fn is not None and count else None,
        "accuracy": correct / count if count and classification else None,
    }


def fit(
    model,
    loss_fn,
    optimizer,
    train_loader,
    epochs: int,
    val_loader=None,
    scheduler=None,
    progress=True,
    history=None,
    start_epoch: int = 0,
    on_epoch_end=None,
) -> History:
    """Train `model` for epochs `start_epoch` .. `epochs - 1` and return the `History`.

    `scheduler.step()` runs once per epoch. `progress=True` shows a tqdm bar per epoch when tqdm is
    installed and the output is a terminal, and one summary line per epoch otherwise (no bar spam in
    logs); `progress=False` prints nothing. `history` and `start_epoch` continue an earlier run, and
    `on_epoch_end(epoch, history)` is called after every epoch (e.g. to save a checkpoint).
    """
    history = History() if history is None else history
    bar_factory = _progress_bar_factory() if progress else None
    for epoch in range(start_epoch, epochs):
        started = time.perf_counter()
        model.train()
        batches = train_loader
        bar = bar_factory(train_loader, epoch, epochs) if bar_factory else None
        if bar is not None:
            batches = bar
        total, count = 0.0, 0
        for step, (inputs, targets) in enumerate(batches):
            optimizer.zero_grad()
            # A diverging run overflows long before it is NaN; the check below reports it clearly,
            # so NumPy's overflow warnings would only be noise.
            with np.errstate(over="ignore", invalid="ignore"):
                loss = loss_fn(model(inputs), targets)
            value = float(loss.item())
            if not math.isfinite(value):
                _check_finite_batch(inputs, targets, epoch, step)
                lrs = sorted({group["lr"] for group in optimizer.param_groups})
                raise TrainingDiverged(
                    f"training diverged: the loss is {value} at epoch {epoch + 1}, step {step + 1}; "
                    f"try a smaller learning rate than {', '.join(f'{lr:g}' for lr in lrs)}"
                )
            with np.errstate(over="ignore", invalid="ignore"):
                loss.backward()
                optimizer.step()
            history.step_loss.append(value)
            n = len(targets.data)
            total, count = total + value * n, count + n
            if bar is not None and step % 10 == 0:
                bar.set_postfix(loss=f"{value:.4f}")
        if bar is not None:
            bar.close()
        if count == 0:  # a mean over no batch is not a loss of 0
            raise ValueError(
                f"fit: the training loader yielded no batch in epoch {epoch + 1} (an empty dataset, or "
                f"drop_last=True with fewer samples than batch_size)"
            )
        history.train_loss.append(total / count)
        if val_loader is not None:
            result = evaluate(model, val_loader, loss_fn)
            history.val_loss.append(result["loss"])
            history.val_accuracy.append(result["accuracy"])
        if scheduler is not None:
            scheduler.step()
        history.epoch_time.append(time.perf_counter() - started)
        if progress:
            _print_epoch(epoch, epochs, history)
        if on_epoch_end is not None:
            on_epoch_end(epoch, history)
    return history


def _check_finite_batch(inputs, targets, epoch: int, step: int) -> None:
    """A NaN or infinite loss caused by the data is the data's fault, not the learning rate's: say so.
    (Checked only once the loss is not finite, so the training loop pays nothing for it.)"""
    for role, batch in (("inputs", inputs), ("targets", targets)):
        data = np.asarray(getattr(batch, "data", batch))
        if data.dtype.kind in "fc" and not np.all(np.isfinite(data)):
            nans, infs = int(np.isnan(data).sum()), int(np.isinf(data).sum())
            found = " and ".join(
                text for text in (f"{nans} NaN" if nans else "", f"{infs} infinite" if infs else "") if text
            )
            raise ValueError(
                f"the training data has {found} value(s) in the {role} of epoch {epoch + 1}, step {step + 1}: "
                "clean the data (e.g. drop or fill the missing values) before training"
            )


def _progress_bar_factory():
    """tqdm bars on a terminal; None (plain epoch lines) when tqdm is missing or output is a log file."""
    if not sys.stderr.isatty():
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None
    return lambda loader, epoch, epochs: tqdm(
        loader, desc=f"epoch {epoch + 1}/{epochs}", leave=False, unit="batch"
    )


def _print_epoch(epoch: int, epochs: int, history: History) -> None:
    line = f"epoch {epoch + 1}/{epochs}: train loss {history.train_loss[-1]:.4f}"
    if history.val_loss:
        if history.val_loss[-1] is not None:
            line += f", val loss {history.val_loss[-1]:.4f}"
        if history.val_accuracy[-1] is not None:
            line += f", val accuracy {history.val_accuracy[-1]:.4f}"
    print(line + f" ({history.epoch_time[-1]:.2f} s)", file=sys.stderr)

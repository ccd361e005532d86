"""Chapter 12, comparing optimizers: the range of learning rates that train, read off a sweep."""

import numpy as np

from minigrad.homework.exercise import Exercise, Mistake, Probe


def usable_lr_range(lrs, final_losses, target):
    """The smallest and the largest learning rate of a sweep whose run trained: its final loss is a
    finite number below `target`. Returns (low, high) as floats, or (nan, nan) when no run trained.
    `lrs` is increasing; a diverged run's final loss is nan or inf."""
    lrs, losses = np.asarray(lrs, dtype=float), np.asarray(final_losses, dtype=float)
    trained = np.isfinite(losses) & (losses < target)
    if not trained.any():
        return np.nan, np.nan
    return lrs[trained].min(), lrs[trained].max()


def _variant(
    *,
    nan_counts=False,
    inclusive=False,
    swap=False,
    stop_at_first_failure=False,
    indices=False,
    none_value=np.nan,
):
    def function(lrs, final_losses, target):
        lrs, losses = np.asarray(lrs, dtype=float), np.asarray(final_losses, dtype=float)
        with np.errstate(invalid="ignore"):
            if nan_counts:  # "not worse than the target" is true for nan
                trained = ~(losses >= target)
            else:
                trained = np.isfinite(losses) & ((losses <= target) if inclusive else (losses < target))
        if stop_at_first_failure and trained.any():
            first = int(np.argmax(trained))
            failed = np.flatnonzero(~trained[first:])
            end = first + (failed[0] if len(failed) else len(trained) - first)
            trained = np.zeros_like(trained)
            trained[first:end] = True
        if not trained.any():
            return none_value, none_value
        values = np.flatnonzero(trained).astype(float) if indices else lrs[trained]
        low, high = values.min(), values.max()
        return (high, low) if swap else (low, high)

    return function


def _sweep(rng, n, diverge_from=None, holes=()):
    lrs = np.sort(10 ** rng.uniform(-4, 1, n))
    best = rng.integers(1, n - 1)
    losses = 0.05 + 0.4 * np.abs(np.arange(n) - best) ** 1.5 + rng.uniform(0, 0.05, n)
    if diverge_from is not None:
        losses[diverge_from:] = rng.choice([np.nan, np.inf], n - diverge_from)
    for i in holes:
        losses[i] = np.nan
    return lrs, losses


def _probes(rng):
    probes = []
    for n in (7, 11):
        lrs, losses = _sweep(rng, n)
        probes.append(
            Probe(f"{n} learning rates, no run diverged", dict(lrs=lrs, final_losses=losses, target=0.5))
        )
    lrs, losses = _sweep(rng, 9, diverge_from=7)
    losses[6] = 0.3  # the last run before the divergence still trains
    probes.append(
        Probe(
            "the largest learning rates diverge (nan and inf)", dict(lrs=lrs, final_losses=losses, target=1.0)
        )
    )
    lrs, losses = _sweep(rng, 10, holes=(5,))
    losses[2:9] = np.minimum(losses[2:9], 0.4)
    losses[5] = np.nan
    probes.append(
        Probe(
            "a diverged run in the middle of the usable range", dict(lrs=lrs, final_losses=losses, target=0.5)
        )
    )
    lrs, losses = _sweep(rng, 6)
    target = float(np.sort(losses)[2])  # one run ends exactly at the target: it did not get below it
    probes.append(
        Probe("a run ends exactly at the target", dict(lrs=lrs, final_losses=losses, target=target))
    )
    lrs = np.sort(10 ** rng.uniform(-4, 1, 5))
    probes.append(
        Probe(
            "no run trained",
            dict(lrs=lrs, final_losses=np.array([2.3, 2.31, np.nan, np.inf, 2.4]), target=0.5),
        )
    )
    lrs = [float(x) for x in np.sort(10 ** rng.uniform(-3, 0, 4))]
    probes.append(
        Probe("plain Python lists", dict(lrs=lrs, final_losses=[0.9, 0.2, 0.3, float("nan")], target=0.5))
    )
    return probes


EXERCISES = [
    Exercise(
        chapter="12",
        function="usable_lr_range",
        title="the learning rates that train, from a sweep",
        points=1,
        solution=usable_lr_range,
        probes=_probes,
        outputs=("low", "high"),
        mistakes=(
            Mistake(
                "a diverged run (nan) counts as trained",
                "Every comparison with nan is False, so `not (loss >= target)` is True for nan. Test "
                "np.isfinite(loss) as well as loss < target.",
                _variant(nan_counts=True),
            ),
            Mistake(
                "a run that ends exactly at the target counts as trained",
                "Trained means the final loss got *below* the target: use <, not <=.",
                _variant(inclusive=True),
            ),
            Mistake(
                "low and high are swapped",
                "Return the smallest learning rate first, then the largest.",
                _variant(swap=True),
            ),
            Mistake(
                "the range stops at the first failed run",
                "A run that diverges in the middle of the sweep (chaotic dynamics can do that) does not make "
                "larger learning rates unusable: take the smallest and the largest of *all* runs that trained.",
                _variant(stop_at_first_failure=True),
            ),
            Mistake(
                "positions in the sweep instead of learning rates",
                "Return the learning rates themselves (lrs[i]), not their indices i.",
                _variant(indices=True),
            ),
        ),
    ),
]

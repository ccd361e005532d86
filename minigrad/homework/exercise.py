"""Exercises and their checkers: one definition serves the notebook, the tests and the grader.

An exercise asks the learner to write one function (say `adam_step`). Its `Exercise` says

- how to draw probe inputs (`probes(rng)` returns a list of `Probe`): several steps, zero and tiny
  gradients, mixed shapes, float32 and float64 — the cases that expose mistakes;
- how to feed a probe to a function (`run(fn, probe)`), which returns the function's outputs as a dict
  of NumPy arrays (for a stateful update rule, `run` calls the function step after step, feeding the
  state back);
- the correct function (`solution`), which the outputs are compared with;
- a catalogue of known wrong variants (`mistakes`), each with a name and a hint, so that the feedback
  can say *which* mistake was made ("β₂ is squared every step instead of multiplied").

Everything that judges a submission is a pure function of numbers: `assess(exercise, probes, outputs)`
takes the outputs the learner's function produced and computes references and mistakes itself. The
grader runs the learner's code in another process and only moves those numbers across; in a notebook,
`check("09.adam_step", adam_step)` does both in one place.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Probe:
    """One set of inputs: keyword arguments for the learner's function, and a label for feedback."""

    label: str
    kwargs: dict


@dataclass(frozen=True)
class Mistake:
    """A known wrong variant of the solution: it is run on the probes like the learner's function."""

    name: str  # what was done wrong, e.g. "β₂ squared each step (beta_i *= beta_i)"
    hint: str  # how to fix it
    function: Callable


@dataclass(frozen=True)
class Exercise:
    chapter: str  # "09"
    function: str  # the name of the function the learner writes, "adam_step"
    title: str
    points: int
    solution: Callable
    probes: Callable[[np.random.Generator], list]
    mistakes: tuple = ()
    # How a probe is fed to a function; the default calls it once with the probe's keyword arguments.
    run: Callable[[Callable, Probe], dict] = None
    # Names for the outputs when the function returns a tuple (a single output is called "output").
    outputs: tuple = ()
    # The library's own implementations of what the learner is asked to write (dotted names): a
    # submission that merely calls one of them scores nothing for this exercise.
    forbidden: tuple = ()
    # Changes of the solution that are mathematically equivalent, by their description in
    # `minigrad.homework.mutants` (e.g. "`2 * x` → `2 ** x`" where x is always 1): the mutation test
    # accepts these surviving; every other single change must be rejected by the probes.
    equivalent_mutants: tuple = ()
    rtol: dict = field(default_factory=lambda: {np.float32: 2e-5, np.float64: 1e-9})
    atol: dict = field(default_factory=lambda: {np.float32: 1e-7, np.float64: 1e-13})

    @property
    def key(self) -> str:
        return f"{self.chapter}.{self.function}"

    def outputs_of(self, function: Callable, probe: Probe) -> dict:
        """Run `function` on `probe` (on copies of the inputs) and return its outputs by name."""
        if self.run is not None:
            result = self.run(function, Probe(probe.label, copy.deepcopy(probe.kwargs)))
        else:
            result = function(**copy.deepcopy(probe.kwargs))
        return name_outputs(result, self.outputs)


def name_outputs(result: Any, names: tuple = ()) -> dict:
    """The outputs as {name: ndarray}: a dict stays, a tuple is named by `names` (or out0, out1, …)."""
    if isinstance(result, dict):
        items = result.items()
    elif isinstance(result, tuple):
        labels = names if len(names) == len(result) else [f"output {i}" for i in range(len(result))]
        items = zip(labels, result)
    else:
        items = [(names[0] if len(names) == 1 else "output", result)]
    return {str(name): as_array(value) for name, value in items}


def as_array(value: Any) -> np.ndarray:
    """A NumPy array of the value (a minigrad or PyTorch tensor is read through its data)."""
    if hasattr(value, "detach"):  # a PyTorch tensor, or a minigrad Tensor
        value = value.detach()
    if hasattr(value, "numpy") and not isinstance(value, np.ndarray):
        value = value.numpy()
    elif hasattr(value, "data") and isinstance(value.data, np.ndarray):
        value = value.data
    return np.asarray(value)


# ---------------------------------------------------------------------------------------------------
# Comparing outputs


def _tolerances(exercise: Exercise, expected: np.ndarray) -> tuple[float, float]:
    kind = np.float32 if expected.dtype == np.float32 else np.float64
    return exercise.rtol[kind], exercise.atol[kind]


def first_difference(exercise: Exercise, expected: dict, got: dict) -> str | None:
    """None when `got` matches `expected`; otherwise one sentence on the first difference."""
    if set(got) != set(expected):
        return f"returned {_names(got)}, expected {_names(expected)}"
    for name, want in expected.items():
        have = got[name]
        if have.shape != want.shape:
            return f"`{name}` has shape {have.shape}, expected {want.shape}"
        if want.dtype.kind == "f" and have.dtype != want.dtype:
            return f"`{name}` has dtype {have.dtype}, expected {want.dtype} (keep the inputs' dtype)"
        if want.dtype.kind in "fc":
            if not np.issubdtype(have.dtype, np.number):
                return f"`{name}` has dtype {have.dtype}, expected numbers"
            rtol, atol = _tolerances(exercise, want)
            with np.errstate(invalid="ignore", over="ignore"):
                ok = np.isclose(have, want, rtol=rtol, atol=atol, equal_nan=True)
            if not ok.all():
                index = tuple(int(i) for i in np.argwhere(~ok)[0])
                expected_value, value = want[index], have[index]
                with np.errstate(all="ignore"):
                    relative = abs(float(value) - float(expected_value)) / max(
                        abs(float(expected_value)), atol
                    )
                where = f"[{', '.join(map(str, index))}]" if index else ""
                return (
                    f"`{name}`{where}: expected {float(expected_value):.8g}, got {float(value):.8g} "
                    f"(relative error {relative:.2g})"
                )
        elif not np.array_equal(have, want):
            index = tuple(int(i) for i in np.argwhere(have != want)[0]) if have.shape else ()
            where = f"[{', '.join(map(str, index))}]" if index else ""
            return f"`{name}`{where}: expected {want[index]!r}, got {have[index]!r}"
    return None


def _names(outputs: dict) -> str:
    return ", ".join(f"`{name}`" for name in outputs) or "nothing"


# ---------------------------------------------------------------------------------------------------
# Assessing a submission from its outputs


@dataclass
class Assessment:
    """What a submission earned on one exercise, and why."""

    exercise: Exercise
    score: float
    feedback: str
    mistake: str | None = None  # the catalogued mistake it matched, by name

    @property
    def passed(self) -> bool:
        return self.score == self.exercise.points


class Failed:
    """Stands in for the outputs of a probe on which the learner's function raised."""

    def __init__(self, message: str):
        self.message = message


def assess(exercise: Exercise, probes: list, outputs: list) -> Assessment:
    """Score the outputs a submission produced on `probes` (dicts of arrays, or `Failed`).

    References and catalogued mistakes are computed here, from the exercise's own functions, so
    nothing the submission did can change them."""
    for probe, got in zip(probes, outputs):
        if isinstance(got, Failed):
            return Assessment(
                exercise, 0, f"{exercise.function} raised on probe {probe.label!r}: {got.message}"
            )
    expected = [exercise.outputs_of(exercise.solution, probe) for probe in probes]
    differences = [first_difference(exercise, want, got) for want, got in zip(expected, outputs)]
    if all(difference is None for difference in differences):
        return Assessment(exercise, exercise.points, f"correct on all {len(probes)} probes")
    for mistake in exercise.mistakes:
        if _matches(exercise, mistake.function, probes, outputs):
            return Assessment(exercise, 0, f"known mistake: {mistake.name}. {mistake.hint}", mistake.name)
    index = next(i for i, difference in enumerate(differences) if difference is not None)
    return Assessment(
        exercise,
        0,
        f"wrong on probe {index + 1} of {len(probes)} ({probes[index].label}): {differences[index]}",
    )


def _matches(exercise: Exercise, function: Callable, probes: list, outputs: list) -> bool:
    """Does `function` produce these outputs on every probe?"""
    for probe, got in zip(probes, outputs):
        try:
            with np.errstate(all="ignore"):
                want = exercise.outputs_of(function, probe)
        except Exception:
            return False
        if first_difference(exercise, want, got) is not None:
            return False
    return True


def run_probes(exercise: Exercise, function: Callable, probes: list) -> list:
    """The learner's outputs on each probe, or `Failed` with the exception's last line."""
    outputs = []
    for probe in probes:
        try:
            outputs.append(exercise.outputs_of(function, probe))
        except NotImplementedError:
            outputs.append(Failed("not implemented yet (the body still raises NotImplementedError)"))
        except Exception as error:  # the learner's bug, reported as feedback
            outputs.append(Failed(f"{type(error).__name__}: {error}"))
    return outputs

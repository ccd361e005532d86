"""Strict checkers: every single-operator or single-constant change inside a chapter's solution region
is rejected by that exercise's checker (unless the exercise declares it mathematically equivalent)."""

import math
import signal
from pathlib import Path

import numpy as np
import pytest

import minigrad
from minigrad.homework import NOTEBOOK_SEED, assess, get, run_probes
from minigrad.homework.mutants import chapter_solutions, mutants, solution_functions

SOURCES = sorted((Path(__file__).resolve().parents[1] / "tutorials" / "src").glob("[0-9][0-9]_*.py"))
SOLUTIONS = [(source, function) for source in SOURCES for function in chapter_solutions(source)]


def _define(source: str, name: str):
    namespace = {"np": np, "math": math, "mg": minigrad}
    exec(compile(source, f"<solution {name}>", "exec"), namespace)
    return namespace[name]


def _rejected(exercise, function, seeds) -> bool:
    for seed in seeds:
        probes = exercise.probes(np.random.default_rng(seed))
        if not assess(exercise, probes, run_probes(exercise, function, probes)).passed:
            return True
    return False


class _Timeout(Exception):
    pass


def _on_alarm(signum, frame):
    raise _Timeout


@pytest.mark.parametrize("source, solution", SOLUTIONS, ids=[f"{s.stem}:{f.name}" for s, f in SOLUTIONS])
def test_every_mutant_of_the_solution_is_rejected(source, solution):
    exercise = get(f"{source.name[:2]}.{solution.name}")
    assert not _rejected(exercise, _define(solution.source, solution.name), [NOTEBOOK_SEED, 1]), (
        "the chapter's own solution must pass its checker"
    )
    survivors, seen = [], set()
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    try:
        for description, mutated in mutants(solution):
            seen.add(description)
            if description in exercise.equivalent_mutants:
                continue
            signal.alarm(5)  # a mutant may loop forever; that counts as rejected
            try:
                rejected = _rejected(exercise, _define(mutated, solution.name), [NOTEBOOK_SEED, 1, 2])
            except _Timeout:
                rejected = True
            finally:
                signal.alarm(0)
            if not rejected:
                survivors.append(description)
    finally:
        signal.signal(signal.SIGALRM, previous)
    assert not survivors, f"{exercise.key}: the checker accepts these changed solutions: {survivors}"
    stale = set(exercise.equivalent_mutants) - seen
    assert not stale, f"{exercise.key}: equivalent_mutants lists changes that no longer exist: {stale}"


def test_mutants_cover_operators_signs_comparisons_and_numbers():
    text = (
        "def f(x, y):\n"
        '    """doc"""\n'
        "    # BEGIN SOLUTION\n"
        "    z = -x + 2 * y\n"
        "    return z if z > 0 else 0.5\n"
        "    # END SOLUTION\n"
    )
    (solution,) = solution_functions(text)
    descriptions = [d for d, _ in mutants(solution)]
    for expected in [
        "`-x + 2 * y` → `-x - 2 * y`",
        "`-x` → `x`",
        "`2` → `3`",
        "`2` → `4`",
        "`z > 0` → `z >= 0`",
        "`0.5` → `1.5`",
        "`0.5` → `1.0`",
    ]:
        assert expected in descriptions
    assert len(descriptions) == len(set(descriptions))


def test_weak_probes_let_a_mutant_survive():
    """The test above would catch a lax checker: with lr always 1, `lr * grad` and `grad / lr` agree."""
    from dataclasses import replace

    from minigrad.homework import Probe

    weak = replace(
        get("04.sgd_step"),
        probes=lambda rng: [
            Probe("lr 1", dict(param=rng.standard_normal(3), grad=rng.standard_normal(3), lr=1.0))
        ],
    )
    assert not _rejected(weak, lambda param, grad, lr: param - grad / lr, [0, 1])
    assert _rejected(get("04.sgd_step"), lambda param, grad, lr: param - grad / lr, [0])

"""Homework: the tutorials' exercises, their checkers, and releasing and grading them (`notebooks`,
`grading`, `sandbox`, `gradescope`; the commands are in `minigrad.homework.cli`).

In a notebook, after writing the exercise's function:

    from minigrad.homework import check
    check("04.sgd_step", sgd_step)

runs the function on probe inputs, compares it with the library's answer, and raises an
`AssertionError` whose message names the mistake (or the first wrong number) when it is wrong.
"""

import numpy as np

from minigrad.homework.exercise import Assessment, Exercise, Failed, Mistake, Probe, assess, run_probes
from minigrad.homework.registry import all_exercises, exercises_of, get

# The probes a notebook checks with are drawn from this seed, so a notebook's output never changes;
# the grader draws fresh ones for every grading run.
NOTEBOOK_SEED = 0


def check(key: str, function, seed: int = NOTEBOOK_SEED) -> Assessment:
    """Check the learner's `function` for exercise `key` ("NN.function_name"); raise if it is wrong."""
    exercise = get(key)
    probes = exercise.probes(np.random.default_rng(seed))
    assessment = assess(exercise, probes, run_probes(exercise, function, probes))
    if not assessment.passed:
        raise AssertionError(f"{exercise.key} ({exercise.title}): {assessment.feedback}")
    print(
        f"✔ {exercise.key} ({exercise.title}): {assessment.feedback}, "
        f"{exercise.points}/{exercise.points} points"
    )
    return assessment


__all__ = [
    "Assessment",
    "Exercise",
    "Failed",
    "Mistake",
    "Probe",
    "assess",
    "run_probes",
    "all_exercises",
    "exercises_of",
    "get",
    "check",
    "NOTEBOOK_SEED",
]

"""The exercise checkers: each accepts its solution and rejects every catalogued mistake by name, with a hint."""

import numpy as np
import pytest

from minigrad.homework import Failed, all_exercises, assess, check, run_probes

EXERCISES = all_exercises()


def _id(exercise):
    return exercise.key


def test_exercise_keys_are_chapter_and_function():
    for exercise in EXERCISES:
        assert exercise.key == f"{exercise.chapter}.{exercise.function}"
        assert exercise.points > 0


@pytest.mark.parametrize("exercise", EXERCISES, ids=_id)
def test_solution_passes(exercise, capsys):
    check(exercise.key, exercise.solution)
    assert f"{exercise.points}/{exercise.points} points" in capsys.readouterr().out


@pytest.mark.parametrize("exercise", EXERCISES, ids=_id)
def test_every_catalogued_mistake_is_caught_and_named(exercise):
    assert len(exercise.mistakes) >= 3, "at least three plausible wrong implementations"
    for mistake in exercise.mistakes:
        with pytest.raises(AssertionError) as caught:
            check(exercise.key, mistake.function)
        message = str(caught.value)
        assert mistake.name in message and mistake.hint in message, (mistake.name, message)


@pytest.mark.parametrize("exercise", EXERCISES, ids=_id)
def test_mistakes_are_told_apart_on_fresh_probes(exercise):
    """On probes the notebook never saw, each mistake is still caught and named as itself."""
    for seed in (1, 2):
        probes = exercise.probes(np.random.default_rng(seed))
        for mistake in exercise.mistakes:
            outputs = run_probes(exercise, mistake.function, probes)
            assessment = assess(exercise, probes, outputs)
            assert assessment.score == 0
            if not any(isinstance(o, Failed) for o in outputs):
                assert assessment.mistake == mistake.name, (mistake.name, assessment.feedback)


@pytest.mark.parametrize("exercise", EXERCISES, ids=_id)
def test_stub_scores_zero_with_not_implemented(exercise):
    def stub(*args, **kwargs):
        raise NotImplementedError

    probes = exercise.probes(np.random.default_rng(3))
    assessment = assess(exercise, probes, run_probes(exercise, stub, probes))
    assert assessment.score == 0 and "not implemented" in assessment.feedback


@pytest.mark.parametrize("exercise", EXERCISES, ids=_id)
def test_probes_depend_on_the_seed(exercise):
    """The grader draws fresh probes each run: the probes are not fixed numbers."""
    a, b = exercise.probes(np.random.default_rng(10)), exercise.probes(np.random.default_rng(11))
    assert len(a) >= 3
    differ = any(
        not np.array_equal(np.asarray(x), np.asarray(y))
        for pa, pb in zip(a, b)
        for x, y in zip(pa.kwargs.values(), pb.kwargs.values())
        if isinstance(x, (np.ndarray, float))
    )
    assert differ


def test_wrong_numbers_are_reported_with_probe_element_and_relative_error():
    exercise = next(e for e in EXERCISES if e.key == "04.sgd_step")
    with pytest.raises(AssertionError) as caught:
        check(exercise.key, lambda param, grad, lr: param - 0.5 * lr * grad)
    message = str(caught.value)
    assert "probe 1 of" in message and "`param`[0]" in message and "relative error" in message


def test_a_dtype_change_is_reported():
    with pytest.raises(AssertionError, match="dtype float64, expected float32"):
        check("04.sgd_step", lambda param, grad, lr: (param - lr * grad).astype(np.float64))

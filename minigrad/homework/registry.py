"""Every exercise of the tutorials, found in `minigrad.homework.exercises` (one module a chapter,
`chNN.py`, each with a list `EXERCISES`)."""

import importlib
import pkgutil
from functools import cache

from minigrad.homework import exercises as _package
from minigrad.homework.exercise import Exercise


@cache
def _registry() -> dict:
    found = {}
    for module_info in sorted(pkgutil.iter_modules(_package.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{_package.__name__}.{module_info.name}")
        for exercise in getattr(module, "EXERCISES", []):
            if exercise.key in found:
                raise RuntimeError(f"two exercises are called {exercise.key}")
            found[exercise.key] = exercise
    return found


def all_exercises() -> list[Exercise]:
    """Every exercise, in chapter order."""
    return sorted(_registry().values(), key=lambda exercise: exercise.chapter)


def exercises_of(chapter: str) -> list[Exercise]:
    """The exercises of one chapter ("05"), in the order the chapter defines them."""
    return [exercise for exercise in _registry().values() if exercise.chapter == chapter]


def get(key: str) -> Exercise:
    """The exercise called `key`, e.g. "09.adam_step"."""
    try:
        return _registry()[key]
    except KeyError:
        known = ", ".join(_registry()) or "none yet"
        raise KeyError(f"no exercise called {key!r}; the exercises are: {known}") from None

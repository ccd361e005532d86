"""Grading: a folder of submissions in, a CSV, a results.json per student and a class report out.

    SUBMISSIONS/<student>/NN_name.ipynb   (any subset of the chapters)

Each notebook runs in its own sandboxed process (`minigrad.homework.sandbox`); this process draws the
probes, computes every reference and catalogued mistake, and scores the raw numbers that come back with
`assess`. Probes are drawn afresh for every grading run (from `seed`, random unless given), so a notebook
cannot know them in advance; a correct function passes on any probes and a catalogued mistake is named on
any probes, so the scores and the mistakes named do not depend on the seed.
"""

from __future__ import annotations

import csv
import json
import os
import secrets
import shutil
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from minigrad.homework import notebooks, registry
from minigrad.homework.exercise import Exercise, Failed, assess
from minigrad.homework.sandbox import Limits, Zygote, matplotlib_folder, run_notebook
from minigrad.homework.wire import WireError, decode, encode


@dataclass
class Grade:
    """One exercise of one student."""

    exercise: Exercise
    score: float
    feedback: str
    mistake: str | None = None

    @property
    def name(self) -> str:
        return f"{self.exercise.key}: {self.exercise.title}"


@dataclass
class Probes:
    """The probes of one grading run: drawn once, the same for every student."""

    seed: int
    drawn: dict  # key -> list of Probe
    wire: dict  # key -> the list of (label, kwargs), encoded for the wire

    @classmethod
    def draw(cls, exercises, seed: int | None = None) -> Probes:
        seed = secrets.randbits(63) if seed is None else seed
        drawn, wire = {}, {}
        for exercise in exercises:
            stream = [int(c) for c in exercise.chapter] + [sum(map(ord, exercise.function))]
            probes = exercise.probes(np.random.default_rng([seed, *stream]))
            drawn[exercise.key] = probes
            wire[exercise.key] = encode([(probe.label, probe.kwargs) for probe in probes])
        return cls(seed, drawn, wire)


def chosen_exercises(chapters=()) -> list[Exercise]:
    """The exercises to grade: every chapter's, or those of `chapters` ("05", …)."""
    exercises = registry.all_exercises()
    if chapters:
        unknown = sorted(set(chapters) - {exercise.chapter for exercise in exercises})
        if unknown:
            raise ValueError(f"no exercises for chapter {', '.join(unknown)}; chapters with exercises: "
                             f"{' '.join(sorted({e.chapter for e in exercises})) or 'none'}")  # fmt: skip
        exercises = [exercise for exercise in exercises if exercise.chapter in set(chapters)]
    return exercises


# ---------------------------------------------------------------------------------------------------
# One notebook


def grade_notebook(path: Path, exercises: list[Exercise], probes: Probes, limits: Limits,
                   skip_slow: bool = True, mpl_config: Path | None = None, zygote: Zygote | None = None) -> list[Grade]:  # fmt: skip
    """Grade the exercises of one chapter in the notebook at `path`; never raises for a bad notebook."""
    try:
        notebook = notebooks.read(path)
    except notebooks.NotebookError as error:
        return [Grade(exercise, 0, str(error)) for exercise in exercises]
    cells = [cell for cell in notebooks.code_cells(notebook) if not (skip_slow and cell.slow)]
    grades, pending = {}, [exercise for exercise in exercises]
    while pending:
        run = run_notebook(
            cells,
            [e.key for e in pending],
            {e.key: probes.wire[e.key] for e in pending},
            limits,
            mpl_config,
            zygote,
        )
        if run.failure:
            for exercise in pending:
                grades[exercise.key] = Grade(exercise, 0, run.failure)
            break
        for exercise in pending:
            if exercise.key in run.results:
                grades[exercise.key] = _grade_result(
                    exercise, run.results[exercise.key], probes.drawn[exercise.key], run
                )
        if not run.forbidden:
            for exercise in pending:
                grades.setdefault(exercise.key, Grade(exercise, 0, "no result came back from the notebook"))
            break
        # A forbidden call ended the process while the first exercise without a result was being checked;
        # that one scores nothing, and the notebook runs again for the exercises after it.
        convicted = next((e for e in pending if e.key not in run.results), None)
        if convicted is None:
            break
        names = ", ".join(sorted(set(run.forbidden)))
        grades[convicted.key] = Grade(convicted, 0, (
            f"`{convicted.function}` calls {names}, the library's own implementation of what the exercise "
            "asks for; write the rule yourself (with NumPy)"))  # fmt: skip
        pending = pending[pending.index(convicted) + 1 :]
        pending = [e for e in pending if e.key not in grades]
    return [grades[exercise.key] for exercise in exercises]


def _grade_result(exercise: Exercise, result: dict, probes: list, run) -> Grade:
    if result.get("missing"):
        errors = "; ".join(
            f"cell {index} raised {error}" for index, error in sorted(run.cell_errors.items())[:2]
        )
        return Grade(
            exercise,
            0,
            f"`{exercise.function}` is not defined in the notebook" + (f" ({errors})" if errors else ""),
        )
    raw = result.get("probes")
    if not isinstance(raw, list) or len(raw) != len(probes):
        return Grade(exercise, 0, "the notebook sent back an incomplete result")
    outputs = []
    try:
        for item in raw:
            if not isinstance(item, dict):
                raise WireError("a probe's result is not an object")
            if "failed" in item:
                outputs.append(Failed(str(item["failed"])[:300]))
                continue
            named = decode(item.get("outputs"))
            if not isinstance(named, dict) or not all(isinstance(v, np.ndarray) for v in named.values()):
                raise WireError("outputs are not arrays")
            outputs.append(named)
    except (WireError, ValueError, TypeError) as error:
        return Grade(exercise, 0, f"`{exercise.function}` returned something that is not numbers ({error})")
    try:
        assessment = assess(exercise, probes, outputs)
    except Exception as error:  # a checker's bug must not stop the batch
        return Grade(
            exercise, 0, f"could not be graded ({type(error).__name__}: {error}); tell your instructor"
        )
    return Grade(exercise, assessment.score, assessment.feedback, assessment.mistake)


# ---------------------------------------------------------------------------------------------------
# One student


@dataclass
class StudentResult:
    student: str
    grades: list
    seconds: float

    @property
    def score(self) -> float:
        return sum(grade.score for grade in self.grades)

    @property
    def max_score(self) -> float:
        return sum(grade.exercise.points for grade in self.grades)


def find_notebooks(folder: Path) -> tuple[dict, list[str]]:
    """{chapter: notebook path} in a student's folder (searched recursively), and notes on what was odd."""
    found, notes = {}, []
    for path in sorted(Path(folder).rglob("*.ipynb")):
        if ".ipynb_checkpoints" in path.parts:
            continue
        chapter = notebooks.chapter_of(path)
        if chapter is None:
            continue
        if chapter in found:
            notes.append(
                f"two notebooks for chapter {chapter}: graded {found[chapter].name}, not {path.name}"
            )
            continue
        found[chapter] = path
    return found, notes


def grade_student(student: str, folder: Path, exercises: list[Exercise], probes: Probes, limits: Limits,
                  skip_slow: bool = True, mpl_config: Path | None = None, zygote: Zygote | None = None) -> StudentResult:  # fmt: skip
    start = time.perf_counter()
    found, _ = find_notebooks(folder)
    grades = []
    for chapter in sorted({exercise.chapter for exercise in exercises}):
        chosen = [exercise for exercise in exercises if exercise.chapter == chapter]
        if chapter not in found:
            grades += [Grade(exercise, 0, f"not submitted (no {chapter}_*.ipynb)") for exercise in chosen]
            continue
        try:
            grades += grade_notebook(found[chapter], chosen, probes, limits, skip_slow, mpl_config, zygote)
        except Exception as error:  # the grader's own failure on one notebook: reported, never fatal
            grades += [Grade(exercise, 0, f"{found[chapter].name} could not be graded "
                                          f"({type(error).__name__}: {error}); tell your instructor") for exercise in chosen]  # fmt: skip
    return StudentResult(student, grades, time.perf_counter() - start)


def results_json(result: StudentResult) -> dict:
    """Gradescope's results.json for one student."""
    lines = [f"{result.score:g} / {result.max_score:g} points"]
    return {
        "score": float(result.score),
        "execution_time": round(result.seconds, 2),
        "output": "\n".join(lines),
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": [
            {"name": grade.name, "number": grade.exercise.key, "score": float(grade.score),
             "max_score": float(grade.exercise.points),
             "status": "passed" if grade.score == grade.exercise.points else "failed",
             "output": grade.feedback, "visibility": "visible"}
            for grade in result.grades
        ],
    }  # fmt: skip


def write_json(path: Path, data: dict) -> None:
    """Write atomically: a crash never leaves half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    temporary.replace(path)


# ---------------------------------------------------------------------------------------------------
# A class


def students_in(submissions: Path) -> list[tuple[str, Path]]:
    submissions = Path(submissions)
    if not submissions.is_dir():
        raise FileNotFoundError(
            f"{submissions} is not a folder (expected SUBMISSIONS/<student>/NN_name.ipynb)"
        )
    return [
        (path.name, path)
        for path in sorted(submissions.iterdir())
        if path.is_dir() and not path.name.startswith(".")
    ]


def grade_class(submissions: Path, out: Path, limits: Limits, jobs: int, chapters=(), seed: int | None = None,
                skip_slow: bool = True, progress: bool | None = None) -> list[StudentResult]:  # fmt: skip
    """Grade every student's folder; write grades.csv, <student>/results.json and report.md into `out`.

    The CSV is rewritten after every student, so an interrupted run keeps what was graded."""
    students = students_in(submissions)
    exercises = chosen_exercises(chapters)
    probes = Probes.draw(exercises, seed)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="minigrad-grade-run-"))
    results: dict[str, StudentResult] = {}
    zygotes: list[Zygote] = []
    bar = _progress_bar(len(students), progress)
    try:
        mpl_config = matplotlib_folder(scratch / "matplotlib")
        local = threading.local()

        def one(student_and_folder):
            student, folder = student_and_folder
            if getattr(local, "zygote", None) is None and hasattr(os, "waitid"):  # (macOS has no waitid)
                local.zygote = Zygote(
                    scratch, mpl_config
                )  # one per worker thread; it restarts itself if it fails
                zygotes.append(local.zygote)
            try:
                return grade_student(
                    student,
                    folder,
                    exercises,
                    probes,
                    limits,
                    skip_slow,
                    mpl_config,
                    getattr(local, "zygote", None),
                )
            except Exception as error:
                grades = [
                    Grade(e, 0, f"could not be graded ({type(error).__name__}: {error})") for e in exercises
                ]
                return StudentResult(student, grades, 0.0)

        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            for result in pool.map(one, students):
                results[result.student] = result
                write_json(out / _safe(result.student) / "results.json", results_json(result))
                write_csv(out / "grades.csv", [results[s] for s, _ in students if s in results], exercises)
                if bar is not None:
                    bar.update(1)
    finally:
        if bar is not None:
            bar.close()
        for zygote in zygotes:
            zygote.close()
        shutil.rmtree(scratch, ignore_errors=True)
    ordered = [results[student] for student, _ in students]
    write_csv(out / "grades.csv", ordered, exercises)
    write_report(out, ordered, exercises)
    return ordered


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_.@" else "_" for c in name).lstrip(".") or "_"


def _progress_bar(total: int, progress: bool | None):
    if progress is None:
        progress = sys.stderr.isatty()
    if not progress:
        return None
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    return tqdm(total=total, unit="student", file=sys.stderr)


def write_csv(path: Path, results: list[StudentResult], exercises: list[Exercise]) -> None:
    path = Path(path)
    temporary = path.with_name(path.name + ".tmp")
    with open(temporary, "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["student", *[exercise.key for exercise in exercises], "total", "max"])
        for result in results:
            scores = {grade.exercise.key: grade.score for grade in result.grades}
            writer.writerow([result.student, *[f"{scores.get(e.key, 0):g}" for e in exercises],
                             f"{result.score:g}", f"{result.max_score:g}"])  # fmt: skip
    temporary.replace(path)


def write_report(out: Path, results: list[StudentResult], exercises: list[Exercise]) -> Path:
    """RESULTS/report.md: the score histogram, per-exercise averages, the most frequent named mistakes."""
    out = Path(out)
    total = sum(exercise.points for exercise in exercises)
    scores = [result.score for result in results]
    lines = ["# Class report", ""]
    if results:
        lines.append(f"{len(results)} students, {len(exercises)} exercises, {total:g} points. "
                     f"Mean {np.mean(scores):.1f}, median {np.median(scores):g}, "
                     f"full marks: {sum(s == total for s in scores)}.")  # fmt: skip
    else:
        lines.append("No submissions.")
    lines.append("")
    if results and _histogram(out / "scores.png", scores, total):
        lines += ["![Histogram of the total scores](scores.png)", ""]
    lines += ["## Exercises", "", "| exercise | points | average | full marks |", "|---|---:|---:|---:|"]
    for exercise in exercises:
        got = [g.score for r in results for g in r.grades if g.exercise.key == exercise.key]
        average = np.mean(got) if got else 0.0
        lines.append(f"| {exercise.key}: {exercise.title} | {exercise.points:g} | {average:.2f} | "
                     f"{sum(s == exercise.points for s in got)}/{len(got)} |")  # fmt: skip
    mistakes = Counter((g.exercise.key, g.mistake) for r in results for g in r.grades if g.mistake)
    lines += ["", "## Most frequent named mistakes", ""]
    if mistakes:
        lines += ["| exercise | mistake | students |", "|---|---|---:|"]
        lines += [f"| {key} | {name} | {count} |" for (key, name), count in mistakes.most_common(15)]
    else:
        lines.append("None of the catalogued mistakes was made.")
    problems = Counter(_kind(g.feedback) for r in results for g in r.grades if g.score == 0)
    problems.pop(None, None)
    if problems:
        lines += ["", "## Other reasons for zero", "", "| reason | exercises |", "|---|---:|"]
        lines += [f"| {reason} | {count} |" for reason, count in problems.most_common()]
    path = out / "report.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _kind(feedback: str) -> str | None:
    for needle, label in [("not submitted", "not submitted"), ("not implemented", "not implemented"),
                          ("time limit", "time limit"), ("memory limit", "memory limit"),
                          ("not a readable notebook", "not a notebook"), ("is not a notebook", "not a notebook"),
                          ("library's own implementation", "calls the library's implementation"),
                          ("tried to", "tampering"), ("ended early", "process ended early"),
                          ("is not defined", "function missing")]:  # fmt: skip
        if needle in feedback:
            return label
    return None


def _histogram(path: Path, scores: list, total: float) -> bool:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    figure, axes = plt.subplots(figsize=(6, 3.2))
    bins = np.linspace(0, max(total, 1), min(int(max(total, 1)), 20) + 1)
    axes.hist(scores, bins=bins, color="#4c72b0", edgecolor="white")
    axes.set_xlabel(f"total score (of {total:g})")
    axes.set_ylabel("students")
    axes.set_title("Scores")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return True

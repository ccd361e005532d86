"""How fast `minigrad grade` grades a class: copies of the tutorials' own notebooks (their solutions in),
one folder per student, graded with the default limits on `--jobs` cores.

    python benchmarks/grading.py                  # 10 students, every chapter with exercises, 2 jobs
    python benchmarks/grading.py --students 30 --jobs 2
    python benchmarks/grading.py --cells          # per-cell times: which cells to tag `slow`

Prints notebooks graded per second (the target is at least 1 on 2 cores: a class of 100 students × 12
chapters in 20 minutes). With `--cells` it first runs each chapter once and lists its slowest cells; a
cell that takes long and is not needed by the exercises should be tagged `slow` (the grader skips those).
Without chapter notebooks (a checkout before the chapters land) it grades a one-exercise stand-in.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

from minigrad.homework import grading, notebooks
from minigrad.homework.sandbox import Limits, run_notebook

ROOT = Path(__file__).resolve().parents[1]

STAND_IN = {
    "cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": source} for source in (
        "import numpy as np\nimport matplotlib.pyplot as plt\nimport minigrad as mg\nfrom minigrad.homework import check",
        "def sgd_step(param, grad, lr):\n    # BEGIN SOLUTION\n    return param - lr * grad\n    # END SOLUTION",
        'check("04.sgd_step", sgd_step)')],
    "metadata": {}, "nbformat": 4, "nbformat_minor": 5,
}  # fmt: skip


def chapter_notebooks() -> list[Path]:
    found = notebooks.chapter_notebooks(ROOT / "tutorials")
    return [path for path in found if grading.chosen_exercises() and any(
        e.chapter == notebooks.chapter_of(path) for e in grading.chosen_exercises())]  # fmt: skip


def cell_times(paths: list[Path], limits: Limits, top: int) -> None:
    """Run each chapter once (slow cells skipped, as when grading) and list its slowest cells."""
    print(f"{'chapter':<28} {'seconds':>7}  slowest cells (not tagged slow)")
    for path in paths:
        notebook = notebooks.read(path)
        cells = [cell for cell in notebooks.code_cells(notebook) if not cell.slow]
        exercises = grading.chosen_exercises([notebooks.chapter_of(path)])
        probes = grading.Probes.draw(exercises, 0)
        run = run_notebook(
            cells, [e.key for e in exercises], {e.key: probes.wire[e.key] for e in exercises}, limits
        )
        ranked = sorted(run.cell_seconds.items(), key=lambda item: -item[1])[:top]
        sources = {cell.index: cell.source for cell in cells}
        listed = ", ".join(
            f"cell {index} {seconds:.1f} s (`{_first_line(sources.get(index, ''))}`)"
            for index, seconds in ranked
        )
        print(f"{path.name:<28} {run.seconds:7.1f}  {listed}" + (f"  [{run.failure}]" if run.failure else ""))


def _first_line(source: str) -> str:
    line = next(
        (text.strip() for text in source.splitlines() if text.strip() and not text.strip().startswith("#")),
        "",
    )
    return line if len(line) <= 40 else line[:39] + "…"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=10, help="default: 10")
    parser.add_argument("--jobs", type=int, default=2, help="default: 2")
    parser.add_argument(
        "--chapters", nargs="+", default=(), metavar="NN", help="default: every chapter with exercises"
    )
    parser.add_argument("--timeout", type=float, default=60.0, help="default: 60 (as `minigrad grade`)")
    parser.add_argument("--cells", action="store_true", help="first list each chapter's slowest cells")
    parser.add_argument("--top", type=int, default=3, help="slowest cells listed per chapter (default: 3)")
    args = parser.parse_args(argv)
    limits = Limits(args.timeout, 2048)
    paths = [p for p in chapter_notebooks() if not args.chapters or notebooks.chapter_of(p) in args.chapters]
    if args.cells and paths:
        cell_times(paths, limits, args.top)
        print()
    scratch = Path(tempfile.mkdtemp(prefix="minigrad-grading-bench-"))
    try:
        for student in range(args.students):
            folder = scratch / "submissions" / f"student{student:03d}"
            folder.mkdir(parents=True)
            if paths:
                for path in paths:
                    shutil.copy(path, folder / path.name)
            else:
                (folder / "04_stand_in.ipynb").write_text(json.dumps(STAND_IN), encoding="utf-8")
        chapters = sorted({notebooks.chapter_of(p) for p in paths}) or ["04"]
        count = args.students * max(len(paths), 1)
        start = time.perf_counter()
        results = grading.grade_class(
            scratch / "submissions", scratch / "results", limits, args.jobs, chapters, seed=0, progress=False
        )
        seconds = time.perf_counter() - start
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    full = sum(r.score == r.max_score for r in results)
    what = f"{len(paths)} chapters" if paths else "a one-exercise stand-in (no chapter notebooks here)"
    print(f"{args.students} students × {what}: {count} notebooks in {seconds:.1f} s on {args.jobs} jobs "
          f"= {count / seconds:.2f} notebooks/s; full marks {full}/{len(results)}")  # fmt: skip
    if full != len(results):
        worst = next(r for r in results if r.score != r.max_score)
        for grade in worst.grades:
            if grade.score != grade.exercise.points:
                print(f"  {worst.student} {grade.name}: {grade.feedback}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

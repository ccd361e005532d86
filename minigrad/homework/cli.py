"""The homework commands of `minigrad` (hooked into `minigrad.cli` by `add_commands`).

    minigrad homework release --out DIR [--chapters 05 09 …]     the student notebooks, solutions stripped
    minigrad homework check NOTEBOOK                             grade your own notebook as the grader will
    minigrad homework gradescope --out FILE.zip [--chapters …]   a Gradescope autograder
    minigrad grade SUBMISSIONS --out RESULTS                     grade a class: CSV, results.json, report

Exit codes as for every command: 0 success (for `grade` and `check`: the grading ran, whatever the
scores), 1 failure with a one-line message, 2 bad arguments.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

DEFAULT_TIMEOUT = 60.0
DEFAULT_MEMORY = 2048


def _chapter(text: str) -> str:
    if not (len(text) == 2 and text.isdigit()):
        raise argparse.ArgumentTypeError(f"a chapter is two digits like 05, got {text!r}")
    return text


def _positive(kind):
    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be > 0, got {text}")
        return value

    return parse


def _limits(parser, default_memory=DEFAULT_MEMORY):
    parser.add_argument("--timeout", type=_positive(float), default=DEFAULT_TIMEOUT, metavar="S",
                        help=f"seconds each notebook may run, wall clock and CPU (default: {DEFAULT_TIMEOUT:g})")  # fmt: skip
    parser.add_argument("--memory", type=_positive(int), default=default_memory, metavar="MB",
                        help=f"address space each notebook may use (default: {default_memory})")  # fmt: skip


def add_commands(commands, common) -> None:
    """Add `homework` (release, check, gradescope) and `grade` to the `minigrad` command's subparsers."""
    homework = commands.add_parser(
        "homework",
        parents=[common],
        help="release the exercises, check a notebook, build a Gradescope autograder",
        description="release the exercises, check a notebook, build a Gradescope autograder",
    )
    actions = homework.add_subparsers(dest="action", metavar="ACTION", required=True)

    release = actions.add_parser(
        "release",
        parents=[common],
        help="write the student notebooks (solutions replaced by raise NotImplementedError)",
        description="write the student notebooks (solutions replaced by raise NotImplementedError)",
    )
    release.add_argument(
        "--out", type=Path, required=True, help="folder for the notebooks (required, no default)"
    )
    release.add_argument(
        "--chapters",
        nargs="+",
        type=_chapter,
        default=(),
        metavar="NN",
        help="which chapters, e.g. 05 09 (default: every chapter)",
    )
    release.add_argument(
        "--tutorials",
        type=Path,
        default=None,
        help="folder of the chapter notebooks (default: the checkout's tutorials/)",
    )
    release.set_defaults(run=_release)

    check = actions.add_parser(
        "check",
        parents=[common],
        help="grade your own notebook exactly as the grader will",
        description="grade your own notebook exactly as the grader will",
    )
    check.add_argument(
        "notebook",
        type=Path,
        metavar="NOTEBOOK",
        help="the notebook, named NN_name.ipynb (required, no default)",
    )
    _limits(check)
    check.add_argument(
        "--seed",
        type=int,
        default=None,
        help="seed for the probes (default: fresh each run, as when grading)",
    )
    check.set_defaults(run=_check)

    gradescope = actions.add_parser(
        "gradescope",
        parents=[common],
        help="build a Gradescope autograder (.zip)",
        description="build a Gradescope autograder (.zip)",
    )
    gradescope.add_argument(
        "--out",
        type=Path,
        required=True,
        metavar="FILE.zip",
        help="the autograder to write (required, no default)",
    )
    gradescope.add_argument(
        "--chapters",
        nargs="+",
        type=_chapter,
        default=(),
        metavar="NN",
        help="which chapters (default: every chapter with exercises)",
    )
    _limits(gradescope, default_memory=600)
    gradescope.set_defaults(run=_gradescope)

    grade = commands.add_parser(
        "grade",
        parents=[common],
        help="grade a folder of submissions (one folder per student)",
        description="grade a folder of submissions (one folder per student)",
    )
    grade.add_argument(
        "submissions",
        type=Path,
        metavar="SUBMISSIONS",
        help="folder of SUBMISSIONS/<student>/NN_name.ipynb (required, no default)",
    )
    grade.add_argument(
        "--out",
        type=Path,
        required=True,
        metavar="RESULTS",
        help="folder for grades.csv, report.md and <student>/results.json (required, no default)",
    )
    _limits(grade)
    grade.add_argument("--jobs", type=_positive(int), default=os.cpu_count() or 1, metavar="N",
                       help=f"notebooks graded at once (default: the number of cores, {os.cpu_count() or 1})")  # fmt: skip
    grade.add_argument(
        "--chapters",
        nargs="+",
        type=_chapter,
        default=(),
        metavar="NN",
        help="which chapters (default: every chapter with exercises)",
    )
    grade.add_argument("--seed", type=int, default=None, help="seed for the probes (default: fresh each run)")
    grade.add_argument(
        "--all-cells",
        action="store_true",
        help="also run the cells tagged slow (default: off, they are skipped)",
    )
    grade.set_defaults(run=_grade)


def _usage(message: str) -> None:
    from minigrad.experiments import UsageError

    raise UsageError(message)


def _release(args) -> int:
    from minigrad.homework.notebooks import release

    written = release(args.out, args.chapters, args.tutorials)
    for path in written:
        print(f"wrote {path}")
    return 0


def _check(args) -> int:
    from minigrad.homework import grading, notebooks
    from minigrad.homework.sandbox import Limits

    path = args.notebook
    if not path.is_file():
        raise FileNotFoundError(f"no notebook {path}")
    chapter = notebooks.chapter_of(path)
    if chapter is None:
        _usage(f"{path.name}: name the notebook after its chapter, like 04_gradient_descent.ipynb")
    exercises = [e for e in grading.chosen_exercises() if e.chapter == chapter]
    if not exercises:
        _usage(f"chapter {chapter} has no exercises")
    probes = grading.Probes.draw(exercises, args.seed)
    start = time.perf_counter()
    grades = grading.grade_notebook(path, exercises, probes, Limits(args.timeout, args.memory))
    for grade in grades:
        mark = "✔" if grade.score == grade.exercise.points else "✘"
        print(f"{mark} {grade.name}: {grade.score:g}/{grade.exercise.points:g} · {grade.feedback}")
    total, most = sum(g.score for g in grades), sum(g.exercise.points for g in grades)
    print(f"{path.name}: {total:g}/{most:g} points ({time.perf_counter() - start:.1f} s)")
    return 0


def _gradescope(args) -> int:
    from minigrad.homework import grading
    from minigrad.homework.gradescope import build

    exercises = grading.chosen_exercises(args.chapters)
    path = build(args.out, exercises, args.timeout, args.memory)
    chapters = sorted({e.chapter for e in exercises})
    print(f"wrote {path}: chapters {' '.join(chapters)}, {len(exercises)} exercises, "
          f"{sum(e.points for e in exercises):g} points")  # fmt: skip
    return 0


def _grade(args) -> int:
    from minigrad.homework import grading
    from minigrad.homework.sandbox import Limits

    if not args.submissions.is_dir():
        _usage(f"{args.submissions} is not a folder of submissions (SUBMISSIONS/<student>/NN_name.ipynb)")
    start = time.perf_counter()
    try:
        results = grading.grade_class(args.submissions, args.out, Limits(args.timeout, args.memory), args.jobs,
                                      args.chapters, args.seed, skip_slow=not args.all_cells)  # fmt: skip
    except ValueError as error:  # an unknown chapter
        _usage(str(error))
    seconds = time.perf_counter() - start
    notebooks = sum(
        len(grading.find_notebooks(folder)[0]) for _, folder in grading.students_in(args.submissions)
    )
    print(f"graded {len(results)} students ({notebooks} notebooks) in {seconds:.1f} s")
    if results:
        scores = [r.score for r in results]
        print(f"scores: mean {sum(scores) / len(scores):.1f} of {results[0].max_score:g}, "
              f"min {min(scores):g}, max {max(scores):g}")  # fmt: skip
    for name in ("grades.csv", "report.md"):
        print(f"wrote {args.out / name}")
    print(f"wrote {args.out}/<student>/results.json for each student")
    return 0

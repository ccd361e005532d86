"""The grader: every notebook runs in a limited process of its own, and only numbers come back. A hostile
submission gets 0 with feedback saying why, never stalls the run, never costs another student anything."""

import csv
import json
import os
import time

import numpy as np
import pytest
from homework_notebooks import (
    STUB,
    chapter04,
    notebook,
    released_tutorials,
    tutorial_notebooks,
    write,
)

from minigrad.homework import grading, notebooks
from minigrad.homework.grading import Probes, grade_class, grade_notebook
from minigrad.homework.notebooks import release_notebook
from minigrad.homework.sandbox import Limits, Run

EX04 = [e for e in grading.chosen_exercises() if e.key == "04.sgd_step"]
FAST = Limits(timeout=8, memory=1024)


def grade04(tmp_path, *cells, function=None, limits=FAST, seed=5, checked=True):
    """Grade a chapter-04 notebook with `function` and extra `cells` (without the cell that calls check,
    unless `checked`, so that the function first runs when the grader checks it)."""
    made = chapter04(
        function or STUB.replace("raise NotImplementedError", "return param - lr * grad"), *cells
    )
    if not checked:
        del made["cells"][4]
    path = write(tmp_path / "04_sgd.ipynb", made)
    start = time.perf_counter()
    (grade,) = grade_notebook(path, EX04, Probes.draw(EX04, seed), limits)
    return grade, time.perf_counter() - start


def test_a_correct_notebook_gets_full_marks(tmp_path):
    grade, _ = grade04(tmp_path)
    assert grade.score == 1 and grade.feedback.startswith("correct on all")


def test_the_released_stub_gets_zero_not_implemented(tmp_path):
    grade, _ = grade04(tmp_path, function=STUB)
    assert grade.score == 0 and "not implemented" in grade.feedback


def test_a_catalogued_mistake_is_named(tmp_path):
    grade, _ = grade04(tmp_path, function="def sgd_step(param, grad, lr):\n    return param + lr * grad")
    assert grade.score == 0 and grade.mistake == "The step goes uphill (θ + η·g)"


def test_an_exception_gives_its_last_line(tmp_path):
    grade, _ = grade04(tmp_path, function="def sgd_step(param, grad, lr):\n    return param - lr * grad[99]")
    assert grade.score == 0 and "IndexError: index 99 is out of bounds" in grade.feedback


def test_a_missing_function_names_the_cell_that_raised(tmp_path):
    grade, _ = grade04(
        tmp_path, function="scale = 1 / 0\n\ndef sgd_step(param, grad, lr):\n    return param - lr * grad"
    )
    assert (
        grade.score == 0
        and "`sgd_step` is not defined" in grade.feedback
        and "ZeroDivisionError" in grade.feedback
    )


def test_slow_cells_are_skipped_and_added_cells_run(tmp_path):
    slow = {
        "cell_type": "code",
        "metadata": {"tags": ["slow"]},
        "source": "import time\ntime.sleep(60)",
        "outputs": [],
        "execution_count": None,
    }
    helper = "def _helper(p, g, lr):\n    return p - lr * g\n\ndef sgd_step(param, grad, lr):\n    return _helper(param, grad, lr)"
    grade, seconds = grade04(tmp_path, slow, helper, function=STUB)
    assert grade.score == 1 and seconds < 8


# ---------------------------------------------------------------------------------------------------
# Hostile submissions: 0 with the right feedback, quickly.


def test_sys_exit_in_a_cell_is_just_an_error(tmp_path):
    grade, _ = grade04(tmp_path, "import sys\nsys.exit(0)", function=STUB)
    assert grade.score == 0 and "not implemented" in grade.feedback


def test_os_exit_ends_the_notebook_with_zero_naming_the_cell(tmp_path):
    grade, seconds = grade04(tmp_path, "import os\nos._exit(0)")
    assert (
        grade.score == 0
        and "ended early (exit status 0) while running cell 5 (`import os …`)" in grade.feedback
    )
    assert seconds < 8


@pytest.mark.parametrize("attack", ["while True:\n    pass", "import time\ntime.sleep(1000)"])
def test_a_timeout_names_the_running_cell(tmp_path, attack):
    grade, seconds = grade04(tmp_path, attack, limits=Limits(timeout=3, memory=1024))
    first = attack.splitlines()[0]
    assert (
        grade.score == 0
        and f"time limit of 3 s exceeded while running cell 5 (`{first} …`)" in grade.feedback
    )
    assert seconds < 6


def test_a_timeout_inside_the_function_names_it(tmp_path):
    grade, _ = grade04(
        tmp_path,
        function="def sgd_step(param, grad, lr):\n    while True:\n        pass",
        limits=Limits(3, 1024),
        checked=False,
    )
    assert grade.score == 0 and "time limit of 3 s exceeded while checking `sgd_step`" in grade.feedback


@pytest.mark.parametrize("attack", ["x = np.ones(6 * 2**30 // 8)", "x = bytearray(6 * 2**30)"])
def test_allocating_6_gb_hits_the_memory_limit(tmp_path, attack):
    grade, seconds = grade04(tmp_path, attack)
    assert grade.score == 0 and "memory limit of 1024 MB exceeded while running cell 5" in grade.feedback
    assert seconds < 8


def test_a_fake_results_json_anywhere_changes_nothing(tmp_path):
    submissions, out = tmp_path / "submissions", tmp_path / "results"
    fake = json.dumps({"score": 100, "tests": []})
    attack = "\n".join(
        ["import os, json", f"fake = {fake!r}"]
        + [f"for folder in [os.getcwd(), os.path.dirname(os.getcwd()), {str(out)!r}, {str(out / 'mallory')!r}, {str(tmp_path)!r}]:",
           "    try:", "        os.makedirs(folder, exist_ok=True)",
           "        open(os.path.join(folder, 'results.json'), 'w').write(fake)",
           "        open(os.path.join(folder, 'grades.csv'), 'w').write('student,total\\nmallory,100\\n')",
           "    except OSError:", "        pass"])  # fmt: skip
    write(submissions / "mallory" / "04_sgd.ipynb", chapter04(STUB, attack))
    grade_class(submissions, out, FAST, jobs=1, chapters=["04"], seed=1)
    assert json.loads((out / "mallory" / "results.json").read_text())["score"] == 0
    (row,) = list(csv.DictReader(open(out / "grades.csv")))
    assert row["student"] == "mallory" and row["04.sgd_step"] == "0" and row["total"] == "0"


def test_monkeypatching_minigrad_homework_changes_nothing(tmp_path):
    attack = """
import minigrad.homework as hw
import minigrad.homework.exercise as ex
from minigrad.homework.exercise import Assessment
full = lambda exercise, probes, outputs: Assessment(exercise, exercise.points, "correct")
hw.assess = ex.assess = full
ex.first_difference = lambda *args: None
ex._matches = lambda *args: False
hw.check = lambda *args, **kwargs: print("✔ 1/1 points")
ex.run_probes = lambda exercise, function, probes: [exercise.outputs_of(exercise.solution, p) for p in probes]
"""
    grade, _ = grade04(
        tmp_path, attack, function="def sgd_step(param, grad, lr):\n    return param + lr * grad"
    )
    assert grade.score == 0 and grade.mistake == "The step goes uphill (θ + η·g)"


@pytest.mark.parametrize("body", [
    "from minigrad.homework.exercises.ch04 import sgd_step as solution\n    return solution(param, grad, lr)",
    "from minigrad.optim.sgd import sgd\n    param = param.copy()\n    sgd(param, grad, {}, lr=lr)\n    return param",
    "import minigrad.homework as hw\n    return hw.get('04.sgd_step').solution(param, grad, lr)",
])  # fmt: skip
def test_calling_the_library_implementation_scores_zero_with_a_note(tmp_path, body):
    grade, _ = grade04(tmp_path, function=f"def sgd_step(param, grad, lr):\n    {body}")
    assert grade.score == 0 and "the library's own implementation" in grade.feedback


def test_a_copy_of_the_function_object_is_still_caught(tmp_path):
    setup = "import types\nfrom minigrad.homework.exercises import ch04\n_copy = types.FunctionType(ch04.sgd_step.__code__, {})"
    grade, _ = grade04(
        tmp_path, setup, function="def sgd_step(param, grad, lr):\n    return _copy(param, grad, lr)"
    )
    assert grade.score == 0 and "the library's own implementation" in grade.feedback


@pytest.mark.parametrize("attack, what", [
    ("import sys\n    sys.setprofile(None)", "replace the grader's profiler"),
    ("import sys\n    sys.settrace(None)", "install a tracer"),
    ("import gc\n    gc.get_objects()", "gc.get_objects"),
    ("import os\n    os.fork()", "os.fork"),
    ("import subprocess\n    subprocess.run(['true'])", "subprocess.Popen"),
    ("import threading\n    threading.Thread(target=print).start()", "replace the grader's profiler"),
    ("(lambda: 0).__code__ = (lambda: 1).__code__", "change a function's __code__"),
])  # fmt: skip
def test_tampering_while_checked_ends_the_notebook_with_zero(tmp_path, attack, what):
    grade, _ = grade04(
        tmp_path,
        function=f"def sgd_step(param, grad, lr):\n    {attack}\n    return param - lr * grad",
        checked=False,
    )
    assert (
        grade.score == 0
        and f"the notebook tried to {what}" in grade.feedback
        and "while checking `sgd_step`" in grade.feedback
    )


def test_a_profiler_installed_by_a_cell_blocks_the_graders_and_scores_zero(tmp_path):
    grade, _ = grade04(tmp_path, "import sys\nsys.setprofile(lambda *args: None)")
    assert grade.score == 0 and "tried to replace the grader's profiler" in grade.feedback


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0, reason="the grader drops privileges only as root"
)
def test_as_root_the_notebook_runs_as_nobody_in_a_writable_copy(tmp_path):
    import pwd

    nobody = pwd.getpwnam("nobody").pw_uid
    cells = ["import os\nopen('scratch.txt', 'w').write('ok')\nassert open('scratch.txt').read() == 'ok'",
             f"UID = os.getuid()\nassert UID == {nobody} and os.geteuid() == {nobody}"]  # fmt: skip
    grade, _ = grade04(
        tmp_path,
        *cells,
        function=f"def sgd_step(param, grad, lr):\n    assert UID == {nobody}\n    return param - lr * grad",
    )
    assert grade.score == 1, grade.feedback


def test_probes_travel_after_the_cells_so_a_cell_cannot_read_them(tmp_path):
    peek = (
        "import select, sys\nassert not select.select([sys.stdin], [], [], 0.5)[0], 'the probes are readable'"
    )
    grade, _ = grade04(tmp_path, peek, function=STUB)
    assert grade.score == 0 and "not implemented" in grade.feedback


# ---------------------------------------------------------------------------------------------------
# A class: partial credit, bad submissions, determinism, the CSV and the report.


def _class(tmp_path, hostile=True):
    submissions = tmp_path / "submissions"
    write(submissions / "alice" / "04_gradient_descent.ipynb", chapter04())
    write(
        submissions / "bob" / "04_gradient_descent.ipynb",
        chapter04("def sgd_step(param, grad, lr):\n    return param - grad"),
    )
    write(submissions / "carol" / "04_gradient_descent.ipynb", "{this is not json")
    if hostile:
        write(submissions / "dave" / "04_gradient_descent.ipynb", chapter04(STUB, "import os\nos._exit(0)"))
        write(submissions / "erin" / "04_gradient_descent.ipynb", chapter04(STUB, "while True:\n    pass"))
    (submissions / "frank").mkdir()  # nothing submitted
    write(submissions / "grace" / "04_gradient_descent.ipynb", chapter04(STUB))
    return submissions


def test_a_class_with_bad_submissions_is_graded_in_full(tmp_path):
    submissions, out = _class(tmp_path), tmp_path / "results"
    start = time.perf_counter()
    results = grade_class(submissions, out, Limits(timeout=3, memory=1024), jobs=2, chapters=["04"], seed=3)
    assert time.perf_counter() - start < 30
    rows = {row["student"]: row for row in csv.DictReader(open(out / "grades.csv"))}
    assert list(rows) == ["alice", "bob", "carol", "dave", "erin", "frank", "grace"]
    total = {name: float(row["total"]) for name, row in rows.items()}
    assert (
        rows["alice"]["04.sgd_step"] == "1" and total["alice"] >= 1
    )  # (chapter 04 may have other exercises)
    assert all(total[name] == 0 for name in rows if name != "alice")
    feedback = {r.student: " ".join(g.feedback for g in r.grades) for r in results}
    assert "04_gradient_descent.ipynb is not a readable notebook" in feedback["carol"]
    assert "ended early" in feedback["dave"] and "time limit of 3 s exceeded" in feedback["erin"]
    assert "not submitted" in feedback["frank"] and "not implemented" in feedback["grace"]
    assert "learning rate is missing" in feedback["bob"]
    for student in rows:
        data = json.loads((out / student / "results.json").read_text())
        assert data["score"] == total[student]
    report = (out / "report.md").read_text()
    assert (
        "![Histogram of the total scores](scores.png)" in report
        and (out / "scores.png").stat().st_size > 1000
    )
    assert "| 04.sgd_step | The learning rate is missing (θ − g) | 1 |" in report
    assert "| 04.sgd_step: one SGD step | 1 | 0.14 | 1/7 |" in report


def test_grading_is_deterministic(tmp_path):
    submissions = _class(tmp_path, hostile=False)
    runs = [
        grade_class(submissions, tmp_path / f"r{i}", Limits(3, 1024), jobs=2, chapters=["04"], seed=seed)
        for i, seed in enumerate([7, 8, 7])
    ]
    summaries = [[(r.student, [(g.score, g.mistake) for g in r.grades]) for r in run] for run in runs]
    assert summaries[0] == summaries[1] == summaries[2]  # any probes: the same scores and mistakes
    feedback = [[[g.feedback for g in r.grades] for r in run] for run in runs]
    assert feedback[0] == feedback[2]  # the same probes: the same words


def test_half_a_submission_gets_partial_credit(tmp_path):
    """Half the chapters right (the tutorials' own notebooks where present), the rest missing or stubs."""
    solutions = {path.name[:2]: json.loads(path.read_text(encoding="utf-8")) for path in tutorial_notebooks()}
    solutions.setdefault("04", chapter04())
    chapters = sorted(solutions)
    exercises = grading.chosen_exercises(chapters)
    if len(exercises) < 2:
        # One exercise on this branch: half a class instead, graded with the same code path.
        submissions = tmp_path / "s"
        write(submissions / "a" / "04_x.ipynb", chapter04())
        write(submissions / "b" / "04_x.ipynb", chapter04(STUB))
        results = grade_class(submissions, tmp_path / "r", FAST, jobs=2, chapters=chapters, seed=2)
        assert [r.score for r in results] == [1, 0]
        return
    submissions = tmp_path / "s" / "half"
    for chapter in chapters[: len(chapters) // 2 or 1]:
        write(submissions / f"{chapter}_solution.ipynb", solutions[chapter])
    for chapter in chapters[len(chapters) // 2 or 1 :]:
        write(submissions / f"{chapter}_released.ipynb", release_notebook(solutions[chapter]))
    (result,) = grade_class(
        submissions.parent, tmp_path / "r", Limits(60, 2048), jobs=2, chapters=chapters, seed=2
    )
    assert 0 < result.score < result.max_score


def test_a_forbidden_call_reruns_the_notebook_for_the_exercises_after_it(monkeypatch, tmp_path):
    """The profiler ends the process at the forbidden call: the exercise being checked scores 0 and the
    notebook runs again for the later ones, which keep their own scores."""
    import minigrad.homework.grading as module

    exercise = EX04[0]
    first, second = (
        type(exercise)(**{**exercise.__dict__, "function": name}) for name in ("step_a", "step_b")
    )
    probes = Probes.draw([first, second], 1)
    from minigrad.homework.wire import encode

    good = {"probes": [{"outputs": encode({"param": np.zeros(1)})}] * len(probes.drawn[second.key])}
    calls = []

    def fake_run(cells, keys, wire, limits, mpl_config=None, zygote=None):
        calls.append(keys)
        if len(calls) == 1:
            return Run(results={}, forbidden=["minigrad.optim.sgd.sgd"])
        return Run(results={key: good for key in keys})

    monkeypatch.setattr(module, "run_notebook", fake_run)
    path = write(tmp_path / "04_x.ipynb", notebook("x = 1"))
    grades = grade_notebook(path, [first, second], probes, FAST)
    assert calls == [[first.key, second.key], [second.key]]
    assert grades[0].score == 0 and "calls minigrad.optim.sgd.sgd" in grades[0].feedback
    assert "library's own implementation" not in grades[1].feedback


@pytest.mark.parametrize("path", tutorial_notebooks(), ids=lambda p: p.stem)
def test_the_tutorials_own_solutions_get_full_marks(path):
    exercises = grading.chosen_exercises([notebooks.chapter_of(path)])
    grades = grade_notebook(path, exercises, Probes.draw(exercises, 11), Limits(60, 2048))
    assert all(g.score == g.exercise.points for g in grades), [(g.name, g.feedback) for g in grades]


@pytest.mark.parametrize("path", released_tutorials())
def test_the_released_stubs_get_zero_not_implemented(path, tmp_path):
    exercises = grading.chosen_exercises([notebooks.chapter_of(path)])
    probes = Probes.draw(exercises, 12)
    released = write(tmp_path / path.name, release_notebook(notebooks.read(path), path.name))
    grades = grade_notebook(released, exercises, probes, Limits(60, 2048))
    assert all(g.score == 0 and "not implemented" in g.feedback for g in grades), [
        (g.name, g.feedback) for g in grades
    ]


def test_the_probes_are_numbers_on_the_wire_and_come_back_exactly():
    from minigrad.homework.wire import WireError, decode, encode

    value = {"a": np.arange(6, dtype=np.float32).reshape(2, 3) / 7, "b": (np.float64(0.1), 3, [np.int64(2), None]),
             "c": np.array(np.nan), "d": float("inf")}  # fmt: skip
    back = decode(json.loads(json.dumps(encode(value))))
    assert back["a"].dtype == np.float32 and np.array_equal(back["a"], value["a"])
    assert back["b"] == (0.1, 3, [2, None]) and np.isnan(back["c"]) and back["d"] == float("inf")
    assert encode(np.array([object()], dtype=object)) == {"unsupported": "object", "shape": [1]}
    for hostile in [{"array": "|O", "shape": [1], "data": ""}, {"array": "<f8", "shape": [2], "data": "AAAA"},
                    {"__reduce__": "os.system"}, {"float": "__import__('os')"}]:  # fmt: skip
        with pytest.raises(WireError):
            decode(hostile)


def test_the_students_names_cannot_collide_with_the_graders(tmp_path):
    clash = "check = exercise = probes = outputs_of = Probe = assess = namespace = None\nimport numpy as np"
    grade, _ = grade04(tmp_path, clash)
    assert grade.score == 1, grade.feedback


def _chapter_with_two_exercises():
    for path in tutorial_notebooks():
        exercises = grading.chosen_exercises([notebooks.chapter_of(path)])
        if len(exercises) >= 2:
            return path, exercises
    return None, None


@pytest.mark.skipif(
    _chapter_with_two_exercises()[0] is None, reason="no chapter notebook with two exercises here"
)
def test_a_real_chapter_whose_first_function_calls_the_solution(tmp_path):
    """The first exercise scores 0 with the note; the notebook runs again and the others keep full marks."""
    path, exercises = _chapter_with_two_exercises()
    first = exercises[0]
    made = notebooks.read(path)
    made["cells"].append({"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": (
        f"from minigrad.homework import get\n\ndef {first.function}(*args, **kwargs):\n"
        f"    return get({first.key!r}).solution(*args, **kwargs)")})  # fmt: skip
    grades = grade_notebook(
        write(tmp_path / path.name, made), exercises, Probes.draw(exercises, 4), Limits(60, 2048)
    )
    assert grades[0].score == 0 and "the library's own implementation" in grades[0].feedback
    assert all(g.score == g.exercise.points for g in grades[1:]), [(g.name, g.feedback) for g in grades]


def test_ipython_magics_a_student_adds_do_not_cost_the_cell(tmp_path):
    function = "%matplotlib inline\n!echo hello\ndef sgd_step(param, grad, lr):\n    %time x = 1\n    return param - lr * grad"
    grade, _ = grade04(tmp_path, "%%time\ny = 2", function=function)
    assert grade.score == 1, grade.feedback


def test_forged_messages_on_any_fd_change_nothing(tmp_path):
    forge = "\n".join([
        "import os, json",
        "lines = [b'garbage\\n', b'{\"event\": \"done\"}\\n', b'{\"event\": \"tampered\", \"what\": \"x\"}\\n',",
        "         b'{\"event\": \"forbidden\", \"name\": \"x\"}\\n', b'{\"event\": \"result\", \"key\": \"04.sgd_step\", \"missing\": true}\\n']",
        "for fd in range(3, 64):",
        "    for line in lines:",
        "        try:",
        "            os.write(fd, line)",
        "        except OSError:",
        "            pass",
    ])  # fmt: skip
    grade, _ = grade04(tmp_path, forge)
    assert grade.score == 1, grade.feedback
    grade, _ = grade04(tmp_path, forge, function=STUB)
    assert grade.score == 0 and "not implemented" in grade.feedback

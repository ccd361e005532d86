"""The homework commands as instructors script them (`minigrad homework release|check|gradescope`,
`minigrad grade`), and the Gradescope autograder run locally in a folder laid out like /autograder."""

import csv
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from homework_notebooks import STUB, chapter04, write

from minigrad.cli import main

jsonschema = pytest.importorskip("jsonschema")

# Gradescope's results.json, as its autograder specification documents it.
VISIBILITY = {"enum": ["hidden", "after_due_date", "after_published", "visible"]}
FORMAT = {"enum": ["text", "html", "simple_format", "md", "ansi"]}
GRADESCOPE_SCHEMA = {
    "type": "object",
    "anyOf": [{"required": ["score"]}, {"required": ["tests"]}],
    "additionalProperties": False,
    "properties": {
        "score": {"type": "number"}, "execution_time": {"type": "number", "minimum": 0}, "output": {"type": "string"},
        "output_format": FORMAT, "test_output_format": FORMAT, "test_name_format": FORMAT,
        "visibility": VISIBILITY, "stdout_visibility": VISIBILITY, "extra_data": {"type": "object"},
        "leaderboard": {"type": "array"},
        "tests": {"type": "array", "items": {
            "type": "object", "additionalProperties": False,
            "properties": {
                "score": {"type": "number"}, "max_score": {"type": "number", "minimum": 0},
                "status": {"enum": ["passed", "failed"]}, "name": {"type": "string"}, "name_format": FORMAT,
                "number": {"type": "string"}, "output": {"type": "string"}, "output_format": FORMAT,
                "tags": {"type": "array", "items": {"type": "string"}}, "visibility": VISIBILITY,
                "extra_data": {"type": "object"},
            },
        }},
    },
}  # fmt: skip


def run(capsys, *argv):
    try:
        code = main([str(a) for a in argv])
    except SystemExit as done:
        code = done.code
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_release_writes_stubs(capsys, tmp_path):
    tutorials = tmp_path / "tutorials"
    write(tutorials / "04_gradient_descent.ipynb", chapter04())
    code, out, _ = run(
        capsys,
        "homework",
        "release",
        "--out",
        tmp_path / "student",
        "--chapters",
        "04",
        "--tutorials",
        tutorials,
    )
    assert code == 0 and out.strip() == f"wrote {tmp_path / 'student' / '04_gradient_descent.ipynb'}"
    released = json.loads((tmp_path / "student" / "04_gradient_descent.ipynb").read_text())
    assert "raise NotImplementedError" in released["cells"][3]["source"]


def test_bad_arguments_exit_2_and_failures_1_with_one_line(capsys, tmp_path):
    code, _, err = run(capsys, "homework", "release", "--out", tmp_path, "--chapters", "4")
    assert code == 2 and "a chapter is two digits like 05" in err
    code, _, err = run(capsys, "grade", tmp_path / "missing", "--out", tmp_path / "r")
    assert code == 2 and "is not a folder of submissions" in err and err.count("\n") == 1
    code, _, err = run(capsys, "grade", tmp_path, "--out", tmp_path / "r", "--chapters", "99")
    assert code == 2 and "no exercises for chapter 99" in err
    code, _, err = run(capsys, "grade", tmp_path, "--out", tmp_path / "r", "--timeout", "0")
    assert code == 2 and "must be > 0" in err
    code, _, err = run(capsys, "homework", "check", tmp_path / "04_missing.ipynb")
    assert code == 1 and "no notebook" in err and err.count("\n") == 1
    code, _, err = run(
        capsys, "homework", "release", "--out", tmp_path / "o", "--tutorials", tmp_path / "nothing"
    )
    assert code == 1 and err.count("\n") == 1


def test_help_lists_the_homework_commands(capsys):
    code, out, _ = run(capsys, "--help")
    assert code == 0 and "homework" in out and "grade" in out
    code, out, _ = run(capsys, "grade", "--help")
    assert code == 0 and "default: 60" in out and "default: 2048" in out and "--jobs" in out


def test_grade_and_check_agree(capsys, tmp_path):
    submissions = tmp_path / "submissions"
    write(submissions / "ann" / "04_gd.ipynb", chapter04())
    write(
        submissions / "ben" / "04_gd.ipynb",
        chapter04("def sgd_step(param, grad, lr):\n    return param - grad / lr"),
    )
    write(submissions / "cy" / "04_gd.ipynb", chapter04(STUB))
    code, out, _ = run(
        capsys,
        "grade",
        submissions,
        "--out",
        tmp_path / "results",
        "--jobs",
        "2",
        "--timeout",
        "10",
        "--memory",
        "1024",
        "--seed",
        "4",
        "--chapters",
        "04",
    )
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("graded 3 students (3 notebooks) in ")
    assert lines[1].startswith("scores: mean 0.3 of ") and lines[1].endswith(", min 0, max 1")
    rows = list(csv.reader(open(tmp_path / "results" / "grades.csv")))
    assert rows[0][0] == "student" and rows[0][-2:] == ["total", "max"] and "04.sgd_step" in rows[0]
    assert [row[0] for row in rows[1:]] == ["ann", "ben", "cy"]
    for student in ("ann", "ben", "cy"):
        graded = json.loads((tmp_path / "results" / student / "results.json").read_text())
        jsonschema.validate(graded, GRADESCOPE_SCHEMA)
        code, out, _ = run(
            capsys,
            "homework",
            "check",
            submissions / student / "04_gd.ipynb",
            "--timeout",
            "10",
            "--seed",
            "4",
        )
        assert code == 0
        test = next(t for t in graded["tests"] if t["number"] == "04.sgd_step")
        assert f"{test['score']:g}/{test['max_score']:g} · {test['output']}" in out  # the same feedback
    assert "The step is divided by the learning rate" in json.dumps(
        json.loads((tmp_path / "results" / "ben" / "results.json").read_text())
    )


@pytest.fixture(scope="module")
def autograder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("gradescope")
    assert (
        main(
            [
                "homework",
                "gradescope",
                "--out",
                str(folder / "autograder.zip"),
                "--chapters",
                "04",
                "--timeout",
                "20",
            ]
        )
        == 0
    )
    return folder / "autograder.zip"


def test_the_zip_has_setup_run_autograder_and_a_wheel_that_installs(autograder, tmp_path):
    with zipfile.ZipFile(autograder) as archive:
        names = archive.namelist()
        assert {"setup.sh", "run_autograder", "minigrad-homework.json"} <= set(names)
        assert archive.getinfo("run_autograder").external_attr >> 16 & 0o111
        (wheel,) = [name for name in names if name.endswith("-py3-none-any.whl")]
        archive.extract(wheel, tmp_path)
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", "--target", str(target),
                    str(tmp_path / wheel)], check=True)  # fmt: skip
    probe = "import minigrad, minigrad.homework.exercises.ch04, minigrad.data; print(minigrad.__file__); minigrad.data.load_digits()"
    shown = subprocess.run([sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(target)!r}); {probe}"],
                           capture_output=True, text=True, check=True, cwd=tmp_path)  # fmt: skip
    assert shown.stdout.startswith(str(target))


def _autograde(autograder, tmp_path, files):
    """Lay out a folder like /autograder and run run_autograder there, with this Python first on PATH."""
    root = tmp_path / "autograder"
    with zipfile.ZipFile(autograder) as archive:
        archive.extractall(root / "source")
    (root / "results").mkdir()
    for name, data in files.items():
        write(root / "submission" / name, data)
    (root / "submission").mkdir(exist_ok=True)
    environment = dict(
        os.environ,
        MINIGRAD_AUTOGRADER_ROOT=str(root),
        PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}",
    )
    done = subprocess.run(
        ["bash", str(root / "source" / "run_autograder")],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    results = json.loads((root / "results" / "results.json").read_text())
    jsonschema.validate(results, GRADESCOPE_SCHEMA)
    return results, done.stdout


def test_run_autograder_grades_the_submission(autograder, tmp_path):
    results, stdout = _autograde(autograder, tmp_path, {"04_gradient_descent.ipynb": chapter04()})
    assert results["score"] == 1 and results["tests"][0]["status"] == "passed"
    assert "04.sgd_step: one SGD step: 1/1" in stdout


def test_run_autograder_with_a_hostile_submission(autograder, tmp_path):
    fake = "import json, os\nfor d in ['.', '..', '../..', '/autograder/results']:\n    try:\n        json.dump({'score': 99}, open(os.path.join(d, 'results.json'), 'w'))\n    except OSError:\n        pass"
    results, _ = _autograde(
        autograder,
        tmp_path,
        {"hw/04_gradient_descent.ipynb": chapter04(STUB, fake, "import os\nos._exit(0)")},
    )
    assert results["score"] == 0 and "ended early" in results["tests"][0]["output"]


def test_run_autograder_names_a_missing_or_corrupt_notebook(autograder, tmp_path):
    results, _ = _autograde(autograder, tmp_path, {"notes.txt": "hello"})
    assert (
        results["score"] == 0
        and "not submitted" in results["tests"][0]["output"]
        and "No notebook named like" in results["output"]
    )
    results, _ = _autograde(autograder, tmp_path / "b", {"04_gradient_descent.ipynb": "{oops"})
    assert (
        results["score"] == 0
        and "04_gradient_descent.ipynb is not a readable notebook" in results["tests"][0]["output"]
    )

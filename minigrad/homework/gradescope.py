"""A Gradescope autograder: the zip, and what runs inside Gradescope's container.

The zip holds, at its root, `setup.sh` (installs Python's pip if missing, then this project from the
wheel next to it), `run_autograder`, the wheel and `minigrad-homework.json` (the chapters and limits).
Gradescope unpacks it into /autograder/source, runs `setup.sh` once, and `run_autograder` for every
submission: it grades the notebooks in /autograder/submission (any folder depth, `NN_name.ipynb`) into
/autograder/results/results.json. `MINIGRAD_AUTOGRADER_ROOT` moves /autograder, so the same script runs
against a temporary folder laid out the same way.

    python -m minigrad.homework.gradescope [ROOT]

The wheel is written here from the installed package's own files (a wheel is a zip with a manifest,
PEP 427), so building the autograder needs no build tools and no network.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.metadata
import io
import json
import os
import sys
import traceback
import zipfile
from pathlib import Path

import minigrad

CONFIG = "minigrad-homework.json"
FIXED_TIME = (2020, 1, 1, 0, 0, 0)  # zip entries carry this date, so the same code gives the same zip

SETUP = """#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image.
set -euo pipefail
cd "$(dirname "$0")"
if ! python3 -m pip --version >/dev/null 2>&1; then
    apt-get update -qq
    apt-get install -y -qq python3 python3-pip
fi
# Newer Ubuntu images mark the system Python as externally managed; this container is ours.
export PIP_BREAK_SYSTEM_PACKAGES=1
# IPython: the chapters show some pictures with IPython.display, as in Jupyter.
python3 -m pip install --quiet --no-cache-dir "$(ls ./minigrad-*.whl)[plot]" ipython
"""

RUN = """#!/usr/bin/env bash
# Gradescope runs this for every submission: grade /autograder/submission into
# /autograder/results/results.json. MINIGRAD_AUTOGRADER_ROOT moves /autograder (to test it locally).
ROOT="${MINIGRAD_AUTOGRADER_ROOT:-/autograder}"
cd "$ROOT"
exec python3 -m minigrad.homework.gradescope "$ROOT"
"""


def build(out: Path, exercises: list, timeout: float, memory: int) -> Path:
    """Write the autograder zip for `exercises` to `out`."""
    out = Path(out)
    wheel_name, wheel = build_wheel()
    config = {"chapters": sorted({e.chapter for e in exercises}), "timeout": timeout, "memory": memory,
              "exercises": [e.key for e in exercises]}  # fmt: skip
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        _add(archive, "setup.sh", SETUP.encode(), executable=True)
        _add(archive, "run_autograder", RUN.encode(), executable=True)
        _add(archive, CONFIG, (json.dumps(config, indent=2) + "\n").encode())
        _add(archive, wheel_name, wheel)
    return out


def _add(archive: zipfile.ZipFile, name: str, data: bytes, executable: bool = False) -> None:
    info = zipfile.ZipInfo(name, FIXED_TIME)
    info.external_attr = (0o100755 if executable else 0o100644) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, data)


# ---------------------------------------------------------------------------------------------------
# The wheel


def _package_files() -> list[tuple[str, Path]]:
    """(path in the wheel, file) for every file of the installed minigrad, bundled data included."""
    files = []
    roots = [("minigrad", Path(minigrad.__file__).parent)]
    from minigrad.data.datasets import data_file

    roots.append(("minigrad/datasets", data_file("README.md").parent))
    for prefix, root in roots:
        for path in sorted(root.rglob("*")):
            relative = path.relative_to(root)
            if path.is_dir() or "__pycache__" in relative.parts or path.suffix in (".pyc", ".pyo"):
                continue
            if prefix == "minigrad" and relative.parts[0] == "datasets":
                continue  # added from the datasets root
            files.append((f"{prefix}/{relative.as_posix()}", path))
    return files


def build_wheel() -> tuple[str, bytes]:
    """(file name, bytes) of a pure-Python wheel of this minigrad."""
    version = minigrad.__version__
    distinfo = f"minigrad-{version}.dist-info"
    try:
        metadata = importlib.metadata.metadata("minigrad")
        requires = metadata.get_all("Requires-Dist") or []
        extras = metadata.get_all("Provides-Extra") or []
        summary = metadata.get("Summary", "")
    except importlib.metadata.PackageNotFoundError:
        requires, extras, summary = ["numpy>=1.24"], [], ""
    meta = ["Metadata-Version: 2.1", "Name: minigrad", f"Version: {version}", f"Summary: {summary}",
            "Requires-Python: >=3.10"] + [f"Provides-Extra: {e}" for e in extras] + [f"Requires-Dist: {r}" for r in requires]  # fmt: skip
    entries = [(name, path.read_bytes()) for name, path in _package_files()]
    entries += [
        (f"{distinfo}/METADATA", ("\n".join(meta) + "\n").encode()),
        (f"{distinfo}/WHEEL", b"Wheel-Version: 1.0\nGenerator: minigrad.homework.gradescope\nRoot-Is-Purelib: true\nTag: py3-none-any\n"),
        (f"{distinfo}/entry_points.txt", b"[console_scripts]\nminigrad = minigrad.cli:main\n"),
    ]  # fmt: skip
    record = [f"{name},sha256={_digest(data)},{len(data)}" for name, data in entries] + [
        f"{distinfo}/RECORD,,"
    ]
    entries.append((f"{distinfo}/RECORD", ("\n".join(record) + "\n").encode()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as wheel:
        for name, data in entries:
            _add(wheel, name, data)
    return f"minigrad-{version}-py3-none-any.whl", buffer.getvalue()


def _digest(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


# ---------------------------------------------------------------------------------------------------
# Inside the container


def run_autograder(root: Path) -> dict:
    """Grade `root`/submission into `root`/results/results.json; return what was written."""
    from minigrad.homework import grading
    from minigrad.homework.sandbox import Limits

    root = Path(root)
    results = root / "results" / "results.json"
    try:
        config = json.loads((root / "source" / CONFIG).read_text(encoding="utf-8"))
        keys = set(config.get("exercises", []))
        exercises = [
            e for e in grading.chosen_exercises(config.get("chapters", ())) if not keys or e.key in keys
        ]
        limits = Limits(float(config.get("timeout", 60)), int(config.get("memory", 600)))
        probes = grading.Probes.draw(exercises)
        result = grading.grade_student("submission", root / "submission", exercises, probes, limits)
        data = grading.results_json(result)
        found, notes = grading.find_notebooks(root / "submission")
        if notes:
            data["output"] += "\n" + "\n".join(notes)
        if not found:
            data["output"] += ("\nNo notebook named like NN_name.ipynb was found in the submission; upload the "
                               "chapter notebooks with their names unchanged.")  # fmt: skip
    except (
        Exception
    ) as error:  # the autograder itself failed: say so, never leave Gradescope without a result
        traceback.print_exc()
        data = {"score": 0.0, "output": f"The autograder failed ({type(error).__name__}: {error}); tell your instructor.",
                "tests": []}  # fmt: skip
    grading.write_json(results, data)
    print(data["output"])
    for test in data.get("tests", []):
        print(f"{test['name']}: {test['score']:g}/{test['max_score']:g} · {test['output']}")
    return data


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    root = Path(argv[0]) if argv else Path(os.environ.get("MINIGRAD_AUTOGRADER_ROOT", "/autograder"))
    run_autograder(root)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Run a submitted notebook in a fresh, limited process and collect its functions' raw outputs.

The grader's side of `minigrad.homework._child`. Each notebook gets a temporary folder with a copy of
nothing but its own cells, a new Python (`python -I`: no environment variables, no user site-packages,
not the current folder on the path) in a session of its own with a scrubbed environment, an address-space
limit, a CPU-time limit and a wall-clock deadline after which its whole process group is killed. When
the grader runs as root, the notebook's code runs as `nobody`.

What comes back is a list of events, one JSON line each, on a pipe of its own (the notebook's printing
goes elsewhere): which cell is running, which raised, and for each exercise the outputs on every probe
as numbers. Anything the notebook forges on that pipe can only cost it points: `minigrad.homework.grading`
compares the numbers with references it computes itself.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from minigrad.homework import _child
from minigrad.homework.notebooks import Cell
from minigrad.homework.wire import WireError, dumps, loads

MAX_RESULT_BYTES = 64 * 2**20  # what one notebook may send back
UNPRIVILEGED = "nobody"
REPLY_SECONDS = 60  # how long the zygote may take to fork a child or to report its end


@dataclass
class Limits:
    timeout: float = 60.0  # seconds of wall-clock (and CPU) time for the whole notebook
    memory: int = 2048  # MB of address space


@dataclass
class Run:
    """What the child process reported about one notebook."""

    results: dict = field(default_factory=dict)  # exercise key -> {"probes": [...]} or {"missing": True}
    cell_errors: dict = field(default_factory=dict)  # cell index -> the exception's last line
    failure: str | None = None  # why the whole notebook scores nothing (time, memory, tampering, a crash)
    forbidden: list = field(default_factory=list)  # dotted names of forbidden functions it called
    checking: str | None = None  # the exercise being checked when the process ended
    tampered: str | None = None  # what the audit hook refused
    cell_seconds: dict = field(default_factory=dict)  # cell index -> seconds it ran (for tagging slow cells)
    seconds: float = 0.0


def _unprivileged_ids() -> tuple[int, int] | None:
    """(uid, gid) to run notebooks as: `nobody` when the grader is root, else None (run as ourselves)."""
    if os.name != "posix" or os.geteuid() != 0:
        return None
    import pwd

    try:
        entry = pwd.getpwnam(UNPRIVILEGED)
    except KeyError:
        raise RuntimeError(
            f"the grader runs as root but there is no user {UNPRIVILEGED!r} to run notebooks as"
        ) from None
    return entry.pw_uid, entry.pw_gid


def _describe_cell(cells: list[Cell], index: int | None) -> str:
    if index is None:
        return "while starting"
    source = next((cell.source for cell in cells if cell.index == index), "")
    first = next(
        (line.strip() for line in source.splitlines() if line.strip() and not line.strip().startswith("#")),
        "",
    )
    if len(first) > 40:
        first = first[:39] + "…"
    return f"while running cell {index}" + (f" (`{first} …`)" if first else "")


def run_notebook(cells: list[Cell], exercise_keys: list[str], probes: dict, limits: Limits,
                 mpl_config: Path | None = None, zygote: Zygote | None = None) -> Run:  # fmt: skip
    """Run `cells` in a fresh process, then each exercise's function on its probes.

    `probes` maps each key to a list of (label, kwargs) already encoded for the wire (`wire.encode`); they
    are sent only after the last cell has run."""
    ids = _unprivileged_ids()
    root = Path(tempfile.mkdtemp(prefix="minigrad-grade-"))
    try:
        work = root / "work"
        (work / "tmp").mkdir(parents=True)
        if ids is not None:
            os.chmod(root, 0o711)
            for path in (work, work / "tmp"):
                os.chown(path, *ids)
        return _run(cells, exercise_keys, probes, limits, work, ids, mpl_config, zygote)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _environment(work: Path, mpl_config: Path | None) -> dict:
    environment = {
        "PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(work), "TMPDIR": str(work / "tmp"),
        "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "MPLBACKEND": "Agg",
        # One thread each: notebooks are graded side by side, and BLAS threads would fight over the cores.
        "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
    }  # fmt: skip
    if mpl_config is not None:
        environment["MPLCONFIGDIR"] = str(mpl_config)
    return environment


def _run(cells, exercise_keys, probes, limits, work, ids, mpl_config, zygote) -> Run:
    stdin_read, stdin_write = os.pipe()
    read_end, write_end = os.pipe()
    stderr_read, stderr_write = os.pipe()
    seconds = max(1, int(limits.timeout + 0.999))
    process = None
    try:
        pid = None
        if zygote is not None:
            try:
                pid = zygote.spawn(
                    [stdin_read, write_end, stderr_write],
                    {"memory": int(limits.memory), "cpu": seconds, "ids": ids},
                )
            except RuntimeError:
                zygote = None  # it failed: this notebook gets a process of its own, the next a new zygote
        if pid is None:
            command = [
                sys.executable,
                "-I",
                "-m",
                _child.__name__,
                str(write_end),
                str(int(limits.memory)),
                str(seconds),
            ]
            command += [str(ids[0]), str(ids[1])] if ids is not None else []
            process = subprocess.Popen(
                command, stdin=stdin_read, stdout=subprocess.DEVNULL, stderr=stderr_write, pass_fds=(write_end,),
                cwd=work, env=_environment(work, mpl_config), start_new_session=True,
            )  # fmt: skip
            pid = process.pid
    finally:
        for fd in (stdin_read, write_end, stderr_write):
            os.close(fd)
    start = time.perf_counter()  # the notebook's time starts now (not while a zygote is still importing)
    run = Run()
    cells_done = threading.Event()
    job = {"cells": [[cell.index, cell.source] for cell in cells], "exercises": list(exercise_keys), "workdir": str(work),
           "environment": {"HOME": str(work), "TMPDIR": str(work / "tmp")},
           "matplotlib": any("matplotlib" in cell.source or "viz" in cell.source for cell in cells)}  # fmt: skip
    writer = threading.Thread(
        target=_feed, args=(os.fdopen(stdin_write, "wb"), job, probes, cells_done), daemon=True
    )
    writer.start()
    current_cell, status, stderr_tail = None, None, b""
    buffer, received = b"", 0
    deadline = start + limits.timeout
    streams = [read_end, stderr_read]
    try:
        while streams:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                status = "timeout"
                break
            ready, _, _ = select.select(streams, [], [], remaining)
            for fd in ready:
                chunk = os.read(fd, 1 << 16)
                if not chunk:
                    streams.remove(fd)
                    continue
                if fd != read_end:
                    stderr_tail = (stderr_tail + chunk)[-4096:]
                    continue
                received += len(chunk)
                if received > MAX_RESULT_BYTES:
                    status = "too much"
                    break
                buffer += chunk
                *lines, buffer = buffer.split(b"\n")
                for line in lines:
                    current_cell = _take(run, line, current_cell, cells_done)
            if status:
                break
    finally:
        # Kill the whole group: the process is alive or a zombie nobody has reaped, so its pid is still ours.
        for kill in (os.killpg, os.kill):  # the group, and the process itself should it not lead one yet
            try:
                kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        code = process.wait() if process is not None else zygote.finish(pid)
        for fd in (read_end, stderr_read):
            os.close(fd)
        cells_done.set()
        writer.join(timeout=5)
        run.seconds = time.perf_counter() - start
    where = (
        f"while checking `{run.checking.split('.', 1)[1]}`"
        if run.checking
        else _describe_cell(cells, current_cell)
    )
    if status == "timeout":
        run.failure = f"time limit of {limits.timeout:g} s exceeded {where}"
    elif status == "too much":
        run.failure = f"the notebook sent more than {MAX_RESULT_BYTES >> 20} MB of outputs {where}"
    elif code == -signal.SIGXCPU:
        run.failure = f"CPU time limit of {seconds} s exceeded {where}"
    elif code == _child.OUT_OF_MEMORY:
        run.failure = f"memory limit of {limits.memory} MB exceeded {where}"
    elif code == _child.TAMPERED:
        run.failure = f"the notebook tried to {run.tampered or 'tamper with the grader'} {where}, which is not allowed while grading"
    elif code == _child.FORBIDDEN:
        if not run.forbidden:  # the grader reruns the notebook without that exercise
            run.forbidden.append("a function it must not call")
    elif not run.results.get("__done__"):
        how = (
            f"exit status {code}"
            if code is not None and code >= 0
            else f"signal {signal.Signals(-code).name}"
            if code
            else "?"
        )
        detail = stderr_tail.decode("utf-8", "replace").strip().splitlines()
        hint = f"; its last words: {detail[-1][:200]}" if detail and current_cell is None else ""
        run.failure = f"the grading process ended early ({how}) {where}; was it sys.exit or os._exit?{hint}"
    run.results.pop("__done__", None)
    run.cell_seconds.pop("started", None)
    if code != _child.FORBIDDEN:
        run.forbidden = []  # only the profiler's own exit counts
    return run


def _feed(stdin, job, probes, cells_done) -> None:
    """Send the job, then, once every cell has run, the probes (so no cell can read them)."""
    try:
        with stdin:
            stdin.write(dumps(job))
            stdin.flush()
            cells_done.wait()
            stdin.write(dumps({"probes": probes}))
    except (OSError, ValueError):
        pass  # the process ended: the reader tells why


def _take(run: Run, line: bytes, current_cell, cells_done):
    """Fold one event into `run`; return the cell now running. Malformed lines are ignored."""
    try:
        message = loads(line)
    except (ValueError, WireError):
        return current_cell
    event = message.get("event")
    if event in ("cell", "cells done"):
        now = time.perf_counter()
        if current_cell is not None:
            run.cell_seconds[current_cell] = now - run.cell_seconds.pop("started", now)
        run.cell_seconds["started"] = now
    if event == "cell" and isinstance(message.get("index"), int):
        return message["index"]
    if (
        event == "cell error"
        and isinstance(message.get("index"), int)
        and isinstance(message.get("error"), str)
    ):
        run.cell_errors.setdefault(message["index"], message["error"][:300])
    elif event == "cells done":
        cells_done.set()
        return None
    elif event == "checking" and isinstance(message.get("key"), str):
        run.checking = message["key"]
    elif event == "result" and isinstance(message.get("key"), str):
        run.results[message["key"]] = message
        run.checking = None
    elif event == "forbidden" and isinstance(message.get("name"), str):
        run.forbidden.append(message["name"][:200])
    elif event == "tampered" and isinstance(message.get("what"), str):
        run.tampered = message["what"][:200]
    elif event == "done":
        run.results["__done__"] = True
        run.checking = None
    return current_cell


def matplotlib_folder(folder: Path) -> Path:
    """A matplotlib configuration folder shared by the notebooks of a run: the first one to import
    matplotlib builds its font cache there (before giving up root, when the grader is root), and the
    others read it instead of rebuilding it, which takes seconds."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o755)
    return folder


class Zygote:
    """A process that has imported NumPy, matplotlib and minigrad once and forks a fresh child for each
    notebook (`_child.serve`): a second of imports saved per notebook. Used by one thread at a time."""

    def __init__(self, scratch: Path, mpl_config: Path | None = None):
        self.ids = _unprivileged_ids()
        ours, theirs = socket.socketpair()
        environment = _environment(Path(scratch), mpl_config)
        self.scratch, self.mpl_config = scratch, mpl_config
        self.process = subprocess.Popen(
            [sys.executable, "-I", "-m", _child.__name__, "--zygote", str(theirs.fileno()), "drop" if self.ids else "keep"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, pass_fds=(theirs.fileno(),),
            cwd=scratch, env=environment, start_new_session=True,
        )  # fmt: skip
        theirs.close()
        ours.settimeout(REPLY_SECONDS)
        self.channel, self.replies = ours, ours.makefile("rb")
        self.broken = False

    def _reply(self, key: str):
        try:
            line = self.replies.readline()
            if not line:
                raise OSError("it ended")
            return json.loads(line)[key]
        except (OSError, ValueError, KeyError) as error:
            self.broken = True  # the grader starts another one
            raise RuntimeError(f"the grading zygote failed: {error}") from None

    def spawn(self, fds: list, request: dict) -> int:
        if self.broken:
            self.close()
            self.__init__(self.scratch, self.mpl_config)
        try:
            socket.send_fds(self.channel, [json.dumps(request).encode()], fds)
        except OSError as error:
            self.broken = True
            raise RuntimeError(f"the grading zygote failed: {error}") from None
        return self._reply("pid")

    def finish(self, pid: int) -> int:
        """The exit status of child `pid` (killed already), negative for a signal; then let it be reaped."""
        code = self._reply("exited")
        self.channel.sendall(b"reap")
        return code

    def close(self) -> None:
        self.channel.close()
        self.replies.close()
        if self.broken:
            self.process.kill()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

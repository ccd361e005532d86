"""The process that runs one submitted notebook (started by `minigrad.homework.sandbox`; never import it).

    python -I -m minigrad.homework._child RESULT_FD MEMORY_MB CPU_SECONDS [UID GID]

It trusts nothing that runs after the first cell of the notebook. In order:

1. It limits itself (address space, CPU time, no core files), imports what notebooks use, and, when the
   grader runs as root, becomes the unprivileged user it was given, for good.
2. It installs an audit hook, which Python cannot remove: starting processes, sending signals, `ctypes`,
   walking the garbage collector, replacing a function's code or defaults, and changing the profiler
   end this process at once (exit status TAMPERED), after a one-line note to the grader.
3. It runs the notebook's code cells in order as plain Python, in a namespace of their own, telling the
   grader which cell is running (so that a timeout names it).
4. It then reads the probe inputs, which the grader sends only now, and calls the learner's functions
   on them under a profiler that watches for the library's own implementations of the exercises
   (`Exercise.forbidden` and the exercise's solution): calling one ends the process (exit status
   FORBIDDEN), so no later trick can hide it. Each exercise's raw outputs go back as numbers.

The grader decides every score itself from those numbers; nothing here can raise one.
"""

import builtins
import os
import sys
from types import MappingProxyType

FORBIDDEN, TAMPERED, OUT_OF_MEMORY = 86, 87, 88

# Audit events that a notebook has no business raising while it is graded.
BLOCKED = frozenset({
    "os.fork", "os.forkpty", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "subprocess.Popen",
    "os.kill", "os.killpg", "pty.spawn", "ctypes.dlopen", "ctypes.dlsym", "ctypes.dlsym/handle",
    "ctypes.cdata", "ctypes.call_function", "gc.get_objects", "gc.get_referrers", "gc.get_referents",
    "sys.settrace", "sys.setprofile", "object.__setattr__", "object.__delattr__",
})  # fmt: skip
# Imported before the notebook runs when the unprivileged user cannot read Python's own files.
STANDARD = ("math", "cmath", "random", "statistics", "itertools", "functools", "operator", "collections", "dataclasses",
            "typing", "copy", "json", "re", "string", "textwrap", "time", "timeit", "tempfile", "pathlib", "io",
            "warnings", "contextlib", "fractions", "decimal", "pprint", "subprocess", "threading", "numpy.testing",
            "numpy.linalg", "numpy.random", "numpy.fft", "numpy.polynomial")  # fmt: skip
# Attributes whose change would rewrite a function (or the hooks themselves).
CODE_ATTRIBUTES = frozenset({"__code__", "__defaults__", "__kwdefaults__", "__globals__", "__closure__"})


def _send(fd, message):
    """Best effort: the grader may be gone, or the notebook may have closed the pipe."""
    from minigrad.homework.wire import dumps

    try:
        os.write(fd, dumps(message))
    except OSError:
        pass


def _limit(memory_mb: int, cpu_seconds: int) -> None:
    import resource

    memory = memory_mb * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _preimport(drop: bool, matplotlib: bool) -> None:
    """Import what the notebook will use now, before it runs (and, when the grader is root, before this
    process loses the right to read a Python installed in root's home). Matplotlib takes a second to
    import: only for notebooks that mention it."""
    import numpy  # noqa: F401

    import minigrad
    import minigrad.data
    import minigrad.nn
    import minigrad.optim
    from minigrad.homework import registry

    registry.all_exercises()
    if drop and not _world_readable(os.path.dirname(os.__file__)):
        # Python itself lives where the unprivileged user cannot read (root's home): what a notebook may
        # import later would fail, so import the usual suspects now.
        import importlib

        for name in STANDARD:
            try:
                importlib.import_module(name)
            except ImportError:
                pass
    if not matplotlib:
        return
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        import minigrad.viz  # noqa: F401
    except ImportError:
        return
    if drop and not _world_readable(matplotlib.get_data_path()):
        # Matplotlib opens its fonts the first time it draws text: do it while they can be read.
        figure, axes = plt.subplots()
        axes.set_title(r"text $\alpha_t = \sqrt{x}$")
        axes.plot([0, 1])
        figure.canvas.draw()
        plt.close(figure)
    # Load the font list (or build it) now, and let fontconfig's `fc-list` run now: later, when a cell
    # draws a glyph DejaVu lacks, matplotlib looks again, and no process may be started then.
    from matplotlib import font_manager

    font_manager.findfont("DejaVu Sans")
    getattr(font_manager, "_get_fontconfig_fonts", lambda: None)()


def _world_readable(path: str) -> bool:
    """Can any user reach `path` (every folder on the way searchable by others)?"""
    import stat

    path = os.path.abspath(path)
    while True:
        try:
            mode = os.stat(path).st_mode
        except OSError:
            return False
        if not mode & stat.S_IXOTH:
            return False
        parent = os.path.dirname(path)
        if parent == path:
            return True
        path = parent


def _drop_privileges(uid: int, gid: int) -> None:
    os.setgroups([])
    os.setgid(gid)
    os.setuid(uid)
    if os.getuid() != uid or os.geteuid() != uid:
        raise RuntimeError("could not become the unprivileged user")


def _audit_hook(fd):
    from minigrad.homework.wire import dumps

    def hook(event, args, _blocked=BLOCKED, _code=CODE_ATTRIBUTES, _write=os.write, _exit=os._exit, _dumps=dumps,
             _fd=fd, _getframe=sys._getframe, _getprofile=sys.getprofile, _install=_install_profiler.__code__):  # fmt: skip
        if event not in _blocked:
            return
        if event.startswith("object.__"):
            if len(args) < 2 or args[1] not in _code:
                return
            what = f"change a function's {args[1]}"
        elif event == "sys.setprofile" and _getprofile() is None and _getframe(1).f_code is _install:
            return  # the grader installing its profiler: allowed while none is installed, so only once
        else:
            what = {"sys.setprofile": "replace the grader's profiler (sys.setprofile, or a new thread)",
                    "sys.settrace": "install a tracer (sys.settrace)"}.get(event, event)  # fmt: skip
        try:
            _write(_fd, _dumps({"event": "tampered", "what": what}))
        finally:
            _exit(TAMPERED)

    return hook


def _install_profiler(profiler):
    sys.setprofile(profiler)


def _profiler(fd, forbidden):
    """A profile hook that ends the process when a forbidden function starts."""
    from minigrad.homework.wire import dumps

    def profile(
        frame, event, arg, _forbidden=forbidden, _write=os.write, _exit=os._exit, _dumps=dumps, _fd=fd
    ):
        if event == "call":
            name = _forbidden.get(frame.f_code)
            if name is not None:
                try:
                    _write(_fd, _dumps({"event": "forbidden", "name": name}))
                finally:
                    _exit(FORBIDDEN)

    return profile


def _forbidden_code(exercises) -> dict:
    """{code object: dotted name} of every exercise's solution and `forbidden` functions (for a class,
    every function defined in its body: an optimizer's rule, an autograd Function's forward and backward)."""
    import importlib
    import inspect

    found = {}
    for exercise in exercises:
        objects = [exercise.solution]
        for dotted in exercise.forbidden:
            module, _, name = dotted.rpartition(".")
            try:
                objects.append(getattr(importlib.import_module(module), name))
            except (ImportError, AttributeError):
                continue
        for thing in objects:
            members = vars(thing).values() if inspect.isclass(thing) else [thing]
            for member in members:
                if isinstance(member, (staticmethod, classmethod)):
                    member = member.__func__
                elif isinstance(member, property):
                    member = member.fget
                code = getattr(member, "__code__", None)
                if code is not None:
                    found[code] = f"{member.__module__}.{member.__qualname__}"
    return found


def _display(*objects, **kwargs):
    """Jupyter's `display`, which plain Python lacks: the grader shows nothing."""


def _last_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[-1]}" if text else type(error).__name__


def main(argv) -> None:
    if argv[0] == "--zygote":
        serve(int(argv[1]), argv[2] == "drop")
        return
    sys.path[:] = [p for p in sys.path if p not in ("", ".", os.getcwd())]
    fd, memory_mb, cpu_seconds = int(argv[0]), int(argv[1]), int(argv[2])
    ids = (int(argv[3]), int(argv[4])) if len(argv) == 5 else None
    grade(fd, memory_mb, cpu_seconds, ids)


def serve(sock_fd: int, drop: bool) -> None:
    """A zygote: import everything once, then fork a fresh child for each notebook the grader sends.

    Each request comes with three file descriptors (the child's stdin, its result pipe and its stderr) and
    gets two answers: the child's pid, and, once it has ended, how (`waitid` with WNOWAIT leaves it a
    zombie, so its pid cannot be reused before the grader has killed its process group and says "reap")."""
    import json
    import socket

    sys.path[:] = [p for p in sys.path if p not in ("", ".", os.getcwd())]
    _preimport(drop, True)
    try:
        import IPython.display  # noqa: F401  (chapters show pictures with it; free for every child here)
    except ImportError:
        pass
    channel = socket.socket(fileno=sock_fd)
    while True:
        message, fds, _, _ = socket.recv_fds(channel, 1 << 16, 3)
        if not message or len(fds) != 3:
            return  # the grader is gone
        request = json.loads(message)
        pid = os.fork()
        if pid == 0:
            try:
                channel.close()
                os.setsid()
                os.dup2(fds[0], 0)
                os.dup2(fds[2], 2)
                null = os.open(os.devnull, os.O_WRONLY)
                os.dup2(null, 1)
                for fd in (fds[0], fds[2], null):  # (the files matplotlib holds open stay open)
                    if fd > 2:
                        os.close(fd)
                ids = tuple(request["ids"]) if request.get("ids") else None
                grade(fds[1], request["memory"], request["cpu"], ids)
            finally:
                os._exit(70)
        for fd in fds:
            os.close(fd)
        channel.sendall(json.dumps({"pid": pid}).encode() + b"\n")
        info = os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)
        code = info.si_status if info.si_code == os.CLD_EXITED else -info.si_status
        channel.sendall(json.dumps({"exited": code}).encode() + b"\n")
        reap = b""
        while len(reap) < 4:  # exactly "reap" (the grader's next request may follow it on the stream)
            chunk = channel.recv(4 - len(reap))
            if not chunk:
                return
            reap += chunk
        os.waitpid(pid, 0)


def grade(fd: int, memory_mb: int, cpu_seconds: int, ids) -> None:
    """Run one notebook's job (read from stdin) and report on `fd`; never returns."""
    drop = ids is not None
    _limit(memory_mb, cpu_seconds)
    from minigrad.homework.wire import loads

    job = loads(sys.stdin.buffer.readline())  # the cells, the working folder, the exercises' keys
    os.environ.update(job.get("environment", {}))
    _preimport(drop, bool(job.get("matplotlib")))
    if "tempfile" in sys.modules:
        sys.modules["tempfile"].tempdir = None  # found again from TMPDIR
    from minigrad.homework import registry
    from minigrad.homework.exercise import Exercise, Probe
    from minigrad.homework.wire import decode, encode

    exercises = {key: registry.get(key) for key in job["exercises"]}
    # Held here before the notebook runs, so that replacing them in their modules changes nothing;
    # the table of forbidden code is read-only (its dict is referenced by nothing else).
    outputs_of, install = Exercise.outputs_of, _install_profiler
    profile = _profiler(fd, MappingProxyType(_forbidden_code(exercises.values())))

    if drop:
        _drop_privileges(*ids)
    os.chdir(job["workdir"])
    plt = sys.modules.get("matplotlib.pyplot")
    sys.addaudithook(_audit_hook(fd))

    namespace = {"__name__": "__main__", "__builtins__": builtins, "display": _display}
    try:
        for index, source in job["cells"]:
            _send(fd, {"event": "cell", "index": index})
            try:
                exec(compile(source, f"<cell {index}>", "exec"), namespace)
            except MemoryError:
                _send(fd, {"event": "memory"})
                os._exit(OUT_OF_MEMORY)
            except BaseException as error:  # noqa: B036  (sys.exit in a cell is an error like any other, as in Jupyter)
                _send(fd, {"event": "cell error", "index": index, "error": _last_line(error)})
            if plt is not None:
                plt.close("all")
        _send(fd, {"event": "cells done"})
        sent = loads(sys.stdin.buffer.readline())["probes"]  # only now: the notebook never saw them
        probes = {key: decode(value) for key, value in sent.items()}
        install(profile)
        import threading

        threading.setprofile(profile)  # a thread started now ends the run (its setprofile is refused)
        for key, exercise in exercises.items():
            _send(fd, {"event": "checking", "key": key})
            function = namespace.get(exercise.function)
            if not callable(function):
                _send(fd, {"event": "result", "key": key, "missing": True})
                continue
            results = []
            for label, kwargs in probes[key]:
                try:
                    outputs = outputs_of(exercise, function, Probe(label, kwargs))
                    results.append({"outputs": encode(dict(outputs))})
                except MemoryError:
                    _send(fd, {"event": "memory"})
                    os._exit(OUT_OF_MEMORY)
                except NotImplementedError:
                    results.append(
                        {"failed": "not implemented yet (the body still raises NotImplementedError)"}
                    )
                except BaseException as error:  # noqa: B036
                    results.append({"failed": _last_line(error)})
            _send(fd, {"event": "result", "key": key, "probes": results})
        _send(fd, {"event": "done"})
    except MemoryError:
        _send(fd, {"event": "memory"})
        os._exit(OUT_OF_MEMORY)
    os._exit(0)  # no atexit handlers or finalizers of the notebook's


if __name__ == "__main__":
    main(sys.argv[1:])

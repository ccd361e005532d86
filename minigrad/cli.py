"""The `minigrad` command line.

    minigrad compare     train the same MLP with each of the ten optimizers and compare them (the main job)
    minigrad train       train one model with one optimizer, with checkpoints
    minigrad surfaces    draw every optimizer's path over the 2-D test surfaces (PNG and GIF)
    minigrad check       gradcheck every op, layer and loss

Exit codes: 0 success, 1 failure (a one-line message; `--debug` shows the traceback), 2 bad arguments
(one line naming the option). The optimizers and their options come from `minigrad.optim.registry`.
"""

import argparse
import math
import sys
import textwrap
from pathlib import Path

import minigrad
from minigrad import experiments, selfcheck
from minigrad.experiments import DATASETS, MODELS, UsageError
from minigrad.homework.cli import add_commands
from minigrad.nn import Parameter
from minigrad.optim.registry import MEANINGS, OPTIMIZERS, hyperparameter_table
from minigrad.viz import plot_loss_curves
from minigrad.viz.surfaces import SURFACES


class _HelpFormatter(argparse.HelpFormatter):
    """argparse's layout, but lines are only broken between words (never inside `a,b,c` or `--batch-size`)."""

    def _split_lines(self, text, width):
        return textwrap.wrap(" ".join(text.split()), width, break_long_words=False, break_on_hyphens=False)

    def _fill_text(self, text, width, indent):
        return textwrap.fill(" ".join(text.split()), width, initial_indent=indent, subsequent_indent=indent,
                             break_long_words=False, break_on_hyphens=False)  # fmt: skip


class _Parser(argparse.ArgumentParser):
    """Bad arguments: one line that names the option, and exit code 2."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", _HelpFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


# -- argument types: each names what it expects; argparse adds the option's name ---------------------


def _integer(minimum: int, maximum=None):
    def parse(text):
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or value < minimum or (maximum is not None and value >= maximum):
            limit = f"≥ {minimum}" if maximum is None else f"in [{minimum}, {maximum})"
            raise argparse.ArgumentTypeError(f"must be an integer {limit}, got {text!r}")
        return value

    parse.__name__ = "integer"  # argparse says "invalid integer value" if anything slips through
    return parse


def _number(positive: bool = False):
    def parse(text):
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not math.isfinite(value) or (positive and value <= 0):
            raise argparse.ArgumentTypeError(
                f"must be a {'positive' if positive else 'finite'} number, got {text!r}"
            )
        return value

    parse.__name__ = "number"
    return parse


def _betas(text):
    try:
        betas = tuple(float(v) for v in text.split(","))
    except ValueError:
        betas = ()
    if len(betas) != 2 or not all(0 <= b < 1 for b in betas):
        raise argparse.ArgumentTypeError(f"takes two numbers in [0, 1) like 0.9,0.999, got {text!r}")
    return betas


def _names(valid, kind):
    """A comma-separated list of names; an unknown one lists the valid ones."""

    def parse(text):
        names = [n.strip().lower() for n in text.split(",") if n.strip()]
        unknown = [n for n in names if n not in valid]
        if unknown or not names:
            raise argparse.ArgumentTypeError(
                f"unknown {kind} {', '.join(unknown) or repr(text)}; choose from {', '.join(valid)}"
            )
        return names

    return parse


def _has_matplotlib() -> bool:
    try:
        import matplotlib  # noqa: F401
        import PIL  # noqa: F401
    except ImportError:
        print(
            '(no figures: install matplotlib and pillow with pip install "minigrad[plot]")', file=sys.stderr
        )
        return False
    return True


# -- the commands ----------------------------------------------------------------------------------------


class _Progress:
    """One status line on stderr: rewritten in place and erased at the end on a terminal; in a log,
    one short line per item, without the results (stdout prints those, once)."""

    def __init__(self, total: int):
        self.total, self.done, self.live = total, 0, sys.stderr.isatty()

    def __call__(self, name, result):
        self.done += 1
        line = f"compare: {self.done}/{self.total} {name} trained ({result[2]:.1f} s)"
        print(
            ("\r\x1b[K" + line) if self.live else line,
            end="" if self.live else "\n",
            file=sys.stderr,
            flush=True,
        )

    def close(self):
        if self.live and self.done:
            print("\r\x1b[K", end="", file=sys.stderr, flush=True)


def _compare(args) -> int:
    progress = _Progress(len(args.optimizers))
    try:
        results = experiments.compare(args.dataset, args.optimizers, args.epochs, args.batch_size, args.seed,
                                      progress=False, on_result=progress)  # fmt: skip
    finally:
        progress.close()
    print(experiments.format_table(results))
    if _has_matplotlib():
        args.out.mkdir(parents=True, exist_ok=True)
        figure_path = args.out / "loss_curves.png"
        plot_loss_curves(
            {name: r[0] for name, r in results.items()},
            figure_path,
            title=f"Ten optimizers on {args.dataset} (MLP)",
        )
        print(f"wrote {figure_path}")
    return 0


TRAIN_DEFAULTS = {
    "dataset": "digits",
    "model": "mlp",
    "optimizer": "adam",
    "epochs": 10,
    "batch_size": 32,
    "seed": 0,
}


def _given_settings(args) -> dict:
    """The run settings given on the command line (options left out are not in the dict)."""
    given = {key: getattr(args, key) for key in (*TRAIN_DEFAULTS, "lr") if getattr(args, key) is not None}
    hyperparameters = {
        key: getattr(args, key) for key in _hyperparameter_options() if getattr(args, key) is not None
    }
    if hyperparameters:
        given["hyperparameters"] = hyperparameters
    return given


def _check_optimizer_settings(settings: dict) -> None:
    """Build the optimizer once on a stand-in parameter, so a value its constructor refuses is a usage
    error that names the option (the constructor is the one place the rules live)."""

    def attempt(hyperparameters, lr):
        experiments.make_optimizer(settings["optimizer"], [Parameter([0.0])], lr=lr, **hyperparameters)

    given = settings.get("hyperparameters", {})
    try:
        attempt(given, settings.get("lr"))
    except experiments.UsageError:
        raise
    except (ValueError, TypeError) as error:

        def option(name, value):
            flag = name.replace("_", "-")
            return (
                (f"--{flag}" if value else f"--no-{flag}")
                if isinstance(value, bool)
                else f"--{flag} {experiments.show_setting(value)}"
            )

        culprits = []
        for name, value in given.items():
            try:
                attempt({name: value}, None)
            except (ValueError, TypeError):
                culprits.append(option(name, value))
        if not culprits:  # only a combination is refused (e.g. --nesterov without momentum)
            culprits = [option(name, value) for name, value in given.items()] or ["--lr"]
        raise experiments.UsageError(f"{', '.join(culprits)}: {error}") from None


def _train(args) -> int:
    given = _given_settings(args)
    start_epoch = 0
    if args.resume is not None:
        checkpoint = experiments.read_checkpoint(args.resume)
        settings, changes = experiments.resume_settings(checkpoint, given, args.resume)
        _check_optimizer_settings(settings)
        for change in changes:
            print(f"resuming {args.resume}: {change}", file=sys.stderr)
        start_epoch = checkpoint["epoch"]
        if start_epoch >= settings["epochs"]:
            print(f"nothing to train: the checkpoint {args.resume} is at epoch {start_epoch} and --epochs "
                  f"{settings['epochs']} is the total (give a larger --epochs to train more)")  # fmt: skip
    else:
        settings = {**TRAIN_DEFAULTS, **given}
        _check_optimizer_settings(settings)
    model, history, final = experiments.train(
        settings["dataset"], settings["model"], settings["optimizer"], settings["epochs"], settings["batch_size"],
        settings["seed"], settings.get("lr"), settings.get("hyperparameters"),
        save=args.save, resume=args.resume, progress=not args.quiet,
    )  # fmt: skip
    print(f"{settings['optimizer']} on {settings['dataset']} ({settings['model']}): {history.epochs} epochs, "
          f"test loss {final['loss']:.4f}, test accuracy {final['accuracy']:.4f}")  # fmt: skip
    if (
        args.save is not None and history.epochs > start_epoch
    ):  # a checkpoint is written after each epoch trained
        print(f"saved {args.save}")
    return 0


def _surfaces(args) -> int:
    if not _has_matplotlib():
        return 1
    for path in experiments.draw_surfaces(args.out, args.surfaces, args.optimizers, args.steps, args.frames):
        print(f"wrote {path}")
    return 0


def _check(args) -> int:
    results = selfcheck.run(seed=args.seed)
    width = max(len(name) for name, _ in results)
    for name, error in results:
        print(f"{name:<{width}}  {'ok' if error is None else 'FAILED  ' + error}")
    failed = sum(error is not None for _, error in results)
    print(f"{len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0


# -- the parser ----------------------------------------------------------------------------------------


def _hyperparameter_options() -> dict:
    """{hyperparameter: {optimizer name: default}}: one `train` option each, built from the registry."""
    return {
        name: defaults
        for name, defaults in hyperparameter_table().items()
        if _option_type(defaults) is not None
    }


def _option_type(defaults: dict):
    """How an option parses, from the defaults of the constructors that take it (None: not offered)."""
    kinds = {type(default) for default in defaults.values()}
    if kinds == {bool}:
        return "flag"
    if kinds == {tuple} and all(len(d) == 2 for d in defaults.values()):
        return _betas
    if kinds <= {int, float}:
        return _number()
    return None


def _hyperparameter_help(name: str, defaults: dict) -> str:
    def show(value):
        return (
            ",".join(f"{v:g}" for v in value)
            if isinstance(value, tuple)
            else ("on" if value is True else "off" if value is False else f"{value:g}")
        )

    values = {show(value) for value in defaults.values()}
    text = f"{MEANINGS.get(name, name.replace('_', ' '))}, for " + ", ".join(
        OPTIMIZERS[n].display_name for n in defaults
    )
    if len(values) == 1:
        return f"{text} (default: {values.pop()})"
    return (
        f"{text} (default: each optimizer's own: "
        + ", ".join(f"{OPTIMIZERS[n].display_name} {show(value)}" for n, value in defaults.items())
        + ")"
    )


def build_parser() -> argparse.ArgumentParser:
    optimizer_names = list(OPTIMIZERS)
    all_optimizers = ", ".join(optimizer_names)
    # --debug may come before or after the command: the subcommands' copy leaves the value alone unless given.
    debug = _Parser(add_help=False)
    debug.add_argument(
        "--debug",
        action="store_true",
        default=argparse.SUPPRESS,
        help="show the full traceback on failure (default: off)",
    )
    parser = _Parser(
        prog="minigrad", description="minigrad: a small reverse-mode autograd engine on NumPy, for learning."
    )
    parser.add_argument(
        "--debug",
        action="store_true",
        default=False,
        help="show the full traceback on failure (default: off)",
    )
    parser.add_argument("--version", action="version", version=f"minigrad {minigrad.__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name, help, run):
        sub = commands.add_parser(name, parents=[debug], help=help, description=help)
        sub.set_defaults(run=run)
        return sub

    compare = command(
        "compare", "train the same MLP with each optimizer and compare them (the main job)", _compare
    )
    compare.add_argument(
        "--dataset", choices=DATASETS, default="digits", help="the data (default: %(default)s, bundled)"
    )
    compare.add_argument("--optimizers", type=_names(optimizer_names, "optimizer"), default=optimizer_names, metavar="A,B,...",
                         help=f"which optimizers, comma-separated (default: all ten: {all_optimizers})")  # fmt: skip
    compare.add_argument(
        "--epochs", type=_integer(1), default=30, help="epochs per optimizer (default: %(default)s)"
    )
    compare.add_argument(
        "--batch-size", type=_integer(1), default=32, help="samples per step (default: %(default)s)"
    )
    compare.add_argument(
        "--seed",
        type=_integer(0, 2**64),
        default=0,
        help="seed of the weights, the split and the batches (default: %(default)s)",
    )
    compare.add_argument(
        "--out", type=Path, default=Path("minigrad-out"), help="folder for the figure (default: %(default)s)"
    )

    train = command("train", "train one model with one optimizer, with checkpoints", _train)
    train.add_argument(
        "--dataset", choices=DATASETS, help=f"the data (default: {TRAIN_DEFAULTS['dataset']}, bundled)"
    )
    train.add_argument(
        "--model",
        choices=MODELS,
        help=f"mlp (64-128-64-10) or cnn (digits as 1x8x8) (default: {TRAIN_DEFAULTS['model']})",
    )
    train.add_argument("--optimizer", type=lambda t: _names(optimizer_names, "optimizer")(t)[0], metavar="NAME",
                       help=f"one of {', '.join(optimizer_names)} (default: {TRAIN_DEFAULTS['optimizer']})")  # fmt: skip
    train.add_argument(
        "--epochs",
        type=_integer(1),
        help=f"total epochs, counting those of a resumed checkpoint (default: {TRAIN_DEFAULTS['epochs']})",
    )
    train.add_argument(
        "--batch-size", type=_integer(1), help=f"samples per step (default: {TRAIN_DEFAULTS['batch_size']})"
    )
    train.add_argument(
        "--seed",
        type=_integer(0, 2**64),
        help=f"seed of the weights, the split and the batches (default: {TRAIN_DEFAULTS['seed']})",
    )
    train.add_argument("--lr", type=_number(positive=True), help="learning rate (default: the optimizer's rate in the comparison: "
                       + ", ".join(f"{e.display_name} {e.network_lr:g}" for e in OPTIMIZERS.values()) + ")")  # fmt: skip
    for name, defaults in _hyperparameter_options().items():
        kind, flag = _option_type(defaults), "--" + name.replace("_", "-")
        if kind == "flag":
            train.add_argument(
                flag,
                dest=name,
                action=argparse.BooleanOptionalAction,
                default=None,
                help=_hyperparameter_help(name, defaults),
            )
        else:
            metavar = "B1,B2" if kind is _betas else "X"
            train.add_argument(
                flag, dest=name, type=kind, metavar=metavar, help=_hyperparameter_help(name, defaults)
            )
    train.add_argument(
        "--save", type=Path, metavar="FILE", help="write a checkpoint here after every epoch (default: none)"
    )
    train.add_argument("--resume", type=Path, metavar="FILE",
                       help="continue the run saved in FILE, with its settings; only --lr (from the next epoch on) "
                            "and --epochs (the new total) may differ (default: none, a new run)")  # fmt: skip
    train.add_argument("--quiet", action="store_true", help="no per-epoch lines (default: off)")

    surfaces = command("surfaces", "draw the optimizers' paths over the 2-D surfaces", _surfaces)
    surfaces.add_argument("--surfaces", type=_names(list(SURFACES), "surface"), default=None, metavar="A,B,...",
                          help=f"which surfaces, comma-separated (default: all: {', '.join(SURFACES)})")  # fmt: skip
    surfaces.add_argument("--optimizers", type=_names(optimizer_names, "optimizer"), default=optimizer_names, metavar="A,B,...",
                          help=f"which optimizers, comma-separated (default: all ten: {all_optimizers})")  # fmt: skip
    surfaces.add_argument("--steps", type=_integer(1), help="optimizer steps per path (default: each surface's own, "
                          f"{min(s.steps for s in SURFACES.values())} to {max(s.steps for s in SURFACES.values())})")  # fmt: skip
    surfaces.add_argument(
        "--frames", type=_integer(1), default=40, help="frames per GIF (default: %(default)s)"
    )
    surfaces.add_argument(
        "--out",
        type=Path,
        default=Path("minigrad-out/surfaces"),
        help="folder for the pictures (default: %(default)s)",
    )

    check = command("check", "gradcheck every op, layer and loss against finite differences", _check)
    check.add_argument(
        "--seed",
        type=_integer(0, 2**64),
        default=0,
        help="seed of the random test inputs (default: %(default)s)",
    )

    add_commands(commands, debug)  # homework release|check|gradescope, grade
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    try:
        return args.run(args)
    except UsageError as error:
        print(f"minigrad {args.command}: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("minigrad: interrupted", file=sys.stderr)
        return 1
    except Exception as error:
        if args.debug:
            raise
        message = str(error).splitlines()[0] if str(error) else ""
        print(f"minigrad {args.command}: {type(error).__name__}: {message}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())

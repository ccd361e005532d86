"""The `minigrad` command line.

    minigrad compare     train the same MLP with each of the ten optimizers and compare them (the main job)
    minigrad train       train one model with one optimizer, with checkpoints
    minigrad surfaces    draw every optimizer's path over the 2-D test surfaces (PNG and GIF)
    minigrad check       gradcheck every op, layer and loss

Exit codes: 0 success, 1 failure (a one-line message; `--debug` shows the traceback), 2 bad arguments.
"""

import argparse
import sys
from pathlib import Path

import minigrad


def _names(valid, kind):
    """An argparse type for a comma-separated list of names; an unknown one lists the valid ones."""

    def parse(text):
        names = [n.strip().lower() for n in text.split(",") if n.strip()]
        unknown = [n for n in names if n not in valid]
        if unknown or not names:
            raise argparse.ArgumentTypeError(f"unknown {kind} {', '.join(unknown) or repr(text)}; choose from {', '.join(valid)}")
        return names

    return parse


def _betas(text):
    try:
        beta1, beta2 = (float(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"--betas takes two numbers like 0.9,0.999, got {text!r}") from None
    return (beta1, beta2)


def _has_matplotlib() -> bool:
    try:
        import matplotlib  # noqa: F401
        import PIL  # noqa: F401
    except ImportError:
        print('(no figures: install matplotlib and pillow with pip install "minigrad[plot]")', file=sys.stderr)
        return False
    return True


def _compare(args) -> int:
    from minigrad import experiments

    def report(name, result):  # progress: one line per optimizer as it finishes
        history, accuracy, seconds = result
        print(f"{name:<10} {history.epochs} epochs, train loss {history.train_loss[-1]:.4f}, "
              f"test accuracy {accuracy:.4f} ({seconds:.1f} s)", file=sys.stderr, flush=True)  # fmt: skip

    results = experiments.compare(args.dataset, args.optimizers, args.epochs, args.batch_size, args.seed,
                                  progress=False, on_result=report)  # fmt: skip
    print(experiments.format_table(results))
    if _has_matplotlib():
        from minigrad.viz import plot_loss_curves

        args.out.mkdir(parents=True, exist_ok=True)
        figure_path = args.out / "loss_curves.png"
        plot_loss_curves({name: r[0] for name, r in results.items()}, figure_path, title=f"Ten optimizers on {args.dataset} (MLP)")
        print(f"wrote {figure_path}")
    return 0


HYPERPARAMETERS = ("momentum", "dampening", "nesterov", "weight_decay", "betas", "eps", "alpha", "rho", "lr_decay",
                   "momentum_decay", "amsgrad", "centered", "simplified", "initial_accumulator_value")  # fmt: skip


def _train(args) -> int:
    from minigrad import experiments

    hyperparameters = {k: getattr(args, k) for k in HYPERPARAMETERS if getattr(args, k) is not None}
    model, history, final = experiments.train(
        args.dataset, args.model, args.optimizer, args.epochs, args.batch_size, args.seed, args.lr, hyperparameters,
        save=args.save, resume=args.resume, progress=not args.quiet,
    )  # fmt: skip
    print(f"{args.optimizer} on {args.dataset} ({args.model}): {history.epochs} epochs, "
          f"test loss {final['loss']:.4f}, test accuracy {final['accuracy']:.4f}")  # fmt: skip
    if args.save is not None:
        print(f"saved {args.save}")
    return 0


def _surfaces(args) -> int:
    from minigrad import experiments

    if not _has_matplotlib():
        return 1
    for path in experiments.draw_surfaces(args.out, args.surfaces, args.optimizers, args.steps, args.frames):
        print(f"wrote {path}")
    return 0


def _check(args) -> int:
    from minigrad import selfcheck

    results = selfcheck.run(seed=args.seed)
    width = max(len(name) for name, _ in results)
    for name, error in results:
        print(f"{name:<{width}}  {'ok' if error is None else 'FAILED  ' + error}")
    failed = sum(error is not None for _, error in results)
    print(f"{len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0


def build_parser() -> argparse.ArgumentParser:
    from minigrad.experiments import DATASETS, MODELS, OPTIMIZERS
    from minigrad.viz.surfaces import SURFACES

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--debug", action="store_true", help="show the full traceback on failure")
    parser = argparse.ArgumentParser(
        prog="minigrad", parents=[common],
        description="minigrad: a small reverse-mode autograd engine on NumPy, for learning.",
    )  # fmt: skip
    parser.add_argument("--version", action="version", version=f"minigrad {minigrad.__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    optimizer_names = list(OPTIMIZERS)

    compare = commands.add_parser("compare", parents=[common], help="train the same MLP with each optimizer and compare (the main job)")
    compare.add_argument("--dataset", choices=DATASETS, default="digits", help="default: digits (bundled)")
    compare.add_argument("--optimizers", type=_names(optimizer_names, "optimizer"), default=optimizer_names,
                         metavar="A,B,...", help=f"default: all ten ({','.join(optimizer_names)})")  # fmt: skip
    compare.add_argument("--epochs", type=int, default=30, help="default: 30")
    compare.add_argument("--batch-size", type=int, default=32, help="default: 32")
    compare.add_argument("--seed", type=int, default=0, help="default: 0")
    compare.add_argument("--out", type=Path, default=Path("minigrad-out"), help="folder for the figure (default: minigrad-out)")
    compare.set_defaults(run=_compare)

    train = commands.add_parser("train", parents=[common], help="train one model with one optimizer, with checkpoints")
    train.add_argument("--dataset", choices=DATASETS, default="digits")
    train.add_argument("--model", choices=MODELS, default="mlp", help="mlp (64-128-64-10) or cnn (digits as 1x8x8)")
    train.add_argument("--optimizer", type=lambda t: _names(optimizer_names, "optimizer")(t)[0], default="adam", metavar="NAME",
                       help=f"one of {', '.join(optimizer_names)} (default: adam)")  # fmt: skip
    train.add_argument("--epochs", type=int, default=10, help="total epochs, including resumed ones (default: 10)")
    train.add_argument("--batch-size", type=int, default=32)
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--lr", type=float, help="learning rate (default: the optimizer's value in the comparison)")
    for name, kind in [("momentum", float), ("dampening", float), ("weight_decay", float), ("eps", float), ("alpha", float),
                       ("rho", float), ("lr_decay", float), ("momentum_decay", float), ("initial_accumulator_value", float)]:  # fmt: skip
        train.add_argument("--" + name.replace("_", "-"), dest=name, type=kind)
    train.add_argument("--betas", type=_betas, metavar="B1,B2")
    for flag in ("nesterov", "amsgrad", "centered", "simplified"):
        train.add_argument("--" + flag, action="store_const", const=True)
    train.add_argument("--save", type=Path, help="write a checkpoint here after every epoch")
    train.add_argument("--resume", type=Path, help="continue from this checkpoint")
    train.add_argument("--quiet", action="store_true", help="no per-epoch lines")
    train.set_defaults(run=_train)

    surfaces = commands.add_parser("surfaces", parents=[common], help="draw the optimizers' paths over the 2-D surfaces")
    surfaces.add_argument("--surfaces", type=_names(list(SURFACES), "surface"), default=None, metavar="A,B,...",
                          help=f"default: all ({','.join(SURFACES)})")  # fmt: skip
    surfaces.add_argument("--optimizers", type=_names(optimizer_names, "optimizer"), default=optimizer_names, metavar="A,B,...")
    surfaces.add_argument("--steps", type=int, help="optimizer steps per path (default: per surface)")
    surfaces.add_argument("--frames", type=int, default=40, help="frames per GIF (default: 40)")
    surfaces.add_argument("--out", type=Path, default=Path("minigrad-out/surfaces"))
    surfaces.set_defaults(run=_surfaces)

    check = commands.add_parser("check", parents=[common], help="gradcheck every op, layer and loss against finite differences")
    check.add_argument("--seed", type=int, default=0, help="seed for the random test inputs (default 0)")
    check.set_defaults(run=_check)

    from minigrad.homework.cli import add_commands  # homework release|check|gradescope, grade

    add_commands(commands, common)
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    from minigrad.experiments import UsageError

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

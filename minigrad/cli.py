"""The `minigrad` command line.

Exit codes: 0 success, 1 failure (a one-line message; `--debug` shows the traceback), 2 bad arguments.
"""

import argparse
import sys

import minigrad


def _check(args) -> int:
    """Gradcheck every op of the engine and print one line per op."""
    from minigrad import selfcheck

    results = selfcheck.run(seed=args.seed)
    width = max(len(name) for name, _ in results)
    for name, error in results:
        print(f"{name:<{width}}  {'ok' if error is None else 'FAILED  ' + error}")
    failed = sum(error is not None for _, error in results)
    print(f"{len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="minigrad",
        description="minigrad: a small reverse-mode autograd engine on NumPy, for learning.",
    )
    parser.add_argument("--version", action="version", version=f"minigrad {minigrad.__version__}")
    parser.add_argument("--debug", action="store_true", help="show the full traceback on failure")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    check = commands.add_parser("check", help="gradcheck every op, layer and loss against finite differences")
    check.add_argument("--seed", type=int, default=0, help="seed for the random test inputs (default 0)")
    check.set_defaults(run=_check)
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    try:
        return args.run(args)
    except Exception as error:
        if args.debug:
            raise
        print(f"minigrad {args.command}: {type(error).__name__}: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())

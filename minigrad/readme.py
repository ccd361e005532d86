"""Keep the README's numbers in step with the code.

    python -m minigrad.readme           # rerun `minigrad compare`, rewrite its table in README.md and
                                        # the figure docs/loss_curves.png; redraw docs/three_basins.gif
    python -m minigrad.readme --check   # exit 1 (and show both) if the README's table is out of date

The table sits between two HTML comments in README.md (invisible on GitHub). The check compares every
column but the timings, which differ from run to run; the test suite runs it too
(tests/test_readme.py), so a change that moves the numbers also has to update the README.
"""

import argparse
import contextlib
import io
import shutil
import sys
import tempfile
from pathlib import Path

from minigrad.cli import main as minigrad_main
from minigrad.experiments import draw_surfaces

BEGIN = "<!-- the output of `minigrad compare`, written by `python -m minigrad.readme` -->"
END = "<!-- end of the output of `minigrad compare` -->"
ROOT = Path(__file__).resolve().parent.parent
FIGURE = "loss_curves.png"
ANIMATION = "three_basins"  # the `minigrad surfaces` picture the README shows
ANIMATION_FRAMES = 30  # with fewer frames than the command's default, to keep the README light


def run_compare(out: Path) -> str:
    """What `minigrad compare` (all defaults) prints on stdout, with the figure written to `out`; the
    folder is shown as the default `minigrad-out`, as a reader running the command would see it."""
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(io.StringIO()):
        code = minigrad_main(["compare", "--out", str(out)])
    if code != 0:
        raise RuntimeError(f"minigrad compare failed with exit code {code}")
    return printed.getvalue().replace(str(out), "minigrad-out")


def readme_block(text: str) -> str:
    """The compare output recorded in the README (the text inside its ```text fence)."""
    if BEGIN not in text or END not in text:
        raise ValueError(f"README.md lacks the markers {BEGIN!r} ... {END!r}")
    block = text.split(BEGIN, 1)[1].split(END, 1)[0]
    return block.split("```text\n", 1)[1].rsplit("```", 1)[0]


def with_block(text: str, output: str) -> str:
    """The README text with `output` as the recorded compare output."""
    before, rest = text.split(BEGIN, 1)
    after = rest.split(END, 1)[1]
    return f"{before}{BEGIN}\n```text\n{output.rstrip()}\n```\n{END}{after}"


def comparable(output: str) -> list:
    """The table's rows without the timings column: what must be equal between two runs."""
    rows = []
    for line in output.strip().splitlines():
        fields = line.split()
        if fields and fields[0] != "wrote":
            rows.append(fields[:-1] if fields[0] != "optimizer" else fields)
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m minigrad.readme", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--check", action="store_true", help="only check that the README is up to date (default: rewrite it)"
    )
    parser.add_argument(
        "--readme", type=Path, default=ROOT / "README.md", help="the README to update (default: %(default)s)"
    )
    args = parser.parse_args(argv)
    text = args.readme.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as folder:
        output = run_compare(Path(folder))
        if args.check:
            if comparable(output) == comparable(readme_block(text)):
                print("README.md: the compare table is up to date")
                return 0
            print(
                "README.md records:\n" + readme_block(text) + "\nminigrad compare prints:\n" + output,
                file=sys.stderr,
            )
            print("run `python -m minigrad.readme` to update it", file=sys.stderr)
            return 1
        args.readme.write_text(with_block(text, output), encoding="utf-8")
        figure = Path(folder) / FIGURE
        if figure.exists():  # (without matplotlib the command prints the table only)
            shutil.copyfile(figure, args.readme.parent / "docs" / FIGURE)
            for path in draw_surfaces(Path(folder), [ANIMATION], frames=ANIMATION_FRAMES):
                if path.suffix == ".gif":
                    shutil.copyfile(path, args.readme.parent / "docs" / path.name)
    print(f"updated {args.readme}, docs/{FIGURE} and docs/{ANIMATION}.gif")
    return 0


if __name__ == "__main__":
    sys.exit(main())

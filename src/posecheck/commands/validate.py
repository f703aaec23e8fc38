"""``posecheck validate FILE...``: check exercise definition files."""

from __future__ import annotations

import argparse
import sys

from posecheck.errors import DefinitionError
from posecheck.library import load_file

HELP = "check exercise definition files"
DESCRIPTION = """\
Check exercise definition files (TOML, schema 1; see poses/README.md). Prints
'OK' per good file, or every problem of a bad one, each naming the file, the key
path and a fix or the valid range, e.g.

  my.toml: phases[1].rules[0].mn_deg: unknown key (did you mean min_deg?)

Exit status: 0 when every file is valid, 1 otherwise.

examples:
  posecheck validate poses/*.toml
  posecheck validate ~/.config/posecheck/poses/my-stretch.toml
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("files", nargs="+", metavar="FILE", help="definition files to check")
    p.add_argument("-q", "--quiet", action="store_true", help="print errors only")


def run(args: argparse.Namespace) -> int:
    bad = 0
    for f in args.files:
        try:
            ex = load_file(f)
        except DefinitionError as exc:
            bad += 1
            for line in exc.problems:  # every problem of the file, each on its line
                print(line, file=sys.stderr)
            if exc.hint:
                print(f"  ({exc.hint})", file=sys.stderr)
            continue
        if not args.quiet:
            print(f"{f}: OK ({ex.name}: {len(ex.phases)} phases, "
                  f"{sum(len(p.rules) for p in ex.phases) + len(ex.rules)} rules)")  # fmt: skip
    if bad:
        print(f"{bad} of {len(args.files)} files have errors", file=sys.stderr)
        return 1
    return 0

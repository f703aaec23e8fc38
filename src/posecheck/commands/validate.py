"""``posecheck validate FILE...``: check exercise definition and routine files."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from posecheck.errors import DefinitionError
from posecheck.library import (
    Library,
    add_library_arguments,
    library_from_args,
    parse_definition,
    read_document,
    search_path,
)
from posecheck.routine import is_routine_document, parse_routine, step_count

HELP = "check exercise definition and routine files"
DESCRIPTION = """\
Check exercise definition files (TOML, schema 1; see poses/README.md) and routine
files (a file with [[steps]]; see routines/README.md: each step's exercise must be
in the library). Prints 'OK' per good file, or every problem of a bad one, each
naming the file, the key path and a fix or the valid range, e.g.

  my.toml: phases[1].rules[0].mn_deg: unknown key (did you mean min_deg?)
  flow.toml: steps[2].exercise: unknown exercise 'brige' (did you mean bridge?)

Exit status: 0 when every file is valid, 1 otherwise.

examples:
  posecheck validate poses/            (every .toml file in the folder)
  posecheck validate routines/*.toml
  posecheck validate ~/.config/posecheck/poses/my-stretch.toml
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "files",
        nargs="+",
        metavar="FILE",
        help="definition or routine files to check, or folders of them (their .toml files)",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="print errors only")
    add_library_arguments(p)


class _Checker:
    """Checks one file at a time; loads the library once, when a routine needs it to
    check its steps' exercises."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self._lib: Library | None = None

    def __call__(self, f: str) -> str:
        """The OK line of a valid file; raises DefinitionError listing its problems."""
        data = read_document(f, f)
        if is_routine_document(data):
            if self._lib is None:
                self._lib = library_from_args(self.args)
            r = parse_routine(data, f, self._lib)
            clash = self._lib.find(r.name)
            note = (f"; its name is the exercise {clash.name}'s, which 'show {r.name}' shows: "
                    "rename it" if clash is not None else "")  # fmt: skip
            return f"{f}: OK (routine {r.name}: {step_count(r)}{note})"
        ex = parse_definition(data, f)
        n_rules = sum(len(p.rules) for p in ex.phases) + len(ex.rules)
        return (f"{f}: OK ({ex.name}: {_count(len(ex.phases), 'phase')}, "
                f"{_count(n_rules, 'rule')})")  # fmt: skip


def _count(n: int, what: str) -> str:
    return f"{n} {what}{'' if n == 1 else 's'}"


def _files(given: list[str]) -> list[str]:
    """The files to check: a folder stands for its .toml files (before, "poses/: cannot
    read (Is a directory)"); one without any is a problem of its own."""
    out: list[str] = []
    for f in given:
        if Path(f).is_dir():
            found = sorted(str(p) for p in Path(f).glob("*.toml") if p.is_file())
            out += found or [f]
        else:
            out.append(f)
    return out


def run(args: argparse.Namespace) -> int:
    search_path(getattr(args, "poses_dir", None) or ())  # a --poses-dir that is no folder: one line
    check = _Checker(args)
    bad = 0
    files = _files(args.files)
    for f in files:
        try:
            if Path(f).is_dir():
                hint = "give definition or routine files, or their folder"
                raise DefinitionError(f"{f}: a folder without .toml files", hint=hint)
            line = check(f)
        except DefinitionError as exc:
            bad += 1
            problems = list(exc.problems)
            if exc.hint and len(problems) == 1:  # one line: what, where, what to do
                problems[0] += f" ({exc.hint})"
            elif exc.hint:
                problems.append(f"  ({exc.hint})")
            for line in problems:  # every problem of the file, each on its line
                print(line, file=sys.stderr)
            continue
        if not args.quiet:
            print(line)
    if bad:
        print(f"{bad} of {len(files)} files have errors", file=sys.stderr)
        return 1
    return 0

"""``posecheck routines``: list the routines (flows of several exercises)."""

from __future__ import annotations

import argparse
import json

from posecheck.library import add_library_arguments, library_from_args
from posecheck.routine import Routine, load_routines, search_dirs, step_count

HELP = "list the routines (flows of several exercises)"
DESCRIPTION = """\
List every routine found on the search path: the built-in ones, then your own folder
($XDG_CONFIG_HOME/posecheck/routines, default ~/.config/posecheck/routines), then each
--routines-dir. A later file with the same name replaces an earlier one. A routine file
that cannot be read is named with its first problem ('posecheck validate FILE' lists
them all).

examples:
  posecheck routines
  posecheck show low-back-flow
  posecheck live --routine low-back-flow
  posecheck analyze flow.mp4 --routine low-back-flow
"""


def add_routine_arguments(p: argparse.ArgumentParser) -> None:
    """``--routines-dir`` (repeatable), for every command that looks up routines."""
    p.add_argument(
        "--routines-dir", action="append", default=[], metavar="DIR",
        help="also load routines from DIR (after the built-ins and your own folder); repeatable",
    )  # fmt: skip


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_routine_arguments(p)
    add_library_arguments(p)
    p.add_argument("--json", action="store_true", help="print a JSON array instead of a table")


def describe_steps(r: Routine) -> str:
    """``knees-to-chest, supine-twist (both sides), ...``: one line of the list."""
    parts = []
    for st in r.steps:
        extra = " (both sides)" if st.side == "both" else ""
        parts.append(f"{st.exercise}{extra}")
    return ", ".join(parts)


def run(args: argparse.Namespace) -> int:
    lib = library_from_args(args)
    found, broken = load_routines(lib, args.routines_dir)
    rows = [
        {
            "name": r.name, "title": r.title, "steps": len(r.steps),
            "minutes": round(r.estimate_s(lib) / 60.0, 1),
            "exercises": [s.exercise for s in r.steps],
            "origin": r.origin, "source": r.source,
        }
        for r in sorted(found.values(), key=lambda r: r.name)
    ]  # fmt: skip
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    for r in sorted(found.values(), key=lambda r: r.name):
        mins = r.estimate_s(lib) / 60.0
        print(f"{r.name}  ({r.title}, {step_count(r)}, about {mins:.0f} min)")
        print(f"    {describe_steps(r)}")
    for exc in broken:
        print(f"skipped: {exc.one_line()}")
    dirs = ", ".join(f"{d} ({o})" for d, o in search_dirs(args.routines_dir))
    print(f"\n{len(rows)} routines. Searched: {dirs}")
    print("'posecheck show NAME' prints a routine's steps and doses.")
    return 0

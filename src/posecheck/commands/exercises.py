"""``posecheck exercises``: list the exercises of the library and where each comes from."""

from __future__ import annotations

import argparse
import json

from posecheck.library import add_library_arguments, library_from_args, search_path

HELP = "list the exercises posecheck knows"
DESCRIPTION = """\
List every exercise definition found on the search path: the built-in ones, then
your own folder ($XDG_CONFIG_HOME/posecheck/poses, default ~/.config/posecheck/poses),
then each --poses-dir. A later file with the same name replaces an earlier one.

examples:
  posecheck exercises
  posecheck exercises --poses-dir my-poses/
  posecheck exercises --json
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_library_arguments(p)
    p.add_argument("--json", action="store_true", help="print a JSON array instead of a table")


def run(args: argparse.Namespace) -> int:
    lib = library_from_args(args)
    rows = [
        {
            "name": ex.name,
            "title": ex.title,
            "view": ex.camera.view,
            "posture": ex.posture,
            "dose": ex.dose.describe(),
            "judged": ex.judged,
            "origin": ex.origin,
            "source": ex.source,
            "aliases": list(ex.aliases),
        }
        for ex in lib
    ]
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    cols = [("name", "NAME"), ("title", "TITLE"), ("view", "VIEW"), ("dose", "DOSE"),
            ("judged", "CAMERA"), ("from", "FROM")]  # fmt: skip
    for r in rows:
        r["from"] = r["source"] if r["origin"] == "built-in" else f"{r['source']} ({r['origin']})"
    widths = {k: max(len(h), *(len(str(r[k])) for r in rows)) for k, h in cols} if rows else {}
    # a narrow terminal: the least needed columns left out (--json has them all)
    from posecheck.commands.show import terminal_width

    room = terminal_width(10_000)
    left_out = []
    for drop in ("from", "judged", "view", "title"):
        if sum(widths.get(k, len(h)) + 2 for k, h in cols) - 2 <= room:
            break
        left_out += [h for k, h in cols if k == drop]
        cols = [c for c in cols if c[0] != drop]
    print("  ".join(h.ljust(widths.get(k, len(h))) for k, h in cols).rstrip())
    for r in rows:
        print("  ".join(str(r[k]).ljust(widths[k]) for k, _ in cols).rstrip())
    dirs = ", ".join(f"{d.path} ({d.origin})" for d in search_path(args.poses_dir))
    print(f"\n{len(rows)} exercises. Searched: {dirs}")
    if left_out:
        print(f"(a narrow terminal: {', '.join(left_out)} left out; --json has every column)")
    if any(k == "judged" for k, _ in cols):
        print("CAMERA: how well one camera can judge the exercise (see 'posecheck show NAME').")
    return 0

"""``posecheck progress [EXERCISE]``: the trend over weeks, in the terminal and as a page."""

from __future__ import annotations

import argparse
import datetime as _dt
from pathlib import Path
from typing import Any

from posecheck.errors import InputError

HELP = "progress over time: holds, reps, score, corrections, pain, days with a session"
DESCRIPTION = """\
Summarise the recorded sessions (see 'posecheck history') per exercise: the longest
hold against its target and complete reps against the dose, the score, pain before
and after, the top corrections becoming rarer or not, and how many of the last 30
days had a session. "Early" and "recent" are the medians of the first and last three
sessions (the first and the last one of fewer than six); a measure needs 4 sessions
for a trend (before that, its latest value: "last time").
--since limits the trends, not the days with a session. With -o, also a
self-contained HTML page with charts and a calendar of the last 90 days.

examples:
  posecheck progress
  posecheck progress bridge
  posecheck progress --person anna --since 90d -o anna-progress.html
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("exercise", nargs="?", metavar="EXERCISE", help="only this exercise")
    p.add_argument("-o", "--out", type=Path, metavar="FILE", help="also write an HTML page")
    p.add_argument("--person", metavar="NAME", help="only this person's sessions")
    p.add_argument("--since", metavar="DATE|Nd", help="only sessions since (YYYY-MM-DD or 90d)")
    p.add_argument("--today", metavar="DATE", help=argparse.SUPPRESS)  # reproducible pages
    p.add_argument("--db", metavar="PATH", help="history database (see 'posecheck history')")
    p.add_argument("--force", action="store_true", help="replace an existing -o FILE")


def _none_match(args: argparse.Namespace, path: Any, hint: str) -> None:
    """The filters keep no session: say so with what the history holds (an exercise never
    recorded is an error, as a misspelt one)."""
    from posecheck.history.query import overview
    from posecheck.history.store import HistoryStore

    with HistoryStore(path, create=False) as store:
        n, newest, people = overview(store)
    filters = " ".join(f"--{k} {v}" for k, v in (("since", args.since), ("person", args.person))
                       if v)  # fmt: skip
    what = f"{args.exercise} sessions" if args.exercise else "sessions"
    there = f"{n} recorded in all, the newest on {newest}" if newest else f"{n} recorded"
    named = [p for p in people if p]
    if args.person and named:
        there += "; people: " + ", ".join(named)
    if args.exercise and not filters:
        raise InputError(f"no {what} recorded{hint} ({there})",
                         "'posecheck history' lists what there is")  # fmt: skip
    print(f"no {what} match {filters} ({there})")
    if args.out is not None:
        print(f"no page written: it would be empty ({args.out})")


def run(args: argparse.Namespace) -> int:
    from posecheck.commands.history import exercise_key, nothing_recorded, parse_since
    from posecheck.history.page import render_page
    from posecheck.history.query import load_progress
    from posecheck.history.store import HistoryStore, resolve_path

    try:
        today = _dt.date.fromisoformat(args.today) if args.today else _dt.date.today()
    except ValueError:
        raise InputError(f"--today {args.today!r}: not a date", "use YYYY-MM-DD") from None
    if args.out is not None and args.out.is_dir():  # found before the summary is printed
        raise InputError(f"{args.out}: is a folder", "give a file name, e.g. -o progress.html")
    if args.out is not None and args.out.exists() and not args.force:
        raise InputError(f"{args.out}: already exists", "add --force to replace it")
    exercise, hint = exercise_key(args.exercise)
    path = resolve_path(args.db)
    if nothing_recorded(args, path, today):
        return 0
    with HistoryStore(path, create=False) as store:
        progress = load_progress(store, today, exercise=exercise, person=args.person,
                                 since=parse_since(args.since, today))  # fmt: skip
    if not progress.exercises and (args.exercise or args.since or args.person):
        _none_match(args, path, hint)
        return 0
    for line in progress.lines():
        print(line)
    if args.out is not None:
        try:
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text(render_page(progress), encoding="utf-8")
        except OSError as exc:
            raise InputError(f"{args.out}: cannot write ({exc.strerror or exc})",
                             "choose another file with -o") from None  # fmt: skip
        print(f"page: {args.out}")
    return 0

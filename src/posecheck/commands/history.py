"""``posecheck history``: list, filter and export recorded sessions; notes, forget, import."""

from __future__ import annotations

import argparse
import csv
import datetime as _dt
import io
import json
import re
import shutil
import sys
from pathlib import Path
from typing import Any

from posecheck.errors import InputError

HELP = "list recorded sessions; add notes and pain; forget; import old results"
DESCRIPTION = """\
Every finished 'analyze', 'live' and 'score' is recorded in a local history (a SQLite
file; --db PATH, $POSECHECK_DB, default $XDG_DATA_HOME/posecheck/history.sqlite).
Nothing leaves this computer.

actions:
  (none) / list          the sessions, oldest first (filters: -e, --person, --since)
  note ID "TEXT"         attach a note to session ID (--pain/--pain-after set ratings too)
  date ID WHEN           when session ID was done (YYYY-MM-DD [HH:MM], local time), for a
                         recording that carries no date of its own: it was dated by the
                         run; a re-score or an import keeps the date given
  forget ID [ID...]      delete sessions (an import leaves them out from then on)
  import DIR             record earlier analyze outputs and saved live sessions under DIR
                         (each folder with a summary.json); importing again adds nothing;
                         sessions forgotten or run with --no-history are left out (--all:
                         imported too)

examples:
  posecheck history
  posecheck history -e bridge --since 30d
  posecheck history --person anna --csv sessions.csv
  posecheck history --json - | jq '.[].score'
  posecheck history note 12 "knee sore after the 3rd rep" --pain-after 4
  posecheck history date 12 2026-11-28 18:30
  posecheck history forget 12
  posecheck history import posecheck-live/
"""

ACTIONS = ("list", "note", "date", "forget", "import")


def add_arguments(p: argparse.ArgumentParser) -> None:
    from posecheck.history.record import _pain

    p.add_argument("action", nargs="?", default="list", metavar="ACTION",
                   help="list (default), note, date, forget or import")  # fmt: skip
    p.add_argument("values", nargs="*", metavar="ARG", help="the action's ID, text or folder")
    p.add_argument("-e", "--exercise", metavar="NAME", help="only this exercise")
    p.add_argument("--person", metavar="NAME",
                   help="only this person's sessions (import: whose they are)")  # fmt: skip
    p.add_argument("--since", metavar="DATE|Nd",
                   help="only sessions since DATE (YYYY-MM-DD) or in the last N days")  # fmt: skip
    p.add_argument("--limit", type=int, metavar="N", help="only the last N sessions")
    p.add_argument("--csv", nargs="?", const="-", metavar="FILE",
                   help="write the sessions as CSV (to FILE, or stdout without one)")  # fmt: skip
    p.add_argument("--json", nargs="?", const="-", metavar="FILE",
                   help="write the sessions as JSON, all fields (to FILE, or stdout)")  # fmt: skip
    p.add_argument("--db", metavar="PATH", help="history database (default: see above)")
    p.add_argument("--force", action="store_true",
                   help="replace a --csv/--json FILE that is not a history export")  # fmt: skip
    p.add_argument("--pain", dest="pain_before", type=_pain, metavar="0-10",
                   help="note: back pain before that session")  # fmt: skip
    p.add_argument("--pain-after", type=_pain, metavar="0-10",
                   help="note: back pain after that session")  # fmt: skip
    p.add_argument(
        "--all",
        dest="everything",
        action="store_true",
        help="import: also the sessions forgotten and those run with --no-history",
    )


def parse_since(text: str | None, today: _dt.date | None = None) -> str | None:
    """'YYYY-MM-DD' or 'Nd' -> the UTC ISO time local midnight of that day is."""
    if not text:
        return None
    today = today or _dt.date.today()
    m = re.fullmatch(r"(\d+)\s*d", text.strip())
    if m and int(m.group(1)) == 0:  # 1d is today; 0d was tomorrow, which nothing matches
        raise InputError(f"--since {text!r}: 1d is today", "use 1d or more, or a date")
    # 99999999d is before the year 1; 0001-01-01's midnight in UTC is in the year 0
    out_of_range = InputError(f"--since {text!r}: out of range", "give a date after the year 1")
    try:
        day = today - _dt.timedelta(days=int(m.group(1)) - 1) if m else _dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"--since {text!r}: not a date", "use YYYY-MM-DD or e.g. 30d") from None
    except OverflowError:
        raise out_of_range from None
    try:
        midnight = _dt.datetime.combine(day, _dt.time()).astimezone()
    except (ValueError, OverflowError):
        raise out_of_range from None
    return midnight.astimezone(_dt.timezone.utc).isoformat()


def nothing_recorded(args: argparse.Namespace, path: Path, today: _dt.date | None = None) -> bool:
    """A fresh install (no database at the default place, no --db given): says so and
    returns True; nothing recorded yet is no error. A bad --since is still one line."""
    if args.db or path.exists():
        return False
    parse_since(args.since, today)
    print(f"no sessions recorded yet: analyze, live and score record them (in {path})")
    return True


def exercise_key(name: str | None) -> tuple[str | None, str]:
    """``-e NAME`` as the history files it (an alias or title -> the exercise's name), and a
    hint for when nothing matches ("did you mean bridge?")."""
    if not name:
        return name, ""
    from posecheck.errors import did_you_mean
    from posecheck.library import Library

    try:
        lib = Library.load()
    except Exception:  # noqa: BLE001 - the filter works on the recorded names without it
        return name, ""
    ex = lib.find(name)
    if ex is not None:
        return ex.name, ""
    close = did_you_mean(name, lib.names)
    return name, f" ({close})" if close else ""


def _ids(values: list[str], action: str) -> list[int]:
    if not values:
        raise InputError(f"history {action}: which session?",
                         "give its ID, as 'posecheck history' lists them")  # fmt: skip
    try:
        return [int(v) for v in values]
    except ValueError:
        raise InputError(f"history {action}: {values[0]!r} is not a session ID",
                         "IDs are the numbers 'posecheck history' lists") from None  # fmt: skip


def run(args: argparse.Namespace) -> int:
    from posecheck.history.query import listing
    from posecheck.history.store import HistoryStore, resolve_path

    if args.action not in ACTIONS:
        from posecheck.errors import did_you_mean

        close = did_you_mean(args.action, ACTIONS)
        raise InputError(f"history: unknown action {args.action!r}" + (f" ({close})" if close
                         else ""), f"use one of: {', '.join(ACTIONS)}")  # fmt: skip
    if args.limit is not None and args.limit < 1:
        raise InputError(f"--limit {args.limit}: give 1 or more", "or leave --limit out")
    path = resolve_path(args.db)
    if args.action == "import":
        if len(args.values) != 1:
            raise InputError("history import: give one folder", "posecheck history import DIR")
        root = Path(args.values[0])
        if not root.exists():
            raise InputError(f"{root}: no such folder", "give a folder of posecheck results")
        from posecheck.history.importer import import_dir
        from posecheck.history.record import HistoryOptions

        with HistoryStore(path) as store:
            res = import_dir(store, root, HistoryOptions(db=args.db, person=args.person),
                             everything=args.everything)  # fmt: skip
        for where, why in res.skipped:
            print(f"skipped {where}: {why}", file=sys.stderr)
        n = len(res.added)
        print(f"imported {n} new session{'' if n == 1 else 's'}, updated {len(res.updated)}, "
              f"skipped {len(res.skipped)} (into {path})")  # fmt: skip
        return 0 if res.added or res.updated or not res.skipped else 1
    if args.action == "list":
        _check_exports(args)
    if args.action == "list" and not (args.csv or args.json) and nothing_recorded(args, path):
        return 0
    with HistoryStore(path, create=False) as store:
        if args.action == "note":
            return _note(store, args)
        if args.action == "date":
            return _date(store, args)
        if args.action == "forget":
            ids = _ids(args.values, "forget")
            missing = [i for i in ids if not store.forget(i)]
            for i in ids:
                if i not in missing:
                    print(f"forgot session {i}")
            if missing:
                raise InputError(f"history forget: no session {missing[0]}",
                                 "'posecheck history' lists the IDs")  # fmt: skip
            return 0
        exercise, hint = exercise_key(args.exercise)
        flt = {"exercise": exercise, "person": args.person,
               "since": parse_since(args.since), "limit": args.limit}  # fmt: skip
        # only the JSON (every field) decodes each session's detail
        rows = store.sessions(**flt) if args.json else None
        listed = listing(store, **flt) if args.csv or not _to_stdout(args) else []
    if args.csv:
        _write(args.csv, _csv(listed))
    if rows is not None:
        _write(args.json, json.dumps([r.to_dict() for r in rows], indent=2) + "\n")
    if not _to_stdout(args):
        print(
            _table(listed, shutil.get_terminal_size((10**6, 24)).columns - 1)
            if listed
            else f"no sessions match{hint} (analyze, live and score record them)"
        )
    return 0


def _to_stdout(args: argparse.Namespace) -> bool:
    """Whether --csv or --json writes to stdout (then there is no table)."""
    return args.csv == "-" or args.json == "-"


def _note(store: Any, args: argparse.Namespace) -> int:
    if not args.values:
        raise InputError("history note: which session?", 'posecheck history note ID "TEXT"')
    sid = _ids(args.values[:1], "note")[0]
    text = " ".join(args.values[1:]).strip()
    if not text and args.pain_before is None and args.pain_after is None:
        raise InputError("history note: no text", 'posecheck history note ID "TEXT"')
    if store.get(sid) is None:
        raise InputError(f"history note: no session {sid}", "'posecheck history' lists the IDs")
    if text:
        store.set_note(sid, text)
    if args.pain_before is not None or args.pain_after is not None:
        store.set_pain(sid, args.pain_before, args.pain_after)
    print(f"session {sid}: saved")
    return 0


def parse_when(
    words: list[str], keep: _dt.datetime, now: _dt.datetime | None = None
) -> _dt.datetime:
    """'YYYY-MM-DD [HH:MM]' (local time; a date alone keeps ``keep``'s local time of
    day) -> an aware datetime, not in the future."""
    usage = "posecheck history date ID YYYY-MM-DD [HH:MM]"
    text = " ".join(words).strip().replace("T", " ")
    if not text:
        raise InputError("history date: when?", usage)
    m = re.fullmatch(r"(\d{4}-\d{2}-\d{2})(?:\s+(\d{1,2}):(\d{2}))?", text)
    try:
        if m is None:
            raise ValueError
        day = _dt.date.fromisoformat(m.group(1))
        clock = keep.astimezone().time() if m.group(2) is None else _dt.time(
            int(m.group(2)), int(m.group(3)))  # fmt: skip
        when = _dt.datetime.combine(day, clock.replace(tzinfo=None)).astimezone()
    except (ValueError, OverflowError):
        raise InputError(f"history date: {text!r} is not a date and time", usage) from None
    now = now or _dt.datetime.now().astimezone()
    if when > now:
        raise InputError(f"history date: {when:%Y-%m-%d %H:%M} is in the future",
                         "give the day (and time) the session was done")  # fmt: skip
    return when


def _date(store: Any, args: argparse.Namespace) -> int:
    if not args.values:
        raise InputError("history date: which session?",
                         "posecheck history date ID YYYY-MM-DD [HH:MM]")  # fmt: skip
    sid = _ids(args.values[:1], "date")[0]
    row = store.get(sid)
    if row is None:
        raise InputError(f"history date: no session {sid}", "'posecheck history' lists the IDs")
    from posecheck.history.record import parse_time

    was = parse_time(row.performed_utc) or _dt.datetime.now(_dt.timezone.utc)
    when = parse_when(args.values[1:], was)
    store.set_performed(sid, when)
    print(f"session {sid}: dated {when:%Y-%m-%d %H:%M} (was {was.astimezone():%Y-%m-%d %H:%M})")
    return 0


def _check_exports(args: argparse.Namespace) -> None:
    """--csv/--json FILE replaces an earlier export, never another file unless --force
    (``history --json clip.mp4`` turned the video into JSON)."""
    from posecheck import safeio
    from posecheck.history.query import LIST_COLUMNS

    for dest, own in ((args.csv, {"columns": LIST_COLUMNS}),
                      (args.json, {"key": "performed_utc"})):  # fmt: skip
        if not dest or dest == "-":
            continue
        if Path(dest).is_dir():
            raise InputError(f"{dest}: is a folder", "give a file name")
        if Path(dest).is_file() and not args.force and not safeio.own_export(dest, **own):
            raise InputError(f"{dest}: already exists and is not a history export",
                             "add --force to replace it, or choose another name")  # fmt: skip


def _write(dest: str, text: str) -> None:
    if dest == "-":
        sys.stdout.write(text)
        return
    try:
        Path(dest).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{dest}: cannot write ({exc.strerror or exc})",
                         "choose another file") from None  # fmt: skip


def _csv(rows: list[tuple[Any, ...]]) -> str:
    from posecheck.history.query import LIST_COLUMNS

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")  # None is written as an empty field
    w.writerow(LIST_COLUMNS)
    w.writerows(r[:-1] for r in rows)  # without the local time
    return buf.getvalue()


def _table(rows: list[tuple[Any, ...]], width: int = 10**6) -> str:
    heads = ("id", "when", "person", "exercise", "longest hold", "reps", "score", "pain",
             "top correction")  # fmt: skip
    body = []
    # the fields of query.LIST_COLUMNS (and the local time) the table shows
    for (sid, _, person, exercise, _, _, hold_s, target_s, _, _, reps_c, reps_a, score,
         pain_b, pain_a, top, note, *_, when) in rows:  # fmt: skip
        hold = "-"
        if hold_s is not None:
            hold = f"{hold_s:.1f} s" + (f" / {target_s:g}" if target_s else "")
        pain = "-"
        if pain_b is not None or pain_a is not None:
            pain = f"{'-' if pain_b is None else pain_b} -> {'-' if pain_a is None else pain_a}"
        corr = (top or "-") + ("  [note]" if note else "")
        # complete reps, and those that fell short ("2/2" read as "2 of the 2 due")
        reps = f"{reps_c}" + (f" (+{reps_a - reps_c} short)" if reps_a > reps_c else "")
        body.append((str(sid), when or "-", person or "-", exercise, hold, reps,
                     "-" if score is None else f"{score:.0f}", pain, corr))  # fmt: skip
    columns = list(zip(*body, strict=True))[:-1]
    widths = [max(len(h), *map(len, col)) for h, col in zip(heads, columns, strict=False)]
    # one format for every line: each column padded to its width, the last one not
    fmt = "  ".join(f"{{:<{w}}}" for w in widths) + "  {}"
    # the correction cut to the terminal's width (a line wrapped under the next session's
    # id is hard to read); piped, or in a file, whole
    room = max(16, width - sum(widths) - 2 * len(widths))
    body = [(*b[:-1], b[-1] if len(b[-1]) <= room else b[-1][: room - 3] + "...") for b in body]
    lines = [fmt.format(*heads)] + [fmt.format(*b) for b in body]
    return "\n".join(lines)

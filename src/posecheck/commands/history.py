"""``posecheck history``: list, filter and export recorded sessions; notes, forget, import."""

from __future__ import annotations

import argparse
import csv
import datetime as _dt
import functools
import io
import json
import re
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
  forget ID [ID...]      delete sessions
  import DIR             record earlier analyze outputs and saved live sessions under DIR
                         (each folder with a summary.json); importing again adds nothing

examples:
  posecheck history
  posecheck history -e bridge --since 30d
  posecheck history --person anna --csv sessions.csv
  posecheck history --json - | jq '.[].score'
  posecheck history note 12 "knee sore after the 3rd rep" --pain-after 4
  posecheck history forget 12
  posecheck history import posecheck-live/
"""

ACTIONS = ("list", "note", "forget", "import")
CSV_COLUMNS = ("id", "performed_utc", "person", "exercise", "side", "duration_s",
               "longest_hold_s", "hold_target_s", "holds_reached", "holds_total",
               "reps_complete", "reps_attempted", "score", "pain_before", "pain_after",
               "top_correction", "note", "command", "source", "outdir",
               "posecheck_version", "definition_hash")  # fmt: skip


def add_arguments(p: argparse.ArgumentParser) -> None:
    from posecheck.history.record import _pain

    p.add_argument("action", nargs="?", default="list", metavar="ACTION",
                   help="list (default), note, forget or import")  # fmt: skip
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
    p.add_argument("--pain", dest="pain_before", type=_pain, metavar="0-10",
                   help="note: back pain before that session")  # fmt: skip
    p.add_argument("--pain-after", type=_pain, metavar="0-10",
                   help="note: back pain after that session")  # fmt: skip


def parse_since(text: str | None, today: _dt.date | None = None) -> str | None:
    """'YYYY-MM-DD' or 'Nd' -> the UTC ISO time local midnight of that day is."""
    if not text:
        return None
    today = today or _dt.date.today()
    m = re.fullmatch(r"(\d+)\s*d", text.strip())
    try:
        day = today - _dt.timedelta(days=int(m.group(1)) - 1) if m else _dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"--since {text!r}: not a date", "use YYYY-MM-DD or e.g. 30d") from None
    midnight = _dt.datetime.combine(day, _dt.time()).astimezone()
    return midnight.astimezone(_dt.timezone.utc).isoformat()


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
    from posecheck.history.record import HistoryOptions
    from posecheck.history.store import HistoryStore, resolve_path

    if args.action not in ACTIONS:
        raise InputError(f"history: unknown action {args.action!r}",
                         f"use one of: {', '.join(ACTIONS)}")  # fmt: skip
    path = resolve_path(args.db)
    if args.action == "import":
        if len(args.values) != 1:
            raise InputError("history import: give one folder", "posecheck history import DIR")
        root = Path(args.values[0])
        if not root.exists():
            raise InputError(f"{root}: no such folder", "give a folder of posecheck results")
        from posecheck.history.importer import import_dir

        with HistoryStore(path) as store:
            res = import_dir(store, root, HistoryOptions(db=args.db, person=args.person))
        for where, why in res.skipped:
            print(f"skipped {where}: {why}", file=sys.stderr)
        print(f"imported {len(res.added)} new sessions, updated {len(res.updated)}, "
              f"skipped {len(res.skipped)} (into {path})")  # fmt: skip
        return 0 if res.added or res.updated or not res.skipped else 1
    with HistoryStore(path, create=False) as store:
        if args.action == "note":
            return _note(store, args)
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
        rows = store.sessions(exercise=args.exercise, person=args.person,
                              since=parse_since(args.since), limit=args.limit)  # fmt: skip
    dicts = [_flat(r) for r in rows]
    wrote = False
    if args.csv:
        _write(args.csv, _csv(dicts))
        wrote = args.csv == "-"
    if args.json:
        _write(args.json, json.dumps([r.to_dict() for r in rows], indent=2) + "\n")
        wrote = wrote or args.json == "-"
    if not wrote:
        print(_table(dicts) if dicts else "no sessions match (analyze, live and score record them)")
    return 0


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


def _write(dest: str, text: str) -> None:
    if dest == "-":
        sys.stdout.write(text)
        return
    try:
        Path(dest).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{dest}: cannot write ({exc.strerror or exc})",
                         "choose another file") from None  # fmt: skip


def _flat(r: Any) -> dict[str, Any]:
    d = r.to_dict()
    corr = (r.detail.get("corrections") or [{}])[0] if r.detail.get("corrections") else {}
    d["top_correction"] = corr.get("text")
    return d


def _csv(rows: list[dict[str, Any]]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(CSV_COLUMNS), extrasaction="ignore",
                       lineterminator="\n")  # fmt: skip
    w.writeheader()
    for r in rows:
        w.writerow({k: "" if r.get(k) is None else r.get(k) for k in CSV_COLUMNS})
    return buf.getvalue()


def _local(iso_utc: str) -> str:
    """'YYYY-MM-DD HH:MM' local time of a stored UTC time."""
    t = _dt.datetime.fromisoformat(iso_utc)
    if t.tzinfo is None:
        t = t.replace(tzinfo=_dt.timezone.utc)
    t = t + _utc_offset(iso_utc[:13])  # the offset looked up once an hour of history
    return f"{t:%Y-%m-%d} {t.hour:02d}:{t.minute:02d}"


@functools.lru_cache(maxsize=4096)
def _utc_offset(hour_utc: str) -> _dt.timedelta:
    t = _dt.datetime.fromisoformat(hour_utc + ":00").replace(tzinfo=_dt.timezone.utc)
    return t.astimezone().utcoffset() or _dt.timedelta(0)


def _table(rows: list[dict[str, Any]]) -> str:
    heads = ("id", "when", "person", "exercise", "longest hold", "reps", "score", "pain",
             "top correction")  # fmt: skip
    body = []
    for r in rows:
        hold = "-"
        if r["longest_hold_s"] is not None:
            hold = f"{r['longest_hold_s']:.1f} s"
            if r["hold_target_s"]:
                hold += f" / {r['hold_target_s']:g}"
        pain = "-"
        if r["pain_before"] is not None or r["pain_after"] is not None:
            b = "-" if r["pain_before"] is None else r["pain_before"]
            a = "-" if r["pain_after"] is None else r["pain_after"]
            pain = f"{b} -> {a}"
        corr = (r["top_correction"] or "-") + ("  [note]" if r["note"] else "")
        body.append((str(r["id"]), _local(r["performed_utc"]), r["person"] or "-",
                     r["exercise"], hold, f"{r['reps_complete']}/{r['reps_attempted']}",
                     "-" if r["score"] is None else f"{r['score']:.0f}", pain, corr))  # fmt: skip
    widths = [max(len(h), *(len(b[i]) for b in body)) for i, h in enumerate(heads[:-1])]
    lines = ["  ".join(h.ljust(w) for h, w in zip(heads[:-1], widths, strict=True))
             + "  " + heads[-1]]  # fmt: skip
    for b in body:
        lines.append("  ".join(c.ljust(w) for c, w in zip(b[:-1], widths, strict=True))
                     + "  " + b[-1])  # fmt: skip
    return "\n".join(lines)

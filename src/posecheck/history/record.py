"""Turning a finished session (its summary.json content) into a history row, and saving it.

``analyze``, ``live`` and ``score`` each call :func:`record_session` once, after
their own outputs are written. It never raises: a locked, read-only or corrupt
database prints one warning line and the run keeps its exit status and files.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import hashlib
import json
import logging
import math
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from posecheck.history.store import (
    DEFAULT_TIMEOUT_S,
    HistoryError,
    HistoryStore,
    iso,
    part_key,
    resolve_path,
)

log = logging.getLogger(__name__)

FINGERPRINT_BYTES = 1 << 20  # read this much from each end of a recording


@dataclass
class HistoryOptions:
    """What the commands' history flags say (see :func:`add_history_arguments`)."""

    enabled: bool = True
    db: str | None = None
    person: str | None = None
    pain_before: int | None = None
    pain_after: int | None = None
    timeout_s: float = DEFAULT_TIMEOUT_S


def _pain(text: str) -> int:
    import argparse

    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not 0 <= v <= 10:
        raise argparse.ArgumentTypeError(f"{v} is outside 0-10 (0 no pain, 10 worst)")
    return v


def add_history_arguments(p: Any, *, pain: bool = True) -> None:
    """The flags ``analyze``, ``live`` and ``score`` share: --no-history, --db, --person, pain."""
    g = p.add_argument_group("history (posecheck history / progress)")
    g.add_argument("--no-history", dest="history", action="store_false",
                   help="do not record this session in the history")  # fmt: skip
    g.add_argument("--db", metavar="PATH",
                   help="history database (default: $POSECHECK_DB, else "
                        "$XDG_DATA_HOME/posecheck/history.sqlite)")  # fmt: skip
    g.add_argument("--person", metavar="NAME", help="whose session this is (a clinic's patients)")
    if pain:
        g.add_argument("--pain", dest="pain_before", type=_pain, metavar="0-10",
                       help="back pain before the session (0 none, 10 worst)")  # fmt: skip
        g.add_argument("--pain-after", type=_pain, metavar="0-10",
                       help="back pain after the session")  # fmt: skip


def options_from_args(args: Any) -> HistoryOptions:
    return HistoryOptions(
        enabled=getattr(args, "history", True),
        db=getattr(args, "db", None),
        person=getattr(args, "person", None),
        pain_before=getattr(args, "pain_before", None),
        pain_after=getattr(args, "pain_after", None),
    )


def told(opts: HistoryOptions | None) -> dict[str, Any]:
    """What the person said of the session (``--person``, ``--pain-before``,
    ``--pain-after``), for its summary.json: a history rebuilt with 'history import'
    keeps them (it lost every pain rating and name)."""
    if opts is None:
        return {}
    said = {"person": opts.person, "pain_before": opts.pain_before,
            "pain_after": opts.pain_after}  # fmt: skip
    return {k: v for k, v in said.items() if v is not None}


# --- the row -------------------------------------------------------------------------


def fingerprint(path: str | os.PathLike[str] | None) -> str | None:
    """A recording's identity that survives renaming and moving: size + both ends' bytes."""
    if not path:
        return None
    try:
        p = Path(path)
        if not p.is_file():
            return None
        size = p.stat().st_size
        h = hashlib.sha256(str(size).encode())
        with p.open("rb") as fh:
            h.update(fh.read(FINGERPRINT_BYTES))
            if size > FINGERPRINT_BYTES:
                fh.seek(max(FINGERPRINT_BYTES, size - FINGERPRINT_BYTES))
                h.update(fh.read(FINGERPRINT_BYTES))
        return "sha256:" + h.hexdigest()[:32]
    except OSError:
        return None


def recording_time(path: str | os.PathLike[str] | None) -> _dt.datetime | None:
    """The creation time a video container carries (``creation_time``), if any."""
    if not path or not Path(path).is_file():
        return None
    try:
        import av

        with av.open(str(path)) as c:
            tags = [c.metadata.get("creation_time")]
            tags += [s.metadata.get("creation_time") for s in c.streams]
    except Exception:  # noqa: BLE001 - any unreadable container simply has no date
        return None
    for tag in tags:
        t = parse_time(tag)
        # 1904/1970 dates are encoders writing zero, not a real recording time
        if t is not None and t.year > 1990:
            return t
    return None


def parse_time(text: Any) -> _dt.datetime | None:
    if not isinstance(text, str) or not text:
        return None
    try:
        t = _dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return t if t.tzinfo else t.replace(tzinfo=_dt.timezone.utc)


def started(summary: dict[str, Any]) -> _dt.datetime | None:
    """When a session without a recording date began: its summary is written as it ends
    (``created_utc``), so its length before that. A live routine's steps were dated
    from its end (one saved at 16:50:57 had its steps at 16:50:54 to 16:57:15)."""
    end = parse_time(summary.get("created_utc"))
    length = summary.get("duration_s")
    if end is None or not isinstance(length, (int, float)) or not math.isfinite(length):
        return end
    return end - _dt.timedelta(seconds=max(0.0, float(length)))


def definition_hash(definition: Any) -> str | None:
    if not definition:
        return None
    text = json.dumps(definition, sort_keys=True, default=str)
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()[:16]


def corrections_of(summary: dict[str, Any]) -> list[dict[str, Any]]:
    """The ranked corrections: issue 12's ``corrections`` when present, else the cues."""
    raw = summary.get("corrections")
    out = []
    if isinstance(raw, list) and raw:
        for c in raw:
            if isinstance(c, dict) and c.get("id"):
                out.append({
                    "id": str(c["id"]), "text": str(c.get("text") or c["id"]),
                    "count": int(c.get("count") or 0), "kind": c.get("kind"),
                })  # fmt: skip
        return out
    for c in summary.get("cues") or []:
        if isinstance(c, dict) and c.get("id"):
            out.append({"id": str(c["id"]), "text": str(c.get("text") or c["id"]),
                        "count": int(c.get("count") or 0), "kind": c.get("severity")})  # fmt: skip
    out.sort(key=lambda c: -int(c["count"] or 0))
    return out


def session_values(
    summary: dict[str, Any],
    *,
    command: str,
    source: str | None,
    outdir: str | os.PathLike[str] | None,
    opts: HistoryOptions,
    performed: _dt.datetime | None = None,
    recording: str | None = None,
) -> dict[str, Any]:
    """The history row for a summary.json-shaped dict (what ``summary_dict`` returns).

    ``performed``: when it was done; default the recording's creation time, else the
    summary's ``created_utc`` (the run's time). ``recording``: the fingerprint used
    to find an earlier row of the same recording (default: of ``source``).
    """
    now = _dt.datetime.now(_dt.timezone.utc)
    performed_from = "run"
    if performed is None:
        performed = recording_time(source)
        if performed is not None:
            performed_from = "recording"
    else:
        performed_from = "recording"
    if performed is None:
        performed = started(summary) or now
    holds = [
        {"duration_s": h.get("duration_s"), "target_s": h.get("target_s"),
         "reached": bool(h.get("reached")), "side": h.get("side"), "start_s": h.get("start_s")}
        for h in summary.get("holds") or [] if isinstance(h, dict)
    ]  # fmt: skip
    reps = [r for r in summary.get("reps") or [] if isinstance(r, dict)]
    durations = [h["duration_s"] for h in holds if isinstance(h["duration_s"], (int, float))]
    targets = [h["target_s"] for h in holds if isinstance(h["target_s"], (int, float))]
    dose = summary.get("dose") if isinstance(summary.get("dose"), dict) else {}
    target = max(targets) if targets else (dose or {}).get("hold_s")
    return {
        "performed_utc": iso(performed),
        "performed_from": performed_from,
        "recorded_utc": iso(now),
        # what the person said: given to this run, else to the run that wrote the summary
        "person": opts.person if opts.person is not None else _said(summary, "person", str),
        "exercise": str(summary.get("exercise") or "unknown"),
        "side": summary.get("side"),
        "duration_s": summary.get("duration_s"),
        "reps_complete": int(summary.get("reps_complete") or 0),
        "reps_attempted": len(reps),
        "holds_reached": sum(1 for h in holds if h["reached"]),
        "holds_total": len(holds),
        "longest_hold_s": max(durations) if durations else None,
        "hold_target_s": target if isinstance(target, (int, float)) else None,
        "score": summary.get("score"),
        "pain_before": _first(opts.pain_before, _said(summary, "pain_before", int)),
        "pain_after": _first(opts.pain_after, _said(summary, "pain_after", int)),
        "command": command,
        "recording": recording if recording is not None else fingerprint(source),
        # absolute: a path relative to where one command ran means nothing to the next
        # (score run from another folder replaced analyze's absolute path with "a.mp4")
        "source": os.path.abspath(source) if source else None,
        "outdir": str(Path(outdir).resolve()) if outdir else None,
        "posecheck_version": summary.get("posecheck_version"),
        "definition_hash": definition_hash(summary.get("definition")),
        "partial": bool(summary.get("partial")),
        "detail": {
            "title": summary.get("exercise_title"),
            "holds": holds,
            "reps": [
                {
                    "complete": bool(r.get("complete")),
                    "score": r.get("score"),
                    "side": r.get("side"),
                }
                for r in reps
            ],  # fmt: skip
            "dose": dose or None,
            "score_components": summary.get("score_components") or {},
            "corrections": corrections_of(summary),
        },
    }


def _said(summary: dict[str, Any], key: str, kind: type) -> Any:
    """``summary[key]`` when it is a ``kind`` (a pain rating 0-10), else None."""
    v = summary.get(key)
    if kind is int:
        ok = isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 10
        return v if ok else None
    return v if isinstance(v, kind) and v else None


def _first(*values: Any) -> Any:
    return next((v for v in values if v is not None), None)


@dataclass
class Recorded:
    id: int
    created: bool
    path: Path


@contextlib.contextmanager
def _not_fatal(what: str, path: Path, err: TextIO | None) -> Iterator[None]:
    """A database problem while recording ``what`` becomes one warning line on ``err``
    (stderr): the history must never cost the run its other outputs."""
    try:
        yield
    except HistoryError as exc:
        print(f"posecheck: warning: {what} not recorded: {exc.one_line()}",
              file=err or sys.stderr)  # fmt: skip
    except Exception as exc:  # noqa: BLE001 - the history must never cost the run its outputs
        log.debug("recording the %s failed", what, exc_info=True)
        print(f"posecheck: warning: {what} not recorded in {path}: {type(exc).__name__}: {exc}",
              file=err or sys.stderr)  # fmt: skip


def upsert_whole(store: HistoryStore, values: dict[str, Any]) -> tuple[int, bool]:
    """Record a session of a whole recording (or output folder) as one exercise. The
    newest analysis of a recording is what it was: the routine steps an analysis with
    ``--routine`` found in it before are replaced, not kept beside it."""
    sid, created = store.upsert(values)
    for row in store.parts_of(values.get("recording"), values.get("outdir")):
        store.forget(row.id, remember=False)
    return sid, created


def record_session(
    summary: dict[str, Any] | None,
    opts: HistoryOptions | None,
    *,
    command: str,
    source: str | None = None,
    outdir: str | os.PathLike[str] | None = None,
    recording: str | None = None,
    err: TextIO | None = None,
    new_run: bool = False,
) -> Recorded | None:
    """Record one finished session; ``None`` when off, unfinished, or it failed.

    ``new_run``: a run that wrote ``outdir`` afresh (analyze, live), not a re-score or an
    import of what is there: the rows of the folder's earlier contents are released
    (:meth:`HistoryStore.release_folder`), not updated. Never raises for a database
    problem: the one-line reason goes to ``err`` (stderr) as a warning and the command
    goes on with its other outputs.
    """
    if summary is None or opts is None or not opts.enabled:
        return None
    if summary.get("partial") or not summary.get("frames_with_pose"):
        return None  # an interrupted run or nobody in view is not a session done
    path = resolve_path(opts.db)
    recorded = None
    with _not_fatal("session", path, err):
        values = session_values(summary, command=command, source=source, outdir=outdir,
                                opts=opts, recording=recording)  # fmt: skip
        with HistoryStore(path, timeout_s=opts.timeout_s) as store:
            if new_run and values["outdir"]:
                store.release_folder(values["outdir"], values["recording"])
            sid, created = upsert_whole(store, values)
        recorded = Recorded(sid, created, path)
    return recorded


def record_routine(
    summary: dict[str, Any] | None,
    opts: HistoryOptions | None,
    *,
    command: str,
    source: str | None = None,
    outdir: str | os.PathLike[str] | None = None,
    err: TextIO | None = None,
    store: HistoryStore | None = None,
    new_run: bool = False,
) -> list[Recorded]:
    """Record each step of a routine session (summary.json with ``segments``) as its own
    session of that step's exercise, so ``posecheck progress bridge`` counts the bridge
    holds done inside routines too. Its ``detail`` names the routine and the step.

    A step is found again as the same exercise over the same stretch of the same
    recording (or output folder): re-analysing a recording updates its steps instead of
    adding more, whether it was split with the routine named or with ``auto``, and the
    steps an earlier analysis found that this one does not are removed. ``new_run``: as
    :func:`record_session`. Never raises for a database problem (one warning line, as
    :func:`record_session`).
    """
    if summary is None or opts is None or not opts.enabled or summary.get("partial"):
        return []
    routine: dict[str, Any] = summary.get("routine") or {}
    steps = routine_steps(summary)
    if not steps:
        return []
    whole = fingerprint(source)
    began = recording_time(source)
    performed_from = "recording" if began is not None else "run"
    began = began or started(summary) or _dt.datetime.now(_dt.timezone.utc)
    out: list[Recorded] = []
    path = store.path if store is not None else resolve_path(opts.db)
    # (the store is opened inside _not_fatal: a locked or corrupt file is one warning too;
    # ``store``: an open one, e.g. history import's, used as it is)
    with (
        _not_fatal("routine steps", path, err),
        contextlib.nullcontext(store) if store is not None
        else HistoryStore(path, timeout_s=opts.timeout_s) as store,
    ):  # fmt: skip
        where = str(Path(outdir).resolve()) if outdir else None
        if new_run and where:  # as record_session
            store.release_folder(where, whole)
        earlier = store.parts_of(whole, where)  # the steps of earlier analyses
        taken: set[int] = set()
        for part, seg in steps:
            one = {
                **seg["summary"], "created_utc": summary.get("created_utc"),
                "posecheck_version": summary.get("posecheck_version"), "partial": False,
            }  # fmt: skip
            if not _a_session(seg, one):
                continue
            start = float(seg.get("start_s") or 0.0)
            values = session_values(
                one, command=command, source=source, opts=opts,
                outdir=part_key(where, part),
                performed=began + _dt.timedelta(seconds=start),
                recording=part_key(whole, part),
            )  # fmt: skip
            values["performed_from"] = performed_from
            values["detail"]["routine"] = {
                "name": routine.get("name"), "title": routine.get("title"),
                "run": seg.get("run"), "step": seg.get("step"), "side": seg.get("side"),
                "start_s": seg.get("start_s"), "end_s": seg.get("end_s"),
            }  # fmt: skip
            same = _same_step(earlier, values["exercise"], start, seg.get("end_s"), taken)
            sid, created = store.upsert(values, row=same, find=False)
            taken.add(sid)
            out.append(Recorded(sid, created, path))
        # replaced, not forgotten: the steps this split no longer finds, and the one
        # session an analysis of the whole recording as one exercise recorded
        whole_row = store.find(whole, where) if out else None
        for sid in [row.id for row in earlier if row.id not in taken] + [whole_row or 0]:
            if sid:
                store.forget(sid, remember=False)
    return out


def _a_session(seg: dict[str, Any], one: dict[str, Any]) -> bool:
    """Whether a routine step (its segment, its summary) is a session of its exercise."""
    if seg["summary"].get("partial") or not one.get("frames_with_pose"):
        return False  # a step cut short by Ctrl-C, or nobody in view
    if not (one.get("reps") or one.get("holds")):
        return False  # nothing of it was done (a live step skipped, or another exercise
        # done in its place): not a session of it at "reps 0"
    held = any(isinstance(h, dict) and h.get("reached") for h in one.get("holds") or [])
    # left (n, p) before anything of it was complete: a try, not a session (a tilt
    # skipped mid-hold was recorded "0 reps, 2.8 s of 4, score 70")
    return seg.get("ended") not in ("skipped", "back") or bool(one.get("reps_complete") or held)


def routine_steps(summary: dict[str, Any]) -> list[tuple[int, dict[str, Any]]]:
    """A routine session's steps, each with the number its history keys carry
    (``#run<n>``): the plan's run, else the n-th step found."""
    steps = [
        g for g in summary.get("segments") or []
        if isinstance(g, dict) and g.get("kind") == "step" and isinstance(g.get("summary"), dict)
    ]  # fmt: skip
    return [(int(seg.get("run") or n), seg) for n, seg in enumerate(steps, 1)]


def _same_step(
    earlier: list[Any], exercise: str, start: float, end: Any, taken: set[int]
) -> int | None:
    """The row of ``earlier`` that is this step again: the same exercise over the most
    of the same stretch of the recording (None: a step not recorded before)."""
    best, most = None, 0.0
    end = float(end) if isinstance(end, (int, float)) else start
    for row in earlier:
        span = row.detail.get("routine") or {}
        a, b = span.get("start_s"), span.get("end_s")
        if row.id in taken or row.exercise != exercise:
            continue
        if not (isinstance(a, (int, float)) and isinstance(b, (int, float))):
            continue
        overlap = min(end, float(b)) - max(start, float(a))
        if overlap > most:
            best, most = row.id, overlap
    return best


def _scored_origin(
    path: Path, meta: dict[str, Any], video: bool
) -> tuple[str, Path | None, str | None]:
    """(source, outdir, created_utc) of an input of ``score``: a video is its own
    recording; a landmarks file in a saved session folder is that session (its folder,
    its date, the video its poses came from where it still exists)."""
    if video:
        return str(path), None, None
    saved: dict[str, Any] = {}
    outdir = None
    if (path.parent / "summary.json").is_file():
        outdir = path.parent
        try:
            saved = json.loads((path.parent / "summary.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            saved = {}
    # the video the poses came from (found by its fingerprint), else the file itself
    src = meta.get("source")
    source = str(src) if src and Path(str(src)).is_file() else str(path)
    return source, outdir, saved.get("created_utc")  # when the session ran, not now


def _history_keys(recs: list[Recorded], err: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"history": [r.id for r in recs]}
    if err.getvalue().strip():
        out["history_warning"] = err.getvalue().strip()
    return out


def record_scored(
    opts: HistoryOptions | None,
    summary: Any,
    exercise: Any,
    path: Path,
    meta: dict[str, Any],
    video: bool,
) -> dict[str, Any]:
    """``posecheck score``'s hook (runs in its worker processes): record one scored input.

    A video is its own recording. A landmarks file in a saved session folder (analyze
    or live) updates that session's row (same folder, or the same source video); its
    date is the saved summary's. Returns the row's ``history``/``history_warning`` keys.
    """
    import io

    if opts is None or not opts.enabled:
        return {}
    from posecheck.sinks.tables import summary_dict

    data = summary_dict(summary, info=None, exercise=exercise)
    # the replay ran to the end of the file; a file of an interrupted run is partial all
    # the same (analyze does not record it either)
    data["partial"] = bool(data.get("partial") or meta.get("partial"))
    source, outdir, created = _scored_origin(path, meta, video)
    if created:
        data["created_utc"] = created
    err = io.StringIO()
    rec = record_session(data, opts, command="score", source=source, outdir=outdir, err=err)
    out = _history_keys([rec] if rec else [], err)
    out["history"] = rec.id if rec else None
    return out


def record_scored_routine(
    opts: HistoryOptions | None,
    summary: dict[str, Any],
    path: Path,
    meta: dict[str, Any],
    video: bool,
) -> dict[str, Any]:
    """``posecheck score --routine``'s hook: each step found is recorded as its own
    session of its exercise, as ``analyze --routine`` records them (:func:`record_routine`:
    ``summary`` has ``routine`` and ``segments``). A saved routine session re-scored
    updates its steps' rows. Returns ``history`` (the step rows' ids) and
    ``history_warning``.
    """
    import io

    if opts is None or not opts.enabled:
        return {}
    source, outdir, created = _scored_origin(path, meta, video)
    data = {**summary, "created_utc": created or summary.get("created_utc"),
            "partial": bool(summary.get("partial") or meta.get("partial"))}  # fmt: skip
    err = io.StringIO()
    recs = record_routine(data, opts, command="score", source=source, outdir=outdir, err=err)
    return _history_keys(recs, err)


def report_warnings(rows: list[dict[str, Any]], err: TextIO | None = None) -> None:
    """Print each distinct history warning of ``score``'s rows once."""
    seen: set[str] = set()
    for r in rows:
        w = r.get("history_warning")
        if w and w not in seen:
            seen.add(w)
            print(w, file=err or sys.stderr)

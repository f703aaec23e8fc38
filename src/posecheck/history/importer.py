"""``posecheck history import DIR``: earlier ``analyze`` outputs and saved live sessions.

Every ``summary.json`` under DIR (format ``posecheck-summary``) becomes a session,
dated by its recording's creation time when the video is still there, else by the
summary's ``created_utc``. A folder already in the history (same folder, or the
same recording) updates its row: importing twice adds nothing. Left out unless
``everything``: sessions ``history forget`` removed, and runs made with
``--no-history`` (their summary says ``"history": false``).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from posecheck.history.record import HistoryOptions, fingerprint, session_values, upsert_whole
from posecheck.history.store import HistoryStore, part_key

SUMMARY = "summary.json"


@dataclass
class ImportResult:
    added: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)  # (summary.json, why)


def find_summaries(root: Path) -> list[Path]:
    """Every summary.json under ``root`` (or ``root`` itself), in a stable order."""
    if root.is_file():
        return [root]
    out = []
    for base, dirs, files in os.walk(root):
        # hidden folders are posecheck's own (an earlier session kept aside while --force
        # replaces it: sessions.Earlier) or not the user's results
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        if SUMMARY in files:
            out.append(Path(base) / SUMMARY)
    return out


def _source_of(summary: dict[str, Any], folder: Path) -> str | None:
    """The recording an analyze summary came from, if it is still where it was."""
    inp = summary.get("input")
    video = summary.get("video")
    candidates = [
        inp.get("resolved") if isinstance(inp, dict) else None,  # wherever it was run from
        inp.get("path") if isinstance(inp, dict) else None,
        video.get("path") if isinstance(video, dict) else None,
    ]
    for c in candidates:
        if not c:
            continue
        p = Path(str(c))
        for q in (p, folder / p, folder.parent / p.name):
            if q.is_file():
                return str(q)
    return None


FORGOTTEN = "forgotten with 'history forget' (--all imports it)"
NO_HISTORY = "run with --no-history (--all imports it)"


def import_dir(
    store: HistoryStore, root: Path, opts: HistoryOptions, everything: bool = False
) -> ImportResult:
    """Import every saved session under ``root`` into ``store``."""
    result = ImportResult()
    for path in find_summaries(root):
        try:
            summary = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            result.skipped.append((path, f"unreadable ({exc})"))
            continue
        if not isinstance(summary, dict) or summary.get("format") != "posecheck-summary":
            result.skipped.append((path, "not a posecheck summary"))
            continue
        if summary.get("partial"):
            result.skipped.append((path, "partial (the run was interrupted)"))
            continue
        if not summary.get("frames_with_pose"):
            result.skipped.append((path, "nobody was in view"))
            continue
        if summary.get("history") is False and not everything:
            result.skipped.append((path, NO_HISTORY))
            continue
        command = "live" if summary.get("live") else "analyze"
        # a live session is no recording of its camera, even a video file played as one
        # (live records it so: two sessions played from one file were imported as one)
        source = None if command == "live" else _source_of(summary, path.parent)
        if summary.get("segments") is not None:  # a routine: each step as its exercise
            _import_routine(store, summary, opts, command, source, path, result, everything)
            continue
        values = session_values(summary, command=command, source=source, outdir=path.parent,
                                opts=opts, recording=fingerprint(source))  # fmt: skip
        if not everything and store.is_forgotten(values["recording"], values["outdir"]):
            result.skipped.append((path, FORGOTTEN))
            continue
        if source is None:
            values["source"] = (summary.get("input") or {}).get("path") or None
        sid, created = upsert_whole(store, values)
        (result.added if created else result.updated).append(sid)
    return result


def _import_routine(store: HistoryStore, summary: dict[str, Any], opts: HistoryOptions,
                    command: str, source: str | None, path: Path, result: ImportResult,
                    everything: bool) -> None:  # fmt: skip
    """A routine session's steps, each a session of its exercise, as analyze and live
    record them (not one "routine:low-back-flow" session beside its steps, whose holds
    and reps mixed the exercises': the bridge's hold against the tilt's target). A
    routine one of whose steps was forgotten is left out whole."""
    import io

    from posecheck.history.record import record_routine, routine_steps

    whole, where = fingerprint(source), str(path.parent.resolve())
    forgotten = [
        n for n, _ in routine_steps(summary)
        if store.is_forgotten(part_key(whole, n), part_key(where, n))
    ]  # fmt: skip
    if forgotten and not everything:
        result.skipped.append((path, FORGOTTEN))
        return

    err = io.StringIO()
    recs = record_routine(summary, opts, command=command, source=source, outdir=path.parent,
                          err=err, store=store)  # fmt: skip
    if err.getvalue().strip():
        result.skipped.append((path, err.getvalue().strip().splitlines()[0]))
    elif not recs:
        result.skipped.append((path, "a routine with no step found"))
    for r in recs:
        (result.added if r.created else result.updated).append(r.id)

"""A local history of finished sessions: pain ratings, notes, and progress over weeks.

- :mod:`posecheck.history.store`: the SQLite file (schema version, migrations, backup).
- :mod:`posecheck.history.record`: a finished session (summary.json content) -> a row;
  the flags ``analyze``/``live``/``score`` share.
- :mod:`posecheck.history.importer`: ``posecheck history import DIR``.
- :mod:`posecheck.history.query`: the listing and the progress aggregates, in SQL.
- :mod:`posecheck.history.progress`: the trend per exercise, in words;
  :mod:`posecheck.history.page`: as HTML.

Commands call :func:`record_from_args` once, after their own outputs are written.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, TextIO

from posecheck.history.record import (
    HistoryOptions,
    Recorded,
    add_history_arguments,
    options_from_args,
    record_routine,
    record_session,
)

__all__ = [
    "HistoryOptions",
    "Recorded",
    "add_history_arguments",
    "options_from_args",
    "record_from_args",
    "record_routine",
    "record_session",
    "steps_recorded",
]


def steps_recorded(n: int) -> str:
    """ "1 routine step recorded", "4 routine steps recorded"."""
    return f"{n} routine step{'' if n == 1 else 's'} recorded"


def record_from_args(
    args: Any,
    summary: dict[str, Any] | None,
    *,
    command: str,
    source: str | Path | None = None,
    outdir: str | Path | None = None,
    err: TextIO | None = None,
) -> Recorded | None:
    """Record a command's finished session as its flags say; one line on stderr.

    Never raises: a database problem is a warning, the run keeps its outputs.
    """
    err = err or sys.stderr
    if summary is not None and summary.get("segments") is not None:
        # a routine: each step is a session of its exercise
        recs = record_routine(summary, options_from_args(args), command=command,
                              source=str(source) if source else None, outdir=outdir,
                              err=err, new_run=True)  # fmt: skip
        if recs and not getattr(args, "quiet", False):
            new = sum(r.created for r in recs)
            print(f"history: {steps_recorded(len(recs))} ({new} new, {len(recs) - new} "
                  "updated; 'posecheck progress' shows the trend)", file=err)  # fmt: skip
        return recs[0] if recs else None
    rec = record_session(summary, options_from_args(args), command=command,
                         source=str(source) if source else None, outdir=outdir,
                         err=err, new_run=True)  # fmt: skip
    if rec is not None and not getattr(args, "quiet", False):
        what = "recorded" if rec.created else "updated"
        print(f"history: session {rec.id} {what} ('posecheck progress' shows the trend)",
              file=err)  # fmt: skip
    return rec

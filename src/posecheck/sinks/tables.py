"""frames.csv (one row per frame, streamed) and summary.json (the session, at the end).

frames.csv columns, in order: ``frame, t_s, pose, visibility, state, side, phase``,
each measure, ``in_target_<measure>`` for each measure a phase targets, then
``hold_s, hold_target_s, holds, reps, cue_id, cue``.

``holds`` (holds that reached their target) and ``reps`` (complete repetitions) are
running counts of the current set up to and including that frame. The end of the
input belongs to the last frame: a rep the person was finishing when the video ends,
or a hold still running, is closed by the engine at the end and counted on the last
row (its ``phase`` is the one the engine accepted there). So the last row's counts
equal summary.json's ``reps_complete`` / ``holds_reached`` for a session of one set
(``analyze``, ``score``); a live session with several sets starts each set at 0.
The last row is therefore written when the session closes, not when its frame is seen.
Measures use bare names (``hip`` is the worked side, ``other_hip`` the opposite)
so a session that changes sides stays one column per measure. Numbers are
plain decimals, empty when unknown; booleans are 0/1 (spreadsheets and pandas
read both without options).
"""

from __future__ import annotations

import csv
import datetime as _dt
import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from posecheck import DISCLAIMER, __version__, safeio
from posecheck.pose import Frame, MediaInfo
from posecheck.protocols import SinkBase
from posecheck.results import FrameResult, SessionSummary
from posecheck.sinks import exview

if TYPE_CHECKING:
    from posecheck.exercise import Exercise


def _num(v: float | None, digits: int = 2) -> str:
    if v is None or not math.isfinite(v):
        return ""
    return f"{v:.{digits}f}"


class FramesCsvSink(SinkBase):
    """Writes frames.csv, one row per frame, streamed (nothing is kept in memory)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.rows = 0
        self._file: safeio.AtomicFile | None = None
        self._writer: Any = None
        self._measures: list[str] = []
        self._targeted: list[str] = []
        # The newest frame's result waits for the next frame or for end(): the end of
        # the input may still change its counts (see the module docstring).
        self._held: FrameResult | None = None

    def open(self, info: MediaInfo, exercise: Exercise | None) -> None:
        self._declared = exview.measure_names(exercise)
        self._bands = list(exview.bands(exercise))
        # Streamed into a temporary file, renamed to frames.csv when it is complete.
        self._file = safeio.AtomicFile(self.path, "w", newline="")
        self._writer = csv.writer(self._file.fh)

    def _header(self, result: FrameResult | None) -> None:
        names = list(self._declared)
        targeted = list(self._bands)
        if result is not None:
            for key in result.measures:  # measures the engine computes beyond the declared
                bare = exview.bare_name(key, result.side)
                if bare not in names:
                    names.append(bare)
            for key in result.in_target:
                bare = exview.bare_name(key, result.side)
                if bare not in targeted:
                    targeted.append(bare)
        self._measures = names
        # In-target flags only for measures some phase targets (the others are always empty).
        self._targeted = [m for m in names if m in targeted] + [
            m for m in targeted if m not in names
        ]
        self._writer.writerow(
            ["frame", "t_s", "pose", "visibility", "state", "side", "phase"]
            + names
            + [f"in_target_{m}" for m in self._targeted]
            + ["hold_s", "hold_target_s", "holds", "reps", "cue_id", "cue"]
        )

    def write(self, frame: Frame | None, result: FrameResult) -> None:
        if self._held is not None:
            self._row(self._held)
        self._held = result

    def end(self, result: FrameResult) -> None:
        """The last frame as the end of the input left it: written in place of the held row."""
        if self._held is not None and result.index == self._held.index:
            self._held = result

    def _row(self, result: FrameResult) -> None:
        try:
            self._write_row(result)
        except OSError as exc:  # a full disk: drop the temporary file, one clear line
            f, self._file = self._file, None
            if f is None:
                raise
            raise f._fail(exc) from None

    def _write_row(self, result: FrameResult) -> None:
        if not self._measures:
            self._header(result)
        by_bare = {exview.bare_name(k, result.side): v for k, v in result.measures.items()}
        in_t = {exview.bare_name(k, result.side): v for k, v in result.in_target.items()}
        vis = float(result.pose.visibility.mean()) if result.pose is not None else None
        self._writer.writerow(
            [result.index, f"{result.t_s:.4f}", int(result.pose is not None), _num(vis, 3),
             result.state, result.side or "", result.phase or ""]
            + [_num(by_bare.get(m)) for m in self._measures]
            + [("" if m not in in_t else int(bool(in_t[m]))) for m in self._targeted]
            + [_num(result.hold_s), _num(result.hold_target_s), result.holds_done,
               result.reps_done, result.cue.id if result.cue else "",
               result.cue.text if result.cue else ""]
        )  # fmt: skip
        self.rows += 1

    def close(self, summary: SessionSummary) -> None:
        if self._file is not None:
            f, self._file = self._file, None
            try:
                if self._held is not None:
                    self._row(self._held)
                    self._held = None
                if not self._measures:  # no frame at all: still a valid CSV with a header
                    self._header(None)
            except OSError as exc:
                raise f._fail(exc) from None
            f.commit()


def summary_dict(
    summary: SessionSummary,
    *,
    info: MediaInfo | None,
    exercise: Exercise | None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The summary.json content (validated by ``posecheck/data/summary.schema.json``)."""
    holds = [exview.jsonable(h) for h in summary.holds]
    reached, due, _ = exview.hold_counts(exercise, summary.holds, summary.reps)
    reps = [exview.jsonable(r) for r in summary.reps]
    cues = [
        {"id": cid, **exview.jsonable(c)}
        for cid, c in sorted(summary.cues.items(), key=lambda kv: -int(kv[1].get("count", 0)))
    ]
    d = exview.dose(exercise)
    out: dict[str, Any] = {
        "format": "posecheck-summary",
        "version": 1,
        "posecheck_version": __version__,
        "created_utc": _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat(),
        "partial": bool(summary.partial),
        "exercise": summary.exercise,
        "exercise_title": exview.ex_title(exercise) if exercise is not None else summary.exercise,
        "recognition": exview.jsonable(summary.recognition),
        "side": summary.side,
        "duration_s": exview.jsonable(float(summary.duration_s)),
        "frames": int(summary.frames),
        "frames_with_pose": int(summary.frames_with_pose),
        "holds": holds,
        # holds_due leaves out a setup hold before the first rep that fell short (hold_counts)
        "holds_reached": reached,
        "holds_due": due,
        "reps": reps,
        "reps_complete": summary.reps_complete,
        # "counts": what the dose's "reps" count (a hold-only stretch: its holds), so a
        # reader without the definition (a routine's step, the history) words it right
        "dose": {**exview.jsonable(d), "counts": "holds" if exview.holds_only(exercise) else "reps"}
        if exercise is not None
        else exview.jsonable(d),
        "cues": cues,
        "corrections": [exview.jsonable(c) for c in summary.corrections],
        "score": exview.jsonable(summary.score),
        "score_components": exview.jsonable(summary.score_components),
        "score_notes": list(summary.score_notes),
        "warnings": list(summary.warnings),
        "video": exview.jsonable(info) if info is not None else None,
        "definition": exview.definition_content(exercise),
        "disclaimer": DISCLAIMER,
    }
    if extra:
        out.update(exview.jsonable(extra))
    return out


class SummaryJsonSink(SinkBase):
    """Writes summary.json when the session closes (also a partial one after Ctrl-C).

    ``extra`` adds top-level keys (e.g. the output file names). ``data`` holds
    what was written, for the command's one-screen summary.
    """

    def __init__(self, path: str | Path, extra: dict[str, Any] | None = None) -> None:
        self.path = Path(path)
        self.extra = dict(extra or {})
        self.data: dict[str, Any] | None = None
        self._info: MediaInfo | None = None
        self._exercise: Exercise | None = None

    def open(self, info: MediaInfo, exercise: Exercise | None) -> None:
        self._info, self._exercise = info, exercise

    def write(self, frame: Frame | None, result: FrameResult) -> None:
        pass

    def close(self, summary: SessionSummary) -> None:
        self.data = summary_dict(
            summary, info=self._info, exercise=self._exercise, extra=self.extra
        )
        # Written whole under a unique temporary name, then renamed: a reader never sees
        # half a file, and a link left at a fixed temporary name is never followed.
        safeio.write_text(self.path, json.dumps(self.data, indent=2, allow_nan=False) + "\n")

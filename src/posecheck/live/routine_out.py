"""What a live routine saves and shows: summary.json's ``routine`` and ``segments``,
frames.csv with ``run`` and ``step`` columns, the end card's lines per step.

The format is ROUTINE_SPEC's, shared with ``analyze --routine``: one summary.json for
the whole session (``exercise`` = ``routine:NAME``, its duration, frames and warnings
over the whole session), ``routine`` = {name, title, source, mode "live",
runs_planned, runs_done}, and ``segments`` in time order: each run that started is a
``step`` with that run's own summary (judged with ``dosed(exercise, run)``), the
announcement and rest time around them ``between``. The top level has no holds or
reps of its own: a bridge hold and a pelvic tilt do not add up; each step has its own.
Pure: no cv2.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from posecheck.live.routine import Attempt, Between, RoutineCoach
from posecheck.sinks import exview
from posecheck.sinks.tables import FramesCsvSink, SummaryJsonSink, summary_dict

if TYPE_CHECKING:
    from posecheck.exercise import Exercise
    from posecheck.pose import MediaInfo


def _t(v: float) -> float:
    return round(float(v), 3)


def segments(coach: RoutineCoach) -> list[dict[str, Any]]:
    """summary.json's ``segments``: every step and the time between, in time order."""
    out: list[dict[str, Any]] = []
    for a in coach.attempts:
        if isinstance(a, Between) and not a.end_s > a.start_s:
            continue  # no time between two runs (a rest of 0 s, a skip in the same frame)
        seg: dict[str, Any] = {"index": len(out) + 1, "kind": "between", "exercise": None,
                               "title": None, "run": None, "step": None, "side": None,
                               "start_s": _t(a.start_s), "end_s": _t(a.end_s),
                               "confidence": None, "summary": None}  # fmt: skip
        if isinstance(a, Attempt):
            seg.update(kind="step", exercise=a.exercise.name, title=a.run.label(a.exercise.title),
                       run=a.run.number, step=a.run.step, side=a.run.side,
                       confidence=1.0, ended=a.ended)  # fmt: skip
            if a.summary is not None:
                seg["summary"] = summary_dict(a.summary, info=None, exercise=a.exercise)
        out.append(seg)
    return out


def routine_info(coach: RoutineCoach) -> dict[str, Any]:
    """summary.json's ``routine``."""
    r = coach.routine
    return {"name": r.name, "title": r.title, "source": r.source, "mode": "live",
            "runs_planned": len(coach.runs), "runs_done": coach.runs_done}  # fmt: skip


class RoutineSummaryJson(SummaryJsonSink):
    """summary.json of a routine session: the whole session, its routine and segments."""

    def __init__(self, path: str | Path, coach: RoutineCoach) -> None:
        super().__init__(path)
        self.coach = coach

    def open(self, info: MediaInfo, exercise: Exercise | None) -> None:
        super().open(info, None)  # no one definition or dose for the whole session

    def close(self, summary: Any) -> None:
        self.extra.update(exercise_title=self.coach.routine.title,
                          routine=routine_info(self.coach),
                          segments=segments(self.coach))  # fmt: skip
        super().close(summary)


class _StepColumns:
    """A csv writer that appends ``run`` and ``step`` to every row (the header first)."""

    def __init__(self, writer: Any, sink: StepFramesCsv) -> None:
        self.writer, self.sink, self.header_done = writer, sink, False

    def writerow(self, row: list[Any]) -> None:
        if not self.header_done:
            self.header_done = True
            self.writer.writerow([*row, "run", "step"])
            return
        run = self.sink.current_run
        self.writer.writerow([*row, *(("", "") if run is None else (run.number, run.step))])


class StepFramesCsv(FramesCsvSink):
    """frames.csv of a routine: the measures of every run's exercise, and which run
    each frame belongs to (``run``, ``step``; empty during announcements and rests)."""

    def __init__(self, path: str | Path, coach: RoutineCoach) -> None:
        super().__init__(path)
        self.coach = coach
        self.current_run: Any = None

    def open(self, info: MediaInfo, exercise: Exercise | None) -> None:
        super().open(info, exercise)
        names: list[str] = []
        bands: list[str] = []
        for ex in self.coach.exercises:
            names += [m for m in exview.measure_names(ex) if m not in names]
            bands += [b for b in exview.bands(ex) if b not in bands]
        self._declared, self._bands = names, bands
        self._writer = _StepColumns(self._writer, self)

    def _write_row(self, result: Any) -> None:
        self.current_run = self.coach.step_of(result.index)
        super()._write_row(result)


def step_lines(coach: RoutineCoach) -> list[str]:
    """The end card and the terminal: one line per step performed, with its results."""
    from posecheck.live.session import summary_lines

    out = [f"{coach.routine.title}: {coach.runs_done} of {len(coach.runs)} steps done"]
    for a in coach.attempts:
        if not isinstance(a, Attempt) or a.summary is None:
            continue
        lines = summary_lines(a.summary, a.exercise)
        counts = [ln for ln in lines[1:] if not ln.startswith((" ", "top corr", "no corr"))]
        fixes = [ln.strip() for ln in lines[1:] if ln.startswith("  ")]
        # "score 55/100; fix: Let the knees rest, do not bounce. Lower your knees slowly."
        # (joined with commas it read "do not bounce., Lower your knees slowly.")
        what = ", ".join(counts) or "nothing counted"
        if fixes:
            what += "; fix: " + " ".join(fixes)
        tag = "" if a.ended == "done" else f" ({a.ended})"
        out.append(f"{a.run.number}. {a.run.label(a.exercise.title)}{tag}: {what}")
    return out

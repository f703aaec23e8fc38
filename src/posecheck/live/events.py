"""Headless output: every event as a line of text, or as a JSON line with ``--json``.

Text lines are for people watching a terminal::

      1.63 s  hold_start    up (target 5 s)
      3.02 s  hold_end      up 1.4 s of 5 s, not reached
      4.10 s  rep           #1

JSON lines are for programs: one object per event, ``{"t_s", "frame", "kind", ...data}``,
and a last ``{"kind": "summary", ...}`` line when the session ends (a routine's with its
``routine`` and ``segments``, as in summary.json). What the end of the
session closes (a hold still running, a rep on its way back) is printed just before it,
dated at the last frame, so the printed events add up to the summary.
"""

from __future__ import annotations

import dataclasses
import json
import math
from typing import Any, TextIO

from posecheck.protocols import SinkBase


def _num(v: Any) -> str:
    return f"{v:g}" if isinstance(v, (int, float)) else str(v)


def describe(kind: str, d: dict[str, Any]) -> str:
    """The human text of one event (after the time and the kind)."""
    if kind == "state":
        cue = d.get("cue") or ""
        return f"{d.get('state')}: {cue}" if cue else str(d.get("state"))
    if kind == "cue":
        return f'"{d.get("text", "")}" ({d.get("severity", "form")})'
    if kind == "cue_clear":
        return str(d.get("id", ""))
    if kind == "phase":
        return f"{d.get('previous')} -> {d.get('phase')}"
    if kind == "hold_start":
        tgt = d.get("target_s")
        return f"{d.get('phase')}" + (f" (target {_num(tgt)} s)" if tgt else "")
    if kind == "hold_end":
        dur, tgt = d.get("duration_s", 0.0), d.get("target_s")
        txt = f"{d.get('phase')} {float(dur):.1f} s"
        if tgt:
            txt += f" of {_num(tgt)} s, " + ("reached" if d.get("reached") else "not reached")
        return txt
    if kind in ("rep", "rep_incomplete"):
        span = ""
        if "start_s" in d and "end_s" in d:
            span = f" {float(d['start_s']):.2f}-{float(d['end_s']):.2f} s"
        return (f"#{d.get('index')}" if kind == "rep" else "incomplete") + span
    if kind == "side":
        return str(d.get("side"))
    if kind == "set_complete":
        return f"set {d.get('set')}"
    return " ".join(f"{k}={_num(v)}" for k, v in d.items())


def _jsonable(v: Any) -> Any:
    if dataclasses.is_dataclass(v) and not isinstance(v, type):
        return _jsonable(dataclasses.asdict(v))
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if isinstance(v, (str, int, float, bool)) or v is None:
        return v
    if hasattr(v, "item"):  # numpy scalars
        return _jsonable(v.item())
    return str(v)


class EventPrinter(SinkBase):
    """A sink that prints each frame's events (text or JSON lines) to ``stream``."""

    def __init__(self, stream: TextIO, json_lines: bool = False, routine: Any = None):
        self.stream = stream
        self.json_lines = json_lines
        self.routine = routine  # a RoutineCoach: the end says its steps, not one exercise's
        self.lines = 0

    def open(self, info: Any, exercise: Any) -> None:
        pass

    def write(self, frame: Any, result: Any) -> None:
        for ev in result.events:
            if self.json_lines:
                obj = {"t_s": round(float(ev.t_s), 3), "frame": ev.frame_index, "kind": ev.kind}
                obj.update(_jsonable(ev.data))
                line = json.dumps(obj)
            else:
                line = f"{ev.t_s:8.2f} s  {ev.kind:<13} {describe(ev.kind, ev.data)}"
            print(line, file=self.stream, flush=True)
            self.lines += 1

    def end(self, result: Any) -> None:
        """What the end of the session closed (a rep, a running hold), as events."""
        self.write(None, result)

    def close(self, summary: Any) -> None:
        if summary is None:
            return
        if not self.json_lines:
            reached = sum(1 for h in summary.holds if h.reached)
            part = " (partial)" if summary.partial else ""
            what = (f"reps {summary.reps_complete}, holds {len(summary.holds)} ({reached} "
                    "reached)")  # fmt: skip
            if self.routine is not None:
                what = f"{self.routine.runs_done} of {len(self.routine.runs)} steps done"
            print(f"{summary.duration_s:8.2f} s  {'end':<13} {what}{part}",
                  file=self.stream, flush=True)  # fmt: skip
            return
        obj = {"kind": "summary", **_jsonable(summary)}
        obj["reps_complete"] = summary.reps_complete
        if self.routine is not None:
            from posecheck.live.routine_out import routine_info, segments

            obj.update(routine=routine_info(self.routine), segments=segments(self.routine))
        print(json.dumps(obj), file=self.stream, flush=True)

"""The live coach: the engine wrapped with the stages a live session needs.

Stages (a small state machine, time from the frames' ``t_s``)::

    setup --(set-up check passes)--> countdown --(countdown_s elapsed)--> counting
      ^                                  |                                 |  ^
      +------(check fails)---------------+            space: paused <------+  |
                                                       set done: rest --> countdown
                                                       dose done: done

The engine sees every frame (so the session's frame counts are complete) but is
paused outside ``counting``: nothing is timed or counted while the person gets
into place. The coach has the pipeline's engine interface
(:class:`posecheck.protocols.PipelineEngine`) so ``pipeline.run`` drives it like the engine; live
sinks read :attr:`LiveCoach.stage` and friends for the HUD.

Live-only changes are reported as ``state`` events (data: ``state``, ``cue``) in
the frame's ``events``, so the event printer, the speech sink and frames.csv
see them like any engine event.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from posecheck.live.setup import SetupCheck, SetupStatus
from posecheck.pose import Pose
from posecheck.results import (
    STATE_PAUSED,
    STATE_TRACKING,
    Cue,
    Event,
    FrameResult,
    SessionSummary,
)

if TYPE_CHECKING:
    from posecheck.engine import Engine
    from posecheck.exercise import Exercise
    from posecheck.live.source import LiveControl

log = logging.getLogger(__name__)

STAGE_SETUP = "setup"
STAGE_COUNTDOWN = "countdown"
STAGE_COUNTING = "counting"
STAGE_PAUSED = "paused"
STAGE_REST = "rest"
STAGE_DONE = "done"
STAGE_ANNOUNCE = "announce"  # routines: the next run's card (posecheck.live.routine)

MSG_PAUSED = "Paused - press space to resume"
MSG_GO = "Go!"


@dataclass
class LiveStatus:
    """What the HUD shows beyond the engine's FrameResult."""

    stage: str = STAGE_SETUP
    message: str = ""
    countdown_left_s: float = 0.0
    rest_left_s: float = 0.0
    sets_done: int = 0
    sets_total: int = 1
    setup: SetupStatus | None = None
    notes: list[str] = field(default_factory=list)
    step_text: str = ""  # routines: "step 2 of 7: Supine twist, side 1" in the corner
    card: list[str] = field(default_factory=list)  # routines: the announcement card's lines


class LiveCoach:
    """Engine + set-up stage + countdown + keys + end of dose. Drives like an Engine."""

    def __init__(
        self,
        engine: Engine,
        exercise: Exercise,
        setup: SetupCheck | None = None,
        countdown_s: float = 3.0,
        rest_s: float | None = None,
    ):
        self.engine = engine
        self.exercise = exercise
        self.setup = setup or SetupCheck(exercise)
        self.countdown_s = max(0.0, float(countdown_s))
        dose = exercise.dose
        self.sets_total = max(1, int(dose.sets or 1))
        self.rest_s = float(rest_s if rest_s is not None else (dose.rest_s or 0))
        self.status = LiveStatus(sets_total=self.sets_total)
        self._stage_start_s: float | None = None
        self._pending: list[Event] = []
        self._pause_requested: bool | None = None
        self._last_t_s = 0.0
        self._last_index = -1
        self.done = False
        self.control: LiveControl | None = None  # a lost camera makes the summary partial
        self.engine.pause(True)

    # -- the pipeline's engine interface (posecheck.protocols.PipelineEngine) -----------
    @property
    def measure_names(self) -> set[str]:
        return self.engine.measure_names

    @property
    def final_result(self) -> FrameResult | None:
        return self.engine.final_result

    def cut(self, t_s: float) -> None:
        """The picture cut: the engine restarts its motion history and baselines."""
        self.engine.cut(t_s)

    @property
    def stage(self) -> str:
        return self.status.stage

    def update(
        self, frame_index: int, t_s: float, pose: Pose | None, measures: dict[str, float]
    ) -> FrameResult:
        """One frame: advance the stage, run the engine (paused outside counting)."""
        self._last_t_s, self._last_index = t_s, frame_index
        if self._stage_start_s is None:
            self._stage_start_s = t_s
            self._emit(STAGE_SETUP, "")
        self._apply_keys(t_s)
        st = self.status
        if st.stage in (STAGE_SETUP, STAGE_COUNTDOWN):
            self._setup_step(t_s, pose)
        elif st.stage == STAGE_REST:
            st.rest_left_s = max(0.0, self.rest_s - self._in_stage_s(t_s))
            if st.rest_left_s <= 0.0:
                self._enter(STAGE_SETUP, t_s, "")
                self._setup_step(t_s, pose)
        before = len(self._pending)  # the stage changes the engine's events then lead to
        result = self.engine.update(frame_index, t_s, pose, measures)
        if st.stage == STAGE_COUNTING:
            self._watch_engine(result, t_s)
        return self._decorate(result, before)

    def finish(self, partial: bool = False, stopped: bool = False) -> SessionSummary:
        """The session's summary. ``stopped``: the person stopped counting (a routine step
        skipped); as for the quit key, a hold still held then did not stop short."""
        lost = bool(self.control is not None and self.control.disconnected)
        if stopped or (self.control is not None and self.control.reason == "quit"):
            self.engine.pause(True)  # a hold still held: stopped (HoldRecord.stopped)
        summary = self.engine.finish(partial=partial or lost)
        if self.status.notes:
            summary.warnings.extend(n for n in self.status.notes if n not in summary.warnings)
        return summary

    # -- keys ----------------------------------------------------------------------------
    def toggle_pause(self) -> None:
        """Space: pause or resume (takes effect on the next frame, at that frame's time)."""
        paused = self.status.stage == STAGE_PAUSED or self._pause_requested is True
        self._pause_requested = not paused

    def switch_side(self) -> None:
        """s: work the other side (the engine reports it in the next frame's events)."""
        self.engine.switch_side()

    def reset_set(self) -> None:
        """r: start the current set again (counts of this set cleared)."""
        self.engine.reset_set()

    # -- internals -----------------------------------------------------------------------
    def _emit(self, state: str, cue: str) -> None:
        self._pending.append(
            Event("state", self._last_t_s, self._last_index, {"state": state, "cue": cue})
        )

    def _enter(self, stage: str, t_s: float, message: str) -> None:
        st = self.status
        if stage == st.stage and message == st.message:
            return
        log.debug("live stage %s -> %s at %.2f s", st.stage, stage, t_s)
        st.stage, st.message = stage, message
        self._stage_start_s = t_s
        self._emit(stage, message)

    def _in_stage_s(self, t_s: float) -> float:
        """Seconds since the current stage began (0 before the first frame)."""
        return t_s - self._stage_start_s if self._stage_start_s is not None else 0.0

    def _apply_keys(self, t_s: float) -> None:
        want = self._pause_requested
        self._pause_requested = None
        if want is None:
            return
        st = self.status
        if want and st.stage not in (STAGE_PAUSED, STAGE_DONE):
            self.engine.pause(True)
            self._enter(STAGE_PAUSED, t_s, MSG_PAUSED)
        elif not want and st.stage == STAGE_PAUSED:
            # Back through the set-up check and countdown, so the person can get into place.
            self._enter(STAGE_SETUP, t_s, "")

    def _setup_step(self, t_s: float, pose: Pose | None) -> None:
        st = self.status
        status = self.setup.check(pose)
        st.setup = status
        if not status.ok:
            st.countdown_left_s = self.countdown_s
            self._enter(STAGE_SETUP, t_s, status.message)
            return
        if st.stage == STAGE_SETUP:
            self._enter(STAGE_COUNTDOWN, t_s, "Get ready")
        st.countdown_left_s = max(0.0, self.countdown_s - self._in_stage_s(t_s))
        if st.countdown_left_s <= 0.0:
            self._enter(STAGE_COUNTING, t_s, MSG_GO)
            self.engine.pause(False)

    def _watch_engine(self, result: FrameResult, t_s: float) -> None:
        for ev in result.events:
            if ev.kind != "set_complete":
                continue
            st = self.status
            st.sets_done += 1
            self.engine.pause(True)
            if st.sets_done >= self.sets_total:
                self.done = True
                self._enter(STAGE_DONE, t_s, "Well done: the session is complete")
            else:
                self.engine.reset_set()  # the next set counts from 0
                self._enter(STAGE_REST, t_s, f"Rest, then set {st.sets_done + 1}")
                self.status.rest_left_s = self.rest_s
            break

    def _decorate(self, result: FrameResult, before: int | None = None) -> FrameResult:
        """Put the live stage on the frame: set-up cue instead of the engine's 'paused'.
        The events in the order they happened: the stage changes before the engine's
        step (``before``: how many), its events, then the stage they led to ("rep 8",
        "set complete", then "rest"; the rest came first)."""
        st = self.status
        if self._pending or any(ev.kind == "state" for ev in result.events):
            # The engine reports "paused" (and "tracking" again at go) because the coach
            # pauses it; the coach's own stage events say that better.
            staged = any(ev.kind == "state" for ev in self._pending)
            own = [ev for ev in result.events if not (ev.kind == "state" and (
                ev.data.get("state") == STATE_PAUSED
                or (staged and ev.data.get("state") == STATE_TRACKING)))]  # fmt: skip
            n = len(self._pending) if before is None else before
            result.events = [*self._pending[:n], *own, *self._pending[n:]]
            self._pending = []
        if st.stage in (STAGE_SETUP, STAGE_COUNTDOWN, STAGE_REST, STAGE_PAUSED):
            text = st.message
            if st.stage == STAGE_COUNTDOWN:
                text = f"Get ready: {math.ceil(st.countdown_left_s)}"
            elif st.stage == STAGE_REST:
                text = f"{st.message}: {math.ceil(st.rest_left_s)} s"
            if text:
                result.cue = Cue(id=f"live_{st.stage}", text=text, priority=0, severity="setup")
        return result

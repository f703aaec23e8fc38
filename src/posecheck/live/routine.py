"""A routine run live (``posecheck live --routine NAME``): its plan, one run after another.

:class:`RoutineCoach` has the pipeline's engine interface, so the one frame loop
drives it like a single exercise's :class:`~posecheck.live.coach.LiveCoach`. It runs
the routine's plan (:meth:`posecheck.routine.Routine.plan`)::

    announce --(announce_s)--> run: the run's own LiveCoach (set-up, countdown,
       ^                            counting, pause), its exercise dosed for the run
       |                              | dose done (set_complete), or n / p
       +---- rest (rest_s) <----------+            ... after the last run: done

Each run gets a fresh engine judging ``dosed(exercise, run)``; the set-up check runs
again only when the camera view or the posture differs from the previous run's
(lying side-on, on all fours, seated, filmed from the front), otherwise the run goes
straight to the get-ready countdown. Announcement, rest and done are ``state``
events (data ``state``, ``cue`` and the run), so the speech sink says them and the
event printer prints them like the single-exercise stages.

Each run that started (reached its set-up) is a ``step`` segment of the session
with its own summary; announcement and rest time are ``between`` segments
(ROUTINE_SPEC: summary.json's ``routine`` and ``segments``). Pure: no cv2.
"""

from __future__ import annotations

import bisect
import dataclasses
import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from posecheck.angles import compute_measures
from posecheck.live.coach import (
    MSG_PAUSED,
    STAGE_ANNOUNCE,
    STAGE_COUNTDOWN,
    STAGE_DONE,
    STAGE_PAUSED,
    STAGE_REST,
    LiveCoach,
    LiveStatus,
)
from posecheck.live.setup import SetupCheck, SetupStatus
from posecheck.results import STATE_PAUSED, Cue, Event, FrameResult, SessionSummary
from posecheck.routine import POSTURE_WORDS

if TYPE_CHECKING:
    from posecheck.exercise import Exercise
    from posecheck.live.source import LiveControl
    from posecheck.pose import Pose
    from posecheck.routine import Routine, Run

log = logging.getLogger(__name__)

ANNOUNCE_S = 5.0  # least time the announcement card stays before the set-up starts
# By default the card stays as long as its words take to say (espeak-ng reads about 2.7
# words a second): a 28-word card took 10-12 s to say, and the "Go!" and "Hold" after
# its 5 s were lost or came late.
ANNOUNCE_WORD_S = 0.4
STAGE_RUN = "run"  # RoutineCoach's own stage while a run's LiveCoach has the frames
VIEW_WORDS = {"side": "side-on", "front": "in front of you", "any": "whole body in view"}
MSG_ROUTINE_DONE = "Well done: the routine is complete"
TIMES = {1: "once", 2: "twice"}


def dose_words(ex: Exercise) -> str:
    """``Hold 20 s, once`` / ``5 reps, hold 5 s each`` / ``8 reps`` for a dosed exercise."""
    d = ex.dose
    n = d.reps or 1
    if d.hold_s and ex.hold_phases:
        if ex.cycle and n > 1:  # a movement with a pause in it (bridge, cat-camel)
            return f"{n} reps, hold {d.hold_s:g} s each"
        return f"Hold {d.hold_s:g} s, {TIMES.get(n, f'{n} times')}"
    return f"{n} rep" + ("s" if n != 1 else "")


def camera_words(ex: Exercise) -> str:
    """``Camera: side-on, lying on your back``."""
    view = VIEW_WORDS.get(ex.camera.view or "any", ex.camera.view)
    return f"Camera: {view}, {POSTURE_WORDS.get(ex.posture, ex.posture.replace('_', ' '))}"


def announcement(run: Run, ex: Exercise, runs_total: int) -> list[str]:
    """The card's lines: step, what, how much, where the camera goes, the run's note."""
    lines = [f"Step {run.number} of {runs_total}: {run.label(ex.title)}.",
             f"{dose_words(ex)}.", f"{camera_words(ex)}."]  # fmt: skip
    if run.note:
        lines.append(run.note)
    return lines


def needs_setup(previous: Exercise | None, ex: Exercise) -> bool:
    """Run the set-up check again: first run, another posture, or the camera must move."""
    if previous is None or previous.posture != ex.posture:
        return True
    view = ex.camera.view or "any"
    return view != "any" and view != (previous.camera.view or "any")


class MovedCheck(SetupCheck):
    """The set-up check of a run in another posture than the run before: in view, the
    right view, and no longer in the previous run's posture (after lying down, the
    countdown waits until the person is on hands and knees instead of starting at once).

    Only a frame positively read as the old posture fails (``classify_posture``); an
    unclear one ("unknown") passes, so a posture the classifier reads poorly cannot keep
    the person at the set-up.
    """

    def __init__(self, exercise: Exercise, previous: str, side: str | None = None) -> None:
        super().__init__(exercise, side=side)
        self.previous = previous
        self.cue = f"Get into position: {POSTURE_WORDS.get(exercise.posture, exercise.posture)}"

    def check(self, pose: Pose | None) -> SetupStatus:
        from posecheck.recognize import classify_posture

        status = super().check(pose)
        if status.ok and classify_posture(pose) == self.previous:
            return SetupStatus(False, "old_posture", self.cue, (), status.width_ratio)
        return status


class _Ready(SetupCheck):
    """The set-up check of a run in the same place as the one before: always in place."""

    def check(self, pose: Pose | None) -> SetupStatus:
        return SetupStatus(True, "ok")


@dataclass
class Attempt:
    """One performed (or skipped, abandoned) run: what a ``step`` segment is made of."""

    run: Run
    exercise: Exercise  # dosed for the run
    start_s: float
    end_s: float = math.nan
    ended: str = ""  # "done", "skipped", "back", or how the session ended ("quit", ...)
    summary: SessionSummary | None = None


@dataclass
class Between:
    """Announcement, rest (and pause in them) before/after runs: a ``between`` segment."""

    start_s: float
    end_s: float = math.nan


@dataclass
class _Marks:
    """Which run each frame belongs to (frames.csv's ``run`` and ``step`` columns)."""

    first: list[int] = field(default_factory=list)
    runs: list[Run | None] = field(default_factory=list)

    def add(self, index: int, run: Run | None) -> None:
        self.first.append(index)
        self.runs.append(run)

    def at(self, index: int) -> Run | None:
        i = bisect.bisect_right(self.first, index) - 1
        return self.runs[i] if i >= 0 else None


class RoutineCoach:
    """Runs a routine's plan live; drives like an Engine (``pipeline.run``).

    ``exercises``: each run's exercise, dosed (``dosed(library.get(run.exercise), run)``);
    ``make_engine``: a fresh engine for an exercise (tests pass fakes).
    """

    def __init__(
        self,
        routine: Routine,
        runs: Sequence[Run],
        exercises: Sequence[Exercise],
        make_engine: Callable[[Exercise], Any],
        countdown_s: float = 3.0,
        announce_s: float | None = None,
    ):
        self.routine, self.runs, self.exercises = routine, list(runs), list(exercises)
        self.make_engine = make_engine
        # None: each card as long as its words take to say, at least ANNOUNCE_S
        self.countdown_s = countdown_s
        self.announce_s = None if announce_s is None else max(0.0, announce_s)
        self._card_s = ANNOUNCE_S
        self.control: LiveControl | None = None
        self.attempts: list[Attempt | Between] = []
        self.marks = _Marks()
        self.done = False
        self.coach: LiveCoach | None = None
        self._i = 0  # the run announced, running or rested after
        self._stage = STAGE_ANNOUNCE
        self._own = LiveStatus(stage=STAGE_ANNOUNCE)
        self._stage_start = 0.0
        self._started = False
        self._previous: Exercise | None = None  # the exercise of the last run that started
        self._request: str | None = None  # a key for the next frame: skip, back, pause
        self._paused: tuple[str, float] | None = None  # (stage, seconds into it)
        self._pending: list[Event] = []
        self._last: FrameResult | None = None
        self._final: FrameResult | None = None  # the running run's, after finish
        self._run_last: FrameResult | None = None  # a run's last frame: its counts in the rest
        self._t0: float | None = None
        self._t_last = 0.0
        self._frames = self._frames_pose = 0

    # -- what the HUD and the sinks read ----------------------------------------------------
    @property
    def exercise(self) -> Exercise:
        """The exercise announced or running (the window draws its overlay)."""
        return self.exercises[min(self._i, len(self.exercises) - 1)]

    @property
    def status(self) -> LiveStatus:
        """What the HUD shows: the running run's coach's, else the routine's own."""
        return self.coach.status if self._stage == STAGE_RUN and self.coach else self._own

    @property
    def stage(self) -> str:
        return self.status.stage

    @property
    def measure_names(self) -> set[str]:
        # Each run computes its own measures with its exercise's min_visibility (update):
        # the pipeline computes none.
        return set()

    @property
    def final_result(self) -> FrameResult | None:
        """The last frame as the end left it: the running run's (a hold the end closed),
        else the last frame without its events (they were given out with it)."""
        if self._final is not None:
            return self._final
        if self._last is None:
            return None
        return dataclasses.replace(self._last, events=[])

    def step_of(self, index: int) -> Run | None:
        """The run frame ``index`` belonged to (None: announcement, rest)."""
        return self.marks.at(index)

    # -- keys ---------------------------------------------------------------------------
    def toggle_pause(self) -> None:
        """Space: the run's own pause, or the announcement's / rest's timer stops."""
        if self._stage == STAGE_RUN and self.coach is not None:
            self.coach.toggle_pause()
        else:
            self._request = "pause"

    def switch_side(self) -> None:
        """s: the running run works the other side."""
        if self._stage == STAGE_RUN and self.coach is not None:
            self.coach.switch_side()

    def reset_set(self) -> None:
        """r: the running run's set from 0."""
        if self._stage == STAGE_RUN and self.coach is not None:
            self.coach.reset_set()

    def skip(self) -> None:
        """n / Right: on to the next run now (the running one ends as skipped)."""
        self._request = "skip"

    def back(self) -> None:
        """p / Left: the previous run again (during a rest: the run just done)."""
        self._request = "back"

    # -- the frame loop -----------------------------------------------------------------
    def update(
        self, frame_index: int, t_s: float, pose: Pose | None, measures: dict[str, float]
    ) -> FrameResult:
        """One frame: keys, stage timers, then the running run's coach or an idle result."""
        self._frames += 1
        self._frames_pose += pose is not None
        if self._t0 is None:
            self._t0 = t_s
        self._t_last = t_s
        if not self._started:
            self._started = True
            self.attempts.append(Between(t_s))
            self.marks.add(frame_index, None)
            self._announce(t_s, frame_index, first=True)
        self._apply_request(t_s, frame_index)
        self._advance(t_s, frame_index)
        before = len(self._pending)  # then what the run's frame led to (a rest, the end)
        if self._stage == STAGE_RUN and self.coach is not None:
            result = self._run_frame(frame_index, t_s, pose)
        else:
            result = self._idle(frame_index, t_s, pose)
        if self._pending:
            for ev in self._pending:
                ev.t_s, ev.frame_index = t_s, frame_index
            pending, self._pending = self._pending, []
            result.events = [*pending[:before], *result.events, *pending[before:]]
        self._last = result
        return result

    def cut(self, t_s: float) -> None:
        """The picture cut: the running run's engine restarts its motion history."""
        if self._stage == STAGE_RUN and self.coach is not None:
            self.coach.cut(t_s)

    def finish(self, partial: bool = False) -> SessionSummary:
        """Close the running run (or the rest) and summarise the whole session."""
        lost = bool(self.control is not None and self.control.disconnected)
        how = (self.control.reason if self.control else "") or "interrupted"
        if self._stage == STAGE_RUN and self.coach is not None:
            coach = self.coach
            self._end_run(self._t_last, -1, how, partial=partial or lost)
            fin = coach.final_result
            if fin is not None and self._last is not None and fin.index == self._last.index:
                self._final = fin
        else:
            self._close_between(self._t_last)
        warnings: list[str] = []
        for a in self.attempts:
            if isinstance(a, Attempt) and a.summary is not None:
                warnings += [w for w in a.summary.warnings if w not in warnings]
        return SessionSummary(
            exercise=f"routine:{self.routine.name}", side=None,
            duration_s=round(self._t_last - (self._t0 or 0.0), 3), frames=self._frames,
            frames_with_pose=self._frames_pose, warnings=warnings, partial=partial or lost,
        )  # fmt: skip

    @property
    def runs_done(self) -> int:
        return len({a.run.number for a in self.attempts if isinstance(a, Attempt)
                    and a.ended == "done"})  # fmt: skip

    # -- internals ------------------------------------------------------------------------
    def _emit(self, state: str, cue: str, run: Run | None = None) -> None:
        data: dict[str, Any] = {"state": state, "cue": cue}
        if run is not None:
            ex = self.exercises[run.number - 1]
            data.update(run=run.number, step=run.step, exercise=ex.name,
                        title=run.label(ex.title))  # fmt: skip
        self._pending.append(Event("state", 0.0, 0, data))

    def _enter(self, stage: str, t_s: float, message: str = "") -> None:
        self._stage, self._stage_start = stage, t_s
        self._own.stage, self._own.message = stage, message

    def _announce(self, t_s: float, index: int, first: bool = False) -> None:
        """The card and the words for run ``self._i``."""
        run, ex = self.runs[self._i], self.exercises[self._i]
        lines = announcement(run, ex, len(self.runs))
        if first:
            lines.append(f"{self.routine.title}: {len(self.runs)} steps. Stop on sharp pain.")
        self._enter(STAGE_ANNOUNCE, t_s, lines[0])
        self._own.card = lines
        self._own.step_text = f"step {run.number} of {len(self.runs)}"
        words = " ".join(lines)
        self._card_s = self.announce_s if self.announce_s is not None else max(
            ANNOUNCE_S, ANNOUNCE_WORD_S * len(words.split()))  # fmt: skip
        self._emit(STAGE_ANNOUNCE, words, run)

    def _advance(self, t_s: float, index: int) -> None:
        """Announcement over: the run starts; rest over: the next run is announced."""
        elapsed = t_s - self._stage_start
        if self._stage == STAGE_ANNOUNCE and elapsed >= self._card_s:
            self._start_run(t_s, index)
        elif self._stage == STAGE_REST:
            self._own.rest_left_s = max(0.0, self.runs[self._i].rest_s - elapsed)
            if self._own.rest_left_s <= 0.0:
                self._next(t_s, index)

    def _start_run(self, t_s: float, index: int) -> None:
        run, ex = self.runs[self._i], self.exercises[self._i]
        self._close_between(t_s)
        side = run.side if run.side in ("left", "right") else None  # a one-sided step
        if not needs_setup(self._previous, ex):
            check: SetupCheck = _Ready(ex)
        elif self._previous is not None and self._previous.posture != ex.posture:
            check = MovedCheck(ex, self._previous.posture, side=side)
        else:
            check = SetupCheck(ex, side=side)
        self._previous = ex
        coach = LiveCoach(self.make_engine(ex), ex, check, countdown_s=self.countdown_s)
        coach.control = self.control
        coach.status.step_text = f"step {run.number} of {len(self.runs)}: {run.label(ex.title)}"
        self.coach = coach
        self.attempts.append(Attempt(run, ex, t_s))
        self.marks.add(index, run)
        self._stage = STAGE_RUN

    def _run_frame(self, index: int, t_s: float, pose: Pose | None) -> FrameResult:
        coach = self.coach
        assert coach is not None
        ex = coach.exercise
        names = sorted(coach.engine.measure_names)
        measures = compute_measures(pose, names, float(ex.min_visibility or 0.5))
        result = coach.update(index, t_s, pose, measures)
        self._run_last = result
        if coach.done:
            # The coach's own "session complete" is the routine's rest or end instead.
            result.events = [
                e
                for e in result.events
                if not (e.kind == "state" and e.data.get("state") == STAGE_DONE)
            ]
            self._end_run(t_s, index, "done")
            self._after_run(t_s, index)
        return result

    def _end_run(self, t_s: float, index: int, ended: str, partial: bool = False) -> None:
        coach, attempt = self.coach, self.attempts[-1]
        assert coach is not None and isinstance(attempt, Attempt)
        # skipped, back, quit, interrupted: the person stopped counting (a hold still held
        # did not stop short); done, the end of the video, a lost camera: not
        by_person = ended not in ("done", "end of video", "camera lost")
        attempt.summary = coach.finish(partial=partial, stopped=by_person)
        attempt.end_s, attempt.ended = t_s, ended
        self.coach = None
        if index >= 0:
            self.attempts.append(Between(t_s))
            self.marks.add(index + (ended == "done"), None)  # the done frame is the run's

    def _after_run(self, t_s: float, index: int) -> None:
        """Rest before the next run, or the end of the routine."""
        run = self.runs[self._i]
        if self._i + 1 >= len(self.runs):
            self._finish_routine(t_s)
        elif run.rest_s > 0:
            nxt = self.runs[self._i + 1]
            title = nxt.label(self.exercises[self._i + 1].title)
            msg = f"Rest {run.rest_s:g} s - next: {title}"
            self._enter(STAGE_REST, t_s, msg)
            self._own.rest_left_s = run.rest_s
            self._emit(STAGE_REST, msg, nxt)
        else:
            self._next(t_s, index)

    def _finish_routine(self, t_s: float) -> None:
        self.done = True
        # "Well done: the routine is complete" beside "1 of 3 steps done" when the last
        # steps were skipped
        n, done = len(self.runs), self.runs_done
        msg = MSG_ROUTINE_DONE if done == n else f"End of the routine: {done} of {n} steps done"
        self._enter(STAGE_DONE, t_s, msg)
        self._emit(STAGE_DONE, msg)
        if self.control is not None:
            self.control.request_stop("done")

    def _next(self, t_s: float, index: int, to: int | None = None) -> None:
        self._i = self._i + 1 if to is None else to
        if self._i >= len(self.runs):
            self._finish_routine(t_s)
        else:
            self._announce(t_s, index)

    def _apply_request(self, t_s: float, index: int) -> None:
        req, self._request = self._request, None
        if req is None or self.done:
            return
        if req == "pause":
            self._toggle_own_pause(t_s)
            return
        if self._paused is not None:  # n or p while paused: as from the paused stage
            self._stage, self._paused = self._paused[0], None
        in_run = self._stage == STAGE_RUN
        if in_run:
            self._end_run(t_s, index, "skipped" if req == "skip" else "back")
        if req == "skip":
            self._next(t_s, index)
        elif self._stage == STAGE_REST and not in_run:
            self._next(t_s, index, to=self._i)  # the run just done, again
        else:
            self._next(t_s, index, to=max(0, self._i - 1))

    def _toggle_own_pause(self, t_s: float) -> None:
        """Space in an announcement or a rest: its timer stops until space again."""
        if self._paused is None and self._stage in (STAGE_ANNOUNCE, STAGE_REST):
            self._paused = (self._stage, t_s - self._stage_start)
            self._stage, self._own.stage = STAGE_PAUSED, STAGE_PAUSED
            self._emit(STAGE_PAUSED, MSG_PAUSED)
        elif self._paused is not None:
            stage, into = self._paused
            self._paused = None
            self._stage = self._own.stage = stage
            self._stage_start = t_s - into
            self._emit(stage, "")

    def _close_between(self, t_s: float) -> None:
        if self.attempts and isinstance(self.attempts[-1], Between):
            self.attempts[-1].end_s = t_s

    def _idle(self, index: int, t_s: float, pose: Pose | None) -> FrameResult:
        """A frame outside any run: nothing judged (stored as paused, like set-up frames)."""
        st = self._own
        text = st.message
        if st.stage == STAGE_REST:
            text = f"{st.message}: {math.ceil(st.rest_left_s)} s left"
        cue = Cue(id=f"live_{st.stage}", text=text, priority=0, severity="setup") if text else None
        out = FrameResult(index, t_s, pose, {}, state=STATE_PAUSED, cue=cue, paused=True)
        done = self._run_last
        if st.stage == STAGE_REST and done is not None:  # the rest shows what the run counted
            out.holds_done, out.reps_done, out.side = done.holds_done, done.reps_done, done.side
        return out


__all__ = [
    "ANNOUNCE_S",
    "STAGE_ANNOUNCE",
    "STAGE_COUNTDOWN",
    "Attempt",
    "Between",
    "RoutineCoach",
    "announcement",
    "needs_setup",
]

"""What the form engine says about each frame and about a whole session.

These types are the contract between the engine and every sink (overlay,
window, CSV/JSON writers, report, live event printer). They are plain data:
no MediaPipe, no OpenCV.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from posecheck.pose import Pose

# FrameResult.state values: counting runs only in "tracking".
STATE_TRACKING = "tracking"
STATE_NO_PERSON = "no_person"
STATE_LOW_VISIBILITY = "low_visibility"
STATE_WRONG_VIEW = "wrong_view"
STATE_PAUSED = "paused"
STATES = (STATE_TRACKING, STATE_NO_PERSON, STATE_LOW_VISIBILITY, STATE_WRONG_VIEW, STATE_PAUSED)

# Event.kind values.
EVENT_KINDS = (
    "state",  # tracking state changed; data: {"state", "cue"}
    "phase",  # phase changed; data: {"phase", "previous"}
    "hold_start",  # data: {"phase", "target_s"}
    "hold_end",  # data: HoldRecord fields
    "rep",  # a complete rep; data: RepRecord fields
    "rep_incomplete",  # a started rep that did not reach the target; data: RepRecord fields
    "cue",  # a cue is shown; data: {"id", "text", "severity"}
    "cue_clear",  # the shown cue cleared; data: {"id"}
    "side",  # worked side changed (alternate/switch); data: {"side"}
    "set_complete",  # the prescribed dose for a set is done; data: {"set"}
)


@dataclass
class Event:
    kind: str
    t_s: float
    frame_index: int
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class Cue:
    id: str  # rule id from the definition
    text: str
    priority: int  # 1 = most important
    severity: str  # "setup", "form", "safety"


@dataclass
class HoldRecord:
    phase: str
    start_s: float
    end_s: float
    duration_s: float
    target_s: float
    reached: bool
    side: str | None = None
    score: float | None = None
    # the person was seen arriving in the position (its phase began after the side was
    # first seen): a hold before a cycle's first rep is the set-up only when not
    arrived: bool = False
    # still held when counting stopped, not left by the person: "end" (the input ended),
    # "stop" (counting was stopped: the pause key, a rest, quit, Ctrl-C, a routine step
    # skipped) or "side" (the side worked changed)
    stopped: str | None = None


@dataclass
class RepRecord:
    index: int  # 1-based among complete reps; 0 for incomplete ones
    start_s: float
    end_s: float
    complete: bool
    depth: dict[str, float] = field(default_factory=dict)  # peak value of each target measure
    side: str | None = None
    score: float | None = None
    faults: list[str] = field(default_factory=list)  # rule ids that fired during the rep
    # the phase the rep went out to (the cycle's second phase, as the person ran it)
    peak_phase: str | None = None


@dataclass
class Correction:
    """One thing to tell the person, with what it applies to (posecheck.corrections)."""

    id: str  # "short_rep:hip", "short_hold:up", or the rule id ("knee_bend", "too_fast")
    kind: str  # "range", "hold", "form", "safety" or "setup"
    text: str  # what to say, with the numbers
    count: int  # how many reps / holds / showings it applies to
    first_s: float  # when it first applied (video time)
    reps: list[int] = field(default_factory=list)  # rep numbers, from 1, in session order
    holds: list[int] = field(default_factory=list)  # hold numbers, from 1
    severity: str = "form"  # "setup", "form" or "safety"


@dataclass
class FrameResult:
    index: int
    t_s: float
    pose: Pose | None
    measures: dict[str, float]  # resolved measure name -> value (NaN when unknown)
    state: str = STATE_TRACKING
    side: str | None = None
    phase: str | None = None
    key_measures: list[str] = field(default_factory=list)  # resolved names to draw
    measure_status: dict[str, str] = field(default_factory=dict)  # name -> "ok"|"near"|"bad"
    in_target: dict[str, bool] = field(default_factory=dict)  # name -> inside the phase target
    hold_s: float = 0.0  # elapsed time of the running hold (0 when none)
    hold_target_s: float | None = None
    holds_done: int = 0
    reps_done: int = 0
    cue: Cue | None = None
    events: list[Event] = field(default_factory=list)
    # The engine was paused for this frame (live: set-up, countdown, pause key, rest,
    # done): nothing was judged. The landmarks file stores it so a re-score judges
    # the same frames the live session did.
    paused: bool = False
    # The estimator's pose before smoothing; set by the pipeline (the landmarks
    # file stores it so re-scoring can smooth again exactly as analyze did).
    raw_pose: Pose | None = field(default=None, repr=False)
    # The picture cut just before this frame (another camera angle, a close-up, the
    # person re-found elsewhere: posecheck.cuts); set by the pipeline. The smoother
    # and the engine's speed/bounce history restarted here.
    cut: bool = False


@dataclass
class SessionSummary:
    exercise: str
    side: str | None
    duration_s: float
    frames: int
    frames_with_pose: int
    holds: list[HoldRecord] = field(default_factory=list)
    reps: list[RepRecord] = field(default_factory=list)  # complete and incomplete
    cues: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> {text, count, first_s}
    score: float | None = None
    score_components: dict[str, float] = field(default_factory=dict)
    recognition: dict[str, Any] | None = None  # {"exercise", "confidence", "scores"} for auto
    warnings: list[str] = field(default_factory=list)
    partial: bool = False
    # what to tell the person, most important first (posecheck.corrections)
    corrections: list[Correction] = field(default_factory=list)
    # why the score is what it is, in words (how it is made, what capped it)
    score_notes: list[str] = field(default_factory=list)

    @property
    def reps_complete(self) -> int:
        return sum(1 for r in self.reps if r.complete)

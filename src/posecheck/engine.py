"""The form engine: phases, holds, reps, cues, safety, view states and scores.

Pure Python + numpy. The pipeline feeds one frame at a time::

    engine = Engine(exercise, side="auto")
    measures = compute_measures(pose, engine.measure_names)   # plus extra measures
    result = engine.update(frame_index, t_s, pose, measures)
    summary = engine.finish()

How it decides (every time and band comes from the definition's ``[timing]`` table or
:data:`posecheck.exercise.TIMING_DEFAULTS`):

- **State.** Each frame is ``tracking``, ``no_person`` (no pose), ``low_visibility``
  (a ``required`` landmark of the worked side, or a landmark a phase target is measured
  from, below ``min_visibility``; landmarks outside the picture have visibility 0, see
  :meth:`posecheck.pose.Pose.hide_off_frame`: "Move back so your feet are in view."),
  ``wrong_view`` (``shoulder_width_ratio`` says the camera sees the person
  from the front when the definition wants the side, or the reverse) or ``paused``.
  A raw state must last ``state_delay_s`` before the engine switches to it; only
  ``tracking`` advances phases and counts. Nothing is reset by a dropout.
- **Phases.** A phase is matched when every one of its targets holds. The current
  phase is kept while its targets hold within a band widened by ``hysteresis_deg``
  (``hysteresis`` for ratios). A new phase (or leaving to "between phases") must be
  matched for ``min_dwell_s``; the phase's start is dated back to when it first
  matched. A frame where a target's value is unknown (NaN) changes nothing: the
  current phase stays and a candidate phase keeps its dwell (it is entered only on a
  frame that matches it).
- **Reps.** ``cycle`` lists the phases of one rep (``["down", "up", "down"]``). A rep
  counts when the cycle completes. Leaving the start phase and coming back without
  reaching the next phase of the cycle is an *incomplete* rep: reported, not counted.
  If the engine stopped tracking during such a rep (out of view, paused), the rep was
  not seen to fall short: it is neither counted nor reported as incomplete. For
  ``alternate`` exercises either side in full view is enough for tracking (the far
  side is often hidden), but a point of the judged side beyond the edge of the
  picture is not (bird dog: the reaching hand leaving the frame).
- **Holds.** In a phase with ``hold_s``, the hold timer runs while the phase's targets
  and every rule of that phase hold. A failure or a lost pose shorter than
  ``grace_s`` pauses the timer without ending the hold; a longer one ends it at the
  last good frame. Each hold is reported with start, end, duration (time the timer
  ran) and whether it reached ``hold_s``.
- **Cues.** Failing rules are ranked: safety before form before setup, then by
  ``priority`` (1 first). A failure must persist ``cue_delay_s`` before its cue is
  shown; a shown cue stays at least ``cue_min_s``; a cue that cleared is not shown
  again within ``cue_repeat_s``. ``cue``/``cue_clear`` events fire on changes only.
- **Safety.** Besides the definition's safety rules (range limits, feet flat,
  shoulders down): angular speed of the safety measures over ``speed_window_s`` above
  ``safety.max_speed_deg_s`` -> "too_fast"; in a hold phase, ``bounce_reversals``
  direction changes of at least ``bounce_min_deg`` within ``bounce_window_s`` ->
  "bouncing".
- **Cuts.** :meth:`Engine.cut` (called by the pipeline when
  :class:`posecheck.cuts.CutDetector` sees the whole body jump between two frames: an
  edited video cutting to another camera angle or a close-up) restarts what reads
  continuity: the measure history of the speed and bounce checks (the jump is no fast
  movement) and the baselines of change bounds (an angle seen from another camera is
  not comparable with the old view's). Both restart ``cut_settle_s`` after the cut
  (the model's landmarks settle over a few frames in the new view), change baselines
  then wait ``baseline_settle_s`` as for a person appearing.
  The phase, a running hold, a rep under way and the counts are kept: the person did
  not move, only the camera did. A hold timed against a change bound pauses until its
  new baseline exists (and ends if that takes longer than ``grace_s``).
- **Scores** (0-100) are documented in :func:`rep_score` and :func:`hold_score`.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field, replace

import numpy as np

from posecheck import lean as _lean  # noqa: F401  (registers trunk_lean)
from posecheck.angles import EXTRA_MEASURES, REGISTRY, compute_measures, resolve
from posecheck.corrections import build_corrections
from posecheck.exercise import Bound, Exercise, Phase, Rule
from posecheck.pose import LANDMARK_INDEX, SIDES, Pose, other_side
from posecheck.results import (
    STATE_LOW_VISIBILITY,
    STATE_NO_PERSON,
    STATE_PAUSED,
    STATE_TRACKING,
    STATE_WRONG_VIEW,
    Cue,
    Event,
    FrameResult,
    HoldRecord,
    RepRecord,
    SessionSummary,
)

# View check defaults (shoulder_width_ratio): measured on the real clips, side views
# stay below 0.35 and front views are above 0.5. A definition's camera table may
# override them (max_width_ratio / min_width_ratio).
SIDE_VIEW_MAX_RATIO = 0.45
FRONT_VIEW_MIN_RATIO = 0.5

# Change bounds (min_change_deg ...): the baseline is this percentile of the last
# baseline_s seconds (100 - it for baseline = "max"), defined once it spans baseline_min_s.
# (baseline_settle_s and baseline_min_s are timing settings: TIMING_DEFAULTS.)
BASELINE_PERCENTILE = 20.0

STATE_CUES = {
    STATE_NO_PERSON: "Step into the camera view.",
    "side": "Turn sideways to the camera.",
    "front": "Face the camera.",
}

# Words for landmark parts in "move so your ... are in view" cues.
_PART_WORDS = {
    "ankle": "feet", "heel": "feet", "foot_index": "feet", "knee": "knees", "hip": "hips",
    "shoulder": "shoulders", "elbow": "arms", "wrist": "hands", "ear": "head",
    "eye": "head", "nose": "head", "pinky": "hands", "index": "hands", "thumb": "hands",
}  # fmt: skip

_SEVERITY_RANK = {"safety": 0, "form": 1, "setup": 2}

# Movement checks that fire for a moment (a fast swing, a bounce): their cue skips the
# cue delay and the failure is held for cue_min_s so the cue is seen.
_TRANSIENT = ("too_fast", "bouncing")

_EPS = 1e-6  # time comparisons: 0.1 * 19 is not 1.9 in floating point

# A rule whose measure was unknown on at least this share of the frames it applied to
# is named in the summary's warnings (e.g. feet flat with the toes out of the picture).
UNJUDGED_SHARE = 0.5


def _unknown_reason(measure: str) -> str:
    """Why a measure is unknown, in words: "feet not in view", or for a mask measure
    "no body outline from the segmentation mask"."""
    spec = {**REGISTRY, **EXTRA_MEASURES}.get(measure)
    if spec is not None and spec.needs_mask:
        return "no body outline from the segmentation mask"
    words: list[str] = []
    for p in spec.points if spec else ():
        w = _PART_WORDS.get(p.split("_", 1)[1] if p.startswith(SIDES) else p, "body")
        if w not in words:
            words.append(w)
    return f"{' and '.join(words) or 'its points'} not in view"


def _percentile(values: list[float], q: float) -> float:
    """``np.percentile(values, q)`` (linear method), bit for bit, for a short list.

    Called every frame for each change bound; NumPy's call overhead on ~100 values
    was a quarter of the engine's time.
    """
    s = sorted(values)
    n = len(s)
    vi = (n - 1) * (q / 100)
    lo = math.floor(vi)
    if lo >= n - 1:
        return float(s[n - 1])
    g = vi - lo
    a, b = s[lo], s[lo + 1]
    d = b - a
    # NumPy's _lerp: from the nearer end, so the result stays monotonic in g
    return float(b - d * (1 - g) if g >= 0.5 else a + d * g)


def _nan(v: float | None) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


# --- scores ---------------------------------------------------------------------


# Caps: what a rep or hold cannot score above, whatever its other parts. They make
# the score honest: a rep that never reached the top, or a hold far short of its time,
# is never green (80+), and each fault a person is told about costs points.
CAP_INCOMPLETE = 50.0  # a rep that turned back before the cycle's peak phase
CAP_SHORT_HOLD = 55.0  # a hold (or a rep's best hold) under half its hold_s
SHORT_HOLD_SHARE = 0.5
CAP_SAFETY = 60.0  # a safety rule, too fast or bouncing was cued during it
CAP_FORM = 75.0  # a form rule was cued during it

CAP_WORDS = {
    CAP_INCOMPLETE: "turned back before the top",
    CAP_SHORT_HOLD: "held under half the target time",
    CAP_SAFETY: "a safety correction",
    CAP_FORM: "a form correction",
}


def rep_score(
    depth: float, hold: float, form: float, steadiness: float, caps: tuple[float, ...] = ()
) -> float:
    """A rep's 0-100 score: 45% depth, 25% hold, 20% form, 10% steadiness, then capped.

    - depth: 1 when the cycle's peak phase was reached, else the fraction of the way
      from the start phase's range to the peak phase's range;
    - hold: the rep's longest hold / ``hold_s`` of the peak phase (capped at 1; 1 with
      no hold);
    - form: 1 - share of the rep's frames with a failing form or safety rule;
    - steadiness: 1 - (speed/bounce safety cues during the rep, capped at 1);
    - caps: the lowest applies (:data:`CAP_INCOMPLETE` 50 for a rep short of the top,
      :data:`CAP_SHORT_HOLD` 55 for a hold under half its time, :data:`CAP_SAFETY` 60
      and :data:`CAP_FORM` 75 for a safety / form correction during the rep).
    """
    base = 100 * (0.45 * depth + 0.25 * hold + 0.2 * form + 0.1 * steadiness)
    return round(min([base, *caps]), 1)


def hold_score(
    time_in_target: float, form: float, steadiness: float, caps: tuple[float, ...] = ()
) -> float:
    """A hold's 0-100 score: 50% time in target, 30% form, 20% steadiness, then capped.

    - time_in_target: held time / prescribed ``hold_s`` (capped at 1);
    - form: 1 - share of the hold's frames with a failing rule (within the grace);
    - steadiness: 1 - standard deviation of the key measure during the hold / 5 deg
      (0.05 for ratios), floored at 0;
    - caps as in :func:`rep_score` (a hold under half its time: 55).
    """
    base = 100 * (0.5 * time_in_target + 0.3 * form + 0.2 * steadiness)
    return round(min([base, *caps]), 1)


def _fault_caps(faults: dict[str, str]) -> tuple[float, ...]:
    """Caps for the corrections cued during a rep/hold (rule id -> severity)."""
    sev = set(faults.values())
    return tuple(c for c, hit in ((CAP_SAFETY, "safety" in sev), (CAP_FORM, "form" in sev)) if hit)


# --- per-side tracking -------------------------------------------------------------


@dataclass
class _Hold:
    phase: str
    start_s: float
    last_ok_s: float
    ok_time_s: float = 0.0
    # the time the last still frame stands for (its window's middle): the hold's end
    last_mid_s: float = 0.0
    left_moving: bool = False  # the timer last stopped because the body moved / left
    faults: dict[str, str] = field(default_factory=dict)  # cued rule id -> severity
    prev_ok: bool = True
    frames: int = 0
    bad_frames: int = 0
    values: list[float] = field(default_factory=list)


@dataclass
class _Track:
    """Phase, cycle and hold state of one worked side."""

    side: str
    cycle: tuple[str, ...] = ()  # the exercise's cycle (symmetric ones: as first seen)
    cycle_fixed: bool = False
    phase: str | None = None
    phase_since: float = 0.0
    cand: str | None = None
    cand_since: float = 0.0
    out_since: float | None = None
    cycle_pos: int = 0  # index in exercise.cycle of the last phase reached
    left_start_s: float | None = None  # when the start phase was left (a rep began)
    rep_peak: dict[str, float] = field(default_factory=dict)
    rep_frames: int = 0
    rep_bad: int = 0
    rep_faults: list[str] = field(default_factory=list)
    rep_fault_sev: dict[str, str] = field(default_factory=dict)  # cued rule id -> severity
    rep_unsteady: int = 0
    rep_unseen: bool = False  # the engine was not tracking for part of this rep
    rep_holds: list[HoldRecord] = field(default_factory=list)
    hold: _Hold | None = None
    # recent (t, {definition measure: value}) for the stillness test of holds
    still_hist: deque = field(default_factory=deque)
    still_from: float = 0.0  # time of the first sample of the current run of still_hist
    last_t: float | None = None
    entered_t: float | None = None  # frame time at which the current phase was entered


class Engine:
    """Turn per-frame measures into phases, holds, reps, cues and a session summary."""

    def __init__(self, exercise: Exercise, side: str = "auto"):
        self.ex = exercise
        policy = exercise.side if side == "auto" else side
        if policy not in ("auto", "left", "right", "alternate"):
            raise ValueError(f"side must be auto, left, right or alternate, not {side!r}")
        self.policy = policy
        s = exercise.setting
        self.dwell = s("min_dwell_s")
        self.grace = s("grace_s")
        self.cue_delay = s("cue_delay_s")
        self.cue_min = s("cue_min_s")
        self.cue_repeat = s("cue_repeat_s")
        self.state_delay = s("state_delay_s")
        self.speed_window = s("speed_window_s")
        self.baseline_settle = s("baseline_settle_s")
        self.baseline_min = s("baseline_min_s")
        self.cut_settle = s("cut_settle_s")
        # holds run while the body is still (see _still)
        self._still_limit = {"deg": s("still_deg_s"), "ratio": s("still_ratio_s")}
        self.still_window = s("still_window_s")
        self._hyst = {"deg": s("hysteresis_deg"), "ratio": s("hysteresis")}
        self._near = {"deg": s("near_deg"), "ratio": s("near")}
        self._safety_measures = exercise.safety.measures or exercise.key_measures
        bounds: dict[str, Bound] = {}
        for p in exercise.phases:
            for b in (*p.targets, *p.rules):
                if b.change:
                    bounds.setdefault(b.key, b)
        for b in exercise.rules:
            if b.change:
                bounds.setdefault(b.key, b)
        self._change_bounds = tuple(bounds.values())
        # the definition is fixed: resolve its measure names for each side once, not
        # every frame (definition name, registered name for that side)
        self._resolved = {
            sd: tuple((m, resolve(m, sd)) for m in sorted(exercise.all_measures())) for sd in SIDES
        }
        # the landmarks the phase targets are measured from: no phase can be decided
        # without them, so like the required parts they must be in view
        self._target_points = {
            sd: tuple(sorted({
                p for ph in exercise.phases for t in ph.targets
                if resolve(t.measure, sd) in REGISTRY
                for p in REGISTRY[resolve(t.measure, sd)].points
            }))
            for sd in SIDES
        }  # fmt: skip
        self.reset()

    # --- public API ----------------------------------------------------------------

    @property
    def measure_names(self) -> set[str]:
        """Resolved measure names the engine reads each frame (both sides: side may change)."""
        names = {name for pairs in self._resolved.values() for _, name in pairs}
        names.add("shoulder_width_ratio")
        return names

    @property
    def side(self) -> str:
        return self._side

    @property
    def exercise(self) -> Exercise:
        """The definition this engine judges (sinks read it through the pipeline)."""
        return self.ex

    @property
    def needs_segmentation(self) -> bool:
        """True when a measure needs the person mask (run the estimator with segmentation)."""
        extras = EXTRA_MEASURES
        return any(getattr(extras.get(n), "needs_mask", False) for n in self.measure_names)

    def reset(self) -> None:
        """Forget everything (a new session)."""
        self._side = self.policy if self.policy in SIDES else "left"
        self._side_score = 0.0  # running left-minus-right visibility (auto side)
        self._side_decided = self.policy in SIDES
        sides = SIDES if self.policy == "alternate" else (self._side,)
        self._tracks = {sd: self._new_track(sd) for sd in sides}
        self._active = self._side
        self.state = STATE_TRACKING
        self._raw_state = STATE_TRACKING
        self._raw_since = 0.0
        self._state_cue: Cue | None = None
        self._paused = False
        self._fail_since: dict[str, float] = {}
        self._latched: dict[str, tuple[Rule, float]] = {}
        self._cue: Cue | None = None
        self._cue_since = 0.0
        self._cleared_at: dict[str, float] = {}
        self._cue_stats: dict[str, dict] = {}
        self._history: deque[tuple[float, dict[str, float]]] = deque()
        self.cuts: list[float] = []  # times of the cuts the pipeline reported
        self._settle_until = -math.inf  # the speed/bounce history restarts here (cut)
        self._baselines: dict[tuple[str, str], deque[tuple[float, float]]] = {}
        self._tracking_since: float | None = None  # first frame of the current pose run
        self._holds: list[HoldRecord] = []
        self._forms: list[float] = []  # form component of each scored rep / hold
        self._caps: list[tuple[float, ...]] = []  # the caps of each scored rep / hold
        self._reps: list[RepRecord] = []
        self._set = 1
        self._set_reps = 0
        self._set_holds = 0
        self._frames = 0
        self._frames_pose = 0
        self._t0: float | None = None
        self._t_last = 0.0
        self._events: list[Event] = []
        # events raised between frames (switch_side from a key press) go out with the
        # next frame's result instead of being lost when update() starts a new list
        self._carry: list[Event] = []
        self._frame_index = 0
        self._warnings: list[str] = []
        # per rule id: [frames judged, frames its measure was unknown] while tracking
        self._rule_seen: dict[str, list[int]] = {}
        self._rule_parts: dict[str, str] = {}  # rule id -> why its measure was unknown
        self._last_result: FrameResult | None = None
        self._final: FrameResult | None = None

    def pause(self, paused: bool = True) -> None:
        """Pause (or resume) counting; frames while paused get state ``paused``."""
        self._paused = paused

    def switch_side(self) -> None:
        """Work the other side (left/right/auto policies); no effect for ``alternate``.

        The events it causes (holds it ends, the side change) come out in the next
        frame's ``FrameResult.events``.
        """
        if self.policy == "alternate":
            return
        frame_events, self._events = self._events, self._carry
        try:
            self._end_all_holds(self._t_last)
            new = other_side(self._side)
            self._side, self._active = new, new
            self._side_decided = True
            self._tracks = {new: self._new_track(new)}
            self._emit("side", self._t_last, {"side": new})
        finally:
            self._events = frame_events

    def cut(self, t_s: float) -> None:
        """The picture cut just before the frame at ``t_s`` (see the module docs, Cuts).

        Call it before that frame's :meth:`update`. Restarts the speed/bounce history
        and the change baselines; keeps phase, hold, rep and counts. ``cuts`` lists
        the times (a jump while the last cut settles extends it, not listed again).
        """
        self._history.clear()
        self._baselines.clear()
        if t_s >= self._settle_until - _EPS:  # (a jump while settling is the same cut)
            self.cuts.append(t_s)
        # the new view's landmarks settle over a few frames: history starts after that
        self._settle_until = t_s + self.cut_settle

    def reset_set(self) -> None:
        """Start a new set: the counters of the set start at 0 (records are kept)."""
        self._set += 1
        self._set_reps = 0
        self._set_holds = 0

    def update(
        self,
        frame_index: int,
        t_s: float,
        pose: Pose | None,
        measures: dict[str, float] | None = None,
    ) -> FrameResult:
        """Process one frame. ``measures``: resolved name -> value (computed here if None)."""
        self._events, self._carry = self._carry, []
        self._frame_index = frame_index
        self._frames += 1
        if self._t0 is None:
            self._t0 = t_s
        self._t_last = t_s
        if measures is None:
            measures = compute_measures(pose, self.measure_names, self.ex.min_visibility)
        measures = dict(measures)
        if pose is not None:
            self._frames_pose += 1
            if "shoulder_width_ratio" not in measures or _nan(measures["shoulder_width_ratio"]):
                measures["shoulder_width_ratio"] = _width_ratio_any(pose)
            self._update_side(pose)

        self._update_state(t_s, pose, measures)
        tracking = self.state == STATE_TRACKING
        settling = t_s < self._settle_until - _EPS  # just after a cut
        if pose is None:
            self._tracking_since = None
        elif self._tracking_since is None or settling:
            self._tracking_since = t_s  # (after a cut: change baselines settle from here)
        if not settling:
            self._history.append((t_s, measures))
        while (
            self._history
            and t_s - self._history[0][0]
            > max(self.ex.safety.bounce_window_s, self.speed_window) + 0.05
        ):
            self._history.popleft()

        failing: list[Rule] = []
        self._values_cached: dict[str, dict[str, float]] = {}
        for tr in self._tracks.values():
            vals = self._values(tr.side, measures, t_s, tracking)
            self._values_cached[tr.side] = vals
            f = self._step_track(tr, t_s, vals, tracking)
            if tr.side == self._active:
                failing = f
        if self.policy == "alternate":
            failing = self._pick_active(t_s, failing, measures, tracking)
        if tracking:
            failing = failing + self._safety_failures(t_s)
        self._update_cues(t_s, failing if tracking else [])

        tr = self._tracks[self._active]
        phase_obj = self._phase_obj(tr.phase)
        key = [resolve(m, self._active) for m in self.ex.key_measures]
        status, in_target = self._status(tr, measures)
        hold = tr.hold
        result = FrameResult(
            index=frame_index,
            t_s=t_s,
            pose=pose,
            measures=measures,
            state=self.state,
            side=self._active,
            phase=tr.phase,
            key_measures=key,
            measure_status=status,
            in_target=in_target,
            hold_s=round(hold.ok_time_s, 3) if hold else 0.0,
            hold_target_s=phase_obj.hold_s if phase_obj and phase_obj.hold_s else None,
            holds_done=self._set_holds,
            reps_done=self._set_reps,
            cue=self._state_cue if self.state != STATE_TRACKING else self._cue,
            events=self._events,
            paused=self._paused,
        )
        self._last_result = result  # finish() amends it into final_result
        return result

    @property
    def final_result(self) -> FrameResult | None:
        """The last frame's result as the end of the input left it (after :meth:`finish`).

        ``finish()`` may still count: it accepts a phase matched on the last frames, ends a
        running hold and closes an open rep. Those belong to the last frame, so this is
        that frame's ``FrameResult`` with the phase and the set's counts after closing and
        ``events`` = what ``finish()`` raised. ``pipeline.run`` hands it to the sinks'
        optional ``end(result)``: frames.csv's last row and the annotated video's last
        frame then agree with the summary. None before ``finish()`` or without frames.
        """
        return self._final

    def finish(self, partial: bool = False) -> SessionSummary:
        """End running holds, close an open rep as incomplete, and summarise the session.

        What this closes is reported like a frame's events, in :attr:`final_result`.
        """
        self._events = []
        for tr in self._tracks.values():
            # the input ended: a phase matched on the last frames is accepted without
            # waiting out the dwell (a clip that stops as the person gets back down)
            if (
                self.state == STATE_TRACKING
                and tr.cand is not None
                and (tr.phase is None or tr.out_since is not None)
            ):
                self._enter(tr, tr.cand, tr.cand_since, self._t_last)
        self._end_all_holds(self._t_last)
        for tr in self._tracks.values():
            if tr.left_start_s is not None and self.ex.cycle:
                # the input ended on the way back from the last phase of the cycle (the
                # peak was reached and left): the rep is done; one that never got there
                # is incomplete
                n = len(tr.cycle)
                # the last position before the way back (a symmetric cycle: its second)
                at_peak = n >= 2 and tr.cycle_pos == (n - 2 if n >= 3 else 1)
                if at_peak and tr.phase is not None and n >= 3:
                    # still at the peak when the input ended (a clip that stops at the
                    # top): it was not seen to fall short, nor to finish: not recorded.
                    # (A symmetric cycle's second position is its end: that counts.)
                    tr.left_start_s, tr.cycle_pos = None, 0
                    continue
                self._record_rep(tr, self._t_last, complete=at_peak)
        self._final = self._closing_result()
        records = [r.score for r in self._reps if r.score is not None]
        if not records or not self.ex.cycle:
            # a hold exercise, or a cycle seen only in its held phase (a clip filmed
            # during a twist's hold): the holds are what there is to score
            records += [h.score for h in self._holds if h.score is not None]
        comps = self._session_components()
        summary = SessionSummary(
            exercise=self.ex.name,
            side=self._side if self.policy != "alternate" else "alternate",
            duration_s=round(self._t_last - (self._t0 or 0.0), 3),
            frames=self._frames,
            frames_with_pose=self._frames_pose,
            holds=list(self._holds),
            reps=list(self._reps),
            cues={k: dict(v) for k, v in self._cue_stats.items()},
            score=round(float(np.mean(records)), 1) if records else None,
            score_components=comps,
            warnings=[*self._warnings, *self._cut_note(), *self._unjudged_note()],
            partial=partial,
        )
        summary.corrections = build_corrections(self.ex, summary)
        summary.score_notes = self._score_notes(bool(self._reps) and bool(self.ex.cycle))
        return summary

    def _score_notes(self, by_reps: bool) -> list[str]:
        """Why the score is what it is, in words (the report's "why 62")."""
        what = "rep" if by_reps else "hold"
        n = len(self._caps)
        if not n:
            return []
        if by_reps:
            out = [
                "each rep scores 45% for how far it went, 25% for how long it held the "
                "top, 20% for form, 10% for steadiness; the session is the mean of its reps"
            ]
        else:
            out = [
                "each hold scores 50% for its time against the target, 30% for form, "
                "20% for steadiness; the session is the mean of its holds"
            ]
        worst: dict[float, int] = {}
        for caps in self._caps:
            if caps:
                worst[min(caps)] = worst.get(min(caps), 0) + 1
        for cap, k in sorted(worst.items()):
            out.append(f"{k} of {n} {what}s {CAP_WORDS[cap]}: at most {cap:g} each")
        return out

    # --- helpers ---------------------------------------------------------------------

    def _unjudged_note(self) -> list[str]:
        """A line per rule that could not be judged on most of the frames it applies to
        (its points out of view or below visibility): silence there is not a pass."""
        out = []
        every = {r.id: r for r in self.ex.rules}
        for ph in self.ex.phases:
            every.update({r.id: r for r in ph.rules})
        for r in every.values():
            judged, unknown = self._rule_seen.get(r.id, (0, 0))
            if unknown and unknown >= UNJUDGED_SHARE * (judged + unknown):
                pct = round(100 * unknown / (judged + unknown))
                why = self._rule_parts.get(r.id, "not measured")
                out.append(
                    f'not judged on {pct}% of the frames it applies to ({why}): "{r.cue or r.id}"'
                )
        return out

    def _cut_note(self) -> list[str]:
        """The summary's line about cuts (none without cuts)."""
        if not self.cuts:
            return []
        times = ", ".join(f"{t:.1f} s" for t in self.cuts[:5])
        more = f" and {len(self.cuts) - 5} more" if len(self.cuts) > 5 else ""
        return [
            f"the picture cuts (another camera angle, a close-up or the person found "
            f"elsewhere) at {times}{more}: speed and bounce checks restarted there"
        ]

    def _closing_result(self) -> FrameResult | None:
        """The last frame's result amended with what finish() decided (see final_result)."""
        last = self._last_result
        if last is None:
            return None
        tr = self._tracks[self._active]
        hold_s, hold_target = last.hold_s, last.hold_target_s
        if tr.phase != last.phase:  # finish() accepted the phase the last frames matched
            phase_obj = self._phase_obj(tr.phase)
            hold_s = 0.0
            hold_target = phase_obj.hold_s if phase_obj and phase_obj.hold_s else None
        return replace(
            last, phase=tr.phase, side=self._active, hold_s=hold_s, hold_target_s=hold_target,
            holds_done=self._set_holds, reps_done=self._set_reps, events=list(self._events),
        )  # fmt: skip

    def _emit(self, kind: str, t_s: float, data: dict) -> None:
        self._events.append(Event(kind, t_s, self._frame_index, data))

    def _phase_obj(self, name: str | None) -> Phase | None:
        if name is None:
            return None
        return self.ex.phase(name)

    def _values(self, side: str, measures: dict[str, float], t: float, tracking: bool):
        """Definition name -> value for one side, plus the change values of change bounds
        (None while a change bound has no baseline yet)."""
        out: dict[str, float | None] = {}
        for m, name in self._resolved[side]:
            v = measures.get(name, math.nan)
            out[m] = math.nan if v is None else float(v)
        tr = self._tracks.get(side)
        # the baseline stands still while a hold runs (a 10 s tilt must not become the
        # new normal); it follows the person the rest of the time
        # (only inside a rep, so a wrong start can not freeze a wrong baseline)
        frozen = (
            tr is not None and tr.left_start_s is not None and tr.phase is not None
            and bool(self.ex.phase(tr.phase).hold_s)
        )  # fmt: skip
        for b in self._change_bounds:
            hist = self._baselines.setdefault((side, b.key), deque())
            v = out.get(b.measure, math.nan)
            if not frozen:
                settled = self._tracking_since is not None and (
                    t - self._tracking_since >= self.baseline_settle - _EPS
                )
                if tracking and settled and not _nan(v):
                    hist.append((t, v))
                while hist and t - hist[0][0] > b.baseline_s + _EPS:
                    hist.popleft()
            if _nan(v):
                out[b.key] = math.nan
                continue
            if not hist or hist[-1][0] - hist[0][0] < self.baseline_min - _EPS:
                out[b.key] = None  # no baseline yet: the bound does not decide (see _match)
                continue
            # a low (high) percentile rather than the extreme: one bad frame is no baseline
            q = BASELINE_PERCENTILE if b.baseline == "min" else 100 - BASELINE_PERCENTILE
            out[b.key] = v - _percentile([h[1] for h in hist], q)
        return out

    def _update_side(self, pose: Pose) -> None:
        if self.policy != "auto":
            return
        parts = [p for p in (self.ex.required or ("shoulder", "hip", "knee", "ankle"))
                 if f"left_{p}" in LANDMARK_INDEX]  # fmt: skip
        if not parts:
            parts = ["shoulder", "hip", "knee", "ankle"]
        diff = float(np.mean([pose.vis(f"left_{p}") - pose.vis(f"right_{p}") for p in parts]))
        # running average: a few frames decide; a later switch needs a clear margin
        self._side_score = 0.8 * self._side_score + 0.2 * diff if self._side_decided else diff
        want = "left" if self._side_score >= 0 else "right"
        if not self._side_decided:
            self._side_decided = True
            self._set_side(want)
        elif want != self._side and abs(self._side_score) > 0.2:
            self._set_side(want)

    def _new_track(self, side: str) -> _Track:
        return _Track(side, cycle=tuple(self.ex.cycle), cycle_fixed=not self.ex.symmetric)

    def _busy(self, tr: _Track) -> bool:
        """True while a side is doing something: in a rep, holding, or out of the start phase."""
        start = tr.cycle[0] if tr.cycle else None
        return (
            tr.left_start_s is not None
            or tr.hold is not None
            or (tr.phase is not None and tr.phase != start)
        )

    def _pick_active(
        self, t: float, failing: list[Rule], measures: dict[str, float], tracking: bool
    ) -> list[Rule]:
        """Alternate policy: the side shown and cued is the one that is moving."""
        if self._busy(self._tracks[self._active]):
            return failing
        for sd, tr in self._tracks.items():
            if sd != self._active and self._busy(tr):
                self._active = sd
                self._emit("side", t, {"side": sd})
                vals = self._values_cached.get(sd, {})
                return [
                    r for r in self.ex.rules_for(tr.phase)
                    if not _nan(vals.get(r.key, math.nan)) and not r.contains(vals[r.key])
                ]  # fmt: skip
        return failing

    def _set_side(self, side: str) -> None:
        if side == self._side and side in self._tracks:
            return
        old = self._tracks.get(self._side)
        if old is not None:
            self._end_hold(old, self._t_last)  # a running hold is recorded, not lost
            del self._tracks[self._side]
        self._side, self._active = side, side
        tr = self._new_track(side)
        if old is not None:  # keep progress: the same person, seen from the other side
            tr.phase, tr.phase_since = old.phase, old.phase_since
            tr.cycle_pos, tr.left_start_s = old.cycle_pos, old.left_start_s
            tr.cycle, tr.cycle_fixed = old.cycle, old.cycle_fixed
        self._tracks = {side: tr}
        self._emit("side", self._t_last, {"side": side})

    # --- state -------------------------------------------------------------------------

    def _raw(self, pose: Pose | None, measures: dict[str, float]) -> tuple[str, str]:
        if self._paused:
            return STATE_PAUSED, "Paused."
        if pose is None:
            return STATE_NO_PERSON, STATE_CUES[STATE_NO_PERSON]
        # alternate: either side in full view is enough (the far side is often hidden)
        sides = SIDES if self.policy == "alternate" else (self._active,)
        missing: list[str] = []
        for side in sides:
            miss = []
            for part in self.ex.required:
                name = f"{side}_{part}" if f"{side}_{part}" in LANDMARK_INDEX else part
                if pose.vis(name) < self.ex.min_visibility:
                    miss.append(part)
            miss += [p for p in self._target_points[side] if pose.vis(p) < self.ex.min_visibility]
            if not miss:
                missing = []
                break
            if not missing or len(miss) < len(missing):
                missing = miss
        if not missing and self.policy == "alternate" and self._busy(self._tracks[self._active]):
            # the other side's view excuses points hidden behind the body, not points of
            # the side being judged (the one moving) that are beyond the edge of the picture
            inside = pose.in_frame()
            side = self._active
            names = [f"{side}_{p}" if f"{side}_{p}" in LANDMARK_INDEX else p
                     for p in self.ex.required] + list(self._target_points[side])  # fmt: skip
            missing = [n for n in names if not inside[LANDMARK_INDEX[n]]]
        view = self.ex.camera.view
        ratio = measures.get("shoulder_width_ratio", math.nan)
        if not _nan(ratio):
            cam = self.ex.camera
            if view == "side" and ratio > (cam.max_width_ratio or SIDE_VIEW_MAX_RATIO):
                return STATE_WRONG_VIEW, cam.wrong_view_cue or STATE_CUES["side"]
            if view == "front" and ratio < (cam.min_width_ratio or FRONT_VIEW_MIN_RATIO):
                return STATE_WRONG_VIEW, cam.wrong_view_cue or STATE_CUES["front"]
        if missing:
            words: list[str] = []
            for p in missing:
                w = _PART_WORDS.get(p.split("_", 1)[1] if p.startswith(SIDES) else p, "body")
                if w not in words:
                    words.append(w)
            return STATE_LOW_VISIBILITY, f"Move back so your {' and '.join(words)} are in view."
        return STATE_TRACKING, ""

    def _update_state(self, t_s: float, pose: Pose | None, measures: dict[str, float]) -> None:
        raw, cue = self._raw(pose, measures)
        if raw != self._raw_state:
            self._raw_state, self._raw_since = raw, t_s
        # pausing and resuming tracking act at once; the others must persist
        due = raw in (STATE_PAUSED, STATE_TRACKING) or (
            t_s - self._raw_since >= self.state_delay - _EPS
        )
        if raw != self.state and due:
            self.state = raw
            self._state_cue = (
                None if raw == STATE_TRACKING else Cue(f"state_{raw}", cue, 0, "setup")
            )
            self._emit("state", t_s, {"state": raw, "cue": cue or None})
        elif raw == self.state and raw != STATE_TRACKING and cue and self._state_cue:
            self._state_cue = Cue(f"state_{raw}", cue, 0, "setup")

    # --- phases, reps, holds ----------------------------------------------------------

    def _match(self, phase: Phase, vals: dict[str, float], widen: bool) -> bool | None:
        """True/False; None when a target's measure is unknown (NaN).

        A change target whose baseline is not known yet (the first moments of tracking)
        is skipped; a phase with nothing left to decide on is unknown.
        """
        decided = 0
        for t in phase.targets:
            v = vals.get(t.key, math.nan)
            if v is None and t.change:
                continue
            if _nan(v):
                return None
            if not t.contains(v, self._hyst[t.unit] if widen else 0.0):
                return False
            decided += 1
        return True if decided else None

    def _step_track(
        self, tr: _Track, t: float, vals: dict[str, float], tracking: bool
    ) -> list[Rule]:
        """Advance one side's phase machine; returns the rules failing now."""
        tr.last_t = t
        if not tracking:
            if tr.left_start_s is not None:
                tr.rep_unseen = True
            self._hold_step(tr, t, ok=False, vals=vals)
            return []
        cur = self._phase_obj(tr.phase)
        cur_ok = self._match(cur, vals, widen=True) if cur else False
        if cur_ok is None:  # unknown values: keep everything as it is
            self._hold_step(tr, t, ok=False, vals=vals)
            return []
        # a candidate phase starts on a strict match and stays a candidate while it
        # holds within the hysteresis band (jitter at its edge does not restart the dwell);
        # a frame where its values are unknown (a point briefly out of view) keeps it too,
        # as a frame without a pose does, but cannot be the frame it is entered on
        cand_ok = (
            self._match(self.ex.phase(tr.cand), vals, widen=True) if tr.cand is not None else None
        )
        if tr.cand is None or cand_ok is False:
            matched = None
            for p in self.ex.phases:
                if p.name != tr.phase and self._match(p, vals, widen=False):
                    matched = p.name
                    break
            tr.cand, tr.cand_since = matched, t
            cand_ok = True if matched is not None else None
        if cur_ok:
            tr.out_since = None
        elif tr.out_since is None:
            tr.out_since = t
        out_long = tr.out_since is not None and t - tr.out_since >= self.dwell - _EPS
        leaving = cur is None or out_long
        if leaving:
            if tr.cand is not None and cand_ok and t - tr.cand_since >= self.dwell - _EPS:
                self._enter(tr, tr.cand, tr.cand_since, t)
            elif cur is not None and tr.cand is None:
                # out of the phase long enough and nothing else matched: between phases
                self._enter(tr, None, tr.out_since if tr.out_since is not None else t, t)

        failing = []
        for r in self.ex.rules_for(tr.phase):
            v = vals.get(r.key, math.nan)
            seen = self._rule_seen.setdefault(r.id, [0, 0])
            seen[1 if _nan(v) else 0] += 1
            if _nan(v) and r.id not in self._rule_parts:
                self._rule_parts[r.id] = _unknown_reason(resolve(r.measure, tr.side))
            if not _nan(v) and not r.contains(v):
                failing.append(r)
        phase = self._phase_obj(tr.phase)
        # the hold timer runs only while the phase holds, no rule of it fails and the body
        # is still in it (a person counts a hold from arriving until starting to leave)
        mid = self._still(tr, t, vals, phase)
        there = bool(phase is not None and phase.hold_s and self._match(phase, vals, widen=True))
        ok = there and mid is not None and not any(r.stops_hold for r in failing)
        # moving or leaving ends a hold where the stillness ended (the middle of the last
        # still window); a lost pose or a failing rule at the last good frame
        self._hold_step(tr, t, ok=ok, vals=vals, bad=bool(failing), mid=mid,
                        moved=not there or mid is None)  # fmt: skip
        if tr.left_start_s is not None:
            tr.rep_frames += 1
            if failing:
                tr.rep_bad += 1
                # (a rule joins the rep's faults when it is cued, in _update_cues: a
                # failure too brief to tell the person about is no fault of the rep)
            self._track_peak(tr, vals)
        return failing

    def _still(self, tr: _Track, t: float, vals: dict[str, float], phase: Phase | None):
        """The time this frame's stillness stands for, or None while the body moves.

        Still: each key measure the phase targets (all its target measures when none is
        a key measure) changed slower than ``still_deg_s`` (``still_ratio_s``) over the
        last ``still_window_s`` (the value that long ago interpolated between the frames
        around it, so the window is the same at any frame rate). The speed covers the
        window, so the stillness is dated to its middle: a hold starts and ends there.
        None also while less than half a window of history exists, and after a gap
        longer than two windows until a new window has passed.
        """
        hist = tr.still_hist
        if not hist:
            tr.still_from = t  # the first sample of this run: nothing is known before it
        hist.append((t, vals))
        while len(hist) >= 2 and t - hist[1][0] >= self.still_window - _EPS:
            hist.popleft()
        if phase is None or not phase.hold_s:
            return None
        w = self.still_window
        t0, v0 = hist[0]
        t1, v1 = hist[1] if len(hist) > 1 else (t, vals)
        if t1 - t0 > 2 * w + _EPS:
            # a gap (no pose, unknown values) after hist[0]: read from the first sample
            # after it, or start afresh: no stillness is read across a long gap
            if len(hist) > 2:
                hist.popleft()
                t0, v0 = hist[0]
                t1, v1 = hist[1] if len(hist) > 1 else (t, vals)
            else:
                while len(hist) > 1:
                    hist.popleft()
                tr.still_from = t
                return None
        # the value at t - w, interpolated between the samples around it: the speed is
        # read over the same window at any frame rate
        at = t - w
        k = (at - t0) / (t1 - t0) if t0 < at < t1 else None
        dt = w if k is not None else t - t0
        if dt < w / 2 - _EPS:
            return None
        keys = set(self.ex.key_measures)
        watched = [tg for tg in phase.targets if tg.measure in keys] or list(phase.targets)
        seen: set[str] = set()
        for tg in watched:
            if tg.measure in seen:
                continue
            seen.add(tg.measure)
            a, b = v0.get(tg.measure, math.nan), vals.get(tg.measure, math.nan)
            if k is not None:
                a1 = v1.get(tg.measure, math.nan)
                if not _nan(a) and not _nan(a1):
                    a = a + k * (a1 - a)
            if _nan(a) or _nan(b):
                continue  # unknown here: the phase match decides (a dropout is tolerated)
            if abs(b - a) / dt > self._still_limit[tg.unit] + _EPS:
                return None
        if k is None and t0 <= tr.still_from + _EPS:
            # still since the first sample of the run (a clip that starts in the held
            # position): no movement is known before it, the stillness starts there
            return t0
        return t - dt / 2

    def _enter(self, tr: _Track, name: str | None, since: float, t: float) -> None:
        prev = tr.phase
        left_at = tr.out_since if tr.out_since is not None else since
        tr.phase, tr.phase_since, tr.entered_t = name, since, t
        tr.out_since = None
        if tr.cand == name:
            tr.cand = None
        self._emit("phase", t, {"phase": name, "previous": prev, "since_s": round(since, 3)})
        if not tr.cycle_fixed and name in tr.cycle:
            # symmetric cycle [A, B, A]: one rep is one visit to each phase, starting
            # from whichever the person is seen in first (cat-camel may start either way)
            other = next(c for c in tr.cycle if c != name)
            tr.cycle, tr.cycle_fixed = (name, other), True
        cyc = tr.cycle
        if not cyc:
            return
        start = cyc[0]
        if (
            len(cyc) == 2 and prev == cyc[1] and name != cyc[1]
            and tr.left_start_s is not None and tr.cycle_pos == 1
        ):  # fmt: skip
            # a symmetric cycle (cat-camel) is one visit to each position: it is complete
            # when the second is left (held, then let go), not the moment it is reached
            self._record_rep(tr, left_at, complete=True)
        if prev == start and name != start:
            tr.left_start_s = min(left_at, since)
            tr.rep_peak, tr.rep_frames, tr.rep_bad = {}, 0, 0
            tr.rep_faults, tr.rep_unsteady, tr.rep_holds = [], 0, []
            tr.rep_fault_sev = {}
            tr.rep_unseen = False
            tr.cycle_pos = 0
        if name is None:
            return
        nxt = tr.cycle_pos + 1
        if tr.left_start_s is not None and nxt < len(cyc) and cyc[nxt] == name:
            tr.cycle_pos = nxt
            if nxt == len(cyc) - 1 and len(cyc) > 2:
                self._record_rep(tr, since, complete=True)
        elif name == start and tr.left_start_s is not None:
            # back at the start without completing the cycle
            self._record_rep(tr, since, complete=tr.cycle_pos == len(cyc) - 1)
        if name == start:
            tr.cycle_pos = 0

    def _track_peak(self, tr: _Track, vals: dict[str, float]) -> None:
        cyc = tr.cycle
        if len(cyc) < 2:
            return
        start = self.ex.phase(cyc[0])
        peak = self.ex.phase(cyc[1])
        for t in peak.targets:
            v = vals.get(t.key, math.nan)
            if _nan(v):
                continue
            sign = _direction(start, t)
            old = tr.rep_peak.get(t.key)
            if old is None or (v - old) * sign > 0:
                tr.rep_peak[t.key] = v

    def _record_rep(self, tr: _Track, end_s: float, complete: bool) -> None:
        if not complete and tr.rep_unseen:
            # part of it happened out of view (the state said so): it was not seen to
            # fall short, so it is neither counted nor reported as incomplete
            tr.left_start_s = None
            tr.cycle_pos = 0
            return
        start_s = tr.left_start_s if tr.left_start_s is not None else end_s
        cyc = tr.cycle
        depth = 1.0 if complete else self._depth_fraction(tr)
        peak = self.ex.phase(cyc[1]) if len(cyc) > 1 else None
        hold = 1.0
        if peak is not None and peak.hold_s:
            durations = [h.duration_s for h in tr.rep_holds]
            if tr.hold is not None:  # a hold still inside its grace when the rep ends
                durations.append(tr.hold.ok_time_s)
            best = max(durations, default=0.0)
            hold = min(1.0, best / peak.hold_s)
        form = 1.0 - (tr.rep_bad / tr.rep_frames if tr.rep_frames else 0.0)
        steady = max(0.0, 1.0 - tr.rep_unsteady)
        self._forms.append(form)
        caps = list(_fault_caps(tr.rep_fault_sev))
        if not complete:
            caps.append(CAP_INCOMPLETE)
        elif peak is not None and peak.hold_s and hold < SHORT_HOLD_SHARE:
            caps.append(CAP_SHORT_HOLD)
        self._caps.append(tuple(caps))
        complete_n = sum(1 for r in self._reps if r.complete) + (1 if complete else 0)
        rec = RepRecord(
            index=complete_n if complete else 0,
            start_s=round(start_s, 3),
            end_s=round(end_s, 3),
            complete=complete,
            depth={k: round(v, 2) for k, v in tr.rep_peak.items()},
            side=tr.side,
            score=rep_score(depth, hold, form, steady, tuple(caps)),
            faults=list(tr.rep_faults),
            peak_phase=cyc[1] if len(cyc) > 1 else None,
        )
        self._reps.append(rec)
        tr.left_start_s = None
        tr.cycle_pos = 0
        data = {
            "index": rec.index, "start_s": rec.start_s, "end_s": rec.end_s,
            "complete": complete, "depth": rec.depth, "side": rec.side, "score": rec.score,
            "faults": rec.faults,
        }  # fmt: skip
        if complete:
            self._set_reps += 1
            self._emit("rep", self._t_last, data)
            self._check_set()
        else:
            self._emit("rep_incomplete", self._t_last, data)

    def _depth_fraction(self, tr: _Track) -> float:
        cyc = tr.cycle
        if len(cyc) < 2:
            return 0.0
        start, peak = self.ex.phase(cyc[0]), self.ex.phase(cyc[1])
        fracs = []
        for t in peak.targets:
            v = tr.rep_peak.get(t.key)
            s = _edge(start, t.key, toward=t)
            goal = t.min if _direction(start, t) > 0 else t.max
            if v is None or s is None or goal is None or goal == s:
                continue
            fracs.append(min(1.0, max(0.0, (v - s) / (goal - s))))
        return round(float(np.mean(fracs)), 3) if fracs else 0.0

    def _hold_step(
        self, tr: _Track, t: float, ok: bool, vals: dict[str, float], bad: bool = False,
        mid: float | None = None, moved: bool = False,
    ) -> None:  # fmt: skip
        h = tr.hold
        if ok:
            # the moment this frame's stillness stands for (see _still), not before the
            # phase began
            at = t if mid is None else max(mid, min(tr.phase_since, t))
            if h is None:
                phase = tr.phase or ""
                start = at
                h = tr.hold = _Hold(phase, start, t, ok_time_s=t - start, last_mid_s=at)
                target = self.ex.phase(phase).hold_s
                self._emit("hold_start", t, {"phase": phase, "target_s": target,
                                             "start_s": round(start, 3)})  # fmt: skip
            else:
                # the timer runs while rules are met; a gap within the grace pauses it
                if h.prev_ok:
                    h.ok_time_s += t - h.last_ok_s
                h.last_ok_s = t
                h.last_mid_s = at
            h.prev_ok = True
            h.frames += 1
            key = self.ex.key_measures[0] if self.ex.key_measures else None
            if key is not None and not _nan(vals.get(key, math.nan)):
                h.values.append(vals[key])
            return
        if h is None:
            return
        if h.prev_ok:  # the first frame off: why the hold stopped (see _end_hold)
            h.left_moving = moved
        h.prev_ok = False
        h.frames += 1
        h.bad_frames += 1
        if t - h.last_ok_s > self.grace + _EPS:
            self._end_hold(tr, t)

    def _end_hold(self, tr: _Track, t: float) -> None:
        h = tr.hold
        if h is None:
            return
        tr.hold = None
        phase = self.ex.phase(h.phase)
        target = phase.hold_s or 0.0
        # a hold the body moved out of ends where its last still window is centred (see
        # _still); one stopped by a lost pose, a failing rule or the end of the input
        # ends at its last good frame
        end = h.last_mid_s if h.left_moving and not h.prev_ok else h.last_ok_s
        held = max(0.0, h.ok_time_s - (h.last_ok_s - end))
        reached = held >= target - 1e-6
        key = self.ex.key_measures[0] if self.ex.key_measures else None
        unit = "deg"
        if key is not None:
            for tg in phase.targets:
                if tg.measure == key:
                    unit = tg.unit
        sd = float(np.std(h.values)) if len(h.values) > 2 else 0.0
        steady = max(0.0, 1.0 - sd / (5.0 if unit == "deg" else 0.05))
        form = 1.0 - (h.bad_frames / h.frames if h.frames else 0.0)
        tit = min(1.0, held / target) if target else 1.0
        caps = list(_fault_caps(h.faults))
        if target and held < SHORT_HOLD_SHARE * target:
            caps.append(CAP_SHORT_HOLD)
        if not self.ex.cycle:  # a rep's form already covers its holds
            self._forms.append(form)
            self._caps.append(tuple(caps))
        rec = HoldRecord(
            phase=h.phase,
            start_s=round(h.start_s, 3),
            end_s=round(end, 3),
            duration_s=round(held, 3),
            target_s=target,
            reached=reached,
            side=tr.side,
            score=hold_score(tit, form, steady, tuple(caps)),
        )
        self._holds.append(rec)
        tr.rep_holds.append(rec)
        if reached and not self.ex.cycle:
            self._set_holds += 1
            self._check_set()
        elif reached:
            self._set_holds += 1
        self._emit("hold_end", t, dict(rec.__dict__))

    def _end_all_holds(self, t: float) -> None:
        for tr in self._tracks.values():
            self._end_hold(tr, t)

    def _check_set(self) -> None:
        want = self.ex.dose.reps
        if not want:
            return
        done = self._set_reps if self.ex.cycle else self._set_holds
        if self.ex.dose.per_side and self.policy == "alternate":
            want *= 2
        if done == want:
            self._emit("set_complete", self._t_last, {"set": self._set})

    # --- safety and cues ------------------------------------------------------------

    def _safety_failures(self, t: float) -> list[Rule]:
        sf = self.ex.safety
        out: list[Rule] = []
        names = [resolve(m, self._active) for m in self._safety_measures]
        hist = list(self._history)
        if sf.max_speed_deg_s and len(hist) >= 2:
            old = next((h for h in hist if t - h[0] <= self.speed_window), hist[0])
            dt = t - old[0]
            if dt >= self.speed_window * 0.5:
                for n in names:
                    a, b = old[1].get(n, math.nan), hist[-1][1].get(n, math.nan)
                    if not _nan(a) and not _nan(b) and abs(b - a) / dt > sf.max_speed_deg_s:
                        out.append(
                            Rule(
                                measure=n,
                                unit="deg",
                                id="too_fast",
                                cue=sf.speed_cue,
                                priority=1,
                                severity="safety",
                            )
                        )
                        break  # fmt: skip
        tr = self._tracks[self._active]
        phase = self._phase_obj(tr.phase)
        if sf.bounce_reversals and phase is not None and phase.hold_s:
            # only since the hold phase began (the way in is no bounce), and through a
            # 3-sample median so a one-frame tracking glitch is no bounce either
            since = max(t - sf.bounce_window_s, tr.phase_since)
            for n in names:
                series = _median3([h[1].get(n, math.nan) for h in hist if h[0] >= since - _EPS])
                if _reversals(series, sf.bounce_min_deg) >= sf.bounce_reversals:
                    out.append(Rule(measure=n, unit="deg", id="bouncing", cue=sf.bounce_cue,
                                    priority=1, severity="safety"))  # fmt: skip
                    break
        if out:
            for tr2 in self._tracks.values():
                if tr2.left_start_s is not None:
                    tr2.rep_unsteady = 1
        return out

    def _update_cues(self, t: float, failing: list[Rule]) -> None:
        for r in failing:
            if r.id in _TRANSIENT:
                self._latched[r.id] = (r, t + self.cue_min)
        for rid, (r, until) in list(self._latched.items()):
            if t > until + _EPS:
                del self._latched[rid]
            elif rid not in [f.id for f in failing]:
                failing = [*failing, r]
        ids = {r.id: r for r in failing}
        for rid in list(self._fail_since):
            if rid not in ids:
                del self._fail_since[rid]
        for rid in ids:
            self._fail_since.setdefault(rid, t)
        eligible = [
            r for r in ids.values()
            if (t - self._fail_since[r.id] >= self.cue_delay - _EPS or r.id in _TRANSIENT)
            and t - self._cleared_at.get(r.id, -1e9) >= self.cue_repeat - _EPS
        ]  # fmt: skip
        eligible.sort(key=lambda r: (_SEVERITY_RANK.get(r.severity, 3), r.priority))
        # a failure that lasted long enough to be told about is a fault of the rep / hold
        # under way (even while a more urgent cue is on screen)
        tr = self._tracks.get(self._active)
        for r in ids.values():
            if tr is None or r.severity == "setup":
                continue
            if t - self._fail_since[r.id] < self.cue_delay - _EPS and r.id not in _TRANSIENT:
                continue
            if tr.left_start_s is not None and r.id not in tr.rep_fault_sev:
                tr.rep_fault_sev[r.id] = r.severity
                tr.rep_faults.append(r.id)
            if tr.hold is not None:
                tr.hold.faults.setdefault(r.id, r.severity)
        cur = self._cue
        shown_for = t - self._cue_since
        best = eligible[0] if eligible else None
        if cur is not None:
            still = cur.id in ids
            if best is not None and best.id != cur.id:
                more_urgent = (_SEVERITY_RANK[best.severity], best.priority) < (
                    _SEVERITY_RANK.get(cur.severity, 3), cur.priority)  # fmt: skip
                min_done = shown_for >= self.cue_min - _EPS
                if (more_urgent and (best.severity == "safety" or min_done)) or (
                    not still and min_done
                ):
                    self._clear_cue(t)
                    self._show_cue(t, best)
                    return
            if not still and shown_for >= self.cue_min - _EPS:
                self._clear_cue(t)
            return
        if best is not None:
            self._show_cue(t, best)

    def _show_cue(self, t: float, r: Rule) -> None:
        self._cue = Cue(r.id, r.cue, r.priority, r.severity)
        self._cue_since = t
        st = self._cue_stats.setdefault(r.id, {"text": r.cue, "count": 0, "first_s": round(t, 3),
                                               "severity": r.severity})  # fmt: skip
        st["count"] += 1
        self._emit("cue", t, {"id": r.id, "text": r.cue, "severity": r.severity})

    def _clear_cue(self, t: float) -> None:
        if self._cue is None:
            return
        self._emit("cue_clear", t, {"id": self._cue.id})
        self._cleared_at[self._cue.id] = t
        self._cue = None

    # --- display ---------------------------------------------------------------------

    def _status(self, tr: _Track, measures: dict[str, float]):
        status: dict[str, str] = {}
        in_target: dict[str, bool] = {}
        phase = self._phase_obj(tr.phase)
        bounds: list[Bound] = []
        if phase is not None:
            bounds.extend(phase.targets)
        bounds.extend(self.ex.rules_for(tr.phase))
        for b in bounds:
            if b.change:  # drawn values are absolute; a change bound has no place there
                continue
            name = resolve(b.measure, tr.side)
            v = measures.get(name, math.nan)
            if _nan(v):
                continue
            d = b.distance(v)
            s = "ok" if d == 0 else ("near" if d <= self._near[b.unit] else "bad")
            # the worst status of any bound on the same measure wins
            if status.get(name) in (None, "ok") or s == "bad":
                status[name] = s
            if isinstance(b, Rule):
                continue
            in_target[name] = in_target.get(name, True) and d == 0
        return status, in_target

    def _session_components(self) -> dict[str, float]:
        comps: dict[str, float] = {}
        holds = self._holds
        reps = self._reps
        if holds:
            comps["time_in_target"] = round(
                float(np.mean([min(1.0, h.duration_s / h.target_s) if h.target_s else 1.0
                               for h in holds])), 3)  # fmt: skip
        if reps:
            comps["depth"] = round(sum(1 for r in reps if r.complete) / len(reps), 3)
        if self._forms:  # share of frames without a failing rule, averaged over reps/holds
            comps["form"] = round(float(np.mean(self._forms)), 3)
        cue_count = sum(v["count"] for v in self._cue_stats.values() if v["severity"] != "setup")
        comps["rule_violations"] = float(cue_count)  # form and safety cues shown (a count)
        unsteady = sum(
            v["count"] for k, v in self._cue_stats.items() if k in ("too_fast", "bouncing")
        )
        comps["steadiness"] = round(max(0.0, 1.0 - unsteady / max(1, len(reps) + len(holds))), 3)
        comps["pose_coverage"] = round(self._frames_pose / max(1, self._frames), 3)
        dose = self.ex.dose.reps
        if dose:
            done = sum(1 for r in reps if r.complete) if self.ex.cycle else sum(
                1 for h in holds if h.reached)  # fmt: skip
            comps["dose_done"] = round(min(1.0, done / dose), 3)
        return comps


# --- small pure helpers ------------------------------------------------------------


def _mid(b: Bound) -> float | None:
    if b.min is not None and b.max is not None:
        return (b.min + b.max) / 2
    return b.min if b.min is not None else b.max


def _direction(start: Phase, t: Bound) -> float:
    """+1 if the target lies above the start phase's range for that measure, else -1."""
    s = next((x for x in start.targets if x.key == t.key), None)
    if s is None:
        return 1.0 if t.min is not None else -1.0
    a, b = _mid(s), _mid(t)
    if a is None or b is None:
        return 1.0
    return 1.0 if b >= a else -1.0


def _edge(start: Phase, measure: str, toward: Bound) -> float | None:
    """The start phase's bound on ``measure`` nearest the target ``toward``."""
    s = next((x for x in start.targets if x.key == measure), None)
    if s is None:
        return None
    return s.max if _direction(start, toward) > 0 else s.min


def _median3(series: list[float]) -> list[float]:
    """Running median of 3 (ends kept): removes one-sample spikes, keeps real swings."""
    if len(series) < 3:
        return list(series)
    out = [series[0]]
    for a, b, c in zip(series, series[1:], series[2:]):  # noqa: B905
        trio = [v for v in (a, b, c) if not _nan(v)]
        out.append(float(np.median(trio)) if trio else math.nan)
    out.append(series[-1])
    return out


def _reversals(series: list[float], min_step: float) -> int:
    """Direction changes in ``series`` counting only swings of at least ``min_step``."""
    vals = [v for v in series if not _nan(v)]
    if len(vals) < 3:
        return 0
    count, direction = 0, 0
    extreme = vals[0]  # the furthest point reached in the current direction
    for v in vals[1:]:
        if direction == 0:
            if abs(v - extreme) >= min_step:
                direction, extreme = (1 if v > extreme else -1), v
        elif (v - extreme) * direction > 0:
            extreme = v
        elif abs(v - extreme) >= min_step:
            count += 1
            direction, extreme = -direction, v
    return count


def _width_ratio_any(pose: Pose) -> float:
    """shoulder_width_ratio from the landmark positions, whatever their visibility.

    Seen from the side the far shoulder is often below the visibility threshold,
    yet its predicted position still sits behind the near one: good enough for
    telling a side view from a front view.
    """
    idx = [LANDMARK_INDEX[n] for n in ("left_shoulder", "right_shoulder", "left_hip", "right_hip")]
    p = pose.xy[idx]
    trunk = float(np.linalg.norm((p[0] + p[1]) / 2 - (p[2] + p[3]) / 2))
    if trunk == 0 or not np.isfinite(trunk):
        return math.nan
    return float(np.linalg.norm(p[0] - p[1]) / trunk)

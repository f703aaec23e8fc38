"""The hold timer: how long a held phase was held, with a grace for short failures.

A hold is timed as a person counts it: from when the body has arrived in the held
phase and is still (:class:`Stillness`) until it starts to leave. In a phase with
``hold_s`` the timer runs while the phase's targets and every rule of that phase hold
and the body is still (the engine says so each frame: ``ok``). A failure or a lost
pose shorter than ``grace_s`` pauses the timer without ending the hold; a longer one
ends it: where the stillness ended when the body moved or left the phase, at the last
good frame when the pose was lost or a rule failed. After a hold in a visit of a
phase, a later pause in that visit is a hold only back in the held position
(:class:`HeldPosition`). Each hold ends as a
:class:`HoldRecord` (start, end, duration the timer ran, whether it reached
``hold_s``, score).
"""

from __future__ import annotations

import itertools
import math
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from posecheck.definition_reader import measure_unit
from posecheck.engine.common import EPS, PartEvent, check_nonneg, is_nan
from posecheck.engine.scoring import (
    CAP_HOLD,
    CAP_SHORT_HOLD,
    SHORT_HOLD_SHARE,
    fault_caps,
    hold_points,
    hold_reached,
    hold_score,
    hold_steadiness,
)
from posecheck.exercise import TIMING_DEFAULTS, Exercise, Phase, Target
from posecheck.results import HoldRecord

# How much of a hold's recent timing is kept (seconds): more than the stillness window,
# whose middle a hold the body moved out of ends at.
TRAIL_S = 1.0


class Stillness:
    """Is the body still? ``step(t, values, phase)`` per tracked frame of one side.

    Still: each key measure the phase targets (all its target measures when none is
    a key measure) changed slower than ``still_deg_s`` (``still_ratio_s`` for ratios)
    over the last ``window_s`` (the value that long ago interpolated between the
    frames around it, so the window is the same at any frame rate), and the
    exercise's other key measures slower than the larger of that and the default (a
    definition's lower limit is for its slow target: the standing backbend's lean, not
    its knees). A held measure that peaks on its way through while the rest of the
    body moves has not arrived (the real chest raise from all fours: the shoulder
    elevation peaked in the "up" band for 0.3 s as she lowered from the tabletop, her
    elbows bending 175 -> 60 deg meanwhile, and was a hold). The speed covers
    the window, so the stillness is dated to its middle. None while the body moves and
    while less than half a window of history exists. Where the speed crossed its limit
    between the previous frame and this one, the crossing (interpolated linearly) is
    when the stillness began, or ended (``left_s``): a frame rate changes when it is
    noticed, not when it is dated. ``since_s`` is when the current stillness began.
    It is read from a candidate hold phase on (``engine.track.SideTrack``), so a body that was
    still before its phase was entered counts as still from the phase's start.

    A run of history starts with the first frame, and again after a gap longer than
    two windows in which the side was lost (frames without a pose or with unknown
    values: :meth:`lost`). Frames that never came (a busy machine drops them) are
    bridged up to ``bridge_s``: the value a window ago is interpolated across the gap,
    so the speed is the change over it. Its first ``settle_s`` are left out: the
    model's landmarks settle when it finds a person, as after a cut (real band-bridge
    clip: the knee angle creeps 66 -> 78 deg in the first 0.45 s, the person still at
    the top). A body still from the first frame after that is still since the run
    began (a clip that starts in the held position): nothing before is known to be
    movement.
    """

    def __init__(
        self,
        exercise: Exercise,
        limits: Mapping[str, float],
        window_s: float,
        settle_s: float = 0.0,
        bridge_s: float = 0.0,
    ) -> None:
        check_nonneg(still_window_s=window_s, cut_settle_s=settle_s, drop_bridge_s=bridge_s,
                     **{f"still_{k}": v for k, v in limits.items()})  # fmt: skip
        self.ex = exercise
        self.limits = dict(limits)  # unit ("deg", "ratio") -> speed limit per second
        # the exercise's key measures (drawn) -> their limit: the default for the unit, or
        # the definition's if higher (the standing backbend's 6 deg/s is for its slow lean,
        # not for the knees)
        units = {m: measure_unit(m) for m in exercise.key_measures}
        self.key_limits = {
            m: max(self.limits[u], TIMING_DEFAULTS[f"still_{u}_s"])
            for m, u in units.items()
            if u is not None and u in self.limits
        }
        self.window_s = window_s
        self.settle_s = settle_s
        self.bridge_s = bridge_s
        self._lost = False  # a frame without this side's values since the last step
        self.hist: deque[tuple[float, Mapping[str, float | None]]] = deque()
        self.run_from = 0.0  # the first frame of the current run
        self._first = 0.0  # the run's first frame after the settle time
        self._last: float | None = None  # the previous frame of the run
        # the previous frame's (time, speed / limit, phase) when its speed was measured
        self._prev: tuple[float, float, str] | None = None
        self.left_s: float | None = None  # this frame: when the stillness ended (or None)
        self.since_s: float | None = None  # when the current stillness began (None: moving)

    def step(
        self, t: float, values: Mapping[str, float | None], phase: Phase | None
    ) -> float | None:
        """The time this frame's stillness stands for, or None (see the class)."""
        since, self.since_s = self.since_s, None
        still = self._step(t, values, phase)
        if still is not None:
            self.since_s = still if since is None else since
        return still

    def lost(self) -> None:
        """A frame without this side's values (no pose, not tracking, unknown values)."""
        self._lost = True

    def _step(
        self, t: float, values: Mapping[str, float | None], phase: Phase | None
    ) -> float | None:
        hist, w = self.hist, self.window_s
        prev, self._prev, self.left_s = self._prev, None, None
        gap = math.inf if self._last is None else t - self._last
        lost, self._lost = self._lost, False
        if gap > 2 * w + EPS and (lost or gap > self.bridge_s + EPS):
            hist.clear()  # the first frame, or the first after a gap: a new run
            self.run_from = t
            prev = None
        self._last = t
        if t < self.run_from + self.settle_s - EPS:
            return None  # the model settles: its movement is not the person's
        if not hist:
            self._first = t
        hist.append((t, values))
        while len(hist) >= 2 and t - hist[1][0] >= w - EPS:
            hist.popleft()
        if phase is None or not phase.hold_s:
            return None
        got = self._speed(t, values, phase)
        if got is None:
            return None
        ratio, dt, k = got
        self._prev = (t, ratio, phase.name)
        # the speed crossed its limit between the previous frame and this one: the
        # crossing, interpolated, is when the stillness began or ended (not the frame
        # it was noticed at, which is up to a frame interval later at a slow rate)
        at = t
        if prev is not None and prev[2] == phase.name and (prev[1] > 1.0) != (ratio > 1.0):
            at = prev[0] + (prev[1] - 1.0) / (prev[1] - ratio) * (t - prev[0])
        if ratio > 1.0:
            if at < t:
                self.left_s = at - dt / 2
            return None
        if k is None and hist[0][0] <= self._first + EPS:
            return self.run_from  # still since the run's first trusted frame
        return at - dt / 2

    def _speed(
        self, t: float, values: Mapping[str, float | None], phase: Phase
    ) -> tuple[float, float, float | None] | None:
        """(the fastest watched measure's speed over the window as a share of its limit,
        the span it covers, where the window's start fell between the two oldest frames)
        or None while less than half a window of history exists."""
        hist, w = self.hist, self.window_s
        t0, v0 = hist[0]
        t1, v1 = hist[1] if len(hist) > 1 else (t, values)
        at = t - w  # the value a window ago, between the samples around it
        k = (at - t0) / (t1 - t0) if t0 < at < t1 else None
        dt = w if k is not None else t - t0
        if dt < w / 2 - EPS:
            return None
        keys = set(self.ex.key_measures)
        watched = [tg for tg in phase.targets if tg.measure in keys] or list(phase.targets)
        limit = {tg.measure: self.limits[tg.unit] for tg in watched}
        for m, lim in self.key_limits.items():  # the body: every measure drawn
            limit.setdefault(m, lim)
        ratio = 0.0
        for m, lim in limit.items():
            a, b = v0.get(m, math.nan), values.get(m, math.nan)
            if k is not None:
                a1 = v1.get(m, math.nan)
                if a is not None and a1 is not None and not is_nan(a) and not is_nan(a1):
                    a = a + k * (a1 - a)
            if a is None or b is None or is_nan(a) or is_nan(b):
                continue  # unknown here: the phase match decides (a dropout is tolerated)
            ratio = max(ratio, abs(b - a) / dt / (lim + EPS))
        return ratio, dt, k


class HeldPosition:
    """Is the body back where it was held in this visit of a phase?

    A person holds a position once per arrival: after a hold in a visit of a phase has
    ended, a later pause in the same visit is a hold again only where the body is back
    in the held position: on each of the phase's targets within the hysteresis band
    (``band``, per unit) of the mean value held so far in the visit, or beyond it on
    the side the target leaves open (a ``min``-only target: higher; ``max``-only:
    lower). A pause on the way out that is still inside the phase's target range is not
    a second hold (real cat-camel clip: the camel held at -0.17..-0.18 back curvature,
    then a pause back at -0.04, a neutral back, as the clip fades out). The held values
    are those of the frames a hold ran on (in the phase and still): a misread frame or
    the way in is no reference.
    """

    def __init__(self, band: Mapping[str, float]) -> None:
        check_nonneg(**{f"hysteresis[{k}]": v for k, v in band.items()})
        self.band = dict(band)
        self.visit: tuple[str, float] | None = None  # (phase, since) of the visit
        self.sums: dict[str, tuple[float, int]] = {}  # target key -> (sum, frames) held
        self.targets: tuple[Target, ...] = ()
        self.held = False  # a hold of this visit has ended
        self.view = 0  # counts the cuts: a hold that began before one is of another view

    def step(self, phase: Phase, since: float) -> None:
        """A frame in ``phase`` (entered at ``since``): a new visit starts afresh."""
        if self.visit != (phase.name, since):
            self.visit, self.sums, self.held = (phase.name, since), {}, False
            self.targets = phase.targets

    def sample(self, values: Mapping[str, float | None]) -> None:
        """A frame a hold ran on: part of the held position."""
        for t in self.targets:
            v = values.get(t.key)
            if v is not None and not is_nan(v):
                s, n = self.sums.get(t.key, (0.0, 0))
                self.sums[t.key] = (s + v, n + 1)

    def restart(self) -> None:
        """The picture cut: the values before it are no reference (another camera angle)."""
        self.sums, self.held = {}, False
        self.view += 1

    def token(self) -> tuple[tuple[str, float] | None, int]:
        """What a hold starting now began in: the visit and the view."""
        return self.visit, self.view

    def ended(self, began: tuple[tuple[str, float] | None, int] | None) -> None:
        """A hold that began at ``began`` (:meth:`token`) ended: it counts for this visit
        only if it began in it and in the same view (not before a cut)."""
        if began is not None and began[0] is not None and began == self.token():
            self.held = True

    def back(self, values: Mapping[str, float | None]) -> bool:
        """True unless a hold of this visit has ended and the body is not back in it."""
        return not self.held or self.near(values)

    def near(self, values: Mapping[str, float | None]) -> bool:
        """The body is in the position held so far in this visit (see the class)."""
        for t in self.targets:
            v, sn = values.get(t.key), self.sums.get(t.key)
            if v is None or sn is None or is_nan(v):
                continue
            d, w = v - sn[0] / sn[1], self.band.get(t.unit, 0.0) + EPS
            if (t.max is not None and d > w) or (t.min is not None and d < -w):
                return False
        return True


@dataclass
class _Hold:
    phase: str
    start_s: float
    last_ok_s: float
    ok_time_s: float = 0.0
    last_mid_s: float = 0.0  # the time the last still frame stands for (see Stillness)
    left_s: float | None = None  # when the stillness ended, interpolated (see Stillness)
    left_moving: bool = False  # the timer last stopped because the body moved / left
    wobbling: bool = False  # every frame since the last ok one only failed the stillness
    # (frame time, time held by then) of the last ok frames: the time held at the end
    trail: deque[tuple[float, float]] = field(default_factory=deque)
    faults: dict[str, str] = field(default_factory=dict)  # cued rule id -> severity
    began: tuple[tuple[str, float] | None, int] | None = None  # HeldPosition.token at start
    prev_ok: bool = True
    frames: int = 0
    bad_frames: int = 0
    values: list[float] = field(default_factory=list)
    views: list[int] = field(default_factory=list)  # where in values each later view begins
    arrived: bool = False  # the phase began after the side was first seen (HoldRecord)
    # the pose was lost straight after an ok frame in the held position, and not seen since
    lost_in_position: bool = False


def spread_within_views(values: Sequence[float], views: Sequence[int] = ()) -> float:
    """The standard deviation of ``values`` about the mean of their own camera view
    (``views``: the indices where a later view begins), pooled over the views.

    After a cut the same position reads differently (the real supine-twist clip's one
    held twist reads 93, 78 and 99 degrees of knee roll in its three camera angles),
    so a hold is not less steady for crossing one. 0 for fewer than 3 values.
    """
    if len(values) < 3:
        return 0.0
    x = np.asarray(values, dtype=float)
    bounds = [0, *sorted(i for i in views if 0 < i < len(x)), len(x)]
    squares = sum(
        float(((x[a:b] - x[a:b].mean()) ** 2).sum()) for a, b in itertools.pairwise(bounds) if b > a
    )
    return math.sqrt(squares / len(x))


def _held_by(h: _Hold, end: float) -> float:
    """The time ``h`` was held by ``end`` (at or before its last ok frame): read from its
    trail, so a pause after ``end`` is not taken off twice."""
    prev: tuple[float, float] | None = None
    for t, held in h.trail:
        if t >= end - EPS:
            if prev is None:
                break
            return max(0.0, prev[1] + min(end - prev[0], held - prev[1]))
        prev = (t, held)
    return max(0.0, h.ok_time_s - (h.last_ok_s - end))


@dataclass(frozen=True)
class Spread:
    """How much a hold's key measure moved while held: its standard deviation about its
    mean in each camera view (:func:`spread_within_views`), in the measure's unit."""

    measure: str | None
    value: float
    unit: str = "deg"


@dataclass(frozen=True)
class HoldEnded:
    """A hold ended: its record and the share of its frames without a failing rule."""

    record: HoldRecord
    form: float
    t_s: float
    caps: tuple[float, ...] = ()  # what capped its score (posecheck.engine.scoring)
    points: dict[str, float] | None = None  # what each part earned (scoring.hold_points)
    spread: Spread | None = None  # the key measure's spread while held


class HoldTimer:
    """One side's hold: ``step`` per frame returns a ``hold_start`` event or a
    :class:`HoldEnded`."""

    def __init__(
        self,
        exercise: Exercise,
        side: str,
        grace_s: float,
        dwell_s: float = 0.0,
        band: Mapping[str, float] | None = None,
    ) -> None:
        check_nonneg(grace_s=grace_s, min_dwell_s=dwell_s)
        self.ex = exercise
        self.side = side
        self.grace_s = grace_s
        self.dwell_s = dwell_s  # stillness this long before a hold starts (dated back)
        self._pending: tuple[float, float] | None = None  # (first still frame, its time)
        self._pending_ok = 0.0  # the last still frame of a pending hold
        self.key = exercise.key_measures[0] if exercise.key_measures else None
        self.hold: _Hold | None = None
        self.held_at = HeldPosition(band) if band is not None else None
        self._last: Mapping[str, float | None] = {}  # the last frame's values
        self._last_ok: Mapping[str, float | None] = {}  # the last ok frame's
        # a hold that ended as the pose was lost in its position: if no pose is seen
        # again, the input ended it (a fade to black), not the person (see end)
        self.lost_ended: HoldRecord | None = None
        # set by the track each frame: the current phase began after the side was seen
        # (not in it from the first frames); a hold starting now keeps it
        self.arrived = False

    @property
    def running_s(self) -> float | None:
        """Time held so far by the running hold (None: no hold runs)."""
        return self.hold.ok_time_s if self.hold is not None else None

    @property
    def shown_s(self) -> float | None:
        """Time held so far as the record would give it if the body moved off now (up
        to the moment the last still frame stands for): what the overlay's ring and a
        live display show, so they never show more than the hold's record will say."""
        h = self.hold
        return _held_by(h, h.last_mid_s) if h is not None else None

    def step(
        self,
        t_s: float,
        ok: bool,
        values: Mapping[str, float | None],
        phase: str | None,
        phase_since: float,
        entered_t: float | None = None,
        still_s: float | None = None,
        moved: bool = False,
        wobble: bool = False,
        left_s: float | None = None,
        since_s: float | None = None,
        lost: bool = False,
    ) -> PartEvent | HoldEnded | None:
        """One frame: ``ok`` = the held phase and its rules hold and the body is still;
        ``still_s`` = the time that stillness stands for and ``since_s`` when it began
        (:class:`Stillness`); ``moved`` = not ok because the body moves or left the
        phase; ``wobble`` = not ok only because the body is not still (still in the
        phase, no rule failing); ``left_s`` = when the stillness ended or the body left
        the phase, between the last frame and this one (Stillness, the phase machine);
        ``lost`` = not ok because the side's values are unknown (no pose, a dropout).
        The hold's form score counts the frames a rule failed on: not a wobble, a
        moment out of the phase or a lost pose (the real supine twist's cuts read as
        "a form rule failed on 2% of the held frames", no rule having failed).

        A wobble shorter than the grace is counted as held (a person's count goes on
        through a tremor the speed test catches for a frame: the segmentation-mask
        curvature of a sample cat-camel hold drawn for 2 s lost 0.25 s that way);
        a failure or a lost pose pauses the timer."""
        h = self.hold
        ends = self.held_at
        self._last = values
        if not lost:
            self.lost_ended = None  # the person was seen after that hold ended
        if ends is not None and phase is not None:
            ends.step(self.ex.phase(phase), phase_since)
        if ok and h is None and self._pending is None and ends is not None:
            ok = ends.back(values)  # after a hold in this visit: only back in its position
        if ok:
            # the moment this frame's stillness stands for, not before the phase began
            at = t_s if still_s is None else max(still_s, min(phase_since, t_s))
            if h is None:
                # from when the body was still in the phase: a stillness that began
                # before the phase did counts from the phase's start
                begun = at if since_s is None else max(since_s, min(phase_since, t_s))
                return self._arrive(t_s, min(at, begun), at, values, phase or "")
            # the timer runs while rules are met; a gap within the grace pauses it,
            # unless the body only wobbled in the phase
            if h.prev_ok or h.wobbling:
                h.ok_time_s += t_s - h.last_ok_s
            h.trail.append((t_s, h.ok_time_s))
            while t_s - h.trail[0][0] > TRAIL_S:
                h.trail.popleft()
            h.last_ok_s = t_s
            h.last_mid_s = at
            self._sample(h, values)
            return None
        if h is None:
            # a flicker shorter than the grace keeps a hold about to start, as a running
            # one; a body still moving has not arrived yet: its stillness starts afresh
            if self._pending is not None and (moved or t_s - self._pending_ok > self.grace_s + EPS):
                self._pending = None
            return None
        if h.prev_ok:  # the first frame off: why the hold stopped (see end)
            h.left_moving = moved
            h.wobbling = wobble
            h.left_s = left_s
            h.lost_in_position = lost and (ends is None or ends.near(self._last_ok))
        elif not lost:
            h.lost_in_position = False
        h.wobbling = h.wobbling and wobble
        h.prev_ok = False
        h.frames += 1
        h.bad_frames += 0 if wobble or moved or lost else 1  # a rule failed
        if t_s - h.last_ok_s > self.grace_s + EPS:
            return self.end(t_s)
        return None

    def _arrive(
        self, t_s: float, begun: float, at: float, values: Mapping[str, float | None], name: str
    ) -> PartEvent | None:
        """A still frame in the phase, no hold running: the hold starts once the body
        was still ``dwell_s`` (as a phase must match that long: a still moment while
        passing through is no hold), dated back to where the stillness began."""
        if self._pending is None:
            self._pending = (t_s, begun)
        self._pending_ok = t_s
        if t_s - self._pending[0] < self.dwell_s - EPS:
            return None
        start, self._pending = self._pending[1], None
        h = self.hold = _Hold(name, start, t_s, ok_time_s=t_s - start, last_mid_s=at,
                              arrived=self.arrived)  # fmt: skip
        h.began = self.held_at.token() if self.held_at is not None else None
        h.trail.extend(((start, 0.0), (t_s, t_s - start)))
        self._sample(h, values)
        data = {"phase": name, "target_s": self.ex.phase(name).hold_s,
                "start_s": round(start, 3)}  # fmt: skip
        return PartEvent("hold_start", t_s, data)

    def new_view(self) -> None:
        """The picture cut: a later pause is judged against the range seen after it, and
        the running hold's steadiness within each view (:func:`spread_within_views`)."""
        if self.held_at is not None:
            self.held_at.restart()
        if self.hold is not None:
            self.hold.views.append(len(self.hold.values))

    def _in_position(self) -> bool:
        """The last frame is in the position this visit held (see :meth:`end`)."""
        return self.held_at is None or self.held_at.near(self._last)

    def add_fault(self, rule_id: str, severity: str) -> None:
        """A rule was cued during the running hold (it caps the hold's score)."""
        if self.hold is not None:
            self.hold.faults.setdefault(rule_id, severity)

    def _sample(self, h: _Hold, values: Mapping[str, float | None]) -> None:
        h.prev_ok, h.wobbling = True, False
        self._last_ok = values
        if self.held_at is not None:
            self.held_at.sample(values)
        h.frames += 1
        v = values.get(self.key, math.nan) if self.key is not None else None
        if v is not None and not is_nan(v):
            h.values.append(v)

    def end(self, t_s: float, stopped: str | None = None) -> HoldEnded | None:
        """End the running hold (if any) and score it. ``stopped``: why counting stopped
        (:attr:`HoldRecord.stopped`), when that, not its grace running out, ends it; the
        record keeps it only where the last frame was still held: ok (in the phase and
        still) and in the position held (:meth:`HeldPosition.near`: the stillness is
        measured over a window, so it lags a body that has begun to move). Not where the
        person was leaving: the real bridge clip ends 0.5 s after its last hold as she
        lowers; a rendered bridge cut 0.5 s into its lowering (hip 176 -> 169 deg) was
        told "keep recording until you come out of it", and the pause key pressed as a
        person lowered hid a hold that fell short."""
        h = self.hold
        if h is None:
            return None
        self.hold = None
        if self.held_at is not None:
            self.held_at.ended(h.began)
        phase = self.ex.phase(h.phase)
        target = phase.hold_s or 0.0
        unit = "deg"
        if self.key is not None:
            for tg in phase.targets:
                if tg.measure == self.key:
                    unit = tg.unit
        spread = spread_within_views(h.values, h.views)
        steady = hold_steadiness(spread, unit)
        form = 1.0 - (h.bad_frames / h.frames if h.frames else 0.0)
        # a hold the body moved out of ends where its stillness ended (the window
        # centred on the speed's crossing of its limit, else on the last still frame);
        # one stopped by a lost pose, a failing rule or the end of the input at its
        # last good frame
        end = h.last_ok_s
        if h.left_moving and not h.prev_ok:
            end = h.last_mid_s if h.left_s is None else max(h.last_mid_s, h.left_s)
        held = _held_by(h, end)
        tit = min(1.0, held / target) if target else 1.0
        caps = fault_caps(h.faults)
        if target and held < SHORT_HOLD_SHARE * target:
            caps = (*caps, CAP_SHORT_HOLD)
        elif target and not hold_reached(self.ex, held, target):  # told to hold longer
            caps = (*caps, CAP_HOLD)  # never green
        rec = HoldRecord(
            phase=h.phase,
            start_s=round(h.start_s, 3),
            end_s=round(end, 3),
            duration_s=round(held, 3),
            target_s=target,
            reached=hold_reached(self.ex, held, target),
            side=self.side,
            score=hold_score(tit, form, steady, caps),
            arrived=h.arrived,
            stopped=stopped if h.prev_ok and self._in_position() else None,
        )
        self.lost_ended = rec if rec.stopped is None and h.lost_in_position else None
        return HoldEnded(
            rec, form, t_s, caps, hold_points(tit, form, steady), Spread(self.key, spread, unit)
        )

"""The phase machine: which phase of the exercise the person is in, with dwell and hysteresis.

A phase is matched when every one of its targets holds. The current phase is kept
while its targets hold within a band widened by the hysteresis (``hysteresis_deg``,
``hysteresis`` for ratios). A new phase (or leaving to "between phases") must be
matched for ``min_dwell_s``; the phase's start is dated back to when it first
matched. The band never reaches past the middle of the gap to another phase's range
on the same measure (:func:`stay_caps`): otherwise leaving the start phase and
reaching the next would be one event, and a rep that stops in the gap could not be
seen (chest raise: down up to 15 deg, up from 20 deg, hysteresis 6 deg). A frame
where a target's value is unknown (NaN) changes nothing: the current phase stays and
a candidate keeps its dwell (it is entered only on a frame that matches it).
:func:`match` is shared with :mod:`posecheck.recognize`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from posecheck.engine.common import EPS, PartEvent, check_nonneg, is_nan
from posecheck.exercise import Phase, Target


def match(
    phase: Phase,
    values: Mapping[str, float | None],
    widen: Mapping[str, float] | None = None,
    caps: Mapping[str, float] | None = None,
) -> bool | None:
    """True/False; None when a target's measure is unknown (NaN).

    ``widen``: per unit ("deg", "ratio") how far outside its range a target may be
    (the hysteresis band for staying in a phase); ``caps``: per target key, at most
    this far (:func:`stay_caps`). A change target whose baseline is not known yet
    (value None) is skipped; a phase with nothing left to decide is unknown.
    """
    decided = 0
    for t in phase.targets:
        v = values.get(t.key, math.nan)
        if v is None and t.change:
            continue
        if v is None or is_nan(v):
            return None
        w = widen[t.unit] if widen is not None else 0.0
        if caps is not None and t.key in caps:
            w = min(w, caps[t.key])
        if not t.contains(v, w):
            return False
        decided += 1
    return True if decided else None


def stay_caps(phases: Sequence[Phase]) -> dict[str, dict[str, float]]:
    """Per phase, per target key: half the gap from the target's bound to the nearest
    opposite bound of another phase on the same key (a cap on the hysteresis band).

    Chest raise: "down" ends at 15 deg, "up" begins at 20 deg, so either may be kept
    at most 2.5 deg past its bound, and a raise to 18 deg leaves "down" without
    reaching "up": an incomplete rep, not a rep nobody saw.
    """
    out: dict[str, dict[str, float]] = {}
    for p in phases:
        caps: dict[str, float] = {}
        for t in p.targets:
            for q in phases:
                if q is p:
                    continue
                for u in q.targets:
                    if u.key != t.key:
                        continue
                    gaps = []
                    if t.max is not None and u.min is not None and u.min >= t.max:
                        gaps.append(u.min - t.max)
                    if t.min is not None and u.max is not None and u.max <= t.min:
                        gaps.append(t.min - u.max)
                    for g in gaps:
                        caps[t.key] = min(caps.get(t.key, math.inf), g / 2)
        if caps:
            out[p.name] = caps
    return out


def _crossing(t: Target, v0: float | None, v1: float | None, w: float, leaving: bool) -> float:
    """Where between two frames (0..1) the value went from v0 to v1 crossed into the
    target ``t`` widened by ``w`` (``leaving``: out of it); 1 when unknown."""
    if v0 is None or v1 is None or is_nan(v0) or is_nan(v1) or v0 == v1:
        return 1.0
    a, b = (v1, v0) if leaving else (v0, v1)  # a: outside, b: inside
    if t.min is not None and a < t.min - w <= b:
        edge = t.min - w
    elif t.max is not None and a > t.max + w >= b:
        edge = t.max + w
    else:
        return 1.0
    f = (edge - v0) / (v1 - v0)
    return min(1.0, max(0.0, f))


def crossed(
    phase: Phase,
    before: Mapping[str, float | None],
    values: Mapping[str, float | None],
    widen: Mapping[str, float] | None = None,
    caps: Mapping[str, float] | None = None,
    leaving: bool = False,
) -> float:
    """Where between the frame with ``before`` and the one with ``values`` (0..1, linear
    between them) ``phase``'s targets came to hold: when the last of them entered its
    range (``leaving``: when the first left it; ``widen``, ``caps`` as :func:`match`).
    A phase edge dated at the crossing, not at the frame that noticed it, is the same at
    any frame rate."""
    out = 1.0 if leaving else 0.0
    for t in phase.targets:
        w = widen[t.unit] if widen is not None else 0.0
        if caps is not None and t.key in caps:
            w = min(w, caps[t.key])
        v0, v1 = before.get(t.key, math.nan), values.get(t.key, math.nan)
        in0 = v0 is not None and t.contains(v0, w)
        in1 = v1 is not None and t.contains(v1, w)
        if leaving and in0 and not in1:
            out = min(out, _crossing(t, v0, v1, w, True))
        elif not leaving and in1 and not in0:
            out = max(out, _crossing(t, v0, v1, w, False))
    return out


@dataclass(frozen=True)
class PhaseEntered:
    """The machine entered ``name`` (None: between phases) at frame time ``t_s``."""

    name: str | None
    previous: str | None
    since_s: float  # when it first matched (the phase's start)
    left_at_s: float  # when the previous phase stopped holding
    t_s: float

    def event(self) -> PartEvent:
        data = {"phase": self.name, "previous": self.previous, "since_s": round(self.since_s, 3)}
        return PartEvent("phase", self.t_s, data)


@dataclass(frozen=True)
class PhaseStep:
    """One frame's outcome: ``known`` False when the values could not decide anything."""

    known: bool
    entered: PhaseEntered | None = None


class PhaseMachine:
    """``step(t_s, values)`` per tracked frame; ``phase`` is the current one."""

    def __init__(self, phases: Sequence[Phase], dwell_s: float, hysteresis: Mapping[str, float]):
        check_nonneg(min_dwell_s=dwell_s, **{f"hysteresis[{k}]": v for k, v in hysteresis.items()})
        self.phases = tuple(phases)
        self._by_name = {p.name: p for p in self.phases}
        self.dwell_s = dwell_s
        self.hysteresis = dict(hysteresis)
        self._caps = stay_caps(self.phases)
        self.phase: str | None = None
        self.phase_since = 0.0
        self.entered_t: float | None = None  # frame time at which the current phase was entered
        self.cand: str | None = None
        self.cand_since = 0.0
        self.out_since: float | None = None  # when the current phase stopped holding
        self._in_t = -math.inf  # the last frame on which the current phase held
        self._before: tuple[float, Mapping[str, float | None]] | None = None  # last known frame

    def get(self, name: str | None) -> Phase | None:
        return None if name is None else self._by_name[name]

    def holds(self, values: Mapping[str, float | None]) -> bool | None:
        """Whether the current phase's targets hold (within hysteresis); False between phases."""
        cur = self.get(self.phase)
        return self.within(cur, values) if cur is not None else False

    def within(self, phase: Phase, values: Mapping[str, float | None]) -> bool | None:
        """``phase``'s targets hold within its hysteresis band (see :func:`stay_caps`)."""
        return match(phase, values, self.hysteresis, self._caps.get(phase.name))

    def step(self, t_s: float, values: Mapping[str, float | None]) -> PhaseStep:
        cur = self.get(self.phase)
        cur_ok = self.holds(values)
        if cur_ok is None:  # unknown values: keep everything as it is
            return PhaseStep(known=False)
        # a candidate phase starts on a strict match and stays a candidate while it
        # holds within the hysteresis band (jitter at its edge does not restart the dwell);
        # a frame where its values are unknown (a point briefly out of view) keeps it too,
        # as a frame without a pose does, but cannot be the frame it is entered on
        cand = self.get(self.cand)
        cand_ok = self.within(cand, values) if cand is not None else None
        before, self._before = self._before, (t_s, dict(values))
        if cand is None or cand_ok is False:
            others = (p for p in self.phases if p.name != self.phase)
            found = next((p for p in others if match(p, values)), None)
            self.cand, self.cand_since = (found.name if found else None), t_s
            if found is not None and before is not None:  # dated at the crossing
                self.cand_since = self._between(before, t_s, crossed(found, before[1], values))
            cand_ok = True if found is not None else None
        if cur_ok:
            self.out_since = None
            self._in_t = t_s
        elif self.out_since is None:
            self.out_since = t_s
            if cur is not None and before is not None:
                caps = self._caps.get(cur.name)
                f = crossed(cur, before[1], values, self.hysteresis, caps, leaving=True)
                self.out_since = self._between(before, t_s, f)
        out_long = self.out_since is not None and t_s - self.out_since >= self.dwell_s - EPS
        entered = None
        if cur is None or out_long:
            if self.cand is not None and cand_ok and t_s - self.cand_since >= self.dwell_s - EPS:
                entered = self.enter(self.cand, self.cand_since, t_s)
            elif cur is not None and self.cand is None:
                # out of the phase long enough and nothing else matched: between phases
                since = self.out_since if self.out_since is not None else t_s
                entered = self.enter(None, since, t_s)
        return PhaseStep(known=True, entered=entered)

    @staticmethod
    def _between(before: tuple[float, object], t_s: float, f: float) -> float:
        return before[0] + f * (t_s - before[0])

    def enter(self, name: str | None, since: float, t_s: float) -> PhaseEntered:
        """Enter ``name`` now (dated back to ``since``)."""
        ev = PhaseEntered(
            name=name,
            previous=self.phase,
            since_s=since,
            left_at_s=self.out_since if self.out_since is not None else since,
            t_s=t_s,
        )
        self.phase, self.phase_since, self.entered_t = name, since, t_s
        self.out_since = None
        if self.cand == name:
            self.cand = None
        return ev

    def pending(self) -> tuple[str | None, float] | None:
        """What the input ended on, if it would replace the current phase: (name, since)
        of a candidate, or (None, since) when the current phase was left for no other
        (between phases) at least the dwell after the last frame it held on (it was left
        in between; a jitter out of it on the last frame of a fast feed is not leaving
        it). The end of the input accepts it without the dwell: the dwell is seconds of
        frames, and a slower feed (a busy machine dropping frames) sees fewer of them,
        so a clip ending as the person comes down from the top would count its rep at
        30 frames/s and not at 8."""
        if self.cand is not None and (self.phase is None or self.out_since is not None):
            return self.cand, self.cand_since
        out, last = self.out_since, self._before
        if (self.cand is None and self.phase is not None and out is not None
                and last is not None and last[0] - self._in_t >= self.dwell_s - EPS):  # fmt: skip
            return None, out
        return None

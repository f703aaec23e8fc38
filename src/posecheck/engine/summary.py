"""Summary building: which rules could not be judged, the cuts note, display status.

:class:`RuleCoverage` counts, per rule, the frames it was judged on and those its
measure was unknown on; a rule unknown on at least :data:`UNJUDGED_SHARE` of them is
named in the summary's warnings (e.g. feet flat with the toes out of the picture).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from posecheck.angles import resolve
from posecheck.corrections import build_corrections, fmt_value, measure_words
from posecheck.engine.common import PartEvent, is_nan, unknown_reason
from posecheck.engine.holds import HoldEnded, Spread
from posecheck.engine.reps import RepEnded
from posecheck.engine.scoring import (
    CAP_TOLD_SAFETY,
    HOLD_POINTS,
    held_down,
    held_phase_cap,
    hold_points_notes,
    mean_score,
    rep_form_notes,
    rules_told,
    score_notes,
    scored_by_holds,
    session_components,
    session_score,
    steady_spread,
)
from posecheck.exercise import Bound, Exercise, Phase, Rule
from posecheck.results import FrameResult, HoldRecord, RepRecord, SessionSummary

UNJUDGED_SHARE = 0.5
CUTS_LISTED = 5  # the cuts note lists the first few times


class SessionTally:
    """The session's hold and rep records, the set's counts and ``set_complete``.

    ``hold_ended`` / ``rep_ended`` take what the hold timers and rep counters report
    and return the events to raise (numbering complete reps across sides).
    """

    def __init__(self, exercise: Exercise) -> None:
        self.ex = exercise
        self.holds: list[HoldRecord] = []
        self.reps: list[RepRecord] = []
        self.forms: list[float] = []  # form component of each scored rep / hold
        self.caps: list[tuple[float, ...]] = []  # what capped each scored rep / hold
        self.hold_caps: list[tuple[float, ...]] = []  # what capped each hold
        # each hold's points (what its parts earned), its key measure's spread, and
        # whether a cap set its score (scoring.held_down)
        self.hold_parts: list[tuple[dict[str, float], Spread | None, bool]] = []
        self.set, self.set_reps, self.set_holds = 1, 0, 0
        self._set_told = False  # this set's set_complete was raised
        # the held phases of one rep (a cat-camel holds the cat and the camel)
        cycle = set(exercise.cycle or ())
        self._held_per_rep = sum(1 for p in exercise.phases if p.hold_s and p.name in cycle)

    def new_set(self) -> None:
        """The counters of the set start at 0 (records are kept)."""
        self.set += 1
        self.set_reps = 0
        self.set_holds = 0
        self._set_told = False

    def hold_ended(self, ended: HoldEnded, t_s: float) -> list[PartEvent]:
        rec = ended.record
        out = []
        self.hold_caps.append(ended.caps)
        if ended.points is not None:
            down = held_down(ended.record.score, ended.caps)
            self.hold_parts.append((ended.points, ended.spread, down))
        if not self.ex.cycle:  # a rep's form already covers its holds
            self.forms.append(ended.form)
            self.caps.append(ended.caps)
        self.holds.append(rec)
        if rec.reached:
            self.set_holds += 1
            # a stretch's set is its holds; a cycle's is checked at a rep's end, or here
            # when this hold's rep has already ended (the curl's rep ends as it leaves the
            # curl, its hold in the same frame just after): never mid-rep, which the
            # pause at a set's end would leave incomplete
            closed = bool(self.reps) and rec.end_s <= self.reps[-1].end_s + 1e-6
            if not self.ex.cycle or closed:
                out += self._set_done(t_s)
        return [*out, PartEvent("hold_end", ended.t_s, dict(rec.__dict__))]

    def rep_ended(self, ended: RepEnded, t_s: float) -> list[PartEvent]:
        self.forms.append(ended.form)
        self.caps.append(ended.caps)
        complete = ended.record.complete
        n = sum(1 for r in self.reps if r.complete) + 1
        rec = replace(ended.record, index=n if complete else 0)
        self.reps.append(rec)
        data = {
            "index": rec.index, "start_s": rec.start_s, "end_s": rec.end_s,
            "complete": complete, "depth": rec.depth, "side": rec.side, "score": rec.score,
            "faults": rec.faults,
        }  # fmt: skip
        if not complete:
            return [PartEvent("rep_incomplete", t_s, data)]
        self.set_reps += 1
        return [PartEvent("rep", t_s, data), *self._set_done(t_s)]

    def _set_done(self, t_s: float) -> list[PartEvent]:
        """``set_complete`` once the set's dose is done: a stretch's holds reached; a
        cycle's reps, or (after a rep's end) its held phases' holds reached for as many reps
        (a rep whose start was missed, the person already curled as counting began,
        still held its stretch: the live step stayed on "reps 1 of 2" after both holds)."""
        want = self.ex.dose.total
        if not want or self._set_told:
            return []
        done = self.set_holds
        if self.ex.cycle:
            held = self.set_holds // self._held_per_rep if self._held_per_rep else 0
            done = max(self.set_reps, held)
        if done < want:
            return []
        self._set_told = True
        return [PartEvent("set_complete", t_s, {"set": self.set})]

    def summary(
        self,
        *,
        side: str | None,
        duration_s: float,
        frames: int,
        frames_with_pose: int,
        cue_stats: Mapping[str, Mapping[str, Any]],
        warnings: list[str],
        partial: bool,
    ) -> SessionSummary:
        coverage = round(frames_with_pose / max(1, frames), 3)
        out = SessionSummary(
            exercise=self.ex.name,
            side=side,
            duration_s=duration_s,
            frames=frames,
            frames_with_pose=frames_with_pose,
            holds=list(self.holds),
            reps=list(self.reps),
            cues={k: dict(v) for k, v in cue_stats.items()},
            score=session_score(self.ex, self.reps, self.holds),
            score_components=session_components(
                self.ex, self.reps, self.holds, self.forms, cue_stats, coverage
            ),
            warnings=warnings,
            partial=partial,
        )
        # what to tell the person, ranked, and why the score is what it is
        out.corrections = build_corrections(self.ex, out)
        # scored as mean_score scores: by the reps, or by the holds where there are none
        # (a cycle seen only in its held phase: the real supine-twist clip's one hold)
        by_reps = not scored_by_holds(self.ex, self.reps)
        caps = self.caps if by_reps else self.hold_caps
        out.score_notes = score_notes(caps, by_reps)
        # what the points lost, where the points (no cap) set every score
        if by_reps:
            if not any(held_down(r.score, c) for r, c in zip(self.reps, self.caps, strict=False)):
                out.score_notes += rep_form_notes(self.forms, rules_told(self.caps))
        elif self.hold_parts:
            if not any(c for _, _, c in self.hold_parts):
                out.score_notes += hold_points_notes(
                    [p for p, _, _ in self.hold_parts],
                    self._spread_words([sp for _, sp, _ in self.hold_parts]),
                    rules_told(self.hold_caps),
                )
            # the steadiness the holds were scored on (a hold can wobble with no cue)
            steady = sum(p["steadiness"] for p, _, _ in self.hold_parts) / len(self.hold_parts)
            comps = out.score_components
            comps["steadiness"] = round(
                min(comps["steadiness"], steady / HOLD_POINTS["steadiness"]), 3
            )
        held = held_phase_cap(self.ex, self.holds, self.reps)
        mean = mean_score(self.ex, self.reps, self.holds)
        if held is not None and mean is not None and round(mean, 1) > held[0]:
            # the cap the reps' or holds' own scores did not show (a phase held after a rep)
            out.score_notes.append(
                f"the longest {held[1]} hold fell short of its target time: "
                f"the session at most {held[0]:g}"
            )
        if any(h.stopped == "end" and not h.reached for h in self.holds):
            # why a steady 10 s pigeon scored a red 55: said, not left to be read as a fault
            out.score_notes.append(
                "the recording ended during the last hold, so it counts as long as it was "
                "seen: keep recording until you come out of it"
            )
        told = [c for c in out.corrections if c.severity == "safety"]
        if told and out.score is not None and out.score > CAP_TOLD_SAFETY:
            out.score = CAP_TOLD_SAFETY
            out.score_notes.append(
                f"a safety correction was given ({told[0].text.rstrip('.')}): "
                f"the session at most {CAP_TOLD_SAFETY:g}, never green"
            )
        return out

    @staticmethod
    def _spread_words(spreads: list[Spread | None]) -> str | None:
        """How much the holds' key measure moved while held, in words, or None."""
        known = [sp for sp in spreads if sp is not None and sp.measure is not None]
        if not known:
            return None
        m, unit = known[0].measure, known[0].unit
        same = [sp.value for sp in known if sp.measure == m]
        assert m is not None
        zero = steady_spread(unit)
        extra = 0 if unit == "deg" else 1
        return (
            f"the {measure_words(m)} varied by ±{fmt_value(sum(same) / len(same), unit, extra)} "
            f"while held; ±{f'{zero:g}°' if unit == 'deg' else f'{zero * 100:g}%'} or more scores 0"
        )


class RuleCoverage:
    """``judge`` returns the failing rules of a frame and counts what could be judged."""

    def __init__(self, exercise: Exercise) -> None:
        self.ex = exercise
        self._seen: dict[str, list[int]] = {}  # rule id -> [frames judged, frames unknown]
        self._why: dict[str, str] = {}  # rule id -> why its measure was unknown

    def judge(
        self, rules: Iterable[Rule], values: Mapping[str, float | None], side: str
    ) -> list[Rule]:
        failing = []
        for r in rules:
            v = values.get(r.key, math.nan)
            seen = self._seen.setdefault(r.id, [0, 0])
            if v is None or is_nan(v):
                seen[1] += 1
                if r.id not in self._why:
                    far = r.measure.startswith("other_")  # the side away from the camera
                    self._why[r.id] = unknown_reason(resolve(r.measure, side), far)
                continue
            seen[0] += 1
            if not r.contains(v):
                failing.append(r)
        return failing

    def warnings(self) -> list[str]:
        """A line per rule that could not be judged on most of the frames it applies to
        (its points out of view or below visibility): silence there is not a pass."""
        out = []
        every = {r.id: r for r in self.ex.all_rules}
        for r in every.values():
            judged, unknown = self._seen.get(r.id, (0, 0))
            if unknown and unknown >= UNJUDGED_SHARE * (judged + unknown):
                pct = round(100 * unknown / (judged + unknown))
                why = self._why.get(r.id, "not measured")
                where = "" if not judged else f" on {pct}% of the frames it applies to"
                out.append(f'could not check "{r.cue or r.id}"{where} ({why})')
        return out


def cut_note(cuts: Sequence[float]) -> list[str]:
    """The summary's line about cuts (none without cuts)."""
    if not cuts:
        return []
    times = ", ".join(f"{t:.1f} s" for t in cuts[:CUTS_LISTED])
    more = f" and {len(cuts) - CUTS_LISTED} more" if len(cuts) > CUTS_LISTED else ""
    return [
        f"the picture cuts (another camera angle, a close-up or the person found "
        f"elsewhere) at {times}{more}: speed and bounce checks restarted there"
    ]


def measure_status(
    ex: Exercise,
    phase: Phase | None,
    side: str,
    measures: Mapping[str, float],
    near: Mapping[str, float],
) -> tuple[dict[str, str], dict[str, bool]]:
    """For drawing: each shown measure's status ("ok", "near", "bad") and whether it is
    inside the current phase's target."""
    status: dict[str, str] = {}
    in_target: dict[str, bool] = {}
    bounds: list[Bound] = []
    if phase is not None:
        bounds.extend(phase.targets)
    bounds.extend(ex.rules_for(phase.name if phase is not None else None))
    for b in bounds:
        if b.change:  # drawn values are absolute; a change bound has no place there
            continue
        name = resolve(b.measure, side)
        v = measures.get(name, math.nan)
        if is_nan(v):
            continue
        d = b.distance(v)
        s = "ok" if d == 0 else ("near" if d <= near[b.unit] else "bad")
        # the worst status of any bound on the same measure wins
        if status.get(name) in (None, "ok") or s == "bad":
            status[name] = s
        if isinstance(b, Rule):
            continue
        in_target[name] = in_target.get(name, True) and d == 0
    return status, in_target


def closing_result(
    last: FrameResult | None,
    phase: Phase | None,
    side: str,
    holds_done: int,
    reps_done: int,
    events: list,
) -> FrameResult | None:
    """The last frame's result amended with what ``finish()`` decided (``final_result``):
    the phase it ended in, the set's counts after closing, the events it raised."""
    if last is None:
        return None
    name = phase.name if phase is not None else None
    hold_s, hold_target = last.hold_s, last.hold_target_s
    if name != last.phase:  # finish() accepted the phase the last frames matched
        hold_s = 0.0
        hold_target = phase.hold_s if phase and phase.hold_s else None
    return replace(
        last,
        phase=name,
        side=side,
        hold_s=hold_s,
        hold_target_s=hold_target,
        holds_done=holds_done,
        reps_done=reps_done,
        events=events,
    )

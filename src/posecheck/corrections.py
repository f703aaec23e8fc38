"""One ranked list of corrections per session, from the definition and the summary.

Pure Python (no cv2, no mediapipe). The summary's ``corrections`` are what the
person is told, in the same order, in the terminal summary, summary.json, the
report and (each as it happens) the live cues::

    summary.corrections = build_corrections(exercise, summary)

Three sources, none of them a hand-written rule:

- **range**: a rep that turned back before the cycle's peak phase. Each peak
  target it fell short of is named with the numbers: "Lift your hips higher: the
  hip angle reached 148°, aim for 165°." The words before the colon are the
  target's ``short_cue`` in the definition, or generated from the measure.
- **hold**: a hold shorter than its phase's ``hold_s``, or a complete rep that
  never held its hold phase: "Hold the top for 5 s: your longest hold was 1.2 s."
  (For a cycle, a hold that ended before the first rep began is the setup: not told.)
  The words before "for" are the phase's ``hold_cue``, or "Hold the <name> position".
  A hold still held when the input ended did not stop short: it is told as that
  ("...: the recording ended 10.0 s into your last hold, so it is not counted as
  reached; keep recording until you come out of it."); one the person stopped
  counting in (the pause key, quit, a side change) is not told.
- **form / safety**: the definition's rules (and the speed / bounce checks) that
  were cued, with the reps they fired in.

Ranking (the first is the most important): safety, then range, hold, form, setup;
within a kind the correction that applied to more reps/holds first, then the
earlier one.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from posecheck.angles import EXTRA_MEASURES, REGISTRY, resolve
from posecheck.results import Correction, HoldRecord, RepRecord, SessionSummary

KIND_RANK = {"safety": 0, "range": 1, "hold": 2, "form": 3, "setup": 4}
SHORTFALL_PREFIXES = ("short_rep", "short_hold")

# Words for a measure in a sentence ("the hip angle reached 148°").
_JOINT_WORDS = {"hip": "hip angle", "knee": "knee angle", "shoulder": "shoulder angle",
                "elbow": "elbow angle", "ankle": "ankle angle", "neck": "neck angle",
                "profile_hip": "hip angle", "arm_reach": "shoulder angle",
                "leg_reach": "hip angle", "reach_knee": "knee angle",
                "leg_line": "shoulder-hip-ankle angle", "back_curvature": "back's curve",
                "lumbar_curvature": "lower back's curve",
                "shoulder_width_ratio": "turn of the shoulders"}  # fmt: skip
# A ratio's shortfall is told as the share of its goal reached ("about a third of the
# way"): "4% of the trunk length, aim for 6%" is no measure a person can feel.
_SHARES = ((0.25, "a quarter"), (1 / 3, "a third"), (0.5, "half"), (2 / 3, "two thirds"),
           (0.75, "three quarters"))  # fmt: skip

# Ratio measures are shown to people as a percentage of the length they are a share of
# ("the back curvature reached 4% of the trunk length"), never as a bare 0.04.
_RATIO_OF = {"back_curvature": "the trunk length", "lumbar_curvature": "the trunk length",
             "belly_height": "the trunk length", "shoulder_width_ratio": "the trunk length",
             "ankle_knee_gap": "the thigh length"}  # fmt: skip


def ratio_of(measure: str) -> str:
    """What a ratio measure is a share of ("the trunk length"), "" when not known."""
    base = measure.split("~", 1)[0]
    for sd in ("left_", "right_", "other_"):
        base = base.removeprefix(sd)
    return _RATIO_OF.get(base, "")


def measure_words(measure: str) -> str:
    """A measure's name for people: ``hip`` -> "hip angle", ``trunk_incline`` ->
    "trunk incline"; never an internal key such as ``hip~min3``."""
    base = measure.split("~", 1)[0]
    for sd in ("left_", "right_"):
        if base.startswith(sd):
            base = base[len(sd) :]
    return _JOINT_WORDS.get(base, base.replace("_", " "))


def _unit(measure: str) -> str:
    spec = REGISTRY.get(resolve(measure, "left")) or EXTRA_MEASURES.get(measure)
    return getattr(spec, "unit", "deg") or "deg"


def fmt_value(v: float, unit: str, extra: int = 0) -> str:
    """148 -> "148°" (one decimal under 10 degrees: a 1.7° tilt is not "2°"); a ratio as
    a percentage, 0.061 -> "6%" (see :func:`ratio_of` for what of). ``extra`` more
    decimals where two values would otherwise print alike."""
    if unit == "deg":
        places = (1 if abs(v) < 10 else 0) + extra
        return f"{v:.{places}f}°"
    return f"{v * 100:.{extra}f}%"


def fmt_pair(reached: float, goal: float, unit: str) -> tuple[str, str]:
    """A value reached and its goal, with as many decimals as it takes to print them
    apart: "reached 22°, aim for 22°" tells a person nothing; "21.6°, aim for 22.0°"
    does."""
    for extra in (0, 1, 2):
        a, b = fmt_value(reached, unit, extra), fmt_value(goal, unit, extra)
        if a != b:
            break
    return a, b


def _direction(start: Any, target: Any) -> float:
    """+1 when ``target`` lies above the start phase's range on its measure, else -1
    (the scoring's :func:`posecheck.engine.scoring.direction`; no start phase: by the
    side the target is bounded on)."""
    # imported here: the engine package imports this module while it loads
    from posecheck.engine.scoring import direction

    if start is None:
        return 1.0 if target.min is not None else -1.0
    return direction(start, target)


def _rep_label(summary: SessionSummary, rep: RepRecord) -> int:
    """A rep's number for people: its place among all the session's reps, from 1."""
    return next(i for i, r in enumerate(summary.reps, 1) if r is rep)


def _short_targets(exercise: Any, rep: RepRecord) -> list[tuple[Any, float, float]]:
    """(target, reached, goal) for each peak-phase target the rep fell short of."""
    cycle = tuple(exercise.cycle)
    if len(cycle) < 3:
        return []
    start, peak = exercise.phase(cycle[0]), exercise.phase(cycle[1])
    # symmetric cycles (cat-camel) may run either way: the rep says where it went
    if rep.peak_phase == cycle[0]:
        start, peak = peak, start
    out = []
    for t in peak.targets:
        v = rep.depth.get(t.key)
        if v is None or (isinstance(v, float) and math.isnan(v)):
            continue
        sign = _direction(start, t)
        goal = t.min if sign > 0 else t.max
        if goal is None:
            continue
        if (goal - v) * sign > 0:
            out.append((t, float(v), float(goal)))
    return out


def _range_text(exercise: Any, target: Any, best: float, goal: float, n: int) -> str:
    unit = target.unit
    words = measure_words(target.measure)
    lead = target.short_cue or _default_short_cue(exercise, target)
    at = "at best " if n > 1 else ""
    got, aim = fmt_pair(best, goal, unit)
    if unit != "deg" and goal and 0.0 <= best / goal < 1.0:
        what = "changed" if target.change else "reached"
        return f"{lead}: the {words} {what} {at}{_share(best / goal)} of the way to its target."
    if unit != "deg" and ratio_of(target.measure):
        got = f"{got} of {ratio_of(target.measure)}"
    if target.change:
        return f"{lead}: the {words} changed {at}{got} from rest, aim for {aim}."
    return f"{lead}: the {words} reached {at}{got}, aim for {aim}."


def _share(frac: float) -> str:
    """0.3 -> "about a third", 0.9 -> "nearly all", 0.05 -> "hardly any"."""
    if frac < 0.15:
        return "hardly any"
    if frac >= 0.85:
        return "nearly all"
    return "about " + min(_SHARES, key=lambda s: abs(s[0] - frac))[1]


def _default_short_cue(exercise: Any, target: Any) -> str:
    cycle = tuple(exercise.cycle)
    peak = cycle[1] if len(cycle) > 1 else "target"
    return f"Go further into the {peak} position"


def _short_s(d: float, target_s: float) -> str:
    """A hold that fell short of ``target_s``, to a tenth of a second and never printed
    as reaching it (4.97 s of 5 s is "4.9", not "5.0")."""
    text = f"{d:.1f}"
    if float(text) >= target_s:
        text = f"{math.floor(d * 10 + 1e-9) / 10:.1f}"
    return text


def _hold_text(
    phase: Any,
    durations: list[float],
    reached: int,
    not_held: int = 0,
    cut: int = 0,
    longest: float | None = None,
) -> str:
    """``durations``: the holds that stopped short; ``not_held``: reps that reached the
    position without holding it at all; ``cut``: holds still held when counting stopped;
    ``longest``: the longest hold said (default: of ``durations``)."""
    lead = phase.hold_cue or f"Hold the {phase.name} position"
    total = len(durations) + reached + cut
    none = (
        f"{not_held} rep{'s' if not_held != 1 else ''} did not hold it at all"
        if not_held else ""
    )  # fmt: skip
    if not durations:
        return f"{lead} for {phase.hold_s:g} s: {none}."
    if reached == 0:
        said = _short_s(max(durations) if longest is None else longest, phase.hold_s)
        text = f"{lead} for {phase.hold_s:g} s: your longest hold was {said} s"
    else:
        text = (
            f"{lead} for {phase.hold_s:g} s: {len(durations)} of your {total} holds stopped "
            f"short (the shortest {_short_s(min(durations), phase.hold_s)} s)"
        )
    return text + (f"; {none}." if none else ".")


def build_corrections(exercise: Any, summary: SessionSummary) -> list[Correction]:
    """The session's corrections, most important first (see the module docstring)."""
    out: list[Correction] = []
    out += _range_corrections(exercise, summary)
    out += _hold_corrections(exercise, summary)
    out += _rule_corrections(summary)
    out = _fold_bounce_swing(exercise, out)
    out.sort(key=lambda c: (KIND_RANK.get(c.kind, 9), -max(len(c.reps), len(c.holds), c.count),
                            c.first_s))  # fmt: skip
    return out


def _range_corrections(exercise: Any, summary: SessionSummary) -> list[Correction]:
    by_target: dict[str, dict[str, Any]] = {}
    fallback: list[RepRecord] = []
    for rep in summary.reps:
        if rep.complete:
            continue
        short = _short_targets(exercise, rep)
        if not short:
            fallback.append(rep)
        for t, v, goal in short:
            e = by_target.setdefault(t.key, {"target": t, "goal": goal, "reps": [], "vals": []})
            e["reps"].append(rep)
            e["vals"].append(v)
    out = []
    for key, e in by_target.items():
        t, goal, reps = e["target"], e["goal"], e["reps"]
        sign = 1.0 if goal >= max(e["vals"]) else -1.0
        best = max(e["vals"]) if sign > 0 else min(e["vals"])
        out.append(Correction(
            id=f"short_rep:{key}", kind="range",
            text=_range_text(exercise, t, best, goal, len(reps)),
            count=len(reps), first_s=min(r.end_s for r in reps),
            reps=[_rep_label(summary, r) for r in reps], holds=[], severity="form",
        ))  # fmt: skip
    if fallback:
        cycle = tuple(exercise.cycle)
        peak = exercise.phase(cycle[1]) if len(cycle) > 1 else None
        what = (peak.description or f"the {peak.name} position") if peak else "the target"
        out.append(Correction(
            id="short_rep", kind="range",
            text=f"Reach the top of each repetition ({what.rstrip('.')}).",
            count=len(fallback), first_s=min(r.end_s for r in fallback),
            reps=[_rep_label(summary, r) for r in fallback], holds=[], severity="form",
        ))  # fmt: skip
    return out


def _hold_corrections(exercise: Any, summary: SessionSummary) -> list[Correction]:
    out = []
    for phase in exercise.phases:
        if not phase.hold_s:
            continue
        holds = phase_holds(exercise, summary.holds, summary.reps).get(phase.name, [])
        # a hold still held when counting stopped did not stop short: the person did not
        # come out of it. Where the input ended in it, that is said (the last one);
        # where the person stopped counting (the pause key, quit), nothing.
        cut = [h for h in holds if not h.reached and h.stopped]
        ended = [h for h in cut if h.stopped == "end"][-1:]
        short = [h for h in holds if not h.reached and not h.stopped]
        reached = len(holds) - len(short) - len(cut)
        # a complete rep of a cycle through this phase that held nothing: a hold of 0 s
        # (only the phase a rep went out to: a symmetric cycle's start position is held
        # between its reps)
        empty: list[RepRecord] = []
        cycle = tuple(exercise.cycle)
        if len(cycle) > 1:
            empty = [
                r for r in summary.reps
                if r.complete and (r.peak_phase or cycle[1]) == phase.name
                and not _holds_in(holds, r)
            ]  # fmt: skip
        if not short and not empty and not ended:
            continue
        durations = [h.duration_s for h in short]
        told = [*short, *ended]
        in_short_reps = [r for r in summary.reps if any(_in_rep(h, r) for h in told)]
        reps = sorted({_rep_label(summary, r) for r in (*in_short_reps, *empty)})
        firsts = [h.end_s for h in told] + [r.end_s for r in empty]
        # the longest: also of a hold the person paused in (2.6 s held, paused: "your
        # longest hold was 1.9 s" beside it in the holds table read as a wrong number)
        paused = [h.duration_s for h in cut if h.stopped != "end"]
        longest = max([*durations, *paused]) if durations else None
        # said after the last hold ("before it, ..."): of the holds before it
        text = _hold_text(phase, durations, reached, len(empty), len(cut) - len(ended), longest)
        if ended:
            text = _ended_text(phase, ended[0].duration_s, text if short or empty else "")
        out.append(Correction(
            id=f"short_hold:{phase.name}", kind="hold", text=text,
            count=len(told) + len(empty), first_s=min(firsts),
            reps=reps, holds=[i for i, h in enumerate(summary.holds, 1) if h in told],
            severity="form",
        ))  # fmt: skip
    return out


def _ended_text(phase: Any, held_s: float, before: str) -> str:
    """The hold correction where the input ended in a hold (HoldRecord.stopped "end"):
    "... for 20 s: the recording ended 10.0 s into your last hold, so it is not counted
    as reached; keep recording until you come out of it." then what ``before`` says of
    the holds the person came out of, after "before it" (said first, "your longest hold
    was 1.9 s, and the recording ended 5.3 s into your last hold" read as a contradiction)."""
    held = _short_s(held_s, phase.hold_s)
    lead = f"{phase.hold_cue or f'Hold the {phase.name} position'} for {phase.hold_s:g} s: "
    text = f"{lead}the recording ended {held} s into your last hold, so it is not counted as "
    if not before:
        return text + "reached; keep recording until you come out of it."
    return f"{text}reached (keep recording until you come out of it); before it, " + (
        before.removeprefix(lead)
    )


def exercise_holds(
    exercise: Any, holds: Sequence[HoldRecord], reps: Sequence[RepRecord]
) -> list[HoldRecord]:
    """The holds of the exercise, in order. With a cycle and reps, a hold that ended
    before the first rep began, in a position the person was not seen arriving in, is the
    setup (a clip that starts in the cat), not a hold of the exercise. One they were seen
    arriving in is theirs (``HoldRecord.arrived``: the real two-cycle cat-camel's first
    cat, held 1.5 s after rounding into it; a cat-camel rep starts as the first position
    is left, so live that first position was never told). The hold corrections, the
    session's cap on a short held phase (:func:`posecheck.engine.scoring.held_phase_cap`)
    and every "holds reached N of M" (:func:`posecheck.sinks.exview.hold_counts`) read
    this, so they agree."""
    first = min(r.start_s for r in reps) if getattr(exercise, "cycle", None) and reps else None
    return [h for h in holds if first is None or h.end_s > first or h.arrived]


def holds_outside_reps(
    exercise: Any, holds: Sequence[HoldRecord], reps: Sequence[RepRecord]
) -> list[HoldRecord]:
    """The exercise's holds (:func:`exercise_holds`) of its cycle's peak phase that no
    recorded rep contains: the position held where the recording starts or ends in it
    (the real supine twist is seen only in its twist, held 28.7 s, its title card and
    closing fade hiding the way in and out; the real chest raise ends at the top). Not
    reps, so "reps 0 of 2" stays true, but they are said beside it, and the dose done
    counts those that reached their target: the hold is what a stretch's dose asks."""
    cycle = getattr(exercise, "cycle", None)
    if not cycle or len(cycle) < 2:
        return []
    # the phases the reps went out to; with none, the cycle's (a symmetric cycle's reps
    # go out to either end: a cat-camel's cat between two reps is not outside them)
    peaks = {r.peak_phase for r in reps if r.peak_phase} or {cycle[1]}
    if getattr(exercise, "symmetric", False) and not reps:
        peaks.add(cycle[0])
    return [
        h
        for h in exercise_holds(exercise, holds, reps)
        if h.phase in peaks and not any(_in_rep(h, r) for r in reps)
    ]


def phase_holds(
    exercise: Any, holds: Sequence[HoldRecord], reps: Sequence[RepRecord]
) -> dict[str, list[HoldRecord]]:
    """The exercise's holds (:func:`exercise_holds`) by phase, in order."""
    out: dict[str, list[HoldRecord]] = {}
    for h in exercise_holds(exercise, holds, reps):
        out.setdefault(h.phase, []).append(h)
    return out


def _in_rep(h: HoldRecord, r: RepRecord) -> bool:
    return r.start_s - 1e-6 <= h.start_s <= r.end_s + 1e-6 and (
        h.side is None or r.side is None or h.side == r.side
    )


def _holds_in(holds: list[HoldRecord], r: RepRecord) -> bool:
    return any(_in_rep(h, r) for h in holds)


def _rule_corrections(summary: SessionSummary) -> list[Correction]:
    out = []
    for rid, c in summary.cues.items():
        if rid.startswith(SHORTFALL_PREFIXES):
            continue  # a live shortfall cue: the range / hold correction covers it
        sev = str(c.get("severity", "form"))
        reps = [i for i, r in enumerate(summary.reps, 1) if rid in r.faults]
        out.append(Correction(
            id=rid, kind=sev if sev in KIND_RANK else "form", text=str(c.get("text", rid)),
            count=int(c.get("count", 0)), first_s=float(c.get("first_s", 0.0)),
            reps=reps, holds=[], severity=sev,
        ))  # fmt: skip
    return out


def _fold_bounce_swing(exercise: Any, out: list[Correction]) -> list[Correction]:
    """A bounce's first swings read as a movement too fast before enough direction
    changes confirm the bounce: a single "too fast" within the bounce window before the
    bounce was told, in the reps it bounced in, was that bounce, told once as what it
    is (the rendered standing-backbend bounce heard "Lean back and come up slowly" at
    its first swing, 4.3 s, and that ranked above "do not bounce")."""
    by_id = {c.id: c for c in out}
    fast, bounce = by_id.get("too_fast"), by_id.get("bouncing")
    safety = getattr(exercise, "safety", None)
    if fast is None or bounce is None or safety is None or fast.count > 1:
        return out
    window = float(getattr(safety, "bounce_window_s", 0.0) or 0.0)
    if not (bounce.first_s - window <= fast.first_s <= bounce.first_s):
        return out
    if not set(fast.reps) <= set(bounce.reps):
        return out
    return [c for c in out if c is not fast]


def rep_shortfall(exercise: Any, rep: RepRecord) -> tuple[str, str]:
    """(id, text) of the live cue for one rep that turned back before the top: the same
    words as its correction, with this rep's numbers."""
    short = _short_targets(exercise, rep)
    if short:
        t, v, goal = short[0]
        return f"short_rep:{t.key}", _range_text(exercise, t, v, goal, 1)
    cycle = tuple(exercise.cycle)
    peak = exercise.phase(cycle[1]) if len(cycle) > 1 else None
    what = (peak.description or f"the {peak.name} position") if peak else "the target"
    return "short_rep", f"Reach the top of each repetition ({what.rstrip('.')})."


def hold_shortfall(exercise: Any, hold: HoldRecord) -> tuple[str, str]:
    """(id, text) of the live cue for one hold that ended short of its time. Told as the
    hold ends, so heard while the person moves on (a cat-camel into the other position):
    it says first that it is about the hold just done ("Hold the camel ..." first sounded
    like an instruction to go back into it)."""
    phase = exercise.phase(hold.phase)
    lead = phase.hold_cue or f"Hold the {phase.name} position"
    lasted = _short_s(hold.duration_s, phase.hold_s)
    lead = lead[:1].lower() + lead[1:]
    text = f"That hold lasted {lasted} s: next time, {lead} for {phase.hold_s:g} s."
    return f"short_hold:{phase.name}", text


def top_text(corrections: list[Correction], n: int = 3) -> list[str]:
    """The first ``n`` correction texts (what the terminal and the report lead with)."""
    return [c.text for c in corrections[:n]]

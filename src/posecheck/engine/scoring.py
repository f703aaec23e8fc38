"""Scores (0-100) of reps, holds and the session, and the depth of a rep that fell short."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from posecheck.corrections import holds_outside_reps, phase_holds
from posecheck.exercise import Bound, Exercise, Phase
from posecheck.results import HoldRecord, RepRecord

TRANSIENT = ("too_fast", "bouncing")  # the movement checks' rule ids (steadiness)


# Caps: what a rep or hold cannot score above, whatever its other parts. They make
# the score honest: a rep that never reached the top, or a hold far short of its time,
# is never green (80+), and each fault a person is told about costs points.
CAP_INCOMPLETE = 50.0  # a rep that turned back before the cycle's peak phase
CAP_SHORT_HOLD = 55.0  # a hold (or a rep's best hold) under half its hold_s
SHORT_HOLD_SHARE = 0.5


def hold_reached(ex: Exercise, held_s: float, target_s: float) -> bool:
    """Whether a hold of ``held_s`` reached ``target_s``, within the definition's
    ``hold_tolerance`` share of it (at least ``still_window_s``)."""
    slack = max(ex.setting("hold_tolerance") * target_s, ex.setting("still_window_s"))
    return held_s >= target_s - slack - 1e-6


CAP_SAFETY = 60.0  # a safety rule, too fast or bouncing was cued during it
CAP_HOLD = 70.0  # a hold (or a rep's best hold) short of its hold_s: told to hold longer
CAP_FORM = 75.0  # a form rule was cued during it
# a session whose corrections include a safety one (too fast, bouncing, a safety rule) is
# never green, whatever its other reps: the rendered too-fast bird dog (one fast rep of
# two, told "Reach out and come back slowly") scored 80, in the green
CAP_TOLD_SAFETY = 79.0

TOO_BRIEF = "too briefly to be told"  # a rule that failed on a few frames, never cued
CAP_WORDS = {
    CAP_INCOMPLETE: "turned back before the top",
    CAP_SHORT_HOLD: "held under half the target time",
    CAP_SAFETY: "had a safety correction",
    CAP_HOLD: "held short of the target time",
    CAP_FORM: "had a form correction",
}


def rep_score(
    depth: float, hold: float, form: float, steadiness: float, caps: Sequence[float] = ()
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
      for a safety correction cued during the rep, :data:`CAP_HOLD` 70 for a hold
      short of its time, :data:`CAP_FORM` 75 for a form correction).
    """
    base = 100 * (0.45 * depth + 0.25 * hold + REP_FORM_POINTS / 100 * form + 0.1 * steadiness)
    return round(min([base, *caps]), 1)


def hold_score(
    time_in_target: float, form: float, steadiness: float, caps: Sequence[float] = ()
) -> float:
    """A hold's 0-100 score: 50% time in target, 30% form, 20% steadiness, then capped.

    - time_in_target: held time / prescribed ``hold_s`` (capped at 1);
    - form: 1 - share of the hold's frames with a failing rule (within the grace);
    - steadiness: :func:`hold_steadiness`, 1 - standard deviation of the key measure
      during the hold (about its mean in each camera view:
      :func:`posecheck.engine.holds.spread_within_views`) / 5 deg (0.05 for ratios),
      floored at 0;
    - caps as in :func:`rep_score` (a hold short of its time: 70, under half: 55).
    """
    base = sum(hold_points(time_in_target, form, steadiness).values())
    return round(min([base, *caps]), 1)


HOLD_POINTS = {"time": 50.0, "form": 30.0, "steadiness": 20.0}  # of a hold's 100
STEADY_SPREAD = {"deg": 5.0, "ratio": 0.05}  # a hold this unsteady gets no steadiness points


def hold_points(time_in_target: float, form: float, steadiness: float) -> dict[str, float]:
    """The points (before caps) each part of :func:`hold_score` earned: of 50, 30, 20."""
    parts = {"time": time_in_target, "form": form, "steadiness": steadiness}
    return {k: HOLD_POINTS[k] * parts[k] for k in HOLD_POINTS}


def steady_spread(unit: str) -> float:
    """The spread of a measure in ``unit`` that gets no steadiness points."""
    return STEADY_SPREAD.get(unit, STEADY_SPREAD["deg"])


def hold_steadiness(spread: float, unit: str) -> float:
    """0-1 from the key measure's spread while held (:func:`steady_spread` gives 0)."""
    return max(0.0, 1.0 - spread / steady_spread(unit))


def hold_points_notes(
    points: Sequence[Mapping[str, float]], spread_words: str | None = None, told: bool = False
) -> list[str]:
    """What the holds' scores lost, in words (the report's "why"): each part that lost
    half a point or more on average. For holds whose score is their points (no cap held
    one lower: a cap is named by its own note, and each hold's score is in the report's
    table). ``spread_words``: how much the key measure moved while held ("the knee roll
    varied by ±2.5°"), what the steadiness points are read from. ``told``: a form or
    safety rule was cued during a hold; else a rule that failed did so too briefly to be
    told, and the note says so (the report's "no corrections" stands beside it)."""
    n = len(points)
    if not n:
        return []
    lost = {k: full - sum(p[k] for p in points) / n for k, full in HOLD_POINTS.items()}
    failed = lost["form"] / HOLD_POINTS["form"]  # the share of held frames a rule failed on
    why = {
        "time": "held short of the target time",
        "form": f"a form rule failed on {failed:.0%} of the held frames"
        + ("" if told else f", {TOO_BRIEF}"),
        "steadiness": spread_words or "the position moved while held",
    }
    parts: list[str] = []
    for k, full in HOLD_POINTS.items():
        if lost[k] >= 0.5:
            pts = f"{lost[k]:.0f}"
            noun = "" if parts else (" point" if pts == "1" else " points")
            parts.append(f"{pts}{noun} of {full:g} for {k} ({why[k]})")
    if not parts:
        return []
    return [f"{_who('hold', n)} " + "; ".join(parts)]


def _who(what: str, n: int) -> str:
    """'the hold lost', 'the 3 reps lost, on average,'."""
    return f"the {what} lost" if n == 1 else f"the {n} {what}s lost, on average,"


REP_FORM_POINTS = 20.0  # of a rep's 100 (rep_score)


def rep_form_notes(forms: Sequence[float], told: bool = False) -> list[str]:
    """What the reps' form lost, in words, when half a point or more on average: a rule
    failing on some frames, too briefly to be cued, costs points no cap names (depth, hold
    and steadiness fall short only with a cap that says so). For reps no cap held lower,
    as :func:`hold_points_notes`."""
    if not forms:
        return []
    failed = 1.0 - sum(forms) / len(forms)
    lost = REP_FORM_POINTS * failed
    if lost < 0.5:
        return []
    pts = f"{lost:.0f} point{'' if f'{lost:.0f}' == '1' else 's'}"
    return [f"{_who('rep', len(forms))} {pts} of {REP_FORM_POINTS:g} for form "
            f"(a form rule failed on {failed:.0%} of {'its' if len(forms) == 1 else 'their'} "
            f"frames{'' if told else f', {TOO_BRIEF}'})"]  # fmt: skip


def rules_told(caps: Sequence[Sequence[float]]) -> bool:
    """A form or safety rule was cued during one of these reps or holds (their caps)."""
    return any(CAP_FORM in c or CAP_SAFETY in c for c in caps)


def held_down(score: float | None, caps: Sequence[float]) -> bool:
    """A cap set this score (it is at its lowest cap): its points did not."""
    return bool(caps) and score is not None and score >= min(caps) - 1e-9


def fault_caps(faults: Mapping[str, str]) -> tuple[float, ...]:
    """Caps for the corrections cued during a rep / hold (rule id -> severity)."""
    sev = set(faults.values())
    return tuple(c for c, hit in ((CAP_SAFETY, "safety" in sev), (CAP_FORM, "form" in sev)) if hit)


def score_notes(caps: Sequence[tuple[float, ...]], by_reps: bool) -> list[str]:
    """Why the session scored what it did, in words (the report's "why 62"): how a
    rep / hold is scored, and how many were capped by what."""
    n = len(caps)
    if not n:
        return []
    if by_reps:
        out = [
            "each rep scores 45% for how far it went, 25% for how long it held the top, "
            "20% for form, 10% for steadiness; the session is the mean of its reps"
        ]
    else:
        out = ["each hold scores 50% for its time against the target, 30% for form, "
               "20% for steadiness; the session is the mean of its holds"]  # fmt: skip
    worst: dict[float, int] = {}
    for c in caps:
        if c:
            worst[min(c)] = worst.get(min(c), 0) + 1
    what = "rep" if by_reps else "hold"
    for cap, k in sorted(worst.items()):
        if n == 1:  # not "1 of 1 reps held ...: at most 55 each"
            out.append(f"the one {what} {CAP_WORDS[cap]}: at most {cap:g}")
        else:
            out.append(f"{k} of {n} {what}s {CAP_WORDS[cap]}: at most {cap:g} each")
    return out


def _mid(b: Bound) -> float | None:
    if b.min is not None and b.max is not None:
        return (b.min + b.max) / 2
    return b.min if b.min is not None else b.max


def direction(start: Phase, t: Bound) -> float:
    """+1 if the target lies above the start phase's range for that measure, else -1."""
    s = next((x for x in start.targets if x.key == t.key), None)
    if s is None:
        return 1.0 if t.min is not None else -1.0
    a, b = _mid(s), _mid(t)
    if a is None or b is None:
        return 1.0
    return 1.0 if b >= a else -1.0


def edge(start: Phase, measure: str, toward: Bound) -> float | None:
    """The start phase's bound on ``measure`` nearest the target ``toward``."""
    s = next((x for x in start.targets if x.key == measure), None)
    if s is None:
        return None
    return s.max if direction(start, toward) > 0 else s.min


def depth_fraction(start: Phase, peak: Phase, reached: Mapping[str, float]) -> float:
    """How far a rep got from the start phase's range toward the peak phase's (0-1),
    from the furthest value ``reached`` on each of the peak's targets."""
    fracs = []
    for t in peak.targets:
        v = reached.get(t.key)
        s = edge(start, t.key, toward=t)
        goal = t.min if direction(start, t) > 0 else t.max
        if v is None or s is None or goal is None or goal == s:
            continue
        fracs.append(min(1.0, max(0.0, (v - s) / (goal - s))))
    return round(float(np.mean(fracs)), 3) if fracs else 0.0


def session_score(ex: Exercise, reps: Sequence[RepRecord], holds: Sequence[HoldRecord]):
    """The session's score: the mean of its reps' scores (or holds' for hold exercises),
    capped where a held phase's longest hold fell short (:func:`held_phase_cap`). The
    summary then caps a session told a safety correction at :data:`CAP_TOLD_SAFETY`
    (``engine.summary.SessionTally.summary``: the corrections are built there)."""
    mean = mean_score(ex, reps, holds)
    if mean is None:
        return None
    cap = held_phase_cap(ex, holds, reps)
    return round(min(mean, cap[0] if cap else 100.0), 1)


def scored_by_holds(ex: Exercise, reps: Sequence[RepRecord]) -> bool:
    """The session is the mean of its holds, not of its reps: a hold exercise, or a cycle
    seen only in its held phase (a clip filmed during a twist's hold)."""
    return not ex.cycle or not any(r.score is not None for r in reps)


def mean_score(ex: Exercise, reps: Sequence[RepRecord], holds: Sequence[HoldRecord]):
    """The mean of the reps' scores (or the holds' for hold exercises), uncapped."""
    records = [r.score for r in reps if r.score is not None]
    if scored_by_holds(ex, reps):  # the holds are what there is to score
        records += [h.score for h in holds if h.score is not None]
    return float(np.mean(records)) if records else None


def held_phase_cap(
    ex: Exercise, holds: Sequence[HoldRecord], reps: Sequence[RepRecord] = ()
) -> tuple[float, str] | None:
    """(cap, the phase) when a held phase's longest hold fell short of its ``hold_s``.

    The person is then told "Hold the <phase> for N s: your longest hold was M s", so the
    session is never green, as a rep or hold told so is not (a cat-camel's camel is held
    after the rep that reached it ends, so no rep's score saw it: 100 beside that
    correction on a real clip). Under half the time: :data:`CAP_SHORT_HOLD`. The holds
    are those the corrections read (:func:`posecheck.corrections.phase_holds`: a setup
    hold before the first rep does not count), so the cap and the text agree.
    """
    worst: tuple[float, str] | None = None
    for name, phase_list in phase_holds(ex, holds, reps).items():
        best = max(h.duration_s for h in phase_list)
        target = ex.phase(name).hold_s if name in ex.phase_names else 0.0
        if not target or best >= target - 1e-6:
            continue
        cap = CAP_SHORT_HOLD if best < SHORT_HOLD_SHARE * target else CAP_HOLD
        if worst is None or cap < worst[0]:
            worst = (cap, name)
    return worst


def session_components(
    ex: Exercise,
    reps: Sequence[RepRecord],
    holds: Sequence[HoldRecord],
    forms: Sequence[float],
    cue_stats: Mapping[str, Mapping],
    coverage: float,
) -> dict[str, float]:
    """The summary's ``score_components`` (documented in the summary schema)."""
    comps: dict[str, float] = {}
    if holds:
        comps["time_in_target"] = round(
            float(np.mean([min(1.0, h.duration_s / h.target_s) if h.target_s else 1.0
                           for h in holds])), 3)  # fmt: skip
    if reps:
        comps["depth"] = round(sum(1 for r in reps if r.complete) / len(reps), 3)
    if forms:  # share of frames without a failing rule, averaged over reps/holds
        comps["form"] = round(float(np.mean(forms)), 3)
    # form and safety cues of the definition's rules shown (a count; the shortfall cues,
    # a rep short of the top or a short hold, are counted by depth and time in target)
    shortfall = ("short_rep", "short_hold")
    cue_count = sum(
        v["count"]
        for k, v in cue_stats.items()
        if v["severity"] != "setup" and not k.startswith(shortfall)
    )
    comps["rule_violations"] = float(cue_count)
    unsteady = sum(v["count"] for k, v in cue_stats.items() if k in TRANSIENT)
    comps["steadiness"] = round(max(0.0, 1.0 - unsteady / max(1, len(reps) + len(holds))), 3)
    comps["pose_coverage"] = coverage
    dose = ex.dose.total
    if dose:
        # a cycle's reps, and its peak held to the target where the recording starts or
        # ends in it (a stretch seen only held: its dose asks for that hold)
        done = sum(1 for r in reps if r.complete) + sum(
            1 for h in holds_outside_reps(ex, holds, reps) if h.reached
        ) if ex.cycle else sum(1 for h in holds if h.reached)  # fmt: skip
        comps["dose_done"] = round(min(1.0, done / dose), 3)
    return comps

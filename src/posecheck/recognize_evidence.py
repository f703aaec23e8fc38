"""Evidence for ``--exercise auto`` beyond "the phases were visited", and the answer's confidence.

Pure Python + numpy. :mod:`posecheck.recognize` scores each definition by its posture
and its phases; the functions here weigh what else a definition implies:

- **view** (:func:`view_ok`): a definition filmed from the side is judged only on
  frames that look like a side view (the engine's ``shoulder_width_ratio`` test), a
  front-view one only on frontal frames; ``view = "any"`` everywhere. Squats filmed
  from the front are not a standing backbend seen from the side.
- **range** (:func:`beyond_share`): a cycle exercise's phases span a range of each key
  measure (from the lowest bound of any phase to the highest); time spent well beyond
  it is a movement the exercise does not have. A bridge lifts the hips 50 deg: every
  frame of its top is far beyond a pelvic tilt's 15 deg, so its tilts were transits.
- **attempts** (:func:`attempt_progress`): a repetition that leaves the start phase
  towards the far phase and turns back short of it is an incomplete rep of *that*
  exercise (a bridge whose hips sag), not nothing: credited by how far it went.
- **set-up** (:func:`moved_what_rules_hold`): the exercise-wide rules (head down, sitting
  tall) kept at the start but broken throughout the far position: the movement moved
  what they hold still, another movement (a crunch is no leg lift); broken in the start
  position and away from it (:func:`never_set_up`), the clip is another movement.
- **confidence** (:func:`decide`): the share of the evidence the winner holds against
  every other definition and against "none of them" (a Luce choice rule with exponent
  ``SHARPNESS``): two definitions that explain a clip equally well each get about
  half, so a close runner-up lowers the confidence and is named. Below the threshold
  the answer is none, with the candidates named.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from posecheck.angles import compute_measures, is_known, resolve
from posecheck.engine.view import width_ratio_any as width_ratio  # the engine's view test
from posecheck.exercise import counts_reps
from posecheck.pose import SIDES, Pose

# The engine's view test (posecheck.engine): side views stay below this shoulder-width
# ratio, front views above FRONT_VIEW_MIN_RATIO. Kept equal to the engine's defaults;
# a definition's camera table may override them.
SIDE_VIEW_MAX_RATIO = 0.45
FRONT_VIEW_MIN_RATIO = 0.5
# Range: a degree measure beyond every phase's bounds by more than this is outside the
# exercise (the engine's hysteresis bands are 0.4-3 deg; landmark noise a few deg).
BEYOND_TOL_DEG = 5.0
# ... a ratio measure by more than this share of its phases' span.
BEYOND_TOL_SHARE = 0.25
# An excursion beyond the range for this long (not one noisy frame) went through the
# exercise's phases rather than to them.
BEYOND_MIN_S = 0.3
# A clip spending this share of its in-posture time beyond the range scores 0 on
# movement (half of it: half marks).
BEYOND_SHARE_ZERO = 0.5
# Attempts: an excursion counts when it goes at least this share of the way from the
# start phase to the far phase; it earns ATTEMPT_BASE plus the rest times its share.
ATTEMPT_MIN_PROGRESS = 0.5
ATTEMPT_BASE = 0.5
# ... and when it stays near its peak (within ATTEMPT_PEAK_SHARE of it) this long: a
# position reached and turned back from, not a flicker of a noisy measure.
ATTEMPT_DWELL_S = 0.5
# Scores from incomplete reps are multiplied by this when another definition in the same
# posture shows complete ones (see discount_dominated).
ATTEMPT_DOMINATED = 0.5
# ... and when at least this share of it is judged (in the posture, the points in view).
ATTEMPT_JUDGED_SHARE = 0.8
ATTEMPT_PEAK_SHARE = 0.8
# Explained: a clip whose in-posture time lies inside the definition's phases (or its
# incomplete repetitions) for this share is fully explained; less scales the score
# down (a bridge's knees roll outwards for a moment at its top: a supine twist's phases
# explain that moment, not the clip).
COVERAGE_FULL = 0.6
# Confidence: exponent of the Luce choice rule over the scores (larger: a smaller
# lead is enough). 4: a score of 1.0 against a runner-up at 0.7 gives 0.8; against
# 0.9, 0.6; against 1.0, one half.
SHARPNESS = 4.0
# A runner-up is named ("close") when it holds at least this share of the winner's weight.
CLOSE_SHARE = 0.25
# Candidates named with a "none": definitions scoring at least this (best first).
CANDIDATE_SCORE = 0.2
MAX_CANDIDATES = 4
# ... and, after those, definitions whose posture holds at least this share of the
# clip's frames (an oblique child's pose reads kneeling on 64-66% of them, all fours on
# the rest), ranked by how much of the clip their phases explain.
POSTURE_CANDIDATE_SHARE = 0.25


# --- view ------------------------------------------------------------------------------


def view_ok(ex, poses: Sequence[Pose | None]) -> np.ndarray:
    """Per frame: the camera sees the person the way the definition's ``camera.view``
    asks (frames without a pose or a measurable ratio pass: the posture decides)."""
    cam = getattr(ex, "camera", None)
    view = getattr(cam, "view", "any")
    out = np.ones(len(poses), bool)
    if view not in ("side", "front"):
        return out
    hi = getattr(cam, "max_width_ratio", None) or SIDE_VIEW_MAX_RATIO
    lo = getattr(cam, "min_width_ratio", None) or FRONT_VIEW_MIN_RATIO
    for i, pose in enumerate(poses):
        if pose is None:
            continue
        r = width_ratio(pose)
        if math.isfinite(r):
            out[i] = r <= hi if view == "side" else r >= lo
    return out


# --- posture from the front ----------------------------------------------------------

# A thigh is pointing at the camera when it is shorter in the picture than this share of
# the trunk (its true length is about 0.85 of the trunk's: Winter's 0.245 / 0.288 of
# height); the trunk is seen upright and whole when it is at least this many shoulder
# widths long (about 1.4 from the front; lying seen from the feet it is foreshortened).
THIGH_TOWARD_CAMERA = 0.45
TRUNK_UPRIGHT_WIDTHS = 1.0


def thighs_toward_camera(pose: Pose, min_visibility: float = 0.5) -> bool:
    """Both thighs short in the picture under a whole, upright-looking trunk seen from
    the front: sitting, filmed from the front (squatting low also reads so)."""
    need = [f"{s}_{p}" for s in SIDES for p in ("shoulder", "hip", "knee")]
    if min(pose.vis(n) for n in need) < min_visibility:
        return False
    pt = {n: pose.point(n) for n in need}
    sh = (pt["left_shoulder"] + pt["right_shoulder"]) / 2
    hip = (pt["left_hip"] + pt["right_hip"]) / 2
    trunk = float(np.hypot(*(sh - hip)))
    width = float(np.hypot(*(pt["left_shoulder"] - pt["right_shoulder"])))
    if trunk <= 0 or width <= 0 or trunk < TRUNK_UPRIGHT_WIDTHS * width:
        return False
    if width / trunk < FRONT_VIEW_MIN_RATIO:  # not a front view
        return False
    thighs = [float(np.hypot(*(pt[f"{s}_knee"] - pt[f"{s}_hip"]))) for s in SIDES]
    return max(thighs) < THIGH_TOWARD_CAMERA * trunk


def trunk_along_camera(pose: Pose, min_visibility: float = 0.5) -> bool:
    """Shoulders spread as in a front view, but the trunk shorter in the picture than
    TRUNK_UPRIGHT_WIDTHS shoulder widths: the body lies along the camera's axis (filmed
    from the head or the feet)."""
    need = [f"{s}_{p}" for s in SIDES for p in ("shoulder", "hip")]
    if min(pose.vis(n) for n in need) < min_visibility:
        return False
    r = width_ratio(pose)
    return math.isfinite(r) and r >= FRONT_VIEW_MIN_RATIO and 1.0 / r < TRUNK_UPRIGHT_WIDTHS


# --- posture changes -------------------------------------------------------------------

# Stays in one posture shorter than this are jitter of the posture rules.
POSTURE_RUN_S = 0.5
# Getting into the exercise's posture and out of it again is two changes; more means the
# movement itself goes in and out of it (squats dip into a seated shape every rep): the
# score is multiplied by this.
POSTURE_CHANGES_FACTOR = 0.5


def posture_changes(postures: Sequence[str], dt: np.ndarray, posture: str) -> int:
    """How often the clip enters or leaves ``posture`` (stays shorter than POSTURE_RUN_S
    and frames of unknown posture are ignored). Supine and prone count as one: a chest
    raised off the floor can read as either, but nobody gets up from the floor."""
    lying = ("supine", "prone")
    if posture in lying:
        posture = "lying"
    runs: list[list] = []
    for p, d in zip(postures, np.asarray(dt, float).tolist(), strict=True):
        if p == "unknown":
            continue
        p = "lying" if p in lying else p
        if runs and runs[-1][0] == p:
            runs[-1][1] += d
        else:
            runs.append([p, d])
    seq: list[str] = []
    for p, d in runs:
        if d >= POSTURE_RUN_S and (not seq or seq[-1] != p):
            seq.append(p)
    return sum((a == posture) != (b == posture) for a, b in zip(seq, seq[1:], strict=False))


# --- the other limb --------------------------------------------------------------------


def other_limb_measures(exercises) -> list[str]:
    """Registered names (both sides) of the measures rules on the other limb use."""
    names: set[str] = set()
    for ex in exercises:
        for ph in ex.phases:
            for r in ex.rules_for(ph.name):
                if r.measure.startswith("other_"):
                    names.update(resolve(r.measure, side) for side in SIDES)
    return sorted(n for n in names if is_known(n))


def guessed_measures(
    poses: Sequence[Pose | None],
    names: Sequence[str],
    measured: Sequence[Mapping[str, float]],
) -> list[dict[str, float]]:
    """Per frame ``measured`` with ``names`` filled in, where they are unknown, from every
    landmark the model placed whatever its visibility. Seen from the side the far leg
    is hidden, but the model's guess of it follows it: on the real knee-to-chest clip
    it rests at 140 deg while the near knee is hugged, and hugs with it (within 5 deg)
    when both are, at visibility 0.3-0.5."""
    out: list[dict[str, float]] = []
    for pose, have in zip(poses, measured, strict=True):
        row = dict(have)
        missing = [n for n in names if not math.isfinite(row.get(n, math.nan) or math.nan)]
        if pose is not None and missing:
            seen = replace(pose, visibility=np.ones_like(pose.visibility), raw_visibility=None,
                           mask=None)  # fmt: skip
            row.update(compute_measures(seen, missing))
        out.append(row)
    return out


# --- range -----------------------------------------------------------------------------


def _envelope(ex) -> dict[tuple[str, str, bool], tuple[float, float, float]]:
    """(measure, bound key, unit is deg) -> (low, high, tolerance) over every phase's
    targets; a phase without a bound on that value leaves the range open."""
    phases = list(ex.phases)
    keys: dict[str, Any] = {}
    for ph in phases:
        for b in ph.targets:
            if is_known(b.measure):
                keys.setdefault(b.key, b)
    out = {}
    for key, proto in keys.items():
        lo, hi = math.inf, -math.inf
        for ph in phases:
            mine = [b for b in ph.targets if b.key == key]
            if not mine:
                lo, hi = -math.inf, math.inf
                break
            for b in mine:
                lo = min(lo, b.min if b.min is not None else -math.inf)
                hi = max(hi, b.max if b.max is not None else math.inf)
        if not (math.isfinite(lo) or math.isfinite(hi)):
            continue
        deg = getattr(proto, "unit", "deg") == "deg"
        span = hi - lo if math.isfinite(hi - lo) else 0.0
        tol = BEYOND_TOL_DEG if deg else BEYOND_TOL_SHARE * span
        out[(proto.measure, key, deg)] = (lo, hi, tol)
    return out


def beyond_mask(
    ex,
    series: Callable[[object, str], np.ndarray],
    n: int,
    sides: Sequence[str],
) -> np.ndarray:
    """Per frame: a key measure lies beyond the range the definition's phases span (by
    more than the tolerance) on every judged side where it is measurable.
    ``series(bound, side)``: the values a bound tests (``recognize._Values.values``).
    Cycle exercises only (all False for the rest: getting into a hold is not in it)."""
    beyond = np.zeros(n, bool)
    if not counts_reps(getattr(ex, "cycle", ())):
        return beyond
    protos: dict[str, Any] = {}
    for ph in ex.phases:
        for b in ph.targets:
            protos.setdefault(b.key, b)
    for (_m, key, _deg), (lo, hi, tol) in _envelope(ex).items():
        b = protos[key]
        out_all = np.ones(n, bool)
        seen = np.zeros(n, bool)
        for side in sides:
            v = series(b, side)
            fin = np.isfinite(v)
            out = fin & ((v < lo - tol) | (v > hi + tol))
            out_all &= out | ~fin
            seen |= fin
        beyond |= out_all & seen
    return beyond


def beyond_share(beyond: np.ndarray, judged: np.ndarray, dt: np.ndarray) -> float:
    """Share of the judged time beyond the range (see :func:`beyond_mask`)."""
    judged = np.asarray(judged, bool)
    total = float(dt[judged].sum())
    return float(dt[beyond & judged].sum()) / total if total > 0 else 0.0


def transits(
    ex, matches: Mapping[str, np.ndarray | None], beyond: np.ndarray, dt: np.ndarray
) -> np.ndarray:
    """Per frame: inside an excursion from the cycle's start phase that went beyond the
    exercise's range for at least BEYOND_MIN_S. Its visits to the other phases were on
    the way through, not arrivals (a bridge passes through a pelvic tilt's few degrees
    on the way up)."""
    n = len(beyond)
    out = np.zeros(n, bool)
    cycle = list(getattr(ex, "cycle", ()) or ())
    sm = matches.get(cycle[0]) if cycle else None
    if sm is None or not beyond.any():
        return out
    in_start = sm == 1.0
    i = 0
    while i < n:
        if in_start[i]:
            i += 1
            continue
        j = i
        while j < n and not in_start[j]:
            j += 1
        if float(dt[i:j][beyond[i:j]].sum()) >= BEYOND_MIN_S:
            out[i:j] = True
        i = j
    return out


def range_factor(share: float) -> float:
    """Movement weight for a share of time beyond the exercise's range."""
    return max(0.0, 1.0 - share / BEYOND_SHARE_ZERO)


# --- attempts --------------------------------------------------------------------------


def _progress(
    ex,
    start: str,
    far: str,
    series: Callable[[object, str], np.ndarray],
    start_match: np.ndarray,
    side: str,
) -> tuple[np.ndarray, np.ndarray] | None:
    """Per frame, how far (0..1) the far phase's targets are from the start position to
    their bound, on one side, and how far that is in the measure's unit (the change from
    the start towards the bound, of the target least far); None when no target separates
    the two phases (met at the start already). The start value is the median over the
    frames in the start phase."""
    ph = ex.phase(far)
    n = len(start_match)
    prog: np.ndarray | None = None
    moved = np.full(n, np.nan)
    for b in ph.targets:
        if not is_known(b.measure):
            continue
        v = series(b, side)
        ref_sel = start_match & np.isfinite(v)
        if ref_sel.sum() < 2:
            continue
        ref = float(np.median(v[ref_sel]))
        p = None
        if b.min is not None and ref < b.min:
            p, d = (v - ref) / (b.min - ref), v - ref
        elif b.max is not None and ref > b.max:
            p, d = (ref - v) / (ref - b.max), ref - v
        if p is None:
            continue
        p = np.clip(np.where(np.isfinite(p), p, np.nan), 0.0, 1.0)
        least = p if prog is None else np.fmin(prog, p)
        moved = np.where(least == p, d, moved)
        prog = least
    return None if prog is None or len(prog) != n else (prog, moved)


def attempt_progress(
    ex,
    matches: Mapping[str, np.ndarray | None],
    series: Callable[[object, str], np.ndarray],
    judged: np.ndarray,
    sides: Sequence[str],
    dt: np.ndarray,
    through: np.ndarray | None = None,
) -> tuple[int, float, float, float]:
    """Incomplete repetitions: (how many excursions left the start phase and came back
    without reaching the far phase, going at least ATTEMPT_MIN_PROGRESS of the way and
    staying near their peak ATTEMPT_DWELL_S; their mean progress; their seconds; the
    smallest change their peaks made from the start position, in the measure's unit).
    Excursions in ``through`` (see :func:`transits`) went past the far phase, not short
    of it. Cycles of the form [start, far, start] only."""
    cycle = list(getattr(ex, "cycle", ()) or ())
    if len(cycle) != 3 or cycle[0] != cycle[2] or cycle[0] == cycle[1]:
        return 0, 0.0, 0.0, 0.0
    start, far = cycle[0], cycle[1]
    sm, fm = matches.get(start), matches.get(far)
    if sm is None or fm is None:
        return 0, 0.0, 0.0, 0.0
    judged = np.asarray(judged, bool)
    in_start = (sm == 1.0) & judged
    reached = (fm == 1.0) & judged
    best = np.full(len(judged), np.nan)
    moved = np.full(len(judged), np.nan)
    for side in sides:
        pm = _progress(ex, start, far, series, in_start, side)
        if pm is not None:
            moved = np.where(np.fmax(best, pm[0]) == pm[0], pm[1], moved)
            best = np.fmax(best, pm[0])
    if not np.isfinite(best).any():
        return 0, 0.0, 0.0, 0.0
    peaks: list[float] = []
    lifts: list[float] = []
    seconds = 0.0
    i, n = 0, len(judged)
    # excursions: judged frames out of the start phase, between two stays in it
    seen_start = False
    while i < n:
        if in_start[i]:
            seen_start = True
            i += 1
            continue
        j = i
        while j < n and not in_start[j]:
            j += 1
        if seen_start and j < n:
            sel = judged[i:j]
            past = through is not None and bool(np.asarray(through)[i:j].any())
            # the whole excursion in the exercise's posture and view: leaving them (all
            # fours folding back into a child's pose) is not a repetition of it
            if sel.mean() >= ATTEMPT_JUDGED_SHARE and not reached[i:j].any() and not past:
                vals = np.where(sel, best[i:j], np.nan)
                peak = float(np.nanmax(vals)) if np.isfinite(vals).any() else 0.0
                near = np.nan_to_num(vals, nan=-1.0) >= ATTEMPT_PEAK_SHARE * peak
                if peak >= ATTEMPT_MIN_PROGRESS and float(dt[i:j][near].sum()) >= ATTEMPT_DWELL_S:
                    peaks.append(peak)
                    seconds += float(dt[i:j][sel].sum())
                    at = int(np.nanargmax(vals))
                    lifts.append(float(np.nan_to_num(moved[i + at])))
        i = j
    mean = float(np.mean(peaks)) if peaks else 0.0
    return len(peaks), mean, seconds, min(lifts) if lifts else 0.0


def attempt_movement(count: int, progress: float, min_reps: int) -> float:
    """Movement share earned by incomplete repetitions (see the module docstring)."""
    if count <= 0:
        return 0.0
    return min(1.0, count / max(1, min_reps)) * (ATTEMPT_BASE + (1 - ATTEMPT_BASE) * progress)


def only_attempts(score) -> bool:
    """Whether a definition's movement evidence is incomplete repetitions alone (no
    complete one seen): the clip may be the exercise done short, or another movement
    passing part of the way through its range (a figure four lowering one knee reads as
    the first 60% of a supine twist's knee drop, its depth uncertain from an oblique
    camera). It is named as a candidate, never the answer: measured on the rendered and
    real clips, 2 of the 3 answers resting on such evidence were wrong, at 0.98-1.00
    confidence. ``score``: an ExerciseScore (``attempts``, ``one_rep``, ``note``)."""
    return bool(score.attempts) and not score.one_rep and "incomplete" in score.note


def discount_dominated(scores: list, hold_only: set[str] | frozenset[str] = frozenset()) -> list:
    """When a definition sees a complete repetition, the clip moves: in the same posture,
    incomplete repetitions of another definition are its repetitions (legs lifted to a
    right angle are complete lower-tummy lifts and half-way knee hugs; relaxing from a
    pelvic tilt filmed obliquely is no half leg lift). When it sees all the repetitions
    it asks for, and the movement repeats, a hold (``hold_only`` names: a still
    position) does not explain them either (repeated pelvic tilts are not a draw-in
    hold; one tilt can be settling). One repetition into a position, held, and out of
    it is what a held stretch looks like (drawing both thighs in for a reclined pigeon
    is a complete knee hug): it does not rule the hold out.
    Those scores are multiplied by ATTEMPT_DOMINATED.
    ``scores``: ExerciseScore objects (``reps``, ``repeats``, ``one_rep``, ``attempts``,
    ``note``, ``posture``, ``score``), changed in place."""
    full = {s.posture for s in scores if s.reps and s.repeats and s.score >= CANDIDATE_SCORE}
    one = {s.posture for s in scores
           if (s.reps or getattr(s, "one_rep", False)) and s.score >= CANDIDATE_SCORE}  # fmt: skip
    for s in scores:
        if s.reps or getattr(s, "one_rep", False):
            continue
        if s.posture in one and s.attempts and "incomplete" in s.note:
            s.note += "; another exercise shows complete repetitions"
        elif s.posture in full and s.name in hold_only:
            s.note += ("; " if s.note else "") + "another exercise repeats a movement here"
        else:
            continue
        s.score = round(s.score * ATTEMPT_DOMINATED, 4)
    return scores


# Set-up: a definition's exercise-wide rules (head and shoulders down, sitting tall) hold
# the rest of the body in place in every phase. Kept for at least SETUP_KEPT_SHARE of the
# start phase but for less than SETUP_BROKEN_SHARE of the time away from it (seen for at
# least SETUP_MIN_S): the movement moved what they hold, another movement (a crunch
# closes the hip angle by lifting the trunk, not the thigh; a forward curl narrows the
# shoulders like a twist, bending instead of sitting tall). Its movement then counts this
# much.
SETUP_KEPT_SHARE = 0.5
SETUP_BROKEN_SHARE = 0.5
SETUP_MIN_S = 0.3
SETUP_BROKEN_FACTOR = 0.5


def moved_what_rules_hold(start_share: float, far_share: float, far_s: float) -> bool:
    """Whether a cycle's movement away from its start phase (``far_s`` seconds, rules kept
    for ``far_share`` of them) broke the set-up its exercise-wide rules hold, which the
    start phase kept (``start_share``; see SETUP_KEPT_SHARE)."""
    if not (math.isfinite(start_share) and math.isfinite(far_share)) or far_s < SETUP_MIN_S:
        return False
    return start_share >= SETUP_KEPT_SHARE and far_share < SETUP_BROKEN_SHARE


def never_set_up(start_share: float, far_share: float, start_s: float) -> bool:
    """Whether a cycle's exercise-wide rules were kept for less than SETUP_KEPT_SHARE of
    the time both in its start phase (``start_share``, ``start_s`` seconds seen) and away
    from it (``far_share``): the clip is never in the exercise's set-up, so the
    position matching its start phase is another one. A forward curl filmed obliquely:
    bent forward, the trunk foreshortens and the shoulders look widest, which a seated
    spinal twist's targets read as facing forward, but it does not sit tall (the
    twist's rule: kept 23% of the start and 48% of the rest, against 100% on every
    rendered twist). Kept in one of the two (a chest raise filmed obliquely: 42% at the
    start, 92% raised) the form, not the exercise, is off."""
    if not (math.isfinite(start_share) and math.isfinite(far_share)) or start_s < SETUP_MIN_S:
        return False
    return start_share < SETUP_KEPT_SHARE and far_share < SETUP_KEPT_SHARE


# A measure a definition keeps steady (``[recognition] steady_spread_deg``: a pelvic tilt
# rocks the pelvis, it does not turn it) is judged by its spread between these
# percentiles over the frames in the definition's posture (the 5th-95th: a few frames of
# the model's jitter do not count), measured on at least STEADY_MIN_S of them. Wider than
# the definition allows, the clip turns what the exercise keeps still, another movement
# in the same position (a supine twist filmed from the side, where the knees' roll is
# not seen): the movement then counts STEADY_BROKEN_FACTOR, as a broken set-up does.
STEADY_PERCENTILES = (5.0, 95.0)
STEADY_MIN_S = 1.0
STEADY_BROKEN_FACTOR = SETUP_BROKEN_FACTOR


def unsteady(
    limits: Sequence[tuple[str, float]],
    series: Callable[[str], np.ndarray],
    judged: np.ndarray,
    dt: np.ndarray,
) -> list[tuple[str, float, float]]:
    """The measures of ``limits`` (name, largest spread) whose spread over the ``judged``
    frames exceeds it: (name, spread, limit). ``series(name)``: the per-frame values."""
    out = []
    for name, limit in limits:
        v = np.asarray(series(name), float)
        sel = judged & np.isfinite(v)
        if float(dt[sel].sum()) < STEADY_MIN_S:
            continue
        lo, hi = np.percentile(v[sel], STEADY_PERCENTILES)
        if hi - lo > limit:
            out.append((name, float(hi - lo), float(limit)))
    return out


def explained(coverage: float, rules_share: float) -> float:
    """Score weight for how much of the clip a definition explains: its share of the
    in-posture time inside its phases (full from COVERAGE_FULL), times the square root
    of the share of that time with its rules kept (bad form is still the exercise, but
    a definition whose rules the clip keeps explains it better)."""
    return min(1.0, coverage / COVERAGE_FULL) * math.sqrt(max(0.0, rules_share))


# --- the answer ------------------------------------------------------------------------


@dataclass
class Decision:
    """The answer and how sure it is (see :func:`decide`)."""

    name: str | None
    confidence: float  # share of the evidence held by ``name`` (or the best confirmable)
    runner_up: str | None  # the next best definition, when close (None otherwise)
    candidates: list[str] = field(default_factory=list)  # named when the answer is none
    shares: dict[str, float] = field(default_factory=dict)  # every definition's share


def evidence_shares(scores: Mapping[str, float]) -> dict[str, float]:
    """Each definition's share of the evidence: score**SHARPNESS over the sum of those
    and of "none of them" (weighted by (1 - best score)**SHARPNESS)."""
    if not scores:
        return {}
    best = max(scores.values())
    w = {k: max(0.0, v) ** SHARPNESS for k, v in scores.items()}
    total = sum(w.values()) + max(0.0, 1.0 - best) ** SHARPNESS
    return {k: (v / total if total > 0 else 0.0) for k, v in w.items()}


def candidates(
    order: Sequence[str],
    scores: Mapping[str, float],
    off_view: Mapping[str, float] | None = None,
    setup: Mapping[str, tuple[float, float]] | None = None,
    top: str | None = None,
    moving: set[str] | frozenset[str] = frozenset(),
    repeated: set[str] | frozenset[str] = frozenset(),
    kept: set[str] | frozenset[str] = frozenset(),
    against: set[str] | frozenset[str] = frozenset(),
    reached: set[str] | frozenset[str] = frozenset(),
) -> list[str]:
    """The candidates named with a "none", best first (at most MAX_CANDIDATES).

    The definitions whose posture the clip shows (``setup``: name -> (posture share,
    how much of the clip its phases explain); at least POSTURE_CANDIDATE_SHARE): first
    those with evidence of their movement (score, or the score judged from another
    angle, ``off_view``, of at least CANDIDATE_SCORE), by that evidence; then the rest
    by how much of the clip their phases explain, so that the person can name the
    exercise with -e when the camera angle hides its movement (an oblique bird dog:
    all fours, its reach unmeasured). ``setup`` None: every definition's posture.
    ``top``: the best fit in its own camera view, kept among them when it has evidence.
    ``moving``: definitions whose key measure the clip moves where another definition
    keeps it steady (a pelvis turning in hook lying: the supine twist's measure, when its
    knees' roll reads too low to score): first among those without evidence.
    ``repeated``: definitions whose complete repetitions the clip shows in their own
    camera view: evidence of their movement however low a broken set-up or an unsteady
    measure put their score, as long as it is above 0 (a rendered pelvic tilt whose far
    knee the model swings 35 degrees: 0.18).
    ``reached``: definitions whose far phases the clip reached and stayed in without
    their movement scoring (an obliquely filmed twist with its depth flattened): next
    among those without evidence, before the definitions whose phases only explain the
    rest position (:func:`posecheck.recognize.far_reached`).
    ``kept``: definitions whose movement leaves the knees where the clip kept them (a
    draw-in's hold, a pelvic tilt): next among those without evidence, before the
    definitions whose movement would have carried the knees (the 3D hip angle of an
    obliquely filmed still hook lying reads a knee rock's or a reclined pigeon's).
    ``against``: definitions whose legs the clip moved otherwise than they do (one leg
    at a time where both move together, or the reverse): after every other definition
    whose posture the clip shows, with evidence or without (theirs is the depth misread
    from another angle).
    """
    fits = {n: max(scores[n], (off_view or {}).get(n, 0.0)) for n in order}

    def shown(n: str) -> bool:
        return setup is None or setup.get(n, (0.0, 0.0))[0] >= POSTURE_CANDIDATE_SHARE

    moved = sorted((n for n in order if shown(n) and (fits[n] >= CANDIDATE_SCORE or
                                                      (n in repeated and scores[n] > 0))),
                   key=lambda n: -fits[n])  # fmt: skip
    posed = [n for n in order if shown(n) and n not in moved and setup is not None]
    posed.sort(key=lambda n: (n not in moving, n not in reached, n not in kept,
                              -(setup or {})[n][1]))  # fmt: skip
    found = moved + posed
    cands = [n for n in found if n not in against] + [n for n in found if n in against]
    if top is not None and top in cands[MAX_CANDIDATES:] and scores[top] >= CANDIDATE_SCORE:
        # the best fit in the view its definition asks for is named before definitions
        # that fit only when judged from another angle than theirs
        cands.remove(top)
        cands.insert(MAX_CANDIDATES - 1, top)
    return cands[:MAX_CANDIDATES]


def rivals(
    top: str, off_view: Mapping[str, float], setup: Mapping[str, tuple[float, float]]
) -> dict[str, float]:
    """The evidence, judged from another angle than their camera asks, of the definitions
    whose phases explain the clip better than ``top``'s (``setup``: name -> (posture
    share, how much of the clip its phases explain, the better of its own view and the
    other angle)): their movement fits, only the camera cannot confirm it. The answer is
    then less sure (an obliquely filmed bridge whose top the model's depth reads as a
    knee roll: the supine twist's phases explain 37% of it, the bridge's all of it)."""
    mine = setup.get(top, (0.0, 0.0))[1]
    return {
        n: v for n, v in off_view.items()
        if n != top and v >= CANDIDATE_SCORE and setup.get(n, (0.0, 0.0))[1] > mine
    }  # fmt: skip


def decide(
    ranked: Sequence[tuple[str, float]],
    position_only: set[str],
    threshold: float,
    off_view: Mapping[str, float] | None = None,
    unconfirmed: set[str] | frozenset[str] = frozenset(),
    setup: Mapping[str, tuple[float, float]] | None = None,
    moving: set[str] | frozenset[str] = frozenset(),
    repeated: set[str] | frozenset[str] = frozenset(),
    kept: set[str] | frozenset[str] = frozenset(),
    against: set[str] | frozenset[str] = frozenset(),
    reached: set[str] | frozenset[str] = frozenset(),
) -> Decision:
    """The answer from ``ranked`` (name, score), best first.

    The best definition the camera can confirm (not ``position_only``) is the answer
    when its share of the evidence reaches ``threshold`` and the clip confirms it (not
    in ``unconfirmed``: see :func:`only_attempts`); otherwise none, with the candidates
    named (:func:`candidates`; ``off_view``, ``setup``: see there). Its share is taken
    against the others' evidence, judged from another angle too for those explaining
    the clip better than it does (:func:`rivals`).
    """
    scores = dict(ranked)
    shares = evidence_shares(scores)
    order = [n for n, _ in ranked]
    confirmable = [n for n in order if n not in position_only]
    top = confirmable[0] if confirmable else None
    conf = shares.get(top, 0.0) if top else 0.0
    if top is not None and setup is not None:
        # a rival counts with the larger of its evidence in its own view and judged from
        # another angle: the latter in place of a higher own-view score made the answer
        # surer than its rivals' evidence allows
        rival = {
            n: max(v, scores.get(n, 0.0)) for n, v in rivals(top, off_view or {}, setup).items()
        }
        conf = evidence_shares({**scores, **rival}).get(top, 0.0)
    others = [n for n in order if n != top]
    runner = others[0] if others else None
    close = CLOSE_SHARE * max(shares.get(top, 0.0), 1e-9) if top is not None else 0.0
    if runner is not None and shares.get(runner, 0.0) < close:
        runner = None
    cands = candidates(order, scores, off_view, setup, top, moving, repeated, kept, against,
                       reached)  # fmt: skip
    name = None
    if top is not None and top not in unconfirmed and conf >= threshold and scores[top] > 0:
        name = top
    return Decision(
        name=name,
        confidence=round(conf, 4),
        runner_up=runner,
        candidates=[] if name else cands,
        shares={k: round(v, 4) for k, v in shares.items()},
    )

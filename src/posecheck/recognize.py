"""``--exercise auto``: which library exercise is this clip, or none of them?

Pure Python + numpy. Works on what the pipeline or a landmarks file gives: a
sequence of (t_s, Pose or None, measures) per frame. Explainable and driven by the
definitions:

1. **Posture per frame** from the landmarks (:func:`classify_posture`): segment
   inclines and joint angles tell standing / all fours / kneeling / seated / lying;
   lying is supine or prone by the chest's direction on the 3D world landmarks when it
   points clearly up or down, else by the face (ear-to-nose direction), the knees (only a
   supine body lifts them over the hips), the arms (propped on the elbows), then
   the side the limbs are on (:func:`posecheck.curvature.dorsal_direction`).
2. **Phase targets** of each definition, as written (change targets against their
   rolling baseline, frozen in held phases as the engine does), on the side the engine
   would judge (:func:`worked_sides`); ``trunk_lean`` signed by the way the person
   faces over the whole clip (:func:`posecheck.lean.clip_facing`).
3. **Per-exercise score** in [0, 1] = posture share x movement share:

   - posture share: fraction of frames with a pose whose posture is the
     exercise's ``posture``;
   - cycle exercises: the share of ``min_reps`` complete repetitions seen *in
     order* (:func:`cycle_progress`; a phase visit shorter than ``MIN_VISIT_S`` or
     the definition's ``min_dwell_s`` is jitter), times the share of in-phase time the limbs of
     ``[recognition] still`` stay still. A phase whose targets cannot be measured
     (a mask measure without segmentation) gives half marks;
   - hold-only exercises: the share of frames in the hold phase (full marks from
     ``HOLD_SHARE`` on) times the share of those frames in which the body is still
     (a hold does not move; a dynamic exercise in the same position does);
   - a cycle seen only in its held phase (filmed during the hold) scores like a
     hold on that phase, if one stay lasts ``HELD_PHASE_SHARE`` of its ``hold_s``,
     times the share of the time its rules are kept.

   Phases count only in frames where the definition's ``required`` points are in
   view (:func:`required_in_view`), as the engine pauses elsewhere.

   The score is further weighed by what else the definition implies (the camera
   view, the range its phases span, incomplete repetitions, how much of the clip its
   phases and rules explain, the measures it keeps steady: ``[recognition]
   steady_spread_deg``): :mod:`posecheck.recognize_evidence`.

4. The answer: each definition's share of the evidence against the others and against
   "none of them" (:func:`posecheck.recognize_evidence.decide`; the evidence judged from
   another angle of definitions whose phases explain more of the clip counts against
   it, :func:`posecheck.recognize_evidence.rivals`); the best one the camera
   can confirm is the answer when its share reaches ``MIN_SCORE`` and its evidence is
   more than incomplete repetitions (:func:`posecheck.recognize_evidence.only_attempts`;
   unless they moved as far as only their definition moves, ``[recognition]
   attempt_confirms_deg``),
   the runner-up named when close; otherwise none, with the candidates named. Scores
   within ``TIE_BAND`` of the best are ranked by :func:`fit`. An exercise marked ``[recognition]
   position_only`` (the camera sees its position, not the exercise) is never the
   answer: it is listed in ``possible`` instead.

Limits: a hold whose position is also a resting position (the abdominal draw-in
is a hook-lying rest with an invisible contraction) cannot be told from resting,
hence ``position_only``; recognition needs the camera view the definitions' 2D
measures assume (3D ones, ``posecheck.body3d``, work from any view); it judges a
whole clip (or window), not single frames.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace

import numpy as np

from posecheck import recognize_evidence as ev
from posecheck.angles import compute_measures, is_known, known_measures, resolve
from posecheck.angles import incline_deg as _incline
from posecheck.angles import joint_angle_deg as _angle
from posecheck.body3d import shoulder_tilt, trunk_frame, world_angles
from posecheck.curvature import dorsal_direction
from posecheck.engine.baselines import ChangeBaselines
from posecheck.engine.side import best_side, side_parts, visibility_lead
from posecheck.engine.view import missing_points
from posecheck.exercise import TIMING_DEFAULTS, counts_reps
from posecheck.lean import clip_facing, trunk_lean
from posecheck.pose import LANDMARK_INDEX, SIDES, Pose

# Below this share of the evidence (recognize_evidence.decide) the answer is "none".
# Above a half: two definitions explaining a clip equally well get a half each, and a
# cycle exercise seen in only half of its phases (lying in the start position of a
# bridge) or a hold seen without its measurable targets is not enough.
MIN_SCORE = 0.6
# Scores this close to the best are ranked by how well each definition explains
# the clip (see rank()), not by the score alone.
TIE_BAND = 0.1
# A phase counts as visited when matched at least this long in total.
# (or the definition's min_dwell_s when that is longer): a shorter visit is jitter,
# e.g. a walker's stride reading as a 0.2 s lean back.
MIN_VISIT_S = 0.3
# Hold-only exercises: being in the hold position for this share of the clip gives
# full marks (the rest of the clip is getting into and out of it).
HOLD_SHARE = 0.5
# A cycle exercise recognised from its held phase alone (a clip filmed during the
# hold) must show one stay in that phase of at least this share of its hold_s,
# bridging gaps up to HOLD_GAP_S (the engine's hold grace).
HELD_PHASE_SHARE = 0.5
HOLD_GAP_S = 0.5
# A "none"'s candidates without evidence: the clip reached a definition's far phases
# when matched this long in all, more than passing through them (MIN_VISIT_S) and as
# long as a pause there (see :func:`far_reached`).
FAR_REACHED_S = 1.0
# A frame is still when the limbs move slower than this, in trunk lengths per
# second (averaged over STILL_WINDOW_S). Breathing and tremor stay far below it;
# lifting an arm or a leg goes far above it.
STILL_SPEED = 0.35
STILL_WINDOW_S = 0.5
# A trunk (shoulder to hip joints) is about this many shoulder widths long (Winter:
# 0.288 of height over a biacromial 0.2): the body's scale when the trunk is foreshortened.
TRUNK_PER_SHOULDER_WIDTH = 1.4
# Landmarks whose speed decides "still".
_MOTION_POINTS = ("wrist", "elbow", "knee", "ankle", "shoulder", "hip")
# Video recognition looks at this many frames per second (MediaPipe keeps tracking
# across the skipped frames well at this rate, and it costs a third of a full pass).
SAMPLE_FPS = 10.0
# Visibility needed for posture landmarks.
POSTURE_VISIBILITY = 0.5

POSTURE_UNKNOWN = "unknown"
# A knee this many trunk lengths above the hip in the picture is drawn up (sitting with
# the knees tucked to the chest); standing, kneeling and all fours have it below.
KNEE_ABOVE_HIP = 0.1
# Kneeling folded over the thighs (a child's pose): the hip at most this closed.
KNEEL_HIP_DEG = 75.0


@dataclass
class ExerciseScore:
    """Why an exercise got its score (all shares in [0, 1])."""

    name: str
    score: float
    posture: str
    posture_share: float
    movement_share: float
    phase_seconds: dict[str, float] = field(default_factory=dict)
    reps: bool = False  # a cycle exercise whose complete repetitions were seen
    coverage: float = 0.0  # share of the in-posture time inside one of its phases
    rules_share: float = 0.0  # share of the in-phase time with the phase's rules kept
    still_share: float | None = None
    note: str = ""
    # share of the in-posture time beyond the range its phases span (see
    # posecheck.recognize_evidence.beyond_share), and incomplete repetitions seen
    beyond_share: float = 0.0
    attempts: int = 0
    # the smallest change the incomplete repetitions' peaks made from the start position
    # (the far phase's measure, its unit): see recognize_evidence.attempt_progress
    attempt_moved: float = 0.0
    # measures it keeps steady that the clip turned (``[recognition] steady_spread_deg``)
    unsteady: list[str] = field(default_factory=list)
    # at least one complete repetition seen (``reps``: as many as the definition asks)
    one_rep: bool = False
    # two or more complete repetitions seen: the clip repeats this movement (one is a
    # way into a position and out of it, as a held stretch is)
    repeats: bool = False
    # the score on every frame whatever the camera angle, when some frames were not in
    # the definition's view (None: all were)
    off_view_score: float | None = None
    # how well its phases explain the clip judged that way (:func:`fit`; None: all in view)
    off_view_fit: float | None = None
    # the largest change from rest its far phase's change targets made while that phase
    # matched (degrees; None: no change target, or no such frame): see
    # ``[recognition] confirm_change_deg``
    change_reached: float | None = None
    # rule id -> seconds a phase's targets held while that rule, part of the movement
    # (``[recognition] movement_rules``), did not: what the clip left out of it
    movement_missed: dict[str, float] = field(default_factory=dict)


@dataclass
class Recognition:
    """The answer: ``name`` is None for "none of the library"."""

    name: str | None
    # the winner's share of the evidence (or, when none, that of the best exercise the
    # camera can confirm, i.e. not position-only): see recognize_evidence.decide
    confidence: float
    margin: float  # the best confirmable score minus the next best score
    scores: list[ExerciseScore]  # best first
    postures: dict[str, float]  # share of frames per posture
    frames: int  # frames with a pose
    threshold: float = MIN_SCORE
    # position-only exercises ([recognition] position_only) that fit better than the
    # answer: the camera cannot confirm them, so they are named, not chosen
    possible: list[str] = field(default_factory=list)
    # when none: the closest exercise the camera can confirm (None: the best score's)
    closest: str | None = None
    # the next best definition when it holds a fair share of the evidence (else None)
    runner_up: str | None = None
    # when none: the definitions that fit in part, best first (position-only ones too)
    candidates: list[str] = field(default_factory=list)

    @property
    def best(self) -> str | None:
        """The winner, or when none the closest exercise the camera can confirm."""
        if self.name:
            return self.name
        return self.closest or (self.scores[0].name if self.scores else None)

    def fits_in_part(self, name: str | None) -> bool:
        """Whether ``name`` is a candidate with evidence of its movement (its score, or
        its score judged from another angle, reaches ``ev.CANDIDATE_SCORE``), not only
        named for the posture and set-up the clip shows."""
        sc = next((s for s in self.scores if s.name == name), None)
        if sc is None or name not in self.candidates:
            return False
        return max(sc.score, sc.off_view_score or 0.0) >= ev.CANDIDATE_SCORE

    @property
    def label(self) -> str:
        return self.name or "none"

    def to_dict(self) -> dict:
        """The record stored in summaries: ``exercise`` (None for none), ``best`` guess,
        ``confidence``, ``margin``, ``threshold``, ``postures``, ``frames``, ``possible``,
        ``runner_up``, ``candidates``, ``scores``."""
        return {
            "exercise": self.name,
            "best": self.best,
            "confidence": self.confidence,
            "margin": self.margin,
            "threshold": self.threshold,
            "postures": dict(self.postures),
            "frames": self.frames,
            "possible": list(self.possible),
            "runner_up": self.runner_up,
            "candidates": list(self.candidates),
            "scores": [asdict(s) for s in self.scores],
        }


# --- posture ----------------------------------------------------------------------


def _leg(pose: Pose, side: str) -> dict[str, float] | None:
    """Segment inclines and joint angles of one side; None without its shoulder, hip and
    knee. Without the ankle (feet out of the picture) ``shin`` and ``knee`` are NaN."""
    names = [f"{side}_{p}" for p in ("shoulder", "hip", "knee")]
    if min(pose.vis(n) for n in names) < POSTURE_VISIBILITY:
        return None
    s, h, k = (pose.point(n) for n in names)
    ankle = f"{side}_ankle"
    a = pose.point(ankle) if pose.vis(ankle) >= POSTURE_VISIBILITY else None
    return {
        "trunk": _incline(s, h),
        "thigh": _incline(h, k),
        "shin": _incline(k, a) if a is not None else math.nan,
        "hip": _angle(s, h, k),
        "knee": _angle(h, k, a) if a is not None else math.nan,
        # > 0 when the knee is lower than the hip in the image (y grows downwards)
        "knee_below": float(k[1] - h[1]) / max(float(np.hypot(*(h - s))), 1e-9),
    }


def classify_posture(pose: Pose | None) -> str:
    """The body position in one frame: one of ``posecheck.exercise.POSTURES`` or "unknown".

    Rules, in order (angles in degrees; inclines 0 = horizontal, 90 = vertical):
    standing: thigh and shin near vertical, knee under the hip, legs fairly straight;
    all_fours: trunk near horizontal, a thigh near vertical under the hip, its shin
    on the floor (or out of view); kneeling: a shin on the floor with the knee folded
    and the hip folded (child's pose) or the trunk upright; seated: trunk up, thigh low, hip
    bent; lying (trunk and thigh low, or trunk raised on straight legs lying flat):
    supine when the back faces down (limbs and face up), prone when it faces up.
    Only standing and kneeling need the ankles: the rest is told by the trunk and thighs.
    """
    if pose is None:
        return POSTURE_UNKNOWN
    legs = [g for g in (_leg(pose, s) for s in SIDES) if g is not None]
    if not legs:
        return POSTURE_UNKNOWN
    best = max(
        SIDES,
        key=lambda s: np.mean([pose.vis(f"{s}_{p}") for p in ("shoulder", "hip", "knee")]),
    )
    main = _leg(pose, best) or legs[0]
    trunk = main["trunk"]

    def any_leg(pred) -> bool:
        return any(pred(g) for g in legs)

    if _lying_seen_from_the_feet(pose):
        return "supine"
    # Seen from the front, sitting thighs point at the camera: short in the picture,
    # under an upright trunk (the side-view rules below would read the legs as standing).
    if trunk >= 55 and ev.thighs_toward_camera(pose):
        return "seated"
    # Standing is decided by the legs alone: a deep hip hinge has a low trunk.
    if any_leg(
        lambda g: g["thigh"] >= 55 and g["shin"] >= 55 and g["knee"] >= 120 and g["knee_below"] > 0
    ):
        return "standing"
    # (a thigh hanging under a level trunk is on all fours even with the feet out of view)
    if trunk <= 40 and any_leg(
        lambda g: g["thigh"] >= 50 and g["knee_below"] > 0.4 and not g["shin"] > 35
    ):
        return "all_fours"
    if any_leg(
        lambda g: (
            g["shin"] <= 35
            and g["knee"] <= 75
            and g["knee_below"] > 0
            and g["hip"] <= KNEEL_HIP_DEG
        )
    ) or (
        # upright on the knees: the knees are on the floor, below the hips
        trunk >= 55
        and any_leg(lambda g: g["thigh"] >= 55 and g["shin"] <= 35 and g["knee_below"] > 0)
    ):
        return "kneeling"
    # Lying seen from the head or the feet: shoulders spread, the trunk foreshortened
    # to less than their width (sitting or standing from the front it is longer)
    along = ev.trunk_along_camera(pose)
    # (thighs low, or drawn up above the hips: a seated knee tuck is still sitting)
    thighs_sat = main["thigh"] <= 50 or main["knee_below"] < -KNEE_ABOVE_HIP
    if trunk >= 30 and thighs_sat and main["hip"] <= 130 and not along:
        return "seated"
    lying = trunk <= 30 or (main["thigh"] <= 20 and main["hip"] >= 130) or along
    if not lying:
        return POSTURE_UNKNOWN
    return _supine_or_prone(
        pose, best if _leg(pose, best) else ("left" if best == "right" else "right")
    )


def face_elevation_deg(pose: Pose) -> float:
    """Elevation of the ear->nose direction, -90..90 deg: > 0 the face looks up.

    The clearest supine/prone cue in a side or oblique view (measured on the real
    clips: +40..+90 lying on the back, -80..0 face down or propped on the elbows).
    """
    ears = [pose.point(f"{s}_ear") for s in SIDES if pose.vis(f"{s}_ear") >= 0.3]
    if not ears or pose.vis("nose") < 0.3:
        return math.nan
    v = pose.point("nose") - np.mean(ears, axis=0)
    if not np.isfinite(v).all() or not v.any():
        return math.nan
    return math.degrees(math.atan2(-float(v[1]), abs(float(v[0]))))


# Lying on the back filmed from the feet (or the head): the shoulders spread as seen from
# the front, and the face turned up to the ceiling at least this far (face_elevation_deg).
# Sitting or standing facing the camera the nose shows below the ears instead (median
# -80..-50 on the rendered and real front views); lying face up seen from the feet,
# +56..+84 (the rendered supine twists, the real one filmed from the feet).
FACE_TO_SKY_DEG = 45.0


def _lying_seen_from_the_feet(pose: Pose) -> bool:
    """Shoulders spread as from the front, face up: on the back, seen along the body (the
    trunk looks upright in the picture, as when sitting)."""
    r = ev.width_ratio(pose)
    if not (math.isfinite(r) and r >= ev.FRONT_VIEW_MIN_RATIO):
        return False
    return face_elevation_deg(pose) >= FACE_TO_SKY_DEG


# Face elevation beyond these decides supine / prone on its own.
_FACE_UP_DEG = 20.0
_FACE_DOWN_DEG = -10.0


# Lying, the chest faces up or down: measured on the 3D world landmarks (the trunk's
# front, out of the chest, :func:`posecheck.body3d.trunk_frame`) it does not depend on the
# camera angle, unlike the picture's face direction (filmed obliquely from the feet end,
# a face turned to the ceiling shows its nose below the ears: held6's oblique draw-in and
# pelvic tilt read prone on 72-80% of their lying frames, the chest pointing up on all of
# them). It decides when the chest points within CHEST_VERTICAL_DEG of straight up or
# down; nearer the horizontal (lying on a side, or the model unsure of the depth) the
# picture's cues do.
CHEST_VERTICAL_DEG = 60.0


def _chest_facing(pose: Pose) -> str | None:
    """ "supine" or "prone" by the 3D chest direction when it is clear (see
    CHEST_VERTICAL_DEG), else None."""
    frame = trunk_frame(pose)
    if frame is None:
        return None
    up = -float(frame[3][1])  # world y points down
    if abs(up) < math.cos(math.radians(CHEST_VERTICAL_DEG)):
        return None
    return "supine" if up > 0 else "prone"


def _supine_or_prone(pose: Pose, side: str) -> str:
    """Lying: the chest's direction in 3D when clear (:func:`_chest_facing`), then the
    face, then the knees (only a supine body lifts them over the hips), then the arms
    (propped on the elbows), then the limbs' side of the trunk."""
    chest = _chest_facing(pose)
    if chest is not None:
        return chest
    face = face_elevation_deg(pose)
    if face >= _FACE_UP_DEG:
        return "supine"
    if face <= _FACE_DOWN_DEG:
        return "prone"
    s, h = pose.point(f"{side}_shoulder"), pose.point(f"{side}_hip")
    length = float(np.hypot(*(h - s))) or 1.0
    legs = [g for g in (_leg(pose, x) for x in SIDES) if g is not None]
    if any(g["knee_below"] < -0.25 for g in legs):
        return "supine"
    elbow = f"{side}_elbow"
    if pose.vis(elbow) >= POSTURE_VISIBILITY and (pose.point(elbow)[1] - s[1]) / length > 0.3:
        return "prone"
    dorsal = dorsal_direction(pose, s, h)
    if dorsal is None:
        return POSTURE_UNKNOWN
    return "prone" if dorsal[1] < 0 else "supine"


# --- per-frame helpers ---------------------------------------------------------------


def _limb_speed(
    poses: Sequence[Pose | None], t_s: np.ndarray, parts: Sequence[str] = _MOTION_POINTS
) -> np.ndarray:
    """Per-frame speed of the fastest of ``parts`` (both sides), in trunk lengths per
    second, averaged over STILL_WINDOW_S; NaN where a pose or its neighbour is missing.
    The trunk length is the longer of the one in the picture and the one the shoulder
    width implies (TRUNK_PER_SHOULDER_WIDTH): filmed from the front or obliquely a trunk
    along the camera's axis looks short, and still limbs then seemed to move fast.
    """
    n = len(poses)
    speed = np.full(n, np.nan)
    for i in range(1, n):
        a, b = poses[i - 1], poses[i]
        dt = float(t_s[i] - t_s[i - 1])
        if a is None or b is None or dt <= 0:
            continue
        trunk = []
        best = 0.0
        for side in SIDES:
            s, h = f"{side}_shoulder", f"{side}_hip"
            if min(b.vis(s), b.vis(h)) >= POSTURE_VISIBILITY:
                trunk.append(float(np.hypot(*(b.point(s) - b.point(h)))))
            for part in parts:
                name = f"{side}_{part}"
                if min(a.vis(name), b.vis(name)) >= POSTURE_VISIBILITY:
                    d = float(np.hypot(*(b.point(name) - a.point(name))))
                    best = max(best, d)
        if trunk and max(trunk) > 0:
            speed[i] = best / max(*trunk, TRUNK_PER_SHOULDER_WIDTH * _shoulder_width(b)) / dt
    # moving average over the window (ignoring NaN)
    out = np.full(n, np.nan)
    for i in range(n):
        sel = (t_s >= t_s[i] - STILL_WINDOW_S / 2) & (t_s <= t_s[i] + STILL_WINDOW_S / 2)
        vals = speed[sel]
        vals = vals[np.isfinite(vals)]
        if vals.size:
            out[i] = float(np.mean(vals))
    return out


def _shoulder_width(pose: Pose) -> float:
    """Distance between the shoulders in the picture (0 when one is not seen)."""
    ls, rs = "left_shoulder", "right_shoulder"
    if min(pose.vis(ls), pose.vis(rs)) < POSTURE_VISIBILITY:
        return 0.0
    return float(np.hypot(*(pose.point(ls) - pose.point(rs))))


def _frame_dt(t_s: np.ndarray) -> np.ndarray:
    """Duration each frame stands for (median spacing at the ends and on gaps)."""
    if len(t_s) < 2:
        return np.full(len(t_s), 1 / 30)
    d = np.diff(t_s)
    med = float(np.median(d)) if np.all(np.isfinite(d)) else 1 / 30
    dt = np.append(d, med)
    return np.where((dt > 0) & (dt < 4 * med), dt, med)


def _measure_names(exercises: Iterable) -> set[str]:
    names: set[str] = set()
    for ex in exercises:
        for ph in ex.phases:
            for b in (*ph.targets, *ex.rules_for(ph.name)):
                for side in SIDES:
                    names.add(resolve(b.measure, side))
        for n, _ in getattr(getattr(ex, "recognition", None), "steady_spread_deg", ()):
            names.update(resolve(n, side) for side in SIDES)
    return {n for n in names if n in known_measures()}


# The change ranges of a definition's phases for one change bound key, split into the
# held phases' and the others' (the start position): see _Values.
_Ranges = tuple[tuple[float | None, float | None], ...]
_HeldRanges = tuple[_Ranges, _Ranges]


def held_change_ranges(ex) -> dict[str, _HeldRanges]:
    """Per change bound key that a phase with a ``hold_s`` tests (the tilt of a pelvic
    tilt, the turn of a seated spinal twist): the (min, max) of that bound in each held
    phase, and in each of the other phases (the position the hold starts from)."""
    held: dict[str, list[tuple[float | None, float | None]]] = {}
    rest: dict[str, list[tuple[float | None, float | None]]] = {}
    for ph in ex.phases:
        for b in ph.targets:
            if getattr(b, "change", False):
                into = held if getattr(ph, "hold_s", None) else rest
                into.setdefault(b.key, []).append((b.min, b.max))
    return {k: (tuple(v), tuple(rest.get(k, ()))) for k, v in held.items()}


class _Values:
    """Per-frame values of definition bounds for a clip, per side (changes cached).

    Change bounds (``min_change_deg``...) are the engine's
    (:class:`posecheck.engine.baselines.ChangeBaselines`), fed every frame as tracked
    (a frame without a pose has no value, so adds nothing). As the engine does, the
    baseline is frozen while the change lies in the range of a held phase of the
    definition (:meth:`for_exercise`): a tilt held for 10 s stays a tilt, instead of
    becoming the new rest once the 3 s baseline window has caught up with it (a slow
    drift of the hip angle then read as tilt, rest, tilt: two reps).
    Unlike the engine it does not leave out the first ``baseline_settle_s`` of a pose
    run: on its 10 fps samples that left out 2 frames, and the real resting clip
    (other/hook-lying-breathing.mp4) was then recognised as a pelvic tilt (0.70).
    """

    def __init__(
        self,
        t_s: np.ndarray,
        measures: Sequence[Mapping[str, float]],
        held: Mapping[str, _HeldRanges] | None = None,
    ):
        self.t = t_s
        self.measures = measures
        self.held: Mapping[str, _HeldRanges] = held or {}
        self.dt = _frame_dt(np.asarray(t_s, float))
        self._series: dict[tuple[str, str], np.ndarray] = {}
        self._changes: dict[tuple, np.ndarray] = {}

    def for_exercise(self, ex) -> _Values:
        """The same values, with change baselines frozen in the held phases of ``ex``
        (the series and the computed changes are shared)."""
        view = _Values(self.t, self.measures, held_change_ranges(ex))
        view._series, view._changes = self._series, self._changes
        return view

    def series(self, name: str) -> np.ndarray:
        key = ("abs", name)
        if key not in self._series:
            vals = [m.get(name, math.nan) for m in self.measures]
            self._series[key] = np.array([math.nan if v is None else v for v in vals], float)
        return self._series[key]

    def values(self, bound, side: str) -> np.ndarray:
        """The series a bound tests on ``side``: the measure, or its change."""
        raw = self.series(resolve(bound.measure, side))
        if not getattr(bound, "change", False):
            return raw
        held = self.held.get(bound.key)
        key = (side, bound.key, held)
        if key not in self._changes:
            self._changes[key] = self._change_series(bound, side, raw, held)
        return self._changes[key]

    def _change_series(
        self, bound, side: str, raw: np.ndarray, held: _HeldRanges | None
    ) -> np.ndarray:
        base = ChangeBaselines([bound], settle_s=0.0, min_s=TIMING_DEFAULTS["baseline_min_s"])
        out = np.full(len(raw), math.nan)
        hold, rest = held or ((), ())
        # frozen only after a stay in the start position (as the engine, in a repetition):
        # the clip's first frames may be on the way to it, or the model settling
        armed = not rest
        frozen = False
        stay = 0.0
        for i, v in enumerate(raw.tolist()):
            t = float(self.t[i])
            base.note_frame(t, has_pose=True, settling=False)
            vals = {bound.measure: v}
            c = base.changes(side, vals, t, tracking=True, frozen=True)[bound.key] if hold else None
            if c is not None and not math.isnan(c) and (armed or frozen) and _in_ranges(c, hold):
                frozen = True  # in a held phase: the engine freezes the baseline
            else:
                if frozen:
                    frozen, armed = False, not rest
                c = base.changes(side, vals, t, tracking=True, frozen=False)[bound.key]
                if rest and c is not None and not math.isnan(c):
                    stay = stay + float(self.dt[i]) if _in_ranges(c, rest) else 0.0
                    armed = armed or stay >= MIN_VISIT_S
            out[i] = math.nan if c is None else c
        return out


def _in_ranges(v: float, ranges: _Ranges) -> bool:
    return any((lo is None or v >= lo) and (hi is None or v <= hi) for lo, hi in ranges)


def _bounds_ok(bounds: Sequence, values: _Values, side: str, n: int) -> np.ndarray:
    """Per frame on one side: 1 all measurable bounds hold, 0 one fails, NaN none measurable.

    Bounds are tested as written (no hysteresis widening): to *enter* a phase the
    engine needs the range itself, and narrow change bounds (a 2-degree tilt) would
    mean nothing once widened.
    """
    out = np.full(n, math.nan)
    for b in bounds:
        v = values.values(b, side)
        finite = np.isfinite(v)
        inside = np.ones(n, bool)
        if b.min is not None:
            inside &= v >= b.min
        if b.max is not None:
            inside &= v <= b.max
        res = np.where(finite, inside.astype(float), math.nan)
        out = np.where(np.isnan(out), res, np.where(np.isnan(res), out, np.minimum(out, res)))
    return out


def _hinted_rules(ex, key: str) -> set[str]:
    """The rule ids a ``[recognition]`` list (``movement_rules``, ``form_only_rules``)
    names."""
    return set(getattr(getattr(ex, "recognition", None), key, ()) or ())


def _read_on(rule, values: _Values, other_values: _Values | None) -> _Values:
    """The values a rule that is part of the movement is tested on: a rule on the other
    limb on ``other_values`` (the model's guess of it) when given."""
    return other_values if rule.measure.startswith("other_") and other_values else values


def _phase_match(
    ex,
    phase,
    values: _Values,
    n: int,
    sides: Sequence[str] = SIDES,
    other_values: _Values | None = None,
) -> tuple[np.ndarray | None, np.ndarray]:
    """Per frame: whether the phase's targets hold on one of ``sides`` (1/0, NaN when no
    target can be measured; None if the phase has no known targets), and whether its
    rules (the phase's and the exercise's) hold too on a side where the targets do.
    ``other_values``: the values rules on the other limb (``other_hip``) are tested on
    (see :func:`posecheck.recognize_evidence.guessed_measures`); None: ``values``."""
    targets = [t for t in phase.targets if is_known(t.measure)]
    form_only = _hinted_rules(ex, "form_only_rules")
    rules = [r for r in ex.rules_for(phase.name) if is_known(r.measure) and r.id not in form_only]
    if not targets:
        return None, np.zeros(n, bool)
    movement = _hinted_rules(ex, "movement_rules")
    part_of = [r for r in rules if r.id in movement]  # tested as targets
    rules = [r for r in rules if r.id not in movement]
    match = np.full(n, math.nan)
    compliant = np.zeros(n, bool)
    for side in sides:
        ok = _bounds_ok(targets, values, side, n)
        for r in part_of:  # where it cannot be measured, the targets decide
            r_ok = _bounds_ok([r], _read_on(r, values, other_values), side, n)
            ok = np.where(np.isnan(ok), ok, np.fmin(ok, r_ok))
        match = np.where(np.isnan(match), ok, np.where(np.isnan(ok), match, np.maximum(match, ok)))
        r_ok = _bounds_ok(rules, values, side, n) if rules else np.ones(n)
        other = [r for r in rules if r.measure.startswith("other_")]
        if other and other_values is not None:
            mine = [r for r in rules if r not in other]
            r_ok = _bounds_ok(mine, values, side, n) if mine else np.ones(n)
            o_ok = _bounds_ok(other, other_values, side, n)
            r_ok = np.where(np.isnan(o_ok), r_ok, np.fmin(r_ok, o_ok))
        compliant |= (ok == 1.0) & (r_ok != 0.0)
    return match, compliant


def movement_missed(
    ex,
    postures: Sequence[str],
    values: _Values,
    dt: np.ndarray,
    sides: Sequence[str],
    visible: np.ndarray,
    other_values: _Values | None = None,
) -> dict[str, float]:
    """Per rule of ``[recognition] movement_rules``: the seconds (in the definition's
    posture, its points in view) a phase's targets held on a side while that rule
    failed there. A seated figure four passes the jack knife's tuck on the near leg,
    its other knee resting on the seat: that is what its movement left out."""
    movement = _hinted_rules(ex, "movement_rules")
    if not movement:
        return {}
    values = values.for_exercise(ex)
    n = len(postures)
    judged = _posture_frames(ex, postures, visible, dt)[2]
    out: dict[str, float] = {}
    for ph in ex.phases:
        targets = [t for t in ph.targets if is_known(t.measure)]
        for r in (r for r in ex.rules_for(ph.name) if r.id in movement and targets):
            on = _read_on(r, values, other_values)
            missed = np.zeros(n, bool)
            for side in sides:
                held = _bounds_ok(targets, values, side, n) == 1.0
                missed |= held & (_bounds_ok([r], on, side, n) == 0.0)
            out[r.id] = out.get(r.id, 0.0) + float(dt[missed & judged].sum())
    return {k: round(v, 2) for k, v in out.items() if v > 0}


def better_seen_side(
    poses: Sequence[Pose | None], parts: Sequence[str] = ("shoulder", "hip", "knee")
) -> str:
    """The side whose ``parts`` have the higher visibility summed over the clip."""
    return best_side(sum(visibility_lead(p, parts) for p in poses if p is not None))


def worked_sides(ex, poses: Sequence[Pose | None]) -> tuple[str, ...]:
    """The sides a definition is judged on over a clip, as the engine would.

    ``left``/``right``: that side; ``alternate``: both (either side may be working);
    ``auto``: the side whose required parts are better seen over the clip. The far
    side's landmarks are guesses in a side view and would add noise (on a resting
    clip its hip angle swings 7 degrees while the near side's moves 2).
    """
    policy = getattr(ex, "side", "auto")
    if policy in SIDES:
        return (policy,)
    if policy != "auto":
        return SIDES
    return (better_seen_side(poses, side_parts(getattr(ex, "required", ()) or ())),)


def required_in_view(ex, poses: Sequence[Pose | None], sides: Sequence[str]) -> np.ndarray:
    """Per frame: the definition's ``required`` points reach its ``min_visibility`` on
    one of ``sides`` (the engine's low-visibility test). A definition without
    ``required`` is in view wherever there is a pose."""
    parts = list(getattr(ex, "required", ()) or ())
    min_vis = float(getattr(ex, "min_visibility", POSTURE_VISIBILITY))
    out = np.zeros(len(poses), bool)
    for i, pose in enumerate(poses):
        if pose is not None:
            out[i] = any(not missing_points(pose, sd, parts, (), min_vis) for sd in sides)
    return out


# --- scoring ---------------------------------------------------------------------------


def longest_run_s(sel: np.ndarray, dt: np.ndarray, gap_s: float = 0.0) -> float:
    """Longest time ``sel`` stays true, bridging false stretches up to ``gap_s`` long
    (they do not count towards the run)."""
    best = run = gap = 0.0
    for on, d in zip(np.asarray(sel, bool).tolist(), np.asarray(dt, float).tolist(), strict=True):
        if on:
            run += d
            gap = 0.0
            best = max(best, run)
        else:
            gap += d
            if gap > gap_s + 1e-9:
                run = 0.0
    return best


def phase_runs(
    names: Sequence[str],
    matches: Mapping[str, np.ndarray | None],
    valid: np.ndarray,
    dt: np.ndarray,
    min_s: float,
) -> list[tuple[str, float]]:
    """The clip as a sequence of (phase, seconds) runs among ``names``.

    A frame takes the phase it matches (staying in the previous one when it still
    matches it: hysteresis); frames matching none are skipped. Runs shorter than
    ``min_s`` are dropped (jitter), and runs of the same phase then merge.
    """
    runs: list[list] = []
    prev: str | None = None
    for i in range(len(dt)):
        if not valid[i]:
            continue
        hits = [n for n in names if (m := matches.get(n)) is not None and m[i] == 1.0]
        if not hits:
            continue
        if len(hits) > 1 and names[0] in hits:
            # the start position seen on the other side (one arm still on the floor in
            # a bird dog) does not contradict the move: the move wins
            hits.remove(names[0])
        label = prev if prev in hits else hits[0]
        prev = label
        if runs and runs[-1][0] == label:
            runs[-1][1] += float(dt[i])
        else:
            runs.append([label, float(dt[i])])
    out: list[tuple[str, float]] = []
    for name, sec in runs:
        if sec < min_s:
            continue
        if out and out[-1][0] == name:
            out[-1] = (name, out[-1][1] + sec)
        else:
            out.append((name, sec))
    return out


def cycle_progress(
    cycle: Sequence[str],
    matches: Mapping[str, np.ndarray | None],
    valid: np.ndarray,
    dt: np.ndarray,
    min_s: float,
    min_reps: int = 1,
    loop: bool = False,
) -> float:
    """Share of ``min_reps`` full reps seen in order: the longest chain of consecutive
    steps of ``cycle`` (:func:`cycle_steps`) over the steps in ``min_reps`` reps; 1.0 =
    enough complete reps."""
    chain, per_rep = cycle_steps(cycle, matches, valid, dt, min_s, loop)
    return _reps_share(chain, per_rep, min_reps)


def _reps_share(chain: int, per_rep: int, reps: int) -> float:
    """The share of ``reps`` complete reps a chain of ``chain`` steps (``per_rep`` a rep)
    shows, at most 1."""
    return min(1.0, chain / (per_rep * max(1, reps))) if per_rep else 0.0


def cycle_steps(
    cycle: Sequence[str],
    matches: Mapping[str, np.ndarray | None],
    valid: np.ndarray,
    dt: np.ndarray,
    min_s: float,
    loop: bool = False,
) -> tuple[int, int]:
    """The longest chain of consecutive steps of ``cycle`` (e.g. down->up, up->down) in
    the clip's phase runs, and the steps in one rep. A cycle whose last phase is its
    first wraps (the next rep goes on from there). ``loop``: the clip plays in a loop
    (an animated GIF), so its end joins its start.
    """
    steps = list(zip(cycle[:-1], cycle[1:], strict=True))
    if not steps:
        return 0, 0
    wrap = cycle[0] == cycle[-1]
    seq = [n for n, _ in phase_runs(list(dict.fromkeys(cycle)), matches, valid, dt, min_s)]
    if loop and len(seq) > 1:
        seq = seq + (seq[1:] if seq[0] == seq[-1] else seq)
    best = 0
    memo: dict[tuple[int, int], int] = {}

    def chain(j: int, k: int) -> int:
        # steps matched from run j on, when run j -> j+1 must be step k
        if j + 1 >= len(seq) or k >= len(steps):
            return 0
        if (j, k) not in memo:
            if (seq[j], seq[j + 1]) != steps[k]:
                memo[j, k] = 0
            else:
                nk = k + 1
                if nk == len(steps) and wrap:
                    nk = 0
                memo[j, k] = 1 + chain(j + 1, nk)
        return memo[j, k]

    for j in range(len(seq) - 1):
        for k in range(len(steps)):
            best = max(best, chain(j, k))
    return best, len(steps)


def fit(score: ExerciseScore) -> float:
    """How well a definition explains the clip: the share of in-posture time inside
    its phases, times the square root of the share of that time with its rules kept
    (rules weigh less: bad form is still the exercise)."""
    return score.coverage * math.sqrt(score.rules_share)


def rank(scores: list[ExerciseScore]) -> list[ExerciseScore]:
    """Best first: by score, but scores within TIE_BAND of the best are ordered
    (1) repetitions before holds: complete reps of a movement are better explained by
    the exercise that repeats it than by a hold in the same position (pelvic tilts
    also fit the draw-in's hook-lying hold); (2) by :func:`fit` (knees to chest and a
    knee rock both fit a knees-to-chest clip; the one whose phases cover the clip and
    whose rules it keeps is the better answer)."""
    by_score = sorted(scores, key=lambda s: -s.score)
    if not by_score:
        return by_score
    top = by_score[0].score
    close = [s for s in by_score if top - s.score <= TIE_BAND and s.score > 0]
    rest = [s for s in by_score if s not in close]
    return sorted(close, key=lambda s: (not s.reps, -fit(s), -s.score)) + rest


def _phase_hits(
    ex,
    values: _Values,
    n: int,
    sides: Sequence[str],
    fit_side: str | None,
    other_values: _Values | None,
    judged: np.ndarray,
    dt: np.ndarray,
) -> tuple[dict[str, float], dict[str, np.ndarray | None], np.ndarray, np.ndarray, np.ndarray]:
    """Match every phase of ``ex`` on the clip, for :func:`score_exercise`.

    Split out of it to keep that function readable. Returns the seconds in each phase
    (NaN when it cannot be matched), each phase's per-frame match, the frames in any
    phase, and on the fit side the frames in a phase and those with its rules kept.
    """
    phase_s: dict[str, float] = {}
    matches: dict[str, np.ndarray | None] = {}
    any_phase = np.zeros(n, bool)
    # coverage and rules are judged on one side for every definition (the clip's
    # better-seen one): a definition judged on either side would otherwise explain
    # more of any clip just by having two chances
    fit_sides = (fit_side,) if fit_side else sides
    fit_phase = np.zeros(n, bool)
    fit_compliant = np.zeros(n, bool)
    for ph in ex.phases:
        mt, _ = _phase_match(ex, ph, values, n, sides, other_values)
        matches[ph.name] = mt
        if mt is None:
            phase_s[ph.name] = math.nan
            continue
        # a phase only counts in the exercise's posture, with its points in view
        hit = (mt == 1.0) & judged
        phase_s[ph.name] = float(dt[hit].sum())
        any_phase |= hit
        fmt, compliant = (
            _phase_match(ex, ph, values, n, fit_sides, other_values)
            if fit_sides != tuple(sides)
            else (mt, _)
        )  # fmt: skip
        fhit = (fmt == 1.0) & judged
        fit_phase |= fhit
        fit_compliant |= fhit & compliant
    return phase_s, matches, any_phase, fit_phase, fit_compliant


def _held(
    name: str,
    matches: Mapping[str, np.ndarray | None],
    judged: np.ndarray,
    dt: np.ndarray,
    total_s: float,
    speed: Callable[[tuple[str, ...]], np.ndarray],
    min_s: float = 0.0,
) -> tuple[float, float] | None:
    """(share of the clip in phase ``name``, full from HOLD_SHARE; share of those
    frames with the body still); None when its targets cannot be measured.
    ``min_s``: the share is 0 unless one stay in the phase lasts this long.

    A module-level function (it was a closure in :func:`score_exercise`) so that both
    the repetition and the hold scoring helpers can use it."""
    mt = matches.get(name)
    if mt is None or not np.isfinite(mt[judged]).any():
        return None
    sel = (mt == 1.0) & judged
    if min_s > 0 and longest_run_s(sel, dt, HOLD_GAP_S) < min_s:
        return 0.0, 0.0
    share = min(1.0, float(dt[sel].sum()) / (HOLD_SHARE * total_s)) if total_s else 0.0
    st = speed(_MOTION_POINTS)[sel]
    st = st[np.isfinite(st)]
    return share, float(np.mean(st <= STILL_SPEED)) if st.size else 0.0


def _cycle_movement(
    ex,
    cycle: list[str],
    matches: Mapping[str, np.ndarray | None],
    judged: np.ndarray,
    dt: np.ndarray,
    speed: Callable[[tuple[str, ...]], np.ndarray],
    loop: bool,
    any_phase: np.ndarray,
) -> tuple[float, str | None, float, float | None, bool]:
    """How far the clip goes through the cycle of ``ex``, for :func:`_rep_movement`.

    Split out of :func:`score_exercise` to keep it readable. Returns the movement
    evidence, a new note (None: keep the current one), the share of the repetitions
    it asks for that were seen complete (:func:`cycle_progress`; 0 when not measurable),
    the share of frames with the definition's still limbs still (None when it
    names none or they are not seen), and whether two or more repetitions were seen
    complete (:attr:`ExerciseScore.repeats`).
    """
    still_share: float | None = None
    note: str | None = None
    progress = 0.0
    repeats = False
    try:
        visit = max(MIN_VISIT_S, float(ex.setting("min_dwell_s")))
    except (AttributeError, KeyError):
        visit = MIN_VISIT_S
    if any(
        (m := matches.get(name)) is None or not np.isfinite(m[judged]).any() for name in set(cycle)
    ):
        movement = 0.5  # cannot be measured here: neither for nor against
        note = "some phases not measurable (segmentation off?)"
    else:
        chain, per_rep = cycle_steps(cycle, matches, judged, dt, visit, loop)
        asked = _min_reps(ex)
        movement = progress = _reps_share(chain, per_rep, asked)
        repeats = _reps_share(chain, per_rep, max(2, asked)) >= 1.0
    # Limbs the definition says stay still (its [recognition] table): a pelvic tilt
    # with the feet kicking (a dead bug) is not a pelvic tilt.
    parts = tuple(getattr(getattr(ex, "recognition", None), "still", ()) or ())
    st = speed(parts)[any_phase] if parts else np.array([])
    st = st[np.isfinite(st)]
    if st.size:
        still_share = float(np.mean(st <= STILL_SPEED))
        movement *= still_share
    return movement, note, progress, still_share, repeats


def _min_reps(ex) -> int:
    """The complete repetitions a clip must show (``[recognition] min_reps``, at least 1)."""
    return max(1, int(getattr(getattr(ex, "recognition", None), "min_reps", 1)))


def _rep_movement(
    ex,
    cycle: list[str],
    holds: list[str],
    matches: dict[str, np.ndarray | None],
    values: _Values,
    judged: np.ndarray,
    dt: np.ndarray,
    speed: Callable[[tuple[str, ...]], np.ndarray],
    sides: Sequence[str],
    loop: bool,
    any_phase: np.ndarray,
    through: np.ndarray,
    beyond: float,
    rules_share: float,
    coverage: float,
    posture_s: float,
    total_s: float,
    note: str,
) -> tuple[float, str, float, float | None, int, float, float, bool]:
    """Movement evidence for a definition with a cycle of two or more phases.

    Split out of :func:`score_exercise` to keep it readable. Returns the movement
    evidence, the note, the share of the asked repetitions seen complete, the still
    share, the number of incomplete repetitions, the coverage (raised by those
    repetitions), the incomplete repetitions' smallest move and whether the movement
    repeats (:attr:`ExerciseScore.repeats`).
    """
    movement, new_note, reps_share, still_share, repeats = _cycle_movement(
        ex, cycle, matches, judged, dt, speed, loop, any_phase
    )
    movement_full = reps_share >= 1.0
    if new_note is not None:
        note = new_note
    # A rep that turned back short of the far phase is an incomplete rep of this
    # exercise (a bridge whose hips sag), credited by how far it went.
    attempts, progress, attempt_s, attempt_moved = ev.attempt_progress(
        ex, matches, values.values, judged, sides, dt, through
    )
    if not movement_full and attempts:
        hints = getattr(ex, "recognition", None)
        partial = ev.attempt_movement(attempts, progress, getattr(hints, "min_reps", 1))
        partial *= still_share if still_share is not None else 1.0
        if partial > movement:
            movement = partial
            note = f"{attempts} incomplete repetition(s), {progress:.0%} of the way"
            # the incomplete reps are explained by this exercise too
            coverage = min(1.0, coverage + attempt_s / posture_s) if posture_s else 0.0
    # Time far beyond the range the phases span is a movement this exercise lacks.
    movement *= ev.range_factor(beyond)
    # A clip may show only the held phase of a cycle (a supine twist filmed during
    # its 30 s hold): held still for most of the clip, that phase is the exercise.
    # It must be held for half its prescribed time in one go (a second in a
    # position is not a hold), and the weaker evidence of a position alone is
    # weighed by how well the definition's rules are kept (a figure four also fits
    # the leg lift of lower tummy strengthening, with its rules broken). One hold is one
    # repetition: a definition asking for more ([recognition] min_reps: one 2-degree
    # tilt can be settling) gets that share of it.
    per_rep = 1.0 / _min_reps(ex)
    for name in holds if not movement_full else ():
        min_s = HELD_PHASE_SHARE * float(ex.phase(name).hold_s or 0.0)
        h = _held(name, matches, judged, dt, total_s, speed, min_s)
        if h is not None and h[0] * h[1] * rules_share * per_rep > movement:
            movement, still_share = h[0] * h[1] * rules_share * per_rep, h[1]
            note = f"only the held phase '{name}' seen"
    return movement, note, reps_share, still_share, attempts, coverage, attempt_moved, repeats


def _hold_movement(
    ex,
    holds: list[str],
    matches: Mapping[str, np.ndarray | None],
    judged: np.ndarray,
    dt: np.ndarray,
    total_s: float,
    speed: Callable[[tuple[str, ...]], np.ndarray],
    rules_share: float,
    note: str,
) -> tuple[float, float, str]:
    """Movement evidence for a hold (a definition without a cycle of two phases).

    Split out of :func:`score_exercise` to keep it readable. Returns the movement
    evidence, the still share and the note.
    """
    name = (holds or [ex.phases[-1].name])[0]
    h = _held(name, matches, judged, dt, total_s, speed)
    if h is None:
        sel = judged
        st = speed(_MOTION_POINTS)[sel]
        st = st[np.isfinite(st)]
        h = 0.5, float(np.mean(st <= STILL_SPEED)) if st.size else 0.0
        note = "hold targets not measurable"
    # a hold is still: its rules (the pelvis still in a draw-in) kept through it;
    # tilting or lifting in the same position is another exercise
    movement = h[0] * h[1] * (rules_share if note == "" else 1.0)
    return movement, h[1], note


def _without_transits(
    ex,
    cycle: list[str],
    matches: dict[str, np.ndarray | None],
    beyond_judged: np.ndarray,
    dt: np.ndarray,
) -> tuple[dict[str, np.ndarray | None], np.ndarray]:
    """The phase matches with the frames passed through on the way beyond the range
    cleared (but for the cycle's first phase), and those frames. Split out of
    :func:`score_exercise` to keep it readable."""
    through = ev.transits(ex, matches, beyond_judged, dt)
    if through.any():
        start = cycle[0]
        matches = {k: (m if m is None or k == start else np.where(through, 0.0, m))
                   for k, m in matches.items()}  # fmt: skip
    return matches, through


def setup_kept(
    ex,
    cycle: Sequence[str],
    matches: Mapping[str, np.ndarray | None],
    values: _Values,
    sides: Sequence[str],
    judged: np.ndarray,
    dt: np.ndarray,
) -> tuple[float, float, float, float] | None:
    """How well a cycle's set-up holds: the share of the time in its start phase and of
    the time away from it (in its other phases, on the way, or in repetitions that
    turned back short) with the exercise-wide rules kept (the rules of every phase:
    head and shoulders down, sitting tall), the seconds away and the seconds in the
    start phase. None without such rules, a cycle of two phases or a measurable start
    phase (see :func:`posecheck.recognize_evidence.moved_what_rules_hold`)."""
    rules = [r for r in getattr(ex, "rules", ()) if not r.phases and is_known(r.measure)]
    start = matches.get(cycle[0]) if cycle else None
    if not rules or not counts_reps(cycle) or start is None:
        return None
    n = len(judged)
    ok = np.zeros(n, bool)
    for side in sides:
        ok |= _bounds_ok(rules, values, side, n) != 0.0  # not measurable: not broken
    at_start = (start == 1.0) & judged
    far = judged & (start == 0.0)

    def share(sel: np.ndarray) -> float:
        total = float(dt[sel].sum())
        return float(dt[sel & ok].sum()) / total if total > 0 else math.nan

    return share(at_start), share(far), float(dt[far].sum()), float(dt[at_start].sum())


def _posture_flips(postures: Sequence[str], dt: np.ndarray, posture: str) -> tuple[float, str]:
    """Score weight and note for a movement that goes in and out of the posture every rep:
    another exercise (squats dip into a seated shape)."""
    flips = ev.posture_changes(postures, dt, posture)
    if flips > 2:
        return ev.POSTURE_CHANGES_FACTOR, f"enters or leaves the posture {flips} times"
    return 1.0, ""


def _share(dt: np.ndarray, sel: np.ndarray, total_s: float) -> float:
    """The seconds of ``sel`` over ``total_s`` (0 when there is no time)."""
    return float(dt[sel].sum()) / total_s if total_s else 0.0


def _setup_broken(ex, cycle, matches, values, sides, judged, dt) -> bool:
    """:func:`posecheck.recognize_evidence.moved_what_rules_hold` or
    :func:`posecheck.recognize_evidence.never_set_up` on :func:`setup_kept`."""
    kept = setup_kept(ex, cycle, matches, values, sides, judged, dt)
    if kept is None:
        return False
    start, far, far_s, start_s = kept
    return ev.moved_what_rules_hold(start, far, far_s) or ev.never_set_up(start, far, start_s)


def _unsteady(
    ex, values: _Values, sides: Sequence[str], judged: np.ndarray, dt: np.ndarray
) -> list[tuple[str, float, float]]:
    """:func:`posecheck.recognize_evidence.unsteady` on the measures the definition keeps
    steady (``[recognition] steady_spread_deg``), for a sided one on every judged side
    (the narrower spread counts: the hidden side is the model's guess)."""
    limits = getattr(getattr(ex, "recognition", None), "steady_spread_deg", ())
    if not limits:
        return []

    def spread(side: str) -> dict[str, tuple[str, float, float]]:
        def series(name: str) -> np.ndarray:
            return values.series(resolve(name, side))

        return {r[0]: r for r in ev.unsteady(limits, series, judged, dt)}

    found = spread(sides[0]) if sides else {}
    for side in sides[1:]:
        mine = spread(side)
        found = {k: min(v, mine[k], key=lambda r: r[1]) for k, v in found.items() if k in mine}
    return list(found.values())


def _posture_frames(
    ex, postures: Sequence[str], visible: np.ndarray | None, dt: np.ndarray
) -> tuple[np.ndarray, float, np.ndarray, float]:
    """For :func:`score_exercise`: the frames in the definition's posture, their share of
    the frames with a posture, the judged frames (in the posture and, when ``visible`` is
    given, with its required points in view) and the seconds with a posture."""
    present = np.array([p != POSTURE_UNKNOWN for p in postures])
    in_posture = np.array([p == ex.posture for p in postures])
    posture_share = float(in_posture.sum()) / (int(present.sum()) or 1)
    judged = in_posture if visible is None else in_posture & np.asarray(visible, bool)
    return in_posture, posture_share, judged, float(dt[present].sum()) or float(dt.sum())


def _held_in_place(
    ex,
    cycle,
    matches,
    values: _Values,
    sides,
    judged: np.ndarray,
    dt: np.ndarray,
    judge_rules: bool,
) -> tuple[float, list[str], list[tuple[str, float, float]]]:
    """What a definition holds in place while it moves: its set-up (exercise-wide rules,
    :func:`_setup_broken`) and the measures it keeps steady (:func:`_unsteady`). Returns
    the movement's weight, why it is less than 1, and the unsteady measures."""
    factor, why = 1.0, []
    if judge_rules and _setup_broken(ex, cycle, matches, values, sides, judged, dt):
        factor *= ev.SETUP_BROKEN_FACTOR
        why.append("the movement breaks its set-up (exercise-wide rules)")
    unsteady = _unsteady(ex, values, sides, judged, dt)
    for m, spread, limit in unsteady:
        factor *= ev.STEADY_BROKEN_FACTOR
        why.append(f"{m} spans {spread:.0f} deg (kept within {limit:g})")
    return factor, why, unsteady


def score_exercise(
    ex,
    postures: Sequence[str],
    values: _Values,
    dt: np.ndarray,
    speed: Callable[[tuple[str, ...]], np.ndarray],
    sides: Sequence[str] = SIDES,
    loop: bool = False,
    fit_side: str | None = None,
    visible: np.ndarray | None = None,
    other_values: _Values | None = None,
    judge_rules: bool = True,
) -> ExerciseScore:
    """Score one definition against a clip (see the module docstring).

    ``visible``: per frame, whether the definition's required points are in view on a
    judged side (:func:`required_in_view`); phases are matched only there, as the
    engine pauses when they are hidden. None: every frame. ``judge_rules`` False: the
    movement only, its rules (form, set-up) left aside (cf. :func:`joint_rules_only`).
    """
    values = values.for_exercise(ex)
    in_posture, posture_share, judged, total_s = _posture_frames(ex, postures, visible, dt)

    n = len(postures)
    phase_s, matches, any_phase, fit_phase, fit_compliant = _phase_hits(
        ex, values, n, sides, fit_side, other_values, judged, dt
    )
    posture_s = float(dt[in_posture].sum())
    coverage = float(dt[fit_phase].sum()) / posture_s if posture_s else 0.0
    in_phase_s = float(dt[fit_phase].sum())
    rules_share = _share(dt, fit_compliant, in_phase_s) if judge_rules else 1.0

    cycle = list(getattr(ex, "cycle", ()) or ())
    holds = [p.name for p in ex.phases if getattr(p, "hold_s", None)]
    still_share: float | None = None
    reps_share, attempts, attempt_moved, repeats = 0.0, 0, 0.0, False
    changes, note = _posture_flips(postures, dt, ex.posture)

    # Excursions that went beyond the exercise's range passed through its phases on the
    # way: those visits are not arrivals (see posecheck.recognize_evidence.transits).
    beyond_at = ev.beyond_mask(ex, values.values, n, sides)
    beyond = ev.beyond_share(beyond_at, judged, dt)
    matches, through = _without_transits(ex, cycle, matches, beyond_at & judged, dt)

    if not judged.any():
        movement = 0.0
    elif counts_reps(cycle):
        (movement, note, reps_share, still_share, attempts, coverage, attempt_moved,
         repeats) = _rep_movement(
            ex, cycle, holds, matches, values, judged, dt, speed, sides, loop, any_phase,
            through, beyond, rules_share, coverage, posture_s, total_s, note,
        )  # fmt: skip
    else:
        movement, still_share, note = _hold_movement(
            ex, holds, matches, judged, dt, total_s, speed, rules_share, note
        )
    factor, why, unsteady = _held_in_place(ex, cycle, matches, values, sides, judged, dt,
                                           judge_rules)  # fmt: skip
    movement *= factor
    note = "; ".join([note] * bool(note) + why)
    return ExerciseScore(
        name=ex.name,
        score=round(posture_share * movement * ev.explained(coverage, rules_share) * changes, 4),
        posture=ex.posture,
        posture_share=round(posture_share, 4),
        movement_share=round(movement, 4),
        phase_seconds={k: round(v, 2) for k, v in phase_s.items()},
        reps=bool(counts_reps(cycle) and reps_share >= 1.0),
        one_rep=bool(counts_reps(cycle) and reps_share * _min_reps(ex) >= 1.0 - 1e-9),
        repeats=repeats,
        coverage=round(coverage, 4),
        rules_share=round(rules_share, 4),
        still_share=None if still_share is None else round(still_share, 4),
        note=note,
        beyond_share=round(beyond, 4),
        attempts=attempts,
        attempt_moved=round(attempt_moved, 2),
        unsteady=[u[0] for u in unsteady],
        change_reached=_change_reached(ex, cycle, matches, values, sides, judged),
    )


def _change_reached(
    ex,
    cycle: Sequence[str],
    matches: Mapping[str, np.ndarray | None],
    values: _Values,
    sides: Sequence[str],
    judged: np.ndarray,
) -> float | None:
    """The largest change from rest the far phase's change targets made on the frames it
    matched (the target's direction: up for a lower bound), over the judged sides."""
    if not counts_reps(cycle):
        return None
    m = matches.get(cycle[1])
    if m is None:
        return None
    at = judged & (np.nan_to_num(np.asarray(m, float)) > 0.5)
    best: float | None = None
    for tg in ex.phase(cycle[1]).targets:
        if not getattr(tg, "change", False) or not at.any():
            continue
        sign = 1.0 if tg.min is not None else -1.0
        for side in sides:
            v = sign * values.values(tg, side)[at]
            v = v[np.isfinite(v)]
            if v.size:
                best = max(best if best is not None else -math.inf, float(v.max()))
    return None if best is None else round(best, 2)


def _frame_measures(
    poses: Sequence[Pose | None],
    measures: Sequence[Mapping[str, float]] | None,
    needed: Iterable[str],
) -> list[dict[str, float]]:
    """Per frame, the given measures completed with the ``needed`` ones computed from
    the pose. Split out of :func:`recognize` to keep it readable."""
    per_frame: list[dict[str, float]] = []
    for i, pose in enumerate(poses):
        given = dict(measures[i]) if measures is not None else {}
        missing = [n for n in needed if n not in given]
        if missing:
            given.update(compute_measures(pose, missing))
        per_frame.append(given)
    return per_frame


def _world_measures(
    poses: Sequence[Pose | None], per_frame: Sequence[Mapping[str, float]], needed: Iterable[str]
) -> list[dict[str, float]]:
    """Per frame, the measures with the joint angles and inclines among ``needed``
    measured on the 3D world landmarks (:func:`posecheck.body3d.world_angles`); the
    picture's where a pose has no world landmarks."""
    names = sorted(needed)
    out = []
    for pose, m in zip(poses, per_frame, strict=True):
        world = world_angles(pose, names)
        out.append({**m, **{k: v for k, v in world.items() if math.isfinite(v)}})
    return out


def _lean_by_clip_facing(
    poses: Sequence[Pose | None], per_frame: list[dict[str, float]], needed: Iterable[str]
) -> None:
    """``trunk_lean`` signed by the way the person faces over the whole clip
    (:func:`posecheck.lean.clip_facing`), not frame by frame: the heel and toe landmarks
    of a small figure swap on some frames, and a lean back then read as forward."""
    if "trunk_lean" not in needed:
        return
    facing = clip_facing(poses)
    if facing:
        for pose, m in zip(poses, per_frame, strict=True):
            m["trunk_lean"] = trunk_lean(pose, facing=facing) if pose is not None else math.nan


def joint_rules_only(ex):
    """``ex`` with only the rules that test joint angles (the other limb's too) or
    rotations: measured on the 3D world landmarks they hold whatever the camera angle,
    while inclines are against the camera's horizontal plane and read otherwise from
    another angle (see :func:`posecheck.body3d.world_angles`). Judged from another angle
    than its camera asks, a definition keeps these: both knees hugged break a lower-tummy
    lift's other foot down, knees dropped to a side a bridge's start, whatever the
    view."""

    def joint(rules):
        return tuple(r for r in rules if _measure_kind(r.measure) in ("joint", "rotation"))

    return replace(
        ex, rules=joint(ex.rules), phases=tuple(replace(p, rules=joint(p.rules)) for p in ex.phases)
    )


def _measure_kind(measure: str) -> str | None:
    """The kind of a definition's measure (its left side for a sided one; ``other_`` ones
    as their limb), or None when unknown."""
    known = known_measures()
    spec = known.get(resolve(measure, "left")) or known.get(measure)
    return getattr(spec, "kind", None)


# A frame read lying on the back whose 3D shoulder line tilts more than a definition's
# ``[recognition] shoulders_level_deg`` from level is, for that definition, a body on its
# side (shoulders stacked), not its posture: the picture of an obliquely filmed side
# plank reads lying on the back (held3 s303, held8 s804: supine on 90% of the frames),
# while its shoulder line tilts 62-75 degrees (median per clip; supine twists 3-36).
ON_SIDE = "on_side"


def shoulder_tilts(exercises: Iterable, poses: Sequence[Pose | None]) -> list[float] | None:
    """Per frame, the 3D shoulder line's tilt from level (:func:`posecheck.body3d.
    shoulder_tilt`), when a definition asks its shoulders level; else None."""
    if not any(_shoulders_level(ex) is not None for ex in exercises):
        return None
    return [shoulder_tilt(p) if p is not None else math.nan for p in poses]


def _shoulders_level(ex) -> float | None:
    return getattr(getattr(ex, "recognition", None), "shoulders_level_deg", None)


def definition_postures(
    ex, postures: Sequence[str], tilts: Sequence[float] | None
) -> Sequence[str]:
    """The frames' postures as ``ex`` reads them: those in its posture whose shoulder
    line tilts more than its ``shoulders_level_deg`` are :data:`ON_SIDE` (an unknown
    tilt leaves the posture as classified)."""
    limit = _shoulders_level(ex)
    if limit is None or tilts is None:
        return postures
    return [
        ON_SIDE if p == ex.posture and t > limit else p
        for p, t in zip(postures, tilts, strict=True)
    ]


def _score_all(
    exercises: list,
    poses: Sequence[Pose | None],
    all_postures: Sequence[str],
    values: _Values,
    dt: np.ndarray,
    speed: Callable[[tuple[str, ...]], np.ndarray],
    loop: bool,
    seen_side: str | None,
    other_values: _Values | None,
    values3d: _Values,
    tilts: Sequence[float] | None,
) -> tuple[list[ExerciseScore], dict[str, float]]:
    """Score every definition on the clip, in the camera view it asks for, for
    :func:`recognize` (split out of it to keep it readable). Returns the scores in the
    order of ``exercises`` and the off-view score of those filmed from another angle
    (``values3d``: the values with joint angles and inclines measured in 3D; each
    definition reads the postures as :func:`definition_postures` says, with ``tilts``
    from :func:`shoulder_tilts`)."""
    scores = []
    off_view: dict[str, float] = {}
    for ex in exercises:
        postures = definition_postures(ex, all_postures, tilts)
        sides = worked_sides(ex, poses)
        in_view = required_in_view(ex, poses, sides)
        view = ev.view_ok(ex, poses)

        def score(
            visible: np.ndarray, ex=ex, sides=sides, postures=postures, judge_rules: bool = True
        ) -> ExerciseScore:
            return score_exercise(
                ex, postures, values, dt, speed, sides, loop, seen_side, visible=visible,
                other_values=other_values, judge_rules=judge_rules,
            )  # fmt: skip

        sc = score(in_view & view)
        sc.movement_missed = movement_missed(ex, postures, values, dt, sides, in_view & view,
                                             other_values)  # fmt: skip
        if (in_view & ~view).any():
            # filmed from another angle than the definition's camera asks: not judged
            # there (the engine would pause), but named as a candidate if its movement
            # fits there; its joint angles and inclines are measured in 3D
            # (world_angles): the picture distorts them from another angle. Of its rules
            # only those on joint angles are judged (the other limb's in 3D too): the
            # inclines the others test (trunk level, thighs vertical) are against the
            # camera's horizontal plane and read otherwise from another angle
            off = score_exercise(
                joint_rules_only(ex), postures, values3d, dt, speed, sides, loop, seen_side,
                visible=in_view, other_values=values3d,
            )  # fmt: skip
            sc.off_view_score, sc.off_view_fit = off.score, round(fit(off), 4)
            off_view[ex.name] = sc.off_view_score
        scores.append(sc)
    return scores, off_view


# A frame read on all fours whose hip is folded as far as kneeling asks (the kneeling
# rule's hip angle, ``KNEEL_HIP_DEG``) may be kneeling folded over the thighs (a child's
# pose) filmed from another angle than the side: the thighs' and shins' inclines that
# tell the two apart are foreshortened (obliquely filmed child's poses read all fours on
# 87-100% of their frames, their picture's hip angle at a median of 25-44 degrees; side
# views of all fours read 82-99). Obliquely filmed bird dogs and cat-camels fold it as
# far (medians 35-81), and the 3D hip angle does not separate them either (round 6): such
# a frame shows both postures, for the candidates of a "none" (:func:`shown_shares`).
def folded_like_kneeling(pose: Pose | None) -> bool:
    """A pose whose hip angle (on a seen side) is folded as far as kneeling asks."""
    if pose is None:
        return False
    legs = [g for g in (_leg(pose, s) for s in SIDES) if g is not None]
    return any(g["hip"] <= KNEEL_HIP_DEG and g["knee_below"] > 0 for g in legs)


def shown_shares(
    exercises: Sequence,
    poses: Sequence[Pose | None],
    postures: Sequence[str],
    tilts: Sequence[float] | None = None,
) -> dict[str, float]:
    """Per definition, the share of the frames with a posture that show its posture
    (as :func:`definition_postures` reads them, with ``tilts`` from
    :func:`shoulder_tilts`, measured here when not given; for kneeling, also the frames
    on all fours folded like kneeling: :func:`folded_like_kneeling`): the set-up a
    "none" names its candidates by."""
    if tilts is None:
        tilts = shoulder_tilts(exercises, poses)
    present = np.array([p != POSTURE_UNKNOWN for p in postures])
    total = int(present.sum()) or 1
    folded = np.array(
        [
            p == "all_fours" and folded_like_kneeling(pose)
            for p, pose in zip(postures, poses, strict=True)
        ]
    )
    out = {}
    for ex in exercises:
        own = np.array([p == ex.posture for p in definition_postures(ex, postures, tilts)])
        if ex.posture == "kneeling":
            own |= folded
        out[ex.name] = float(own.sum()) / total
    return out


def shallow(sc: ExerciseScore, exercises: Sequence) -> bool:
    """Complete repetitions no larger than breathing in the start position makes: below
    the definition's ``[recognition] confirm_change_deg`` (they leave it a candidate)."""
    ex = next((e for e in exercises if e.name == sc.name), None)
    limit = getattr(getattr(ex, "recognition", None), "confirm_change_deg", None)
    return bool(sc.reps and limit is not None and (sc.change_reached or 0.0) < limit)


# frames a knee measure needs (:func:`knee_travel`, :func:`knees_apart`): fewer is no
# clip's movement
KNEE_TRAVEL_MIN_FRAMES = 5


def _knee_offsets(
    poses: Sequence[Pose | None], postures: Sequence[str], sides: Sequence[str]
) -> list[np.ndarray]:
    """Per frame with a posture and the knees and hips of ``sides`` seen, the knees'
    offsets from the mid-hip on the 3D world landmarks, over the thigh length (one row
    per side)."""
    out = []
    for pose, posture in zip(poses, postures, strict=True):
        if pose is None or pose.world is None or posture == POSTURE_UNKNOWN:
            continue
        if min(pose.vis(f"{s}_{p}") for s in sides for p in ("knee", "hip")) < POSTURE_VISIBILITY:
            continue
        w = np.asarray(pose.world, float)
        mid = (w[LANDMARK_INDEX["left_hip"]] + w[LANDMARK_INDEX["right_hip"]]) / 2
        knees = np.array([w[LANDMARK_INDEX[f"{s}_knee"]] for s in sides])
        thighs = np.linalg.norm(knees - [w[LANDMARK_INDEX[f"{s}_hip"]] for s in sides], axis=1)
        if (thighs > 0).all():
            out.append((knees - mid) / float(np.mean(thighs)))
    return out


def _span(rows: list[np.ndarray]) -> float:
    """The distance between the 5th and 95th percentiles (per axis) of ``rows``; NaN
    with fewer than KNEE_TRAVEL_MIN_FRAMES."""
    if len(rows) < KNEE_TRAVEL_MIN_FRAMES:
        return math.nan
    lo, hi = np.percentile(np.array(rows), ev.STEADY_PERCENTILES, axis=0)
    return float(np.linalg.norm(hi - lo))


def knee_travel(poses: Sequence[Pose | None], postures: Sequence[str]) -> float:
    """How far the knees travel about the pelvis over the clip, in thigh lengths: per
    side, the knee's offset from the mid-hip on the 3D world landmarks (over its thigh's
    length), its :func:`_span`; the larger side (NaN when neither side has enough
    frames). A leg lift, a hug or a rock carries a knee most of a thigh length; a hold
    or a pelvic tilt leaves it in place."""
    travel = [_span([o[0] for o in _knee_offsets(poses, postures, (s,))]) for s in SIDES]
    travel = [v for v in travel if math.isfinite(v)]
    return max(travel) if travel else math.nan


def knees_apart(poses: Sequence[Pose | None], postures: Sequence[str]) -> float:
    """How far the knees move apart from each other over the clip, in thigh lengths: the
    :func:`_span` of the left knee's 3D offset from the right. Both legs moving together
    (knees to chest, a rock, a bridge) keep it small; one leg at a time (a lower-tummy
    lift, a single knee to chest) changes it by more than a thigh length."""
    return _span([o[0] - o[1] for o in _knee_offsets(poses, postures, SIDES)])


def _decide(
    scores: list[ExerciseScore],
    only: set[str],
    min_score: float,
    off_view: Mapping[str, float],
    exercises: Sequence,
    shown: Mapping[str, float] | None = None,
    knees: tuple[float, float] = (math.nan, math.nan),
) -> ev.Decision:
    """:func:`posecheck.recognize_evidence.decide` on the ranked scores (split out of
    :func:`recognize` to keep it readable): incomplete repetitions alone are no answer
    unless they moved as far as only their definition moves in its posture
    (``[recognition] attempt_confirms_deg``), and the postures and set-ups the clip shows
    name the candidates of a "none" (``shown``: :func:`shown_shares`; first, of those with
    no evidence of their movement, the definitions measured on the model's depth estimate
    when the clip turned what a definition whose movement it shows keeps steady: see
    :func:`_moved_unseen`)."""
    confirm_deg = {ex.name: getattr(getattr(ex, "recognition", None), "attempt_confirms_deg",
                                    None) for ex in exercises}  # fmt: skip
    partial = {
        sc.name for sc in scores
        if ev.only_attempts(sc) and not sc.attempt_moved >= (confirm_deg.get(sc.name) or math.inf)
    } | {sc.name for sc in scores if shallow(sc, exercises)}  # fmt: skip
    shown = shown or {}
    setup = {
        sc.name: (
            max(sc.posture_share, shown.get(sc.name, 0.0)),
            max(fit(sc), sc.off_view_fit or 0.0),
        )
        for sc in scores
    }
    turned = {m for sc in scores if sc.score >= ev.CANDIDATE_SCORE for m in sc.unsteady}
    moving = _moved_unseen(exercises) if turned else set()
    repeated = {sc.name for sc in scores if sc.one_rep}
    kept, against = _knee_evidence(exercises, *knees)
    return ev.decide(
        [(sc.name, sc.score) for sc in scores], only, min_score, off_view, partial, setup, moving,
        repeated, kept, against, far_reached(exercises, scores, only),
    )  # fmt: skip


def far_reached(
    exercises: Sequence, scores: Sequence[ExerciseScore], position_only: Iterable[str] = ()
) -> set[str]:
    """The definitions whose phases beyond their cycle's start the clip matched for at
    least FAR_REACHED_S in all: the clip went where their movement goes, though too
    short or too far off their rhythm to score (an obliquely filmed supine twist whose
    knees the model reads rolled 30-40 degrees in hook lying, so no repetition starts,
    held at 50-62 for 7 s of the 20 its hold asks). Among a "none"'s candidates without
    evidence they come before those whose phases only explain its rest position.

    A definition without a cycle is one position held, and every phase of it is far (a
    reclined pigeon's legs drawn in, filmed from the side: the model's crossed ankle
    jumps, so the hold reads as moving and scores next to nothing), unless its position
    is all the camera sees (``position_only``, the names with ``[recognition]
    position_only``: the draw-in's hook lying is where most clips lying on the back
    rest)."""
    skip = set(position_only)
    starts: dict[str, str | None] = {}  # name -> the phase that is not far (None: none)
    for ex in exercises:
        cycle = tuple(getattr(ex, "cycle", None) or ())
        if counts_reps(cycle):
            starts[ex.name] = cycle[0]
        elif ex.name not in skip:  # a hold (as recognize's hold_only)
            starts[ex.name] = None
    return {
        sc.name for sc in scores
        if sc.name in starts
        and sum(sec for ph, sec in sc.phase_seconds.items()
                if ph != starts[sc.name] and math.isfinite(sec)) >= FAR_REACHED_S
    }  # fmt: skip


def _knee_evidence(exercises: Sequence, travel: float, apart: float) -> tuple[set[str], set[str]]:
    """For the candidates of a "none": the definitions whose movement leaves the knees
    where the clip kept them (``[recognition] knee_travel_max``: :func:`knee_travel`
    within it), and those whose legs the clip moved otherwise than they do
    (``knees_apart_min``/``knees_apart_max``: :func:`knees_apart` outside them: one leg
    at a time against both together). NaN measures decide nothing."""
    kept, against = set(), set()
    for ex in exercises:
        hints = getattr(ex, "recognition", None)
        limit = getattr(hints, "knee_travel_max", None)
        if limit is not None and travel <= limit:
            kept.add(ex.name)
        lo, hi = getattr(hints, "knees_apart_min", None), getattr(hints, "knees_apart_max", None)
        if (lo is not None and apart < lo) or (hi is not None and apart > hi):
            against.add(ex.name)
    return kept, against


def _moved_unseen(exercises: Sequence) -> set[str]:
    """The definitions whose movement is measured on the model's depth estimate (a key
    measure of kind ``rotation``: the supine twist's knee roll and pelvis turn), named
    first among the candidates without evidence of their own movement when the clip
    turned what a definition whose movement it shows keeps steady (a pelvic tilt's
    pelvis turning or its knees changing their bend): another movement in that posture,
    and those are the ones the camera may have missed, the depth being the least certain
    part of the landmarks (a twist filmed from the side reads a knee roll of 5-20
    degrees while the knees drop 50). A definition judged on the picture in its own
    view that shows no movement was seen not to move."""
    return {
        ex.name for ex in exercises
        if any(getattr(known_measures().get(m), "kind", None) == "rotation"
               for m in getattr(ex, "key_measures", ()))
    }  # fmt: skip


def _posture_shares(postures: Sequence[str]) -> dict[str, float]:
    """The share of the frames with a posture in each posture (4 decimals)."""
    present = [p for p in postures if p != POSTURE_UNKNOWN]
    return {k: round(present.count(k) / len(present), 4) for k in sorted(set(present))}


def recognize(
    t_s: Sequence[float],
    poses: Sequence[Pose | None],
    exercises: Iterable,
    measures: Sequence[Mapping[str, float]] | None = None,
    min_score: float = MIN_SCORE,
    loop: bool = False,
) -> Recognition:
    """Decide which of ``exercises`` the clip shows, or none.

    ``t_s``/``poses``: one entry per frame (pose None when nobody was found).
    ``measures``: per-frame measures as the pipeline computed them (e.g. with
    ``back_curvature`` from the mask); missing names are computed from the pose.
    ``loop``: the clip plays in a loop (an animated GIF): its end joins its start.
    """
    exercises = list(exercises)
    t = np.asarray(t_s, dtype=float)
    if len(t) != len(poses) or (measures is not None and len(measures) != len(poses)):
        raise ValueError("t_s, poses and measures must have one entry per frame")
    needed = _measure_names(exercises)
    per_frame = _frame_measures(poses, measures, needed)
    _lean_by_clip_facing(poses, per_frame, needed)
    postures = [classify_posture(p) for p in poses]
    values = _Values(t, per_frame)
    values3d = _Values(t, _world_measures(poses, per_frame, needed))
    # rules on the other limb are tested on the model's guess of it (seen from the side
    # it is hidden, yet its guess follows it: both knees hugged or one resting)
    other_names = ev.other_limb_measures(exercises)
    other_values = (
        _Values(t, ev.guessed_measures(poses, other_names, per_frame)) if other_names else None
    )
    dt = _frame_dt(t)
    speeds: dict[tuple[str, ...], np.ndarray] = {}

    def speed(parts: tuple[str, ...]) -> np.ndarray:
        if parts not in speeds:
            speeds[parts] = _limb_speed(poses, t, parts)
        return speeds[parts]

    tilts = shoulder_tilts(exercises, poses)  # once: the scores and the candidates read them
    scores, off_view = _score_all(exercises, poses, postures, values, dt, speed, loop,
                                  better_seen_side(poses), other_values, values3d,
                                  tilts)  # fmt: skip
    hold_only = {ex.name for ex in exercises if not counts_reps(getattr(ex, "cycle", ()))}
    scores = rank(ev.discount_dominated(scores, hold_only))
    # Position-only exercises are never the answer: the best exercise the camera can
    # confirm is, if it holds enough of the evidence; better-fitting position-only ones
    # are named as possible.
    only = {
        ex.name for ex in exercises
        if getattr(getattr(ex, "recognition", None), "position_only", False)
    }  # fmt: skip
    d = _decide(scores, only, min_score, off_view, exercises,
                shown_shares(exercises, poses, postures, tilts),
                (knee_travel(poses, postures), knees_apart(poses, postures)))  # fmt: skip
    possible: list[str] = []
    for sc in scores:
        if sc.name not in only or sc.score < ev.CANDIDATE_SCORE:
            break
        possible.append(sc.name)
    confirmable = [sc for sc in scores if sc.name not in only]
    best = confirmable[0].score if confirmable else 0.0
    second = max((sc.score for sc in scores if not confirmable or sc is not confirmable[0]),
                 default=0.0)  # fmt: skip
    return Recognition(
        name=d.name,
        confidence=d.confidence,
        margin=round(best - second, 4),
        scores=scores,
        postures=_posture_shares(postures),
        frames=sum(p is not None for p in poses),
        threshold=min_score,
        possible=possible,
        closest=confirmable[0].name if confirmable else None,
        runner_up=d.runner_up,
        candidates=d.candidates,
    )


# --- from a video or a landmarks file ----------------------------------------------


def needed_measures(exercises: Iterable) -> list[str]:
    """Registered measure names the definitions' phase targets need (both sides)."""
    return sorted(_measure_names(list(exercises)))


def recognize_video(
    path,
    library: Iterable,
    model_complexity: int = 1,
    sample_fps: float | None = None,
    max_seconds: float | None = None,
    min_score: float = MIN_SCORE,
) -> dict:
    """Recognise the exercise in a video as ``analyze -e auto`` does; returns
    :meth:`Recognition.to_dict`.

    The model runs in the one frame loop (:func:`posecheck.pipeline.run`, through
    :func:`posecheck.commands._offline.estimate_to_landmarks`) on every frame, a long
    video in parts as ``analyze`` tracks it (or, with ``sample_fps`` or ``max_seconds``,
    on ``sample_fps`` frames a second of the first ``max_seconds``), into a temporary
    landmarks file (mask measures included) that
    :func:`posecheck.commands._offline.recognition_of` reads, as ``analyze`` and
    ``score`` do. Imports the source and estimator modules (OpenCV, MediaPipe) only
    when called.
    """
    import tempfile
    from pathlib import Path

    from posecheck.angles import EXTRA_MEASURES
    from posecheck.commands._offline import SampledSource, estimate_to_landmarks
    from posecheck.sources import open_source

    exercises = list(library)
    extras = [n for n in needed_measures(exercises) if n in EXTRA_MEASURES]
    with tempfile.TemporaryDirectory(prefix="posecheck-recognize-") as tmp:
        lm = Path(tmp) / "clip.landmarks.npz"
        with open_source(path) as source:
            frames: object = source
            if sample_fps or max_seconds:
                frames = SampledSource(source, sample_fps, max_seconds)
            estimate_to_landmarks(frames, lm, mask_names=extras, model_complexity=model_complexity)
        return recognize_landmarks(lm, exercises, min_score)


def recognize_landmarks(path, library: Iterable, min_score: float = MIN_SCORE) -> dict:
    """Recognise the exercise from a landmarks file as ``-e auto`` does (mask measures
    from its stored extras): :func:`posecheck.commands._offline.recognition_of`."""
    from posecheck.commands._offline import recognition_of
    from posecheck.landmarks_io import read_landmarks

    return recognition_of(read_landmarks(path), library, min_score).to_dict()


def is_looping(meta: Mapping) -> bool:
    """Whether a recording's source plays in a loop (an animated GIF)."""
    kind = str(meta.get("kind") or "")
    return kind == "gif" or str(meta.get("source") or "").lower().endswith(".gif")

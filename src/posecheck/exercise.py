"""Exercise definitions as frozen dataclasses (what ``poses/*.toml`` turns into).

Loading and validation live in :mod:`posecheck.library`; the engine
(:mod:`posecheck.engine`) and every consumer read these types only. Measure names
are kept as written in the file (``hip``, ``other_hip``, ``left_hip``,
``back_curvature``); :func:`posecheck.angles.resolve` turns them into registered
names for the worked side.

Engine tuning that a definition may omit has its defaults in :data:`TIMING_DEFAULTS`
(the one place engine defaults are documented).
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

SCHEMA_VERSION = 1

VIEWS = ("side", "front", "any")
POSTURES = ("supine", "prone", "all_fours", "seated", "standing", "kneeling", "side_lying")
SIDE_POLICIES = ("auto", "left", "right", "alternate")
SEVERITIES = ("setup", "form", "safety")
JUDGED = ("well", "partly", "poorly")

# Engine defaults, used when a definition's [timing] table omits a key.
# Each is a time in seconds or a band in the measure's unit.
TIMING_DEFAULTS: dict[str, float] = {
    # a phase must be matched this long before the engine switches to it
    "min_dwell_s": 0.2,
    # to stay in a phase a value may go this far outside the phase's range
    # (entering needs the range itself): jitter at a boundary cannot flip phases
    "hysteresis_deg": 6.0,
    "hysteresis": 0.015,  # the same band for ratio measures
    # a hold survives a failing rule or a lost pose this long (then it ends)
    "grace_s": 0.5,
    # a failing rule must persist this long before its cue is shown ...
    "cue_delay_s": 0.4,
    # ... and a shown cue stays at least this long (no flicker)
    "cue_min_s": 1.5,
    # the same cue is not shown again within this time after it cleared
    "cue_repeat_s": 3.0,
    # no person / low visibility / wrong view must last this long to change state
    "state_delay_s": 0.5,
    # window for angular speed (safety): speed = change over this window / window
    "speed_window_s": 0.3,
    # a speed over the limit is told once the person has stayed in view this long after
    # it: the model's points race off as it loses a person (the real plinth pelvic-tilt
    # clip: the hip angle 123 -> 136 deg in 0.27 s as a cross-fade took the person away,
    # "Tilt slowly")
    "speed_confirm_s": 0.3,
    # "near" status band around a target for overlays (deg / ratio)
    "near_deg": 8.0,
    "near": 0.02,
    # change bounds: the first frames after a person appears are left out of the
    # baseline (MediaPipe's tracking settles; on the real pelvic-tilt clip the hip angle
    # drifts 4 deg in the first 0.2 s), and a baseline needs this much history
    "baseline_settle_s": 0.2,
    "baseline_min_s": 0.2,
    # after a cut (posecheck.cuts: another camera angle, a close-up) the model's
    # landmarks settle over several frames (real supine-twist clip: the knee roll goes
    # 114 -> 123 -> 101 deg in the 0.45 s after the cut at 18.7 s, the person still);
    # the speed and bounce checks and change baselines leave this long out (the speed and
    # bounce checks also after a measure is read for the first time, or again after more
    # than speed_window_s unknown: the model settles on it)
    "cut_settle_s": 0.5,
    # holds are timed as a person counts them: from when the body has arrived in the
    # held phase and is still until it starts to leave. Still = every key measure the
    # phase targets changes slower than still_deg_s (still_ratio_s for ratios) over
    # still_window_s, and the other key measures slower than the larger of that and
    # these defaults. Real bridge clips: 0-7 deg/s at the top, 30-110 deg/s rising and
    # lowering; at 30 deg/s every labelled hold starts and ends within 0.3 s of its
    # label (except one the clip starts in: the model settles for 0.4 s), at 30, 10
    # and 5 frames/s (bench/README.md).
    "still_deg_s": 30.0,
    # a hold counts as reached within this share of its hold_s (at least still_window_s,
    # the timing's own grain): a person counts seconds, and the edges are measured to
    # about 0.3 s (a rendered jack knife's 1 s tuck read 0.9 s, "Hold the tuck for 1 s")
    "hold_tolerance": 0.1,
    "still_ratio_s": 0.05,
    "still_window_s": 0.25,
    # frames that never came (live on a busy machine drops them; the model sees none)
    # are bridged this long by the stillness: the value a window ago is interpolated
    # across the gap, and the model's settling time is not waited out again. A gap
    # with frames but no pose restarts it (the model finds the person afresh). Live,
    # the real bridge clip's landmarks replayed with random drops lost a hold wherever
    # a stall of 0.5 s or more fell as it began (bench/README.md). A live routine on an
    # idle 2-core machine stalled up to 1.8 s; a 1.1 s stall split a 20 s curl hold in
    # two (4.8 + 12.9 s, "next time, hold the curl for 20 s"): 2 s.
    "drop_bridge_s": 2.0,
    # a bounce is quick: a direction change counts towards bouncing only when the swing
    # leaving it reaches its next turning point within this time (a rhythm of 1 Hz or
    # more). Slower swings are a sway or the model's drift: the 3D knee roll of a still
    # rendered supine twist wanders 5-9 deg over 0.5-4 s; the bounce renders (1.6 Hz)
    # swing in 0.2-0.4 s.
    "bounce_swing_s": 0.5,
    # a rep that stops short of the peak phase this long (its furthest value gains no
    # more than the hysteresis band) is told at once, as one that turns back: "Lift your
    # hips higher" while the person holds a sagging bridge, not after they lowered. 0: off
    "stall_s": 1.5,
}


@dataclass(frozen=True)
class Bound:
    """A closed range on one measure; ``None`` means open on that end."""

    measure: str
    unit: str  # "deg" or "ratio"
    min: float | None = None
    max: float | None = None
    # change = True: min/max bound the change of the measure from its baseline, the
    # lowest ("min") or highest ("max") value over the last baseline_s seconds. For
    # small movements whose absolute angle differs between people (pelvic tilt).
    change: bool = False
    baseline: str = "min"
    baseline_s: float = 3.0

    @property
    def key(self) -> str:
        """The name of the value this bound tests (the measure, or its change)."""
        if not self.change:
            return self.measure
        return f"{self.measure}~{self.baseline}{self.baseline_s:g}"

    def contains(self, value: float, widen: float = 0.0) -> bool:
        """True if ``value`` is inside the range widened by ``widen`` on each end (NaN: False)."""
        if value is None or math.isnan(value):
            return False
        if self.min is not None and value < self.min - widen:
            return False
        return not (self.max is not None and value > self.max + widen)

    def distance(self, value: float) -> float:
        """How far ``value`` is outside the range (0 inside; NaN stays NaN)."""
        if value is None or math.isnan(value):
            return math.nan
        if self.min is not None and value < self.min:
            return self.min - value
        if self.max is not None and value > self.max:
            return value - self.max
        return 0.0

    def describe(self) -> str:
        u = " deg" if self.unit == "deg" else ""
        m = self.measure
        if self.change:
            ref = "lowest" if self.baseline == "min" else "highest"
            m = f"{m} change from its {ref} value over {self.baseline_s:g} s"
        if self.min is not None and self.max is not None:
            return f"{m} {self.min:g} to {self.max:g}{u}"
        if self.min is not None:
            return f"{m} >= {self.min:g}{u}"
        return f"{m} <= {self.max:g}{u}"


@dataclass(frozen=True)
class Target(Bound):
    """A phase target: the phase is matched while every target holds.

    ``short_cue``: what to say when a rep turns back before reaching this target
    ("Lift your hips higher"); the correction adds the numbers. Empty: generated
    from the measure's name (:mod:`posecheck.corrections`).
    """

    short_cue: str = ""


@dataclass(frozen=True)
class Rule(Bound):
    """A form or safety rule: a range a measure must stay in, with the cue when it does not.

    ``phases`` empty = the rule applies in every phase (for exercise-level rules)
    or in its own phase (for phase rules, filled in by the loader).
    """

    id: str = ""
    cue: str = ""
    priority: int = 5  # 1 = most important
    severity: str = "form"  # "setup", "form" or "safety"
    phases: tuple[str, ...] = ()
    # False: the cue is advice; the hold timer keeps running while it fails
    stops_hold: bool = True


@dataclass(frozen=True)
class Phase:
    """One named position of the movement (``down``, ``up``, ``cat``, ``hold``)."""

    name: str
    targets: tuple[Target, ...]
    rules: tuple[Rule, ...] = ()
    hold_s: float | None = None  # a hold phase: the hold timer runs here
    description: str = ""
    # What to say when a hold here falls short ("Hold the top"); the correction adds
    # "for 5 s: your longest hold was 1.2 s". Empty: "Hold the <name> position".
    hold_cue: str = ""


@dataclass(frozen=True)
class Camera:
    """Where the camera should be."""

    view: str = "side"  # "side", "front" or "any"
    distance_m: float = 2.5
    height: str = "floor"  # a phrase: "floor", "hip height", ...
    notes: str = ""
    # shoulder_width_ratio bounds that define the view (None: engine default)
    max_width_ratio: float | None = None  # side view: shoulders overlap, ratio small
    min_width_ratio: float | None = None  # front view: both shoulders apart
    wrong_view_cue: str = ""


@dataclass(frozen=True)
class Dose:
    """The prescription: how long to hold, how many repetitions and sets, rest between."""

    hold_s: float | None = None
    hold_max_s: float | None = None
    reps: int | None = None
    reps_max: int | None = None
    sets: int = 1
    rest_s: float | None = None
    per_side: bool = False
    notes: str = ""

    @property
    def total(self) -> int | None:
        """The reps (or holds) of a whole session: ``reps``, both sides' when per side
        (a seated twist held twice to one side is half its dose, not all of it)."""
        return self.reps * 2 if self.reps and self.per_side else self.reps

    def describe(self) -> str:
        parts = []
        if self.hold_s:
            h = f"{self.hold_s:g}"
            if self.hold_max_s and self.hold_max_s != self.hold_s:
                h += f"-{self.hold_max_s:g}"
            parts.append(f"hold {h} s")
        if self.reps:
            r = f"{self.reps}"
            if self.reps_max and self.reps_max != self.reps:
                r += f"-{self.reps_max}"
            parts.append(f"x{r}")
        if self.sets and self.sets > 1:
            parts.append(f"{self.sets} sets")
        if self.per_side:
            parts.append("each side")
        return ", ".join(parts) or "-"


@dataclass(frozen=True)
class Safety:
    """Movement-quality checks the engine runs on the key measures."""

    max_speed_deg_s: float | None = None  # faster than this: "slow down"
    speed_cue: str = "Move slowly and smoothly."
    # bouncing: this many direction reversals of at least bounce_min_deg within
    # bounce_window_s while in a hold phase
    bounce_reversals: int | None = None
    bounce_window_s: float = 2.0
    bounce_min_deg: float = 3.0
    bounce_cue: str = "Hold still, do not bounce."
    measures: tuple[str, ...] = ()  # empty: the exercise's key measures


# Limb parts a [recognition] table may ask to stay still.
STILL_PARTS = ("elbow", "wrist", "knee", "ankle")


@dataclass(frozen=True)
class RecognitionHints:
    """Optional ``[recognition]`` table: extra evidence ``--exercise auto`` needs.

    Only for exercises whose phases alone also fit other movements: a subtle
    movement (a 2-degree pelvic tilt) needs repeating before it is told from
    breathing, and the limbs it leaves alone must stay still.
    """

    min_reps: int = 1  # complete reps a clip must show (cycle exercises)
    still: tuple[str, ...] = ()  # limb parts (STILL_PARTS) that stay still in the phases
    # measures (degrees) the exercise keeps steady, with the largest spread (5th to 95th
    # percentile over the frames in its posture) it allows: a pelvic tilt rocks the
    # pelvis, it does not turn it (pelvis_twist)
    steady_spread_deg: tuple[tuple[str, float], ...] = ()
    # incomplete repetitions (none reaching the far phase) whose peaks moved the far
    # phase's measure at least this far from the start position name the exercise: no
    # other definition in its posture moves that far (a bridge's hips lifted 20 deg out
    # of hook lying; a pelvic tilt stops at 15). None: such reps make a candidate only
    attempt_confirms_deg: float | None = None
    # The camera sees only the exercise's position, not the exercise (an abdominal
    # draw-in is hook lying with an invisible contraction): recognition names it as a
    # possibility, never as its answer, since resting in the position looks the same.
    position_only: bool = False
    # complete repetitions name the exercise only when, in one of them at least, the far
    # phase's change target moved this far from rest (degrees): a smaller movement is one
    # that breathing in the start position also makes (a pelvic tilt's hip angle), and it
    # leaves the exercise a candidate. None: any complete repetition names it
    confirm_change_deg: float | None = None
    # the posture asks both shoulders down: frames whose shoulder line (3D world
    # landmarks, :func:`posecheck.body3d.shoulder_tilt`) tilts more than this from level
    # are a body on its side, not in the posture (a side plank whose picture reads
    # lying on the back). None: the posture as classified
    shoulders_level_deg: float | None = None
    # the exercise leaves the knees in place (a hold in hook lying, a pelvic tilt): a
    # clip whose knees travel no more than this (thigh lengths, 3D:
    # :func:`posecheck.recognize.knee_travel`) shows its movement as far as the camera
    # can tell, and it is named among the candidates of a "none" before definitions
    # without evidence whose movement would carry the knees. None: no such ranking
    knee_travel_max: float | None = None
    # how the legs move: the knees' offset from each other (3D, thigh lengths:
    # :func:`posecheck.recognize.knees_apart`) changes by at least ``knees_apart_min``
    # when one leg moves at a time, by at most ``knees_apart_max`` when both move
    # together; a clip outside names the exercise last among a "none"'s candidates
    knees_apart_min: float | None = None
    knees_apart_max: float | None = None
    # rules (their ids) that are part of the movement, not only of its form: recognition
    # tests them as the phase's targets, the other limb's on the model's guess of it (the
    # reverse jack knife lifts both knees; one knee lifted over the other leg, which
    # stays down, is a figure-four stretch). The engine still judges them as rules
    movement_rules: tuple[str, ...] = ()
    # rules (their ids) about how well the exercise is done, not which exercise it is:
    # recognition leaves them out, the engine judges them as usual (knees to chest's
    # other knee: from the side the model only guesses the far leg; enough to tell a
    # person who chose the exercise to bring it up too, not to name what is done)
    form_only_rules: tuple[str, ...] = ()


def counts_reps(cycle: Sequence[str] | None) -> bool:
    """True for a cycle of two or more distinct phases: a movement whose repetitions
    are counted. False for a definition that is only held (no cycle, or one phase)."""
    return len(set(cycle or ())) >= 2


@dataclass(frozen=True)
class Exercise:
    """One exercise of the library."""

    name: str
    title: str
    how_to: tuple[str, ...]
    posture: str
    camera: Camera
    phases: tuple[Phase, ...]
    summary: str = ""
    side: str = "auto"
    # side "alternate" read with side-free measures (limb_reach): sided measures whose
    # larger side, summed over a rep's frames, names the rep's side (the bird dog:
    # "shoulder" and "other_hip", the reaching arm and the opposite leg). (): one track
    # per side.
    side_by: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    required: tuple[str, ...] = ()  # landmark parts that must be visible ("hip", "left_knee")
    min_visibility: float = 0.5
    cycle: tuple[str, ...] = ()  # phase names of one rep, first == last; empty: holds only
    # symmetric: a 3-phase cycle [A, B, A] whose rep is one visit to A and one to B,
    # starting from whichever the person is in first (cat-camel)
    symmetric: bool = False
    rules: tuple[Rule, ...] = ()  # exercise-level rules (all phases or listed ones)
    dose: Dose = field(default_factory=Dose)
    safety: Safety = field(default_factory=Safety)
    timing: dict[str, float] = field(default_factory=dict)  # overrides of TIMING_DEFAULTS
    key_measures: tuple[str, ...] = ()
    recognition: RecognitionHints = field(default_factory=RecognitionHints)
    judged: str = "well"  # how well one camera can judge it: "well", "partly", "poorly"
    limits: str = ""  # what the camera cannot see
    source: str = ""  # path of the file it was loaded from
    origin: str = ""  # "built-in", "user", "poses-dir", "file"
    schema: int = SCHEMA_VERSION

    def phase(self, name: str) -> Phase:
        for p in self.phases:
            if p.name == name:
                return p
        raise KeyError(name)

    @property
    def phase_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.phases)

    @property
    def counts_reps(self) -> bool:
        """Repetitions are counted (see :func:`counts_reps`)."""
        return counts_reps(self.cycle)

    @property
    def hold_phases(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.phases if p.hold_s)

    def setting(self, key: str) -> float:
        """A timing value: the definition's own, else :data:`TIMING_DEFAULTS`."""
        return float(self.timing.get(key, TIMING_DEFAULTS[key]))

    @property
    def all_rules(self) -> tuple[Rule, ...]:
        """Every rule of the definition: the exercise-level ones, then each phase's own."""
        return self.rules + tuple(r for p in self.phases for r in p.rules)

    def rules_for(self, phase: str | None) -> tuple[Rule, ...]:
        """Every rule that applies in ``phase`` (exercise-level and the phase's own)."""
        out = [r for r in self.rules if not r.phases or (phase in r.phases)]
        if phase is not None:
            with contextlib.suppress(KeyError):
                out.extend(self.phase(phase).rules)
        return tuple(out)

    def all_measures(self) -> set[str]:
        """Every measure name the definition uses, as written (unresolved)."""
        names: set[str] = set(self.key_measures)
        for p in self.phases:
            names.update(t.measure for t in p.targets)
            names.update(r.measure for r in p.rules)
        names.update(r.measure for r in self.rules)
        names.update(self.safety.measures)
        names.update(self.side_by)
        names.update(mirror_measure(m) for m in self.side_by)
        return names


def mirror_measure(name: str) -> str:
    """The same measure on the other side, as a definition writes it: ``other_hip`` <->
    ``hip``."""
    return name[len("other_") :] if name.startswith("other_") else f"other_{name}"

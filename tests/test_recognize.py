"""Recognition (``--exercise auto``): posture per frame and exercise scores on built sequences."""

from __future__ import annotations

import math

import numpy as np
import pytest

from posecheck.library import parse_definition
from posecheck.pose import LANDMARK_INDEX, NUM_LANDMARKS, Pose
from posecheck.recognize import (
    MIN_SCORE,
    POSTURE_UNKNOWN,
    classify_posture,
    cycle_progress,
    face_elevation_deg,
    recognize,
)

W, H = 1280, 720
LEN = {"trunk": 200, "neck": 60, "thigh": 170, "shin": 150, "upper_arm": 110, "forearm": 100}


def _dir(deg: float) -> np.ndarray:
    """Unit vector at ``deg`` (0 = image right, 90 = image up)."""
    r = math.radians(deg)
    return np.array([math.cos(r), -math.sin(r)])


def make_body(
    trunk: float,
    thigh: float,
    shin: float,
    arm: float,
    forearm: float,
    face: float,
    facing: str = "left",
    hip=(640.0, 420.0),
) -> Pose:
    """A side-view pose from segment directions (deg, 0 = right, 90 = up), drawn facing
    left (head on the left); ``facing="right"`` mirrors it. Both sides coincide.

    trunk: hip->shoulder; thigh: hip->knee; shin: knee->ankle; arm: shoulder->elbow;
    forearm: elbow->wrist; face: ear->nose.
    """  # fmt: skip
    h = np.array(hip)
    s = h + LEN["trunk"] * _dir(trunk)
    k = h + LEN["thigh"] * _dir(thigh)
    a = k + LEN["shin"] * _dir(shin)
    e = s + LEN["upper_arm"] * _dir(arm)
    w = e + LEN["forearm"] * _dir(forearm)
    ear = s + LEN["neck"] * _dir(trunk)
    nose = ear + 25 * _dir(face)
    pts = {"shoulder": s, "hip": h, "knee": k, "ankle": a, "elbow": e, "wrist": w, "ear": ear}
    xy = np.tile(np.array([W / 2, H / 2]), (NUM_LANDMARKS, 1))
    vis = np.zeros(NUM_LANDMARKS)
    for part, p in pts.items():
        for side in ("left", "right"):
            xy[LANDMARK_INDEX[f"{side}_{part}"]] = p
            vis[LANDMARK_INDEX[f"{side}_{part}"]] = 0.95
    xy[LANDMARK_INDEX["nose"]] = nose
    vis[LANDMARK_INDEX["nose"]] = 0.95
    if facing == "right":
        xy[:, 0] = W - xy[:, 0]
    return Pose(xy=xy, visibility=vis, image_size=(W, H))


# (trunk, thigh, shin, arm, forearm, face) for each test posture, facing left.
BODIES = {
    "hook_lying": (180, 50, -60, 0, 0, 90),
    "bridge_top": (195, 15, -75, 0, 0, 90),
    "lying_flat_face_up": (180, 0, 0, 0, 0, 90),
    "all_fours": (180, -90, 0, -90, -90, 200),
    "childs_pose": (190, -140, 0, 180, 180, 250),
    "seated_chair": (90, 180, -90, -90, 180, 180),
    "seated_knee_tuck": (75, 120, 250, -90, 180, 180),  # leaning back, knees drawn up
    "seated_tuck_shins_level": (75, 120, 190, -90, 180, 180),
    "standing": (90, -90, -90, -90, -90, 180),
    "hip_hinge": (160, -90, -90, -90, -90, 220),
    "prone_on_elbows": (160, 0, 0, -90, 180, 170),
    "prone_face_down": (180, 0, 0, 0, 0, -90),
}
EXPECTED = {
    "hook_lying": "supine",
    "bridge_top": "supine",
    "lying_flat_face_up": "supine",
    "all_fours": "all_fours",
    "childs_pose": "kneeling",
    "seated_chair": "seated",
    "seated_knee_tuck": "seated",
    "seated_tuck_shins_level": "seated",
    "standing": "standing",
    "hip_hinge": "standing",
    "prone_on_elbows": "prone",
    "prone_face_down": "prone",
}


@pytest.mark.parametrize("facing", ["left", "right"])
@pytest.mark.parametrize("body", sorted(BODIES))
def test_classify_posture(body, facing):
    assert classify_posture(make_body(*BODIES[body], facing=facing)) == EXPECTED[body]


def test_posture_unknown_without_pose_or_legs():
    assert classify_posture(None) == "unknown"
    pose = make_body(*BODIES["standing"])
    pose.visibility[:] = 0.0
    assert classify_posture(pose) == "unknown"


@pytest.mark.parametrize("face, up", [(90, True), (45, True), (-90, False), (180, None)])
def test_face_elevation(face, up):
    f = face_elevation_deg(make_body(180, 0, 0, 0, 0, face))
    if up is None:
        assert abs(f) < 1
    else:
        assert (f > 30) == up and (f < -30) == (not up)


# --- sequences ------------------------------------------------------------------------

FPS = 10.0


def _defn(name: str, **data):
    """A definition with the keys every file needs, plus ``data``."""
    base = {"schema": 1, "name": name, "title": name.title(), "how_to": [name],
            "camera": {"view": "side"}, "dose": {"reps": 5}}  # fmt: skip
    return parse_definition({**base, **data}, f"{name}.toml")


BRIDGE_PHASES = [
    {"name": "down", "targets": [{"measure": "hip", "min_deg": 90, "max_deg": 150}]},
    {"name": "up", "hold_s": 2, "targets": [{"measure": "hip", "min_deg": 165, "max_deg": 185}]},
]
BRIDGE = _defn("lift", posture="supine", cycle=["down", "up", "down"], phases=BRIDGE_PHASES)
KNEEL_HOLD = _defn(
    "kneel", posture="kneeling",
    phases=[{"name": "hold", "hold_s": 20, "targets": [{"measure": "hip", "max_deg": 60}]}],
)  # fmt: skip
HOOK_HOLD = _defn(
    "press", posture="supine",
    phases=[{"name": "hold", "hold_s": 10,
             "targets": [{"measure": "knee", "min_deg": 40, "max_deg": 65}]}],
)  # fmt: skip
LIBRARY = [BRIDGE, KNEEL_HOLD, HOOK_HOLD]


def _seq(bodies: list[tuple], facing: str = "left"):
    t = [i / FPS for i in range(len(bodies))]
    return t, [make_body(*b, facing=facing) if b is not None else None for b in bodies]


def bridge_reps(n_reps: int = 2, top: bool = True) -> list[tuple]:
    """Lying hook-lying, lifting the pelvis to a straight line (or only halfway)."""
    out = []
    for _ in range(n_reps):
        for k in range(40):  # 4 s per rep: 1 s down, 1 s lifting, 1 s top, 1 s lowering
            frac = [0.0] * 10 + [i / 10 for i in range(10)] + [1.0] * 10
            frac += [1 - i / 10 for i in range(10)]
            f = frac[k] * (1.0 if top else 0.4)
            out.append((180 + 15 * f, 50 - 35 * f, -60 - 15 * f, 0, 0, 90))
    return out


@pytest.mark.parametrize("facing", ["left", "right"])
def test_bridge_reps_are_a_bridge(facing):
    t, poses = _seq(bridge_reps(), facing)
    rec = recognize(t, poses, LIBRARY)
    assert rec.name == "lift"
    assert rec.confidence >= MIN_SCORE and rec.margin > 0.3
    top = rec.scores[0]
    assert top.posture_share == 1.0 and top.movement_share == 1.0
    assert top.phase_seconds["up"] >= 1.0


def test_half_lifts_are_not_a_bridge():
    t, poses = _seq(bridge_reps(top=False))
    rec = recognize(t, poses, LIBRARY)
    assert rec.name is None
    assert next(s for s in rec.scores if s.name == "lift").movement_share == 0.0


def test_one_lowering_without_a_lift_is_half_a_rep():
    # starts at the top (e.g. a misread first second), then lies still: up -> down only
    top, down = BODIES["bridge_top"], BODIES["hook_lying"]
    t, poses = _seq([top] * 10 + [down] * 50)
    rec = recognize(t, poses, LIBRARY)
    assert next(s for s in rec.scores if s.name == "lift").movement_share == 0.5
    assert rec.name != "lift"


def _labels(seq: str, cycle_names=("a", "b", "c")):
    """Per-frame matches from a string of phase letters ('.' = none), 1 frame = 0.1 s."""
    n = len(seq)
    matches = {x: np.array([1.0 if ch == x else 0.0 for ch in seq]) for x in cycle_names}
    return matches, np.ones(n, bool), np.full(n, 0.1)


@pytest.mark.parametrize(
    "cycle, seq, expected",
    [
        (["a", "b", "a"], "aaaabbbbaaaa", 1.0),        # one full rep
        (["a", "b", "a"], "bbbbaaaabbbb", 1.0),        # starts mid-rep: wraps
        (["a", "b", "a"], "aaaabbbb", 0.5),            # half a rep
        (["a", "b", "a"], "aaaaaaaa", 0.0),            # never moves
        (["a", "b", "a"], "aaaabaaaa", 0.0),           # a one-frame blip is jitter
        (["a", "b", "a"], "aaaa....bbbb....aaaa", 1.0),  # unmatched frames between phases
        (["a", "b", "a", "c", "a"], "aaabbbaaacccaaa", 1.0),  # two reaches
        (["a", "b", "a", "c", "a"], "aaabbbaaabbbaaa", 0.5),  # only one of them
        (["a", "b", "c"], "aaabbbcccaaa", 1.0),        # no wrap: a->b->c
    ],
)  # fmt: skip
def test_cycle_progress(cycle, seq, expected):
    matches, valid, dt = _labels(seq)
    assert cycle_progress(cycle, matches, valid, dt, min_s=0.25) == pytest.approx(expected)


def test_resting_in_hook_lying_is_none_when_the_hold_needs_bent_knees():
    # hook lying with the knees at 90 deg: the "press" hold wants 40-65
    body = (180, 35, -55, 0, 0, 90)
    t, poses = _seq([body] * 60)
    rec = recognize(t, poses, LIBRARY)
    assert rec.name is None
    assert rec.postures == {"supine": 1.0}


def test_still_hook_lying_with_the_knees_of_the_hold_is_that_hold():
    body = (180, 60, -60, 0, 0, 90)  # knees at 60 deg
    t, poses = _seq([body] * 60)
    rec = recognize(t, poses, LIBRARY)
    assert rec.name == "press" and rec.confidence == 1.0


def test_still_hold_is_recognised_and_a_moving_one_is_not():
    still = [BODIES["childs_pose"]] * 50
    t, poses = _seq(still)
    rec = recognize(t, poses, LIBRARY)
    assert rec.name == "kneel" and rec.scores[0].still_share == 1.0
    # the same position with the arms swinging (a dynamic exercise, not a hold)
    moving = [(*BODIES["childs_pose"][:3], 180 + 60 * math.sin(i), 180, 250) for i in range(50)]
    t, poses = _seq(moving)
    rec = recognize(t, poses, LIBRARY)
    assert rec.name is None
    assert next(s for s in rec.scores if s.name == "kneel").still_share < 0.2


def test_missing_frames_do_not_count_against_the_posture():
    frames = [None] * 20 + [BODIES["childs_pose"]] * 40 + [None] * 20
    t, poses = _seq(frames)
    rec = recognize(t, poses, LIBRARY)
    assert rec.name == "kneel"
    assert rec.frames == 40


def test_nothing_in_view_is_none():
    t, poses = _seq([None] * 10)
    rec = recognize(t, poses, LIBRARY)
    assert rec.name is None and rec.label == "none" and rec.frames == 0


def test_given_measures_are_used():
    # A measure the pose cannot give (e.g. back_curvature from the mask) comes in
    # through `measures`; phases on it are judged from those values.
    curl = _defn(
        "curl", posture="all_fours", cycle=["flat", "round", "flat"],
        phases=[
            {"name": "flat", "targets": [{"measure": "back_curvature", "max": 0.02}]},
            {"name": "round", "targets": [{"measure": "back_curvature", "min": 0.06}]},
        ],
    )  # fmt: skip
    t, poses = _seq([BODIES["all_fours"]] * 60)
    curve = [0.0] * 20 + [0.09] * 20 + [0.0] * 20
    rec = recognize(t, poses, [curl, *LIBRARY], measures=[{"back_curvature": c} for c in curve])
    assert rec.name == "curl" and rec.scores[0].movement_share == 1.0
    # without the mask measure the phases cannot be judged: half marks, below threshold
    rec = recognize(t, poses, [curl, *LIBRARY])
    assert rec.name is None
    assert rec.scores[0].name == "curl" and rec.scores[0].movement_share == 0.5


def test_lengths_must_match():
    with pytest.raises(ValueError):
        recognize([0.0, 0.1], [None], LIBRARY)


# --- [recognition] hints in the definitions --------------------------------------------


@pytest.mark.parametrize(
    "table, message",
    [
        ({"still": ["ankel"]},
         "lift.toml: recognition.still[0]: unknown limb part 'ankel' (did you mean ankle?) "
         "(one of elbow, wrist, knee, ankle)"),
        ({"min_reps": 0}, "lift.toml: recognition.min_reps"),
        ({"min_rep": 2}, "lift.toml: recognition.min_rep: unknown key (did you mean min_reps?)"),
        ({"shoulders_level_deg": 120}, "lift.toml: recognition.shoulders_level_deg"),
        ({"knee_travel_max": -1}, "lift.toml: recognition.knee_travel_max"),
    ],
)  # fmt: skip
def test_recognition_table_is_validated(table, message):
    from posecheck.errors import DefinitionError

    with pytest.raises(DefinitionError) as info:
        _defn("lift", posture="supine", cycle=["down", "up", "down"],
              phases=BRIDGE_PHASES, recognition=table)  # fmt: skip
    assert info.value.one_line().startswith(message)


def _bridge_with_rule(recognition: dict | None = None):
    """The bridge with a rule the bridge reps break on every frame of their top: the
    other knee straight."""
    rule = {"id": "other_leg_long", "measure": "other_knee", "min_deg": 170,
            "cue": "Stretch the other leg.", "severity": "form"}  # fmt: skip
    phases = [BRIDGE_PHASES[0], {**BRIDGE_PHASES[1], "rules": [rule]}]
    extra = {"recognition": recognition} if recognition else {}
    return _defn("lift", posture="supine", cycle=["down", "up", "down"], phases=phases, **extra)


def test_movement_rules_name_rules_of_the_definition():
    from posecheck.errors import DefinitionError

    assert _bridge_with_rule({"movement_rules": ["other_leg_long"]}).recognition.movement_rules == (
        "other_leg_long",
    )
    with pytest.raises(DefinitionError) as info:
        _bridge_with_rule({"movement_rules": ["other_leg_lng"]})
    assert info.value.one_line().startswith(
        "lift.toml: recognition.movement_rules[0]: no rule has the id 'other_leg_lng' "
        "(did you mean other_leg_long?)"
    )


def test_form_only_rules_name_rules_of_the_definition_that_are_no_movement_rules():
    from posecheck.errors import DefinitionError

    hints = _bridge_with_rule({"form_only_rules": ["other_leg_long"]}).recognition
    assert hints.form_only_rules == ("other_leg_long",) and hints.movement_rules == ()
    for given, says in (
        ({"form_only_rules": ["other_leg_lng"]},
         "form_only_rules[0]: no rule has the id 'other_leg_lng' (did you mean other_leg_long?)"),
        ({"form_only_rules": ["other_leg_long"], "movement_rules": ["other_leg_long"]},
         "form_only_rules[0]: rule 'other_leg_long' is also a movement rule"),
    ):  # fmt: skip
        with pytest.raises(DefinitionError) as info:
            _bridge_with_rule(given)
        assert info.value.one_line().startswith(f"lift.toml: recognition.{says}")


@pytest.mark.parametrize("facing", ["left", "right"])
def test_a_form_only_rule_tells_the_person_but_does_not_name_the_exercise(facing):
    # the same top, its other-leg rule broken on every frame: as a rule of form it lowers
    # the fit (rules share); left out of recognition the clip fits as if it were kept
    t, poses = _seq(bridge_reps(3), facing)
    kept = recognize(t, poses, [_bridge_with_rule({"form_only_rules": ["other_leg_long"]})])
    form = recognize(t, poses, [_bridge_with_rule()])
    assert form.scores[0].rules_share < 1.0 and kept.scores[0].rules_share == 1.0
    assert kept.scores[0].score > form.scores[0].score


@pytest.mark.parametrize("facing", ["left", "right"])
def test_a_movement_rule_is_part_of_the_phase_not_only_of_its_form(facing):
    # broken on every frame of the top: as a rule of form the reps are still the
    # exercise, done with a fault; as part of the movement the top is never reached
    # (the other limb's rule read on the model's guess of it), so no rep is
    t, poses = _seq(bridge_reps(3), facing)
    form = recognize(t, poses, [_bridge_with_rule()])
    assert form.name == "lift" and form.scores[0].rules_share < 1.0
    assert form.scores[0].movement_missed == {}
    part = recognize(t, poses, [_bridge_with_rule({"movement_rules": ["other_leg_long"]})])
    assert part.name is None
    assert part.scores[0].phase_seconds["up"] == 0.0 and not part.scores[0].reps
    # what the clip left out: every second the top's targets held (its time in the
    # phase when the rule is only form)
    up_s = form.scores[0].phase_seconds["up"]
    assert up_s > 3.0
    assert part.scores[0].movement_missed["other_leg_long"] == pytest.approx(up_s, abs=0.11)


def test_min_reps_needs_a_cycle():
    from posecheck.errors import DefinitionError

    with pytest.raises(DefinitionError, match="min_reps needs a cycle"):
        _defn(
            "kneel2", posture="kneeling", recognition={"min_reps": 2},
            phases=[{"name": "hold", "targets": [{"measure": "hip", "max_deg": 60}]}],
        )  # fmt: skip
    with pytest.raises(DefinitionError, match="attempt_confirms_deg needs a cycle"):
        _defn(
            "kneel2", posture="kneeling", recognition={"attempt_confirms_deg": 20},
            phases=[{"name": "hold", "targets": [{"measure": "hip", "max_deg": 60}]}],
        )  # fmt: skip
    with pytest.raises(DefinitionError, match="confirm_change_deg needs a cycle"):
        _defn(
            "kneel2", posture="kneeling", recognition={"confirm_change_deg": 6},
            phases=[{"name": "hold", "targets": [{"measure": "hip", "max_deg": 60}]}],
        )  # fmt: skip


@pytest.mark.parametrize(
    ("reps", "reached", "limit", "shallow"),
    [(True, 4.2, 6.0, True), (True, 6.0, 6.0, False), (True, None, 6.0, True),
     (False, 4.2, 6.0, False), (True, 4.2, None, False)],
)  # fmt: skip
def test_complete_reps_below_confirm_change_leave_it_a_candidate(reps, reached, limit, shallow):
    from posecheck.recognize import ExerciseScore
    from posecheck.recognize import shallow as is_shallow

    hints = {"confirm_change_deg": limit} if limit is not None else {}
    ex = _defn("tilt2", posture="supine", cycle=["down", "up", "down"],
               phases=BRIDGE_PHASES, recognition=hints)  # fmt: skip
    sc = ExerciseScore("tilt2", 0.9, "supine", 1.0, 1.0, reps=reps, change_reached=reached)
    assert is_shallow(sc, [ex]) is shallow


def test_recognition_hints_default_and_load():
    assert BRIDGE.recognition.min_reps == 1 and BRIDGE.recognition.still == ()
    ex = _defn("lift", posture="supine", cycle=["down", "up", "down"], phases=BRIDGE_PHASES,
               recognition={"min_reps": 2, "still": ["ankle", "wrist"]})  # fmt: skip
    assert ex.recognition.min_reps == 2 and ex.recognition.still == ("ankle", "wrist")


def test_min_reps_asks_for_more_than_one_rep():
    two = _defn("lift2", posture="supine", cycle=["down", "up", "down"], phases=BRIDGE_PHASES,
                recognition={"min_reps": 2})  # fmt: skip
    t, poses = _seq(bridge_reps(n_reps=1) + [BODIES["hook_lying"]] * 10)
    one_rep = {s.name: s for s in recognize(t, poses, [BRIDGE, two]).scores}
    assert one_rep["lift"].movement_share == 1.0
    assert one_rep["lift2"].movement_share == 0.5
    t, poses = _seq(bridge_reps(n_reps=2))
    assert recognize(t, poses, [two]).name == "lift2"


def test_still_hint_rejects_moving_limbs():
    kicking = _defn("lift3", posture="supine", cycle=["down", "up", "down"],
                    phases=BRIDGE_PHASES, recognition={"still": ["wrist"]})  # fmt: skip
    reps = bridge_reps()
    t, poses = _seq(reps)
    assert recognize(t, poses, [kicking]).name == "lift3"
    # the same lifts with the arms swinging up and down all the time
    swinging = [(*b[:3], 60 * math.sin(i / 3), 0, b[5]) for i, b in enumerate(reps)]
    t, poses = _seq(swinging)
    rec = recognize(t, poses, [kicking])
    assert rec.name is None and rec.scores[0].still_share < 0.5


def test_steady_spread_is_validated_and_loaded():
    from posecheck.errors import DefinitionError

    ex = _defn("lift4", posture="supine", cycle=["down", "up", "down"], phases=BRIDGE_PHASES,
               recognition={"steady_spread_deg": {"pelvis_twist": 8}})  # fmt: skip
    assert ex.recognition.steady_spread_deg == (("pelvis_twist", 8.0),)
    with pytest.raises(DefinitionError) as info:
        _defn("lift", posture="supine", cycle=["down", "up", "down"], phases=BRIDGE_PHASES,
              recognition={"steady_spread_deg": {"pelvis_twst": 8}})  # fmt: skip
    assert info.value.one_line().startswith(
        "lift.toml: recognition.steady_spread_deg.pelvis_twst: unknown measure in degrees "
        "(did you mean pelvis_twist?)"
    )


def test_steady_hint_rejects_a_turning_part():
    # lifts whose elbow angle a definition keeps steady: kept, named; the same lifts with
    # the forearms swinging 30 deg (another movement in the same position) halve it
    keep = {"steady_spread_deg": {"elbow": 12}}
    steady = _defn("lift5", posture="supine", cycle=["down", "up", "down"],
                   phases=BRIDGE_PHASES, recognition=keep)  # fmt: skip
    reps = bridge_reps()
    t, poses = _seq(reps)
    assert recognize(t, poses, [steady]).name == "lift5"
    swinging = [(*b[:4], 15 * math.sin(i / 3), b[5]) for i, b in enumerate(reps)]
    t, poses = _seq(swinging)
    rec = recognize(t, poses, [steady])
    assert rec.name is None and "elbow spans" in rec.scores[0].note


def test_loop_joins_the_end_to_the_start():
    # half a rep (down, then up) in a looping clip is a full rep
    frames = [BODIES["hook_lying"]] * 10 + [BODIES["bridge_top"]] * 10
    t, poses = _seq(frames)
    assert recognize(t, poses, [BRIDGE]).scores[0].movement_share == 0.5
    assert recognize(t, poses, [BRIDGE], loop=True).scores[0].movement_share == 1.0


def test_close_scores_are_ranked_by_fit():
    from posecheck.recognize import ExerciseScore, rank

    a = ExerciseScore("a", 1.0, "supine", 1.0, 1.0, coverage=0.5, rules_share=1.0)
    b = ExerciseScore("b", 0.95, "supine", 1.0, 0.95, coverage=1.0, rules_share=1.0)
    c = ExerciseScore("c", 0.7, "supine", 1.0, 0.7, coverage=1.0, rules_share=1.0)
    assert [s.name for s in rank([a, b, c])] == ["b", "a", "c"]


def test_auto_side_uses_the_better_seen_side():
    from posecheck.recognize import worked_sides

    pose = make_body(*BODIES["hook_lying"])
    for part in ("shoulder", "hip", "knee", "ankle"):
        pose.visibility[LANDMARK_INDEX[f"right_{part}"]] = 0.6
    assert worked_sides(BRIDGE, [pose, None]) == ("left",)
    alt = _defn("alt", posture="supine", side="alternate", cycle=["down", "up", "down"],
                phases=BRIDGE_PHASES)  # fmt: skip
    assert worked_sides(alt, [pose]) == ("left", "right")


def test_complete_reps_outrank_a_hold_in_the_same_position():
    from posecheck.recognize import ExerciseScore, rank

    hold = ExerciseScore("hold", 1.0, "supine", 1.0, 1.0, coverage=1.0, rules_share=0.7)
    reps = ExerciseScore("reps", 0.95, "supine", 1.0, 0.95, reps=True, coverage=0.8,
                         rules_share=1.0)  # fmt: skip
    far = ExerciseScore("far", 0.5, "supine", 1.0, 0.5, reps=True, coverage=1.0, rules_share=1.0)
    assert [s.name for s in rank([hold, far, reps])] == ["reps", "hold", "far"]


# --- a cycle seen only in its held phase; required points out of view -------------------


def test_a_cycle_seen_only_in_its_held_phase_is_that_exercise():
    # filmed during the hold (a supine twist's 30 s): the top held 6 s, still, is a lift
    top = (195, 15, -75, 0, 0, 90)
    t, poses = _seq([top] * 60)
    rec = recognize(t, poses, LIBRARY)
    assert rec.name == "lift"
    assert not rec.scores[0].reps and "held phase 'up'" in rec.scores[0].note


def test_a_moment_in_the_held_phase_is_not_a_hold():
    # 0.5 s at the top is less than half the 2 s hold: not evidence of the exercise
    top = (195, 15, -75, 0, 0, 90)
    t, poses = _seq([top] * 5 + [None] * 40)
    rec = recognize(t, poses, LIBRARY)
    assert rec.name is None
    assert next(s for s in rec.scores if s.name == "lift").movement_share == 0.0


def test_phases_count_only_where_the_required_points_are_in_view():
    lift = _defn(
        "lift", posture="supine", cycle=["down", "up", "down"], phases=BRIDGE_PHASES,
        required=["shoulder", "hip", "knee", "wrist"],
    )  # fmt: skip
    t, poses = _seq(bridge_reps())
    assert recognize(t, poses, [lift]).name == "lift"
    # the same reps with the hands hidden at the top (e.g. under a title card): the hip
    # angle still reads straight and the posture is clear, but the engine would pause
    # there (a required point is out of view), so recognition does not see a top either
    for i, p in enumerate(poses):
        if 15 <= i % 40 < 35:  # each rep's last half of the lift, top and first lowering
            for side in ("left", "right"):
                p.visibility[LANDMARK_INDEX[f"{side}_wrist"]] = 0.2
    rec = recognize(t, poses, [lift])
    assert rec.name is None and rec.scores[0].phase_seconds["up"] == 0.0


@pytest.mark.parametrize(
    ("sel", "gap_s", "expected"),
    [
        ([1, 1, 1, 0, 1, 1], 0.0, 0.3),
        ([1, 1, 1, 0, 1, 1], 0.1, 0.5),  # a one-frame gap is bridged, not counted
        ([1, 1, 0, 0, 0, 1], 0.1, 0.2),
        ([0, 0, 0], 0.5, 0.0),
    ],
)
def test_longest_run(sel, gap_s, expected):
    from posecheck.recognize import longest_run_s

    dt = np.full(len(sel), 0.1)
    assert longest_run_s(np.array(sel, bool), dt, gap_s) == pytest.approx(expected)


def test_lying_and_all_fours_are_told_with_the_feet_out_of_view():
    # feet past the picture's edge are hidden (Pose.hide_off_frame): the trunk and the
    # thighs still tell lying and all fours; standing and kneeling need the shins
    for body, want in (("prone_face_down", "prone"), ("all_fours", "all_fours"),
                       ("hook_lying", "supine"), ("standing", "unknown")):  # fmt: skip
        pose = make_body(*BODIES[body])
        for side in ("left", "right"):
            pose.visibility[LANDMARK_INDEX[f"{side}_ankle"]] = 0.0
        assert classify_posture(pose) == want, body


def test_a_position_only_exercise_is_named_as_possible_never_chosen():
    # the draw-in: hook lying with a contraction the camera cannot see; resting in the
    # same position looks the same, so recognition says "none" and names it as possible
    press = _defn(
        "press", posture="supine", recognition={"position_only": True},
        phases=[{"name": "hold", "hold_s": 10,
                 "targets": [{"measure": "knee", "min_deg": 40, "max_deg": 65}]}],
    )  # fmt: skip
    t, poses = _seq([(180, 60, -60, 0, 0, 90)] * 60)  # still, knees at 60 deg
    rec = recognize(t, poses, [BRIDGE, KNEEL_HOLD, press])
    assert rec.name is None and rec.possible == ["press"]
    assert rec.scores[0].name == "press" and rec.scores[0].score == 1.0
    assert rec.best != "press" and rec.confidence < MIN_SCORE
    assert rec.to_dict()["possible"] == ["press"]
    # an exercise the camera can confirm still wins when it fits: the bridge's reps
    t, poses = _seq(bridge_reps())
    rec = recognize(t, poses, [BRIDGE, press])
    assert rec.name == "lift" and rec.possible == []


def test_position_only_must_be_a_boolean():
    from posecheck.errors import DefinitionError

    with pytest.raises(DefinitionError) as info:
        _defn(
            "press", posture="supine", recognition={"position_only": "yes"},
            phases=[{"name": "hold", "targets": [{"measure": "knee", "max_deg": 65}]}],
        )  # fmt: skip
    assert "recognition.position_only" in str(info.value)


@pytest.mark.parametrize(("nose_y", "posture"), [(200, "supine"), (250, "seated")])
def test_lying_seen_from_the_feet_is_told_from_sitting_by_the_face(nose_y, posture):
    # shoulders spread as from the front, the trunk upright in the picture, the thighs
    # short (pointing at the camera): sitting facing the camera shows the nose below
    # the ears; lying on the back seen from the feet, the face turns up to the ceiling
    from helpers import make_pose

    pose = make_pose({
        "left_shoulder": (560, 300), "right_shoulder": (720, 300), "left_hip": (590, 500),
        "right_hip": (690, 500), "left_knee": (600, 560), "right_knee": (680, 560),
        "left_ankle": (600, 650), "right_ankle": (680, 650), "left_ear": (610, 230),
        "right_ear": (670, 230), "nose": (640, nose_y),
    })  # fmt: skip
    assert classify_posture(pose) == posture


def _with_chest(pose: Pose, chest_up: float | None) -> Pose:
    """``pose`` with world landmarks of a body lying along x whose chest points up
    (``chest_up`` 1), down (-1) or sideways (0; None: no world landmarks)."""
    if chest_up is None:
        return pose
    world = np.zeros((NUM_LANDMARKS, 3))
    # the chest's front is up x right (body3d.trunk_frame), with up = hip -> shoulder = -x:
    # right = (0, sin a, -cos a) gives a front of (0, -cos a, -sin a), y pointing down
    angle = math.acos(max(-1.0, min(1.0, chest_up)))
    right = np.array([0.0, math.sin(angle), -math.cos(angle)]) * 0.2
    for name, at in {"shoulder": (-0.5, 0.0, 0.0), "hip": (0.0, 0.0, 0.0)}.items():
        world[LANDMARK_INDEX[f"left_{name}"]] = np.array(at) - right / 2
        world[LANDMARK_INDEX[f"right_{name}"]] = np.array(at) + right / 2
    pose.world = world
    return pose


@pytest.mark.parametrize(("face", "chest_up", "posture"), [
    (-60, None, "prone"),  # the picture alone: the nose below the ears
    (-60, 1.0, "supine"),  # the chest points up in 3D: on the back, whatever the face shows
    (90, -1.0, "prone"),  # the chest points down
    (-60, 0.2, "prone"),  # near the horizontal the 3D direction is unclear: the picture decides
])  # fmt: skip
def test_lying_on_the_back_or_front_is_decided_by_the_chest_in_3d_when_clear(
    face, chest_up, posture
):
    # filmed obliquely from the feet end, a face turned to the ceiling can show its nose
    # below the ears; the chest's direction in 3D does not depend on the camera angle
    pose = _with_chest(make_body(180, 0, 0, 0, 0, face), chest_up)
    assert classify_posture(pose) == posture


def test_the_definitions_measured_on_the_depth_estimate():
    # named first among the candidates without evidence when a clip turns what a
    # definition keeps steady: only the supine twist's measures come from the depth
    from posecheck.library import Library
    from posecheck.recognize import _moved_unseen

    assert _moved_unseen(list(Library.load())) == {"supine-twist"}


def test_all_fours_folded_like_kneeling_shows_both_postures_for_the_candidates():
    from posecheck.library import Library
    from posecheck.recognize import folded_like_kneeling, shown_shares

    # a child's pose filmed obliquely: the trunk level, the thigh foreshortened to look
    # upright under it, the hip folded to 60 degrees (on all fours it is about 90)
    folded = make_body(200, -100, 0, 180, 180, 250)
    level = make_body(*BODIES["all_fours"])
    assert classify_posture(folded) == classify_posture(level) == "all_fours"
    assert folded_like_kneeling(folded) and not folded_like_kneeling(level)
    lib = [Library.load().find(n) for n in ("childs-pose", "bird-dog")]
    poses = [folded] * 3 + [level]
    shown = shown_shares(lib, poses, [classify_posture(p) for p in poses])
    assert shown == {"childs-pose": 0.75, "bird-dog": 1.0}


# body axes (x to the head, y out of the chest, z to the left) -> world (y down)
ON_THE_BACK = np.array([[1.0, 0, 0], [0, -1, 0], [0, 0, -1]])  # chest up
ON_A_SIDE = np.array([[1.0, 0, 0], [0, 0, -1], [0, 1, 0]])  # the left shoulder above the right


@pytest.mark.parametrize(("view", "share"), [(ON_THE_BACK, 1.0), (ON_A_SIDE, 0.0)])
def test_a_supine_twist_asks_both_shoulders_down(view, share):
    # an obliquely filmed side plank reads lying on the back in the picture, and the
    # model's depth can read its knees rolled: the twist's shoulders stay on the floor
    # (level), a body on its side stacks them ([recognition] shoulders_level_deg)
    from posecheck.body3d import shoulder_tilt
    from posecheck.library import Library
    from test_body3d import lying_body

    twist = Library.load().find("supine-twist")
    assert twist.recognition.shoulders_level_deg is not None
    rolls = ([0.0] * 20 + [80.0] * 40) * 2 + [0.0] * 20
    t = [i / FPS for i in range(len(rolls))]
    poses = []
    for roll in rolls:
        pose = make_body(*BODIES["hook_lying"])  # the picture: on the back, face up
        pose.world = lying_body(knee_roll=roll, pelvis=roll / 2, view=view).world
        poses.append(pose)
    assert shoulder_tilt(poses[0]) == pytest.approx(90.0 * (1.0 - share), abs=1e-6)
    assert {classify_posture(p) for p in poses} == {"supine"}
    rec = recognize(t, poses, [twist])
    score = rec.scores[0]
    assert score.posture_share == share
    assert (rec.name == "supine-twist") is bool(share)
    assert "supine-twist" not in rec.candidates


def test_knee_travel_is_how_far_the_knees_move_about_the_pelvis():
    # a leg lift or a hug carries the knee most of a thigh length; a hold leaves it
    from posecheck.recognize import knee_travel
    from test_body3d import lying_body

    def clip(thigh_up: list[float]) -> list[Pose]:
        poses = []
        for up in thigh_up:
            pose = make_body(*BODIES["hook_lying"])
            pose.world = lying_body(thigh_up=up, view=ON_THE_BACK).world
            poses.append(pose)
        return poses

    still = clip([50.0] * 40)
    postures = [classify_posture(p) for p in still]
    assert knee_travel(still, postures) == pytest.approx(0.0, abs=1e-9)
    # the thigh swung from 50 to 90 deg off the floor: its end moves 2 sin(20) thighs
    hug = clip([50.0] * 20 + [90.0] * 20)
    assert knee_travel(hug, postures) == pytest.approx(2 * math.sin(math.radians(20)), abs=0.01)
    assert math.isnan(knee_travel(still[:3], postures[:3]))
    assert math.isnan(knee_travel([None] * 40, [POSTURE_UNKNOWN] * 40))


def test_far_reached_asks_a_second_beyond_the_start_of_a_cycle():
    from types import SimpleNamespace

    from posecheck.recognize import FAR_REACHED_S, far_reached

    twist = SimpleNamespace(name="twist", cycle=["middle", "twist", "middle"])
    # a hold is one position: where it is, is far (a reclined pigeon's drawn-in legs),
    # unless the camera sees only that position (the draw-in's hook lying, position_only)
    hold = SimpleNamespace(name="hold", cycle=None)
    still = SimpleNamespace(name="still", cycle=())
    seen = {"middle": 9.0, "twist": FAR_REACHED_S}

    def score(name, phases):
        return SimpleNamespace(name=name, phase_seconds=phases)

    held = {"stretch": FAR_REACHED_S}
    scores = [score("twist", seen), score("hold", held), score("still", held)]
    assert far_reached([twist, hold, still], scores, {"still"}) == {"twist", "hold"}
    assert far_reached([hold], [score("hold", {"stretch": FAR_REACHED_S / 2})]) == set()
    # a pass through the far phase, or the start position alone, is not going there
    passed = {"middle": 9.0, "twist": FAR_REACHED_S / 2}
    assert far_reached([twist], [score("twist", passed)]) == set()
    assert far_reached([twist], [score("twist", {"middle": 9.0, "twist": math.nan})]) == set()


def test_the_hook_lying_definitions_that_leave_the_knees_in_place():
    from posecheck.library import Library

    kept = {
        ex.name for ex in Library.load() if ex.recognition.knee_travel_max is not None
    }  # fmt: skip
    assert kept == {"abdominal-draw-in", "pelvic-tilt"}


def test_knees_apart_tells_one_leg_at_a_time_from_both_together():
    from posecheck.recognize import knees_apart
    from test_body3d import lying_body

    def clip(ups: list[tuple[float, float]]) -> list[Pose]:
        # (left, right) thigh angles off the floor; the body's left is its z axis
        poses = []
        for left, right in ups:
            pose = make_body(*BODIES["hook_lying"])
            world = lying_body(thigh_up=right, view=ON_THE_BACK).world.copy()
            world[LANDMARK_INDEX["left_knee"]] = lying_body(thigh_up=left, view=ON_THE_BACK).world[
                LANDMARK_INDEX["left_knee"]]  # fmt: skip
            pose.world = world
            poses.append(pose)
        return poses

    postures = ["supine"] * 40
    both = clip([(50.0, 50.0)] * 20 + [(90.0, 90.0)] * 20)
    one = clip([(50.0, 50.0)] * 20 + [(90.0, 50.0)] * 20)
    assert knees_apart(both, postures) == pytest.approx(0.0, abs=1e-9)
    assert knees_apart(one, postures) == pytest.approx(2 * math.sin(math.radians(20)), abs=0.01)


def test_the_definitions_that_move_one_leg_or_both():
    from posecheck.library import Library

    lib = list(Library.load())
    one = {ex.name for ex in lib if ex.recognition.knees_apart_min is not None}
    both = {ex.name for ex in lib if ex.recognition.knees_apart_max is not None}
    assert one == {"lower-tummy", "single-knee-to-chest"}
    assert both == {"knees-to-chest", "knee-rock", "bridge"}

"""Table-driven tests of the form engine: (t_s, measures) in, events out, frame by frame."""

from __future__ import annotations

import math
import os
import subprocess
import sys

import pytest

from posecheck.engine import (
    CAP_FORM,
    CAP_INCOMPLETE,
    CAP_SAFETY,
    CAP_SHORT_HOLD,
    Engine,
    _reversals,
    hold_score,
    rep_score,
)
from posecheck.library import parse_definition
from posecheck.pose import LANDMARK_NAMES

from conftest import REPO
from helpers import make_pose

# A small definition in the shape of the bridge: down (hip 90-150) -> up (hip >= 165,
# hold 2 s) -> down, a knee rule in the up phase, a feet-flat rule everywhere.
BASE = {
    "schema": 1,
    "name": "lift",
    "title": "Lift",
    "how_to": ["lift"],
    "posture": "supine",
    "side": "left",
    "required": ["shoulder", "hip", "knee"],
    "cycle": ["down", "up", "down"],
    "key_measures": ["hip"],
    "camera": {"view": "side"},
    "phases": [
        {"name": "down", "targets": [{"measure": "hip", "min_deg": 90, "max_deg": 150}]},
        {
            "name": "up",
            "hold_s": 2.0,
            "targets": [{"measure": "hip", "min_deg": 165, "max_deg": 185}],
            "rules": [
                {"id": "knee_bend", "measure": "knee", "min_deg": 80, "max_deg": 115,
                 "cue": "Knees at a right angle.", "priority": 2},
            ],
        },
    ],
    "rules": [
        {"id": "feet_flat", "measure": "heel_elevation", "max_deg": 30,
         "cue": "Feet flat.", "priority": 1, "severity": "safety"},
    ],
    "dose": {"hold_s": 2, "reps": 2},
    "timing": {"min_dwell_s": 0.2, "hysteresis_deg": 5, "grace_s": 0.5, "cue_delay_s": 0.4,
               "cue_min_s": 1.0, "cue_repeat_s": 2.0, "state_delay_s": 0.5},
}  # fmt: skip

FPS = 10.0
POSE = make_pose({n: (100 + 10 * i, 100 + 5 * i) for i, n in enumerate(LANDMARK_NAMES)})


def make_exercise(**changes):
    data = {**BASE, **changes}
    return parse_definition(data, "test.toml")


def run(ex, frames, side="auto"):
    """Feed [(hip, extra measures dict or None for no pose)] at FPS; return (engine, results)."""
    eng = Engine(ex, side=side)
    results = []
    for i, (hip, extra) in enumerate(frames):
        t = i / FPS
        if extra is None:
            results.append(eng.update(i, t, None, {}))
            continue
        m = {"left_hip": hip, "left_knee": 95.0, "left_heel_elevation": 5.0,
             "shoulder_width_ratio": 0.15}  # fmt: skip
        m.update(extra)
        results.append(eng.update(i, t, POSE, m))
    return eng, results


def events(results, kinds=None):
    out = []
    for r in results:
        for e in r.events:
            if kinds is None or e.kind in kinds:
                out.append((round(e.t_s, 2), e.kind))
    return out


def seq(*parts):
    """parts: (value, n_frames) or (start, end, n_frames) ramps -> list of (hip, {})."""
    out = []
    for p in parts:
        if len(p) == 2:
            out += [(float(p[0]), {})] * p[1]
        else:
            a, b, n = p
            out += [(a + (b - a) * (k + 1) / n, {}) for k in range(n)]
    return out


REP = [(130, 10), (130, 175, 5), (175, 25), (175, 130, 5), (130, 10)]


@pytest.mark.parametrize(
    ("name", "frames", "reps", "incomplete"),
    [
        ("one clean rep", seq(*REP), 1, 0),
        ("two reps", seq(*REP, *REP), 2, 0),
        # jitter around the top boundary (163-168) never counts twice
        (
            "jitter at the top",
            seq(
                (130, 10),
                (130, 166, 4),
                *[(163 + 5 * (k % 2), 1) for k in range(30)],
                (166, 130, 4),
                (130, 10),
            ),
            1,
            0,
        ),  # fmt: skip
        # jitter across the down boundary (148-156) never starts a rep
        (
            "jitter at the bottom",
            seq((130, 10), *[(148 + 8 * (k % 2), 1) for k in range(40)]),
            0,
            0,
        ),
        # went up to 160 only: not the top -> an incomplete rep, not counted
        (
            "incomplete rep",
            seq((130, 10), (130, 160, 5), (160, 10), (160, 130, 5), (130, 10)),
            0,
            1,
        ),
        # a one-frame spike to the top is shorter than the dwell: no rep
        ("spike shorter than dwell", seq((130, 10), (175, 1), (130, 10)), 0, 0),
        # the top's value unknown for two frames (the knee briefly out of the picture)
        # inside a short top: the dwell goes on across them, the rep counts
        (
            "unknown frames keep the candidate phase",
            seq((130, 10), (158, 3), (175, 1), (math.nan, 2), (175, 1), (130, 10)),
            1,
            0,
        ),
        # ... but a top seen on one frame only is still shorter than the dwell
        (
            "unknown frames do not count as matched",
            seq((130, 10), (158, 3), (175, 1), (math.nan, 2), (130, 10)),
            0,
            1,
        ),
    ],
)
def test_rep_counting(name, frames, reps, incomplete):
    eng, res = run(make_exercise(), frames)
    s = eng.finish()
    assert s.reps_complete == reps, name
    assert sum(1 for r in s.reps if not r.complete) == incomplete, name
    assert [e for e in events(res) if e[1] == "rep"] == [e for e in events(res, {"rep"})]
    assert res[-1].reps_done == reps


def test_rep_event_frame_and_record():
    eng, res = run(make_exercise(), seq(*REP))
    # up starts at frame 13 (first hip >= 165 is 166.0 at frame 13 -> t=1.3); the body
    # arrives at 175 at 1.4. A hold starts when it is still: at 1.6 the hip changed
    # 4.5 deg over the last 0.25 s (from 170.5 at 1.35, between two frames: 18 deg/s,
    # under the 30 deg/s limit), at 1.5 13.5 deg (54 deg/s): the speed crossed the limit
    # at 1.567 (between the frames), the window ending there is centred on 1.442. Still
    # for the 0.2 s dwell, the hold starts at 1.8, dated back to 1.442
    kinds = events(res, {"rep", "hold_start", "hold_end"})
    assert kinds[0] == (1.8, "hold_start")
    hold_start = next(e for r in res for e in r.events if e.kind == "hold_start")
    assert hold_start.data["start_s"] == pytest.approx(1.442, abs=1e-3)
    assert (4.4, "rep") in kinds
    s = eng.finish()
    rep = s.reps[0]
    assert rep.complete and rep.index == 1 and rep.depth["hip"] == 175
    assert s.holds[0].start_s == pytest.approx(1.442, abs=1e-3)
    # lowering starts after 3.9 (166 at 4.0: 36 deg/s over 3.75-4.0, moving): the speed
    # crossed 30 deg/s at 3.983 (between the frames), the window ending there is
    # centred on 3.858
    assert s.holds[0].end_s == pytest.approx(3.858, abs=1e-3)
    assert s.holds[0].reached is True
    # the rep's score: full depth, hold reached, no faults
    assert rep.score == 100.0


def test_hold_grace_tolerates_a_short_dropout_and_ends_after_a_long_one():
    top = [(175, {})] * 12
    short_gap = [(175, None)] * 3  # 0.3 s without a pose (< 0.5 s grace)
    long_gap = [(175, None)] * 10  # 1.0 s
    frames = seq((130, 10), (130, 175, 5)) + top + short_gap + top + long_gap + top
    eng, res = run(make_exercise(), frames)
    s = eng.finish()
    assert len(s.holds) == 2
    first = s.holds[0]
    # one hold across the short gap; the timer paused during it (2.6 -> 3.0). It starts
    # when the body is still (1.442, see above) and, ended by the lost pose, at its last
    # good frame
    assert first.start_s == pytest.approx(1.442, abs=1e-3)
    assert first.end_s == pytest.approx(4.1)
    assert first.duration_s == pytest.approx((2.6 - 1.442) + (4.1 - 3.0), abs=1e-3)
    assert first.reached is True
    # the long gap ended it and a new hold started after it: no stillness is read
    # across the gap; still from the first frame after it (5.2), nothing moved since
    assert s.holds[1].start_s == pytest.approx(5.2)
    # no rep was counted or lost by the dropout
    assert s.reps_complete == 0


def test_hold_pauses_while_a_phase_rule_fails_and_advice_rules_do_not():
    bad_knee = {"left_knee": 140.0}
    frames = (
        seq((130, 10), (130, 175, 5)) + [(175, {})] * 5 + [(175, bad_knee)] * 3 + [(175, {})] * 5
    )
    eng, _ = run(make_exercise(), frames)
    s = eng.finish()
    # the timer ran 1.442-1.9 and 2.3-2.7; it paused while the knee rule failed
    assert len(s.holds) == 1 and s.holds[0].duration_s == pytest.approx(0.858, abs=1e-3)
    data = {**BASE}
    up = dict(BASE["phases"][1])
    up["rules"] = [{**up["rules"][0], "stops_hold": False}]
    data["phases"] = [BASE["phases"][0], up]
    eng, _ = run(parse_definition(data, "t.toml"), frames)
    assert eng.finish().holds[0].duration_s == pytest.approx(1.258, abs=1e-3)


def test_cue_appears_after_delay_stays_and_clears_once():
    lifted = {"left_heel_elevation": 45.0}
    frames = [(130, {})] * 5 + [(130, lifted)] * 10 + [(130, {})] * 30
    _, res = run(make_exercise(), frames)
    ev = events(res, {"cue", "cue_clear"})
    assert ev == [(0.9, "cue"), (1.9, "cue_clear")]  # 0.4 s delay; shown 1.0 s minimum
    assert res[9].cue is not None and res[9].cue.id == "feet_flat"
    assert res[8].cue is None
    assert res[9].cue.text == "Feet flat." and res[9].cue.severity == "safety"
    assert res[20].cue is None


def test_a_short_failure_shows_no_cue_and_the_most_important_wins():
    short = [(130, {"left_heel_elevation": 45.0})] * 3  # 0.3 s < 0.4 s delay
    _, res = run(make_exercise(), [(130, {})] * 5 + short + [(130, {})] * 5)
    assert events(res, {"cue"}) == []
    both = {"left_heel_elevation": 45.0, "left_knee": 150.0}
    frames = seq((130, 10), (130, 175, 5)) + [(175, both)] * 10
    _, res = run(make_exercise(), frames)
    shown = [e.data["id"] for r in res for e in r.events if e.kind == "cue"]
    assert shown == ["feet_flat"]


def test_wrong_view_pauses_counting_with_a_cue():
    front = {"shoulder_width_ratio": 0.8}
    # the whole rep happens while the camera sees the person from the front
    frames = [(130, {})] * 10 + [(h, front) for h, _ in seq(*REP)] + [(130, {})] * 10
    eng, res = run(make_exercise(), frames)
    states = [
        (round(e.t_s, 2), e.data["state"]) for r in res for e in r.events if e.kind == "state"
    ]
    assert states[0] == (1.5, "wrong_view")  # after the 0.5 s state delay
    assert states[-1][1] == "tracking"
    assert res[20].state == "wrong_view" and res[20].cue.text == "Turn sideways to the camera."
    assert eng.finish().reps_complete == 0


def test_no_person_and_low_visibility_states():
    eng = Engine(make_exercise())
    hidden = make_pose({n: (100 + i, 100) for i, n in enumerate(LANDMARK_NAMES)},
                       hidden=("left_knee",))  # fmt: skip
    states = []
    for i in range(20):
        pose = None if i < 10 else hidden
        r = eng.update(i, i / FPS, pose, {"left_hip": 130.0, "shoulder_width_ratio": 0.1})
        states.append(r.state)
    assert states[4] == "tracking" and states[5] == "no_person"
    assert states[14] == "no_person" and states[15] == "low_visibility"
    assert r.cue.text == "Move back so your knees are in view."


def test_pause_stops_counting_and_a_hold_ends_after_grace():
    eng = Engine(make_exercise())
    frames = seq((130, 10), (130, 175, 5), (175, 20))
    for i, (h, _) in enumerate(frames):
        if i == 22:
            eng.pause(True)
        r = eng.update(i, i / FPS, POSE, {"left_hip": h, "left_knee": 95.0,
                                           "shoulder_width_ratio": 0.1})  # fmt: skip
    assert r.state == "paused"
    s = eng.finish()
    assert s.holds[0].end_s == pytest.approx(2.1)


def test_holds_only_exercise_counts_reached_holds_and_set_complete():
    data = {**BASE, "cycle": [], "dose": {"hold_s": 1, "reps": 1}}
    data["phases"] = [
        {"name": "stretch", "hold_s": 1.0,
         "targets": [{"measure": "hip", "max_deg": 80}]},
    ]  # fmt: skip
    ex = parse_definition(data, "t.toml")
    # (the first 0.5 s, while the model settles, are no part of the stillness test)
    frames = [(120, {})] * 10 + [(60, {})] * 15 + [(120, {})] * 10
    eng, res = run(ex, frames)
    assert "set_complete" in [k for _, k in events(res)]
    s = eng.finish()
    assert [h.reached for h in s.holds] == [True]
    # at 60 from 1.0 to 2.4: a jump with no frame in between. The speed over the still
    # window, interpolated between the frames around its crossing of the limit, dates
    # the arrival at 1.275 (a window centred on 1.15) and the leaving at 2.4125 (2.2875)
    assert s.holds[0].duration_s == pytest.approx(1.1375, abs=1e-3)
    assert s.score is not None and 0 <= s.score <= 100


def test_the_setup_hold_before_the_first_rep_is_not_told_short():
    """A clip that starts held in the start phase (the sample cat-camel starts in the
    camel): that hold ends a grace after the body left, when the first rep is already
    under way; it is the setup, not a hold of the exercise, and no cue tells it short."""
    data = {**BASE}
    data["phases"] = [{**BASE["phases"][0], "hold_s": 2.0}, BASE["phases"][1]]
    ex = parse_definition(data, "t.toml")
    eng, res = run(ex, seq((130, 15), (130, 175, 5), (175, 25), (175, 130, 5), (130, 25)))
    cues = [e.data["id"] for r in res for e in r.events if e.kind == "cue"]
    s = eng.finish()
    assert s.reps_complete == 1 and s.holds[0].phase == "down" and not s.holds[0].reached
    assert "short_hold:down" not in cues, cues


def test_a_first_position_seen_arrived_in_is_the_persons_hold_not_the_setup():
    # the same, but the person is seen coming into the start phase first (between
    # phases, then down): a hold they arrived in is theirs, held short and told so (the
    # real two-cycle cat-camel rounds into its first cat and holds it 1.5 s; a rep starts
    # as the first position is left, so that hold was always taken for the set-up)
    data = {**BASE}
    data["phases"] = [{**BASE["phases"][0], "hold_s": 2.0}, BASE["phases"][1]]
    ex = parse_definition(data, "t.toml")
    frames = seq((160, 10), (160, 130, 3), (130, 15), (130, 175, 5), (175, 25),
                 (175, 130, 5), (130, 25))  # fmt: skip
    eng, res = run(ex, frames)
    cues = [e.data["id"] for r in res for e in r.events if e.kind == "cue"]
    s = eng.finish()
    first = s.holds[0]
    assert s.reps_complete == 1 and first.phase == "down" and first.arrived and not first.reached
    assert "short_hold:down" in cues, cues
    told = [c for c in s.corrections if c.id == "short_hold:down"]
    assert [c.holds for c in told] == [[1]] and "1 of your 2 holds stopped short" in told[0].text
    # started in it (the test above): not seen arriving, the set-up
    eng, _ = run(ex, seq((130, 15), (130, 175, 5), (175, 25), (175, 130, 5), (130, 25)))
    assert not eng.finish().holds[0].arrived


def test_alternate_policy_tracks_each_side():
    ex = make_exercise(side="alternate")
    eng = Engine(ex)
    rep_l = [h for h, _ in seq(*REP)]
    frames = [(h, 130.0) for h in rep_l] + [(130.0, h) for h in rep_l]
    for i, (left, right) in enumerate(frames):
        eng.update(i, i / FPS, POSE, {"left_hip": left, "right_hip": right,
                                       "shoulder_width_ratio": 0.1})  # fmt: skip
    s = eng.finish()
    assert [(r.side, r.complete) for r in s.reps] == [("left", True), ("right", True)]


def test_auto_side_picks_the_visible_side():
    ex = make_exercise(side="auto")
    pts = {n: (100 + 10 * i, 100) for i, n in enumerate(LANDMARK_NAMES)}
    pose = make_pose(pts, hidden=tuple(n for n in LANDMARK_NAMES if n.startswith("left_")))
    eng = Engine(ex)
    r = eng.update(0, 0.0, pose, {"right_hip": 130.0, "shoulder_width_ratio": 0.1})
    assert r.side == "right" and eng.side == "right"
    assert {"left_hip", "right_hip", "shoulder_width_ratio"} <= eng.measure_names


def test_speed_and_bounce_safety_cues():
    data = {**BASE, "safety": {"max_speed_deg_s": 100, "bounce_reversals": 3,
                               "bounce_min_deg": 4, "bounce_window_s": 2.0}}  # fmt: skip
    ex = parse_definition(data, "t.toml")
    fast = seq((130, 10), (130, 175, 2), (175, 10))  # 45 deg in 0.2 s = 225 deg/s
    _, res = run(ex, fast)
    assert "too_fast" in [e.data["id"] for r in res for e in r.events if e.kind == "cue"]
    bouncy = seq((130, 10), (130, 175, 10)) + [(175 - 8 * (k % 2), {}) for k in range(30)]
    _, res = run(ex, bouncy)
    ids = [e.data["id"] for r in res for e in r.events if e.kind == "cue"]
    assert "bouncing" in ids and "too_fast" not in ids


def test_the_models_first_pose_settles_before_speed_is_judged():
    """The model settles on the person it first finds as after a cut: a jump in the
    first cut_settle_s (0.5 s) is no "too fast"; the same jump later is."""
    data = {**BASE, "safety": {"max_speed_deg_s": 100}}
    ex = parse_definition(data, "t.toml")
    cues = lambda res: [e.data["id"] for r in res for e in r.events if e.kind == "cue"]  # noqa: E731
    _, res = run(ex, seq((130, 1), (130, 175, 2), (175, 10)))  # 45 deg in 0.2 s from the first pose
    assert "too_fast" not in cues(res)
    _, res = run(ex, [(130.0, None)] * 3 + seq((130, 1), (130, 175, 2), (175, 10)))  # no one first
    assert "too_fast" not in cues(res)
    _, res = run(ex, seq((130, 6), (130, 175, 2), (175, 10)))  # the same jump after 0.6 s
    assert "too_fast" in cues(res)


@pytest.mark.parametrize(
    ("series", "step", "expected"),
    [
        ([0, 1, 2, 3, 4], 1.0, 0),
        ([0, 5, 0, 5, 0], 4.0, 3),
        ([0, 5, 0, 5, 0], 6.0, 0),
        ([0, 1, 0, 1, 0, 1], 2.0, 0),  # small jitter is not bouncing
        ([0, math.nan, 5, 0], 4.0, 1),
    ],
)
def test_reversals(series, step, expected):
    assert _reversals(series, step) == expected


def test_scores_are_bounded_and_documented_weights():
    assert rep_score(1, 1, 1, 1) == 100.0
    assert rep_score(0, 0, 0, 0) == 0.0
    assert rep_score(0.5, 1, 1, 1) == 77.5
    assert hold_score(1, 1, 1) == 100.0
    assert hold_score(0.5, 1, 1) == 75.0
    # caps: the lowest applies, whatever the other parts
    assert rep_score(0.9, 1, 1, 1, (CAP_INCOMPLETE,)) == 50.0
    assert rep_score(1, 0.2, 1, 1, (CAP_FORM, CAP_SHORT_HOLD)) == 55.0
    assert hold_score(1, 1, 1, (CAP_SAFETY,)) == 60.0


@pytest.mark.parametrize(
    ("name", "frames", "top", "max_score"),
    [
        # the top reached and held 2.5 s of 2 s: nothing capped
        ("clean", seq(*REP), None, 100.0),
        # the top never reached (peak 160): short of the top, told so, not green
        ("short of the top", seq((130, 10), (130, 160, 5), (160, 10), (160, 130, 5), (130, 10)),
         "range", CAP_INCOMPLETE),
        # the top reached and left at once (a 0.5 s hold of 2 s): told to hold longer
        ("short hold", seq((130, 10), (130, 175, 5), (175, 6), (175, 130, 5), (130, 10)),
         "hold", CAP_SHORT_HOLD),
    ],
)  # fmt: skip
def test_shortfalls_are_corrections_and_cap_the_score(name, frames, top, max_score):
    eng, _ = run(make_exercise(), frames)
    s = eng.finish()
    assert (s.corrections[0].kind if s.corrections else None) == top, name
    assert s.score is not None and s.score <= max_score, name
    if top is not None:
        assert any(str(int(max_score)) in n for n in s.score_notes), (name, s.score_notes)


def test_why_names_the_form_points_a_rep_lost_without_a_correction():
    """The knee rule fails for 0.3 s at the top, under the 0.4 s a cue waits: nothing is
    told, the rep scores 97.9, and "why" says where the 2 points went."""
    frames = seq(*REP)
    for k in (22, 23, 24):
        frames[k] = (frames[k][0], {"left_knee": 60.0})
    eng, _ = run(make_exercise(), frames)
    s = eng.finish()
    assert s.corrections == [] and s.score == 97.9
    assert s.score_notes[1:] == [
        "the rep lost 2 points of 20 for form (a form rule failed on 10% of its frames, "
        "too briefly to be told)"
    ]


def test_rules_are_judged_from_the_first_phase_not_while_getting_into_position():
    """The real cobra clip lowers from all fours: "Keep your hips on the floor" was told
    at 0.4 s, before the exercise began. Heels up while sitting up (hip 60, no phase),
    then a clean rep: nothing told. Heels up once lying down (the down phase): told."""
    cues = lambda res: [e.data["id"] for r in res for e in r.events if e.kind == "cue"]  # noqa: E731
    heels_up = {"left_heel_elevation": 50.0}
    setting_up = [(60.0, heels_up)] * 15
    eng, res = run(make_exercise(), setting_up + seq(*REP))
    assert cues(res) == [] and eng.finish().corrections == []
    eng, res = run(make_exercise(), seq((130, 5)) + [(130.0, heels_up)] * 15 + seq(*REP))
    assert cues(res) == ["feet_flat"]


def test_a_session_told_a_safety_correction_is_never_green():
    """Four clean reps and one too fast (225 deg/s against 100): the fast rep is capped
    at 60 and the mean is 92, green beside "lift and lower slowly"; now at most 79."""
    ex = parse_definition({**BASE, "safety": {"max_speed_deg_s": 100}}, "t.toml")
    fast = [(130, 10), (130, 175, 2), (175, 25), (175, 130, 5), (130, 10)]
    eng, _ = run(ex, seq(*REP, *REP, *REP, *REP, *fast))
    s = eng.finish()
    assert [r.score for r in s.reps] == [100.0, 100.0, 100.0, 100.0, 60.0]
    assert any(c.severity == "safety" for c in s.corrections) and s.score == 79.0
    assert s.score_notes[-1].startswith("a safety correction was given (")
    assert s.score_notes[-1].endswith("): the session at most 79, never green")
    eng, _ = run(ex, seq(*REP, *REP, *REP, *REP, *REP))
    assert eng.finish().score == 100.0


def test_a_cycle_seen_only_in_its_held_phase_says_why_its_holds_scored():
    """No rep, one hold (a clip that starts at the top): the session is its hold's
    score, and "why" says how a hold scores and what capped it (it was empty)."""
    eng, _ = run(make_exercise(), seq((175, 15), (175, 130, 5), (130, 10)))
    s = eng.finish()
    assert not s.reps and len(s.holds) == 1 and s.score == s.holds[0].score == 70.0
    assert s.score_notes[0].startswith("each hold scores")
    assert "the one hold held short of the target time: at most 70" in s.score_notes


def test_engine_does_not_import_cv2():
    code = "import posecheck.engine, posecheck.library, sys; print('cv2' in sys.modules)"
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env=env)  # fmt: skip
    assert out.stdout.strip() == "False"


def test_change_targets_follow_each_persons_resting_angle():
    # a pelvic-tilt-like definition: tilt = hip at least 2 deg above its resting value
    data = {**BASE, "cycle": ["rest", "tilt", "rest"], "required": ["hip"], "timing": {
        "min_dwell_s": 0.2, "hysteresis_deg": 0.4, "grace_s": 0.5}}  # fmt: skip
    data["phases"] = [
        {"name": "rest", "targets": [{"measure": "hip", "max_change_deg": 0.9}]},
        {"name": "tilt", "hold_s": 10.0,
         "targets": [{"measure": "hip", "min_change_deg": 2.0, "max_change_deg": 15}]},
    ]  # fmt: skip
    data["rules"] = []
    ex = parse_definition(data, "t.toml")
    for rest in (120.0, 150.0):  # two people with different resting angles
        tilt = [(rest, 10), (rest, rest + 3, 3), (rest + 3, 10), (rest + 3, rest, 3)]
        _, res = run(ex, seq(*tilt, *tilt, (rest, 10)))
        assert len(events(res, {"rep"})) == 2, rest
    # a slow drift of the resting angle is not a tilt
    drift = [(120 + 0.02 * k, {}) for k in range(100)]
    eng, _ = run(ex, drift)
    assert eng.finish().reps_complete == 0


def test_change_keys_validate_units():
    data = {**BASE}
    data["phases"] = [{"name": "down", "targets": [{"measure": "hip", "min_change": 2}]},
                      BASE["phases"][1]]  # fmt: skip
    with pytest.raises(Exception, match=r"phases\[0\].targets\[0\].min_change: hip is measured "
                       r"in deg: write min_change_deg"):  # fmt: skip
        parse_definition(data, "t.toml")


def test_alternate_shows_the_moving_side():
    ex = make_exercise(side="alternate")
    eng = Engine(ex)
    sides = []
    rep = [h for h, _ in seq(*REP)]
    for i, right in enumerate(rep):
        r = eng.update(i, i / FPS, POSE, {"left_hip": 130.0, "right_hip": right,
                                           "shoulder_width_ratio": 0.1})  # fmt: skip
        sides.append(r.side)
    assert sides[0] == "left" and "right" in sides
    assert eng.finish().reps[0].side == "right"


def test_engine_exposes_exercise_and_segmentation_need():
    eng = Engine(make_exercise())
    assert eng.exercise.name == "lift" and eng.needs_segmentation is False
    data = {**BASE}
    data["phases"] = [
        {"name": "down", "targets": [{"measure": "back_curvature", "max": 0.0}]},
        {"name": "up", "targets": [{"measure": "back_curvature", "min": 0.06}]},
    ]
    data["rules"] = []
    assert Engine(parse_definition(data, "t.toml")).needs_segmentation is True


@pytest.mark.parametrize(
    ("shoulder", "hip", "toe_dx", "expected"),
    [
        ((500, 300), (500, 600), 50, 0.0),  # upright
        ((550, 300), (500, 600), 50, 9.46),  # shoulders ahead of the hips, towards the toes
        ((450, 300), (500, 600), 50, -9.46),  # leaning back
        ((450, 300), (500, 600), -50, 9.46),  # facing the other way: forward again
    ],
)
def test_trunk_lean_sign(shoulder, hip, toe_dx, expected):
    from posecheck.lean import trunk_lean

    pose = make_pose({
        "left_shoulder": shoulder, "left_hip": hip, "left_heel": (500, 900),
        "left_foot_index": (500 + toe_dx, 900),
    })  # fmt: skip
    assert trunk_lean(pose) == pytest.approx(expected, abs=0.01)


@pytest.mark.parametrize(
    ("near_toe_dx", "far_toe_dx", "nose_dx", "expected"),
    [
        (-2, 30, None, -9.46),  # the near foot end-on (-2 px): the far foot decides
        (1, None, 20, -9.46),  # no clear foot: the nose decides
        (1, None, None, None),  # nothing clear: unknown, not a guess
    ],
)
def test_trunk_lean_facing_is_not_decided_by_a_foot_seen_end_on(
    near_toe_dx, far_toe_dx, nose_dx, expected
):
    from posecheck.lean import trunk_lean

    pts = {"left_shoulder": (450, 300), "left_hip": (500, 600), "left_heel": (500, 900),
           "left_foot_index": (500 + near_toe_dx, 900)}  # fmt: skip
    if far_toe_dx is not None:
        pts |= {"right_heel": (520, 900), "right_foot_index": (520 + far_toe_dx, 900)}
    if nose_dx is not None:
        pts |= {"left_ear": (440, 250), "nose": (440 + nose_dx, 255)}
    got = trunk_lean(make_pose(pts))
    if expected is None:
        assert math.isnan(got)
    else:
        assert got == pytest.approx(expected, abs=0.01)


def _symmetric_cat_camel():
    """A cat-camel whose cycle may start at either end (camel -> cat -> camel)."""
    data = {**BASE, "cycle": ["camel", "cat", "camel"], "symmetric": True, "rules": [],
            "required": [], "key_measures": ["back_curvature"]}  # fmt: skip
    data["phases"] = [
        {"name": "camel", "targets": [{"measure": "back_curvature", "max": -0.02}]},
        {"name": "cat", "targets": [{"measure": "back_curvature", "min": 0.06}]},
    ]
    return parse_definition(data, "t.toml")


@pytest.mark.parametrize(
    ("values", "reps"),
    [
        ([0.1] * 10 + [-0.1] * 10 + [0.1] * 10 + [-0.1] * 10, 2),  # starts rounded (cat)
        ([-0.1] * 10 + [0.1] * 10 + [-0.1] * 10, 1),  # starts arched: camel -> cat = 1 rep
        ([0.0] * 10 + [0.1] * 10 + [0.0] * 10 + [0.1] * 10, 0),  # cat, neutral, cat: no camel
    ],
)
def test_symmetric_cycle_counts_one_visit_to_each_phase(values, reps):
    eng = Engine(_symmetric_cat_camel())
    for i, v in enumerate(values):
        eng.update(i, i / FPS, POSE, {"back_curvature": v, "shoulder_width_ratio": 0.1})
    assert eng.finish().reps_complete == reps


def test_symmetric_cycle_counts_when_the_second_position_is_left_not_reached():
    eng = Engine(_symmetric_cat_camel())
    values = [-0.1] * 10 + [0.1] * 10 + [-0.1] * 10  # camel, cat from 1.0, camel from 2.0
    done = []
    for i, v in enumerate(values):
        r = eng.update(i, i / FPS, POSE, {"back_curvature": v, "shoulder_width_ratio": 0.1})
        done.append(r.reps_done)
    assert done[15] == 0  # in the cat: half a cycle, not a rep yet
    # the rep ends where the cat was left: the curvature crossed its band (0.06 - 0.015)
    # between 1.9 (0.1) and 2.0 (-0.1), at 1.9275
    assert done[-1] == 1 and eng.finish().reps[0].end_s == pytest.approx(1.9275, abs=1e-3)


def test_input_ending_on_the_way_back_counts_the_rep():
    # up reached and left, the recording stops before the dwell in "down" completes
    frames = seq((130, 10), (130, 175, 5), (175, 10), (175, 145, 3))
    eng, _ = run(make_exercise(), frames)
    s = eng.finish()
    assert s.reps_complete == 1
    # ending at the top is not a rep, nor a rep that fell short (it asks no correction)
    eng, _ = run(make_exercise(), seq((130, 10), (130, 175, 5), (175, 10)))
    s = eng.finish()
    assert s.reps_complete == 0 and s.reps == [] and s.corrections[0].kind == "hold"


def test_a_hold_still_held_as_the_input_ends_is_not_a_hold_that_stopped_short():
    """A recording that stops mid-hold was told "Hold the up position for 2 s: your
    longest hold was 1.0 s", the person still up. A hold the person was leaving (within
    its grace) as the input ended is theirs: the real bridge clip ends 0.5 s after its
    last hold, the person lowering."""
    ex = make_exercise()
    eng, _ = run(ex, seq((130, 10), (130, 175, 5), (175, 10)))
    s = eng.finish()
    assert [(h.stopped, h.reached, h.duration_s) for h in s.holds] == [("end", False, 0.958)]
    assert [(c.id, c.kind, c.holds) for c in s.corrections] == [("short_hold:up", "hold", [1])]
    assert s.corrections[0].text == (
        "Hold the up position for 2 s: the recording ended 1.0 s into your last hold, so it "
        "is not counted as reached; keep recording until you come out of it.")  # fmt: skip
    closing = eng.final_result.events
    assert [e.kind for e in closing] == ["hold_end"] and closing[0].data["stopped"] == "end"
    assert not s.score or s.score < 70  # not seen held: still no full hold (never green)
    assert s.score_notes[-1] == (
        "the recording ended during the last hold, so it counts as "
        "long as it was seen: keep recording until you come out of it"
    )
    # lowering on the last two frames: a hold that stopped short, told as before
    eng, _ = run(ex, seq((130, 10), (130, 175, 5), (175, 10), (175, 150, 2)))
    s = eng.finish()
    assert not any("recording ended" in n for n in s.score_notes)
    assert [h.stopped for h in s.holds] == [None]
    assert [c.text for c in s.corrections] == [
        "Hold the up position for 2 s: your longest hold was 0.9 s."]  # fmt: skip
    # lowering slowly (7 deg in 0.3 s, past the 5 deg band, still "up"), the stillness
    # over its window not yet broken: the person was leaving, as the input ended or as
    # the pause key came (a hold that fell short was hidden)
    for pause in (False, True):
        eng, _ = run(ex, seq((130, 10), (130, 175, 5), (175, 10), (175, 168, 3)))
        if pause:
            eng.pause(True)
        s = eng.finish()
        assert [h.stopped for h in s.holds] == [None], pause
        assert [c.id for c in s.corrections] == ["short_hold:up"], pause
    # a short hold the person came out of, then one the recording ended in: both told
    eng, _ = run(ex, seq((130, 10), (130, 175, 5), (175, 10), (175, 130, 5), (130, 10),
                         (130, 175, 5), (175, 10)))  # fmt: skip
    s = eng.finish()
    assert [(c.id, c.holds, c.text) for c in s.corrections] == [("short_hold:up", [1, 2], (
        "Hold the up position for 2 s: the recording ended 1.0 s into your last hold, so it "
        "is not counted as reached (keep recording until you come out of it); before it, your "
        "longest hold was 0.9 s."))]  # fmt: skip
    # Ctrl-C (a partial summary): counting was stopped, nothing to tell
    eng, _ = run(ex, seq((130, 10), (130, 175, 5), (175, 10)))
    s = eng.finish(partial=True)
    assert [h.stopped for h in s.holds] == ["stop"] and s.corrections == []


def test_pipeline_uses_the_definitions_min_visibility():
    from posecheck.pipeline import run as run_pipeline
    from posecheck.pose import MediaInfo

    # the knee is at visibility 0.35: measurable only for a definition that accepts 0.3
    pts = {"left_shoulder": (100, 500), "left_hip": (400, 500), "left_knee": (600, 300)}
    pose = make_pose(pts)
    pose.visibility[25] = 0.35

    class Replay:
        info = MediaInfo("x", "landmarks", 10.0, 3, 1280, 720)
        warnings: list[str] = []

        def poses(self):
            for i in range(3):
                yield i, i / 10, pose

    seen = {}
    for vis in (0.5, 0.3):
        data = {**BASE, "min_visibility": vis, "required": [], "rules": []}
        eng = Engine(parse_definition(data, "t.toml"))
        orig = eng.update

        def spy(i, t, p, m, orig=orig, vis=vis):
            seen[vis] = m["left_hip"]
            return orig(i, t, p, m)

        eng.update = spy
        run_pipeline(Replay(), None, eng)
    assert math.isnan(seen[0.5]) and seen[0.3] == pytest.approx(135.0)


def test_switch_side_and_reset_set():
    eng = Engine(make_exercise(side="left"))
    r = None
    for i, (h, _) in enumerate(seq(*REP)):
        r = eng.update(i, i / FPS, POSE, {"left_hip": h, "shoulder_width_ratio": 0.1})
    assert r.reps_done == 1 and r.side == "left"
    eng.switch_side()
    eng.reset_set()
    r = eng.update(100, 10.0, POSE, {"right_hip": 130.0, "shoulder_width_ratio": 0.1})
    assert r.side == "right" and r.reps_done == 0
    assert eng.finish().reps_complete == 1  # records are kept across sets


def test_feet_out_of_view_cue():
    data = {**BASE, "required": ["shoulder", "hip", "knee", "ankle", "heel"]}
    eng = Engine(parse_definition(data, "t.toml"))
    pts = {n: (100 + 10 * i, 100) for i, n in enumerate(LANDMARK_NAMES)}
    pose = make_pose(pts, hidden=("left_ankle", "left_heel"))
    for i in range(8):
        r = eng.update(i, i / FPS, pose, {"left_hip": 130.0, "shoulder_width_ratio": 0.1})
    assert r.state == "low_visibility"
    assert r.cue.text == "Move back so your feet are in view."


@pytest.mark.parametrize(
    ("hidden", "state", "cue"),
    [
        ((), "tracking", None),
        # not in `required`, but the hip target is measured from the knee
        (("left_knee",), "low_visibility", "Move back so your knees are in view."),
        (("left_ankle",), "tracking", None),  # only a rule uses it: not judged, no pause
        (("right_knee",), "tracking", None),  # the other side
    ],
)
def test_points_of_the_phase_targets_must_be_in_view(hidden, state, cue):
    eng = Engine(make_exercise(required=["shoulder"]))
    pts = {n: (100 + 10 * i, 100) for i, n in enumerate(LANDMARK_NAMES)}
    pose = make_pose(pts, hidden=hidden)
    for i in range(8):
        r = eng.update(i, i / FPS, pose, {"left_hip": 130.0, "shoulder_width_ratio": 0.1})
    assert r.state == state
    assert (r.cue.text if r.cue else None) == cue


# Alternate policy, the right leg working: which of its points is out, and how
# (x beyond the 1280 px picture, or hidden behind the body: visibility 0 in the picture)
@pytest.mark.parametrize(
    ("out", "beyond_edge", "state"),
    [
        ((), False, "tracking"),
        (("right_knee",), False, "tracking"),  # occluded: the left side is in full view
        (("right_knee",), True, "low_visibility"),  # past the edge of the picture
        (("left_knee",), True, "tracking"),  # the resting side's knee out: not judged now
    ],
)
def test_alternate_judged_side_must_be_inside_the_picture(out, beyond_edge, state):
    eng = Engine(make_exercise(side="alternate"))
    pts = {n: (100 + 10 * i, 100) for i, n in enumerate(LANDMARK_NAMES)}
    for n in out:
        if beyond_edge:
            pts[n] = (1400, 100)  # MediaPipe's guess beyond the right edge
    pose = make_pose(pts, hidden=() if beyond_edge else out).hide_off_frame()
    rep = [h for h, _ in seq((130, 10), (130, 160, 3))]  # the right leg starts to lift
    for i, right in enumerate(rep + [160.0] * 8):
        r = eng.update(i, i / FPS, pose, {"left_hip": 130.0, "right_hip": right,
                                           "shoulder_width_ratio": 0.1})  # fmt: skip
    assert r.side == "right"
    assert r.state == state
    if state == "low_visibility":
        assert r.cue.text == "Move back so your knees are in view."


HIDDEN_KNEE = make_pose(
    {n: (100 + 10 * i, 100) for i, n in enumerate(LANDMARK_NAMES)}, hidden=("left_knee",)
)


# (frames: (hip, out of view?)) -> complete reps, incomplete reps
@pytest.mark.parametrize(
    ("name", "frames", "reps", "incomplete"),
    [
        # the top happened while the knee was out of view: not seen, so not judged
        ("top unseen", [(130, 0)] * 10 + [(158, 0)] * 4 + [(175, 1)] * 15 + [(130, 0)] * 10,
         0, 0),
        # the same without the dropout: seen to fall short -> incomplete
        ("top too low", [(130, 0)] * 10 + [(158, 0)] * 18 + [(130, 0)] * 10, 0, 1),
        # the top seen, then out of view on the way down: counted (nothing is reset)
        ("dropout after the top",
         [(130, 0)] * 10 + [(175, 0)] * 5 + [(175, 1)] * 10 + [(130, 0)] * 10, 1, 0),
    ],
)  # fmt: skip
def test_a_rep_partly_out_of_view_is_not_called_incomplete(name, frames, reps, incomplete):
    eng = Engine(make_exercise())
    for i, (hip, out) in enumerate(frames):
        pose = HIDDEN_KNEE if out else POSE
        hip = math.nan if out else hip  # the hip angle is measured from the knee
        eng.update(i, i / FPS, pose, {"left_hip": hip, "left_knee": 95.0,
                                       "shoulder_width_ratio": 0.1})  # fmt: skip
    s = eng.finish()
    assert s.reps_complete == reps, name
    assert sum(1 for r in s.reps if not r.complete) == incomplete, name


def test_one_frame_glitch_during_a_hold_is_not_bouncing():
    data = {**BASE, "safety": {"bounce_reversals": 3, "bounce_min_deg": 5, "bounce_window_s": 2}}
    ex = parse_definition(data, "t.toml")
    glitchy = seq((130, 10), (130, 175, 5)) + [
        (160.0 if k % 7 == 3 else 175.0, {}) for k in range(40)
    ]
    _, res = run(ex, glitchy)
    assert "bouncing" not in [e.data["id"] for r in res for e in r.events if e.kind == "cue"]


def test_session_score_components():
    bad_knee = {"left_knee": 140.0}
    frames = seq((130, 10), (130, 175, 5)) + [(175, bad_knee)] * 20 + seq((175, 130, 5), (130, 10))
    eng, _ = run(make_exercise(), frames)
    s = eng.finish()
    c = s.score_components
    assert 0.0 < c["form"] < 1.0 and c["depth"] == 1.0 and c["rule_violations"] == 1.0
    assert c["dose_done"] == 0.5 and c["pose_coverage"] == 1.0
    assert s.score == s.reps[0].score < 100


def test_switch_side_between_frames_reports_in_the_next_frame():
    # A key press (live 's') lands between two update() calls: its events (the hold it
    # ends, the side change) must come out with the next frame, not be dropped.
    ex = make_exercise(side="left")
    eng, results = run(ex, [(130.0, {})] * 5 + [(170.0, {})] * 10)
    assert results[-1].hold_s > 0
    eng.switch_side()
    nxt = eng.update(15, 1.5, POSE, {"right_hip": 130.0, "shoulder_width_ratio": 0.1})
    kinds = [e.kind for e in nxt.events]
    assert "hold_end" in kinds and "side" in kinds
    assert nxt.side == "right"
    later = eng.update(16, 1.6, POSE, {"right_hip": 130.0, "shoulder_width_ratio": 0.1})
    assert not [e for e in later.events if e.kind == "side"]


@pytest.mark.parametrize(
    ("heel", "knee", "warned"),
    [
        (5.0, 95.0, []),  # both rules judged on every frame
        (math.nan, 95.0, ["feet_flat"]),  # the feet never in view: feet-flat unjudged
        # the knee rule applies in "up" only, where its value is missing
        (5.0, math.nan, ["knee_bend"]),
    ],
)
def test_rules_that_could_not_be_judged_are_named_in_the_warnings(heel, knee, warned):
    # silence is not a pass: a rule whose measure was unknown on most of the frames it
    # applies to is named, with why (its points not in view)
    frames = [(h, {"left_heel_elevation": heel, "left_knee": knee}) for h, _ in seq(*REP)]
    eng, _ = run(make_exercise(), frames)
    lines = [w for w in eng.finish().warnings if w.startswith("could not check")]
    cues = {"feet_flat": "Feet flat.", "knee_bend": "Knees at a right angle."}
    assert len(lines) == len(warned)
    for rid, line in zip(warned, lines, strict=True):
        # never judged: no share of the frames
        assert line.startswith(f'could not check "{cues[rid]}" (') and "%" not in line
    if "feet_flat" in warned:
        assert lines[0].endswith("(feet not in view)")


def test_a_rep_short_of_the_top_is_told_as_the_person_turns_back():
    # up to 160 (the top needs 165), held, then lowered from frame 25 (t = 2.5)
    frames = seq((130, 10), (130, 160, 5), (160, 10), (160, 130, 5), (130, 10))
    eng, res = run(make_exercise(), frames)
    cues = [(round(e.t_s, 2), e.data["text"]) for r in res for e in r.events if e.kind == "cue"]
    # 154 at 2.5: 6 deg back from 160, past the 5 deg band: told on that frame, with the
    # numbers, before the rep is closed as incomplete back at the start
    assert cues == [(2.5, "Go further into the up position: the hip angle reached 160°, "
                          "aim for 165°.")]  # fmt: skip
    closed = next(e.t_s for r in res for e in r.events if e.kind == "rep_incomplete")
    assert closed > 2.5
    s = eng.finish()
    assert s.corrections[0].id == "short_rep:hip" and s.corrections[0].reps == [1]


@pytest.mark.parametrize(("stall_s", "told_at"), [(None, 3.1), (0.0, 4.5)])
def test_a_rep_that_stops_short_of_the_top_is_told_while_it_is_held(stall_s, told_at):
    # up to 158 by 1.4 s (the top needs 165) and held there 3 s: told 1.5 s after the rep
    # began (1.6 s, it stopped gaining at 1.4 s), while still held (the sagging bridge
    # render held 6 s in silence), not only once lowered (4.5 s); stall_s 0 turns it off
    frames = seq((130, 10), (130, 158, 5), (158, 30), (158, 130, 5), (130, 10))
    timing = {**BASE["timing"], **({} if stall_s is None else {"stall_s": stall_s})}
    ex = make_exercise(timing=timing)
    eng, res = run(ex, frames)
    cues = [(round(e.t_s, 2), e.data["id"]) for r in res for e in r.events if e.kind == "cue"]
    assert cues == [(told_at, "short_rep:hip")]  # once: not again as it turns back
    s = eng.finish()
    assert [r.complete for r in s.reps] == [False]
    assert s.corrections[0].id == "short_rep:hip" and s.corrections[0].reps == [1]
    # a slow lift that keeps gaining is no stall: 130 -> 175 over 4 s, then down
    eng, res = run(make_exercise(), seq((130, 10), (130, 175, 40), (175, 30), (175, 130, 5),
                                        (130, 10)))  # fmt: skip
    assert not [e for r in res for e in r.events if e.kind == "cue"]
    assert eng.finish().reps_complete == 1
    # held within the band (5 deg) of the top: it may yet count, so no stall is told
    # (a chest raise told "reached 21.6°, aim for 22.0°" went on to 22.1°)
    eng, res = run(make_exercise(), seq((130, 10), (130, 161, 5), (161, 30), (161, 130, 5),
                                        (130, 10)))  # fmt: skip
    cues = [(round(e.t_s, 2), e.data["id"]) for r in res for e in r.events if e.kind == "cue"]
    assert [c[1] for c in cues] == ["short_rep:hip"] and cues[0][0] > 4.0  # as it turns back


def test_a_peak_held_where_the_recording_ends_counts_for_the_dose_not_as_a_rep():
    # one whole rep, then up again and held 4 s (target 2 s) as the recording ends: the
    # person did the second lift and its hold, but not its way down (the real chest
    # raise ends at the top). Not a rep; the dose done counts it, and the summary says so.
    frames = seq((130, 10), (130, 175, 5), (175, 30), (175, 130, 5), (130, 10),
                 (130, 175, 5), (175, 40))  # fmt: skip
    eng, _ = run(make_exercise(), frames)
    s = eng.finish()
    assert s.reps_complete == 1 and [h.reached for h in s.holds] == [True, True]
    assert s.score_components["dose_done"] == 1.0  # 2 of 2: the rep and the held lift
    from posecheck.corrections import holds_outside_reps
    from posecheck.sinks.session import screen_summary

    assert holds_outside_reps(eng.exercise, s.holds, s.reps) == [s.holds[1]]
    assert "reps 1 of 2, and 1 hold whose way in or out was not seen" in screen_summary(
        s, eng.exercise, None
    )
    # the same lift held only 1 s: not to the target, so not done
    short = frames[:-40] + seq((175, 10))
    eng, _ = run(make_exercise(), short)
    s = eng.finish()
    assert s.score_components["dose_done"] == 0.5


@pytest.mark.parametrize("keys, start", [(["hip"], 1.4), (["hip", "knee"], 2.1)])
def test_a_hold_waits_for_every_key_measure_to_be_still(keys, start):
    # the hip arrives at the top at 1.4 s while the knee, also drawn, still swings
    # 85 -> 113 deg (40 deg/s) until 2.1 s: with the knee a key measure the body has not
    # arrived until it stops (the real chest raise from all fours: the shoulder peaked
    # in its band while the elbows bent, and was a hold)
    frames = (seq((130, 10), (130, 175, 5))
              + [(175, {"left_knee": 85.0 + 4 * k}) for k in range(1, 8)]
              + [(175, {"left_knee": 113.0})] * 30 + seq((175, 130, 5), (130, 10)))  # fmt: skip
    eng, _ = run(make_exercise(key_measures=keys), frames)
    s = eng.finish()
    assert len(s.holds) == 1 and s.holds[0].start_s == pytest.approx(start, abs=0.15)


def test_a_definitions_slow_stillness_limit_is_for_its_target_not_the_other_key_measures():
    # the standing backbend sets still_deg_s 6 for its slow lean; its knees, also drawn,
    # drifting 15 deg/s (under the default 30) do not stop the hold
    timing = {**BASE["timing"], "still_deg_s": 6.0}
    frames = (seq((130, 10), (130, 175, 5))
              + [(175, {"left_knee": 85.0 + 1.5 * k}) for k in range(1, 21)]
              + seq((175, 130, 5), (130, 10)))  # fmt: skip
    ex = make_exercise(key_measures=["hip", "knee"], timing=timing)
    eng, _ = run(ex, frames)
    still, _ = run(ex, [(hip, {}) for hip, _ in frames])  # the knees at 95 throughout
    got, want = eng.finish().holds, still.finish().holds
    assert len(got) == len(want) == 1 and want[0].duration_s > 1.5
    # (the crossings, interpolated from the largest speed, move by a few ms)
    assert got[0].start_s == pytest.approx(want[0].start_s, abs=0.02)
    assert got[0].end_s == pytest.approx(want[0].end_s, abs=0.02)


def test_a_set_is_done_by_its_reps_or_by_as_many_reps_worth_of_holds():
    """A curl already under way as counting began held its stretch twice but counted one
    rep (the first one's start was not seen): the live step stayed on "reps 1 of 2"."""
    from dataclasses import replace as dc_replace

    from posecheck.engine.holds import HoldEnded
    from posecheck.engine.reps import RepEnded
    from posecheck.engine.summary import SessionTally
    from posecheck.library import Library
    from posecheck.results import HoldRecord, RepRecord

    lib = Library.load()

    def tally(name: str, reps: int) -> SessionTally:
        ex = lib.get(name)
        return SessionTally(dc_replace(ex, dose=dc_replace(ex.dose, reps=reps)))

    def hold(t: SessionTally, phase: str, at: float) -> list:
        rec = HoldRecord(phase, at, at + 2.5, 2.5, 2.0, True)
        return [e.kind for e in t.hold_ended(HoldEnded(rec, 1.0, at + 2.5), at + 2.5)]

    def rep(t: SessionTally, at: float) -> list:
        rec = RepRecord(0, at, at + 4.0, True)
        return [e.kind for e in t.rep_ended(RepEnded(rec, 1.0), at + 4.0)]

    curl = tally("bridge", 2)
    assert "set_complete" not in hold(curl, "up", 0.0)  # held as counting began
    assert "set_complete" not in hold(curl, "up", 5.0)  # a hold never ends a cycle's set
    assert rep(curl, 4.0) == ["rep", "set_complete"]  # 2 holds, 1 rep: the dose is done
    assert rep(curl, 9.0) == ["rep"]  # told once a set
    # a cat-camel holds two phases a rep: two holds are one rep's worth
    cc = tally("cat-camel", 2)
    hold(cc, "cat", 0.0)
    hold(cc, "camel", 3.0)
    assert rep(cc, 0.0) == ["rep"]
    hold(cc, "cat", 7.0)
    hold(cc, "camel", 10.0)
    assert rep(cc, 7.0) == ["rep", "set_complete"]
    # the rep ends as the person leaves the curl, its hold in the same frame just after
    curl = tally("bridge", 2)
    hold(curl, "up", 0.0)
    assert rep(curl, 4.0) == ["rep"]  # (8.0 s) one rep, one hold
    rec = HoldRecord("up", 5.5, 7.9, 2.4, 2.0, True)  # its hold ended before the rep did
    kinds = [e.kind for e in curl.hold_ended(HoldEnded(rec, 1.0, 8.0), 8.0)]
    assert kinds == ["set_complete", "hold_end"]
    # a hold ending mid-rep (a bridge's top) waits for the rep's end
    bridge = tally("bridge", 1)
    rec = HoldRecord("up", 2.0, 4.5, 2.5, 2.0, True)
    assert "set_complete" not in [e.kind for e in bridge.hold_ended(HoldEnded(rec, 1.0, 4.5), 4.5)]
    assert rep(bridge, 1.0) == ["rep", "set_complete"]


@pytest.mark.parametrize(("gap_s", "holds"), [(1.5, 1), (2.5, 2)])
def test_frames_that_never_came_for_up_to_2_s_leave_a_hold_whole(gap_s, holds):
    """Live on a 2-core machine the model stalled up to 1.8 s, idle: a 1.1 s stall split
    a 20 s curl hold in two ("next time, hold the curl for 20 s"). A longer gap is not
    bridged: the hold ends at it."""
    ex = make_exercise(phases=[*BASE["phases"][:1], {**BASE["phases"][1], "hold_s": 6.0}])
    eng = Engine(ex, side="auto")
    m = {"left_knee": 95.0, "left_heel_elevation": 5.0, "shoulder_width_ratio": 0.15}
    frames = seq((130, 10), (130, 175, 5), (175, 80), (175, 130, 5), (130, 10))
    t, gone = 0.0, False
    for i, (hip, _) in enumerate(frames):
        if not gone and t > 4.0:  # mid-hold: nothing arrives for gap_s
            t, gone = t + gap_s, True
        eng.update(i, t, POSE, {**m, "left_hip": hip})
        t += 1 / FPS
    s = eng.finish()
    assert len(s.holds) == holds, s.holds
    if holds == 1:
        assert s.holds[0].reached and s.holds[0].duration_s >= 6.0 + gap_s - 0.5


def test_a_hold_the_pause_stopped_is_not_told_as_short():
    """Live, space mid-hold ended the hold and the person heard "That hold lasted 5.3 s:
    next time, hold ..." as they paused."""
    ex = make_exercise(phases=[*BASE["phases"][:1], {**BASE["phases"][1], "hold_s": 6.0}])
    said = {}
    for pause in (False, True):
        eng = Engine(ex, side="auto")
        m = {"left_knee": 95.0, "left_heel_elevation": 5.0, "shoulder_width_ratio": 0.15}
        results = []
        for i, (hip, _) in enumerate(seq((130, 10), (130, 175, 5), (175, 20), (175, 130, 5),
                                         (130, 20))):  # fmt: skip
            if pause and i == 30:  # 1.5 s into the hold
                eng.pause(True)
            results.append(eng.update(i, i / FPS, POSE, {**m, "left_hip": hip}))
        eng.finish()
        said[pause] = [e.data.get("id") for r in results for e in r.events if e.kind == "cue"]
    assert "short_hold:up" in said[False]  # held 2 s of 6, then lowered: told
    assert "short_hold:up" not in said[True]


def test_a_hold_the_person_vanished_from_in_a_fade_was_ended_by_the_input():
    """The real knee-to-chest clip fades to black during its double hug, held still: the
    pose is lost, the hold ends after its grace, and she is never seen again. Told "your
    longest hold was 9.6 s" of a hold she was still in; the input ended it. Seen again
    (even a moment), the person ended it."""
    ex = make_exercise()
    held = seq((130, 10), (130, 175, 5), (175, 10))
    lost = [(0.0, None)] * 20  # no pose for longer than the grace, to the end
    eng, _ = run(ex, held + lost)
    s = eng.finish()
    assert [(h.stopped, h.reached) for h in s.holds] == [("end", False)]
    assert s.corrections[0].text.startswith("Hold the up position for 2 s: the recording ended")
    eng, _ = run(ex, held + lost + seq((150, 2)) + lost)  # seen again, then lost
    s = eng.finish()
    assert [h.stopped for h in s.holds] == [None]
    eng, _ = run(ex, held + seq((175, 150, 3)) + lost)  # lowering, then lost
    assert [h.stopped for h in eng.finish().holds] == [None]


def test_a_hold_the_pause_key_stopped_ends_there_and_is_no_correction():
    """The pause key mid-hold: the hold ends at the last frame before it, marked stopped,
    its end among the next frame's events; the session does not tell it to hold longer
    ("your longest hold was 1.5 s" for a hold the person paused)."""
    ex = make_exercise(phases=[*BASE["phases"][:1], {**BASE["phases"][1], "hold_s": 6.0}])
    eng = Engine(ex, side="auto")
    m = {"left_knee": 95.0, "left_heel_elevation": 5.0, "shoulder_width_ratio": 0.15}
    events = []
    for i, (hip, _) in enumerate(seq((130, 10), (130, 175, 5), (175, 20))):
        if i == 30:
            eng.pause(True)
            eng.pause(True)  # said again every frame (a replay): ends nothing more
        events += [(i, e) for e in eng.update(i, i / FPS, POSE, {**m, "left_hip": hip}).events]
    ended = [(i, e.data["end_s"], e.data["stopped"]) for i, e in events if e.kind == "hold_end"]
    assert ended == [(30, 2.9, "stop")]
    s = eng.finish()
    assert [h.stopped for h in s.holds] == ["stop"]
    assert [c.id for c in s.corrections] == []

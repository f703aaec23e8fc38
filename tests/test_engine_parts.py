"""Each engine part alone: a table of frames in, events (or answers) out, frame by frame.

The parts are tested without :class:`posecheck.engine.Engine`; tests/test_engine.py
tests them together through it.
"""

from __future__ import annotations

import math

import pytest

from posecheck.engine import (
    CAP_FORM,
    CAP_HOLD,
    CAP_INCOMPLETE,
    CAP_SHORT_HOLD,
    ChangeBaselines,
    CueScheduler,
    HoldTimer,
    MotionChecks,
    PhaseMachine,
    RepCounter,
    RuleCoverage,
    SidePicker,
    Stillness,
    ViewGate,
    match,
)
from posecheck.engine.common import PartEvent
from posecheck.engine.holds import HoldEnded
from posecheck.engine.motion import reversals
from posecheck.engine.phases import PhaseEntered, stay_caps
from posecheck.engine.summary import SessionTally
from posecheck.exercise import Rule, Safety, Target
from posecheck.library import parse_definition
from posecheck.pose import LANDMARK_NAMES
from test_engine import BASE

from helpers import make_pose

NAN = math.nan
HYST = {"deg": 5.0, "ratio": 0.015}


def exercise(**changes):
    return parse_definition({**BASE, **changes}, "test.toml")


def kinds(events) -> list[str]:
    return [e.kind for e in events]


# --- side picker ------------------------------------------------------------------------

SIDE_PARTS = ("shoulder", "hip", "knee")


def side_pose(left: float, right: float):
    """A pose whose left landmarks have visibility ``left``, right ones ``right``."""
    pose = make_pose({n: (100.0, 100.0) for n in LANDMARK_NAMES})
    for p in SIDE_PARTS:
        pose.visibility[LANDMARK_NAMES.index(f"left_{p}")] = left
        pose.visibility[LANDMARK_NAMES.index(f"right_{p}")] = right
    return pose


@pytest.mark.parametrize(
    "frames",
    [
        # (left vis, right vis, side returned): the first frame decides at once
        [(0.9, 0.2, "left"), (0.9, 0.2, None), (0.9, 0.9, None)],
        [(0.2, 0.9, "right"), (0.2, 0.9, None)],
        # a later switch needs the running score past the margin: 0.7 -> 0.56 -> ... ->
        # below -0.2 only on the fourth frame of a -0.9 lead
        [(0.9, 0.2, "left"), (0.0, 0.9, None), (0.0, 0.9, None), (0.0, 0.9, None),
         (0.0, 0.9, "right"), (0.0, 0.9, None)],
        # one frame of the other side winning is no switch
        [(0.9, 0.2, "left"), (0.2, 0.9, None), (0.9, 0.2, None)],
    ],
)  # fmt: skip
def test_side_picker_decides_then_switches_past_the_margin(frames):
    picker = SidePicker(SIDE_PARTS)
    got = [picker.update(side_pose(lv, rv)) for lv, rv, _ in frames]
    assert got == [want for *_, want in frames]


def test_side_picker_set_by_hand_then_switches_only_past_the_margin():
    picker = SidePicker(SIDE_PARTS)
    picker.set("right")
    assert picker.update(side_pose(0.5, 0.4)) is None  # the lead is 0.02 after smoothing


@pytest.mark.parametrize("kwargs", [{"keep": 1.5}, {"new": -0.1}, {"margin": -1.0}, {"side": "up"}])
def test_side_picker_rejects_bad_parameters(kwargs):
    with pytest.raises(ValueError):
        SidePicker(SIDE_PARTS, **kwargs)


# --- view gate ---------------------------------------------------------------------------

FULL = make_pose({n: (100 + 10 * i, 100 + 5 * i) for i, n in enumerate(LANDMARK_NAMES)})
NO_KNEE = make_pose(
    {n: (100 + 10 * i, 100 + 5 * i) for i, n in enumerate(LANDMARK_NAMES)}, hidden=("left_knee",)
)
SIDE_VIEW = {"shoulder_width_ratio": 0.1}
FRONT_VIEW = {"shoulder_width_ratio": 0.9}


@pytest.mark.parametrize(
    "frames",
    [
        # (t_s, pose, measures, paused, state event or None); state_delay_s = 0.5
        [(0.0, FULL, SIDE_VIEW, False, None),
         (0.1, None, {}, False, None),
         (0.5, None, {}, False, None),
         (0.6, None, {}, False, "no_person"),
         (0.7, FULL, SIDE_VIEW, False, "tracking")],  # tracking comes back at once
        [(0.0, FULL, FRONT_VIEW, False, None),
         (0.5, FULL, FRONT_VIEW, False, "wrong_view")],
        [(0.0, NO_KNEE, SIDE_VIEW, False, None),
         (0.2, NO_KNEE, SIDE_VIEW, False, None),
         (0.5, NO_KNEE, SIDE_VIEW, False, "low_visibility")],
        [(0.0, FULL, SIDE_VIEW, True, "paused"),  # pausing acts at once
         (0.1, FULL, SIDE_VIEW, False, "tracking")],
        # a dropout shorter than the delay changes nothing
        [(0.0, None, {}, False, None), (0.3, FULL, SIDE_VIEW, False, None),
         (0.9, FULL, SIDE_VIEW, False, None)],
    ],
)  # fmt: skip
def test_view_gate_switches_after_the_delay(frames):
    gate = ViewGate(exercise(), alternate=False, state_delay_s=0.5)
    for t, pose, measures, paused, want in frames:
        ev = gate.update(t, pose, measures, "left", paused=paused)
        assert (ev.data["state"] if ev else None) == want, t


def test_view_gate_names_what_is_missing():
    gate = ViewGate(exercise(), alternate=False, state_delay_s=0.0)
    ev = gate.update(0.0, NO_KNEE, SIDE_VIEW, "left")
    assert ev is not None and ev.data["cue"] == "Move back so your knees are in view."
    assert gate.cue is not None and gate.cue.severity == "setup"
    with pytest.raises(ValueError, match="state_delay_s"):
        ViewGate(exercise(), alternate=False, state_delay_s=-1)


# --- change baselines ------------------------------------------------------------------

TILT = Target(measure="hip", unit="deg", min=3.0, change=True, baseline="min", baseline_s=1.0)


@pytest.mark.parametrize(
    "frames",
    [
        # (t_s, has pose, hip, change out); settle 0.2 s, a baseline needs 0.2 s of history
        [(0.0, True, 100.0, None),   # settling: not in the history
         (0.1, True, 100.0, None),
         (0.2, True, 100.0, None),   # first history frame: spans 0 s
         (0.3, True, 101.0, None),   # spans 0.1 s
         (0.4, True, 104.0, 3.6),    # 104 - 20th percentile of (100, 101, 104)
         (0.5, True, NAN, NAN),      # unknown value: unknown change
         (0.6, False, NAN, NAN),     # the pose is lost: the settle time starts again
         (0.7, True, 104.0, 3.6),    # history kept, this frame is not added (settling)
         ],
        # the history is only the last baseline_s seconds
        [(0.0, True, 90.0, None), (0.2, True, 90.0, None), (0.4, True, 90.0, 0.0),
         (1.3, True, 95.0, 4.0),   # 0.2 s left the window: 95 - pct20(90, 95)
         (1.5, True, 95.0, 0.0)],  # only 95s left
    ],
)  # fmt: skip
def test_change_baselines_frame_by_frame(frames):
    base = ChangeBaselines([TILT], settle_s=0.2, min_s=0.2)
    for t, has_pose, hip, want in frames:
        base.note_frame(t, has_pose, settling=False)
        got = base.changes("left", {"hip": hip}, t, tracking=has_pose, frozen=False)[TILT.key]
        if want is None:  # no baseline yet
            assert got is None, t
        elif math.isnan(want):  # the value is unknown
            assert got is not None and math.isnan(got), t
        else:
            assert got == pytest.approx(want), t


def test_change_baselines_freeze_and_restart():
    base = ChangeBaselines([TILT], settle_s=0.0, min_s=0.2)
    for t in (0.0, 0.1, 0.2, 0.3):
        base.note_frame(t, True, False)
        base.changes("left", {"hip": 100.0}, t, True, frozen=False)
    # frozen (a hold runs): 110 is not added, the baseline stays 100
    assert base.changes("left", {"hip": 110.0}, 0.4, True, frozen=True)[TILT.key] == 10.0
    assert base.changes("left", {"hip": 110.0}, 0.5, True, frozen=True)[TILT.key] == 10.0
    base.restart()  # a cut: no baseline until it has 0.2 s again
    assert base.changes("left", {"hip": 110.0}, 0.6, True, frozen=False)[TILT.key] is None
    with pytest.raises(ValueError, match="baseline_min_s"):
        ChangeBaselines([TILT], settle_s=0.2, min_s=-0.1)


# --- phase machine -----------------------------------------------------------------------


def machine() -> PhaseMachine:
    return PhaseMachine(exercise().phases, dwell_s=0.2, hysteresis=HYST)


@pytest.mark.parametrize(
    "frames",
    [
        # (t_s, hip, entered phase or "-" for none, "?" when the values decide nothing)
        [(0.0, 120, "-"), (0.1, 120, "-"), (0.2, 120, "down"),  # dwell 0.2 s, dated back
         (0.3, 170, "-"), (0.4, 170, "-"), (0.5, 170, "up"),
         (0.6, 162, "-"),   # within the 5-degree hysteresis band: still up
         (0.7, 150, "-"), (0.8, 150, "-"), (0.9, 150, "down")],
        # jitter across the edge does not enter: the candidate must hold for the dwell
        [(0.0, 120, "-"), (0.2, 120, "down"), (0.3, 170, "-"), (0.4, 140, "-"),
         (0.5, 170, "-"), (0.6, 170, "-"), (0.7, 170, "up")],
        # unknown values keep everything; between phases after the dwell
        [(0.0, 120, "-"), (0.2, 120, "down"), (0.3, NAN, "?"), (0.4, 158, "-"),
         (0.5, 158, "-"), (0.6, 158, None)],
    ],
)  # fmt: skip
def test_phase_machine_frame_by_frame(frames):
    pm = machine()
    for t, hip, want in frames:
        step = pm.step(t, {"hip": float(hip)})
        if want == "?":
            assert not step.known, t
            continue
        assert step.known, t
        if want == "-":
            assert step.entered is None, t
        else:
            assert step.entered is not None and step.entered.name == want, t


def test_phase_machine_dates_a_phase_back_to_its_first_match():
    pm = machine()
    steps = [pm.step(t, {"hip": 120.0}) for t in (0.0, 0.1, 0.2)]
    ev = steps[-1].entered
    assert ev == PhaseEntered("down", None, 0.0, 0.0, 0.2)
    assert ev.event() == PartEvent("phase", 0.2, {"phase": "down", "previous": None,
                                                   "since_s": 0.0})  # fmt: skip
    assert pm.pending() is None
    pm.step(0.3, {"hip": 170.0})
    # the end of the input would accept it, dated where the hip crossed up's 165 deg
    # between the frames (120 at 0.2 s, 170 at 0.3 s), not at the frame that saw it
    assert pm.pending() == ("up", pytest.approx(0.29))
    pm.step(0.4, {"hip": 150.0})  # back down before the dwell: no longer a candidate
    pm.step(0.5, {"hip": 170.0})
    pm.step(0.6, {"hip": 170.0})
    ev = pm.step(0.7, {"hip": 170.0}).entered
    assert ev is not None and ev.name == "up" and ev.since_s == pytest.approx(0.475)


def test_the_end_of_the_input_accepts_leaving_a_phase_without_the_dwell():
    """Left "up" for the gap between the phases on the last frames, the dwell not yet
    over: the end accepts "between phases" from when the phase stopped holding."""
    pm = machine()
    for t in (0.0, 0.1, 0.2, 0.3, 0.4, 0.5):
        pm.step(t, {"hip": 170.0})
    assert pm.phase == "up"
    pm.step(0.6, {"hip": 155.0})  # past the hysteresis band, short of "down" (<= 150)
    assert pm.phase == "up" and pm.pending() is None  # 0.1 s after it held: a jitter?
    pm.step(0.7, {"hip": 152.0})
    # left where 170 -> 155 crossed the band's edge (160), dated between the frames
    assert pm.phase == "up" and pm.pending() == (None, pytest.approx(0.5 + 0.1 * 2 / 3))


def test_the_end_of_a_slow_feed_accepts_leaving_seen_on_one_frame():
    """5 frames/s: the last frame is the first out of "up", 0.2 s (the dwell) after the
    last one in it: the person left in between."""
    pm = machine()
    for t in (0.0, 0.2, 0.4, 0.6):
        pm.step(t, {"hip": 170.0})
    pm.step(0.8, {"hip": 155.0})
    assert pm.phase == "up" and pm.pending() == (None, pytest.approx(0.6 + 0.2 * 2 / 3))


CLOSE = {**BASE, "phases": [
    {"name": "down", "targets": [{"measure": "hip", "max_deg": 15}]},
    {"name": "up", "hold_s": 2.0, "targets": [{"measure": "hip", "min_deg": 20}]},
]}  # fmt: skip


def test_hysteresis_never_reaches_past_the_middle_of_the_gap_to_the_next_phase():
    """Chest raise: down up to 15 deg, up from 20 deg. A 6-degree band would keep
    "down" up to 21 deg: a raise to 18 deg would never leave it (no rep, no word)."""
    ex = parse_definition(CLOSE, "test.toml")
    assert stay_caps(ex.phases) == {"down": {"hip": 2.5}, "up": {"hip": 2.5}}
    pm = PhaseMachine(ex.phases, dwell_s=0.2, hysteresis={"deg": 6.0, "ratio": 0.015})
    entered = []
    for i, hip in enumerate([10] * 3 + [16.5] * 3 + [18.5] * 4 + [10] * 4):
        step = pm.step(i * 0.1, {"hip": float(hip)})
        if step.entered is not None:
            entered.append((round(i * 0.1, 1), step.entered.name))
    # 16.5 stays within the capped band; 18.5 leaves "down" without entering "up"
    assert entered == [(0.2, "down"), (0.8, None), (1.2, "down")]


@pytest.mark.parametrize(
    "values, widen, want",
    [
        ({"hip": 120.0}, None, True),
        ({"hip": 152.0}, None, False),
        ({"hip": 152.0}, HYST, True),
        ({"hip": NAN}, None, None),
        ({}, None, None),
    ],
)
def test_match(values, widen, want):
    assert match(exercise().phase("down"), values, widen) is want


# --- rep counter ----------------------------------------------------------------------------


def entered(name, previous, t):
    return PhaseEntered(name, previous, t, t, t)


@pytest.mark.parametrize(
    "frames, want",
    [
        # phase changes, and the reps that end (complete?) on each
        ([("down", None), ("up", "down"), ("down", "up")], [None, None, True]),
        # leaving the start and coming back without the peak: incomplete
        ([("down", None), (None, "down"), ("down", None)], [None, None, False]),
        ([("up", None), ("down", "up"), ("up", "down"), ("down", "up")],
         [None, None, None, True]),
    ],
)  # fmt: skip
def test_rep_counter_counts_along_the_cycle(frames, want):
    reps = RepCounter(exercise(), "left")
    got = []
    for i, (name, prev) in enumerate(frames):
        out = reps.on_enter(entered(name, prev, float(i)), running_hold_s=None)
        got.append(None if out is None else out.record.complete)
    assert got == want


def test_rep_counter_drops_a_short_rep_it_did_not_fully_see():
    reps = RepCounter(exercise(), "left")
    reps.on_enter(entered("down", None, 0.0), None)
    reps.on_enter(entered(None, "down", 1.0), None)
    reps.not_seen()
    assert reps.on_enter(entered("down", None, 2.0), None) is None
    assert not reps.in_rep


def test_rep_counter_scores_form_and_peak():
    reps = RepCounter(exercise(), "left")
    reps.on_enter(entered("down", None, 0.0), None)
    reps.on_enter(entered(None, "down", 1.0), None)
    knee = exercise().phase("up").rules[0]
    for hip, failing in ((150.0, []), (158.0, [knee]), (155.0, [])):
        reps.on_frame({"hip": hip}, failing)
    reps.add_fault("knee_bend", "form")  # the cue scheduler told it: a fault of the rep
    out = reps.on_enter(entered("down", None, 2.0), None)
    assert out is not None and not out.record.complete
    assert out.record.depth == {"hip": 158.0}  # the furthest toward "up"
    assert out.form == pytest.approx(2 / 3)
    assert out.record.faults == ["knee_bend"]
    # short of the top and a form correction: capped at 50 (the lowest cap)
    assert set(out.caps) == {CAP_INCOMPLETE, CAP_FORM} and out.record.score <= 50.0


def test_rep_counter_closes_at_the_end_of_the_input():
    reps = RepCounter(exercise(), "left")
    reps.on_enter(entered("down", None, 0.0), None)
    reps.on_enter(entered("up", "down", 1.0), None)
    out = reps.finish(3.0, phase=None)  # on the way back from the peak: done
    assert out is not None and out.record.complete and out.record.end_s == 3.0


# --- hold timer ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "frames",
    [
        # (t_s, ok, what step returns: "start", "end" or None); grace 0.5 s
        [(1.0, True, "start"), (1.5, True, None), (1.6, False, None), (2.0, False, None),
         (2.1, True, None), (2.2, False, None), (2.8, False, "end")],
        [(0.0, False, None), (0.1, True, "start"), (0.7, False, "end")],
    ],
)  # fmt: skip
def test_hold_timer_frame_by_frame(frames):
    timer = HoldTimer(exercise(), "left", grace_s=0.5)
    for t, ok, want in frames:
        got = timer.step(t, ok, {"hip": 170.0}, "up", phase_since=t, entered_t=None)
        kind = "end" if isinstance(got, HoldEnded) else (got.kind[5:] if got else None)
        assert kind == want, t


def test_hold_timer_times_only_good_frames_and_starts_when_still():
    timer = HoldTimer(exercise(), "left", grace_s=0.5)
    # the phase began at 1.0 s; the body is still from the window centred on 1.075 s
    start = timer.step(1.2, True, {"hip": 170.0}, "up", phase_since=1.0, entered_t=1.2,
                       still_s=1.075)  # fmt: skip
    assert isinstance(start, PartEvent) and start.data["start_s"] == 1.075
    timer.step(2.0, True, {"hip": 170.0}, "up", 1.0, 1.2, 1.875)
    timer.step(2.2, False, {"hip": 170.0}, "up", 1.0, 1.2, None, moved=False)  # grace
    timer.step(2.4, True, {"hip": 170.0}, "up", 1.0, 1.2, 2.275)  # the gap not timed
    ended = timer.end(2.5)  # the input ended while still: at the last good frame
    assert ended is not None
    assert ended.record.duration_s == pytest.approx(0.925)
    assert ended.record.end_s == pytest.approx(2.4)
    assert not ended.record.reached  # hold_s is 2
    assert ended.form == pytest.approx(3 / 4)
    assert ended.caps == (CAP_SHORT_HOLD,)  # under half of 2 s


@pytest.mark.parametrize(
    ("how", "form"),
    [({}, 3 / 4), ({"lost": True}, 1.0), ({"moved": True}, 1.0), ({"wobble": True}, 1.0)],
)
def test_a_holds_form_counts_only_the_frames_a_rule_failed_on(how, form):
    # the real supine twist's camera cuts (no pose for a frame or two) read as "a form
    # rule failed on 2% of the held frames" beside "no form rule was broken"
    timer = HoldTimer(exercise(), "left", grace_s=0.5)
    timer.step(1.2, True, {"hip": 170.0}, "up", 1.0, 1.2, 1.075)
    timer.step(2.0, True, {"hip": 170.0}, "up", 1.0, 1.2, 1.875)
    timer.step(2.2, False, {"hip": 170.0}, "up", 1.0, 1.2, None, **how)
    timer.step(2.4, True, {"hip": 170.0}, "up", 1.0, 1.2, 2.275)
    ended = timer.end(2.5)
    assert ended is not None and ended.form == pytest.approx(form)


def test_hold_timer_ends_where_the_stillness_ended_when_the_body_moves():
    timer = HoldTimer(exercise(), "left", grace_s=0.5)
    timer.step(1.0, True, {"hip": 170.0}, "up", 0.8, None, 0.875)
    timer.step(3.0, True, {"hip": 170.0}, "up", 0.8, None, 2.875)
    timer.step(3.1, False, {"hip": 160.0}, "up", 0.8, None, None, moved=True)
    ended = timer.step(3.7, False, {"hip": 130.0}, None, 0.8, None, None, moved=True)
    assert isinstance(ended, HoldEnded)
    assert ended.record.end_s == pytest.approx(2.875)
    assert ended.record.duration_s == pytest.approx(2.0) and ended.record.reached


def test_the_time_shown_while_holding_never_runs_ahead_of_the_record():
    """The ring shows the time held up to the moment the last still frame stands for:
    at 3.0 s it shows 1.9 s (held until 2.875), never the 2.0 s a record ending there
    would not give (hold_s is 2: the ring would turn full for a hold told short)."""
    timer = HoldTimer(exercise(), "left", grace_s=0.5)
    timer.step(1.0, True, {"hip": 170.0}, "up", 0.8, None, 0.975)
    assert (timer.running_s, timer.shown_s) == (pytest.approx(0.025), pytest.approx(0.0))
    timer.step(2.9, True, {"hip": 170.0}, "up", 0.8, None, 2.875)
    shown = timer.shown_s
    assert shown == pytest.approx(1.9) and timer.running_s == pytest.approx(1.925)
    timer.step(3.0, False, {"hip": 160.0}, "up", 0.8, None, None, moved=True)
    ended = timer.step(3.6, False, {"hip": 130.0}, None, 0.8, None, None, moved=True)
    assert isinstance(ended, HoldEnded)
    assert ended.record.duration_s == pytest.approx(shown)
    assert ended.record.reached  # 1.9 s of 2: within hold_tolerance (at least 0.25 s)


@pytest.mark.parametrize(
    ("held", "target", "reached"),
    [(0.9, 1.0, True), (0.7, 1.0, False), (4.6, 5.0, True), (4.3, 5.0, False),
     (18.0, 20.0, True), (17.9, 20.0, False), (20.0, 20.0, True)],
)  # fmt: skip
def test_a_hold_is_reached_within_a_tenth_of_its_time_as_a_person_counts(held, target, reached):
    from posecheck.engine.scoring import hold_reached

    assert hold_reached(exercise(), held, target) is reached


@pytest.mark.parametrize(("wobble", "held"), [(True, 1.325), (False, 1.125)])
def test_hold_timer_counts_a_wobble_in_the_phase_but_not_a_failure(wobble, held):
    """A frame where only the stillness failed (in the phase, no rule failing) is held
    time, as a person counting goes on; a failing rule pauses the timer."""
    timer = HoldTimer(exercise(), "left", grace_s=0.5)
    timer.step(1.0, True, {"hip": 170.0}, "up", 0.8, None, 0.875)
    timer.step(2.0, True, {"hip": 170.0}, "up", 0.8, None, 1.875)
    timer.step(2.1, False, {"hip": 170.0}, "up", 0.8, None, None, moved=wobble, wobble=wobble)
    timer.step(2.2, True, {"hip": 170.0}, "up", 0.8, None, 2.075)
    ended = timer.end(2.3)
    assert ended is not None and ended.record.duration_s == pytest.approx(held)
    assert ended.form == pytest.approx(1.0 if wobble else 3 / 4)


@pytest.mark.parametrize(("moved", "start"), [(True, 1.275), (False, 0.875)])
def test_a_hold_about_to_start_starts_afresh_when_the_body_moves(moved, start):
    """Before a hold has started (min_dwell_s of stillness), a frame where the body moves
    means it had not arrived: the stillness, and the hold, start again from the next
    still frame. A frame lost for another reason (a dropout) keeps the pending start.
    (The real cat-cow clip: a still-looking reading while the back still rounded dated
    the second cat 0.48 s early at 30 frames/s, not at 5.)"""
    timer = HoldTimer(exercise(), "left", grace_s=0.5, dwell_s=0.3)
    assert timer.step(1.0, True, {"hip": 170.0}, "up", 0.8, None, 0.875) is None
    assert timer.step(1.1, False, {"hip": 172.0}, "up", 0.8, None, None, moved=moved) is None
    got = None
    for t in (1.4, 1.5, 1.6, 1.7, 1.8):
        got = got or timer.step(t, True, {"hip": 172.0}, "up", 0.8, None, t - 0.125)
    assert isinstance(got, PartEvent) and got.kind == "hold_start"
    assert got.data["start_s"] == pytest.approx(start)


def test_a_hold_short_of_its_time_is_never_green():
    """1.5 s of a 2 s hold: told to hold longer, so at most CAP_HOLD (70), not green."""
    timer = HoldTimer(exercise(), "left", grace_s=0.5)
    timer.step(1.0, True, {"hip": 170.0}, "up", 0.8, None, 0.875)
    timer.step(2.375, True, {"hip": 170.0}, "up", 0.8, None, 2.25)
    ended = timer.end(2.5)
    assert ended is not None and ended.record.duration_s == pytest.approx(1.5)
    assert ended.caps == (CAP_HOLD,) and ended.record.score == CAP_HOLD


def test_hold_timer_takes_a_pause_after_the_end_off_once():
    """The hold ends where its last still window is centred (1.975 s); a pause after
    that (2.0-2.1 s) is no part of it and is not taken off a second time."""
    timer = HoldTimer(exercise(), "left", grace_s=0.5)
    for i in range(11):
        t = 1.0 + i * 0.1
        timer.step(t, True, {"hip": 170.0}, "up", 0.8, None, t - 0.125)
    timer.step(2.05, False, {"hip": 160.0}, "up", 0.8, None, None, moved=True)
    timer.step(2.1, True, {"hip": 170.0}, "up", 0.8, None, 1.975)
    timer.step(2.2, False, {"hip": 150.0}, "up", 0.8, None, None, moved=True)
    ended = timer.step(2.7, False, {"hip": 130.0}, None, 0.8, None, None, moved=True)
    assert isinstance(ended, HoldEnded)
    assert ended.record.start_s == pytest.approx(0.875)
    assert ended.record.end_s == pytest.approx(1.975)
    assert ended.record.duration_s == pytest.approx(1.1)


ONE_SIDED = [
    {"name": "down", "targets": [{"measure": "hip", "min_deg": 90, "max_deg": 150}]},
    {"name": "up", "hold_s": 2.0, "targets": [{"measure": "hip", "min_deg": 165}]},
]


@pytest.mark.parametrize(
    ("pause_hip", "cut", "want"),
    [
        (168.0, False, []),  # a pause on the way out, still in "up": no second hold
        (176.0, False, ["start"]),  # back in the held position (within 5 deg of 180)
        (186.0, False, ["start"]),  # beyond it, on the side the target (min only) leaves open
        (168.0, True, ["start"]),  # after a cut the values before it are no reference
    ],
)
def test_a_second_hold_in_one_visit_only_back_in_the_held_position(pause_hip, cut, want):
    """The body held at 180 deg, left it (the hold ended), and pauses again without
    leaving the phase: a person counts that as a hold only back in the held position."""
    timer = HoldTimer(exercise(phases=ONE_SIDED), "left", grace_s=0.5, band=HYST)
    # (t, ok, hip): held 1.0-2.0 s at 180, moving 2.1-2.7 s (the hold ends after the grace)
    frames = [(1.0 + 0.1 * i, True, 180.0) for i in range(11)]
    frames += [(2.1 + 0.1 * i, False, 180.0 - 2 * i) for i in range(7)]
    got = []
    for t, ok, hip in frames:
        got.append(timer.step(t, ok, {"hip": hip}, "up", 0.8, None, t - 0.125, moved=not ok))
    assert [type(g).__name__ for g in got if g is not None] == ["PartEvent", "HoldEnded"]
    if cut:
        timer.new_view()
    out = []
    for i in range(8):  # still at pause_hip for 0.7 s
        t = 2.8 + 0.1 * i
        ev = timer.step(t, True, {"hip": pause_hip}, "up", 0.8, None, t - 0.125)
        out += ["start"] if isinstance(ev, PartEvent) else []
    assert out == want


def _first_still(fps: float) -> float | None:
    """When the hip, rising 130 -> 175 at 90 deg/s until 1.0 s and then staying, is
    first read as still (Stillness at the given frame rate)."""
    still = Stillness(exercise(), {"deg": 30.0, "ratio": 0.05}, 0.25)
    up = exercise().phase("up")
    for i in range(int(3 * fps)):
        t = i / fps
        hip = 130.0 + 45.0 * min(1.0, max(0.0, (t - 0.5) / 0.5))
        got = still.step(t, {"hip": hip}, up if hip >= 165 else None)
        if got is not None:
            return got
    return None


@pytest.mark.parametrize("fps", [10.0, 5.0])
def test_stillness_reads_the_same_window_at_any_frame_rate(fps):
    ref = _first_still(30.0)
    # arrived at 1.0 s; a still window ends after it and is dated to its middle
    assert ref is not None and 1.0 - 1e-6 <= ref <= 1.125
    got = _first_still(fps)
    assert got is not None and abs(got - ref) <= 1 / fps + 1e-6, (got, ref)


def _creep_then_still(still: Stillness, t0: float, fps: float = 25.0) -> float | None:
    """The model settling on a person found at ``t0``: the hip reads 166 -> 180 over
    0.4 s (35 deg/s), then stays; the first time Stillness reports."""
    up = exercise().phase("up")
    for i in range(int(1.5 * fps)):
        t = t0 + i / fps
        got = still.step(t, {"hip": 166.0 + 14.0 * min(1.0, (t - t0) / 0.4)}, up)
        if got is not None:
            return got
    return None


def test_stillness_leaves_the_models_settling_out_of_a_new_run():
    limits = {"deg": 30.0, "ratio": 0.05}
    # without a settle time the creep reads as movement: the hold would start late
    late = _creep_then_still(Stillness(exercise(), limits, 0.25), 0.0)
    assert late is not None and late > 0.3
    still = Stillness(exercise(), limits, 0.25, settle_s=0.5)
    assert _creep_then_still(still, 0.0) == 0.0  # still since the person was found
    # a gap longer than two windows (the person lost): a new run, settling again
    assert _creep_then_still(still, 3.0) == pytest.approx(3.0)


def _after_a_stall(lost: bool) -> float | None:
    """The hip arrives at 175 at 1.0 s and stays; nothing reaches Stillness between 1.05
    and 1.65 s: no frame at all (a busy machine) or, with ``lost``, frames without a
    pose. The first frame after the gap that Stillness reports still, or None."""
    limits = {"deg": 30.0, "ratio": 0.05}
    still = Stillness(exercise(), limits, 0.25, settle_s=0.5, bridge_s=1.0)
    up = exercise().phase("up")
    for i in range(90):
        t = i / 30
        if 1.05 < t < 1.65:
            if lost:
                still.lost()
            continue
        hip = 130.0 + 45.0 * min(1.0, max(0.0, (t - 0.5) / 0.5))
        got = still.step(t, {"hip": hip}, up if hip >= 165 else None)
        if t > 1.65 and got is not None:
            return t
    return None


def test_stillness_bridges_frames_that_never_came_but_not_a_lost_pose():
    # 0.6 s without frames while the body held still: still at the first frame after
    assert _after_a_stall(lost=False) == pytest.approx(50 / 30)
    # as long without a pose: the model finds the person afresh and settles first
    got = _after_a_stall(lost=True)
    assert got is not None and got >= 50 / 30 + 0.5 - 1e-6
    # a gap of frames that never came longer than bridge_s is not bridged: a new run
    for gap, want in ((0.9, True), (1.1, False)):
        still = Stillness(exercise(), {"deg": 30.0, "ratio": 0.05}, 0.25, settle_s=0.5,
                          bridge_s=1.0)  # fmt: skip
        up = exercise().phase("up")
        for i in range(9):
            still.step(i / 10, {"hip": 175.0}, up)
        assert (still.step(0.8 + gap, {"hip": 175.0}, up) is not None) is want, gap


# --- motion checks ----------------------------------------------------------------------------

SAFE = Safety(max_speed_deg_s=100.0, bounce_reversals=2, bounce_window_s=2.0, bounce_min_deg=3.0)


@pytest.mark.parametrize(
    "frames",
    [
        # (t_s, hip, in a hold phase since, failing rule ids)
        [(0.0, 100, None, []), (0.1, 100, None, []), (0.2, 110, None, []),
         (0.3, 150, None, ["too_fast"])],  # 50 deg in 0.3 s
        # two reversals of 6 deg (each held 2 frames: a 1-frame spike is no bounce)
        [(0.0, 170, 0.0, []), (0.1, 170, 0.0, []), (0.2, 176, 0.0, []),
         (0.3, 176, 0.0, []), (0.4, 170, 0.0, []), (0.5, 170, 0.0, []),
         (0.6, 176, 0.0, ["bouncing"])],
        [(0.0, 170, 0.0, []), (0.1, 176, 0.0, []), (0.2, 170, 0.0, []),
         (0.3, 176, 0.0, []), (0.4, 170, 0.0, [])],  # one-frame spikes: no bounce
        [(0.0, 170, None, []), (0.1, 175, None, []), (0.2, 170, None, []),
         (0.3, 170, None, []), (0.4, 175, None, [])],  # not a hold phase: no bounce
    ],
)  # fmt: skip
def test_motion_checks_frame_by_frame(frames):
    mc = MotionChecks(SAFE, speed_window_s=0.3, cut_settle_s=0.5)
    for k in range(6, 0, -1):  # read for 0.6 s before: settled (see the next test)
        mc.record(-k / 10, {"left_hip": float(frames[0][1])})
    for t, hip, since, want in frames:
        mc.record(t, {"left_hip": float(hip)})
        assert [r.id for r in mc.check(t, ["left_hip"], since)] == want, t


def test_a_measure_new_to_the_model_settles_before_its_speed_is_judged():
    """Read for the first time, or again after longer than the speed window unknown, a
    measure settles for cut_settle_s (the real supine twist's knee roll, the person
    still: 113 -> 76 deg in 0.12 s as it became readable); a one-frame gap does not."""
    nan = math.nan

    def fast(series):
        mc = MotionChecks(SAFE, speed_window_s=0.3, cut_settle_s=0.5)
        got = []
        for i, v in enumerate(series):
            mc.record(i / 10, {"left_hip": float(v)})
            got += [i / 10 for r in mc.check(i / 10, ["left_hip"], None) if r.id == "too_fast"]
        return got

    jump = [113, 90, 70, 60] + [60] * 8  # 53 deg in 0.3 s, then still
    assert fast(jump) == []  # the first reading of the session
    assert fast([60] * 5 + [nan] * 5 + jump) == []  # again after 0.5 s unknown
    assert fast([113] * 6 + jump) != []  # known all along: a movement
    assert fast([113] * 8 + [nan] + jump[1:]) != []  # one frame unknown: still known


def test_a_speed_is_told_once_the_person_stays_in_view_after_it():
    """The model's points race off as it loses a person (the real plinth clip: 123 ->
    136 deg in 0.27 s as a cross-fade took her away): a speed over the limit is told only
    once the measure stays known for speed_confirm_s after it; then even if it slowed."""
    nan = math.nan

    def told(series):
        mc = MotionChecks(SAFE, speed_window_s=0.3, cut_settle_s=0.5, speed_confirm_s=0.3)
        got = []
        for i, v in enumerate([100.0] * 8 + series):
            t = round(i / 10, 1)
            mc.record(t, {"left_hip": float(v)})
            got += [t for r in mc.check(t, ["left_hip"], None) if r.id == "too_fast"]
        return got

    race = [110, 125, 140]  # 40 deg in 0.3 s: over 100 deg/s at 1.0 s
    assert told(race + [nan] * 6) == []  # then lost: the model, not the person
    assert told(race + [140] * 6) == [1.3]  # then still in view: told once, at 1.3 s
    assert told(race + [160, 180, 200, 220, 220]) == [1.3, 1.4, 1.5]  # racing on: each frame


def test_a_bounce_is_told_as_a_bounce_not_also_as_too_fast():
    """Swings of 40 deg every 0.2 s in a hold are fast (200 deg/s) and a bounce: once the
    bounce is seen, it alone is failing (a standing backbend's bounce render was told
    "come up slowly" until 10.2 s and "do not bounce" only then, after the bouncing)."""
    mc = MotionChecks(SAFE, speed_window_s=0.3, cut_settle_s=0.0)
    got = []
    for i in range(12):
        t = i / 10
        mc.record(t, {"left_hip": 170.0 if (i // 2) % 2 == 0 else 130.0})
        got.append([r.id for r in mc.check(t, ["left_hip"], 0.0)])
    assert ["too_fast"] in got  # told fast before the bounce is plain
    first = next(i for i, ids in enumerate(got) if "bouncing" in ids)
    assert all(ids == ["bouncing"] for ids in got[first:])


def test_the_speed_window_spans_its_whole_time_at_30_frames_per_second():
    """28 deg in the last 0.27 s of a 0.3 s window is 93 deg/s over the window (under
    100); the frame 0.3 s back must not fall out of it by rounding (12/30 - 3/30 is
    0.30000000000000004), which would read 105 deg/s over the 0.27 s left."""
    mc = MotionChecks(SAFE, speed_window_s=0.3, cut_settle_s=0.0)
    got: list[str] = []
    for i in range(10):
        t = (i + 3) / 30  # frames 3-12 of a clip: 12/30 - 3/30 > 0.3
        hip = 100.0 if i <= 1 else 100.0 + 28.0 * (i - 1) / 8  # rises from frame 1 on
        mc.record(t, {"left_hip": hip})
        got += [r.id for r in mc.check(t, ["left_hip"], None)]
    assert got == []


@pytest.mark.parametrize(("period_s", "want"), [(0.6, ["bouncing"]), (2.4, [])])
def test_bounce_is_quick_a_slow_drift_is_not(period_s, want):
    """Swings of 10 deg: 0.3 s each is a bounce; 1.2 s each is a sway or the model's drift
    of a noisy measure (bounce_swing_s 0.5 s)."""
    safe = Safety(bounce_reversals=3, bounce_window_s=6.0, bounce_min_deg=5.0)
    mc = MotionChecks(safe, speed_window_s=0.3, cut_settle_s=0.5, bounce_swing_s=0.5)
    got: list[str] = []
    for i in range(60):
        t = i / 10
        mc.record(t, {"left_hip": 170.0 + 6.0 * math.sin(2 * math.pi * t / period_s)})
        got = [r.id for r in mc.check(t, ["left_hip"], 0.0)] or got
    assert got == want


@pytest.mark.parametrize(
    ("series", "times", "want"),
    [
        ([0, 6, 0, 6, 0], [0.0, 0.2, 0.4, 0.6, 0.8], 3),
        ([0, 6, 0, 6, 0], [0.0, 1.0, 2.0, 3.0, 4.0], 0),
        ([0, 6, 0, 6, 0], [0.0, 0.2, 1.4, 1.6, 1.8], 2),  # the swing out of the first is slow
    ],
)
def test_reversals_timed(series, times, want):
    assert reversals([float(v) for v in series], 5.0, times, max_swing_s=0.5) == want


def test_motion_checks_restart_after_a_cut():
    mc = MotionChecks(SAFE, speed_window_s=0.3, cut_settle_s=0.5)
    for t in (0.0, 0.1, 0.2):
        mc.record(t, {"left_hip": 100.0})
    assert mc.restart(0.3) is True
    assert mc.settling(0.5) and not mc.settling(0.8)
    assert mc.restart(0.6) is False  # a jump while settling: the same cut
    mc.record(0.9, {"left_hip": 160.0})  # settling until 1.1: not recorded
    mc.record(1.2, {"left_hip": 160.0})
    assert mc.check(1.2, ["left_hip"], None) == []


# --- cue scheduler ------------------------------------------------------------------------------

KNEE = Rule(measure="knee", unit="deg", min=80, id="knee", cue="Knees.", priority=2)
FEET = Rule(measure="heel", unit="deg", max=30, id="feet", cue="Feet.", priority=1,
            severity="safety")  # fmt: skip


@pytest.mark.parametrize(
    "frames",
    [
        # (t_s, failing rules, events); delay 0.4, min shown 1.0, repeat after 2.0
        [(0.0, [KNEE], []), (0.3, [KNEE], []), (0.4, [KNEE], ["cue:knee"]),
         (0.5, [], []),                       # shown at least 1.0 s
         (1.4, [], ["cue_clear:knee"]),
         (1.5, [KNEE], []), (2.0, [KNEE], []),  # not again within 2.0 s of clearing
         (3.4, [KNEE], ["cue:knee"])],
        # safety first, at once over a form cue
        [(0.0, [KNEE], []), (0.4, [KNEE], ["cue:knee"]), (0.5, [KNEE, FEET], []),
         (0.9, [KNEE, FEET], ["cue_clear:knee", "cue:feet"])],
    ],
)  # fmt: skip
def test_cue_scheduler_frame_by_frame(frames):
    cues = CueScheduler(delay_s=0.4, min_s=1.0, repeat_s=2.0)
    for t, failing, want in frames:
        got = [f"{e.kind}:{e.data['id']}" for e in cues.update(t, failing)]
        assert got == want, t
    assert cues.stats["knee"]["count"] >= 1


def test_cue_scheduler_shows_a_movement_cue_at_once_and_holds_it():
    fast = Rule(measure="hip", unit="deg", id="too_fast", cue="Slow.", priority=1,
                severity="safety")  # fmt: skip
    cues = CueScheduler(delay_s=0.4, min_s=1.0, repeat_s=2.0)
    assert kinds(cues.update(0.0, [fast])) == ["cue"]
    assert cues.update(0.5, []) == []  # latched for min_s
    assert kinds(cues.update(1.1, [])) == ["cue_clear"]
    with pytest.raises(ValueError, match="cue_min_s"):
        CueScheduler(delay_s=0.4, min_s=NAN, repeat_s=2.0)


# --- rule coverage and the session tally ------------------------------------------------------


def test_rule_coverage_names_rules_it_could_not_judge():
    ex = exercise()
    cov = RuleCoverage(ex)
    feet = ex.rules[0]
    for heel in (NAN, NAN, 10.0, 40.0):
        failing = cov.judge([feet], {"heel_elevation": heel}, "left")
    assert [r.id for r in failing] == ["feet_flat"]
    (line,) = cov.warnings()
    assert line == (f'could not check "{feet.cue}" on 50% of the frames it applies to '
                    "(feet not in view)")  # fmt: skip
    for _ in range(2):
        cov.judge([feet], {"heel_elevation": NAN}, "left")
    assert cov.warnings() == [f'could not check "{feet.cue}" on 67% of the frames it applies '
                              "to (feet not in view)"]  # fmt: skip
    every = RuleCoverage(ex)
    every.judge([feet], {"heel_elevation": NAN}, "left")
    assert every.warnings() == [f'could not check "{feet.cue}" (feet not in view)']


def test_a_measure_of_several_parts_not_judged_says_one_of_them_was_out():
    from posecheck.engine.common import unknown_reason

    # the cropped bird dog's feet left the picture: "hips and knees and feet not in
    # view" beside hips and knees in every frame
    assert unknown_reason("left_hip") == "shoulders, hips or knees not in view"
    assert unknown_reason("left_heel_elevation") == "feet not in view"


def test_a_far_side_rule_not_judged_says_the_body_hides_that_side():
    # the sample knees to chest, filmed from the side: "Bring the other knee up too"
    # reads the far leg, which the body hides; its shoulders, hips and knees are in view
    from posecheck.library import Library

    ex = Library.load().get("knees-to-chest")
    both = next(r for r in ex.all_rules if r.id == "both_knees")
    cov = RuleCoverage(ex)
    cov.judge([both], {both.key: NAN}, "right")
    assert cov.warnings() == [
        f'could not check "{both.cue}" (the far side\'s shoulder, hip and knee not seen: '
        "hidden by the body or out of view)"
    ]


def test_session_tally_numbers_reps_and_completes_the_set():
    ex = exercise()  # dose: 2 reps
    tally = SessionTally(ex)
    reps = RepCounter(ex, "left")
    events = []
    for k in range(2):
        t = 3.0 * k
        reps.on_enter(entered("down", None if k == 0 else "up", t), None)
        reps.on_enter(entered("up", "down", t + 1), None)
        done = reps.on_enter(entered("down", "up", t + 2), None)
        assert done is not None
        events += tally.rep_ended(done, t + 2)
    assert kinds(events) == ["rep", "rep", "set_complete"]
    assert [e.data["index"] for e in events[:2]] == [1, 2]
    summary = tally.summary(side="left", duration_s=6.0, frames=60, frames_with_pose=60,
                            cue_stats={}, warnings=[], partial=False)  # fmt: skip
    assert summary.reps_complete == 2 and summary.score is not None


# --- one side's track: phases, hold and reps stepped together ---------------------------------


def test_side_track_reports_what_happened_in_order():
    from posecheck.engine.track import SideTrack

    ex = exercise()
    track = SideTrack.new(ex, "left", HYST)
    cov = RuleCoverage(ex)
    table = [
        # (t_s, hip, knee, what the track reports on that frame)
        (0.0, 120, 100, []),
        (0.2, 120, 100, ["phase:down"]),
        (0.3, 170, 100, []),
        (0.5, 170, 100, ["phase:up"]),  # arrived, but still moving a moment ago
        (0.7, 170, 100, []),
        (0.9, 170, 100, ["hold_start"]),  # still for min_dwell_s: the hold starts
        (1.3, 170, 100, []),
        (1.7, 170, 100, []),
        (2.1, 170, 100, []),
        (2.5, 170, 100, []),
        (2.6, 140, 100, []),
        (2.8, 140, 100, ["phase:down", "rep"]),
        (3.1, 140, 100, ["hold_end"]),  # 0.6 s after its last good frame: past the grace
    ]
    for t, hip, knee, want in table:
        vals = {"hip": float(hip), "knee": float(knee), "heel_elevation": 0.0}
        track.step(t, vals, tracking=True, judge=cov.judge)
        got = []
        for o in track.take():
            if isinstance(o, PhaseEntered):
                got.append(f"phase:{o.name}")
            elif isinstance(o, HoldEnded):
                got.append("hold_end")
            elif isinstance(o, PartEvent):
                got.append(o.kind)
            else:
                got.append("rep" if o.record.complete else "rep_incomplete")
        assert got == want, t


def test_missing_points_and_view_ratio():
    from posecheck.engine.view import missing_points, width_ratio_any

    assert missing_points(FULL, "left", ("hip", "knee"), (), 0.5) == []
    assert missing_points(NO_KNEE, "left", ("hip", "knee"), ("left_knee",), 0.5) == [
        "knee",
        "left_knee",
    ]
    # seen from the side the shoulders overlap: a small ratio whatever their visibility
    pts = {"left_shoulder": (100, 100), "right_shoulder": (110, 100),
           "left_hip": (300, 100), "right_hip": (310, 100)}  # fmt: skip
    assert width_ratio_any(make_pose(pts, visibility=0.1)) == pytest.approx(0.05)


def test_a_held_phase_whose_longest_hold_fell_short_keeps_the_session_out_of_the_green():
    """The real cat-cow clip: its one rep scored 100, but the camel was held 1.2 s of 2
    after that rep ended, and the person is told "Hold the camel ... 1.2 s": not green."""
    from posecheck.engine.scoring import held_phase_cap, session_score
    from posecheck.library import Library
    from posecheck.results import HoldRecord, RepRecord

    ex = Library.load().get("cat-camel")
    rep = RepRecord(1, 0.37, 4.24, True, {}, "left", 100.0, [])
    cat = HoldRecord("cat", 1.48, 3.85, 2.37, 2.0, True, "left", 100.0)
    camel = HoldRecord("camel", 4.95, 6.14, 1.19, 2.0, False, "left", 70.0)
    assert held_phase_cap(ex, [cat, camel]) == (70.0, "camel")
    assert session_score(ex, [rep], [cat, camel]) == 70.0
    assert session_score(ex, [rep], [cat]) == 100.0  # every held phase reached its time
    # one short camel among reached ones: the longest counts (told "1 of 2 stopped short")
    again = HoldRecord("camel", 7.0, 9.5, 2.5, 2.0, True, "left", 100.0)
    assert held_phase_cap(ex, [cat, camel, again]) is None
    short = HoldRecord("camel", 4.95, 5.6, 0.65, 2.0, False, "left", 55.0)
    assert held_phase_cap(ex, [cat, short]) == (55.0, "camel")  # under half the time


def test_the_cap_and_the_hold_correction_read_the_same_holds():
    """A camel held 3 s while setting up, before the first rep began, is not a hold of the
    exercise: the correction says the longest hold was 1.2 s, and the cap agrees."""
    from posecheck.corrections import build_corrections, phase_holds
    from posecheck.engine.scoring import held_phase_cap, session_score
    from posecheck.library import Library
    from posecheck.results import HoldRecord, RepRecord, SessionSummary

    ex = Library.load().get("cat-camel")
    setup = HoldRecord("camel", 0.0, 3.0, 3.0, 2.0, True, "left", 100.0)
    rep = RepRecord(1, 3.4, 7.2, True, {}, "left", 100.0, [])
    cat = HoldRecord("cat", 4.0, 6.2, 2.2, 2.0, True, "left", 100.0)
    camel = HoldRecord("camel", 7.5, 8.7, 1.2, 2.0, False, "left", 70.0)
    holds = [setup, cat, camel]
    assert phase_holds(ex, holds, [rep]) == {"cat": [cat], "camel": [camel]}
    assert phase_holds(ex, holds, []) == {"camel": [setup, camel], "cat": [cat]}
    assert held_phase_cap(ex, holds, [rep]) == (70.0, "camel")
    assert session_score(ex, [rep], holds) == 70.0
    summary = SessionSummary(
        exercise="cat-camel",
        side="left",
        duration_s=9.0,
        frames=270,
        frames_with_pose=270,
        reps=[rep],
        holds=holds,
    )
    texts = [c.text for c in build_corrections(ex, summary)]
    assert any("your longest hold was 1.2 s" in t for t in texts), texts

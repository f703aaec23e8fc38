"""Live pieces without the model or a window: set-up check, coach stages, speech, keys, events."""

from __future__ import annotations

import io
import json
import math
import subprocess
import sys
from dataclasses import dataclass, field

import pytest

from posecheck.errors import InputError
from posecheck.exercise import Camera, Dose, Exercise, Phase, Target
from posecheck.live.coach import (
    STAGE_COUNTDOWN,
    STAGE_COUNTING,
    STAGE_DONE,
    STAGE_PAUSED,
    STAGE_REST,
    STAGE_SETUP,
    LiveCoach,
    LiveStatus,
)
from posecheck.live.events import EventPrinter, describe
from posecheck.live.keys import KeyController, ScriptedKeys, parse_key_script
from posecheck.live.setup import (
    MSG_BODY,
    MSG_FEET,
    MSG_FRONT,
    MSG_NO_PERSON,
    MSG_SIDE,
    SetupCheck,
)
from posecheck.live.source import LiveControl, LiveSource
from posecheck.live.speech import Speaker, SpeechSink
from posecheck.live.stats import LatencyStats
from posecheck.pose import Frame, MediaInfo
from posecheck.results import Event, FrameResult, SessionSummary

from helpers import make_pose

# --- builders ---------------------------------------------------------------------------

# A person lying on their back seen from the side (bridge set-up), 1280x720.
SIDE_LYING = {
    "nose": (250, 520), "left_ear": (280, 510), "right_ear": (282, 512),
    "left_shoulder": (360, 540), "right_shoulder": (365, 545),
    "left_elbow": (420, 600), "right_elbow": (425, 602),
    "left_wrist": (500, 620), "right_wrist": (505, 622),
    "left_hip": (640, 540), "right_hip": (645, 545),
    "left_knee": (820, 420), "right_knee": (825, 425),
    "left_ankle": (900, 600), "right_ankle": (905, 602),
    "left_heel": (890, 610), "right_heel": (895, 612),
    "left_foot_index": (960, 612), "right_foot_index": (965, 614),
}  # fmt: skip
# Standing and facing the camera: shoulders far apart.
FRONT = {**SIDE_LYING, "left_shoulder": (700, 300), "right_shoulder": (560, 300),
         "left_hip": (680, 500), "right_hip": (580, 500)}  # fmt: skip


def exercise(view="side", required=("shoulder", "hip", "knee", "ankle"), sets=1, rest_s=0.0):
    down = Phase("down", (Target("hip", "deg", max=150.0), Target("knee", "deg", max=120.0)))
    up = Phase("up", (Target("hip", "deg", min=165.0),))
    return Exercise(
        name="bridge", title="Bridge", summary="", how_to=(), posture="lying on the back",
        camera=Camera(view=view), phases=(down, up), required=required, min_visibility=0.5,
        key_measures=("hip",), cycle=("down", "up", "down"),
        dose=Dose(sets=sets, rest_s=rest_s, reps=3),
    )  # fmt: skip


@dataclass
class FakeEngine:
    """Records what the coach asks; emits scripted events at frame indices."""

    events_at: dict[int, list[Event]] = field(default_factory=dict)
    paused: bool = False
    paused_frames: list[int] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)
    measure_names: set = field(default_factory=lambda: {"left_hip"})

    def pause(self, paused=True):
        self.paused = paused
        self.calls.append(f"pause {paused}")

    def switch_side(self):
        self.calls.append("switch_side")

    def reset_set(self):
        self.calls.append("reset_set")

    def update(self, frame_index, t_s, pose, measures):
        if self.paused:
            self.paused_frames.append(frame_index)
        evs = [] if self.paused else list(self.events_at.get(frame_index, []))
        return FrameResult(
            frame_index,
            t_s,
            pose,
            measures,
            state="paused" if self.paused else "tracking",
            events=evs,
        )

    def finish(self, partial=False):
        return SessionSummary("bridge", "left", 1.0, 1, 1, partial=partial)


def run_coach(coach, poses, fps=10.0, keys=None):
    """Feed poses (one per frame); keys: {frame_index: callable(coach)}. Returns stage per frame."""
    stages, results = [], []
    for i, pose in enumerate(poses):
        if keys and i in keys:
            keys[i](coach)
        results.append(coach.update(i, i / fps, pose, {}))
        stages.append(coach.stage)
    return stages, results


# --- set-up check -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "pose, view, reason, message",
    [
        (None, "side", "no_person", MSG_NO_PERSON),
        (make_pose(SIDE_LYING), "side", "ok", ""),
        (make_pose(SIDE_LYING, hidden=("left_ankle", "right_ankle")), "side", "out_of_view",
         MSG_FEET),
        # Feet outside the image on the right (visible but extrapolated): "move back".
        (make_pose({**SIDE_LYING, "left_ankle": (1300, 600), "right_ankle": (1310, 600)}),
         "side", "out_of_view", MSG_FEET),
        # Visible but on the border (a cut-off foot, as MediaPipe places it): "move back".
        (make_pose({**SIDE_LYING, "left_ankle": (3, 600), "right_ankle": (5, 600)}),
         "side", "out_of_view", MSG_FEET),
        (make_pose(SIDE_LYING, hidden=("left_shoulder", "right_shoulder")), "side",
         "out_of_view", MSG_BODY),
        (make_pose(FRONT), "side", "wrong_view", MSG_SIDE),
        (make_pose(FRONT), "front", "ok", ""),
        (make_pose(SIDE_LYING), "front", "wrong_view", MSG_FRONT),
        (make_pose(FRONT), "any", "ok", ""),
    ],
)  # fmt: skip
def test_setup_check(pose, view, reason, message):
    st = SetupCheck(exercise(view=view)).check(pose)
    assert (st.reason, st.message, st.ok) == (reason, message, reason == "ok")


def test_setup_bare_parts_need_one_whole_side():
    # Left ankle hidden, right side complete: fine with side auto, not when left is asked.
    pose = make_pose(SIDE_LYING, hidden=("left_ankle",))
    assert SetupCheck(exercise()).check(pose).ok
    st = SetupCheck(exercise(), side="left").check(pose)
    assert not st.ok and st.missing == ("left_ankle",)


def test_setup_required_from_measures_when_not_listed():
    ex = exercise(required=())
    assert ex.all_measures() == {"hip", "knee"}
    chk = SetupCheck(ex)
    assert set(chk.parts) == {"shoulder", "hip", "knee", "ankle"}
    no_feet = make_pose(SIDE_LYING, hidden=("left_ankle", "right_ankle"))
    assert chk.check(no_feet).message == MSG_FEET


# --- coach stages -----------------------------------------------------------------------


def test_coach_setup_countdown_counting_and_restart_when_leaving_view():
    eng = FakeEngine()
    coach = LiveCoach(eng, exercise(), countdown_s=1.0)
    ok, gone = make_pose(SIDE_LYING), None
    # 0-2 nobody, 3-6 in place (countdown restarts at 5 when gone), then in place for good.
    poses = [gone] * 3 + [ok] * 2 + [gone] + [ok] * 14
    stages, results = run_coach(coach, poses)
    assert stages[:3] == [STAGE_SETUP] * 3
    assert stages[3:5] == [STAGE_COUNTDOWN] * 2
    assert stages[5] == STAGE_SETUP
    # Back in view at frame 6 (t=0.6): countdown 1 s of frame time -> counting at t=1.6 (frame 16).
    assert stages[6:16] == [STAGE_COUNTDOWN] * 10
    assert stages[16:] == [STAGE_COUNTING] * 4
    # The engine saw every frame, paused until the go frame.
    assert eng.paused_frames == list(range(16))
    assert results[0].cue.text == MSG_NO_PERSON and results[0].cue.severity == "setup"
    assert results[10].cue.text == "Get ready: 1"
    states = [(e.data["state"], e.data["cue"]) for r in results for e in r.events]
    assert states == [
        ("setup", ""),
        ("setup", MSG_NO_PERSON),
        ("countdown", "Get ready"),
        ("setup", MSG_NO_PERSON),
        ("countdown", "Get ready"),
        ("counting", "Go!"),
    ]


def test_coach_countdown_zero_counts_from_the_first_good_frame():
    eng = FakeEngine()
    coach = LiveCoach(eng, exercise(), countdown_s=0.0)
    stages, _ = run_coach(coach, [make_pose(SIDE_LYING)] * 3)
    assert stages == [STAGE_COUNTING] * 3 and eng.paused_frames == []


def test_coach_pause_resume_goes_through_setup_again():
    eng = FakeEngine()
    coach = LiveCoach(eng, exercise(), countdown_s=0.0)
    ok = make_pose(SIDE_LYING)
    stages, results = run_coach(
        coach, [ok] * 6, keys={2: LiveCoach.toggle_pause, 4: LiveCoach.toggle_pause}
    )
    assert stages == [STAGE_COUNTING, STAGE_COUNTING, STAGE_PAUSED, STAGE_PAUSED,
                      STAGE_COUNTING, STAGE_COUNTING]  # fmt: skip
    assert eng.paused_frames == [2, 3]
    assert results[3].cue.text.startswith("Paused")


def test_coach_sets_rest_and_done():
    done_ev = Event("set_complete", 0.0, 0, {"set": 1})
    eng = FakeEngine(events_at={2: [done_ev], 8: [done_ev]})
    control = LiveControl()
    coach = LiveCoach(eng, exercise(sets=2, rest_s=0.3), countdown_s=0.0)
    coach.control = control
    stages, results = run_coach(coach, [make_pose(SIDE_LYING)] * 10)
    # set 1 done at frame 2 -> rest 0.3 s (frames 2-4) -> counting from frame 5 -> done at 8.
    assert stages == [
        STAGE_COUNTING,
        STAGE_COUNTING,
        STAGE_REST,
        STAGE_REST,
        STAGE_REST,
        STAGE_COUNTING,
        STAGE_COUNTING,
        STAGE_COUNTING,
        STAGE_DONE,
        STAGE_DONE,
    ]
    assert "reset_set" in eng.calls and coach.done
    assert coach.status.sets_done == 2
    assert results[3].cue.text == "Rest, then set 2: 1 s"


def test_coach_marks_summary_partial_when_camera_lost():
    coach = LiveCoach(FakeEngine(), exercise())
    coach.control = LiveControl(disconnected="camera lost at 3.0 s: gone")
    assert coach.finish().partial is True
    coach.control = LiveControl()
    assert coach.finish().partial is False


def test_keys_drive_coach_and_control():
    eng = FakeEngine()
    control = LiveControl()
    coach = LiveCoach(eng, exercise(), countdown_s=0.0)
    kc = KeyController(coach, control)
    for code in (ord("s"), ord("r"), ord("x"), -1, ord(" ")):
        kc.handle(code)
    assert kc.pressed == ["switch_side", "reset", "pause"]
    assert eng.calls[-2:] == ["switch_side", "reset_set"]
    assert not control.stop
    kc.handle(27)
    assert control.stop and control.reason == "quit"


def test_key_script_parse_and_replay():
    keys = parse_key_script("2:q, 0.5:space,1:s")
    assert [(k.t_s, chr(k.code)) for k in keys] == [(0.5, " "), (1.0, "s"), (2.0, "q")]
    for bad in ("space", "1:z", "x:q", "-1:q"):
        with pytest.raises(InputError, match="--keys"):
            parse_key_script(bad)
    control = LiveControl()
    eng = FakeEngine()
    kc = KeyController(LiveCoach(eng, exercise()), control)
    sink = ScriptedKeys(keys, kc)
    for i in range(30):
        sink.write(None, FrameResult(i, i / 10, None, {}))
        if control.stop:
            break
    assert kc.pressed == ["pause", "switch_side", "quit"] and i == 20


# --- speech -----------------------------------------------------------------------------


class FakeProc:
    def __init__(self, cmd, log):
        self.cmd, self.done, self.stderr = cmd, False, None
        log.append(self)

    def poll(self):
        return 0 if self.done else None

    def terminate(self):
        self.done = True

    def wait(self, timeout=None):
        self.done = True
        return 0


def fake_speaker(**kw):
    procs: list[FakeProc] = []
    sp = Speaker(command=["speak"], runner=lambda cmd: FakeProc(cmd, procs), **kw)
    return sp, procs


def test_speaker_one_at_a_time_newest_pending_wins_and_cooldown():
    sp, procs = fake_speaker(cooldown_s=5.0)
    assert sp.say("Lift your hips", 0.0)
    assert [p.cmd for p in procs] == [["speak", "--", "Lift your hips"]]
    assert sp.say("Keep feet flat", 0.1) and sp.say("Slow down", 0.2)  # queued: newest wins
    assert len(procs) == 1 and sp.busy()
    assert not sp.say("Lift your hips", 3.0)  # cooldown
    procs[0].done = True
    sp.tick()
    assert [p.cmd[-1] for p in procs] == ["Lift your hips", "Slow down"]
    procs[1].done = True
    assert sp.say("Lift your hips", 5.5)  # cooldown over
    assert sp.spoken == ["Lift your hips", "Slow down", "Lift your hips"]


def test_speaker_urgent_words_not_displaced_and_event_words_repeat():
    sp, procs = fake_speaker()
    sp.say("first", 0.0)
    sp.say("Hold complete", 0.1, urgent=True, cooldown=False)
    assert not sp.say("a plain cue", 0.2)
    procs[0].done = True
    sp.tick()
    assert procs[-1].cmd[-1] == "Hold complete"
    procs[-1].done = True
    assert sp.say("Hold complete", 0.3, urgent=True, cooldown=False)


def test_speaker_without_engine_warns_once_and_stays_silent():
    warnings: list[str] = []
    sp = Speaker(command=[], warn=warnings.append)
    assert not sp.enabled and not sp.say("x", 0.0)
    sp.say("y", 1.0)
    assert len(warnings) == 1 and "no speech engine" in warnings[0]


def test_speaker_muted_starts_nothing():
    sp, procs = fake_speaker(enabled=False)
    assert not sp.say("Hold", 0.0) and procs == []


def test_speaker_engine_that_cannot_play_is_reported_once():
    # espeak-ng without an audio device exits 0 but prints an error: say so once, then stop.
    warnings: list[str] = []
    cmd = [sys.executable, "-c", "import sys; sys.stderr.write('error: no audio device')"]
    sp = Speaker(command=cmd, warn=warnings.append)
    sp.say("one", 0.0)
    sp._proc.wait(timeout=30)
    sp.tick()
    assert not sp.enabled and len(warnings) == 1 and "no audio device" in warnings[0]
    assert not sp.say("two", 20.0)


def test_speech_sink_words_for_events():
    sp, procs = fake_speaker()
    sink = SpeechSink(sp)
    frames = [
        FrameResult(0, 1.0, None, {}, events=[Event("hold_start", 1.0, 10, {"phase": "up"})],
                    hold_s=0.0, hold_target_s=2.0),
        FrameResult(1, 2.0, None, {}, hold_s=1.0, hold_target_s=2.0),
        FrameResult(2, 3.0, None, {}, hold_s=2.0, hold_target_s=2.0),  # reached: said once
        FrameResult(3, 3.1, None, {}, hold_s=2.1, hold_target_s=2.0),
        FrameResult(4, 4.0, None, {}, events=[Event("rep", 4.0, 40, {"index": 2})]),
        FrameResult(5, 5.0, None, {}, events=[Event("set_complete", 5.0, 50, {"set": 1})]),
    ]  # fmt: skip
    for r in frames:
        sink.write(None, r)
        procs[-1].done = True
    sink.close(None)
    assert sp.spoken == ["Hold", "Hold complete", "2", "Set complete"]


def test_speaker_says_urgent_words_in_turn_and_keeps_only_the_newest_few():
    """One pending slot: "Set complete" replaced the routine's "Rest 10 s - next: ..."
    and a "Hold" the rep number before it; the end of the routine was never said."""
    sp, procs = fake_speaker()
    sp.say("Hold", 0.0, urgent=True, cooldown=False)  # playing
    for word in ("3", "Set complete", "Rest 10 seconds - next: Bridge"):
        assert sp.say(word, 0.1, urgent=True, cooldown=False)
    assert not sp.say("Keep your feet flat.", 0.2)  # a plain cue would come late: dropped
    for p in procs:
        p.done = True
    sp.close()
    assert sp.spoken == ["Hold", "3", "Set complete", "Rest 10 seconds - next: Bridge"]
    sp, procs = fake_speaker()
    sp.say("Hold", 0.0, urgent=True, cooldown=False)
    for n in range(1, 9):  # a burst while "Hold" plays: only the newest four wait
        sp.say(str(n), 0.1 * n, urgent=True, cooldown=False)
    for p in procs:
        p.done = True
    sp.close()
    assert sp.spoken == ["Hold", "5", "6", "7", "8"]


def test_speech_sink_says_the_count_and_the_set_before_the_rest_they_led_to():
    import posecheck.live.speech as speech
    from posecheck.live.coach import STAGE_ANNOUNCE, STAGE_COUNTING, STAGE_DONE, STAGE_REST

    # the stages said in turn are the coach's own names
    assert {STAGE_ANNOUNCE, STAGE_COUNTING, STAGE_REST, STAGE_DONE} <= speech._STAGE_WORDS
    sp, procs = fake_speaker()
    sink = SpeechSink(sp)
    events = [
        Event("state", 9.0, 90, {"state": "rest", "cue": "Rest 10 s - next: Bridge"}),
        Event("rep", 9.0, 90, {"index": 8}),
        Event("set_complete", 9.0, 90, {"set": 1}),
    ]
    sink.write(None, FrameResult(0, 9.0, None, {}, events=events))
    sink.write(None, FrameResult(1, 30.0, None, {}, events=[
        Event("state", 30.0, 900, {"state": "done", "cue": "Well done: the routine is complete"})
    ]))  # fmt: skip
    for p in procs:
        p.done = True
    sink.close(None)
    assert sp.spoken == ["8", "Set complete", "Rest 10 seconds - next: Bridge",
                         "Well done: the routine is complete"]  # fmt: skip


@pytest.mark.parametrize(("side", "said"), [("alternate", ["Now the left side"]), ("auto", [])])
def test_cues_are_spoken_with_units_in_words_and_the_side_only_where_it_is_worked(side, said):
    # espeak read "2 s" as "two ess"; "Now the right side" for the side facing the camera
    # (a supine twist's) sounds like an instruction to twist to the right
    from dataclasses import replace

    from posecheck.live.speech import spoken

    assert spoken("Hold the camel for 2 s: that hold lasted 1.0 s.") == (
        "Hold the camel for 2 seconds: that hold lasted 1 second."
    )
    assert spoken("the hip angle reached 148°, aim for 165°; 7% of 21.0 s") == (
        "the hip angle reached 148 degrees, aim for 165 degrees; 7 percent of 21.0 seconds"
    )
    sp, procs = fake_speaker()
    sink = SpeechSink(sp)
    sink.open(None, replace(exercise(), side=side))
    cue = {
        "id": "short_hold:up",
        "text": "That hold lasted 1.2 s: next time, hold the top for 5 s.",
    }
    left = Event("side", 2.0, 20, {"side": "left"})
    frames = [FrameResult(0, 1.0, None, {}, events=[Event("cue", 1.0, 10, cue)]),
              FrameResult(1, 2.0, None, {}, events=[left])]  # fmt: skip
    for r in frames:
        sink.write(None, r)
        procs[-1].done = True
    sink.close(None)
    assert sp.spoken == [
        "That hold lasted 1.2 seconds: next time, hold the top for 5 seconds.",
        *said,
    ]
    # a routine: the exercise under way decides, not the one the session opened with
    sp, procs = fake_speaker()
    now = [replace(exercise(), side="auto")]
    sink = SpeechSink(sp, exercise=lambda: now[0])
    sink.open(None, now[0])
    now[0] = replace(exercise(), side=side)  # the next step
    sink.write(None, frames[1])
    assert sp.spoken == said


def test_real_espeak_command_line_is_non_blocking(tmp_path):
    # The real engine, writing a WAV instead of playing: the call returns before speech ends.
    if not (sp_cmd := __import__("shutil").which("espeak-ng")):
        pytest.skip("espeak-ng not installed")
    wav = tmp_path / "out.wav"
    sp = Speaker(command=[sp_cmd, "-w", str(wav)])
    assert sp.say("Lift your hips until your body is straight", 0.0)
    sp.close(wait_s=30)
    assert wav.stat().st_size > 10_000 and sp.enabled


# --- events, stats, source --------------------------------------------------------------


def test_event_printer_text_and_json():
    evs = [Event("hold_start", 1.5, 15, {"phase": "up", "target_s": 5.0}),
           Event("hold_end", 3.0, 30, {"phase": "up", "duration_s": 1.44, "target_s": 5.0,
                                       "reached": False}),
           Event("rep", 4.0, 40, {"index": 1, "start_s": 0.5, "end_s": 4.0,
                                  "depth": {"x": math.nan}}),
           Event("state", 0.0, 0, {"state": "setup", "cue": MSG_SIDE})]  # fmt: skip
    buf = io.StringIO()
    p = EventPrinter(buf)
    p.write(None, FrameResult(0, 0.0, None, {}, events=evs))
    lines = buf.getvalue().splitlines()
    assert lines[0].split() == ["1.50", "s", "hold_start", "up", "(target", "5", "s)"]
    assert lines[1].endswith("up 1.4 s of 5 s, not reached")
    assert lines[2].endswith("rep           #1 0.50-4.00 s")
    assert lines[3].endswith(f"state         setup: {MSG_SIDE}")
    buf = io.StringIO()
    p = EventPrinter(buf, json_lines=True)
    p.write(None, FrameResult(0, 0.0, None, {}, events=evs))
    p.close(SessionSummary("bridge", "left", 4.0, 40, 40))
    objs = [json.loads(ln) for ln in buf.getvalue().splitlines()]
    assert [o["kind"] for o in objs] == ["hold_start", "hold_end", "rep", "state", "summary"]
    assert objs[2]["depth"] == {"x": None} and objs[4]["reps_complete"] == 0
    assert describe("set_complete", {"set": 2}) == "set 2"


def test_latency_stats_with_injected_clock():
    now = [100.0]
    st = LatencyStats(clock=lambda: now[0])
    # Frames at 10 fps; frame 1 dropped; each shown 0.05 s after it was taken,
    # and frame 2 taken 0.02 s after it was captured.
    for idx, t_s, wait in ((0, 0.0, 0.0), (2, 0.2, 0.02), (3, 0.3, 0.0)):
        now[0] = 100.0 + t_s + wait
        st.arrived(idx, t_s)
        now[0] += 0.05
        st.shown(idx)
    rep = st.report()
    assert rep.frames_shown == 3 and rep.frames_dropped == 1
    assert rep.latency_ms["max"] == pytest.approx(70.0)
    assert rep.processing_ms["max"] == pytest.approx(50.0)
    assert rep.fps == pytest.approx(2 / 0.3)
    assert "1 dropped" in rep.lines()[0]


class FailingSource:
    def __init__(self, n, kind="camera", exc=None):
        self.n, self.exc, self.closed = n, exc, False
        self.info = MediaInfo("0", kind, 30.0, 0, 64, 48)

    def frames(self):
        import numpy as np

        for i in range(self.n):
            yield Frame(i, i / 30, np.zeros((48, 64, 3), np.uint8))
        if self.exc is not None:
            raise self.exc

    def close(self):
        self.closed = True


@pytest.mark.parametrize(
    "kind, exc, reason, lost",
    [
        ("camera", OSError("device unplugged"), "camera lost", "device unplugged"),
        ("camera", InputError("camera 0 stopped"), "camera lost", "camera 0 stopped"),
        ("camera", None, "camera lost", "stopped sending frames"),
        ("video", None, "end of video", ""),
    ],
)
def test_live_source_turns_a_lost_camera_into_an_end(kind, exc, reason, lost):
    control = LiveControl()
    src = LiveSource(FailingSource(5, kind, exc), control)
    assert len(list(src.frames())) == 5
    assert control.reason == reason and lost in control.disconnected
    if lost:
        assert control.disconnected.startswith("camera lost at 0.1 s")


def test_live_source_stops_on_request():
    control = LiveControl()
    src = LiveSource(FailingSource(100), control)
    got = []
    for f in src.frames():
        got.append(f.index)
        if f.index == 3:
            control.request_stop("quit")
    assert got == [0, 1, 2, 3] and control.reason == "quit" and not control.disconnected


def test_live_modules_that_must_not_import_cv2():
    code = ("import sys; import posecheck.live.coach, posecheck.live.setup, posecheck.live.speech, "
            "posecheck.live.events, posecheck.live.stats, posecheck.live.keys, "
            "posecheck.live.source, posecheck.commands.live; "
            "assert 'cv2' not in sys.modules and 'mediapipe' not in sys.modules")  # fmt: skip
    subprocess.run([sys.executable, "-c", code], check=True, env={"PYTHONPATH": "src"},
                   cwd=__import__("conftest").REPO)  # fmt: skip


@pytest.mark.parametrize("growth_s, grows", [(0.0, False), (0.02, True)])
def test_latency_drift_shows_a_queue_building_up(growth_s, grows):
    # A queue makes each frame wait longer than the one before; the newest-frame slot does not.
    now = [0.0]
    st = LatencyStats(clock=lambda: now[0])
    for i in range(12):
        now[0] = i / 10 + growth_s * i
        st.arrived(i, i / 10)
        now[0] += 0.04
        st.shown(i)
    first, last = st.report().drift_ms
    assert first == pytest.approx(40.0 + 1000 * growth_s * 1.5)
    assert (last > first + 50) is grows


def test_speech_sink_counts_down_each_second_once():
    sp, procs = fake_speaker()
    left = [None]
    sink = SpeechSink(sp, countdown=lambda: left[0])
    for i, v in enumerate([None, 3.0, 2.9, 2.0, 1.5, 0.9, 0.0, None]):
        left[0] = v
        sink.write(None, FrameResult(i, i * 0.5, None, {}))
        for p in procs:
            p.done = True
    assert sp.spoken == ["3", "2", "1"]


@pytest.mark.parametrize("size", [(640, 360), (480, 854)])
def test_the_set_up_banner_fits_the_frame_and_says_it_is_not_medical_advice(monkeypatch, size):
    # a portrait camera (480 px wide) cut "Move back so your feet are in view" at both ends
    import numpy as np

    from posecheck.live import hud
    from posecheck.sinks.overlay import text_size

    drawn: list[tuple[str, int, float, int]] = []

    def put(img, text, org, scale, colour, thick=1):
        drawn.append((text, org[0], scale, thick))

    monkeypatch.setattr(hud, "put_text", put)
    img = np.zeros((size[1], size[0], 3), np.uint8)
    hud.draw_stage(img, LiveStatus(message="Move back so your feet are in view"), "side")
    assert any("not medical advice" in t and "sharp pain" in t for t, *_ in drawn)
    for text, x, scale, thick in drawn:
        assert x >= 0 and x + text_size(text, scale, thick)[0] <= size[0], text


def test_the_end_card_wraps_a_long_correction_instead_of_shrinking_it(monkeypatch):
    # "top corrections: A; B" on one line was drawn at half size to fit 640 px
    import numpy as np

    from posecheck.live import hud
    from posecheck.sinks.overlay import text_size

    drawn: list[tuple[str, int, float, int]] = []
    monkeypatch.setattr(hud, "put_text", lambda img, t, org, sc, col, th=1: drawn.append(
        (t, org[0], sc, th)))  # fmt: skip
    long = "Hold the cat (back rounded) for 2 s: your longest hold was 1.8 s. " * 2
    hud.draw_summary(np.zeros((360, 640, 3), np.uint8), ["score 70/100", long], "Session ended")
    body = [d for d in drawn if d[0] not in ("Session ended", "score 70/100")][:-1]  # footer
    assert len(body) > 1 and " ".join(t for t, *_ in body).split() == long.split()
    assert {sc for _, _, sc, _ in body} == {drawn[1][2]}  # the size of the other lines
    assert all(x >= 0 and x + text_size(t, sc, th)[0] <= 640 for t, x, sc, th in drawn)


@pytest.mark.parametrize(("width", "below"), [(480, True), (1280, False)])
def test_the_keys_box_keeps_clear_of_the_overlay_header(monkeypatch, width, below):
    # a portrait camera (480 px): "q quit | space pause ..." was drawn across the hold ring
    import numpy as np

    from posecheck.live import hud

    ys: list[int] = []
    monkeypatch.setattr(hud, "put_text", lambda img, t, org, *a, **k: ys.append(org[1]))
    header = (10, 10, 400, 120)  # the overlay's panel, top left
    hud.draw_corner(np.zeros((854, width, 3), np.uint8), LiveStatus(), avoid=header)
    assert ys and (min(ys) > header[3]) is below


def test_the_window_opens_no_larger_than_a_laptop_screen():
    # a portrait phone video (480x854) opened an 854 px window: its cue line, at the
    # bottom, was off a 768 px screen
    from posecheck.live.window import fit_window

    assert fit_window(480, 854) == (405, 720)
    assert fit_window(1920, 1080) == (1280, 720)
    assert fit_window(640, 360) == (640, 360)  # never enlarged

"""``posecheck live --routine``: a routine's runs one after another, without the model.

The real pieces (pipeline.run, the engines, the coaches, the writers) run on scripted
bridge poses from a fake camera (as test_live_session.py), so announcements, rests,
keys and the saved session of a whole routine are checked in a second. The real
model on a joined recording of real clips is in test_live_routine_model.py.
"""

from __future__ import annotations

import io
import json

import pytest

from posecheck.cli import main
from posecheck.errors import InputError
from posecheck.library import Library
from posecheck.live.keys import KEY_LEFT, KEY_RIGHT, ROUTINE_KEYMAP, key_code, parse_key_script
from posecheck.live.routine import announcement, dose_words, needs_setup
from posecheck.live.session import LiveOptions, run_live
from posecheck.routine import Run, dosed, load_routine_file
from test_live_session import FPS, ScriptEstimator, ScriptSource, SilentSpeaker, _mid, bridge_script

ROUTINE = """\
schema = 1
name = "two-bridges"
title = "Two bridges"
rest_s = 1

[[steps]]
exercise = "bridge"
hold_s = 2
reps = 1

[[steps]]
exercise = "bridge"
hold_s = 2
reps = 2
note = "Feet hip-width apart."
"""


@pytest.fixture(scope="module")
def lib():
    return Library.load()


@pytest.fixture
def routine_file(tmp_path):
    path = tmp_path / "two-bridges.toml"
    path.write_text(ROUTINE)
    return path


def _script(lib, gap_s: float = 1.5) -> list:
    """Run 1's rep, a pause lying down (rest, announcement), run 2's two reps."""
    ex = dosed(lib.get("bridge"), Run(1, 1, "bridge", "as-defined", 1, 1, 2.0, 1, 1.0))
    down = _mid(ex, "down")
    return (bridge_script(ex, reps=1) + [down] * round(gap_s * FPS)
            + bridge_script(ex, reps=2))  # fmt: skip


def live_routine(tmp_path, routine_file, script, keys="", **kw):
    opts = LiveOptions(exercise="", routine=str(routine_file), camera="fake", window=False,
                       json_lines=True, outdir=str(tmp_path / "session"), countdown_s=0.0,
                       announce_s=0.5, smoothing=False, keys=keys, **kw)  # fmt: skip
    out, err = io.StringIO(), io.StringIO()
    outcome = run_live(opts, source=ScriptSource(len(script)), estimator=ScriptEstimator(script),
                       speaker=SilentSpeaker(), stdout=out, stderr=err)  # fmt: skip
    events = [json.loads(ln) for ln in out.getvalue().splitlines()]
    summary = json.loads((outcome.outdir / "summary.json").read_text())
    return outcome, events, summary


def states(events, state):
    return [e for e in events if e["kind"] == "state" and e["state"] == state]


def steps(summary):
    return [s for s in summary["segments"] if s["kind"] == "step"]


def test_routine_runs_announces_rests_and_saves_one_session(tmp_path, routine_file, lib):
    script = _script(lib)
    outcome, events, summary = live_routine(tmp_path, routine_file, script)
    assert outcome.ended == "done"
    # announced with voice and screen text, the safety line once at the start
    ann = states(events, "announce")
    assert [e["run"] for e in ann] == [1, 2]
    assert ann[0]["cue"].startswith("Step 1 of 2: Bridge. Hold 2 s, once. Camera: side-on, "
                                    "lying on your back.")  # fmt: skip
    assert ann[0]["cue"].endswith("Two bridges: 2 steps. Stop on sharp pain.")
    assert ann[1]["cue"] == ("Step 2 of 2: Bridge. 2 reps, hold 2 s each. Camera: side-on, "
                             "lying on your back. Feet hip-width apart.")  # fmt: skip
    assert [e["cue"] for e in states(events, "rest")] == ["Rest 1 s - next: Bridge"]
    from posecheck.live.speech import spoken  # the units said in words

    assert spoken(ann[0]["cue"]) in outcome.spoken and spoken(ann[1]["cue"]) in outcome.spoken
    assert "Rest 1 second - next: Bridge" in outcome.spoken
    # same posture and view: the second run goes straight to its countdown (no set-up)
    run2 = [e for e in events if e["kind"] == "state" and e["t_s"] >= ann[1]["t_s"]]
    assert [e["state"] for e in run2[:4]] == ["announce", "setup", "countdown", "counting"]
    assert run2[1]["cue"] == "" and run2[2]["cue"] == "Get ready"
    # the saved session: one summary.json with the routine and its segments
    assert summary["exercise"] == "routine:two-bridges"
    assert summary["exercise_title"] == "Two bridges"
    assert summary["routine"] == {"name": "two-bridges", "title": "Two bridges",
                                  "source": str(routine_file), "mode": "live",
                                  "runs_planned": 2, "runs_done": 2}  # fmt: skip
    segs = summary["segments"]
    assert [s["kind"] for s in segs] == ["between", "step", "between", "step"]
    assert [s["index"] for s in segs] == [1, 2, 3, 4]
    for a, b in zip(segs, segs[1:], strict=False):
        assert a["end_s"] == b["start_s"]  # one after another, nothing lost
    assert [(s["run"], s["step"], s["ended"]) for s in steps(summary)] == [
        (1, 1, "done"),
        (2, 2, "done"),
    ]
    got = [(s["summary"]["reps_complete"], s["summary"]["holds_reached"]) for s in steps(summary)]
    assert got == [(1, 1), (2, 2)]
    assert [s["summary"]["dose"]["hold_s"] for s in steps(summary)] == [2, 2]
    # the routine complete, the session ends (the camera's frames after it are not read)
    assert summary["frames"] < len(script) and summary["partial"] is False
    # the segments cover the session; each step's summary covers its own span
    assert segs[0]["start_s"] == 0.0 and segs[-1]["end_s"] == summary["duration_s"]
    for st in steps(summary):
        assert st["summary"]["duration_s"] <= st["end_s"] - st["start_s"]
    # printed once each (the end re-prints nothing), the last line with the segments
    assert len([e for e in events if e["kind"] == "set_complete"]) == 2
    # in the order they happened: the last rep and the set, then the rest they led to,
    # the routine's end last (the rest was printed before them)
    kinds = [e["kind"] if e["kind"] != "state" else e["state"] for e in events]
    first_set = kinds.index("set_complete")
    assert kinds[first_set - 1] == "rep" and "rest" in kinds[first_set + 1 : first_set + 3]
    assert kinds.index("done") > len(kinds) - 1 - kinds[::-1].index("set_complete")
    assert [(s["kind"], s["run"]) for s in events[-1]["segments"]] == [
        (s["kind"], s["run"]) for s in segs
    ]
    rows = (outcome.outdir / "frames.csv").read_text().splitlines()
    head = rows[0].split(",")
    assert head[-2:] == ["run", "step"] and len(rows) == 1 + summary["frames"]
    col = [r.split(",")[head.index("run")] for r in rows[1:]]
    assert col[0] == "" and col[-1] == "2" and set(col) == {"", "1", "2"}
    jsonschema = pytest.importorskip("jsonschema")
    from importlib.resources import files

    schema = json.loads((files("posecheck") / "data" / "summary.schema.json").read_text())
    jsonschema.validate(summary, schema)
    for s in steps(summary):
        jsonschema.validate(s["summary"], schema)


@pytest.mark.parametrize(
    "keys, ended, reps",
    [
        # run 1 skipped mid-rise: run 2 at once, the person already up: that hold and
        # one rep's make its dose of 2 (its first rep's start was not seen)
        ("1.5:n", ["skipped", "done"], [0, 1]),
        ("1.5:right", ["skipped", "done"], [0, 1]),
        # back during run 1: run 1 again from its announcement
        ("1.5:p", ["back", "done"], [0, 1]),
        ("1.5:n,11:q", ["skipped", "quit"], [0, 0]),  # quit: saved with what was done
    ],
)
def test_routine_keys(tmp_path, routine_file, lib, keys, ended, reps):
    outcome, events, summary = live_routine(tmp_path, routine_file, _script(lib), keys=keys)
    assert [s["ended"] for s in steps(summary)][: len(ended)] == ended
    assert [s["summary"]["reps_complete"] for s in steps(summary)][: len(reps)] == reps
    if "q" in keys:
        assert outcome.ended == "quit" and summary["routine"]["runs_done"] == 0
        assert summary["partial"] is False  # quitting is not an interruption


def test_a_step_skipped_mid_hold_is_no_hold_to_make_longer(tmp_path, routine_file, lib):
    """n while holding: the person moved on, the hold did not stop short (its step was told
    "Hold the top for 2 s: your longest hold was 0.5 s")."""
    _, _, summary = live_routine(tmp_path, routine_file, _script(lib), keys="2.5:n")
    first = steps(summary)[0]
    assert first["ended"] == "skipped"
    assert [(h["stopped"], h["reached"]) for h in first["summary"]["holds"]] == [("stop", False)]
    assert not [c for c in first["summary"]["corrections"] if "hold" in c["id"]]


def test_a_routine_whose_last_step_was_skipped_is_not_called_complete(tmp_path, routine_file, lib):
    """ "Well done: the routine is complete" beside "1 of 2 steps done"."""
    _, events, summary = live_routine(tmp_path, routine_file, _script(lib), keys="1.5:n,9:n")
    assert [s["ended"] for s in steps(summary)] == ["skipped", "skipped"]
    assert states(events, "done")[-1]["cue"] == "End of the routine: 0 of 2 steps done"
    _, events, _ = live_routine(tmp_path / "b", routine_file, _script(lib))
    assert states(events, "done")[-1]["cue"] == "Well done: the routine is complete"


def test_a_saved_live_routine_is_not_split_anew_by_score_unasked(tmp_path, routine_file, lib):
    """score split a live routine's landmarks anew by recognition: its steps read worse
    than live judged them and replaced live's rows in the history."""
    from posecheck.cli import main

    outcome, _, _ = live_routine(tmp_path, routine_file, _script(lib))
    js = tmp_path / "s.json"
    lm = str(outcome.outdir / "live.landmarks.npz")
    assert main(["score", lm, "--no-history", "-j", "1", "--json", str(js)]) == 2
    (row,) = json.loads(js.read_text())
    assert row["error"].startswith(f"{lm}: a live routine session, whose steps are not")
    # asked for: the recording split anew (the drawn stick poses are no step it finds)
    main(["score", lm, "--no-history", "-j", "1", "--routine", str(routine_file), "--json",
          str(js), "--force"])  # fmt: skip
    assert "no step of two-bridges was found" in json.loads(js.read_text())[0]["error"]


def test_space_pauses_the_rest_timer(tmp_path, routine_file, lib):
    script = _script(lib, gap_s=3.5)
    plain = live_routine(tmp_path / "a", routine_file, script)[1]
    rest_at = states(plain, "rest")[0]["t_s"]
    keys = f"{rest_at + 0.2:.2f}:space,{rest_at + 2.2:.2f}:space"
    _, events, summary = live_routine(tmp_path / "b", routine_file, script, keys=keys)
    ann2 = states(events, "announce")[1]["t_s"]
    assert ann2 == pytest.approx(states(plain, "announce")[1]["t_s"] + 2.0, abs=0.15)
    assert states(events, "paused")[0]["cue"].startswith("Paused")


def test_interrupted_routine_is_saved_as_partial(tmp_path, routine_file, lib):
    script = _script(lib)

    class Stop(ScriptEstimator):
        def estimate(self, frame):
            if frame.index == 200:
                raise KeyboardInterrupt
            return super().estimate(frame)

    opts = LiveOptions(exercise="", routine=str(routine_file), camera="fake", window=False,
                       json_lines=True, outdir=str(tmp_path / "s"), countdown_s=0.0,
                       announce_s=0.5, smoothing=False)  # fmt: skip
    with pytest.raises(KeyboardInterrupt):
        run_live(opts, source=ScriptSource(len(script)), estimator=Stop(script),
                 speaker=SilentSpeaker(), stdout=io.StringIO(), stderr=io.StringIO())  # fmt: skip
    summary = json.loads((tmp_path / "s" / "summary.json").read_text())
    assert summary["partial"] is True and summary["frames"] == 200
    done = steps(summary)
    assert [s["ended"] for s in done] == ["done", "interrupted"]
    assert done[0]["summary"]["reps_complete"] == 1 and done[1]["summary"]["partial"] is True


def test_cli_routine_or_exercise_not_both(capsys):
    assert main(["live", "--no-window"]) == 2
    assert "give an EXERCISE or --routine NAME" in capsys.readouterr().err
    assert main(["live", "bridge", "--routine", "low-back-flow", "--no-window"]) == 2
    assert "not both" in capsys.readouterr().err
    assert main(["live", "--routine", "low-back-flw", "--no-window"]) == 2
    assert "did you mean low-back-flow" in capsys.readouterr().err
    assert main(["live", "--routine", "low-back-flow", "--side", "left", "--no-window"]) == 2
    assert "a routine says each step's side" in capsys.readouterr().err
    assert main(["live", "--help"]) == 0
    out = capsys.readouterr().out
    assert "n/Right next step" in out and "posecheck live --routine low-back-flow" in out


# --- the pieces -------------------------------------------------------------------------


def test_needs_setup_when_posture_or_camera_changes(lib):
    g = lib.get
    assert needs_setup(None, g("bridge"))
    assert not needs_setup(g("knees-to-chest"), g("bridge"))  # lying, side-on both
    assert not needs_setup(g("knees-to-chest"), g("supine-twist"))  # any view: camera stays
    assert needs_setup(g("supine-twist"), g("pelvic-tilt"))  # the camera may be at the feet
    assert needs_setup(g("bridge"), g("cat-camel"))  # lying -> all fours
    assert needs_setup(g("seated-forward-curl"), g("seated-spinal-twist"))  # side -> front


def test_announcement_words(lib):
    flow = [r for r in load_routine_file("routines/low-back-flow.toml", lib).plan()]
    twist = flow[1]
    ex = dosed(lib.get(twist.exercise), twist)
    assert announcement(twist, ex, len(flow)) == [
        "Step 2 of 7: Supine twist, side 1.", "Hold 20 s, once.",
        "Camera: whole body in view, lying on your back."]  # fmt: skip
    cat = flow[5]
    lines = announcement(cat, dosed(lib.get(cat.exercise), cat), len(flow))
    assert lines[1:] == ["5 reps, hold 2 s each.", "Camera: side-on, on hands and knees.",
                         "Get onto your hands and knees, side-on to the camera."]  # fmt: skip
    bridge = Run(1, 1, "bridge", "as-defined", 1, 1, 5.0, 5, 10.0)
    assert dose_words(dosed(lib.get("bridge"), bridge)) == "5 reps, hold 5 s each"
    once = Run(1, 1, "childs-pose", "as-defined", 1, 1, 20.0, 1, 0.0)
    assert dose_words(dosed(lib.get("childs-pose"), once)) == "Hold 20 s, once"


def test_routine_keys_map_arrows_not_letters():
    assert ROUTINE_KEYMAP[key_code(0xFF53)] == "skip" and ROUTINE_KEYMAP[key_code(0xFF51)] == "back"
    assert key_code(0x270000) == KEY_RIGHT and key_code(0x250000) == KEY_LEFT  # Windows
    # with cv2.waitKey's low byte Left and Right were "Q" (quit) and "S" (side)
    assert key_code(0xFF51) != ord("Q") and key_code(0xFFE1) == -1  # Shift alone: nothing
    assert [k.code for k in parse_key_script("1:n,2:left", ROUTINE_KEYMAP)] == [ord("n"), KEY_LEFT]
    with pytest.raises(InputError, match="--keys"):
        parse_key_script("1:n")  # one exercise: no next step


def test_window_draws_the_step_card_and_follows_the_exercise(lib):
    """WindowSink.render in an announcement: the card across the middle, the new exercise's
    overlay (its title), the step in the corner."""
    pytest.importorskip("cv2")
    import numpy as np

    from posecheck.engine import Engine
    from posecheck.live.routine import RoutineCoach
    from posecheck.live.window import WindowSink
    from posecheck.results import FrameResult
    from posecheck.routine import Routine, Step

    r = Routine("t", "T", (Step("bridge", hold_s=2.0, reps=1, rest_s=0.0),
                           Step("cat-camel", reps=2)))  # fmt: skip
    runs = r.plan()
    exs = [dosed(lib.get(x.exercise), x) for x in runs]
    coach = RoutineCoach(r, runs, exs, Engine, countdown_s=0.0, announce_s=1.0)
    w = WindowSink(coach, on_key=lambda k: None)
    w._follow(coach.exercise)
    grey = np.full((720, 1280, 3), 128, np.uint8)
    coach.update(0, 0.0, None, {})
    assert coach.stage == "announce" and coach.status.card[0] == "Step 1 of 2: Bridge."
    out = w.render(grey, FrameResult(0, 0.0, None, {}))
    assert out[340:380, 100:1180].mean() < 90  # the card's dark band
    coach.skip()
    coach.update(1, 0.1, None, {})
    assert coach.status.card[0] == "Step 2 of 2: Cat-camel."
    w.render(grey, FrameResult(1, 0.1, None, {}))
    assert w.overlay is not None and w.overlay.title == "Cat-camel" and w.view == "side"


def test_the_card_stays_as_long_as_its_words_take_to_say(lib):
    """A step's card (step, dose, camera: 25-30 words) took 10-12 s to say and showed for
    5 s: the "Go!" and "Hold" after it were lost or came late."""
    from posecheck.engine import Engine
    from posecheck.live.routine import ANNOUNCE_S, ANNOUNCE_WORD_S, RoutineCoach
    from posecheck.routine import Routine, Step

    r = Routine("t", "T", (Step("bridge", hold_s=2.0, reps=1, rest_s=0.0),))
    runs = r.plan()
    exs = [dosed(lib.get(x.exercise), x) for x in runs]
    coach = RoutineCoach(r, runs, exs, Engine, countdown_s=0.0)
    coach.update(0, 0.0, None, {})
    words = len(" ".join(coach.status.card).split())
    card_s = ANNOUNCE_WORD_S * words
    assert card_s > ANNOUNCE_S  # this card is longer than the least time
    coach.update(1, card_s - 0.1, None, {})
    assert coach.stage == "announce"
    coach.update(2, card_s + 0.1, None, {})
    assert coach.stage != "announce"
    # given in seconds, it is that long
    coach = RoutineCoach(r, runs, exs, Engine, countdown_s=0.0, announce_s=1.0)
    coach.update(0, 0.0, None, {})
    coach.update(1, 1.1, None, {})
    assert coach.stage != "announce"


def test_recorded_video_overlay_follows_the_step(lib):
    """--record: the annotated video names the step being done, not the first one."""
    pytest.importorskip("cv2")
    import numpy as np

    from posecheck.live.session import _RealTimeRecord
    from posecheck.pose import Frame
    from posecheck.results import FrameResult

    class Video:
        overlay = None

        def __init__(self):
            self.titles = []

        def write(self, frame, result):
            self.titles.append(self.overlay.title)

    class Follow:
        exercise = lib.get("bridge")

    video, follow = Video(), Follow()
    rec = _RealTimeRecord(video, follow=follow)
    img = np.zeros((36, 64, 3), np.uint8)
    rec.write(Frame(0, 0.0, img), FrameResult(0, 0.0, None, {}))
    follow.exercise = lib.get("cat-camel")
    rec.write(Frame(1, 0.1, img), FrameResult(1, 0.1, None, {}))
    assert video.titles == ["Bridge", "Cat-camel"]


def test_each_step_of_a_live_routine_is_recorded_in_the_history(tmp_path, routine_file, lib):
    from posecheck.history import HistoryOptions
    from posecheck.history.store import HistoryStore

    db = tmp_path / "h.sqlite"
    hist = HistoryOptions(db=str(db), pain_before=4)
    outcome, _, _ = live_routine(tmp_path, routine_file, _script(lib), history=hist)
    assert outcome.history_id is not None
    with HistoryStore(db, create=False) as st:
        rows = sorted(st.sessions(), key=lambda r: r.detail["routine"]["run"])
    assert [(r.exercise, r.reps_complete, r.pain_before) for r in rows] == [
        ("bridge", 1, 4), ("bridge", 2, 4)
    ]  # fmt: skip
    assert [r.detail["routine"]["name"] for r in rows] == ["two-bridges"] * 2


def test_a_step_in_another_posture_waits_until_the_person_has_moved(lib):
    """Lying -> all fours: the set-up check fails while the body is still read as lying
    (the countdown must not start before the person has moved), and passes once on hands
    and knees. On the real clips the target posture reads steadily (child's pose 28/28
    frames kneeling, cat-camel 185/185 all fours), so nobody is kept at the set-up."""
    from posecheck.live.routine import MovedCheck
    from test_recognize import BODIES, make_body

    check = MovedCheck(lib.get("cat-camel"), previous="supine")
    lying = check.check(make_body(*BODIES["hook_lying"]))
    assert (lying.ok, lying.reason) == (False, "old_posture")
    assert lying.message == "Get into position: on hands and knees"
    assert check.check(make_body(*BODIES["all_fours"])).ok
    assert not check.check(None).ok  # nobody: the usual answer
    assert check.check(None).reason == "no_person"
    # a step in the same posture as the one before keeps no posture gate
    assert (
        MovedCheck(lib.get("bridge"), previous="all_fours")
        .check(make_body(*BODIES["hook_lying"]))
        .ok
    )


def test_rest_option_overrides_the_routines_rests(tmp_path, routine_file, lib):
    """``live --routine --rest 2``: the rest after the step is 2 s, not the file's 1 s."""
    script = _script(lib, gap_s=2.5)
    outcome, events, _ = live_routine(tmp_path, routine_file, script, rest_s=2.0)
    assert outcome.ended == "done"
    rest = states(events, "rest")
    assert [e["cue"] for e in rest] == ["Rest 2 s - next: Bridge"]
    announced = states(events, "announce")[1]["t_s"]
    assert announced - rest[0]["t_s"] == pytest.approx(2.0, abs=1.5 / FPS)


def test_the_end_cards_step_line_keeps_counts_and_corrections_apart(lib):
    """It read "score 55/100, Let the knees rest, do not bounce., Lower your knees
    slowly." (the corrections joined to the counts with commas)."""
    from types import SimpleNamespace

    from posecheck.live.routine import Attempt
    from posecheck.live.routine_out import step_lines
    from posecheck.results import Correction, HoldRecord, SessionSummary

    ex = lib.get("supine-twist")
    held = [HoldRecord("twist", 2.0, 5.0, 3.0, 20.0, False)]
    s = SessionSummary("supine-twist", "left", 30.0, 900, 900, holds=held, score=55.0)
    s.corrections = [
        Correction("bouncing", "safety", "Let the knees rest, do not bounce.", 1, 4.0),
        Correction("too_fast", "safety", "Lower your knees slowly.", 1, 9.0),
    ]
    run = Run(1, 1, "supine-twist", "as-defined", 1, 1, 20.0, 1, 0.0)
    coach = SimpleNamespace(routine=SimpleNamespace(title="Flow"), runs_done=1, runs=[run],
                            attempts=[Attempt(run, ex, 0.0, 30.0, "done", s)])  # fmt: skip
    lines = step_lines(coach)  # type: ignore[arg-type]
    assert lines[0] == "Flow: 1 of 1 steps done"
    assert lines[1].endswith(
        "score 55/100; fix: Let the knees rest, do not bounce. Lower your knees slowly."
    )

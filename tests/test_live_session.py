"""Whole live sessions without the model: scripted bridge poses, frames from a fake camera.

These run the real pieces (pipeline.run, the engine, the coach, the writers)
with a source and an estimator injected, so set-up, keys, a lost camera and the
saved session are tested in a fraction of a second. The real model on real
footage is in test_live_model.py.
"""

from __future__ import annotations

import io
import json
import math
import os
import signal

import numpy as np
import pytest

from posecheck.cli import main
from posecheck.live.session import LiveOptions, run_live
from posecheck.live.setup import MSG_NO_PERSON, MSG_SIDE
from posecheck.live.speech import Speaker
from posecheck.pose import Frame, MediaInfo

from helpers import make_pose

FPS = 15.0


def _bridge():
    from posecheck.library import Library

    return Library.load().get("bridge")


def _mid(ex, phase: str, measure: str = "hip") -> float:
    t = next(t for t in ex.phase(phase).targets if t.measure == measure)
    lo = t.min if t.min is not None else t.max - 20
    hi = min(t.max if t.max is not None else t.min + 20, 180.0)
    return (lo + hi) / 2


def bridge_pose(hip_deg: float, front: bool = False):
    """A side-on person in a bridge with the given shoulder-hip-knee angle (640x360 frame)."""
    hip, knee, ankle = np.array([330.0, 250.0]), np.array([430.0, 180.0]), np.array([450.0, 290.0])
    phi = math.atan2(knee[1] - hip[1], knee[0] - hip[0]) - math.radians(hip_deg)
    shoulder = hip + 150 * np.array([math.cos(phi), math.sin(phi)])
    pts = {}
    for side, dx in (("left", 0.0), ("right", 3.0)):
        pts.update({
            f"{side}_shoulder": tuple(shoulder + (dx, 0)), f"{side}_hip": tuple(hip + (dx, 0)),
            f"{side}_knee": tuple(knee + (dx, 0)), f"{side}_ankle": tuple(ankle + (dx, 0)),
            f"{side}_heel": tuple(ankle + (dx - 12, 10)),
            f"{side}_foot_index": tuple(ankle + (dx + 40, 10)),
            f"{side}_elbow": tuple(shoulder + (dx + 60, 20)),
            f"{side}_wrist": tuple(shoulder + (dx + 120, 30)),
        })  # fmt: skip
    if front:  # shoulders far apart: seen from the front
        pts["left_shoulder"] = (shoulder[0], shoulder[1] - 60)
        pts["right_shoulder"] = (shoulder[0], shoulder[1] + 60)
    return make_pose(pts, image_size=(640, 360))


def bridge_script(ex, reps: int, lead_s: float = 1.0):
    """(t_s, hip_deg) per frame: down, rise, hold past the dose, lower, down again."""
    down, up = _mid(ex, "down"), _mid(ex, "up")
    hold = (ex.phase("up").hold_s or ex.dose.hold_s or 2.0) + 1.0
    seg = [(lead_s, down, down), (0.6, down, up), (hold, up, up), (0.6, up, down),
           (1.2, down, down)]  # fmt: skip
    angles: list[float] = []
    for r in range(reps):
        for dur, a, b in seg if r == 0 else seg[1:]:
            n = round(dur * FPS)
            angles += [a + (b - a) * (i + 1) / n for i in range(n)]
    return angles


class ScriptSource:
    """A fake camera or video: black frames; ``fail_at`` raises OSError there (unplugged)."""

    def __init__(self, n: int, kind: str = "video", fail_at: int | None = None):
        self.n, self.fail_at, self.closed = n, fail_at, False
        self.info = MediaInfo("fake", kind, FPS, n if kind == "video" else 0, 640, 360)
        self.warnings: list[str] = []  # as a real source: none for a clean input

    def frames(self):
        img = np.zeros((360, 640, 3), np.uint8)
        for i in range(self.n):
            if i == self.fail_at:
                raise OSError("device unplugged")
            yield Frame(i, i / FPS, img)

    def close(self):
        self.closed = True


class ScriptEstimator:
    """Poses from a script: None (nobody), a hip angle, or ("front", angle)."""

    def __init__(self, script):
        self.script = script

    def estimate(self, frame):
        s = self.script[min(frame.index, len(self.script) - 1)]
        if s is None:
            return None
        if isinstance(s, tuple):
            return bridge_pose(s[1], front=True)
        return bridge_pose(s)

    def close(self):
        pass


class SilentSpeaker(Speaker):
    """Records what would be said, starts no process."""

    def __init__(self):
        class _P:
            def poll(self):
                return 0

            def wait(self, timeout=None):
                return 0

            stderr = None

        super().__init__(command=["say"], runner=lambda cmd: _P(), cooldown_s=8.0)


def live(tmp_path, script, kind="video", fail_at=None, **kw):
    opts = LiveOptions(exercise="bridge", camera="fake", window=False, json_lines=True,
                       outdir=str(tmp_path / "session"), countdown_s=kw.pop("countdown_s", 0.0),
                       smoothing=False, **kw)  # fmt: skip
    out, err = io.StringIO(), io.StringIO()
    src = ScriptSource(len(script), kind, fail_at)
    outcome = run_live(opts, source=src, estimator=ScriptEstimator(script),
                       speaker=SilentSpeaker(), stdout=out, stderr=err)  # fmt: skip
    events = [json.loads(ln) for ln in out.getvalue().splitlines()]
    return outcome, events, err.getvalue(), src


def saved(outdir):
    from posecheck.landmarks_io import read_landmarks

    summary = json.loads((outdir / "summary.json").read_text())
    rows = (outdir / "frames.csv").read_text().splitlines()
    lm = read_landmarks(outdir / "live.landmarks.npz")
    return summary, rows, lm


def kinds(events, kind):
    return [e for e in events if e["kind"] == kind]


def test_session_counts_holds_and_reps_and_saves_like_analyze(tmp_path):
    ex = _bridge()
    script = bridge_script(ex, reps=2)
    outcome, events, err, src = live(tmp_path, script)
    assert outcome.ended == "end of video" and not outcome.disconnected and src.closed
    assert [e["index"] for e in kinds(events, "rep")] == [1, 2]
    assert len(kinds(events, "hold_start")) == 2
    assert [e["reached"] for e in kinds(events, "hold_end")] == [True, True]
    assert events[-1]["kind"] == "summary" and events[-1]["reps_complete"] == 2
    summary, rows, lm = saved(outcome.outdir)
    jsonschema = pytest.importorskip("jsonschema")
    from importlib.resources import files

    schema = json.loads((files("posecheck") / "data" / "summary.schema.json").read_text())
    jsonschema.validate(summary, schema)  # the same summary.json as analyze writes
    assert summary["reps_complete"] == 2 and summary["holds_reached"] == 2
    assert summary["partial"] is False and summary["live"]["ended"] == "end of video"
    assert len(rows) == 1 + len(script) and len(lm) == len(script)
    assert sorted(p.name for p in outcome.outdir.iterdir()) == [
        "frames.csv",
        "live.landmarks.npz",
        "summary.json",
    ]  # no video without --record
    # Spoken: hold start, hold complete, the rep number, for each rep.
    said = [w for w in outcome.spoken if w in ("Hold", "Hold complete", "1", "2")]
    assert said == ["Hold", "Hold complete", "1", "Hold", "Hold complete", "2"]
    assert "Nothing leaves this computer" not in err  # --json keeps stderr quiet


def test_a_session_that_never_saw_anybody_says_so(tmp_path):
    # a camera pointed at an empty room ended "reps 0 of 10", exit 0, and no warning
    from posecheck.live.session import summary_lines

    outcome, _events, _err, _src = live(tmp_path, [None] * 40)
    summary, _rows, _lm = saved(outcome.outdir)
    assert summary["frames_with_pose"] == 0
    assert summary["warnings"] == [
        "no person was found in any of the 40 frames: film the whole body, well lit, from "
        "the distance the exercise's camera notes give"
    ]
    lines = summary_lines(outcome.summary, _bridge())
    assert lines[0].startswith("Bridge: ") and "side" not in lines[0]  # no side of nobody
    assert lines[-1].startswith("nobody was seen: the whole body in view, well lit")


def test_score_reads_a_saved_live_session(tmp_path, capsys):
    ex = _bridge()
    outcome, _, _, _ = live(tmp_path, bridge_script(ex, reps=2))
    capsys.readouterr()
    report = tmp_path / "scores.json"
    code = main(["score", str(outcome.outdir), "-j", "1", "-q", "--json", str(report)])
    assert code in (0, 1), capsys.readouterr().err  # 1 only means: below --min-score / no score
    rows = json.loads(report.read_text())
    rows = rows.get("rows", rows) if isinstance(rows, dict) else rows
    assert len(rows) == 1 and rows[0]["exercise"] == "bridge"
    assert rows[0]["reps"] == 2


def test_video_ending_on_the_way_down_counts_the_rep_in_every_output(tmp_path):
    """The end of the input closes the second rep: it is printed as an event (dated at the
    last frame), counted on frames.csv's last row and in summary.json alike."""
    ex = _bridge()
    script = bridge_script(ex, reps=2)[:-20]  # stops as the person gets back down
    outcome, events, _, _ = live(tmp_path, script)
    summary, rows, _ = saved(outcome.outdir)
    assert summary["reps_complete"] == 2
    reps = kinds(events, "rep")
    assert [e["index"] for e in reps] == [1, 2] and reps[-1]["frame"] == len(script) - 1
    assert events[-1]["kind"] == "summary"
    col = rows[0].split(",").index("reps")
    assert [r.split(",")[col] for r in rows[-2:]] == ["1", "2"]
    assert len(rows) == 1 + len(script)


def rescore(capsys, outdir, tmp_path) -> dict:
    """``posecheck score`` of a saved session folder: its one row."""
    capsys.readouterr()
    report = tmp_path / "scores.json"
    code = main(["score", str(outdir), "-j", "1", "-q", "--json", str(report)])
    assert code in (0, 1), capsys.readouterr().err  # 1 only means: below --min-score / no score
    rows = json.loads(report.read_text())
    assert len(rows) == 1 and not rows[0].get("error"), rows
    return rows[0]


@pytest.mark.parametrize(
    "countdown_s, keys, live_reps",
    [
        # the first rise starts during the 3 s countdown: live counts only the second rep
        (3.0, "", 1),
        # paused during the first hold, resumed once back down: the rep still counts
        # (a pause resets nothing) but its hold stopped short of the target
        (0.0, "2.6:space,9:space", 2),
        # nothing left out: both reps judged, live and re-scored alike
        (0.0, "", 2),
    ],
)  # fmt: skip
def test_rescore_of_a_live_session_judges_what_live_judged(
    tmp_path, capsys, countdown_s, keys, live_reps
):
    ex = _bridge()
    outcome, _, _, _ = live(tmp_path, bridge_script(ex, reps=2), countdown_s=countdown_s,
                            keys=keys)  # fmt: skip
    summary, rows, lm = saved(outcome.outdir)
    assert summary["reps_complete"] == live_reps
    # the file says which frames live judged: from the first counted frame on
    col = rows[0].split(",").index("state")
    judged = [r.split(",")[col] != "paused" for r in rows[1:]]
    assert lm.paused is not None and list(~lm.paused) == judged
    assert lm.meta["exercise_start_s"] == pytest.approx(float(lm.t_s[judged.index(True)]))
    row = rescore(capsys, outcome.outdir, tmp_path)
    assert row["reps"] == summary["reps_complete"]
    # the holds counted as the session counted them (a hold before the first rep judged
    # is the setup: not counted, exview.hold_counts)
    assert row["holds"] == f"{summary['holds_reached']}/{summary['holds_due']}"
    assert row["holds_total"] == summary["holds_due"]  # the holds due, as "holds" says
    assert row["holds_done"] <= len(summary["holds"])
    assert row["score"] == summary["score"]
    assert row["frames"] == summary["frames"]


def test_setup_stage_waits_for_view_then_counts_down(tmp_path):
    ex = _bridge()
    down = _mid(ex, "down")
    lead = [None] * 15 + [("front", down)] * 15  # nobody for 1 s, then facing the camera
    script = lead + bridge_script(ex, reps=1, lead_s=2.0)
    outcome, events, _, _ = live(tmp_path, script, countdown_s=1.0)
    states = [(e["state"], e["cue"]) for e in kinds(events, "state")
              if e["state"] in ("setup", "countdown", "counting")]  # fmt: skip
    assert states[:4] == [
        ("setup", ""),
        ("setup", MSG_NO_PERSON),
        ("setup", MSG_SIDE),
        ("countdown", "Get ready"),
    ]
    go = next(e for e in kinds(events, "state") if e["state"] == "counting")
    # In place from frame 30 (t=2.0 s); counting starts after 1 s of camera time.
    assert go["t_s"] == pytest.approx(3.0, abs=1.5 / FPS)
    first_hold = kinds(events, "hold_start")[0]
    assert first_hold["t_s"] > go["t_s"]
    assert [e["index"] for e in kinds(events, "rep")] == [1]


def test_keys_pause_side_and_quit(tmp_path):
    ex = _bridge()
    script = bridge_script(ex, reps=3)
    # Pause in the middle of the first hold, resume, switch side, then quit.
    t_hold = 1.0 + 0.6 + 1.0
    outcome, events, _, _ = live(
        tmp_path,
        script,
        keys=f"{t_hold}:space,{t_hold + 1.0}:space,{t_hold + 5.0}:s,{t_hold + 8.0}:q",
    )
    assert outcome.keys == ["pause", "pause", "switch_side", "quit"]
    assert outcome.ended == "quit"
    paused = next(e for e in kinds(events, "state") if e["state"] == "paused")
    resumed = next(e for e in kinds(events, "state") if e["state"] == "setup"
                   and e["t_s"] > paused["t_s"])  # fmt: skip
    assert paused["t_s"] == pytest.approx(t_hold, abs=1.5 / FPS)  # acts on the next frame
    assert resumed["t_s"] == pytest.approx(t_hold + 1.0, abs=1.5 / FPS)
    # The hold that was running ends as the pause starts, still held: stopped, not short.
    first_end = kinds(events, "hold_end")[0]
    assert first_end["reached"] is False and first_end["stopped"] == "stop"
    assert first_end["t_s"] == pytest.approx(paused["t_s"], abs=1.5 / FPS)
    assert not [e for e in kinds(events, "hold_start")
                if paused["t_s"] <= e["t_s"] < resumed["t_s"]]  # fmt: skip
    side_ev = kinds(events, "side")[-1]
    assert side_ev["t_s"] == pytest.approx(t_hold + 5.0, abs=1.5 / FPS)
    summary, rows, _ = saved(outcome.outdir)
    col = rows[0].split(",").index("side")
    sides = {(float(r.split(",")[1]) >= side_ev["t_s"]): r.split(",")[col] for r in rows[1:]}
    assert sides[True] == side_ev["side"] != sides[False]  # the other side from then on
    last_t = float(rows[-1].split(",")[1])
    assert last_t == pytest.approx(t_hold + 8.0, abs=1.5 / FPS)  # stopped at the q
    assert summary["live"]["ended"] == "quit" and summary["partial"] is False
    assert not [c for c in summary["corrections"] if c["holds"] == [1]]  # the paused hold


def test_quit_mid_hold_is_no_hold_to_make_longer(tmp_path):
    """q in the middle of a hold: the person stopped, the hold did not stop short (it was
    told "Hold the top for 5 s: your longest hold was 1.5 s")."""
    ex = _bridge()
    t_hold = 1.0 + 0.6 + 1.5
    outcome, events, _, _ = live(tmp_path, bridge_script(ex, reps=2), keys=f"{t_hold}:q")
    assert outcome.ended == "quit"
    summary, _, _ = saved(outcome.outdir)
    assert [(h["stopped"], h["reached"]) for h in summary["holds"]] == [("stop", False)]
    assert not [c for c in summary["corrections"] if c["kind"] == "hold" or "hold" in c["id"]]
    # re-scored, the session still ended by the quit key (it read "the recording ended
    # 2.6 s into your last hold: keep recording ...", of a session with no recording)
    lm = next(outcome.outdir.glob("*.landmarks.npz"))
    out = tmp_path / "rows.json"
    assert main(["score", str(lm), "-e", "bridge", "-j", "1", "-q", "--no-history",
                 "--json", str(out)]) in (0, 1)  # fmt: skip
    (row,) = json.loads(out.read_text())
    assert row["top_fault_id"] and not row["top_fault_id"].startswith("short_hold")
    assert "recording ended" not in row["top_fault"]
    assert (row["holds_reached"], row["holds_total"]) == (0, summary["holds_due"])
    # ended by Ctrl-C or SIGTERM ("interrupted"): counting stopped there too
    path = outcome.outdir / "summary.json"
    path.write_text(path.read_text().replace('"ended": "quit"', '"ended": "interrupted"'))
    assert main(["score", str(lm), "-e", "bridge", "-j", "1", "-q", "--no-history",
                 "--json", str(out)]) in (0, 1)  # fmt: skip
    (again,) = json.loads(out.read_text())
    assert (again["top_fault_id"], again["score"]) == (row["top_fault_id"], row["score"])


def test_camera_pulled_mid_session_saves_what_was_done(tmp_path):
    ex = _bridge()
    script = bridge_script(ex, reps=3)
    n_rep = len(bridge_script(ex, reps=1))
    cut = n_rep + 20  # one rep done, the second one under way
    outcome, events, err, src = live(tmp_path, script, kind="camera", fail_at=cut)
    assert outcome.ended == "camera lost" and "device unplugged" in outcome.disconnected
    assert src.closed
    assert f"camera lost at {(cut - 1) / FPS:.1f} s: device unplugged" in err
    assert "session so far is saved" in err and "(partial: not recorded in the history)" in err
    summary, rows, lm = saved(outcome.outdir)
    assert summary["partial"] is True and summary["reps_complete"] == 1
    assert any("camera lost" in w for w in summary["warnings"])
    assert summary["live"]["disconnected"].startswith("camera lost")
    assert len(rows) == 1 + cut and len(lm) == cut


def test_cli_camera_lost_exits_2_with_the_session_saved(tmp_path, monkeypatch, capsys):
    import posecheck.live.session as session

    ex = _bridge()
    script = bridge_script(ex, reps=2)
    real = session.run_live

    def fake_run_live(opts):
        return real(opts, source=ScriptSource(len(script), "camera", fail_at=40),
                    estimator=ScriptEstimator(script), speaker=SilentSpeaker())  # fmt: skip

    monkeypatch.setattr(session, "run_live", fake_run_live)
    code = main(["live", "bridge", "--no-window", "--countdown", "0", "-o", str(tmp_path / "s")])
    cap = capsys.readouterr()
    assert code == 2
    assert "camera lost at" in cap.err and (tmp_path / "s" / "summary.json").is_file()
    assert "saved:" in cap.out


@pytest.mark.parametrize(
    "argv, env, message",
    [
        (["live", "brige", "--no-window"], {}, "unknown exercise 'brige' (did you mean bridge"),
        (["live", "bridge"], {"DISPLAY": None, "WAYLAND_DISPLAY": None},
         "no display available: DISPLAY is not set (run headless with --no-window"),
        (["live", "bridge"], {"DISPLAY": ":87", "WAYLAND_DISPLAY": None},
         "cannot open a window on display ':87': qt.qpa.xcb: could not connect to display :87"),
        (["live", "bridge", "--no-window", "--camera", "57"], {}, "camera 57 did not open ("),
        (["live", "bridge", "--no-window", "--camera", "/dev/video97"], {},
         "/dev/video97: no such camera device"),
        (["live", "bridge", "--no-window", "--camera", "nothing-here.mp4"], {},
         "nothing-here.mp4: no such file or folder"),
        (["live", "bridge", "--no-window", "--keys", "soon:q"], {}, "--keys: cannot read"),
        # inf crashed the countdown's display mid-session; nan read as 0
        (["live", "bridge", "--no-window", "--countdown", "inf"], {},
         "argument --countdown: must be a number of seconds, 0 or more"),
        (["live", "bridge", "--no-window", "--rest", "nan"], {},
         "argument --rest: must be a number of seconds, 0 or more"),
    ],
)  # fmt: skip
def test_cli_bad_input_one_line(argv, env, message, tmp_path, monkeypatch, capsys):
    for k, v in env.items():
        if v is None:
            monkeypatch.delenv(k, raising=False)
        else:
            monkeypatch.setenv(k, v)
    monkeypatch.chdir(tmp_path)
    code = main(argv)
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len(err) == 1 and err[0].startswith("posecheck: error: ") and message in err[0], err
    assert list(tmp_path.iterdir()) == []  # no empty session folder left behind


def test_cli_refuses_a_non_empty_outdir(tmp_path, capsys):
    (tmp_path / "old.txt").write_text("x")
    code = main(["live", "bridge", "--no-window", "-o", str(tmp_path)])
    assert code == 2 and "not empty" in capsys.readouterr().err


def test_a_folder_a_killed_session_left_only_temporary_files_in_is_empty(tmp_path):
    # SIGKILL mid-session left ".frames.csv.<8>.tmp": the re-run was refused as "not empty"
    from posecheck.errors import InputError
    from posecheck.live.session import _check_outdir

    (tmp_path / ".frames.csv._6zjlyec.tmp").write_text("half")
    (tmp_path / ".annotated.mp4.ab12cd34.mp4").write_bytes(b"half")
    _check_outdir(tmp_path, force=False)
    assert list(tmp_path.iterdir()) == []
    (tmp_path / ".notes.txt").write_text("the person's own")  # not a temporary name
    with pytest.raises(InputError, match="not empty"):
        _check_outdir(tmp_path, force=False)


def test_dose_complete_ends_the_session(tmp_path):
    # A user definition (same name, replaces the built-in) with a dose of 2 reps.
    from posecheck.library import Library, builtin_dir

    text = (builtin_dir() / "bridge.toml").read_text()
    lines = text.splitlines()
    dose = lines.index("[dose]")
    reps = next(i for i in range(dose, len(lines)) if lines[i].startswith("reps "))
    lines[reps] = "reps = 2"
    mine = tmp_path / "poses"
    mine.mkdir()
    (mine / "bridge.toml").write_text("\n".join(lines) + "\n")
    lib = Library.load([mine])
    ex = lib.get("bridge")
    assert ex.dose.reps == 2 and ex.dose.sets == 1
    script = bridge_script(ex, reps=4)
    opts = LiveOptions(exercise="bridge", camera="fake", window=False, json_lines=True,
                       outdir=str(tmp_path / "s"), countdown_s=0.0, smoothing=False)  # fmt: skip
    out = io.StringIO()
    outcome = run_live(opts, source=ScriptSource(len(script)), estimator=ScriptEstimator(script),
                       speaker=SilentSpeaker(), library=lib, stdout=out,
                       stderr=io.StringIO())  # fmt: skip
    events = [json.loads(ln) for ln in out.getvalue().splitlines()]
    assert outcome.ended == "done"
    assert [e["index"] for e in kinds(events, "rep")] == [1, 2]
    done = kinds(events, "set_complete")
    assert len(done) == 1 and "Set complete" in outcome.spoken
    summary, rows, _ = saved(outcome.outdir)
    assert summary["live"]["ended"] == "done" and summary["reps_complete"] == 2
    # Stopped at the second rep, long before the script's end.
    assert float(rows[-1].split(",")[1]) == pytest.approx(done[0]["t_s"], abs=1.5 / FPS)
    assert len(rows) - 1 < len(script) // 2 + 5


class InterruptingSource(ScriptSource):
    """Ctrl-C arrives while frames are being read."""

    def __init__(self, n: int, interrupt_at: int):
        super().__init__(n, "camera")
        self.interrupt_at = interrupt_at

    def frames(self):
        for f in super().frames():
            if f.index == self.interrupt_at:
                raise KeyboardInterrupt
            yield f


def test_ctrl_c_exits_130_with_a_partial_session_saved(tmp_path, monkeypatch, capsys):
    import posecheck.live.session as session

    ex = _bridge()
    script = bridge_script(ex, reps=2)
    real = session.run_live

    def fake_run_live(opts):
        return real(opts, source=InterruptingSource(len(script), interrupt_at=50),
                    estimator=ScriptEstimator(script), speaker=SilentSpeaker())  # fmt: skip

    monkeypatch.setattr(session, "run_live", fake_run_live)
    out = tmp_path / "s"
    code = main(["live", "bridge", "--no-window", "--countdown", "0", "-o", str(out)])
    cap = capsys.readouterr()
    assert code == 130
    assert f"the session so far is saved in {out}/" in cap.err
    summary, rows, lm = saved(out)
    assert summary["partial"] is True and summary["live"]["ended"] == "interrupted"
    assert len(rows) - 1 == len(lm) == 50


class CtrlCSource(ScriptSource):
    """A real Ctrl-C (SIGINT to this process) at frame ``at`` while frames come from a
    camera; pressed ``times`` times."""

    def __init__(self, n: int, at: int, times: int = 1):
        super().__init__(n, "camera")
        self.at, self.times = at, times

    def frames(self):
        for f in super().frames():
            if f.index == self.at:
                for _ in range(self.times):
                    os.kill(os.getpid(), signal.SIGINT)
            yield f


@pytest.mark.parametrize(("times", "code", "partial"), [(1, 0, False), (2, 130, True)])
def test_the_first_ctrl_c_ends_the_session_as_q_does(tmp_path, monkeypatch, capsys, times,
                                                     code, partial):  # fmt: skip
    # headless, Ctrl-C is the only way to stop ("headless; Ctrl-C to stop"), and the
    # session it stopped was saved as partial and never recorded in the history
    import posecheck.live.session as session

    ex = _bridge()
    script = bridge_script(ex, reps=2)
    real = session.run_live

    def fake_run_live(opts):
        return real(opts, source=CtrlCSource(len(script), 50, times),
                    estimator=ScriptEstimator(script), speaker=SilentSpeaker())  # fmt: skip

    monkeypatch.setattr(session, "run_live", fake_run_live)
    out, db = tmp_path / "s", tmp_path / "h.sqlite"
    before = signal.getsignal(signal.SIGINT)  # (ignored in a run started in the background)
    got = main(["live", "bridge", "--no-window", "--countdown", "0", "-o", str(out),
                "--db", str(db)])  # fmt: skip
    err = capsys.readouterr().err
    assert got == code
    assert "posecheck: stopping; the session is saved as it ends (Ctrl-C again: at once)" in err
    summary, rows, _lm = saved(out)
    assert summary["partial"] is partial
    assert summary["live"]["ended"] == ("interrupted" if partial else "quit")
    assert 50 <= len(rows) - 1 <= 53
    assert db.exists() is not partial  # a session ended by Ctrl-C is a session done
    assert signal.getsignal(signal.SIGINT) is before  # restored


class GappySource(ScriptSource):
    """A camera whose consumer was too slow for every other frame (indices 0, 2, 4, ...)."""

    def frames(self):
        for f in super().frames():
            if f.index % 2 == 0:
                yield f


def test_record_keeps_real_time_despite_dropped_frames(tmp_path):
    import av

    ex = _bridge()
    script = bridge_script(ex, reps=1)
    n = len(script) - (len(script) + 1) % 2  # ends on an even index
    outcome, _, _, _ = live(tmp_path, script[:n], record=True)
    assert outcome.files[-1] == "annotated.mp4"
    opts = LiveOptions(exercise="bridge", camera="fake", window=False, json_lines=True,
                       outdir=str(tmp_path / "gaps"), countdown_s=0.0, smoothing=False,
                       record=True)  # fmt: skip
    gappy = run_live(
        opts,
        source=GappySource(n, "camera"),
        estimator=ScriptEstimator(script),
        speaker=SilentSpeaker(),
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    counts = []
    for o in (outcome, gappy):
        with av.open(str(o.outdir / "annotated.mp4")) as c:
            counts.append(sum(1 for _ in c.decode(video=0)))
    # Every frame of the source's clock is in the video, dropped ones as repeats.
    assert counts == [n, n]
    assert json.loads((gappy.outdir / "summary.json").read_text())["live"]["video_recorded"]


@pytest.mark.parametrize(("exercise", "note"), [("pelvic-tilt", True), ("bridge", False)])
def test_the_terminal_says_what_the_camera_cannot_see_as_analyze_does(tmp_path, exercise, note):
    opts = LiveOptions(exercise=exercise, camera="fake", window=False, json_lines=False,
                       outdir=str(tmp_path / "s"), countdown_s=0.0, smoothing=False)  # fmt: skip
    script = [120.0] * 20  # hip angles: a person lying with knees bent
    out, err = io.StringIO(), io.StringIO()
    run_live(opts, source=ScriptSource(len(script), "video", None),
             estimator=ScriptEstimator(script), speaker=SilentSpeaker(), stdout=out,
             stderr=err)  # fmt: skip
    lines = [ln for ln in out.getvalue().splitlines() if ln.startswith("note: ")]
    assert bool(lines) is note
    if note:
        assert lines[0].startswith("note: The camera judges this exercise only partly: ")

"""``posecheck live`` with the real model on real footage: a clip played as if it were the camera.

Why the comparison is on counts and times with a tolerance, not frame by frame:
a file played "live" is paced at its own speed and the newest frame wins, so
when the model (or a loaded machine) is slower than the clip, frames are
dropped. The engine then sees fewer samples of the same movement: every rep and
hold is still there (a bridge top lasts ~1.5 s, dozens of frames), but phase
changes land a few frame intervals later or earlier. So reps and holds must
match the offline run exactly in number, and each hold's start and end within
0.5 s (the labels' own precision is +-0.3 s).

The window test runs the real window under Xvfb and screenshots it.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from posecheck.cli import main

from conftest import REPO, media_path

CLIP = "bridge/glute-bridge-3-reps-side.mp4"


@pytest.fixture(scope="module")
def offline_bridge():
    """The engine's result for the same clip, every frame, through pipeline.run (as analyze)."""
    from posecheck import pipeline
    from posecheck.engine import Engine
    from posecheck.estimator import EstimatorOptions, MediaPipeEstimator
    from posecheck.library import Library
    from posecheck.smoothing import PoseSmoother
    from posecheck.sources import open_source

    clip = media_path(CLIP)
    ex = Library.load().get("bridge")
    est = MediaPipeEstimator(EstimatorOptions())
    with open_source(clip) as src:
        summary = pipeline.run(src, est, Engine(ex), [], smoother=PoseSmoother())
    est.close()
    return summary


@pytest.mark.model
def test_live_headless_on_real_clip_matches_offline_engine(tmp_path, capsys, offline_bridge):
    clip = media_path(CLIP)
    out = tmp_path / "session"
    code = main(["live", "bridge", "--camera", str(clip), "--no-window", "--json", "--mute",
                 "--countdown", "0", "--stats", "-o", str(out)])  # fmt: skip
    cap = capsys.readouterr()
    assert code == 0, cap.err
    events = [json.loads(ln) for ln in cap.out.splitlines()]
    last = events[-1]
    assert last["kind"] == "summary"

    ref = offline_bridge
    assert ref.reps_complete == 3  # the labelled count: the reference itself is right
    assert last["reps_complete"] == ref.reps_complete
    assert len(last["holds"]) == len(ref.holds)
    for got, want in zip(last["holds"], ref.holds, strict=True):
        assert got["start_s"] == pytest.approx(want.start_s, abs=0.5)
        assert got["end_s"] == pytest.approx(want.end_s, abs=0.5)
    # The printed events agree with the summary: every hold started and ended was
    # printed, and every rep, also one the end of the clip closes, is the summary's rep.
    assert len([e for e in events if e["kind"] == "hold_start"]) == len(last["holds"])
    assert len([e for e in events if e["kind"] == "hold_end"]) == len(last["holds"])
    printed = [e for e in events if e["kind"] == "rep"]
    assert len(printed) == last["reps_complete"]
    for e in printed:
        rep = last["reps"][e["index"] - 1]
        assert (e["start_s"], e["end_s"]) == (rep["start_s"], rep["end_s"])

    # The saved session: complete files, same numbers, landmarks readable.
    from posecheck.landmarks_io import read_landmarks

    summary = json.loads((out / "summary.json").read_text())
    assert summary["partial"] is False and summary["reps_complete"] == 3
    assert summary["live"]["ended"] == "end of video"
    rows = (out / "frames.csv").read_text().splitlines()
    lm = read_landmarks(out / "live.landmarks.npz")
    assert len(rows) - 1 == len(lm) == summary["frames"]
    assert summary["frames"] + summary["live"]["frames_dropped"] == 392  # every frame accounted
    assert int(rows[-1].split(",")[rows[0].split(",").index("reps")]) == summary["reps_complete"]
    assert "stats: frames shown" in cap.err and "latency ms: p50" in cap.err
    # Re-scored from its landmarks (no model), the session gives what live reported.
    assert _rescore(out, tmp_path) == _live_result(summary)


def _rescore(outdir: Path, tmp_path: Path) -> tuple:
    code = main(["score", str(outdir), "-j", "1", "-q", "--json", str(tmp_path / "s.json")])
    row = json.loads((tmp_path / "s.json").read_text())[0]
    assert code == 0 and row["exercise_from"] == "saved session", row
    return row["reps"], row["holds_reached"], row["holds_total"], row["score"]


def _live_result(summary: dict) -> tuple:
    return (summary["reps_complete"], summary["holds_reached"], summary["holds_due"],
            summary["score"])  # fmt: skip


@pytest.mark.model
def test_live_session_with_countdown_rescores_to_the_live_result(tmp_path, capsys):
    """The clip as the camera with the usual 3 s countdown: live judges from the end of
    the countdown; the saved landmarks say so and the re-score judges the same frames."""
    from posecheck.landmarks_io import read_landmarks

    out = tmp_path / "session"
    code = main(["live", "bridge", "--camera", str(media_path(CLIP)), "--no-window", "--mute",
                 "--countdown", "3", "-o", str(out)])  # fmt: skip
    assert code == 0, capsys.readouterr().err
    summary = json.loads((out / "summary.json").read_text())
    lm = read_landmarks(out / "live.landmarks.npz")
    start = lm.meta["exercise_start_s"]
    assert start >= 3.0 and lm.paused[0] and not lm.paused[-1]
    assert not lm.paused[lm.t_s >= start].any()  # judged from the start to the end
    assert _rescore(out, tmp_path) == _live_result(summary)


def _free_display() -> int:
    for n in range(90, 120):
        if not Path(f"/tmp/.X11-unix/X{n}").exists() and not Path(f"/tmp/.X{n}-lock").exists():
            return n
    pytest.skip("no free X display number")


@pytest.fixture
def xvfb():
    if not shutil.which("Xvfb"):
        pytest.skip("Xvfb not installed (apt-get install xvfb)")
    if not shutil.which("import"):
        pytest.skip("ImageMagick 'import' not installed (for the screenshot)")
    n = _free_display()
    proc = subprocess.Popen(["Xvfb", f":{n}", "-screen", "0", "1400x900x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    env = {**os.environ, "DISPLAY": f":{n}"}
    # Ready when a client can talk to it (xdpyinfo-free check: the socket appears).
    sock = Path(f"/tmp/.X11-unix/X{n}")
    for _ in range(100):
        if sock.exists() or proc.poll() is not None:
            break
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=0.1)
    if not sock.exists():
        proc.kill()
        pytest.skip("Xvfb did not start")
    yield env
    proc.terminate()
    proc.wait(timeout=10)


def _painted(img: np.ndarray) -> bool:
    """The camera picture (the top-left 1280x720) has been painted."""
    return bool(img[:720, :1280].std() > 30)


def _screenshot(env, path: Path, tries: int = 20, ready=_painted) -> np.ndarray | None:
    """The whole screen; taken again (up to ``tries`` times, 0.3 s apart) while Qt has not
    painted the window yet (on a loaded machine the first shots after a state change
    can be all black for seconds)."""
    import time

    import cv2

    img = None
    for i in range(tries):
        if i:
            time.sleep(0.3)
        r = subprocess.run(["import", "-window", "root", str(path)], env=env,
                           capture_output=True, timeout=30, check=False)  # fmt: skip
        img = cv2.imread(str(path)) if r.returncode == 0 and path.exists() else None
        if img is not None and img.shape[:2] == (900, 1400) and ready(img):
            break
    return img


def _x_key(display: str, key: str) -> bool:
    """Press and release a key on an X display through XTest (what xdotool does)."""
    import ctypes
    import ctypes.util

    x11 = ctypes.util.find_library("X11")
    xtst = ctypes.util.find_library("Xtst")
    if not x11 or not xtst:
        return False
    X, T = ctypes.CDLL(x11), ctypes.CDLL(xtst)
    X.XOpenDisplay.restype = ctypes.c_void_p
    X.XOpenDisplay.argtypes = [ctypes.c_char_p]
    X.XStringToKeysym.restype = ctypes.c_ulong
    X.XKeysymToKeycode.argtypes = [ctypes.c_void_p, ctypes.c_ulong]
    T.XTestFakeKeyEvent.argtypes = [ctypes.c_void_p, ctypes.c_uint, ctypes.c_int, ctypes.c_ulong]
    X.XFlush.argtypes = [ctypes.c_void_p]
    X.XCloseDisplay.argtypes = [ctypes.c_void_p]
    d = X.XOpenDisplay(display.encode())
    if not d:
        return False
    code = X.XKeysymToKeycode(d, X.XStringToKeysym(key.encode()))
    T.XTestFakeKeyEvent(d, code, 1, 0)
    T.XTestFakeKeyEvent(d, code, 0, 0)
    X.XFlush(d)
    X.XCloseDisplay(d)
    return True


@pytest.mark.model
def test_live_window_under_xvfb(xvfb, tmp_path):
    """The real window: screenshots of it, and real key presses (XTest) reaching cv2.waitKey.

    Keys follow the session's own events (read from --json lines as they come), not
    the clock: space once coaching has started, space again once it is paused, q
    once it counts again. A screenshot is taken at each of the first two moments.
    """
    clip = media_path(CLIP)
    if shutil.which("ffmpeg"):
        # The clip three times over (stream copy, in the test's temp folder): time for
        # screenshots that take seconds on a loaded machine while the "camera" plays on.
        looped = tmp_path / "bridge-x3.mp4"
        subprocess.run(["ffmpeg", "-v", "error", "-stream_loop", "2", "-i", str(clip), "-c",
                        "copy", str(looped)], check=True, timeout=60)  # fmt: skip
        clip = looped
    out = tmp_path / "session"
    cmd = [sys.executable, "-m", "posecheck", "live", "bridge", "--camera", str(clip), "--mute",
           "--countdown", "0", "--stats", "--json", "--summary-seconds", "2",
           "-o", str(out)]  # fmt: skip
    env = {**xvfb, "PYTHONPATH": str(REPO / "src")}
    err_path = tmp_path / "stderr.txt"
    with err_path.open("w") as err:
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=err, text=True,
                                bufsize=1)  # fmt: skip
        events, pressed, shots = [], [], {}
        for line in proc.stdout:
            ev = json.loads(line)
            events.append(ev)
            if not pressed and ev["t_s"] >= 0.5 and ev["kind"] != "summary":
                # Coaching for half a second: the window is surely up.
                pressed.append("space" if _x_key(xvfb["DISPLAY"], "space") else "-")
            if ev["kind"] != "state":
                continue
            state, cue = ev["state"], ev["cue"] or ""
            if state == "paused" and pressed == ["space"] and cue.startswith("Paused"):
                shots["paused"] = _screenshot(xvfb, tmp_path / "paused.png")
                pressed.append("space" if _x_key(xvfb["DISPLAY"], "space") else "-")
            elif state == "counting" and pressed == ["space", "space"]:
                shots["coaching"] = _screenshot(xvfb, tmp_path / "coaching.png")
                pressed.append("q" if _x_key(xvfb["DISPLAY"], "q") else "-")
        proc.wait(timeout=60)
    stderr = err_path.read_text()
    assert proc.returncode == 0, stderr[-2000:]
    assert "stats: capture-to-display latency" in stderr
    if pressed and pressed[0] == "-":
        pytest.skip("XTest (libXtst) not available to press keys")
    states = [(e["t_s"], e["state"]) for e in events if e["kind"] == "state"]
    assert pressed == ["space", "space", "q"], (pressed, states)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["live"]["ended"] == "quit"
    states = [e["state"] for e in events if e["kind"] == "state"]
    i = states.index("paused")
    assert states[i + 1 : i + 4] == ["setup", "countdown", "counting"]  # resume: set-up again
    # The screenshots: the 1280x720 picture at the top-left of the 1400x900 screen, the
    # rest of the screen empty; paused has the grey banner across the middle.
    for name in ("coaching", "paused"):
        img = shots[name]
        assert img is not None and img.shape[:2] == (900, 1400), name
        assert _painted(img), (name, "not painted", float(img[:720, :1280].std()))
        assert img[760:, :].max() < 10, (name, "below the picture", int(img[760:, :].max()))
    band = shots["paused"][330:390, 100:1180].astype(float)
    assert band.mean() < shots["coaching"][330:390, 100:1180].astype(float).mean()  # darkened
    keep = os.environ.get("POSECHECK_KEEP_SCREENSHOTS")
    if keep:  # for looking at them: POSECHECK_KEEP_SCREENSHOTS=/tmp/shots
        Path(keep).mkdir(parents=True, exist_ok=True)
        for name in shots:
            shutil.copy(tmp_path / f"{name}.png", Path(keep) / f"{name}.png")

"""`posecheck analyze` and `posecheck score`: outputs, partial runs, bad input, exit codes.

Fast tests use synthetic videos and landmark files built here (no model: a fake
estimator or landmark replay). Tests marked ``model`` run MediaPipe on real
clips from ../shared/media and check every output file.
"""

from __future__ import annotations

import csv
import json
import math
import os
import re
import shutil
import subprocess
import tempfile
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from posecheck.cli import main

from conftest import media_path
from helpers import make_pose

BRIDGE = "bridge/glute-bridge-3-reps-side.mp4"
CAT = "cat-camel/cat-cow-side.mp4"


def write_video(
    path: Path, n: int = 24, fps: float = 12.0, size=(160, 96), faststart: bool = False
) -> Path:
    """A small H.264 video with nobody in it (frames differ so none are dropped)."""
    import av

    opts = {"movflags": "faststart"} if faststart else {}
    with av.open(str(path), "w", options=opts) as out:
        s = out.add_stream("libx264", rate=round(fps))
        s.width, s.height, s.pix_fmt = size[0], size[1], "yuv420p"
        for i in range(n):
            img = np.full((size[1], size[0], 3), 40 + 6 * i, np.uint8)
            for pkt in s.encode(av.VideoFrame.from_ndarray(img, format="bgr24")):
                out.mux(pkt)
        for pkt in s.encode():
            out.mux(pkt)
    return path


def bridge_landmarks(
    path: Path, reps: int = 3, fps: float = 30.0, seconds: float = 12.0,
    stop_s: float | None = None,
) -> Path:  # fmt: skip
    """A landmarks file of a drawn-by-numbers bridge: the hip rises to straight ``reps`` times.

    Side view (left side to the camera), 1280x720. Each rep: 1 s up, a hold at the
    top, 1 s down, rest on the floor. ``stop_s``: the recording stops there (before
    ``seconds``), e.g. as the person gets back down.
    """
    from posecheck.landmarks_io import LandmarksWriter
    from posecheck.pose import MediaInfo

    n = int((seconds if stop_s is None else stop_s) * fps)
    info = MediaInfo("synthetic-bridge.mp4", "video", fps, n, 1280, 720, 0, n / fps)
    w = LandmarksWriter(path, info, {"smoothing": "one-euro"})
    period = seconds / reps
    for i in range(n):
        t = i / fps
        ph = (t % period) / period  # 0..1 within a rep
        lift = float(np.clip(np.sin(np.pi * min(1.0, ph / 0.8)) * 1.6, 0.0, 1.0))
        hip_y = 520 - 108 * lift  # 520: hip angle 144 (down); 412: 180 (straight)
        pts = {
            "left_shoulder": (300, 520), "left_hip": (640, hip_y), "left_knee": (900, 330),
            "left_ankle": (1000, 540), "left_heel": (985, 545), "left_foot_index": (1060, 548),
            "left_elbow": (420, 560), "left_wrist": (560, 575), "left_ear": (220, 500),
            "right_shoulder": (305, 515), "right_hip": (645, hip_y - 5), "right_knee": (905, 325),
            "right_ankle": (1005, 535), "right_heel": (990, 540), "right_foot_index": (1065, 543),
            "nose": (180, 490),
        }  # fmt: skip
        pose = make_pose(pts, image_size=(1280, 720))
        pose.visibility[[12, 14, 16, 24, 26, 28, 30, 32]] = 0.3  # far side less visible
        w.append(i, t, pose)
    w.close()
    return path


def schema() -> dict:
    return json.loads(
        resources.files("posecheck").joinpath("data/summary.schema.json").read_text("utf-8")
    )


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def error_lines(err: str) -> list[str]:
    return [ln for ln in err.splitlines() if ln.startswith("posecheck: error:")]


# --- bad input: exact one-line messages -----------------------------------------------


def test_analyze_bad_inputs_exact_messages(tmp_path, capsys):
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"this is not a video" * 100)
    video = write_video(tmp_path / "clip.mp4")
    a_file = tmp_path / "a_file"
    a_file.write_text("x")
    cases = [
        ((tmp_path / "nope.mp4", "-e", "bridge"),
         f"posecheck: error: {tmp_path / 'nope.mp4'}: no such file or folder (check the path)"),
        # (the library lists up to three close names: only the first is fixed here)
        ((video, "-e", "bridg"), "posecheck: error: unknown exercise 'bridg' (did you mean bridge"),
        ((empty, "-e", "bridge"),
         f"posecheck: error: {empty}: file is empty (record or copy the video again)"),
        ((junk, "-e", "bridge"),
         f"posecheck: error: {junk}: not a video or image posecheck can read (damaged, truncated "
         "or not media) (check the file plays in a video player; try re-encoding it with ffmpeg)"),
        ((video, "-e", "bridge", "-o", a_file / "out"),
         f"posecheck: error: {a_file / 'out'}: cannot write the results there (Not a directory) "
         "(choose a writable folder with -o)"),
        # a file given as the folder (was "cannot write the results there (File exists)")
        ((video, "-e", "bridge", "-o", a_file),
         f"posecheck: error: {a_file}: is a file, not a folder (choose a folder with -o)"),
    ]  # fmt: skip
    for argv, expected in cases:
        code, _out, err = run_cli(capsys, "analyze", *argv)
        assert code == 2, argv
        lines = error_lines(err)
        assert len(lines) == 1 and lines[0].startswith(expected), err
        assert lines[0] == expected or "did you mean" in expected
        assert "Traceback" not in err


def test_analyze_never_writes_over_the_input_or_earlier_results(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    video = write_video(out / "annotated.mp4")
    code, _, err = run_cli(capsys, "analyze", video, "-e", "bridge", "-o", out)
    assert code == 2
    assert error_lines(err) == [
        f"posecheck: error: {out / 'annotated.mp4'}: the output would overwrite the input "
        "(choose another folder with -o)"
    ]
    clip = write_video(tmp_path / "clip.mp4")
    (tmp_path / "clip.posecheck").mkdir()
    (tmp_path / "clip.posecheck" / "summary.json").write_text("{}")
    code, _, err = run_cli(capsys, "analyze", clip, "-e", "bridge")
    assert code == 2
    assert error_lines(err) == [
        f"posecheck: error: {tmp_path / 'clip.posecheck'}: already holds results (summary.json) "
        "(add --force to replace them, or choose another folder with -o)"
    ]
    assert (tmp_path / "clip.posecheck" / "summary.json").read_text() == "{}"
    # an interrupted run's folder says so (it read as results like any others)
    (tmp_path / "clip.posecheck" / "summary.json").write_text('{"partial": true}')
    code, _, err = run_cli(capsys, "analyze", clip, "-e", "bridge")
    assert code == 2 and error_lines(err) == [
        f"posecheck: error: {tmp_path / 'clip.posecheck'}: already holds the partial results "
        "of an interrupted run (summary.json) (add --force to replace them, or choose another "
        "folder with -o)"]  # fmt: skip


# --- a fake estimator: the pipeline and sinks for real, no model -----------------------


class FakeEstimator:
    """A bridge pose from frame ``pose_from`` (nobody before); Ctrl-C at ``stop_at``.

    ``front``: the person faces the camera (shoulders and hips wide apart).
    """

    stop_at: int | None = None
    pose_from: int = 0
    front: bool = False

    def __init__(self, options=None, selector=None):
        self.options = options

    def estimate(self, frame):
        if self.stop_at is not None and frame.index >= self.stop_at:
            raise KeyboardInterrupt
        if frame.index < self.pose_from:
            return None
        h, w = frame.image.shape[:2]
        k = w / 1280
        if self.front:
            pts = {"left_shoulder": (790, 250), "right_shoulder": (490, 250),
                   "left_hip": (740, 520), "right_hip": (540, 520), "left_knee": (740, 640),
                   "right_knee": (540, 640), "left_ankle": (740, 710),
                   "right_ankle": (540, 710)}  # fmt: skip
            return make_pose({n: (x * k, y * h / 720) for n, (x, y) in pts.items()},
                             image_size=(w, h))  # fmt: skip
        pts = {"left_shoulder": (300, 520), "left_hip": (640, 420), "left_knee": (900, 330),
               "left_ankle": (1000, 540), "left_heel": (985, 545),
               "left_foot_index": (1060, 548)}  # fmt: skip
        return make_pose({n: (x * k, y * k * 1280 / w * h / 720) for n, (x, y) in pts.items()},
                         image_size=(w, h))  # fmt: skip

    def close(self):
        pass


@pytest.fixture
def fake_estimator(monkeypatch):
    import posecheck.estimator as est

    FakeEstimator.stop_at = None
    FakeEstimator.pose_from = 0
    FakeEstimator.front = False
    monkeypatch.setattr(est, "MediaPipeEstimator", FakeEstimator)
    return FakeEstimator


def test_interrupted_analysis_leaves_a_valid_partial_summary(tmp_path, capsys, fake_estimator):
    jsonschema = pytest.importorskip("jsonschema")
    import av

    fake_estimator.stop_at = 15
    video = write_video(tmp_path / "clip.mp4", n=40)
    out = tmp_path / "out"
    code, _out, err = run_cli(capsys, "analyze", video, "-e", "bridge", "-o", out, "-q")
    assert code == 130
    assert f"partial results for 15 frames written to {out}/" in err
    data = json.loads((out / "summary.json").read_text())
    jsonschema.validate(data, schema())
    assert data["partial"] is True and data["frames"] == 15
    with open(out / "frames.csv", newline="") as fh:
        assert len(list(csv.DictReader(fh))) == 15
    with av.open(str(out / "annotated.mp4")) as c:
        assert sum(1 for _ in c.decode(video=0)) == 15
    from posecheck.landmarks_io import read_landmarks

    lm = read_landmarks(out / "clip.landmarks.npz")
    assert len(lm) == 15 and lm.meta["partial"] is True
    assert "partial" in (out / "report.html").read_text()
    # re-scored, it stays partial: said in its row, and not recorded as a session done
    db = tmp_path / "history.sqlite"
    code, table, _ = run_cli(capsys, "score", out / "clip.landmarks.npz", "-j", "1", "--db", db)
    row = table.splitlines()[1]
    assert "(partial)" in row and "(partial): the run that saved it was interrupted" in table
    assert not db.exists()


def test_no_person_writes_outputs_then_says_so(tmp_path, capsys, fake_estimator):
    fake_estimator.pose_from = 10_000
    video = write_video(tmp_path / "clip.mp4", n=12)
    code, out, err = run_cli(capsys, "analyze", video, "-e", "bridge", "-q")
    assert code == 2
    assert error_lines(err) == [
        f"posecheck: error: {video}: no person found in any of the 12 frames (film the whole "
        "body in good light; 'posecheck show bridge' says where to put the camera)"
    ]
    data = json.loads((tmp_path / "clip.posecheck" / "summary.json").read_text())
    assert data["frames"] == 12 and data["frames_with_pose"] == 0
    assert any("no person was found" in w for w in data["warnings"])
    assert "person found in 0" in out


def test_auto_without_a_person_says_so_and_leaves_nothing(tmp_path, capsys, fake_estimator):
    fake_estimator.pose_from = 10_000
    video = write_video(tmp_path / "clip.mp4", n=12)
    code, _out, err = run_cli(capsys, "analyze", video, "-q")
    assert code == 2
    assert error_lines(err) == [
        f"posecheck: error: {video}: no person found, so the exercise cannot be recognised "
        "(film the whole body in good light, or name the exercise with -e)"
    ]
    assert not (tmp_path / "clip.posecheck").exists()  # a rerun with -e needs no --force


def test_auto_that_names_nothing_keeps_the_poses_for_the_rerun(
    tmp_path, capsys, fake_estimator, monkeypatch
):
    """-e auto that cannot name the exercise keeps the model's poses, alone in the folder;
    the rerun the message asks for (-e NAME, or -e auto again) uses them, no --force."""
    video = write_video(tmp_path / "clip.mp4", n=24)  # a bridge's top, held: no movement
    code, _out, err = run_cli(capsys, "analyze", video, "-q", "--no-history")
    assert code == 2
    kept = tmp_path / "clip.posecheck" / "clip.landmarks.npz"
    (line,) = error_lines(err)
    assert line.endswith(f"; the poses found are kept in {kept}, so that run needs no "
                         "model pass)"), line  # fmt: skip
    assert [p.name for p in kept.parent.iterdir()] == ["clip.landmarks.npz"]
    before = kept.read_bytes()
    made: list[object] = []
    monkeypatch.setattr(fake_estimator, "__init__", lambda self, *a, **k: made.append(self))
    code, _out, err = run_cli(capsys, "analyze", video, "-q", "--no-history")  # auto again
    assert code == 2 and not made and kept.read_bytes() == before
    code, out, err = run_cli(capsys, "analyze", video, "-e", "bridge", "--no-history")
    assert code == 0 and not made, err
    assert f"the poses of clip.mp4 are in {kept}: no model pass" in err
    assert json.loads((kept.parent / "summary.json").read_text())["frames"] == 24
    assert kept.read_bytes() == before and "results in" in out


def test_kept_poses_made_otherwise_are_made_again(tmp_path, capsys, fake_estimator,
                                                  monkeypatch):  # fmt: skip
    video = write_video(tmp_path / "clip.mp4", n=24)
    run_cli(capsys, "analyze", video, "-q", "--no-history")
    made: list[object] = []
    monkeypatch.setattr(fake_estimator, "__init__", lambda self, *a, **k: made.append(self))
    # smoothed poses were kept; unsmoothed ones are asked for: the model runs again
    code, _out, err = run_cli(capsys, "analyze", video, "-e", "bridge", "--no-smoothing",
                              "-q", "--no-history")  # fmt: skip
    assert code == 0 and made, err
    from posecheck.landmarks_io import read_landmarks

    out = tmp_path / "clip.posecheck"
    assert read_landmarks(out / "clip.landmarks.npz").meta["smoothing"] is None
    # a finished session is never taken for kept poses: --force is asked for
    code, _out, err = run_cli(capsys, "analyze", video, "-e", "bridge", "-q", "--no-history")
    assert code == 2 and "already holds results" in err


def test_wrong_view_says_which_view_and_still_writes(tmp_path, capsys, fake_estimator):
    fake_estimator.front = True
    video = write_video(tmp_path / "clip.mp4", n=24)
    code, out, _err = run_cli(capsys, "analyze", video, "-e", "bridge", "-q")
    assert code == 0
    # (the engine changes state after a short delay: not quite 100% of the frames)
    pattern = (r"wrong camera view in (\d+)% of the frames: Bridge needs a side view "
               r"\(turn side-on to the camera\)")  # fmt: skip
    printed = [m for ln in out.splitlines() if (m := re.fullmatch("warning: " + pattern, ln))]
    assert len(printed) == 1 and int(printed[0].group(1)) >= 70
    res = tmp_path / "clip.posecheck"
    saved = json.loads((res / "summary.json").read_text())["warnings"]
    assert [w for w in saved if re.fullmatch(pattern, w)] == [printed[0].group(0)[9:]]
    with open(res / "frames.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 24 and rows[-1]["state"] == "wrong_view"
    assert rows[-1]["shoulder_width_ratio"] != ""  # what was measured is still written


def test_truncated_video_is_analysed_as_far_as_it_goes(tmp_path, capsys, fake_estimator):
    from media_builders import write_cv_video

    full = write_cv_video(tmp_path / "full.avi", 60, 25.0, fourcc="MJPG")
    cut = tmp_path / "cut.avi"
    cut.write_bytes(full.read_bytes()[: full.stat().st_size // 2])
    code, out, _err = run_cli(capsys, "analyze", cut, "-e", "bridge", "-q")
    assert code == 0
    data = json.loads((tmp_path / "cut.posecheck" / "summary.json").read_text())
    with open(tmp_path / "cut.posecheck" / "frames.csv", newline="") as fh:
        assert len(list(csv.DictReader(fh))) == data["frames"]
    assert 0 < data["frames"] < 60
    warn = [w for w in data["warnings"] if "video ends early" in w]
    assert warn == [f"{cut}: video ends early: read {data['frames']} of 60 frames "
                    "(the file looks truncated)"]  # fmt: skip
    assert f"warning: {warn[0]}" in out


def test_progress_line_tty_and_plain():
    import io

    from posecheck.commands._progress import ProgressLine
    from posecheck.pipeline import Progress

    plain = io.StringIO()
    pl = ProgressLine("analysing x.mp4", stream=plain)
    for done in range(0, 101, 5):
        pl(Progress(done, 100, 40.0, (100 - done) / 40, done / 30))
    pl.done()
    assert plain.getvalue().splitlines() == [
        "analysing x.mp4  25% 25/100 frames  40.0 frames/s  0:02 left",
        "analysing x.mp4  50% 50/100 frames  40.0 frames/s  0:01 left",
        "analysing x.mp4  75% 75/100 frames  40.0 frames/s  0:01 left",
    ]

    class Tty(io.StringIO):
        def isatty(self):
            return True

    tty = Tty()
    pl = ProgressLine("analysing x.mp4", stream=tty)
    pl(Progress(50, 100, 40.0, 1.25, 1.6))
    pl.done()
    assert tty.getvalue() == (
        "\r[############............] analysing x.mp4  50% 50/100 frames  40.0 frames/s  "
        "0:01 left\x1b[K\n"
    )
    quiet = io.StringIO()
    ProgressLine("x", stream=quiet, quiet=True)(Progress(50, 100, 40.0, 1.25, 1.6))
    assert quiet.getvalue() == ""


def test_no_video_no_report_and_force(tmp_path, capsys, fake_estimator):
    video = write_video(tmp_path / "clip.mp4", n=10)
    out = tmp_path / "o"
    code, _, _ = run_cli(capsys, "analyze", video, "-e", "bridge", "-o", out, "--no-video",
                         "--no-report", "-q")  # fmt: skip
    assert code == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "clip.landmarks.npz", "frames.csv", "summary.json"]  # fmt: skip
    code, _, err = run_cli(capsys, "analyze", video, "-e", "bridge", "-o", out, "-q")
    assert code == 2 and "already holds results" in err
    code, _, _ = run_cli(capsys, "analyze", video, "-e", "bridge", "-o", out, "-q", "--force")
    assert code == 0 and (out / "annotated.mp4").is_file() and (out / "report.html").is_file()


def test_last_rep_closed_by_the_end_is_on_the_last_csv_row_and_video_frame(
    tmp_path, capsys, monkeypatch
):
    """A video that stops as the person gets back down from the third bridge: the engine
    counts that rep at the end of the input, and frames.csv's last row, the annotated
    video's last frame and summary.json all say 3 (the row before says 2)."""
    import av

    import posecheck.estimator as est
    from posecheck.commands._offline import ReplayEstimator
    from posecheck.landmarks_io import read_landmarks
    from posecheck.sinks.overlay import Overlay

    fps = 15.0
    lm = bridge_landmarks(tmp_path / "poses.landmarks.npz", reps=3, fps=fps, stop_s=11.2)
    data = read_landmarks(lm)
    monkeypatch.setattr(est, "MediaPipeEstimator", lambda *a, **k: ReplayEstimator(data))
    drawn: list[int] = []
    draw = Overlay.draw

    def recording_draw(self, img, result):
        drawn.append(result.reps_done)
        return draw(self, img, result)

    monkeypatch.setattr(Overlay, "draw", recording_draw)
    video = write_video(tmp_path / "clip.mp4", n=len(data), fps=fps)
    out = tmp_path / "out"
    code, _, err = run_cli(capsys, "analyze", video, "-e", "bridge", "-o", out, "-q",
                           "--no-report")  # fmt: skip
    assert code == 0, err
    summary = json.loads((out / "summary.json").read_text())
    assert summary["reps_complete"] == 3
    assert summary["reps"][-1]["end_s"] == pytest.approx(11.07, abs=0.05)  # closed at the end
    with open(out / "frames.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(data)
    assert [r["reps"] for r in rows[-2:]] == ["2", "3"]
    assert rows[-1]["phase"] == "down"  # the phase the end accepted, which completed the rep
    assert len(drawn) == len(data) and drawn[-2:] == [2, 3]
    with av.open(str(out / "annotated.mp4")) as c:
        assert sum(1 for _ in c.decode(video=0)) == len(data)


# --- score without the model (landmark files) ------------------------------------------


@pytest.fixture
def scored_folder(tmp_path):
    d = tmp_path / "in"
    (d / "sub").mkdir(parents=True)
    bridge_landmarks(d / "three.landmarks.npz", reps=3)
    bridge_landmarks(d / "sub" / "two.landmarks.npz", reps=2, seconds=8.0)
    (d / "broken.landmarks.npz").write_bytes(b"PK\x03\x04 not really a zip")
    (d / "notes.txt").write_text("ignored")
    return d


def test_score_folder_reports_every_file_and_exits_2_on_a_broken_one(scored_folder, tmp_path,
                                                                     capsys):  # fmt: skip
    csv_out, json_out = tmp_path / "s.csv", tmp_path / "s.json"
    code, out, _err = run_cli(capsys, "score", scored_folder, "-e", "bridge", "--jobs", "1",
                              "--csv", csv_out, "--json", json_out)  # fmt: skip
    assert code == 2
    rows = json.loads(json_out.read_text())
    by_name = {Path(r["file"]).name: r for r in rows}
    assert set(by_name) == {"three.landmarks.npz", "two.landmarks.npz", "broken.landmarks.npz"}
    assert by_name["three.landmarks.npz"]["reps"] == 3 and by_name["two.landmarks.npz"]["reps"] == 2
    assert by_name["three.landmarks.npz"]["error"] is None
    assert by_name["broken.landmarks.npz"]["error"]
    assert all(r["model"] is False for r in rows if not r["error"])  # no model for landmarks
    lines = out.splitlines()
    assert lines[0].split()[:6] == ["file", "exercise", "holds", "met", "reps", "score"]
    assert sum("ERROR:" in ln for ln in lines) == 1 and len(lines) == 4
    with open(csv_out, newline="") as fh:
        assert len(list(csv.DictReader(fh))) == 3


@pytest.mark.parametrize(("min_score", "expected"), [("0", 0), ("100", 1)])
def test_score_min_score_exit_codes(scored_folder, capsys, min_score, expected):
    (scored_folder / "broken.landmarks.npz").unlink()
    code, out, _ = run_cli(capsys, "score", scored_folder, "-e", "bridge", "-j", "1",
                           "--min-score", min_score)  # fmt: skip
    assert code == expected, out


def test_score_in_parallel_processes_matches_serial(scored_folder, tmp_path, capsys):
    (scored_folder / "broken.landmarks.npz").unlink()
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    run_cli(capsys, "score", scored_folder, "-e", "bridge", "-j", "1", "--json", a)
    run_cli(capsys, "score", scored_folder, "-e", "bridge", "-j", "2", "--json", b)
    ra, rb = json.loads(a.read_text()), json.loads(b.read_text())
    assert [(r["file"], r["reps"], r["score"]) for r in ra] == [
        (r["file"], r["reps"], r["score"]) for r in rb
    ]


def test_score_writes_json_or_csv_to_stdout_given_a_dash(scored_folder, tmp_path, capsys,
                                                         monkeypatch):  # fmt: skip
    """'--json -' is stdout, as for `posecheck history` (it wrote a file named '-')."""
    (scored_folder / "broken.landmarks.npz").unlink()
    monkeypatch.chdir(tmp_path)
    code, out, _ = run_cli(capsys, "score", scored_folder, "-e", "bridge", "-j", "1",
                           "--json", "-")  # fmt: skip
    assert code == 0
    rows = json.loads(out)  # the JSON alone: no table before it
    assert sorted(r["reps"] for r in rows) == [2, 3]
    code, out, _ = run_cli(capsys, "score", scored_folder, "-e", "bridge", "-j", "1",
                           "--csv", "-", "--json", tmp_path / "s.json")  # fmt: skip
    assert code == 0
    table = list(csv.DictReader(out.splitlines()))
    assert [r["reps"] for r in table] == [str(r["reps"]) for r in json.loads(
        (tmp_path / "s.json").read_text())]  # fmt: skip
    assert not (tmp_path / "-").exists()
    code, out, err = run_cli(capsys, "score", scored_folder, "-e", "bridge", "--csv", "-",
                             "--json", "-")  # fmt: skip
    assert code == 2 and not out
    assert error_lines(err) == ["posecheck: error: --csv - and --json - both want stdout "
                                "(send one of them to a file)"]  # fmt: skip


def test_score_interrupted_writes_the_rows_that_finished(scored_folder, tmp_path, capsys,
                                                         monkeypatch):  # fmt: skip
    """Ctrl-C after the first recording: its row is in the table and in the files, as
    with --ray (the files were not written), and the others' rows say they were not
    scored (a short file is not passed off as the folder's)."""
    import posecheck.commands.score as score_cmd

    (scored_folder / "broken.landmarks.npz").unlink()
    real = score_cmd.score_one
    calls: list[str] = []

    def then_ctrl_c(path, opts):
        calls.append(path)
        if len(calls) > 1:
            raise KeyboardInterrupt
        return real(path, opts)

    monkeypatch.setattr(score_cmd, "score_one", then_ctrl_c)
    js = tmp_path / "s.json"
    code, out, err = run_cli(capsys, "score", scored_folder, "-e", "bridge", "-j", "1",
                             "--json", js)  # fmt: skip
    assert code != 0 and "posecheck: interrupted" in err
    rows = json.loads(js.read_text())
    assert rows[0]["file"] == calls[0] and rows[0]["reps"] in (2, 3)
    assert len(rows) > 1 and all(r["error"].endswith("not scored (interrupted)") for r in rows[1:])
    assert Path(calls[0]).name in out
    assert f"1 of {len(rows)} inputs scored before the interruption" in err


def test_score_interrupted_before_any_finished_still_writes_every_row(
    scored_folder, tmp_path, capsys, monkeypatch
):
    """Ctrl-C during the first input wrote nothing, and an earlier run's CSV of the same
    name was left to be read as this run's."""
    import posecheck.commands.score as score_cmd

    table = tmp_path / "s.csv"
    table.write_text("file,score\nold.mp4,90\n")

    def ctrl_c(path, opts):
        raise KeyboardInterrupt

    monkeypatch.setattr(score_cmd, "score_one", ctrl_c)
    code, _, err = run_cli(capsys, "score", scored_folder, "-e", "bridge", "-j", "1",
                           "--csv", table)  # fmt: skip
    assert code == 130 and "0 of 3 inputs scored before the interruption" in err
    with open(table, newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 3 and all(r["error"].endswith("not scored (interrupted)") for r in rows)


def test_score_tells_poses_that_lack_a_measure_the_exercise_is_judged_on(tmp_path, capsys):
    """Poses kept for a bridge hold no back curvature (a mask measure): scored as a
    cat-camel every frame read it unknown, and the row said 0 holds, 0 reps, no error."""
    lm = bridge_landmarks(tmp_path / "b.landmarks.npz", reps=2)
    js = tmp_path / "s.json"
    code, out, _ = run_cli(capsys, "score", lm, "-e", "cat-camel", "-j", "1", "--json", js)
    assert code == 2
    (row,) = json.loads(js.read_text())
    assert row["error"] == (
        f"{lm}: holds no back_curvature, which cat-camel is judged on (its poses were saved "
        "for another exercise) (analyse the recording again with -e cat-camel)"
    )
    # as a bridge they are whole: "holds met" and the files count the holds due alike
    code, out, _ = run_cli(capsys, "score", lm, "-e", "bridge", "-j", "1", "--json", js)
    (row,) = json.loads(js.read_text())
    assert code == 0 and row["holds"] == f"{row['holds_reached']}/{row['holds_total']}"


def test_score_takes_a_video_and_the_session_analysed_beside_it_once(tmp_path, capsys,
                                                                     fake_estimator):  # fmt: skip
    """analyze's default folder (clip.posecheck/) sits beside the video: scoring the
    folder gave two rows of one recording and ran the model again for the video."""
    d = tmp_path / "archive"
    d.mkdir()
    video = write_video(d / "clip.mp4", n=36)
    write_video(d / "other.mp4", n=24)
    assert run_cli(capsys, "analyze", video, "-e", "bridge", "-q", "--no-history")[0] == 0
    js = tmp_path / "s.json"
    code, _, _ = run_cli(capsys, "score", d, "-e", "bridge", "-j", "1", "--no-history",
                         "--json", js)  # fmt: skip
    rows = {Path(r["file"]).name: r for r in json.loads(js.read_text())}
    assert sorted(rows) == ["clip.landmarks.npz", "other.mp4"]
    assert rows["clip.landmarks.npz"]["model"] is False  # its poses were there: no model run
    # an interrupted analysis: the video is scored whole instead
    saved = json.loads((d / "clip.posecheck" / "summary.json").read_text())
    (d / "clip.posecheck" / "summary.json").write_text(json.dumps({**saved, "partial": True}))
    run_cli(capsys, "score", d, "-e", "bridge", "-j", "1", "--no-history", "--json", js)
    assert sorted(Path(r["file"]).name for r in json.loads(js.read_text())) == [
        "clip.mp4", "other.mp4"
    ]  # fmt: skip


def test_score_tells_a_video_that_ends_early_in_its_row(tmp_path, capsys, fake_estimator):
    """A truncated recording was scored as complete: the warning went to stderr only,
    not into the row, the CSV or the JSON (analyze keeps it in summary.json)."""
    full = write_video(tmp_path / "full.mp4", n=60, faststart=True)
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(full.read_bytes()[: full.stat().st_size * 2 // 3])
    js, table = tmp_path / "s.json", tmp_path / "s.csv"
    code, out, _ = run_cli(capsys, "score", cut, "-e", "bridge", "-j", "1", "--no-history",
                           "--json", js, "--csv", table)  # fmt: skip
    (row,) = json.loads(js.read_text())
    (note,) = row["recording_warnings"]
    assert note == (f"{cut}: video ends early: read {row['frames']} of 60 frames (the file "
                    "looks truncated)")  # fmt: skip
    assert f"\n! {note}" in out and " !   " in out.splitlines()[1]
    with open(table, newline="") as fh:
        assert next(csv.DictReader(fh))["recording_warning"] == note


def test_score_gives_an_unreadable_folder_its_row(scored_folder, tmp_path, capsys, monkeypatch):
    """A folder of the archive that cannot be read was skipped without a word (exit 0);
    given alone it read "no videos or landmark files found", hiding the cause."""
    import posecheck.commands.score as score_cmd

    locked = scored_folder / "locked"
    locked.mkdir()
    real_walk, real_listdir = os.walk, os.listdir

    def walk(top, onerror=None, **kw):
        for root, dirs, files in real_walk(top, onerror=onerror, **kw):
            if Path(root) == locked:
                onerror(PermissionError(13, "Permission denied", str(locked)))
                continue
            yield root, dirs, files

    def listdir(path="."):
        if Path(path) == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return real_listdir(path)

    monkeypatch.setattr(score_cmd.os, "walk", walk)
    monkeypatch.setattr(score_cmd.os, "listdir", listdir)
    js = tmp_path / "s.json"
    code, _, _ = run_cli(capsys, "score", scored_folder, "-e", "bridge", "-j", "1",
                         "--no-history", "--json", js)  # fmt: skip
    assert code == 2
    errors = {Path(r["file"]).name: r["error"] for r in json.loads(js.read_text())}
    assert errors["locked"] == (f"{locked}: cannot read this folder (Permission denied) "
                                "(give yourself read permission, or leave it out)")  # fmt: skip
    assert errors["three.landmarks.npz"] is None


def test_score_gives_an_empty_folder_given_by_name_its_row(scored_folder, tmp_path, capsys):
    """An empty folder named beside others got no row at all: a user scoring last week's
    folder and this week's (still empty) saw one week's rows and exit 0."""
    empty = tmp_path / "this-week"
    empty.mkdir()
    js = tmp_path / "s.json"
    code, _, _ = run_cli(capsys, "score", scored_folder, empty, "-e", "bridge", "-j", "1",
                         "--no-history", "--json", js)  # fmt: skip
    assert code == 2
    errors = {Path(r["file"]).name: r["error"] for r in json.loads(js.read_text())}
    why = "leave it out, or give the folder of the recordings"
    assert errors["this-week"] == f"{empty}: no videos or landmark files in this folder ({why})"
    assert errors["three.landmarks.npz"] is None


def test_score_bad_usage(tmp_path, capsys):
    code, _, err = run_cli(capsys, "score", tmp_path, "-e", "bridge")
    assert code == 2
    assert error_lines(err) == [
        f"posecheck: error: no videos or landmark files found in {tmp_path} (give video files, "
        ".landmarks.npz files or folders holding them)"
    ]
    code, _, err = run_cli(capsys, "score", tmp_path, "-e", "brigde")
    assert code == 2 and "unknown exercise 'brigde' (did you mean bridge" in err
    video = write_video(tmp_path / "clip.mp4")
    for where, why in (
        (video, "is a file, not a folder (choose a folder)"),
        ("/proc/x", "cannot make that folder (No such file or directory) (choose another folder)"),
    ):
        code, _, err = run_cli(capsys, "score", video, "--landmarks-dir", where)
        assert code == 2
        assert error_lines(err) == [f"posecheck: error: --landmarks-dir {where}: {why}"]
    # an output that cannot be written is refused before any input is scored
    for flag, where, why in (("--csv", "/proc/x/s.csv", "cannot be written in /proc/x/"),
                             ("--json", tmp_path, "is a folder")):  # fmt: skip
        code, out, err = run_cli(capsys, "score", video, flag, where)
        assert code == 2 and not out
        assert error_lines(err) == [
            f"posecheck: error: {where}: {why} (choose a file name in a folder you can write to)"
        ]


# --- the real model on real footage ----------------------------------------------------


@pytest.fixture(scope="module")
def bridge_run():
    """`analyze -e auto` on the real bridge clip, once for the module's tests."""
    clip = media_path(BRIDGE)
    out = Path(tempfile.mkdtemp(prefix="posecheck-test-")) / "bridge"
    code = main(["analyze", str(clip), "-o", str(out), "-q"])
    yield clip, out, code
    shutil.rmtree(out.parent, ignore_errors=True)


@pytest.mark.model
def test_analyze_bridge_every_output(bridge_run, labels):
    jsonschema = pytest.importorskip("jsonschema")
    import av

    clip, out, code = bridge_run
    assert code == 0
    with av.open(str(clip)) as c:
        st = c.streams.video[0]
        n_in = sum(1 for _ in c.decode(st))
        size_in = (st.width, st.height)
    # annotated.mp4: H.264, same frames and size as the input.
    with av.open(str(out / "annotated.mp4")) as c:
        st = c.streams.video[0]
        assert st.codec_context.name == "h264" and (st.width, st.height) == size_in
        assert sum(1 for _ in c.decode(st)) == n_in
    # frames.csv: one row per frame; pose found on (nearly) all.
    with open(out / "frames.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == n_in
    assert sum(r["pose"] == "1" for r in rows) >= 0.95 * n_in
    assert all(math.isfinite(float(r["hip"])) for r in rows if r["pose"] == "1")
    # summary.json: valid, recognised, and its reps/holds match the labelled clip.
    data = json.loads((out / "summary.json").read_text())
    jsonschema.validate(data, schema())
    truth = labels[BRIDGE]
    assert data["exercise"] == "bridge" and data["recognition"]["exercise"] == "bridge"
    assert data["partial"] is False and data["frames"] == n_in
    assert data["reps_complete"] == truth["reps"]
    holds = [(h["start_s"], h["end_s"]) for h in data["holds"]]
    assert len(holds) == len(truth["top_holds_s"])
    for (s, e), (ts, te) in zip(holds, truth["top_holds_s"], strict=True):
        assert s < te and e > ts  # each hold overlaps the labelled top
    # The CSV's running counter agrees on the last row, also for a rep the clip ends in
    # (the engine's finish() accepts it: the clip stops as she gets back down).
    assert int(rows[-1]["reps"]) == data["reps_complete"]
    assert data["definition"]["name"] == "bridge" and "source_text" in data["definition"]
    # The landmarks file re-scores (no model) to the same result.
    lm = out / f"{clip.stem}.landmarks.npz"
    code = main(["score", str(lm), "-j", "1", "--json", str(out.parent / "s.json")])
    row = json.loads((out.parent / "s.json").read_text())[0]
    assert code == 0 and row["exercise_from"] == "saved session"
    assert (row["reps"], row["score"]) == (data["reps_complete"], data["score"])
    assert row["holds"] == f"{data['holds_reached']}/{data['holds_due']}"


class _Sections(HTMLParser):
    def __init__(self):
        super().__init__()
        self.h2: list[str] = []
        self._in = False
        self.imgs = 0
        self.svgs = 0

    def handle_starttag(self, tag, attrs):
        self._in = tag == "h2"
        self.imgs += tag == "img"
        self.svgs += tag == "svg"

    def handle_data(self, data):
        if self._in:
            self.h2.append(data.strip())
            self._in = False


@pytest.mark.model
def test_bridge_report_has_its_sections(bridge_run):
    _clip, out, _ = bridge_run
    p = _Sections()
    p.feed((out / "report.html").read_text())
    assert p.h2[:4] == ["At a glance", "Top corrections", "Angles over time",
                        "Holds and repetitions"]  # fmt: skip
    assert "How to do it" in p.h2
    assert p.imgs >= 2 and p.svgs == 2  # a good moment + a correction; hip and knee plots


@pytest.mark.model
def test_bridge_report_renders_in_chromium(bridge_run, tmp_path):
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if not exe:
        pytest.skip("chromium not installed")
    _clip, out, _ = bridge_run
    shot = tmp_path / "r.png"
    subprocess.run(
        [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run",
         f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={shot}",
         "--window-size=1200,2000", (out / "report.html").as_uri()],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    import cv2

    img = cv2.imread(str(shot))
    assert img is not None and img.shape[:2] == (2000, 1200)
    # Rendered content, not a blank page: many distinct colours (plots, thumbnails).
    assert len(np.unique(img.reshape(-1, 3)[::97], axis=0)) > 200


@pytest.mark.model
def test_score_mixed_folder_with_video_landmarks_and_broken(bridge_run, tmp_path, capsys):
    """Default -e auto: the video and the loose landmarks file are recognised."""
    clip, out, _ = bridge_run
    d = tmp_path / "mix"
    d.mkdir()
    (d / "cat.mp4").symlink_to(media_path(CAT))
    shutil.copy(out / f"{clip.stem}.landmarks.npz", d / "bridge.landmarks.npz")
    (d / "broken.mp4").write_bytes(clip.read_bytes()[:4000])
    code, text, _ = run_cli(capsys, "score", d, "--json", tmp_path / "s.json")
    assert code == 2
    rows = {Path(r["file"]).name: r for r in json.loads((tmp_path / "s.json").read_text())}
    assert set(rows) == {"cat.mp4", "bridge.landmarks.npz", "broken.mp4"}
    assert rows["broken.mp4"]["error"] and "not a video" in rows["broken.mp4"]["error"]
    lm = rows["bridge.landmarks.npz"]
    assert (lm["exercise"], lm["exercise_from"], lm["reps"], lm["model"]) == (
        "bridge", "recognised", 3, False)  # fmt: skip
    cat = rows["cat.mp4"]
    assert (cat["exercise"], cat["model"], cat["error"]) == ("cat-camel", True, None)
    assert sum("ERROR:" in ln for ln in text.splitlines()) == 1


def test_recognition_samples_rows_like_the_video_recogniser():
    from posecheck.commands._offline import _sample_rows

    t = [i / 30 for i in range(31)]
    assert _sample_rows(t, 10.0) == list(range(0, 31, 3))
    assert _sample_rows([0.0, 0.05, 0.2, 0.21, 0.5], 5.0) == [0, 2, 4]


@pytest.mark.parametrize(
    "paused, want_t",
    [
        (None, [0.0, 0.5, 1.0, 1.5, 2.0]),  # older files: every frame
        ([True, True, False, False, True], [1.0, 1.5]),  # live: only the judged frames
        ([True] * 5, [0.0, 0.5, 1.0, 1.5, 2.0]),  # nothing judged: all rather than none
    ],
)  # fmt: skip
def test_recognition_of_a_live_session_reads_only_the_judged_frames(
    tmp_path, monkeypatch, paused, want_t
):
    import posecheck.recognize as rz
    from posecheck.commands._offline import recognise
    from posecheck.landmarks_io import read_landmarks

    data = read_landmarks(bridge_landmarks(tmp_path / "b.landmarks.npz", fps=2.0, stop_s=2.5))
    data.paused = None if paused is None else np.array(paused)
    seen: list[float] = []

    def fake_recognize(t_s, poses, exercises, **kw):
        seen.extend(t_s)
        raise RuntimeError("stop here")

    monkeypatch.setattr(rz, "recognize", fake_recognize)
    with pytest.raises(RuntimeError):
        recognise(data, [])
    assert seen == want_t


def test_collect_inputs_skips_outputs_of_saved_sessions(tmp_path):
    from posecheck.commands.score import collect_inputs

    files = ["a.mp4", "b.MOV", "notes.txt", "x.landmarks.npz", "sub/c.gif",
             "a.posecheck/summary.json", "a.posecheck/annotated.mp4",
             "a.posecheck/a.landmarks.npz", "a.posecheck/frames.csv"]  # fmt: skip
    for f in files:
        (tmp_path / f).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / f).write_bytes(b"x")
    got = [p.relative_to(tmp_path).as_posix() for p in collect_inputs([str(tmp_path)])]
    assert got == ["a.mp4", "b.MOV", "x.landmarks.npz", "a.posecheck/a.landmarks.npz",
                   "sub/c.gif"]  # fmt: skip
    # A file named twice (directly and through its folder) is scored once.
    again = collect_inputs([str(tmp_path / "a.mp4"), str(tmp_path)])
    assert len(again) == len(got)


def test_analyze_takes_a_folder_of_images(tmp_path, capsys, fake_estimator):
    import cv2

    frames = tmp_path / "frames"
    frames.mkdir()
    for i in range(12):  # frame10 sorts after frame9 (natural order)
        img = np.full((96, 160, 3), 40 + 10 * i, np.uint8)
        cv2.imwrite(str(frames / f"frame{i}.png"), img)
    out = tmp_path / "out"
    code, _out, err = run_cli(
        capsys, "analyze", frames, "-e", "bridge", "-o", out, "-q", "--no-report"
    )
    assert code == 0, err
    with open(out / "frames.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 12
    data = json.loads((out / "summary.json").read_text())
    assert data["frames"] == 12


def test_analyze_refuses_a_camera_and_points_to_live(tmp_path, capsys, monkeypatch):
    import posecheck.sources as sources

    class FakeCamera:
        info = type("Info", (), {"kind": "camera", "path": "0"})()

        def close(self):
            pass

    monkeypatch.setattr(sources, "open_source", lambda *a, **k: FakeCamera())
    code, _out, err = run_cli(capsys, "analyze", "0", "-e", "bridge", "-o", tmp_path / "o")
    assert code == 2
    assert error_lines(err) == [
        "posecheck: error: 0: is a camera or a stream, not a recording (coach it live with "
        "'posecheck live EXERCISE --camera 0')"
    ]


@pytest.mark.parametrize(
    ("confidence", "text"),
    [(0.5996, "59.96%"), (0.55, "55%"), (0.596, "59.6%"), (0.59999, "just under 60%")],
)
def test_a_confidence_short_of_its_threshold_never_prints_as_it(confidence, text):
    # the real knee-to-chest clip was "confidence 60%, 60% needed" at 0.5996
    from posecheck.commands._offline import _below

    assert _below(confidence, 0.6) == text

"""The landmarks file: round trip, streaming growth, atomic and partial writes, bad files."""

from __future__ import annotations

import json
import math
import os

import numpy as np
import pytest

from posecheck.errors import InputError
from posecheck.landmarks_io import (
    FORMAT,
    LandmarksSink,
    LandmarksSource,
    LandmarksWriter,
    landmarks_path_for,
    read_landmarks,
)
from posecheck.pose import NUM_LANDMARKS, MediaInfo, Pose
from posecheck.results import FrameResult, SessionSummary

INFO = MediaInfo("clip.mp4", "video", 29.97, 5, 1280, 720, 90, 5 / 29.97)


def pose_at(i: int, world: bool = True) -> Pose:
    rng = np.random.default_rng(i)
    return Pose(
        xy=rng.uniform(0, 700, (NUM_LANDMARKS, 2)),
        visibility=rng.uniform(0, 1, NUM_LANDMARKS),
        image_size=(1280, 720),
        world=rng.normal(0, 0.5, (NUM_LANDMARKS, 3)) if world else None,
    )


def test_round_trip_matches_the_documented_layout(tmp_path):
    path = landmarks_path_for(tmp_path / "out" / "clip")
    assert path.name == "clip.landmarks.npz"
    w = LandmarksWriter(path, INFO, {"estimator": {"model_complexity": 1}}, chunk=2)
    poses = [pose_at(0), None, pose_at(2, world=False), pose_at(3), None]
    for i, p in enumerate(poses):
        w.append(i, i / 29.97, p, {"back_curvature": 0.05 * i} if i != 1 else None)
    assert w.close() == path and path.is_file()
    assert not list(path.parent.glob(".*.tmp"))  # no temporary left behind
    plain = tmp_path / "plain.txt"
    plain.write_text("x")
    assert path.stat().st_mode & 0o777 == plain.stat().st_mode & 0o777  # not private

    with np.load(path, allow_pickle=False) as z:
        assert str(z["format"]) == FORMAT and int(z["version"]) == 1
        assert z["t_s"].dtype == np.float64 and z["t_s"].shape == (5,)
        assert z["index"].dtype == np.int64
        assert z["present"].dtype == bool and z["present"].tolist() == [1, 0, 1, 1, 0]
        assert z["xy"].dtype == np.float32 and z["xy"].shape == (5, 33, 2)
        assert z["visibility"].shape == (5, 33) and z["world"].shape == (5, 33, 3)
        assert np.isnan(z["xy"][1]).all() and (z["visibility"][1] == 0).all()
        assert np.isnan(z["world"][2]).all()
        assert z["extra__back_curvature"].dtype == np.float32
        meta = json.loads(str(z["meta"]))
    assert meta["fps"] == 29.97 and meta["width"] == 1280 and meta["rotation_deg"] == 90
    # the recording's full path, so a file read from another folder finds it again
    assert meta["source"] == os.path.abspath("clip.mp4")
    assert meta["partial"] is False and meta["frames"] == 5
    assert meta["estimator"] == {"model_complexity": 1} and "posecheck_version" in meta

    d = read_landmarks(path)
    assert len(d) == 5
    p0 = d.pose(0)
    np.testing.assert_allclose(p0.xy, poses[0].xy, rtol=1e-6)
    np.testing.assert_allclose(d.visibility[0], poses[0].visibility, rtol=1e-6)  # as given
    # read back with the points outside the picture hidden (a few of them are)
    hidden = poses[0].hide_off_frame()
    assert 0 < (hidden.visibility == 0).sum() < NUM_LANDMARKS
    np.testing.assert_allclose(p0.visibility, hidden.visibility, rtol=1e-6)
    np.testing.assert_allclose(p0.world, poses[0].world, rtol=1e-6)
    assert p0.image_size == (1280, 720)
    assert d.pose(1) is None and d.pose(2).world is None
    assert p0.extras == {"back_curvature": 0.0}
    assert d.pose(3).extras["back_curvature"] == pytest.approx(0.15)
    assert math.isnan(d.extras["back_curvature"][1])


def test_source_replays_poses_with_times(tmp_path):
    path = tmp_path / "a.landmarks.npz"
    w = LandmarksWriter(path, INFO)
    for i in range(5):
        w.append(10 + i, i * 0.5, pose_at(i) if i % 2 == 0 else None)
    w.close()
    src = LandmarksSource(path)
    assert src.info.kind == "landmarks" and src.info.fps == 29.97 and src.info.frame_count == 5
    rows = list(src.poses())
    assert [r[0] for r in rows] == [10, 11, 12, 13, 14]
    assert [r[1] for r in rows] == [0.0, 0.5, 1.0, 1.5, 2.0]
    assert [r[2] is not None for r in rows] == [True, False, True, False, True]
    assert src.frames_read == 5 and not src.warnings


def test_writer_memory_grows_in_chunks(tmp_path):
    w = LandmarksWriter(tmp_path / "x.landmarks.npz", INFO, chunk=16)
    for i in range(40):
        w.append(i, i / 30, pose_at(i))
    assert len(w) == 40
    assert w._cap == 64  # 16 -> 32 -> 64: amortised growth, no per-frame reallocation
    assert w.arrays()["xy"].shape == (40, 33, 2)


def test_sink_writes_raw_pose_and_marks_partial(tmp_path):
    path = tmp_path / "s.landmarks.npz"
    sink = LandmarksSink(path, {"smoothing": None})
    sink.open(INFO, None)
    raw, smoothed = pose_at(1), pose_at(2)
    r = FrameResult(0, 0.0, smoothed, {})
    r.raw_pose = raw
    sink.write(None, r)
    assert not path.exists()  # nothing appears before close
    sink.close(SessionSummary("bridge", None, 0.0, 1, 1, partial=True))
    d = read_landmarks(path)
    assert d.meta["partial"] is True
    np.testing.assert_allclose(d.xy[0], raw.xy, rtol=1e-6)
    assert LandmarksSource(path).warnings == [f"{path}: recorded from an interrupted run (partial)"]


def test_failed_write_leaves_no_file(tmp_path, monkeypatch):
    path = tmp_path / "f.landmarks.npz"
    w = LandmarksWriter(path, INFO)
    w.append(0, 0.0, pose_at(0))

    def boom(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(np, "savez_compressed", boom)
    with pytest.raises(KeyboardInterrupt):
        w.close()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "{p}: no such landmarks file (check the path)"),
        (b"garbage", "{p}: not a landmarks file (not a readable .npz archive) "
                     "('posecheck analyze VIDEO' writes one next to its results)"),
        ({"format": "other"}, "{p}: not a posecheck landmarks file (format 'other')"),
        ({"format": FORMAT, "version": 9},
         "{p}: landmarks file version 9 is not supported (this posecheck reads 1) "
         "(re-create it with this version of posecheck)"),
        ({"format": FORMAT, "version": 1, "t_s": np.zeros(2)},
         "{p}: landmarks file lacks 'index'"),
    ],
    ids=["missing", "garbage", "format", "version", "missing-key"],
)  # fmt: skip
def test_bad_files_give_one_line(tmp_path, content, message):
    p = tmp_path / "bad.landmarks.npz"
    if isinstance(content, bytes):
        p.write_bytes(content)
    elif isinstance(content, dict):
        with open(p, "wb") as fh:
            np.savez(fh, **{k: np.asarray(v) for k, v in content.items()})
    with pytest.raises(InputError) as e:
        read_landmarks(p)
    assert e.value.one_line() == message.format(p=p)


def test_file_keeps_the_models_visibility_and_replay_hides_as_live(tmp_path):
    """Live poses (off-frame points hidden by the adapter) are stored with the model's
    visibility; reading them back hides exactly the same points, so a replay scores
    as the live run did, and a file written before the hiding existed is hidden too."""
    rng = np.random.default_rng(7)
    live = []
    for _ in range(6):
        xy = rng.uniform(-60, 1340, (NUM_LANDMARKS, 2))
        xy[0] = (12.8, 400.0)  # exactly on the 1% margin line: inside
        xy[1] = (12.7, 400.0)  # just outside it
        raw = Pose(xy=xy, visibility=rng.uniform(0.4, 1, NUM_LANDMARKS), image_size=(1280, 720))
        live.append(raw.hide_off_frame())
    path = tmp_path / "live.landmarks.npz"
    w = LandmarksWriter(path, INFO)
    for i, p in enumerate(live):
        w.append(i, i / 30, p)
    w.close()
    d = read_landmarks(path)
    for i, p in enumerate(live):
        np.testing.assert_allclose(d.visibility[i], p.raw_visibility, rtol=1e-6)  # raw stored
        back = d.pose(i)
        assert ((back.visibility == 0) == (p.visibility == 0)).all()
        np.testing.assert_allclose(back.visibility, p.visibility, rtol=1e-6)
        assert back.vis("nose") > 0 and back.vis("left_eye_inner") == 0


@pytest.mark.parametrize(
    ("paused", "start_s"),
    [
        ([True, True, False, True, False], 1.0),  # set-up and countdown, then a pause
        ([False] * 5, 0.0),  # analyze: every frame judged
        ([True] * 5, None),  # never got past the set-up check
    ],
)
def test_sink_records_the_frames_the_engine_did_not_judge(tmp_path, paused, start_s):
    path = tmp_path / "live.landmarks.npz"
    sink = LandmarksSink(path)
    sink.open(INFO, None)
    for i, p in enumerate(paused):
        sink.write(None, FrameResult(i, i * 0.5, pose_at(i), {}, paused=p))
    sink.close(SessionSummary("bridge", None, 2.0, 5, 5))
    d = read_landmarks(path)
    assert d.paused is not None and d.paused.tolist() == paused
    assert d.meta["exercise_start_s"] == start_s


def test_file_without_paused_flags_judges_every_frame(tmp_path):
    """Files written before the flags existed: read as before, every frame judged."""
    path = tmp_path / "old.landmarks.npz"
    w = LandmarksWriter(path, INFO)
    for i in range(3):
        w.append(i, i / 30, pose_at(i))
    arrays = w.arrays()
    del arrays["paused"]
    arrays["meta"] = np.array(json.dumps({"fps": 29.97}))
    with open(path, "wb") as fh:
        np.savez_compressed(fh, **arrays)
    d = read_landmarks(path)
    assert d.paused is None and len(d) == 3
    from posecheck.commands._offline import ReplayPauses

    assert not ReplayPauses.needed(d)


def test_bad_paused_flags_give_one_line(tmp_path):
    path = tmp_path / "b.landmarks.npz"
    w = LandmarksWriter(path, INFO)
    w.append(0, 0.0, pose_at(0))
    arrays = w.arrays()
    arrays["paused"] = np.zeros(3, np.float32)
    with open(path, "wb") as fh:
        np.savez_compressed(fh, **arrays)
    with pytest.raises(InputError) as e:
        read_landmarks(path)
    assert e.value.one_line() == f"{path}: 'paused' has shape (3,) float32, expected (1,) b"

"""The one frame loop, with a fake estimator and a fake engine (no model)."""

from __future__ import annotations

import math
from dataclasses import replace
from fractions import Fraction
from types import SimpleNamespace

import numpy as np
import pytest

from media_builders import write_av_video
from posecheck.angles import EXTRA_MEASURES, MeasureSpec
from posecheck.landmarks_io import LandmarksSink, LandmarksSource, read_landmarks
from posecheck.pipeline import Progress, SinkBase, iterate_poses, run
from posecheck.pose import Frame, MediaInfo, Pose
from posecheck.results import FrameResult, SessionSummary
from posecheck.smoothing import PoseSmoother
from posecheck.sources import open_source

from helpers import make_pose


class FakeEngine:
    """Records what it is given; the summary counts frames."""

    def __init__(self, names=("left_hip", "left_knee"), interrupt_at: int | None = None):
        self.measure_names = set(names)
        self.exercise = SimpleNamespace(name="bridge-def", min_visibility=0.5)
        self.final_result = None
        self.cuts: list[float] = []
        self.calls: list[tuple[int, float, Pose | None, dict]] = []
        self.finished: list[bool] = []
        self.interrupt_at = interrupt_at

    def update(self, frame_index, t_s, pose, measures):
        if self.interrupt_at is not None and len(self.calls) == self.interrupt_at:
            raise KeyboardInterrupt
        self.calls.append((frame_index, t_s, pose, measures))
        return FrameResult(frame_index, t_s, pose, measures)

    def cut(self, t_s):
        self.cuts.append(t_s)

    def finish(self, partial=False):
        self.finished.append(partial)
        n = len(self.calls)
        return SessionSummary(
            "bridge", "left", self.calls[-1][1] if n else 0.0, n,
            sum(1 for c in self.calls if c[2] is not None), partial=partial,
        )  # fmt: skip


class FakeEstimator:
    """A bridge pose whose hip angle follows the frame index; nobody on every 4th frame.

    The ankle slides right and leaves the 128x72 frame from frame 6 on; like the real
    adapter, the pose comes with off-frame landmarks hidden.
    """

    def __init__(self):
        self.seen: list[int] = []

    def estimate(self, frame: Frame) -> Pose | None:
        self.seen.append(frame.index)
        if frame.index % 4 == 3:
            return None
        w, h = frame.size
        lift = 1.0 * frame.index
        return make_pose(
            {"left_shoulder": (10, 30), "left_hip": (30, 30 - lift),
             "left_knee": (50, 30 - lift), "left_ankle": (100 + 5 * frame.index, 40)},
            image_size=(w, h),
        ).hide_off_frame()  # fmt: skip


class RecordingSink(SinkBase):
    def __init__(self):
        self.opened = None
        self.rows: list[tuple[Frame | None, FrameResult]] = []
        self.closed: SessionSummary | None = None

    def open(self, info, exercise):
        self.opened = (info, exercise)

    def write(self, frame, result):
        self.rows.append((frame, result))

    def close(self, summary):
        self.closed = summary


@pytest.fixture
def clip(tmp_path):
    return write_av_video(tmp_path / "c.mp4", 12, Fraction(30000, 1001), size=(128, 72))


def test_run_feeds_every_frame_through_once(clip):
    engine, est, sink = FakeEngine(), FakeEstimator(), RecordingSink()
    with open_source(clip) as src:
        summary = run(src, est, engine, [sink])
    assert est.seen == list(range(12))
    assert [c[0] for c in engine.calls] == list(range(12))
    assert engine.calls[1][1] == pytest.approx(1001 / 30000, abs=1e-3)
    # only the engine's measures are computed, in pixels of the 128x72 frame
    assert set(engine.calls[0][3]) == {"left_hip", "left_knee"}
    assert engine.calls[0][3]["left_hip"] == pytest.approx(180.0)
    assert engine.calls[3][2] is None and math.isnan(engine.calls[3][3]["left_hip"])
    # the ankle is in the picture up to frame 5, then out: the knee angle is unknown
    assert all(math.isfinite(c[3]["left_knee"]) for c in engine.calls[:6] if c[2] is not None)
    assert all(math.isnan(c[3]["left_knee"]) for c in engine.calls[6:])
    assert (
        sink.opened[0].fps == pytest.approx(29.97, abs=1e-3) and sink.opened[1] is engine.exercise
    )
    assert len(sink.rows) == 12 and sink.rows[0][0].index == 0
    assert sink.closed is summary and summary.frames == 12 and summary.frames_with_pose == 9
    assert engine.finished == [False] and not summary.partial


def test_keyboard_interrupt_finishes_partial_and_closes_sinks(clip, tmp_path):
    engine = FakeEngine(interrupt_at=5)
    sink = RecordingSink()
    lm = LandmarksSink(tmp_path / "c.landmarks.npz")
    with open_source(clip, prefetch=2) as src, pytest.raises(KeyboardInterrupt):
        run(src, FakeEstimator(), engine, [sink, lm])
    assert engine.finished == [True]
    assert sink.closed is not None and sink.closed.partial and sink.closed.frames == 5
    assert len(sink.rows) == 5
    d = read_landmarks(tmp_path / "c.landmarks.npz")
    assert len(d) == 5 and d.meta["partial"] is True  # a complete file, marked partial
    assert src._thread is None  # the decoder stopped


def test_a_failing_sink_does_not_lose_the_others(clip):
    class Broken(RecordingSink):
        def close(self, summary):
            raise OSError("disk full")

    good = RecordingSink()
    with open_source(clip) as src, pytest.raises(OSError, match="disk full"):
        run(src, FakeEstimator(), FakeEngine(), [Broken(), good])
    assert good.closed is not None


def test_smoothing_and_raw_pose(clip):
    engine, sink = FakeEngine(), RecordingSink()
    with open_source(clip) as src:
        run(src, FakeEstimator(), engine, [sink], smoother=PoseSmoother())
    r2 = sink.rows[2][1]
    # the engine saw the smoothed pose, the raw one is kept for the landmarks file
    assert r2.raw_pose is not None and r2.pose is not r2.raw_pose
    assert r2.pose.point("left_hip")[1] > r2.raw_pose.point("left_hip")[1]  # lags the lift
    assert sink.rows[3][1].raw_pose is None


def test_progress_reports_and_final_call(clip):
    seen: list[Progress] = []
    with open_source(clip) as src:
        run(src, FakeEstimator(), FakeEngine(), [], progress=seen.append, progress_every_s=0.0)
    assert seen[-1].done == 12 and seen[-1].total == 12 and seen[-1].eta_s == 0.0
    assert [p.done for p in seen[:-1]] == list(range(1, 13))
    assert all(p.fps > 0 for p in seen)


def test_rescoring_from_landmarks_gives_the_same_measures(clip, tmp_path):
    path = tmp_path / "r.landmarks.npz"
    first = FakeEngine()
    with open_source(clip) as src:
        run(src, FakeEstimator(), first, [LandmarksSink(path)])
    again, sink = FakeEngine(), RecordingSink()
    summary = run(LandmarksSource(path), None, again, [sink])
    assert [c[0] for c in again.calls] == [c[0] for c in first.calls]
    assert [c[1] for c in again.calls] == pytest.approx([c[1] for c in first.calls])
    for a, b in zip(first.calls, again.calls, strict=True):
        for k in a[3]:
            assert (math.isnan(a[3][k]) and math.isnan(b[3][k])) or a[3][k] == pytest.approx(
                b[3][k], abs=1e-3
            )
    assert all(frame is None for frame, _ in sink.rows)
    assert sink.opened[0].kind == "landmarks" and summary.frames == 12
    # the file keeps the model's visibility of the off-frame ankle; the replay hides it again
    assert read_landmarks(path).visibility[8, 27] == pytest.approx(0.99)
    assert math.isnan(again.calls[8][3]["left_knee"]) and again.calls[8][2].vis("left_ankle") == 0
    assert read_landmarks(path).meta["smoothing_params"] is None  # recorded by the sink


def test_landmarks_file_records_estimator_and_smoothing(clip, tmp_path):
    from posecheck.estimator import EstimatorOptions

    est = FakeEstimator()
    est.options = EstimatorOptions(model_complexity=1, segmentation=True)
    path = tmp_path / "m.landmarks.npz"
    with open_source(clip) as src:
        run(src, est, FakeEngine(), [LandmarksSink(path)], smoother=PoseSmoother())
    meta = read_landmarks(path).meta
    assert meta["estimator"]["segmentation"] is True and meta["estimator"]["model_complexity"] == 1
    assert meta["smoothing_params"] == {
        "min_cutoff": 1.0,
        "beta": 40.0,
        "d_cutoff": 1.0,
        "max_gap_s": 0.5,
    }


def test_extra_measures_are_computed_stored_and_replayed(clip, tmp_path, monkeypatch):
    calls = []

    def from_pose(pose: Pose, min_visibility: float = 0.5) -> float:
        calls.append(1)
        return float(pose.point("left_hip")[1]) / 1000.0

    # a mask measure: stored in the landmarks file and taken back from it (the mask is not
    # stored); an extra the landmarks give again is not stored (the next test)
    spec = MeasureSpec("test_extra_height", "ratio", "ratio", ("left_hip",), "test only",
                       from_pose=from_pose, needs_mask=True)  # fmt: skip
    monkeypatch.setitem(EXTRA_MEASURES, spec.name, spec)  # as register_extra does, undone after
    path = tmp_path / "e.landmarks.npz"
    names = ("left_hip", "test_extra_height")
    first = FakeEngine(names)
    with open_source(clip) as src:
        run(src, FakeEstimator(), first, [LandmarksSink(path)])
    assert first.calls[1][3]["test_extra_height"] == pytest.approx(0.029)
    n_calls = len(calls)
    again = FakeEngine(names)
    run(LandmarksSource(path), None, again, [])
    assert len(calls) == n_calls  # replayed from the file, not recomputed (no mask there)
    assert again.calls[1][3]["test_extra_height"] == pytest.approx(0.029)
    assert math.isnan(again.calls[3][3]["test_extra_height"])


def test_an_extra_the_landmarks_give_again_is_computed_on_the_replayed_pose(
    clip, tmp_path, monkeypatch
):
    """Not stored, so a replay computes it on its own (smoothed) pose, as analyze did."""
    spec = MeasureSpec("test_extra_x", "ratio", "ratio", ("left_hip",), "test only",
                       from_pose=lambda pose, **kw: float(pose.point("left_hip")[0]))  # fmt: skip
    monkeypatch.setitem(EXTRA_MEASURES, spec.name, spec)
    path = tmp_path / "x.landmarks.npz"
    names = ("left_hip", "test_extra_x")
    first = FakeEngine(names)
    with open_source(clip) as src:
        run(src, FakeEstimator(), first, [LandmarksSink(path)])
    assert "test_extra_x" not in read_landmarks(path).extras
    again = FakeEngine(names)
    run(LandmarksSource(path), None, again, [])
    assert again.calls[1][3]["test_extra_x"] == pytest.approx(first.calls[1][3]["test_extra_x"])


def test_mask_measures_are_taken_on_the_raw_pose_like_the_pose_workers_do(
    clip, monkeypatch, tmp_path
):
    """A mask measure is measured on the pose the model found in the mask's own image,
    before smoothing: as chunked workers (which have no smoother) compute it."""

    def from_pose(pose: Pose, min_visibility: float = 0.5) -> float:
        assert pose.mask is not None
        return float(pose.point("left_hip")[1]) / 1000.0

    spec = MeasureSpec("test_mask_height", "ratio", "ratio", ("left_hip",), "test only",
                       from_pose=from_pose, needs_mask=True)  # fmt: skip
    monkeypatch.setitem(EXTRA_MEASURES, spec.name, spec)

    class MaskEstimator(FakeEstimator):
        def estimate(self, frame: Frame) -> Pose | None:
            pose = super().estimate(frame)
            return None if pose is None else replace(pose, mask=np.ones((72, 128), np.float32))

    engine, sink = FakeEngine(("left_hip", "test_mask_height")), RecordingSink()
    path = tmp_path / "m.landmarks.npz"
    with open_source(clip) as src:
        run(src, MaskEstimator(), engine, [sink, LandmarksSink(path)], smoother=PoseSmoother())
    # the file keeps them as measured: a replay through the smoother filters them once
    stored = read_landmarks(path).extras["test_mask_height"]
    assert [float(v) for v in stored[:3]] == pytest.approx(
        [r.raw_pose.point("left_hip")[1] / 1000 for _, r in sink.rows[:3]], rel=1e-6
    )
    r2 = sink.rows[2][1]
    assert r2.pose.point("left_hip")[1] != pytest.approx(r2.raw_pose.point("left_hip")[1])
    raw = r2.raw_pose.point("left_hip")[1] / 1000
    assert r2.raw_pose.extras["test_mask_height"] == pytest.approx(raw)  # what files store
    # the engine reads it filtered like the landmarks at rest (the smoother's docs): the
    # same low-pass over the raw values, not the smoothed pose's value
    from posecheck.smoothing import OneEuroArrayFilter, OneEuroParams

    low = OneEuroArrayFilter(OneEuroParams(beta=0.0))
    for _, r in sink.rows[:3]:
        want = low(np.array([r.raw_pose.point("left_hip")[1] / 1000]), r.t_s)[0]
    assert r2.measures["test_mask_height"] == pytest.approx(want)
    assert r2.measures["test_mask_height"] != pytest.approx(r2.pose.point("left_hip")[1] / 1000)


def test_iterate_poses_needs_an_estimator_for_media():
    class Src:
        info = MediaInfo("x", "video", 30.0, 1, 2, 2)

        def frames(self):
            yield Frame(0, 0.0, np.zeros((2, 2, 3), np.uint8))

    with pytest.raises(ValueError):
        list(iterate_poses(Src(), None))

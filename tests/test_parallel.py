"""One video on every core (posecheck.parallel): chunk plans, exact seeks, stitching, and
``analyze --workers`` against one process on a real clip."""

from __future__ import annotations

import hashlib
import json
import logging

import numpy as np
import pytest

from posecheck.cli import main
from posecheck.errors import InputError
from posecheck.landmarks_io import read_landmarks
from posecheck.parallel import Chunk, ChunkPoses, plan_parts, stitch
from posecheck.sources import open_source

from conftest import MEDIA

BRIDGE = "bridge/glute-bridge-3-reps-side.mp4"


@pytest.mark.parametrize(
    ("frames", "fps", "part_s", "expected"),
    [
        # shorter than two parts of 10 s: one tracking run
        (392, 30.0, 10.0, [(0, 0, None)]),
        (599, 30.0, 10.0, [(0, 0, None)]),
        (600, 0.0, 10.0, [(0, 0, None)]),  # unknown rate
        (0, 30.0, 10.0, [(0, 0, None)]),  # unknown length
        # two equal parts, the second warming up on the 30 frames (1 s) before it
        (600, 30.0, 10.0, [(0, 0, 300), (270, 300, None)]),
        # as many whole parts as fit, equal: 2.5 parts' worth is two parts of 12.5 s
        (750, 30.0, 10.0, [(0, 0, 375), (345, 375, None)]),
        (392, 30.0, 3.0, [(0, 0, 98), (68, 98, 196), (166, 196, 294), (264, 294, None)]),
        (120, 25.0, 2.0, [(0, 0, 60), (35, 60, None)]),  # 1 s of warm-up at 25 fps
        # at most 16 parts: 32 parts' worth of 1 s is 16 equal parts of 2 s
        (
            960,
            30.0,
            1.0,
            [(max(0, 60 * k - 30), 60 * k, 60 * k + 60 if k < 15 else None) for k in range(16)],
        ),
    ],
)
def test_plan_parts(frames, fps, part_s, expected):
    got = plan_parts(frames, fps, part_s)
    assert [(c.warm_start, c.start, c.end) for c in got] == expected
    assert [c.number for c in got] == list(range(len(expected)))


def test_the_grid_is_the_recordings_not_the_workers():
    """Every worker count tracks a long recording in the same parts (one process too)."""
    from types import SimpleNamespace

    from posecheck.parallel import for_source
    from posecheck.pose import MediaInfo

    def source(frames, seekable=True):
        info = MediaInfo("x.mp4", "video", 30.0, frames, 640, 360)
        return SimpleNamespace(info=info, seekable=seekable)

    plans = {n: for_source(source(54_000), n) for n in (1, 2, 3, 8, 0)}
    assert all(p is not None for p in plans.values())
    grid = [(c.warm_start, c.start, c.end) for c in plan_parts(54_000, 30.0)]
    assert len(grid) == 16  # 30 min: at most 16 parts (112.5 s), not 180 warm-ups of 1 s
    for n, p in plans.items():
        assert [(c.warm_start, c.start, c.end) for c in p.chunks] == grid, n
    assert plans[1].workers == 1  # the parts run in this process, one after the other
    assert plans[3].workers == 3
    # one tracking run, as before the grid: shorter than two parts, or no exact seek
    assert for_source(source(599), 2) is None
    assert for_source(source(54_000, seekable=False), 2) is None


def _chunk(number, warm, kept, start, t_shift=0.0) -> ChunkPoses:
    n = len(kept)
    return ChunkPoses(
        Chunk(number, warm[0] if warm else start, start, start + n),
        (640, 360),
        np.array(kept, np.int64),
        np.array(kept, float) / 30.0,
        np.zeros(n, bool),
        np.full((n, 33, 2), np.nan),
        np.zeros((n, 33)),
        np.full((n, 33, 3), np.nan),
        {},
        np.array(warm, np.int64),
        np.array(warm, float) / 30.0 + t_shift,
    )


def test_stitch_joins_chunks_in_order_and_drops_the_warm_up():
    a = _chunk(0, [], list(range(0, 10)), 0)
    b = _chunk(1, [7, 8, 9], list(range(10, 20)), 10)
    got = list(stitch("clip.mp4", [a, b]))
    assert [g[0] for g in got] == list(range(20))
    assert all(g[2] is None for g in got)


def test_a_video_that_ends_early_is_told_once_with_the_frames_read_in_all():
    """Each part's reader counts from its seek: the second part of a file cut at frame 14
    said "read 0 of 60 frames" beside the first's; the stitched poses tell it once."""
    a = _chunk(0, [], list(range(0, 10)), 0)
    b = _chunk(1, [7, 8, 9], list(range(10, 14)), 10)
    c = _chunk(2, [], [], 20)
    b.truncated = c.truncated = True
    b.warnings, c.warnings = ["x"], []
    warnings: list[str] = []
    got = list(stitch("clip.mp4", [a, b, c], None, warnings, frame_count=60))
    assert len(got) == 14
    assert warnings == [
        "x", "clip.mp4: video ends early: read 14 of 60 frames (the file looks truncated)"
    ]  # fmt: skip
    warnings.clear()
    list(stitch("clip.mp4", [_chunk(0, [], list(range(10)), 0)], None, warnings, 10))
    assert warnings == []  # a whole one: nothing to tell


def _part(c: ChunkPoses, part: int, last: bool) -> ChunkPoses:
    c.part, c.last = part, last
    return c


def test_stitch_joins_the_parts_a_worker_sends_ahead_and_checks_the_seam_across_them():
    # chunk 0 in three parts; chunk 1's warm-up (frames 8-11) spans chunk 0's last two
    a0 = _part(_chunk(0, [], list(range(0, 5)), 0), 0, False)
    a1 = _part(_chunk(0, [], list(range(5, 10)), 5), 1, False)
    a2 = _part(_chunk(0, [], list(range(10, 12)), 10), 2, True)
    b0 = _part(_chunk(1, [8, 9, 10, 11], list(range(12, 15)), 12), 0, False)
    b1 = _part(_chunk(1, [], [], 15), 1, True)
    b1.cpu_s = 2.0
    stats: list = []
    got = list(stitch("clip.mp4", [a0, a1, a2, b0, b1], stats))
    assert [g[0] for g in got] == list(range(15))
    assert [(s.chunk, s.frames, s.cpu_s) for s in stats] == [(0, 12, 0.0), (1, 3, 2.0)]
    lost = _part(_chunk(0, [], list(range(6, 10)), 6), 1, True)  # frame 5 never arrived
    with pytest.raises(RuntimeError, match="out of order"):
        list(stitch("clip.mp4", [_part(_chunk(0, [], list(range(0, 5)), 0), 0, False), lost]))


def test_stitch_refuses_a_seek_that_landed_elsewhere():
    a = _chunk(0, [], list(range(0, 10)), 0)
    b = _chunk(1, [7, 8, 9], list(range(10, 20)), 10, t_shift=1 / 30)  # times one frame off
    with pytest.raises(InputError) as e:
        list(stitch("clip.mp4", [a, b]))
    assert e.value.one_line() == (
        "clip.mp4: frames read after seeking to frame 7 do not match the frames read from "
        "the start, so it cannot be tracked in parts (track it in one run: --part longer "
        "than the video)"
    )


def test_a_warm_up_longer_than_a_part_is_checked_where_it_meets_the_previous_part():
    # parts of 3 frames, warm-ups of 5: part 2 warms up on frames 1-5 (parts 0 and 1)
    a = _chunk(0, [], [0, 1, 2], 0)
    b = _chunk(1, [0, 1, 2], [3, 4, 5], 3)
    c = _chunk(2, [1, 2, 3, 4, 5], [6, 7, 8], 6)
    assert [g[0] for g in stitch("clip.mp4", [a, b, c])] == list(range(9))
    c = _chunk(2, [1, 2, 3, 4, 5], [6, 7, 8], 6, t_shift=1 / 30)
    with pytest.raises(InputError, match="seeking to frame 1 do not match"):
        list(stitch("clip.mp4", [a, b, c]))


@pytest.mark.parametrize("rel", sorted(p.relative_to(MEDIA).as_posix()
                                       for p in MEDIA.glob("*/*.mp4")))  # fmt: skip
def test_seeking_gives_the_frames_a_read_from_the_start_gives(rel):
    """Every real clip: index, time and pixels after start_at equal the sequential read."""
    path = MEDIA / rel
    with open_source(path) as src:
        n = src.info.frame_count
        k = min(n // 2, 120)  # past the first keyframe on every clip here
        ref = []
        for f in src.frames():
            if f.index >= k + 2:
                break
            if f.index >= k:
                ref.append((f.index, f.t_s, hashlib.md5(f.image.tobytes()).hexdigest()))
    assert src.seekable
    with open_source(path) as src:
        src.start_at(k)
        got = []
        for f in src.frames():
            got.append((f.index, f.t_s, hashlib.md5(f.image.tobytes()).hexdigest()))
            if len(got) == 2:
                break
    assert got == ref


def test_workers_out_of_range_is_one_line(tmp_path, capsys):
    code = main(["analyze", str(tmp_path / "x.mp4"), "--workers", "-1"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert err == ["posecheck: error: --workers -1 is out of range (use 1 or more, 0: the cores)"]
    lm = tmp_path / "a.landmarks.npz"
    lm.write_bytes(b"x")
    assert main(["score", str(lm), "--jobs", "-1"]) == 2
    assert capsys.readouterr().err.strip().splitlines() == [
        "posecheck: error: --jobs -1 is out of range (use 1 or more, 0: the cores)"]  # fmt: skip


@pytest.mark.parametrize("command", ["analyze", "score"])
@pytest.mark.parametrize("part", ["0", "inf"])  # inf was a traceback (an overflow)
def test_a_part_out_of_range_is_one_line(tmp_path, capsys, command, part):
    code = main([command, str(tmp_path / "x.mp4"), "--part", part])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert err == [f"posecheck: error: --part {part} is out of range (use seconds > 0)"]
    assert list(tmp_path.iterdir()) == []


def _analyze(video, out, *extra, video_out=False):
    outputs = ["--no-report"] + ([] if video_out else ["--no-video"])
    code = main(["-v", "analyze", str(video), "-e", "bridge", "-o", str(out), "--force",
                 *outputs, "-q", *extra])  # fmt: skip
    assert code == 0
    summary = json.loads((out / "summary.json").read_text())
    return summary, read_landmarks(out / f"{video.stem}.landmarks.npz")


@pytest.mark.model
def test_two_workers_give_exactly_what_one_process_gives(media, tmp_path, caplog):
    """The real bridge clip tracked in 4 parts (--part 3 s): one process runs them one
    after the other (poses only), two worker processes share them while this process
    draws the annotated video (poses matched to its frames); the landmarks, reps and
    holds are identical (issue 17)."""
    caplog.set_level(logging.INFO, logger="posecheck")
    video = media(BRIDGE)
    one, lm1 = _analyze(video, tmp_path / "one", "--workers", "1", "--part", "3")
    assert "pose model: 1 process (this one), 4 parts, 482 frames estimated for 392" in (
        caplog.text
    )  # 3 warm-ups of 30 frames
    two, lm2 = _analyze(video, tmp_path / "two", "--workers", "2", "--part", "3", video_out=True)
    assert "pose model: 2 worker processes, 4 parts, 482 frames estimated for 392" in (caplog.text)
    assert (tmp_path / "two" / "annotated.mp4").is_file()
    assert two["frames"] == one["frames"] == 392
    assert np.array_equal(lm1.index, lm2.index) and np.array_equal(lm1.t_s, lm2.t_s)
    assert np.array_equal(lm1.present, lm2.present)
    for name in ("xy", "visibility", "world"):
        assert np.array_equal(getattr(lm1, name), getattr(lm2, name), equal_nan=True), name
    assert two["reps_complete"] == one["reps_complete"] == 3
    assert two["holds"] == one["holds"] and len(one["holds"]) == 3
    assert two["score"] == one["score"]
    # one process drawing the video: the model runs on the loop's own frames, part by
    # part (parallel.InlineParts), the video decoded once; the same poses again
    caplog.clear()
    inline, lm3 = _analyze(video, tmp_path / "inl", "--workers", "1", "--part", "3",
                           video_out=True)  # fmt: skip
    assert "pose model: 1 process (this one), 4 parts, 482 frames estimated for 392" in (
        caplog.text
    )
    assert (tmp_path / "inl" / "annotated.mp4").is_file()
    assert np.array_equal(lm1.index, lm3.index) and np.array_equal(lm1.present, lm3.present)
    for name in ("xy", "visibility", "world"):
        assert np.array_equal(getattr(lm1, name), getattr(lm3, name), equal_nan=True), name
    assert (inline["holds"], inline["score"]) == (one["holds"], one["score"])


def test_score_ray_without_the_extra_is_one_line(tmp_path, capsys, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "ray", None)  # as if not installed: import fails
    from test_analyze import bridge_landmarks

    lm = bridge_landmarks(tmp_path / "b.landmarks.npz")
    code = main(["score", str(lm), "--ray"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert err == [
        'posecheck: error: --ray needs Ray, which is not installed (pip install "posecheck[ray]")'
    ]


def test_ray_units_are_runs_of_whole_grid_parts():
    """A unit is at most --ray-unit seconds of whole parts of the grid analyze and
    score --jobs track on, so --ray gets their poses."""
    from posecheck.pose import MediaInfo
    from posecheck.ray_archive import _Header, plan_units

    def header(kind, frames, seekable=True):
        return _Header(MediaInfo(f"x.{kind}", kind, 30.0, frames, 640, 360), seekable)

    units = plan_units(
        [(0, "long.mp4", header("video", 54_000)), (1, "short.mp4", header("video", 900)),
         (2, "a.gif", header("gif", 54_000, seekable=False)),
         (3, "odd.mp4", header("video", 1_000))], unit_s=600.0,
    )  # fmt: skip
    by = {r: [u for u in units if u.recording == r] for r in range(4)}
    # 30 min: 16 parts of 112.5 s, 5 (562.5 s) a unit of at most 10 min
    assert [u.number for u in by[0]] == [0, 1, 2, 3]
    assert [len(u.parts) for u in by[0]] == [5, 5, 5, 1]
    assert [p for u in by[0] for p in u.parts] == plan_parts(54_000, 30.0)
    assert [(u.parts[0].warm_start, u.parts[0].start) for u in by[0]] == [
        (0, 0), (16_845, 16_875), (33_720, 33_750), (50_595, 50_625)]  # fmt: skip
    assert [p for u in by[1] for p in u.parts] == plan_parts(900, 30.0)  # 3 parts, 1 unit
    assert len(by[1]) == 1 and len(by[1][0].parts) == 3
    assert [u.parts for u in by[2]] == [(Chunk(0, 0, 0, None),)]  # cannot seek: one run
    # units of at most 12 s: parts of 11.1 s (1000 frames in 3) cannot pair up
    small = plan_units([(3, "odd.mp4", header("video", 1_000))], unit_s=12.0)
    assert [len(u.parts) for u in small] == [1, 1, 1]
    assert [p for u in small for p in u.parts] == plan_parts(1_000, 30.0)


def test_as_an_estimator_poses_are_matched_to_frames_by_index():
    """The annotated-video path: the main loop decodes frames, the stream gives poses."""
    from posecheck.parallel import ParallelPoses
    from posecheck.pose import Frame, MediaInfo

    from helpers import make_pose

    info = MediaInfo("x.mp4", "video", 30.0, 5, 640, 360)
    par = ParallelPoses("x.mp4", info, [Chunk(0, 0, 0, 3), Chunk(1, 2, 3, None)], workers=2)
    poses = {i: make_pose({"left_hip": (100 + i, 200)}) for i in (0, 1, 3)}
    par._stream = iter([(0, 0.0, poses[0]), (1, 0.03, poses[1]), (2, 0.07, None),
                        (3, 0.1, poses[3])])  # fmt: skip
    img = np.zeros((4, 4, 3), np.uint8)
    got = [par.estimate(Frame(i, i / 30, img)) for i in range(5)]
    assert got[0] is poses[0] and got[1] is poses[1] and got[3] is poses[3]
    assert got[2] is None  # nobody found on that frame
    assert got[4] is None  # the main reader saw a frame the workers did not

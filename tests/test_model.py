"""The real MediaPipe model on real footage (../shared/media); marked ``model``."""

from __future__ import annotations

import itertools
import math
import subprocess

import numpy as np
import pytest

from posecheck.angles import compute_measures, side_visibility
from posecheck.estimator import EstimatorOptions, MediaPipeEstimator, pose_box
from posecheck.pose import Pose
from posecheck.sources import open_source

from conftest import media_path

pytestmark = pytest.mark.model


def run_model(path, max_frames: int | None = None, **opts) -> list[tuple[float, Pose | None]]:
    out = []
    with open_source(path) as src, MediaPipeEstimator(EstimatorOptions(**opts)) as est:
        for frame in itertools.islice(src.frames(), max_frames):
            out.append((frame.t_s, est.estimate(frame)))
    return out


def visible_side(poses: list[Pose | None]) -> str:
    vis = [side_visibility(p) for p in poses if p is not None]
    return max(("left", "right"), key=lambda s: float(np.mean([v[s] for v in vis])))


def test_bridge_hip_angle_rises_above_165_at_each_top_and_drops_between(labels):
    rel = "bridge/glute-bridge-3-reps-side.mp4"
    rows = run_model(media_path(rel))
    assert len(rows) == 392
    detected = sum(p is not None for _, p in rows) / len(rows)
    assert detected >= 0.95
    side = visible_side([p for _, p in rows])
    t = np.array([r[0] for r in rows])
    hip = np.array([compute_measures(p, [f"{side}_hip"])[f"{side}_hip"] for _, p in rows])
    holds = labels[rel]["top_holds_s"]
    assert len(holds) == 3
    for a, b in holds:
        top = hip[(t >= a) & (t <= b)]
        assert np.nanmax(top) > 165, f"top {a}-{b}s: max hip {np.nanmax(top):.1f}"
    for (_, b), (a, _) in itertools.pairwise(holds):
        between = hip[(t > b) & (t < a)]
        assert np.nanmin(between) < 140, f"between {b}-{a}s: min hip {np.nanmin(between):.1f}"


def test_cat_camel_on_all_fours_plausible_angles():
    rows = run_model(media_path("cat-camel/cat-cow-side.mp4"), max_frames=45)
    poses = [p for _, p in rows]
    assert sum(p is not None for p in poses) / len(poses) >= 0.95
    side = visible_side(poses)
    m = [compute_measures(p, [f"{side}_hip", f"{side}_knee", f"{side}_trunk_incline"])
         for p in poses if p is not None]  # fmt: skip
    hip = np.nanmedian([x[f"{side}_hip"] for x in m])
    knee = np.nanmedian([x[f"{side}_knee"] for x in m])
    trunk = np.nanmedian([x[f"{side}_trunk_incline"] for x in m])
    # on all fours: thigh about vertical, trunk about horizontal, knee bent about 90
    assert 75 < hip < 120 and 60 < knee < 110 and trunk < 25


def test_gif_source_with_the_model():
    rows = run_model(media_path("bird-dog/bird-dog-side.gif"))
    assert len(rows) == 42
    assert rows[1][0] == pytest.approx(0.1)  # GIF frame delays from the file
    assert sum(p is not None for _, p in rows) >= 40
    p = next(p for _, p in rows if p is not None)
    assert p.image_size == (700, 700) and p.world is not None


def test_person_leaving_the_frame_gives_none_not_an_error():
    rows = run_model(media_path("other/hollow-hold-partly-out-of-frame.mp4"))
    found = [p is not None for _, p in rows]
    assert 0.2 < sum(found) / len(found) < 0.95  # present part of the time
    assert any(found) and not all(found)


@pytest.mark.parametrize("recover", [False, True], ids=["refuse-only", "crop-search"])
def test_two_people_the_subject_stays_the_same(recover):
    # A man on a box (centre x ~ 650-850 px) flips down while a woman walks past on
    # the left. MediaPipe's tracker jumps to the woman at ~5.8 s; the selector must
    # refuse her (no pose rather than her pose), and the crop search should keep
    # finding the man while the tracker is away.
    rows = run_model(media_path("other/two-people-walking-jumping.mp4"), recover_subject=recover)
    boxes = [(t, pose_box(p)) for t, p in rows if p is not None]
    assert all(box[0] > 450 for t, box in boxes), "a pose of the woman on the left was accepted"
    assert sum(1 for t, _ in boxes if t < 5.5) > 140  # the man, before the jump
    assert sum(1 for t, _ in boxes if t > 6.8) > 10  # the man again after landing
    during = sum(1 for t, _ in boxes if 5.8 <= t <= 6.7)
    if recover:
        # of 28 frames: found in the crop, though mid-flip. How many of the upside-down
        # frames the detector finds differs between machines' builds of the model: 15 or
        # more on earlier machines, 12 on the one of session 22 (5.8-6.0 and 6.43-6.7 s
        # missed, every frame of 6.0-6.4 s found)
        assert during >= 10
    else:
        assert during <= 3


def test_segmentation_mask_is_attached():
    rows = run_model(media_path("cat-camel/cat-cow-side.mp4"), max_frames=5, segmentation=True)
    p = rows[-1][1]
    assert p is not None and p.mask is not None
    assert p.mask.shape == (628, 864) and p.mask.dtype == np.float32
    x, y = p.point("left_hip").astype(int)
    assert p.mask[min(y, 627), min(x, 863)] > 0.5  # the hip is inside the person mask


def test_rotated_phone_video_is_upright_for_the_model(tmp_path):
    # The same portrait clip stored sideways with rotation metadata must give the
    # same landmarks as the original (the source turns it upright first).
    src = media_path("other/standing-hip-hinge-vertical.mp4")
    turned, sideways = tmp_path / "turned.mp4", tmp_path / "sideways.mp4"
    try:
        # stored turned 90 degrees counter-clockwise, tagged to be shown turned back
        subprocess.run(
            ["ffmpeg", "-v", "error", "-y", "-i", str(src), "-frames:v", "20",
             "-vf", "transpose=2", "-c:v", "libx264", "-crf", "12", "-preset", "ultrafast",
             str(turned)],
            check=True,
        )  # fmt: skip
        subprocess.run(
            ["ffmpeg", "-v", "error", "-y", "-i", str(turned), "-c", "copy",
             "-metadata:s:v", "rotate=270", str(sideways)],
            check=True,
        )  # fmt: skip
    except (FileNotFoundError, subprocess.CalledProcessError) as exc:
        pytest.skip(f"ffmpeg cannot make the rotated clip: {exc}")
    a = run_model(src, max_frames=20)
    b = run_model(sideways, max_frames=20)
    with open_source(sideways) as s:
        assert (s.info.width, s.info.height) == (480, 854)
    assert sum(p is not None for _, p in b) >= 18
    d = [
        float(np.median(np.linalg.norm(pa.xy - pb.xy, axis=1)))
        for (_, pa), (_, pb) in zip(a, b, strict=True)
        if pa is not None and pb is not None
    ]
    assert d and math.isfinite(d[-1]) and np.median(d) < 15  # pixels on a 480x854 frame


def test_model_start_up_chatter_stays_off_stderr():
    # MediaPipe's C++ start-up logs would bury posecheck's own one-line messages.
    import os
    import sys

    from conftest import REPO

    clip = media_path("cat-camel/cat-cow-side.mp4")
    code = (
        "import itertools;"
        "from posecheck.sources import open_source;"
        "from posecheck.estimator import MediaPipeEstimator, EstimatorOptions;"
        "est = MediaPipeEstimator(EstimatorOptions(segmentation=True));"
        f"src = open_source({str(clip)!r});"
        "n = sum(est.estimate(f) is not None for f in itertools.islice(src.frames(), 5));"
        "src.close(); est.close(); print(n)"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    env.pop("POSECHECK_NATIVE_LOGS", None)
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "5"
    assert r.stderr == ""

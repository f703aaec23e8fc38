"""Cuts on real edited footage with the real model (marked ``model``; skipped without the clip).

``supine-twist/lying-twist-stretch.mp4`` cuts from an oblique camera to a side camera at
7.6 s and back at 18.7 s while the person holds the twist still. Before cut detection
each cut gave a "Lower your knees slowly." (too_fast) cue.
"""

from __future__ import annotations

import pytest

from posecheck.engine import Engine
from posecheck.library import Library
from posecheck.pipeline import SinkBase

from conftest import media_path

pytestmark = pytest.mark.model


def test_twist_clip_cuts_are_found_and_give_no_speed_cue():
    from posecheck.commands._offline import LimitedSource
    from posecheck.estimator import EstimatorOptions, MediaPipeEstimator
    from posecheck.pipeline import run
    from posecheck.smoothing import PoseSmoother
    from posecheck.sources import open_source

    path = media_path("supine-twist/lying-twist-stretch.mp4")
    engine = Engine(Library.load().get("supine-twist"))
    cuts: list[float] = []
    cues: list[tuple[float, str]] = []
    phases: list[str | None] = []

    class Log(SinkBase):
        def open(self, info, exercise):
            pass

        def write(self, frame, result):
            if result.cut:
                cuts.append(result.t_s)
            cues.extend((e.t_s, e.data["id"]) for e in result.events if e.kind == "cue")
            phases.append(result.phase)

        def close(self, summary):
            pass

    est = MediaPipeEstimator(EstimatorOptions())
    try:
        with open_source(path) as src:
            n = int(21.0 * src.info.fps)  # both cuts, not the closing title card
            summary = run(LimitedSource(src, n), est, engine, [Log()], smoother=PoseSmoother())
    finally:
        est.close()
    assert [round(t, 1) for t in cuts] == [7.6, 18.7]
    speed = [(t, c) for t, c in cues if c in ("too_fast", "bouncing") and t > 5.0]
    assert speed == []  # before: too_fast at 7.6 s and 18.7 s
    # the hold goes on through both cuts: the twist phase from its start to the end
    first = phases.index("twist")
    assert set(phases[first:]) == {"twist"}
    assert any("7.6 s, 18.7 s" in w for w in summary.warnings)


def _images(rel: str, seconds: float, size: tuple[int, int] = (640, 360)) -> list:
    """The first ``seconds`` of a real clip, decoded and scaled to ``size`` (as when joined)."""
    import cv2

    from posecheck.sources import open_source

    out = []
    with open_source(media_path(rel)) as src:
        for fr in src.frames():
            if fr.t_s >= seconds:
                break
            out.append(cv2.resize(fr.image, size, interpolation=cv2.INTER_AREA))
    return out


def _poses(images: list, restart_on_cut: bool) -> tuple[list, list[float]]:
    """The pixel landmarks of one estimator over ``images`` (25 frames/s) and its cuts."""
    from posecheck.estimator import EstimatorOptions, MediaPipeEstimator
    from posecheck.pose import Frame

    with MediaPipeEstimator(EstimatorOptions(restart_on_cut=restart_on_cut)) as est:
        poses = [est.estimate(Frame(i, i / 25, img)) for i, img in enumerate(images)]
        cuts = [] if est.picture_cuts is None else list(est.picture_cuts.cuts)
    return [None if p is None else p.xy for p in poses], cuts


def test_after_a_picture_cut_the_landmarks_are_those_of_the_clip_alone():
    """A bird dog on all fours, then (a cut) a pelvic tilt lying down: restarted at the
    cut, the estimator gives the tilt exactly the landmarks of the tilt clip alone;
    without the restart MediaPipe's tracking carries the bird dog over and they differ."""
    import numpy as np

    before = _images("bird-dog/bird-dog-arm-reach-feet-cropped.mp4", 1.0)
    tilt = _images("pelvic-tilt/pelvic-tilt-side.mp4", 2.0)
    alone, cuts = _poses(tilt, restart_on_cut=True)
    assert cuts == [] and all(p is not None for p in alone)
    joined, cuts = _poses(before + tilt, restart_on_cut=True)
    assert cuts == [pytest.approx(len(before) / 25)]  # the join, nothing else
    after = joined[len(before) :]
    assert all(a is not None and np.array_equal(a, b) for a, b in zip(after, alone, strict=True))
    carried, _ = _poses(before + tilt, restart_on_cut=False)
    tail = zip(carried[len(before) :], alone, strict=True)
    diff = [float(np.abs(a - b).max()) for a, b in tail if a is not None]
    assert max(diff) > 0.5  # px: without the restart the tilt is another one


def test_the_fade_to_the_closing_card_gives_no_pose_and_no_cue():
    """The twist clip fades to its closing title card over 30.68-31.24 s while the person
    lies still. The knee roll drifted 103 -> 77 deg as the picture darkened, which was
    told as "Lower your knees slowly." (too fast, at 31.2 s) and capped the clip's 29 s
    hold at 60. (From 26 s on, as here, the hold is 4.7 s.) Now the fading frames have
    no pose, the hold ends where the fade begins, and no speed or bounce cue is given."""
    from posecheck.estimator import EstimatorOptions, MediaPipeEstimator
    from posecheck.pipeline import run
    from posecheck.smoothing import PoseSmoother
    from posecheck.sources import open_source

    engine = Engine(Library.load().get("supine-twist"))
    found: list[tuple[float, bool]] = []
    cues: list[tuple[float, str]] = []

    class Log(SinkBase):
        def open(self, info, exercise):
            pass

        def write(self, frame, result):
            found.append((result.t_s, result.pose is not None))
            cues.extend((e.t_s, e.data["id"]) for e in result.events if e.kind == "cue")

        def close(self, summary):
            pass

    est = MediaPipeEstimator(EstimatorOptions())
    try:
        with open_source(media_path("supine-twist/lying-twist-stretch.mp4")) as src:
            src.start_at(int(round(26.0 * src.info.fps)))  # the last camera view held
            summary = run(src, est, engine, [Log()], smoother=PoseSmoother())
    finally:
        est.close()
    lost = [t for t, ok in found if not ok]
    # the fade's second frame on (the first is one step: no fade yet), to its last
    assert lost and lost[0] == pytest.approx(30.72) and lost[-1] == pytest.approx(31.24)
    assert all(30.7 < t < 31.3 for t in lost)
    assert [(t, c) for t, c in cues if c in ("too_fast", "bouncing")] == []
    (hold,) = summary.holds
    assert hold.phase == "twist" and hold.end_s == pytest.approx(30.68, abs=0.05)

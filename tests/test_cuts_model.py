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

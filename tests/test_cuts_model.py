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

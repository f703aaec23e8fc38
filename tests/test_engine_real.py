"""The engine on real footage with the real model (marked ``model``; skipped without the clips).

The pipeline runs as ``posecheck analyze`` does: MediaPipe (complexity 1, segmentation when
a definition needs the mask), One-Euro smoothing, the definition's min_visibility.
Ground truth: ../shared/media/labels.json.
"""

from __future__ import annotations

import pytest

from posecheck.engine import Engine
from posecheck.library import Library

from conftest import media_path

pytestmark = pytest.mark.model


def analyze(rel: str, exercise: str):
    from posecheck.estimator import EstimatorOptions, MediaPipeEstimator
    from posecheck.pipeline import run
    from posecheck.smoothing import PoseSmoother
    from posecheck.sources import open_source

    path = media_path(rel)
    engine = Engine(Library.load().get(exercise))
    phases: list[tuple[float, str | None, float]] = []

    class PhaseLog:
        def open(self, info, exercise):
            pass

        def write(self, frame, result):
            for e in result.events:
                if e.kind == "phase":
                    phases.append((e.t_s, e.data["phase"], e.data["since_s"]))

        def close(self, summary):
            pass

    est = MediaPipeEstimator(EstimatorOptions(segmentation=engine.needs_segmentation))
    try:
        with open_source(path) as src:
            summary = run(src, est, engine, [PhaseLog()], smoother=PoseSmoother(),
                          min_visibility=engine.exercise.min_visibility)  # fmt: skip
    finally:
        est.close()
    return summary, phases


def spans(phases, name):
    """(start, end) of each visit to phase ``name``, from the phase events' dated starts."""
    out, start = [], None
    for _, ph, since in phases:
        if ph == name:
            start = since
        elif start is not None:
            out.append((start, since))
            start = None
    return out


def test_bridge_counts_three_reps_with_top_holds_near_the_labels(labels):
    truth = labels["bridge/glute-bridge-3-reps-side.mp4"]
    summary, _ = analyze("bridge/glute-bridge-3-reps-side.mp4", "bridge")
    assert summary.reps_complete == truth["reps"] == 3
    assert not [r for r in summary.reps if not r.complete]
    holds = [h for h in summary.holds if h.phase == "up"]
    assert len(holds) == 3
    for h, (a, b) in zip(holds, truth["top_holds_s"], strict=True):
        assert abs(h.start_s - a) <= 0.5, (h, a)
        assert abs(h.end_s - b) <= 0.5, (h, b)


def test_pelvic_tilt_counts_four(labels):
    truth = labels["pelvic-tilt/pelvic-tilt-side.mp4"]
    summary, _ = analyze("pelvic-tilt/pelvic-tilt-side.mp4", "pelvic-tilt")
    assert summary.reps_complete == truth["reps"] == 4


def test_cat_camel_finds_the_cat_phase(labels):
    truth = labels["cat-camel/cat-cow-side.mp4"]
    summary, phases = analyze("cat-camel/cat-cow-side.mp4", "cat-camel")
    cat = spans(phases, "cat")
    assert len(cat) == 1
    (a, b), (ta, tb) = cat[0], truth["phases_s"]["cat"][0]
    assert abs(a - ta) <= 0.5 and abs(b - tb) <= 0.5, (cat, truth)
    assert summary.reps_complete == truth["cycles"] == 1

"""The rendered sample clips: up to date with the renderer, and analysed correctly by the
real model (reps and holds against the truth)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from posecheck.render.clip import ClipRenderer, RenderOptions
from posecheck.render.motion import SCRIPTS
from posecheck.render.truth import engine_on_truth, load_truth

SAMPLES = Path(__file__).resolve().parents[1] / "sample_videos"
CLIPS = ["bridge", "cat-camel", "bird-dog", "knees-to-chest", "pelvic-tilt", "bridge-hips-sag"]


def _definition(name: str):
    from posecheck.library import Library

    return Library.load().get(name)


def _sample(clip: str) -> Path:
    p = SAMPLES / f"{clip}.mp4"
    assert p.is_file(), f"{p} missing: run sh sample_videos/render_all.sh"
    return p


@pytest.mark.parametrize("clip", CLIPS)
def test_sample_truth_matches_the_current_renderer(clip: str) -> None:
    """Re-rendering with the stored options gives the stored truth (else: re-render them)."""
    truth = load_truth(_sample(clip))
    o = dict(truth.header["options"])
    o["size"] = tuple(o["size"])
    r = ClipRenderer(RenderOptions(**o), SCRIPTS[o["exercise"]], _definition(o["exercise"]))
    assert r.n_frames == len(truth)
    for i in (0, len(truth) // 3, len(truth) - 1):
        _, fr = r.render_frame(i)
        pts = np.array([p if p is not None else [np.nan, np.nan] for p in fr["points"]], float)
        assert np.allclose(pts, truth.points[i], atol=0.06, equal_nan=True), (
            f"{clip}: frame {i} differs from the renderer; run sh sample_videos/render_all.sh"
        )


def _assert_told_only_to_hold_longer(ex, truth, summary) -> None:
    """A correct sample gets no correction but "hold longer", and that only where it is
    true: the samples hold shorter than some definitions prescribe (a 3 s hug of 20 s)."""
    cues = [k for k in summary.cues if not k.startswith("state_")]
    assert not [k for k in cues if not k.startswith("short_hold")], summary.cues
    drawn = [h["end_s"] - h["start_s"] for h in truth.holds]
    for k in cues:
        target = ex.phase(k.split(":", 1)[1]).hold_s
        assert target and min(drawn) < target, (k, drawn, target)


@pytest.mark.parametrize("clip", CLIPS)
def test_sample_truth_engine_sees_the_rendered_reps(clip: str) -> None:
    """The engine on the exact drawn points counts what was rendered (the scripts are right)."""
    truth = load_truth(_sample(clip))
    ex = _definition(truth.header["exercise"])
    summary, _ = engine_on_truth(ex, truth)
    rendered = sum(1 for r in truth.reps if r["complete"])
    assert summary.reps_complete == rendered
    if truth.header["fault"] is None:
        _assert_told_only_to_hold_longer(ex, truth, summary)


@pytest.mark.model
@pytest.mark.parametrize("clip", CLIPS)
def test_sample_analysed_by_the_real_model(clip: str) -> None:
    from posecheck import pipeline
    from posecheck.commands._offline import mask_measures
    from posecheck.engine import Engine
    from posecheck.estimator import EstimatorOptions, MediaPipeEstimator
    from posecheck.smoothing import PoseSmoother
    from posecheck.sources import open_source

    path = _sample(clip)
    truth = load_truth(path)
    ex = _definition(truth.header["exercise"])
    est = MediaPipeEstimator(EstimatorOptions(segmentation=bool(mask_measures([ex]))))
    try:
        with open_source(str(path)) as src:
            summary = pipeline.run(src, est, Engine(ex), [], smoother=PoseSmoother())
    finally:
        est.close()
    assert summary.frames_with_pose >= 0.95 * summary.frames
    ref, _ = engine_on_truth(ex, truth)
    assert summary.reps_complete == ref.reps_complete == sum(r["complete"] for r in truth.reps)
    assert len(summary.holds) == len(ref.holds)
    # the 0.3 s target; cat-camel's back curvature comes from the segmentation mask, which
    # lags the drawn spine a little: measured 0.33-0.5 s (bench/README.md), allowed 0.5 s
    tol = 0.5 if ex.name == "cat-camel" else 0.3
    for got, want in zip(summary.holds, ref.holds, strict=True):
        assert got.phase == want.phase
        assert abs(got.start_s - want.start_s) <= tol, (got, want)
        assert abs(got.end_s - want.end_s) <= tol, (got, want)
    if truth.header["fault"] is None:
        _assert_told_only_to_hold_longer(ex, truth, summary)
    else:
        assert summary.reps_complete < len(truth.reps)  # hips_sag: the top is never reached
    # each drawn hold measures at least its drawn length less one frame (a hold drawn
    # exactly at its target, cat-camel's 2 s, is then not told short): a frame where
    # only the stillness test failed is held time (issue 12)
    frame = 1.0 / truth.header["fps"]
    for h in truth.holds:
        got = [
            g
            for g in summary.holds
            if g.phase == h["phase"] and g.start_s < h["end_s"] and g.end_s > h["start_s"]
        ]
        drawn_s = h["end_s"] - h["start_s"]
        assert got and max(g.duration_s for g in got) >= drawn_s - frame - 1e-6, (h, got)

"""Back curvature on the real cat-camel clip (MediaPipe with segmentation)."""

from __future__ import annotations

import numpy as np
import pytest

from posecheck.curvature import back_curvature

from conftest import media_path

# A rounded (cat) back reads about +0.08..+0.09 on this clip, an arched one -0.05.
CAT_MIN = 0.06


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    out, start = [], None
    for i, v in enumerate(list(mask) + [False]):
        if v and start is None:
            start = i
        elif not v and start is not None:
            out.append((start, i - 1))
            start = None
    return out


@pytest.mark.model
def test_cat_span_on_the_cat_camel_clip(labels):
    from posecheck.estimator import EstimatorOptions, MediaPipeEstimator
    from posecheck.sources import open_source

    rel = "cat-camel/cat-cow-side.mp4"
    clip = media_path(rel)
    t, curv = [], []
    opts = EstimatorOptions(model_complexity=1, segmentation=True)
    with open_source(clip) as src, MediaPipeEstimator(opts) as est:
        for frame in src.frames():
            pose = est.estimate(frame)
            t.append(frame.t_s)
            curv.append(back_curvature(pose))
    t, curv = np.array(t), np.array(curv)
    assert np.isfinite(curv).mean() > 0.95
    # a 5-frame running median removes single-frame mask glitches
    pad = np.pad(curv, 2, mode="edge")
    smooth = np.array([np.nanmedian(pad[i : i + 5]) for i in range(len(curv))])
    runs = _runs(smooth >= CAT_MIN)
    assert runs, f"no frame reached {CAT_MIN}: max {np.nanmax(smooth):.3f}"
    s, e = max(runs, key=lambda r: r[1] - r[0])
    (cat_start, cat_end),  = labels[rel]["phases_s"]["cat"]  # fmt: skip
    assert abs(t[s] - cat_start) <= 0.5, f"cat starts at {t[s]:.2f} s"
    assert abs(t[e] - cat_end) <= 0.5, f"cat ends at {t[e]:.2f} s"
    # arched (negative) at the labelled camel spans at the start and the end
    for a, b in labels[rel]["phases_s"]["camel"]:
        sel = (t >= a) & (t <= min(b, a + 0.4))
        assert np.nanmedian(smooth[sel]) < 0, f"camel {a}-{b} s reads {np.nanmedian(smooth[sel])}"


@pytest.mark.model
def test_belly_height_drops_with_a_pelvic_tilt():
    """The second tilt of the real pelvic-tilt clip (hip angle 128 -> 132 deg, seen in
    the frames at 2.3 s and 3.4 s) flattens the lower belly by about 0.015 trunk lengths."""
    from posecheck.curvature import belly_height
    from posecheck.estimator import EstimatorOptions, MediaPipeEstimator
    from posecheck.sources import open_source

    clip = media_path("pelvic-tilt/pelvic-tilt-side.mp4")
    t, belly = [], []
    opts = EstimatorOptions(model_complexity=1, segmentation=True)
    with open_source(clip) as src, MediaPipeEstimator(opts) as est:
        for frame in src.frames():
            if frame.t_s > 3.8:
                break
            t.append(frame.t_s)
            belly.append(belly_height(est.estimate(frame)))
    t, belly = np.array(t), np.array(belly)
    rest = np.nanmedian(belly[(t >= 2.1) & (t <= 2.7)])
    tilt = np.nanmedian(belly[(t >= 3.1) & (t <= 3.7)])
    assert 0.1 < rest < 0.3, rest  # the belly stands in front of the shoulder-hip line
    assert rest - tilt >= 0.01, (rest, tilt)

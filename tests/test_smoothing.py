"""The One-Euro landmark filter: less jitter at rest, little lag in motion, resets."""

from __future__ import annotations

import numpy as np
import pytest

from posecheck.pose import NUM_LANDMARKS, Pose
from posecheck.smoothing import OneEuroArrayFilter, OneEuroFilter, OneEuroParams, PoseSmoother


def test_reduces_jitter_on_a_noisy_constant():
    rng = np.random.default_rng(0)
    f = OneEuroArrayFilter(OneEuroParams(min_cutoff=1.0, beta=10.0))
    t = np.arange(300) / 30.0
    raw = 100.0 + rng.normal(0, 2.0, 300)
    out = np.array([f(np.array([x]), ti, scale=200.0)[0] for x, ti in zip(raw, t, strict=True)])
    # after settling, the filtered signal deviates far less from the true value
    assert np.std(out[30:] - 100) < 0.5 * np.std(raw[30:] - 100)
    assert abs(np.mean(out[30:]) - 100) < 0.5


def test_lags_little_on_a_ramp():
    f = OneEuroArrayFilter(OneEuroParams(min_cutoff=1.0, beta=10.0))
    t = np.arange(90) / 30.0
    ramp = 200.0 * t  # one pose size (200 px) per second: a brisk movement
    out = np.array([f(np.array([x]), ti, scale=200.0)[0] for x, ti in zip(ramp, t, strict=True)])
    lag_px = ramp[30:] - out[30:]
    assert np.all(lag_px >= 0)
    assert lag_px.max() < 10.0  # under 5% of the pose size, i.e. < 1.5 frames behind


def test_higher_beta_lags_less():
    def lag(beta: float) -> float:
        f = OneEuroArrayFilter(OneEuroParams(min_cutoff=1.0, beta=beta))
        t = np.arange(60) / 30.0
        out = [f(np.array([200.0 * ti]), ti, scale=200.0)[0] for ti in t]
        return 200.0 * t[-1] - out[-1]

    assert lag(50.0) < lag(5.0) < lag(0.0)


def test_uses_real_time_steps():
    # The same samples at 60 fps are smoothed more per sample than at 15 fps.
    def first_step(dt: float) -> float:
        f = OneEuroArrayFilter(OneEuroParams(min_cutoff=1.0, beta=0.0))
        f(np.array([0.0]), 0.0)
        return f(np.array([10.0]), dt)[0]

    assert first_step(1 / 60) < first_step(1 / 15)


def test_resets_after_a_gap():
    f = OneEuroArrayFilter(OneEuroParams(max_gap_s=0.5))
    f(np.array([0.0]), 0.0)
    f(np.array([0.0]), 0.1)
    assert f(np.array([500.0]), 2.0)[0] == 500.0  # no drag across a long gap


def make_pose(x: float, world: bool = True) -> Pose:
    xy = np.tile([x, 300.0], (NUM_LANDMARKS, 1)) + np.arange(NUM_LANDMARKS)[:, None] * [3, 5]
    return Pose(
        xy=xy, visibility=np.ones(NUM_LANDMARKS), image_size=(640, 480),
        world=np.zeros((NUM_LANDMARKS, 3)) if world else None,
    )  # fmt: skip


def test_pose_smoother_filters_copies_and_resets_on_dropout():
    s = PoseSmoother(OneEuroParams(min_cutoff=0.5, beta=0.0))
    p0 = make_pose(100)
    out0 = s(p0, 0.0)
    np.testing.assert_allclose(out0.xy, p0.xy)
    p1 = make_pose(120)
    out1 = s(p1, 1 / 30)
    assert 100 < out1.xy[0, 0] < 120  # pulled towards the previous position
    assert p1.xy[0, 0] == 120  # the input is not modified
    np.testing.assert_allclose(out1.visibility, p1.visibility)
    assert s(None, 2 / 30) is None
    out3 = s(make_pose(300), 3 / 30)  # after a dropout the track starts afresh
    assert out3.xy[0, 0] == pytest.approx(300)
    assert s(make_pose(300, world=False), 4 / 30).world is None


def test_default_smoother_is_the_pose_filter():
    assert PoseSmoother is OneEuroFilter
    out = OneEuroFilter()(make_pose(10), 0.0)
    assert isinstance(out, Pose)


def test_params_are_checked():
    with pytest.raises(ValueError):
        OneEuroParams(min_cutoff=0)


def test_world_coordinates_are_filtered_in_metres():
    s = OneEuroFilter(OneEuroParams(min_cutoff=0.5, beta=0.0))
    p0 = make_pose(100)
    s(p0, 0.0)
    p1 = make_pose(100)
    p1.world = np.full((NUM_LANDMARKS, 3), 0.3)
    out = s(p1, 1 / 30)
    assert 0.0 < out.world[0, 0] < 0.3  # pulled towards the previous 0 m
    np.testing.assert_allclose(out.xy, p1.xy)  # the pixels did not move


def test_mask_measures_are_filtered_at_rest_and_a_gap_ends_their_track():
    from dataclasses import replace

    rng = np.random.default_rng(0)
    raw = 0.09 + rng.normal(0, 0.005, 60)  # a held back's curvature, jittering
    raw[30] = np.nan  # unknown for a frame (the shoulder hidden)

    def run(drop: bool) -> list[float]:
        s, out = PoseSmoother(), []
        for i, v in enumerate(raw):
            extras = {} if drop and np.isnan(v) else {"back_curvature": float(v)}
            p = s(replace(make_pose(100), extras=extras or None), i / 30)
            out.append((p.extras or {}).get("back_curvature", np.nan))
        return out

    live, replayed = run(False), run(True)  # NaN kept (live) / left out (a file's replay)
    np.testing.assert_allclose(live, replayed, equal_nan=True)
    assert np.nanstd(np.diff(live[:30])) < 0.5 * np.std(np.diff(raw[:30]))  # jitter damped
    assert live[31] == pytest.approx(raw[31])  # the track starts afresh after the gap
    # on a steady value the filter settles on it (the speed term is off: no lag from jitter)
    s = PoseSmoother()
    for i in range(60):
        p = s(replace(make_pose(100), extras={"back_curvature": 0.05}), i / 30)
    assert p.extras["back_curvature"] == pytest.approx(0.05)

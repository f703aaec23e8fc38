"""Builders for tests: poses from named joint positions, without the model."""

from __future__ import annotations

import numpy as np

from posecheck.pose import LANDMARK_INDEX, NUM_LANDMARKS, Pose


def make_pose(
    points: dict[str, tuple[float, float]],
    image_size: tuple[int, int] = (1280, 720),
    visibility: float = 0.99,
    hidden: tuple[str, ...] = (),
) -> Pose:
    """A Pose with the given landmarks (pixels) placed, others at the frame centre.

    Landmarks not given, and those in ``hidden``, get visibility 0.
    """
    xy = np.tile(np.array(image_size, dtype=float) / 2, (NUM_LANDMARKS, 1))
    vis = np.zeros(NUM_LANDMARKS)
    for name, (x, y) in points.items():
        i = LANDMARK_INDEX[name]
        xy[i] = (x, y)
        vis[i] = 0.0 if name in hidden else visibility
    return Pose(xy=xy, visibility=vis, image_size=image_size)

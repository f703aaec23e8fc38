"""The canonical pose and frame types. Nothing downstream of the estimator sees MediaPipe.

Coordinates are in pixels of the (rotation-corrected) frame: x to the right,
y downwards. World coordinates, when present, are MediaPipe's metric world
landmarks (metres, origin between the hips, y down, z towards the camera is negative).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

# MediaPipe Pose / BlazePose 33-landmark topology, in index order. "left" is the
# person's left, which is on the image's right when they face the camera.
LANDMARK_NAMES: tuple[str, ...] = (
    "nose",
    "left_eye_inner", "left_eye", "left_eye_outer",
    "right_eye_inner", "right_eye", "right_eye_outer",
    "left_ear", "right_ear",
    "mouth_left", "mouth_right",
    "left_shoulder", "right_shoulder",
    "left_elbow", "right_elbow",
    "left_wrist", "right_wrist",
    "left_pinky", "right_pinky",
    "left_index", "right_index",
    "left_thumb", "right_thumb",
    "left_hip", "right_hip",
    "left_knee", "right_knee",
    "left_ankle", "right_ankle",
    "left_heel", "right_heel",
    "left_foot_index", "right_foot_index",
)  # fmt: skip
LANDMARK_INDEX: dict[str, int] = {n: i for i, n in enumerate(LANDMARK_NAMES)}
NUM_LANDMARKS = len(LANDMARK_NAMES)

# Bones drawn by overlays (pairs of landmark names).
SKELETON_EDGES: tuple[tuple[str, str], ...] = (
    ("left_shoulder", "right_shoulder"),
    ("left_hip", "right_hip"),
    ("left_shoulder", "left_hip"), ("right_shoulder", "right_hip"),
    ("left_shoulder", "left_elbow"), ("left_elbow", "left_wrist"),
    ("right_shoulder", "right_elbow"), ("right_elbow", "right_wrist"),
    ("left_hip", "left_knee"), ("left_knee", "left_ankle"),
    ("right_hip", "right_knee"), ("right_knee", "right_ankle"),
    ("left_ankle", "left_heel"), ("left_heel", "left_foot_index"),
    ("left_ankle", "left_foot_index"),
    ("right_ankle", "right_heel"), ("right_heel", "right_foot_index"),
    ("right_ankle", "right_foot_index"),
    ("left_ear", "left_shoulder"), ("right_ear", "right_shoulder"),
)  # fmt: skip

SIDES = ("left", "right")


def other_side(side: str) -> str:
    return "right" if side == "left" else "left"


@dataclass
class Pose:
    """One person's landmarks in one frame.

    ``xy``: (33, 2) float64 pixels. ``visibility``: (33,) in [0, 1] (MediaPipe's
    visibility; 0 where unknown). ``world``: (33, 3) metres or ``None``.
    ``image_size``: (width, height) of the frame the pixels refer to.
    ``mask``: optional (height, width) float32 person-segmentation in [0, 1].
    ``extras``: values of extra (mask-based) measures stored with the pose, e.g.
    replayed from a landmarks file where the mask itself is not kept.
    """

    xy: np.ndarray
    visibility: np.ndarray
    image_size: tuple[int, int]
    world: np.ndarray | None = None
    mask: np.ndarray | None = field(default=None, repr=False)
    extras: dict[str, float] | None = None

    def __post_init__(self) -> None:
        if self.xy.shape != (NUM_LANDMARKS, 2):
            raise ValueError(f"Pose.xy must be ({NUM_LANDMARKS}, 2), got {self.xy.shape}")
        if self.visibility.shape != (NUM_LANDMARKS,):
            raise ValueError(f"Pose.visibility must be ({NUM_LANDMARKS},)")

    def point(self, name: str) -> np.ndarray:
        """Pixel position of a landmark by name."""
        return self.xy[LANDMARK_INDEX[name]]

    def vis(self, name: str) -> float:
        return float(self.visibility[LANDMARK_INDEX[name]])

    def bbox(self, min_visibility: float = 0.0) -> tuple[float, float, float, float]:
        """(x0, y0, x1, y1) of the landmarks at or above ``min_visibility`` (all if none)."""
        sel = self.visibility >= min_visibility
        pts = self.xy[sel] if sel.any() else self.xy
        x0, y0 = pts.min(axis=0)
        x1, y1 = pts.max(axis=0)
        return float(x0), float(y0), float(x1), float(y1)


@dataclass
class Frame:
    """One decoded image with its place in the media.

    ``t_s`` comes from the media (presentation time) or the capture clock for a
    camera; logic downstream never reads the wall clock. ``image`` is BGR uint8.
    """

    index: int
    t_s: float
    image: np.ndarray

    @property
    def size(self) -> tuple[int, int]:
        h, w = self.image.shape[:2]
        return w, h


@dataclass
class MediaInfo:
    """What a source knows about its media, filled before the first frame.

    ``fps`` is a float (29.97 stays 29.97); 0.0 when unknown (image folders use a
    nominal rate). ``frame_count`` is 0 when unknown (cameras, some containers).
    ``width``/``height`` are after rotation correction.
    """

    path: str
    kind: str  # "video", "gif", "image", "folder", "camera", "landmarks"
    fps: float
    frame_count: int
    width: int
    height: int
    rotation_deg: int = 0
    duration_s: float = 0.0

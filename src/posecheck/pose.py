"""The canonical pose and frame types. Nothing downstream of the estimator sees MediaPipe.

Coordinates are in pixels of the (rotation-corrected) frame: x to the right,
y downwards. World coordinates, when present, are MediaPipe's metric world
landmarks (metres, origin between the hips, y down, z towards the camera is negative).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

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

# A landmark closer to the image border than this fraction of the image's width
# (height) counts as outside the picture. MediaPipe extrapolates body parts beyond
# the frame and often gives them visibility above 0.5; a cut-off foot is placed on
# the border itself (bird-dog-arm-reach-feet-cropped.mp4: right ankle at x = 3 px of
# 1280, visibility 0.98). 1% of 1280 px is 12.8 px.
EDGE_MARGIN = 0.01


def in_frame_mask(
    xy: np.ndarray, image_size: tuple[int, int], margin: float = EDGE_MARGIN
) -> np.ndarray:
    """(n,) bool: which points lie inside the image, ``margin`` x its size from every border.

    ``xy``: (n, 2) pixels. NaN positions are outside. An unknown image size (width
    or height 0, e.g. a landmarks file without one) cannot be tested: every point
    with a finite position counts as inside.
    """
    # Compared in float32, the precision of landmarks files, so a replay decides
    # exactly as the live run did, even for a point on the margin line.
    f4 = np.float32
    xy = np.asarray(xy, dtype=f4)
    finite = np.isfinite(xy).all(axis=1)
    w, h = image_size
    if w <= 0 or h <= 0:
        return finite
    mx, my = f4(margin * w), f4(margin * h)
    fw, fh = f4(w), f4(h)
    with np.errstate(invalid="ignore"):
        inside = (xy[:, 0] >= mx) & (xy[:, 0] <= fw - mx) & (xy[:, 1] >= my) & (xy[:, 1] <= fh - my)
    return inside & finite


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
    ``raw_visibility``: the model's own visibility when ``visibility`` was changed
    from it (:meth:`hide_off_frame`), else ``None``; landmarks files store this one.

    Poses from the estimator and from landmarks files have gone through
    :meth:`hide_off_frame`: a landmark outside the picture has visibility 0, so
    every consumer (measures, engine states, overlay, recognition) treats it as
    not visible.
    """

    xy: np.ndarray
    visibility: np.ndarray
    image_size: tuple[int, int]
    world: np.ndarray | None = None
    mask: np.ndarray | None = field(default=None, repr=False)
    extras: dict[str, float] | None = None
    raw_visibility: np.ndarray | None = field(default=None, repr=False)

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

    def in_frame(self, margin: float = EDGE_MARGIN) -> np.ndarray:
        """(33,) bool: which landmarks lie inside the image (see :func:`in_frame_mask`)."""
        return in_frame_mask(self.xy, self.image_size, margin)

    def hide_off_frame(self, margin: float = EDGE_MARGIN) -> Pose:
        """This pose with visibility 0 for the landmarks outside the picture.

        The model's visibility is kept in ``raw_visibility``. Starts from
        ``raw_visibility`` when it is set, so calling it again (or after moving
        the points or changing ``image_size``) gives the same answer as calling it
        once on the final positions.
        """
        raw = self.raw_visibility if self.raw_visibility is not None else self.visibility
        vis = np.where(self.in_frame(margin), raw, 0.0)
        return replace(self, visibility=vis, raw_visibility=raw)

    def bbox(
        self, min_visibility: float = 0.0, model: bool = False
    ) -> tuple[float, float, float, float]:
        """(x0, y0, x1, y1) of the landmarks at or above ``min_visibility`` (all if none).

        ``model=True`` selects by the model's own visibility (``raw_visibility``), so
        guesses outside the picture count: the person's whole extent, for telling
        people apart and for the body's scale, which should not shrink as they leave.
        """
        vis = self.raw_visibility if model and self.raw_visibility is not None else self.visibility
        sel = vis >= min_visibility
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

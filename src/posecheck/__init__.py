"""posecheck: form feedback for lower-back exercises from a webcam or a video.

posecheck gives form feedback, not medical advice. Stop an exercise on sharp pain.
"""

from __future__ import annotations

__version__ = "0.1.0"

LANDMARKS_SUFFIX = ".landmarks.npz"  # a recording's poses, to re-score without the model

DISCLAIMER = (
    "posecheck gives form feedback, not medical advice. "
    "Stop on sharp pain and ask a health professional."
)

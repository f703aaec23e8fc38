"""Recognition on short real clips, through the project's own source + MediaPipe estimator."""

from __future__ import annotations

import pytest

from posecheck.library import Library
from posecheck.recognize import recognize_video

from conftest import media_path


@pytest.mark.model
@pytest.mark.parametrize(
    "rel",
    [
        "childs-pose/childs-pose-short.mp4",  # 0.9 s hold
        "seated-forward-curl/seated-forward-fold.gif",  # 1.8 s looping GIF, half a rep
        "other/forearm-plank.mp4",  # 2.6 s, prone but no library exercise: none
    ],
)
def test_short_clips(rel, labels):
    rec = recognize_video(media_path(rel), Library.load())
    assert rec["exercise"] == labels[rel]["exercise"], rec["scores"][:2]
    if rec["exercise"] is None:
        assert rec["confidence"] < rec["threshold"]
    else:
        assert rec["confidence"] >= rec["threshold"]
        assert rec["best"] == rec["exercise"]

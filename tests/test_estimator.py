"""The MediaPipe adapter (against fake results), person selection, option checks."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from posecheck.errors import InputError
from posecheck.estimator import (
    EstimatorOptions,
    PersonSelector,
    SelectorOptions,
    check_options,
    mediapipe_model_path,
    pose_from_mediapipe,
)
from posecheck.pose import NUM_LANDMARKS, Pose


def fake_result(n: int = NUM_LANDMARKS, world: bool = True, mask: bool = False):
    lms = [
        SimpleNamespace(x=i / 40, y=0.25 + i / 100, z=0.0, visibility=0.5 + i / 100)
        for i in range(n)
    ]
    wl = [SimpleNamespace(x=i * 0.01, y=-i * 0.02, z=0.1, visibility=1.0) for i in range(n)]
    return SimpleNamespace(
        pose_landmarks=SimpleNamespace(landmark=lms),
        pose_world_landmarks=SimpleNamespace(landmark=wl) if world else None,
        segmentation_mask=np.full((720, 1280), 0.75, np.float32) if mask else None,
    )


def test_adapter_maps_normalized_to_pixels_on_a_wide_frame():
    pose = pose_from_mediapipe(fake_result(), 1280, 720)
    assert isinstance(pose, Pose)
    assert pose.image_size == (1280, 720)
    assert pose.xy[10] == pytest.approx((10 / 40 * 1280, (0.25 + 0.10) * 720))
    assert pose.visibility[32] == pytest.approx(0.82)
    # landmark 0 sits on the left border (x = 0): not in the picture, hidden;
    # the model's visibility is kept for the landmarks file
    assert pose.visibility[0] == 0.0 and pose.raw_visibility[0] == pytest.approx(0.5)
    assert pose.visibility[1] == pytest.approx(0.51)
    assert pose.world.shape == (33, 3) and pose.world[3] == pytest.approx((0.03, -0.06, 0.1))
    assert pose.mask is None


def test_adapter_none_and_partial_results():
    assert pose_from_mediapipe(SimpleNamespace(pose_landmarks=None), 640, 480) is None
    assert pose_from_mediapipe(fake_result(n=20), 640, 480) is None
    p = pose_from_mediapipe(fake_result(world=False, mask=True), 1280, 720, with_mask=True)
    assert p.world is None
    assert p.mask.shape == (720, 1280) and p.mask.dtype == np.float32


def test_adapter_clips_visibility():
    r = fake_result()
    r.pose_landmarks.landmark[5].visibility = 1.7
    r.pose_landmarks.landmark[6].visibility = -0.2
    p = pose_from_mediapipe(r, 10, 10)
    assert p.visibility[5] == 1.0 and p.visibility[6] == 0.0


def box_pose(cx: float, cy: float, size: float) -> Pose:
    """A pose whose landmarks fill a square box of ``size`` around (cx, cy)."""
    rng = np.random.default_rng(int(cx + cy))
    xy = rng.uniform(-0.5, 0.5, (NUM_LANDMARKS, 2)) * size + (cx, cy)
    xy[0], xy[1] = (cx - size / 2, cy - size / 2), (cx + size / 2, cy + size / 2)
    return Pose(xy=xy, visibility=np.ones(NUM_LANDMARKS), image_size=(1920, 1080))


# (t_s, centre x, centre y, size, accepted?)
SWITCH_TO_OTHER_PERSON_AND_BACK = [
    (0.0, 800, 300, 400, True),   # the subject
    (0.1, 820, 310, 400, True),   # moves a little
    (0.2, 250, 750, 350, False),  # the tracker jumped to someone else: refused
    (0.3, 240, 750, 350, False),
    (0.8, 200, 760, 350, False),  # still the other person, not long enough to switch
    (1.0, 1000, 780, 400, True),  # the subject is back (moved, within the time allowance)
    (1.1, 1010, 780, 400, True),
]  # fmt: skip

OTHER_PERSON_STAYS = [
    (0.0, 800, 300, 400, True),
    (0.1, 250, 750, 350, False),
    (1.0, 260, 750, 350, False),
    (1.7, 270, 750, 350, True),   # followed for 1.6 s >= switch_after_s: new subject
    (1.8, 275, 750, 350, True),
]  # fmt: skip

SIZE_JUMP = [
    (0.0, 800, 500, 400, True),
    (0.033, 800, 500, 100, False),  # same place, a quarter of the size in one frame
    (0.066, 805, 500, 400, True),
]  # fmt: skip


@pytest.mark.parametrize(
    "script",
    [SWITCH_TO_OTHER_PERSON_AND_BACK, OTHER_PERSON_STAYS, SIZE_JUMP],
    ids=["jump-and-back", "other-stays", "size-jump"],
)
def test_person_selector(script):
    sel = PersonSelector(SelectorOptions(switch_after_s=1.5))
    got = [sel.select(box_pose(cx, cy, s), t) is not None for t, cx, cy, s, _ in script]
    assert got == [row[-1] for row in script]
    assert sel.rejected == sum(1 for row in script if not row[-1])


def test_a_pose_garbled_mid_flip_does_not_shrink_the_search_for_the_subject():
    """The real two-person clip on one machine's model: a garbled pose shrank the
    subject's box from ~250 to 79 px mid-flip; the crop around it (1.8x) never found him
    again. The crop keeps the largest size of the last 2 s, and what it finds is judged
    against that size."""
    sel = PersonSelector()
    for i in range(10):
        assert sel.select(box_pose(800, 300 + 5 * i, 250), i / 30) is not None
    assert sel.select(box_pose(820, 360, 130), 0.4) is not None  # garbled, yet close
    assert sel.subject_box == pytest.approx((820, 360, 250), abs=1)
    # 0.7 s on, the subject found in the crop at his own size again: accepted
    assert sel.accept_recovered(box_pose(900, 520, 260), 1.1)
    assert sel.subject_box[2] == pytest.approx(260, abs=1)
    # the size is remembered 2 s, not for ever
    for k in range(1, 4):
        sel.select(box_pose(900, 520, 120), 1.1 + k)
    assert sel.subject_box[2] == pytest.approx(120, abs=1)


def test_selector_passes_none_through():
    sel = PersonSelector()
    assert sel.select(None, 0.0) is None
    assert sel.select(box_pose(100, 100, 50), 0.1) is not None


@pytest.mark.parametrize(
    ("opts", "message"),
    [
        (EstimatorOptions(model_complexity=3), "model complexity 3 does not exist (use 0, 1 or 2)"),
        (EstimatorOptions(min_detection_confidence=1.5),
         "min-detection-confidence 1.5 is out of range (use 0.0-1.0)"),
    ],
)  # fmt: skip
def test_bad_options(opts, message):
    with pytest.raises(InputError) as e:
        check_options(opts)
    assert e.value.one_line() == message


@pytest.mark.parametrize("complexity", [0, 2])
def test_models_missing_from_the_wheel_are_reported(complexity):
    pytest.importorskip("mediapipe")
    if mediapipe_model_path(complexity) is not None:
        pytest.skip(f"model complexity {complexity} is installed here")
    with pytest.raises(InputError) as e:
        check_options(EstimatorOptions(model_complexity=complexity))
    name = {0: "pose_landmark_lite.tflite", 2: "pose_landmark_heavy.tflite"}[complexity]
    assert f"needs {name}, which the installed mediapipe package does not include" in str(e.value)
    assert "use --model-complexity 1" in e.value.hint


def test_bundled_model_is_found():
    pytest.importorskip("mediapipe")
    assert mediapipe_model_path(1) is not None
    check_options(EstimatorOptions())


def test_recovered_pose_must_continue_the_subjects_track():
    sel = PersonSelector()
    assert not sel.accept_recovered(box_pose(100, 100, 50), 0.0)  # no subject yet
    sel.select(box_pose(800, 300, 400), 0.0)
    assert sel.select(box_pose(200, 750, 350), 0.1) is None  # the tracker strayed
    assert sel.accept_recovered(box_pose(830, 320, 400), 0.1)  # found near the subject
    assert sel.subject_box[0] == pytest.approx(830, abs=1)
    assert not sel.accept_recovered(box_pose(1700, 900, 400), 0.133)  # not them
    assert sel.recovered == 1
    assert sel.select(box_pose(210, 750, 350), 0.166) is None  # still refusing the other


# (normalized x, y MediaPipe gave, visibility after the adapter) on a 1280x720 frame
@pytest.mark.parametrize(
    ("x", "y", "vis"),
    [
        (0.5, 0.5, 0.9),  # inside
        (0.01, 0.5, 0.9),  # on the 1% margin line
        (0.002, 0.5, 0.0),  # on the border (a cut-off foot): hidden
        (-0.2, 0.5, 0.0),  # extrapolated outside, left
        (1.1, 0.5, 0.0),  # right
        (0.5, 1.05, 0.0),  # below
    ],
)
def test_adapter_hides_landmarks_outside_the_picture(x, y, vis):
    r = fake_result()
    lm = r.pose_landmarks.landmark[27]  # left ankle
    lm.x, lm.y, lm.visibility = x, y, 0.9
    p = pose_from_mediapipe(r, 1280, 720)
    assert p.visibility[27] == pytest.approx(vis)
    assert p.raw_visibility[27] == pytest.approx(0.9)


def test_recovered_pose_is_judged_in_the_whole_picture_not_the_crop():
    """A subject found in a crop: a point at the crop's edge but inside the frame stays
    visible, a point beyond the frame is hidden (as a replay of the file decides)."""
    import cv2

    from posecheck.estimator import MediaPipeEstimator

    est = MediaPipeEstimator.__new__(MediaPipeEstimator)  # no model: the crop search is faked
    est.options = EstimatorOptions(select_person=True)
    est._cv2 = cv2
    est.selector = PersonSelector()
    est.selector.select(box_pose(300, 540, 400), 0.0)  # the subject: crop x 0..660
    crops = []

    class Static:
        def process(self, img):
            crops.append(img.shape)
            r = fake_result(world=False)
            lms = r.pose_landmarks.landmark
            for lm in lms:
                lm.x, lm.y, lm.visibility = 0.5, 0.5, 0.9
            lms[27].x, lms[27].visibility = 1.0, 0.8  # on the crop's right edge: x = 660 px
            lms[28].x, lms[28].visibility = -0.05, 0.8  # left of the crop = left of the frame
            return r

    est._static = Static()
    found = est._recover(np.zeros((1080, 1920, 3), np.uint8), 0.05)
    assert crops and crops[0][1] == 660
    assert found is not None and found.image_size == (1920, 1080)
    assert found.xy[27][0] == pytest.approx(660.0)
    assert found.visibility[27] == pytest.approx(0.8)  # inside the frame: kept
    assert found.visibility[28] == 0.0 and found.raw_visibility[28] == pytest.approx(0.8)

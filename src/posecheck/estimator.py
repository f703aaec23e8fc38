"""Pose estimation: the ``Estimator`` protocol, the MediaPipe backend, and person selection.

Nothing outside this module sees a MediaPipe object: :func:`pose_from_mediapipe`
turns a MediaPipe result into the project's :class:`~posecheck.pose.Pose` (pixels,
world metres, visibility, optional segmentation mask) or ``None``.

Person selection. The legacy MediaPipe Pose solution finds *one* person: its
detector picks the most prominent person when tracking starts or is lost, then it
tracks that person from frame to frame. It cannot be asked for a second person.
On top of that, :class:`PersonSelector` keeps the choice stable over time:

- the first person seen is the subject (MediaPipe's detector prefers the largest,
  most confident person, which is usually the one in front of the camera);
- a pose that appears far from where the subject was a moment ago (its centre
  moves more than ``jump_ratio`` times the subject's size, plus an allowance that
  grows with the time since the subject was last seen) is treated as somebody
  else: the frame reports no pose rather than another person's angles;
- while the tracker follows somebody else, :class:`MediaPipeEstimator` looks for
  the subject itself: it runs the model once more, in single-image mode, on a
  crop around where the subject was last seen (``recover_subject``), and accepts
  what it finds there if it continues the subject's track;
- if that other person is followed for longer than ``switch_after_s`` (the
  subject has left), they become the subject.

Picture cuts. When the picture changes wholesale between two frames (a joined or
edited video moving on to another recording or camera: :class:`posecheck.cuts.PictureCuts`
on a 32x18 grey thumbnail, 1.5-2.7% of the model's time a frame) the estimator restarts
MediaPipe's graph (about 0.2 s) and the person selection, so the poses after the cut are
those of that video alone. While the picture fades (to or from a title card or black:
``PictureCuts.fading``) it reports no pose, without running the model, and restarts the
same way when the fade is over.

Limits, honestly: MediaPipe's tracker itself cannot be sent back to the subject;
the crop search recovers them frame by frame (one extra model run per such
frame) and fails when the two people overlap in the crop or the subject is in
a pose the detector does not find (e.g. upside down). With two people equally
prominent from the start, the one MediaPipe detects first wins.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import sys
from collections import deque
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from posecheck.cuts import PictureCuts
from posecheck.errors import InputError
from posecheck.pose import NUM_LANDMARKS, Frame, Pose
from posecheck.protocols import Estimator as Estimator  # the protocol, re-exported here

log = logging.getLogger(__name__)

_MODEL_FILES = {
    0: "pose_landmark_lite.tflite",
    1: "pose_landmark_full.tflite",
    2: "pose_landmark_heavy.tflite",
}


@dataclass
class EstimatorOptions:
    """Options of :class:`MediaPipeEstimator`.

    ``model_complexity``: 1 (full) is the only model the MediaPipe wheel ships;
    0 (lite) and 2 (heavy) work only where their model file was downloaded.
    ``segmentation``: also compute the person mask (``Pose.mask``), needed for
    back-curvature measures; costs a few milliseconds a frame.
    ``mp_smoothing``: MediaPipe's own landmark smoothing (on by default, as in
    MediaPipe). It also steadies the region the tracker looks at in the next
    frame: without it landmarks jump 10-16 px frame to frame on the bridge clip.
    It assumes 30 frames/s whatever the media; posecheck's One-Euro filter
    (:mod:`posecheck.smoothing`) runs on top with the frames' real times.
    ``select_person``: apply :class:`PersonSelector` (see the module docs).
    ``restart_on_cut``: at a picture cut (:class:`posecheck.cuts.PictureCuts`: the
    picture changes wholesale between two frames) start afresh, as a new estimator
    would: MediaPipe's tracking and smoothing and the person selection forget the
    frames before the cut; while the picture fades, report no pose (see the module docs).
    """

    model_complexity: int = 1
    min_detection_confidence: float = 0.5
    min_tracking_confidence: float = 0.5
    segmentation: bool = False
    mp_smoothing: bool = True
    select_person: bool = True
    recover_subject: bool = True  # look for the subject in a crop when the tracker strays
    restart_on_cut: bool = True  # forget the tracking at a picture cut

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def mediapipe_model_path(model_complexity: int) -> Path | None:
    """Where the installed mediapipe package keeps the landmark model, or None if it is absent."""
    import importlib.util

    spec = importlib.util.find_spec("mediapipe")
    if spec is None or not spec.submodule_search_locations:
        return None
    root = Path(next(iter(spec.submodule_search_locations)))
    p = root / "modules" / "pose_landmark" / _MODEL_FILES[model_complexity]
    return p if p.is_file() else None


def check_options(opts: EstimatorOptions) -> None:
    """Raise :class:`InputError` for options that cannot work on this machine."""
    if opts.model_complexity not in _MODEL_FILES:
        raise InputError(
            f"model complexity {opts.model_complexity} does not exist", hint="use 0, 1 or 2"
        )
    for name in ("min_detection_confidence", "min_tracking_confidence"):
        v = getattr(opts, name)
        if not 0.0 <= v <= 1.0:
            raise InputError(f"{name.replace('_', '-')} {v} is out of range", hint="use 0.0-1.0")
    if mediapipe_model_path(opts.model_complexity) is None:
        name = _MODEL_FILES[opts.model_complexity]
        raise InputError(
            f"model complexity {opts.model_complexity} needs {name}, which the installed "
            "mediapipe package does not include (MediaPipe would download it, which fails offline)",
            hint="use --model-complexity 1 (bundled), or download it once while online",
        )


# --- the adapter -----------------------------------------------------------------------


def pose_from_mediapipe(
    result: Any, width: int, height: int, with_mask: bool = False
) -> Pose | None:
    """Turn a legacy ``mp.solutions.pose`` result into a :class:`Pose` (or ``None``).

    ``result.pose_landmarks.landmark``: 33 items with normalized ``x``, ``y`` and
    ``visibility``; ``result.pose_world_landmarks.landmark``: metres;
    ``result.segmentation_mask``: (h, w) float32. Pixel coordinates are
    ``x * width``, ``y * height`` of the image that was processed.

    Landmarks outside that image (or within :data:`posecheck.pose.EDGE_MARGIN` of
    its border) get visibility 0 (:meth:`Pose.hide_off_frame`): MediaPipe guesses
    them with visibility often above 0.5, and the engine must say "move so your
    feet are in view" rather than judge guessed points. The model's visibility
    stays in ``Pose.raw_visibility`` (it is what landmarks files record).
    """
    plm = getattr(result, "pose_landmarks", None)
    if plm is None:
        return None
    lms = plm.landmark
    if len(lms) != NUM_LANDMARKS:
        return None
    a = np.array([(lm.x, lm.y, lm.visibility) for lm in lms], dtype=np.float64)
    xy = a[:, :2] * (float(width), float(height))
    world = None
    wlm = getattr(result, "pose_world_landmarks", None)
    if wlm is not None and len(wlm.landmark) == NUM_LANDMARKS:
        world = np.array([(lm.x, lm.y, lm.z) for lm in wlm.landmark], dtype=np.float64)
    mask = None
    if with_mask:
        m = getattr(result, "segmentation_mask", None)
        if m is not None:
            mask = np.asarray(m, dtype=np.float32)
    if not np.isfinite(xy).all():
        return None
    return Pose(
        xy=xy,
        visibility=np.clip(a[:, 2], 0.0, 1.0),
        image_size=(int(width), int(height)),
        world=world,
        mask=mask,
    ).hide_off_frame()


# --- person selection ------------------------------------------------------------------


@dataclass
class SelectorOptions:
    """Tuning of :class:`PersonSelector` (sizes are in units of the subject's size)."""

    jump_ratio: float = 0.75  # centre moved more than this x size between close frames
    speed_per_s: float = 2.0  # allowance per second since the subject was last accepted
    size_ratio: float = 2.0  # bbox size changed by more than this factor: another person
    switch_after_s: float = 1.5  # follow another person this long: they become the subject
    min_visibility: float = 0.3  # landmarks used for the box
    # the subject's size for the crop search: the largest accepted over this long (a
    # pose garbled mid-flip shrinks the box; its crop was then too small to find them)
    size_memory_s: float = 2.0


def pose_box(pose: Pose, min_visibility: float = 0.3) -> tuple[float, float, float]:
    """(centre x, centre y, size) of a pose's box; size = the longer side of the box.

    The longer side changes less than the area when a person curls up or lies down.
    Points outside the picture count (the model's visibility): a person leaving the
    frame keeps their size and is not taken for somebody else.
    """
    x0, y0, x1, y1 = pose.bbox(min_visibility, model=True)
    return (x0 + x1) / 2, (y0 + y1) / 2, max(1.0, x1 - x0, y1 - y0)


class PersonSelector:
    """Keeps the analysed person stable when the tracker jumps to somebody else.

    Call :meth:`select` with each frame's pose (or None) and its time. Returns the
    pose when it is the subject, else ``None``. Pure logic: tested without the model.
    """

    def __init__(self, options: SelectorOptions | None = None) -> None:
        self.opt = options or SelectorOptions()
        self._ref: tuple[float, float, float] | None = None  # subject's box
        self._ref_t = 0.0
        self._sizes: deque[tuple[float, float]] = deque()  # (time, size) accepted lately
        self._other_since: float | None = None
        self._other_box: tuple[float, float, float] | None = None
        self._other_t = 0.0
        self.rejected = 0  # frames refused as another person
        self.switches = 0  # times the subject changed
        self.recovered = 0  # frames where a separate search found the subject

    def reset(self) -> None:
        self._ref = None
        self._other_since = None
        self._other_box = None
        self._sizes.clear()

    def _accept(self, box: tuple[float, float, float], t_s: float) -> None:
        self._ref, self._ref_t = box, t_s
        self._sizes.append((t_s, box[2]))
        while self._sizes and t_s - self._sizes[0][0] > self.opt.size_memory_s:
            self._sizes.popleft()

    def _same(
        self, box: tuple[float, float, float], ref: tuple[float, float, float], dt: float
    ) -> bool:
        cx, cy, size = box
        rx, ry, rsize = ref
        ratio = size / rsize
        allowance = self.opt.jump_ratio + self.opt.speed_per_s * max(0.0, dt)
        if math.hypot(cx - rx, cy - ry) > allowance * rsize:
            return False
        # A sudden change of scale between close frames is another person (or a
        # glitch); over time a person may legitimately come closer.
        grow = self.opt.size_ratio * (1.0 + max(0.0, dt))
        return 1.0 / grow <= ratio <= grow

    @property
    def subject_box(self) -> tuple[float, float, float] | None:
        """(centre x, centre y, size) where the subject was last accepted, if any; the
        size the largest accepted in the last ``size_memory_s`` (the real two-person clip,
        on one machine's model: a pose garbled as the man flipped shrank the box from
        about 250 to 79 px, and the crop around it never found him again)."""
        if self._ref is None:
            return None
        cx, cy, size = self._ref
        return cx, cy, max([size, *(s for _, s in self._sizes)])

    def accept_recovered(self, pose: Pose, t_s: float) -> bool:
        """Accept a pose found by a separate search if it continues the subject's track
        (judged against the subject's size of :attr:`subject_box`)."""
        ref = self.subject_box
        if ref is None:
            return False
        box = pose_box(pose, self.opt.min_visibility)
        if not self._same(box, ref, t_s - self._ref_t):
            return False
        self._accept(box, t_s)
        self.recovered += 1
        return True

    def select(self, pose: Pose | None, t_s: float) -> Pose | None:
        if pose is None:
            return None
        box = pose_box(pose, self.opt.min_visibility)
        # While somebody else is being followed, a pose that continues their track
        # is still them, even if they wander towards where the subject was.
        ob = self._other_box
        other = ob is not None and self._same(box, ob, t_s - self._other_t)
        if not other and (self._ref is None or self._same(box, self._ref, t_s - self._ref_t)):
            self._accept(box, t_s)
            self._other_box = self._other_since = None
            return pose
        if not other:
            self._other_since = t_s  # a new other track starts
        self._other_box, self._other_t = box, t_s
        if self._other_since is not None and t_s - self._other_since >= self.opt.switch_after_s:
            log.info("person selection: the subject changed at t=%.2fs", t_s)
            self.switches += 1
            self._sizes.clear()  # another person: their own size from now
            self._accept(box, t_s)
            self._other_box = self._other_since = None
            return pose
        self.rejected += 1
        return None


# --- MediaPipe backend -----------------------------------------------------------------

# MediaPipe's C++ side logs start-up chatter straight to stderr (TFLite delegate
# info, "Feedback manager requires a model with a single signature", "Using
# NORM_RECT without IMAGE_DIMENSIONS") while the graph starts (partly on its own
# threads) and when the landmark model first runs, i.e. on the first frames with a
# person. It is not actionable and buries posecheck's own messages, so those
# moments run with stderr pointed at /dev/null, unless debug logging is on.
_QUIET_POSES = 2  # frames with a pose processed under the silencer


@contextlib.contextmanager
def _native_stderr_silenced() -> Iterator[None]:
    if log.isEnabledFor(logging.DEBUG) or os.environ.get("POSECHECK_NATIVE_LOGS"):
        yield
        return
    try:
        fd = sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):  # no real stderr (captured): nothing to hide
        yield
        return
    sys.stderr.flush()
    saved = os.dup(fd)
    try:
        with open(os.devnull, "wb") as devnull:
            os.dup2(devnull.fileno(), fd)
            try:
                yield
            finally:
                os.dup2(saved, fd)
    finally:
        os.close(saved)


def thumbnail(img: np.ndarray) -> np.ndarray:
    """The 32x18 grey thumbnail of a BGR frame that :class:`PictureCuts` compares (from
    every n-th pixel first: the area average over the whole frame costs milliseconds at
    1080p)."""
    import cv2

    h, w = img.shape[:2]
    step = max(1, min(h, w) // 72)
    small = np.ascontiguousarray(img[::step, ::step])
    grey = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY)
    return cv2.resize(grey, (32, 18), interpolation=cv2.INTER_AREA)


class MediaPipeEstimator:
    """MediaPipe Pose (legacy solution API) in tracking mode.

    Frames go to MediaPipe with one BGR->RGB conversion into a reused buffer that
    is marked read-only, so MediaPipe wraps it without another copy.
    """

    def __init__(
        self,
        options: EstimatorOptions | None = None,
        selector: PersonSelector | None = None,
    ) -> None:
        self.options = options or EstimatorOptions()
        check_options(self.options)
        import cv2
        import mediapipe as mp

        self._cv2 = cv2
        o = self.options
        with _native_stderr_silenced():
            self._pose = mp.solutions.pose.Pose(
                static_image_mode=False,
                model_complexity=o.model_complexity,
                smooth_landmarks=o.mp_smoothing,
                enable_segmentation=o.segmentation,
                smooth_segmentation=o.segmentation and o.mp_smoothing,
                min_detection_confidence=o.min_detection_confidence,
                min_tracking_confidence=o.min_tracking_confidence,
            )
            # One tiny blank frame: the graph finishes starting (and logging) now.
            self._pose.process(np.zeros((64, 64, 3), np.uint8))
        self.selector = (
            selector if selector is not None else (PersonSelector() if o.select_person else None)
        )
        self._quiet_left = _QUIET_POSES
        self._rgb: np.ndarray | None = None
        self._static: Any = None  # single-image model for the subject search, made on first use
        self.picture_cuts = PictureCuts() if o.restart_on_cut else None
        self._faded = False  # the frames before were fading: start afresh when it is over
        self.frames = 0
        self.detected = 0

    def _to_rgb(self, image: np.ndarray) -> np.ndarray:
        buf = self._rgb
        if buf is None or buf.shape != image.shape:
            buf = self._rgb = np.empty_like(image)
        buf.flags.writeable = True
        self._cv2.cvtColor(image, self._cv2.COLOR_BGR2RGB, dst=buf)
        buf.flags.writeable = False  # MediaPipe then uses the buffer without copying it
        return buf

    def estimate(self, frame: Frame) -> Pose | None:
        img = frame.image
        if img is None or img.size == 0:
            return None
        if img.ndim == 2:
            img = self._cv2.cvtColor(img, self._cv2.COLOR_GRAY2BGR)
        elif img.shape[2] == 4:
            img = self._cv2.cvtColor(img, self._cv2.COLOR_BGRA2BGR)
        h, w = img.shape[:2]
        cuts = self.picture_cuts
        if cuts is not None:
            if cuts(thumbnail(img), frame.t_s):
                log.debug("picture cut at t=%.2fs: tracking starts afresh", frame.t_s)
                self._restart()
            if cuts.fading:
                self.frames += 1
                self._faded = True
                return None  # the person fades with the picture: no pose to trust
            if self._faded:
                log.debug("fade over at t=%.2fs: tracking starts afresh", frame.t_s)
                self._faded = False
                self._restart()
        if self._quiet_left > 0:
            with _native_stderr_silenced():
                result = self._pose.process(self._to_rgb(img))
            if result.pose_landmarks is not None:
                self._quiet_left -= 1
        else:
            result = self._pose.process(self._to_rgb(img))
        self.frames += 1
        pose = pose_from_mediapipe(result, w, h, with_mask=self.options.segmentation)
        if self.selector is not None:
            found = pose
            pose = self.selector.select(found, frame.t_s)
            if pose is None and found is not None and self.options.recover_subject:
                pose = self._recover(img, frame.t_s)
        if pose is not None:
            self.detected += 1
        return pose

    def _recover(self, img: np.ndarray, t_s: float) -> Pose | None:
        """Look for the subject in a crop around where they were last seen."""
        assert self.selector is not None
        box = self.selector.subject_box
        if box is None:
            return None
        cx, cy, size = box
        h, w = img.shape[:2]
        half = 0.9 * size  # the crop is 1.8x the subject's longer side, centred on them
        x0, y0 = max(0, int(cx - half)), max(0, int(cy - half))
        x1, y1 = min(w, int(cx + half)), min(h, int(cy + half))
        if x1 - x0 < 32 or y1 - y0 < 32:
            return None
        crop = self._cv2.cvtColor(img[y0:y1, x0:x1], self._cv2.COLOR_BGR2RGB)
        crop.flags.writeable = False
        if self._static is None:
            import mediapipe as mp

            o = self.options
            with _native_stderr_silenced():
                self._static = mp.solutions.pose.Pose(
                    static_image_mode=True,
                    model_complexity=o.model_complexity,
                    enable_segmentation=o.segmentation,
                    min_detection_confidence=o.min_detection_confidence,
                )
                result = self._static.process(crop)
        else:
            result = self._static.process(crop)
        found = pose_from_mediapipe(result, x1 - x0, y1 - y0, with_mask=self.options.segmentation)
        if found is None:
            return None
        found.xy += (x0, y0)
        found.image_size = (w, h)
        # in or out of the whole picture, as a replay of the landmarks file decides it
        found = found.hide_off_frame()
        if found.mask is not None:
            full = np.zeros((h, w), np.float32)
            full[y0:y1, x0:x1] = found.mask
            found.mask = full
        return found if self.selector.accept_recovered(found, t_s) else None

    def reset(self) -> None:
        """Start again as if just made (a new video or chunk), keeping the loaded model.

        MediaPipe's graph restarts (tracking and its landmark smoothing forget the
        last video) and the person selection starts afresh: the poses that follow
        are the ones a new estimator would give.
        """
        self._restart()
        if self.selector is not None:
            self.selector = PersonSelector(self.selector.opt)
        if self.picture_cuts is not None:
            self.picture_cuts = PictureCuts(self.picture_cuts.params)
        self._faded = False

    def _restart(self) -> None:
        """MediaPipe's graph as new and the subject forgotten (a reset or a picture cut);
        the selection's counts and the cuts seen so far are kept."""
        with _native_stderr_silenced():
            self._pose.reset()
            self._pose.process(np.zeros((64, 64, 3), np.uint8))  # as __init__ does
        if self.selector is not None:
            self.selector.reset()
        self._quiet_left = _QUIET_POSES

    def close(self) -> None:
        if self._pose is not None:
            self._pose.close()
            self._pose = None
        if self._static is not None:
            self._static.close()
            self._static = None

    def __enter__(self) -> MediaPipeEstimator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

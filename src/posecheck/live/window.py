"""The live window: the (mirrored) camera picture with the overlay, and the keys.

A sink: ``write`` draws the frame with the shared overlay plus the live HUD,
shows it (``cv2.imshow``) and polls the keyboard (``cv2.waitKeyEx(1)``, which is
also what lets the window repaint). Drawing and showing happen on the loop's
thread right after the model, so what is on screen is always the newest frame
the model has seen.

OpenCV's Qt backend aborts the whole process when it cannot reach a display,
so :func:`check_display` finds out first, in a child process, and raises a
one-line :class:`DisplayError` suggesting ``--no-window``.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import cv2
import numpy as np

from posecheck.errors import PosecheckError
from posecheck.live import hud
from posecheck.live.coach import STAGE_COUNTING, STAGE_DONE, STAGE_PAUSED, STAGE_REST, LiveCoach
from posecheck.live.routine import RoutineCoach
from posecheck.pose import MediaInfo, Pose
from posecheck.protocols import SinkBase
from posecheck.results import STATE_TRACKING, FrameResult
from posecheck.sinks.overlay import Overlay

if TYPE_CHECKING:
    from posecheck.exercise import Exercise

log = logging.getLogger(__name__)

WINDOW_TITLE = "posecheck live"
MAX_WINDOW = (1280, 720)  # a laptop's screen: a portrait phone's 854 px ran off a 768 px one
_PROBE = "import cv2; cv2.namedWindow('posecheck-probe'); cv2.waitKey(1); cv2.destroyAllWindows()"


class DisplayError(PosecheckError):
    """No display to open a window on."""


def check_display(timeout_s: float = 20.0) -> None:
    """Raise :class:`DisplayError` unless a window can be opened (probed in a child process)."""
    hint = "run headless with --no-window (events are printed as lines)"
    if sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    ):
        raise DisplayError("no display available: DISPLAY is not set", hint)
    try:
        proc = subprocess.run(
            [sys.executable, "-c", _PROBE],
            capture_output=True,
            text=True,
            timeout=timeout_s,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise DisplayError("cannot open a window: the display does not answer", hint) from None
    if proc.returncode != 0:
        lines = [ln for ln in proc.stderr.strip().splitlines() if ln.strip()]
        why = lines[0] if lines else f"exit {proc.returncode}"
        where = os.environ.get("DISPLAY", "")
        raise DisplayError(f"cannot open a window on display {where!r}: {why}", hint)


def mirrored(result: FrameResult, width: int) -> FrameResult:
    """The result with the pose flipped left-right, to draw on a mirrored image."""
    pose = result.pose
    if pose is None:
        return result
    xy = pose.xy.copy()
    xy[:, 0] = (width - 1) - xy[:, 0]
    flipped = Pose(xy=xy, visibility=pose.visibility, image_size=pose.image_size,
                   world=pose.world, mask=None)  # fmt: skip
    return dataclasses.replace(result, pose=flipped)


class WindowSink(SinkBase):
    """Shows each frame with the overlay and the live HUD; keys go to ``on_key``.

    ``mirror``: show the picture as a mirror (right for a webcam facing the user).
    ``stats_text``: a callable giving the frames/s + latency line (``--stats``).
    ``show``/``wait_key``: OpenCV's by default; tests may pass their own.
    """

    def __init__(
        self,
        coach: LiveCoach | RoutineCoach,
        on_key: Callable[[int], Any],
        mirror: bool = False,
        stats_text: Callable[[], str] | None = None,
        title: str = WINDOW_TITLE,
        keys_text: str | None = None,
    ):
        self.coach = coach
        self.keys_text = keys_text or hud.KEYS_TEXT
        self.on_key = on_key
        self.mirror = mirror
        self.stats_text = stats_text
        self.title = title
        self.overlay: Overlay | None = None
        self.view: str | None = None
        self.last_image: np.ndarray | None = None
        self.frames_shown = 0
        self.closed_by_user = False
        self.card_base: np.ndarray | None = None  # the frame under the end card
        self._open = False
        self._drawn_for: Exercise | None = None  # the exercise the overlay was made for

    def _follow(self, exercise: Exercise | None) -> None:
        """Overlay and view for ``exercise`` (a routine moves from one to the next)."""
        self.overlay = Overlay(exercise)
        self.view = exercise.camera.view if exercise is not None else None
        self._drawn_for = exercise

    def open(self, info: MediaInfo | None, exercise: Exercise | None) -> None:
        self._follow(exercise)
        # GUI_NORMAL: no Qt toolbar or status bar, just the picture.
        flags = cv2.WINDOW_NORMAL | cv2.WINDOW_KEEPRATIO | cv2.WINDOW_GUI_NORMAL
        cv2.namedWindow(self.title, flags)
        if info is not None and info.width and info.height:
            cv2.resizeWindow(self.title, *fit_window(int(info.width), int(info.height)))
        self._open = True

    def render(self, image: np.ndarray, result: FrameResult) -> np.ndarray:
        """The picture to show for one frame (a new array; the frame is not touched)."""
        if self._drawn_for is not None and self.coach.exercise is not self._drawn_for:
            self._follow(self.coach.exercise)
        assert self.overlay is not None
        st = self.coach.status
        if self.mirror:
            img = cv2.flip(image, 1)
            shown = mirrored(result, img.shape[1])
        else:
            img = image.copy()
            shown = result
        if st.stage not in (STAGE_COUNTING, STAGE_DONE):
            # Set-up, countdown, pause and rest have their own banner (the HUD's): the
            # overlay must not add its "Paused" one, and the bottom cue line, which
            # would repeat the banner's message, stays empty.
            shown = dataclasses.replace(shown, state=STATE_TRACKING, cue=None)
        self.overlay.show_counts = st.stage in (STAGE_COUNTING, STAGE_PAUSED, STAGE_DONE,
                                                STAGE_REST)  # fmt: skip
        # The keys panel goes under the overlay: an angle tag near a raised knee
        # (top right in lying exercises) must stay readable.
        hud.draw_corner(
            img,
            st,
            self.stats_text() if self.stats_text else "",
            self.keys_text,
            avoid=self.overlay.header_box,
        )  # (the last frame's: about the same)
        self.overlay.draw(img, shown)
        hud.draw_stage(img, st, self.view)
        return img

    def write(self, frame: Any, result: FrameResult) -> None:
        if frame is None or not self._open:
            return
        img = self.render(frame.image, result)
        self.last_image = img
        cv2.imshow(self.title, img)
        self.frames_shown += 1
        key = cv2.waitKeyEx(1)  # the full code: arrows (keys.key_code)
        if key is not None and key >= 0:
            self.on_key(key)
        elif cv2.getWindowProperty(self.title, cv2.WND_PROP_VISIBLE) < 1:
            # The user closed the window with the mouse: same as q.
            self.closed_by_user = True
            self.on_key(ord("q"))

    def close(self, summary: Any) -> None:
        """Nothing here: the command shows the summary card, then calls :meth:`destroy`."""

    def show_summary(
        self,
        lines: Sequence[str],
        title: str,
        wait_s: float,
        footer: str = "press any key to close",
        base: np.ndarray | None = None,
    ) -> int | None:
        """Show the end card over the last frame until a key or ``wait_s`` seconds.

        Returns the key pressed (``None``: timed out or the window was closed).
        ``base``: the picture to draw the card on (default: the last one shown).
        """
        if not self._open or self.closed_by_user:
            return None
        if base is None:
            base = self.last_image
        if base is None:
            base = np.zeros((480, 854, 3), np.uint8)
        self.card_base = base
        img = base.copy()
        hud.draw_summary(img, lines, title, footer)
        cv2.imshow(self.title, img)
        self.last_image = img
        # Wall-clock wait for a person to read the card: UI only, no logic depends on it.
        end = time.monotonic() + max(0.0, wait_s)
        while True:
            key = cv2.waitKey(50)
            if key is not None and key >= 0:
                return int(key) & 0xFF
            if time.monotonic() >= end:
                return None
            if cv2.getWindowProperty(self.title, cv2.WND_PROP_VISIBLE) < 1:
                return None

    def destroy(self) -> None:
        if self._open:
            cv2.destroyWindow(self.title)
            cv2.waitKey(1)
            self._open = False


def fit_window(w: int, h: int, box: tuple[int, int] = MAX_WINDOW) -> tuple[int, int]:
    """The window's first size: the frame's, scaled down (never up) to fit ``box``, so
    its bottom line (the cue) is on the screen; the user may resize it."""
    k = min(1.0, box[0] / w, box[1] / h)
    return max(1, round(w * k)), max(1, round(h * k))

"""The annotated video: every input frame with the overlay, encoded so browsers play it.

Encoding order of preference:
1. PyAV with ``libx264`` (or another H.264 encoder FFmpeg was built with),
   yuv420p, ``+faststart``: plays in every browser.
2. An ``ffmpeg`` executable on PATH fed raw frames through a pipe.
3. OpenCV ``mp4v`` (MPEG-4 part 2): plays in desktop players, not in most
   browsers; a warning says so.

Drawing and encoding run on a worker thread fed by a bounded queue, so they
overlap with the pose model instead of adding to it, and memory stays flat (at
most ``queue_size`` frames wait). The output has exactly one frame per input
frame, the input's size (padded by one pixel only where H.264 needs even sizes)
and its fps as an exact fraction (29.97 stays 30000/1001).

The newest frame is held back until the next one (or ``end``) arrives: the end of
the input may still count a rep or a hold on it (``Engine.final_result``), and the
last picture shows the same counts as summary.json.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import shutil
import subprocess
import threading
import time
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import cv2
import numpy as np

from posecheck import safeio
from posecheck.errors import PosecheckError
from posecheck.pose import Frame, MediaInfo
from posecheck.protocols import SinkBase
from posecheck.results import FrameResult, SessionSummary
from posecheck.sinks.overlay import Overlay

if TYPE_CHECKING:
    from posecheck.exercise import Exercise

log = logging.getLogger(__name__)

_STOP = object()


def fps_fraction(fps: float) -> Fraction:
    """fps as an exact fraction: NTSC rates become n*1000/1001, others are limited to /1000."""
    if not fps or fps <= 0:
        return Fraction(30)
    for base in (24, 30, 60, 120):
        ntsc = Fraction(base * 1000, 1001)
        if abs(fps - float(ntsc)) < 0.005:
            return ntsc
    return Fraction(fps).limit_denominator(1000)


def _to_i420(img: np.ndarray) -> np.ndarray:
    """BGR -> planar YUV 4:2:0 (BT.601, limited range: what swscale makes by default).

    OpenCV's conversion takes ~0.35 ms a 720p frame against ~2.8 ms for letting the
    encoder's swscale convert bgr24 (measured on the bridge clip); the encoder then
    gets the pixel format it encodes. Sizes must be even (the sink pads).
    """
    return cv2.cvtColor(img, cv2.COLOR_BGR2YUV_I420)


# x264's cheapest preset with two of its tools back: CABAC and B-frames. On the 720p
# bridge clip (annotated frames, one thread) it costs 2.6 ms less CPU a frame than the
# superfast preset did (9.7 against 12.3 ms, measured in one run), for a file 16 %
# larger (3.3 against 2.9 MB for 13 s); ultrafast alone doubles the file. The encoder
# shares the CPU with the pose model, so its cost is what a person waits for.
X264_OPTIONS = {"preset": "ultrafast", "crf": "23", "x264-params": "cabac=1:bframes=3"}


def _x264_threads() -> str:
    """x264's threads: half the cores. Its frame threads cost CPU of their own (superfast
    720p: 10.1 ms a frame with the default threads, 8.2 ms with one, on 2 cores); the pose
    model, in this process or in worker processes, needs the other cores."""
    return str(max(1, (os.cpu_count() or 2) // 2))


class _PyAVEncoder:
    name = "libx264 (PyAV)"

    def __init__(self, path: Path, width: int, height: int, rate: Fraction) -> None:
        import av

        self._av = av
        self.container = av.open(str(path), mode="w", options={"movflags": "+faststart"})
        codec = None
        for cand in ("libx264", "h264", "libopenh264"):
            try:
                self.stream = self.container.add_stream(cand, rate=rate)
                codec = cand
                break
            except (ValueError, av.error.FFmpegError, av.codec.codec.UnknownCodecError):
                continue
        if codec is None:
            self.container.close()
            raise RuntimeError("no H.264 encoder in PyAV's FFmpeg")
        self.name = f"{codec} (PyAV)"
        self.stream.width, self.stream.height = width, height
        self.stream.pix_fmt = "yuv420p"
        self.stream.time_base = 1 / rate
        if codec == "libx264":
            self.stream.options = {"threads": _x264_threads(), **X264_OPTIONS}
        self.n = 0

    def write(self, img: np.ndarray) -> None:
        frame = self._av.VideoFrame.from_ndarray(_to_i420(img), format="yuv420p")
        frame.pts = self.n
        self.n += 1
        for packet in self.stream.encode(frame):
            self.container.mux(packet)

    def close(self) -> None:
        for packet in self.stream.encode():
            self.container.mux(packet)
        self.container.close()


class _FFmpegPipeEncoder:
    name = "libx264 (ffmpeg pipe)"

    def __init__(self, path: Path, width: int, height: int, rate: Fraction) -> None:
        exe = shutil.which("ffmpeg")
        if not exe:
            raise RuntimeError("no ffmpeg on PATH")
        cmd = [
            exe, "-hide_banner", "-loglevel", "error", "-y",
            "-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", f"{width}x{height}",
            "-r", f"{rate.numerator}/{rate.denominator}", "-i", "-",
            "-c:v", "libx264", "-preset", X264_OPTIONS["preset"], "-crf", X264_OPTIONS["crf"],
            "-x264-params", X264_OPTIONS["x264-params"], "-threads", _x264_threads(),
            "-pix_fmt", "yuv420p", "-movflags", "+faststart", str(path),
        ]  # fmt: skip
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stderr=subprocess.PIPE)

    def write(self, img: np.ndarray) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(_to_i420(img).data)

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        err = self.proc.stderr.read().decode(errors="replace") if self.proc.stderr else ""
        if self.proc.wait() != 0:
            raise RuntimeError(f"ffmpeg failed: {err.strip()[:200]}")


class _OpenCVEncoder:
    name = "mp4v (OpenCV)"

    def __init__(self, path: Path, width: int, height: int, rate: Fraction) -> None:
        import cv2

        self.writer = cv2.VideoWriter(
            str(path), cv2.VideoWriter.fourcc(*"mp4v"), float(rate), (width, height)
        )
        if not self.writer.isOpened():
            raise RuntimeError("OpenCV could not open an mp4v writer")

    def write(self, img: np.ndarray) -> None:
        self.writer.write(img)

    def close(self) -> None:
        self.writer.release()


class _Encoder(Protocol):
    """What :class:`VideoSink` needs of an encoder."""

    name: str

    def write(self, img: np.ndarray) -> None: ...

    def close(self) -> None: ...


ENCODERS: dict[str, Callable[[Path, int, int, Fraction], _Encoder]] = {
    "pyav": _PyAVEncoder,
    "ffmpeg": _FFmpegPipeEncoder,
    "opencv": _OpenCVEncoder,
}


class VideoSink(SinkBase):
    """Writes ``annotated.mp4``: the frames with the overlay, on a worker thread.

    ``encoders`` is the order to try (names from :data:`ENCODERS`); tests pass a
    shorter list to exercise a fallback. ``encoder_name`` says which one is used.

    The overlay is drawn on the frame's own pixels, on the worker thread, once the
    next frame has arrived (every sink has seen this one by then). ``copy_frames``
    (the default) copies each frame first, for a caller that draws on the same
    pixels itself (the live window does); an offline analysis, whose frames are
    fresh arrays from the decoder that no other sink changes, passes False and
    saves the copy (~0.5 ms of the main thread a 720p frame).
    """

    def __init__(
        self,
        path: str | Path,
        overlay: Overlay | None = None,
        *,
        queue_size: int = 8,
        encoders: tuple[str, ...] = ("pyav", "ffmpeg", "opencv"),
        copy_frames: bool = True,
    ) -> None:
        self.path = Path(path)
        self.copy_frames = copy_frames
        self.overlay = overlay
        self.encoders = encoders
        self.encoder_name: str | None = None
        self.frames_written = 0
        self.warnings: list[str] = []
        self._queue: queue.Queue = queue.Queue(maxsize=queue_size)
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None
        self._enc: _Encoder | None = None
        self._size: tuple[int, int] | None = None
        self._held: tuple[np.ndarray, FrameResult] | None = None
        self._tmp: Path | None = None
        # CPU seconds of the video thread: drawing the overlay, encoding (``-vv`` logs them)
        self.cpu_draw_s = 0.0
        self.cpu_encode_s = 0.0

    def open(self, info: MediaInfo, exercise: Exercise | None) -> None:
        if self.overlay is None:
            self.overlay = Overlay(exercise)
        self._info = info
        self._rate = fps_fraction(info.fps)

    def _start(self, width: int, height: int) -> None:
        # Started on the first frame: its size is the truth (some containers lie).
        w2, h2 = width + width % 2, height + height % 2
        if (w2, h2) != (width, height):
            self.warnings.append(
                f"annotated video padded from {width}x{height} to {w2}x{h2} "
                "(H.264 needs even sizes)"
            )
        self._size = (w2, h2)
        errors = []
        # Encoded under a unique temporary name (an .mp4 suffix: encoders pick the
        # container by it), renamed to annotated.mp4 only when complete.
        try:
            self._tmp = safeio.temp_path(self.path, suffix=".mp4")
        except OSError as exc:
            raise safeio.write_error(self.path, exc) from None
        for name in self.encoders:
            try:
                self._enc = ENCODERS[name](self._tmp, w2, h2, self._rate)
                self.encoder_name = self._enc.name
                break
            except Exception as exc:  # noqa: BLE001 - any failure means: try the next one
                errors.append(f"{name}: {exc}")
                log.debug("encoder %s unavailable: %s", name, exc)
        if self._enc is None:
            safeio.discard(self._tmp)
            raise PosecheckError(
                f"cannot write {self.path}: no video encoder works ({'; '.join(errors)})",
                "install ffmpeg, or use --no-video",
            )
        if self.encoder_name and "mp4v" in self.encoder_name:
            self.warnings.append(
                "no H.264 encoder found: annotated.mp4 is MPEG-4 (mp4v), which most browsers "
                "do not play; install ffmpeg with libx264"
            )
            log.warning(self.warnings[-1])
        self._thread = threading.Thread(target=self._work, name="posecheck-video", daemon=True)
        self._thread.start()

    def _work(self) -> None:
        try:
            while True:
                item = self._queue.get()
                if item is _STOP:
                    break
                img, result = item
                t0 = time.thread_time()
                if self.overlay is not None:
                    self.overlay.draw(img, result)
                t1 = time.thread_time()
                assert self._size is not None and self._enc is not None  # set by _start
                if img.shape[1] != self._size[0] or img.shape[0] != self._size[1]:
                    h, w = img.shape[:2]
                    padded = np.zeros((self._size[1], self._size[0], 3), np.uint8)
                    padded[:h, :w] = img
                    img = padded
                self._enc.write(img)
                self.frames_written += 1
                self.cpu_draw_s += t1 - t0
                self.cpu_encode_s += time.thread_time() - t1
        except BaseException as exc:  # noqa: BLE001 - re-raised on the main thread
            self._error = exc
            # Keep draining so the producer never blocks on a full queue.
            while self._queue.get() is not _STOP:
                pass

    def _check(self) -> None:
        if self._error is not None:
            err, self._error = self._error, None
            written = self._tmp_size()
            self._abandon()
            if isinstance(err, OSError):  # full disk, I/O error: one line naming the folder
                raise safeio.write_error(self.path, err, written) from err
            raise PosecheckError(
                f"encoding {self.path.name} failed ({self.encoder_name}): {err}",
                "use --no-video to skip the annotated video",
            ) from err

    def _tmp_size(self) -> int:
        try:
            return self._tmp.stat().st_size if self._tmp is not None else 0
        except OSError:
            return 0

    def _abandon(self) -> None:
        """Stop encoding and drop the temporary file (the final name is never touched)."""
        if self._thread is not None:
            self._queue.put(_STOP)
            self._thread.join()
            self._thread = None
        if self._enc is not None:
            with contextlib.suppress(Exception):  # the file is discarded anyway
                self._enc.close()
            self._enc = None
        safeio.discard(self._tmp)
        self._tmp = None

    def write(self, frame: Frame | None, result: FrameResult) -> None:
        if frame is None:  # re-scoring from landmarks: there is no picture
            return
        if self._thread is None:
            self._start(frame.image.shape[1], frame.image.shape[0])
        self._check()
        if self._held is not None:
            self._queue.put(self._held)
        self._held = (frame.image.copy() if self.copy_frames else frame.image, result)

    def end(self, result: FrameResult) -> None:
        """The last frame as the end of the input left it: drawn with these counts."""
        if self._held is not None and self._held[1].index == result.index:
            self._held = (self._held[0], result)

    def close(self, summary: SessionSummary) -> None:
        if self._thread is None:
            return
        if self._held is not None:
            self._queue.put(self._held)
            self._held = None
        self._queue.put(_STOP)
        self._thread.join()
        self._thread = None
        try:
            if self._enc is not None:
                self._enc.close()
        except Exception as exc:  # noqa: BLE001
            self._error = self._error or exc
        self._enc = None
        self._check()
        tmp, self._tmp = self._tmp, None
        if tmp is not None:
            safeio.commit(tmp, self.path)
        if self.frames_written:
            per = 1000.0 / self.frames_written
            log.debug(
                "annotated video: %d frames, CPU a frame: overlay %.1f ms, encoding %.1f ms (%s)",
                self.frames_written, self.cpu_draw_s * per, self.cpu_encode_s * per,
                self.encoder_name,
            )  # fmt: skip
        summary.warnings.extend(w for w in self.warnings if w not in summary.warnings)

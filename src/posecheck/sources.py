"""Media sources: video files, GIFs, images, image folders, cameras and streams.

``open_source(spec)`` looks at ``spec`` and returns a :class:`Source`:

- a video file (anything OpenCV's FFmpeg backend reads; PyAV where OpenCV cannot
  open or decode it). Phone rotation metadata is honoured: frames come out upright
  and ``info.rotation_deg`` says what was applied.
- a GIF (decoded with PyAV so each frame keeps its own duration from the file),
- a single image (one frame at t = 0),
- a folder of images (natural sort order, a nominal frame rate, 30 unless given),
- a camera index (``"0"``), a device path (``/dev/video0``) or a stream URL
  (``rtsp://...``): live sources.

Every source yields :class:`posecheck.pose.Frame` objects (index, ``t_s`` from the
media, BGR uint8 image). Decoding runs on its own thread:

- files are decoded ahead into a small bounded queue, so the pose model never
  waits for I/O and memory stays bounded;
- live sources (cameras, streams, and files opened with ``realtime=True``) keep
  only the newest frame: when the consumer is slower than the source, stale frames
  are dropped (counted in ``frames_dropped``) instead of building up latency.
  A camera's ``t_s`` is its capture time relative to the first frame; a file
  played in real time keeps the file's own ``t_s`` and is paced at its own speed.

Bad input raises :class:`posecheck.errors.InputError` with one line naming the
input and what to do. A video that ends early (cut off) yields what it can and
sets ``truncated`` / ``frames_read``.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from posecheck.errors import InputError
from posecheck.pose import Frame, MediaInfo

log = logging.getLogger(__name__)

IMAGE_EXTENSIONS = frozenset(
    {".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff", ".ppm", ".pgm"}
)
DEFAULT_FOLDER_FPS = 30.0
# The largest frame posecheck decodes. 8K video is 7680x4320 (33 MP); a phone photo is
# up to ~50 MP. A 20000x20000 image (400 MP) took 5 GB in analyze: refused from the
# file's own header, before anything is allocated.
MAX_PIXELS = 64_000_000
DEFAULT_PREFETCH = 4
_URL_RE = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)

# A container's frame count is occasionally an estimate; only call a video
# truncated when clearly fewer frames decoded than it announced.
_TRUNCATION_TOLERANCE = 0.01


class _Stop(Exception):
    """Raised inside a producer when the consumer has gone away."""


class Source:
    """A stream of frames from one medium. Use as a context manager or call ``close``.

    ``frames()`` may be iterated once. ``info`` is filled before the first frame.
    ``live`` sources deliver the newest frame only (stale ones are dropped).
    """

    live: bool = False
    seekable: bool = False  # has start_at(index): chunked estimation can split it

    def __init__(self, info: MediaInfo, prefetch: int = DEFAULT_PREFETCH) -> None:
        self.info = info
        self.prefetch = max(1, int(prefetch))
        self.truncated = False
        self.truncation_note: str | None = None  # its warning, when truncated
        self.frames_read = 0  # frames decoded from the medium
        self.frames_dropped = 0  # frames a live source skipped because the consumer was busy
        self.warnings: list[str] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._started = False

    # -- to implement ------------------------------------------------------------------
    def _produce(self) -> Iterator[Frame]:
        """Decode frames in order (runs on the worker thread)."""
        raise NotImplementedError

    def _release(self) -> None:
        """Free the underlying reader (called once, after the worker stopped)."""

    # -- public ------------------------------------------------------------------------
    def frames(self) -> Iterator[Frame]:
        """Yield the frames; decoding runs ahead on a worker thread."""
        if self._started:
            raise RuntimeError("Source.frames() can be iterated only once")
        self._started = True
        if self.live:
            yield from self._frames_latest()
        else:
            yield from self._frames_queued()

    def start_at(self, index: int) -> None:
        """Begin ``frames()`` at frame ``index``: only sources with ``seekable`` True can."""
        raise TypeError(f"{self.info.path}: a {self.info.kind} source cannot start mid-way")

    def close(self) -> None:
        """Stop the worker thread and free the reader (safe to call more than once)."""
        self._stop.set()
        t = self._thread
        if t is not None and t is not threading.current_thread():
            t.join(timeout=5.0)
            if t.is_alive():
                # Stuck in a blocking read (a hung camera): freeing the reader under
                # it could crash; the daemon thread ends with the process instead.
                log.warning("%s: reader did not stop; left to end with the program", self.info.path)
                return
        self._thread = None
        self._release_once()

    def __enter__(self) -> Source:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __iter__(self) -> Iterator[Frame]:
        return self.frames()

    # -- machinery ---------------------------------------------------------------------
    _released = False

    def _release_once(self) -> None:
        if not self._released:
            self._released = True
            self._release()

    def _start(self, target: Any) -> None:
        self._thread = threading.Thread(
            target=target, name=f"posecheck-{self.info.kind}", daemon=True
        )
        self._thread.start()

    def _frames_queued(self) -> Iterator[Frame]:
        q: queue.Queue[Any] = queue.Queue(maxsize=self.prefetch)
        done = object()

        def put(item: Any) -> None:
            while True:
                if self._stop.is_set():
                    raise _Stop
                try:
                    q.put(item, timeout=0.1)
                    return
                except queue.Full:
                    continue

        def work() -> None:
            try:
                for frame in self._produce():
                    put(frame)
                put(done)
            except _Stop:
                pass
            except BaseException as exc:  # handed to the consumer, re-raised there
                with contextlib.suppress(_Stop):
                    put(exc)

        self._start(work)
        try:
            while True:
                item = q.get()
                if item is done:
                    return
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            self._stop.set()
            self.close()

    def _frames_latest(self) -> Iterator[Frame]:
        cond = threading.Condition()
        slot: list[Any] = []  # at most one pending item: the newest frame
        state: dict[str, Any] = {"done": False, "error": None}

        def work() -> None:
            try:
                for frame in self._produce():
                    if self._stop.is_set():
                        return
                    with cond:
                        if slot:
                            self.frames_dropped += 1
                            slot.clear()
                        slot.append(frame)
                        cond.notify()
            except BaseException as exc:  # handed to the consumer, re-raised there
                state["error"] = exc
            finally:
                with cond:
                    state["done"] = True
                    cond.notify()

        self._start(work)
        try:
            while True:
                with cond:
                    while not slot and not state["done"]:
                        cond.wait()
                    frame = slot.pop() if slot else None
                if frame is None:
                    if state["error"] is not None:
                        raise state["error"]
                    return
                yield frame
        finally:
            self._stop.set()
            self.close()

    def _check_truncated(self) -> None:
        n = self.info.frame_count
        if n and self.frames_read < n - max(1, int(n * _TRUNCATION_TOLERANCE)):
            self.truncated = True
            msg = self.truncation_note = truncation_warning(self.info.path, self.frames_read, n)
            self.warnings.append(msg)
            # read from a seek (a part of a recording tracked in parts), the count is not
            # the recording's: its stitched poses tell it once (parallel.stitch)
            (log.debug if getattr(self, "_start_at", 0) else log.warning)(msg)


def truncation_warning(path: str, frames_read: int, frame_count: int) -> str:
    """The warning of a video that ends before the frame count its header gives."""
    return (
        f"{path}: video ends early: read {frames_read} of {frame_count} frames "
        "(the file looks truncated)"
    )


# --- video files -----------------------------------------------------------------------


class _PacedMixin:
    """For ``realtime=True`` files: release each frame at its own time, as a camera would.

    ``clock`` and ``wait`` are replaceable so tests can drive the pacing without sleeping.
    """

    _stop: threading.Event
    clock: Any = staticmethod(time.monotonic)
    wait: Any = None  # (seconds) -> True when stopped; default: the stop event's wait

    def _pace(self, frames: Iterator[Frame]) -> Iterator[Frame]:
        wait = self.wait or self._stop.wait
        start = None
        for frame in frames:
            if start is None:
                start = self.clock() - frame.t_s
            delay = start + frame.t_s - self.clock()
            if delay > 0 and wait(delay):
                return
            yield frame


class CvVideoSource(_PacedMixin, Source):
    """A video file decoded by OpenCV (FFmpeg backend), rotation applied by OpenCV."""

    def __init__(
        self, path: str, cap: Any, first: np.ndarray, first_ms: float, info: MediaInfo,
        realtime: bool = False, prefetch: int = DEFAULT_PREFETCH,
    ) -> None:  # fmt: skip
        super().__init__(info, prefetch)
        self._cap = cap
        self._first: np.ndarray | None = first  # freed once yielded
        self._first_ms = first_ms
        self.live = realtime
        self.cpu_decode_s = 0.0  # CPU seconds in OpenCV's reads (``-vv`` logs them)

    seekable = True  # frames(start=...) lands on the exact frame (see start_at)
    _start_at = 0

    def start_at(self, index: int) -> None:
        """Make ``frames()`` begin at frame ``index`` (call before iterating).

        OpenCV seeks to the keyframe before it and decodes forward; indices and
        times are the ones a read from the start gives (checked on every real clip
        in tests/test_parallel.py), which is what chunked estimation relies on.
        """
        if self._started:
            raise RuntimeError("start_at() must come before frames()")
        self._start_at = max(0, int(index))

    def _decode(self) -> Iterator[Frame]:
        cap, fps = self._cap, self.info.fps
        step = 1.0 / fps if fps > 0 else 0.0
        first, self._first = self._first, None
        if first is None:  # frames() runs once (Source.frames refuses a second time)
            return
        if self._start_at > 0:
            cap.set(cv2.CAP_PROP_POS_FRAMES, self._start_at)
            prev_t, i = -1.0, self._start_at
        else:
            self.frames_read = 1
            yield Frame(0, 0.0, first)
            prev_t, i = 0.0, 1
        while not self._stop.is_set():
            c0 = time.thread_time()
            ok, img = cap.read()
            self.cpu_decode_s += time.thread_time() - c0
            if not ok or img is None:
                break
            # The presentation time of the frame just read; some streams report
            # nothing useful, then the nominal rate stands in.
            t = (cap.get(cv2.CAP_PROP_POS_MSEC) - self._first_ms) / 1000.0
            if not t > prev_t:
                t = prev_t + step if step else float(i)
            prev_t = t
            self.frames_read = i + 1
            yield Frame(i, t, img)
            i += 1
        else:
            return  # stopped by the consumer: not the end of the file
        self._check_truncated()  # the reader gave up: end of file, or a cut-off one

    def _produce(self) -> Iterator[Frame]:
        return self._pace(self._decode()) if self.live else self._decode()

    def _release(self) -> None:
        self._cap.release()
        if self.frames_read > 1:
            log.debug(
                "%s: decoded %d frames, %.1f ms of CPU a frame",
                Path(self.info.path).name, self.frames_read,
                1000.0 * self.cpu_decode_s / self.frames_read,
            )  # fmt: skip


class AvVideoSource(_PacedMixin, Source):
    """A video or GIF decoded by PyAV; times from each frame's pts; rotation from side data."""

    def __init__(
        self, path: str, container: Any, info: MediaInfo, realtime: bool = False,
        prefetch: int = DEFAULT_PREFETCH,
    ) -> None:  # fmt: skip
        super().__init__(info, prefetch)
        self._container = container
        self.live = realtime

    def _decode(self) -> Iterator[Frame]:
        import av

        stream = self._container.streams.video[0]
        start: float | None = None
        prev_t, i = -1.0, 0
        step = 1.0 / self.info.fps if self.info.fps > 0 else 0.1
        try:
            for vf in self._container.decode(stream):
                if self._stop.is_set():
                    return
                img = vf.to_ndarray(format="bgr24")
                k = (getattr(vf, "rotation", 0) or 0) // 90 % 4
                if k:
                    img = np.ascontiguousarray(np.rot90(img, k))
                t = vf.time
                if t is None:
                    t = prev_t + step if i else 0.0
                else:
                    start = t if start is None else start
                    t -= start
                if not t > prev_t:
                    t = prev_t + step if i else 0.0
                prev_t = t
                self.frames_read = i + 1
                yield Frame(i, float(t), img)
                i += 1
        except av.error.FFmpegError as exc:  # damaged data mid-file: keep what we have
            log.warning("%s: decoding stopped: %s", self.info.path, exc)
        self._check_truncated()

    def _produce(self) -> Iterator[Frame]:
        return self._pace(self._decode()) if self.live else self._decode()

    def _release(self) -> None:
        self._container.close()


def _open_cv_video(path: str, realtime: bool, prefetch: int) -> Source | None:
    # One decoding thread: frames are read ahead on a thread of our own, which already
    # overlaps decoding with the model; FFmpeg's frame threads only add CPU of their own
    # (~0.3 ms a 720p frame, 5-10 %, measured) and the output is the same.
    cap = cv2.VideoCapture(path, cv2.CAP_FFMPEG, [cv2.CAP_PROP_N_THREADS, 1])
    if not cap.isOpened():
        cap.release()
        return None
    # The pip OpenCV build leaves auto-rotation off: phone videos would come out
    # sideways. With it on, frames match what ffmpeg/players display.
    cap.set(cv2.CAP_PROP_ORIENTATION_AUTO, 1)
    if cap.get(cv2.CAP_PROP_ORIENTATION_AUTO) != 1:
        cap.release()
        return None  # an OpenCV without auto-rotation: PyAV rotates instead
    w0, h0 = int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
    if w0 * h0 > MAX_PIXELS:
        cap.release()
        check_frame_size(path, w0, h0)
    ok, first = cap.read()
    if not ok or first is None:
        cap.release()
        return None
    first_ms = cap.get(cv2.CAP_PROP_POS_MSEC)
    fps = float(cap.get(cv2.CAP_PROP_FPS) or 0.0)
    count = max(0, int(cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0))
    meta = int(cap.get(cv2.CAP_PROP_ORIENTATION_META) or 0)
    h, w = first.shape[:2]
    info = MediaInfo(
        path=path, kind="video", fps=fps, frame_count=count, width=w, height=h,
        # OpenCV reports the clockwise correction; store the display rotation as
        # ffprobe shows it (counter-clockwise), as PyAV does.
        rotation_deg=(360 - meta) % 360,
        duration_s=count / fps if fps > 0 and count else 0.0,
    )  # fmt: skip
    return CvVideoSource(path, cap, first, first_ms, info, realtime, prefetch)


def mp4_index_missing(path: str | os.PathLike[str]) -> bool:
    """True for an MP4/MOV whose top-level boxes end early with no ``moov`` (index) box.

    That is what an interrupted recording or copy leaves when the index is written
    last: the frames are there but nothing can find them.
    """
    try:
        size = os.path.getsize(path)
        with open(path, "rb") as fh:
            pos, first = 0, True
            while pos + 8 <= size:
                fh.seek(pos)
                head = fh.read(16)
                box_size, box = int.from_bytes(head[:4], "big"), head[4:8]
                if first and box != b"ftyp":
                    return False  # not an ISO media file
                first = False
                if box == b"moov":
                    return False
                if box_size == 1 and len(head) >= 16:
                    box_size = int.from_bytes(head[8:16], "big")
                elif box_size == 0:
                    box_size = size - pos
                if box_size < 8:
                    return False  # not a box structure we understand
                if pos + box_size > size:
                    return True  # a box (the media data) runs past the end of the file
                pos += box_size
    except OSError:
        return False
    return not first  # ended cleanly without an index


def _open_av(path: str, kind: str, realtime: bool, prefetch: int) -> Source | None:
    import av

    try:
        container = av.open(path)
    except (av.error.FFmpegError, OSError, ValueError):
        return None
    if not container.streams.video:
        sound = bool(container.streams.audio)
        container.close()
        if sound:
            raise InputError(
                f"{path}: has sound but no picture (an audio-only file)",
                hint="give the video file of the recording",
            )
        return None
    stream = container.streams.video[0]
    cc = stream.codec_context
    check_frame_size(path, int(cc.width or 0), int(cc.height or 0))
    # Decode the first frame now: it proves the file is media and gives the
    # upright size; then rewind for the worker.
    try:
        vf = next(container.decode(stream))
    except (av.error.FFmpegError, StopIteration):
        container.close()
        return None
    rot = (getattr(vf, "rotation", 0) or 0) % 360
    w, h = (vf.height, vf.width) if rot in (90, 270) else (vf.width, vf.height)
    count = int(stream.frames or 0)
    duration = float(container.duration / 1e6) if container.duration else 0.0
    rate = stream.average_rate or stream.guessed_rate
    fps = float(rate) if rate else (count / duration if count and duration else 0.0)
    if kind == "gif" and count and duration:
        fps = count / duration  # GIF frames carry their own delays; this is the mean rate
    container.close()
    container = av.open(path)
    info = MediaInfo(path, kind, fps, count, w, h, rot, duration)
    return AvVideoSource(path, container, info, realtime, prefetch)


# --- images ----------------------------------------------------------------------------


def check_frame_size(path: str | os.PathLike[str], width: int, height: int) -> None:
    """Refuse a frame size no camera produces (:data:`MAX_PIXELS`), from metadata alone."""
    if width * height > MAX_PIXELS:
        raise InputError(
            f"{path}: {width}x{height} pixels is more than posecheck decodes "
            f"({MAX_PIXELS // 1_000_000} megapixels)",
            hint="scale it down first, e.g. ffmpeg -i IN -vf scale=1920:-2 OUT",
        )


def _header_size(path: Path) -> tuple[int, int] | None:
    """A PNG's or JPEG's (width, height) from its header, without decoding it; None for
    other formats (OpenCV's own limit of 2^30 pixels applies to those)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(24)
            if head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR":
                return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")
            if head[:2] != b"\xff\xd8":
                return None
            fh.seek(2)
            while True:  # JPEG: walk the segments to the frame header (SOFn)
                marker = fh.read(4)
                if len(marker) < 4 or marker[0] != 0xFF:
                    return None
                kind, length = marker[1], int.from_bytes(marker[2:4], "big")
                if 0xC0 <= kind <= 0xCF and kind not in (0xC4, 0xC8, 0xCC):
                    sof = fh.read(5)
                    if len(sof) < 5:
                        return None
                    return int.from_bytes(sof[3:5], "big"), int.from_bytes(sof[1:3], "big")
                fh.seek(length - 2, os.SEEK_CUR)
    except OSError:
        return None


def _natural_key(p: Path) -> list[Any]:
    return [int(t) if t.isdigit() else t.lower() for t in re.split(r"(\d+)", p.name)]


def _read_image(path: Path) -> np.ndarray | None:
    size = _header_size(path)
    if size is not None:
        check_frame_size(path, *size)
    img = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if img is None:
        # cv2.imread cannot open non-ASCII paths on some platforms; decode the bytes.
        try:
            data = np.fromfile(str(path), dtype=np.uint8)
            img = cv2.imdecode(data, cv2.IMREAD_COLOR) if data.size else None
        except OSError:
            img = None
    return img


class ImageSource(_PacedMixin, Source):
    """One image, or a folder of images played as frames at a nominal rate."""

    def __init__(
        self, paths: list[Path], first: np.ndarray, info: MediaInfo,
        prefetch: int = DEFAULT_PREFETCH, realtime: bool = False,
    ) -> None:  # fmt: skip
        super().__init__(info, prefetch)
        self._paths = paths
        self._first: np.ndarray | None = first  # freed once yielded
        self.skipped: list[str] = []
        self.live = realtime

    def _produce(self) -> Iterator[Frame]:
        return self._pace(self._read()) if self.live else self._read()

    def _read(self) -> Iterator[Frame]:
        fps = self.info.fps or DEFAULT_FOLDER_FPS
        for i, p in enumerate(self._paths):
            if self._stop.is_set():
                return
            img, self._first = (self._first, None) if i == 0 else (_read_image(p), None)
            if img is None:
                msg = f"{p}: not a readable image, skipped"
                self.skipped.append(str(p))
                self.warnings.append(msg)
                log.warning(msg)
                continue
            self.frames_read += 1
            yield Frame(i, i / fps, img)


def _open_image(path: Path) -> Source:
    img = _read_image(path)
    if img is None:
        raise InputError(
            f"{path}: not an image posecheck can read",
            hint="use a PNG or JPEG file, a video, or a folder of images",
        )
    h, w = img.shape[:2]
    return ImageSource([path], img, MediaInfo(str(path), "image", 0.0, 1, w, h))


def _open_folder(path: Path, fps: float | None, prefetch: int, realtime: bool = False) -> Source:
    files = sorted(
        (p for p in path.iterdir() if p.suffix.lower() in IMAGE_EXTENSIONS and p.is_file()),
        key=_natural_key,
    )
    if not files:
        raise InputError(
            f"{path}: folder has no images ({', '.join(sorted(IMAGE_EXTENSIONS))})",
            hint="point at a folder of frames, or at a video file",
        )
    for k, p in enumerate(files):
        first = _read_image(p)
        if first is not None:
            unreadable, files = files[:k], files[k:]
            break
    else:
        raise InputError(f"{path}: none of the {len(files)} images in the folder can be read")
    rate = float(fps) if fps else DEFAULT_FOLDER_FPS
    h, w = first.shape[:2]
    info = MediaInfo(str(path), "folder", rate, len(files), w, h, 0, len(files) / rate)
    src = ImageSource(files, first, info, prefetch, realtime)
    for p in unreadable:  # said like the unreadable images later in the folder
        msg = f"{p}: not a readable image, skipped"
        src.skipped.append(str(p))
        src.warnings.append(msg)
        log.warning(msg)
    return src


# --- cameras and streams ---------------------------------------------------------------


class CameraSource(Source):
    """A camera or network stream; capture runs on its own thread, newest frame wins.

    ``t_s`` is the capture time relative to the first frame (the camera's clock is
    the only clock a live session has). ``index`` counts captured frames, so
    frames dropped for a slow consumer show as gaps.
    """

    live = True

    def __init__(self, spec: str, cap: Any, first: np.ndarray, info: MediaInfo) -> None:
        super().__init__(info, 1)
        self._cap = cap
        self._first: np.ndarray | None = first  # freed once yielded
        self._t0 = time.monotonic()

    def _produce(self) -> Iterator[Frame]:
        first, self._first = self._first, None
        if first is None:  # frames() runs once (Source.frames refuses a second time)
            return
        self.frames_read = 1
        yield Frame(0, 0.0, first)
        i = 1
        while not self._stop.is_set():
            ok, img = self._cap.read()
            if not ok or img is None:
                msg = f"{self.info.path}: camera stopped delivering frames after {i}"
                self.warnings.append(msg)
                log.warning(msg)
                return
            t = time.monotonic() - self._t0
            self.frames_read = i + 1
            yield Frame(i, t, img)
            i += 1

    def _release(self) -> None:
        self._cap.release()


def _open_camera(spec: str | int, width: int | None, height: int | None) -> Source:
    what = f"camera {spec}" if isinstance(spec, int) else str(spec)
    cap = cv2.VideoCapture(spec)
    if cap.isOpened():
        # Keep the driver's own queue short too: our thread already drops stale frames.
        cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)
        if width:
            cap.set(cv2.CAP_PROP_FRAME_WIDTH, width)
        if height:
            cap.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
        ok, first = cap.read()
    else:
        ok, first = False, None
    if not ok or first is None:
        cap.release()
        hint = (
            "check the stream address and that it is reachable"
            if isinstance(spec, str) and _URL_RE.match(spec)
            else "check it is connected and not in use by another program; "
            "try another index (0, 1, ...) or pass a video file instead"
        )
        raise InputError(f"{what} did not open", hint=hint)
    h, w = first.shape[:2]
    fps = float(cap.get(cv2.CAP_PROP_FPS) or 0.0)
    info = MediaInfo(str(spec), "camera", fps, 0, w, h)
    return CameraSource(str(spec), cap, first, info)


# --- entry point -----------------------------------------------------------------------

_native_logs_quiet = False


def _quiet_native_logs() -> None:
    """Keep FFmpeg's and OpenCV's own stderr chatter ("moov atom not found", "[ WARN:0]")
    out of the one-line errors; shown again with debug logging (``-vv``) or when
    OPENCV_FFMPEG_LOGLEVEL / OPENCV_LOG_LEVEL are set by the user."""
    global _native_logs_quiet
    if _native_logs_quiet or log.isEnabledFor(logging.DEBUG):
        return
    _native_logs_quiet = True
    os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")  # read when a capture opens
    if "OPENCV_LOG_LEVEL" not in os.environ:
        cv2.setLogLevel(1)  # 1 = fatal only: posecheck reports the failures itself


def is_camera_spec(spec: str | int) -> bool:
    """True for a camera index, a /dev/video* path or a stream URL."""
    if isinstance(spec, int):
        return True
    s = str(spec)
    return s.isdigit() or s.startswith("/dev/video") or bool(_URL_RE.match(s))


def open_source(
    spec: str | int | os.PathLike[str],
    realtime: bool = False,
    fps: float | None = None,
    prefetch: int = DEFAULT_PREFETCH,
    camera_size: tuple[int, int] | None = None,
) -> Source:
    """Open a video, GIF, image, folder of images, camera or stream.

    ``realtime``: play a file at its own speed as if it were live, dropping frames
    the consumer is too slow for (cameras are always live). ``fps``: the nominal
    rate of an image folder. ``camera_size``: requested (width, height) of a camera.
    Raises :class:`InputError` with a one-line message for unusable input.
    """
    _quiet_native_logs()
    if not isinstance(spec, (str, int)):
        spec = os.fspath(spec)
    if isinstance(spec, int) or (isinstance(spec, str) and spec.isdigit()):
        w, h = camera_size or (None, None)
        return _open_camera(int(spec), w, h)
    s = str(spec)
    if _URL_RE.match(s):
        w, h = camera_size or (None, None)
        return _open_camera(s, w, h)
    path = Path(s).expanduser()
    if s.startswith("/dev/video"):
        if not path.exists():
            raise InputError(
                f"{s}: no such camera device", hint="list cameras with 'ls /dev/video*'"
            )
        w, h = camera_size or (None, None)
        return _open_camera(s, w, h)
    if not path.exists():
        raise InputError(f"{s}: no such file or folder", hint="check the path")
    if path.is_dir():
        return _open_folder(path, fps, prefetch, realtime)
    if not os.access(path, os.R_OK):
        raise InputError(f"{s}: permission denied", hint="check the file's permissions")
    if path.stat().st_size == 0:
        raise InputError(f"{s}: file is empty", hint="record or copy the video again")
    suffix = path.suffix.lower()
    if suffix in IMAGE_EXTENSIONS:
        return _open_image(path)
    src: Source | None
    if suffix == ".gif":
        src = _open_av(str(path), "gif", realtime, prefetch)
    else:
        src = _open_cv_video(str(path), realtime, prefetch) or _open_av(
            str(path), "video", realtime, prefetch
        )
    if src is None:
        # Maybe an image with an unusual name.
        img = _read_image(path)
        if img is not None:
            h, w = img.shape[:2]
            return ImageSource([path], img, MediaInfo(str(path), "image", 0.0, 1, w, h))
        if mp4_index_missing(path):
            raise InputError(
                f"{s}: the video is incomplete: it has no index (moov), as when a recording "
                "or a copy is interrupted",
                hint="copy or export the video again; a file cut off like this cannot be read",
            )
        raise InputError(
            f"{s}: not a video or image posecheck can read (damaged, truncated or not media)",
            hint="check the file plays in a video player; try re-encoding it with ffmpeg",
        )
    return src

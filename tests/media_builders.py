"""Synthetic media written inside tests: videos, GIFs, image folders (no real footage)."""

from __future__ import annotations

import shutil
import subprocess
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest


def frame_image(i: int, size: tuple[int, int] = (160, 96)) -> np.ndarray:
    """A BGR frame whose brightness encodes ``i`` (steps of 8) with a red top-left marker."""
    w, h = size
    img = np.full((h, w, 3), min(255, 16 + 8 * i), np.uint8)
    img[: h // 4, : w // 4] = (0, 0, 255)
    return img


def brightness(img: np.ndarray) -> float:
    """Mean gray of the part without the marker (inverse of :func:`frame_image`)."""
    h, w = img.shape[:2]
    return float(img[h // 2 :, w // 2 :].mean())


def write_cv_video(
    path: Path, n: int, fps: float, size: tuple[int, int] = (160, 96), fourcc: str = "mp4v"
) -> Path:
    import cv2

    w = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*fourcc), fps, size)
    assert w.isOpened(), f"cannot write {path}"
    for i in range(n):
        w.write(frame_image(i, size))
    w.release()
    return path


def write_av_video(
    path: Path,
    n: int,
    rate: Fraction,
    size: tuple[int, int] = (160, 96),
    faststart: bool = False,
    codec: str = "libx264",
) -> Path:
    """A video written with PyAV (exact rational frame rate; ``faststart`` puts the index first)."""
    import av

    opts = {"movflags": "faststart"} if faststart else {}
    with av.open(str(path), "w", options=opts) as out:
        s = out.add_stream(codec, rate=rate)
        s.width, s.height, s.pix_fmt = size[0], size[1], "yuv420p"
        if codec == "libx264":
            s.options = {"preset": "ultrafast", "crf": "18"}
        for i in range(n):
            vf = av.VideoFrame.from_ndarray(frame_image(i, size), format="bgr24")
            for pkt in s.encode(vf):
                out.mux(pkt)
        for pkt in s.encode():
            out.mux(pkt)
    return path


def write_vfr_video(path: Path, times_s: list[float], size: tuple[int, int] = (160, 96)) -> Path:
    """H.264 whose frames have the given presentation times (variable frame rate)."""
    import av

    tb = Fraction(1, 1000)
    with av.open(str(path), "w") as out:
        s = out.add_stream("libx264", rate=30)
        s.width, s.height, s.pix_fmt = size[0], size[1], "yuv420p"
        s.codec_context.time_base = tb
        s.options = {"preset": "ultrafast"}
        for i, t in enumerate(times_s):
            vf = av.VideoFrame.from_ndarray(frame_image(i, size), format="bgr24")
            vf.pts, vf.time_base = round(t * 1000), tb
            for pkt in s.encode(vf):
                out.mux(pkt)
        for pkt in s.encode():
            out.mux(pkt)
    return path


def add_rotation(src: Path, dst: Path, degrees: int) -> Path:
    """Copy a video adding phone-style rotation metadata (needs the ffmpeg tool)."""
    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg not installed: cannot add rotation metadata")
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-i", str(src), "-c", "copy",
         "-metadata:s:v", f"rotate={degrees}", str(dst)],
        check=True,
    )  # fmt: skip
    return dst


def write_gif(path: Path, durations_ms: list[int], size: tuple[int, int] = (64, 48)) -> Path:
    Image = pytest.importorskip("PIL.Image")
    frames = [
        Image.fromarray(frame_image(i, size)[:, :, ::-1].copy()) for i in range(len(durations_ms))
    ]
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=durations_ms, loop=0)
    return path


def join_clips(
    path: Path, clips: list[Path], gap_s: float = 2.0, size: tuple[int, int] = (640, 360)
) -> tuple[Path, list[tuple[float, float]]]:
    """One recording of ``clips`` one after another (resized to ``size``, at the first
    clip's frame rate), with ``gap_s`` of an empty grey room before each but the first
    (the person out of view while moving to the next exercise). Returns the path and
    each clip's (start_s, end_s) in the joined recording."""
    import cv2

    fps = cv2.VideoCapture(str(clips[0])).get(cv2.CAP_PROP_FPS) or 30.0
    w = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, size)
    assert w.isOpened(), f"cannot write {path}"
    empty = np.full((size[1], size[0], 3), 90, np.uint8)
    n, spans = 0, []
    for k, clip in enumerate(clips):
        for _ in range(round(gap_s * fps) if k else 0):
            w.write(empty)
            n += 1
        start = n
        cap = cv2.VideoCapture(str(clip))
        ok, img = cap.read()
        while ok:
            w.write(cv2.resize(img, size, interpolation=cv2.INTER_AREA))
            n += 1
            ok, img = cap.read()
        cap.release()
        spans.append((start / fps, n / fps))
    w.release()
    return path, spans

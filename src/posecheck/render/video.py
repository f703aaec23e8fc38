"""Write rendered frames to a video file (H.264 through PyAV, mp4v through OpenCV as fallback)."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from posecheck import safeio
from posecheck.errors import InputError
from posecheck.render.clip import ClipRenderer

log = logging.getLogger(__name__)


class VideoWriter:
    """H.264 (yuv420p, constant quality ``crf``) with PyAV; OpenCV's mp4v if PyAV fails."""

    def __init__(self, path: Path, size: tuple[int, int], fps: float, crf: int = 28) -> None:
        self.path, self.size, self.fps = path, size, fps
        self._av = None
        self._cv = None
        try:
            import av

            self._av = av.open(str(path), "w")
            rate = Fraction(fps).limit_denominator(1001)
            st = self._av.add_stream("libx264", rate=rate)
            st.width, st.height = size
            st.pix_fmt = "yuv420p"
            st.options = {"crf": str(crf), "preset": "medium", "tune": "animation"}
            self._stream = st
        except Exception as exc:  # noqa: BLE001 - any PyAV/codec failure: fall back
            log.info("PyAV H.264 unavailable (%s); writing mp4v with OpenCV", exc)
            if self._av is not None:
                self._av.close()
            self._av = None
            import cv2

            self._cv = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"mp4v"), fps, size)
            if not self._cv.isOpened():
                raise InputError(f"cannot write video {path}",
                                 "check the folder exists and is writable") from exc  # fmt: skip

    def write(self, img: np.ndarray) -> None:
        if self._av is not None:
            import av

            frame = av.VideoFrame.from_ndarray(img, format="bgr24")
            for pkt in self._stream.encode(frame):
                self._av.mux(pkt)
        elif self._cv is not None:
            self._cv.write(img)

    def close(self) -> None:
        if self._av is not None:
            for pkt in self._stream.encode():
                self._av.mux(pkt)
            self._av.close()
            self._av = None
        if self._cv is not None:
            self._cv.release()
            self._cv = None


def columns(frames: list[dict[str, Any]]) -> dict[str, Any]:
    """Per-frame truth records -> one list per field (compact JSON)."""
    if not frames:
        return {}
    out: dict[str, Any] = {k: [f[k] for f in frames] for k in frames[0] if k != "measures"}
    out["measures"] = {m: [f["measures"][m] for f in frames] for m in frames[0]["measures"]}
    return out


def truth_path(video: Path) -> Path:
    """``clip.mp4`` -> ``clip.truth.json``."""
    return video.with_name(video.stem + ".truth.json")


def write_clip(
    renderer: ClipRenderer,
    out: Path,
    crf: int = 28,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Render every frame into ``out`` and the truth beside it; returns the truth."""
    out = Path(out)
    if not out.parent.is_dir():
        raise InputError(f"output folder does not exist: {out.parent}", "create it first")
    truth = renderer.truth_header()
    frames = []
    # Encoded under a unique temporary name, renamed only when complete (posecheck.safeio):
    # an interrupted render leaves no half clip, and a link at ``out`` is not followed.
    try:
        tmp = safeio.temp_path(out, suffix=out.suffix)
    except OSError as exc:
        raise safeio.write_error(out, exc) from None
    try:
        writer = VideoWriter(tmp, renderer.opts.size, renderer.opts.fps, crf)
        try:
            for i, _t, img, fr in renderer.frames():
                writer.write(img)
                frames.append(fr)
                if progress:
                    progress(i + 1, renderer.n_frames)
        finally:
            writer.close()
    except BaseException as exc:
        written = tmp.stat().st_size if tmp.exists() else 0
        safeio.discard(tmp)
        if isinstance(exc, OSError):
            raise safeio.write_error(out, exc, written) from None
        raise
    truth["video"] = out.name
    truth["series"] = columns(frames)
    safeio.write_text(truth_path(out), json.dumps(truth, separators=(",", ":")) + "\n")
    safeio.commit(tmp, out)
    return truth

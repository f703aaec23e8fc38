"""The landmarks file (``<name>.landmarks.npz``): poses saved once, re-scored without the model.

A compressed NumPy archive (``numpy.load`` reads it; no pickles):

==================  ===============  ==================================================
key                 shape, dtype     meaning
==================  ===============  ==================================================
``format``          () str           ``"posecheck-landmarks"``
``version``         () int           ``1``
``t_s``             (N,) float64     frame time in seconds (from the media)
``index``           (N,) int64       frame index in the source
``present``         (N,) bool        a pose was found
``xy``              (N, 33, 2) f4    pixels of the rotation-corrected frame, NaN if absent
``visibility``      (N, 33) f4       MediaPipe visibility, 0 if absent (as the model
                                     gave it: points outside the picture are hidden
                                     again when read, ``Pose.hide_off_frame``)
``world``           (N, 33, 3) f4    world landmarks (metres), NaN if absent
``extra__<name>``   (N,) f4          mask-based measures (the mask is not stored)
``paused``          (N,) bool        the session did not judge this frame (optional)
``meta``            () str           JSON: source, fps, width, height, frame_count,
                                     rotation_deg, posecheck_version, estimator
                                     options, smoothing, frames, partial,
                                     exercise_start_s
==================  ===============  ==================================================

``paused`` marks the frames the engine was paused for: in a live session the set-up
check and the countdown before the exercise starts, the pause key, the rest between
sets and the time after the dose is done. ``meta["exercise_start_s"]`` is the time of
the first judged frame (None if none was). Re-scoring (``posecheck score``) pauses the
engine on the same frames (:class:`posecheck.commands._offline.ReplayPauses`), so it
judges what the live session judged. Files written before this field have no
``paused`` array: every frame is judged, as before.

Poses are stored as the estimator gave them (before smoothing); ``meta["smoothing"]``
records the filter the run used so re-scoring can apply the same one.

Writing streams: arrays grow in chunks (memory stays proportional to the frames
seen, no per-frame Python objects kept), and the file appears only when complete:
it is written to a temporary name in the same folder and renamed. A run stopped
with Ctrl-C is written with ``meta["partial"] = true``; a crash leaves no file.
"""

from __future__ import annotations

import dataclasses
import io
import json
import logging
import math
import os
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from posecheck import LANDMARKS_SUFFIX, __version__, safeio
from posecheck.errors import InputError
from posecheck.pose import NUM_LANDMARKS, Frame, MediaInfo, Pose
from posecheck.protocols import SinkBase
from posecheck.results import FrameResult, SessionSummary

log = logging.getLogger(__name__)

FORMAT = "posecheck-landmarks"
VERSION = 1
EXTRA_PREFIX = "extra__"


def landmarks_path_for(output_stem: str | os.PathLike[str]) -> Path:
    """``out/clip`` -> ``out/clip.landmarks.npz``."""
    return Path(f"{os.fspath(output_stem)}{LANDMARKS_SUFFIX}")


class LandmarksWriter:
    """Append poses frame by frame; :meth:`close` writes the file atomically.

    ``meta`` is merged into the stored metadata (estimator options, smoothing, ...).
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        info: MediaInfo | None = None,
        meta: Mapping[str, Any] | None = None,
        chunk: int = 512,
    ) -> None:
        self.path = Path(path)
        self.file_mode: int | None = None  # None: what the umask gives (live: 0o600)
        self.meta: dict[str, Any] = {}
        if info is not None:
            # a file's full path: a file read from another folder (score, history import)
            # finds its recording again; a camera or stream as it was given
            source = info.path
            if info.kind in ("video", "gif", "image", "folder") and source:
                source = os.path.abspath(source)
            self.meta.update(
                source=source, kind=info.kind, fps=info.fps, width=info.width,
                height=info.height, frame_count=info.frame_count,
                rotation_deg=info.rotation_deg, duration_s=info.duration_s,
            )  # fmt: skip
        self.meta["posecheck_version"] = __version__
        if meta:
            self.meta.update(meta)
        self._chunk = max(16, int(chunk))
        self._n = 0
        self._cap = 0
        self._t = np.empty(0, np.float64)
        self._index = np.empty(0, np.int64)
        self._present = np.empty(0, bool)
        self._xy = np.empty((0, NUM_LANDMARKS, 2), np.float32)
        self._vis = np.empty((0, NUM_LANDMARKS), np.float32)
        self._world = np.empty((0, NUM_LANDMARKS, 3), np.float32)
        self._paused = np.empty(0, bool)
        self._extras: dict[str, np.ndarray] = {}
        self.closed = False

    def __len__(self) -> int:
        return self._n

    def _grow(self) -> None:
        cap = max(self._chunk, self._cap * 2)

        def grown(a: np.ndarray, fill: Any) -> np.ndarray:
            b = np.full((cap, *a.shape[1:]), fill, dtype=a.dtype)
            b[: self._n] = a[: self._n]
            return b

        self._t = grown(self._t, np.nan)
        self._index = grown(self._index, -1)
        self._present = grown(self._present, False)
        self._xy = grown(self._xy, np.nan)
        self._vis = grown(self._vis, 0.0)
        self._world = grown(self._world, np.nan)
        self._paused = grown(self._paused, False)
        self._extras = {k: grown(v, np.nan) for k, v in self._extras.items()}
        self._cap = cap

    def append(
        self,
        index: int,
        t_s: float,
        pose: Pose | None,
        extras: Mapping[str, float] | None = None,
        paused: bool = False,
    ) -> None:
        """Add one frame (``pose`` None when nobody was found; ``paused``: not judged)."""
        if self.closed:
            raise RuntimeError("LandmarksWriter is closed")
        if self._n == self._cap:
            self._grow()
        i = self._n
        self._t[i] = t_s
        self._index[i] = index
        self._paused[i] = paused
        if pose is not None:
            self._present[i] = True
            self._xy[i] = pose.xy
            # the model's own visibility: replay hides off-frame points again
            self._vis[i] = pose.visibility if pose.raw_visibility is None else pose.raw_visibility
            if pose.world is not None:
                self._world[i] = pose.world
        for name, value in (extras or {}).items():
            arr = self._extras.get(name)
            if arr is None:
                arr = self._extras[name] = np.full(self._cap, np.nan, np.float32)
            arr[i] = value
        self._n += 1

    def arrays(self) -> dict[str, np.ndarray]:
        """The arrays as they would be stored (trimmed to the frames appended)."""
        n = self._n
        out = {
            "format": np.array(FORMAT),
            "version": np.array(VERSION, dtype=np.int64),
            "t_s": self._t[:n].copy(),
            "index": self._index[:n].copy(),
            "present": self._present[:n].copy(),
            "xy": self._xy[:n].copy(),
            "visibility": self._vis[:n].copy(),
            "world": self._world[:n].copy(),
            "paused": self._paused[:n].copy(),
        }
        for name, arr in self._extras.items():
            out[EXTRA_PREFIX + name] = arr[:n].copy()
        return out

    def close(self, partial: bool = False, meta: Mapping[str, Any] | None = None) -> Path:
        """Write the file (temporary name, then rename) and return its path."""
        if self.closed:
            return self.path
        self.closed = True
        m = dict(self.meta)
        if meta:
            m.update(meta)
        m["frames"] = self._n
        m["frames_with_pose"] = int(self._present[: self._n].sum())
        m["partial"] = bool(partial)
        judged = np.flatnonzero(~self._paused[: self._n])
        m["exercise_start_s"] = float(self._t[judged[0]]) if judged.size else None
        arrays = self.arrays()
        arrays["meta"] = np.array(json.dumps(m, default=_json_default))
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # A unique temporary name, renamed when complete (posecheck.safeio); it gets
        # the mode a normal open() would give, like the other outputs next to it.
        # Compressed in memory (a few MB), then written whole: a write that fails (a
        # full disk) cannot leave zipfile holding a half-written file.
        buf = io.BytesIO()
        np.savez_compressed(buf, **arrays)
        safeio.write_bytes(self.path, buf.getvalue(), file_mode=self.file_mode)
        return self.path

    def abort(self) -> None:
        """Drop what was appended; no file is written."""
        self.closed = True


def _json_default(o: Any) -> Any:
    if isinstance(o, (np.floating, np.integer)):
        return o.item()
    if isinstance(o, Path):
        return str(o)
    if hasattr(o, "to_dict"):
        return o.to_dict()
    return str(o)


# --- reading ---------------------------------------------------------------------------


@dataclass
class LandmarksData:
    """The contents of a landmarks file."""

    path: Path
    t_s: np.ndarray
    index: np.ndarray
    present: np.ndarray
    xy: np.ndarray
    visibility: np.ndarray
    world: np.ndarray
    extras: dict[str, np.ndarray] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)
    # True where the session did not judge the frame (live set-up, countdown, pause,
    # rest); None for files written before it was recorded (every frame judged).
    paused: np.ndarray | None = None

    def __len__(self) -> int:
        return int(self.t_s.shape[0])

    @property
    def image_size(self) -> tuple[int, int]:
        return int(self.meta.get("width") or 0), int(self.meta.get("height") or 0)

    def pose(self, i: int) -> Pose | None:
        """The pose of row ``i`` (``None`` where nobody was found)."""
        if not self.present[i]:
            return None
        world = self.world[i].astype(np.float64)
        extras = {k: float(v[i]) for k, v in self.extras.items() if not math.isnan(v[i])}
        return Pose(
            xy=self.xy[i].astype(np.float64),
            visibility=self.visibility[i].astype(np.float64),
            image_size=self.image_size,
            world=world if np.isfinite(world).all() else None,
            extras=extras or None,
        ).hide_off_frame()  # as the estimator does live, so a replay gives the same results


_REQUIRED = {
    "t_s": ((-1,), "f"),
    "index": ((-1,), "i"),
    "present": ((-1,), "b"),
    "xy": ((-1, NUM_LANDMARKS, 2), "f"),
    "visibility": ((-1, NUM_LANDMARKS), "f"),
    "world": ((-1, NUM_LANDMARKS, 3), "f"),
}


# The most rows a landmarks file may hold: 4 hours at 60 frames/s. 2 million rows of a
# 1.5 MB file once took 3.3 GB and 2 minutes in score; sizes are checked against the
# arrays' own headers (and the file's recorded frame count) before anything is loaded.
MAX_ROWS = 4 * 3600 * 60


def _check_sizes(p: Path) -> None:
    """Refuse an archive whose arrays are larger than a recording, from the headers alone:
    each array's shape, its stored size, and the frame count in the file's metadata."""
    fmt = np.lib.format
    shapes: dict[str, tuple[int, ...]] = {}
    frames = None
    try:
        with zipfile.ZipFile(p) as zf:
            for info in zf.infolist():
                name = info.filename.removesuffix(".npy")
                with zf.open(info) as fh:
                    major, _ = fmt.read_magic(fh)
                    read = fmt.read_array_header_1_0 if major == 1 else fmt.read_array_header_2_0
                    shape, _, _ = read(fh)
                    # an element is at most 8 bytes: a member larger than its header says
                    # is not an array numpy wrote
                    if info.file_size > 8 * int(np.prod(shape, dtype=np.int64)) + 4096:
                        raise InputError(f"{p}: {name!r} is larger than its header says")
                    if name == "meta" and info.file_size < 1_000_000:
                        fh.seek(0)
                        frames = json.loads(str(np.load(fh, allow_pickle=False))).get("frames")
                shapes[name] = shape
    except (OSError, ValueError, AttributeError, zipfile.BadZipFile, EOFError):
        return  # np.load names the problem
    rows = max((s[0] for k, s in shapes.items() if k in _REQUIRED and s), default=0)
    if rows > MAX_ROWS:
        raise InputError(
            f"{p}: {rows} frames is more than a recording holds (at most {MAX_ROWS}: "
            f"{MAX_ROWS / 216_000:.3g} hours at 60 frames/s)",
            hint="re-create it with 'posecheck analyze'",
        )
    if isinstance(frames, int) and rows != frames:
        raise InputError(
            f"{p}: holds {rows} frames but its metadata says {frames}",
            hint="re-create it with 'posecheck analyze'",
        )


def read_landmarks(path: str | os.PathLike[str]) -> LandmarksData:
    """Load and check a landmarks file; :class:`InputError` names what is wrong."""
    p = Path(path)
    if not p.is_file():
        raise InputError(f"{p}: no such landmarks file", hint="check the path")
    _check_sizes(p)
    try:
        with np.load(p, allow_pickle=False) as z:
            data = {k: z[k] for k in z.files}
    except (OSError, ValueError, zipfile.BadZipFile, EOFError):
        raise InputError(
            f"{p}: not a landmarks file (not a readable .npz archive)",
            hint="'posecheck analyze VIDEO' writes one next to its results",
        ) from None
    fmt = str(data.get("format", ""))
    if fmt != FORMAT:
        raise InputError(f"{p}: not a posecheck landmarks file (format {fmt!r})")
    try:
        version = int(data.get("version", -1))
    except (TypeError, ValueError):
        version = -1
    if version != VERSION:
        raise InputError(
            f"{p}: landmarks file version {version} is not supported "
            f"(this posecheck reads {VERSION})",
            hint="re-create it with this version of posecheck",
        )
    n = None
    for key, (shape, kind) in _REQUIRED.items():
        if key not in data:
            raise InputError(f"{p}: landmarks file lacks {key!r}")
        a = data[key]
        if (
            a.dtype.kind != kind
            or a.ndim != len(shape)
            or any(s != -1 and s != d for s, d in zip(shape, a.shape, strict=False))
        ):
            raise InputError(f"{p}: {key!r} has shape {a.shape} {a.dtype}, expected {shape} {kind}")
        n = a.shape[0] if n is None else n
        if a.shape[0] != n:
            raise InputError(f"{p}: {key!r} has {a.shape[0]} rows, expected {n}")
    try:
        meta = json.loads(str(data.get("meta", "{}")))
    except json.JSONDecodeError:
        raise InputError(f"{p}: the landmarks file's meta is not valid JSON") from None
    if not isinstance(meta, dict):
        raise InputError(f"{p}: the landmarks file's meta is not a JSON object")
    t_s = data["t_s"]
    if n and (not np.isfinite(t_s).all() or (np.diff(t_s) < 0).any()):
        bad = int(np.flatnonzero(~np.isfinite(t_s) | (np.diff(t_s, prepend=t_s[0]) < 0))[0])
        raise InputError(
            f"{p}: times go backwards or are not numbers at row {bad} "
            f"({float(t_s[bad]):g} s after {float(t_s[max(0, bad - 1)]):g} s)",
            hint="re-create it with 'posecheck analyze'",
        )

    extras = {
        k[len(EXTRA_PREFIX):]: data[k].astype(np.float32)
        for k in data
        if k.startswith(EXTRA_PREFIX)
    }  # fmt: skip
    paused = data.get("paused")
    if paused is not None and (paused.dtype.kind != "b" or paused.shape != (n,)):
        raise InputError(
            f"{p}: 'paused' has shape {paused.shape} {paused.dtype}, expected ({n},) b"
        )
    return LandmarksData(
        p, data["t_s"].astype(np.float64), data["index"].astype(np.int64),
        data["present"].astype(bool), data["xy"], data["visibility"], data["world"],
        extras, meta, paused,
    )  # fmt: skip


class LandmarksSource:
    """Replays a landmarks file as poses with their times, for re-scoring without the model.

    Has the :class:`posecheck.sources.Source` attributes the pipeline uses
    (``info``, ``truncated``, ``frames_read``, ``warnings``, ``close``); instead of
    ``frames()`` it offers :meth:`poses`. :func:`posecheck.pipeline.run` accepts it
    with ``estimator=None``.
    """

    live = False

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.data = read_landmarks(path)
        m = self.data.meta
        self.meta = m
        n = len(self.data)
        fps = float(m.get("fps") or 0.0)
        w, h = self.data.image_size
        self.info = MediaInfo(
            path=str(self.data.path), kind="landmarks", fps=fps, frame_count=n, width=w,
            height=h, rotation_deg=int(m.get("rotation_deg") or 0),
            duration_s=float(self.data.t_s[-1]) if n else 0.0,
        )  # fmt: skip
        self.truncated = False
        self.frames_read = 0
        self.frames_dropped = 0
        self.warnings: list[str] = []
        if m.get("partial"):
            self.warnings.append(f"{self.data.path}: recorded from an interrupted run (partial)")

    def poses(self) -> Iterator[tuple[int, float, Pose | None]]:
        """(frame index, t_s, pose or None) for every stored frame, in order."""
        d = self.data
        for i in range(len(d)):
            self.frames_read = i + 1
            yield int(d.index[i]), float(d.t_s[i]), d.pose(i)

    def frames(self) -> Iterator[Frame]:
        raise TypeError("a landmarks file has no images; iterate poses() instead")

    def close(self) -> None:
        pass

    def __enter__(self) -> LandmarksSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class LandmarksSink(SinkBase):
    """A pipeline sink that writes the landmarks file (``open``/``write``/``close``)."""

    def __init__(self, path: str | os.PathLike[str], meta: Mapping[str, Any] | None = None):
        self.path = Path(path)
        self._meta = dict(meta or {})
        self.writer: LandmarksWriter | None = None

    def describe_run(self, estimator: Any = None, smoother: Any = None) -> None:
        """Record how the poses were made (called by ``pipeline.run`` before ``open``).

        Adds ``estimator`` (its options) and ``smoothing_params`` (the One-Euro
        parameters, or None without smoothing) unless the caller already set them.
        """
        opts = getattr(estimator, "options", None)
        if opts is not None and hasattr(opts, "to_dict"):
            self._meta.setdefault("estimator", opts.to_dict())
        params = getattr(smoother, "params", None)
        self._meta.setdefault(
            "smoothing_params",
            dataclasses.asdict(params)
            if dataclasses.is_dataclass(params) and not isinstance(params, type)
            else None,
        )

    def open(self, info: MediaInfo, exercise: Any = None) -> None:
        self.writer = LandmarksWriter(self.path, info, self._meta)

    def write(self, frame: Frame | None, result: FrameResult) -> None:
        assert self.writer is not None, "LandmarksSink.open was not called"
        pose = result.raw_pose if result.raw_pose is not None else result.pose
        extras = None
        if result.measures:
            from posecheck.angles import EXTRA_MEASURES

            # only what a replay cannot compute again from the landmarks: the mask's,
            # as measured (the raw pose's: the smoother filters them, and a replay
            # through the smoother filters them again)
            raw = (pose.extras or {}) if pose is not None else {}
            extras = {
                k: raw.get(k, v) for k, v in result.measures.items()
                if k in EXTRA_MEASURES and EXTRA_MEASURES[k].needs_mask
            } or None  # fmt: skip
        paused = bool(result.paused)
        self.writer.append(result.index, result.t_s, pose, extras, paused=paused)

    def close(self, summary: SessionSummary | None = None) -> None:
        if self.writer is not None:
            partial = bool(summary.partial) if summary is not None else False
            self.writer.close(partial=partial)

"""One video on every core: pose estimation in grid parts, in worker processes.

The pose model is posecheck's cost (21-26 ms of one core a frame) and one MediaPipe
graph uses about one core. :class:`ParallelPoses` runs the model on a recording's
parts, in worker processes or in this one, then hands the poses, in order, to the one
frame loop (:func:`posecheck.pipeline.run`), which smooths, measures, judges and
writes exactly as it does for one process.

- :func:`plan_parts` cuts ``[0, frame_count)`` into equal parts of at least
  ``part_s`` seconds (at most ``MAX_PARTS`` of them) on a grid that depends on the
  recording only (its frame count and fps), never on the number of workers.
  MediaPipe's tracking follows its own path after a fresh start (1-6 px for
  hundreds of frames), so poses depend on where the
  tracking starts: with the starts fixed by the recording, ``--workers 1`` and
  ``--workers N`` (and ``score --jobs`` and ``score --ray``) give identical poses.
  A recording shorter than two parts is one tracking run, as before.
- Each part starts ``overlap_s`` earlier than the frames it keeps: a fresh (reset)
  MediaPipe graph (tracking, MediaPipe's landmark smoothing and the person
  selection) warms up on those frames, and their poses are dropped. The previous
  part estimated the same frames: their times must agree exactly, which proves
  the seek (:meth:`posecheck.sources.CvVideoSource.start_at`) landed on the frame
  a read from the start gives.
- Workers take the parts in order as they come free (a 1-minute clip has 6 parts);
  each loads its model once and resets it for every part.
- Workers send landmarks back, never frames: per frame the 33 points in pixels,
  the model's visibility, the world points, and the values of the mask measures
  the exercise reads (back curvature; the mask itself stays in the worker, as
  landmarks files keep only those values). Mask measures are therefore computed
  on the raw pose, as ``score`` computes them, not on the smoothed one.

Two ways to consume the poses: :meth:`ParallelPoses.source` is a source of poses
(no frame decoded in the main process: ``analyze --no-video --no-report``);
:meth:`ParallelPoses.estimate` is an estimator for a loop that decodes the frames
itself because a sink draws them (the annotated video, the report's pictures).

Only sources that can seek exactly (video files OpenCV opens) are split; GIFs,
image folders and files only PyAV reads are one tracking run in one process. Live is
unaffected. Ctrl-C: workers ignore SIGINT; the main process stops them when the loop closes
the pose stream.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import queue
import signal
import sys
import time
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from posecheck.errors import InputError
from posecheck.pose import NUM_LANDMARKS, Frame, MediaInfo, Pose

log = logging.getLogger(__name__)

# Long recordings are tracked in parts of at least this many seconds on a grid fixed by
# the recording (frame count and fps), so one process and N give the same poses.
# 10 s: a 1-minute clip has 6 parts (3+3 for 2 workers, 2+2+2 for 3), and a part's
# warm-up (DEFAULT_OVERLAP_S) adds 1 model frame in 10 or fewer (bench/README.md).
DEFAULT_PART_S = 10.0
# At most this many parts: every part costs a warm-up (1 s in 10 at the shortest), so a
# longer recording gets longer parts (30 min: 16 parts of 112.5 s, 1 model frame in 113
# more), still enough to share among 2, 4, 8 or 16 workers or Ray units.
MAX_PARTS = 16
DEFAULT_OVERLAP_S = 1.0  # warm-up before each part's first kept frame
# A worker sends a part's poses in pieces of this many seconds of video, so the main
# process judges, draws and encodes them while the workers go on (not after).
SEND_S = 1.0


def default_workers() -> int:
    """The cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class Chunk:
    """One part of the grid: frames ``[warm_start, end)`` are estimated, ``[start, end)`` kept.

    ``end`` None: to the end of the video (the last part; a container's frame count can
    be an estimate).
    """

    number: int
    warm_start: int
    start: int
    end: int | None


def plan_parts(
    frame_count: int,
    fps: float,
    part_s: float = DEFAULT_PART_S,
    overlap_s: float = DEFAULT_OVERLAP_S,
) -> list[Chunk]:
    """The grid a recording is tracked on: equal parts of at least ``part_s`` seconds,
    at most :data:`MAX_PARTS` of them (a long recording's parts are longer).

    The grid depends on the frame count and fps only, never on the workers, so every
    part is tracked from a fresh start (warmed up on the ``overlap_s`` before it) whether
    one process runs all parts or several share them: the poses are the same. A
    recording shorter than two parts is one part (one tracking run).
    """
    whole = [Chunk(0, 0, 0, None)]
    if frame_count <= 0 or fps <= 0:
        return whole
    n = min(frame_count // max(1, round(part_s * fps)), MAX_PARTS)
    if n <= 1:
        return whole
    overlap = max(0, round(overlap_s * fps))
    bounds = [round(k * frame_count / n) for k in range(n + 1)]
    return [
        Chunk(k, max(0, bounds[k] - overlap), bounds[k], bounds[k + 1] if k < n - 1 else None)
        for k in range(n)
    ]


@dataclass
class ChunkPoses:
    """What a worker sends back for one chunk: arrays of landmarks, never frames."""

    chunk: Chunk
    image_size: tuple[int, int]
    index: np.ndarray  # (n,) int64 frame index
    t_s: np.ndarray  # (n,) float64
    present: np.ndarray  # (n,) bool
    xy: np.ndarray  # (n, 33, 2) float64 pixels
    visibility: np.ndarray  # (n, 33) float64, the model's own (before hiding off-frame points)
    world: np.ndarray  # (n, 33, 3) float64 metres, NaN where absent
    extras: dict[str, np.ndarray]  # mask measure -> (n,) float64, NaN where unknown
    warm_index: np.ndarray  # (k,) int64 the warm-up frames (dropped)
    warm_t_s: np.ndarray  # (k,) float64
    warnings: list[str] = field(default_factory=list)
    # the video ended before its header's frame count while this chunk read it: told
    # once for the recording by :func:`stitch`, with the frames read in all (a chunk's
    # own count starts at its seek)
    truncated: bool = False
    part: int = 0  # 0, 1, ...: a chunk's poses arrive in parts while its worker runs
    last: bool = True  # the chunk's final part (it carries the cost figures below)
    pid: int = 0
    cpu_s: float = 0.0
    wall_s: float = 0.0
    peak_rss_mb: float = 0.0

    def __len__(self) -> int:
        return int(self.index.shape[0])

    def pose(self, i: int) -> Pose | None:
        """Row ``i`` as the estimator made it (``None`` where nobody was found)."""
        if not self.present[i]:
            return None
        world = self.world[i]
        extras = {k: float(v[i]) for k, v in self.extras.items() if math.isfinite(v[i])}
        return Pose(
            xy=self.xy[i],
            visibility=self.visibility[i],
            image_size=self.image_size,
            world=world if np.isfinite(world).all() else None,
            extras=extras or None,
        ).hide_off_frame()


# A worker process's queue for the pieces of its parts (set by _init_worker).
_PARTS: Any = None
# A worker process's models, by estimator options: loaded once, reset for every part.
_MODELS: dict[tuple, Any] = {}


def _init_worker(parts: Any = None) -> None:
    """Pool initializer: the worker's signals (:func:`worker_signals`) and keep the queue
    the chunks' parts go to (a queue can only reach a spawned process at its start)."""
    global _PARTS
    _PARTS = parts
    worker_signals()


def worker_signals() -> None:
    """A worker process of a pool (here and ``score``'s): Ctrl-C ignored, and killed
    with the process that started it."""
    # Ctrl-C reaches the whole process group: the main process decides what stops.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A main process killed outright (SIGTERM/SIGKILL) cannot stop its workers: on Linux
    # the kernel does (they were seen idling on as orphans otherwise).
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def model_for(options: Any, models: dict[tuple, Any]) -> Any:
    """The :class:`~posecheck.estimator.MediaPipeEstimator` for ``options`` in ``models``
    (made on first use): a process loads the model once and resets it for each part."""
    from posecheck.estimator import EstimatorOptions, MediaPipeEstimator

    options = options or EstimatorOptions()
    key = tuple(sorted(options.to_dict().items()))
    if key not in models:
        models[key] = MediaPipeEstimator(options)
    return models[key]


def _estimate_part(
    path: str, chunk: Chunk, options: Any, mask_names: Sequence[str], min_visibility: float,
    part_frames: int,
) -> ChunkPoses:  # fmt: skip
    """:func:`estimate_chunk` in a pool worker, with the worker's one model."""
    model = model_for(options, _MODELS)
    return estimate_chunk(path, chunk, options, mask_names, min_visibility, model, part_frames)


def _peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def estimate_chunk(
    path: str,
    chunk: Chunk,
    options: Any = None,
    mask_names: Sequence[str] = (),
    min_visibility: float = 0.5,
    estimator: Any = None,
    part_frames: int = 0,
) -> ChunkPoses:
    """Run the model over one chunk of ``path`` (in a worker process) and return its poses.

    ``part_frames`` > 0 (in a pool worker with a parts queue): every ``part_frames``
    kept frames are sent ahead as a part (``last=False``) on the queue, so the main
    process judges and draws the chunk while its worker is still on it; the return
    value is then the final part.

    ``options``: :class:`posecheck.estimator.EstimatorOptions`. ``mask_names``: mask
    measures to compute here, where the mask is (their values travel, the mask does not).
    ``estimator``: a :class:`~posecheck.estimator.MediaPipeEstimator` to reuse (it is
    reset first and left open), else one is made for the chunk and closed after it.
    """
    from posecheck.estimator import MediaPipeEstimator
    from posecheck.sources import open_source

    wall0, cpu0 = time.perf_counter(), time.process_time()
    source = open_source(path)
    rows: list[tuple[int, float, Pose | None, dict[str, float]]] = []
    warm: list[tuple[int, float]] = []
    names = sorted(mask_names)
    size = (0, 0)
    part = 0
    send = _PARTS if part_frames > 0 else None
    try:
        if chunk.warm_start > 0:
            if not getattr(source, "seekable", False):
                raise InputError(f"{path}: cannot seek in this file, so it cannot be tracked "
                                 "in parts", "track it in one run: --part longer than the "
                                 "video")  # fmt: skip
            source.start_at(chunk.warm_start)
        if estimator is not None:
            estimator.reset()
        est = estimator or MediaPipeEstimator(options)
        size = (source.info.width, source.info.height)
        try:
            for frame in source.frames():
                if chunk.end is not None and frame.index >= chunk.end:
                    break
                pose = est.estimate(frame)
                if frame.index < chunk.start:
                    warm.append((frame.index, frame.t_s))
                    continue
                rows.append(_kept_row(frame, pose, names, min_visibility))
                # a piece is sent once a frame follows it, so the final piece (the return
                # value, with the cost figures) is never empty: a loop that stops at
                # the last frame still reads it
                if send is not None and len(rows) > part_frames:
                    ahead = _pack(chunk, size, rows[:-1], warm, names)
                    ahead.part, ahead.last = part, False
                    send.put(ahead)
                    part, rows, warm = part + 1, rows[-1:], []
        finally:
            if estimator is None:
                est.close()
        # the source's own "ends early" counts from the seek: stitch tells it once
        truncated = bool(getattr(source, "truncated", False))
        own = getattr(source, "truncation_note", None)
        warnings = [w for w in getattr(source, "warnings", ()) or () if w != own]
    finally:
        source.close()
    out = _pack(chunk, size, rows, warm, names)
    out.part = part
    out.warnings = warnings
    out.truncated = truncated
    out.pid = os.getpid()
    out.cpu_s = time.process_time() - cpu0
    out.wall_s = time.perf_counter() - wall0
    out.peak_rss_mb = _peak_rss_mb()
    return out


def _kept_row(
    frame: Frame, pose: Pose | None, names: Sequence[str], min_visibility: float
) -> tuple[int, float, Pose | None, dict[str, float]]:
    """A kept frame's row: its mask measures taken here, where the mask is (their values
    travel, the mask does not), then the mask dropped."""
    from posecheck.angles import compute_measures

    extras = compute_measures(pose, names, min_visibility) if names and pose else {}
    if pose is not None:
        pose.mask = None  # measured: a part's masks would fill the memory
    return (frame.index, frame.t_s, pose, extras)


def _pack(
    chunk: Chunk,
    image_size: tuple[int, int],
    rows: list[tuple[int, float, Pose | None, dict[str, float]]],
    warm: list[tuple[int, float]],
    names: Sequence[str],
) -> ChunkPoses:
    n = len(rows)
    xy = np.full((n, NUM_LANDMARKS, 2), np.nan)
    vis = np.zeros((n, NUM_LANDMARKS))
    world = np.full((n, NUM_LANDMARKS, 3), np.nan)
    present = np.zeros(n, bool)
    extras = {name: np.full(n, np.nan) for name in names}
    for i, (_, _, pose, ex) in enumerate(rows):
        if pose is None:
            continue
        present[i] = True
        xy[i] = pose.xy
        vis[i] = pose.visibility if pose.raw_visibility is None else pose.raw_visibility
        if pose.world is not None:
            world[i] = pose.world
        for name, v in ex.items():
            if name in extras:
                extras[name][i] = v
    return ChunkPoses(
        chunk, image_size,
        np.array([r[0] for r in rows], np.int64), np.array([r[1] for r in rows], np.float64),
        present, xy, vis, world, extras,
        np.array([w[0] for w in warm], np.int64), np.array([w[1] for w in warm], np.float64),
    )  # fmt: skip


@dataclass
class WorkerStats:
    """One part's cost in the process that estimated it."""

    chunk: int
    pid: int
    frames: int  # kept
    cpu_s: float
    wall_s: float
    peak_rss_mb: float
    warm_frames: int = 0  # estimated for the warm-up and dropped


def stitch(
    path: str,
    results: Iterable[ChunkPoses],
    stats: list[WorkerStats] | None = None,
    warnings: list[str] | None = None,
    frame_count: int = 0,
) -> Iterator[tuple[int, float, Pose | None]]:
    """(frame index, t_s, pose) of a recording's chunk results, given in chunk order.

    Each chunk's warm-up frames must be the previous chunk's last frames at the same
    times (else :class:`InputError`: the seek did not land where a read from the
    start does). ``stats`` and ``warnings`` collect each chunk's cost and warnings; a
    video that ended early (``frame_count``: its header's) is told once, with the frames
    read in all.
    """
    tail: tuple[np.ndarray, np.ndarray] | None = None  # the previous chunk's frames
    frames = warm = 0  # of the current part, over its pieces
    read, truncated = 0, False  # the frames yielded; whether a chunk found the end early
    for res in results:
        truncated = truncated or res.truncated
        if res.part == 0:
            _check_seam(path, res, tail)
            frames = warm = 0
        elif len(res) and tail is not None and int(res.index[0]) != int(tail[0][-1]) + 1:
            raise RuntimeError(f"chunk {res.chunk.number} part {res.part} arrived out of order")
        frames, warm = frames + len(res), warm + int(res.warm_index.size)
        if res.last and stats is not None:
            stats.append(WorkerStats(res.chunk.number, res.pid, frames, res.cpu_s,
                                     res.wall_s, res.peak_rss_mb, warm))  # fmt: skip
        if warnings is not None:
            warnings.extend(w for w in res.warnings if w not in warnings)
        if len(res):
            # a seam is checked against the whole previous chunk's frames: keep them all
            tail = (
                (res.index, res.t_s)
                if res.part == 0 or tail is None
                else (np.concatenate([tail[0], res.index]), np.concatenate([tail[1], res.t_s]))
            )
        for i in range(len(res)):
            yield int(res.index[i]), float(res.t_s[i]), res.pose(i)
        read += len(res)
    if truncated and warnings is not None:
        from posecheck.sources import truncation_warning

        note = truncation_warning(path, read, frame_count or read)
        if note not in warnings:
            warnings.append(note)


def _check_seam(path: str, res: ChunkPoses, tail: tuple[np.ndarray, np.ndarray] | None) -> None:
    if tail is None or (len(res) == 0 and res.warm_index.size == 0):
        return  # the first chunk, or one past a video shorter than announced
    index, t_s = tail
    ok = True
    # a warm-up longer than the previous part reaches into the parts before it: its
    # frames from the previous part's first on are checked
    mine = res.warm_index >= index[0] if index.size else np.zeros(0, bool)
    if mine.any():
        warm, warm_t = res.warm_index[mine], res.warm_t_s[mine]
        where = np.minimum(np.searchsorted(index, warm), index.size - 1)
        ok = np.array_equal(index[where], warm) and np.array_equal(t_s[where], warm_t)
    if len(res) and ok:
        ok = int(res.index[0]) == int(index[-1]) + 1
    if not ok:
        raise InputError(
            f"{path}: frames read after seeking to frame {res.chunk.warm_start} do "
            "not match the frames read from the start, so it cannot be tracked in parts",
            "track it in one run: --part longer than the video",
        )


class ParallelPoses:
    """The poses of a video estimated part by part on its grid (:func:`plan_parts`), in order.

    ``workers`` > 1: worker processes share the parts; 1: this process runs them one
    after the other with one model, reset for each part. Both give the same poses.
    Use :meth:`source` (poses only) or pass the object as the estimator of a loop
    over the video's frames (:meth:`estimate`). :meth:`close` stops the workers.
    """

    def __init__(
        self,
        path: str,
        info: MediaInfo,
        chunks: Sequence[Chunk],
        options: Any = None,
        workers: int | None = None,
        mask_names: Sequence[str] = (),
        min_visibility: float = 0.5,
    ) -> None:
        from posecheck.estimator import EstimatorOptions

        self.path = path
        self.info = info
        self.chunks = list(chunks)
        self.options = options or EstimatorOptions()  # recorded by the landmarks sink
        self.workers = max(1, min(workers or default_workers(), len(self.chunks)))
        self._args = (self.options, tuple(mask_names), float(min_visibility))
        self.stats: list[WorkerStats] = []
        self.warnings: list[str] = []
        self._pool: ProcessPoolExecutor | None = None
        self._models: dict[tuple, Any] = {}  # this process's model (one worker)
        self._stream: Iterator[tuple[int, float, Pose | None]] | None = None
        self._ahead: tuple[int, float, Pose | None] | None = None
        self._inline: InlineParts | None = None

    # -- the stream of poses -------------------------------------------------------------

    def poses(self) -> Iterator[tuple[int, float, Pose | None]]:
        """(frame index, t_s, pose or None) for every frame, in order."""
        results = self._here() if self.workers == 1 else self._pooled()
        try:
            yield from stitch(
                self.path, results, self.stats, self.warnings, self.info.frame_count or 0
            )
        finally:
            self.close()

    def _here(self) -> Iterator[ChunkPoses]:
        """The parts estimated in this process, one after the other."""
        model = model_for(self.options, self._models)
        for c in self.chunks:
            yield estimate_chunk(self.path, c, *self._args, model)

    def _pooled(self) -> Iterator[ChunkPoses]:
        """The parts estimated by worker processes, in order (pieces as they arrive)."""
        import multiprocessing as mp

        # spawn: each worker starts clean with its own MediaPipe graph (fork and
        # MediaPipe's threads do not mix)
        ctx = mp.get_context("spawn")
        parts = ctx.Queue()
        self._pool = pool = ProcessPoolExecutor(
            self.workers, mp_context=ctx, initializer=_init_worker, initargs=(parts,)
        )
        todo = deque(self.chunks)
        running: deque[tuple[int, Future[ChunkPoses]]] = deque()
        early: dict[int, deque[ChunkPoses]] = {}  # pieces not yet yielded, by part number
        part_frames = max(1, round(SEND_S * (self.info.fps or 30.0)))

        def receive(timeout: float) -> None:
            with contextlib.suppress(queue.Empty):
                p = parts.get(timeout=timeout)
                early.setdefault(p.chunk.number, deque()).append(p)

        def chunk_parts(number: int, done: Future[ChunkPoses]) -> Iterator[ChunkPoses]:
            """Part ``number``'s pieces in order as its worker sends them, then its last."""
            sent = 0
            while not done.done():
                if early.get(number):
                    sent += 1
                    yield early[number].popleft()
                else:
                    receive(0.1)
            try:
                last = done.result()
            except BrokenProcessPool:
                raise RuntimeError("a pose worker process died (out of memory?)") from None
            waited = 0.0
            while sent < last.part:  # pieces put before the worker returned, still in transit
                if early.get(number):
                    sent += 1
                    yield early[number].popleft()
                elif waited > 60.0:
                    raise RuntimeError(f"part {number}: a piece of its poses never arrived")
                else:
                    receive(0.5)
                    waited += 0.5
            early.pop(number, None)
            yield last

        while todo or running:
            # at most one part queued beyond the busy workers: poses in memory stay bounded
            while todo and len(running) < self.workers + 1:
                c = todo.popleft()
                running.append((c.number, pool.submit(
                    _estimate_part, self.path, c, *self._args, part_frames)))  # fmt: skip
            yield from chunk_parts(*running.popleft())

    def source(self) -> PoseStream:
        """A source of poses for :func:`posecheck.pipeline.run` (no frames decoded here)."""
        return PoseStream(self)

    # -- as an estimator -----------------------------------------------------------------

    def estimate(self, frame: Frame) -> Pose | None:
        """The pose of ``frame``, taken from the stream (frames must come in order).

        With one worker the model runs here on the loop's own frames, part by part as
        the workers would (:class:`InlineParts`), so the video is decoded once."""
        if self.workers == 1:
            if self._inline is None:
                model = model_for(self.options, self._models)
                size = (self.info.width, self.info.height)
                self._inline = InlineParts(self.chunks, model, size, *self._args[1:], self.stats)
            return self._inline.estimate(frame)
        if self._stream is None:
            self._stream = self.poses()
        ahead = self._ahead
        while ahead is None or ahead[0] < frame.index:
            ahead = next(self._stream, None)
            if ahead is None:
                return None  # the main reader saw more frames than the workers
        self._ahead = ahead
        return ahead[2] if ahead[0] == frame.index else None

    def close(self) -> None:
        """Stop the workers now (running parts are abandoned); close this process's model."""
        for model in self._models.values():
            model.close()
        self._models.clear()
        pool, self._pool = self._pool, None
        if pool is None:
            return
        # Killed rather than waited for: after Ctrl-C or an error nobody needs the rest.
        procs = list((getattr(pool, "_processes", None) or {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for p in procs:
            if p.is_alive():
                p.terminate()
        for p in procs:
            p.join(timeout=5.0)

    def describe(self) -> str:
        """One line: processes, parts, the warm-up's share and each process's peak memory."""
        peaks: dict[int, float] = {}
        for s in self.stats:
            peaks[s.pid] = max(peaks.get(s.pid, 0.0), s.peak_rss_mb)
        cpu = sum(s.cpu_s for s in self.stats)
        kept = sum(s.frames for s in self.stats)
        warm = sum(s.warm_frames for s in self.stats)
        where = "worker processes" if self.workers > 1 else "process (this one)"
        return (
            f"pose model: {len(peaks)} {where}, {len(self.chunks)} parts, "
            f"{kept + warm} frames estimated for {kept} kept, {cpu:.1f} s of CPU; "
            "peak memory a process: " + ", ".join(f"{v:.0f}" for v in peaks.values()) + " MB"
        )


class InlineParts:
    """One process's model over a loop's frames, tracked part by part on the grid.

    What :func:`estimate_chunk` does for each part, without decoding the video again:
    at a part's first frame the model is reset and warmed up on the part's warm-up
    frames (the previous part's last ones, copied as they passed), and each pose takes
    the same round trip as a worker's (:func:`_pack`), so the poses are the ones
    ``--workers N`` gives. Frames must come in order.
    """

    def __init__(
        self,
        chunks: Sequence[Chunk],
        model: Any,
        image_size: tuple[int, int],
        mask_names: Sequence[str] = (),
        min_visibility: float = 0.5,
        stats: list[WorkerStats] | None = None,
    ) -> None:
        self.chunks = list(chunks)
        self.model = model
        self.size = image_size
        self.names = sorted(mask_names)
        self.min_visibility = min_visibility
        self.stats = stats if stats is not None else []
        self._part = -1
        self._warm: list[Frame] = []  # copies of the next part's warm-up frames
        self._cpu0 = 0.0

    def _chunk_of(self, index: int) -> Chunk:
        for c in reversed(self.chunks):
            if index >= c.start:
                return c
        return self.chunks[0]

    def estimate(self, frame: Frame) -> Pose | None:
        c = self._chunk_of(frame.index)
        if c.number != self._part:
            self.model.reset()
            warm = [f for f in self._warm if c.warm_start <= f.index < c.start]
            for f in warm:
                self.model.estimate(f)  # tracking settles; the poses are dropped
            self._part, self._warm, self._cpu0 = c.number, [], time.process_time()
            self.stats.append(WorkerStats(c.number, os.getpid(), 0, 0.0, 0.0, 0.0, len(warm)))
        nxt = self.chunks[c.number + 1] if c.number + 1 < len(self.chunks) else None
        if nxt is not None and frame.image is not None and frame.index >= nxt.warm_start:
            # copied before the overlay draws on the frame
            self._warm.append(Frame(frame.index, frame.t_s, frame.image.copy()))
        row = _kept_row(frame, self.model.estimate(frame), self.names, self.min_visibility)
        st = self.stats[-1]
        st.frames, st.cpu_s = st.frames + 1, time.process_time() - self._cpu0
        st.peak_rss_mb = _peak_rss_mb()
        return _pack(c, self.size, [row], [], self.names).pose(0)


class PoseStream:
    """A source with ``poses()`` instead of ``frames()`` (see :mod:`posecheck.landmarks_io`)."""

    live = False

    def __init__(self, parallel: ParallelPoses) -> None:
        self.parallel = parallel
        self.info = parallel.info
        self.truncated = False
        self.frames_read = 0
        self.frames_dropped = 0

    @property
    def warnings(self) -> list[str]:
        return self.parallel.warnings

    def poses(self) -> Iterator[tuple[int, float, Pose | None]]:
        for item in self.parallel.poses():
            self.frames_read += 1
            yield item

    def close(self) -> None:
        self.parallel.close()


def for_source(
    source: Any,
    workers: int | None,
    options: Any = None,
    mask_names: Sequence[str] = (),
    min_visibility: float = 0.5,
    part_s: float = DEFAULT_PART_S,
    overlap_s: float = DEFAULT_OVERLAP_S,
) -> ParallelPoses | None:
    """Estimation in grid parts for ``source``, or None when it is one tracking run (a
    recording shorter than two parts, a source that cannot seek, a camera).

    ``workers``: processes (None or 0: the cores; 1: the parts run in this process).
    """
    info: MediaInfo = source.info
    if not getattr(source, "seekable", False) or getattr(source, "live", False):
        return None
    chunks = plan_parts(info.frame_count, info.fps, part_s, overlap_s)
    if len(chunks) <= 1:
        return None
    n = workers or default_workers()
    return ParallelPoses(info.path, info, chunks, options, n, mask_names, min_visibility)

"""Archives on Ray: ``posecheck score ARCHIVE --ray [ADDRESS]`` (extra ``posecheck[ray]``).

The work is cut into units of (recording, frame range) (:func:`plan_units`): a
recording is tracked in the parts of the grid :func:`posecheck.parallel.plan_parts`
lays on it, as ``score --jobs`` and ``analyze`` track it, and a unit is a run of
whole parts of at most ``unit_s`` seconds (at least one part), so the poses are the
ones ``--jobs`` gets. One :class:`PoseActor` per CPU of the cluster holds one
MediaPipe model for its lifetime (it is reset for every part, which gives the poses
a fresh model would) and runs units as they come; it reads the video itself and
sends back landmarks, never frames (~1.6 kB a frame).

The driver (where ``score`` runs) gathers each recording's units in order,
stitches them, writes the landmarks file and scores it with the same code
``score --jobs`` runs (:func:`posecheck.commands.score.score_one`), so the rows, the
CSV and the JSON are the same, in input order. Landmarks files and inputs that are
not readable videos are scored (or reported) in the driver: they need no model.

Faults:

- a worker process killed mid-run: its actor is restarted by Ray and the driver
  sends the unit again; a unit's result is stored once, keyed by (recording,
  unit), so nothing is lost or counted twice; the number of retries is logged;
- Ctrl-C: the job's tasks are cancelled and its actors killed; the rows of the
  recordings that finished are returned with :class:`Interrupted`;
- an address nothing answers on: one line (checked with a plain TCP connection
  first, since ``ray.init`` keeps retrying for minutes).

Every machine of the cluster needs posecheck installed (``pip install
"posecheck[ray]"``) and the recordings at the same path (a shared file system).
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from posecheck.errors import InputError, PosecheckError
from posecheck.parallel import (
    DEFAULT_PART_S,
    Chunk,
    ChunkPoses,
    estimate_chunk,
    model_for,
    plan_parts,
    stitch,
)

log = logging.getLogger(__name__)

DEFAULT_UNIT_S = 600.0  # a unit: at most 10 min of a recording (whole grid parts)
MAX_ATTEMPTS = 3  # a unit whose worker dies this many times is reported in its row
RESTART_CHECKS = 120  # ~60 s for Ray to restart a lost worker before going on without it


class Interrupted(KeyboardInterrupt):
    """Ctrl-C during a Ray run; ``rows`` holds the rows of the recordings that finished."""

    def __init__(self, rows: dict[int, dict[str, Any]]) -> None:
        super().__init__()
        self.rows = rows


@dataclass(frozen=True)
class Unit:
    """One work unit: grid parts of one recording (``recording``: its place in the inputs;
    ``number``: the unit's place in the recording)."""

    recording: int
    path: str
    number: int
    parts: tuple[Chunk, ...]
    attempt: int = 1


def plan_units(
    recordings: Sequence[tuple[int, str, Any]],
    unit_s: float = DEFAULT_UNIT_S,
    part_s: float = DEFAULT_PART_S,
) -> list[Unit]:
    """Units for ``(input number, path, source)``: runs of whole grid parts (of at least
    ``part_s`` seconds) of at most ``unit_s`` seconds (at least one part); a source that
    cannot seek is one part."""
    units: list[Unit] = []
    for number, path, source in recordings:
        info = source.info
        parts = [Chunk(0, 0, 0, None)]
        if getattr(source, "seekable", False) and info.kind != "gif":
            parts = plan_parts(info.frame_count, info.fps, part_s)
        most = max(1, round(unit_s * info.fps)) if info.fps > 0 else 1
        runs: list[list[Chunk]] = [[]]
        for part in parts:
            end = info.frame_count if part.end is None else part.end
            if runs[-1] and end - runs[-1][0].start > most:
                runs.append([])
            runs[-1].append(part)
        units.extend(Unit(number, path, k, tuple(run)) for k, run in enumerate(runs))
    return units


class PoseActor:
    """A Ray actor (made with ``ray.remote`` at run time): one model, many units."""

    def __init__(self) -> None:
        self._models: dict[tuple, Any] = {}  # estimator options -> MediaPipeEstimator

    def pid(self) -> int:
        return os.getpid()

    def run(
        self, path: str, parts: Sequence[Chunk], options: Any, mask_names: Sequence[str]
    ) -> list[ChunkPoses]:
        """The unit's parts, each from a fresh start of the one model (reset)."""
        model = model_for(options, self._models)
        return [estimate_chunk(path, c, options, mask_names, 0.5, estimator=model) for c in parts]


def _import_ray() -> Any:
    try:
        import ray
    except ImportError:
        raise InputError(
            "--ray needs Ray, which is not installed", 'pip install "posecheck[ray]"'
        ) from None
    return ray


def check_reachable(address: str, timeout_s: float = 5.0) -> None:
    """Raise :class:`InputError` when nothing accepts a connection at ``address``."""
    if address in ("auto", "local"):
        return
    hostport = address.split("://", 1)[-1]
    host, _, port = hostport.rpartition(":")
    if not host or not port.isdigit():
        raise InputError(f"--ray {address}: not a cluster address", "use HOST:PORT")
    try:
        with socket.create_connection((host, int(port)), timeout=timeout_s):
            pass
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise InputError(
            f"--ray {address}: no Ray cluster answers there ({reason})",
            "start one with 'ray start --head' or check the address and the firewall",
        ) from None


def connect(address: str | None) -> Any:
    """``ray.init`` for ``address`` (None: RAY_ADDRESS, else a local cluster on this machine)."""
    ray = _import_ray()
    if address:
        check_reachable(address)
    try:
        ray.init(address=address, logging_level=logging.ERROR, log_to_driver=False,
                 configure_logging=False)  # fmt: skip
    except (ConnectionError, RuntimeError, ValueError) as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise InputError(f"--ray {address or 'local'}: cannot connect: {first}") from None
    return ray


def score_on_ray(
    paths: Sequence[str],
    opts: dict[str, Any],
    address: str | None,
    unit_s: float = DEFAULT_UNIT_S,
    note: Callable[[int], None] | None = None,
) -> list[dict[str, Any]]:
    """The rows ``score`` prints for ``paths``, the model running on a Ray cluster."""
    ray = connect(address)
    try:
        return _Job(ray, list(paths), opts, unit_s, note).run()
    finally:
        ray.shutdown()


class _Job:
    def __init__(self, ray: Any, paths: list[str], opts: dict[str, Any], unit_s: float,
                 note: Callable[[int], None] | None) -> None:  # fmt: skip
        self.ray, self.paths, self.opts, self.unit_s = ray, paths, opts, unit_s
        self.note = note or (lambda done: None)
        self.rows: dict[int, dict[str, Any]] = {}
        self.retries = 0

    def run(self) -> list[dict[str, Any]]:
        from posecheck.commands.score import score_one

        videos = self._videos()
        for i, p in enumerate(self.paths):
            if i not in videos:  # landmarks files and unreadable inputs: no model needed
                self.rows[i] = score_one(p, self.opts)
                self.note(len(self.rows))
        try:
            if videos:
                self._run_units(videos)
        except KeyboardInterrupt:
            raise Interrupted(dict(self.rows)) from None
        if self.retries:
            log.warning("ray: %d unit(s) sent again after their worker was lost", self.retries)
        return [self.rows[i] for i in range(len(self.paths))]

    def _videos(self) -> dict[int, Any]:
        """Inputs to run on the cluster: videos the driver can open (their headers)."""
        from posecheck import LANDMARKS_SUFFIX
        from posecheck.sources import open_source

        out = {}
        for i, p in enumerate(self.paths):
            if p.endswith(LANDMARKS_SUFFIX) or not Path(p).is_file():
                continue
            try:
                src = open_source(p)
            except PosecheckError:
                continue  # score_one reports it as --jobs does
            # what planning needs; the file is closed again (an archive has many)
            if src.info.kind in ("video", "gif"):
                out[i] = _Header(src.info, bool(getattr(src, "seekable", False)))
            src.close()
        return out

    def _model_args(self) -> tuple[Any, list[str]]:
        from posecheck.angles import EXTRA_MEASURES
        from posecheck.commands._offline import mask_measures
        from posecheck.commands.score import _library
        from posecheck.estimator import EstimatorOptions

        # as score_one's estimate_to_landmarks: the masks every candidate exercise reads
        library = _library(tuple(self.opts.get("poses_dir") or ()))
        name = self.opts["exercise"]
        names = sorted(mask_measures(list(library) if name == "auto" else [library.get(name)]))
        seg = any(getattr(EXTRA_MEASURES.get(n), "needs_mask", True) for n in names)
        opts = EstimatorOptions(model_complexity=self.opts["model_complexity"], segmentation=seg)
        return opts, names

    def _run_units(self, videos: dict[int, Any]) -> None:
        ray = self.ray
        options, masks = self._model_args()
        part_s = self.opts.get("part_s") or DEFAULT_PART_S
        units = deque(plan_units([(i, self.paths[i], s) for i, s in videos.items()],
                                 self.unit_s, part_s))  # fmt: skip
        expected = {i: 0 for i in videos}
        for u in units:
            expected[u.recording] += 1
        got: dict[int, dict[int, list[ChunkPoses]]] = {i: {} for i in videos}
        cpus = max(1, int(ray.cluster_resources().get("CPU", 1)))
        actor_cls = ray.remote(num_cpus=1, max_restarts=-1, max_task_retries=0)(PoseActor)
        actors = [actor_cls.remote() for _ in range(min(cpus, len(units)))]
        pids = ray.get([a.pid.remote() for a in actors])
        log.info("ray: %d workers (pids %s), %d units", len(actors), pids, len(units))
        idle = deque(actors)
        # a unit on its actor, or (None, actor): asking an actor that lost its process
        # whether Ray has restarted it, before it gets work again
        running: dict[Any, tuple[Unit | None, Any]] = {}
        asked: dict[Any, int] = {}
        try:
            while units or running:
                while units and idle:
                    u, a = units.popleft(), idle.popleft()
                    ref = a.run.remote(u.path, u.parts, options, masks)
                    running[ref] = (u, a)
                    log.info("ray: unit %s frames %d-%s sent (attempt %d)", u.path,
                             u.parts[0].start, u.parts[-1].end or "end", u.attempt)  # fmt: skip
                if not running:  # every worker is gone for good
                    for u in units:
                        self._error(u.recording, "no Ray worker left to run it")
                    break
                done, _ = ray.wait(list(running), num_returns=1)
                for ref in done:
                    job, a = running.pop(ref)
                    if job is None:
                        self._back(ref, a, asked, running, idle)
                        continue
                    u = job
                    res, lost = self._result(ref, u, units)
                    if lost:
                        asked[a] = 0
                        running[a.pid.remote()] = (None, a)
                    else:
                        idle.append(a)
                    if res is None or u.recording in self.rows:
                        continue
                    # keyed by unit: a unit that ran twice is kept once
                    got[u.recording][u.number] = res
                    if len(got[u.recording]) == expected[u.recording]:
                        self._finish(u.recording, got.pop(u.recording), videos, options)
        except BaseException:
            for ref in running:
                with contextlib.suppress(Exception):  # best effort: the actors go next
                    ray.cancel(ref)
            raise
        finally:
            for a in actors:  # kills the running units too
                with contextlib.suppress(Exception):
                    ray.kill(a)

    def _back(self, ref: Any, actor: Any, asked: dict[Any, int], running: dict,
              idle: deque) -> None:  # fmt: skip
        """An actor that lost its process answered (restarted: it works again) or not."""
        from ray.exceptions import RayActorError

        try:
            pid = self.ray.get(ref)
        except RayActorError:
            asked[actor] += 1
            if asked[actor] >= RESTART_CHECKS:
                log.warning("ray: a worker did not come back; going on without it")
                return
            time.sleep(0.5)  # Ray is restarting it
            running[actor.pid.remote()] = (None, actor)
            return
        log.info("ray: worker back (pid %d)", pid)
        idle.append(actor)

    def _result(
        self, ref: Any, unit: Unit, units: deque[Unit]
    ) -> tuple[list[ChunkPoses] | None, bool]:
        """The poses of the unit's parts (None if it failed), and whether its worker
        process was lost."""
        from ray.exceptions import RayActorError, RayTaskError, WorkerCrashedError

        try:
            return self.ray.get(ref), False
        except (RayActorError, WorkerCrashedError) as exc:
            self.retries += 1
            if unit.attempt >= MAX_ATTEMPTS:
                self._error(unit.recording, f"its worker died {unit.attempt} times: {exc}")
            else:
                log.warning("ray: worker lost during %s; sending the unit again", unit.path)
                units.appendleft(replace(unit, attempt=unit.attempt + 1))
            return None, True
        except RayTaskError as exc:  # the unit itself failed (e.g. the file changed)
            cause = exc.cause
            msg = cause.one_line() if isinstance(cause, PosecheckError) else str(cause or exc)
            self._error(unit.recording, msg)
        return None, False

    def _error(self, i: int, message: str) -> None:
        from posecheck.commands.score import COLUMNS

        if i not in self.rows:
            self.rows[i] = {**{c: None for c in COLUMNS}, "file": self.paths[i], "error": message}
            self.note(len(self.rows))

    def _finish(self, i: int, results: dict[int, list[ChunkPoses]], videos: dict[int, Any],
                options: Any) -> None:  # fmt: skip
        """Stitch a recording's units into its landmarks file and score it here."""
        from posecheck.commands.score import score_one

        parts = [p for k in sorted(results) for p in results[k]]
        poses = _GatheredPoses(self.paths[i], videos[i].info, options, parts)
        self.rows[i] = score_one(self.paths[i], self.opts, poses=poses)
        log.info("ray: scored %s", self.paths[i])
        self.note(len(self.rows))


@dataclass(frozen=True)
class _Header:
    """What the driver keeps of a video it opened: its info and whether it can seek."""

    info: Any
    seekable: bool


class _GatheredPoses:
    """A recording's stitched unit results, in the shape ``estimate_to_landmarks`` takes."""

    def __init__(self, path: str, info: Any, options: Any, results: list[ChunkPoses]) -> None:
        self.path, self.info, self.options, self.results = path, info, options, results
        self.warnings: list[str] = []

    def source(self) -> Any:
        from posecheck.parallel import PoseStream

        return PoseStream(self)  # type: ignore[arg-type]

    def poses(self) -> Any:
        return stitch(self.path, self.results, None, self.warnings, self.info.frame_count or 0)

    def close(self) -> None:
        self.results = []

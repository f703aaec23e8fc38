"""The one frame loop: source -> estimator -> smoothing -> measures -> engine -> sinks.

``analyze``, ``live`` and ``score`` all call :func:`run`; they differ only in the
source (video file, camera, landmarks file) and the sinks they pass.

Cuts: a :class:`posecheck.cuts.CutDetector` looks at every raw pose. When the whole
body jumps between two frames (an edited video cutting to another camera angle or a
close-up, the model re-finding the person elsewhere), the smoother is reset (so it does
not drag the old view's positions into the new one) and the engine's
``cut(t_s)`` is called before the frame is judged (it restarts its speed and bounce
history and its baselines); ``result.cut`` is True on that frame.

Ctrl-C: the loop stops, ``engine.finish(partial=True)`` makes the summary of what
was seen, every sink is closed with it (so the outputs are complete files marked
partial), then ``KeyboardInterrupt`` propagates to the CLI (exit 130). Any other
error closes the sinks the same way before it propagates.

The end of the input can still count: ``engine.finish()`` closes a rep the person
was finishing and a hold still running. The engine reports that as
``engine.final_result`` (the last frame's result with the counts after closing and
the events finish raised); every sink's ``end(result)`` receives it once, after
the last ``write`` and before ``close`` (a no-op in :class:`SinkBase`). Sinks that hold back
their last frame (frames.csv, the annotated video) write it with those counts, so
the last row agrees with summary.json.

What the loop calls on each stage is declared in :mod:`posecheck.protocols`
(re-exported here): :class:`PipelineEngine`, :class:`Sink`, :class:`FrameSource`,
:class:`PoseSource`, :class:`Estimator`, :class:`Smoother`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Generator, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from posecheck.angles import compute_measures
from posecheck.cuts import CutDetector
from posecheck.pose import Frame, MediaInfo, Pose
from posecheck.protocols import (
    EngineWrapper,
    Estimator,
    FrameSource,
    PipelineEngine,
    PoseSource,
    Sink,
    SinkBase,
    Smoother,
)
from posecheck.results import FrameResult, SessionSummary

log = logging.getLogger(__name__)


# Re-exported: the stage protocols live in posecheck.protocols.
__all__ = [
    "EngineWrapper",
    "Estimator",
    "FrameSource",
    "PipelineEngine",
    "PoseSource",
    "Progress",
    "ProgressFn",
    "Sink",
    "SinkBase",
    "Smoother",
    "iterate_poses",
    "run",
]


@dataclass
class Progress:
    """What a progress callback receives (at most a few times a second, and at the end)."""

    done: int  # frames processed
    total: int  # frames expected (0 when unknown: cameras)
    fps: float  # processing rate so far, frames per wall-clock second
    eta_s: float | None  # estimated seconds left (None when unknown)
    t_s: float  # media time of the last frame


ProgressFn = Callable[[Progress], None]


def iterate_poses(
    source: FrameSource | PoseSource, estimator: Estimator | None
) -> Generator[tuple[Frame | None, int, float, Pose | None], None, None]:
    """Yield ``(frame, index, t_s, pose)`` for each frame of ``source``.

    A source with ``poses()`` (a :class:`posecheck.landmarks_io.LandmarksSource`)
    replays stored poses (``frame`` is None, no estimator needed); any other source
    runs ``estimator.estimate`` on each of its frames.
    """
    if isinstance(source, PoseSource):
        for index, t_s, pose in source.poses():
            yield None, index, t_s, pose
        return
    if estimator is None:
        raise ValueError("iterate_poses: an estimator is needed for a media source")
    estimate = estimator.estimate
    for frame in source.frames():
        yield frame, frame.index, frame.t_s, estimate(frame)


def _mask_measures(names: Iterable[str]) -> list[str]:
    from posecheck.angles import EXTRA_MEASURES

    return [n for n in names if getattr(EXTRA_MEASURES.get(n), "needs_mask", False)]


def with_mask_measures(raw: Pose, names: Sequence[str], min_visibility: float) -> Pose:
    """``raw`` with the values of the mask measures ``names`` stored in its ``extras``.

    A mask measure is taken on the pose the model found in the same image as the mask
    (the smoothed pose trails the image by a few frames, so its shoulder-hip axis is not
    where the mask is). Computed before smoothing, the value travels with the pose: the
    landmarks file stores it, and worker processes (``analyze --workers``), which have
    the mask but no smoother, compute exactly the same value.
    """
    vals = compute_measures(raw, names, min_visibility)
    return replace(raw, extras={**(raw.extras or {}), **vals})


def run(
    source: FrameSource | PoseSource,
    estimator: Estimator | None,
    engine: PipelineEngine,
    sinks: Sequence[Sink] = (),
    smoother: Smoother | None = None,
    progress: ProgressFn | None = None,
    measure_names: Iterable[str] | None = None,
    min_visibility: float | None = None,
    progress_every_s: float = 0.5,
    cuts: CutDetector | bool = True,
) -> SessionSummary:
    """Run the frame loop to the end of the source and return the session summary.

    ``measure_names``: the measures to compute each frame (default: the engine's
    ``measure_names``). ``smoother`` is called as ``smoother(pose, t_s)``; the
    unsmoothed pose is kept on ``result.raw_pose``.
    ``cuts``: the cut detector (True: one with the default thresholds, False: none);
    see the module docs.
    """
    exercise = engine.exercise
    if min_visibility is None:
        # the definition says how visible its landmarks must be (bird dog: 0.3, the far
        # leg is half hidden from the side); 0.5 otherwise
        min_visibility = float(exercise.min_visibility or 0.5) if exercise is not None else 0.5
    names = sorted(measure_names if measure_names is not None else engine.measure_names)
    mask_names = _mask_measures(names)
    info: MediaInfo = source.info
    opened: list[Sink] = []
    done = 0
    total = info.frame_count
    clock = time.perf_counter  # progress display only: logic uses the frames' t_s
    started = last_report = clock()
    update = engine.update
    detect = (CutDetector() if cuts is True else cuts) or None
    poses = iterate_poses(source, estimator)
    try:
        for sink in sinks:
            # e.g. the landmarks file records the model options
            sink.describe_run(estimator=estimator, smoother=smoother)
            sink.open(info, exercise)
            opened.append(sink)
        for frame, index, t_s, raw in poses:
            cut = detect(raw, t_s) if detect is not None else False
            if cut and detect is not None:
                log.info("cut at %.2f s (jump %.2f trunk lengths)", t_s, detect.last_jump)
                if smoother is not None:
                    smoother.reset()
                engine.cut(t_s)
            if mask_names and raw is not None and raw.mask is not None:
                raw = with_mask_measures(raw, mask_names, min_visibility)
            pose = smoother(raw, t_s) if smoother is not None else raw
            measures = compute_measures(pose, names, min_visibility)
            result = update(index, t_s, pose, measures)
            result.raw_pose = raw
            result.cut = cut
            for sink in opened:
                sink.write(frame, result)
            done += 1
            if progress is not None:
                now = clock()
                if now - last_report >= progress_every_s:
                    last_report = now
                    progress(_progress(done, total, now - started, t_s))
    except BaseException as exc:
        # Ctrl-C or a failure: finish what was seen, complete the outputs as partial.
        poses.close()  # stops the source's decoding thread now, not at garbage collection
        summary = engine.finish(partial=True)
        _add_source_warnings(summary, source)
        _close_all(opened, summary, engine.final_result, cause=exc)
        raise
    summary = engine.finish(partial=False)
    _add_source_warnings(summary, source)
    if progress is not None:
        progress(_progress(done, total, clock() - started, summary.duration_s, final=True))
    _close_all(opened, summary, engine.final_result, reraise=True)
    return summary


def _progress(done: int, total: int, elapsed: float, t_s: float, final: bool = False) -> Progress:
    fps = done / elapsed if elapsed > 0 else 0.0
    if final:
        eta: float | None = 0.0
    elif total and fps > 0:
        eta = max(0.0, (total - done) / fps)
    else:
        eta = None
    return Progress(done, max(total, done) if total else 0, fps, eta, t_s)


def _add_source_warnings(summary: SessionSummary, source: FrameSource | PoseSource) -> None:
    for w in source.warnings:
        if w not in summary.warnings:
            summary.warnings.append(w)


def _close_all(
    sinks: Sequence[Sink],
    summary: SessionSummary,
    final: FrameResult | None = None,
    reraise: bool = False,
    cause: BaseException | None = None,
) -> None:
    """End and close every sink even if one fails; the first failure is re-raised if asked.

    ``final`` (the engine's ``final_result``: the last frame as the end of the input
    left it) goes to each sink's optional ``end(result)`` just before its ``close``.
    """
    first: BaseException | None = None
    for sink in sinks:
        steps: list[tuple[Callable[[Any], None], Any]] = [(sink.close, summary)]
        if final is not None:
            steps.insert(0, (sink.end, final))
        for fn, arg in steps:
            try:
                fn(arg)
            except Exception as exc:  # one broken sink must not lose the others' outputs
                # The summary written after it must not claim a complete session.
                what = getattr(getattr(sink, "path", None), "name", None) or "an output"
                summary.partial = True
                note = f"{what} was not written: {exc}"
                if note not in summary.warnings:
                    summary.warnings.append(note)
                # One line for one cause: a full disk fails every writer; the command
                # prints the first failure (or ``cause``), -v shows the others.
                full = getattr(exc, "no_space", False)
                same = full and getattr(first or cause, "no_space", False)
                if same or (first is None and reraise):
                    log.info("%s", note)
                else:
                    log.error("%s", note)
                first = first or exc
    if reraise and first is not None:
        raise first

"""``posecheck analyze VIDEO``: annotated video, frames.csv, summary.json, report, landmarks."""

from __future__ import annotations

import argparse
import contextlib
import logging
import math
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from posecheck.errors import InputError, interrupt_exit_code
from posecheck.protocols import EngineWrapper, PipelineEngine
from posecheck.results import SessionSummary

if TYPE_CHECKING:
    from posecheck.landmarks_io import LandmarksData

HELP = "analyse a video: annotated video, data, report"
DESCRIPTION = """\
Analyse a recorded video of one exercise and write, into OUTDIR:
  annotated.mp4         the video with skeleton, angles, phase, hold ring, counts and cues (H.264)
  frames.csv            one row per frame: time, pose found, angles, phase, targets, hold, cue
  summary.json          holds, reps, cues, score, video metadata, the definition used
                        (schema: posecheck/data/summary.schema.json)
  report.html           one self-contained page: score, corrections, angle plots, how-to
  <video>.landmarks.npz the poses, to re-score later without the model (posecheck score)

OUTDIR defaults to <video folder>/<video name>.posecheck/. Earlier results are never
replaced without --force. Ctrl-C stops and writes what was analysed so far, marked
partial (exit 130); SIGTERM and SIGHUP do the same (exit 143 and 129). A partial run
never replaces complete results: with --force over them, Ctrl-C keeps them as they were.

examples:
  posecheck analyze bridge.mp4 -e bridge
  posecheck analyze clip.mp4 -e auto -o out/clip
  posecheck analyze clip.mp4 -e bridge --no-video --force
  posecheck analyze long-session.mp4 -e bridge --workers 4
  posecheck analyze flow.mp4 --routine low-back-flow
  posecheck analyze flow.mp4 --routine auto

--routine splits a recording of several exercises into its steps (the routine's order
guides the split; 'auto' recognises them over a sliding window), judges each step with
its exercise and dose, and marks the time between steps; see README "Routines".

A video of two --part (10 s) or more is tracked in parts fixed by the video, which
worker processes (--workers, default: the cores) share; the same parts whatever
--workers is, so the results are too. See README "Every core".
"""

log = logging.getLogger(__name__)


def add_arguments(p: argparse.ArgumentParser) -> None:
    from posecheck.library import add_library_arguments

    p.add_argument(
        "video",
        metavar="VIDEO",
        help="video file (mp4, mov, avi, mkv, webm), GIF, image, or a folder of images",
    )
    p.add_argument(
        "-e",
        "--exercise",
        default="auto",
        metavar="NAME",
        help="exercise name (see 'posecheck exercises'), or 'auto' to recognise it (default)",
    )
    p.add_argument(
        "-o",
        "--outdir",
        "--out",  # the older name; --outdir is the one live uses too
        dest="out",
        metavar="OUTDIR",
        type=Path,
        help="output folder (default: <video folder>/<video stem>.posecheck/)",
    )
    p.add_argument("--force", action="store_true", help="replace results already in OUTDIR")
    p.add_argument("--no-video", action="store_true", help="do not write annotated.mp4")
    p.add_argument("--no-report", action="store_true", help="do not write report.html")
    p.add_argument(
        "--smoothing",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="One-Euro smoothing of the landmarks (default: on)",
    )
    p.add_argument(
        "--side",
        choices=("auto", "left", "right", "alternate"),
        default="auto",
        help="side to judge (default: the exercise's policy)",
    )
    p.add_argument(
        "--model-complexity",
        type=int,
        choices=(0, 1, 2),
        default=1,
        help="MediaPipe model: 1 (full) is bundled; 0 and 2 need a download",
    )
    p.add_argument(
        "--workers",
        type=int,
        default=0,
        metavar="N",
        help="processes running the pose model on the parts of a long video (default: the "
        "cores); the results do not depend on it",
    )
    p.add_argument(
        "--part",
        "--min-chunk",
        dest="min_chunk",
        type=float,
        default=10.0,
        metavar="S",
        help="a video of two or more S seconds is tracked in parts of at least S seconds "
        "(at most 16 parts), each warmed up on the second before it (default: 10)",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="no progress line")
    p.add_argument(
        "--routine",
        metavar="NAME|FILE|auto",
        help="the video shows a routine (see 'posecheck routines'): split it into its steps "
        "and judge each with its exercise; 'auto': find the exercises without a plan",
    )
    add_library_arguments(p)
    from posecheck.commands.routines import add_routine_arguments

    add_routine_arguments(p)
    from posecheck.history import add_history_arguments

    add_history_arguments(p)


def default_outdir(video: Path) -> Path:
    return video.parent / f"{video.stem}.posecheck"


def run(args: argparse.Namespace) -> int:
    from posecheck.library import library_from_args
    from posecheck.sinks.session import SessionOutputs, prepare_outdir
    from posecheck.sources import open_source

    if getattr(args, "routine", None):
        from posecheck.commands._routine import run_routine

        return run_routine(args)
    video = Path(args.video)
    library = library_from_args(args)
    auto = args.exercise.lower() == "auto"
    exercise = None if auto else library.get(args.exercise)  # unknown names fail first
    if args.workers < 0:
        raise InputError(f"--workers {args.workers} is out of range", "use 1 or more, 0: the cores")
    if not 0 < args.min_chunk < math.inf:  # inf: an overflow in the parts' plan
        raise InputError(f"--part {args.min_chunk:g} is out of range", "use seconds > 0")
    # Opening before anything is written: a missing, empty or unreadable video fails here.
    source = open_source(video)
    info = source.info
    try:
        if info.kind == "camera":
            raise InputError(
                f"{video}: is a camera or a stream, not a recording",
                f"coach it live with 'posecheck live EXERCISE --camera {video}'",
            )
        from posecheck.history.record import options_from_args, told

        outdir: Path = args.out if args.out is not None else default_outdir(video)
        outputs = SessionOutputs(
            outdir,
            stem=video.stem,
            exercise=exercise,
            video=not args.no_video,
            report=not args.no_report,
            landmarks_meta={"smoothing": "one-euro" if args.smoothing else None},
            extra={
                "input": {
                    "path": str(video),
                    "resolved": str(video.resolve()),
                    "exercise_arg": args.exercise,
                },
                "history": bool(args.history),
                **told(options_from_args(args)),
            },  # fmt: skip
        )
        # the poses an -e auto run that named nothing left here: used instead of the model
        kept = _kept_poses(outdir, video, info, list(library) if auto else [exercise], args)
        names = outputs.names()
        outputs.earlier = prepare_outdir(
            outdir, [n for n in names if kept is None or n != kept.path.name], [video], args.force
        )
    except BaseException:
        source.close()
        raise
    with outputs.replacing():
        return _analyse(args, video, source, library, outputs, kept, exercise)


def _analyse(args, video, source, library, outputs, kept, exercise) -> int:
    """The passes over ``video`` (``source``, closed here) into ``outputs``."""
    from posecheck import LANDMARKS_SUFFIX
    from posecheck.commands._progress import ProgressLine

    auto = exercise is None
    info, outdir = source.info, outputs.outdir
    try:
        name = Path(info.path).name
        if kept is not None and not args.quiet:
            print(f"the poses of {name} are in {kept.path}: no model pass", file=sys.stderr)
        if not auto:
            estimator = None
            if kept is not None:
                from posecheck.commands._offline import ReplayEstimator

                estimator = ReplayEstimator(kept)
                outputs.landmarks_prewritten = True
            progress = ProgressLine(f"analysing {name}", quiet=args.quiet)
            return _score_pass(args, source, estimator, exercise, None, outputs, progress, False)
        # --exercise auto: the model runs once into the landmarks file, the recogniser
        # reads it, then a second pass decodes the frames again (no model) to draw.
        from posecheck.commands._offline import model_pass

        lm_path = outdir / (video.stem + LANDMARKS_SUFFIX)
        interrupted: BaseException | None = None
        if kept is None:
            progress = ProgressLine(f"finding the pose in {name}", quiet=args.quiet)
            try:
                model_pass(args, source, lm_path, library, progress, outputs.landmarks_meta)
            except KeyboardInterrupt as exc:  # also SIGTERM / SIGHUP (errors.Terminated)
                interrupted = exc
            progress.done()
    finally:
        source.close()
    if interrupted is not None and outputs.earlier is not None:
        # nothing to draw: the earlier complete session is put back
        where = outputs.interrupted("partial results")
        print(f"posecheck: interrupted: {where}", file=sys.stderr)
        return interrupt_exit_code(interrupted)
    return _auto_second_pass(args, video, library, outputs, lm_path, interrupted, kept)


def _kept_poses(
    outdir: Path, video: Path, info: Any, exercises: list[Any], args: argparse.Namespace
) -> LandmarksData | None:
    """The poses (read once here) an ``-e auto`` run that named no
    exercise left in ``outdir`` for this video, when this run can use them instead of
    the model: alone in the folder (no summary.json), complete, of the same video (its
    path, and what ``info``, the source's media info, says of its frames: count, rate
    and size), made with this run's model options and smoothing, holding the measures
    ``exercises`` read from the segmentation mask. Such a file that does not fit is
    removed (the model makes it again); any other file at that name is left to
    ``prepare_outdir``."""
    from posecheck import LANDMARKS_SUFFIX
    from posecheck.angles import EXTRA_MEASURES
    from posecheck.commands._offline import mask_measures
    from posecheck.landmarks_io import read_landmarks

    path = outdir / (video.stem + LANDMARKS_SUFFIX)
    if not path.is_file() or path.is_symlink() or (outdir / "summary.json").exists():
        return None
    try:
        data = read_landmarks(path)
    except Exception:  # noqa: BLE001 - not a landmarks file: prepare_outdir decides
        return None
    meta = data.meta
    try:
        same = os.path.samefile(meta.get("source", ""), video)
    except OSError:
        same = False
    if not same or meta.get("kind") != info.kind:
        return None
    fits = (
        meta.get("partial") is False
        and (data.paused is None or not data.paused.any())
        and meta.get("frames") == len(data)
        and [meta.get(k) for k in ("frame_count", "fps", "width", "height")]
        == [info.frame_count, info.fps, info.width, info.height]
        and (meta.get("estimator") or {}).get("model_complexity") == args.model_complexity
        and meta.get("smoothing") == ("one-euro" if args.smoothing else None)
        and {n for n in mask_measures(exercises)
             if getattr(EXTRA_MEASURES.get(n), "needs_mask", True)} <= set(data.extras)
    )  # fmt: skip
    if fits:
        return data
    path.unlink(missing_ok=True)
    return None


def _auto_second_pass(
    args, video, library, outputs, lm_path, interrupted, kept: LandmarksData | None = None
) -> int:
    from posecheck.commands._offline import LimitedSource, ReplayEstimator, recognise
    from posecheck.commands._progress import ProgressLine
    from posecheck.landmarks_io import read_landmarks
    from posecheck.sources import Source, open_source

    data = kept if kept is not None else read_landmarks(lm_path)  # kept: read already
    try:
        exercise, record = recognise(data, library)
    except InputError as exc:
        if interrupted is None and outputs.earlier is not None:
            put_back = outputs.earlier.where()  # outputs.replacing puts the earlier back
            hint = f"{exc.hint}; {put_back}" if exc.hint else put_back
            raise InputError(exc.message, hint, exc.exit_code) from None
        if interrupted is None:
            # Nothing else was written. The poses stay, alone in the folder: a rerun
            # with -e uses them instead of the model (_kept_poses), needing no --force.
            if len(data) == 0 or data.meta.get("frames_with_pose", 1) == 0:
                lm_path.unlink(missing_ok=True)  # nothing worth keeping
                with contextlib.suppress(OSError):
                    outputs.outdir.rmdir()  # only if empty
                raise
            where = f"the poses found are kept in {lm_path}"
            raise InputError(
                exc.message,
                f"{exc.hint}; {where}, so that run needs no model pass" if exc.hint else where,
                exc.exit_code,
            ) from None
        print(
            f"posecheck: interrupted before the exercise was recognised ({exc.message}); "
            f"the poses found so far are in {lm_path}",
            file=sys.stderr,
        )
        return interrupt_exit_code(interrupted)
    if not args.quiet:
        print(
            f"recognised: {exercise.name} ({record['confidence']:.0%} confident"
            + (f"; runner-up: {record['runner_up']}" if record.get("runner_up") else "")
            + ")",
            file=sys.stderr,
        )
    outputs.exercise = exercise
    outputs.landmarks_prewritten = True
    outputs.checks.exercise = exercise
    opened = open_source(video)
    source: Source | LimitedSource = (
        LimitedSource(opened, len(data)) if interrupted is not None else opened
    )
    try:
        progress = ProgressLine(f"drawing {Path(video).name}", quiet=args.quiet)
        code = _score_pass(
            args, source, ReplayEstimator(data), exercise, record, outputs, progress,
            interrupted is not None,
        )  # fmt: skip
    finally:
        source.close()
    if interrupted is not None and code == 0:
        where = outputs.interrupted(f"partial results for {len(data)} frames")
        print(f"posecheck: interrupted: {where}", file=sys.stderr)
        return interrupt_exit_code(interrupted)
    return code


def _score_pass(args, source, estimator, exercise, recognition, outputs, progress, partial) -> int:
    """Run the engine over ``source`` into the session outputs; print the one-screen summary."""
    from posecheck import pipeline
    from posecheck.engine import Engine
    from posecheck.sinks.session import screen_summary

    engine = Engine(exercise, side=args.side)
    own_estimator = estimator is None
    if own_estimator:
        from posecheck.estimator import EstimatorOptions, MediaPipeEstimator

        # Mask-based measures (back curvature) need MediaPipe's segmentation.
        opts = EstimatorOptions(
            model_complexity=args.model_complexity, segmentation=engine.needs_segmentation
        )
        estimator = _parallel(args, source, opts, exercise) or MediaPipeEstimator(opts)
        if hasattr(estimator, "source") and not (outputs.video or outputs.report):
            source = estimator.source()  # no sink draws: no frame is decoded here
    smoother = None
    if args.smoothing:
        from posecheck.smoothing import PoseSmoother

        smoother = PoseSmoother()
    sinks = outputs.sinks()
    try:
        judge = _FinishExtras(engine, recognition, force_partial=partial)
        summary = pipeline.run(
            source, estimator, judge, sinks, smoother=smoother, progress=progress
        )
    except KeyboardInterrupt as exc:  # also SIGTERM / SIGHUP (errors.Terminated)
        progress.done()
        data = outputs.summary_sink.data if outputs.summary_sink else None
        frames = data["frames"] if data else "?"
        why = getattr(exc, "name", "")
        where = outputs.interrupted(f"partial results for {frames} frames")
        print(f"posecheck: interrupted{f' ({why})' if why else ''}: {where}", file=sys.stderr)
        return interrupt_exit_code(exc)
    finally:
        if own_estimator:
            estimator.close()
    if hasattr(estimator, "describe"):
        log.info("%s", estimator.describe())
    progress.done()
    print(screen_summary(summary, exercise, source.info, outputs.outdir, outputs.names()))
    if summary.frames == 0:
        raise InputError(
            f"{source.info.path}: no frame could be decoded",
            "check that it plays in a video player; re-encode it with ffmpeg",
        )
    if summary.frames_with_pose == 0:
        raise InputError(
            f"{source.info.path}: no person found in any of the {summary.frames} frames",
            "film the whole body in good light; 'posecheck show "
            f"{exercise.name}' says where to put the camera",
        )
    from posecheck.history import record_from_args

    data = outputs.summary_sink.data if outputs.summary_sink else None
    record_from_args(args, data, command="analyze", source=args.video, outdir=outputs.outdir)
    return 0


def _parallel(args, source, options, exercise):  # -> a PoseSource-like estimator or None
    """Estimation in grid parts, in worker processes or this one
    (:mod:`posecheck.parallel`), or None for one tracking run."""
    from posecheck import parallel
    from posecheck.commands._offline import mask_measures
    from posecheck.estimator import check_options

    check_options(options)  # here, not in the workers: one clear line
    min_vis = float(getattr(exercise, "min_visibility", 0.5) or 0.5)
    masks = sorted(mask_measures([exercise])) if options.segmentation else ()
    return parallel.for_source(source, args.workers, options, masks, min_vis, args.min_chunk)


class _FinishExtras(EngineWrapper):
    """The engine, whose summary carries the recognition record and stays partial if asked.

    (A second pass over frames a Ctrl-C'd first pass saw ends normally, yet covers
    only part of the video.)
    """

    def __init__(
        self, engine: PipelineEngine, recognition: dict | None, force_partial: bool
    ) -> None:
        super().__init__(engine)
        self.recognition, self.force_partial = recognition, force_partial

    def finish(self, partial: bool = False) -> SessionSummary:
        s = self.engine.finish(partial=partial or self.force_partial)
        if self.recognition is not None:
            s.recognition = dict(self.recognition)
        return s

"""``posecheck analyze VIDEO``: annotated video, frames.csv, summary.json, report, landmarks."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any

from posecheck.errors import InputError

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
partial (exit 130).

examples:
  posecheck analyze bridge.mp4 -e bridge
  posecheck analyze clip.mp4 -e auto -o out/clip
  posecheck analyze clip.mp4 -e bridge --no-video --force
"""

log = logging.getLogger(__name__)


def add_arguments(p: argparse.ArgumentParser) -> None:
    from posecheck.library import add_library_arguments

    p.add_argument("video", metavar="VIDEO", help="video file (mp4, mov, avi, mkv, webm, gif)")
    p.add_argument(
        "-e",
        "--exercise",
        default="auto",
        metavar="NAME",
        help="exercise name (see 'posecheck exercises'), or 'auto' to recognise it (default)",
    )
    p.add_argument(
        "-o",
        "--out",
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
    p.add_argument("-q", "--quiet", action="store_true", help="no progress line")
    add_library_arguments(p)


def default_outdir(video: Path) -> Path:
    return video.parent / f"{video.stem}.posecheck"


def choose_exercise(name: str, library: Any, video: Path, args: Any) -> tuple[Any, dict | None]:
    """The exercise to judge against, and the recognition record when ``name`` is auto."""
    if name.lower() != "auto":
        return library.get(name), None
    try:
        from posecheck import recognize
    except ImportError as exc:
        raise InputError(
            "--exercise auto is not available in this build (no recogniser)",
            "name the exercise with -e; 'posecheck exercises' lists them",
        ) from exc
    rec = recognize.recognize_video(video, library, model_complexity=args.model_complexity)
    if rec.get("exercise") is None:
        raise InputError(
            f"{video}: could not recognise the exercise "
            f"(best guess {rec.get('best')!r} at {rec.get('confidence', 0):.0%})",
            "name it with -e; 'posecheck exercises' lists them",
        )
    return library.get(rec["exercise"]), rec


def run(args: argparse.Namespace) -> int:
    from posecheck.commands._progress import ProgressLine
    from posecheck.library import library_from_args
    from posecheck.sinks.session import SessionOutputs, prepare_outdir, screen_summary

    video = Path(args.video)
    library = library_from_args(args)
    if args.exercise.lower() != "auto":
        library.get(args.exercise)  # unknown names fail before any work

    from posecheck.sources import open_source

    # Opening first: a missing, empty or unreadable video fails with one line here.
    source = open_source(video)
    try:
        if source.info.kind not in ("video", "gif"):
            raise InputError(
                f"{video}: not a video ({source.info.kind})",
                "analyze takes a video file; use 'posecheck score' for landmark files",
            )
        exercise, recognition = choose_exercise(args.exercise, library, video, args)
        outdir: Path = args.out if args.out is not None else default_outdir(video)
        outputs = SessionOutputs(
            outdir,
            stem=video.stem,
            exercise=exercise,
            video=not args.no_video,
            report=not args.no_report,
            landmarks_meta={"smoothing": "one-euro" if args.smoothing else None},
            extra={"input": {"path": str(video), "exercise_arg": args.exercise}},
        )
        prepare_outdir(outdir, outputs.names(), [video], args.force)
        return _analyze(args, source, exercise, recognition, outputs, ProgressLine, screen_summary)
    finally:
        source.close()


def _analyze(args, source, exercise, recognition, outputs, ProgressLine, screen_summary) -> int:
    from posecheck import pipeline
    from posecheck.angles import EXTRA_MEASURES
    from posecheck.engine import Engine
    from posecheck.estimator import EstimatorOptions, MediaPipeEstimator

    engine = Engine(exercise, side=args.side)
    if recognition is not None:
        _attach_recognition(engine, recognition)
    # Mask-based measures (back curvature) need MediaPipe's segmentation.
    needs_mask = any(n in EXTRA_MEASURES for n in engine.measure_names)
    estimator = MediaPipeEstimator(
        EstimatorOptions(model_complexity=args.model_complexity, segmentation=needs_mask)
    )
    smoother = None
    if args.smoothing:
        from posecheck.smoothing import PoseSmoother

        smoother = PoseSmoother()
    progress = ProgressLine(f"analysing {Path(source.info.path).name}", quiet=args.quiet)
    sinks = outputs.sinks()
    summary = None
    try:
        summary = pipeline.run(
            source, estimator, engine, sinks, smoother=smoother, progress=progress
        )
    except KeyboardInterrupt:
        progress.done()
        data = outputs.summary_sink.data if outputs.summary_sink else None
        frames = data["frames"] if data else "?"
        print(
            f"posecheck: interrupted: partial results for {frames} frames written to "
            f"{outputs.outdir}/",
            file=sys.stderr,
        )
        return 130
    finally:
        estimator.close()
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
            f"{getattr(exercise, 'name', '')}' says where to put the camera",
        )
    return 0


def _attach_recognition(engine: Any, recognition: dict) -> None:
    """Make the engine's summary carry the recognition record (exercise, confidence, scores)."""
    finish = engine.finish

    def finish_with_recognition(partial: bool = False):
        s = finish(partial=partial)
        s.recognition = {k: recognition.get(k) for k in ("exercise", "confidence", "scores")}
        return s

    engine.finish = finish_with_recognition

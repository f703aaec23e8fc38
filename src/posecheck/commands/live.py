"""``posecheck live EXERCISE|--routine NAME``: coach an exercise, or a routine's steps one
after another, live from the webcam (or a file played live)."""

from __future__ import annotations

import argparse
import math

HELP = "coach an exercise live from the webcam"
DESCRIPTION = """\
Coach an exercise live: the camera picture with the skeleton, key angles, phase,
a hold timer that fills only while the pose is right, holds/reps out of the
prescribed dose, and one cue at a time, spoken where a speech engine exists.
A set-up stage checks that you are fully in view and seen from the right side,
then counts down before anything is counted.

keys: q/Esc quit, space pause/resume, s switch side, r reset the set
Ctrl-C in the terminal ends the session as q does (headless, the way to stop); a
second Ctrl-C stops at once and saves the session as partial.

A routine (--routine NAME or FILE, see 'posecheck routines') runs its steps in order:
each is announced (voice and screen: what, how long, where the camera goes), the
set-up check runs again when the camera view or the posture changes, the step is
counted and timed with its dose from the routine, then a rest ("Rest 15 s - next:
Pelvic tilt"; --rest S gives every step that rest instead) and on to the next by
itself. One session is saved for the whole routine, each step's results inside it
(summary.json "segments").
routine keys: n/Right next step now, p/Left the previous step again (during a rest:
the step just done), space pause/resume, q/Esc quit (what was done is saved)

The session is saved like an 'analyze' output folder (summary.json, frames.csv,
landmarks.npz; the video only with --record), so 'posecheck score' works on it
(one exercise's session; a routine's is not re-scored by its steps yet).
Nothing leaves this computer. posecheck gives form feedback, not medical advice: stop on
sharp pain.

examples:
  posecheck live bridge
  posecheck live bridge --camera 1 --side left
  posecheck live pelvic-tilt --mute -o sessions/tilt-monday
  posecheck live bridge --camera clip.mp4 --no-window          # a file played as if live
  posecheck live bridge --camera clip.mp4 --no-window --json --stats
  posecheck live bridge --camera rtsp://192.168.1.20/stream --record
  posecheck live --routine low-back-flow
  posecheck live --routine desk-break --countdown 5
  posecheck live --routine my-flow.toml --camera flow.mp4 --no-window --mute
"""


def _seconds(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 0 <= v < math.inf:  # nan and inf too (inf crashed the countdown's display)
        raise argparse.ArgumentTypeError("must be a number of seconds, 0 or more")
    return v


def add_arguments(p: argparse.ArgumentParser) -> None:
    # In the order --help lists them.
    _add_what_arguments(p)
    _add_output_arguments(p)
    _add_session_arguments(p)
    _add_input_arguments(p)


def _add_what_arguments(p: argparse.ArgumentParser) -> None:
    """The exercise, the camera and the side."""
    p.add_argument(
        "exercise", metavar="EXERCISE", nargs="?", default="",
        help="exercise name (see 'posecheck exercises'); not with --routine",
    )  # fmt: skip
    p.add_argument(
        "--routine", default="", metavar="NAME|FILE",
        help="run a routine's steps one after another (see 'posecheck routines')",
    )  # fmt: skip
    p.add_argument(
        "--camera", default="0", metavar="INDEX|PATH|URL|VIDEO",
        help="camera index (default 0), device path (/dev/video0), stream URL, or a video "
        "file played at its own speed as if live",
    )  # fmt: skip
    p.add_argument(
        "--side",
        default="auto",
        choices=("auto", "left", "right", "alternate"),
        help="side to work (default: the definition's policy / auto-detect)",
    )


def _add_output_arguments(p: argparse.ArgumentParser) -> None:
    """What the session shows, says and saves."""
    p.add_argument("--mute", action="store_true", help="no spoken cues")
    p.add_argument(
        "--no-window",
        dest="window",
        action="store_false",
        help="headless: print events as lines instead of showing a window",
    )
    p.add_argument(
        "--json",
        dest="json_lines",
        action="store_true",
        help="print events as JSON lines (one object per event, a summary last)",
    )
    p.add_argument(
        "--record",
        action="store_true",
        help="also save the annotated video (off by default: privacy)",
    )
    p.add_argument(
        "-o",
        "--outdir",
        metavar="OUTDIR",
        help="where to save the session (default: posecheck-live/EXERCISE-TIME)",
    )
    p.add_argument("--force", action="store_true", help="write into a non-empty OUTDIR")
    mirror = p.add_mutually_exclusive_group()
    mirror.add_argument(
        "--mirror",
        dest="mirror",
        action="store_true",
        default=None,
        help="show the picture mirrored (default for a camera)",
    )
    mirror.add_argument(
        "--no-mirror",
        dest="mirror",
        action="store_false",
        help="show the picture as filmed (default for a video file)",
    )


def _add_session_arguments(p: argparse.ArgumentParser) -> None:
    """Timing of the session: countdown, rest, keys, end card; latency statistics."""
    p.add_argument(
        "--countdown",
        type=_seconds,
        default=3.0,
        metavar="S",
        help="get-ready countdown after set-up, seconds of camera time (default 3; "
        "0 starts counting as soon as you are in place)",
    )
    p.add_argument(
        "--rest",
        type=_seconds,
        default=None,
        metavar="S",
        help="rest between sets (default: the definition's dose); with --routine: the "
        "rest after every step, set and side, instead of the routine's",
    )
    p.add_argument(
        "--stats",
        action="store_true",
        help="measure frames/s and capture-to-display latency; print them at the end",
    )
    p.add_argument(
        "--keys",
        default="",
        metavar="SCRIPT",
        help="press keys at camera times, e.g. '5:space,8:space,20:q' (demos, tests)",
    )
    p.add_argument(
        "--announce-seconds",
        dest="announce_s",
        type=_seconds,
        default=None,
        metavar="S",
        help="--routine: how long each step's announcement shows before its set-up "
        "(default: as long as its words take to say, at least 5 s)",
    )
    p.add_argument(
        "--summary-seconds",
        dest="summary_s",
        type=_seconds,
        default=8.0,
        metavar="S",
        help="how long the end card stays in the window without a key (default 8)",
    )


def _add_input_arguments(p: argparse.ArgumentParser) -> None:
    """How the landmarks are read: smoothing, extra definition folders."""
    p.add_argument(
        "--no-smoothing",
        dest="smoothing",
        action="store_false",
        help="do not smooth landmarks (One-Euro filter)",
    )
    p.add_argument(
        "--poses-dir",
        action="append",
        default=[],
        metavar="DIR",
        help="also load exercise definitions from DIR; repeatable",
    )
    from posecheck.commands.routines import add_routine_arguments
    from posecheck.history import add_history_arguments

    add_routine_arguments(p)
    add_history_arguments(p)


def run(args: argparse.Namespace) -> int:
    from posecheck.errors import InputError
    from posecheck.history import options_from_args
    from posecheck.live.session import LiveOptions, run_live

    if bool(args.exercise) == bool(args.routine):
        raise InputError(
            "live: give an EXERCISE or --routine NAME" + (", not both" if args.routine else ""),
            "e.g. 'posecheck live bridge' or 'posecheck live --routine low-back-flow'",
        )
    if args.routine and args.side != "auto":
        raise InputError("live: --side is for one exercise; a routine says each step's side",
                         "leave out --side")  # fmt: skip
    opts = LiveOptions(
        exercise=args.exercise,
        camera=str(args.camera),
        side=args.side,
        mute=args.mute,
        window=args.window,
        json_lines=args.json_lines,
        record=args.record,
        outdir=args.outdir,
        force=args.force,
        mirror=args.mirror,
        countdown_s=args.countdown,
        rest_s=args.rest,
        stats=args.stats,
        keys=args.keys,
        summary_s=args.summary_s,
        poses_dirs=list(args.poses_dir),
        smoothing=args.smoothing,
        history=options_from_args(args),
        routine=args.routine,
        routines_dirs=list(args.routines_dir),
        announce_s=args.announce_s,
    )
    outcome = run_live(opts)
    # A lost camera is an input failure, even though the session so far is saved.
    return 2 if outcome.disconnected else 0

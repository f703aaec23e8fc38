"""``posecheck score INPUT...``: score many recordings or landmark files, print a table."""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import logging
import math
import os
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from posecheck import LANDMARKS_SUFFIX
from posecheck.errors import InputError, PosecheckError, shown_path

HELP = "score many recordings or landmark files offline"
DESCRIPTION = """\
Score videos, landmark files (.landmarks.npz, written by 'posecheck analyze') or
folders of them against an exercise, and print one row per input: file, exercise,
holds that reached their target, complete reps, score, top correction.

The exercise: -e NAME for all inputs; by default (-e auto) a landmark file saved by
'posecheck analyze' is scored against the exercise in the summary.json beside it,
anything else is recognised. Landmark files skip the pose model entirely; a saved live
session is judged from where the exercise started (after the set-up check and the
countdown) and not while it was paused, as live judged it. Inputs run
in parallel processes (--jobs, default: the number of cores). A video of two --part
(10 s) or more is tracked in parts fixed by the video, as 'analyze' tracks it, so
--jobs, --ray and 'analyze --workers N' give the same poses. A broken input is
reported in its row and does not stop the others.

exit status: 0 every input scored (and, with --min-score, reached it);
             1 some input scored below --min-score (or has no score);
             2 some input could not be scored (error in its row), or bad usage.

examples:
  posecheck score session.posecheck/clip.landmarks.npz
  posecheck score recordings/ -e bridge --min-score 70
  posecheck score a.mp4 b.mp4 --jobs 2 --csv scores.csv --json scores.json
  posecheck score /shared/archive --csv scores.csv --ray 10.0.0.5:6379
  posecheck score flow.posecheck/flow.landmarks.npz --routine low-back-flow

--ray runs the pose model on a Ray cluster (pip install "posecheck[ray]" on every
machine; the recordings at the same path on each): one worker per CPU, the rows as
--jobs gives them.

Ctrl-C (or SIGTERM) stops the workers at once and writes a row for every input: the
ones that finished, and "not scored (interrupted)" for the others. A landmarks file of
an interrupted run is scored as far as it goes, marked "(partial)", and not recorded in
the history.
"""

log = logging.getLogger(__name__)

VIDEO_EXTENSIONS = frozenset(
    {".mp4", ".mov", ".avi", ".mkv", ".webm", ".m4v", ".mpg", ".mpeg", ".wmv", ".gif"}
)
COLUMNS = ("file", "exercise", "holds", "reps", "score", "top_fault", "error")


def add_arguments(p: argparse.ArgumentParser) -> None:
    from posecheck.library import add_library_arguments

    p.add_argument("inputs", nargs="+", metavar="INPUT",
                   help="video, landmarks file (.landmarks.npz) or folder of them")  # fmt: skip
    p.add_argument(
        "-e", "--exercise", default="auto", metavar="NAME",
        help="exercise for every input; 'auto' (default): the saved session's, else recognised",
    )  # fmt: skip
    p.add_argument("--min-score", type=float, metavar="N",
                   help="exit 1 unless every input scores at least N (0-100)")  # fmt: skip
    p.add_argument("--csv", type=Path, metavar="FILE",
                   help="also write the table as CSV ('-': to stdout, then no table)")  # fmt: skip
    p.add_argument("--json", type=Path, metavar="FILE",
                   help="also write the rows as JSON ('-': to stdout, then no table)")  # fmt: skip
    p.add_argument("-j", "--jobs", type=int, default=0, metavar="N",
                   help="parallel processes (default: number of cores)")  # fmt: skip
    p.add_argument("--landmarks-dir", type=Path, metavar="DIR",
                   help="keep each video's poses there (<stem>.<path hash>.landmarks.npz) "
                        "to re-score without the model")  # fmt: skip
    p.add_argument("--ray", nargs="?", const="", default=None, metavar="ADDRESS",
                   help="run the pose model on a Ray cluster (HOST:PORT, 'auto'; none: "
                        "RAY_ADDRESS or a local one); needs posecheck[ray]")  # fmt: skip
    p.add_argument("--ray-unit", type=float, default=600.0, metavar="S",
                   help="with --ray: longest piece of a recording one worker gets "
                        "(default 600 s, whole --part parts)")  # fmt: skip
    p.add_argument("--part", type=float, default=10.0, metavar="S",
                   help="a video of two or more S seconds is tracked in parts of at least S "
                        "seconds (at most 16 parts), as 'analyze --part' (default 10)")  # fmt: skip
    p.add_argument("--side", choices=("auto", "left", "right", "alternate"), default="auto",
                   help="side to judge (default: the exercise's policy)")  # fmt: skip
    p.add_argument(
        "--smoothing", action=argparse.BooleanOptionalAction, default=None,
        help="One-Euro smoothing of the landmarks (default: as the landmarks file was made; "
             "on for videos)",
    )  # fmt: skip
    p.add_argument("--model-complexity", type=int, choices=(0, 1, 2), default=1,
                   help="MediaPipe model for videos: 1 (full) is bundled")  # fmt: skip
    p.add_argument("--force", action="store_true",
                   help="replace a --csv/--json FILE that is not a 'score' table")  # fmt: skip
    p.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    p.add_argument("--routine", metavar="NAME|FILE|auto",
                   help="each input shows a routine: one row per step found, after the "
                        "recording's row (see 'posecheck analyze --routine')")  # fmt: skip
    add_library_arguments(p)
    from posecheck.commands.routines import add_routine_arguments

    add_routine_arguments(p)
    from posecheck.history import add_history_arguments

    add_history_arguments(p)


# --- finding the inputs ---------------------------------------------------------------


def collect_inputs(specs: list[str]) -> list[Path]:
    """Expand folders (recursively) into videos and landmark files, in a stable order.

    Inside a saved session folder (one with summary.json) only the landmarks file
    is taken: its annotated.mp4 is an output, not a recording.
    """
    out: list[Path] = []
    for spec in specs:
        p = Path(spec)
        try:
            folder = p.is_dir()
        except OSError:  # a folder on its way that cannot be searched: the row says so
            folder = False
        if folder:
            before = len(out)
            # a folder below that cannot be read is an input of its own: its row says
            # why its recordings are not scored (os.walk skipped it without a word)
            for root, dirs, files in os.walk(p, onerror=lambda e: out.append(Path(e.filename))):
                # hidden folders are posecheck's own (an earlier session kept aside while
                # --force replaces it) or not the user's recordings
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                # A session folder, also one whose run was killed before summary.json:
                # its annotated.mp4 is an output. Hidden files are unfinished writes.
                session = "summary.json" in files or (
                    "annotated.mp4" in files and any(f.endswith(LANDMARKS_SUFFIX) for f in files)
                )
                for f in sorted(files):
                    fp = Path(root) / f
                    if f.startswith("."):
                        continue
                    if f.endswith(LANDMARKS_SUFFIX) or (
                        not session and fp.suffix.lower() in VIDEO_EXTENSIONS
                    ):
                        out.append(fp)
            if len(out) == before:  # its row says it holds nothing to score (no row before)
                out.append(p)
        else:
            out.append(p)  # missing or odd files are reported in their row
    out = _one_per_recording(out)
    seen: set[str] = set()
    unique = []
    for p in out:
        k = os.path.realpath(p)
        if k not in seen:
            seen.add(k)
            unique.append(p)
    return unique


def _one_per_recording(paths: list[Path]) -> list[Path]:
    """A video found with the session 'analyze' saved beside it (``clip.posecheck/``,
    its default folder) is one recording, one row: its complete session's landmarks
    (no model run: the poses are there), or the video when that run was interrupted."""
    taken = {os.path.realpath(p) for p in paths}
    drop: set[str] = set()
    for p in paths:
        if p.suffix.lower() not in VIDEO_EXTENSIONS:
            continue
        session = p.parent / f"{p.stem}.posecheck"
        lm = session / f"{p.stem}{LANDMARKS_SUFFIX}"
        if os.path.realpath(lm) not in taken:
            continue
        saved = _saved_summary(lm)
        if not saved:
            continue  # no summary: not known to be of this video
        src = (saved.get("input") or {}).get("path")
        if src and not _same_path(session, str(src), p):
            continue  # the folder holds another recording's session
        drop.add(os.path.realpath(lm if saved.get("partial") else p))
    return [p for p in paths if os.path.realpath(p) not in drop]


def _same_path(session: Path, recorded: str, video: Path) -> bool:
    """Whether ``recorded`` (a summary's input path, as given to analyze, perhaps
    relative to where it ran) is ``video``."""
    for cand in (Path(recorded), session.parent / Path(recorded).name):
        with contextlib.suppress(OSError):
            if cand.is_file() and os.path.samefile(cand, video):
                return True
    return False


# --- scoring one input (runs in a worker process) --------------------------------------


def _saved_summary(lm_path: Path) -> dict[str, Any]:
    """The summary.json of the saved session a landmarks file belongs to ({} if none)."""
    s = lm_path.parent / "summary.json"
    try:
        data = json.loads(s.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) and data.get("format") == "posecheck-summary" else {}


def _saved_routine(saved: dict[str, Any], path: Path) -> str | None:
    """The routine of a saved routine session's summary (its file where it still exists,
    else its name; "auto" for an auto split), for re-scoring it step by step. A live
    routine's steps are not re-scored yet: split anew by recognition, they read worse
    than live judged them and replaced live's rows in the history."""
    r = saved.get("routine")
    if not isinstance(r, dict) or not r.get("name"):
        return None
    if r.get("mode") == "live":
        raise InputError(f"{path}: a live routine session, whose steps are not re-scored yet",
                         "its steps as live judged them are in summary.json and 'posecheck "
                         "history'; --routine NAME splits the recording anew")  # fmt: skip
    if r.get("mode") == "auto":
        return "auto"
    src = r.get("source")
    return str(src) if src and Path(str(src)).is_file() else str(r["name"])


_LIBRARIES: dict[tuple[str, ...], Any] = {}


def _library(poses_dirs: tuple[str, ...]) -> Any:
    """The library for ``poses_dirs``, loaded once per process (not once per input)."""
    from posecheck.library import Library

    lib = _LIBRARIES.get(poses_dirs)
    if lib is None:
        lib = _LIBRARIES[poses_dirs] = Library.load(poses_dirs)
    return lib


def score_one(path: str, opts: dict[str, Any], poses: Any = None) -> dict[str, Any]:
    """Score one input; never raises for a bad input (the row carries the error).

    ``poses``: a video's poses estimated elsewhere (``--ray``), used instead of the model.
    """
    row: dict[str, Any] = {c: None for c in COLUMNS}
    row["file"] = path
    try:
        row.update(_score(Path(path), opts, poses))
    except PosecheckError as exc:
        row["error"] = exc.one_line()
    except KeyboardInterrupt:
        raise
    except Exception as exc:  # noqa: BLE001 - one broken input must not stop the others
        log.debug("scoring %s failed", path, exc_info=True)
        row["error"] = (
            f"{path}: could not be scored (an unexpected failure: {exc}); "
            "'posecheck -vv score' shows where"
        )
    return row


def _nothing_in(path: Path) -> bool:
    """Whether ``path`` is a folder that can be read and holds nothing to score (the one
    input of collect_inputs for such a folder)."""
    try:
        if not path.is_dir():
            return False
        os.listdir(path)
    except OSError:
        return False
    return True


def _score(path: Path, opts: dict[str, Any], poses: Any = None) -> dict[str, Any]:
    from posecheck.landmarks_io import read_landmarks

    library = _library(tuple(opts.get("poses_dir") or ()))
    name = opts["exercise"]
    what = "file"
    try:
        if path.is_dir():
            what = "folder"
            os.listdir(path)  # a folder is an input when it could not be read, or is empty
            raise InputError(f"{path}: no videos or landmark files in this folder",
                             "leave it out, or give the folder of the recordings")  # fmt: skip
        elif not path.exists():
            raise InputError(f"{path}: no such file or folder", "check the path")
        else:
            path.open("rb").close()
    except OSError as exc:
        raise InputError(f"{path}: cannot read this {what} ({exc.strerror or exc})",
                         "give yourself read permission, or leave it out") from None  # fmt: skip
    if path.name.endswith(LANDMARKS_SUFFIX):
        data = read_landmarks(path)
        try:
            return _score_landmarks(path, data, library, name, opts, video=False)
        except MissingMeasures as exc:
            if exc.source is None:
                raise
            # the recording is still there: the model measures what the file lacks
            row = _score(Path(exc.source), opts, poses)
            note = f"{exc.message.split(' (')[0]}: scored from its video, {exc.source}"
            row["warnings"] = [note, *(row.get("warnings") or [])]
            row["recording_warnings"] = [note, *(row.get("recording_warnings") or [])]
            return row
    with tempfile.TemporaryDirectory(prefix="posecheck-score-") as tmp:
        from posecheck.commands._offline import estimate_to_landmarks, mask_measures
        from posecheck.sources import open_source

        lm = Path(tmp) / "pose.landmarks.npz"
        exercises = list(library) if name == "auto" else [library.get(name)]
        if opts.get("landmarks_dir"):
            # kept: re-scoring later needs no model, against any exercise, so it keeps
            # what every exercise reads (the outline measures of cat-camel too)
            lm = kept_landmarks_path(Path(opts["landmarks_dir"]), path)
            exercises = list(library)
        with open_source(path) as source:
            if source.info.kind not in ("video", "gif"):
                raise InputError(f"{path}: not a video or landmarks file ({source.info.kind})",
                                 "score takes videos and .landmarks.npz files")  # fmt: skip
            read = estimate_to_landmarks(
                source, lm, mask_names=mask_measures(exercises),
                model_complexity=opts["model_complexity"], poses=poses,
                part_s=opts.get("part_s"),
            )  # fmt: skip
        row = _score_landmarks(path, read_landmarks(lm), library, name, opts, video=True)
        # what reading the video found (it ends early: a truncated file) is the row's
        # too, as analyze keeps it in summary.json, and shown under the table
        row["recording_warnings"] = list(read.warnings)
        row["warnings"] = [*read.warnings, *(w for w in row.get("warnings") or []
                                             if w not in read.warnings)]  # fmt: skip
        return row


class MissingMeasures(InputError):
    """A landmarks file without a measure the exercise is judged on (one from the
    segmentation mask, kept only for the exercises its run was made for)."""

    def __init__(self, message: str, hint: str, source: str | None) -> None:
        super().__init__(message, hint)
        self.source = source


def _check_measures(path: Path, data: Any, exercise: Any) -> None:
    """Refuse to judge ``exercise`` on poses that lack one of its mask measures: every
    frame would read it unknown, and the row would say 0 reps of a session done."""
    from posecheck.angles import EXTRA_MEASURES
    from posecheck.commands._offline import mask_measures

    def kept_only(m: str) -> bool:  # the others are measured again on the stored poses
        spec = EXTRA_MEASURES[m]
        return bool(spec.needs_mask or spec.from_pose is None)

    missing = sorted(m for m in mask_measures([exercise]) if kept_only(m) and m not in data.extras)
    if not missing:
        return
    src = data.meta.get("source")
    src = str(src) if src and Path(str(src)).is_file() else None
    raise MissingMeasures(
        f"{path}: holds no {', '.join(missing)}, which {exercise.name} is judged on "
        "(its poses were saved for another exercise)",
        f"score the video itself ({src})" if src else
        f"analyse the recording again with -e {exercise.name}",
        src,
    )  # fmt: skip


def kept_landmarks_path(folder: Path, video: Path) -> Path:
    """``--landmarks-dir``: ``<stem>.<8 hex of the video's full path>.landmarks.npz``.

    The hash keeps two ``clip.mp4`` from different folders of an archive apart.
    """
    import hashlib

    key = hashlib.sha1(os.path.realpath(video).encode()).hexdigest()[:8]
    return folder / f"{video.stem}.{key}{LANDMARKS_SUFFIX}"


def _exercise_for(name: str, saved: dict, data: Any, library: Any, row: dict) -> Any:
    """The exercise to judge the poses against (``row`` gets where it came from): the
    one given, else the saved session's, else the one recognised."""
    from posecheck.commands._offline import recognise

    if name != "auto":
        row["exercise_from"] = "given"
        return library.get(name)
    if saved.get("exercise"):
        row["exercise_from"] = "saved session"
        return library.get(saved["exercise"])
    exercise, recognition = recognise(data, library)
    row["exercise_from"] = "recognised"
    row["confidence"] = recognition["confidence"]
    return exercise


def _score_landmarks(path, data, library, name, opts, video) -> dict[str, Any]:
    from posecheck import pipeline
    from posecheck.commands._offline import ReplayPauses
    from posecheck.engine import Engine
    from posecheck.landmarks_io import LandmarksSource
    from posecheck.sinks.exview import hold_counts

    row: dict[str, Any] = {"frames": len(data), "model": video}
    if len(data) == 0:
        raise InputError(f"{path}: no frames", "record or analyse the video again")
    # the session folder's summary.json, read once: its exercise, routine and recording
    saved = {} if video else _saved_summary(path)
    if not opts.get("routine") and name == "auto" and _saved_routine(saved, path):
        opts = {**opts, "routine": _saved_routine(saved, path)}  # a saved routine session
    if opts.get("routine"):
        from posecheck.commands._routine import score_rows

        src = (saved.get("input") or {}).get("path")
        recording = Path(src) if src and Path(src).is_file() else None
        row.update(score_rows(path, data.path, library, opts, video, recording, data.meta))
        return row
    exercise = _exercise_for(name, saved, data, library, row)
    if not video and data.present.any():  # (a video's run measured what it needs)
        _check_measures(path, data, exercise)
    smooth = opts["smoothing"]
    if smooth is None:
        # the filter the recording's own run used (meta "smoothing": None = off), so a
        # re-score judges the same curves; files that do not say were smoothed
        smooth = video or data.meta.get("smoothing", "one-euro") is not None
    smoother = None
    if smooth:
        from posecheck.smoothing import PoseSmoother

        smoother = PoseSmoother()
    engine: Any = Engine(exercise, side=opts["side"])
    # ended by q, or by Ctrl-C/SIGTERM (live then stopped counting: "interrupted")
    quit_ = (saved.get("live") or {}).get("ended") in ("quit", "interrupted")
    if ReplayPauses.needed(data) or quit_:
        # a live session: judge from where the exercise started (after the set-up check
        # and countdown), and not during pauses or rests, as the live session did
        engine = ReplayPauses(engine, data, quit=quit_)
        row["exercise_start_s"] = data.meta.get("exercise_start_s")
    # The stored poses replayed through the same loop analyze uses (no model, no frames).
    source = LandmarksSource(data.path)
    summary = pipeline.run(source, None, engine, [], smoother=smoother)
    # the first of the session's ranked corrections (the same list analyze prints)
    top = summary.corrections[0] if summary.corrections else None
    # against the holds due: 2 reps that never reached the top are "0/2", not "0/0"; a
    # setup hold before the first rep that fell short is not counted (exview.hold_counts)
    reached, due, kept = hold_counts(exercise, summary.holds, summary.reps)
    row.update(
        exercise=exercise.name,
        holds=f"{reached}/{due}",
        holds_reached=reached,
        holds_total=due,  # the holds due, as "holds" (and the table) count them
        holds_done=len(kept),
        reps=summary.reps_complete,
        score=summary.score,
        top_fault=top.text if top else None,
        top_fault_id=top.id if top else None,
        frames_with_pose=summary.frames_with_pose,
        partial=bool(data.meta.get("partial")),
        warnings=list(summary.warnings),
    )
    if summary.frames_with_pose == 0:
        row["error"] = (
            f"{path}: no person found in any of the {summary.frames} frames (film the whole "
            f"body in good light; 'posecheck show {exercise.name}' says where to put the camera)"
        )
    from posecheck.history.record import record_scored

    row.update(record_scored(opts.get("history"), summary, exercise, path, data.meta, video))
    return row


# --- the command ------------------------------------------------------------------------


def _fmt_table(rows: list[dict[str, Any]]) -> str:
    heads = ("file", "exercise", "holds met", "reps", "score", "top correction")
    body = []
    for r in rows:
        name = shown_path(r["file"])
        if r.get("segment") is not None:  # --routine: a step of the recording above
            name = f"  step {r['segment']} {r['start_s']:.1f}-{r['end_s']:.1f} s"
        if r.get("error"):
            body.append((name, r.get("exercise") or "-", "-", "-", "-", "ERROR: " + r["error"]))
            continue
        ex = r["exercise"] + ("*" if r.get("exercise_from") == "recognised" else "")
        score = "-" if r.get("score") is None else f"{r['score']:.0f}"
        score += " (partial)" if r.get("partial") else ""
        score += " !" if r.get("recording_warnings") else ""
        fault = r.get("top_fault") or "-"
        body.append((name, ex, r["holds"], str(r["reps"]), score, fault))
    widths = [max(len(h), *(len(b[i]) for b in body)) if body else len(h)
              for i, h in enumerate(heads[:-1])]  # fmt: skip
    lines = ["  ".join(h.ljust(w) for h, w in zip(heads[:-1], widths, strict=True))
             + "  " + heads[-1]]  # fmt: skip
    for b in body:
        lines.append("  ".join(c.ljust(w) for c, w in zip(b[:-1], widths, strict=True))
                     + "  " + b[-1])  # fmt: skip
    if any(r.get("exercise_from") == "recognised" and not r.get("error") for r in rows):
        lines.append("* recognised automatically")
    for r in rows:
        for w in r.get("recording_warnings") or []:
            lines.append(f"! {w}")
    if any(r.get("partial") and not r.get("error") for r in rows):
        lines.append("(partial): the run that saved it was interrupted: only its first part "
                     "is scored, and it is not recorded in the history")  # fmt: skip
    return "\n".join(lines)


CSV_COLUMNS = ["file", "exercise", "exercise_from", "confidence", "holds_reached",
               "holds_total", "reps", "score", "top_fault_id", "top_fault", "frames",
               "frames_with_pose", "partial", "recording_warning", "error"]  # fmt: skip
ROUTINE_COLUMNS = ["segment", "step_title", "start_s", "end_s"]  # with --routine


def _write_csv(path: Path, rows: list[dict[str, Any]]) -> None:
    cols = list(CSV_COLUMNS)
    if any("segment" in r for r in rows):  # --routine: where each step is
        cols += ROUTINE_COLUMNS
    from posecheck import safeio

    def write(fh: Any) -> None:
        w = csv.DictWriter(fh, fieldnames=cols, extrasaction="ignore")
        w.writeheader()
        for r in rows:
            r = {**r, "recording_warning": "; ".join(r.get("recording_warnings") or []) or None}
            w.writerow({k: ("" if r.get(k) is None else r.get(k)) for k in cols})

    if _to_stdout(path):
        write(sys.stdout)
        return
    with safeio.atomic_open(path, "w", newline="") as fh:
        write(fh)


def _check_outputs(args: argparse.Namespace, inputs: list[Path]) -> None:
    """--csv/--json FILE: never an input, an earlier table of score's only (else
    --force), in a folder that can be written: refused now, not after hours of scoring."""
    from posecheck import safeio

    for out in (o for o in (args.csv, args.json) if o is not None and not _to_stdout(o)):
        if any(os.path.realpath(out) == os.path.realpath(i) or safeio.same_file(out, i)
               for i in inputs):  # fmt: skip
            raise InputError(f"{out}: the output would overwrite an input", "choose another name")
        # refused now, not after hours of scoring an archive (the file read only if there)
        own = {"columns": CSV_COLUMNS + ROUTINE_COLUMNS} if out is args.csv else {"key": "file"}
        if Path(out).is_file() and not args.force and not safeio.own_export(out, **own):
            raise InputError(f"{out}: already exists and is not a table 'score' wrote",
                             "add --force to replace it, or choose another name")  # fmt: skip
        folder = Path(out).parent
        if Path(out).is_dir() or not folder.is_dir() or not os.access(folder, os.W_OK):
            why = "is a folder" if Path(out).is_dir() else f"cannot be written in {folder}/"
            raise InputError(f"{out}: {why}", "choose a file name in a folder you can write to")


def run(args: argparse.Namespace) -> int:
    from posecheck.history.record import options_from_args, report_warnings

    _LIBRARIES.clear()  # definitions may have changed since an earlier run in this process
    library = _library(tuple(args.poses_dir or ()))  # worker processes load their own once
    if args.exercise != "auto":
        args.exercise = library.get(args.exercise).name  # unknown names fail before any work
    if args.min_score is not None and not 0 <= args.min_score <= 100:
        raise InputError(f"--min-score {args.min_score:g} is out of range", "use 0-100")
    if args.ray and ":" not in args.ray and args.ray not in ("auto", "local"):
        # '--ray recordings/': the optional address swallowed an input
        args.inputs, args.ray = [args.ray, *args.inputs], ""
    for flag, value in (("--ray-unit", args.ray_unit), ("--part", args.part)):
        if not 0 < value < math.inf:  # inf: an overflow in the parts' plan
            raise InputError(f"{flag} {value:g} is out of range", "use seconds > 0")
    inputs = collect_inputs(args.inputs)
    if all(_nothing_in(p) for p in inputs):
        raise InputError(
            f"no videos or landmark files found in {', '.join(args.inputs)}",
            "give video files, .landmarks.npz files or folders holding them",
        )
    if _to_stdout(args.csv) and _to_stdout(args.json):
        raise InputError("--csv - and --json - both want stdout", "send one of them to a file")
    _check_outputs(args, inputs)
    opts = {
        "exercise": args.exercise, "side": args.side, "smoothing": args.smoothing,
        "model_complexity": args.model_complexity, "poses_dir": list(args.poses_dir or []),
        "history": options_from_args(args),
        "landmarks_dir": str(args.landmarks_dir) if args.landmarks_dir else None,
        "routine": args.routine, "routines_dir": list(args.routines_dir or []),
        "part_s": args.part,
    }  # fmt: skip
    if args.routine:
        from posecheck.commands._routine import resolve_routine

        resolve_routine(args.routine, library, args.routines_dir)  # unknown: fails here
    if args.jobs < 0:  # as analyze --workers (-1 was taken as 1 without a word)
        raise InputError(f"--jobs {args.jobs} is out of range", "use 1 or more, 0: the cores")
    jobs = args.jobs or os.cpu_count() or 1
    jobs = max(1, min(jobs, len(inputs)))
    if args.landmarks_dir is not None:
        if args.landmarks_dir.exists() and not args.landmarks_dir.is_dir():
            raise InputError(f"--landmarks-dir {args.landmarks_dir}: is a file, not a folder",
                             "choose a folder")  # fmt: skip
        try:
            args.landmarks_dir.mkdir(parents=True, exist_ok=True)
            if not os.access(args.landmarks_dir, os.W_OK):  # refused now, not in every row
                raise PermissionError(13, "Permission denied")
        except OSError as exc:  # a file of that name, /proc, no permission
            what = "write there" if args.landmarks_dir.is_dir() else "make that folder"
            raise InputError(
                f"--landmarks-dir {args.landmarks_dir}: cannot {what} ({exc.strerror or exc})",
                "choose another folder",
            ) from None
    paths = [str(p) for p in inputs]
    if args.ray is not None:
        rows = _run_ray(paths, opts, args)
    else:
        rows = _run_all(paths, opts, jobs, args)
    rows = _emit(args, rows)
    report_warnings(rows)
    if any(r.get("error") for r in rows):
        return 2
    if args.min_score is not None and any(
        r.get("score") is None or r["score"] < args.min_score for r in rows
    ):
        return 1
    return 0


def _to_stdout(out: Path | None) -> bool:
    return out is not None and str(out) == "-"


def _emit(args: argparse.Namespace, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The table on stdout (or the CSV or JSON, given '-') and the --csv/--json files, of
    the rows that finished (on Ctrl-C too); returns the rows as written."""
    # --routine: each recording's row, then one row per step found in it
    rows = [x for r in rows for x in [r, *(r.pop("segments", None) or [])]]
    if not (_to_stdout(args.csv) or _to_stdout(args.json)):
        print(_fmt_table(rows))
    if args.csv:
        _write_csv(args.csv, rows)
    if args.json:
        text = json.dumps(rows, indent=2, default=str) + "\n"
        if _to_stdout(args.json):
            sys.stdout.write(text)
        else:
            from posecheck import safeio

            safeio.write_text(args.json, text)
    return rows


class _Progress:
    """``scored 3/40, 12:05 left`` on stderr as inputs finish: one line redrawn on
    a terminal; in a log, a line at each quarter and at least every ``every_s`` while
    inputs finish, so a long archive run is never silent for long."""

    def __init__(self, total: int, quiet: bool, every_s: float = 30.0) -> None:
        self.total, self.quiet, self.every_s = total, quiet, every_s
        self.tty = sys.stderr.isatty()
        self.t0 = self.last = time.monotonic()
        self.quarter = 0

    def __call__(self, done: int) -> None:
        from posecheck.commands._progress import clock

        if self.quiet or not self.total:
            return
        now = time.monotonic()
        text = f"scored {done}/{self.total}"
        if 0 < done < self.total:
            left = (now - self.t0) / done * (self.total - done)
            text += f", {clock(left)} left"
        if self.tty:
            sys.stderr.write(f"\r{text}\x1b[K")
        elif (4 * done // self.total > self.quarter or now - self.last >= self.every_s
              or done == self.total):  # fmt: skip
            self.quarter, self.last = 4 * done // self.total, now
            sys.stderr.write(text + "\n")
        sys.stderr.flush()

    def end(self) -> None:
        """The terminal's line finished (before the table or an interruption's rows)."""
        if not self.quiet and self.tty:
            sys.stderr.write("\n")


def _run_ray(paths: list[str], opts: dict[str, Any], args: argparse.Namespace) -> list[dict]:
    """``--ray``: the model on a Ray cluster; Ctrl-C writes the rows that finished."""
    from posecheck.ray_archive import Interrupted, score_on_ray

    note = _Progress(len(paths), args.quiet)
    try:
        rows = score_on_ray(paths, opts, args.ray or None, args.ray_unit, note)
    except Interrupted as stop:
        note.end()
        _emit_interrupted(args, paths, {paths[i]: r for i, r in stop.rows.items()})
        raise KeyboardInterrupt from None
    note.end()
    return rows


def _emit_interrupted(args: argparse.Namespace, paths: list[str], done: dict[str, dict]) -> None:
    """After Ctrl-C (or SIGTERM): the rows that finished, and one for each input that did
    not, saying so (a short CSV is not passed off as the archive's), written whole
    whatever else is pressed meanwhile; also when none had finished, so an earlier run's
    --csv/--json are not left to be read as this run's)."""
    rows = [done.get(p) or {"file": p, "error": f"{p}: not scored (interrupted)"} for p in paths]
    with _sigint_ignored():
        _emit(args, rows)
    print(f"posecheck: {len(done)} of {len(paths)} inputs scored before the interruption",
          file=sys.stderr)  # fmt: skip


@contextlib.contextmanager
def _sigint_ignored() -> Iterator[None]:
    """A second Ctrl-C while the rows are written must not cut them (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, old)


def _worker_start() -> None:
    """A scoring worker ignores Ctrl-C: a terminal sends it to every process of the
    group, and the parent stops the workers itself (each mid-input would otherwise
    raise, and the pool wait for the rest). A parent killed outright (SIGKILL) takes
    its workers with it: they went on scoring the whole queue as orphans."""
    from posecheck.parallel import worker_signals

    worker_signals()


def _stop_workers(pool: Any) -> None:
    """End the pool's worker processes now: their inputs are not scored (a worker killed
    while recording leaves the history's transaction undone, not half-written)."""
    stop = getattr(pool, "terminate_workers", None)  # Python 3.14
    if stop is not None:
        stop()
        return
    procs = list((getattr(pool, "_processes", None) or {}).values())
    for proc in procs:
        proc.terminate()
    for proc in procs:
        proc.join(5)
        if proc.is_alive():
            proc.kill()


def _in_pool(
    paths: list[str], opts: dict[str, Any], jobs: int, results: dict[str, dict], note: Any
) -> None:
    """Score ``paths`` in ``jobs`` worker processes into ``results``, as each finishes.
    On Ctrl-C the workers are stopped at once: not waited for, and no input started."""
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor, as_completed

    # spawn: workers start clean (MediaPipe and threads do not survive fork well).
    pool = ProcessPoolExecutor(jobs, mp_context=mp.get_context("spawn"), initializer=_worker_start)
    stopped = False
    futs: dict[Any, str] = {}
    try:
        futs = {pool.submit(score_one, p, opts): p for p in paths}
        for f in as_completed(futs):
            p = futs[f]
            try:
                results[p] = f.result()
            except Exception as exc:  # noqa: BLE001 - e.g. a worker that died
                results[p] = {"file": p, "error": f"worker failed: {exc}"}
            note(len(results))
    except KeyboardInterrupt:
        stopped = True
        with _sigint_ignored():
            # not cancelled first: the pool's manager thread fails every future of a
            # pool whose worker was stopped, and failing a cancelled one raised
            # InvalidStateError in that thread (a traceback under "interrupted")
            _stop_workers(pool)
        raise
    finally:
        pool.shutdown(wait=not stopped, cancel_futures=not stopped)


def _run_all(
    paths: list[str], opts: dict[str, Any], jobs: int, args: argparse.Namespace
) -> list[dict]:
    """Each input in ``jobs`` processes; Ctrl-C writes the rows that finished."""
    results: dict[str, dict] = {}
    note = _Progress(len(paths), args.quiet)
    try:
        if jobs == 1:
            for p in paths:
                results[p] = score_one(p, opts)
                note(len(results))
        else:
            _in_pool(paths, opts, jobs, results, note)
    except KeyboardInterrupt:
        note.end()
        _emit_interrupted(args, paths, results)
        raise
    note.end()
    return [results[p] for p in paths]

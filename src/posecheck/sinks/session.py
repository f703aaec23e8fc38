"""The set of files a session writes into its output folder, shared by ``analyze`` and ``live``.

::

    sinks = SessionOutputs(outdir, stem="clip", exercise=ex).sinks()
    summary = pipeline.run(source, estimator, engine, sinks, ...)

Files: ``annotated.mp4``, ``frames.csv``, ``summary.json``, ``report.html`` and
``<stem>.landmarks.npz`` (each can be turned off). :func:`prepare_outdir`
checks the folder first: never over an input, no silent overwrite, writable.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from posecheck import DISCLAIMER, LANDMARKS_SUFFIX, safeio
from posecheck.errors import InputError, PosecheckError
from posecheck.pose import Frame, MediaInfo
from posecheck.protocols import Sink, SinkBase
from posecheck.results import (
    STATE_LOW_VISIBILITY,
    STATE_NO_PERSON,
    STATE_TRACKING,
    STATE_WRONG_VIEW,
    Correction,
    FrameResult,
    SessionSummary,
)
from posecheck.sinks import exview

if TYPE_CHECKING:
    from posecheck.exercise import Exercise
    from posecheck.sinks.tables import SummaryJsonSink
    from posecheck.sinks.video import VideoSink

VIDEO = "annotated.mp4"
CSV = "frames.csv"
SUMMARY = "summary.json"
REPORT = "report.html"


class OutputExistsError(PosecheckError):
    """Earlier results are in the folder and --force was not given."""


def prepare_outdir(
    outdir: Path, names: list[str], inputs: list[Path], force: bool
) -> Earlier | None:
    """Create ``outdir`` and check it can take ``names`` without harm.

    Refuses (one-line errors) when an output would replace an input, when an
    earlier result is there and ``force`` is False, or when the folder cannot be
    created or written. With ``force`` over a complete earlier session, returns its
    files set aside (:class:`Earlier`): a run that does not complete puts them back.
    """
    targets = [(outdir / n) for n in names]
    ins = {os.path.realpath(p) for p in inputs}
    for t in targets:
        # By path and by identity: a hard link (or a second mount) of the input under an
        # output's name is the input too.
        if os.path.realpath(t) in ins or any(safeio.same_file(t, p) for p in inputs):
            raise InputError(
                f"{t}: the output would overwrite the input", "choose another folder with -o"
            )
    existing = [t.name for t in targets if os.path.lexists(t)]
    if existing and not force:
        raise OutputExistsError(
            f"{outdir}: already holds {_earlier_kind(outdir)} ({', '.join(existing)})",
            "add --force to replace them, or choose another folder with -o",
        )
    if outdir.exists() and not outdir.is_dir():  # not "cannot write ... (File exists)"
        raise InputError(f"{outdir}: is a file, not a folder", "choose a folder with -o")
    try:
        outdir.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".posecheck-write-test-", dir=outdir)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise InputError(
            f"{outdir}: cannot write the results there ({exc.strerror or exc})",
            "choose a writable folder with -o",
        ) from exc
    # hidden halves a killed run left (never under a final name), also of outputs this
    # run does not write
    for n in {*names, VIDEO, CSV, SUMMARY, REPORT}:
        safeio.drop_stale_temps(outdir / n)
    if not force:
        return None
    earlier = Earlier.set_aside(outdir, names)
    _drop_stale_outputs(outdir, names, inputs)
    return earlier


class Earlier:
    """The files of a complete earlier session that ``--force`` is replacing, kept aside
    (hard links, or copies, in a hidden folder) until this run completes: an interrupted
    or failed run puts them back, so a partial run never replaces a complete one.

    ::

        earlier = prepare_outdir(outdir, names, [video], force=True)
        ...              # the run, its outputs committed over the earlier ones
        earlier.restore()   # interrupted: the earlier session again, this run's gone
        earlier.drop()      # complete (or after restore): the kept copies removed
    """

    FOLDER = ".posecheck-earlier"

    def __init__(self, outdir: Path, kept: list[str], names: list[str]) -> None:
        self.outdir, self.kept, self.names = outdir, kept, names
        self.folder = outdir / self.FOLDER

    @classmethod
    def set_aside(cls, outdir: Path, names: list[str]) -> Earlier | None:
        """Keep the earlier session's files aside, or None when the folder holds no
        complete session (nothing there, or a partial one: replaced as asked)."""
        folder = outdir / cls.FOLDER
        shutil.rmtree(folder, ignore_errors=True)  # a killed run's: the folder is as it is
        try:
            old = json.loads((outdir / SUMMARY).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(old, dict) or old.get("partial") is not False:
            return None
        listed = old.get("outputs")
        listed = listed if isinstance(listed, dict) else {}
        files = {str(n) for n in listed if (outdir / str(n)).parent == outdir} | set(names)
        kept = []
        try:
            folder.mkdir()
            for n in sorted(files):
                p = outdir / n
                if p.is_file() and not p.is_symlink():
                    try:
                        os.link(p, folder / n)
                    except OSError:  # no hard links here (some network or FAT folders)
                        shutil.copy2(p, folder / n)
                    kept.append(n)
        except OSError as exc:
            shutil.rmtree(folder, ignore_errors=True)
            raise InputError(
                f"{outdir}: cannot keep the earlier results aside while they are replaced "
                f"({exc.strerror or exc})",
                "free some space, or choose another folder with -o",
            ) from exc
        return cls(outdir, kept, names)

    def restore(self) -> None:
        """Put the earlier session back: this run's files removed, the kept ones renamed
        into place."""
        for n in self.names:
            if n not in self.kept:
                with contextlib.suppress(OSError):
                    (self.outdir / n).unlink()
        for n in self.kept:
            with contextlib.suppress(OSError):
                os.replace(self.folder / n, self.outdir / n)
        self.drop()

    def drop(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    def where(self) -> str:
        """For the interrupt message, after :meth:`restore`."""
        return f"the complete results of the earlier run are kept in {self.outdir}/"


def _drop_stale_outputs(outdir: Path, names: list[str], inputs: list[Path]) -> None:
    """--force: remove what the earlier session listed as its outputs and this one will
    not replace (another clip's landmarks file), so the folder holds one session."""
    try:
        old = json.loads((outdir / SUMMARY).read_text(encoding="utf-8")).get("outputs") or {}
    except (OSError, ValueError, AttributeError):
        return
    for name in old:
        p = outdir / str(name)
        if (
            str(name) in names
            or p.parent != outdir  # only plain names inside the folder
            or any(safeio.same_file(p, i) for i in inputs)
        ):
            continue
        with contextlib.suppress(OSError):
            if p.is_file() or p.is_symlink():
                p.unlink()


def _earlier_kind(outdir: Path) -> str:
    """ "results", or "the partial results of an interrupted run" when its summary says
    so: a re-run refused beside them did not say they were incomplete."""
    try:
        partial = json.loads((outdir / SUMMARY).read_text(encoding="utf-8")).get("partial")
    except (OSError, ValueError, AttributeError):
        partial = False
    return "the partial results of an interrupted run" if partial is True else "results"


LOW_VIEW_TOLD_S = 1.0  # this long partly out of view is said, whatever its share


class SessionChecks(SinkBase):
    """Counts frame states and adds plain warnings to the summary before the writers see it.

    Put it first in the sink list: its ``close`` runs first and the summary it
    annotates is the one summary.json and the report receive.
    """

    def __init__(self, exercise: Exercise | None = None, shares: bool = True) -> None:
        self.exercise = exercise
        self.shares = shares  # False (live): only "nobody at all", not the shares of frames
        self.states: dict[str, int] = {}
        self.frames = 0
        self.first_pose_s: float | None = None
        # body partly out of view and back in view after it (not a closing title card
        # over a dimmed picture): its seconds, first time, what the screen said to do
        self.low_s = 0.0
        self.low_first_s: float | None = None
        self.low_said: dict[str, int] = {}
        self._low: list[float] = [0.0, math.nan]  # the span going on: seconds, start
        self._prev_t: float | None = None

    def open(self, info: MediaInfo, exercise: Exercise | None) -> None:
        self.exercise = exercise or self.exercise

    def write(self, frame: Frame | None, result: FrameResult) -> None:
        self.frames += 1
        self.states[result.state] = self.states.get(result.state, 0) + 1
        if self.first_pose_s is None and result.pose is not None:
            self.first_pose_s = result.t_s
        if result.state == STATE_LOW_VISIBILITY:
            if math.isnan(self._low[1]):
                self._low[1] = result.t_s
            if self._prev_t is not None:
                self._low[0] += max(0.0, result.t_s - self._prev_t)
            if result.cue is not None:
                self.low_said[result.cue.text] = self.low_said.get(result.cue.text, 0) + 1
        elif result.state == STATE_TRACKING and not math.isnan(self._low[1]):
            self.low_s += self._low[0]  # back in view: it was during the exercise
            if self.low_first_s is None:
                self.low_first_s = self._low[1]
            self._low = [0.0, math.nan]
        self._prev_t = result.t_s

    def share(self, state: str) -> float:
        return self.states.get(state, 0) / self.frames if self.frames else 0.0

    def _share_notes(self, nobody: bool) -> list[str]:
        """The states a fifth of the frames or more were in, beyond nobody at all."""
        notes = []
        if not nobody and self.share(STATE_NO_PERSON) >= 0.2:
            notes.append(f"no person in view in {self.share(STATE_NO_PERSON):.0%} of the frames")
        if self.share(STATE_WRONG_VIEW) >= 0.2:
            view = exview.ex_view(self.exercise) or "the view the exercise needs"
            notes.append(
                f"wrong camera view in {self.share(STATE_WRONG_VIEW):.0%} of the frames: "
                f"{exview.ex_title(self.exercise)} needs a {view} view"
                + (" (turn side-on to the camera)" if view == "side" else "")
            )
        low = self.share(STATE_LOW_VISIBILITY)
        if self.low_s >= LOW_VIEW_TOLD_S:
            # also a second or more of a short clip: the real bird dog whose reaching
            # hand left the picture twice (1.7 s of 9.5) had two of its three reaches
            # uncounted, and nothing said why
            said = max(self.low_said, key=self.low_said.__getitem__) if self.low_said else ""
            todo = said[:1].lower() + said[1:].rstrip(".") if said else "film all of you"
            notes.append(
                f"body partly out of view for {self.low_s:.1f} s, first at "
                f"{self.low_first_s or 0.0:.1f} s: nothing was judged or counted then; {todo}"
            )
        elif low >= 0.2:
            notes.append(f"body partly out of view in {low:.0%} of the frames")
        return notes

    def close(self, summary: SessionSummary) -> None:
        notes = []
        nobody = bool(self.frames) and summary.frames_with_pose == 0
        if nobody:
            notes.append(
                f"no person was found in any of the {self.frames} frames: film the whole "
                "body, well lit, from the distance the exercise's camera notes give"
            )
        if self.shares:  # (live: getting into view, pauses and rests are no faults)
            notes += self._share_notes(nobody)
        for n in notes:
            if n not in summary.warnings:
                summary.warnings.append(n)


class _ExerciseDefault:
    """Gives a sink the exercise known at construction when the pipeline passes none."""

    def __init__(self, sink: Sink, exercise: Exercise | None) -> None:
        self.sink, self.exercise = sink, exercise
        # The file it writes, so a failure at close names it (pipeline._close_all).
        self.path: Path | None = getattr(sink, "path", None)

    def describe_run(self, estimator: Any = None, smoother: Any = None) -> None:
        self.sink.describe_run(estimator=estimator, smoother=smoother)

    def open(self, info: MediaInfo, exercise: Exercise | None) -> None:
        self.sink.open(info, exercise if exercise is not None else self.exercise)

    def write(self, frame: Frame | None, result: FrameResult) -> None:
        self.sink.write(frame, result)

    def end(self, result: FrameResult) -> None:
        self.sink.end(result)

    def close(self, summary: SessionSummary) -> None:
        self.sink.close(summary)


@dataclass
class SessionOutputs:
    """Which files a session writes, and the sinks that write them."""

    outdir: Path
    stem: str
    exercise: Exercise | None = None
    video: bool = True
    csv: bool = True
    summary: bool = True
    report: bool = True
    landmarks: bool = True
    landmarks_meta: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)  # more top-level keys for summary.json
    # The landmarks file is listed but written elsewhere (analyze -e auto's first pass).
    landmarks_prewritten: bool = False

    def __post_init__(self) -> None:
        self.outdir = Path(self.outdir)
        self.checks = SessionChecks(self.exercise)
        self.summary_sink: SummaryJsonSink | None = None
        self.video_sink: VideoSink | None = None
        self.earlier: Earlier | None = None  # prepare_outdir's, with --force

    @contextlib.contextmanager
    def replacing(self) -> Iterator[None]:
        """The run, over an earlier complete session if there is one: put back if the
        run raises; the kept copies dropped in any case."""
        try:
            yield
        except BaseException:
            if self.earlier is not None:
                self.earlier.restore()
            raise
        finally:
            if self.earlier is not None:
                self.earlier.drop()

    def interrupted(self, what: str) -> str:
        """Where an interrupted run left its results, for its message: ``what`` written
        into the folder, or (over an earlier complete session) dropped, the earlier put
        back."""
        if self.earlier is None:
            return f"{what} written to {self.outdir}/"
        self.earlier.restore()
        return f"this run's {what} dropped; {self.earlier.where()}"

    def names(self) -> list[str]:
        out = []
        if self.video:
            out.append(VIDEO)
        if self.csv:
            out.append(CSV)
        if self.summary:
            out.append(SUMMARY)
        if self.report:
            out.append(REPORT)
        if self.landmarks:
            out.append(self.stem + LANDMARKS_SUFFIX)
        return out

    def paths(self) -> dict[str, Path]:
        return {n: self.outdir / n for n in self.names()}

    def sinks(self) -> list[Sink]:
        from posecheck.sinks.report import ReportSink
        from posecheck.sinks.tables import FramesCsvSink, SummaryJsonSink

        outputs = {k: k for k in self.names()}
        sinks: list[Sink] = [self.checks]
        if self.landmarks and not self.landmarks_prewritten:
            from posecheck.landmarks_io import LandmarksSink

            sinks.append(LandmarksSink(self.outdir / (self.stem + LANDMARKS_SUFFIX),
                                       meta=self.landmarks_meta))  # fmt: skip
        if self.csv:
            sinks.append(FramesCsvSink(self.outdir / CSV))
        if self.video:
            from posecheck.sinks.video import VideoSink

            # No copy of each frame: decoded frames are fresh arrays and the report
            # draws its pictures on copies of its own.
            self.video_sink = VideoSink(self.outdir / VIDEO, copy_frames=False)
            sinks.append(self.video_sink)
        if self.report:
            sinks.append(ReportSink(self.outdir / REPORT, outputs=outputs))
        if self.summary:
            # Last: it closes after every other writer, so a writer that failed (a full
            # disk) is in its warnings and "partial" is true (pipeline._close_all).
            self.summary_sink = SummaryJsonSink(
                self.outdir / SUMMARY, extra={"outputs": outputs, **self.extra}
            )
            sinks.append(self.summary_sink)
        return [_ExerciseDefault(s, self.exercise) for s in sinks]


def format_mmss(t: float | None) -> str:
    if t is None or not math.isfinite(t):
        return "-"
    # rounded to the tenth first: 599.98 s is 10:00.0, not 9:60.0
    m, s = divmod(round(max(0.0, t), 1), 60)
    return f"{int(m)}:{s:04.1f}"


def applies_to(c: Correction) -> str:
    """ "reps 1, 2", "holds 1-4" or "shown 3 times, first at 0:12.0" for a correction."""
    if c.reps:
        return ("rep " if len(c.reps) == 1 else "reps ") + _numbers(c.reps)
    if c.holds:
        return ("hold " if len(c.holds) == 1 else "holds ") + _numbers(c.holds)
    times = "once" if c.count == 1 else f"{c.count} times"
    return f"{times}, first at {format_mmss(c.first_s)}"


def _numbers(ns: list[int]) -> str:
    """[1, 2, 3, 5] -> "1-3, 5"."""
    runs: list[list[int]] = []
    for n in sorted(ns):
        if runs and runs[-1][-1] == n - 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    return ", ".join(str(r[0]) if len(r) == 1 else f"{r[0]}-{r[-1]}" for r in runs)


def screen_summary(summary: SessionSummary, exercise: Exercise | None, info: MediaInfo | None,
                   outdir: Path | None = None, names: list[str] | None = None) -> str:  # fmt: skip
    """The one-screen text printed after a session."""
    title = exview.ex_title(exercise) if exercise is not None else summary.exercise
    lines = []
    head = f"{title}"
    if summary.recognition:
        conf = summary.recognition.get("confidence")
        head += " (recognised" + (f", {conf:.0%} confident)" if conf is not None else ")")
    if summary.side:
        head += f", {exview.side_words(exercise, summary.side)}"
    src = Path(info.path).name if info else ""
    lines.append(
        f"{head}: {src}, {format_mmss(summary.duration_s)}, {summary.frames} frames, "
        f"person found in {summary.frames_with_pose}"
        + ("  [PARTIAL: interrupted]" if summary.partial else "")
    )
    score = "-" if summary.score is None else f"{summary.score:.0f}/100"
    held, due, _ = exview.hold_counts(exercise, summary.holds, summary.reps)
    target = exview.hold_target(exercise)
    hold_t = f" (target {target:g} s)" if target else ""
    if exview.holds_only(exercise):
        lines.append(f"score {score}   holds reached {held} of {due}{hold_t}")
    else:
        reps = exview.reps_words(exercise, summary.reps_complete, summary.holds, summary.reps)
        holds = f"holds reached {held} of {due}{hold_t}   " if due else ""
        lines.append(f"score {score}   {holds}reps {reps}")
    # the session's ranked corrections (posecheck.corrections): the same list, in the
    # same order, as summary.json, the report and the live cues
    top = summary.corrections[:3]
    if top:
        lines.append("top corrections:")
        for c in top:
            where = applies_to(c)
            lines.append(f"  {c.text}" + (f" ({where})" if where else ""))
        if len(summary.corrections) > 3:
            lines.append(f"  and {len(summary.corrections) - 3} more in the report")
    elif summary.reps or summary.holds:
        held_on = exview.held_on_note(summary.holds)
        lines.append("no corrections needed" + (f" ({held_on})" if held_on else ""))
    else:
        lines.append("no rep or hold was seen: nothing to correct")
    limits = exview.camera_limits(exercise)
    if limits:
        lines.append(f"note: {limits}")
    for w in summary.warnings:
        lines.append(f"warning: {w}")
    lines.append(DISCLAIMER)
    if outdir is not None:
        lines.append(f"results in {outdir}/: {'  '.join(names or [])}")
    return "\n".join(lines)

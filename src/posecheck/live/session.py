"""A live session put together: camera -> the one frame loop -> window/events, speech, files.

:func:`run_live` is what ``posecheck live`` runs. It is ``pipeline.run`` with

- source: ``open_source(camera, realtime=True)`` (a camera thread that keeps only
  the newest frame, or a file paced at its own speed with stale frames dropped)
  wrapped in :class:`~posecheck.live.source.LiveSource` (stop on q/Esc or the end
  of the dose; a lost camera ends the stream and the session is still saved);
- engine: the form engine wrapped in :class:`~posecheck.live.coach.LiveCoach`
  (set-up check, get-ready countdown, pause, switch side, reset, rest, done);
- sinks: the window (or the headless event printer), speech, scripted keys, the
  latency meter, and the same writers as ``analyze`` (frames.csv, landmarks,
  summary.json; the video only with ``--record``).

The loop is synchronous on purpose: take the newest frame, run the model, draw,
show. Frames that arrive meanwhile replace each other in the source's one-frame
slot, so the picture on screen is never more than one frame behind the camera.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import logging
import signal
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from posecheck import DISCLAIMER, LANDMARKS_SUFFIX
from posecheck.errors import InputError
from posecheck.history.record import told
from posecheck.live.coach import STAGE_COUNTDOWN, LiveCoach
from posecheck.live.events import EventPrinter
from posecheck.live.keys import (
    HELP_LINE,
    KEYMAP,
    ROUTINE_HELP_LINE,
    ROUTINE_KEYMAP,
    ROUTINE_KEYS_TEXT,
    KeyController,
    ScriptedKeys,
    parse_key_script,
)
from posecheck.live.routine import RoutineCoach
from posecheck.live.setup import SetupCheck
from posecheck.live.source import LiveControl, LiveSource
from posecheck.live.speech import Speaker, SpeechSink
from posecheck.live.stats import LatencyStats, StatsSink
from posecheck.protocols import Sink, SinkBase

if TYPE_CHECKING:
    from posecheck.exercise import Exercise
    from posecheck.pose import MediaInfo
    from posecheck.results import SessionSummary

log = logging.getLogger(__name__)

PRIVACY = (
    "Nothing leaves this computer: frames are analysed in memory and only the numbers "
    "are saved; video is written only with --record."
)


@dataclass
class LiveOptions:
    """Everything ``posecheck live`` takes (see ``posecheck live --help``)."""

    exercise: str  # "" with a routine
    camera: str = "0"
    side: str = "auto"
    mute: bool = False
    window: bool = True
    json_lines: bool = False
    record: bool = False
    outdir: str | None = None
    force: bool = False
    mirror: bool | None = None  # None: mirror a camera, not a video file
    countdown_s: float = 3.0
    rest_s: float | None = None
    stats: bool = False
    keys: str = ""
    summary_s: float = 8.0
    poses_dirs: list[str] = field(default_factory=list)
    smoothing: bool = True
    model_complexity: int = 1
    # posecheck.history.HistoryOptions: record the session (None: do not); without a
    # --pain-after, the end card (or the terminal) asks for one
    history: Any = None
    routine: str = ""  # a routine's name or file: its runs instead of one exercise
    routines_dirs: list[str] = field(default_factory=list)
    # a routine's announcement card before each run's set-up (None: as long as its words
    # take to say, at least 5 s)
    announce_s: float | None = None


@dataclass
class LiveOutcome:
    summary: Any
    outdir: Path
    ended: str  # "done", "quit", "end of video", "camera lost", "interrupted"
    disconnected: str = ""
    stats: Any = None
    files: list[str] = field(default_factory=list)
    spoken: list[str] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    pain_after: int | None = None  # answered at the end (a key 0-9), or --pain-after
    history_id: int | None = None  # the history row this session was recorded as


def default_outdir(exercise: str) -> Path:
    # The folder name is the only use of the wall clock: a label, not logic.
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    return Path("posecheck-live") / f"{exercise}-{stamp}"


def _check_outdir(path: Path, force: bool, camera: str = "") -> None:
    """Refuse a file or a non-empty folder before anything starts (nothing is created yet),
    and a video played as the camera that sits in the folder (--force would replace it)."""
    from posecheck import safeio

    if path.exists() and not path.is_dir():
        raise InputError(f"{path}: exists and is not a folder", "choose another -o OUTDIR")
    if camera and path.is_dir() and Path(camera).is_file():
        for f in path.iterdir():
            if safeio.same_file(f, camera):
                raise InputError(
                    f"{f}: the session would be saved over the video it plays",
                    "choose another -o OUTDIR",
                )
    if path.is_dir():
        safeio.drop_stale_temps_in(path)  # a session killed outright left only these
    if path.is_dir() and any(path.iterdir()) and not force:
        raise InputError(
            f"{path}: folder is not empty (an earlier session?)",
            "choose another -o OUTDIR, or add --force to write over it",
        )


def _make_outdir(path: Path) -> Path:
    try:
        # Private (0700): a session is a video and data of a person's body; other local
        # users must not read it (the files inside keep the usual modes).
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
        path.chmod(0o700)
        probe = path / ".posecheck-write-test"
        probe.write_text("")
        probe.unlink()
    except OSError as exc:
        raise InputError(
            f"{path}: cannot write here ({exc.strerror})", "choose another -o OUTDIR"
        ) from None
    return path


class _DoneWatcher(SinkBase):
    """Stops the loop once the coach says the dose is complete."""

    def __init__(self, coach: LiveCoach | RoutineCoach, control: LiveControl):
        self.coach, self.control = coach, control

    def open(self, info: Any, exercise: Any) -> None:
        pass

    def write(self, frame: Any, result: Any) -> None:
        if self.coach.done:
            self.control.request_stop("done")

    def close(self, summary: Any) -> None:
        pass


class _RealTimeRecord(SinkBase):
    """--record: the video keeps real time although the loop drops frames.

    A frame that replaces dropped ones (a gap in the frame index) is written once
    for each of them, so the annotated video plays at the camera's speed instead
    of fast-forwarding over every moment the model was busy.
    """

    def __init__(self, video: Any, follow: Any = None):
        self.video = video
        self._last: int | None = None
        # a routine: the coach whose exercise the overlay follows from step to step
        self.follow = follow
        self._drawn_for: Any = None

    def open(self, info: Any, exercise: Any) -> None:
        self.video.open(info, exercise)

    def write(self, frame: Any, result: Any) -> None:
        if frame is None:
            return
        repeat = 1 if self._last is None else max(1, frame.index - self._last)
        self._last = frame.index
        if self.follow is not None and self.follow.exercise is not self._drawn_for:
            from posecheck.sinks.overlay import Overlay

            self._drawn_for = self.follow.exercise
            self.video.overlay = Overlay(self._drawn_for)
        for _ in range(min(repeat, 30)):  # a long stall (>1 s) is not worth re-encoding
            self.video.write(frame, result)

    def end(self, result: Any) -> None:
        self.video.end(result)  # the last frame shows what the end of the session counted

    def close(self, summary: Any) -> None:
        self.video.close(summary)


class _LiveInfo(SinkBase):
    """Closes just before summary.json: adds how the session ran to its ``live`` key."""

    def __init__(self, summary_sink: Any, control: LiveControl, stats: LatencyStats,
                 source: LiveSource, opts: LiveOptions, mirror: bool):  # fmt: skip
        self.summary_sink, self.control, self.stats = summary_sink, control, stats
        self.source, self.opts, self.mirror = source, opts, mirror

    def open(self, info: Any, exercise: Any) -> None:
        pass

    def write(self, frame: Any, result: Any) -> None:
        pass

    def close(self, summary: Any) -> None:
        rep = self.stats.report()
        live = {
            "camera": self.opts.camera,
            "mirror": self.mirror,
            "ended": self.control.reason or "interrupted",
            "disconnected": self.control.disconnected or None,
            "frames_dropped": rep.frames_dropped,
            "fps": round(rep.fps, 2),
            "latency_ms": {k: round(v, 1) for k, v in rep.latency_ms.items()},
            "video_recorded": self.opts.record,
        }
        self.summary_sink.extra["live"] = live
        hist = self.opts.history
        self.summary_sink.extra["history"] = bool(hist is not None and hist.enabled)
        self.summary_sink.extra.update(told(hist))
        if self.control.disconnected and self.control.disconnected not in summary.warnings:
            summary.warnings.append(self.control.disconnected)


def _end_lines(p: _Parts, outcome: LiveOutcome) -> list[str]:
    """The session's lines: the exercise's counts, or a routine's steps one by one."""
    if p.routine is not None:
        from posecheck.live.routine_out import step_lines

        return step_lines(p.routine)
    return summary_lines(outcome.summary, p.exercise)


def _print_summary(out: TextIO, outcome: LiveOutcome, lines: list[str]) -> list[str]:
    for ln in lines:
        print(ln, file=out)
    print(f"saved: {outcome.outdir}/ ({', '.join(outcome.files)})", file=out)
    return lines


def summary_lines(summary: SessionSummary, exercise: Exercise) -> list[str]:
    """A few lines for the terminal and the end card."""
    from posecheck.sinks.exview import hold_counts, reps_words, side_words

    out = [f"{exercise.title}: {summary.duration_s:.0f} s"
           + (f", {side_words(exercise, summary.side)}"
              if summary.side and summary.frames_with_pose else "")
           + (" (partial)" if summary.partial else "")]  # fmt: skip

    reached, due, _ = hold_counts(exercise, summary.holds, summary.reps)
    if due:  # (a stretch's holds due are its dose: exview.holds_due)
        out.append(f"holds reached {reached} of {due}")
    if exercise.cycle:
        out.append("reps " + reps_words(exercise, summary.reps_complete, summary.holds,
                                        summary.reps))  # fmt: skip
    if summary.score is not None:
        out.append(f"score {summary.score:.0f}/100")
    # the session's ranked corrections: the same list as summary.json and the report
    top = list(getattr(summary, "corrections", []) or [])[:3]
    if top:  # one a line, as analyze prints them (not "1.8 s.; Hold ...")
        out += ["top corrections:", *(f"  {c.text}" for c in top)]
    elif summary.reps or summary.holds:
        from posecheck.sinks.exview import held_on_note

        held_on = held_on_note(summary.holds)
        out.append("no corrections needed" + (f" ({held_on})" if held_on else ""))
    if summary.frames and not summary.frames_with_pose:  # the camera never saw anybody
        out.append("nobody was seen: the whole body in view, well lit, the camera where "
                   f"'posecheck show {exercise.name}' puts it")  # fmt: skip
    return out


@dataclass
class _Parts:
    """What one session is made of (built by :func:`_build`)."""

    exercise: Exercise  # with a routine: the first run's
    outdir: Path
    source: LiveSource
    estimator: Any
    coach: LiveCoach | RoutineCoach
    control: LiveControl
    stats: LatencyStats
    keys: KeyController
    speaker: Speaker
    sinks: list[Sink]
    files: list[str]
    window: Any = None
    summary_sink: Any = None
    title: str = ""  # the exercise's or the routine's

    @property
    def routine(self) -> RoutineCoach | None:
        return self.coach if isinstance(self.coach, RoutineCoach) else None


@contextlib.contextmanager
def _first_ctrl_c_ends(control: LiveControl, err: TextIO) -> Iterator[None]:
    """The first Ctrl-C ends the session as the q key does: its summary whole, recorded in
    the history (headless, Ctrl-C is the only way to stop, and the session it stopped was
    saved as "partial" and never recorded). A second Ctrl-C stops at once (partial)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def again(_signum: int, _frame: Any) -> None:
        control.reason = "interrupted"  # not the quit the first press asked for
        raise KeyboardInterrupt

    def first(_signum: int, _frame: Any) -> None:
        signal.signal(signal.SIGINT, again)
        control.request_stop("quit")
        print("posecheck: stopping; the session is saved as it ends (Ctrl-C again: at once)",
              file=err, flush=True)  # fmt: skip

    old = signal.signal(signal.SIGINT, first)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, old)


def run_live(
    opts: LiveOptions,
    *,
    source: Any = None,
    estimator: Any = None,
    speaker: Speaker | None = None,
    library: Any = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    stdin: TextIO | None = None,
) -> LiveOutcome:
    """Run one live session. ``source``, ``estimator``, ``speaker`` and ``library`` may be
    injected (tests: a camera that fails, poses without the model). Headless, the pain
    question is asked on ``stdin`` when it is given or a terminal."""
    from posecheck import pipeline

    out = stdout or sys.stdout
    err = stderr or sys.stderr
    p = _build(opts, source, estimator, speaker, library, out, err)
    if not opts.json_lines:
        keys = ROUTINE_HELP_LINE if p.routine else HELP_LINE
        how = f"window; {keys}" if opts.window else "headless; Ctrl-C to stop"
        print(f"posecheck live: {p.title} from {opts.camera} ({how})", file=err)
        print(PRIVACY, file=err)
        print(DISCLAIMER, file=err)
    summary = None
    try:
        with _first_ctrl_c_ends(p.control, err):
            summary = pipeline.run(
                p.source, p.estimator, p.coach, p.sinks, smoother=_smoother(opts)
            )
    except KeyboardInterrupt:
        # pipeline.run closed every sink with a partial summary; say where it went.
        # not "saved" alone: a partial session is kept out of the history (and its import)
        print(f"posecheck: interrupted; the session so far is saved in {p.outdir}/ "
              "(partial: not recorded in the history)", file=err)  # fmt: skip
        raise
    finally:
        p.estimator.close()
        p.source.close()
        if p.window is not None and summary is None:
            p.window.destroy()
    outcome = LiveOutcome(summary, p.outdir, p.control.reason or "end of video",
                          p.control.disconnected, p.stats.report(), p.files,
                          list(p.speaker.spoken), list(p.keys.pressed))  # fmt: skip
    _report_end(opts, p, outcome, out, err, stdin)
    _record_history(opts, p, outcome, err)
    return outcome


def _build(opts: LiveOptions, source: Any, estimator: Any, speaker: Speaker | None,
           library: Any, out: TextIO, err: TextIO) -> _Parts:  # fmt: skip
    """Check the inputs (failing fast, before the camera opens), then assemble the session."""
    from posecheck.estimator import EstimatorOptions, MediaPipeEstimator
    from posecheck.library import Library
    from posecheck.sources import is_camera_spec, open_source

    lib = library or Library.load(opts.poses_dirs)
    # unknown name: UnknownExerciseError with the closest
    coach, exercise, title, name = _make_coach(opts, lib)
    keymap = ROUTINE_KEYMAP if isinstance(coach, RoutineCoach) else KEYMAP
    key_script = parse_key_script(opts.keys, keymap) if opts.keys else []
    outdir = Path(opts.outdir) if opts.outdir else default_outdir(name)
    _check_outdir(outdir, opts.force, opts.camera)
    if opts.window:
        from posecheck.live.window import check_display

        check_display()  # before the camera opens: fail fast with a hint

    warm_up = estimator is None
    if estimator is None:
        # Mask-based measures (back curvature: cat-camel) need MediaPipe's segmentation.
        estimator = MediaPipeEstimator(EstimatorOptions(
            model_complexity=opts.model_complexity,
            segmentation=_needs_segmentation(coach),
        ))  # fmt: skip
    try:
        if source is None:
            _quiet_opencv()  # a missing camera is one line from us, not OpenCV's V4L2 log
            source = open_source(opts.camera, realtime=True)
        _make_outdir(outdir)  # only now: a failed camera or display leaves no empty folder
    except BaseException:
        estimator.close()
        if source is not None:
            source.close()
        raise
    if warm_up:
        _warm_up(estimator, source.info)
    is_camera = source.info.kind == "camera" or is_camera_spec(opts.camera)
    mirror = is_camera if opts.mirror is None else opts.mirror

    if speaker is None:
        warned: list[str] = []

        def warn(msg: str) -> None:
            if not warned:
                warned.append(msg)
                print(f"posecheck: warning: {msg}", file=err, flush=True)

        speaker = Speaker(enabled=not opts.mute, warn=warn)

    control = LiveControl()
    stats = LatencyStats()
    live_source = LiveSource(source, control, stats)
    coach.control = control
    keys = KeyController(coach, control, keymap)
    p = _Parts(exercise, outdir, live_source, estimator, coach, control, stats, keys, speaker,
               [], [], title=title)  # fmt: skip
    _add_sinks(p, opts, key_script, mirror, out)
    return p


def _make_coach(opts: LiveOptions, lib: Any) -> tuple[LiveCoach | RoutineCoach, Exercise, str,
                                                      str]:  # fmt: skip
    """The coach of one exercise or of a routine's runs; the exercise shown first, the
    title and the name of the default output folder."""
    from posecheck.engine import Engine

    if not opts.routine:
        exercise = lib.get(opts.exercise)
        coach = LiveCoach(Engine(exercise, side=opts.side), exercise,
                          SetupCheck(exercise, side=opts.side), countdown_s=opts.countdown_s,
                          rest_s=opts.rest_s)  # fmt: skip
        return coach, exercise, exercise.title, exercise.name
    from posecheck.routine import dosed, find_routine

    routine = find_routine(opts.routine, lib, opts.routines_dirs)
    runs = routine.plan()
    if opts.rest_s is not None:  # --rest: the rest after every run, instead of the file's
        runs = [replace(r, rest_s=opts.rest_s) for r in runs]
    exercises = [dosed(lib.get(r.exercise), r) for r in runs]
    rc = RoutineCoach(routine, runs, exercises, lambda ex: Engine(ex),
                      countdown_s=opts.countdown_s, announce_s=opts.announce_s)  # fmt: skip
    return rc, exercises[0], routine.title, routine.name


def _needs_segmentation(coach: LiveCoach | RoutineCoach) -> bool:
    """Mask-based measures (back curvature: cat-camel) need MediaPipe's segmentation."""
    from posecheck.engine import Engine

    if isinstance(coach, RoutineCoach):
        return any(Engine(ex).needs_segmentation for ex in coach.exercises)
    return bool(coach.engine.needs_segmentation)


def _add_sinks(p: _Parts, opts: LiveOptions, key_script: list, mirror: bool,
               out: TextIO) -> None:  # fmt: skip
    """Display first (latency is measured right after it), then speech and keys, then files."""
    from posecheck.sinks.tables import FramesCsvSink, SummaryJsonSink

    coach, stats = p.coach, p.stats
    if opts.window:
        from posecheck.live.window import WindowSink

        def stats_text() -> str:
            ms = stats.recent_latency_ms() if opts.stats else None
            return "" if ms is None else f"latency {ms:.0f} ms"

        keys_text = ROUTINE_KEYS_TEXT if p.routine else None
        p.window = WindowSink(coach, p.keys.handle, mirror=mirror, stats_text=stats_text,
                              keys_text=keys_text)  # fmt: skip
        p.sinks.append(p.window)
        if opts.json_lines:
            p.sinks.append(EventPrinter(out, json_lines=True, routine=p.routine))
    else:
        p.sinks.append(EventPrinter(out, json_lines=opts.json_lines, routine=p.routine))

    def countdown_left() -> float | None:
        return coach.status.countdown_left_s if coach.stage == STAGE_COUNTDOWN else None

    speech = SpeechSink(p.speaker, countdown=countdown_left, exercise=lambda: coach.exercise)
    p.sinks += [StatsSink(stats), speech]
    if key_script:
        p.sinks.append(ScriptedKeys(key_script, p.keys))
    p.sinks.append(_DoneWatcher(coach, p.control))

    p.files = ["summary.json", "frames.csv", LANDMARKS_STEM + LANDMARKS_SUFFIX]
    rc = p.routine
    if rc is not None:
        from posecheck.live.routine_out import RoutineSummaryJson, StepFramesCsv

        summary_sink: SummaryJsonSink = RoutineSummaryJson(p.outdir / "summary.json", rc)
        frames: Sink = StepFramesCsv(p.outdir / "frames.csv", rc)
    else:
        summary_sink = SummaryJsonSink(p.outdir / "summary.json")
        frames = FramesCsvSink(p.outdir / "frames.csv")
    p.summary_sink = summary_sink
    p.sinks += [frames, _landmarks_sink(p.outdir, opts)]
    if opts.record:
        from posecheck.sinks.video import VideoSink

        p.sinks.append(_RealTimeRecord(VideoSink(p.outdir / "annotated.mp4"), follow=rc))
        p.files.append("annotated.mp4")
    p.sinks += [_LiveInfo(summary_sink, p.control, stats, p.source, opts, mirror), summary_sink]
    from posecheck.sinks.session import SessionChecks

    p.sinks.insert(0, SessionChecks(shares=False))  # first: its warning reaches the writers


def _report_end(opts: LiveOptions, p: _Parts, outcome: LiveOutcome, out: TextIO,
                err: TextIO, stdin: TextIO | None = None) -> None:  # fmt: skip
    """The end: lost-camera line, the summary in the terminal and on the window's end card,
    and the pain question (a key 0-9 on the card, a line in the terminal)."""
    hist = opts.history
    ask = _should_ask_pain(hist, outcome)
    if hist is not None:
        outcome.pain_after = hist.pain_after
    if p.control.disconnected:
        print(f"posecheck: {p.control.disconnected}; the session so far is saved in "
              f"{p.outdir}/ (partial: not recorded in the history)", file=err)  # fmt: skip
    lines = _end_lines(p, outcome)
    if not opts.json_lines:
        from posecheck.sinks.exview import camera_limits

        # what the camera cannot see, as analyze says it (the terminal only: the card
        # keeps to the counts and corrections)
        limits = camera_limits(p.exercise) if p.routine is None else None
        _print_summary(out, outcome, [*lines, *([f"note: {limits}"] if limits else [])])
    if opts.stats:
        for ln in outcome.stats.lines():
            print(f"stats: {ln}", file=err if opts.json_lines else out)
    if p.window is not None:
        title = "Session complete" if outcome.ended == "done" else "Session ended"
        card = [*lines, f"saved in {p.outdir}/"]
        if not ask:
            p.window.show_summary(card, title, opts.summary_s)
        else:
            key = p.window.show_summary(
                [*card, PAIN_QUESTION], title, opts.summary_s, footer=PAIN_KEYS
            )
            outcome.pain_after = pain_from_key(key)
            if outcome.pain_after is not None:
                # said on screen: the card again with the answer, for a moment
                noted = f"back pain after: {outcome.pain_after}/10 - noted"
                p.window.show_summary([*card, noted], title, PAIN_NOTED_S, footer="",
                                      base=p.window.card_base)  # fmt: skip
        p.window.destroy()
    elif ask and not opts.json_lines:  # --json: stdout is for machines, nobody to ask
        outcome.pain_after = _ask_pain_terminal(stdin, err)


# the history's scale is 0-10 (as --pain and the terminal's question): one key gives 0-9,
# so 9 stands for "9 or 10" (the card said "9 worst", a scale of its own)
PAIN_QUESTION = "How is your back now, 0 (no pain) to 10 (worst)?"
PAIN_KEYS = "press 0-9 (9 for 9 or 10); any other key skips"
PAIN_NOTED_S = 1.5  # how long the card shows the answer


def pain_from_key(key: int | None) -> int | None:
    """The pain rating a key on the end card gives: 0-9 for the digit keys, else none."""
    if key is None or not ord("0") <= key <= ord("9"):
        return None
    return key - ord("0")


def _should_ask_pain(hist: Any, outcome: LiveOutcome) -> bool:
    """Ask only for a session that will be recorded and has no --pain-after."""
    s = outcome.summary
    return bool(
        hist is not None and hist.enabled and hist.pain_after is None and s is not None
        and not s.partial and s.frames_with_pose > 0
    )  # fmt: skip


def _ask_pain_terminal(stdin: TextIO | None, err: TextIO) -> int | None:
    """Headless: one line on the terminal (only when there is one, or ``stdin`` is given)."""
    if stdin is None:
        stdin = sys.stdin
        if stdin is None or not stdin.isatty():
            return None  # a script or a pipe: nobody to answer
    print("Back pain now, 0-10 (0 none, 10 worst; Enter skips): ", end="", file=err, flush=True)
    try:
        answer = (stdin.readline() or "").strip()
    except KeyboardInterrupt:  # Ctrl-C skips the question: the session is still recorded
        print(file=err)
        return None
    if not answer:
        return None
    if answer.isdigit() and 0 <= int(answer) <= 10:
        print(f"back pain after: {int(answer)}/10 - noted", file=err)
        return int(answer)
    print(f"posecheck: {answer!r} is not 0-10; no pain rating saved "
          "(add one later: posecheck history note)", file=err)  # fmt: skip
    return None


def _record_history(opts: LiveOptions, p: _Parts, outcome: LiveOutcome, err: TextIO) -> None:
    """Record the finished session (with the pain answer); a database problem is one line."""
    if opts.history is None or p.summary_sink is None:
        return
    import dataclasses

    from posecheck.history import record_routine, record_session, steps_recorded

    hist = dataclasses.replace(opts.history, pain_after=outcome.pain_after)
    if p.routine is not None:  # each step is a session of its exercise
        recs = record_routine(p.summary_sink.data, hist, command="live", outdir=p.outdir,
                              err=err, new_run=True)  # fmt: skip
        if recs:
            outcome.history_id = recs[0].id
            if not opts.json_lines:
                print(f"history: {steps_recorded(len(recs))} ('posecheck progress' shows "
                      "the trend)", file=err)  # fmt: skip
        return
    rec = record_session(
        p.summary_sink.data, hist, command="live", outdir=p.outdir, err=err, new_run=True
    )  # a folder given again (--force): a new session
    if rec is not None:
        outcome.history_id = rec.id
        if not opts.json_lines:
            print(f"history: session {rec.id} recorded ('posecheck progress' shows the trend)",
                  file=err)  # fmt: skip


def _warm_up(estimator: Any, info: MediaInfo) -> None:
    """One model call on a blank frame of the camera's size before the clock starts.

    MediaPipe builds its graph on the first call (hundreds of ms); done here, that
    happens before playback/capture timing starts instead of dropping the first
    frames of the session.
    """
    import numpy as np

    from posecheck.pose import Frame

    w, h = int(info.width or 640), int(info.height or 480)
    estimator.estimate(Frame(-1, 0.0, np.zeros((h, w, 3), np.uint8)))


def _quiet_opencv() -> None:
    if logging.getLogger("posecheck").getEffectiveLevel() > logging.DEBUG:
        import cv2

        cv2.setLogLevel(0)  # 0 = silent


def _smoother(opts: LiveOptions) -> Any:
    if not opts.smoothing:
        return None
    from posecheck.smoothing import PoseSmoother

    return PoseSmoother()


LANDMARKS_STEM = "live"  # -> live.landmarks.npz, found by 'posecheck score OUTDIR'


def _landmarks_sink(outdir: Path, opts: LiveOptions) -> Any:
    from posecheck.landmarks_io import LandmarksSink, landmarks_path_for

    meta = {"smoothing": "one-euro" if opts.smoothing else None, "live": True}
    return LandmarksSink(landmarks_path_for(outdir / LANDMARKS_STEM), meta=meta)

"""``posecheck analyze VIDEO --routine NAME|FILE|auto``: one recording, several exercises.

1. The model runs once over the video into the landmarks file (grid parts on workers, as
   ``-e auto`` does).
2. :func:`posecheck.segment.split` splits the poses into steps and the time between
   them: guided by the routine's plan (its order), or by recognition over a sliding
   window (``auto``).
3. One pass over the video draws and judges: :class:`RoutineJudge` gives each step's
   frames to a fresh engine for that step's exercise with its dose
   (:func:`posecheck.routine.dosed`), with its own smoother, measures and cut
   detector, exactly as ``pipeline.run`` judges that span alone; the frames between
   steps are not judged. summary.json gets ``routine`` and ``segments``, frames.csv a
   ``step`` column, the annotated video names the step, the report shows a timeline.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from posecheck import DISCLAIMER, LANDMARKS_SUFFIX
from posecheck.angles import compute_measures
from posecheck.cuts import CutDetector
from posecheck.errors import InputError, interrupt_exit_code
from posecheck.pose import MediaInfo, Pose
from posecheck.results import (
    STATE_NO_PERSON,
    STATE_PAUSED,
    STATE_TRACKING,
    FrameResult,
    SessionSummary,
)
from posecheck.segment import Span, split

if TYPE_CHECKING:
    from posecheck.sinks.overlay import Overlay

BETWEEN = "Between steps"
# What a segment's ``summary`` keeps of the summary.json content (the rest is the
# session's: file format, version, video, the definition text).
_SESSION_ONLY = ("format", "version", "posecheck_version", "created_utc", "video",
                 "definition", "disclaimer")  # fmt: skip


@dataclass
class Step:
    """A step span with what judges it and what names it."""

    span: Span
    exercise: Any  # the Exercise, with the run's dose in named mode
    run: Any  # the plan's Run (named) or None (auto)
    number: int  # the step's number as shown: the run's number, or its place (auto)
    of: int  # runs planned (named) or steps found (auto)

    @property
    def label(self) -> str:
        """``Supine twist, side 1`` (named) or the exercise's title (auto)."""
        from posecheck.sinks.exview import ex_title

        title = ex_title(self.exercise)
        return self.run.label(title) if self.run is not None else title

    @property
    def banner(self) -> str:
        return f"Step {self.number} of {self.of} - {self.label}"


def resolve_routine(name: str, library: Any, extra_dirs: Sequence[str]) -> tuple[Any, list]:
    """(routine or None for auto, [(Run, dosed Exercise)] of its plan)."""
    from posecheck.routine import dosed, find_routine

    if name.strip().lower() == "auto":
        return None, []
    routine = find_routine(name, library, extra_dirs)
    return routine, [(run, dosed(library.get(run.exercise), run)) for run in routine.plan()]


def picture_changes(video: str | Path, index: Any) -> np.ndarray:
    """Per landmarks row (matched by frame ``index``): how much the picture changed since
    the frame before (the largest absolute difference of a grey thumbnail's pixels,
    0-255; inf for the first frame), for :func:`posecheck.segment.still_frames`.
    Decodes the video."""
    from posecheck.sources import open_source

    rows = {int(ix): i for i, ix in enumerate(index)}
    out = np.full(len(rows), np.inf)
    prev: np.ndarray | None = None
    with open_source(video) as src:
        for fr in src.frames():
            h, w = fr.image.shape[:2]
            step = max(1, min(h, w) // 72)  # every step-th pixel: ~72 rows of it
            grey = fr.image[::step, ::step].mean(axis=2)
            if prev is not None and prev.shape == grey.shape:
                r = rows.get(fr.index)
                if r is not None:
                    out[r] = float(np.abs(grey - prev).max())
            prev = grey
    return out


def find_steps(
    data: Any, library: Any, plan: list, still: Any = None
) -> tuple[list[Span], list[Step]]:
    """Split a landmarks recording; the spans (steps and between) and the steps.
    ``still``: per row, a still picture (:func:`posecheck.segment.still_frames`)."""
    poses = [data.pose(i) for i in range(len(data))]
    t = [float(v) for v in data.t_s]
    if plan:
        exercises = [ex for _, ex in plan]
        spans = split(t, poses, exercises, plan=exercises, still=still)
    else:
        spans = split(t, poses, list(library), still=still)
    found = [s for s in spans if s.kind == "step"]
    steps = []
    for k, sp in enumerate(found, 1):
        if plan:
            run, ex = plan[sp.run or 0]
            steps.append(Step(sp, ex, run, run.number, len(plan)))
        else:
            steps.append(Step(sp, library.get(sp.exercise), None, k, len(found)))
    return spans, steps


class RoutineJudge:
    """The pipeline's engine for a routine: each step's frames go to that step's own
    engine, smoother, measures and cut detector (as ``pipeline.run`` would give them
    with the step's span alone); frames between steps are shown, not judged.

    Give it to ``pipeline.run`` with ``smoother=None`` and ``cuts=False``: it smooths
    and detects cuts per step itself.
    """

    exercise = None
    measure_names: tuple[str, ...] = ()

    def __init__(
        self, steps: list[Step], rows: dict[int, int], side: str = "auto", smoothing: bool = True
    ) -> None:
        self.steps, self.rows, self.side, self.smoothing = steps, rows, side, smoothing
        self.name = "routine"  # the session's ``exercise``: "routine:NAME"
        self.on_finish: Any = None  # called at the end of finish(), before the sinks close
        self.summaries: dict[int, SessionSummary] = {}  # step place (0-based) -> summary
        self.final_result: FrameResult | None = None
        self._k = 0  # the next step not finished
        self._engine: Any = None
        self._frames = self._with_pose = 0
        self._t0: float | None = None
        self._t1 = 0.0

    def step_at(self, frame_index: int) -> Step | None:
        row = self.rows.get(frame_index)
        if row is None:
            return None
        for st in self.steps:
            if st.span.start <= row < st.span.end:
                return st
        return None

    def _open(self, st: Step) -> None:
        from posecheck.engine import Engine
        from posecheck.smoothing import PoseSmoother

        self._engine = Engine(st.exercise, side=self.side)
        self._smoother = PoseSmoother() if self.smoothing else None
        self._cuts = CutDetector()
        self._names = sorted(self._engine.measure_names)
        self._min_vis = float(st.exercise.min_visibility or 0.5)

    def _close(self, partial: bool = False, boundary: bool = False) -> None:
        if self._engine is not None:
            if boundary:  # the step ended, not the recording: a hold still held was
                self._engine.pause(True)  # stopped there, not cut by the recording's end
            self.summaries[self._k] = self._engine.finish(partial=partial)
            self.final_result = self._engine.final_result
            self._engine = None
            self._k += 1

    def update(
        self, frame_index: int, t_s: float, pose: Pose | None, measures: dict[str, float]
    ) -> FrameResult:
        self._frames += 1
        self._with_pose += pose is not None
        self._t0 = t_s if self._t0 is None else self._t0
        self._t1 = t_s
        row = self.rows.get(frame_index, -1)
        while self._k < len(self.steps) and row >= self.steps[self._k].span.end:
            if self._engine is None:
                self._open(self.steps[self._k])  # a step no frame reached: judged empty
            self._close(boundary=True)
        st = self.steps[self._k] if self._k < len(self.steps) else None
        if st is None or row < st.span.start:
            state = STATE_PAUSED if pose is not None else STATE_NO_PERSON
            self.final_result = FrameResult(frame_index, t_s, pose, {}, state=state, paused=True)
            return self.final_result
        if self._engine is None:
            self._open(st)
        if self._cuts(pose, t_s):
            if self._smoother is not None:
                self._smoother.reset()
            self._engine.cut(t_s)
        smooth = self._smoother(pose, t_s) if self._smoother is not None else pose
        m = compute_measures(smooth, self._names, self._min_vis)
        result = self._engine.update(frame_index, t_s, smooth, m)
        self.final_result = result
        return result

    def cut(self, t_s: float) -> None:
        """Cuts are detected per step (see the class docs)."""

    def finish(self, partial: bool = False) -> SessionSummary:
        self._close(partial)
        done = [self.summaries[k] for k in sorted(self.summaries)]
        scored = [(s.score, s.duration_s) for s in done if s.score is not None]
        weight = sum(d for _, d in scored)
        # the session's score: the steps' scores weighed by their durations
        score = sum(v * d for v, d in scored) / weight if weight > 0 else None
        summary = SessionSummary(
            exercise=self.name, side=None, duration_s=self._t1 - (self._t0 or 0.0),
            frames=self._frames, frames_with_pose=self._with_pose,
            holds=[h for s in done for h in s.holds], reps=[r for s in done for r in s.reps],
            score=None if score is None else round(score, 1), partial=partial,
        )  # fmt: skip
        if self.on_finish is not None:
            self.on_finish()
        return summary


def segment_dicts(spans: list[Span], steps: list[Step], summaries: dict, info: Any) -> list:
    """summary.json's ``segments`` (see notes ROUTINE_SPEC: the shared contract)."""
    from posecheck.sinks.tables import summary_dict

    by_span = {id(st.span): (k, st) for k, st in enumerate(steps)}
    out = []
    for i, sp in enumerate(spans, 1):
        d: dict[str, Any] = {
            "index": i, "kind": sp.kind, "exercise": None, "title": None, "run": None,
            "step": None, "side": None, "start_s": round(sp.start_s, 3),
            "end_s": round(sp.end_s, 3), "confidence": None, "summary": None,
        }  # fmt: skip
        if id(sp) in by_span:
            k, st = by_span[id(sp)]
            d.update(exercise=sp.exercise, title=st.label, confidence=sp.confidence)
            if st.run is not None:
                d.update(run=st.run.number, step=st.run.step, side=st.run.side)
            s = summaries.get(k)
            if s is not None:
                s.exercise = st.exercise.name
                full = summary_dict(s, info=info, exercise=st.exercise)
                d["summary"] = {k2: v for k2, v in full.items() if k2 not in _SESSION_ONLY}
        out.append(d)
    return out


# --- the outputs ------------------------------------------------------------------------


class _StepWriter:
    """A csv writer adding the ``step`` column (the header's first row, then each row's)."""

    def __init__(self, writer: Any, judge: RoutineJudge) -> None:
        self.writer, self.judge = writer, judge
        self.header = True

    def writerow(self, row: list) -> None:
        if self.header:
            self.header = False
            self.writer.writerow([*row, "step"])
            return
        st = self.judge.step_at(int(row[0]))
        self.writer.writerow([*row, st.label if st is not None else ""])


def step_csv_sink(path: Path, judge: RoutineJudge) -> Any:
    """frames.csv with a ``step`` column: the step's title, empty between steps."""
    from posecheck.sinks import exview
    from posecheck.sinks.tables import FramesCsvSink

    class StepFramesCsv(FramesCsvSink):
        def open(self, info: MediaInfo, exercise: Any) -> None:
            super().open(info, exercise)
            self._writer = _StepWriter(self._writer, judge)
            # the columns of every step's exercise, not only the first one's
            for st in judge.steps:
                self._declared += [m for m in exview.measure_names(st.exercise)
                                   if m not in self._declared]  # fmt: skip
                self._bands += [b for b in exview.bands(st.exercise) if b not in self._bands]

    return StepFramesCsv(path)


class RoutineOverlay:
    """Each step's own overlay (its title, counts, hold ring), and the step at the top."""

    def __init__(self, judge: RoutineJudge) -> None:
        from posecheck.sinks.overlay import Overlay

        self.judge = judge
        self._plain = Overlay(None)
        self._by_step = {id(st): Overlay(st.exercise) for st in judge.steps}

    def draw(self, img: np.ndarray, result: FrameResult) -> np.ndarray:
        from posecheck.sinks import overlay as ov

        st = self.judge.step_at(result.index)
        if st is not None:
            self._by_step[id(st)].draw(img, result)
        elif result.state == STATE_PAUSED:  # between steps: the skeleton, no "Paused"
            self._plain.draw(img, dataclasses.replace(result, state=STATE_TRACKING))
        else:  # nobody in view
            self._plain.draw(img, result)
        h, w = img.shape[:2]
        lay = ov._layout(w, h)
        thick = max(1, round(1.5 * lay.s))
        # the whole "Step 2 of 7 - Supine twist, side 1" where it fits beside the
        # exercise's own panel (top left, with its title); "Step 2 of 7" where not
        texts = [st.banner, f"Step {st.number} of {st.of}"] if st is not None else [BETWEEN]
        for text in texts:
            tw, th, base = ov.text_size(text, lay.font, thick)
            if tw <= 0.45 * w:
                break
        x0 = max(0, w - tw - 2 * lay.pad)
        ov.darken(img, x0, 0, w, th + base + 2 * lay.pad, 0.45)
        ov.put_text(img, text, (x0 + lay.pad, lay.pad + th), lay.font, ov.WHITE, thick)
        return img


def in_plan_order(segments: list[dict]) -> bool:
    """Whether a named routine's steps were found in its plan's order (their runs rise)."""
    runs = [s.get("run") or 0 for s in segments if s["kind"] == "step"]
    return runs == sorted(runs)


def screen_lines(routine: Any, segments: list[dict], missing: list[str] | None = None) -> list[str]:
    """The terminal summary: one line per segment, in time order; whether the steps came
    in the plan's order; the planned steps not found last."""
    from posecheck.sinks.session import format_mmss

    head = f"{routine.title} ({routine.name})" if routine is not None else "Routine (auto)"
    n = sum(s["kind"] == "step" for s in segments)
    order = ""
    if routine is not None and not in_plan_order(segments):
        order = " in another order than planned (each judged with its planned dose)"
    lines = [f"{head}: {n} step{'' if n == 1 else 's'} found{order}"]
    for s in segments:
        when = f"{format_mmss(s['start_s'])}-{format_mmss(s['end_s'])}"
        if s["kind"] != "step":
            lines.append(f"  {when}  {BETWEEN.lower()}")
            continue
        d = s["summary"] or {}
        score = "-" if d.get("score") is None else f"{d['score']:.0f}/100"
        holds = d.get("holds") or []
        parts = [f"score {score}"]
        if holds:
            parts.append(f"holds {d.get('holds_reached', 0)}/{len(holds)}")
        if d.get("reps"):
            parts.append(f"reps {d.get('reps_complete', 0)}")
        top = (d.get("corrections") or [])[:1]
        if top:
            parts.append(f"fix: {top[0]['text']}")
        lines.append(f"  {when}  {s['title']}: " + "   ".join(parts))
    if missing:
        lines.append(f"  not found: {'; '.join(missing)} (not filmed, or out of view? "
                     "'posecheck show' says how to film each)")  # fmt: skip
    return lines


# --- the command ------------------------------------------------------------------------


def run_routine(args: argparse.Namespace) -> int:
    """``analyze --routine``: see the module docs."""
    from posecheck.commands._offline import model_pass
    from posecheck.commands._progress import ProgressLine
    from posecheck.commands.analyze import default_outdir
    from posecheck.library import library_from_args
    from posecheck.sinks.session import SessionOutputs, prepare_outdir
    from posecheck.sources import open_source

    video = Path(args.video)
    library = library_from_args(args)
    if args.exercise.lower() != "auto":
        raise InputError(
            "give either -e or --routine", "--routine judges each step with its own exercise"
        )
    routine, plan = resolve_routine(args.routine, library, args.routines_dir)
    source = open_source(video)
    try:
        if source.info.kind == "camera":
            raise InputError(
                f"{video}: is a camera or a stream, not a recording",
                f"follow a routine live with 'posecheck live --routine {args.routine}'",
            )
        from posecheck.history.record import options_from_args, told

        outdir: Path = args.out if args.out is not None else default_outdir(video)
        rdict = _routine_dict(routine, plan)
        outputs = SessionOutputs(
            outdir, stem=video.stem, video=not args.no_video, report=not args.no_report,
            landmarks_meta={"smoothing": "one-euro" if args.smoothing else None},
            extra={"input": {"path": str(video), "resolved": str(video.resolve()),
                             "routine_arg": args.routine},
                   "routine": rdict, "segments": [], "history": bool(args.history),
                   **told(options_from_args(args))},
        )  # fmt: skip
        outputs.earlier = prepare_outdir(outdir, outputs.names(), [video], args.force)
    except BaseException:
        source.close()
        raise
    with outputs.replacing():
        lm_path = outdir / (video.stem + LANDMARKS_SUFFIX)
        progress = ProgressLine(f"finding the pose in {video.name}", quiet=args.quiet)
        exercises = [ex for _, ex in plan] or list(library)
        try:
            model_pass(args, source, lm_path, exercises, progress, outputs.landmarks_meta)
        except KeyboardInterrupt as exc:
            progress.done()
            where = (
                f"the poses found so far are in {lm_path}"
                if outputs.earlier is None
                else outputs.interrupted("partial results")
            )
            print(f"posecheck: interrupted: {where}", file=sys.stderr)
            return interrupt_exit_code(exc)
        finally:
            source.close()
        progress.done()
        return _judge_pass(args, video, library, routine, plan, outputs, lm_path)


def _routine_dict(routine: Any, plan: list) -> dict[str, Any]:
    if routine is None:
        return {"name": "auto", "title": "Routine (auto)", "source": None, "mode": "auto",
                "runs_planned": None, "runs_done": 0}  # fmt: skip
    return {"name": routine.name, "title": routine.title, "source": routine.source,
            "mode": "named", "runs_planned": len(plan), "runs_done": 0}  # fmt: skip


def _judge_pass(args, video, library, routine, plan, outputs, lm_path) -> int:
    from posecheck import pipeline
    from posecheck.commands._offline import ReplayEstimator
    from posecheck.commands._progress import ProgressLine
    from posecheck.landmarks_io import read_landmarks
    from posecheck.segment import still_frames
    from posecheck.sinks.session import screen_summary
    from posecheck.sources import open_source

    data = read_landmarks(lm_path)
    still = still_frames(data.t_s, picture_changes(video, data.index))
    spans, steps = find_steps(data, library, plan, still)
    name = routine.name if routine is not None else "auto"
    if not steps:
        lm_path.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            outputs.outdir.rmdir()  # only if empty
        what = f"no step of {name}" if routine is not None else "no exercise of the library"
        raise InputError(
            f"{video}: {what} was found in the recording",
            "check that the whole body is in view; 'posecheck show "
            f"{name if routine is not None else 'EXERCISE'}' says how to film it",
        )
    judge = RoutineJudge(steps, {int(ix): i for i, ix in enumerate(data.index)},
                         args.side, args.smoothing)  # fmt: skip
    judge.name = f"routine:{name}"
    outputs.landmarks_prewritten = True
    sinks = _routine_sinks(outputs, judge)
    info_box: list[Any] = []

    def fill() -> None:
        segs = segment_dicts(spans, steps, judge.summaries, info_box[0] if info_box else None)
        outputs.extra["segments"][:] = segs
        outputs.extra["routine"]["runs_done"] = len(steps)
        if routine is not None:  # named: what of the plan the recording does not show
            found = {s.get("run") for s in segs if s["kind"] == "step"}
            outputs.extra["routine"]["in_plan_order"] = in_plan_order(segs)
            outputs.extra["routine"]["runs_missing"] = [
                run.label(ex.title) for run, ex in plan if run.number not in found
            ]

    judge.on_finish = fill
    source = open_source(video)
    info_box.append(source.info)
    progress = ProgressLine(f"judging {video.name}", quiet=args.quiet)
    try:
        summary = pipeline.run(source, ReplayEstimator(data), judge, sinks, progress=progress,
                               cuts=False)  # fmt: skip
    except KeyboardInterrupt as exc:  # also SIGTERM / SIGHUP: the outputs are complete, partial
        progress.done()
        print(f"posecheck: interrupted: {outputs.interrupted('partial results')}",
              file=sys.stderr)  # fmt: skip
        return interrupt_exit_code(exc)
    finally:
        source.close()
    progress.done()
    # the session's first line (file, duration, frames) and warnings; the steps below
    head = screen_summary(summary, None, source.info, None).splitlines()
    print("\n".join([head[0]] + [h for h in head if h.startswith("warning:")]))
    missing = outputs.extra["routine"].get("runs_missing")
    print("\n".join(screen_lines(routine, outputs.extra["segments"], missing)))
    print(DISCLAIMER)
    print(f"results in {outputs.outdir}/: {'  '.join(outputs.names())}")
    from posecheck.history import record_from_args

    saved = outputs.summary_sink.data if outputs.summary_sink else None
    record_from_args(args, saved, command="analyze", source=str(video), outdir=outputs.outdir)
    return 0


def _routine_sinks(outputs: Any, judge: RoutineJudge) -> list:
    """The session's sinks: frames.csv with the step column, the video naming the step, the
    report with the timeline."""
    from posecheck.sinks.report import ReportSink
    from posecheck.sinks.routine_report import RoutineReportSink
    from posecheck.sinks.tables import FramesCsvSink
    from posecheck.sinks.video import VideoSink

    sinks = outputs.sinks()
    for w in sinks:
        if isinstance(w.sink, ReportSink):
            extra = outputs.extra
            w.sink = RoutineReportSink(w.sink.path, extra["routine"], extra["segments"],
                                       outputs=w.sink.outputs)  # fmt: skip
        elif isinstance(w.sink, FramesCsvSink):
            w.sink = step_csv_sink(w.sink.path, judge)
        elif isinstance(w.sink, VideoSink):
            w.sink.overlay = cast("Overlay", RoutineOverlay(judge))
    return sinks


# --- without the video (score --routine, tests, bench/routine.py) ----------------------


@dataclass
class RoutineResult:
    """A routine judged from a landmarks file."""

    spans: list[Span]
    steps: list[Step]
    summaries: dict[int, SessionSummary]  # step place (0-based) -> that step's summary
    summary: SessionSummary  # the whole session's


def judge_landmarks(
    path: str | Path, library: Any, plan: list, side: str = "auto", smoothing: bool = True,
    video: str | Path | None = None,
) -> RoutineResult:  # fmt: skip
    """Split and judge a landmarks recording (``plan``: [(Run, dosed Exercise)], or []
    for auto) as ``analyze --routine`` judges it. ``video``: the recording, to find its
    still pictures (without it, only frozen landmarks tell a still)."""
    from posecheck import pipeline
    from posecheck.landmarks_io import LandmarksSource
    from posecheck.segment import still_frames

    with LandmarksSource(path) as src:
        d = src.data
        still = None if video is None else still_frames(d.t_s, picture_changes(video, d.index))
        spans, steps = find_steps(d, library, plan, still)
        rows = {int(ix): i for i, ix in enumerate(src.data.index)}
        judge = RoutineJudge(steps, rows, side, smoothing)
        summary = pipeline.run(src, None, judge, [], cuts=False)
    return RoutineResult(spans, steps, judge.summaries, summary)


class SpanSource:
    """Rows ``start``..``end`` of a landmarks file as a pose source: a span alone."""

    def __init__(self, path: str | Path, start: int, end: int) -> None:
        from posecheck.landmarks_io import LandmarksSource

        self._src = LandmarksSource(path)
        self.data, self.start, self.end = self._src.data, start, end
        self.info, self.warnings = self._src.info, self._src.warnings

    def poses(self) -> Iterator[tuple[int, float, Pose | None]]:
        d = self.data
        for i in range(self.start, self.end):
            yield int(d.index[i]), float(d.t_s[i]), d.pose(i)

    def close(self) -> None:
        self._src.close()


def judge_span(
    path: str | Path, start: int, end: int, exercise: Any, side: str = "auto",
    smoothing: bool = True,
) -> SessionSummary:  # fmt: skip
    """Rows ``start``..``end`` judged alone with ``exercise`` (``analyze -e`` of the span)."""
    from posecheck import pipeline
    from posecheck.engine import Engine
    from posecheck.smoothing import PoseSmoother

    src = SpanSource(path, start, end)
    try:
        return pipeline.run(src, None, Engine(exercise, side=side), [],
                            smoother=PoseSmoother() if smoothing else None)  # fmt: skip
    finally:
        src.close()


def score_rows(
    path: Path,
    lm_path: Path,
    library: Any,
    opts: dict[str, Any],
    video: bool = False,
    recording: Path | None = None,
    meta: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """``score --routine``: the recording's row, with ``segments``: one row per step.
    ``video``: ``path`` is the recording (its still pictures are found), not landmarks;
    ``recording``: the video a landmarks file came from, where it still exists (its still
    pictures are found there, so a saved session splits as analyze split it); ``meta``:
    the landmarks file's. Each step is recorded in the history as analyze records it."""
    routine, plan = resolve_routine(opts["routine"], library, opts.get("routines_dir") or [])
    smooth = opts["smoothing"] is not False
    pictures = path if video else recording
    res = judge_landmarks(lm_path, library, plan, opts["side"], smooth, pictures)
    name = routine.name if routine is not None else "auto"
    if not res.steps:
        raise InputError(f"{path}: no step of {name} was found in the recording",
                         "check that the whole body is in view")  # fmt: skip
    from posecheck.sinks.exview import hold_counts

    segs = []
    for k, st in enumerate(res.steps):
        s = res.summaries[k]
        top = s.corrections[0] if s.corrections else None
        reached, _, kept = hold_counts(st.exercise, s.holds, s.reps)  # (no short setup hold)
        segs.append({
            "file": path, "segment": st.number, "step_title": st.label,
            "exercise": st.exercise.name, "exercise_from": "routine", "start_s":
            round(st.span.start_s, 2), "end_s": round(st.span.end_s, 2),
            "confidence": st.span.confidence, "holds": f"{reached}/{len(kept)}",
            "holds_reached": reached, "holds_total": len(kept), "reps": s.reps_complete,
            "score": s.score, "top_fault": top.text if top else None,
            "top_fault_id": top.id if top else None, "frames_with_pose": s.frames_with_pose,
            "error": None,
        })  # fmt: skip
    from posecheck.history.record import record_scored_routine
    from posecheck.sinks.tables import summary_dict

    s = res.summary
    whole = summary_dict(s, info=None, exercise=None, extra={
        "routine": {**_routine_dict(routine, plan), "runs_done": len(res.steps)},
        "segments": segment_dicts(res.spans, res.steps, res.summaries, None),
    })  # fmt: skip
    hist = record_scored_routine(opts.get("history"), whole, path, meta or {}, video)
    reached = sum(1 for h in s.holds if h.reached)
    return {
        "exercise": f"routine:{name}", "exercise_from": "routine",
        "holds": f"{reached}/{len(s.holds)}", "holds_reached": reached,
        "holds_total": len(s.holds), "reps": s.reps_complete, "score": s.score,
        "frames_with_pose": s.frames_with_pose, "steps": len(res.steps), "segments": segs,
        **hist,
    }  # fmt: skip

"""Offline helpers shared by ``analyze`` and ``score``.

- :func:`estimate_to_landmarks`: run the model once over a video into a landmarks
  file (no exercise needed), for recognition and for scoring.
- :func:`recognise`: ``--exercise auto`` on a landmarks file.
- :class:`ReplayEstimator`: gives the pipeline stored poses instead of running
  the model, so a second pass over the video (to draw the annotated video)
  decodes frames only.
- :class:`ReplayPauses`: the engine paused where a saved (live) session did not judge.
- :class:`SampledSource`: a few frames a second of a video (recognition's samples).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from posecheck.errors import InputError, shown_path
from posecheck.pose import Frame, MediaInfo, Pose
from posecheck.protocols import EngineWrapper
from posecheck.recognize_evidence import CANDIDATE_SCORE, only_attempts
from posecheck.results import STATE_NO_PERSON, STATE_TRACKING, FrameResult, SessionSummary
from posecheck.segment import sample_rows as _sample_rows  # recognition's frame sampling

if TYPE_CHECKING:
    from posecheck.engine import Engine
    from posecheck.landmarks_io import LandmarksData
    from posecheck.sources import Source


def mask_measures(exercises: Iterable[Any]) -> set[str]:
    """Names of the extra (non-landmark, e.g. mask-based) measures ``exercises`` read."""
    from posecheck.angles import EXTRA_MEASURES, resolve
    from posecheck.pose import SIDES

    out: set[str] = set()
    for ex in exercises:
        names = ex.all_measures()
        for m in names:
            for side in SIDES:
                r = resolve(m, side)
                if r in EXTRA_MEASURES:
                    out.add(r)
    return out


class PoseOnlyEngine:
    """An engine stand-in for a pass that only finds poses (and mask measures)."""

    exercise = None
    final_result = None  # nothing to amend at the end: no rep or hold is judged

    def __init__(self, measure_names: Iterable[str] = ()) -> None:
        self.measure_names = set(measure_names)
        self.frames = 0
        self.frames_with_pose = 0
        self.t_first: float | None = None
        self.t_last = 0.0

    def update(
        self, frame_index: int, t_s: float, pose: Pose | None, measures: dict
    ) -> FrameResult:
        self.frames += 1
        self.frames_with_pose += pose is not None
        self.t_first = t_s if self.t_first is None else self.t_first
        self.t_last = t_s
        state = STATE_TRACKING if pose is not None else STATE_NO_PERSON
        return FrameResult(frame_index, t_s, pose, measures, state=state)

    def cut(self, t_s: float) -> None:
        """Nothing to restart: poses are only collected."""

    def finish(self, partial: bool = False) -> SessionSummary:
        return SessionSummary(
            exercise="", side=None, duration_s=self.t_last - (self.t_first or 0.0),
            frames=self.frames, frames_with_pose=self.frames_with_pose, partial=partial,
        )  # fmt: skip


def model_pass(
    args: Any, source: Any, path: Path, exercises: Iterable[Any], progress: Any, meta: dict
) -> SessionSummary:
    """:func:`estimate_to_landmarks` with ``analyze``'s model options (``args``): the one
    model pass of ``analyze -e auto`` and ``analyze --routine``, storing the mask
    measures ``exercises`` read."""
    return estimate_to_landmarks(
        source, path, mask_names=mask_measures(exercises),
        model_complexity=args.model_complexity, progress=progress, meta=meta,
        workers=args.workers, part_s=args.min_chunk,
    )  # fmt: skip


def estimate_to_landmarks(
    source: Any,
    path: Path,
    *,
    mask_names: Iterable[str] = (),
    model_complexity: int = 1,
    progress: Any = None,
    meta: dict | None = None,
    workers: int = 1,
    part_s: float | None = None,
    poses: Any = None,
) -> SessionSummary:
    """Run the model over ``source`` and write every pose to the landmarks file ``path``.

    Mask measures in ``mask_names`` are computed (with segmentation on) and stored
    as extras. A long video is tracked in parts of at least ``part_s`` seconds (default
    :data:`posecheck.parallel.DEFAULT_PART_S`), in ``workers`` processes (0: the cores;
    1: this one): :mod:`posecheck.parallel`. ``poses``: poses already estimated elsewhere
    (an object with ``source()`` and ``options``, e.g. gathered from a Ray cluster),
    written instead of running the model. Ctrl-C writes a partial file, then propagates.
    """
    from posecheck import pipeline
    from posecheck.angles import EXTRA_MEASURES
    from posecheck.estimator import EstimatorOptions, MediaPipeEstimator
    from posecheck.landmarks_io import LandmarksSink

    names = set(mask_names)
    needs_mask = any(getattr(EXTRA_MEASURES.get(n), "needs_mask", True) for n in names)
    opts = EstimatorOptions(model_complexity=model_complexity, segmentation=needs_mask)
    est: Any = poses
    if est is not None:
        source = est.source()
    else:
        from posecheck import parallel
        from posecheck.estimator import check_options

        check_options(opts)
        part = parallel.DEFAULT_PART_S if part_s is None else part_s
        est = parallel.for_source(source, workers, opts, sorted(names), part_s=part)
        if est is not None:
            source = est.source()
    est = est or MediaPipeEstimator(opts)
    try:
        return pipeline.run(
            source, est, PoseOnlyEngine(names), [LandmarksSink(path, meta=meta)],
            progress=progress, measure_names=sorted(names),
        )  # fmt: skip
    finally:
        est.close()


class _LazyPoses(Sequence):
    """Poses of the chosen rows of a landmarks file, built when read (memory stays small)."""

    def __init__(self, data: Any, rows: list[int]) -> None:
        self.data, self.rows = data, rows

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self.data.pose(self.rows[k]) for k in range(*i.indices(len(self)))]
        return self.data.pose(self.rows[i])


def recognition_of(data: Any, library: Any, min_score: float | None = None) -> Any:
    """``--exercise auto``'s :class:`~posecheck.recognize.Recognition` of a landmarks
    recording: its rows sampled at ``SAMPLE_FPS`` (the model ran on every frame; the
    recogniser reads a few a second), paused rows of a live session left out.
    ``bench/recognition.py`` measures this very function."""
    from posecheck.recognize import MIN_SCORE, SAMPLE_FPS, is_looping, recognize

    rows = _sample_rows(data.t_s, SAMPLE_FPS)
    paused = data.paused
    if paused is not None:
        # a live session: what the person did before the exercise started (getting into
        # place, the countdown) or while paused is not the exercise
        rows = [i for i in rows if not paused[i]] or rows
    return recognize(
        [float(data.t_s[i]) for i in rows], _LazyPoses(data, rows), list(library),
        min_score=MIN_SCORE if min_score is None else min_score, loop=is_looping(data.meta),
    )  # fmt: skip


def _shallow_none(rec: Any, library: Any, where: str) -> None:
    """Raise the one line for a "none" whose best candidate repeated its movement, but no
    further than breathing in its start position moves (``[recognition]
    confirm_change_deg``: a pelvic tilt's few degrees); return when that is not why."""
    from posecheck.recognize import shallow

    exercises = list(library)
    first = next((sc for sc in rec.scores if rec.candidates and sc.name == rec.candidates[0]),
                 None)  # fmt: skip
    if first is None or not shallow(first, exercises):
        return
    ex = next(e for e in exercises if e.name == first.name)
    rest = ", ".join(rec.candidates[1:])
    raise InputError(
        f"{where}: moves like {first.name}, but only {first.change_reached or 0.0:.1f}° from rest, "
        f"no more than breathing in that position moves (-e auto names it from "
        f"{ex.recognition.confirm_change_deg:g}°), so it is not named for sure"
        + (f" (other candidates: {rest})" if rest else ""),
        f"if that is what you are doing, name it: -e {first.name}",
    )


# seconds a phase's targets must have held without a rule that is part of the movement
# before a "none"'s line says the repetitions left it out (rather than stopped short)
MISSED_MIN_S = 0.5


def _left_out(first: Any, library: Any) -> str:
    """The cue of the rule, part of the best fit's movement (``[recognition]
    movement_rules``), that its repetitions left out longest; "" when none did."""
    missed = {k: v for k, v in (getattr(first, "movement_missed", {}) or {}).items()
              if v >= MISSED_MIN_S}  # fmt: skip
    if not missed:
        return ""
    rule_id = max(missed, key=lambda k: missed[k])
    rules = library.get(first.name).all_rules
    return next((r.cue for r in rules if r.id == rule_id and r.cue), "")


def recognise(data: Any, library: Any) -> tuple[Any, dict[str, Any]]:
    """The library exercise a landmarks recording shows, and the recognition record.

    Raises :class:`InputError` (one line, best guess included) when nothing fits.
    """
    where = shown_path(str(data.meta.get("source") or data.path))
    if not data.present.any():
        raise InputError(
            f"{where}: no person found, so the exercise cannot be recognised",
            "film the whole body in good light, or name the exercise with -e",
        )
    rec = recognition_of(data, library)
    record = rec.to_dict()
    if rec.name is None:
        _shallow_none(rec, library, where)
        others = [c for c in rec.candidates if c not in rec.possible[:1]]
        also = f" (other candidates: {', '.join(others)})" if others else ""
        if rec.possible:
            # the position fits an exercise the camera cannot confirm (a draw-in is hook
            # lying with an invisible contraction): say so rather than guess
            name = rec.possible[0]
            raise InputError(
                f"{where}: the position fits {name}, which a camera cannot tell from "
                f"resting in that position, so it is not recognised automatically{also}",
                f"if that is what you are doing, name it: -e {name}",
            )
        first = next((sc for sc in rec.scores if rec.candidates and sc.name == rec.candidates[0]),
                     None)  # fmt: skip
        if first is not None and only_attempts(first):
            # the movement of the best fit, never completed: an exercise done short looks
            # like another movement passing part of the way, so say which and why
            rest = ", ".join(rec.candidates[1:])
            reps = "its one repetition" if first.attempts == 1 else (
                f"its {first.attempts} repetitions")  # fmt: skip
            cue = _left_out(first, library)
            short = (
                f'{reps} left out part of it ("{cue}")' if cue
                else "its one repetition did not reach the top" if first.attempts == 1
                else f"none of its {first.attempts} repetitions reached the top"
            )  # fmt: skip
            raise InputError(
                f"{where}: looks most like {first.name}, but {short}, so it is not named "
                "for sure" + (f" (other candidates: {rest})" if rest else ""),
                f"if that is what you are doing, name it with -e {first.name}"
                + ("" if cue else ": the report then says what fell short"),
            )
        if rec.candidates:
            raise _not_sure(where, rec)
        best = rec.best or "nothing"
        raise InputError(
            f"{where}: no exercise of the library fits "
            f"(closest: {best}, {_below(rec.confidence, rec.threshold)} < {rec.threshold:.0%})",
            "name the exercise with -e; 'posecheck exercises' lists them",
        )
    return library.get(rec.name), record


def _not_sure(where: str, rec: Any) -> InputError:
    """Several exercises fit in part, none clearly: name them rather than pick one."""
    angled = [sc.name for sc in rec.scores if sc.name in rec.candidates
              and (sc.off_view_score or 0.0) > sc.score]  # fmt: skip
    fit = ("fits", "its") if len(angled) == 1 else ("fit", "their")
    view = (f"; {' and '.join(angled)} {fit[0]} better seen from another angle than "
            f"{fit[1]} camera view ('posecheck show' says which)"
            if angled else "")  # fmt: skip
    if not any(max(sc.score, sc.off_view_score or 0.0) >= CANDIDATE_SCORE
               for sc in rec.scores if sc.name in rec.candidates):  # fmt: skip
        # only their position was seen (hook lying: a draw-in, a tilt, a bridge...)
        # (not "the clip shows ... none of their movements": a dead bug moving
        # all four limbs read as "the tool saw no movement")
        view += (
            "; the position fits, but no movement of theirs was seen, so they cannot "
            "be told apart" if len(rec.candidates) > 1
            else "; the position fits, but its movement was not seen"
        )  # fmt: skip
    return InputError(
        f"{where}: not sure which exercise this is: {' or '.join(rec.candidates)} "
        f"(confidence {_below(rec.confidence, rec.threshold)}, "
        f"{rec.threshold:.0%} needed){view}",
        # not only "e.g. -e pelvic-tilt": a dead bug at 0% was told to name a
        # pelvic tilt, and was then counted as one
        f"if it is {'one of these' if len(rec.candidates) > 1 else 'that'}, name it "
        f"with -e, e.g. -e {rec.candidates[0]}; posecheck knows only the exercises "
        "'posecheck exercises' lists",
    )


def _below(confidence: float, threshold: float) -> str:
    """A confidence under its threshold with the decimals it takes to print it under:
    "59.96%" beside "60% needed", never "confidence 60%, 60% needed"."""
    for places in (0, 1, 2):
        text = f"{confidence:.{places}%}"
        if float(text.rstrip("%")) < threshold * 100:
            return text
    return f"just under {threshold:.0%}"


class ReplayEstimator:
    """Returns the stored pose for each frame (matched by frame index), never runs a model."""

    def __init__(self, data: Any) -> None:
        self.data = data
        self._row = {int(ix): i for i, ix in enumerate(data.index)}

    def estimate(self, frame: Frame) -> Pose | None:
        i = self._row.get(frame.index)
        return None if i is None else self.data.pose(i)

    def close(self) -> None:
        pass


class ReplayPauses(EngineWrapper):
    """The engine, paused on the frames a saved session did not judge (its ``paused`` array).

    A live session's engine is paused during the set-up check and countdown before the
    exercise starts (and for the pause key, rests, after the dose); the landmarks file
    records those frames. Re-scoring pauses the engine on the same frames (matched by
    frame index), so it judges what the live session judged; ``quit``: the session ended
    by the quit key, so a hold still held then was stopped by the person, as live said
    (not "the recording ended ... into your last hold"). Everything else is the engine's
    (``measure_names``, ``exercise``, ``cut``, ``final_result``).
    """

    def __init__(self, engine: Engine, data: LandmarksData, quit: bool = False) -> None:
        super().__init__(engine)
        self._engine = engine
        self._quit = quit
        flags = data.paused if data.paused is not None else ()
        self._paused = {int(ix): bool(f) for ix, f in zip(data.index, flags, strict=False)}

    def finish(self, partial: bool = False) -> SessionSummary:
        if self._quit:
            self._engine.pause(True)
        return self._engine.finish(partial=partial)

    @staticmethod
    def needed(data: LandmarksData) -> bool:
        """True when the file says some frames were not judged."""
        return data.paused is not None and bool(data.paused.any())

    def update(
        self, frame_index: int, t_s: float, pose: Pose | None, measures: dict[str, float]
    ) -> FrameResult:
        self._engine.pause(self._paused.get(frame_index, False))
        return self._engine.update(frame_index, t_s, pose, measures)


class SampledSource:
    """A source passing on at most ``fps`` frames a second (all with None), and none
    after ``max_seconds`` (recognition runs the model on 10 frames a second)."""

    def __init__(self, source: Source, fps: float | None, max_seconds: float | None = None):
        self._source = source
        self.fps, self.max_seconds = fps, max_seconds
        self.info = source.info

    @property
    def warnings(self) -> list[str]:
        return list(self._source.warnings)

    def frames(self) -> Iterator[Frame]:
        next_t = -math.inf
        for frame in self._source.frames():
            if self.max_seconds is not None and frame.t_s > self.max_seconds:
                break
            if self.fps and frame.t_s + 1e-6 < next_t:
                continue
            next_t = frame.t_s + 1.0 / self.fps if self.fps else -math.inf
            yield frame

    def close(self) -> None:
        self._source.close()


class LimitedSource:
    """A source that stops after ``n`` frames (the frames a partial first pass saw)."""

    def __init__(self, source: Source, n: int) -> None:
        self._source, self._n = source, n

    @property
    def info(self) -> MediaInfo:
        return self._source.info

    @property
    def warnings(self) -> list[str]:
        return self._source.warnings

    def frames(self) -> Iterator[Frame]:
        for k, frame in enumerate(self._source.frames()):
            if k >= self._n:
                break
            yield frame

    def close(self) -> None:
        self._source.close()


def finite(v: float | None) -> bool:
    return v is not None and math.isfinite(v)

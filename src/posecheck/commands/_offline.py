"""Offline helpers shared by ``analyze`` and ``score``.

- :func:`estimate_to_landmarks`: run the model once over a video into a landmarks
  file (no exercise needed), for recognition and for scoring.
- :func:`recognise`: ``--exercise auto`` on a landmarks file.
- :class:`ReplayEstimator`: gives the pipeline stored poses instead of running
  the model, so a second pass over the video (to draw the annotated video)
  decodes frames only.
- :class:`ReplayPauses`: the engine paused where a saved (live) session did not judge.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from posecheck.errors import InputError
from posecheck.pose import Frame, Pose
from posecheck.results import STATE_NO_PERSON, STATE_TRACKING, FrameResult, SessionSummary


def mask_measures(exercises: Iterable[Any]) -> set[str]:
    """Names of the extra (non-landmark, e.g. mask-based) measures ``exercises`` read."""
    from posecheck.angles import EXTRA_MEASURES, resolve
    from posecheck.pose import SIDES

    out: set[str] = set()
    for ex in exercises:
        names = ex.all_measures() if hasattr(ex, "all_measures") else ex.key_measures
        for m in names:
            for side in SIDES:
                r = resolve(m, side)
                if r in EXTRA_MEASURES:
                    out.add(r)
    return out


class PoseOnlyEngine:
    """An engine stand-in for a pass that only finds poses (and mask measures)."""

    exercise = None

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

    def finish(self, partial: bool = False) -> SessionSummary:
        return SessionSummary(
            exercise="", side=None, duration_s=self.t_last - (self.t_first or 0.0),
            frames=self.frames, frames_with_pose=self.frames_with_pose, partial=partial,
        )  # fmt: skip


def estimate_to_landmarks(
    source: Any,
    path: Path,
    *,
    mask_names: Iterable[str] = (),
    model_complexity: int = 1,
    progress: Any = None,
    meta: dict | None = None,
) -> SessionSummary:
    """Run the model over ``source`` and write every pose to the landmarks file ``path``.

    Mask measures in ``mask_names`` are computed (with segmentation on) and stored
    as extras. Ctrl-C writes a partial file, then propagates.
    """
    from posecheck import pipeline
    from posecheck.angles import EXTRA_MEASURES
    from posecheck.estimator import EstimatorOptions, MediaPipeEstimator
    from posecheck.landmarks_io import LandmarksSink

    names = set(mask_names)
    needs_mask = any(getattr(EXTRA_MEASURES.get(n), "needs_mask", True) for n in names)
    est = MediaPipeEstimator(
        EstimatorOptions(model_complexity=model_complexity, segmentation=needs_mask)
    )
    try:
        return pipeline.run(
            source, est, PoseOnlyEngine(names), [LandmarksSink(path, meta=meta)],
            progress=progress, measure_names=sorted(names),
        )  # fmt: skip
    finally:
        est.close()


def _sample_rows(t_s: Any, fps: float) -> list[int]:
    """Row indices at most ``fps`` a second (the first row, then each >= 1/fps later)."""
    rows, next_t = [], -math.inf
    for i, t in enumerate(t_s):
        if t + 1e-6 >= next_t:
            rows.append(i)
            next_t = float(t) + 1.0 / fps
    return rows


class _LazyPoses(Sequence):
    """Poses of the chosen rows of a landmarks file, built when read (memory stays small)."""

    def __init__(self, data: Any, rows: list[int]) -> None:
        self.data, self.rows = data, rows

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            return [self.data.pose(self.rows[k]) for k in range(*i.indices(len(self)))]
        return self.data.pose(self.rows[i])


def recognise(data: Any, library: Any) -> tuple[Any, dict[str, Any]]:
    """The library exercise a landmarks recording shows, and the recognition record.

    Raises :class:`InputError` (one line, best guess included) when nothing fits.
    """
    from posecheck.recognize import SAMPLE_FPS, recognize

    if not data.present.any():
        raise InputError(
            f"{data.meta.get('source') or data.path}: no person found, so the exercise "
            "cannot be recognised",
            "film the whole body in good light, or name the exercise with -e",
        )
    from posecheck.recognize import is_looping

    # The recogniser is tuned (bench/recognition.py) on frames sampled at SAMPLE_FPS,
    # as recognize_video takes them; full-rate landmarks are sampled the same way.
    rows = _sample_rows(data.t_s, SAMPLE_FPS)
    paused = getattr(data, "paused", None)
    if paused is not None:
        # a live session: what the person did before the exercise started (getting into
        # place, the countdown) or while paused is not the exercise
        rows = [i for i in rows if not paused[i]] or rows
    rec = recognize(
        [float(data.t_s[i]) for i in rows], _LazyPoses(data, rows), list(library),
        loop=is_looping(data.meta),
    )  # fmt: skip
    record = rec.to_dict()
    if rec.name is None:
        where = data.meta.get("source") or data.path
        others = [c for c in rec.candidates if c not in rec.possible[:1]]
        also = f" (also fits in part: {', '.join(others)})" if others else ""
        if rec.possible:
            # the position fits an exercise the camera cannot confirm (a draw-in is hook
            # lying with an invisible contraction): say so rather than guess
            name = rec.possible[0]
            raise InputError(
                f"{where}: the position fits {name}, which a camera cannot tell from "
                f"resting in that position, so it is not recognised automatically{also}",
                f"if that is what you are doing, name it: -e {name}",
            )
        if rec.candidates:
            # several fit in part, none clearly: name them rather than pick one
            angled = [sc.name for sc in rec.scores if sc.name in rec.candidates
                      and (sc.off_view_score or 0.0) > sc.score]  # fmt: skip
            view = (f"; {', '.join(angled)} fits better seen from another angle than its "
                    "camera view ('posecheck show' says which)" if angled else "")  # fmt: skip
            raise InputError(
                f"{where}: not sure which exercise this is: {' or '.join(rec.candidates)} "
                f"(best {rec.confidence:.0%} confident < {rec.threshold:.0%}){view}",
                f"name the exercise with -e, e.g. -e {rec.candidates[0]}",
            )
        best = rec.best or "nothing"
        raise InputError(
            f"{where}: no exercise of the library fits "
            f"(closest: {best}, {rec.confidence:.0%} < {rec.threshold:.0%})",
            "name the exercise with -e; 'posecheck exercises' lists them",
        )
    return library.get(rec.name), record


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


class ReplayPauses:
    """The engine, paused on the frames a saved session did not judge (its ``paused`` array).

    A live session's engine is paused during the set-up check and countdown before the
    exercise starts (and for the pause key, rests, after the dose); the landmarks file
    records those frames. Re-scoring pauses the engine on the same frames (matched by
    frame index), so it judges what the live session judged. Everything else is the
    engine's (``measure_names``, ``exercise``, ``finish``, ``final_result``).
    """

    def __init__(self, engine: Any, data: Any) -> None:
        self.engine = engine
        flags = data.paused if data.paused is not None else ()
        self._paused = {int(ix): bool(f) for ix, f in zip(data.index, flags, strict=False)}

    @staticmethod
    def needed(data: Any) -> bool:
        """True when the file says some frames were not judged."""
        return data.paused is not None and bool(data.paused.any())

    def update(
        self, frame_index: int, t_s: float, pose: Pose | None, measures: dict
    ) -> FrameResult:
        self.engine.pause(self._paused.get(frame_index, False))
        return self.engine.update(frame_index, t_s, pose, measures)

    def __getattr__(self, name: str) -> Any:
        if name == "engine":
            raise AttributeError(name)
        return getattr(self.engine, name)


class LimitedSource:
    """A source that stops after ``n`` frames (the frames a partial first pass saw)."""

    def __init__(self, source: Any, n: int) -> None:
        self._source, self._n = source, n
        self.info = source.info

    def frames(self):
        for k, frame in enumerate(self._source.frames()):
            if k >= self._n:
                break
            yield frame

    def __getattr__(self, name: str) -> Any:
        return getattr(self._source, name)


def finite(v: float | None) -> bool:
    return v is not None and math.isfinite(v)

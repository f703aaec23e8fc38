"""The seams of the frame loop: what :func:`posecheck.pipeline.run` calls on each stage.

``pipeline.run`` reads poses from a source (:class:`FrameSource` through an
:class:`Estimator`, or a :class:`PoseSource` replaying stored poses), smooths them
(:class:`Smoother`), judges them (:class:`PipelineEngine`) and hands every result to
the sinks (:class:`Sink`). Every member the loop uses is declared here: nothing is
probed with ``getattr``. A stage without a use for a hook still has it, as a no-op
(:class:`SinkBase` gives sinks ``describe_run`` and ``end``); a wrapper around an
engine forwards each member explicitly (:class:`EngineWrapper`).

Pure: no cv2, no mediapipe (the adapters implement these protocols).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from posecheck.exercise import Exercise
    from posecheck.pose import Frame, MediaInfo, Pose
    from posecheck.results import FrameResult, SessionSummary


class FrameSource(Protocol):
    """Decoded pictures (a video, a folder, a camera): see :mod:`posecheck.sources`."""

    @property
    def info(self) -> MediaInfo: ...

    # Problems met while reading (a truncated video); the pipeline copies them into
    # the summary's warnings.
    @property
    def warnings(self) -> list[str]: ...

    def frames(self) -> Iterator[Frame]: ...


@runtime_checkable
class PoseSource(Protocol):
    """Stored poses with their times (a landmarks file): no pictures, no estimator."""

    @property
    def info(self) -> MediaInfo: ...

    @property
    def warnings(self) -> list[str]: ...

    def poses(self) -> Iterator[tuple[int, float, Pose | None]]:
        """``(frame index, t_s, pose or None)`` for every stored frame, in order."""
        ...


class Estimator(Protocol):
    """Anything that turns a frame into one person's pose (or ``None``)."""

    def estimate(self, frame: Frame) -> Pose | None:
        """The pose in ``frame``, or ``None`` when nobody is in view.

        Never raises on empty frames.
        """
        ...

    def close(self) -> None: ...


class Smoother(Protocol):
    """Smooths a pose track: ``smoother(pose, t_s)``; ``reset()`` forgets the track (cuts)."""

    def __call__(self, pose: Pose | None, t_s: float) -> Pose | None: ...

    def reset(self) -> None: ...


class PipelineEngine(Protocol):
    """What the frame loop calls on an engine (:class:`posecheck.engine.Engine` and its wrappers).

    ``final_result`` is the last frame's result amended by ``finish()`` (a rep or hold
    the end of the input closed), or None before the first frame.
    """

    @property
    def exercise(self) -> Exercise | None: ...

    @property
    def measure_names(self) -> Collection[str]: ...

    @property
    def final_result(self) -> FrameResult | None: ...

    def update(
        self, frame_index: int, t_s: float, pose: Pose | None, measures: dict[str, float]
    ) -> FrameResult:
        """Judge one frame."""
        ...

    def cut(self, t_s: float) -> None:
        """The picture cut before the frame at ``t_s``: restart motion history and baselines."""
        ...

    def finish(self, partial: bool = False) -> SessionSummary:
        """Close what the end of the input closes and summarise the session."""
        ...


class Sink(Protocol):
    """Receives every frame's result. ``frame`` is None when re-scoring from landmarks.

    Order of calls: ``describe_run`` (the estimator and smoother, before the first
    frame), ``open``, ``write`` for every frame, ``end`` with the engine's
    ``final_result`` (when there was a frame), ``close`` (also after Ctrl-C, with a
    partial summary).
    """

    def describe_run(self, estimator: Any = None, smoother: Any = None) -> None: ...

    def open(self, info: MediaInfo, exercise: Exercise | None) -> None: ...

    def write(self, frame: Frame | None, result: FrameResult) -> None: ...

    def end(self, result: FrameResult) -> None: ...

    def close(self, summary: SessionSummary) -> None: ...


class SinkBase:
    """No-op ``describe_run`` and ``end`` for sinks that need neither (subclass it)."""

    def describe_run(self, estimator: Any = None, smoother: Any = None) -> None:
        """Told which estimator and smoother produce the poses (the landmarks file records them)."""

    def end(self, result: FrameResult) -> None:
        """Receives the engine's ``final_result`` once, after the last ``write``."""


class EngineWrapper:
    """Forwards every :class:`PipelineEngine` member to ``engine``; subclasses override some.

    Explicit forwarding (no ``__getattr__``): what a wrapper offers is what it declares.
    """

    def __init__(self, engine: PipelineEngine) -> None:
        self.engine = engine

    @property
    def exercise(self) -> Exercise | None:
        return self.engine.exercise

    @property
    def measure_names(self) -> Collection[str]:
        return self.engine.measure_names

    @property
    def final_result(self) -> FrameResult | None:
        return self.engine.final_result

    def update(
        self, frame_index: int, t_s: float, pose: Pose | None, measures: dict[str, float]
    ) -> FrameResult:
        return self.engine.update(frame_index, t_s, pose, measures)

    def cut(self, t_s: float) -> None:
        self.engine.cut(t_s)

    def finish(self, partial: bool = False) -> SessionSummary:
        return self.engine.finish(partial=partial)

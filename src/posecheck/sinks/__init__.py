"""Sinks: where FrameResults go (annotated video, frames.csv, summary.json, report.html).

Every sink is a small object with three verbs, called by ``posecheck.pipeline.run``::

    sink.open(info: MediaInfo, exercise)          # before the first frame
    sink.write(frame: Frame | None, result)       # every frame; frame is None when
                                                  # re-scoring from a landmarks file
    sink.close(summary: SessionSummary)           # once, also after Ctrl-C (partial)

Sinks stream: they never keep decoded frames (the report keeps a few small JPEG
thumbnails and down-sampled angle series).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from posecheck.pose import Frame, MediaInfo
    from posecheck.results import FrameResult, SessionSummary


class Sink(Protocol):
    """The sink contract (see the module docstring)."""

    def open(self, info: MediaInfo, exercise: object) -> None: ...

    def write(self, frame: Frame | None, result: FrameResult) -> None: ...

    def close(self, summary: SessionSummary) -> None: ...

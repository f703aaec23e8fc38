"""Sinks: where FrameResults go (annotated video, frames.csv, summary.json, report.html).

Every sink is a small object called by ``posecheck.pipeline.run``::

    sink.describe_run(estimator=, smoother=)      # before open (the landmarks file
                                                  # records the model options)
    sink.open(info: MediaInfo, exercise)          # before the first frame
    sink.write(frame: Frame | None, result)       # every frame; frame is None when
                                                  # re-scoring from a landmarks file
    sink.end(result)                              # the engine's final_result, once
    sink.close(summary: SessionSummary)           # once, also after Ctrl-C (partial)

The contract is :class:`posecheck.protocols.Sink`; :class:`SinkBase` gives the
``describe_run`` and ``end`` no-ops a sink without a use for them inherits.

Sinks stream: they never keep decoded frames (the report keeps a few small JPEG
thumbnails and down-sampled angle series).
"""

from __future__ import annotations

from posecheck.protocols import Sink, SinkBase

__all__ = ["Sink", "SinkBase"]

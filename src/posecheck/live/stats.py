"""Frames/s and capture-to-display latency of a live session (``--stats``).

This is measurement, not logic: it reads the wall clock (``time.perf_counter``)
and nothing decides anything from it.

Capture time of a frame: a camera or a file played as if live delivers frame
``t_s`` at ``wall0 + (t_s - t0)`` (see :class:`LatencyStats` for the anchor).
Latency = when the frame's display sinks (the window: draw, ``imshow``,
``waitKey``) finished minus that capture time. It includes the time the frame
waited in the source, the model and the drawing. ``processing`` is the part
from the loop taking the frame to the display. Frames the source dropped
because the model was busy show up as gaps in the frame index.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from posecheck.protocols import SinkBase

if TYPE_CHECKING:
    from posecheck.exercise import Exercise
    from posecheck.pose import Frame, MediaInfo
    from posecheck.results import FrameResult, SessionSummary


@dataclass
class StatsReport:
    frames_shown: int
    frames_dropped: int
    duration_s: float
    fps: float
    latency_ms: dict[str, float]  # p50, p90, p99, max
    processing_ms: dict[str, float]
    # median latency of the first and the last third of the session: equal when no
    # queue builds up (a queue would make the latency grow with time)
    drift_ms: tuple[float, float] | None = None

    def lines(self) -> list[str]:
        lat, proc = self.latency_ms, self.processing_ms
        total = self.frames_shown + self.frames_dropped
        return [
            f"frames shown {self.frames_shown} of {total} ({self.frames_dropped} dropped "
            f"while the model was busy), {self.fps:.1f} frames/s over {self.duration_s:.1f} s",
            "capture-to-display latency ms: "
            + ", ".join(f"{k} {v:.0f}" for k, v in lat.items()),
            "processing (model + drawing) ms: "
            + ", ".join(f"{k} {v:.0f}" for k, v in proc.items()),
        ] + ([f"median latency first third {self.drift_ms[0]:.0f} ms, last third "
              f"{self.drift_ms[1]:.0f} ms (no queue: it does not grow)"]
             if self.drift_ms else [])  # fmt: skip


def _pct(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    a = np.asarray(values) * 1000.0
    return {
        "p50": float(np.percentile(a, 50)),
        "p90": float(np.percentile(a, 90)),
        "p99": float(np.percentile(a, 99)),
        "max": float(a.max()),
    }


class LatencyStats:
    """Collects, per frame, its media time, when the loop took it and when it was shown.

    The capture clock is anchored as tightly as the data allow: a frame cannot be
    taken before it was captured, so ``wall0 - t0 <= pulled - t_s`` for every
    frame, and the smallest ``pulled - t_s`` seen is the anchor. (Anchoring on the
    first frame alone would hide the first frame's own delay from every later one.)
    """

    def __init__(self, clock: Callable[[], float] = time.perf_counter):
        self.clock = clock
        self._anchor = math.inf  # min over frames of (pulled wall time - t_s)
        self._arrived: dict[int, tuple[float, float]] = {}  # index -> (t_s, pulled)
        self._rows: list[tuple[float, float, float]] = []  # (t_s, pulled, shown)
        self._first_index: int | None = None
        self._last_index: int | None = None

    @property
    def latency_s(self) -> list[float]:
        """Capture-to-display latency of each shown frame, in seconds."""
        return [shown - (self._anchor + t) for t, _, shown in self._rows]

    @property
    def processing_s(self) -> list[float]:
        return [shown - pulled for _, pulled, shown in self._rows]

    def arrived(self, index: int, t_s: float) -> None:
        """The loop took frame ``index`` (media time ``t_s``) from the source."""
        now = self.clock()
        self._anchor = min(self._anchor, now - t_s)
        self._arrived[index] = (t_s, now)
        if self._first_index is None:
            self._first_index = index
        self._last_index = index

    def shown(self, index: int) -> None:
        """Every display sink has handled frame ``index`` (it is on screen / printed)."""
        got = self._arrived.pop(index, None)
        if got is not None:
            self._rows.append((got[0], got[1], self.clock()))

    def recent_latency_ms(self, n: int = 30) -> float | None:
        """Median latency of the last ``n`` frames (for the on-screen readout)."""
        rows = self._rows[-n:]
        if not rows:
            return None
        return 1000.0 * float(np.median([sh - (self._anchor + t) for t, _, sh in rows]))

    def report(self) -> StatsReport:
        shown = len(self._rows)
        span = self._rows[-1][2] - self._rows[0][2] if shown > 1 else 0.0
        total = 0
        if self._first_index is not None and self._last_index is not None:
            total = self._last_index - self._first_index + 1
        lat = self.latency_s
        third = len(lat) // 3
        drift = None
        if third >= 3:
            drift = (1000.0 * float(np.median(lat[:third])),
                     1000.0 * float(np.median(lat[-third:])))  # fmt: skip
        return StatsReport(
            drift_ms=drift,
            frames_shown=shown,
            frames_dropped=max(0, total - shown),
            duration_s=span,
            fps=(shown - 1) / span if span > 0 else 0.0,
            latency_ms=_pct(self.latency_s),
            processing_ms=_pct(self.processing_s),
        )


class StatsSink(SinkBase):
    """Last sink of the chain: marks each frame as displayed."""

    def __init__(self, stats: LatencyStats):
        self.stats = stats

    def open(self, info: MediaInfo, exercise: Exercise | None) -> None:
        pass

    def write(self, frame: Frame | None, result: FrameResult) -> None:
        if frame is not None:
            self.stats.shown(frame.index)

    def close(self, summary: SessionSummary) -> None:
        pass

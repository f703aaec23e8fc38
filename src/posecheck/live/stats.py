"""Frames/s and capture-to-display latency of a live session (``--stats``).

This is measurement, not logic: it reads the wall clock (``time.perf_counter``)
and nothing decides anything from it.

Capture time of a frame: a camera or a file played as if live delivers frame
``t_s`` at ``wall0 + (t_s - t0)``, where ``(wall0, t0)`` is the first frame's
arrival. Latency = when the frame's sinks (the window: draw, ``imshow``,
``waitKey``) finished minus that capture time. It includes the time the frame
waited in the source, the model and the drawing. ``processing`` is the part
from the loop taking the frame to the display. Frames the source dropped
because the model was busy show up as gaps in the frame index.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass
class StatsReport:
    frames_shown: int
    frames_dropped: int
    duration_s: float
    fps: float
    latency_ms: dict[str, float]  # p50, p90, p99, max
    processing_ms: dict[str, float]

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
        ]


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
    """Collects arrival and display times per frame index."""

    def __init__(self, clock: Callable[[], float] = time.perf_counter):
        self.clock = clock
        self._anchor: tuple[float, float] | None = None  # (wall0, t0)
        self._arrived: dict[int, tuple[float, float]] = {}  # index -> (capture wall, pull wall)
        self.latency_s: list[float] = []
        self.processing_s: list[float] = []
        self._first_index: int | None = None
        self._last_index: int | None = None
        self._shown = 0
        self._first_shown_wall: float | None = None
        self._last_shown_wall: float | None = None

    def arrived(self, index: int, t_s: float) -> None:
        """The loop took frame ``index`` (media time ``t_s``) from the source."""
        now = self.clock()
        if self._anchor is None:
            self._anchor = (now, t_s)
        wall0, t0 = self._anchor
        self._arrived[index] = (wall0 + (t_s - t0), now)
        if self._first_index is None:
            self._first_index = index
        self._last_index = index

    def shown(self, index: int) -> None:
        """Every sink has handled frame ``index`` (it is on screen / printed)."""
        now = self.clock()
        got = self._arrived.pop(index, None)
        if got is None:
            return
        captured, pulled = got
        self.latency_s.append(now - captured)
        self.processing_s.append(now - pulled)
        self._shown += 1
        if self._first_shown_wall is None:
            self._first_shown_wall = now
        self._last_shown_wall = now

    def report(self) -> StatsReport:
        span = 0.0
        if self._first_shown_wall is not None and self._last_shown_wall is not None:
            span = self._last_shown_wall - self._first_shown_wall
        total = 0
        if self._first_index is not None and self._last_index is not None:
            total = self._last_index - self._first_index + 1
        fps = (self._shown - 1) / span if span > 0 and self._shown > 1 else 0.0
        return StatsReport(
            frames_shown=self._shown,
            frames_dropped=max(0, total - self._shown),
            duration_s=span,
            fps=fps,
            latency_ms=_pct(self.latency_s),
            processing_ms=_pct(self.processing_s),
        )


class StatsSink:
    """Last sink of the chain: marks each frame as displayed."""

    def __init__(self, stats: LatencyStats):
        self.stats = stats

    def open(self, info: object, exercise: object) -> None:
        pass

    def write(self, frame: object, result: object) -> None:
        if frame is not None:
            self.stats.shown(frame.index)

    def close(self, summary: object) -> None:
        pass

"""A progress line on stderr for long commands (frames done, frames/s, time left).

On a terminal it redraws one line; otherwise (a log file, CI) it prints a plain
line at each quarter so logs stay short. ``quiet`` prints nothing.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from posecheck.pipeline import Progress


def clock(s: float | None) -> str:
    """Seconds as a clock ("0:36", "1:02:05"; "--:--" when unknown), for time left."""
    if s is None:
        return "--:--"
    s = int(round(s))
    return (
        f"{s // 60}:{s % 60:02d}" if s < 3600 else f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"
    )


class ProgressLine:
    """Callable given to ``pipeline.run(progress=...)``; call :meth:`done` at the end."""

    def __init__(self, label: str, stream: TextIO | None = None, quiet: bool = False) -> None:
        self.label = label
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self._last_quarter = 0
        self._drawn = False

    def __call__(self, p: Progress) -> None:
        if self.quiet:
            return
        total = int(p.total or 0)
        done = int(p.done)
        rate = float(p.fps or 0.0)
        eta = p.eta_s
        if total:
            frac = min(1.0, done / total)
            text = (f"{self.label} {frac:4.0%} {done}/{total} frames  {rate:4.1f} frames/s  "
                    f"{clock(eta)} left")  # fmt: skip
        else:
            frac = 0.0
            text = f"{self.label} {done} frames  {rate:4.1f} frames/s"
        if self.tty:
            width = 24
            fill = int(frac * width)
            bar = "[" + "#" * fill + "." * (width - fill) + "] " if total else ""
            self.stream.write("\r" + bar + text + "\x1b[K")
            self.stream.flush()
            self._drawn = True
        else:
            quarter = int(frac * 4)
            if quarter > self._last_quarter and quarter < 4:
                self._last_quarter = quarter
                self.stream.write(text + "\n")
                self.stream.flush()

    def done(self) -> None:
        """End the redrawn line so the next output starts on a fresh line."""
        if self._drawn:
            self.stream.write("\n")
            self.stream.flush()
            self._drawn = False

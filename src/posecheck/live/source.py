"""The live source: any source, stopped by a key or the end of the dose, surviving a lost camera.

:class:`LiveSource` wraps what ``posecheck.sources.open_source`` returned (a
threaded camera that keeps only the newest frame, or a file played in real
time). It ends the frame stream when :class:`LiveControl` says stop (``q``,
Esc, dose complete), and turns a camera that fails mid-session (an exception
while reading, or a camera stream that simply ends) into a normal end of the
stream with :attr:`LiveControl.disconnected` set, so ``pipeline.run`` closes
every sink and the session so far is saved.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from posecheck.errors import PosecheckError
from posecheck.pose import Frame

log = logging.getLogger(__name__)


@dataclass
class LiveControl:
    """Shared between the keys, the coach and the source: should the loop stop, and why."""

    stop: bool = False
    reason: str = ""  # "quit", "done", "camera lost", "end of video"
    disconnected: str = ""  # the one-line reason when the camera was lost

    def request_stop(self, reason: str) -> None:
        if not self.stop:
            self.stop, self.reason = True, reason


class LiveSource:
    """Wraps a Source: same ``info``/``frames()``/``close()``, plus stop and disconnect handling."""

    def __init__(self, inner: Any, control: LiveControl, stats: Any = None):
        self.inner = inner
        self.control = control
        self.stats = stats
        self.frames_read = 0
        self.last_t_s = 0.0

    @property
    def info(self) -> Any:
        return self.inner.info

    @property
    def warnings(self) -> list[str]:
        """The wrapped source's warnings (a truncated file): they go into summary.json."""
        return list(self.inner.warnings)

    @property
    def is_camera(self) -> bool:
        return self.inner.info.kind == "camera"

    def frames(self) -> Iterator[Frame]:
        ctl = self.control
        it = iter(self.inner.frames())
        while not ctl.stop:
            try:
                frame = next(it)
            except StopIteration:
                if self.is_camera:
                    self._lost("the camera stopped sending frames")
                else:
                    ctl.request_stop("end of video")
                return
            except (PosecheckError, OSError, RuntimeError) as exc:
                msg = exc.one_line() if isinstance(exc, PosecheckError) else str(exc)
                self._lost(msg or type(exc).__name__)
                return
            self.frames_read += 1
            self.last_t_s = frame.t_s
            if self.stats is not None:
                self.stats.arrived(frame.index, frame.t_s)
            yield frame

    def _lost(self, why: str) -> None:
        log.debug("camera lost after %d frames: %s", self.frames_read, why)
        self.control.disconnected = f"camera lost at {self.last_t_s:.1f} s: {why}"
        self.control.request_stop("camera lost")

    def close(self) -> None:
        self.inner.close()

    def __enter__(self) -> LiveSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

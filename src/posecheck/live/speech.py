"""Spoken cues: a speech engine run as a subprocess, one utterance at a time, never blocking.

The frame loop only ever calls :meth:`Speaker.say` and :meth:`Speaker.tick`,
which start a process (``Popen`` returns at once) or poll one; nothing waits
for speech to finish. While one utterance plays, newer ones replace a single
pending slot (the newest wins: an old cue is stale by the time it could play),
except that an urgent one (hold complete, set complete) is never replaced by a
plain cue. The same text is not spoken again within ``cooldown_s`` of the
frames' clock.

Engines, first found wins: ``espeak-ng``, ``espeak`` (Linux), ``say`` (macOS).
None found: one warning, then silence. espeak-ng exits 0 even when there is no
audio device but prints ``error`` on stderr; that too is reported once, after
which speech is switched off.
"""

from __future__ import annotations

import logging
import math
import re
import shutil
import subprocess
from collections import deque
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from posecheck.protocols import SinkBase
from posecheck.sinks.exview import alternates

if TYPE_CHECKING:
    from posecheck.pose import Frame
    from posecheck.results import FrameResult

log = logging.getLogger(__name__)

ENGINES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("espeak-ng", ("-s", "165")),
    ("espeak", ("-s", "165")),
    ("say", ()),
)
DEFAULT_COOLDOWN_S = 8.0
# Urgent words kept waiting at most (the oldest dropped past it): a burst of rep numbers
# is not read out long after the reps.
URGENT_KEPT = 4


class Proc(Protocol):
    def poll(self) -> int | None: ...

    def terminate(self) -> None: ...

    def wait(self, timeout: float | None = None) -> int: ...


Runner = Callable[[Sequence[str]], Any]


def find_engine() -> list[str] | None:
    """The command prefix of the first installed speech engine, or None."""
    for name, args in ENGINES:
        path = shutil.which(name)
        if path:
            return [path, *args]
    return None


def _popen(cmd: Sequence[str]) -> subprocess.Popen:
    return subprocess.Popen(
        list(cmd), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )


class Speaker:
    """Says short phrases without ever blocking the caller.

    ``command``: engine command prefix (default: :func:`find_engine`); ``runner``:
    starts a process from a full command (default ``subprocess.Popen``; tests pass
    a fake). ``warn``: where the one-time warnings go.
    """

    def __init__(
        self,
        enabled: bool = True,
        command: Sequence[str] | None = None,
        cooldown_s: float = DEFAULT_COOLDOWN_S,
        runner: Runner | None = None,
        warn: Callable[[str], None] | None = None,
    ):
        self.cooldown_s = cooldown_s
        self._runner = runner or _popen
        self._warn = warn or log.warning
        self._proc: Any = None
        # urgent words wait their turn in order (the newest URGENT_KEPT); a plain cue
        # waits alone, replaced by a newer one, and only while no urgent word waits
        self._urgent: deque[str] = deque(maxlen=URGENT_KEPT)
        self._plain: str | None = None
        self._last_said: dict[str, float] = {}
        self.spoken: list[str] = []  # what was started, in order (for the summary and tests)
        self.command: list[str] | None = None
        self.enabled = enabled
        if enabled:
            self.command = list(command) if command is not None else find_engine()
            if not self.command:
                self._warn("no speech engine found (install espeak-ng); continuing without speech")
                self.enabled = False

    def say(self, text: str, t_s: float, urgent: bool = False, cooldown: bool = True) -> bool:
        """Queue ``text`` unless it was said within the cooldown. True if accepted.

        ``urgent``: said in turn after the urgent words already waiting ("Set complete",
        then "Rest 10 s - next: Bridge"; a rep number after "Hold"), never replaced by
        another word; the waiting plain cue is dropped (it would come late). A plain cue
        replaces a waiting plain cue, and is not taken while an urgent word waits.
        ``cooldown=False`` for event words ("Hold", a rep number) that may rightly repeat
        within seconds.
        """
        if not self.enabled or not text:
            return False
        last = self._last_said.get(text)
        if cooldown and last is not None and t_s - last < self.cooldown_s:
            return False
        if not urgent and self._urgent:
            return False  # an urgent word is waiting: a plain cue does not displace it
        self._last_said[text] = t_s
        if urgent:
            self._urgent.append(text)
            self._plain = None
        else:
            self._plain = text
        self.tick()
        return True

    def busy(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def tick(self) -> None:
        """Start the pending utterance if nothing is playing (call once a frame)."""
        if not self.enabled:
            return
        if self._proc is not None:
            if self._proc.poll() is None:
                return
            self._check_finished(self._proc)
            self._proc = None
            if not self.enabled:
                return
        if not (self._urgent or self._plain) or not self.command:  # enabled: a command was found
            return
        if self._urgent:
            text = self._urgent.popleft()
        else:
            text, self._plain = str(self._plain), None
        try:
            # "--": a cue is text to say, never an option of the engine (a cue from a
            # user's definition may start with "-")
            self._proc = self._runner([*self.command, "--", text])
        except OSError as exc:
            self._warn(f"speech engine {self.command[0]} failed ({exc}); continuing without speech")
            self.enabled = False
            return
        self.spoken.append(text)

    def _check_finished(self, proc: Any) -> None:
        err = b""
        stream = getattr(proc, "stderr", None)
        if stream is not None:
            try:
                err = stream.read() or b""
                stream.close()
            except (OSError, ValueError):
                err = b""
        text = err.decode("utf-8", "replace") if isinstance(err, bytes) else str(err)
        if proc.poll() not in (0, None) or "error" in text.lower():
            last = text.strip().splitlines()[-1] if text.strip() else f"exit {proc.poll()}"
            name = Path(self.command[0]).name if self.command else "speech engine"
            self._warn(
                f"{name} could not play ({last}; no audio device?); continuing without speech"
            )
            self.enabled = False

    def close(self, wait_s: float = 3.0) -> None:
        """Let the playing and the waiting utterances finish (``wait_s`` each at most),
        then stop ("Well done: the routine is complete" is said after "Set complete")."""
        for _ in range(2 + URGENT_KEPT):
            self.tick()
            if self._proc is None:
                return
            try:
                self._proc.wait(timeout=wait_s)
            except subprocess.TimeoutExpired:
                self._proc.terminate()
                self._proc.wait(timeout=wait_s)
        self._check_finished(self._proc)
        self._proc = None


_UNITS = (
    (re.compile(r"(?<![\d.])1(?:\.0)? s\b"), "1 second"),
    (re.compile(r"(\d) s\b"), r"\1 seconds"),
    (re.compile(r"(\d) ?°"), r"\1 degrees"),
    (re.compile(r"(\d) ?%"), r"\1 percent"),
)


def spoken(text: str) -> str:
    """A cue as a speech engine should read it: units in words ("2 s" was read "two ess",
    "148°" "148"), the text on screen unchanged."""
    for pattern, words in _UNITS:
        text = pattern.sub(words, text)
    return text


# The live stages whose words are said in turn, never dropped for a cue: a routine step's
# card, "Go!", a rest ("Rest 10 s - next: Bridge"), the end, a pause.
_STAGE_WORDS = frozenset({"announce", "counting", "rest", "done", "paused"})


class SpeechSink(SinkBase):
    """A pipeline sink that speaks cues and event words through a :class:`Speaker`.

    Words: "Hold" at a hold start, "Hold complete" when the hold timer reaches the
    prescribed time,
    the rep number after each rep, "Set complete" at the end of a set, the side
    on a side change, and the live set-up/countdown messages. Form cues are
    spoken with the speaker's cooldown; event words are not rate-limited.
    """

    def __init__(
        self,
        speaker: Speaker,
        countdown: Callable[[], float | None] | None = None,
        exercise: Callable[[], Any] | None = None,
    ):
        self.speaker = speaker
        # seconds left of the get-ready countdown, None outside it: spoken "3", "2", "1"
        self.countdown = countdown
        self._last_count: int | None = None
        self._hold_done = False  # "Hold complete" already said for the running hold
        # the exercise under way (a routine's changes step by step), else the one opened
        self.exercise = exercise
        self._opened: Any = None

    def open(self, info: Any, exercise: Any) -> None:
        self._opened = exercise

    def write(self, frame: Frame | None, result: FrameResult) -> None:
        sp = self.speaker
        # the engine's words first, then the stage each may have led to: "8", "Set
        # complete", then "Rest 10 s - next: Bridge" (the stage events come first in a
        # frame's list)
        events = sorted(result.events, key=lambda ev: ev.kind == "state")
        for ev in events:
            d = ev.data
            if ev.kind == "state" and d.get("cue"):
                # a stage's own words (the step's card, "Go!", a rest, the end) wait their
                # turn; a set-up instruction is a plain cue, repeated with the cooldown
                stage = d.get("state") in _STAGE_WORDS
                sp.say(spoken(str(d["cue"])), ev.t_s, urgent=stage, cooldown=not stage)
            elif ev.kind == "cue" and d.get("text"):
                sp.say(spoken(str(d["text"])), ev.t_s)
            elif ev.kind == "hold_start":
                self._hold_done = False
                sp.say("Hold", ev.t_s, urgent=True, cooldown=False)
            elif ev.kind == "rep":  # the count, said in turn (a "Hold" no longer drops it)
                sp.say(str(d.get("index") or result.reps_done), ev.t_s, urgent=True,
                       cooldown=False)  # fmt: skip
            elif ev.kind == "side" and d.get("side") and alternates(self._current()):
                sp.say(f"Now the {d['side']} side", ev.t_s, urgent=True, cooldown=False)
            elif ev.kind == "set_complete":
                sp.say("Set complete", ev.t_s, urgent=True, cooldown=False)
        left = self.countdown() if self.countdown is not None else None
        n = math.ceil(left) if left is not None and left > 0 else None
        if n is not None and n != self._last_count:
            sp.say(str(n), result.t_s, urgent=True, cooldown=False)
        self._last_count = n
        # "Hold complete" the moment the timer reaches the target, not when the hold ends.
        target = result.hold_target_s
        if target and result.hold_s >= target and not self._hold_done:
            self._hold_done = True
            sp.say("Hold complete", result.t_s, urgent=True, cooldown=False)
        sp.tick()

    def _current(self) -> Any:
        return self.exercise() if self.exercise is not None else self._opened

    def close(self, summary: Any) -> None:
        self.speaker.close()

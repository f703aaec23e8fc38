"""Keys: q/Esc quit, space pause/resume, s switch side, r reset the set.

Keys reach :class:`KeyController` from a key source: the window
(``cv2.waitKey`` after each ``imshow``) or :class:`ScriptedKeys`, a sink that
presses keys at given frame times (``--keys "4.5:space,7:space,12:q"``), used by
tests and demos so key handling is exercised without a keyboard.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from posecheck.errors import InputError
from posecheck.live.source import LiveControl
from posecheck.protocols import SinkBase

log = logging.getLogger(__name__)

QUIT, PAUSE, SWITCH_SIDE, RESET = "quit", "pause", "switch_side", "reset"

KEYMAP: dict[int, str] = {
    ord("q"): QUIT,
    ord("Q"): QUIT,
    27: QUIT,  # Esc
    ord(" "): PAUSE,
    ord("s"): SWITCH_SIDE,
    ord("S"): SWITCH_SIDE,
    ord("r"): RESET,
    ord("R"): RESET,
}
KEY_NAMES: dict[str, int] = {"space": ord(" "), "esc": 27, "q": ord("q"), "s": ord("s"),
                             "r": ord("r")}  # fmt: skip
HELP_LINE = "keys: q/Esc quit, space pause/resume, s switch side, r reset the set"


class KeyController:
    """Turns key codes into coach and loop actions. Unknown keys are ignored."""

    def __init__(self, coach: Any, control: LiveControl):
        self.coach = coach
        self.control = control
        self.pressed: list[str] = []  # actions taken, in order

    def handle(self, code: int | None) -> str | None:
        if code is None or code < 0:
            return None
        action = KEYMAP.get(code & 0xFF)
        if action is None:
            return None
        log.debug("key %r -> %s", code, action)
        self.pressed.append(action)
        if action == QUIT:
            self.control.request_stop("quit")
        elif action == PAUSE:
            self.coach.toggle_pause()
        elif action == SWITCH_SIDE:
            self.coach.switch_side()
        elif action == RESET:
            self.coach.reset_set()
        return action


@dataclass(frozen=True)
class ScriptedKey:
    t_s: float
    code: int


def parse_key_script(text: str) -> list[ScriptedKey]:
    """``"4.5:space,7:s,12:q"`` -> keys at those frame times (seconds). Raises InputError."""
    out: list[ScriptedKey] = []
    for item in filter(None, (p.strip() for p in text.split(","))):
        t, sep, name = item.partition(":")
        try:
            t_s = float(t)
        except ValueError:
            t_s = -1.0
        name = name.strip().lower()
        code = KEY_NAMES.get(name, ord(name) if len(name) == 1 else -1)
        if not sep or t_s < 0 or code < 0 or code not in KEYMAP:
            raise InputError(
                f"--keys: cannot read {item!r}",
                "write TIME:KEY pairs, e.g. '4.5:space,7:s,12:q' (keys: space, s, r, q, esc)",
            )
        out.append(ScriptedKey(t_s, code))
    return sorted(out, key=lambda k: k.t_s)


class ScriptedKeys(SinkBase):
    """A sink that presses scripted keys at the first frame at or after each key's time."""

    def __init__(self, keys: list[ScriptedKey], controller: KeyController):
        self.keys = list(keys)
        self.controller = controller

    def open(self, info: Any, exercise: Any) -> None:
        pass

    def write(self, frame: Any, result: Any) -> None:
        while self.keys and result.t_s >= self.keys[0].t_s:
            self.controller.handle(self.keys.pop(0).code)

    def close(self, summary: Any) -> None:
        pass

"""Keys: q/Esc quit, space pause/resume, s switch side, r reset the set; in a routine
also n/Right skip to the next run and p/Left go back to the previous one.

Keys reach :class:`KeyController` from a key source: the window
(``cv2.waitKeyEx`` after each ``imshow``) or :class:`ScriptedKeys`, a sink that
presses keys at given frame times (``--keys "4.5:space,7:space,12:q"``), used by
tests and demos so key handling is exercised without a keyboard.

The window reads full key codes: ``cv2.waitKey`` keeps only the low byte, and the
arrow keys' X11 codes (0xFF51 Left, 0xFF53 Right) would then read as "Q" and "S".
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
SKIP, BACK = "skip", "back"  # routines only: the next run now, the previous run again

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
# Arrow keys as cv2.waitKeyEx reports them: X11 keysyms (the Qt and GTK backends on
# Linux), then Windows virtual-key codes in the high word.
KEY_LEFT, KEY_RIGHT = 0xFF51, 0xFF53
_ARROWS = {KEY_LEFT: KEY_LEFT, KEY_RIGHT: KEY_RIGHT, 0x250000: KEY_LEFT, 0x270000: KEY_RIGHT}
ROUTINE_KEYMAP: dict[int, str] = {
    **KEYMAP,
    ord("n"): SKIP,
    ord("N"): SKIP,
    KEY_RIGHT: SKIP,
    ord("p"): BACK,
    ord("P"): BACK,
    KEY_LEFT: BACK,
}
KEY_NAMES: dict[str, int] = {"space": ord(" "), "esc": 27, "q": ord("q"), "s": ord("s"),
                             "r": ord("r"), "n": ord("n"), "p": ord("p"),
                             "right": KEY_RIGHT, "left": KEY_LEFT}  # fmt: skip
HELP_LINE = "keys: q/Esc quit, space pause/resume, s switch side, r reset the set"
ROUTINE_KEYS_TEXT = "q quit | space pause | n next | p back"  # the window's corner
ROUTINE_HELP_LINE = ("keys: n/Right next, p/Left previous again, space pause/resume, "
                     "q/Esc quit (what was done is saved)")  # fmt: skip


def key_code(code: int) -> int:
    """A key code from ``cv2.waitKeyEx`` (or a script) as the keymaps know it.

    Arrows keep their full code; any other key with a code above one byte (a
    function key, a modifier) is not one of ours; letters may carry modifier bits
    above the low byte (Qt), which are dropped.
    """
    if code in _ARROWS:
        return _ARROWS[code]
    if code & 0xFF00 == 0xFF00:  # X11 keysyms of special keys (F1, Home, Shift...)
        return -1
    return code & 0xFF


class KeyController:
    """Turns key codes into coach and loop actions. Unknown keys are ignored."""

    def __init__(self, coach: Any, control: LiveControl, keymap: dict[int, str] | None = None):
        self.coach = coach
        self.control = control
        # ROUTINE_KEYMAP for a routine: its coach also has skip() and back()
        self.keymap = KEYMAP if keymap is None else keymap
        self.pressed: list[str] = []  # actions taken, in order

    def handle(self, code: int | None) -> str | None:
        if code is None or code < 0:
            return None
        action = self.keymap.get(key_code(code))
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
        elif action == SKIP:
            self.coach.skip()
        elif action == BACK:
            self.coach.back()
        return action


@dataclass(frozen=True)
class ScriptedKey:
    t_s: float
    code: int


def parse_key_script(text: str, keymap: dict[int, str] | None = None) -> list[ScriptedKey]:
    """``"4.5:space,7:s,12:q"`` -> keys at those frame times (seconds). Raises InputError.

    ``keymap``: the keys the session knows (default: a single exercise's)."""
    known = KEYMAP if keymap is None else keymap
    out: list[ScriptedKey] = []
    for item in filter(None, (p.strip() for p in text.split(","))):
        t, sep, name = item.partition(":")
        try:
            t_s = float(t)
        except ValueError:
            t_s = -1.0
        name = name.strip().lower()
        code = KEY_NAMES.get(name, ord(name) if len(name) == 1 else -1)
        if not sep or t_s < 0 or code < 0 or code not in known:
            names = ", ".join(n for n, c in KEY_NAMES.items() if c in known)
            raise InputError(
                f"--keys: cannot read {item!r}",
                f"write TIME:KEY pairs, e.g. '4.5:space,7:s,12:q' (keys: {names})",
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

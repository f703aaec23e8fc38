"""The one exception type the command line turns into a one-line message."""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable

# How alike a misspelling and a name must be to suggest it (difflib's ratio: "brige" and
# "bridge" 0.91, "mn_deg" and "min_deg" 0.92, "twist" and "supine-twist" 0.59); a second
# name is suggested only when about as alike as the first (within CLOSE_TIE).
CLOSE_CUTOFF = 0.6
CLOSE_TIE = 0.05


def name_key(name: str) -> str:
    """A name as the library files it and suggestions compare it: "Child's pose" ->
    "childs-pose" (case, spaces, underscores and apostrophes alike)."""
    key = name.strip().lower().replace("_", "-").replace(" ", "-")
    return key.replace("'", "").replace("\u2019", "")


def close_names(word: str, choices: Iterable[str], n: int = 1) -> list[str]:
    """The names of ``choices`` closest to ``word``, best first, at most ``n`` and only
    those about as close as the best: the one measure every "did you mean ...?" uses
    (case, spaces, hyphens and underscores alike). A name that begins with the word or
    holds each of its words ("pigeon": reclined-pigeon) is close enough."""
    by_key: dict[str, str] = {}
    for c in choices:
        by_key.setdefault(name_key(c), c)
    key = name_key(word)

    def ratio(k: str) -> float:
        r = difflib.SequenceMatcher(None, key, k).ratio()
        part = bool(key) and (k.startswith(key) or set(key.split("-")) <= set(k.split("-")))
        return max(r, CLOSE_CUTOFF) if part else r

    ratios = sorted(((ratio(k), k) for k in by_key), reverse=True)
    best = ratios[0][0] if ratios else 0.0
    return [by_key[k] for r, k in ratios[:n] if r >= CLOSE_CUTOFF and r >= best - CLOSE_TIE]


def did_you_mean(word: str, choices: Iterable[str], n: int = 1) -> str:
    """ "did you mean bridge?" (or "did you mean a or b?"), or "" when nothing is close."""
    close = close_names(word, choices, n)
    return f"did you mean {' or '.join(close)}?" if close else ""


def shown_path(path: str) -> str:
    """A path as a person gave it: relative when below the current folder (a landmarks
    file records its recording's full path), else as it is."""
    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel


class PosecheckError(Exception):
    """A failure the user can act on.

    ``str(err)`` is one line: what went wrong and where; ``hint`` says what to do.
    The CLI prints ``posecheck: error: <message> (<hint>)`` and exits with ``exit_code``.
    """

    exit_code = 2

    def __init__(self, message: str, hint: str | None = None, exit_code: int | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint
        if exit_code is not None:
            self.exit_code = exit_code

    def one_line(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class InputError(PosecheckError):
    """Bad media, a camera that fails, a folder with nothing usable."""


class DefinitionError(PosecheckError):
    """A broken exercise definition file: the message names file and key path.

    ``problems`` lists every problem found in the file (the message is the first).
    """

    def __init__(
        self, message: str, hint: str | None = None, exit_code: int | None = None,
        problems: list[str] | None = None,
    ) -> None:  # fmt: skip
        super().__init__(message, hint, exit_code)
        self.problems = list(problems) if problems else [message]

    def one_line(self) -> str:
        line = super().one_line()
        more = len(self.problems) - 1
        if more > 0:
            line += f" (and {more} more problem{'s' if more > 1 else ''} in the file)"
        return line


class UnknownExerciseError(PosecheckError):
    """An exercise name that is not in the library; the hint suggests the closest."""


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP, raised in the main thread like Ctrl-C.

    Every ``except KeyboardInterrupt`` path (partial outputs completed, the live
    session saved) treats it as Ctrl-C; the exit status is 128 + the signal
    number (143 for SIGTERM, 129 for SIGHUP) instead of Ctrl-C's 130.
    """

    def __init__(self, signum: int, name: str) -> None:
        super().__init__(name)
        self.signum = signum
        self.name = name
        self.exit_code = 128 + signum


def interrupt_exit_code(exc: BaseException) -> int:
    """The exit status for an interruption: 130 for Ctrl-C, 128 + N for signal N."""
    return int(getattr(exc, "exit_code", 130))

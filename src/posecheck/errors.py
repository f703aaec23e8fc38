"""The one exception type the command line turns into a one-line message."""

from __future__ import annotations


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
    """A broken exercise definition file: the message names file and key path."""


class UnknownExerciseError(PosecheckError):
    """An exercise name that is not in the library; the hint suggests the closest."""

"""The ``posecheck`` command line: one dispatcher, one module per subcommand.

``main(argv=None) -> int`` so tests run the CLI in-process. Known failures
(:class:`posecheck.errors.PosecheckError`) print one line on stderr and exit
non-zero; ``--traceback`` shows the Python traceback before it (the same exit
code). Ctrl-C exits 130 after the command has flushed what it had; SIGTERM and
SIGHUP are handled the same way and exit 143 and 129.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import re
import signal
import sys
import threading
import traceback
import warnings
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from posecheck import DISCLAIMER, __version__
from posecheck.errors import PosecheckError, Terminated, did_you_mean, interrupt_exit_code

# name -> (module, one-line help). Order is the order of --help.
COMMANDS: dict[str, tuple[str, str]] = {
    "exercises": ("posecheck.commands.exercises", "list the exercises posecheck knows"),
    "routines": ("posecheck.commands.routines", "list the routines (flows of several exercises)"),
    "show": ("posecheck.commands.show", "how to do an exercise or a routine, camera, targets"),
    "validate": ("posecheck.commands.validate", "check exercise definition and routine files"),
    "analyze": ("posecheck.commands.analyze", "analyse a video: annotated video, data, report"),
    "score": ("posecheck.commands.score", "score many recordings or landmark files offline"),
    "live": ("posecheck.commands.live", "coach an exercise live from the webcam"),
    "render": ("posecheck.commands.render", "render a synthetic demo clip with known ground truth"),
    "history": ("posecheck.commands.history", "recorded sessions: list, note, forget, import"),
    "progress": ("posecheck.commands.progress", "progress over weeks: terminal summary, HTML page"),
}

EPILOG = (
    """\
examples:
  posecheck exercises
  posecheck show bridge
  posecheck routines
  posecheck show low-back-flow
  posecheck analyze sample_videos/bridge.mp4 -e bridge -o out/bridge
  posecheck score out/ --min-score 70
  posecheck live bridge
  posecheck live bridge --camera clip.mp4 --no-window
  posecheck history
  posecheck progress bridge -o progress.html

Run 'posecheck COMMAND --help' for a command's options and examples.
"""
    + DISCLAIMER
)

log = logging.getLogger("posecheck")


class _Parser(argparse.ArgumentParser):
    """argparse with the house's one-line errors: ``posecheck: error: <what> (<what to
    do>)``, not the usage block (``--help`` still prints it)."""

    help_prog = ""  # the command's own help, for what the top parser finds left over
    given: Sequence[str] = ()  # the command line, for the hints of error()

    def error(self, message: str) -> NoReturn:
        # "unrecognized arguments: -q" of 'posecheck live ...' is reported by the top
        # parser: the command's --help lists its options, the top one's does not
        prog = self.help_prog or self.prog
        hint = f"see '{prog} --help'"
        m = re.match(r"argument ([\w/-]+): expected one argument$", message)
        names = m.group(1).split("/") if m else []
        if names and _followed_by_dash(self.given, names):
            # "--since -5d": argparse takes "-5d" for an option, not the value
            hint = f"a value that starts with '-' is given as {names[-1]}=VALUE; {hint}"
        self.exit(2, f"posecheck: error: {message} ({hint})\n")


def _followed_by_dash(argv: Sequence[str], names: Sequence[str]) -> bool:
    """Whether the option of ``names`` ("-e", "--exercise") is followed by a word that
    starts with '-' (a long name may be abbreviated, as argparse allows)."""
    long = names[-1]
    return any(b.startswith("-") and (a in names or a.startswith("--") and long.startswith(a))
               for a, b in zip(argv, argv[1:], strict=False))  # fmt: skip


def _build_parser(command: str | None, argv: Sequence[str] = ()) -> argparse.ArgumentParser:
    parser = _Parser(
        prog="posecheck",
        description="Form feedback, hold timing and rep counting for lower-back exercises.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"posecheck {__version__}")
    parser.add_argument(
        "--traceback", action="store_true", help="show the Python traceback on errors"
    )
    parser.add_argument(
        "-v", "--verbose", action="count", default=0, help="more log output (-vv for debug)"
    )
    parser.given = argv
    if command is not None:
        parser.help_prog = f"posecheck {command}"
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module_name, help_line) in COMMANDS.items():
        if name == command:
            # Only the chosen command's module is imported: --help stays fast.
            module = importlib.import_module(module_name)
            p = sub.add_parser(
                name,
                help=help_line,
                description=getattr(module, "DESCRIPTION", help_line),
                formatter_class=argparse.RawDescriptionHelpFormatter,
            )
            p.given = argv
            module.add_arguments(p)
            p.set_defaults(_run=module.run)
        else:
            sub.add_parser(name, help=help_line, add_help=False)
    return parser


# other spellings of a command (the help itself says "analyse a video")
ALIASES = {"analyse": "analyze"}


def _find_command(argv: Sequence[str]) -> str | None:
    for a in argv:
        if a in COMMANDS:
            return a
        if not a.startswith("-"):
            return None
    return None


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    first = next((i for i, a in enumerate(argv) if not a.startswith("-")), None)
    if first is not None and argv[first] in ALIASES:
        argv[first] = ALIASES[argv[first]]
    if first is not None and argv[first] not in COMMANDS:  # (global options take no value)
        close = did_you_mean(argv[first], COMMANDS)
        print(f"posecheck: error: unknown command {argv[first]!r} ({close + ' ' if close else ''}"
              "'posecheck --help' lists them)", file=sys.stderr)  # fmt: skip
        return 2
    command = _find_command(argv)
    try:
        parser = _build_parser(command, argv)
    except ModuleNotFoundError as exc:  # a command whose module is not installed
        print(f"posecheck: error: command {command!r} is not available ({exc})", file=sys.stderr)
        return 2
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits on --help / usage errors
        return int(exc.code or 0)
    if not getattr(args, "_run", None):
        parser.print_help()
        return 0 if command is None and not argv else 2
    logging.basicConfig(
        level=(logging.WARNING, logging.INFO, logging.DEBUG)[min(args.verbose, 2)],
        format="posecheck: %(levelname)s: %(message)s",
    )
    restore = _stop_on_signals()
    try:
        with warnings.catch_warnings():
            if not args.verbose:
                # numpy's "Mean of empty slice" and the like, on frames without a pose:
                # unknown values are NaN by design, not a problem to print (-v shows them)
                warnings.simplefilter("ignore", RuntimeWarning)
            return int(args._run(args) or 0)
    except PosecheckError as exc:
        if args.traceback:  # the traceback too, with the same exit code
            traceback.print_exc()
        print(f"posecheck: error: {exc.one_line()}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt as exc:
        if args.traceback:
            traceback.print_exc()
        why = getattr(exc, "name", "")
        print("posecheck: interrupted" + (f" ({why})" if why else ""), file=sys.stderr)
        return interrupt_exit_code(exc)
    except BrokenPipeError:
        return 141
    finally:
        restore()


def _stop_on_signals() -> Callable[[], None]:
    """SIGTERM and SIGHUP stop a command the way Ctrl-C does (outputs completed, marked
    partial), instead of killing it with half-written files; returns the undo."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    old: dict[int, Any] = {}

    def stop(signum: int, _frame: Any) -> None:
        name = signal.Signals(signum).name
        # Once: a second signal while the outputs are being completed must not cut that.
        for s in old:
            signal.signal(s, signal.SIG_IGN)
        raise Terminated(signum, name)

    for name in ("SIGTERM", "SIGHUP"):
        sig = getattr(signal, name, None)
        # A signal already ignored stays ignored: under nohup a hang-up must not stop the run.
        if sig is not None and signal.getsignal(sig) is not signal.SIG_IGN:
            old[sig] = signal.signal(sig, stop)

    def restore() -> None:
        for s, h in old.items():
            signal.signal(s, h)

    return restore

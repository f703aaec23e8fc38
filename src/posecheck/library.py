"""Load, validate and look up exercise definitions (``poses/*.toml``).

Every error names the file and the key path and, where it can, a fix::

    poses/bridge.toml: phases[1].rules[0].mn_deg: unknown key (did you mean min_deg?)

Search path (later folders add exercises; a later file with the same name replaces
an earlier one, so a user can override a built-in):

1. built-in: the packaged ``posecheck/poses`` (wheel installs), else the repository's
   ``poses/`` folder (source checkouts and editable installs);
2. the user's folder: ``$XDG_CONFIG_HOME/posecheck/poses`` (default
   ``~/.config/posecheck/poses``);
3. folders given with ``--poses-dir`` (in order).

Measure names are checked against :func:`posecheck.angles.is_known`. Measures
computed from something other than landmarks register themselves with
:func:`posecheck.angles.register_extra`; the loader imports
:mod:`posecheck.curvature` first if it exists, and also accepts the names in
:data:`EXTRA_MEASURE_UNITS` (so definitions validate without that module).
"""

from __future__ import annotations

import importlib.resources
import logging
import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from posecheck.definition_reader import (  # noqa: F401 - re-exported (tests, tools)
    EXTRA_MEASURE_UNITS,
    is_routine_document,
    measure_unit,
    parse_definition,
)
from posecheck.errors import DefinitionError, UnknownExerciseError, did_you_mean, name_key
from posecheck.exercise import Exercise

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

log = logging.getLogger(__name__)

# A definition is a page of TOML; anything much larger is not one (and the TOML
# parser's time and memory grow with it).
MAX_FILE_BYTES = 1_000_000


def display_path(path: Path) -> str:
    """``path`` relative to the working folder when it is inside it (shorter errors)."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def load_file(
    path: str | os.PathLike[str], origin: str = "file", shown: str | None = None
) -> Exercise:
    """Read and validate one definition file. Errors name ``shown`` (default: the path)."""
    label = shown if shown is not None else str(path)
    return parse_definition(read_document(path, label), label, origin)


def read_document(
    path: str | os.PathLike[str], label: str, max_bytes: int = MAX_FILE_BYTES,
    what: str = "an exercise definition",
) -> dict:  # fmt: skip
    """The TOML document of a definition (or routine: ``what``) file, one-line errors."""
    p = Path(path)
    try:
        with open(p, "rb") as fh:
            raw = fh.read(max_bytes + 1)
    except FileNotFoundError:
        raise DefinitionError(f"{label}: no such file", "check the path") from None
    except OSError as exc:
        raise DefinitionError(f"{label}: cannot read ({exc.strerror})") from None
    if len(raw) > max_bytes:
        raise DefinitionError(
            f"{label}: larger than {max_bytes // 1000} kB: not {what}",
            "a definition or a routine is a page of TOML",
        )
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise DefinitionError(f"{label}: not UTF-8 text", "save the file as UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise DefinitionError(f"{label}: TOML syntax error: {exc}") from None
    except RecursionError:  # the parser recurses into nested arrays and tables
        raise DefinitionError(
            f"{label}: nested too deeply to be {what}", "check the file"
        ) from None
    return data


# --- the search path -------------------------------------------------------------


def builtin_dir(folder: str = "poses") -> Path | None:
    """The built-in definitions (``folder``: or routines): packaged ``posecheck/poses``,
    else the repository's ``poses/``."""
    try:
        packaged = importlib.resources.files("posecheck") / folder
        if packaged.is_dir():
            return Path(str(packaged))
    except (ModuleNotFoundError, TypeError):  # pragma: no cover
        pass
    repo = Path(__file__).resolve().parents[2] / folder
    return repo if repo.is_dir() else None


def user_dir(folder: str = "poses") -> Path:
    """The user's definitions (``folder``: or routines) folder (XDG config)."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "posecheck" / folder


@dataclass(frozen=True)
class SearchDir:
    path: Path
    origin: str  # "built-in", "user", "poses-dir"


def search_path(poses_dirs: Sequence[str | os.PathLike[str]] = ()) -> list[SearchDir]:
    """The folders searched, in order (missing built-in/user folders are left out)."""
    out = []
    b = builtin_dir()
    if b is not None:
        out.append(SearchDir(b, "built-in"))
    u = user_dir()
    if u.is_dir():
        out.append(SearchDir(u, "user"))
    for d in poses_dirs:
        p = Path(d)
        if not p.is_dir():
            raise DefinitionError(f"--poses-dir {d}: not a folder", "give a folder of .toml files")
        out.append(SearchDir(p, "poses-dir"))
    return out


class Library:
    """All exercises found on the search path, by name and alias."""

    def __init__(self, exercises: Iterable[Exercise] = ()):
        self._by_name: dict[str, Exercise] = {}
        self.broken: list[tuple[Path, DefinitionError]] = []  # files skipped by load()
        for ex in exercises:
            self.add(ex)

    @classmethod
    def load(cls, poses_dirs: Sequence[str | os.PathLike[str]] = ()) -> Library:
        """Load every ``*.toml`` on the search path.

        A broken file does not block the others: it is skipped with one warning
        naming it (``broken`` lists them), so only the exercise it defines is
        unavailable; ``posecheck validate FILE`` shows all its problems.
        """
        lib = cls()
        for sd in search_path(poses_dirs):
            for f in sorted(sd.path.glob("*.toml")):
                shown = display_path(f)
                try:
                    data = read_document(f, shown)
                    if is_routine_document(data):
                        _warn_once(os.path.realpath(f), f"{shown}: is a routine, not an "
                                   f"exercise (file skipped: routines go in "
                                   f"{user_dir('routines')})")  # fmt: skip
                        continue
                    lib.add(parse_definition(data, shown, sd.origin))
                except DefinitionError as exc:
                    lib.broken.append((f, exc))
                    _warn_broken(f, exc)
        lib._check_aliases()
        return lib

    def add(self, ex: Exercise) -> None:
        old = self._by_name.get(ex.name)
        if old is not None and old.origin == ex.origin:  # one folder, two files: a slip
            _warn_once(f"{old.source}|{ex.source}", f"{old.source} and {ex.source} both "
                       f"define {ex.name}: {ex.source} is used")  # fmt: skip
        elif old is not None:  # a later folder overrides an earlier one, as documented
            log.info("%s (%s) replaces %s", ex.name, ex.source, old.source)
        self._by_name[ex.name] = ex

    def _check_aliases(self) -> None:
        """Warn of an alias that is another exercise's name (the name wins: the alias is
        never reached)."""
        for ex in self._by_name.values():
            for a in ex.aliases:
                other = self._by_name.get(name_key(a))
                if other is not None and other.name != ex.name:
                    _warn_once(f"{ex.source}|{a}", f"{ex.source}: alias {a} is the name "
                               f"of another exercise ({other.source}): the name wins")  # fmt: skip

    def __iter__(self):
        return iter(sorted(self._by_name.values(), key=lambda e: e.name))

    def __len__(self) -> int:
        return len(self._by_name)

    def __contains__(self, name: str) -> bool:
        return self.find(name) is not None

    @property
    def names(self) -> list[str]:
        return sorted(self._by_name)

    def find(self, name: str) -> Exercise | None:
        """By name, alias or title as 'posecheck exercises' shows it ("Child's pose")."""
        key = name_key(name)
        if key in self._by_name:
            return self._by_name[key]
        for ex in self._by_name.values():
            if key in (name_key(a) for a in (*ex.aliases, ex.title)):
                return ex
        return None

    def get(self, name: str) -> Exercise:
        """The exercise called ``name`` (or one of its aliases); raises UnknownExerciseError."""
        ex = self.find(name)
        if ex is not None:
            return ex
        everything = self.names + [a for e in self._by_name.values() for a in e.aliases]
        close = did_you_mean(name, everything, n=3)
        hint = f"{close} " if close else ""
        hint += "'posecheck exercises' lists them all"
        broken = self.broken_file(name)
        if broken is not None:
            hint = f"its file is broken: 'posecheck validate {display_path(broken)}' says why"
        elif name_key(name) in _routine_names(self):
            hint = f"{name} is a routine: give it with --routine {name_key(name)}"
        raise UnknownExerciseError(f"unknown exercise {name!r}", hint)

    def broken_file(self, name: str) -> Path | None:
        """The skipped file that would have defined ``name``, if one was broken."""
        return next((f for f, _exc in self.broken if f.stem == name_key(name)), None)


_WARNED: set[str] = set()


def _warn_once(key: str, text: str) -> None:
    """One warning per ``key`` (a file, a clash) per process (the library may be loaded
    more than once)."""
    if key not in _WARNED:
        _WARNED.add(key)
        log.warning("%s", text)


def _warn_broken(path: Path, exc: DefinitionError) -> None:
    more = len(exc.problems) - 1
    extra = f", and {more} more problem{'s' if more > 1 else ''}" if more > 0 else ""
    _warn_once(os.path.realpath(path), f"{exc.message} (file skipped{extra}: 'posecheck validate "
                     f"{display_path(path)}' lists them)")  # fmt: skip


def _routine_names(library: Library) -> list[str]:
    from posecheck.routine import routine_names  # the routines read the library

    try:
        return routine_names(library)
    except Exception:  # noqa: BLE001 - only for a hint
        return []


# --- CLI helpers shared by commands ------------------------------------------------


def add_library_arguments(parser) -> None:
    """Add ``--poses-dir`` (repeatable) to an argparse parser."""
    parser.add_argument(
        "--poses-dir",
        action="append",
        default=[],
        metavar="DIR",
        help="also load exercise definitions from DIR (after the built-ins and "
        f"{user_dir()}); repeatable",
    )


def library_from_args(args) -> Library:
    """The library for a command's parsed arguments (see :func:`add_library_arguments`)."""
    return Library.load(getattr(args, "poses_dir", None) or ())

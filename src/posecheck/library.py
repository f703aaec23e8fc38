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

import builtins
import contextlib
import difflib
import importlib
import importlib.resources
import logging
import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, overload

from posecheck import angles
from posecheck.errors import DefinitionError, UnknownExerciseError
from posecheck.exercise import (
    JUDGED,
    POSTURES,
    SCHEMA_VERSION,
    SEVERITIES,
    SIDE_POLICIES,
    STILL_PARTS,
    TIMING_DEFAULTS,
    VIEWS,
    Camera,
    Dose,
    Exercise,
    Phase,
    RecognitionHints,
    Rule,
    Safety,
    Target,
)
from posecheck.pose import LANDMARK_INDEX

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

log = logging.getLogger(__name__)

# Measures that are not computed from landmarks, with their unit. Their values come
# from other modules (back_curvature: posecheck.curvature, from the segmentation
# mask; + = rounded back (cat), - = arched back).
EXTRA_MEASURE_UNITS: dict[str, str] = {
    "back_curvature": "ratio",
    "lumbar_curvature": "ratio",
    "belly_height": "ratio",
    "trunk_lean": "deg",
}

# Landmark parts a definition may list in ``required`` without a side prefix.
_PARTS = sorted({n.split("_", 1)[1] for n in LANDMARK_INDEX if n.startswith(("left_", "right_"))})

# --- a small typed reader that knows its key path --------------------------------


class _Table:
    """One TOML table being read; records which keys were consumed."""

    def __init__(self, data: Any, path: str, file: str):
        self.file = file
        self.path = path
        if not isinstance(data, dict):
            raise self.error(f"expected a table, got {_tname(data)}")
        self.data = data
        self.used: set[str] = set()

    def _key(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def error(self, message: str, key: str | None = None) -> DefinitionError:
        where = self._key(key) if key is not None else self.path
        prefix = f"{self.file}: {where}: " if where else f"{self.file}: "
        return DefinitionError(prefix + message)

    def has(self, key: str) -> bool:
        return key in self.data

    def get(self, key: str, types: tuple[type, ...], default: Any = None, required=False) -> Any:
        self.used.add(key)
        if key not in self.data:
            if required:
                raise self.error("missing required key", key)
            return default
        value = self.data[key]
        # TOML ints are fine where floats are expected; bools are not numbers
        if isinstance(value, bool) and bool not in types:
            raise self.error(f"expected {_names(types)}, got a boolean", key)
        if not isinstance(value, types):
            raise self.error(f"expected {_names(types)}, got {_tname(value)}", key)
        return value

    # The readers are named after the TOML types they accept; inside this class ``str``
    # and ``int`` are those methods, so annotations spell the builtins out.
    def str(self, key: builtins.str, default: Any = None, required: bool = False) -> Any:
        """A string (``default`` when absent; None only when ``default`` is None)."""
        return self.get(key, (builtins.str,), default, required)

    @overload
    def num(
        self, key: builtins.str, default: float, required: bool = ..., lo: float | None = ...
    ) -> float: ...

    @overload
    def num(
        self,
        key: builtins.str,
        default: None = ...,
        required: bool = ...,
        lo: float | None = ...,
    ) -> float | None: ...

    def num(
        self,
        key: builtins.str,
        default: float | None = None,
        required: bool = False,
        lo: float | None = None,
    ) -> float | None:
        v = self.get(key, (builtins.int, float), default, required)
        if v is None:
            return None
        if lo is not None and v < lo:
            raise self.error(f"must be >= {lo:g}, got {v:g}", key)
        return float(v)

    @overload
    def int(
        self,
        key: builtins.str,
        default: builtins.int,
        required: bool = ...,
        lo: builtins.int | None = ...,
    ) -> builtins.int: ...

    @overload
    def int(
        self,
        key: builtins.str,
        default: None = ...,
        required: bool = ...,
        lo: builtins.int | None = ...,
    ) -> builtins.int | None: ...

    def int(
        self,
        key: builtins.str,
        default: builtins.int | None = None,
        required: bool = False,
        lo: builtins.int | None = None,
    ) -> builtins.int | None:
        v = self.get(key, (builtins.int,), default, required)
        if v is not None and lo is not None and v < lo:
            raise self.error(f"must be >= {lo}, got {v}", key)
        return v

    def choice(
        self,
        key: builtins.str,
        choices: Sequence[builtins.str],
        default: builtins.str | None = None,
        required: bool = False,
    ) -> Any:
        v = self.str(key, default, required)
        if v is not None and v not in choices:
            raise self.error(f"{v!r} is not one of {', '.join(choices)}{_hint(v, choices)}", key)
        return v

    def strings(self, key: builtins.str, required: bool = False) -> tuple[builtins.str, ...]:
        v = self.get(key, (list,), [], required)
        for i, item in enumerate(v):
            if not isinstance(item, str):
                raise self.error(f"expected a string, got {_tname(item)}", f"{key}[{i}]")
        return tuple(v)

    def table(self, key: builtins.str, required: bool = False) -> _Table:
        v = self.get(key, (dict,), {}, required)
        return _Table(v, self._key(key), self.file)

    def tables(self, key: builtins.str, required: bool = False) -> list[_Table]:
        v = self.get(key, (list,), [], required)
        return [_Table(item, f"{self._key(key)}[{i}]", self.file) for i, item in enumerate(v)]

    def done(self, also_valid: Iterable[builtins.str] = ()) -> None:
        """Reject keys that were never read, suggesting the closest valid one."""
        valid = self.used | set(also_valid)
        for key in self.data:
            if key not in valid:
                raise self.error(f"unknown key{_hint(key, sorted(valid))}", key)


def _hint(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]}?)" if close else ""


def _tname(v: Any) -> str:
    return {
        dict: "a table", list: "an array", str: "a string", int: "an integer",
        float: "a number", bool: "a boolean",
    }.get(type(v), type(v).__name__)  # fmt: skip


def _names(types: tuple[type, ...]) -> str:
    if float in types:
        return "a number"
    return {str: "a string", int: "an integer", list: "an array", dict: "a table"}.get(
        types[0], types[0].__name__
    )


# --- measures ----------------------------------------------------------------------


def _load_extra_measure_modules() -> None:
    """Import modules that register extra measures, when they are installed."""
    for mod in ("posecheck.curvature", "posecheck.lean"):
        with contextlib.suppress(ModuleNotFoundError):
            importlib.import_module(mod)


def measure_unit(name: str) -> str | None:
    """Unit ("deg"/"ratio") of a measure as written in a definition; None if unknown."""
    reg = angles.known_measures()
    if name in EXTRA_MEASURE_UNITS and name not in reg:
        return EXTRA_MEASURE_UNITS[name]
    if not angles.is_known(name):
        return None
    spec = reg.get(angles.resolve(name, "left"))
    return spec.unit if spec else None


def _all_measure_names() -> list[str]:
    return sorted(set(angles.known_measures()) | angles.SIDED_BASES | set(EXTRA_MEASURE_UNITS))


def _read_bound(t: _Table, cls: type, **extra: Any):
    measure = t.str("measure", required=True)
    unit = measure_unit(measure)
    if unit is None:
        hint = _hint(measure, _all_measure_names())
        raise t.error(f"unknown measure {measure!r}{hint}", "measure")
    sfx = "_deg" if unit == "deg" else ""
    other = "" if unit == "deg" else "_deg"
    change = t.has(f"min_change{sfx}") or t.has(f"max_change{sfx}")
    if change and (t.has(f"min{sfx}") or t.has(f"max{sfx}")):
        raise t.error(f"use min{sfx}/max{sfx} or min_change{sfx}/max_change{sfx}, not both")
    stem = "_change" if change else ""
    lo_key, hi_key = f"min{stem}{sfx}", f"max{stem}{sfx}"
    for kind in ("", "_change"):
        for end in ("min", "max"):
            w = f"{end}{kind}{other}"
            if t.has(w):
                raise t.error(f"{measure} is measured in {unit}: write {end}{kind}{sfx}", w)
    lo, hi = t.num(lo_key), t.num(hi_key)
    if lo is None and hi is None:
        raise t.error(f"needs {lo_key} and/or {hi_key}")
    if change:
        extra["change"] = True
        extra["baseline"] = t.choice("baseline", ("min", "max"), "min")
        extra["baseline_s"] = t.num("baseline_s", 3.0, lo=0.5)
    if lo is not None and hi is not None and lo > hi:
        raise t.error(f"{lo_key} ({lo:g}) is larger than {hi_key} ({hi:g})", lo_key)
    return cls(measure=measure, unit=unit, min=lo, max=hi, **extra)


def _read_rule(t: _Table, default_phases: tuple[str, ...]) -> Rule:
    rid = t.str("id", required=True)
    cue = t.str("cue", required=True)
    priority = t.int("priority", 5, lo=1)
    severity = t.choice("severity", SEVERITIES, "form")
    phases = t.strings("phases") or default_phases
    stops_hold = t.get("stops_hold", (bool,), True)
    rule = _read_bound(t, Rule, id=rid, cue=cue, priority=priority, severity=severity,
                       phases=phases, stops_hold=stops_hold)  # fmt: skip
    t.done()
    return rule


# --- the file ----------------------------------------------------------------------


def parse_definition(data: dict, file: str, origin: str = "file") -> Exercise:
    """Validate a parsed TOML document and build the :class:`Exercise`.

    Raises :class:`DefinitionError` naming ``file`` and the key path.
    """
    _load_extra_measure_modules()
    top = _Table(data, "", file)
    schema = top.int("schema", required=True)
    if schema != SCHEMA_VERSION:
        raise top.error(
            f"schema {schema} is not supported (this posecheck reads schema {SCHEMA_VERSION})",
            "schema",
        )
    name = top.str("name", required=True)
    if not name or not all(c.isalnum() or c == "-" for c in name) or name != name.lower():
        raise top.error(f"{name!r}: use lower-case letters, digits and '-'", "name")
    title = top.str("title", required=True)
    summary = top.str("summary", "")
    how_to = top.strings("how_to", required=True)
    posture = top.choice("posture", POSTURES, required=True)
    side = top.choice("side", SIDE_POLICIES, "auto")
    aliases = top.strings("aliases")
    required = top.strings("required")
    for i, part in enumerate(required):
        if part not in _PARTS and part not in LANDMARK_INDEX:
            raise top.error(
                f"unknown landmark {part!r}{_hint(part, _PARTS + list(LANDMARK_INDEX))}",
                f"required[{i}]",
            )
    min_vis = top.num("min_visibility", 0.5, lo=0.0)
    judged = top.choice("judged", JUDGED, "well")
    limits = top.str("limits", "")

    cam_t = top.table("camera", required=True)
    camera = Camera(
        view=cam_t.choice("view", VIEWS, required=True),
        distance_m=cam_t.num("distance_m", 2.5, lo=0.3),
        height=cam_t.str("height", "floor"),
        notes=cam_t.str("notes", ""),
        max_width_ratio=cam_t.num("max_width_ratio", lo=0.0),
        min_width_ratio=cam_t.num("min_width_ratio", lo=0.0),
        wrong_view_cue=cam_t.str("wrong_view_cue", ""),
    )
    cam_t.done()

    phases: list[Phase] = []
    phase_tables = top.tables("phases", required=True)
    if not phase_tables:
        raise top.error("at least one phase is needed", "phases")
    for pt in phase_tables:
        pname = pt.str("name", required=True)
        if pname in [p.name for p in phases]:
            raise pt.error(f"duplicate phase name {pname!r}", "name")
        targets = []
        for tt in pt.tables("targets", required=True):
            targets.append(_read_bound(tt, Target, short_cue=tt.str("short_cue", "")))
            tt.done()
        if not targets:
            raise pt.error("a phase needs at least one target", "targets")
        phase_rules = tuple(_read_rule(rt, (pname,)) for rt in pt.tables("rules"))
        phases.append(Phase(
            name=pname, targets=tuple(targets), rules=phase_rules,
            hold_s=pt.num("hold_s", lo=0.1), description=pt.str("description", ""),
            hold_cue=pt.str("hold_cue", ""),
        ))  # fmt: skip
        pt.done()
    names = [p.name for p in phases]

    cycle = top.strings("cycle")
    for i, c in enumerate(cycle):
        if c not in names:
            raise top.error(f"unknown phase {c!r}{_hint(c, names)}", f"cycle[{i}]")
    if cycle and (len(cycle) < 3 or cycle[0] != cycle[-1]):
        raise top.error(
            "a cycle starts and ends in the same phase and visits another, "
            'e.g. ["down", "up", "down"]',
            "cycle",
        )
    symmetric = top.get("symmetric", (bool,), False)
    if symmetric and len(cycle) != 3:
        raise top.error('a symmetric cycle has three entries: ["A", "B", "A"]', "symmetric")

    rules = []
    for rt in top.tables("rules"):
        r = _read_rule(rt, ())
        for i, ph in enumerate(r.phases):
            if ph not in names:
                raise rt.error(f"unknown phase {ph!r}{_hint(ph, names)}", f"phases[{i}]")
        rules.append(r)
    ids = [r.id for r in rules] + [r.id for p in phases for r in p.rules]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        raise top.error(f"duplicate rule id {dup[0]!r}", "rules")

    dt = top.table("dose", required=True)
    dose = Dose(
        hold_s=dt.num("hold_s", lo=0.0), hold_max_s=dt.num("hold_max_s", lo=0.0),
        reps=dt.int("reps", lo=1), reps_max=dt.int("reps_max", lo=1),
        sets=dt.int("sets", 1, lo=1), rest_s=dt.num("rest_s", lo=0.0),
        per_side=dt.get("per_side", (bool,), False), notes=dt.str("notes", ""),
    )  # fmt: skip
    dt.done()

    st = top.table("safety")
    safety_measures = st.strings("measures")
    safety = Safety(
        max_speed_deg_s=st.num("max_speed_deg_s", lo=1.0),
        speed_cue=st.str("speed_cue", Safety.speed_cue),
        bounce_reversals=st.int("bounce_reversals", lo=1),
        bounce_window_s=st.num("bounce_window_s", Safety.bounce_window_s, lo=0.1),
        bounce_min_deg=st.num("bounce_min_deg", Safety.bounce_min_deg, lo=0.0),
        bounce_cue=st.str("bounce_cue", Safety.bounce_cue),
        measures=safety_measures,
    )
    st.done()

    tt = top.table("timing")
    timing = {k: tt.num(k, 0.0, lo=0.0) for k in TIMING_DEFAULTS if tt.has(k)}  # present
    tt.done()

    rt = top.table("recognition")
    still = rt.strings("still")
    for i, part in enumerate(still):
        if part not in STILL_PARTS:
            raise rt.error(
                f"unknown limb part {part!r}{_hint(part, STILL_PARTS)} "
                f"(one of {', '.join(STILL_PARTS)})",
                f"still[{i}]",
            )
    position_only = rt.get("position_only", (bool,), False)
    recognition = RecognitionHints(
        min_reps=rt.int("min_reps", 1, lo=1), still=still, position_only=position_only
    )
    if recognition.min_reps > 1 and len(set(cycle)) < 2:
        raise rt.error("min_reps needs a cycle of at least two phases", "min_reps")
    rt.done()

    key_measures = top.strings("key_measures")
    for label, seq in (("key_measures", key_measures), ("safety.measures", safety_measures)):
        for i, m in enumerate(seq):
            if measure_unit(m) is None:
                raise top.error(
                    f"unknown measure {m!r}{_hint(m, _all_measure_names())}", f"{label}[{i}]"
                )
    if not key_measures:  # default: the measures of the phase targets, in order
        seen: dict[str, None] = {}
        for p in phases:
            for t in p.targets:
                seen.setdefault(t.measure)
        key_measures = tuple(seen)
    top.done()

    return Exercise(
        name=name, title=title, summary=summary, how_to=how_to, posture=posture,
        camera=camera, phases=tuple(phases), side=side, aliases=aliases,
        required=required, min_visibility=min_vis, cycle=cycle, rules=tuple(rules),
        dose=dose, safety=safety, timing=timing, key_measures=key_measures, symmetric=symmetric,
        judged=judged, limits=limits, source=file, origin=origin, schema=schema,
        recognition=recognition,
    )  # fmt: skip


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
    p = Path(path)
    label = shown if shown is not None else str(path)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise DefinitionError(f"{label}: no such file", "check the path") from None
    except OSError as exc:
        raise DefinitionError(f"{label}: cannot read ({exc.strerror})") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise DefinitionError(f"{label}: not UTF-8 text", "save the file as UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise DefinitionError(f"{label}: TOML syntax error: {exc}") from None
    return parse_definition(data, label, origin)


# --- the search path -------------------------------------------------------------


def builtin_dir() -> Path | None:
    """The built-in definitions: packaged ``posecheck/poses``, else the repository's ``poses/``."""
    try:
        packaged = importlib.resources.files("posecheck") / "poses"
        if packaged.is_dir():
            return Path(str(packaged))
    except (ModuleNotFoundError, TypeError):  # pragma: no cover
        pass
    repo = Path(__file__).resolve().parents[2] / "poses"
    return repo if repo.is_dir() else None


def user_dir() -> Path:
    """The user's definitions folder (XDG config)."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "posecheck" / "poses"


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
        for ex in exercises:
            self.add(ex)

    @classmethod
    def load(cls, poses_dirs: Sequence[str | os.PathLike[str]] = ()) -> Library:
        """Load every ``*.toml`` on the search path; the first broken file raises."""
        lib = cls()
        for sd in search_path(poses_dirs):
            for f in sorted(sd.path.glob("*.toml")):
                lib.add(load_file(f, sd.origin, display_path(f)))
        return lib

    def add(self, ex: Exercise) -> None:
        if ex.name in self._by_name:
            log.info("%s (%s) replaces %s", ex.name, ex.source, self._by_name[ex.name].source)
        self._by_name[ex.name] = ex

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
        key = name.strip().lower().replace("_", "-").replace(" ", "-")
        if key in self._by_name:
            return self._by_name[key]
        for ex in self._by_name.values():
            if key in (a.lower() for a in ex.aliases):
                return ex
        return None

    def get(self, name: str) -> Exercise:
        """The exercise called ``name`` (or one of its aliases); raises UnknownExerciseError."""
        ex = self.find(name)
        if ex is not None:
            return ex
        everything = self.names + [a for e in self._by_name.values() for a in e.aliases]
        close = difflib.get_close_matches(name.lower(), everything, n=3, cutoff=0.5)
        hint = (
            f"did you mean {', '.join(close)}? 'posecheck exercises' lists them all"
            if close
            else "'posecheck exercises' lists them all"
        )
        raise UnknownExerciseError(f"unknown exercise {name!r}", hint)


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

"""Read a parsed ``poses/*.toml`` document into an :class:`~posecheck.exercise.Exercise`.

One reader per section (``_read_camera``, ``_read_phases``, ``_read_dose``, ...),
each taking a :class:`_Table` that knows its key path. Defaults live once, in the
dataclasses of :mod:`posecheck.exercise`: a reader passes only the keys the file
gives, so an omitted key takes the dataclass default.

Validation reports every problem of a file, not only the first: a reader records
a problem and goes on (with the key left out), and :func:`parse_definition` raises
one :class:`~posecheck.errors.DefinitionError` listing them all. Each names the
file, the key path and the valid range or a fix::

    bridge.toml: min_visibility: must be from 0 to 1, got 5
    bridge.toml: dose.hold_max_s: must be >= hold_s (20), got 10

Numbers must be finite (``nan`` and ``inf`` are TOML numbers, but no threshold).
Pure Python: no cv2, no mediapipe.
"""

from __future__ import annotations

import contextlib
import importlib
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from posecheck import angles
from posecheck.errors import DefinitionError, did_you_mean
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
    counts_reps,
)
from posecheck.pose import LANDMARK_INDEX

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

# Valid ranges of bound values, by unit: an angle is within a full turn either way; a
# ratio (of body lengths, of widths) within +-10.
BOUND_RANGE = {"deg": (-360.0, 360.0), "ratio": (-10.0, 10.0)}

# --- a small typed reader that knows its key path and collects problems --------------


class _Table:
    """One TOML table being read: records which keys were read, and every problem."""

    def __init__(self, data: Any, path: str, file: str, problems: list[str]) -> None:
        self.file = file
        self.path = path
        self.problems = problems
        self.used: set[str] = set()
        self.ok = isinstance(data, dict)
        self.data: dict[str, Any] = data if self.ok else {}
        if not self.ok:
            self.fail(f"expected a table, got {_tname(data)}")

    def _key(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def fail(self, message: str, key: str | None = None) -> None:
        """Record a problem at ``key`` (or the table itself)."""
        where = self._key(key) if key is not None else self.path
        self.problems.append(
            f"{self.file}: {where}: {message}" if where else f"{self.file}: {message}"
        )

    def has(self, key: str) -> bool:
        return key in self.data

    def get(self, key: str, types: tuple[type, ...], required: bool = False) -> Any:
        """The value at ``key`` if it has one of ``types``; None (and a problem) otherwise."""
        self.used.add(key)
        if key not in self.data:
            if required:
                self.fail("missing required key", key)
            return None
        value = self.data[key]
        # TOML ints are fine where floats are expected; bools are not numbers
        if isinstance(value, bool) and bool not in types:
            self.fail(f"expected {_names(types)}, got a boolean", key)
            return None
        if not isinstance(value, types):
            self.fail(f"expected {_names(types)}, got {_tname(value)}", key)
            return None
        return value

    def text(self, key: str, required: bool = False, nonblank: bool = False) -> str | None:
        v = self.get(key, (str,), required)
        if v is not None and nonblank and not v.strip():
            self.fail("must not be empty", key)
            return None
        return v

    def flag(self, key: str) -> bool | None:
        return self.get(key, (bool,))

    def num(
        self, key: str, required: bool = False, lo: float | None = None, hi: float | None = None
    ) -> float | None:
        v = self.get(key, (int, float), required)
        if v is None:
            return None
        if not math.isfinite(v):
            self.fail(f"must be a finite number{_range(lo, hi)}, got {v}", key)
            return None
        if (lo is not None and v < lo) or (hi is not None and v > hi):
            self.fail(f"must be {_range(lo, hi).strip(' ,')}, got {v:g}", key)
            return None
        return float(v)

    def integer(
        self, key: str, required: bool = False, lo: int | None = None, hi: int | None = None
    ) -> int | None:
        v = self.get(key, (int,), required)
        if v is not None and ((lo is not None and v < lo) or (hi is not None and v > hi)):
            self.fail(f"must be {_range(lo, hi).strip(' ,')}, got {v}", key)
            return None
        return v

    def choice(self, key: str, choices: Sequence[str], required: bool = False) -> str | None:
        v = self.text(key, required)
        if v is not None and v not in choices:
            self.fail(f"{v!r} is not one of {', '.join(choices)}{_hint(v, choices)}", key)
            return None
        return v

    def strings(self, key: str, required: bool = False) -> tuple[str, ...]:
        v = self.get(key, (list,), required) or []
        bad = [i for i, item in enumerate(v) if not isinstance(item, str)]
        for i in bad:
            self.fail(f"expected a string, got {_tname(v[i])}", f"{key}[{i}]")
        return tuple(item for item in v if isinstance(item, str))

    def table(self, key: str, required: bool = False) -> _Table:
        v = self.get(key, (dict,), required)
        return _Table(v if v is not None else {}, self._key(key), self.file, self.problems)

    def tables(self, key: str, required: bool = False) -> list[_Table]:
        v = self.get(key, (list,), required) or []
        path = self._key(key)
        return [_Table(item, f"{path}[{i}]", self.file, self.problems) for i, item in enumerate(v)]

    def done(self, also_valid: Iterable[str] = ()) -> None:
        """Record every key that was never read, suggesting the closest valid one."""
        valid = self.used | set(also_valid)
        for key in self.data:
            if key not in valid:
                self.fail(f"unknown key{_hint(key, sorted(valid))}", key)


def is_routine_document(data: Any) -> bool:
    """A routine has ``steps``; an exercise definition has ``phases``."""
    return isinstance(data, dict) and "steps" in data and "phases" not in data


def _range(lo: float | None, hi: float | None) -> str:
    if lo is not None and hi is not None:
        return f" from {lo:g} to {hi:g}"
    if lo is not None:
        return f" >= {lo:g}"
    if hi is not None:
        return f" <= {hi:g}"
    return ""


def _hint(word: str, choices: Iterable[str]) -> str:
    close = did_you_mean(word, choices)
    return f" ({close})" if close else ""


def _tname(v: Any) -> str:
    return {
        dict: "a table", list: "an array", str: "a string", int: "an integer",
        float: "a number", bool: "a boolean", type(None): "nothing",
    }.get(type(v), type(v).__name__)  # fmt: skip


def _names(types: tuple[type, ...]) -> str:
    if float in types:
        return "a number"
    return {
        str: "a string", int: "an integer", list: "an array", dict: "a table", bool: "a boolean",
    }.get(types[0], types[0].__name__)  # fmt: skip


def _given(**kw: Any) -> dict[str, Any]:
    """The keyword arguments the file gave (None: absent or invalid): the dataclass
    supplies the default for the others."""
    return {k: v for k, v in kw.items() if v is not None}


# --- measures ----------------------------------------------------------------------


def load_extra_measure_modules() -> None:
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


def all_measure_names() -> list[str]:
    return sorted(set(angles.known_measures()) | angles.SIDED_BASES | set(EXTRA_MEASURE_UNITS))


def _check_measures(t: _Table, key: str, names: Sequence[str]) -> None:
    for i, m in enumerate(names):
        if measure_unit(m) is None:
            t.fail(f"unknown measure {m!r}{_hint(m, all_measure_names())}", f"{key}[{i}]")


# --- bounds, targets and rules ------------------------------------------------------------


def _read_bound(t: _Table, cls: type, **extra: Any) -> Any:
    """A :class:`Target` or :class:`Rule` range; None (problems recorded) when unusable."""
    measure = t.text("measure", required=True)
    if measure is None:
        return None
    unit = measure_unit(measure)
    if unit is None:
        t.fail(f"unknown measure {measure!r}{_hint(measure, all_measure_names())}", "measure")
        # its range keys are not "unknown" too (whichever unit the measure was meant to have)
        t.used.update(k for k in t.data if k.startswith(("min", "max", "baseline")))
        return None
    sfx = "_deg" if unit == "deg" else ""
    other = "" if unit == "deg" else "_deg"
    change = t.has(f"min_change{sfx}") or t.has(f"max_change{sfx}")
    if change:
        t.used.update(("baseline", "baseline_s"))  # not also "unknown" if the bound fails
    if change and (t.has(f"min{sfx}") or t.has(f"max{sfx}")):
        t.fail(f"use min{sfx}/max{sfx} or min_change{sfx}/max_change{sfx}, not both")
        t.used.update(f"{e}{k}{sfx}" for e in ("min", "max") for k in ("", "_change"))
        return None
    for kind in ("", "_change"):
        for end in ("min", "max"):
            w = f"{end}{kind}{other}"
            if t.has(w):
                t.fail(f"{measure} is measured in {unit}: write {end}{kind}{sfx}", w)
                t.used.add(w)
    stem = "_change" if change else ""
    lo_key, hi_key = f"min{stem}{sfx}", f"max{stem}{sfx}"
    lo_v, hi_v = BOUND_RANGE[unit]
    lo, hi = t.num(lo_key, lo=lo_v, hi=hi_v), t.num(hi_key, lo=lo_v, hi=hi_v)
    if lo is None and hi is None:
        if not t.has(lo_key) and not t.has(hi_key):
            t.fail(f"needs {lo_key} and/or {hi_key}")
        return None
    if change:
        baseline = t.choice("baseline", ("min", "max"))
        extra.update(_given(baseline=baseline, baseline_s=t.num("baseline_s", lo=0.5, hi=600)))
        extra["change"] = True
    if lo is not None and hi is not None and lo > hi:
        t.fail(f"{lo_key} ({lo:g}) is larger than {hi_key} ({hi:g})", lo_key)
        return None
    return cls(measure=measure, unit=unit, min=lo, max=hi, **extra)


def _read_rule(t: _Table, default_phases: tuple[str, ...]) -> Rule | None:
    given = _given(
        id=t.text("id", required=True, nonblank=True),
        cue=t.text("cue", required=True, nonblank=True),
        priority=t.integer("priority", lo=1, hi=10),
        severity=t.choice("severity", SEVERITIES),
        stops_hold=t.flag("stops_hold"),
    )
    given["phases"] = t.strings("phases") or default_phases
    rule = _read_bound(t, Rule, **given)
    t.done()
    return rule


def _read_phases(top: _Table) -> tuple[tuple[Phase, ...], list[str]]:
    """The phases, and the names of all phases (also of those with a problem)."""
    phases: list[Phase] = []
    tables = top.tables("phases", required=True)
    if top.has("phases") and not tables and isinstance(top.data.get("phases"), list):
        top.fail("at least one phase is needed", "phases")
    seen: set[str] = set()
    for pt in tables:
        phase = _read_phase(pt, seen)
        if phase is not None:
            phases.append(phase)
    return tuple(phases), sorted(seen)


def _read_phase(pt: _Table, seen: set[str]) -> Phase | None:
    name = pt.text("name", required=True, nonblank=True)
    if name is not None and name in seen:
        pt.fail(f"duplicate phase name {name!r}", "name")
    if name is not None:
        seen.add(name)
    target_tables = pt.tables("targets", required=True)
    targets = []
    for tt in target_tables:
        target = _read_bound(tt, Target, **_given(short_cue=tt.text("short_cue")))
        tt.done()
        if target is not None:
            targets.append(target)
    if pt.has("targets") and not target_tables:
        pt.fail("a phase needs at least one target", "targets")
    rules = [_read_rule(rt, (name,) if name else ()) for rt in pt.tables("rules")]
    given = _given(
        hold_s=pt.num("hold_s", lo=0.1, hi=3600),
        description=pt.text("description"),
        hold_cue=pt.text("hold_cue"),
    )
    pt.done()
    if name is None or not targets:
        return None
    return Phase(name=name, targets=tuple(targets),
                 rules=tuple(r for r in rules if r is not None), **given)  # fmt: skip


def _read_cycle(top: _Table, names: Sequence[str]) -> tuple[tuple[str, ...], bool | None]:
    cycle = top.strings("cycle")
    for i, c in enumerate(cycle):
        if names and c not in names:
            top.fail(f"unknown phase {c!r}{_hint(c, names)}", f"cycle[{i}]")
    if cycle and (len(cycle) < 3 or cycle[0] != cycle[-1]):
        top.fail(
            "a cycle starts and ends in the same phase and visits another, "
            'e.g. ["down", "up", "down"]',
            "cycle",
        )
    else:
        # A cycle that stays in one phase would never count a rep.
        for i in range(1, len(cycle)):
            if cycle[i] == cycle[i - 1]:
                top.fail(
                    f"the cycle stays in {cycle[i]!r}: each entry must change phase, "
                    'e.g. ["down", "up", "down"]',
                    f"cycle[{i}]",
                )
                break
    symmetric = top.flag("symmetric")
    if symmetric and len(cycle) != 3:
        top.fail('a symmetric cycle has three entries: ["A", "B", "A"]', "symmetric")
    return cycle, symmetric


def _read_rules(top: _Table, names: Sequence[str]) -> tuple[Rule, ...]:
    rules = []
    for rt in top.tables("rules"):
        r = _read_rule(rt, ())
        if r is None:
            continue
        for i, ph in enumerate(r.phases):
            if names and ph not in names:
                rt.fail(f"unknown phase {ph!r}{_hint(ph, names)}", f"phases[{i}]")
        rules.append(r)
    return tuple(rules)


def _rule_ids(rules: Sequence[Rule], phases: Sequence[Phase]) -> list[str]:
    """The ids of every rule, the exercise-level ones first, then each phase's own."""
    return [r.id for r in rules] + [r.id for p in phases for r in p.rules]


def _check_rule_ids(top: _Table, rules: Sequence[Rule], phases: Sequence[Phase]) -> None:
    counts = Counter(_rule_ids(rules, phases))
    dup = sorted(i for i, n in counts.items() if n > 1)  # a Counter: linear in the rules
    if dup:
        top.fail(f"duplicate rule id {dup[0]!r}", "rules")


# --- the other sections ----------------------------------------------------------------


def _read_camera(top: _Table) -> Camera | None:
    t = top.table("camera", required=True)
    view = t.choice("view", VIEWS, required=True)
    given = _given(
        distance_m=t.num("distance_m", lo=0.3, hi=20),
        height=t.text("height"),
        notes=t.text("notes"),
        max_width_ratio=t.num("max_width_ratio", lo=0.0, hi=5),
        min_width_ratio=t.num("min_width_ratio", lo=0.0, hi=5),
        wrong_view_cue=t.text("wrong_view_cue", nonblank=True),
    )
    t.done()
    return Camera(view=view, **given) if view is not None else None


def _read_dose(top: _Table) -> Dose:
    t = top.table("dose", required=True)
    given = _given(
        hold_s=t.num("hold_s", lo=0.0, hi=3600), hold_max_s=t.num("hold_max_s", lo=0.0, hi=3600),
        reps=t.integer("reps", lo=1, hi=1000), reps_max=t.integer("reps_max", lo=1, hi=1000),
        sets=t.integer("sets", lo=1, hi=100), rest_s=t.num("rest_s", lo=0.0, hi=3600),
        per_side=t.flag("per_side"), notes=t.text("notes"),
    )  # fmt: skip
    # Cross-field rules: a range's upper end is not below its lower end.
    for lo_key, hi_key in (("hold_s", "hold_max_s"), ("reps", "reps_max")):
        lo, hi = given.get(lo_key), given.get(hi_key)
        if lo is not None and hi is not None and hi < lo:
            t.fail(f"must be >= {lo_key} ({lo:g}), got {hi:g}", hi_key)
    t.done()
    return Dose(**given)


def _read_safety(top: _Table) -> Safety:
    t = top.table("safety")
    measures = t.strings("measures")
    _check_measures(t, "measures", measures)
    given = _given(
        max_speed_deg_s=t.num("max_speed_deg_s", lo=1.0, hi=3600),
        speed_cue=t.text("speed_cue", nonblank=True),
        bounce_reversals=t.integer("bounce_reversals", lo=1, hi=100),
        bounce_window_s=t.num("bounce_window_s", lo=0.1, hi=60),
        bounce_min_deg=t.num("bounce_min_deg", lo=0.0, hi=180),
        bounce_cue=t.text("bounce_cue", nonblank=True),
    )
    t.done()
    return Safety(measures=measures, **given)


def _read_timing(top: _Table) -> dict[str, float]:
    t = top.table("timing")
    timing = {k: t.num(k, lo=0.0, hi=60) for k in TIMING_DEFAULTS if t.has(k)}
    t.done()
    return {k: v for k, v in timing.items() if v is not None}


def _read_recognition(
    top: _Table, cycle: Sequence[str], rule_ids: Sequence[str]
) -> RecognitionHints:
    t = top.table("recognition")
    still = t.strings("still")
    named = {k: t.strings(k) for k in ("movement_rules", "form_only_rules")}
    for key, ids in named.items():
        for i, rule in enumerate(ids):
            if rule not in rule_ids:
                t.fail(f"no rule has the id {rule!r}{_hint(rule, rule_ids)}", f"{key}[{i}]")
    for i, rule in enumerate(named["form_only_rules"]):
        if rule in named["movement_rules"]:
            t.fail(f"rule {rule!r} is also a movement rule", f"form_only_rules[{i}]")
    for i, part in enumerate(still):
        if part not in STILL_PARTS:
            t.fail(
                f"unknown limb part {part!r}{_hint(part, STILL_PARTS)} "
                f"(one of {', '.join(STILL_PARTS)})",
                f"still[{i}]",
            )
    given = _given(
        min_reps=t.integer("min_reps", lo=1, hi=100),
        position_only=t.flag("position_only"),
        attempt_confirms_deg=t.num("attempt_confirms_deg", lo=0.0, hi=180.0),
        confirm_change_deg=t.num("confirm_change_deg", lo=0.0, hi=180.0),
        shoulders_level_deg=t.num("shoulders_level_deg", lo=0.0, hi=90.0),
        knee_travel_max=t.num("knee_travel_max", lo=0.0, hi=10.0),
        knees_apart_min=t.num("knees_apart_min", lo=0.0, hi=10.0),
        knees_apart_max=t.num("knees_apart_max", lo=0.0, hi=10.0),
    )
    # all are about repetitions
    asks = {
        "min_reps": given.get("min_reps", 1) > 1,
        "attempt_confirms_deg": "attempt_confirms_deg" in given,
        "confirm_change_deg": "confirm_change_deg" in given,
    }
    for key in (k for k, used in asks.items() if used and not counts_reps(cycle)):
        t.fail(f"{key} needs a cycle of at least two phases", key)
    steady = _read_steady(t.table("steady_spread_deg"))
    t.done()
    return RecognitionHints(
        still=still,
        steady_spread_deg=steady,
        movement_rules=named["movement_rules"],
        form_only_rules=named["form_only_rules"],
        **given,
    )


def _read_steady(t: _Table) -> tuple[tuple[str, float], ...]:
    """``[recognition] steady_spread_deg``: measure name -> largest spread (degrees)."""
    out = []
    for name in list(t.data):
        if measure_unit(name) != "deg":
            t.fail(f"unknown measure in degrees{_hint(name, all_measure_names())}", name)
            t.used.add(name)
            continue
        spread = t.num(name, lo=0.0, hi=180.0)
        if spread is not None:
            out.append((name, spread))
    t.done()
    return tuple(out)


def _read_identity(top: _Table) -> dict[str, Any]:
    """The top-level keys that describe the exercise (name, title, posture, ...)."""
    name = top.text("name", required=True)
    if name is not None and (
        not name or not all(c.isalnum() or c == "-" for c in name) or name != name.lower()
    ):
        top.fail(f"{name!r}: use lower-case letters, digits and '-'", "name")
        name = None
    required = top.strings("required")
    for i, part in enumerate(required):
        if part not in _PARTS and part not in LANDMARK_INDEX:
            top.fail(
                f"unknown landmark {part!r}{_hint(part, _PARTS + list(LANDMARK_INDEX))}",
                f"required[{i}]",
            )
    return _given(
        name=name,
        title=top.text("title", required=True),
        summary=top.text("summary"),
        how_to=top.strings("how_to", required=True),
        posture=top.choice("posture", POSTURES, required=True),
        side=top.choice("side", SIDE_POLICIES),
        side_by=_read_side_by(top),
        aliases=top.strings("aliases"),
        required=required,
        min_visibility=top.num("min_visibility", lo=0.0, hi=1.0),
        judged=top.choice("judged", JUDGED),
        limits=top.text("limits"),
    )


def _read_side_by(top: _Table) -> tuple[str, ...] | None:
    """``side_by``: sided measures (``shoulder``, ``other_hip``), only with side "alternate"."""
    names = top.strings("side_by")
    for i, name in enumerate(names):
        if angles.resolve(name, "left") == angles.resolve(name, "right"):
            top.fail(f"{name!r}: must be a measure with a side (hip, other_hip, ...)",
                     f"side_by[{i}]")  # fmt: skip
    if names and top.data.get("side") != "alternate":
        top.fail('only for side = "alternate"', "side_by")
    return names or None


def _default_key_measures(phases: Sequence[Phase]) -> tuple[str, ...]:
    """The measures of the phase targets, in order (when ``key_measures`` is not given)."""
    seen: dict[str, None] = {}
    for p in phases:
        for t in p.targets:
            seen.setdefault(t.measure)
    return tuple(seen)


# --- the file ----------------------------------------------------------------------


def parse_definition(data: dict, file: str, origin: str = "file") -> Exercise:
    """Validate a parsed TOML document and build the :class:`Exercise`.

    Raises one :class:`DefinitionError` naming ``file`` and the key path of every
    problem found (``.problems``; the message is the first).
    """
    load_extra_measure_modules()
    problems: list[str] = []
    top = _Table(data, "", file, problems)
    schema = top.integer("schema", required=True)
    if schema is not None and schema != SCHEMA_VERSION:
        top.fail(
            f"schema {schema} is not supported (this posecheck reads schema {SCHEMA_VERSION})",
            "schema",
        )
        raise _error(problems)  # another schema: the other keys may mean other things
    ident = _read_identity(top)
    camera = _read_camera(top)
    phases, names = _read_phases(top)
    cycle, symmetric = _read_cycle(top, names)
    rules = _read_rules(top, names)
    _check_rule_ids(top, rules, phases)
    dose = _read_dose(top)
    safety = _read_safety(top)
    timing = _read_timing(top)
    recognition = _read_recognition(top, cycle, _rule_ids(rules, phases))
    key_measures = top.strings("key_measures")
    _check_measures(top, "key_measures", key_measures)
    top.done()
    if problems:
        raise _error(problems)
    assert camera is not None  # a missing camera or view is a recorded problem
    return Exercise(
        camera=camera, phases=phases, cycle=cycle, rules=rules, dose=dose, safety=safety,
        timing=timing, recognition=recognition, source=file, origin=origin,
        key_measures=key_measures or _default_key_measures(phases),
        **_given(symmetric=symmetric, schema=schema), **ident,
    )  # fmt: skip


def _error(problems: list[str]) -> DefinitionError:
    return DefinitionError(problems[0], problems=problems)

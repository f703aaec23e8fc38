"""What the sinks read from an exercise definition, in one place.

The sinks only read the fields the architecture contract lists (name, title,
how_to, camera.view, phases with targets, dose, key_measures, rules). Reading
them through these helpers keeps the sinks working with a partly filled
definition (``None`` exercise, a phase without targets) and gives one place to
follow the definition type if it grows.
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import math
from collections.abc import Mapping
from pathlib import Path, PurePath
from typing import Any

from posecheck.angles import SIDED_BASES
from posecheck.pose import other_side


def ex_name(ex: object | None) -> str:
    return str(getattr(ex, "name", "") or "")


def ex_title(ex: object | None) -> str:
    return str(getattr(ex, "title", "") or ex_name(ex).replace("-", " ").capitalize())


def ex_view(ex: object | None) -> str | None:
    cam = getattr(ex, "camera", None)
    v = getattr(cam, "view", None) if cam is not None else None
    return str(v) if v else None


def how_to(ex: object | None) -> list[str]:
    steps = getattr(ex, "how_to", None) or []
    if isinstance(steps, str):
        return [s.strip() for s in steps.splitlines() if s.strip()]
    return [str(s) for s in steps]


def dose(ex: object | None) -> dict[str, Any]:
    """``{"hold_s", "reps", "sets", "rest_s"}`` (missing ones are None)."""
    d = getattr(ex, "dose", None)
    out: dict[str, Any] = {}
    for k in ("hold_s", "reps", "sets", "rest_s"):
        v = d.get(k) if isinstance(d, Mapping) else getattr(d, k, None)
        out[k] = v
    return out


def _lo_hi(target: object) -> tuple[float | None, float | None]:
    lo = hi = None
    for k in ("min_deg", "min", "min_value", "min_ratio", "lo"):
        v = target.get(k) if isinstance(target, Mapping) else getattr(target, k, None)
        if v is not None:
            lo = float(v)
            break
    for k in ("max_deg", "max", "max_value", "max_ratio", "hi"):
        v = target.get(k) if isinstance(target, Mapping) else getattr(target, k, None)
        if v is not None:
            hi = float(v)
            break
    return lo, hi


def _get(obj: object, key: str, default: Any = None) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(key, default)
    return getattr(obj, key, default)


def phases(ex: object | None) -> list[object]:
    return list(getattr(ex, "phases", None) or [])


def bands(ex: object | None) -> dict[str, list[tuple[str, float | None, float | None]]]:
    """Target bands per (bare) measure name: ``{"hip": [("top", 165.0, 185.0)]}``.

    Targets on the change of a measure from its baseline (``change = true``) are left
    out: they have no fixed place on the measure's axis.
    """
    out: dict[str, list[tuple[str, float | None, float | None]]] = {}
    for ph in phases(ex):
        pname = str(_get(ph, "name", ""))
        for t in _get(ph, "targets", None) or []:
            m = _get(t, "measure", None)
            if not m or _get(t, "change", False):  # relative targets have no fixed band
                continue
            lo, hi = _lo_hi(t)
            out.setdefault(str(m), []).append((pname, lo, hi))
    return out


def rule_limits(ex: object | None) -> dict[str, list[tuple[str, float | None, float | None]]]:
    """Limits of the form rules per (bare) measure: ``{"knee": [("knee_bend", 80.0, 115.0)]}``.

    Rules of phases and of the whole exercise; a rule fires outside its limits.
    """
    out: dict[str, list[tuple[str, float | None, float | None]]] = {}
    rules = list(getattr(ex, "rules", None) or [])
    for ph in phases(ex):
        rules += list(_get(ph, "rules", None) or [])
    seen = set()
    for r in rules:
        m, rid = _get(r, "measure", None), str(_get(r, "id", ""))
        if not m or (rid, m) in seen or _get(r, "change", False):
            continue
        seen.add((rid, m))
        lo, hi = _lo_hi(r)
        if lo is not None or hi is not None:
            out.setdefault(str(m), []).append((rid, lo, hi))
    return out


def hold_phases(ex: object | None) -> dict[str, float]:
    """Phase name -> prescribed hold (s) for phases that are held."""
    out: dict[str, float] = {}
    for ph in phases(ex):
        h = _get(ph, "hold_s", None)
        if h:
            out[str(_get(ph, "name", ""))] = float(h)
    return out


def measure_names(ex: object | None) -> list[str]:
    """Bare measure names the exercise uses: key measures first, then phase targets."""
    names: list[str] = []
    for m in list(getattr(ex, "key_measures", None) or []) + list(bands(ex)):
        if m not in names:
            names.append(str(m))
    return names


def bare_name(resolved: str, side: str | None) -> str:
    """``left_hip`` with side ``left`` -> ``hip``; with side ``right`` -> ``other_hip``.

    Unsided names come back unchanged. Columns and plots use bare names so a
    session that alternates sides stays one column per measure.
    """
    for s in ("left", "right"):
        prefix = s + "_"
        if resolved.startswith(prefix) and resolved[len(prefix) :] in SIDED_BASES:
            base = resolved[len(prefix) :]
            if side is None or s == side:
                return base
            if s == other_side(side):
                return "other_" + base
    return resolved


def resolve_for(bare: str, side: str | None) -> str:
    from posecheck.angles import resolve

    return resolve(bare, side)


def jsonable(obj: Any) -> Any:
    """Plain JSON types for dataclasses, enums, paths, tuples; NaN/inf become None."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: jsonable(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, Mapping):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set, frozenset)):
        return [jsonable(v) for v in obj]
    if isinstance(obj, enum.Enum):
        return jsonable(obj.value)
    if isinstance(obj, (PurePath, Path)):
        return str(obj)
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, (str, int, bool)) or obj is None:
        return obj
    if hasattr(obj, "item"):  # numpy scalars
        return jsonable(obj.item())
    if hasattr(obj, "__dict__"):
        return {k: jsonable(v) for k, v in vars(obj).items() if not k.startswith("_")}
    return str(obj)


def definition_content(ex: object | None) -> dict[str, Any] | None:
    """The definition as used: its fields, and the source file's text when known."""
    if ex is None:
        return None
    content = jsonable(ex)
    if not isinstance(content, dict):
        content = {"name": ex_name(ex)}
    for attr in ("source", "path", "source_path"):
        p = getattr(ex, attr, None)
        if p and Path(str(p)).is_file():
            content = {**content, "source_path": str(p)}
            with contextlib.suppress(OSError):
                content["source_text"] = Path(str(p)).read_text(encoding="utf-8")
            break
    return content

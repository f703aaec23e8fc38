"""What the sinks read from an exercise definition, in one place.

The sinks only read the fields the architecture contract lists (name, title,
how_to, camera.view, phases with targets, dose, key_measures, rules) of an
:class:`posecheck.exercise.Exercise`. Every helper also takes ``None`` (a run
without an exercise: the pose-only first pass of ``analyze -e auto``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import math
from collections.abc import Mapping, Sequence
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any

from posecheck.angles import SIDED_BASES
from posecheck.pose import other_side

if TYPE_CHECKING:
    from posecheck.exercise import Bound, Exercise, Phase, Rule
    from posecheck.results import HoldRecord, RepRecord

Band = tuple[str, float | None, float | None]  # (phase name or rule id, low, high)


def ex_name(ex: Exercise | None) -> str:
    return ex.name if ex is not None else ""


def ex_title(ex: Exercise | None) -> str:
    if ex is None:
        return ""
    return ex.title or ex.name.replace("-", " ").capitalize()


def side_words(ex: Exercise | None, side: str | None) -> str:
    """The side a session or frame was judged on, in words: "left side" where the
    exercise works one side at a time (its side is the side worked), "left side measured"
    where the camera-facing side is measured (a supine twist's "right side" read as
    "twisted to the right", which it does not tell)."""
    return f"{side} {side_label(ex)}" if side else ""


def side_label(ex: Exercise | None) -> str:
    """ "side" or "side measured", as :func:`side_words` (a table's column)."""
    return "side" if alternates(ex) else "side measured"


def alternates(ex: Exercise | None) -> bool:
    """The exercise works one side at a time, so its side is the side worked; else the
    side is the one facing the camera, no instruction to the person."""
    return ex is not None and ex.side == "alternate"


def ex_view(ex: Exercise | None) -> str | None:
    return (ex.camera.view or None) if ex is not None else None


def filmed_from(view: str) -> str:
    """ "from the side", "from the front", or for a definition judged in 3D ("any")
    "from any side (front, side or at an angle)"."""
    return "from any side (front, side or at an angle)" if view == "any" else f"from the {view}"


def hold_target(ex: Exercise | None) -> float | None:
    """The hold time a session is held to: the dose's, else the longest phase hold (a
    jack knife's 1 s tuck has none in its dose): "holds reached 2 of 2 (target 1 s)"."""
    if ex is None:
        return None
    return ex.dose.hold_s or max((p.hold_s or 0.0 for p in ex.phases), default=0.0) or None


def camera_limits(ex: Exercise | None) -> str | None:
    """What one camera cannot see of an exercise it judges only partly or poorly ("The
    camera judges this exercise only partly: ..."), said beside the corrections: "no
    corrections" of a draw-in is of the position held, not of the tummy."""
    if ex is None or ex.judged == "well" or not ex.limits:
        return None
    return (
        f"The camera judges this exercise only {ex.judged}: {ex.limits[0].lower()}{ex.limits[1:]}"
    )


def how_to(ex: Exercise | None) -> list[str]:
    return [str(s) for s in ex.how_to] if ex is not None else []


def dose(ex: Exercise | None) -> dict[str, Any]:
    """``{"hold_s", "reps", "sets", "rest_s"}`` (missing ones are None)."""
    d = ex.dose if ex is not None else None
    keys = ("hold_s", "reps", "sets", "rest_s")
    if d is None:
        return dict.fromkeys(keys)
    return {"hold_s": d.hold_s, "reps": d.reps, "sets": d.sets, "rest_s": d.rest_s}


def _lo_hi(bound: Bound) -> tuple[float | None, float | None]:
    lo = float(bound.min) if bound.min is not None else None
    hi = float(bound.max) if bound.max is not None else None
    return lo, hi


def phases(ex: Exercise | None) -> list[Phase]:
    return list(ex.phases) if ex is not None else []


def bands(ex: Exercise | None) -> dict[str, list[Band]]:
    """Target bands per (bare) measure name: ``{"hip": [("top", 165.0, 185.0)]}``.

    Targets on the change of a measure from its baseline (``change = true``) are left
    out: they have no fixed place on the measure's axis.
    """
    out: dict[str, list[Band]] = {}
    for ph in phases(ex):
        for t in ph.targets:
            if not t.measure or t.change:  # relative targets have no fixed band
                continue
            lo, hi = _lo_hi(t)
            out.setdefault(t.measure, []).append((ph.name, lo, hi))
    return out


def rule_limits(ex: Exercise | None) -> dict[str, list[Band]]:
    """Limits of the form rules per (bare) measure: ``{"knee": [("knee_bend", 80.0, 115.0)]}``.

    Rules of phases and of the whole exercise; a rule fires outside its limits.
    """
    out: dict[str, list[Band]] = {}
    rules: list[Rule] = list(ex.rules) if ex is not None else []
    for ph in phases(ex):
        rules += ph.rules
    seen = set()
    for r in rules:
        m, rid = r.measure, r.id
        if not m or (rid, m) in seen or r.change:
            continue
        seen.add((rid, m))
        lo, hi = _lo_hi(r)
        if lo is not None or hi is not None:
            out.setdefault(m, []).append((rid, lo, hi))
    return out


def holds_only(ex: Exercise | None) -> bool:
    """Whether the exercise is only held (no cycle, so no reps): its dose's "reps" are
    holds (reclined pigeon: 2 x 20 s), counted as "holds 1 of 2", never "reps 0 of 2"."""
    return ex is not None and not ex.cycle


def holds_due(ex: Exercise | None, holds: int, reps: int) -> int:
    """How many holds a session asked for: a rep exercise one per held phase of each rep
    (a bridge's top; a cat-camel's cat and camel), a stretch its dose's number; or the
    holds seen if more. So two reps that never reached the top read "holds reached 0 of
    2", not "0/0", and a child's pose held once of its 2 reads "0 of 2" in the terminal,
    the report, summary.json and score alike (score said "0/1")."""
    if ex is None:
        return holds
    if not ex.cycle:
        return max(holds, ex.dose.total or 0)
    held = {name for name in ex.cycle if ex.phase(name).hold_s}
    return max(holds, reps * len(held))


def hold_counts(
    ex: Exercise | None, holds: Sequence[HoldRecord], reps: Sequence[RepRecord]
) -> tuple[int, int, list[HoldRecord]]:
    """(holds reached, holds due, the holds counted) for "holds reached N of M": every
    hold but a setup hold before the first rep that fell short, which the corrections do
    not tell either (a sample cat-camel starting in the camel for 1.2 s read "holds
    reached 4 of 5" beside "no corrections needed"). A setup hold that reached its target
    counts: the engine's running count (frames.csv, the overlay, live) counted it."""
    from posecheck.corrections import exercise_holds

    ours = {id(h) for h in (exercise_holds(ex, holds, reps) if ex is not None else holds)}
    kept = [h for h in holds if h.reached or id(h) in ours]
    return sum(1 for h in kept if h.reached), holds_due(ex, len(kept), len(reps)), kept


def held_on_note(holds: Sequence[HoldRecord]) -> str | None:
    """Beside "no corrections": a hold still held when counting stopped (the pause key,
    quit, Ctrl-C; HoldRecord.stopped) did not reach its time, but was not cut short by
    the person either ("every hold lasted its time" beside "holds reached 0 of 4")."""
    n = sum(1 for h in holds if h.stopped and not h.reached)
    if not n:
        return None
    return (
        f"{'1 hold was' if n == 1 else f'{n} holds were'} still held when counting "
        "stopped: not counted as reached"
    )


def reps_words(ex: Exercise | None, reps_complete: int, holds: Sequence[HoldRecord],
               reps: Sequence[RepRecord]) -> str:  # fmt: skip
    """ "2 of 10, 1 incomplete, and 1 hold whose way in or out was not seen": the reps
    after "reps" in the terminal, live's end lines and its card alike (beside a
    correction naming "reps 1-2", "reps 0" alone reads as if nothing was tried)."""
    want = ex.dose.total if ex is not None else None
    out = f"{reps_complete}" + (f" of {want}" if want else "")
    inc = sum(1 for r in reps if not r.complete)
    out += f", {inc} incomplete" if inc else ""
    outside = outside_reps(ex, holds, reps)
    return out + (f", and {outside}" if outside else "")


def outside_reps(ex: Exercise | None, holds: Sequence[HoldRecord],
                 reps: Sequence[RepRecord]) -> str:  # fmt: skip
    """The words "1 hold whose way in or out was not seen" beside a rep count, or
    "": the peak held where the recording starts or ends in it is not a rep ("reps 0 of
    2"), but the person did hold it (:func:`posecheck.corrections.holds_outside_reps`)."""
    from posecheck.corrections import holds_outside_reps

    n = len(holds_outside_reps(ex, holds, reps)) if ex is not None else 0
    if not n:
        return ""
    if n == 1:
        return "1 hold whose way in or out was not seen"
    return f"{n} holds whose way in or out was not seen"


def hold_phases(ex: Exercise | None) -> dict[str, float]:
    """Phase name -> prescribed hold (s) for phases that are held."""
    return {ph.name: float(ph.hold_s) for ph in phases(ex) if ph.hold_s}


def measure_names(ex: Exercise | None) -> list[str]:
    """Bare measure names the exercise uses: key measures first, then phase targets."""
    names: list[str] = []
    key = list(ex.key_measures) if ex is not None else []
    for m in key + list(bands(ex)):
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


def definition_content(ex: Exercise | None) -> dict[str, Any] | None:
    """The definition as used: its fields, and the source file's text when known."""
    if ex is None:
        return None
    content = jsonable(ex)
    if not isinstance(content, dict):
        content = {"name": ex_name(ex)}
    p = ex.source
    if p and Path(p).is_file():
        content = {**content, "source_path": str(p)}
        with contextlib.suppress(OSError):
            content["source_text"] = Path(p).read_text(encoding="utf-8")
    return content

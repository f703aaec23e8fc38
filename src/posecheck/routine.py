"""Routines: a flow of several exercises, each with its dose (``routines/*.toml``).

A routine is data, validated like an exercise definition (every problem of a file,
each naming the file and key path)::

    schema = 1
    name = "low-back-flow"
    title = "Low-back flow"
    summary = "Six stretches from the guide, one after another."
    rest_s = 15                    # default rest after each step

    [[steps]]
    exercise = "knees-to-chest"    # a name or alias from `posecheck exercises`
    hold_s = 20                    # this routine's dose (default: the exercise's own)
    reps = 2
    [[steps]]
    exercise = "supine-twist"
    side = "both"                  # the step runs twice, once for each side, in turn
    hold_s = 20
    reps = 1

:meth:`Routine.plan` expands the steps into the runs a person performs (a step with
``side = "both"`` or ``sets > 1`` becomes several runs), and :func:`dosed` gives the
exercise definition with a run's dose applied, for the engine to judge that run.

Search path, as for exercises: the built-in ``routines/`` (packaged
``posecheck/routines`` in a wheel), then ``$XDG_CONFIG_HOME/posecheck/routines``, then
each ``--routines-dir``. Pure Python: no cv2, no mediapipe.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from posecheck.definition_reader import _Table, is_routine_document  # noqa: F401 - re-exported
from posecheck.errors import DefinitionError, UnknownExerciseError, did_you_mean
from posecheck.exercise import Exercise

ROUTINE_SCHEMA = 1
# "as-defined": the exercise's own side policy; "both": the step runs once per side, in
# turn; "left"/"right": that side only (for exercises that work one named side).
STEP_SIDES = ("as-defined", "both", "left", "right")
MAX_STEPS = 40  # a routine is a session's worth of exercises, not a programme
MAX_FILE_BYTES = 200_000
DEFAULT_REST_S = 15.0
# Rough time to get into and out of each rep or hold, for the duration estimate only.
_TRANSITION_S = 4.0
# A definition's ``posture`` in words ("Camera: side-on, lying on your back.").
POSTURE_WORDS = {
    "supine": "lying on your back", "prone": "lying on your front",
    "all_fours": "on hands and knees", "seated": "sitting", "standing": "standing",
    "kneeling": "kneeling", "side_lying": "lying on your side",
}  # fmt: skip


@dataclass(frozen=True)
class Step:
    """One exercise of a routine with this routine's dose."""

    exercise: str  # the library name (aliases resolved when validated against a library)
    hold_s: float | None = None  # None: the exercise's own
    reps: int | None = None  # holds or reps of one run; None: the exercise's own
    sets: int = 1
    side: str = "as-defined"
    rest_s: float = DEFAULT_REST_S  # after the step (and between its sets and sides)
    note: str = ""  # said when the step starts, after the exercise's summary


@dataclass(frozen=True)
class Run:
    """One performed span of a routine: a step, on one side, one set."""

    number: int  # 1-based, in the order performed
    step: int  # 1-based index of the step in the routine
    exercise: str
    side: str  # "as-defined", "left", "right", or "side 1" / "side 2" of a "both" step
    set_no: int
    sets: int
    hold_s: float | None
    reps: int | None
    rest_s: float
    note: str = ""

    def label(self, title: str) -> str:
        """``Supine twist, side 2`` / ``Chest raise, set 2 of 3`` (``title``: the exercise's)."""
        parts = [title]
        if self.side != "as-defined":
            parts.append(self.side if self.side.startswith("side") else f"{self.side} side")
        if self.sets > 1:
            parts.append(f"set {self.set_no} of {self.sets}")
        return ", ".join(parts)


@dataclass(frozen=True)
class Routine:
    """A titled sequence of steps (``routines/*.toml``)."""

    name: str
    title: str
    steps: tuple[Step, ...]
    summary: str = ""
    source: str = ""
    origin: str = "file"
    schema: int = ROUTINE_SCHEMA

    def plan(self) -> list[Run]:
        """The runs in the order a person performs them (sides in turn, then sets)."""
        runs: list[Run] = []
        for i, st in enumerate(self.steps, 1):
            sides = ["side 1", "side 2"] if st.side == "both" else [st.side]
            for set_no in range(1, st.sets + 1):
                for side in sides:
                    runs.append(Run(
                        number=len(runs) + 1, step=i, exercise=st.exercise, side=side,
                        set_no=set_no, sets=st.sets, hold_s=st.hold_s, reps=st.reps,
                        rest_s=st.rest_s, note=st.note,
                    ))  # fmt: skip
        return runs

    def estimate_s(self, library: Any) -> float:
        """A rough duration: each rep or hold plus a few seconds to move, and the rests."""
        total = 0.0
        for run in self.plan():
            ex = library.find(run.exercise)
            dose = dosed(ex, run) if ex is not None else None
            reps = (run.reps or (dose.dose.reps if dose else None)) or 1
            hold = run.hold_s or (dose.dose.hold_s if dose else None) or 0.0
            total += reps * (hold + _TRANSITION_S) + run.rest_s
        return total


def dosed(ex: Exercise, run: Run) -> Exercise:
    """``ex`` with ``run``'s dose: its hold phases timed to ``hold_s``, its reps, its side."""
    changes: dict[str, Any] = {}
    if run.hold_s is not None:
        changes["phases"] = tuple(
            dataclasses.replace(p, hold_s=run.hold_s) if p.hold_s else p for p in ex.phases
        )
        dose = dataclasses.replace(ex.dose, hold_s=run.hold_s, hold_max_s=None)
    else:
        dose = ex.dose
    if run.reps is not None:
        dose = dataclasses.replace(dose, reps=run.reps, reps_max=None, sets=1)
    if run.side != "as-defined":  # this run is one side: "each side" is the routine's job
        dose = dataclasses.replace(dose, per_side=False)
    changes["dose"] = dose
    if run.side in ("left", "right"):
        changes["side"] = run.side
    return dataclasses.replace(ex, **changes)


# --- reading a file ---------------------------------------------------------------------


def _read_step(t: _Table, library: Any, default_rest: float) -> Step | None:
    name = t.text("exercise", required=True, nonblank=True)
    ex = None
    if name is not None and library is not None:
        ex = library.find(name)
        if ex is None:
            close = did_you_mean(name, library.names)
            hint = f" ({close})" if close else " ('posecheck exercises' lists them)"
            t.fail(f"unknown exercise {name!r}{hint}", "exercise")
            name = None
        else:
            name = ex.name
    hold_s = t.num("hold_s", lo=1.0, hi=600.0)
    if hold_s is not None and ex is not None and not ex.hold_phases:
        t.fail(f"{ex.name} has no hold to time (give reps instead)", "hold_s")
    reps = t.integer("reps", lo=1, hi=100)
    sets = t.integer("sets", lo=1, hi=10)
    side = t.choice("side", STEP_SIDES)
    rest_s = t.num("rest_s", lo=0.0, hi=600.0)
    note = t.text("note")
    t.done()
    if name is None:
        return None
    return Step(
        exercise=name, hold_s=hold_s, reps=reps, sets=sets or 1, side=side or "as-defined",
        rest_s=default_rest if rest_s is None else rest_s, note=note or "",
    )  # fmt: skip


def parse_routine(data: dict, file: str, library: Any = None, origin: str = "file") -> Routine:
    """Validate a parsed routine document. ``library`` (a :class:`~posecheck.library.Library`)
    checks the exercise names and resolves aliases; raises one :class:`DefinitionError`
    listing every problem."""
    problems: list[str] = []
    top = _Table(data, "", file, problems)
    schema = top.integer("schema", required=True)
    if schema is not None and schema != ROUTINE_SCHEMA:
        top.fail(f"schema {schema} is not supported (this posecheck reads routine schema "
                 f"{ROUTINE_SCHEMA})", "schema")  # fmt: skip
        raise DefinitionError(problems[0], problems=problems)
    name = top.text("name", required=True)
    if name is not None and (
        not name or not all(c.isalnum() or c == "-" for c in name) or name != name.lower()
    ):
        top.fail(f"{name!r}: use lower-case letters, digits and '-'", "name")
        name = None
    title = top.text("title", required=True, nonblank=True)
    summary = top.text("summary")
    rest = top.num("rest_s", lo=0.0, hi=600.0)
    tables = top.tables("steps", required=True)
    if top.has("steps") and not tables:
        top.fail("a routine needs at least one step", "steps")
    if len(tables) > MAX_STEPS:
        top.fail(f"at most {MAX_STEPS} steps, got {len(tables)}", "steps")
    steps = [_read_step(t, library, DEFAULT_REST_S if rest is None else rest) for t in tables]
    top.done()
    if problems:
        raise DefinitionError(problems[0], problems=problems)
    assert name is not None and title is not None
    return Routine(
        name=name, title=title, summary=summary or "",
        steps=tuple(s for s in steps if s is not None), source=file, origin=origin,
    )  # fmt: skip


def read_toml(path: str | os.PathLike[str], label: str) -> dict:
    """The TOML document of a routine file; one-line errors."""
    from posecheck.library import read_document

    return read_document(path, label, MAX_FILE_BYTES, "a routine")


def load_routine_file(
    path: str | os.PathLike[str], library: Any = None, origin: str = "file",
    shown: str | None = None,
) -> Routine:  # fmt: skip
    """Read and validate one routine file."""
    label = shown if shown is not None else str(path)
    return parse_routine(read_toml(path, label), label, library, origin)


# --- the search path -------------------------------------------------------------------


def builtin_dir() -> Path | None:
    """Packaged ``posecheck/routines``, else the repository's ``routines/``."""
    from posecheck import library

    return library.builtin_dir("routines")


def user_dir() -> Path:
    from posecheck import library

    return library.user_dir("routines")


def search_dirs(extra: Sequence[str | os.PathLike[str]] = ()) -> list[tuple[Path, str]]:
    out: list[tuple[Path, str]] = []
    b = builtin_dir()
    if b is not None:
        out.append((b, "built-in"))
    if user_dir().is_dir():
        out.append((user_dir(), "user"))
    for d in extra:
        if not Path(d).is_dir():
            raise DefinitionError(
                f"--routines-dir {d}: not a folder", "give a folder of .toml files"
            )
        out.append((Path(d), "routines-dir"))
    return out


def load_routines(
    library: Any, extra: Sequence[str | os.PathLike[str]] = ()
) -> tuple[dict[str, Routine], list[DefinitionError]]:
    """Every routine on the search path by name (a later one replaces an earlier one of
    the same name), and the errors of the files that could not be read."""
    from posecheck.library import display_path

    found: dict[str, Routine] = {}
    broken: list[DefinitionError] = []
    for folder, origin in search_dirs(extra):
        for f in sorted(folder.glob("*.toml")):
            try:
                r = load_routine_file(f, library, origin, display_path(f))
            except DefinitionError as exc:
                broken.append(exc)
                continue
            found[r.name] = r
    return found, broken


def routine_names(library: Any, extra: Sequence[str | os.PathLike[str]] = ()) -> list[str]:
    """The names of the routines on the search path (for suggestions)."""
    return sorted(load_routines(library, extra)[0])


def find_routine(name: str, library: Any, extra: Sequence[str | os.PathLike[str]] = ()) -> Routine:
    """The routine called ``name``, or a file path to one; one-line error otherwise."""
    if name.endswith(".toml") or os.sep in name:
        if not name.endswith(".toml") and Path(name).is_file():
            raise DefinitionError(
                f"{name}: not an exercise or routine (those are names, or .toml files)",
                "'posecheck exercises' and 'posecheck routines' list them; a session's "
                "results are in the report.html beside its summary.json",
            )
        return load_routine_file(name, library)
    found, broken = load_routines(library, extra)
    key = name.strip().lower().replace("_", "-").replace(" ", "-")
    if key in found:
        return found[key]
    for exc in broken:
        if Path(exc.message.split(":", 1)[0]).stem == key:
            raise exc
    close = did_you_mean(key, found, n=2)
    hint = f"{close} " if close else ""
    hint += "'posecheck routines' lists them"
    ex = library.find(name) if library is not None else None
    if ex is not None:
        hint = f"{name} is an exercise: give it with -e {ex.name}"
    raise UnknownExerciseError(f"unknown routine {name!r}", hint)


def step_count(r: Routine) -> str:
    """ "6 exercises in 7 steps" (each side or set of an exercise is a step, as live counts
    "Step 2 of 7"): the exercises alone said "6 steps" above a list numbered to 7."""
    runs, n = len(r.plan()), len(r.steps)
    return f"{n} steps" if runs == n else f"{n} exercises in {runs} steps"

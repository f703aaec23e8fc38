"""``posecheck show NAME``: how to do an exercise (camera, targets, dose) or a routine's steps."""

from __future__ import annotations

import argparse
import textwrap
from pathlib import Path

from posecheck import DISCLAIMER
from posecheck.angles import known_measures, resolve
from posecheck.commands.routines import add_routine_arguments
from posecheck.corrections import measure_words, ratio_of
from posecheck.errors import UnknownExerciseError, did_you_mean
from posecheck.exercise import Bound, Exercise
from posecheck.library import Library, add_library_arguments, library_from_args
from posecheck.routine import POSTURE_WORDS, Routine, dosed, find_routine, routine_names, step_count

HELP = "how to do an exercise or a routine, camera, targets"
DESCRIPTION = """\
Print an exercise's how-to, camera placement, the phases with their angle targets,
the form and safety rules with their cues, and the dose; or, for a routine, its steps
in order with each step's dose, camera view and rest.

examples:
  posecheck show bridge
  posecheck show knees-to-chest
  posecheck show low-back-flow
  posecheck show my-stretch --poses-dir my-poses/
"""

_POSTURE = POSTURE_WORDS  # also what a live routine's announcement says


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "name", metavar="NAME",
        help="exercise name or alias ('posecheck exercises'), or routine ('posecheck routines')",
    )  # fmt: skip
    add_library_arguments(p)
    add_routine_arguments(p)


def _measure_line(b: Bound) -> str:
    spec = known_measures().get(resolve(b.measure, "left"))
    desc = f"  ({spec.description})" if spec else ""
    return f"{_bound(b)}{desc}"


def _bound(b: Bound) -> str:
    """A bound as the definition writes it, and a ratio also as people are told it:
    ``back_curvature >= 0.06 (6% of the trunk length)``."""
    text = b.describe()
    if b.unit == "deg" or b.change:
        return text
    pct = [f"{v * 100:g}%" for v in (b.min, b.max) if v is not None]
    of = ratio_of(b.measure) or "its length"
    if b.min is not None and b.max is not None:
        return f"{text} ({pct[0]} to {pct[1]} of {of})"
    return f"{text} ({'at least' if b.min is not None else 'at most'} {pct[0]} of {of})"


def render(ex: Exercise, width: int = 88) -> str:
    """The text of ``posecheck show`` for one exercise."""
    out: list[str] = []

    def para(text: str, indent: str = "") -> None:
        out.extend(textwrap.wrap(text, width, initial_indent=indent, subsequent_indent=indent)
                   or [""])  # fmt: skip

    out.append(f"{ex.title} ({ex.name})")
    out.append("=" * len(out[0]))
    if ex.aliases:
        out.append(f"also: {', '.join(ex.aliases)}")
    if ex.summary:
        para(ex.summary)
    out.append("")
    out.append(f"How to ({_POSTURE.get(ex.posture, ex.posture)}):")
    for i, step in enumerate(ex.how_to, 1):
        lines = textwrap.wrap(step, width - 5)
        out.append(f"  {i}. {lines[0]}")
        out.extend(f"     {ln}" for ln in lines[1:])
    out.append("")
    cam = ex.camera
    out.append("Camera:")
    out.append(f"  view: {cam.view}; about {cam.distance_m:g} m away; height: {cam.height}")
    if cam.notes:
        para(cam.notes, "  ")
    side = {"auto": "the side facing the camera", "alternate": "both sides, in turn"}.get(
        ex.side, f"the {ex.side} side")  # fmt: skip
    out.append(f"  judges: {side}")
    if ex.required:
        out.append(f"  must be in view: {', '.join(ex.required)}")
    out.append(f"  one camera judges this exercise: {ex.judged}")
    if ex.limits:
        para(f"limits: {ex.limits}", "  ")
    out.append("")
    out.append("Phases and targets:")
    for p in ex.phases:
        hold = f" (hold {p.hold_s:g} s)" if p.hold_s else ""
        out.append(f"  {p.name}{hold}: {p.description}".rstrip(": "))
        for t in p.targets:
            out.append(f"    - {_measure_line(t)}")
    if ex.cycle:
        out.append(f"  one rep: {' -> '.join(ex.cycle)}")
    rules = ex.all_rules
    if rules:
        out.append("")
        out.append("Form and safety checks (most important first):")
        for r in sorted(rules, key=lambda r: (r.severity != "safety", r.priority)):
            where = f" [{', '.join(r.phases)}]" if r.phases else ""
            out.append(f'  - {r.severity}{where}: {_bound(r)} -> "{r.cue}"')
    sf = ex.safety
    if sf.max_speed_deg_s or sf.bounce_reversals:
        out.append("")
        out.append("Movement checks:")
        if sf.max_speed_deg_s:
            watched = ", ".join(measure_words(m) for m in sf.measures or ex.key_measures)
            out.append(f"  - {watched} faster than {sf.max_speed_deg_s:g} deg/s "
                       f'-> "{sf.speed_cue}"')  # fmt: skip
        if sf.bounce_reversals:
            out.append(f"  - {sf.bounce_reversals} reversals within {sf.bounce_window_s:g} s "
                       f"while holding -> \"{sf.bounce_cue}\"")  # fmt: skip
    out.append("")
    d = ex.dose
    out.append(f"Dose: {d.describe()}" + (f"; rest {d.rest_s:g} s" if d.rest_s else ""))
    if d.notes:
        para(d.notes, "  ")
    out.append("")
    out.append(f"Definition: {ex.source} ({ex.origin})")
    out.append("")
    para(DISCLAIMER)
    return "\n".join(fit(out, width))


def terminal_width(most: int = 88) -> int:
    """The text width for the terminal (``COLUMNS``, else its size), at most ``most``."""
    import shutil

    return max(40, min(most, shutil.get_terminal_size((most + 1, 24)).columns - 1))


def fit(lines: list[str], width: int) -> list[str]:
    """Each line longer than ``width`` wrapped, its follow-on lines indented under it."""
    out = []
    for ln in lines:
        if len(ln) <= width or set(ln) == {"="}:  # an underline is cut, not wrapped
            out.append(ln[:width])
            continue
        ind = " " * (len(ln) - len(ln.lstrip()))
        more = ind + "    "
        out.extend(textwrap.wrap(ln.strip(), width, initial_indent=ind, subsequent_indent=more,
                                 break_on_hyphens=False))  # fmt: skip
    return out


def render_routine(r: Routine, lib: Library, width: int = 88) -> str:
    """The text of ``posecheck show`` for a routine: its runs in order with their doses."""
    out = [f"{r.title} ({r.name})"]
    out.append("=" * len(out[0]))
    if r.summary:
        out.extend(textwrap.wrap(r.summary, width))
    mins = r.estimate_s(lib) / 60.0
    out += ["", f"{step_count(r)}, about {mins:.0f} min with rests:"]
    for run in r.plan():
        ex = dosed(lib.get(run.exercise), run)
        view = f"camera: {ex.camera.view}, {_POSTURE.get(ex.posture, ex.posture)}"
        out.append(f"  {run.number}. {run.label(ex.title)}: {ex.dose.describe()} ({view})")
        if run.note:
            out.extend(textwrap.wrap(run.note, width, initial_indent="     ",
                                     subsequent_indent="     "))  # fmt: skip
        if run.rest_s:
            out.append(f"     then rest {run.rest_s:g} s")
    out += ["", f"Each exercise: 'posecheck show EXERCISE'. Definition: {r.source} ({r.origin})"]
    out.append("")
    out.extend(textwrap.wrap(DISCLAIMER, width))
    return "\n".join(fit(out, width))


def run(args: argparse.Namespace) -> int:
    lib = library_from_args(args)
    if args.name.endswith(".toml") and Path(args.name).is_file():
        # a file: an exercise definition (a routine file is read below)
        from posecheck.library import load_file, read_document
        from posecheck.routine import is_routine_document

        if not is_routine_document(read_document(args.name, args.name)):
            print(render(load_file(args.name, "file"), terminal_width()))
            return 0
    if lib.find(args.name) is None and lib.broken_file(args.name) is None:
        try:
            routine = find_routine(args.name, lib, args.routines_dir)
        except UnknownExerciseError:
            close = did_you_mean(args.name, lib.names + routine_names(lib, args.routines_dir), 3)
            hint = f"{close} " if close else ""
            raise UnknownExerciseError(
                f"unknown exercise or routine {args.name!r}",
                hint + "'posecheck exercises' and 'posecheck routines' list them",
            ) from None
        print(render_routine(routine, lib, terminal_width()))
        return 0
    print(render(lib.get(args.name), terminal_width()))
    return 0

"""``posecheck render``: a synthetic demo clip of an exercise, with its ground truth."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HELP = "render a synthetic demo clip with known ground truth"
DESCRIPTION = """\
Render a drawn person doing an exercise (from its definition in poses/) to a video,
and write CLIP.truth.json beside it: per frame the true landmark pixels and the
named angles measured on them, plus the phases, holds, reps and injected faults.
Use it to see how an exercise is done, or as ground truth for testing.

examples:
  posecheck render bridge -o bridge.mp4
  posecheck render bridge --fault hips_sag --seed 3 -o sag.mp4
  posecheck render cat-camel --view side --duration-s 12 --size 960x540 -o cat.mp4
  posecheck render my-bridge --poses-dir my-poses --motion bridge -o mine.mp4
  posecheck render squat --view oblique -o squat.mp4   # outside the library (plank,
                                                       # side-plank, crunch, squat, lunge,
                                                       # superman, quadruped-tilt,
                                                       # seated-figure-four)
  posecheck render --list-faults
"""


def _size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected WIDTHxHEIGHT like 640x360, got {text!r}"
        ) from None
    if not (64 <= w <= 3840 and 64 <= h <= 2160) or w % 2 or h % 2:
        raise argparse.ArgumentTypeError(f"size {text}: even numbers, 64x64 to 3840x2160")
    return w, h


def _seed(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not 0 <= v < 2**32:  # NumPy's seeds (-1 was a traceback)
        raise argparse.ArgumentTypeError(f"{v}: use 0 to {2**32 - 1}")
    return v


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("exercise", nargs="?", help="exercise name (see 'posecheck exercises')")
    p.add_argument("-o", "--output", type=Path, help="video file to write (.mp4); the truth "
                   "goes to the same name with .truth.json")  # fmt: skip
    p.add_argument("--fault", help="inject a form fault (see --list-faults)")
    p.add_argument("--motion", metavar="EXERCISE",
                   help="for an exercise of your own (--poses-dir): move as this built-in one "
                        "does, with your definition's phases, holds and dose")  # fmt: skip
    p.add_argument("--view", choices=("side", "front", "oblique"), help="camera view "
                   "(default: the exercise's camera view)")  # fmt: skip
    p.add_argument("--side", choices=("left", "right"), help="body side facing the camera "
                   "(default: chosen by the seed)")  # fmt: skip
    p.add_argument(
        "--seed", type=_seed, default=0, help="varies body, clothes, room, camera (default 0)"
    )
    length = p.add_mutually_exclusive_group()
    length.add_argument("--duration-s", type=float,
                        help="about this long: as many reps as fit (at least one)")  # fmt: skip
    length.add_argument("--reps", type=int, help="number of repetitions (default: 2)")
    p.add_argument("--hold-s", type=float, help="hold time (default: the definition's hold_s)")
    p.add_argument("--move-s", type=float, help="time of one movement between phases")
    p.add_argument("--rest-s", type=float, help="rest between reps")
    p.add_argument("--size", type=_size, default=(640, 360), help="WIDTHxHEIGHT (default 640x360)")
    p.add_argument("--fps", type=float, default=24.0, help="frames per second (default 24)")
    p.add_argument(
        "--crf", type=int, default=28, help="H.264 quality, lower is better (default 28)"
    )
    p.add_argument("--no-noise", action="store_true", help="plain look: no random colours or shake")
    p.add_argument("--force", action="store_true",
                   help="replace the output (and its .truth.json) if it exists")  # fmt: skip
    p.add_argument("--list-faults", action="store_true",
                   help="list the faults (with an exercise: its faults) and exit")  # fmt: skip
    from posecheck.library import add_library_arguments

    add_library_arguments(p)


def run(args: argparse.Namespace) -> int:
    from posecheck.errors import InputError, did_you_mean
    from posecheck.render.motion import FAULTS, any_script

    if args.list_faults:
        names = sorted(FAULTS)
        if args.exercise:
            script = any_script(resolve_exercise(args.exercise, args)[0])
            names = sorted(script.faults) if script is not None else names
        for name in names:
            print(f"{name:14} {FAULTS[name]}")
        return 0
    if not args.exercise:
        raise InputError("no exercise given", "e.g. posecheck render bridge -o bridge.mp4")
    if args.output is None:
        raise InputError("no output file given", "add -o clip.mp4")
    script_name, definition = resolve_exercise(args.exercise, args)
    script = any_script(script_name)
    assert script is not None  # resolve_exercise found it
    if args.fault is not None and args.fault not in FAULTS:
        close = did_you_mean(args.fault, FAULTS)
        raise InputError(
            f"unknown fault {args.fault!r}" + (f" ({close})" if close else ""),
            "valid faults: " + ", ".join(sorted(FAULTS)),
        )
    if args.fault is not None and args.fault not in script.faults:
        raise InputError(f"fault {args.fault!r} does not apply to {script_name}",
                         "faults for it: " + ", ".join(script.faults))  # fmt: skip
    _check_numbers(args)
    out = _output(args)

    from posecheck.render.clip import ClipRenderer, RenderOptions
    from posecheck.render.video import truth_path, write_clip

    opts = RenderOptions(
        script_name, fault=args.fault, view=args.view, seed=args.seed,
        duration_s=args.duration_s, size=args.size, fps=args.fps, side=args.side,
        noise=not args.no_noise, reps=args.reps, hold_s=args.hold_s, move_s=args.move_s,
        rest_s=args.rest_s,
    )  # fmt: skip
    renderer = ClipRenderer(opts, script, definition)
    if args.side and renderer.view == "front":
        # the same picture either way (the truth would name a side the clip does not show)
        raise InputError(
            f"--side {args.side}: {script_name} is drawn from the front, where no side "
            "faces the camera",
            "leave --side out, or add --view side",
        )
    if args.hold_s is not None and not renderer.script.holds:
        raise InputError(
            f"--hold-s: {script_name} has no held position to time (it moves without a hold)",
            f"leave --hold-s out; 'posecheck show {script_name}' gives its dose",
        )

    tty = sys.stderr.isatty()
    quarters = [0]

    def progress(i: int, n: int) -> None:
        if tty and (i % 24 == 0 or i == n):
            print(f"\rrendering {i}/{n} frames", end="" if i < n else "\n", file=sys.stderr)
        elif not tty and n and 4 * i // n > quarters[0]:  # logs: a line each quarter
            quarters[0] = 4 * i // n
            print(f"rendering {i}/{n} frames", file=sys.stderr)

    truth = write_clip(renderer, out, crf=args.crf, progress=progress)
    reps = len(truth["reps"])
    print(f"wrote {out} ({truth['duration_s']:.1f} s, {truth['frame_count']} frames, "
          f"{reps} rep{'' if reps == 1 else 's'}, fault: {args.fault or 'none'}) and "
          f"{truth_path(out)}")  # fmt: skip
    return 0


def resolve_exercise(name: str, args: argparse.Namespace | None = None):  # noqa: ANN201
    """(script name, Exercise definition or None) for a user-typed name.

    The definition comes from the library (poses/); the animation needs a script
    of the same name. Unknown names raise with the closest known names.
    """
    from posecheck.errors import InputError, PosecheckError, UnknownExerciseError, did_you_mean
    from posecheck.render.motion import OTHER_SCRIPTS, SCRIPTS

    definition = None
    try:
        from posecheck.library import Library, library_from_args

        lib = library_from_args(args) if args is not None else Library.load()
        definition = lib.find(name)
        known = set(lib.names)
    except (ImportError, PosecheckError):
        known = set()
    key = name.strip().lower().replace("_", "-").replace(" ", "-")
    script_name = definition.name if definition is not None else key
    if script_name in SCRIPTS:
        return script_name, definition
    if definition is None and key in OTHER_SCRIPTS:  # a movement outside the library
        return key, None
    motion = getattr(args, "motion", None)
    if definition is not None and motion:
        like = motion.strip().lower().replace("_", "-").replace(" ", "-")
        if like in SCRIPTS:
            return like, definition
        raise InputError(f"--motion {motion}: not a built-in exercise",
                         "give one of: " + ", ".join(sorted(SCRIPTS)))  # fmt: skip
    if definition is not None:
        raise InputError(
            f"no animation for {definition.name!r}: posecheck animates its built-in exercises",
            "add --motion with the built-in one yours moves like, e.g. --motion bridge",
        )
    everything = sorted(known | set(SCRIPTS) | set(OTHER_SCRIPTS))
    hint = did_you_mean(key, everything, n=3) or "known: " + ", ".join(everything)
    raise UnknownExerciseError(f"unknown exercise {name!r}", hint)


def _check_numbers(args: argparse.Namespace) -> None:
    """Each number option in its range, before anything is written."""
    from posecheck.errors import InputError

    if args.duration_s is not None and not 2 <= args.duration_s <= 600:
        raise InputError(f"--duration-s {args.duration_s:g}: out of range", "give 2 to 600 seconds")
    if args.reps is not None and not 1 <= args.reps <= 50:
        raise InputError(f"--reps {args.reps}: out of range", "give 1 to 50")
    for flag in ("hold_s", "move_s", "rest_s"):
        v = getattr(args, flag)
        if v is not None and not 0 <= v <= 120:
            raise InputError(
                f"--{flag.replace('_', '-')} {v:g}: out of range", "give 0 to 120 seconds"
            )
    if not 1 <= args.fps <= 120:
        raise InputError(f"--fps {args.fps:g}: out of range", "give 1 to 120")
    if not 0 <= args.crf <= 51:
        raise InputError(f"--crf {args.crf}: out of range", "give 0 (best) to 51 (smallest)")


def _output(args: argparse.Namespace) -> Path:
    """The -o video, checked (a video name; an existing file replaced only with --force)
    and its folder created, as analyze creates its own."""
    from posecheck.errors import InputError
    from posecheck.render.video import truth_path

    out: Path = args.output
    if out.suffix.lower() not in (".mp4", ".mov", ".mkv"):
        raise InputError(f"{out}: the output must be a video file name", "use a .mp4 name")
    # a mistyped -o must not destroy a recording: replaced only when asked, as analyze
    taken = [f for f in (out, truth_path(out)) if f.exists()]
    if taken and not args.force:
        raise InputError(
            f"{taken[0]}: already exists", "add --force to replace it, or choose another -o"
        )
    if any(f.is_dir() for f in taken):
        raise InputError(
            f"{next(f for f in taken if f.is_dir())}: is a folder", "choose another -o"
        )
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(
            f"{out.parent}: cannot create the folder ({exc.strerror or exc})",
            "choose another -o",
        ) from None
    from posecheck import safeio

    # the hidden halves a killed render of this name left (a long one's can be large)
    for f in (out, truth_path(out)):
        safeio.drop_stale_temps(f)
    return out

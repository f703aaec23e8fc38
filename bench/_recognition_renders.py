"""The rendered recognition set: every library exercise and movements outside it, from
several camera angles, split into tuning parts and a held-out part.

- ``tune``: seeds 1-2 in the exercise's own camera view (non-library: side, front);
- ``held1``: seed 101 in its own view, seed 102 obliquely (non-library: oblique, side).
  Held out in the first round; its misses were then studied and fixed, so it is now
  tuning data too, reported apart;
- ``held2``: seed 201 in its own view, seed 202 obliquely (non-library: side, front and
  two oblique views, seeds 201-204). Held out in the second round (scored once, then
  studied: tuning data since);
- ``held3``: seed 302 obliquely (non-library: side and oblique, seeds 301 and 303).
  Nothing in ``posecheck.recognize`` was adjusted while looking at its results: it is
  scored once, at the end of a round (then studied: tuning data since);
- ``held4``: seed 401 in its own view, seed 402 obliquely, and seed 403 from the side
  for the exercise whose definition accepts any view (non-library: side, front and two
  oblique views, seeds 401-404). Rendered before the fourth round changed anything and
  scored once, at its end (then studied: tuning data since);
- ``held5``: the same views as ``held4`` with seeds 501-504 (other bodies, clothes,
  rooms, camera jitter and sides). Rendered before the fourth round changed anything,
  scored once at its end with the final code (and, for comparison, with the code the
  round started from); studied in the fifth round;
- ``held6``: the same views as ``held5`` with seeds 601-604. Rendered, and its
  landmarks made, before the fifth round changed anything; scored once at its end;
  studied in the sixth round;
- ``held7``: the same views with seeds 701-704. Rendered, and its landmarks made,
  before the sixth round changed anything; scored once at its end; studied in the
  seventh round;
- ``held8``: the same views with seeds 801-804. Rendered, and its landmarks made,
  before the seventh round changed anything; scored once at its end;
- ``held9``: the same views with seeds 901-904. Rendered, and its landmarks made,
  before the eighth round changed anything; scored once at its end;
- ``held10``: the same views with seeds 1001-1004. Rendered, and its landmarks made on
  every frame, before round 9 (session 10) changed anything; scored once at its end.
  It adds two movements outside the library that the issue saw named on other people's
  clips: a pelvic tilt on all fours and a seated figure-four stretch (only in this part
  and later ones: ``FIRST_SPLIT``). Studied in session 10 after its one scoring;
- ``held11``: the same views and movements with seeds 1101-1104. Rendered, and its
  landmarks made on every frame, before held10's misses were studied; scored once,
  with round 9's code;
- ``held12``: the same views and movements with seeds 1201-1204. Rendered, and its
  landmarks made on every frame, while fixes for held10's misses were tried (all
  dropped); scored once, with round 9's code;
- ``held13`` and ``held14``: the same views and movements with seeds 1301-1304 and
  1401-1404. Rendered, and their landmarks made on every frame, at the start of session
  11, before anything changed; scored once each, at the end of a round;
- ``held15`` and ``held16``: seeds 1501-1504 and 1601-1604, made later in session 11 the
  same way; scored once each;
- ``held17`` and ``held18``: seeds 1701-1704 and 1801-1804, made at the start of session
  12, before its round was scored;
- ``held19``: seeds 1901-1904, made in session 12 after the renderer's reclined pigeon
  learnt to cross one ankle over the other knee (``leg_cross``): its pigeons are figure
  fours, those of the parts before are not (clips are cached as they were made);
- ``held20``: seeds 2001-2004, made the same way at the end of session 12;
- ``held21`` and ``held22``: seeds 2101-2104 and 2201-2204, made the same way early in
  session 13, after its round 14 (the oblique bridge's knee roll), while the candidates'
  ``far_reached`` was measured on the studied parts (making a part runs no recognition);
  not opened before their one scoring;
- ``held23`` and ``held24``: seeds 2301-2304 and 2401-2404, made the same way at the
  start of session 14, before anything changed; scored once each with session 13's code;
- ``held25``: seeds 2501-2504, made the same way later in session 14, after its change
  (knees to chest's ``legs_side_by_side``); scored once, with that code;
- ``held26`` and ``held27``: seeds 2601-2604 and 2701-2704, made the same way at the
  start of session 15, before anything changed; each scored once with session 14's
  code (and with a change of session 15 that was then dropped).

The held-out parts use other seeds (body, clothes, room, camera jitter, side) and other
views than the tuning part. Clips and their sampled landmarks are cached, so a second
run costs no rendering and no model.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from posecheck.render.motion import OTHER_SCRIPTS, SCRIPTS

# Small and short: rendering and the model cost CPU. Holds of 3 s are long enough for
# a held phase of a repeated exercise and keep a clip near 10 s.
SIZE = (480, 270)
FPS = 15.0
HOLD_S = 3.0
REPS = 2
# Stretches held in one position (child's pose, reclined pigeon, draw-in) are held once,
# this long (their definitions ask 10-30 s; the clip is the getting there and the hold).
HOLD_ONLY_S = 8.0


@dataclass(frozen=True)
class RenderCase:
    """One rendered clip: what is drawn, from where, and which split it belongs to."""

    script: str  # a library exercise or a movement outside it
    label: str | None  # the expected answer: the exercise, or None (none of the library)
    view: str  # "side", "front" or "oblique"
    seed: int
    split: str  # "tune" or "held1"-"held27" (see the module docstring)

    @property
    def rel(self) -> str:
        return f"render/{self.split}/{self.script}-{self.view}-s{self.seed}.mp4"


def _own_view(name: str) -> str:
    return SCRIPTS[name].view if name in SCRIPTS else OTHER_SCRIPTS[name].view


# (view, seed, split) of every library exercise ("own": the view its definition asks)
# and of every movement outside the library
# Parts from held4 on are made one way: seeds N01-N04 (see the module docstring).
LAST_PART = 27
_REGULAR = range(4, LAST_PART + 1)
LIBRARY_CASES = (
    ("own", 1, "tune"), ("own", 2, "tune"), ("own", 101, "held1"), ("oblique", 102, "held1"),
    ("own", 201, "held2"), ("oblique", 202, "held2"), ("oblique", 302, "held3"),
    *((v, 100 * n + i, f"held{n}") for n in _REGULAR
      for i, v in enumerate(("own", "oblique", "any:side"), 1)),
)  # fmt: skip
OTHER_CASES = (
    ("side", 1, "tune"), ("front", 2, "tune"), ("oblique", 101, "held1"), ("side", 102, "held1"),
    ("side", 201, "held2"), ("front", 202, "held2"), ("oblique", 203, "held2"),
    ("oblique", 204, "held2"), ("side", 301, "held3"), ("oblique", 303, "held3"),
    *((v, 100 * n + i, f"held{n}") for n in _REGULAR
      for i, v in enumerate(("side", "front", "oblique", "oblique"), 1)),
)  # fmt: skip
SPLITS = ["tune", *(f"held{n}" for n in range(1, LAST_PART + 1))]

# Movements added later are in the parts from this one on (the parts before keep the
# clips they were measured with): the seated figure four and the pelvic tilt on all fours
# are two of the named wrongly on other people's clips (issue 13)
FIRST_SPLIT = {"quadruped-tilt": "held10", "seated-figure-four": "held10"}


def cases() -> list[RenderCase]:
    """The set (see the module docstring), library exercises first."""
    from posecheck.library import Library

    library = Library.load()
    out: list[RenderCase] = []
    for name in sorted(SCRIPTS):
        own = _own_view(name)
        for v, seed, split in LIBRARY_CASES:
            if v.startswith("any:"):  # only where the definition accepts any view
                found = library.find(name)
                if found is None or found.camera.view != "any":
                    continue
                v = v[4:]
            out.append(RenderCase(name, name, own if v == "own" else v, seed, split))
    splits = [c[2] for c in OTHER_CASES]
    for name in sorted(OTHER_SCRIPTS):
        first = splits.index(FIRST_SPLIT.get(name, "tune"))
        out += [RenderCase(name, None, v, seed, split) for v, seed, split in OTHER_CASES
                if splits.index(split) >= first]  # fmt: skip
    return out


def render(case: RenderCase, out: Path) -> Path:
    """The clip's video under ``out`` (rendered unless it is there already)."""
    from posecheck.library import Library
    from posecheck.render.clip import ClipRenderer, RenderOptions
    from posecheck.render.motion import any_script
    from posecheck.render.video import write_clip

    path = out / case.rel
    if path.is_file():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    script = any_script(case.script)
    assert script is not None
    definition = Library.load().find(case.script) if case.script in SCRIPTS else None
    # a stretch held in one position (no cycle in its definition) is held once, longer
    hold_only = definition is not None and not definition.counts_reps
    opts = RenderOptions(
        case.script, view=case.view, seed=case.seed, size=SIZE, fps=FPS,
        reps=1 if hold_only else REPS, hold_s=HOLD_ONLY_S if hold_only else HOLD_S,
    )  # fmt: skip
    tmp = path.with_suffix(".tmp.mp4")
    write_clip(ClipRenderer(opts, script, definition), tmp)
    tmp.rename(path)
    tmp.with_suffix(".truth.json").unlink(missing_ok=True)
    return path

"""The rendered recognition set: every library exercise and movements outside it, from
several camera angles, split into a tuning part and a held-out part.

The held-out part uses other seeds (body, clothes, room, camera jitter, side) and
other views than the tuning part; nothing in ``posecheck.recognize`` was adjusted
while looking at its results. Clips and their sampled landmarks are cached, so a
second run costs no rendering and no model.
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
    split: str  # "tune" or "held"

    @property
    def rel(self) -> str:
        return f"render/{self.split}/{self.script}-{self.view}-s{self.seed}.mp4"


def _own_view(name: str) -> str:
    return SCRIPTS[name].view if name in SCRIPTS else OTHER_SCRIPTS[name].view


def cases() -> list[RenderCase]:
    """The set: tuning = seeds 1-2 in the script's own view (non-library: side, front);
    held out = seed 101 in its own view, seed 102 obliquely (non-library: oblique, side)."""
    out: list[RenderCase] = []
    for name in sorted(SCRIPTS):
        own = _own_view(name)
        out += [RenderCase(name, name, own, 1, "tune"), RenderCase(name, name, own, 2, "tune")]
        out += [RenderCase(name, name, own, 101, "held")]
        out += [RenderCase(name, name, "oblique", 102, "held")]
    for name in sorted(OTHER_SCRIPTS):
        out += [RenderCase(name, None, "side", 1, "tune")]
        out += [RenderCase(name, None, "front", 2, "tune")]
        out += [RenderCase(name, None, "oblique", 101, "held")]
        out += [RenderCase(name, None, "side", 102, "held")]
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
    hold_only = definition is not None and len(set(definition.cycle or ())) < 2
    opts = RenderOptions(
        case.script, view=case.view, seed=case.seed, size=SIZE, fps=FPS,
        reps=1 if hold_only else REPS, hold_s=HOLD_ONLY_S if hold_only else HOLD_S,
    )  # fmt: skip
    tmp = path.with_suffix(".tmp.mp4")
    write_clip(ClipRenderer(opts, script, definition), tmp)
    tmp.rename(path)
    tmp.with_suffix(".truth.json").unlink(missing_ok=True)
    return path

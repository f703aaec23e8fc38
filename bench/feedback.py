"""Feedback gate: is the person told, in words, what they actually did?

Renders every exercise correct and with each form fault a side camera can see,
runs the real model once per clip (cached as a landmarks file), replays the poses
through the engine, and reports per clip:

- for a fault render: is the expected correction among the session's top three
  (``summary.corrections``, the list the terminal, report and live cues show)?
- for a correct render: did any correction appear (there should be none)?
- the score of each fault render against its correct twin (same seed): a fault
  should cost at least 15 points.

    PYTHONPATH=src python bench/feedback.py                       # everything
    PYTHONPATH=src python bench/feedback.py --only bridge pelvic-tilt
    PYTHONPATH=src python bench/feedback.py --write-readme        # table into bench/README.md

Renders and landmarks are cached in ``--cache`` (default /tmp/posecheck-feedback),
named ``EXERCISE-FAULT-SEED``: a second run re-judges the cached poses with the
current engine in seconds. After changing how a clip is drawn (a script in
``posecheck.render.motion``), delete its cached files so it is drawn and estimated
again. Clips are small (480x270, 12 frames/s) to spare CPU; holds last the
definition's ``hold_s`` plus 1 s so a correct render holds long enough.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# The faults a side camera can see, and the correction kinds/ids that name each.
# (Camera faults, out_of_frame / wrong_view / far_side, are set-up states, not form.)
FORM_FAULTS = ("hips_sag", "incomplete", "short_hold", "foot_lift", "bounce", "too_fast")
MIN_SCORE_GAP = 15.0
HOLD_MARGIN_S = 1.0
README_START = "<!-- feedback-table:start -->"
README_END = "<!-- feedback-table:end -->"


def expected(fault: str, exercise: Any) -> tuple[str, Any]:
    """(what the person should be told, a test on a Correction)."""
    if fault in ("hips_sag", "incomplete"):
        return "a rep short of the target", lambda c: c.kind == "range"
    if fault == "short_hold":
        return "hold longer", lambda c: c.kind == "hold"
    if fault == "foot_lift":
        ids = {r.id for r in exercise.rules if "heel" in r.measure}
        ids |= {r.id for p in exercise.phases for r in p.rules if "heel" in r.measure}
        return "/".join(sorted(ids)) or "heel rule", lambda c: c.id in ids
    if fault == "bounce":
        return "bouncing", lambda c: c.id == "bouncing"
    return "too_fast", lambda c: c.id == "too_fast"


@dataclass
class Row:
    exercise: str
    fault: str | None
    score: float | None = None
    twin: float | None = None  # the correct render's score
    top: list[str] = field(default_factory=list)  # top three correction texts
    top_kinds: list[str] = field(default_factory=list)
    want: str = ""
    told: bool | None = None  # fault: expected correction in the top three
    silent: bool | None = None  # correct render: no correction at all
    reps: str = ""
    holds: str = ""
    seconds: float = 0.0

    @property
    def gap(self) -> float | None:
        if self.fault is None or self.score is None or self.twin is None:
            return None
        return self.twin - self.score

    @property
    def ok(self) -> bool:
        if self.fault is None:
            return bool(self.silent)
        return bool(self.told) and self.gap is not None and self.gap >= MIN_SCORE_GAP


def landmarks_for(lib: Any, name: str, fault: str | None, seed: int, cache: Path) -> Path:
    """Render the clip and run the model once; later runs reuse the landmarks file."""
    from posecheck.commands._offline import estimate_to_landmarks, mask_measures
    from posecheck.render.clip import ClipRenderer, RenderOptions
    from posecheck.render.motion import SCRIPTS
    from posecheck.render.video import write_clip
    from posecheck.sources import open_source

    stem = f"{name}-{fault or 'correct'}-{seed}"
    lm = cache / f"{stem}.landmarks.npz"
    if lm.exists():
        return lm
    ex = lib.get(name)
    hold = max([p.hold_s for p in ex.phases if p.hold_s] or [0.0])
    # long holds: one rep is enough (and spares CPU). The drawn hold lasts the target
    # plus HOLD_MARGIN_S, as a person counting to the target would; the short_hold fault
    # holds a fifth of that.
    reps = 1 if hold >= 10 and fault != "incomplete" else 2  # (the fault is in rep 2)
    opts = RenderOptions(name, fault=fault, seed=seed, size=(480, 270), fps=12.0,
                         hold_s=hold + HOLD_MARGIN_S if hold else None, reps=reps)  # fmt: skip
    video = cache / f"{stem}.mp4"
    write_clip(ClipRenderer(opts, SCRIPTS[name], ex), video, crf=30)
    with open_source(str(video)) as src:
        estimate_to_landmarks(
            src, lm, mask_names=mask_measures([ex]), meta={"smoothing": "one-euro"}
        )
    return lm


def judge(lib: Any, name: str, lm: Path) -> Any:
    """The engine on the cached poses, as ``posecheck score`` replays them."""
    from posecheck import pipeline
    from posecheck.engine import Engine
    from posecheck.landmarks_io import LandmarksSource
    from posecheck.smoothing import PoseSmoother

    engine = Engine(lib.get(name), side="auto")
    return pipeline.run(LandmarksSource(lm), None, engine, [], smoother=PoseSmoother())


def run(args: argparse.Namespace) -> list[Row]:
    from posecheck.library import Library
    from posecheck.render.motion import SCRIPTS

    lib = Library.load()
    names = [n for n in sorted(SCRIPTS) if not args.only or n in args.only]
    rows: list[Row] = []
    for name in names:
        ex = lib.get(name)
        faults = [None, *[f for f in FORM_FAULTS if f in SCRIPTS[name].faults]]
        twin: float | None = None
        for fault in faults:
            started = time.perf_counter()
            lm = landmarks_for(lib, name, fault, args.seed, args.cache)
            s = judge(lib, name, lm)
            row = Row(name, fault, s.score)
            row.top = [c.text for c in s.corrections[:3]]
            row.top_kinds = [c.kind for c in s.corrections[:3]]
            row.reps = f"{s.reps_complete}/{len(s.reps)}" if ex.cycle else "-"
            row.holds = f"{sum(h.reached for h in s.holds)}/{len(s.holds)}"
            if fault is None:
                twin = s.score
                row.silent = not s.corrections
            else:
                row.twin = twin
                row.want, test = expected(fault, ex)
                row.told = any(test(c) for c in s.corrections[:3])
            row.seconds = time.perf_counter() - started
            rows.append(row)
            print(fmt_row(row), flush=True)
    return rows


def _num(v: float | None) -> str:
    return "-" if v is None else f"{v:.0f}"


def fmt_row(r: Row) -> str:
    verdict = "ok" if r.ok else "FAIL"
    if r.fault is None:
        said = "none" if r.silent else "; ".join(r.top)
        return (
            f"{r.exercise:26s} {'correct':11s} score {_num(r.score):>3s}  said: {said}  [{verdict}]"
        )
    return (
        f"{r.exercise:26s} {r.fault:11s} score {_num(r.score):>3s} (correct {_num(r.twin)}, "
        f"gap {_num(r.gap)})  told {r.want}: {'yes' if r.told else 'no'}  "
        f"top: {'; '.join(r.top) or '-'}  [{verdict}]"
    )


def table(rows: list[Row]) -> list[str]:
    out = [
        "| exercise | render | score | vs correct | reps | holds | told in the top three | ok |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        if r.fault is None:
            told = "nothing" if r.silent else "; ".join(r.top)
            vs = "-"
        else:
            told = ("yes: " if r.told else "**no**: ") + ("; ".join(r.top) or "nothing")
            vs = f"-{r.gap:.0f}" if r.gap is not None and r.gap >= 0 else _num(r.gap)
        out.append(
            f"| {r.exercise} | {r.fault or 'correct'} | {_num(r.score)} | {vs} | {r.reps} | "
            f"{r.holds} | {told.replace('|', '/')} | {'yes' if r.ok else '**no**'} |"
        )
    return out


def totals(rows: list[Row]) -> list[str]:
    faults = [r for r in rows if r.fault]
    correct = [r for r in rows if not r.fault]
    gaps = [r for r in faults if r.gap is not None and r.gap >= MIN_SCORE_GAP]
    return [
        f"fault renders told in the top three: {sum(bool(r.told) for r in faults)}/{len(faults)}",
        f"correct renders with no correction: "
        f"{sum(bool(r.silent) for r in correct)}/{len(correct)}",
        f"fault renders scoring at least {MIN_SCORE_GAP:g} below their correct twin: "
        f"{len(gaps)}/{len(faults)}",
    ]


def write_readme(rows: list[Row], argv: list[str]) -> None:
    path = Path(__file__).with_name("README.md")
    text = path.read_text(encoding="utf-8")
    cmd = "PYTHONPATH=src python bench/feedback.py " + " ".join(argv)
    block = "\n".join([README_START, "", f"`{cmd.strip()}`", "", *[f"- {t}" for t in totals(rows)],
                       "", *table(rows), "", README_END])  # fmt: skip
    if README_START in text:
        a, b = text.index(README_START), text.index(README_END) + len(README_END)
        text = text[:a] + block + text[b:]
    else:
        text = text.rstrip("\n") + "\n\n## Feedback (bench/feedback.py)\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--only", nargs="*", help="exercise names (default: every rendered one)")
    p.add_argument("--seed", type=int, default=0, help="render seed (default 0)")
    p.add_argument("--cache", type=Path, default=Path("/tmp/posecheck-feedback"),
                   help="renders and landmarks (default /tmp/posecheck-feedback)")  # fmt: skip
    p.add_argument("--write-readme", action="store_true", help="put the table in bench/README.md")
    args = p.parse_args(argv)
    args.cache.mkdir(parents=True, exist_ok=True)
    rows = run(args)
    print()
    print("\n".join(totals(rows)))
    if args.write_readme:
        shown = [a for a in argv if a != "--write-readme"]
        if "--cache" in shown:  # (a local path is no part of the command to rerun)
            i = shown.index("--cache")
            del shown[i : i + 2]
        write_readme(rows, shown)
    return 0 if all(r.ok for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())

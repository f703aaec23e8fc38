"""Ground-truth gate: render every exercise (correct and with each fault), run the real
pipeline (MediaPipe estimator + smoothing + engine) and compare with the truth.

    PYTHONPATH=src python bench/accuracy.py                      # everything, 1 seed
    PYTHONPATH=src python bench/accuracy.py --only bridge cat-camel --seeds 2
    PYTHONPATH=src python bench/accuracy.py --faults none        # correct renders only (quick)
    PYTHONPATH=src python bench/accuracy.py --write-readme       # also rewrite bench/README.md

Per clip it reports: pose found (% of frames); mean absolute error of each key measure
(model vs the angle measured on the true points, same code); complete reps counted
by the engine on the model's poses vs the engine on the true points (so the engine's
own rules are the reference); hold start/end error against the engine on the true
points; and whether the injected fault was flagged (or, for a correct render, whether
anything was flagged). The reference "truth engine" sees the exact drawn points, so
a difference is due to the figure or the model, not to the engine's conventions.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from posecheck.engine import Engine
from posecheck.library import Library
from posecheck.pipeline import SinkBase
from posecheck.render.clip import ClipRenderer, RenderOptions
from posecheck.render.motion import SCRIPTS
from posecheck.render.truth import engine_on_truth, load_truth
from posecheck.render.video import write_clip

STATE_FAULTS = {
    "out_of_frame": ("low_visibility", "no_person", "wrong_view"),
    # from the head or feet end at floor level the model often finds nobody: "no person"
    "wrong_view": ("wrong_view", "no_person"),
}
CUE_FAULTS = {"bounce": ("bouncing",), "too_fast": ("too_fast",)}
REP_FAULTS = ("hips_sag", "incomplete")
STATE_MIN_S = 1.0  # a state problem counts as flagged when it lasts this long in total


class Collector(SinkBase):
    """A pipeline sink keeping what the bench needs from each frame."""

    def __init__(self) -> None:
        self.rows: list[tuple[float, str, dict[str, float], list[str], str | None]] = []

    def open(self, info: Any, exercise: Any) -> None:  # noqa: D102
        pass

    def write(self, frame: Any, result: Any) -> None:  # noqa: D102
        cue = result.cue.id if result.cue is not None else None
        self.rows.append(
            (result.t_s, result.state, dict(result.measures), list(result.key_measures), cue)
        )

    def close(self, summary: Any) -> None:  # noqa: D102
        pass


@dataclass
class Case:
    exercise: str
    fault: str | None
    seed: int
    frames: int = 0
    found: int = 0
    mae: dict[str, float] = field(default_factory=dict)
    reps_model: int = 0
    reps_truth_engine: int = 0
    reps_script: int = 0
    counts_reps: bool = True
    hold_err: list[float] = field(default_factory=list)  # |start| and |end| errors (s)
    holds_model: int = 0
    holds_truth: int = 0
    flags: list[str] = field(default_factory=list)
    truth_flags: list[str] = field(default_factory=list)
    expected: str = ""
    flagged: bool | None = None
    seconds: float = 0.0

    @property
    def det(self) -> float:
        return self.found / self.frames if self.frames else 0.0


def flags_of(summary: Any, states: list[tuple[float, str]], fps: float) -> list[str]:
    """What the engine flagged: cue ids (form/safety), incomplete reps, long state problems."""
    out = sorted(k for k, v in summary.cues.items() if not k.startswith("state_"))
    if any(not r.complete for r in summary.reps):
        out.append("rep_incomplete")
    dur: dict[str, float] = {}
    for _, st in states:
        dur[st] = dur.get(st, 0.0) + 1.0 / fps
    out += [f"state:{s}" for s, d in sorted(dur.items()) if s != "tracking" and d >= STATE_MIN_S]
    return out


def expected_flag(fault: str, exercise: Any) -> tuple[str, set[str]]:
    if fault in STATE_FAULTS:
        return "state " + "/".join(STATE_FAULTS[fault]), {f"state:{s}" for s in STATE_FAULTS[fault]}
    if fault in CUE_FAULTS:
        return "cue " + "/".join(CUE_FAULTS[fault]), set(CUE_FAULTS[fault])
    if fault == "foot_lift":
        ids = {r.id for r in exercise.rules if "heel" in r.measure}
        ids |= {r.id for p in exercise.phases for r in p.rules if "heel" in r.measure}
        return "cue " + "/".join(sorted(ids)), ids
    return "rep_incomplete or fewer reps", {"rep_incomplete", "fewer_reps"}


def truth_engine(exercise: Any, truth: Any) -> tuple[Any, list[tuple[float, str]]]:
    """The engine run on the exact drawn points (the reference for holds and reps)."""
    summary, states = engine_on_truth(exercise, truth)
    return summary, [(float(t), st) for t, st in zip(truth.t_s, states, strict=True)]


def match_holds(model: list[Any], ref: list[Any]) -> list[float]:
    """|start| and |end| errors of each reference hold vs the model hold overlapping it most."""
    errs = []
    for h in ref:
        best, ov = None, 0.0
        for m in model:
            if m.phase != h.phase:
                continue
            o = min(m.end_s, h.end_s) - max(m.start_s, h.start_s)
            if o > ov:
                best, ov = m, o
        if best is not None:
            errs += [abs(best.start_s - h.start_s), abs(best.end_s - h.end_s)]
    return errs


def run_case(lib: Library, name: str, fault: str | None, seed: int, args: argparse.Namespace,
             tmp: Path) -> Case:  # fmt: skip
    from posecheck import pipeline
    from posecheck.commands._offline import mask_measures
    from posecheck.estimator import EstimatorOptions, MediaPipeEstimator
    from posecheck.smoothing import PoseSmoother
    from posecheck.sources import open_source

    started = time.perf_counter()
    ex = lib.get(name)
    hold_cap = args.hold_cap
    holds = [p.hold_s for p in ex.phases if p.hold_s] or [4.0]
    opts = RenderOptions(name, fault=fault, seed=seed, size=(640, 360), fps=args.fps,
                         hold_s=min(max(holds), hold_cap), reps=args.reps)  # fmt: skip
    r = ClipRenderer(opts, SCRIPTS[name], ex)
    out = tmp / f"{name}-{fault or 'ok'}-{seed}.mp4"
    write_clip(r, out, crf=28)
    truth = load_truth(out)
    case = Case(name, fault, seed)
    case.counts_reps = bool(ex.cycle)
    case.reps_script = sum(1 for x in truth.reps if x["complete"])

    engine = Engine(ex, side="auto")
    est = MediaPipeEstimator(EstimatorOptions(segmentation=bool(mask_measures([ex]))))
    col = Collector()
    try:
        with open_source(str(out)) as src:
            summary = pipeline.run(src, est, engine, [col], smoother=PoseSmoother())
    finally:
        est.close()
    case.frames, case.found = summary.frames, summary.frames_with_pose
    # angle errors on the key measures, per frame where both are known
    errs: dict[str, list[float]] = {}
    n = min(len(col.rows), len(truth))
    for i in range(n):
        _, _, meas, keys, _ = col.rows[i]
        for k in keys:
            ref = truth.measures.get(k)
            if k == "back_curvature":
                ref_v = float(truth.series["back_bulge"][i])
            elif ref is not None:
                ref_v = float(ref[i])
            else:
                continue
            v = meas.get(k, math.nan)
            if math.isfinite(v) and math.isfinite(ref_v):
                errs.setdefault(k, []).append(abs(v - ref_v))
    case.mae = {k: float(np.mean(v)) for k, v in errs.items()}
    ref_summary, ref_states = truth_engine(ex, truth)
    case.reps_model = summary.reps_complete
    case.reps_truth_engine = ref_summary.reps_complete
    case.hold_err = match_holds(summary.holds, ref_summary.holds)
    case.holds_model, case.holds_truth = len(summary.holds), len(ref_summary.holds)
    states = [(t, st) for t, st, *_ in col.rows]
    case.flags = flags_of(summary, states, args.fps)
    case.truth_flags = flags_of(ref_summary, ref_states, args.fps)
    if case.counts_reps and case.reps_model < len(truth.reps):  # fewer than attempted
        case.flags.append("fewer_reps")
    judge(case, ex)
    case.seconds = time.perf_counter() - started
    return case


def judge(case: Case, ex: Any) -> None:
    """Was the injected fault flagged (or, on a correct render, anything flagged)?"""
    if case.fault:
        case.expected, want = expected_flag(case.fault, ex)
        case.flagged = bool(want & set(case.flags))
    else:
        case.flagged = bool(case.flags)


def fmt_case(c: Case) -> str:
    mae = " ".join(f"{k}={v:.1f}" for k, v in sorted(c.mae.items()))
    reps = f"{c.reps_model}/{c.reps_truth_engine}/{c.reps_script}" if c.counts_reps else "-"
    he = f"{max(c.hold_err):.2f}" if c.hold_err else "-"
    holds = f"{c.holds_model}/{c.holds_truth}"
    if c.fault:
        verdict = "flagged" if c.flagged else f"MISSED (saw: {', '.join(c.flags) or 'nothing'})"
    else:
        verdict = "clean" if not c.flagged else "FALSE: " + ", ".join(c.flags)
    return (f"| {c.exercise} | {c.fault or 'correct'} | {c.seed} | {100 * c.det:.0f}% | {mae} | "
            f"{reps} | {holds} | {he} | {verdict} |")  # fmt: skip


HEADER = (
    "| exercise | render | seed | pose found | MAE key measures (deg; ratio for curvature) "
    "| reps model/truth-engine/rendered | holds model/truth-engine | max hold start/end "
    "error (s) | fault |\n|---|---|---|---|---|---|---|---|---|"
)


def summarize(cases: list[Case]) -> list[str]:
    ok = [c for c in cases if not c.fault]
    bad = [c for c in cases if c.fault]
    lines = [
        f"- clips: {len(cases)} ({len(ok)} correct, {len(bad)} with a fault)",
        f"- pose found on >= 95% of frames: {sum(c.det >= 0.95 for c in cases)}/{len(cases)} clips "
        f"(lowest {min(c.det for c in cases):.0%})"
        if cases
        else "",
    ]
    side_deg = [v for c in ok for k, v in c.mae.items() if k != "back_curvature"]
    if side_deg:
        lines.append(f"- key-angle MAE <= 5 deg (correct renders): "
                     f"{sum(v <= 5 for v in side_deg)}/{len(side_deg)} measures")  # fmt: skip
    reps = [c for c in ok if c.counts_reps]
    if reps:
        lines.append(f"- rep count exact vs rendered (correct renders): "
                     f"{sum(c.reps_model == c.reps_script for c in reps)}/{len(reps)}")  # fmt: skip
    he = [e for c in ok for e in c.hold_err]
    if he:
        lines.append(f"- hold start/end within 0.3 s of the truth engine: "
                     f"{sum(e <= 0.3 for e in he)}/{len(he)}")  # fmt: skip
    if bad:
        lines.append(f"- injected faults flagged: {sum(bool(c.flagged) for c in bad)}/{len(bad)}")
    if ok:
        lines.append(
            f"- correct renders with nothing flagged: {sum(not c.flagged for c in ok)}/{len(ok)}"
        )
    return [x for x in lines if x]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--only", nargs="*", help="exercises (default: every animated one)")
    ap.add_argument("--faults", default="all", help="'all', 'none' or a comma list")
    ap.add_argument("--seeds", type=int, default=1, help="seeds per case (default 1)")
    ap.add_argument("--fps", type=float, default=15.0, help="render frame rate (default 15)")
    ap.add_argument("--reps", type=int, default=2, help="reps per clip (default 2)")
    ap.add_argument("--hold-cap", type=float, default=5.0, help="longest hold rendered (s)")
    ap.add_argument("--json", type=Path, help="also write the cases as JSON")
    ap.add_argument("--write-readme", action="store_true", help="rewrite bench/README.md's table")
    ap.add_argument("--from-json", type=Path, help="re-judge and print cases saved by --json")
    ap.add_argument("--command", help="the command to name in bench/README.md (with --from-json)")
    args = ap.parse_args(argv)
    lib = Library.load()
    if args.from_json:
        cases = [Case(**d) for d in json.loads(args.from_json.read_text())]
        for c in cases:
            judge(c, lib.get(c.exercise))
        print(HEADER)
        print("\n".join(fmt_case(c) for c in cases))
        summary = summarize(cases)
        print("\n" + "\n".join(summary))
        if args.write_readme:
            write_readme(cases, summary, (args.command or "").split())
        return 0
    names = args.only or [n for n in sorted(SCRIPTS) if lib.find(n) is not None]
    cases: list[Case] = []
    print(HEADER)
    with tempfile.TemporaryDirectory() as td:
        for name in names:
            faults: list[str | None] = [None]
            if args.faults == "all":
                faults += list(SCRIPTS[name].faults)
            elif args.faults != "none":
                faults += [f for f in args.faults.split(",") if f in SCRIPTS[name].faults]
            for fault in faults:
                for seed in range(args.seeds):
                    c = run_case(lib, name, fault, seed, args, Path(td))
                    cases.append(c)
                    print(fmt_case(c), flush=True)
    summary = summarize(cases)
    print()
    print("\n".join(summary))
    if args.json:
        args.json.write_text(json.dumps([c.__dict__ for c in cases], indent=1))
    if args.write_readme:
        write_readme(cases, summary, argv if argv is not None else sys.argv[1:])
    return 0


def write_readme(cases: list[Case], summary: list[str], argv: list[str]) -> None:
    p = Path(__file__).with_name("README.md")
    text = p.read_text() if p.exists() else "# Benchmarks\n"
    start, end = "<!-- accuracy:start -->", "<!-- accuracy:end -->"
    cmd = "PYTHONPATH=src python bench/accuracy.py " + " ".join(argv)
    block = "\n".join([start, "", f"Command: `{cmd.strip()}`", "", *summary, "", HEADER,
                       *[fmt_case(c) for c in cases], "", end])  # fmt: skip
    if start in text and end in text:
        text = text[: text.index(start)] + block + text[text.index(end) + len(end) :]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    p.write_text(text)


if __name__ == "__main__":
    sys.exit(main())

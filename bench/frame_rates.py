"""Holds and reps at 30, 10 and 5 frames/s on the labelled real clips (issue 12).

The model runs once per clip into a landmarks file (cached in ``--cache``); the engine
then replays every pose, every third (10 frames/s) and every sixth (5 frames/s), as a
busy machine dropping frames would feed it, smoothed as ``posecheck analyze`` does. Per
clip it prints the holds at each rate, and a table: the largest hold-edge difference
against the full rate (one frame interval is 0.10 s at 10 frames/s, 0.20 s at 5),
whether reps, holds and each hold's "reached" are the same at all rates.

``--offsets`` also replays the slow feeds starting at the second (and third, ...)
frame: a principle holds whichever frames are dropped, a tuning may hold for one
("holds differ": one rate found a hold more or less, often where a clip starts or ends
in a hold and the slow feed's first or last frame falls elsewhere). Exits 1 when a hold
edge from the first frame is more than one frame interval off ("!").

    PYTHONPATH=src python bench/frame_rates.py --cache /work/cache/fps6/lm
    PYTHONPATH=src python bench/frame_rates.py --cache /work/cache/fps6/lm --offsets -v
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _media import find_media  # noqa: E402

# The clips: every labelled clip with labelled holds, and the pelvic tilt (its tilts are
# held, the label counts them), each against its labelled exercise.
EXTRA = ("pelvic-tilt/pelvic-tilt-side.mp4",)


def clips() -> dict[str, str]:
    """Clip (relative to the media folder) -> exercise."""
    import json

    labels = json.loads((find_media() / "labels.json").read_text(encoding="utf-8"))
    held = [r for r, v in labels.items() if "top_holds_s" in v or "phases_s" in v]
    return {r: labels[r]["exercise"] for r in sorted({*held, *EXTRA})}


RATES = (3, 6)  # every third and every sixth pose of a 30 frames/s clip


def landmarks(rel: str, cache: Path, exercise: str) -> Path:
    """The clip's landmarks file, made with the model the first time only."""
    from posecheck.commands._offline import estimate_to_landmarks, mask_measures
    from posecheck.library import Library
    from posecheck.sources import open_source

    path = cache / (Path(rel).stem + ".landmarks.npz")
    if not path.exists():
        cache.mkdir(parents=True, exist_ok=True)
        ex = Library.load().get(exercise)
        with open_source(str(find_media() / rel)) as src:
            estimate_to_landmarks(src, path, mask_names=mask_measures([ex]))
    return path


def replay(lm: Path, exercise: str, every: int = 1, offset: int = 0) -> Any:
    """The engine on every ``every``-th stored pose from ``offset``, smoothed as analyze does."""
    from posecheck import pipeline
    from posecheck.engine import Engine
    from posecheck.landmarks_io import LandmarksSource
    from posecheck.library import Library
    from posecheck.smoothing import PoseSmoother

    class Every(LandmarksSource):
        def poses(self):  # type: ignore[no-untyped-def]
            for i, p in enumerate(super().poses()):
                if i % every == offset:
                    yield p

    engine = Engine(Library.load().get(exercise))
    return pipeline.run(Every(lm), None, engine, [], smoother=PoseSmoother())


def compare(full: Any, sub: Any) -> tuple[float | None, bool, bool]:
    """(largest hold-edge difference, or None when the holds differ in number; same reps;
    same holds reached)."""
    reps = sub.reps_complete == full.reps_complete and [r.complete for r in sub.reps] == [
        r.complete for r in full.reps
    ]
    if len(sub.holds) != len(full.holds):
        return None, reps, False
    diff = max(
        (max(abs(h.start_s - f.start_s), abs(h.end_s - f.end_s))
         for h, f in zip(sub.holds, full.holds, strict=True)),
        default=0.0,
    )  # fmt: skip
    reached = [h.reached for h in sub.holds] == [h.reached for h in full.holds]
    return diff, reps, reached


def label_lines(rel: str, s: Any) -> list[str]:
    """Each labelled hold of ``rel`` against the hold overlapping it most (30 frames/s)."""
    import json

    truth = json.loads((find_media() / "labels.json").read_text(encoding="utf-8"))[rel]
    spans = {"up": truth["top_holds_s"]} if "top_holds_s" in truth else truth.get("phases_s", {})
    out = []
    for phase, pairs in spans.items():
        for a, b in pairs:
            over = [(min(h.end_s, b) - max(h.start_s, a), h) for h in s.holds if h.phase == phase]
            best = max(over, key=lambda x: x[0], default=(0.0, None))
            if best[1] is None or best[0] <= 0:
                out.append(f"    label {phase} {a}-{b}: none")
                continue
            h = best[1]
            ds, de = h.start_s - a, h.end_s - b
            ok = "ok" if abs(ds) <= 0.3 and abs(de) <= 0.3 else "MISS"
            out.append(f"    label {phase} {a}-{b}: {h.start_s:.2f}-{h.end_s:.2f} "
                       f"({ds:+.2f} / {de:+.2f}) {ok}")  # fmt: skip
    return out


def holds_text(s: Any) -> str:
    return "  ".join(
        f"{h.phase} {h.start_s:.2f}-{h.end_s:.2f} ({h.duration_s:.2f}{'+' if h.reached else ''})"
        for h in s.holds
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cache", type=Path, default=Path("/tmp/posecheck-frame-rates"))
    ap.add_argument("--offsets", action="store_true", help="every starting frame of the slow feeds")
    ap.add_argument("-v", "--verbose", action="store_true", help="print every hold")
    args = ap.parse_args(argv)
    rows = []
    worst_ok = True
    for rel, ex in clips().items():
        lm = landmarks(rel, args.cache, ex)
        full = replay(lm, ex)
        if args.verbose:
            print(f"{rel} 30/s: reps {full.reps_complete}  {holds_text(full)}")
            print("\n".join(label_lines(rel, full)))
        cells, same_reps, same_reached = [], True, True
        for offsets in ([0], None) if args.offsets else ([0],):
            for every in RATES:
                worst: float | None = 0.0
                for off in offsets if offsets is not None else range(every):
                    sub = replay(lm, ex, every, off)
                    if args.verbose and (offsets is None) == args.offsets:
                        print(f"  {30 // every}/s +{off}: reps {sub.reps_complete}  "
                              f"{holds_text(sub)}")  # fmt: skip
                    d, reps, reached = compare(full, sub)
                    if offsets is not None:  # (the same reps and holds: from the first frame)
                        same_reps &= reps
                        same_reached &= reached
                    worst = None if d is None or worst is None else max(worst, d)
                ok = worst is not None and worst <= every / 30 + 1e-6
                worst_ok &= ok or offsets is None
                cell = "holds differ" if worst is None else f"{worst:.2f}" + ("" if ok else " !")
                cells.append(cell)
        edges = " | ".join(f"{a} / {b} s" for a, b in zip(cells[::2], cells[1::2], strict=True))
        yn = {True: "yes", False: "**no**"}
        rows.append(f"| {Path(rel).stem} | {edges} | {yn[same_reps]} | {yn[same_reached]} |")
    any_off = " | any first frame: 10 / 5 frames/s" if args.offsets else ""
    print(f"| clip | largest hold-edge difference at 10 / 5 frames/s{any_off} | same reps | "
          "same holds reached |")  # fmt: skip
    print("|---|---|---|---|" + ("---|" if args.offsets else ""))
    print("\n".join(rows))
    return 0 if worst_ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""Same results before and after a refactor: every sample clip and every real clip.

Runs the engine over every ``sample_videos/*.mp4`` (the exercise in its truth file)
and every clip of ``../shared/media`` (its labelled exercise; the unlabelled and
negative clips against the exercises they look most like, see :data:`PICKS`), and
writes, per clip and exercise, ``summary.json``, ``frames.csv`` (every frame's
state, phase, hold, counts and cue) and ``events.json`` (every event, frame by frame),
plus, per clip, the recogniser's record.

The model runs once per clip: its poses (with the mask measures of every library
exercise) are kept in a landmarks file under ``--cache`` and replayed through
``pipeline.run`` with smoothing, as ``posecheck score`` does. ``--from-video`` runs
the full ``posecheck analyze -e NAME --no-video --no-report`` from the video instead
(slow: the model on every clip and exercise).

    python bench/same_results.py record /work/cache/engine-parts/baseline
    python bench/same_results.py check /work/cache/engine-parts/baseline

``check`` writes the new run beside the baseline (``<baseline>.new`` unless ``--out``),
prints every difference (timestamps, version and paths ignored) and exits 1 if any.
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_videos"
MEDIA = ROOT.parent.parent / "shared" / "media"  # /work/wt/<branch> -> /work/shared/media
if not MEDIA.is_dir():
    MEDIA = Path("/work/shared/media")
DEFAULT_CACHE = Path("/work/cache/engine-parts/landmarks")

# Clips without a library exercise (or with none): judged against what they resemble,
# so the engine's paths for "wrong exercise" footage are compared too.
PICKS: dict[str, tuple[str, ...]] = {
    "other/forearm-plank.mp4": ("bird-dog",),
    "other/dead-bug.mp4": ("bird-dog", "knees-to-chest"),
    "other/hook-lying-breathing.mp4": ("pelvic-tilt", "bridge", "abdominal-draw-in"),
    "other/two-people-walking-jumping.mp4": ("bridge",),
    "other/hollow-hold-partly-out-of-frame.mp4": ("bridge",),
    "other/standing-hip-hinge-vertical.mp4": ("standing-backbend",),
    "other/downward-dog.mp4": ("childs-pose",),
    "other/squat-front-pexels.mp4": ("standing-backbend",),
    "other/sit-ups-outdoor.mp4": ("knees-to-chest", "seated-forward-curl"),
}
# Keys of summary.json that differ between runs of the same code.
IGNORED = frozenset({"created_utc", "posecheck_version", "video", "input", "outputs"})


def clips() -> Iterator[tuple[str, Path, tuple[str, ...]]]:
    """(clip id, video path, exercises) for every sample and labelled real clip."""
    for video in sorted(SAMPLES.glob("*.mp4")):
        truth = json.loads(video.with_suffix(".truth.json").read_text(encoding="utf-8"))
        yield f"samples/{video.stem}", video, (truth["exercise"],)
    labels = json.loads((MEDIA / "labels.json").read_text(encoding="utf-8"))
    for rel, label in sorted(labels.items()):
        if not (MEDIA / rel).is_file():
            continue
        names = (label["exercise"],) if label.get("exercise") else PICKS.get(rel, ())
        yield f"media/{Path(rel).with_suffix('')}", MEDIA / rel, names


def landmarks(video: Path, clip_id: str, cache: Path, library: Any) -> Path:
    """The clip's landmarks file, made with the model the first time only."""
    from posecheck.commands._offline import estimate_to_landmarks, mask_measures
    from posecheck.sources import open_source

    path = cache / (clip_id.replace("/", "__") + ".landmarks.npz")
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name("tmp-" + path.name)
        with open_source(video) as source:
            estimate_to_landmarks(
                source, tmp, mask_names=mask_measures(library), meta={"smoothing": "one-euro"}
            )
        tmp.replace(path)
    return path


class EventsSink:
    """events.json: every event the engine raised, frame by frame (and at the end)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.events: list[dict[str, Any]] = []

    # Every hook of posecheck.protocols.Sink written out (not SinkBase): the bench
    # also records baselines with code from before the protocols existed.
    def describe_run(self, estimator: Any = None, smoother: Any = None) -> None:
        pass

    def open(self, info: Any, exercise: Any) -> None:
        pass

    def write(self, frame: Any, result: Any) -> None:
        self.events += [{"frame": e.frame_index, "t_s": e.t_s, "kind": e.kind, **e.data}
                        for e in result.events]  # fmt: skip

    def end(self, result: Any) -> None:
        self.events += [{"end": True, "kind": e.kind, **e.data} for e in result.events]

    def close(self, summary: Any) -> None:
        text = json.dumps(self.events, indent=0, default=str)
        self.path.write_text(text + "\n", encoding="utf-8")


def replay(lm: Path, exercise: Any, outdir: Path) -> None:
    """summary.json, frames.csv and events.json of the engine over stored poses."""
    from posecheck import pipeline
    from posecheck.engine import Engine
    from posecheck.landmarks_io import LandmarksSource
    from posecheck.sinks.tables import FramesCsvSink, SummaryJsonSink
    from posecheck.smoothing import PoseSmoother

    outdir.mkdir(parents=True, exist_ok=True)
    sinks = [FramesCsvSink(outdir / "frames.csv"), SummaryJsonSink(outdir / "summary.json"),
             EventsSink(outdir / "events.json")]  # fmt: skip
    with LandmarksSource(lm) as source:
        pipeline.run(source, None, Engine(exercise), sinks, smoother=PoseSmoother())


def analyze(video: Path, name: str, outdir: Path) -> None:
    """The full ``posecheck analyze`` (model included) into ``outdir``."""
    cmd = [sys.executable, "-m", "posecheck", "analyze", str(video), "-e", name, "-o",
           str(outdir), "--no-video", "--no-report", "--force", "-q"]  # fmt: skip
    subprocess.run(cmd, check=False, stdout=subprocess.DEVNULL)
    for f in outdir.glob("*.landmarks.npz"):
        f.unlink()  # large, and compared through the results they give


def recognition(lm: Path, library: Any) -> dict[str, Any]:
    """The recogniser's record for the clip (or the one-line error it raises)."""
    from posecheck.commands._offline import recognise
    from posecheck.errors import InputError
    from posecheck.landmarks_io import read_landmarks

    try:
        _, record = recognise(read_landmarks(lm), library)
    except InputError as exc:
        return {"error": exc.one_line()}
    return record


def run_all(out: Path, cache: Path, from_video: bool, only: str | None) -> None:
    from posecheck.library import Library

    library = Library.load([ROOT / "poses"])  # (also when run on a copy of src/)
    for clip_id, video, names in clips():
        if only and only not in clip_id:
            continue
        print(f"{clip_id}: {', '.join(names) or '-'}", file=sys.stderr)
        lm = landmarks(video, clip_id, cache, library)
        rec = recognition(lm, library)
        (out / clip_id).mkdir(parents=True, exist_ok=True)
        (out / clip_id / "recognition.json").write_text(
            json.dumps(rec, indent=1, sort_keys=True, default=str) + "\n", encoding="utf-8"
        )
        for name in names:
            if from_video:
                analyze(video, name, out / clip_id / name)
            else:
                replay(lm, library.get(name), out / clip_id / name)


# --- comparing ----------------------------------------------------------------------


def _diff_json(a: Any, b: Any, where: str, out: list[str]) -> None:
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if where == "" and k in IGNORED:
                continue
            if k not in a or k not in b:
                out.append(f"{where}.{k}: {'missing before' if k not in a else 'missing now'}")
            else:
                _diff_json(a[k], b[k], f"{where}.{k}", out)
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _diff_json(x, y, f"{where}[{i}]", out)
    elif a != b:
        out.append(f"{where}: {json.dumps(a)[:200]} -> {json.dumps(b)[:200]}")


def _diff_csv(a: Path, b: Path, out: list[str]) -> None:
    with open(a, encoding="utf-8") as fa, open(b, encoding="utf-8") as fb:
        ra, rb = list(csv.reader(fa)), list(csv.reader(fb))
    if len(ra) != len(rb):
        out.append(f"frames.csv: {len(ra)} rows -> {len(rb)}")
    head = ra[0] if ra else []
    for i, (x, y) in enumerate(zip(ra, rb, strict=False)):
        if x != y:
            n = max(len(x), len(y))
            xs, ys = x + [""] * (n - len(x)), y + [""] * (n - len(y))
            cols = [head[j] if j < len(head) else str(j) for j in range(n) if xs[j] != ys[j]]
            out.append(f"frames.csv row {i}: differs in {', '.join(cols)}")
            if len(out) > 40:
                return


def compare(old: Path, new: Path) -> list[str]:
    """Every difference between two runs, as lines ``<clip>/<exercise>: what``."""
    lines: list[str] = []
    files = sorted({p.relative_to(old) for p in old.rglob("*") if p.is_file()}
                   | {p.relative_to(new) for p in new.rglob("*") if p.is_file()})  # fmt: skip
    for rel in files:
        a, b = old / rel, new / rel
        if not a.exists() or not b.exists():
            lines.append(f"{rel}: {'new file' if not a.exists() else 'missing now'}")
            continue
        found: list[str] = []
        if rel.suffix == ".json":
            ja, jb = (json.loads(p.read_text(encoding="utf-8")) for p in (a, b))
            _diff_json(ja, jb, "", found)
        elif rel.suffix == ".csv":
            _diff_csv(a, b, found)
        lines += [f"{rel}: {d}" for d in found]
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("mode", choices=("record", "check"))
    ap.add_argument("baseline", type=Path, help="folder of the stored run")
    ap.add_argument("--out", type=Path, help="check: where the new run goes")
    ap.add_argument("--cache", type=Path, default=DEFAULT_CACHE,
                    help=f"landmarks files, made once (default: {DEFAULT_CACHE})")  # fmt: skip
    ap.add_argument("--from-video", action="store_true",
                    help="run the full analyze (model) instead of replaying landmarks")  # fmt: skip
    ap.add_argument("--only", metavar="TEXT", help="only clips whose id contains TEXT")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    if args.mode == "record":
        if args.baseline.exists():
            shutil.rmtree(args.baseline)
        run_all(args.baseline, args.cache, args.from_video, args.only)
        print(f"recorded {sum(1 for _ in args.baseline.rglob('summary.json'))} summaries "
              f"in {args.baseline}")  # fmt: skip
        return 0
    new = args.out or args.baseline.with_name(args.baseline.name + ".new")
    if new.exists():
        shutil.rmtree(new)
    run_all(new, args.cache, args.from_video, args.only)
    old = args.baseline
    if args.only:  # compare only what was run
        diffs = [d for d in compare(old, new) if not d.startswith(("media/", "samples/"))
                 or args.only in d.split(":", 1)[0]]  # fmt: skip
        diffs = [d for d in diffs if "missing now" not in d]
    else:
        diffs = compare(old, new)
    for d in diffs:
        print(d)
    n = sum(1 for _ in new.rglob("summary.json"))
    print(f"{n} summaries compared with {old}: "
          f"{'no difference' if not diffs else f'{len(diffs)} differences'}")  # fmt: skip
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())

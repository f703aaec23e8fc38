#!/usr/bin/env python3
"""Tracking in grid parts on every real clip: workers 1, 2 and 3, and the price against
one unchunked tracking run.

For each clip of the shared media (its labelled exercise; bridge for the unlabelled
negatives), ``posecheck analyze --no-video --no-report`` runs with ``--part D/4`` (D: the
clip's duration, so every clip that can seek is tracked in about 4 parts) and
``--workers`` 1, 2 and 3 (3 where the clip has 3 parts or more), and once with a part
longer than the clip (one tracking run, as before the grid). Compared:

- workers 2 and 3 against 1: the landmarks (points, visibility, world points, mask
  measures) bit for bit, reps, holds and score: all must be identical;
- the parts against the unchunked run: reps, holds (count, largest start/end difference
  in frames), score, the first part's landmarks (must be identical) and after the first
  seam the median and largest difference of shoulders, hips, knees and ankles (pixels,
  where both have a pose); model frames estimated per frame kept (the warm-ups' cost).

``--samples`` runs the repository's ``sample_videos/`` (rendered, with their exercise in
each truth file) instead of the shared media. ``--part S`` uses parts of S seconds
instead (``--part 10``: analyze's default grid). GIFs cannot seek: one tracking run
whatever the options. ``--reuse`` takes the outputs already in ``--out`` (a run per
folder) instead of running the model again.

    python bench/parallel_equal.py --out /work/cache/par4/equal --json equal.json
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
from _media import find_media

REPO = Path(__file__).resolve().parents[1]
KEY = [11, 12, 23, 24, 25, 26, 27, 28]  # shoulders, hips, knees, ankles
ESTIMATED = re.compile(r"(\d+) frames estimated for (\d+) kept")


def analyze(clip: Path, exercise: str, out: Path, reuse: bool, *extra: str) -> dict:
    """The run's summary, landmarks and model frames estimated (from ``-v``)."""
    cost = out / "estimated.txt"
    if not (reuse and (out / "summary.json").is_file() and cost.is_file()):
        cmd = [sys.executable, "-m", "posecheck", "-v", "analyze", str(clip), "-e", exercise,
               "-o", str(out), "--force", "--no-video", "--no-report", "-q", *extra]  # fmt: skip
        env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
        p = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=REPO)
        if p.returncode != 0 or not (out / "summary.json").is_file():
            cost.unlink(missing_ok=True)
            return {"error": (p.stderr.strip().splitlines() or ["?"])[-1]}
        m = ESTIMATED.search(p.stderr)
        cost.write_text(m.group(1) if m else "")
    from posecheck.landmarks_io import read_landmarks

    summary = json.loads((out / "summary.json").read_text())
    summary["landmarks"] = read_landmarks(next(out.glob("*.landmarks.npz")))
    text = cost.read_text().strip()
    summary["estimated"] = int(text) if text else summary["frames"]
    return summary


def identical(a: dict, b: dict) -> bool:
    """Same landmarks bit for bit, reps, holds and score."""
    la, lb = a["landmarks"], b["landmarks"]
    same = all(
        np.array_equal(getattr(la, k), getattr(lb, k), equal_nan=True)
        for k in ("index", "t_s", "present", "xy", "visibility", "world")
    )
    same = same and la.extras.keys() == lb.extras.keys()
    same = same and all(np.array_equal(la.extras[k], lb.extras[k], equal_nan=True)
                        for k in la.extras)  # fmt: skip
    keys = ("reps_complete", "holds", "score")
    return bool(same and all(a[k] == b[k] for k in keys))


def compare(clip: Path, exercise: str, media: Path, work: Path, reuse: bool,
            part: float | None) -> dict:  # fmt: skip
    sys.path.insert(0, str(REPO / "src"))
    from posecheck.parallel import plan_parts
    from posecheck.sources import open_source

    with open_source(clip) as src:
        info, seekable = src.info, src.seekable
    duration = info.frame_count / info.fps if info.fps else 0.0
    part_s = part or max(duration / 4, 0.05)
    parts = plan_parts(info.frame_count, info.fps, part_s) if seekable else []
    row: dict = {"clip": clip.relative_to(media).as_posix(), "exercise": exercise,
                 "frames": info.frame_count, "parts": max(1, len(parts))}  # fmt: skip
    runs = {w: analyze(clip, exercise, work / f"w{w}", reuse, "--workers", str(w),
                       "--part", f"{part_s:.3f}")
            for w in (1, 2, 3) if w < 3 or len(parts) >= 3}  # fmt: skip
    whole = analyze(clip, exercise, work / "whole", reuse, "--workers", "1", "--part", "1e6")
    bad = [r for r in (*runs.values(), whole) if "error" in r]
    if bad:
        row["error"] = bad[0]["error"]
        return row
    one = runs[1]
    row["identical"] = {w: identical(one, r) for w, r in runs.items() if w > 1}
    row["estimated_per_kept"] = round(one["estimated"] / max(1, one["frames"]), 3)
    row["reps"] = (whole["reps_complete"], one["reps_complete"])
    row["holds"] = (len(whole["holds"]), len(one["holds"]))
    fps = info.fps or 30.0
    diffs = [abs(a[k] - b[k]) * fps for a, b in zip(whole["holds"], one["holds"], strict=False)
             for k in ("start_s", "end_s")]  # fmt: skip
    row["hold_diff_frames"] = round(max(diffs), 2) if diffs else 0.0
    row["score"] = (whole["score"], one["score"])
    lm0, lm1 = whole["landmarks"], one["landmarks"]
    seam = parts[1].start if len(parts) > 1 else len(lm0)
    n = min(len(lm0), len(lm1))
    a, b = np.nan_to_num(lm0.xy[:seam], nan=-1.0), np.nan_to_num(lm1.xy[:seam], nan=-1.0)
    row["first_part_equal"] = bool(np.array_equal(a, b))
    both = lm0.present[seam:n] & lm1.present[seam:n]
    d = np.abs(lm0.xy[seam:n][both][:, KEY] - lm1.xy[seam:n][both][:, KEY])
    row["after_seam_px_median"] = round(float(np.median(d)), 2) if d.size else None
    row["after_seam_px_max"] = round(float(np.max(d)), 1) if d.size else None
    return row


def table(rows: list[dict]) -> str:
    lines = ["| clip | exercise | frames | parts | workers 2, 3 = 1 | model frames / kept "
             "| reps whole/parts | holds whole/parts | holds differ (frames) "
             "| score whole/parts | first part equal | key points after the first seam: "
             "median / max px |",
             "|---|---|---:|---:|---|---:|---|---|---:|---|---|---|"]  # fmt: skip
    for r in rows:
        if "error" in r:
            lines.append(f"| {r['clip']} | {r['exercise']} | {r['frames']} | {r['parts']} "
                         f"| error: {r['error']} | | | | | | | |")  # fmt: skip
            continue
        same = ", ".join("yes" if v else "NO" for v in r["identical"].values()) or "(1 part)"
        lines.append(
            f"| {r['clip']} | {r['exercise']} | {r['frames']} | {r['parts']} | {same} "
            f"| {r['estimated_per_kept']:.3f} | {r['reps'][0]}/{r['reps'][1]} "
            f"| {r['holds'][0]}/{r['holds'][1]} | {r['hold_diff_frames']:g} "
            f"| {r['score'][0]}/{r['score'][1]} | {'yes' if r['first_part_equal'] else 'NO'} "
            f"| {r['after_seam_px_median']} / {r['after_seam_px_max']} |"
        )
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    ap.add_argument("--out", type=Path, required=True, help="work folder (outputs kept)")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--only", nargs="*", help="clips (relative to the media folder)")
    ap.add_argument("--reuse", action="store_true", help="use the outputs already in --out")
    ap.add_argument("--part", type=float, help="part length in seconds (default: D/4)")
    ap.add_argument("--samples", action="store_true",
                    help="the repository's sample_videos/ instead of the shared media")  # fmt: skip
    args = ap.parse_args()
    media = REPO / "sample_videos" if args.samples else find_media()
    if args.samples:  # rendered by posecheck: the exercise is in each truth file
        labels = {p.name.replace(".truth.json", ".mp4"): json.loads(p.read_text())
                  for p in media.glob("*.truth.json")}  # fmt: skip
    else:
        labels = json.loads((media / "labels.json").read_text())
    rows = []
    for rel, lab in sorted(labels.items()):
        if args.only and rel not in args.only:
            continue
        clip = media / rel
        if not clip.is_file() or clip.suffix == ".json":
            continue
        ex = lab.get("exercise") or "bridge"
        rows.append(compare(clip, ex, media, args.out / rel.replace("/", "_"), args.reuse,
                            args.part))  # fmt: skip
        print(table(rows[-1:]).splitlines()[-1], file=sys.stderr, flush=True)
    print(table(rows))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

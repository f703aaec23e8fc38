#!/usr/bin/env python3
"""Chunked analysis against one process on every real clip: what is equal, what is not.

For each clip of the shared media (its labelled exercise; bridge for the unlabelled
negatives), ``posecheck analyze --no-video --no-report`` runs once with ``--workers 1``
and once with ``--workers 2 --min-chunk D/2.5`` (D: the clip's duration, so every clip is
cut into two chunks). Compared: complete reps, holds (count, largest start/end
difference in frames), score, and the landmarks: the first chunk's must be identical;
after the seam the median and largest difference of shoulders, hips, knees and ankles
(pixels, where both have a pose). GIFs cannot seek and run in one process.

    python bench/parallel_equal.py --out /tmp/equal --json equal.json
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
from _media import find_media

REPO = Path(__file__).resolve().parents[1]
KEY = [11, 12, 23, 24, 25, 26, 27, 28]  # shoulders, hips, knees, ankles


def analyze(clip: Path, exercise: str, out: Path, *extra: str) -> dict:
    cmd = [sys.executable, "-m", "posecheck", "analyze", str(clip), "-e", exercise, "-o",
           str(out), "--force", "--no-video", "--no-report", "-q", *extra]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=REPO)
    summary = out / "summary.json"
    if not summary.is_file():
        return {"error": (p.stderr.strip().splitlines() or ["?"])[-1]}
    return json.loads(summary.read_text())


def compare(clip: Path, exercise: str, work: Path) -> dict:
    sys.path.insert(0, str(REPO / "src"))
    from posecheck.landmarks_io import read_landmarks
    from posecheck.sources import open_source

    with open_source(clip) as src:
        info, seekable = src.info, src.seekable
    duration = info.frame_count / info.fps if info.fps else 0.0
    one = analyze(clip, exercise, work / "one")
    two = analyze(clip, exercise, work / "two", "--workers", "2", "--min-chunk",
                  f"{max(duration / 2.5, 0.05):.3f}")  # fmt: skip
    row: dict = {"clip": clip.relative_to(find_media()).as_posix(), "exercise": exercise,
                 "frames": info.frame_count, "split": bool(seekable)}  # fmt: skip
    if "error" in one or "error" in two:
        row["error"] = one.get("error") or two.get("error")
        return row
    fps = info.fps or 30.0
    row["reps"] = (one["reps_complete"], two["reps_complete"])
    row["holds"] = (len(one["holds"]), len(two["holds"]))
    diffs = [abs(a[k] - b[k]) * fps for a, b in zip(one["holds"], two["holds"], strict=False)
             for k in ("start_s", "end_s")]  # fmt: skip
    row["hold_diff_frames"] = round(max(diffs), 2) if diffs else 0.0
    row["score"] = (one["score"], two["score"])
    lm1 = read_landmarks(next((work / "one").glob("*.landmarks.npz")))
    lm2 = read_landmarks(next((work / "two").glob("*.landmarks.npz")))
    seam = round(info.frame_count / 2) if seekable else len(lm1)
    n = min(len(lm1), len(lm2))
    row["same_frames"] = bool(np.array_equal(lm1.t_s, lm2.t_s))
    a, b = np.nan_to_num(lm1.xy[:seam], nan=-1.0), np.nan_to_num(lm2.xy[:seam], nan=-1.0)
    row["first_chunk_equal"] = bool(np.array_equal(a, b))
    both = lm1.present[seam:n] & lm2.present[seam:n]
    d = np.abs(lm1.xy[seam:n][both][:, KEY] - lm2.xy[seam:n][both][:, KEY])
    row["after_seam_px_median"] = round(float(np.median(d)), 2) if d.size else None
    row["after_seam_px_max"] = round(float(np.max(d)), 1) if d.size else None
    row["pose_found"] = (int(lm1.present.sum()), int(lm2.present.sum()))
    return row


def table(rows: list[dict]) -> str:
    lines = ["| clip | exercise | frames | split | reps 1/2 | holds 1/2 | holds differ (frames) "
             "| score 1/2 | first chunk equal | key points after the seam: median / max px |",
             "|---|---|---:|---|---|---|---:|---|---|---|"]  # fmt: skip
    for r in rows:
        if "error" in r:
            lines.append(f"| {r['clip']} | {r['exercise']} | {r['frames']} | | error: "
                         f"{r['error']} | | | | | |")  # fmt: skip
            continue
        lines.append(
            f"| {r['clip']} | {r['exercise']} | {r['frames']} | {'yes' if r['split'] else 'no'} "
            f"| {r['reps'][0]}/{r['reps'][1]} | {r['holds'][0]}/{r['holds'][1]} | "
            f"{r['hold_diff_frames']:g} | {r['score'][0]}/{r['score'][1]} | "
            f"{'yes' if r['first_chunk_equal'] else 'NO'} | "
            f"{r['after_seam_px_median']} / {r['after_seam_px_max']} |"
        )
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    ap.add_argument("--out", type=Path, required=True, help="work folder (outputs kept)")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--only", nargs="*", help="clips (relative to the media folder)")
    args = ap.parse_args()
    media = find_media()
    labels = json.loads((media / "labels.json").read_text())
    rows = []
    for rel, lab in sorted(labels.items()):
        if args.only and rel not in args.only:
            continue
        clip = media / rel
        if not clip.is_file() or clip.suffix == ".json":
            continue
        ex = lab.get("exercise") or "bridge"
        rows.append(compare(clip, ex, args.out / rel.replace("/", "_")))
        print(table(rows[-1:]).splitlines()[-1], file=sys.stderr, flush=True)
    print(table(rows))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

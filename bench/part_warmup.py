#!/usr/bin/env python3
"""How long a grid part's warm-up must be: the first kept frames against one unchunked run.

For each clip, the model runs once over the whole clip (one tracking run), then a part
is started at each of a few frames S with W frames of warm-up before it
(:func:`posecheck.parallel.estimate_chunk`, the code ``analyze`` runs). Reported per W:
the median difference of shoulders, hips, knees and ankles (pixels, frames where both
have a pose) against the unchunked run on the first kept frame, kept frames 1-9 and
10-89. A warm-up is long enough when the first kept frame differs no more than later
frames do (MediaPipe's tracking never re-converges bit for bit after a fresh start).

    python bench/part_warmup.py --clips bridge/glute-bridge-3-reps-side.mp4 ...
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from _media import find_media

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
KEY = [11, 12, 23, 24, 25, 26, 27, 28]  # shoulders, hips, knees, ankles
SPANS = {"first": (0, 1), "1-9": (1, 10), "10-89": (10, 90)}


def whole_run(path: str, model) -> dict[int, np.ndarray]:
    from posecheck.parallel import Chunk, estimate_chunk

    res = estimate_chunk(path, Chunk(0, 0, 0, None), estimator=model)
    return {int(i): res.xy[k] for k, i in enumerate(res.index) if res.present[k]}


def main() -> int:
    from posecheck.estimator import EstimatorOptions, MediaPipeEstimator
    from posecheck.parallel import Chunk, estimate_chunk
    from posecheck.sources import open_source

    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    ap.add_argument("--clips", nargs="+", required=True, help="relative to the media folder")
    ap.add_argument("--warm", nargs="+", type=int, default=[0, 5, 10, 15, 30, 60],
                    help="warm-up lengths in frames")  # fmt: skip
    ap.add_argument("--starts", type=int, default=3, help="part starts a clip (spread)")
    args = ap.parse_args()
    model = MediaPipeEstimator(EstimatorOptions())
    diffs: dict[int, dict[str, list[float]]] = {w: {s: [] for s in SPANS} for w in args.warm}
    for rel in args.clips:
        path = str(find_media() / rel)
        with open_source(path) as src:
            n = src.info.frame_count
        ref = whole_run(path, model)
        starts = [round(n * (k + 1) / (args.starts + 1)) for k in range(args.starts)]
        for s in starts:
            for w in args.warm:
                end = min(n, s + SPANS["10-89"][1])
                res = estimate_chunk(path, Chunk(1, max(0, s - w), s, end), estimator=model)
                for k, i in enumerate(res.index):
                    off = int(i) - s
                    span = next((name for name, (a, b) in SPANS.items() if a <= off < b), None)
                    if span and res.present[k] and int(i) in ref:
                        d = np.abs(res.xy[k][KEY] - ref[int(i)][KEY])
                        diffs[w][span].append(float(np.median(d)))
        print(f"{rel}: {n} frames, parts started at {starts}", file=sys.stderr, flush=True)
    model.close()
    print("| warm-up frames | " + " | ".join(f"kept {s}: median px" for s in SPANS) + " |")
    print("|---:|" + "---:|" * len(SPANS))
    for w in args.warm:
        cells = [f"{np.median(v):.2f} ({len(v)})" if v else "-" for v in diffs[w].values()]
        print(f"| {w} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())

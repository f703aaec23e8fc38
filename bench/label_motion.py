"""Model-free evidence for hold labels: how much the picture changes, every 0.1 s.

A held position is a still picture (apart from breathing and the camera's noise); a
movement changes it. For each step of 0.1 s this prints the mean absolute change of the
blurred grey levels (0-255) inside a box of the picture between a frame and the frame
0.1 s later, next to the labelled hold spans of ``labels.json``, so a label's start or
end can be checked against the picture itself rather than against the pose model that is
being judged. Used in bench/README.md ("Hold timing on the labelled real clips").

    PYTHONPATH=src python bench/label_motion.py cat-camel/cat-cow-side.mp4
    PYTHONPATH=src python bench/label_motion.py cat-camel/cat-cow-2cycles-holds-side.mp4 \\
        --box 0.15 0.1 0.75 0.75

``--sheet OUT.png --span A B`` also writes the frames themselves, every 0.1 s from A to
B s, ten to a row with their times, in the ``--box`` part of the picture: a label
checked against the picture by eye (the sheet stays outside the repository, as the
footage does).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import cv2
import numpy as np

REPO = Path(__file__).resolve().parents[1]
MEDIA = REPO.parent / "shared" / "media"


def picture_change(path: Path, box: tuple[float, float, float, float], step_s: float = 0.1):
    """[(t, mean absolute grey change to the frame step_s later)] inside ``box`` (fractions
    of the width and height: x0, y0, x1, y1)."""
    from posecheck.sources import open_source

    frames: list[tuple[float, np.ndarray]] = []
    with open_source(str(path)) as src:
        for fr in src.frames():
            g = cv2.cvtColor(fr.image, cv2.COLOR_BGR2GRAY)
            h, w = g.shape
            x0, y0, x1, y1 = box
            crop = g[int(y0 * h) : int(y1 * h), int(x0 * w) : int(x1 * w)]
            frames.append((fr.t_s, cv2.GaussianBlur(crop, (5, 5), 0).astype(np.float32)))
    if len(frames) < 2:
        return []
    k = max(1, round(step_s / (frames[1][0] - frames[0][0])))
    return [
        (frames[i][0], float(np.abs(frames[i + k][1] - frames[i][1]).mean()))
        for i in range(0, len(frames) - k, k)
    ]


def contact_sheet(
    path: Path, box: tuple[float, float, float, float], a: float, b: float, out: Path
) -> int:
    """Write the frames every 0.1 s from ``a`` to ``b`` s, cropped to ``box``, ten to a
    row, each with its time; returns how many."""
    from posecheck.sources import open_source

    tiles: list[np.ndarray] = []
    with open_source(str(path)) as src:
        for fr in src.frames():
            if fr.t_s > b + 0.02:
                break
            if fr.t_s + 0.02 < a + 0.1 * len(tiles):  # (0.02: within a frame at 25-30/s)
                continue
            h, w = fr.image.shape[:2]
            x0, y0, x1, y1 = box
            crop = fr.image[int(y0 * h) : int(y1 * h), int(x0 * w) : int(x1 * w)]
            tile = cv2.resize(crop, (320, max(1, round(320 * crop.shape[0] / crop.shape[1]))))
            cv2.rectangle(tile, (0, 0), (92, 24), (0, 0, 0), -1)
            cv2.putText(tile, f"{fr.t_s:.2f} s", (4, 18), cv2.FONT_HERSHEY_SIMPLEX, 0.55,
                        (0, 255, 255), 1, cv2.LINE_AA)  # fmt: skip
            tiles.append(tile)
    if not tiles:
        return 0
    blank = np.zeros_like(tiles[0])
    rows = [tiles[i : i + 10] for i in range(0, len(tiles), 10)]
    grid = np.vstack([np.hstack(r + [blank] * (10 - len(r))) for r in rows])
    if not cv2.imwrite(str(out), grid):
        raise OSError(f"could not write {out}")
    return len(tiles)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("clip", help="path under ../shared/media (as in labels.json) or a file")
    ap.add_argument(
        "--box",
        nargs=4,
        type=float,
        default=(0.0, 0.0, 1.0, 1.0),
        metavar=("X0", "Y0", "X1", "Y1"),
        help="part of the picture (fractions)",
    )
    ap.add_argument("--sheet", type=Path, metavar="OUT.png",
                    help="also write the frames of --span as one picture")  # fmt: skip
    ap.add_argument("--span", nargs=2, type=float, metavar=("A", "B"), default=(0.0, 1.0),
                    help="seconds for --sheet (default: 0 1)")  # fmt: skip
    args = ap.parse_args(argv)
    path = Path(args.clip) if Path(args.clip).exists() else MEDIA / args.clip
    if not path.exists():
        print(f"label_motion: {args.clip}: no such clip", file=sys.stderr)
        return 2
    labels = json.loads((MEDIA / "labels.json").read_text()) if MEDIA.exists() else {}
    spans: list[tuple[str, float, float]] = []
    lab = labels.get(args.clip, {})
    for a, b in lab.get("top_holds_s", []):
        spans.append(("top", a, b))
    for phase, pairs in lab.get("phases_s", {}).items():
        spans += [(phase, a, b) for a, b in pairs]
    for t, m in picture_change(path, tuple(args.box)):
        inside = [p for p, a, b in spans if a - 1e-6 <= t <= b + 1e-6]
        print(f"{t:5.1f} s  {m:6.2f}  {'#' * min(60, round(m * 10))}  {' '.join(inside)}")
    if args.sheet is not None:
        n = contact_sheet(path, tuple(args.box), args.span[0], args.span[1], args.sheet)
        print(f"{n} frames in {args.sheet}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Contact sheet of rendered exercises: the start and the held position of each, tiled.

PYTHONPATH=src python bench/contact_sheet.py -o docs/render_contact_sheet.png
"""

from __future__ import annotations

import argparse
from pathlib import Path

import cv2
import numpy as np

from posecheck.render.clip import ClipRenderer, RenderOptions
from posecheck.render.motion import SCRIPTS


def sheet(
    names: list[str], seed: int, tile: tuple[int, int], fault: str | None = None
) -> np.ndarray:
    rows = []
    for k, name in enumerate(names):
        r = ClipRenderer(RenderOptions(name, seed=seed + k, size=tile, fault=fault), SCRIPTS[name])
        hold = r.timeline.holds[0] if r.timeline.holds else None
        times = [0.2]
        first_move = next(s for s in r.timeline.segments if s.kind == "move")
        times.append((first_move.t0 + first_move.t1) / 2)
        times.append((hold["start_s"] + hold["end_s"]) / 2 if hold else r.timeline.duration_s / 2)
        imgs = []
        for t in times:
            img, _ = r.render_frame(int(t * r.opts.fps))
            cv2.putText(
                img,
                f"{name} t={t:.1f}s",
                (6, 16),
                cv2.FONT_HERSHEY_SIMPLEX,
                0.45,
                (20, 20, 20),
                1,
                cv2.LINE_AA,
            )
            imgs.append(img)
        rows.append(np.hstack(imgs))
    return np.vstack(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("-o", "--output", type=Path, default=Path("docs/render_contact_sheet.png"))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--only", nargs="*", help="exercise names (default: all)")
    ap.add_argument("--tile", default="320x180")
    a = ap.parse_args()
    w, h = (int(v) for v in a.tile.split("x"))
    names = a.only or sorted(SCRIPTS)
    img = sheet(names, a.seed, (w, h))
    a.output.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(a.output), img, [cv2.IMWRITE_PNG_COMPRESSION, 9])


if __name__ == "__main__":
    main()

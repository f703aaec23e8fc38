"""Picture cuts and fades, from the pixels alone (no pose model): where the estimator
would start afresh, and where it would report no pose because the picture fades.

For each video this runs :class:`posecheck.cuts.PictureCuts` on the 32x18 thumbnails the
estimator makes and prints the cuts, the fading spans, and the largest share of the
picture that changed one way faster than the fade rate on a frame that was neither (how
close a person's movement, a camera's flicker or its noise came to a fade: the smaller of
the shares of two steps in a row that changed the same way). Used in
bench/README.md ("Cuts and fades in the picture").

    PYTHONPATH=src python bench/picture_changes.py                 # the real clips
    PYTHONPATH=src python bench/picture_changes.py /work/cache/fb sample_videos
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from _media import find_media

VIDEO_SUFFIXES = {".mp4", ".gif", ".mov", ".avi", ".mkv", ".webm"}


def spans(times: list[float], gap_s: float) -> list[tuple[float, float]]:
    """Consecutive times (no more than ``gap_s`` apart) joined into (first, last) spans."""
    out: list[tuple[float, float]] = []
    for t in times:
        if out and t - out[-1][1] <= gap_s:
            out[-1] = (out[-1][0], t)
        else:
            out.append((t, t))
    return out


def picture_changes(path: Path) -> dict:
    """Cuts, fading frames and the nearest miss of one video."""
    from posecheck.cuts import PictureCuts
    from posecheck.estimator import thumbnail
    from posecheck.sources import open_source

    cuts = PictureCuts()
    fading: list[float] = []
    nearest, nearest_t, n, dt = 0.0, float("nan"), 0, 0.0
    last_t, last_up, last_down, cpu = 0.0, 0.0, 0.0, 0.0
    with open_source(str(path)) as src:
        for frame in src.frames():
            c0 = time.process_time()
            cuts(thumbnail(frame.image), frame.t_s)
            cpu += time.process_time() - c0
            up, down = cuts.fade_shares
            if cuts.fading:
                fading.append(frame.t_s)
            else:  # how near this step and the one before came to a fade
                near = max(min(up, last_up), min(down, last_down))
                if near > nearest:
                    nearest, nearest_t = near, frame.t_s
            if n:
                dt = max(dt, frame.t_s - last_t)
            last_t, last_up, last_down, n = frame.t_s, up, down, n + 1
    return {
        "frames": n,
        "cuts": cuts.cuts,
        "fading": spans(fading, 1.5 * dt if dt else 0.0),
        "fading_frames": len(fading),
        "nearest": (nearest, nearest_t),
        "cpu_s": cpu,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "folders", nargs="*", type=Path, help="folders of videos (default: the real clips)"
    )
    args = ap.parse_args(argv)
    folders = args.folders or [find_media()]
    videos = sorted(p for f in folders for p in f.rglob("*") if p.suffix.lower() in VIDEO_SUFFIXES)
    if not videos:
        print(f"no videos in {', '.join(map(str, folders))}", file=sys.stderr)
        return 2
    print(f"{'video':58s} {'frames':>6s}  cuts (s) | fading (s) | nearest non-fading step")
    worst, cpu, frames = 0.0, 0.0, 0
    for p in videos:
        r = picture_changes(p)
        cpu, frames = cpu + r["cpu_s"], frames + r["frames"]
        share, at = r["nearest"]
        worst = max(worst, share)
        cuts = " ".join(f"{t:.2f}" for t in r["cuts"]) or "-"
        fades = " ".join(f"{a:.2f}-{b:.2f}" for a, b in r["fading"]) or "-"
        name = str(p.relative_to(p.parents[1]))[:58]
        print(f"{name:58s} {r['frames']:6d}  {cuts} | {fades} | {share:.2f} at {at:.2f}")
    print(f"nearest to a fade on a frame not fading: {worst:.2f} of the picture changed one way")
    print(
        f"thumbnail and PictureCuts: {1000 * cpu / max(1, frames):.2f} ms of CPU a frame "
        f"over {frames} frames"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

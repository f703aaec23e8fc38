"""Recognition benchmark: ``--exercise auto`` on every labelled real clip, with a confusion table.

Runs the project's own source + MediaPipe estimator (in pipeline.run, on sampled frames)
on each clip listed in ``labels.json`` of the media folder, stores the sampled
landmarks (with the mask measures) as ``<out>/<dir>__<file>.landmarks.npz`` so a
second run re-scores without the model, recognises the exercise against the
built-in library and prints one line per clip and the confusion table.

    python bench/recognition.py                      # ../shared/media, cache in /tmp
    python bench/recognition.py --refresh            # re-run the model
    python bench/recognition.py --clip cat-camel     # only clips whose path contains this

Exit status 0 when every clip is recognised as labelled (clips labelled with no
exercise must come out as "none"), 1 otherwise. A clip whose best fit is a
position-only exercise (``[recognition] position_only``: the abdominal draw-in) comes
out as "none", with that exercise listed as possible.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from _media import find_media  # noqa: E402

from posecheck import recognize as rz  # noqa: E402
from posecheck.angles import EXTRA_MEASURES  # noqa: E402
from posecheck.landmarks_io import read_landmarks  # noqa: E402
from posecheck.library import Library  # noqa: E402

DEFAULT_MEDIA = find_media()


def cache_path(out: Path, rel: str) -> Path:
    return out / (rel.replace("/", "__") + ".landmarks.npz")


def landmarks_for(clip: Path, rel: str, out: Path, sample_fps: float, refresh: bool) -> Path:
    """The clip's sampled landmarks file, made with the model unless cached.

    It keeps the landmarks and every mask-based measure (the mask itself is not
    stored); landmark measures are recomputed from it when recognising.
    """
    path = cache_path(out, rel)
    names = sorted(EXTRA_MEASURES)
    if path.is_file() and not refresh:
        meta = read_landmarks(path).meta
        if meta.get("sample_fps") == sample_fps and set(names) <= set(meta.get("measures", [])):
            return path
    from posecheck.commands._offline import SampledSource, estimate_to_landmarks
    from posecheck.sources import open_source

    # the model in the one frame loop (pipeline.run) on the sampled frames only
    with open_source(clip) as src:
        estimate_to_landmarks(
            SampledSource(src, sample_fps or None), path, mask_names=names,
            meta={"sample_fps": sample_fps, "measures": names},
        )  # fmt: skip
    return path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--media", type=Path, default=DEFAULT_MEDIA, help="folder with labels.json")
    ap.add_argument("--out", type=Path, default=Path("/tmp/posecheck-bench-recognition"),
                    help="where the sampled landmark files are kept")  # fmt: skip
    ap.add_argument("--sample-fps", type=float, default=rz.SAMPLE_FPS,
                    help="frames per second given to the model (0: every frame)")  # fmt: skip
    ap.add_argument("--refresh", action="store_true", help="re-run the model, ignore the cache")
    ap.add_argument("--clip", default="", help="only clips whose path contains this")
    ap.add_argument("--json", type=Path, help="also write every result as JSON here")
    ap.add_argument("--poses-dir", action="append", default=[], metavar="DIR",
                    help="also load definitions from DIR (after the built-ins)")  # fmt: skip
    args = ap.parse_args(argv)

    labels_file = args.media / "labels.json"
    if not labels_file.is_file():
        print(f"recognition bench: no {labels_file} (set --media)", file=sys.stderr)
        return 2
    labels = json.loads(labels_file.read_text())
    library = list(Library.load(args.poses_dir))
    rows = []
    for rel, lab in labels.items():
        clip = args.media / rel
        if args.clip not in rel or not clip.is_file():
            continue
        t0 = time.perf_counter()
        lm = landmarks_for(clip, rel, args.out, args.sample_fps, args.refresh)
        rec = rz.recognize_landmarks(lm, library)
        truth = lab.get("exercise") or "none"
        got = rec["exercise"] or "none"
        second = next((s for s in rec["scores"] if s["name"] != rec["best"]), None)
        rows.append((rel, truth, got, rec, second, time.perf_counter() - t0))
        mark = "ok  " if got == truth else "MISS"
        maybe = f" possible={'/'.join(rec['possible'])}" if rec.get("possible") else ""
        print(f"{mark} {rel:52} truth={truth:20} got={got:20}{maybe} conf={rec['confidence']:.2f} "
              f"best={rec['best']}({rec['confidence']:.2f}) "
              f"2nd={second['name'] if second else '-'}({second['score'] if second else 0:.2f}) "
              f"postures={rec['postures']}", flush=True)  # fmt: skip

    classes = sorted({r[1] for r in rows} | {r[2] for r in rows}, key=lambda c: (c == "none", c))
    conf = defaultdict(int)
    for _, truth, got, *_ in rows:
        conf[truth, got] += 1
    w = max([len(c) for c in classes] + [10])
    print()
    print("confusion table (rows: labelled, columns: recognised)")
    short = {c: c[:6] for c in classes}
    print(" " * (w + 1) + " ".join(f"{short[c]:>6}" for c in classes))
    for t in classes:
        if not any(r[1] == t for r in rows):
            continue
        print(f"{t:<{w}} " + " ".join(f"{conf[t, g] or '.':>6}" for g in classes))
    right = sum(r[1] == r[2] for r in rows)
    print(f"\n{right}/{len(rows)} clips recognised as labelled "
          f"(threshold {rz.MIN_SCORE}, {args.sample_fps:g} frames/s sampled)")  # fmt: skip
    for rel, truth, _got, rec, *_ in rows:
        if rec.get("possible"):
            print(f"{rel}: none, possible {'/'.join(rec['possible'])} (position only: the "
                  f"camera cannot confirm it; labelled {truth})")  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps(
            [{"clip": r[0], "truth": r[1], "got": r[2], "recognition": r[3]} for r in rows],
            indent=1))  # fmt: skip
    return 0 if right == len(rows) else 1


if __name__ == "__main__":
    sys.exit(main())

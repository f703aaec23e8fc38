"""Recognition benchmark: ``--exercise auto`` on every labelled real clip, with a confusion table.

Runs the project's own source + MediaPipe estimator (in pipeline.run, on every frame, as
``analyze`` and ``score`` do) on each clip listed in ``labels.json`` of the media folder,
stores the landmarks (with the mask measures) as ``<out>/<dir>__<file>.landmarks.npz`` so
a second run re-scores without the model, recognises the exercise against the built-in
library with the function ``-e auto`` uses (``commands._offline.recognition_of``: the
rows sampled at ``SAMPLE_FPS``) and prints one line per clip and the confusion table.
``--sample-fps 10`` gives the model only 10 frames a second, as rounds 1-8 measured
(its tracking then differs from the product's: bench/README.md, round 9).

    python bench/recognition.py                      # ../shared/media, cache in /tmp
    python bench/recognition.py --refresh            # re-run the model
    python bench/recognition.py --clip cat-camel     # only clips whose path contains this
    python bench/recognition.py --renders --out /work/cache/recognition   # + the rendered set

``--renders`` adds the rendered set (``bench/_recognition_renders.py``): every library
exercise and movements outside the library (plank, side plank, crunch, squat, lunge,
superman) from several camera angles, in tuning parts and held-out parts reported
apart (``--split`` picks parts: while tuning, leave the held-out ``held13`` and
``held14`` out; ``--landmarks-only`` makes a part's renders and landmarks without recognising them).

For every group it prints the confusion table, per-exercise recall, the
false-positive rate on clips of no library exercise, whether each library clip is
named right or "none" with it among the candidates, and a reliability table (for
answers given with a confidence in a band, the share that was right), also over all
clips together.

Exit status 0 when every library clip is named right or "none" with it among the
candidates and at most 1 in 20 clips of no library exercise is named, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import sys
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

    # the model in the one frame loop (pipeline.run): on every frame as analyze and score
    # run it (a recording of two parts or more tracked in parts on the same grid:
    # bit for bit what they store), or on the sampled frames only
    with open_source(clip) as src:
        estimate_to_landmarks(
            SampledSource(src, sample_fps) if sample_fps else src, path, mask_names=names,
            meta={"sample_fps": sample_fps, "measures": names},
        )  # fmt: skip
    return path


def _report(group: str, rows: list[dict], threshold: float) -> bool:
    """Print one group's tables; True when it meets the aim (see the module docstring)."""
    print(f"\n=== {group}: {len(rows)} clips ===")
    classes = sorted({r["truth"] for r in rows} | {r["got"] for r in rows},
                     key=lambda c: (c == "none", c))  # fmt: skip
    conf: dict[tuple[str, str], int] = defaultdict(int)
    for r in rows:
        conf[r["truth"], r["got"]] += 1
    w = max([len(c) for c in classes] + [10])
    print("confusion table (rows: labelled, columns: recognised)")
    print(" " * (w + 1) + " ".join(f"{c[:6]:>6}" for c in classes))
    for t in classes:
        if any(r["truth"] == t for r in rows):
            print(f"{t:<{w}} " + " ".join(f"{conf[t, g] or '.':>6}" for g in classes))
    lib = [r for r in rows if r["truth"] != "none"]
    neg = [r for r in rows if r["truth"] == "none"]
    print("\nper-exercise recall (named right / clips; + 'none' with it among the candidates)")
    for t in sorted({r["truth"] for r in lib}):
        mine = [r for r in lib if r["truth"] == t]
        right = sum(r["got"] == t for r in mine)
        cand = sum(r["got"] == "none" and t in r["candidates"] for r in mine)
        print(f"  {t:<28} {right}/{len(mine)}" + (f"  (+{cand} none, candidate)" if cand else ""))
    ok_lib = [r for r in lib if r["got"] == r["truth"] or
              (r["got"] == "none" and r["truth"] in r["candidates"])]  # fmt: skip
    named = sum(r["got"] == r["truth"] for r in lib)
    fp = [r for r in neg if r["got"] != "none"]
    if lib:
        print(f"library clips: {named}/{len(lib)} named right, {len(ok_lib)}/{len(lib)} right "
              f"or none with it among the candidates; wrong name on "
              f"{sum(r['got'] not in ('none', r['truth']) for r in lib)}")  # fmt: skip
        for accepted in (True, False):
            mine = [r for r in lib if r["accepted"] is accepted]
            if mine and any(r["accepted"] is not accepted for r in lib):
                print(f"  filmed {'as' if accepted else 'otherwise than'} the definition's "
                      f"camera view asks: {sum(r['got'] == r['truth'] for r in mine)}/"
                      f"{len(mine)} named right, {sum(r in ok_lib for r in mine)}/{len(mine)} "
                      "right or none with it among the candidates")  # fmt: skip
        nones = [r for r in rows if r["got"] == "none" and r["candidates"]]
        if nones:
            mean = sum(len(r["candidates"]) for r in nones) / len(nones)
            print(f"  candidates named with a none: {mean:.1f} on average ({len(nones)} clips)")
    if neg:
        print(
            f"clips of no library exercise: {len(fp)}/{len(neg)} named as a library exercise "
            f"(false-positive rate {len(fp) / len(neg):.0%})"
            + (": " + ", ".join(f"{r['clip']} -> {r['got']}" for r in fp) if fp else "")
        )
    _reliability(rows, threshold)
    return len(ok_lib) == len(lib) and len(fp) * 20 <= len(neg)


def _reliability(rows: list[dict], threshold: float) -> None:
    """Print the reliability table: for answers given with a confidence in a band, the mean
    confidence and the share that was right (calibrated: the two agree)."""
    print("\nreliability (answers given, by confidence)")
    print("  confidence   answers  right  share right  mean confidence")
    edges = [threshold, 0.7, 0.8, 0.9, 0.99, 1.0001]
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        sel = [r for r in rows if r["got"] != "none" and lo <= r["confidence"] < hi]
        right = sum(r["got"] == r["truth"] for r in sel)
        share = f"{right / len(sel):.0%}" if sel else "-"
        mean = f"{sum(r['confidence'] for r in sel) / len(sel):.0%}" if sel else "-"
        print(f"  {lo:.2f}-{min(hi, 1.0):.2f}  {len(sel):>9}  {right:>5}  {share:>11}  {mean:>15}")
    nones = [r for r in rows if r["got"] == "none"]
    print(f"  none       {len(nones):>9}  {sum(r['truth'] == 'none' for r in nones):>5}"
          "  (right = no library exercise)")  # fmt: skip


def _row(rel: str, truth: str, rec: dict, group: str, accepted: bool | None = None) -> dict:
    """One clip's result (``accepted``: filmed from a view its definition accepts; None
    for a clip of no library exercise), printed as one line."""
    got = rec["exercise"] or "none"
    cands = list(rec.get("candidates") or [])
    row = {"clip": rel, "truth": truth, "got": got, "confidence": rec["confidence"],
           "candidates": cands, "group": group, "recognition": rec,
           "accepted": accepted}  # fmt: skip
    ok = got == truth or (got == "none" and truth in cands)
    runner = rec.get("runner_up") or "-"
    print(f"{'ok  ' if ok else 'MISS'} {rel:56} truth={truth:20} got={got:20} "
          f"conf={rec['confidence']:.2f} runner-up={runner} "
          f"candidates={'/'.join(cands) or '-'} postures={rec['postures']}",
          flush=True)  # fmt: skip
    return row


def _accepts(library: list, name: str | None, view: str | None) -> bool | None:
    """Whether a clip of ``name`` filmed from ``view`` is filmed as its definition's
    camera asks (``any`` accepts every view; an unlabelled view is taken as accepted);
    None for no library exercise."""
    ex = next((e for e in library if e.name == name), None)
    if ex is None:
        return None
    asked = ex.camera.view
    return asked == "any" or view is None or view == asked


def main(argv: list[str] | None = None) -> int:
    from _recognition_renders import SPLITS, cases, render

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--media", type=Path, default=DEFAULT_MEDIA, help="folder with labels.json")
    ap.add_argument("--out", type=Path, default=Path("/tmp/posecheck-bench-recognition"),
                    help="where the sampled landmark files (and renders) are kept")  # fmt: skip
    ap.add_argument("--sample-fps", type=float, default=0.0,
                    help="frames per second given to the model (default 0: every frame, as "
                         "analyze and score run it; rounds 1-8 measured 10, the model on "
                         "10 frames a second)")  # fmt: skip
    ap.add_argument("--refresh", action="store_true", help="re-run the model, ignore the cache")
    ap.add_argument("--clip", default="", help="only clips whose path contains this")
    ap.add_argument("--renders", action="store_true",
                    help="also the rendered set (tuning and held-out parts)")  # fmt: skip
    ap.add_argument("--split", action="append", default=[], metavar="NAME",
                    choices=SPLITS,
                    help=f"only these parts of the rendered set: tune, held1-held{len(SPLITS) - 1} "
                         "(repeat; default: all)")  # fmt: skip
    ap.add_argument("--no-real", action="store_true", help="skip the real clips")
    ap.add_argument("--landmarks-only", action="store_true",
                    help="only render and make the landmarks; recognise nothing (a held-out "
                         "part made before a round changes anything)")  # fmt: skip
    ap.add_argument("--json", type=Path, help="also write every result as JSON here")
    ap.add_argument("--poses-dir", action="append", default=[], metavar="DIR",
                    help="also load definitions from DIR (after the built-ins)")  # fmt: skip
    args = ap.parse_args(argv)

    library = list(Library.load(args.poses_dir))
    groups: dict[str, list[dict]] = defaultdict(list)
    labels_file = args.media / "labels.json"
    if not args.no_real:
        if not labels_file.is_file():
            print(f"recognition bench: no {labels_file} (set --media)", file=sys.stderr)
            return 2
        for rel, lab in json.loads(labels_file.read_text()).items():
            clip = args.media / rel
            if args.clip not in rel or not clip.is_file():
                continue
            lm = landmarks_for(clip, rel, args.out, args.sample_fps, args.refresh)
            if args.landmarks_only:
                continue
            rec = rz.recognize_landmarks(lm, library)  # as -e auto
            truth = lab.get("exercise") or "none"
            view = _accepts(library, truth, lab.get("view"))
            groups["real"].append(_row(rel, truth, rec, "real", view))
    if args.renders:
        for case in cases():
            if args.clip not in case.rel or (args.split and case.split not in args.split):
                continue
            clip = render(case, args.out)
            lm = landmarks_for(clip, case.rel, args.out, args.sample_fps, args.refresh)
            if args.landmarks_only:
                print(f"made {lm}", flush=True)
                continue
            rec = rz.recognize_landmarks(lm, library)  # as -e auto
            group = f"render-{case.split}"
            view = _accepts(library, case.label, case.view)
            groups[group].append(_row(case.rel, case.label or "none", rec, group, view))
    ok = True
    for group, rows in groups.items():
        ok &= _report(group, rows, rz.MIN_SCORE)
    if len(groups) > 1:
        print("\n=== all clips together ===")
        _reliability([r for rows in groups.values() for r in rows], rz.MIN_SCORE)
    print(f"\n(threshold {rz.MIN_SCORE}, {args.sample_fps:g} frames/s sampled)")
    if args.json:
        args.json.write_text(json.dumps([r for rows in groups.values() for r in rows], indent=1))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

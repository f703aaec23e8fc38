"""Holds and reps on real clips: near the labels, and the same at 30, 10 and 5 frames/s.

The model runs once per clip into a landmarks file; the engine then replays every
frame, every third (10 frames/s) and every sixth (5 frames/s), as a busy machine
dropping frames would feed it. Marked ``model``; skipped without ../shared/media.
"""

from __future__ import annotations

import pytest

from posecheck.library import Library

from conftest import media_path

pytestmark = pytest.mark.model

CLIPS = {
    "bridge/glute-bridge-3-reps-side.mp4": "bridge",
    "bridge/bridge-band-pexels-side.mp4": "bridge",
    "pelvic-tilt/pelvic-tilt-side.mp4": "pelvic-tilt",
    "cat-camel/cat-cow-side.mp4": "cat-camel",
    "cat-camel/cat-cow-2cycles-holds-side.mp4": "cat-camel",
}
# Misses measured and explained in bench/README.md ("Hold timing on the labelled real
# clips"), strict: none now. (The two-cycle cat-camel's second cat started at 7.51 s at 10
# frames/s and 7.78 at 30 while the mask's back curvature was not filtered: its jitter
# crossed the stillness limit more often the more frames came. The smoother filters it.)
SLOW_MISSES: dict[tuple[str, int], str] = {}
# Holds dated further apart than one frame interval of the slow feed, measured on the
# model of session 22's machine (within it on earlier machines): (clip, every, hold
# number from 0) -> the bound it keeps. Both are onsets where the body creeps into the
# position at about the stillness limit, so the frames given decide when it is "still":
# - the real pelvic tilt's fourth tilt (2-5 deg of hip angle, 0.8 s held) started 0.36 s
#   later at 5 frames/s than at 30 (the 0.25 s stillness window holds one new sample);
# - the two-cycle cat-camel's first cat started 0.49 s earlier at 10 frames/s than at 30
#   (1.08 against 1.57 s; labelled 0.9): the back's curve creeps 0.06 -> 0.09 until 1.5 s,
#   the labelled-hold miss of tests/test_engine_real.py (HOLD_MISSES).
WIDER: dict[tuple[str, int, int], float] = {
    ("pelvic-tilt/pelvic-tilt-side.mp4", 6, 3): 0.4,
    ("cat-camel/cat-cow-2cycles-holds-side.mp4", 3, 0): 0.55,
}


def _rates():
    for rel in sorted(CLIPS):
        for every in (3, 6):
            why = SLOW_MISSES.get((rel, every))
            marks = [pytest.mark.xfail(strict=True, reason=why)] if why else []
            yield pytest.param(rel, every, marks=marks, id=f"{rel}-{every}")


@pytest.fixture(scope="module")
def poses(tmp_path_factory):
    """Clip -> its landmarks file (the model runs once per clip for the module)."""
    from posecheck.commands._offline import estimate_to_landmarks, mask_measures
    from posecheck.sources import open_source

    cache: dict[str, object] = {}

    def get(rel: str):
        if rel not in cache:
            lm = tmp_path_factory.mktemp("lm") / "clip.landmarks.npz"
            ex = Library.load().get(CLIPS[rel])
            with open_source(str(media_path(rel))) as src:
                estimate_to_landmarks(src, lm, mask_names=mask_measures([ex]))
            cache[rel] = lm
        return cache[rel]

    return get


def replay(lm, exercise: str, every: int = 1, stall: tuple[float, float] | None = None):
    """The engine on every ``every``-th stored pose, smoothed as analyze does; with
    ``stall`` = (a, b), no frame at all between a and b s (a busy machine, live)."""
    from posecheck import pipeline
    from posecheck.engine import Engine
    from posecheck.landmarks_io import LandmarksSource
    from posecheck.smoothing import PoseSmoother

    class Every(LandmarksSource):
        def poses(self):
            for i, p in enumerate(super().poses()):
                if i % every == 0 and not (stall and stall[0] < p[1] < stall[1]):
                    yield p

    engine = Engine(Library.load().get(exercise))
    return pipeline.run(Every(lm), None, engine, [], smoother=PoseSmoother())


def _match(holds, a: float, b: float):
    """The hold overlapping the span a-b most (None when none overlaps)."""
    best = max(holds, key=lambda h: min(h.end_s, b) - max(h.start_s, a), default=None)
    return best if best is not None and min(best.end_s, b) - max(best.start_s, a) > 0 else None


@pytest.mark.parametrize("rel", ["bridge/glute-bridge-3-reps-side.mp4",
                                 "bridge/bridge-band-pexels-side.mp4"])  # fmt: skip
def test_holds_start_and_end_within_0_3_s_of_the_labels(poses, labels, rel):
    s = replay(poses(rel), CLIPS[rel])
    for a, b in labels[rel]["top_holds_s"]:
        h = _match(s.holds, a, b)
        assert h is not None, (a, b, s.holds)
        # (the band clip starts at the top: the model's first 0.5 s on the person are
        # left out of the stillness test, and the hold runs from the first frame)
        assert abs(h.start_s - a) <= 0.3, (h, a)
        assert abs(h.end_s - b) <= 0.3, (h, b)


@pytest.mark.parametrize(("rel", "every"), list(_rates()))
def test_same_reps_and_holds_at_10_and_5_frames_per_second(poses, rel, every):
    full = replay(poses(rel), CLIPS[rel])
    sub = replay(poses(rel), CLIPS[rel], every)
    assert sub.reps_complete == full.reps_complete
    assert [r.complete for r in sub.reps] == [r.complete for r in full.reps]
    assert len(sub.holds) == len(full.holds)
    step = every / 30.0  # the clips are 30 frames/s: one frame interval of the slow feed
    ex = Library.load().get(CLIPS[rel])
    for i, (h, f) in enumerate(zip(sub.holds, full.holds, strict=True)):
        bound = WIDER.get((rel, every, i), step)
        assert abs(h.start_s - f.start_s) <= bound + 1e-6, (h, f)
        assert abs(h.end_s - f.end_s) <= bound + 1e-6, (h, f)
        # reached the same, unless the hold is within that bound of its reach threshold
        # (the two-cycle cat-camel's first cat: 1.79 s at 30 frames/s, 1.81 at 10, of
        # 1.8 needed on session 22's machine)
        slack = max(ex.setting("hold_tolerance") * f.target_s, ex.setting("still_window_s"))
        if abs(f.duration_s - (f.target_s - slack)) > 2 * bound:
            assert h.reached == f.reached, (h, f)


def test_pelvic_tilt_is_told_to_hold_longer_and_is_not_green(poses):
    s = replay(poses("pelvic-tilt/pelvic-tilt-side.mp4"), "pelvic-tilt")
    assert s.reps_complete == 4
    assert s.corrections[0].kind == "hold" and "Hold the tilt for 10 s" in s.corrections[0].text
    assert s.score is not None and s.score < 80


@pytest.mark.parametrize("offset", [0.05, 0.4], ids=["as-it-begins", "while-held"])
def test_a_stall_during_a_hold_leaves_it_as_it_was(poses, offset):
    """Live on a busy machine the model can deliver nothing for half a second or more.
    Frames that never came are no evidence of movement: the stillness is bridged across
    them (``drop_bridge_s``), so a stall of 0.7 s as each hold begins, or while it is
    held, leaves the hold's start (within the stall's own uncertainty) and end where
    they were. (Before, the stall started
    the stillness afresh and the model's settling time was waited out again: the hold
    started after the stall, or ended at it.)"""
    rel = "bridge/glute-bridge-3-reps-side.mp4"
    full = replay(poses(rel), "bridge")
    assert len(full.holds) == 3
    for i, f in enumerate(full.holds):
        stall = (f.start_s + offset, f.start_s + offset + 0.7)
        s = replay(poses(rel), "bridge", stall=stall)
        assert s.reps_complete == full.reps_complete
        assert len(s.holds) == 3, (stall, s.holds)
        h = s.holds[i]
        # a start inside the stall is dated across it (0.10 s early as the first hold
        # begins); the 0.3 s. A stall while held leaves it to the frame
        tol = 0.3 if offset < 0.2 else 1 / 30 + 1e-6
        assert abs(h.start_s - f.start_s) <= tol, (h, f, stall)
        assert abs(h.end_s - f.end_s) <= 1 / 30 + 1e-6, (h, f, stall)

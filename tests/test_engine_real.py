"""The engine on real footage with the real model (marked ``model``; skipped without the clips).

The pipeline runs as ``posecheck analyze`` does: MediaPipe (complexity 1, segmentation when
a definition needs the mask), One-Euro smoothing, the definition's min_visibility.
Ground truth: ../shared/media/labels.json.
"""

from __future__ import annotations

import functools

import pytest

from posecheck.engine import Engine
from posecheck.library import Library
from posecheck.pipeline import SinkBase

from conftest import media_path

pytestmark = pytest.mark.model


@functools.cache  # one model run per clip and exercise for the whole module
def analyze(rel: str, exercise: str):
    """Run the pipeline on a real clip; (summary, phase events (t_s, phase, since_s))."""
    summary, phases, _ = analyze_frames(rel, exercise)
    return summary, phases


def analyze_frames(rel: str, exercise: str):
    """Like :func:`analyze`, plus every frame's (t_s, state, cue text, reps_done)."""
    from posecheck.estimator import EstimatorOptions, MediaPipeEstimator
    from posecheck.pipeline import run
    from posecheck.smoothing import PoseSmoother
    from posecheck.sources import open_source

    path = media_path(rel)
    engine = Engine(Library.load().get(exercise))
    phases: list[tuple[float, str | None, float]] = []
    frames: list[tuple[float, str, str | None, int]] = []

    class PhaseLog(SinkBase):
        def open(self, info, exercise):
            pass

        def write(self, frame, result):
            frames.append((result.t_s, result.state, result.cue.text if result.cue else None,
                           result.reps_done))  # fmt: skip
            for e in result.events:
                if e.kind == "phase":
                    phases.append((e.t_s, e.data["phase"], e.data["since_s"]))

        def close(self, summary):
            pass

    est = MediaPipeEstimator(EstimatorOptions(segmentation=engine.needs_segmentation))
    try:
        with open_source(path) as src:
            summary = run(src, est, engine, [PhaseLog()], smoother=PoseSmoother(),
                          min_visibility=engine.exercise.min_visibility)  # fmt: skip
    finally:
        est.close()
    return summary, phases, frames


def spans(phases, name):
    """(start, end) of each visit to phase ``name``, from the phase events' dated starts."""
    out, start = [], None
    for _, ph, since in phases:
        if ph == name:
            start = since
        elif start is not None:
            out.append((start, since))
            start = None
    return out


def test_bridge_counts_three_reps_with_top_holds_near_the_labels(labels):
    truth = labels["bridge/glute-bridge-3-reps-side.mp4"]
    summary, _ = analyze("bridge/glute-bridge-3-reps-side.mp4", "bridge")
    assert summary.reps_complete == truth["reps"] == 3
    assert not [r for r in summary.reps if not r.complete]
    holds = [h for h in summary.holds if h.phase == "up"]
    assert len(holds) == 3
    for h, (a, b) in zip(holds, truth["top_holds_s"], strict=True):
        assert abs(h.start_s - a) <= 0.5, (h, a)
        assert abs(h.end_s - b) <= 0.5, (h, b)


# Every labelled hold of the clips with labelled holds: (clip, exercise, phase, index).
# The label key: "top_holds_s" (the bridge's "up") or "phases_s" (cat-camel).
HOLD_CLIPS = {
    "bridge/glute-bridge-3-reps-side.mp4": "bridge",
    "bridge/bridge-band-pexels-side.mp4": "bridge",
    "cat-camel/cat-cow-2cycles-holds-side.mp4": "cat-camel",
    "cat-camel/cat-cow-side.mp4": "cat-camel",
}
# Misses measured and explained in bench/README.md ("Hold timing on the labelled real
# clips"); strict: a fix makes them pass and must take them off this list.
HOLD_MISSES = {
    ("cat-camel/cat-cow-2cycles-holds-side.mp4", "cat", 0):
        "starts 0.68 s late: the big movement ends at 0.8 s, the back curvature (0.06 -> "
        "0.09) and the head keep moving to 1.5 s (bench/label_motion.py)",
    ("cat-camel/cat-cow-side.mp4", "camel", 0):
        "not found: the picture changes from the first frame, he leaves the camel by "
        "0.3 s: the label (0.0-0.8) looks wrong",
    ("cat-camel/cat-cow-side.mp4", "camel", 1):
        "starts 0.34 s early: the back has dipped by 5.2 s, the head rises until ~5.6 "
        "(the engine watches the back only)",
}  # fmt: skip


def _labelled_holds(truth: dict) -> dict[str, list[list[float]]]:
    return {"up": truth["top_holds_s"]} if "top_holds_s" in truth else truth["phases_s"]


def _hold_params():
    spans = {"bridge/glute-bridge-3-reps-side.mp4": {"up": 3},
             "bridge/bridge-band-pexels-side.mp4": {"up": 3},
             "cat-camel/cat-cow-2cycles-holds-side.mp4": {"cat": 2, "camel": 2},
             "cat-camel/cat-cow-side.mp4": {"cat": 1, "camel": 2}}  # fmt: skip
    for rel, counts in spans.items():
        for phase, n in counts.items():
            for i in range(n):
                why = HOLD_MISSES.get((rel, phase, i))
                marks = [pytest.mark.xfail(strict=True, reason=why)] if why else []
                name = rel.split("/")[1].removesuffix(".mp4")
                yield pytest.param(rel, phase, i, marks=marks, id=f"{name}-{phase}{i}")


@pytest.mark.parametrize(("rel", "phase", "i"), list(_hold_params()))
def test_each_labelled_hold_starts_and_ends_within_0_3_s(labels, rel, phase, i):
    a, b = _labelled_holds(labels[rel])[phase][i]
    summary, _ = analyze(rel, HOLD_CLIPS[rel])
    found = [h for h in summary.holds if h.phase == phase and h.start_s < b and h.end_s > a]
    assert len(found) == 1, (found, (a, b))
    assert abs(found[0].start_s - a) <= 0.3, (found[0], a)
    assert abs(found[0].end_s - b) <= 0.3, (found[0], b)


@pytest.mark.parametrize("rel", list(HOLD_CLIPS))
def test_no_hold_where_none_is_labelled(labels, rel):
    """Every labelled hold is listed above, and every hold found overlaps a labelled one
    (before: a 0.6 s "camel" at a neutral back as the two-cycle clip fades out)."""
    truth = _labelled_holds(labels[rel])
    assert len([p for p in _hold_params() if p.values[0] == rel]) == sum(map(len, truth.values()))
    summary, _ = analyze(rel, HOLD_CLIPS[rel])
    for h in summary.holds:
        assert any(h.start_s < b and h.end_s > a for a, b in truth[h.phase]), h


def test_pelvic_tilt_counts_four(labels):
    truth = labels["pelvic-tilt/pelvic-tilt-side.mp4"]
    summary, _ = analyze("pelvic-tilt/pelvic-tilt-side.mp4", "pelvic-tilt")
    assert summary.reps_complete == truth["reps"] == 4


def test_cat_camel_finds_the_cat_phase(labels):
    truth = labels["cat-camel/cat-cow-side.mp4"]
    summary, phases = analyze("cat-camel/cat-cow-side.mp4", "cat-camel")
    cat = spans(phases, "cat")
    assert len(cat) == 1
    (a, b), (ta, tb) = cat[0], truth["phases_s"]["cat"][0]
    assert abs(a - ta) <= 0.5 and abs(b - tb) <= 0.5, (cat, truth)
    assert summary.reps_complete == truth["cycles"] == 1


def test_one_knee_hugged_for_the_double_knee_to_chest_is_told_to_bring_the_other_up():
    """knees-to-chest/knee-to-chest-single-and-double.mp4: in the frames she hugs one knee
    at about 10-20 s, the other foot on the table, and both at about 31-38 s. Before,
    the first hug counted as a double one without a word (the far leg is hidden from the
    side; the engine judges it where the model sees it)."""
    rel = "knees-to-chest/knee-to-chest-single-and-double.mp4"
    summary, _, frames = analyze_frames(rel, "knees-to-chest")
    text = "Bring the other knee up too and hug both."
    (told,) = [c for c in summary.corrections if c.id == "both_knees"]
    assert told.text == text and 10.0 <= told.first_s <= 20.0, told
    shown = [f[0] for f in frames if f[2] == text]
    assert shown and all(10.0 <= t <= 21.0 for t in shown), (shown[0], shown[-1])


def test_bird_dog_reach_out_of_the_picture_pauses_with_a_cue():
    """The reaching hand leaves the picture on the right (the back foot on the left):
    MediaPipe guesses them with visibility above 0.5; the engine must say so and pause,
    not count reps on the guessed points (before: 3 reps judged on them)."""
    summary, _, frames = analyze_frames("bird-dog/bird-dog-arm-reach-feet-cropped.mp4", "bird-dog")
    low = [f for f in frames if f[1] == "low_visibility"]
    dt = frames[1][0] - frames[0][0]
    assert len(low) * dt >= 1.0  # measured: 1.0 + 0.3 + 0.4 s in three spans
    # the reaching hand each time (the back knee too for a moment in the second reach)
    assert all(f[2].startswith("Move back so your hands") for f in low)
    assert len({f[3] for f in low}) == 1  # nothing counted while out of view
    assert not [r for r in summary.reps if not r.complete]  # unseen reps are not "incomplete"


def test_person_leaving_the_picture_is_an_explicit_state():
    """other/hollow-hold-partly-out-of-frame.mp4: the person leaves the frame at the end.

    MediaPipe loses the person there (no_person from about 2.05 s), so this held before
    off-frame points were hidden too; it guards that leaving never ends in a count."""
    summary, _, frames = analyze_frames("other/hollow-hold-partly-out-of-frame.mp4", "bridge")
    assert frames[-1][1] in ("no_person", "low_visibility")
    assert summary.reps_complete == 0

"""Movements outside the library (negatives for recognition) and the oblique camera view."""

from __future__ import annotations

import numpy as np
import pytest

from posecheck.cli import main
from posecheck.render.clip import ClipRenderer, RenderOptions
from posecheck.render.motion import OTHER_SCRIPTS, SCRIPTS, any_script

SIZE = (320, 180)


def _frames(name: str, view: str, seed: int = 1):
    """The truth of the first frame and of the middle of the first move's target."""
    script = any_script(name)
    assert script is not None
    r = ClipRenderer(RenderOptions(name, view=view, seed=seed, size=SIZE, fps=8.0), script)
    move = next(s for s in r.timeline.segments if s.kind == "move")
    far = int(move.t1 * r.opts.fps) + 1
    return r, r.render_frame(0), r.render_frame(far)


def test_other_movements_are_not_library_exercises():
    assert not set(OTHER_SCRIPTS) & set(SCRIPTS)
    assert set(OTHER_SCRIPTS) == {"plank", "side-plank", "crunch", "squat", "lunge", "superman",
                                  "quadruped-tilt", "seated-figure-four"}  # fmt: skip


@pytest.mark.parametrize("view", ["side", "front", "oblique"])
@pytest.mark.parametrize("name", sorted(OTHER_SCRIPTS))
def test_other_movements_are_drawn_whole_and_move(name: str, view: str) -> None:
    r, (img0, start), (img1, far) = _frames(name, view)
    for truth in (start, far):
        assert all(p is not None for p in truth["points"]), f"{name}/{view}: left the frame"
    assert img0 is not None and img1 is not None
    # the figure is drawn: the picture differs from the empty room around the body
    assert np.abs(img1.astype(int) - r.scene.background.astype(int)).max() > 60
    # and it moves between the start and the far position
    a, b = np.array(start["points"], float), np.array(far["points"], float)
    assert np.abs(a - b).max() > 5, f"{name}/{view}: no movement"


@pytest.mark.parametrize(
    ("name", "measure", "lo", "hi"),
    [
        ("squat", "hip", 60, 110),  # hips and knees bent at the bottom
        ("squat", "knee", 55, 110),
        ("crunch", "trunk_incline", 20, 50),  # the shoulders off the floor
        ("plank", "hip", 160, 185),  # a straight line
    ],
)
def test_other_movements_reach_their_position(name, measure, lo, hi):
    r, _, (_, far) = _frames(name, "side")
    side = r.near
    key = measure if measure in far["measures"] else f"{side}_{measure}"
    assert lo <= far["measures"][key] <= hi, far["measures"][key]


def test_a_pelvic_tilt_on_all_fours_moves_the_hips_not_the_head():
    # not a cat-camel: the pelvis tucks (the hip angle opens a little), the head stays
    r, (_, start), (_, far) = _frames("quadruped-tilt", "side")
    m0, m1, sd = start["measures"], far["measures"], r.near
    assert 3 <= m1[f"{sd}_hip"] - m0[f"{sd}_hip"] <= 10
    assert abs(m1[f"{sd}_neck"] - m0[f"{sd}_neck"]) < 2


def test_a_seated_figure_four_keeps_one_leg_crossed_and_leans_forward():
    r, (_, start), (_, far) = _frames("seated-figure-four", "side")
    sd = r.near
    other = "right" if sd == "left" else "left"
    for m in (start["measures"], far["measures"]):
        assert m[f"{sd}_knee_elevation"] > 20  # the crossed thigh rises to the other knee
        assert abs(m[f"{other}_knee_elevation"]) < 5  # the other thigh rests on the seat
    # the lean forward folds the other hip too (its thigh stays on the seat)
    assert start["measures"][f"{other}_hip"] - far["measures"][f"{other}_hip"] > 20


def test_oblique_view_is_between_the_side_and_the_front():
    # the shoulders' width in the picture over the trunk length grows from side to front
    def width(view: str) -> float:
        _, (_, t), _ = _frames("bridge", view, seed=4)
        p = {n: np.array(t["points"][i], float) for n, i in
             (("ls", 11), ("rs", 12), ("lh", 23), ("rh", 24))}  # fmt: skip
        trunk = np.linalg.norm((p["ls"] + p["rs"]) / 2 - (p["lh"] + p["rh"]) / 2)
        return float(np.linalg.norm(p["ls"] - p["rs"]) / trunk)

    side, oblique = width("side"), width("oblique")
    assert side < oblique


def test_render_command_draws_a_movement_outside_the_library(tmp_path, capsys):
    out = tmp_path / "squat.mp4"
    rc = main(["render", "squat", "--view", "oblique", "--size", "160x90", "--reps", "1",
               "--fps", "6", "-o", str(out)])  # fmt: skip
    assert rc == 0 and out.is_file()
    assert "wrote" in capsys.readouterr().out

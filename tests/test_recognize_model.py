"""Recognition on short real clips, through the project's own source + MediaPipe estimator."""

from __future__ import annotations

import pytest

from posecheck.library import Library
from posecheck.recognize import recognize_video

from conftest import REPO, media_path


@pytest.mark.model
@pytest.mark.parametrize(
    "rel",
    [
        "childs-pose/childs-pose-short.mp4",  # 0.9 s hold
        "seated-forward-curl/seated-forward-fold.gif",  # 1.8 s looping GIF, half a rep
        "other/forearm-plank.mp4",  # 2.6 s, prone but no library exercise: none
    ],
)
def test_short_clips(rel, labels):
    rec = recognize_video(media_path(rel), Library.load())
    assert rec["exercise"] == labels[rel]["exercise"], rec["scores"][:2]
    if rec["exercise"] is None:
        assert rec["confidence"] < rec["threshold"]
    else:
        assert rec["confidence"] >= rec["threshold"]
        assert rec["best"] == rec["exercise"]


@pytest.mark.model
def test_supine_twist_filmed_from_the_side_during_its_hold():
    # the first 20 s of the oblique clip: title card, then the knees held down to one
    # side; only 3D world landmarks show the knee roll from this angle
    rec = recognize_video(
        media_path("supine-twist/lying-twist-stretch.mp4"), Library.load(), max_seconds=20
    )
    assert rec["exercise"] == "supine-twist", rec["scores"][:2]
    assert rec["confidence"] >= rec["threshold"] and rec["margin"] >= 0.5


@pytest.mark.model
def test_a_bridge_whose_hips_sag_is_a_bridge():
    # the project's own sample: both reps stop at a hip angle near 150 (the top needs
    # 165). Its pelvis passes through a pelvic tilt's few degrees on the way up and goes
    # far beyond them: short reps of a bridge, not a tilt. They lift the hips 20+ deg out
    # of hook lying, which only the bridge does among the hook-lying definitions
    # ([recognition] attempt_confirms_deg): named bridge, with its correction (issue 12)
    from conftest import REPO

    rec = recognize_video(REPO / "sample_videos" / "bridge-hips-sag.mp4", Library.load())
    assert rec["exercise"] == "bridge", rec["scores"][:3]
    assert rec["confidence"] >= rec["threshold"]
    bridge = rec["scores"][0]
    assert bridge["attempts"] >= 2 and not bridge["reps"] and bridge["attempt_moved"] >= 20
    tilt = next(s for s in rec["scores"] if s["name"] == "pelvic-tilt")
    assert tilt["score"] < bridge["score"]


@pytest.mark.model
def test_squats_filmed_from_the_front_are_no_library_exercise(labels):
    # a standing backbend is filmed from the side: frontal frames are not judged for it
    rel = "other/squat-front-pexels.mp4"
    rec = recognize_video(media_path(rel), Library.load())
    assert labels[rel]["exercise"] is None
    assert rec["exercise"] is None, rec["scores"][:2]
    assert rec["confidence"] < rec["threshold"]


@pytest.mark.model
def test_analyze_auto_reports_the_sagging_bridge_with_its_correction(tmp_path, capsys):
    # -e auto on the sagging-bridge sample: recognised as a bridge, and the report says
    # what fell short (the message for short reps that do not name an exercise:
    # test_recognize_evidence.py, test_a_movement_seen_only_short_...)
    from posecheck.cli import main

    from conftest import REPO

    out = tmp_path / "out"
    code = main(["analyze", str(REPO / "sample_videos" / "bridge-hips-sag.mp4"), "-o", str(out),
                 "--no-history", "--no-video"])  # fmt: skip
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "Traceback" not in captured.err
    text = (
        captured.out
        + captured.err
        + "".join(
            p.read_text(errors="replace")
            for p in out.rglob("*")
            if p.suffix in (".json", ".txt", ".md")
        )
    )
    assert "bridge" in text and "Lift your hips higher" in text


@pytest.mark.model
def test_an_obliquely_filmed_childs_pose_keeps_it_among_the_candidates(tmp_path):
    # held7's oblique child's pose (bench/recognition.py, seed 702): read on all fours on
    # every frame, its hip folded as kneeling asks; from that angle the inclines cannot
    # tell it from all fours, so a "none" names it with bird dog and cat-camel
    from posecheck.render.clip import ClipRenderer, RenderOptions
    from posecheck.render.motion import any_script
    from posecheck.render.video import write_clip

    library = Library.load()
    opts = RenderOptions(
        "childs-pose", view="oblique", seed=702, size=(480, 270), fps=15.0, reps=1, hold_s=8.0
    )
    clip = tmp_path / "childs-pose-oblique.mp4"
    write_clip(ClipRenderer(opts, any_script("childs-pose"), library.find("childs-pose")), clip)
    rec = recognize_video(clip, library)
    assert rec["exercise"] is None, rec["scores"][:2]
    assert rec["postures"].get("all_fours", 0.0) >= 0.8
    assert "childs-pose" in rec["candidates"], rec["candidates"]


@pytest.mark.model
@pytest.mark.parametrize(
    ("clip", "named"),
    [
        ("other/hook-lying-breathing.mp4", None),  # resting in hook lying, breathing
        ("pelvic-tilt/pelvic-tilt-side.mp4", None),  # real tilts of 2-5 degrees
        ("sample:pelvic-tilt.mp4", "pelvic-tilt"),  # the project's own: tilts of 7-8 degrees
    ],
)
def test_a_pelvic_tilt_is_named_only_beyond_what_breathing_moves(clip, named):
    """Breathing in hook lying opens the hip angle, as the model reads it at every frame
    (as analyze runs it), as far as a real demonstrator's tilts do: 4.2 against 4.8
    degrees. Such tilts leave the pelvic tilt the first candidate of a "none"
    ([recognition] confirm_change_deg = 6); deeper ones name it. Before, the resting clip
    was named pelvic tilt at 0.94 on analyze's landmarks."""
    from conftest import REPO

    path = REPO / "sample_videos" / clip[7:] if clip.startswith("sample:") else media_path(clip)
    rec = recognize_video(path, Library.load())
    tilt = next(s for s in rec["scores"] if s["name"] == "pelvic-tilt")
    assert rec["exercise"] == named, (rec["candidates"], tilt)
    if named is None:
        if clip.startswith("pelvic-tilt/"):  # real tilts: the tilt the first candidate
            assert rec["candidates"][0] == "pelvic-tilt" and tilt["reps"], (rec, tilt)
            assert tilt["change_reached"] < 6
        else:
            # the resting clip has no tilt: a candidate, its breaths read as tilts of
            # under 6 degrees or (session 22's machine, the draw-in first) as none
            assert "pelvic-tilt" in rec["candidates"], (rec["candidates"], tilt)
            assert not tilt["reps"] or tilt["change_reached"] < 6, tilt
    else:
        assert tilt["change_reached"] >= 6


def _bench_clip(tmp_path, name: str, view: str, seed: int) -> dict:
    """-e auto's record of a clip rendered by bench/recognition.py's own renderer (480x270,
    15 frames/s; a repeated exercise 2 reps with holds of 3 s, a stretch held in one
    position once for 8 s; a library exercise from its definition).

    Rendered in a process of its own: the H.264 bytes of the same frames differ with
    what the process encoded before (bench/README.md, session 14), and a clip near a
    limit can change its answer with them; a fresh process writes the same bytes each
    time."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    code = ("import sys; from pathlib import Path; import _recognition_renders as R; "
            "print(R.render(R.RenderCase(sys.argv[1], None, sys.argv[2], int(sys.argv[3]), "
            "'test'), Path(sys.argv[4])))")  # fmt: skip
    path = os.pathsep.join([str(REPO / "src"), str(REPO / "bench"),
                            os.environ.get("PYTHONPATH", "")])  # fmt: skip
    done = subprocess.run([sys.executable, "-c", code, name, view, str(seed), str(tmp_path)],
                          capture_output=True, text=True, timeout=600,
                          env={**os.environ, "PYTHONPATH": path})  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    clip = Path(done.stdout.strip().splitlines()[-1])
    return recognize_video(clip, Library.load())


def _score(rec: dict, name: str) -> dict:
    return next(s for s in rec["scores"] if s["name"] == name)


def _not_named(rec: dict, wrong: str, right: str) -> None:
    """Not named ``wrong``; a "none" keeps ``right`` among its candidates."""
    assert rec["exercise"] != wrong, rec["scores"][:2]
    if rec["exercise"] is None:
        assert right in rec["candidates"], rec["candidates"]


@pytest.mark.model
def test_a_seated_figure_four_filmed_from_the_side_is_no_reverse_jack_knife(tmp_path):
    # held11's side figure four (bench/recognition.py, seed 1101): crossing one ankle over
    # the other knee lifts the near knee towards the chest with the trunk upright, and it
    # was named seated reverse jack knife at 0.97. The jack knife lifts both knees
    # ([recognition] movement_rules = ["both_knees"]); here the far thigh, which the
    # model guesses, rests on the seat
    rec = _bench_clip(tmp_path, "seated-figure-four", "side", 1101)
    assert rec["exercise"] is None, rec["scores"][:2]
    knife = _score(rec, "seated-reverse-jack-knife")
    assert not knife["reps"], knife


@pytest.mark.model
def test_a_supine_twist_filmed_from_the_side_is_no_pelvic_tilt(tmp_path):
    # held19's side-view twist (bench/recognition.py, seed 1903) was named pelvic tilt at
    # 1.00: from the side the model reads the knees' roll too low to score a twist, and
    # the knees dropping to a side open the hip angle as a tilt does. A tilt keeps the
    # knees' bend (1-8 deg on every tilt, draw-in and resting clip); this twist changes
    # its apparent bend 12 deg (pelvic-tilt.toml: steady_spread_deg)
    rec = _bench_clip(tmp_path, "supine-twist", "side", 1903)
    _not_named(rec, "pelvic-tilt", "supine-twist")
    tilt = _score(rec, "pelvic-tilt")
    assert "knee" in tilt["unsteady"], tilt


@pytest.mark.model
def test_knee_hugs_filmed_obliquely_are_no_knee_rock(tmp_path):
    # held16's oblique knees to chest (bench/recognition.py, seed 1602) was named knee
    # rock at 1.00: filmed obliquely, hook lying between the hugs reads a hip angle of
    # 103-110 deg, inside the rock's "out" (70-110), and the hugs themselves fail the
    # side-view test. A rock's hands keep holding the knees, so its feet stay off the
    # floor (knee-rock.toml: leg_line); between these hugs they rest on it
    rec = _bench_clip(tmp_path, "knees-to-chest", "oblique", 1602)
    _not_named(rec, "knee-rock", "knees-to-chest")
    rock = _score(rec, "knee-rock")
    assert rock["phase_seconds"]["out"] < 3.0, rock  # the rests are no rock's "out"


@pytest.mark.model
def test_an_obliquely_filmed_twist_held_short_keeps_it_among_the_candidates(tmp_path):
    # held18's oblique supine twist (bench/recognition.py, seed 1802): from this angle the
    # model reads the knees rolled 30-40 deg in hook lying, so no repetition starts from
    # "knees up", and its holds (3 s each) fall short of half the 20 s asked: no evidence.
    # Its "none" named four hook-lying definitions whose rests explain more of the clip;
    # the clip went where a twist goes and stayed there (recognize.far_reached)
    rec = _bench_clip(tmp_path, "supine-twist", "oblique", 1802)
    assert rec["exercise"] in (None, "supine-twist"), rec["scores"][:2]
    if rec["exercise"] is None:
        assert "supine-twist" in rec["candidates"], rec["candidates"]
    assert _score(rec, "supine-twist")["phase_seconds"]["twist"] >= 1.0


@pytest.mark.model
@pytest.mark.parametrize("seed", [2301, 1501])
def test_a_reclined_pigeon_filmed_from_the_side_is_no_knee_hug(tmp_path, seed):
    # held23's side reclined pigeon (bench/recognition.py, seed 2301), scored once: named
    # knees to chest at 0.94 (held15's, seed 1501, rendered anew in session 14: 0.96).
    # Drawing the legs in and letting go is one complete knee hug, and the hold reads as
    # moving (the model's crossed ankle jumps). A knee hug draws the legs in side by side;
    # a figure four rests one ankle on the other knee (knees-to-chest.toml:
    # legs_side_by_side, ankle_knee_gap; 0.19 and 0.22 at the median). The pigeon's
    # drawn-in legs, held, keep it among the candidates (recognize.far_reached)
    rec = _bench_clip(tmp_path, "reclined-pigeon", "side", seed)
    _not_named(rec, "knees-to-chest", "reclined-pigeon")
    assert _score(rec, "knees-to-chest")["movement_missed"]["legs_side_by_side"] >= 1.5

"""``analyze --routine`` / ``score --routine``: splitting one recording into its steps.

The split's parts are tested on tables (no model); the whole command on a short
recording joined from two real clips with an empty room between them (the model runs
once per session, ``model``-marked).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from posecheck import segment
from posecheck.cli import main

from conftest import media_path

# --- the best path (no model) ------------------------------------------------------------


def _gain(rows: list[list[float]]) -> np.ndarray:
    return np.asarray(rows, dtype=float) - segment.STEP_COST


@pytest.mark.parametrize(
    ("evidence", "forced", "expected"),
    [
        # two runs in order, a gap between them
        ([[1, 0]] * 4 + [[0, 0]] * 3 + [[0, 1]] * 4, [], [0] * 4 + [-1] * 3 + [1] * 4),
        # the first run is not there: skipped, the second found
        ([[0, 0]] * 3 + [[0, 1]] * 5, [], [-1] * 3 + [1] * 5),
        # out of order: a run is not taken after a later-planned one (the better of the
        # two is kept: the longer)
        ([[0, 1]] * 6 + [[0, 0]] * 3 + [[1, 0]] * 5, [], [1] * 6 + [-1] * 8),
        # a short dip inside a run does not split it (a run is entered once)
        ([[1, 0]] * 4 + [[0.1, 0]] * 2 + [[1, 0]] * 4, [], [0] * 10),
        # nobody in view (forced) ends the run whatever the evidence says
        ([[1, 0]] * 8, [3, 4, 5, 6, 7], [0] * 3 + [-1] * 5),
    ],
)
def test_best_path_follows_the_plan(evidence, forced, expected):
    f = np.zeros(len(evidence), dtype=bool)
    f[forced] = True
    assert segment.best_path(_gain(evidence), f, ordered=True) == expected


@pytest.mark.parametrize(
    ("evidence", "runs", "expected"),
    [
        # the plan's order, the recording's too: the plan's path
        ([[1, 0]] * 6 + [[0, 0]] * 2 + [[0, 1]] * 6, [0, 1], [0] * 6 + [-1] * 2 + [1] * 6),
        # done in the reverse order: both steps found, each as its run
        ([[0, 1]] * 6 + [[0, 0]] * 2 + [[1, 0]] * 6, [0, 1], [1] * 6 + [-1] * 2 + [0] * 6),
        # a plan with an exercise twice (two sides), done as B, A, A: the first A found
        # is its first run
        ([[0, 1]] * 6 + [[0, 0]] * 2 + [[1, 0]] * 6 + [[0, 0]] * 12 + [[1, 0]] * 6, [0, 1, 0],
         [1] * 6 + [-1] * 2 + [0] * 6 + [-1] * 12 + [2] * 6),
        # the step out of order gains too little (weak evidence): the plan decides
        ([[0, 0.6]] * 6 + [[0, 0]] * 2 + [[1, 0]] * 6, [0, 1], [-1] * 8 + [0] * 6),
        # found more often than the plan has runs of it: the plan decides
        ([[1, 0]] * 6 + [[0, 0]] * 2 + [[0, 1]] * 6 + [[0, 0]] * 8 + [[1, 0]] * 6, [0, 1],
         [0] * 6 + [-1] * 2 + [1] * 6 + [-1] * 14),
    ],
)  # fmt: skip
def test_a_routine_done_in_another_order_is_split_as_done(evidence, runs, expected):
    gain = _gain(evidence)
    assert segment.plan_path(gain, np.zeros(len(evidence), bool), runs) == expected


def test_best_path_auto_keeps_a_step_through_a_short_dip_and_splits_on_a_long_one():
    ev = [[1, 0]] * 5 + [[0, 0]] * 2 + [[1, 0]] * 5
    assert segment.best_path(_gain(ev), np.zeros(12, bool), ordered=False) == [0] * 12
    ev = [[1, 0]] * 5 + [[0, 0]] * 8 + [[0, 1]] * 5
    path = segment.best_path(_gain(ev), np.zeros(18, bool), ordered=False)
    assert path == [0] * 5 + [-1] * 8 + [1] * 5


def _features(postures: list[str], present: list[bool] | None = None, fps: float = 10.0):
    n = len(postures)
    return segment.Features(
        t_s=np.arange(n) / fps,
        present=np.asarray(present if present is not None else [True] * n),
        frozen=np.zeros(n, dtype=bool),
        postures=postures,
    )


def test_refine_moves_the_edges_to_the_posture():
    # 2 s standing (walking in), 5 s supine, 1 s nobody, 3 s supine (the next step)
    postures = ["standing"] * 20 + ["supine"] * 50 + ["unknown"] * 10 + ["supine"] * 30
    present = [True] * 70 + [False] * 10 + [True] * 30
    f = _features(postures, present)
    # the cell grid said 1.0-8.0 s
    assert segment.refine(f, "supine", 10, 80, 0, 110) == (20, 70)


def test_refine_cuts_a_posture_run_that_spans_two_steps():
    # lying on the back throughout: twist side 1 (cells 0-5 s), a rest, side 2 (9-14 s)
    f = _features(["supine"] * 150)
    assert segment.refine(f, "supine", 0, 50, 0, 90) == (0, 50)
    assert segment.refine(f, "supine", 90, 140, 50, 150) == (90, 150)


def test_refine_bridges_a_short_glitch_and_keeps_the_coarse_span_without_the_posture():
    postures = ["supine"] * 30 + ["unknown"] * 5 + ["supine"] * 30
    f = _features(postures)
    assert segment.refine(f, "supine", 0, 65, 0, 65) == (0, 65)
    assert segment.refine(f, "kneeling", 5, 40, 0, 65) == (5, 40)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        # a still of 0.6 s (frames 2-8 show frame 2): the whole run, its first frame too
        ([99, 50, 60, 1, 0, 2, 1, 0, 1, 70, 80], [0, 0, 1, 1, 1, 1, 1, 1, 1, 0, 0]),
        # a video storing each frame twice: quiet one frame in two, never still
        ([99, 40, 0, 40, 0, 40, 0, 40, 0, 40, 0], [0] * 11),
        # quiet for 0.3 s only: a slow movement, not a still
        ([99, 40, 1, 1, 1, 40, 40, 40, 40, 40, 40], [0] * 11),
    ],
)
def test_still_frames(change, expected):
    t = np.arange(len(change)) / 10.0
    assert segment.still_frames(t, change).astype(int).tolist() == expected


def test_a_recording_with_nobody_has_no_step():
    t = list(np.arange(60) / 10.0)
    spans = segment.split(t, [None] * 60, [], plan=[])
    assert [s.kind for s in spans] == ["between"]


# --- bad input (no model) ------------------------------------------------------------------


def test_a_held_stretch_step_counts_its_holds_against_the_dose_not_reps():
    """A reclined pigeon step (2 x 20 s, no cycle) held once: "holds reached 1 of 2", never
    "reps 0 of 2"; a bridge step still lists its reps against the dose."""
    from posecheck.sinks.routine_report import _step_html

    seg = {"title": "Step 1 of 2 - Reclined pigeon", "start_s": 0.0, "end_s": 30.0}
    held = {"hold_s": 20, "reps": 2, "counts": "holds"}
    pigeon = {"score": 55, "holds": [{"duration_s": 21.0}], "holds_reached": 1, "reps": [],
              "reps_complete": 0, "dose": held, "corrections": []}  # fmt: skip
    text = _step_html(seg, pigeon)
    assert "holds reached 1 of 2 (target 20 s), longest 21.0 s" in text
    assert "reps" not in text
    bridge = {**pigeon, "dose": {**held, "reps": 3, "counts": "reps"}, "reps_complete": 2,
              "reps": [{}, {}], "holds_due": 2}  # fmt: skip
    text = _step_html({**seg, "title": "Step 2 of 2 - Bridge"}, bridge)
    # one hold due at the top of each of its 2 reps (summary.json's holds_due)
    assert "holds reached 1 of 2 (target 20 s)" in text and "reps 2 of 3" in text


def test_unknown_routine_is_one_line_exit_2(tmp_path, capsys):
    video = tmp_path / "flow.mp4"
    video.write_bytes(b"")
    code = main(["analyze", str(video), "--routine", "low-back-flwo", "-o", str(tmp_path / "o")])
    out, err = capsys.readouterr()
    assert code == 2
    assert err.strip().count("\n") == 0
    assert "unknown routine 'low-back-flwo'" in err and "low-back-flow" in err
    assert not (tmp_path / "o").exists()


def test_routine_and_exercise_together_is_refused(tmp_path, capsys):
    code = main(["analyze", str(tmp_path / "x.mp4"), "--routine", "auto", "-e", "bridge"])
    _, err = capsys.readouterr()
    assert code == 2 and "either -e or --routine" in err


# --- a joined recording through the model (once per session) ------------------------------

PARTS = [("pelvic-tilt/pelvic-tilt-side.mp4", "pelvic-tilt"), (None, 3.0),
         ("cat-camel/cat-cow-side.mp4", "cat-camel")]  # fmt: skip
SIZE, FPS = (480, 270), 15


def _ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-y", "-loglevel", "error", *args], check=True)


def _frames(path: Path) -> int:
    import av

    with av.open(str(path)) as c:
        return sum(1 for _ in c.decode(video=0))


@pytest.fixture(scope="session")
def joined(tmp_path_factory):
    """(folder, video, routine file, truth [(exercise, start_s, end_s)]): two real clips
    with 3 s of an empty room between them, 480x270 at 15 frames/s."""
    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg is not installed")
    d = tmp_path_factory.mktemp("routine")
    w, h = SIZE
    parts, truth, t = [], [], 0.0
    for k, (rel, what) in enumerate(PARTS):
        out = d / f"part{k}.mp4"
        enc = ["-an", "-c:v", "libx264", "-crf", "20", "-pix_fmt", "yuv420p", str(out)]
        if rel is None:
            _ffmpeg("-f", "lavfi", "-i", f"color=c=0x8a8478:s={w}x{h}:r={FPS}", "-t",
                    str(what), *enc)  # fmt: skip
        else:
            vf = (f"scale={w}:{h}:force_original_aspect_ratio=decrease,"
                  f"pad={w}:{h}:(ow-iw)/2:(oh-ih)/2,fps={FPS}")  # fmt: skip
            _ffmpeg("-i", str(media_path(rel)), "-vf", vf, *enc)
        n = _frames(out) / FPS
        if rel is not None:
            truth.append((what, t, t + n))
        parts.append(out)
        t += n
    lst = d / "parts.txt"
    lst.write_text("".join(f"file '{p}'\n" for p in parts))
    video = d / "flow.mp4"
    _ffmpeg("-f", "concat", "-safe", "0", "-i", str(lst), "-c", "copy", str(video))
    routine = d / "two.toml"
    routine.write_text('schema = 1\nname = "two"\ntitle = "Two steps"\n'
                       '[[steps]]\nexercise = "pelvic-tilt"\nreps = 3\n'
                       '[[steps]]\nexercise = "cat-camel"\n')  # fmt: skip
    return d, video, routine, truth


@pytest.fixture(scope="session")
def analysed(joined):
    """``posecheck analyze flow.mp4 --routine two.toml`` run once: (outdir, stdout)."""
    d, video, routine, _ = joined
    out = d / "out"
    import contextlib
    import io

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        code = main(["analyze", str(video), "--routine", str(routine), "-o", str(out),
                     "--workers", "1", "-q"])  # fmt: skip
    assert code == 0
    return out, buf.getvalue()


@pytest.mark.model
def test_analyze_routine_finds_each_step_within_a_second(joined, analysed):
    _, _, _, truth = joined
    out, stdout = analysed
    data = json.loads((out / "summary.json").read_text())
    assert data["exercise"] == "routine:two"
    assert data["routine"]["mode"] == "named" and data["routine"]["runs_done"] == 2
    assert data["routine"]["runs_missing"] == [] and "not found" not in stdout
    steps = [s for s in data["segments"] if s["kind"] == "step"]
    assert [s["exercise"] for s in steps] == [ex for ex, _, _ in truth]
    for s, (_, t0, t1) in zip(steps, truth, strict=True):
        assert abs(s["start_s"] - t0) <= 1.0 and abs(s["end_s"] - t1) <= 1.0
    # the gap is marked, the segments tile the recording in order
    kinds = [s["kind"] for s in data["segments"]]
    assert "between" in kinds
    ends = [(s["start_s"], s["end_s"]) for s in data["segments"]]
    assert all(a[1] == pytest.approx(b[0]) for a, b in zip(ends, ends[1:], strict=False))
    assert steps[0]["title"] == "Pelvic tilt" and steps[0]["run"] == 1
    assert steps[0]["summary"]["dose"]["reps"] == 3  # the routine's dose
    assert "Two steps (two): 2 steps found" in stdout and "Pelvic tilt:" in stdout


@pytest.mark.model
def test_each_step_equals_its_span_judged_alone(joined, analysed):
    from posecheck.commands._routine import judge_span, resolve_routine
    from posecheck.landmarks_io import read_landmarks
    from posecheck.library import Library

    _, _, routine, _ = joined
    out, _ = analysed
    lm = out / "flow.landmarks.npz"
    data = json.loads((out / "summary.json").read_text())
    t = read_landmarks(lm).t_s
    _, plan = resolve_routine(str(routine), Library.load(), [])
    for seg in (s for s in data["segments"] if s["kind"] == "step"):
        # (times in summary.json are rounded to the millisecond)
        rows = np.flatnonzero((t >= seg["start_s"] - 1e-3) & (t < seg["end_s"] - 1e-3))
        alone = judge_span(lm, int(rows[0]), int(rows[-1]) + 1, plan[seg["run"] - 1][1])
        got = seg["summary"]
        assert got["reps_complete"] == alone.reps_complete
        assert len(got["holds"]) == len(alone.holds)
        assert got["score"] == alone.score


@pytest.mark.model
def test_routine_outputs_schema_csv_report(analysed):
    jsonschema = pytest.importorskip("jsonschema")
    out, _ = analysed
    data = json.loads((out / "summary.json").read_text())
    schema = json.loads(
        resources.files("posecheck").joinpath("data/summary.schema.json").read_text("utf-8")
    )
    jsonschema.validate(data, schema)
    import csv

    with open(out / "frames.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["step"] for r in rows} == {"Pelvic tilt", "Cat-camel", ""}
    page = (out / "report.html").read_text()
    assert "Timeline" in page and "Pelvic tilt" in page and "Cat-camel" in page
    assert (out / "annotated.mp4").stat().st_size > 0


@pytest.mark.model
def test_auto_and_score_routine_on_the_landmarks(joined, analysed, capsys, tmp_path):
    from posecheck.commands._routine import judge_landmarks
    from posecheck.library import Library

    _, _, _, truth = joined
    out, _ = analysed
    lm = out / "flow.landmarks.npz"
    res = judge_landmarks(lm, Library.load(), [])
    assert [st.exercise.name for st in res.steps] == [ex for ex, _, _ in truth]
    table = tmp_path / "rows.json"
    # (--no-history: re-scoring the session would record its steps as routine "auto",
    # over the rows analyze recorded, which the history test below reads)
    code = main(["score", str(lm), "--routine", "auto", "-j", "1", "--json", str(table),
                 "--no-history"])  # fmt: skip
    capsys.readouterr()
    rows = json.loads(table.read_text())
    assert code == 0
    assert [r["exercise"] for r in rows] == ["routine:auto", "pelvic-tilt", "cat-camel"]
    assert [r.get("segment") for r in rows] == [None, 1, 2]


@pytest.mark.model
def test_no_step_found_is_one_line_and_leaves_nothing(tmp_path, capsys):
    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg is not installed")
    video = tmp_path / "room.mp4"
    _ffmpeg("-f", "lavfi", "-i", "color=c=0x8a8478:s=160x96:r=10", "-t", "2", "-an",
            "-c:v", "libx264", "-pix_fmt", "yuv420p", str(video))  # fmt: skip
    out = tmp_path / "o"
    code = main(["analyze", str(video), "--routine", "low-back-flow", "-o", str(out), "-q",
                 "--workers", "1"])  # fmt: skip
    _, err = capsys.readouterr()
    assert code == 2
    assert "no step of low-back-flow was found" in err and err.strip().count("\n") == 0
    assert not out.exists()


@pytest.mark.model
def test_each_step_is_recorded_in_the_history_as_its_exercise(analysed):
    import os

    from posecheck.history.store import HistoryStore

    out, stdout = analysed
    with HistoryStore(Path(os.environ["POSECHECK_DB"]), create=False) as st:
        rows = [r for r in st.sessions() if (r.detail.get("routine") or {}).get("name") == "two"]
    assert sorted(r.exercise for r in rows) == ["cat-camel", "pelvic-tilt"]
    assert all(r.outdir and r.outdir.startswith(str(out.resolve())) for r in rows)


@pytest.mark.model
def test_score_of_a_saved_routine_session_splits_it_as_analyze_did(analysed, tmp_path):
    out, _ = analysed
    data = json.loads((out / "summary.json").read_text())
    scores = tmp_path / "scores.json"
    assert main(["score", str(out), "--json", str(scores), "--no-history"]) == 0
    row, *steps = json.loads(scores.read_text())  # the recording's row, then its steps
    assert row["exercise"] == "routine:two" and row["error"] is None
    want = [(s["exercise"], s["start_s"], s["end_s"], s["summary"]["reps_complete"])
            for s in data["segments"] if s["kind"] == "step"]  # fmt: skip
    got = [(s["exercise"], s["start_s"], s["end_s"], s["reps"]) for s in steps]
    assert [(e, round(a, 1), round(b, 1), r) for e, a, b, r in got] == [
        (e, round(a, 1), round(b, 1), r) for e, a, b, r in want
    ]


@pytest.mark.model
def test_score_routine_records_each_step_as_analyze_does(joined, analysed, tmp_path, capsys):
    """``score --routine`` records the steps (as single sessions are recorded by score):
    one row per step, of its exercise, with the routine in its detail; scoring the
    saved session again updates those rows instead of adding more."""
    from posecheck.history.store import HistoryStore

    _, _, routine, truth = joined
    out, _ = analysed
    db, table = tmp_path / "h.sqlite", tmp_path / "rows.json"
    args = ["score", str(out / "flow.landmarks.npz"), "--routine", str(routine), "-j", "1",
            "-q", "--db", str(db), "--json", str(table)]  # fmt: skip
    assert main(args) == 0, capsys.readouterr().err
    first = json.loads(table.read_text())[0]["history"]
    with HistoryStore(db, create=False) as st:
        rows = st.sessions()
    assert sorted(r.id for r in rows) == sorted(first) and len(first) == len(truth)
    assert sorted(r.exercise for r in rows) == sorted(ex for ex, _, _ in truth)
    assert {r.command for r in rows} == {"score"}
    assert {r.detail["routine"]["name"] for r in rows} == {"two"}
    assert all(r.outdir and r.outdir.startswith(str(out.resolve())) for r in rows)
    assert main(args) == 0
    assert json.loads(table.read_text())[0]["history"] == first
    with HistoryStore(db, create=False) as st:
        assert len(st.sessions()) == len(truth)  # updated, not added


def test_the_planned_steps_not_found_are_named(tmp_path):
    # a recording done in another order than the routine's: "1 of 7 planned steps found",
    # and the six others were never named
    from posecheck.commands._routine import screen_lines
    from posecheck.library import Library
    from posecheck.routine import find_routine
    from posecheck.sinks.routine_report import found_text

    routine = find_routine("low-back-flow", Library.load())
    seg = {"kind": "step", "start_s": 0.0, "end_s": 33.6, "title": "Bridge", "run": 5,
           "exercise": "bridge", "summary": {"score": 100.0}}  # fmt: skip
    missing = ["Knees to chest (double)", "Supine twist, side 1"]
    lines = screen_lines(routine, [seg], missing)
    assert lines[-1].startswith("  not found: Knees to chest (double); Supine twist, side 1 (")
    assert screen_lines(routine, [seg], [])[-1].startswith("  0:00.0-0:33.6  Bridge")
    text = found_text({"runs_done": 1, "runs_planned": 7, "runs_missing": missing})
    assert text == (
        "1 of 7 planned steps found (not found: Knees to chest (double); Supine twist, side 1)"
    )
    # steps found in another order than planned (the tilt is run 4, the bridge run 5)
    tilt = {**seg, "start_s": 33.6, "end_s": 50.0, "title": "Pelvic tilt", "run": 4,
            "exercise": "pelvic-tilt"}  # fmt: skip
    assert screen_lines(routine, [seg, tilt], [])[0] == (
        "Low-back flow (low-back-flow): 2 steps found in another order than planned "
        "(each judged with its planned dose)"
    )
    assert "another order" not in screen_lines(routine, [tilt, seg], [])[0]
    assert found_text({"runs_done": 2, "runs_planned": 7, "in_plan_order": False}) == (
        "2 of 7 planned steps found, in another order than planned"
    )

"""Issue 14: never lose or overwrite a file, and refuse what would break a run.

One test (or a small table) per item of the issue, each a reproduction found by
trying to break posecheck. No model: a fake estimator or landmark replay drives
the real pipeline and sinks. The full-disk test mounts a 2 MB tmpfs (root only;
skipped with the reason otherwise) and also runs against a fake writer.
"""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import signal
import subprocess
from pathlib import Path

import pytest

from posecheck import safeio
from posecheck.cli import main
from test_analyze import FakeEstimator, bridge_landmarks, write_video


def run_cli(capsys, *argv: object) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def error_lines(err: str) -> list[str]:
    return [ln for ln in err.splitlines() if ln.startswith("posecheck: error:")]


def listing(d: Path) -> list[str]:
    return sorted(p.name for p in d.iterdir())


@pytest.fixture
def fake_estimator(monkeypatch):
    import posecheck.estimator as est

    FakeEstimator.stop_at = None
    FakeEstimator.pose_from = 0
    FakeEstimator.front = False
    monkeypatch.setattr(est, "MediaPipeEstimator", FakeEstimator)
    return FakeEstimator


# --- 1. a hard-linked input ------------------------------------------------------------


def test_1_hard_linked_input_is_refused_even_with_force(tmp_path, capsys, fake_estimator):
    clip = write_video(tmp_path / "clip.mp4", n=10)
    before = clip.read_bytes()
    out = tmp_path / "out"
    out.mkdir()
    os.link(clip, out / "annotated.mp4")
    code, _, err = run_cli(capsys, "analyze", clip, "-e", "bridge", "-o", out, "--force", "-q")
    assert code == 2
    assert error_lines(err) == [
        f"posecheck: error: {out / 'annotated.mp4'}: the output would overwrite the input "
        "(choose another folder with -o)"
    ]
    assert clip.read_bytes() == before and listing(out) == ["annotated.mp4"]


def test_1_score_refuses_a_hard_link_of_an_input_as_its_csv(tmp_path, capsys):
    lm = bridge_landmarks(tmp_path / "a.landmarks.npz", reps=1, seconds=4.0)
    before = lm.read_bytes()
    os.link(lm, tmp_path / "table.csv")
    code, _, err = run_cli(capsys, "score", lm, "-e", "bridge", "--csv", tmp_path / "table.csv")
    assert code == 2 and "the output would overwrite an input" in err
    assert lm.read_bytes() == before


def test_1_score_replaces_its_own_tables_only(tmp_path, capsys):
    # 'score --json clip.mp4' turned a video into JSON, '--csv out/summary.json' the
    # summary score reads; an earlier table of its own is written again
    lm = bridge_landmarks(tmp_path / "a.landmarks.npz", reps=1, seconds=4.0)
    video = tmp_path / "clip.mp4"
    video.write_bytes(b"\x00\x00\x00\x18ftypmp42 not a table")
    for flag in ("--csv", "--json"):
        code, _, err = run_cli(capsys, "score", lm, "-e", "bridge", "--no-history", flag, video)
        assert code == 2 and error_lines(err) == [
            f"posecheck: error: {video}: already exists and is not a table 'score' wrote "
            "(add --force to replace it, or choose another name)"]  # fmt: skip
        assert video.read_bytes().startswith(b"\x00\x00\x00\x18ftyp")
    table, rows = tmp_path / "t.csv", tmp_path / "t.json"
    for _ in range(2):  # the second run writes over the first's tables
        code, _, _ = run_cli(capsys, "score", lm, "-e", "bridge", "--no-history", "--csv", table,
                             "--json", rows)  # fmt: skip
        assert code == 0
    assert table.read_text().startswith("file,exercise,exercise_from,")
    code, _, _ = run_cli(capsys, "score", lm, "-e", "bridge", "--no-history", "--csv", rows)
    assert code == 2  # the JSON table is no CSV table
    code, _, _ = run_cli(capsys, "score", lm, "-e", "bridge", "--no-history", "--force",
                         "--csv", rows)  # fmt: skip
    assert code == 0 and rows.read_text().startswith("file,exercise,")


# --- 2. links left in the output folder --------------------------------------------------


def test_2_writes_never_follow_a_link_out_of_the_folder(tmp_path, capsys, fake_estimator):
    clip = write_video(tmp_path / "clip.mp4", n=10)
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    out = tmp_path / "out"
    out.mkdir()
    # the fixed temporary name of old versions, and a final name (with --force)
    (out / "summary.json.tmp").symlink_to("../victim.txt")
    code, _, _ = run_cli(capsys, "analyze", clip, "-e", "bridge", "-o", out, "-q")
    assert code == 0 and victim.read_text() == "keep me"
    for name in ("report.html", "frames.csv", "annotated.mp4", "summary.json"):
        (out / name).unlink()
        (out / name).symlink_to("../victim.txt")
    code, _, _ = run_cli(capsys, "analyze", clip, "-e", "bridge", "-o", out, "-q", "--force")
    assert code == 0 and victim.read_text() == "keep me"
    for name in ("report.html", "frames.csv", "annotated.mp4", "summary.json"):
        assert not (out / name).is_symlink() and (out / name).stat().st_size > 0
    # no temporary file is left behind
    assert not [n for n in listing(out) if n.startswith(".")]


def test_2_temporary_names_are_unique_and_exclusive(tmp_path):
    target = tmp_path / "x.json"
    a, b = safeio.temp_path(target), safeio.temp_path(target)
    assert a != b and a.parent == tmp_path and a.name.startswith(".x.json.")
    assert a.stat().st_mode & 0o077 == 0  # private until committed
    safeio.write_text(target, "1")
    assert target.read_text() == "1"


# --- 3. SIGTERM / SIGHUP ---------------------------------------------------------------


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGTERM, 143), (signal.SIGHUP, 129)])
def test_3_sigterm_and_sighup_complete_the_outputs_like_ctrl_c(
    tmp_path, capsys, monkeypatch, sig, code
):
    import posecheck.estimator as est

    class KilledAt12(FakeEstimator):
        def estimate(self, frame):
            if frame.index == 12:
                os.kill(os.getpid(), sig)  # delivered to this (the main) thread
            return super().estimate(frame)

    if signal.getsignal(sig) is signal.SIG_IGN:
        pytest.skip(f"{sig.name} is ignored here (run under nohup): posecheck leaves it ignored")
    monkeypatch.setattr(est, "MediaPipeEstimator", KilledAt12)
    clip = write_video(tmp_path / "clip.mp4", n=40)
    out = tmp_path / "out"
    got, _, err = run_cli(capsys, "analyze", clip, "-e", "bridge", "-o", out, "-q")
    assert got == code
    assert f"posecheck: interrupted ({sig.name}): partial results for 12 frames" in err
    data = json.loads((out / "summary.json").read_text())
    assert data["partial"] is True and data["frames"] == 12
    assert len((out / "frames.csv").read_text().splitlines()) == 13  # header + 12 rows
    assert (out / "clip.landmarks.npz").is_file() and (out / "annotated.mp4").stat().st_size > 1000
    assert signal.getsignal(sig) is signal.SIG_DFL  # handlers restored after the command


def test_3_live_session_is_saved_on_sigterm(tmp_path, capsys, monkeypatch):
    import posecheck.estimator as est

    class KilledAt20(FakeEstimator):
        def estimate(self, frame):
            if frame.index == 20:
                os.kill(os.getpid(), signal.SIGTERM)
            return super().estimate(frame)

    monkeypatch.setattr(est, "MediaPipeEstimator", KilledAt20)
    clip = write_video(tmp_path / "clip.mp4", n=60)
    out = tmp_path / "live"
    got, _, err = run_cli(capsys, "live", "bridge", "--camera", clip, "--no-window", "--mute",
                          "-o", out, "--countdown", "0")  # fmt: skip
    assert got == 143
    assert f"the session so far is saved in {out}/" in err
    data = json.loads((out / "summary.json").read_text())
    assert data["partial"] is True and data["frames"] >= 1


# --- 4. a full disk ----------------------------------------------------------------------


@pytest.fixture
def tiny_disk(tmp_path):
    """A 2 MB tmpfs (root only), nearly filled; skipped where it cannot be mounted."""
    d = tmp_path / "disk"
    d.mkdir()
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("mounting a tmpfs needs root")
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(d)],
                       capture_output=True, text=True)  # fmt: skip
    if r.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {r.stderr.strip()}")
    try:
        yield d
    finally:
        subprocess.run(["umount", str(d)], check=False)


def _fill(d: Path, leave: int) -> None:
    free = shutil.disk_usage(d).free
    (d / "filler").write_bytes(b"\0" * max(0, free - leave))


def test_4_full_disk_one_line_and_nothing_half_written(tiny_disk, tmp_path, capsys,
                                                      fake_estimator):  # fmt: skip
    clip = write_video(tmp_path / "clip.mp4", n=60, size=(320, 240))
    out = tiny_disk / "out"
    out.mkdir()
    _fill(tiny_disk, leave=24_000)  # room for the landmarks and a little more
    code, _, err = run_cli(capsys, "analyze", clip, "-e", "bridge", "-o", out, "-q")
    assert code == 2
    lines = error_lines(err)
    assert len(lines) == 1 and "Traceback" not in err
    assert lines[0].startswith(f"posecheck: error: no space left on {out}: ")
    assert re.fullmatch(
        r".*: annotated\.mp4 needed more than [\d.]+ (kB|MB) \([\d.]+ (kB|MB) free\) "
        r"\(free some space or choose another folder with -o\)",
        lines[0],
    ), lines[0]
    # whatever is under a final name is complete; no temporary file stays behind
    left = listing(out)
    assert not [n for n in left if n.startswith(".")]
    if "summary.json" in left:
        assert json.loads((out / "summary.json").read_text())["partial"] is True
    if "frames.csv" in left:
        assert (out / "frames.csv").read_text().endswith("\n")
    assert "annotated.mp4" not in left


def test_4_write_error_of_a_fake_writer_leaves_the_old_file(tmp_path, monkeypatch):
    """Where no tmpfs can be mounted: a writer that fails like a full disk."""
    target = tmp_path / "summary.json"
    target.write_text("old")

    class FullDisk:
        def __init__(self, fh):
            self.fh = fh

        def write(self, data):
            self.fh.write(data[:3])
            raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(safeio.OutputWriteError) as ei, safeio.atomic_open(target) as fh:
        FullDisk(fh).write("new content")
    assert str(ei.value).startswith(f"no space left on {tmp_path}: summary.json needed more than")
    assert target.read_text() == "old" and listing(tmp_path) == ["summary.json"]


# --- 6. sizes and nesting of definition files -------------------------------------------

GOOD = (Path(__file__).parent / "fixtures" / "good_minimal.toml").read_text()


def _rules(n: int) -> str:
    return "".join(
        f'\n[[rules]]\nid = "r{i}"\nmeasure = "knee"\nmin_deg = 10\ncue = "Bend."\n'
        for i in range(n)
    )


def test_6_many_rules_validate_in_linear_time():
    import gc
    import time

    from posecheck.library import parse_definition, tomllib

    took = {}
    for n in (1000, 4000):
        data = tomllib.loads(GOOD + _rules(n))
        runs = []
        for _ in range(3):  # the fastest of three, without the collector: load-proof
            gc.disable()
            try:
                t0 = time.process_time()
                parse_definition(data, "big.toml")
                runs.append(time.process_time() - t0)
            finally:
                gc.enable()
        took[n] = min(runs)
    # 4x the rules: linear is ~4x; the old duplicate-id check (list.count) was ~16x
    assert took[4000] < 9 * max(took[1000], 0.005), took


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("schema = 1\nx = " + "[" * 5000 + "]" * 5000 + "\n",
         "nested too deeply to be an exercise definition (check the file)"),
        (GOOD + _rules(20000),
         "larger than 1000 kB: not an exercise definition (a definition or a routine is a page "
         "of TOML)"),
    ],
    ids=["5000-deep", "20000-rules"],
)  # fmt: skip
def test_6_deep_or_huge_files_are_one_line_errors(tmp_path, capsys, text, message):
    f = tmp_path / "huge.toml"
    f.write_text(text)
    code, _, err = run_cli(capsys, "validate", f)
    assert code == 1 and "Traceback" not in err
    assert err.splitlines()[0] == f"{f}: {message}"  # with what to do, on the one line
    # also from another command, when the file sits in --poses-dir: skipped, not fatal
    code, out, err = run_cli(capsys, "show", "bridge", "--poses-dir", tmp_path)
    assert code == 0 and "Bridge" in out and "Traceback" not in err


# --- 7 and 8. ranges, cross-field rules, every problem of a file -------------------------


def _defn(text: str) -> list[str]:
    """Every problem reported for the definition ``text`` (none: [])."""
    from posecheck.errors import DefinitionError
    from posecheck.library import parse_definition, tomllib

    try:
        parse_definition(tomllib.loads(text), "x.toml")
    except DefinitionError as exc:
        return exc.problems
    return []


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        ("min_deg = 90 ", "min_deg = nan ",
         "x.toml: phases[0].targets[0].min_deg: must be a finite number from -360 to 360, "
         "got nan"),
        ("max_deg = 150", "max_deg = inf",
         "x.toml: phases[0].targets[0].max_deg: must be a finite number from -360 to 360, "
         "got inf"),
        ("hold_s = 2 ", "hold_s = nan ",
         "x.toml: phases[1].hold_s: must be a finite number from 0.1 to 3600, got nan"),
        ('posture = "supine"', 'posture = "supine"\nmin_visibility = 5',
         "x.toml: min_visibility: must be from 0 to 1, got 5"),
        ('posture = "supine"', 'posture = "supine"\nmin_visibility = nan',
         "x.toml: min_visibility: must be a finite number from 0 to 1, got nan"),
        ("reps = 10 ", "reps = 10\nreps_max = 8\nhold_s = 20\nhold_max_s = 10\n#",
         "x.toml: dose.hold_max_s: must be >= hold_s (20), got 10"),
        ("reps = 10 ", "reps = 10\nreps_max = 8\n#",
         "x.toml: dose.reps_max: must be >= reps (10), got 8"),
        ('cycle = ["down", "up", "down"]', 'cycle = ["down", "down", "down"]',
         "x.toml: cycle[1]: the cycle stays in 'down': each entry must change phase, "
         'e.g. ["down", "up", "down"]'),
        ('cue = "Knees at a right angle."', 'cue = "  "',
         "x.toml: phases[1].rules[0].cue: must not be empty"),
        ("min_deg = 80 ", "min_deg = 400 ",
         "x.toml: phases[1].rules[0].min_deg: must be from -360 to 360, got 400"),
        ("reps = 10 ", "reps = 0 ", "x.toml: dose.reps: must be from 1 to 1000, got 0"),
        ('view = "side" ', 'view = "side"\ndistance_m = -1\n#',
         "x.toml: camera.distance_m: must be from 0.3 to 20, got -1"),
    ],
)  # fmt: skip
def test_7_ranges_and_cross_field_rules_name_the_valid_range(old, new, problem):
    assert old in GOOD
    problems = _defn(GOOD.replace(old, new, 1))
    assert problem in problems, problems


def test_7_the_good_fixture_and_every_pose_file_still_validate(capsys):
    assert _defn(GOOD) == []
    poses = sorted((Path(__file__).parents[1] / "poses").glob("*.toml"))
    code, _, err = run_cli(capsys, "validate", "-q", *poses)
    assert code == 0 and err == ""


def test_7_nan_visibility_no_longer_scores_zero_reps_silently(tmp_path, capsys):
    d = tmp_path / "poses"
    d.mkdir()
    (d / "bridge.toml").write_text(
        (Path(__file__).parents[1] / "poses" / "bridge.toml")
        .read_text()
        .replace("min_visibility = 0.5", "min_visibility = nan")
    )
    code, _, err = run_cli(capsys, "validate", d / "bridge.toml")
    assert code == 1
    assert (
        f"{d / 'bridge.toml'}: min_visibility: must be a finite number from 0 to 1, got nan" in err
    )


def test_8_validate_reports_every_problem_of_a_file(tmp_path, capsys):
    f = tmp_path / "two.toml"
    # a typo'd key and a missing key (and a bad number in another section)
    f.write_text(
        GOOD.replace('title = "Mini lift"', 'titel = "Mini lift"').replace(
            "reps = 10 ", "reps = -2 "
        )
    )
    code, _, err = run_cli(capsys, "validate", f)
    assert code == 1
    assert err.splitlines() == [
        f"{f}: title: missing required key",
        f"{f}: dose.reps: must be from 1 to 1000, got -2",
        f"{f}: titel: unknown key (did you mean title?)",
        "1 of 1 files have errors",
    ]


# --- 9. one broken file does not block the others ------------------------------------------


def test_9_a_broken_file_is_skipped_with_one_warning(tmp_path, capsys, caplog):
    d = tmp_path / "poses"
    d.mkdir()
    (d / "mini-lift.toml").write_text(GOOD)
    (d / "broken-lift.toml").write_text(GOOD.replace('name = "mini-lift"', 'name = "broken-lift"')
                                        .replace("reps = 10 ", "reps = nan "))  # fmt: skip
    with caplog.at_level("WARNING", logger="posecheck"):
        code, out, _ = run_cli(capsys, "show", "mini-lift", "--poses-dir", d)
        assert code == 0 and "Mini lift" in out
        code, out, err = run_cli(capsys, "show", "broken-lift", "--poses-dir", d)
    assert code == 2
    assert error_lines(err) == [
        "posecheck: error: unknown exercise 'broken-lift' (its file is broken: "
        f"'posecheck validate {d / 'broken-lift.toml'}' says why)"
    ]
    warned = [r.getMessage() for r in caplog.records if "broken-lift.toml" in r.getMessage()]
    assert warned == [
        f"{d / 'broken-lift.toml'}: dose.reps: expected an integer, got a number (file "
        f"skipped: 'posecheck validate {d / 'broken-lift.toml'}' lists them)"
    ]


# --- 5. sizes checked against the file's own metadata ------------------------------------


def _resized_landmarks(tmp_path: Path, rows: int, meta_frames: int) -> Path:
    """A real landmarks file whose arrays are replaced by ``rows`` zero rows (compresses to
    almost nothing), with ``meta_frames`` in its metadata."""
    import numpy as np

    small = bridge_landmarks(tmp_path / "small.landmarks.npz", reps=1, seconds=1.0)
    with np.load(small) as z:
        arrays = {k: z[k] for k in z.files}
    n = arrays["t_s"].shape[0]
    for k, v in list(arrays.items()):
        if v.ndim and v.shape[0] == n:
            arrays[k] = np.zeros((rows, *v.shape[1:]), v.dtype)
    meta = json.loads(str(arrays["meta"]))
    meta["frames"] = meta_frames
    arrays["meta"] = np.array(json.dumps(meta))
    out = tmp_path / f"r{rows}.landmarks.npz"
    np.savez_compressed(out, **arrays)
    return out


def test_5_a_landmarks_file_larger_than_any_recording_is_refused_before_loading(
    tmp_path, monkeypatch
):
    import tracemalloc

    from posecheck import landmarks_io
    from posecheck.errors import InputError

    # The limit lowered to 2000 rows so that the file builds fast; checking the headers
    # costs the same at any size (a 2-million-row file: see the closing note).
    monkeypatch.setattr(landmarks_io, "MAX_ROWS", 2000)
    big = _resized_landmarks(tmp_path, 200_000, 200_000)
    tracemalloc.start()
    with pytest.raises(InputError) as ei:
        landmarks_io.read_landmarks(big)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 5_000_000, peak  # the arrays would take 90 MB
    assert ei.value.one_line() == (
        f"{big}: 200000 frames is more than a recording holds (at most 2000: "
        "0.00926 hours at 60 frames/s) (re-create it with 'posecheck analyze')"
    )
    lying = _resized_landmarks(tmp_path, 1500, 30)
    with pytest.raises(InputError, match="holds 1500 frames but its metadata says 30"):
        landmarks_io.read_landmarks(lying)


def test_5_a_huge_image_is_refused_from_its_header(tmp_path, capsys):
    import zlib

    # a 20000x20000 PNG header (no need to compress 1.2 GB of pixels to test the refusal)
    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data).to_bytes(4, "big")
        return len(data).to_bytes(4, "big") + kind + data + crc

    ihdr = (20000).to_bytes(4, "big") * 2 + bytes([8, 2, 0, 0, 0])
    png = tmp_path / "huge.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b""))
    code, _, err = run_cli(capsys, "analyze", png, "-e", "bridge", "-o", tmp_path / "out")
    assert code == 2 and not (tmp_path / "out").exists()
    assert error_lines(err) == [
        f"posecheck: error: {png}: 20000x20000 pixels is more than posecheck decodes "
        "(64 megapixels) (scale it down first, e.g. ffmpeg -i IN -vf scale=1920:-2 OUT)"
    ]


# --- 10. messages and smaller losses ------------------------------------------------------


def test_10_an_encoder_failure_names_the_file_not_an_internal_class(
    tmp_path, capsys, fake_estimator, monkeypatch
):
    from posecheck.sinks import video

    class Failing:
        name = "failing"

        def __init__(self, path, width, height, rate):
            pass

        def write(self, img):
            raise ValueError("[Errno 22] Invalid argument")

        def close(self):
            pass

    monkeypatch.setitem(video.ENCODERS, "pyav", Failing)
    clip = write_video(tmp_path / "clip.mp4", n=30)
    out = tmp_path / "out"
    code, _, err = run_cli(capsys, "analyze", clip, "-e", "bridge", "-o", out, "-q")
    assert code == 2 and "_ExerciseDefault" not in err and "disk" not in err
    assert error_lines(err) == [
        "posecheck: error: encoding annotated.mp4 failed (failing): [Errno 22] Invalid argument "
        "(use --no-video to skip the annotated video)"
    ]
    data = json.loads((out / "summary.json").read_text())
    assert data["partial"] is True and "annotated.mp4" not in listing(out)


def _landmarks_with(tmp_path: Path, name: str, **change) -> Path:
    import numpy as np

    src = bridge_landmarks(tmp_path / "src.landmarks.npz", reps=1, seconds=2.0)
    with np.load(src) as z:
        arrays = {k: z[k] for k in z.files}
    arrays.update(change)
    p = tmp_path / name
    np.savez_compressed(p, **arrays)
    return p


def test_10_score_rows_say_what_is_wrong_in_words(tmp_path, capsys):
    import numpy as np

    backwards = np.linspace(0, 2, 60)[::-1].copy()
    _landmarks_with(tmp_path, "reversed.landmarks.npz", t_s=backwards)
    _landmarks_with(tmp_path, "listmeta.landmarks.npz", meta=np.array("[]"))
    (tmp_path / "src.landmarks.npz").unlink()
    (tmp_path / "junk.landmarks.npz").write_bytes(b"not a zip")
    code, out, _ = run_cli(capsys, "score", tmp_path, "-e", "bridge", "--jobs", "1")
    assert code == 2
    rows = {ln.split()[0]: ln for ln in out.splitlines()[1:]}
    assert (
        "times go backwards or are not numbers at row 1 (1.96610 s after 2 s)".replace(
            "1.96610", "1.9661"
        )
        in rows[str(tmp_path / "reversed.landmarks.npz")]
    )
    assert "meta is not a JSON object" in rows[str(tmp_path / "listmeta.landmarks.npz")]
    assert "'posecheck analyze VIDEO' writes one" in rows[str(tmp_path / "junk.landmarks.npz")]
    for text in ("ValueError", "AttributeError", "--data", "no exercise fits"):
        assert text not in out


def test_10_an_audio_only_file_says_so(tmp_path, capsys):
    import av
    import numpy as np

    m4a = tmp_path / "talk.m4a"
    with av.open(str(m4a), "w") as c:
        s = c.add_stream("aac", rate=44100)
        for i in range(20):
            f = av.AudioFrame.from_ndarray(np.zeros((1, 1024), np.float32), format="fltp",
                                           layout="mono")  # fmt: skip
            f.sample_rate, f.pts = 44100, i * 1024
            for pkt in s.encode(f):
                c.mux(pkt)
        for pkt in s.encode():
            c.mux(pkt)
    code, _, err = run_cli(capsys, "analyze", m4a, "-e", "bridge", "-o", tmp_path / "o")
    assert code == 2
    assert error_lines(err) == [
        f"posecheck: error: {m4a}: has sound but no picture (an audio-only file) "
        "(give the video file of the recording)"
    ]


def test_10_numpy_runtime_warnings_stay_off_stderr(monkeypatch, capsys):
    import warnings

    import numpy as np

    from posecheck.commands import show

    def noisy(args):
        np.mean(np.array([]))  # "Mean of empty slice"
        return 0

    monkeypatch.setattr(show, "run", noisy)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert main(["show", "bridge"]) == 0
    assert not [w for w in caught if issubclass(w.category, RuntimeWarning)]


def test_10_an_unreadable_first_image_of_a_folder_is_a_warning(tmp_path, capsys, fake_estimator):
    import cv2
    import numpy as np

    frames = tmp_path / "frames"
    frames.mkdir()
    (frames / "frame0.png").write_bytes(b"\x89PNG broken")
    for i in range(1, 6):
        cv2.imwrite(str(frames / f"frame{i}.png"), np.full((96, 160, 3), 40 * i, np.uint8))
    out = tmp_path / "out"
    code, _, _ = run_cli(capsys, "analyze", frames, "-e", "bridge", "-o", out, "-q")
    assert code == 0
    data = json.loads((out / "summary.json").read_text())
    assert f"{frames / 'frame0.png'}: not a readable image, skipped" in data["warnings"]


def test_10_live_from_a_truncated_file_keeps_the_warning_and_is_private(tmp_path, capsys,
                                                                       fake_estimator):  # fmt: skip
    from media_builders import write_cv_video

    full = write_cv_video(tmp_path / "full.avi", 60, 25.0, fourcc="MJPG")
    cut = tmp_path / "cut.avi"
    cut.write_bytes(full.read_bytes()[: full.stat().st_size // 2])
    out = tmp_path / "live"
    code, _, _ = run_cli(capsys, "live", "bridge", "--camera", cut, "--no-window", "--mute",
                         "-o", out, "--countdown", "0")  # fmt: skip
    assert code == 0
    data = json.loads((out / "summary.json").read_text())
    assert [w for w in data["warnings"] if "video ends early" in w]
    assert out.stat().st_mode & 0o077 == 0  # a session of a person's body: private folder


def test_10_score_of_a_killed_run_folder_takes_no_output_video(tmp_path):
    from posecheck.commands.score import collect_inputs

    run = tmp_path / "clip.posecheck"  # killed: no summary.json was written
    run.mkdir()
    write_video(run / "annotated.mp4", n=4)
    bridge_landmarks(run / "clip.landmarks.npz", reps=1, seconds=1.0)
    (run / ".annotated.mp4.x1y2.mp4").write_bytes(b"half")
    assert collect_inputs([str(tmp_path)]) == [run / "clip.landmarks.npz"]


def test_10_force_over_another_clip_drops_its_landmarks_file(tmp_path, capsys, fake_estimator):
    out = tmp_path / "out"
    a = write_video(tmp_path / "a.mp4", n=8)
    b = write_video(tmp_path / "b.mp4", n=8)
    assert run_cli(capsys, "analyze", a, "-e", "bridge", "-o", out, "-q")[0] == 0
    assert run_cli(capsys, "analyze", b, "-e", "bridge", "-o", out, "-q", "--force")[0] == 0
    assert "a.landmarks.npz" not in listing(out) and "b.landmarks.npz" in listing(out)


@pytest.mark.parametrize(
    ("t", "shown"), [(599.98, "10:00.0"), (59.96, "1:00.0"), (61.04, "1:01.0"), (0.0, "0:00.0")]
)
def test_10_times_round_before_splitting_minutes(t, shown):
    from posecheck.sinks.session import format_mmss

    assert format_mmss(t) == shown


def test_10_cue_text_is_never_an_option_of_the_speech_engine():
    from posecheck.live.speech import Speaker

    started = []

    class Proc:
        def poll(self):
            return None

    def runner(cmd):
        started.append(cmd)
        return Proc()

    sp = Speaker(command=["espeak-ng"], runner=runner)
    sp.say("--stdout /tmp/x", 0.0)
    assert started == [["espeak-ng", "--", "--stdout /tmp/x"]]


# --- 12. the command line ------------------------------------------------------------------


def test_12_render_creates_the_output_folder_and_shows_progress_in_logs(tmp_path, capsys):
    out = tmp_path / "new" / "deeper" / "x.mp4"
    code, _, err = run_cli(capsys, "render", "bridge", "--duration-s", "2", "--size", "160x96",
                           "--fps", "10", "-o", out)  # fmt: skip
    assert code == 0 and out.is_file()
    # stderr is not a terminal here: a plain line each quarter, no carriage returns
    lines = err.splitlines()
    n = lines[-1].split()[1].split("/")[1]
    assert len(lines) == 4 and lines[-1] == f"rendering {n}/{n} frames" and "\r" not in err


def test_12_score_shows_progress_in_logs(tmp_path, capsys):
    for i in range(4):
        bridge_landmarks(tmp_path / f"c{i}.landmarks.npz", reps=1, seconds=2.0)
    code, _, err = run_cli(capsys, "score", tmp_path, "-e", "bridge", "--jobs", "1")
    assert code == 0
    lines = err.splitlines()
    # each quarter, with the time left while some are to come
    assert [ln.split(",")[0] for ln in lines] == [f"scored {i}/4" for i in range(1, 5)]
    assert all(ln.endswith(" left") for ln in lines[:3]) and lines[3] == "scored 4/4"


def test_12_outdir_is_one_name_for_analyze_and_live(tmp_path, capsys, fake_estimator):
    clip = write_video(tmp_path / "clip.mp4", n=6)
    for flag in ("--outdir", "-o", "--out"):
        out = tmp_path / flag.strip("-")
        code, _, _ = run_cli(capsys, "analyze", clip, "-e", "bridge", flag, out, "-q")
        assert code == 0 and (out / "summary.json").is_file()
    code, out, _ = run_cli(capsys, "live", "--help")
    assert "-o OUTDIR, --outdir OUTDIR" in out
    code, out, _ = run_cli(capsys, "analyze", "--help")
    assert "-o OUTDIR, --outdir OUTDIR" in out


# --- 11. install: no backtracking through releases that need numpy >= 2 ------------------------


def test_11_mediapipes_dependencies_are_capped_where_numpy_below_2_still_works():
    """pip would otherwise fetch and reject 12 jaxlib and 7 opencv-contrib wheels (1.8 GB,
    measured in bench/README.md); the caps must admit what this environment runs."""
    import importlib.metadata as md
    import sys

    requirements = pytest.importorskip("packaging.requirements")
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib

    deps = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())["project"][
        "dependencies"
    ]
    reqs = {r.name.replace("_", "-"): r for r in map(requirements.Requirement, deps)}
    assert "<2" in str(reqs["numpy"].specifier)
    for name in ("jax", "jaxlib", "opencv-contrib-python", "ml-dtypes"):
        spec = reqs[name].specifier
        assert any(s.operator in ("<", "<=", "==") for s in spec), f"{name} has no cap"
        try:
            installed = md.version(name)
        except md.PackageNotFoundError:
            continue
        assert spec.contains(installed), f"{name} {installed} (installed, works) is outside {spec}"
        # the capped release must not itself ask for numpy >= 2
        needs = [r for r in (md.requires(name) or []) if r.startswith("numpy")]
        assert not any(">=2" in r and "python_version" not in r for r in needs), needs


def test_1_live_never_saves_over_the_video_it_plays(tmp_path, capsys, fake_estimator):
    out = tmp_path / "session"
    out.mkdir()
    clip = write_video(out / "annotated.mp4", n=6)
    before = clip.read_bytes()
    code, _, err = run_cli(capsys, "live", "bridge", "--camera", clip, "--no-window", "--mute",
                           "-o", out, "--force", "--record")  # fmt: skip
    assert code == 2
    assert error_lines(err) == [
        f"posecheck: error: {clip}: the session would be saved over the video it plays "
        "(choose another -o OUTDIR)"
    ]
    assert clip.read_bytes() == before


def test_3_a_killed_run_leaves_no_file_under_a_final_name_and_no_need_for_force(
    tmp_path, capsys, fake_estimator
):
    """SIGKILL cannot be handled: what it leaves are hidden temporary files only, which
    the next run into the folder removes (and it needs no --force)."""
    import sys
    import time

    # 8 s: shorter than two of analyze's parallel chunks, so one process runs it (with
    # the fake estimator)
    clip = write_video(tmp_path / "clip.mp4", n=200, fps=24.0, size=(320, 240))
    out = tmp_path / "out"
    # a child that runs analyze with the fake estimator, slowed so it can be killed mid-run
    script = (
        "import sys, time; sys.path[:0] = [sys.argv[1], sys.argv[2]]\n"
        "import posecheck.estimator as est\n"
        "from test_analyze import FakeEstimator\n"
        "class Slow(FakeEstimator):\n"
        "    def estimate(self, frame):\n"
        "        time.sleep(0.02)\n"
        "        return super().estimate(frame)\n"
        "est.MediaPipeEstimator = Slow\n"
        "from posecheck.cli import main\n"
        "sys.exit(main(['analyze', sys.argv[3], '-e', 'bridge', '-o', sys.argv[4], '-q']))\n"
    )
    tests = str(Path(__file__).parent)
    src = str(Path(__file__).parents[1] / "src")
    proc = subprocess.Popen([sys.executable, "-c", script, src, tests, str(clip), str(out)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not any(
        n.startswith(".annotated.mp4.") for n in (listing(out) if out.is_dir() else [])
    ):
        time.sleep(0.05)
    time.sleep(0.5)
    proc.kill()
    proc.wait()
    left = listing(out)
    assert left and all(n.startswith(".") for n in left), left  # no final name
    # one process: the fake estimator is patched in this one, not in chunk workers
    code, _, err = run_cli(
        capsys, "analyze", clip, "-e", "bridge", "-o", out, "-q", "--no-video", "--workers", "1"
    )
    assert code == 0, err
    assert listing(out) == ["clip.landmarks.npz", "frames.csv", "report.html", "summary.json"]


def test_4_a_writer_failing_at_close_makes_the_summary_say_so(tmp_path, capsys, fake_estimator,
                                                              monkeypatch):  # fmt: skip
    from posecheck.sinks import report

    def full(self, summary):
        raise safeio.write_error(self.path, OSError(errno.ENOSPC, "No space left on device"))

    monkeypatch.setattr(report.ReportSink, "close", full)
    clip = write_video(tmp_path / "clip.mp4", n=10)
    out = tmp_path / "out"
    code, _, err = run_cli(capsys, "analyze", clip, "-e", "bridge", "-o", out, "-q")
    assert code == 2 and len(error_lines(err)) == 1
    data = json.loads((out / "summary.json").read_text())
    assert data["partial"] is True
    assert [w for w in data["warnings"] if w.startswith("report.html was not written: no space")]
    assert "report.html" not in listing(out)


# --- 13. --force then Ctrl-C: the earlier complete session is not lost -------------------


def _digests(d: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(d.iterdir())}


@pytest.mark.parametrize(
    "how",
    [
        ["-e", "bridge"],  # interrupted in the one pass
        ["-e", "auto"],  # interrupted in the model pass, before anything is recognised
        ["--routine", "low-back-flow"],  # the routine's model pass
    ],
)
def test_13_an_interrupted_forced_run_puts_the_complete_earlier_one_back(
    tmp_path, capsys, fake_estimator, how
):
    out = tmp_path / "out"
    a = write_video(tmp_path / "a.mp4", n=30)
    b = write_video(tmp_path / "b.mp4", n=30)
    assert run_cli(capsys, "analyze", a, "-e", "bridge", "-o", out, "-q", "--no-history")[0] == 0
    before = _digests(out)
    assert json.loads(before["summary.json"])["partial"] is False
    fake_estimator.stop_at = 12
    code, _, err = run_cli(capsys, "analyze", b, *how, "-o", out, "-q", "--force",
                           "--no-history", "--workers", "1")  # fmt: skip
    assert code == 130
    assert "this run's partial results" in err and "written to" not in err
    assert f"the complete results of the earlier run are kept in {out}/" in err
    # every file as it was (a.landmarks.npz too, which b's run would not have written),
    # nothing of b's run, no hidden copies left
    assert _digests(out) == before


def test_13_a_forced_run_over_a_partial_one_keeps_its_own_partial_results(
    tmp_path, capsys, fake_estimator
):
    out = tmp_path / "out"
    clip = write_video(tmp_path / "clip.mp4", n=30)
    fake_estimator.stop_at = 20
    assert run_cli(capsys, "analyze", clip, "-e", "bridge", "-o", out, "-q")[0] == 130
    fake_estimator.stop_at = 8
    code, _, err = run_cli(capsys, "analyze", clip, "-e", "bridge", "-o", out, "-q", "--force")
    assert code == 130 and f"partial results for 8 frames written to {out}/" in err
    data = json.loads((out / "summary.json").read_text())
    assert data["partial"] is True and data["frames"] == 8
    assert ".posecheck-earlier" not in listing(out)


def test_13_a_completed_forced_run_leaves_no_copy_of_the_earlier_one(
    tmp_path, capsys, fake_estimator
):
    out = tmp_path / "out"
    clip = write_video(tmp_path / "clip.mp4", n=20)
    assert run_cli(capsys, "analyze", clip, "-e", "bridge", "-o", out, "-q")[0] == 0
    assert run_cli(capsys, "analyze", clip, "-e", "bridge", "-o", out, "-q", "--force",
                   "--no-report")[0] == 0  # fmt: skip
    assert listing(out) == ["annotated.mp4", "clip.landmarks.npz", "frames.csv", "summary.json"]


def test_13_copies_kept_aside_by_a_killed_forced_run_are_not_read_as_sessions(
    tmp_path, capsys, fake_estimator
):
    """SIGKILL during a forced run leaves OUTDIR/.posecheck-earlier/ (the next run there
    removes it); meanwhile neither 'score DIR' nor 'history import DIR' reads it."""
    from posecheck.commands.score import collect_inputs
    from posecheck.history.store import HistoryStore

    out = tmp_path / "out"
    clip = write_video(tmp_path / "clip.mp4", n=12)
    assert run_cli(capsys, "analyze", clip, "-e", "bridge", "-o", out, "-q", "--no-history")[0] == 0
    kept = out / ".posecheck-earlier"
    shutil.copytree(out, kept)
    assert collect_inputs([str(out)]) == [out / "clip.landmarks.npz"]
    db = tmp_path / "h.sqlite"
    assert run_cli(capsys, "history", "import", out, "--db", db, "--all")[0] == 0
    with HistoryStore(db) as st:
        assert len(st.sessions()) == 1
    # the next forced run there starts by removing them
    assert run_cli(capsys, "analyze", clip, "-e", "bridge", "-o", out, "-q", "--force",
                   "--no-history")[0] == 0  # fmt: skip
    assert not kept.exists()

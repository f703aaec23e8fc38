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
    assert "needed more than" in lines[0] and "MB free" in lines[0]
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

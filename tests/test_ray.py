"""``posecheck score --ray``: a real local Ray cluster (a head and a second worker node,
each started with ``ray start`` on this machine) against ``score --jobs`` on the same
inputs, a worker killed mid-run, Ctrl-C, and addresses nothing answers on."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from posecheck.cli import main
from posecheck.landmarks_io import read_landmarks

from conftest import REPO

ray = pytest.importorskip("ray", reason="the ray extra is not installed (pip install .[ray])")

# short real clips (6.2, 9.3 and 0.9 s): three units for two workers, so one worker's
# model runs a second unit after a reset
CLIPS = [
    "cat-camel/cat-cow-side.mp4",
    "pelvic-tilt/pelvic-tilt-side.mp4",
    "childs-pose/childs-pose-short.mp4",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env() -> dict[str, str]:
    # the cluster's worker processes import posecheck from this tree
    path = os.pathsep.join(p for p in (str(REPO / "src"), os.environ.get("PYTHONPATH")) if p)
    return {**os.environ, "PYTHONPATH": path, "RAY_USAGE_STATS_ENABLED": "0"}


def _wait_for(log: Path, proc: subprocess.Popen, text: str, timeout_s: float = 180.0) -> None:
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        if log.is_file() and text in log.read_text(errors="replace"):
            return
        if proc.poll() is not None:
            raise RuntimeError(f"ray start exited {proc.returncode}: {log.read_text()[-2000:]}")
        time.sleep(0.5)
    raise RuntimeError(f"ray start did not come up in {timeout_s:.0f} s")


@pytest.fixture(scope="module")
def cluster():
    """HOST:PORT of a head (1 CPU) and a second node (1 CPU); stopped by process group."""
    exe = Path(sys.executable).parent / "ray"
    if not exe.is_file():
        pytest.skip(f"no ray command next to {sys.executable}")
    tmp = Path(tempfile.mkdtemp(prefix="pcray-", dir="/tmp"))  # short: Ray puts sockets there
    port = _free_port()
    address = f"127.0.0.1:{port}"
    common = ["--num-cpus=1", "--block", "--disable-usage-stats"]
    procs: list[subprocess.Popen] = []
    try:
        for name, args in (
            ("head", ["--head", f"--port={port}", "--include-dashboard=false",
                      f"--temp-dir={tmp}"]),
            ("worker", [f"--address={address}"]),
        ):  # fmt: skip
            # 'ray start' gives a node 30 s to register; on a machine this loaded that is
            # sometimes not enough: a second try
            for attempt in (1, 2, 3):
                log = tmp / f"{name}.{attempt}.log"
                with open(log, "wb") as fh:
                    procs.append(subprocess.Popen(
                        [str(exe), "start", *args, *common], stdout=fh,
                        stderr=subprocess.STDOUT, env=_env(), start_new_session=True,
                    ))  # fmt: skip
                try:
                    _wait_for(log, procs[-1], "block forever")
                    break
                except RuntimeError:
                    if attempt == 3:
                        raise
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(procs[-1].pid, signal.SIGKILL)
        yield address
    finally:
        # everything each 'ray start' began is in its own process group: TERM, a moment
        # to finish, then KILL for whatever is left (raylet workers, the GCS)
        for sig in (signal.SIGTERM, signal.SIGKILL):
            for p in reversed(procs):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(p.pid, sig)
            for p in procs:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    p.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)


def _decoded(path: str) -> int:
    """Frames a clip decodes to."""
    from posecheck.sources import open_source

    with open_source(path) as src:
        return sum(1 for _ in src.frames())


def _score(*args: str, stderr=subprocess.PIPE) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "posecheck", "-v", "score", *args]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=stderr, text=True, env=_env(),
                            cwd=REPO, preexec_fn=_default_sigint)  # fmt: skip


def _default_sigint() -> None:
    # a test run started in the background inherits SIGINT ignored; Ctrl-C must work here
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    """Three real clips, a landmarks file, a missing file; and the --jobs rows for them."""
    from test_analyze import bridge_landmarks

    from conftest import media_path

    clips = [str(media_path(c)) for c in CLIPS]
    work = tmp_path_factory.mktemp("ray")
    lm = bridge_landmarks(work / "bridge.landmarks.npz")  # scored in the driver, no model
    paths = [*clips, str(lm), str(work / "missing.mp4")]
    out = work / "jobs.json"
    p = _score(*paths, "--jobs", "2", "--json", str(out))
    p.communicate(timeout=600)
    assert p.returncode == 2  # the missing file
    return paths, json.loads(out.read_text()), work


cluster_test = pytest.mark.ray  # with the real model on a real cluster


@pytest.mark.model
@cluster_test
def test_ray_rows_equal_jobs_rows(cluster, inputs):
    paths, jobs_rows, work = inputs
    out, kept = work / "ray.json", work / "kept"
    p = _score(*paths, "--json", str(out), "--csv", str(work / "ray.csv"),
               "--landmarks-dir", str(kept), "--ray", cluster)  # fmt: skip
    _, err = p.communicate(timeout=600)
    assert p.returncode == 2, err[-2000:]
    assert "ray: 2 workers" in err
    rows = json.loads(out.read_text())
    assert rows == jobs_rows  # the same rows, values and order
    assert [r["file"] for r in rows] == paths
    assert rows[-1]["error"].endswith("missing.mp4: no such file or folder (check the path)")
    # the poses the workers sent back, kept: one landmarks file a video, every frame
    files = sorted(kept.glob("*.landmarks.npz"))
    assert [f.name.split(".")[0] for f in files] == sorted(Path(c).stem for c in paths[:3])
    # (the pelvic-tilt clip's row is an error: its 4.8-degree tilts are no deeper than
    # breathing moves, so -e auto does not name it; its poses were still sent and kept)
    assert "pelvic-tilt" in rows[1]["error"] and "not named for sure" in rows[1]["error"]
    frames = {Path(r["file"]).stem: r.get("frames") or _decoded(r["file"]) for r in rows[:3]}
    assert {f.name.split(".")[0]: read_landmarks(f).meta["frames"] for f in files} == frames


@pytest.mark.model
@cluster_test
def test_a_killed_worker_has_its_unit_sent_again_and_nothing_counted_twice(cluster, inputs):
    paths, jobs_rows, work = inputs
    out = work / "killed.json"
    p = _score(*paths, "--json", str(out), "--ray", cluster)
    assert p.stderr is not None
    err, pids = [], []
    for line in p.stderr:
        err.append(line)
        if "ray: 2 workers (pids [" in line:
            pids = [int(x) for x in line.split("[")[1].split("]")[0].split(",")]
        if "frames 0-end sent (attempt 1)" in line and pids:
            time.sleep(2.0)  # the model is running on the unit now
            os.kill(pids[0], signal.SIGKILL)  # a worker process of this test's own cluster
            break
    _, rest = p.communicate(timeout=600)
    text = "".join(err) + rest
    assert p.returncode == 2, text[-2000:]
    assert "sending the unit again" in text
    assert "1 unit(s) sent again after their worker was lost" in text
    assert json.loads(out.read_text()) == jobs_rows


@pytest.mark.model
@cluster_test
def test_ctrl_c_cancels_and_writes_the_rows_that_finished_and_the_others_as_not_scored(
    cluster, inputs
):
    paths, jobs_rows, work = inputs
    out = work / "interrupted.json"
    p = _score(*paths[:3], "--json", str(out), "--ray", cluster)
    assert p.stderr is not None
    for line in p.stderr:
        if "ray: scored" in line:
            p.send_signal(signal.SIGINT)
            break
    _, rest = p.communicate(timeout=300)
    assert p.returncode == 130, rest[-2000:]
    rows = json.loads(out.read_text())
    assert [r["file"] for r in rows] == list(paths[:3])  # every input has its row
    done = [r for r in rows if not (r["error"] or "").endswith("not scored (interrupted)")]
    assert 1 <= len(done) < 3
    by_file = {r["file"]: r for r in jobs_rows}
    assert all(r == by_file[r["file"]] for r in done)


@pytest.mark.model
@cluster_test
def test_units_of_grid_parts_give_the_poses_of_jobs_bit_for_bit(cluster, tmp_path):
    """The pelvic-tilt clip (9.3 s) tracked in 4 parts (--part 2): --jobs runs them in one
    process; --ray in 2 units of 2 parts (--ray-unit 5) on two workers. Same poses."""
    import numpy as np

    from conftest import media_path

    clip = str(media_path(CLIPS[1]))
    got = {}
    for name, extra in (("jobs", ["--jobs", "1"]), ("ray", ["--ray-unit", "5", "--ray", cluster])):
        out, kept = tmp_path / f"{name}.json", tmp_path / name
        p = _score(clip, "-e", "pelvic-tilt", "--part", "2", "--json", str(out),
                   "--landmarks-dir", str(kept), *extra)  # fmt: skip
        _, err = p.communicate(timeout=600)
        assert p.returncode == 0, err[-2000:]
        (lm,) = kept.glob("*.landmarks.npz")
        got[name] = (json.loads(out.read_text()), read_landmarks(lm), err)
    assert "ray: 2 workers" in got["ray"][2] and ", 2 units" in got["ray"][2]
    assert got["ray"][0] == got["jobs"][0]
    a, b = got["jobs"][1], got["ray"][1]
    assert len(a) == 278
    for k in ("index", "t_s", "present", "xy", "visibility", "world"):
        assert np.array_equal(getattr(a, k), getattr(b, k), equal_nan=True), k


def test_an_address_nothing_answers_on_is_one_line(capsys):
    port = _free_port()  # closed again: nothing listens there
    t0 = time.monotonic()
    code = main(["score", "x.landmarks.npz", "--ray", f"127.0.0.1:{port}"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert time.monotonic() - t0 < 30
    assert err == [
        f"posecheck: error: --ray 127.0.0.1:{port}: no Ray cluster answers there "
        "(Connection refused) (start one with 'ray start --head' or check the address and "
        "the firewall)"
    ]

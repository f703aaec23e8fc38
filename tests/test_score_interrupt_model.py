"""Ctrl-C during ``posecheck score --jobs 2``, as a terminal sends it: to the whole
process group, twice, with the real model in the workers.

Before: the pool waited for the inputs under way, a second Ctrl-C hung the command for
good (its workers interrupted mid-queue), and the CSV held the rows that had finished
with nothing saying the rest were never scored.
"""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from test_analyze import write_video

pytestmark = pytest.mark.model

SRC = Path(__file__).resolve().parents[1] / "src"


def test_ctrl_c_twice_stops_the_workers_and_writes_every_input_scored_or_not(tmp_path):
    clips = [write_video(tmp_path / f"clip{i}.mp4", n=600, fps=30.0) for i in range(6)]
    table = tmp_path / "scores.csv"
    env = {**os.environ, "PYTHONPATH": f"{SRC}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "posecheck", "score", *map(str, clips), "-e", "bridge",
         "--jobs", "2", "--no-history", "--csv", str(table)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        start_new_session=True,  # its own group: the signals reach it and its workers only
        # a test run started in the background (CI) has SIGINT ignored, and a child that
        # starts with it ignored never sees Ctrl-C: give it a terminal's default
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip
    assert proc.stderr is not None
    seen = ""
    deadline = time.monotonic() + 240
    while "scored " not in seen and time.monotonic() < deadline:  # the first quarter done
        line = proc.stderr.readline()
        if not line:
            break
        seen += line
    assert "scored " in seen, seen
    os.killpg(proc.pid, signal.SIGINT)
    time.sleep(0.3)
    os.killpg(proc.pid, signal.SIGINT)  # the impatient second press
    try:
        out, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        pytest.fail("score hung after Ctrl-C")
    assert proc.returncode == 130, err
    left = time.monotonic() + 10  # no worker is left running (nor the resource tracker)
    while time.monotonic() < left and _group_alive(proc.pid):
        time.sleep(0.1)
    assert not _group_alive(proc.pid)
    assert "Traceback" not in err
    rows = list(csv.DictReader(table.open()))
    assert [r["file"] for r in rows] == [str(c) for c in clips]  # every input has its row
    stopped = [r for r in rows if "not scored (interrupted)" in r["error"]]
    assert 1 <= len(stopped) < len(rows)
    assert f"{len(rows) - len(stopped)} of 6 inputs scored before the interruption" in err
    assert "not scored (interrupted)" in out  # the table says it too


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True

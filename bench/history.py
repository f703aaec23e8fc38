#!/usr/bin/env python3
"""History benchmark: 10,000 sessions listed and plotted, each in under a second.

Builds a history of N generated sessions (posecheck.history.synthetic, two exercises,
years of days; in a temporary folder unless --db), then times, in this process, the
median of --rounds runs of:

  open+read  HistoryStore(db).sessions(): every row, detail JSON decoded
  list       `posecheck history --db DB` (the table, printed to a null stream)
  csv        `posecheck history --db DB --csv FILE`
  progress   `posecheck progress --db DB -o FILE --force` (terminal lines + HTML page)

each also as a new process (`python -m posecheck ...`, so Python's start-up and the
imports count: what a person typing the command waits for), and the time to record the
N sessions (one transaction each, as the commands do). Exit status 1 when list, csv or
progress takes a second or more, in this process or a new one. Machines are shared and
noisy: the figure to compare is the ratio to the 1 s budget, not the absolute time.

    python bench/history.py                 # 10,000 sessions, 3 rounds
    python bench/history.py --sessions 100000 --rounds 1
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from posecheck.cli import main as cli  # noqa: E402
from posecheck.history.store import HistoryStore  # noqa: E402
from posecheck.history.synthetic import session_rows  # noqa: E402

BUDGET_S = 1.0
TIMED = ("open_read_s", "list_s", "csv_s", "progress_s", "list_process_s", "csv_process_s",
         "progress_process_s", "version_process_s")  # fmt: skip


def build(db: Path, n: int, today: dt.date) -> float:
    """Record ``n`` generated sessions into ``db``; returns the seconds it took."""
    rows: list[dict] = []
    days = 365
    while len(rows) < n:
        rows = session_rows(days, end=today, per_day=2)
        days *= 2
    rows = rows[-n:]
    t0 = time.perf_counter()
    with HistoryStore(db) as st:
        for r in rows:
            st.upsert(r)
    return time.perf_counter() - t0


def timed(fn, rounds: int) -> tuple[float, float]:
    """Median wall and CPU seconds of ``rounds`` calls (CPU: what a busy machine inflates
    the wall time from)."""
    wall, cpu = [], []
    for _ in range(rounds):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return round(statistics.median(wall), 3), round(statistics.median(cpu), 3)


def timed_process(argv: list[str], rounds: int, pycache: Path) -> tuple[float, float]:
    """Median wall and CPU seconds of ``posecheck ARGV`` run as a new process.

    With its bytecode cached (in ``pycache``, after one untimed run), as an installed
    posecheck has it: a shell with PYTHONDONTWRITEBYTECODE would otherwise time the
    compiling of every module.
    """
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"), PYTHONPYCACHEPREFIX=str(pycache))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    cmd = [sys.executable, "-m", "posecheck", *argv]
    subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, check=True)
    wall, cpu = [], []
    for _ in range(rounds):
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, check=True)
        wall.append(time.perf_counter() - t0)
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime)
    return round(statistics.median(wall), 3), round(statistics.median(cpu), 3)


def quiet(argv: list[str]) -> None:
    with contextlib.redirect_stdout(io.StringIO()):
        code = cli(argv)
    if code != 0:
        raise SystemExit(f"posecheck {' '.join(argv)} exited {code}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, default=10_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--db", type=Path, help="keep the generated history here")
    ap.add_argument("--json", type=Path, help="also write the results as JSON")
    args = ap.parse_args()
    today = dt.date(2026, 12, 3)
    with tempfile.TemporaryDirectory(prefix="posecheck-bench-history-") as tmp:
        db = args.db or Path(tmp) / "history.sqlite"
        if db.exists():
            db.unlink()
        record_s = build(db, args.sessions, today)
        with HistoryStore(db) as st:
            n = len(st.sessions())
        page, csv = Path(tmp) / "progress.html", Path(tmp) / "sessions.csv"
        d, t = ["--db", str(db)], ["--today", today.isoformat()]

        def read() -> None:
            with HistoryStore(db) as st:
                st.sessions()

        pyc = Path(tmp) / "pycache"
        lst, csv_, prog = [*d], [*d, "--csv", str(csv)], [*d, *t, "-o", str(page), "--force"]
        res = {
            "sessions": n,
            "record_all_s": round(record_s, 3),
            "open_read_s": timed(read, args.rounds),
            "list_s": timed(lambda: quiet(["history", *lst]), args.rounds),
            "csv_s": timed(lambda: quiet(["history", *csv_]), args.rounds),
            "progress_s": timed(lambda: quiet(["progress", *prog]), args.rounds),
            "list_process_s": timed_process(["history", *lst], args.rounds, pyc),
            "csv_process_s": timed_process(["history", *csv_], args.rounds, pyc),
            "progress_process_s": timed_process(["progress", *prog], args.rounds, pyc),
            "version_process_s": timed_process(["--version"], args.rounds, pyc),
        }
        res["page_kb"] = round(page.stat().st_size / 1024, 1)
    print(f"{n} sessions; recording them one by one took {record_s:.1f} s "
          f"({record_s / n * 1000:.2f} ms each)")  # fmt: skip
    print(f"median of {args.rounds} rounds, wall (CPU) seconds; load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")  # fmt: skip
    for k in TIMED:
        wall, cpu = res[k]
        print(f"  {k[:-2]:<18} {wall:.3f} s ({cpu:.3f} s CPU)  "
              f"{wall / BUDGET_S:.0%} of the 1 s budget")  # fmt: skip
    print(f"  page size  {res['page_kb']} kB")
    if args.json:
        args.json.write_text(json.dumps(res, indent=2) + "\n")
    judged = [k for k in TIMED if k.startswith(("list", "csv", "progress"))]
    return 0 if all(res[k][0] < BUDGET_S for k in judged) else 1


if __name__ == "__main__":
    raise SystemExit(main())

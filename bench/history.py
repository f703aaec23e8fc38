#!/usr/bin/env python3
"""History benchmark: 10,000 sessions listed and plotted, each in under a second.

Builds a history of N generated sessions (posecheck.history.synthetic, two exercises,
years of days; in a temporary folder unless --db), then times, in this process, the
median of --rounds runs of:

  open+read  HistoryStore(db).sessions(): every row, detail JSON decoded
  list       `posecheck history --db DB` (the table, printed to a null stream)
  csv        `posecheck history --db DB --csv FILE`
  progress   `posecheck progress --db DB -o FILE --force` (terminal lines + HTML page)

and also the time to record the N sessions (one transaction each, as the commands do).
Exit status 1 when list or progress takes a second or more. Machines are shared and
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
import statistics
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

        res = {
            "sessions": n,
            "record_all_s": round(record_s, 3),
            "open_read_s": timed(read, args.rounds),
            "list_s": timed(lambda: quiet(["history", *d]), args.rounds),
            "csv_s": timed(lambda: quiet(["history", *d, "--csv", str(csv)]), args.rounds),
            "progress_s": timed(
                lambda: quiet(["progress", *d, *t, "-o", str(page), "--force"]), args.rounds
            ),
        }
        res["page_kb"] = round(page.stat().st_size / 1024, 1)
    print(f"{n} sessions; recording them one by one took {record_s:.1f} s "
          f"({record_s / n * 1000:.2f} ms each)")  # fmt: skip
    print(f"median of {args.rounds} rounds, wall (CPU) seconds; load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")  # fmt: skip
    for k in ("open_read_s", "list_s", "csv_s", "progress_s"):
        wall, cpu = res[k]
        print(f"  {k[:-2]:<10} {wall:.3f} s ({cpu:.3f} s CPU)  "
              f"{wall / BUDGET_S:.0%} of the 1 s budget")  # fmt: skip
    print(f"  page size  {res['page_kb']} kB")
    if args.json:
        args.json.write_text(json.dumps(res, indent=2) + "\n")
    return 0 if res["list_s"][0] < BUDGET_S and res["progress_s"][0] < BUDGET_S else 1


if __name__ == "__main__":
    raise SystemExit(main())

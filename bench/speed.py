#!/usr/bin/env python3
"""Speed benchmark: posecheck against the bare MediaPipe loop, in one run, alternating.

For each clip and round, in this order, each as a fresh process:
  1. bare:     the loop every MediaPipe tutorial writes (OpenCV read, BGR->RGB, pose.process)
  2. analyze:  `posecheck analyze` with all outputs (annotated video, report, data)
  3. data:     `posecheck analyze --no-video --no-report` (CSV, summary, landmarks)
  4. score:    `posecheck score` on the landmarks file written by 3 (no model)
It prints the median wall time, frames/s, the ratios 2/1, 3/1, 4/1 and each run's peak
memory (max RSS of the process), plus the time to the first result of `posecheck --help`
and `posecheck exercises`. Cases 1-3 also run on the first second of each clip (same
rotation): clip minus cut gives the marginal cost a frame without process start-up.
Then `score --jobs 1/2/N` over copies of one landmarks file and, with --live,
`posecheck live EX --camera CLIP --countdown 0 --mute --stats --no-window`.
With --long-minutes N it loops the first clip to N minutes and runs 2-4 once on it
(1 too with --long-bare), to show memory stays flat and throughput holds: compare its
frames/s with the short run of the same command.

The machines are shared and noisy: compare ratios from one run, not absolute numbers
across runs. The run in bench/README.md:

    python bench/speed.py --rounds 3 --live --json speed.json
    python bench/speed.py --clips ../shared/media/bridge/glute-bridge-3-reps-side.mp4 \
        --exercise bridge --long-only --long-minutes 10 --json long.json
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _media import find_media

REPO = Path(__file__).resolve().parents[1]
MEDIA = find_media()
DEFAULT_CLIPS = [
    (MEDIA / "bridge" / "glute-bridge-3-reps-side.mp4", "bridge"),
    (MEDIA / "cat-camel" / "cat-cow-side.mp4", "cat-camel"),
]


def bare_loop(path: str, segmentation: bool) -> int:
    """The naive loop: read with OpenCV, convert to RGB, process. Returns frames read.

    It asks the model for the same outputs posecheck needs for the exercise
    (the segmentation mask only for mask-based measures such as back curvature),
    so the comparison is like for like.
    """
    import cv2
    import mediapipe as mp

    cap = cv2.VideoCapture(path)
    n = 0
    with mp.solutions.pose.Pose(model_complexity=1, enable_segmentation=segmentation) as pose:
        while True:
            ok, frame = cap.read()
            if not ok:
                break
            pose.process(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))
            n += 1
    cap.release()
    return n


def run_child(cmd: list[str]) -> tuple[float, float, int]:
    """Run a command; return (wall s, peak RSS MB, exit code). Output is discarded."""
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=REPO
    )
    _, status, rusage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    proc.stderr and proc.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        last = [ln for ln in err.splitlines() if ln.strip()][-1:] or ["?"]
        print(f"  ! {' '.join(cmd[:4])}... exited {code}: {last[0]}", file=sys.stderr)
    return wall, rusage.ru_maxrss / 1024.0, code


def frame_count(path: Path) -> int:
    import cv2

    cap = cv2.VideoCapture(str(path))
    n = 0
    while cap.grab():
        n += 1
    cap.release()
    return n


def posecheck(*args: str) -> list[str]:
    return [sys.executable, "-m", "posecheck", *args]


def needs_segmentation(exercise: str) -> bool:
    sys.path.insert(0, str(REPO / "src"))
    from posecheck.engine import Engine
    from posecheck.library import Library

    return bool(Engine(Library.load().get(exercise)).needs_segmentation)


def bench_clip(
    clip: Path,
    exercise: str,
    rounds: int,
    work: Path,
    skip_bare: bool = False,
    cut: Path | None = None,
) -> dict:
    """Time the cases on ``clip`` (and on ``cut``, its first second, for per-frame costs)."""
    frames = frame_count(clip)
    seg = needs_segmentation(exercise)

    def cases_for(video: Path, tag: str) -> dict[str, list[str]]:
        out_full, out_data = work / f"{video.stem}.full", work / f"{video.stem}.data"
        bare = [sys.executable, __file__, "--bare", str(video)]
        bare += ["--segmentation"] if seg else []
        c = {
            f"bare{tag}": bare,
            f"analyze{tag}": posecheck("analyze", str(video), "-e", exercise, "-o", str(out_full),
                                       "--force", "-q"),
            f"data{tag}": posecheck(
                "analyze", str(video), "-e", exercise, "-o", str(out_data), "--force",
                "--no-video", "--no-report", "-q",
            ),
        }  # fmt: skip
        if skip_bare:
            del c[f"bare{tag}"]
        return c

    cases = cases_for(clip, "")
    if cut is not None:
        cases.update(cases_for(cut, "_cut"))
    res: dict[str, list[tuple[float, float, int]]] = {k: [] for k in [*cases, "score"]}
    out_data = work / f"{clip.stem}.data"
    for r in range(rounds):
        for name, cmd in cases.items():
            res[name].append(run_child(cmd))
        lm = sorted(out_data.glob("*.npz"))
        if lm:
            res["score"].append(run_child(posecheck("score", str(lm[0]), "-e", exercise)))
        print(f"  round {r + 1}/{rounds} done", file=sys.stderr)
    return {
        "clip": str(clip), "frames": frames, "segmentation": seg, "runs": res,
        "cut_frames": frame_count(cut) if cut is not None else 0,
        "landmarks": str(lm[0]) if rounds and lm else None,
    }  # fmt: skip


def per_frame(b: dict) -> dict[str, dict[str, float]]:
    """Marginal ms a frame and start-up s of each case, from the clip and its 1 s cut.

    ms/frame = (median wall of the clip - median wall of the cut) / (frame difference):
    process start-up, imports and model loading cancel out.
    """
    out = {}
    n, n_cut = b["frames"], b.get("cut_frames", 0)
    if not n_cut or n <= n_cut:
        return out
    for name in ("bare", "analyze", "data"):
        full = [r[0] for r in b["runs"].get(name, []) if r[2] == 0]
        cut = [r[0] for r in b["runs"].get(f"{name}_cut", []) if r[2] == 0]
        if not full or not cut:
            continue
        wf, wc = statistics.median(full), statistics.median(cut)
        ms = (wf - wc) / (n - n_cut) * 1000.0
        out[name] = {"ms_per_frame": ms, "startup_s": wc - ms / 1000.0 * n_cut}
    return out


def summarise(b: dict) -> dict:
    out = {"clip": Path(b["clip"]).name, "frames": b["frames"], "seg": b["segmentation"]}
    for name, runs in b["runs"].items():
        if name.endswith("_cut"):
            continue
        ok = [r for r in runs if r[2] == 0]
        if not ok:
            out[name] = None
            continue
        wall = statistics.median(r[0] for r in ok)
        out[name] = {
            "wall_s": wall,
            "fps": b["frames"] / wall,
            "peak_mb": max(r[1] for r in ok),
            "n": len(ok),
        }
    base = out.get("bare")
    for name in ("analyze", "data", "score"):
        if base and out.get(name):
            out[f"{name}/bare"] = out[name]["wall_s"] / base["wall_s"]
    out["per_frame"] = per_frame(b)
    return out


def startup_times(n: int = 5) -> dict[str, float]:
    res = {}
    for label, args in (("--help", ["--help"]), ("exercises", ["exercises"])):
        res[label] = statistics.median(run_child(posecheck(*args))[0] for _ in range(n))
    return res


def loop_copy(clip: Path, dst: Path, seconds: float) -> Path:
    """``clip`` looped to ``seconds`` (to the next keyframe) by stream copy, with PyAV.

    What ``ffmpeg -stream_loop -1 -c copy`` does, for machines without the ffmpeg
    command: the packets are copied with shifted timestamps, nothing is re-encoded.
    """
    import av

    with av.open(str(clip)) as inp, av.open(str(dst), "w") as out:
        stream = inp.streams.video[0]
        packets = [p for p in inp.demux(stream) if p.dts is not None]
        tb = stream.time_base
        start = min(p.pts for p in packets)
        step = packets[1].duration or round(1 / (stream.average_rate * tb))
        span = max(p.pts for p in packets) - start + step
        limit = seconds / tb
        ostream = out.add_stream_from_template(stream)
        for k in range(10**6):
            for p in packets:
                pts = p.pts - start + k * span
                if pts >= limit and p.is_keyframe:
                    return dst
                q = av.Packet(bytes(p))
                q.pts, q.dts = pts, p.dts - start + k * span
                q.duration, q.is_keyframe, q.time_base = p.duration, p.is_keyframe, tb
                q.stream = ostream
                out.mux(q)
    return dst


def make_long(clip: Path, minutes: float, work: Path) -> Path:
    dst = work / f"{clip.stem}.long{minutes:g}min.mp4"
    if not shutil.which("ffmpeg"):
        return loop_copy(clip, dst, minutes * 60)
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-stream_loop", "-1", "-i", str(clip),
         "-t", str(minutes * 60), "-an", "-c", "copy", str(dst)],
        check=True,
    )  # fmt: skip
    return dst


def make_cut(clip: Path, seconds: float, work: Path) -> Path:
    """The first ``seconds`` of a clip, re-encoded (frame-exact), for start-up costs."""
    dst = work / f"{clip.stem}.cut.mp4"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-i", str(clip), "-t", str(seconds), "-an",
         "-c:v", "libx264", "-preset", "veryfast", "-crf", "18", "-pix_fmt", "yuv420p",
         str(dst)],
        check=True,
    )  # fmt: skip
    return dst


def score_scaling(lm: Path, exercise: str, work: Path, copies: int = 24) -> dict[int, float]:
    """Wall time of ``score --jobs N`` over ``copies`` copies of one landmarks file."""
    folder = work / "many"
    folder.mkdir(exist_ok=True)
    for i in range(copies):
        shutil.copy(lm, folder / f"copy{i:02d}.landmarks.npz")
    out = {}
    for jobs in sorted({1, 2, os.cpu_count() or 1}):
        out[jobs] = statistics.median(
            run_child(posecheck("score", str(folder), "-e", exercise, "--jobs", str(jobs)))[0]
            for _ in range(3)
        )
    return out


def live_stats(clip: Path, exercise: str, work: Path) -> list[str]:
    """``posecheck live`` with the clip as camera: its --stats lines (frames/s, latency).

    The session it saves goes into the benchmark's temporary folder, not the repository.
    """
    cmd = posecheck("live", exercise, "--camera", str(clip), "--countdown", "0", "--mute",
                    "--stats", "--no-window", "-o", str(work / f"live-{clip.stem}"))  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=REPO)
    keys = ("frames shown", "latency", "processing")
    return [ln.strip() for ln in (p.stdout + p.stderr).splitlines()
            if any(k in ln for k in keys)] or [f"live failed (exit {p.returncode})"]  # fmt: skip


# --- one video on every core (--parallel) and archives on Ray (--ray) --------------------


def run_logged(cmd: list[str]) -> tuple[float, float, int, str]:
    """Like :func:`run_child`, also returning the command's stderr (posecheck -v logs)."""
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
                            cwd=REPO)  # fmt: skip
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    _, status, rusage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        last = [ln for ln in err.splitlines() if ln.strip()][-1:] or ["?"]
        print(f"  ! {' '.join(cmd[:5])}... exited {code}: {last[0]}", file=sys.stderr)
    return wall, rusage.ru_maxrss / 1024.0, code, err


def worker_peaks(err: str) -> str:
    """The 'pose model: ...' line analyze -v logs (processes, parts, frames estimated for
    those kept, each process's peak)."""
    for ln in err.splitlines():
        if "pose model:" in ln:
            return ln.split("pose model:", 1)[1].strip()
    return "one process, one tracking run"


def bench_parallel(clip: Path, exercise: str, seconds: float, workers: int, rounds: int,
                   work: Path, full_one: bool, skip_one: bool = False) -> dict:  # fmt: skip
    """Bare loop, analyze data-only with 1 and N workers, full analyze with N (and 1)."""
    long = make_long(clip, seconds / 60.0, work)
    frames = frame_count(long)
    seg = needs_segmentation(exercise)
    bare = [sys.executable, __file__, "--bare", str(long)] + (["--segmentation"] if seg else [])
    out = work / "par"

    def analyze(n: int, full: bool) -> list[str]:
        extra = [] if full else ["--no-video", "--no-report"]
        dest = str(out / f"{n}{full}")
        return [sys.executable, "-m", "posecheck", "-v", "analyze", str(long), "-e", exercise,
                "-o", dest, "--force", "-q", "--workers", str(n), *extra]  # fmt: skip

    cases = {"bare": bare, "data, 1 worker": analyze(1, False),
             f"data, {workers} workers": analyze(workers, False),
             f"full, {workers} workers": analyze(workers, True)}  # fmt: skip
    if full_one:
        cases["full, 1 worker"] = analyze(1, True)
    if skip_one:
        del cases["data, 1 worker"]
    res: dict[str, list] = {k: [] for k in cases}
    for r in range(rounds):
        for name, cmd in cases.items():
            res[name].append(run_logged(cmd))
        print(f"  parallel round {r + 1}/{rounds} done, load {os.getloadavg()}", file=sys.stderr)
    rows = {}
    for name, runs in res.items():
        ok = [x for x in runs if x[2] == 0]
        if not ok:
            rows[name] = None
            continue
        wall = statistics.median(x[0] for x in ok)
        rows[name] = {"wall_s": wall, "fps": frames / wall, "peak_mb": max(x[1] for x in ok),
                      "workers": worker_peaks(ok[-1][3])}  # fmt: skip
    base = rows.get("bare")
    for v in rows.values():
        if v and base:
            v["x_bare"] = v["wall_s"] / base["wall_s"]
    return {"clip": long.name, "frames": frames, "seconds": frames / 30.0, "rows": rows}


def parallel_table(b: dict) -> str:
    lines = [f"{b['clip']}: {b['frames']} frames",
             "| case | median wall s | frames/s | x bare | peak MB (main) | pose workers |",
             "|---|---:|---:|---:|---:|---|"]  # fmt: skip
    for name, v in b["rows"].items():
        if not v:
            lines.append(f"| {name} | failed | | | | |")
            continue
        x = f"{v['x_bare']:.3f}" if "x_bare" in v else "-"
        lines.append(f"| {name} | {v['wall_s']:.2f} | {v['fps']:.1f} | {x} | "
                     f"{v['peak_mb']:.0f} | {v['workers']} |")  # fmt: skip
    return "\n".join(lines)


def bench_ray(clips: list[Path], cpus_list: list[int], work: Path) -> dict:
    """``score --ray`` over ``clips`` on a local cluster of 1, 2, ... CPUs, and ``--jobs``."""
    exe = Path(sys.executable).parent / "ray"
    frames = sum(frame_count(c) for c in clips)
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "RAY_USAGE_STATS_ENABLED": "0"}
    out: dict = {"clips": [c.name for c in clips], "frames": frames, "runs": {}}
    for cpus in cpus_list:
        tmp = Path(tempfile.mkdtemp(prefix="pcray-", dir="/tmp"))
        with socket.socket() as so:
            so.bind(("127.0.0.1", 0))
            port = so.getsockname()[1]
        log = tmp / "head.log"
        with open(log, "wb") as fh:
            head = subprocess.Popen(
                [str(exe), "start", "--head", f"--port={port}", f"--num-cpus={cpus}",
                 "--include-dashboard=false", f"--temp-dir={tmp}", "--block",
                 "--disable-usage-stats"],
                stdout=fh, stderr=subprocess.STDOUT, env=env, start_new_session=True,
            )  # fmt: skip
        try:
            for _ in range(600):
                if "block forever" in log.read_text(errors="replace") or head.poll() is not None:
                    break
                time.sleep(0.5)
            cmd = posecheck("-v", "score", *map(str, clips), "--ray", f"127.0.0.1:{port}")
            t0 = os.times()
            wall, peak, code, err = run_logged(cmd)
            t1 = os.times()
            # the driver's own CPU (stitching, landmarks files, the engine): what limits
            # how many workers one driver can keep busy
            driver_cpu = (t1.children_user - t0.children_user) + (
                t1.children_system - t0.children_system
            )
            jobs = run_logged(posecheck("score", *map(str, clips), "--jobs", str(cpus)))
            out["runs"][cpus] = {"ray_wall_s": wall, "ray_fps": frames / wall,
                                 "ray_fps_per_worker": frames / wall / cpus, "code": code,
                                 "driver_cpu_s": driver_cpu, "driver_peak_mb": peak,
                                 "jobs_wall_s": jobs[0], "jobs_fps": frames / jobs[0]}  # fmt: skip
        finally:
            for sig in (signal.SIGTERM, signal.SIGKILL):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(head.pid, sig)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    head.wait(timeout=10)
            shutil.rmtree(tmp, ignore_errors=True)
        print(f"  ray with {cpus} CPU(s) done, load {os.getloadavg()}", file=sys.stderr)
    return out


def ray_table(b: dict) -> str:
    lines = [f"score over {len(b['clips'])} clips, {b['frames']} frames",
             "| workers | score --ray wall s | frames/s | frames/s a worker | driver CPU s "
             "| score --jobs N wall s | frames/s |",
             "|---:|---:|---:|---:|---:|---:|---:|"]  # fmt: skip
    for cpus, v in b["runs"].items():
        lines.append(f"| {cpus} | {v['ray_wall_s']:.2f} | {v['ray_fps']:.1f} | "
                     f"{v['ray_fps_per_worker']:.1f} | {v['driver_cpu_s']:.2f} | "
                     f"{v['jobs_wall_s']:.2f} | {v['jobs_fps']:.1f} |")  # fmt: skip
    return "\n".join(lines)


def table(rows: list[dict]) -> str:
    head = "| clip | frames | mask | case | median wall s | frames/s | x bare | peak MB |"
    lines = [head, "|---|---:|---|---|---:|---:|---:|---:|"]
    for s in rows:
        for name in ("bare", "analyze", "data", "score"):
            if name not in s:
                continue  # e.g. no bare run on the long input
            c = s.get(name)
            if not c:
                lines.append(f"| {s['clip']} | {s['frames']} | | {name} | failed | | | |")
                continue
            ratio = s.get(f"{name}/bare")
            lines.append(
                f"| {s['clip']} | {s['frames']} | {'yes' if s['seg'] else 'no'} | {name} | "
                f"{c['wall_s']:.2f} | "
                f"{c['fps']:.1f} | {'-' if ratio is None else f'{ratio:.3f}'} | "
                f"{c['peak_mb']:.0f} |"
            )
    return "\n".join(lines)


def per_frame_table(rows: list[dict]) -> str:
    lines = ["| clip | case | ms a frame (marginal) | x bare | start-up s |",
             "|---|---|---:|---:|---:|"]  # fmt: skip
    for s in rows:
        pf = s.get("per_frame") or {}
        base = pf.get("bare", {}).get("ms_per_frame")
        for name, v in pf.items():
            ratio = f"{v['ms_per_frame'] / base:.3f}" if base else "-"
            lines.append(f"| {s['clip']} | {name} | {v['ms_per_frame']:.2f} | {ratio} | "
                         f"{v['startup_s']:.2f} |")  # fmt: skip
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--bare", metavar="VIDEO", help=argparse.SUPPRESS)
    ap.add_argument("--segmentation", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--clips", nargs="*", type=Path, help="videos to time (default: 2 real clips)")
    ap.add_argument("--exercise", default=None, help="exercise for --clips (default: bridge)")
    ap.add_argument("--rounds", type=int, default=3, help="rounds per clip (default 3)")
    ap.add_argument("--long-minutes", type=float, default=0, help="also a clip looped to N min")
    ap.add_argument("--long-bare", action="store_true",
                    help="also run the bare loop on the long input (default: compare its "
                    "throughput with the short run of the same command)")  # fmt: skip
    ap.add_argument("--long-only", action="store_true", help="only the long input")
    ap.add_argument(
        "--no-cut",
        action="store_true",
        help="skip the 1 s cuts that give per-frame costs without start-up",
    )
    ap.add_argument("--live", action="store_true", help="also time 'posecheck live' (stats)")
    ap.add_argument("--json", type=Path, help="write the raw results here")
    ap.add_argument("--parallel", type=float, default=0, metavar="S",
                    help="only: the first clip looped to S seconds; bare loop against analyze "
                    "with 1 and --workers workers (data-only and full)")  # fmt: skip
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 2,
                    help="workers for --parallel (default: the cores)")  # fmt: skip
    ap.add_argument("--full-one", action="store_true",
                    help="with --parallel: also the full analyze with 1 worker")  # fmt: skip
    ap.add_argument("--skip-one", action="store_true",
                    help="with --parallel: no data-only analyze with 1 worker")  # fmt: skip
    ap.add_argument("--ray", type=int, nargs="*", metavar="CPUS",
                    help="only: score --ray over the clips on local clusters of these sizes "
                    "(e.g. 1 2), beside score --jobs N")  # fmt: skip
    args = ap.parse_args()
    if args.bare:
        print(bare_loop(args.bare, args.segmentation))
        return 0
    if args.parallel or args.ray:
        return parallel_main(args)
    clips = [(c, args.exercise or "bridge") for c in args.clips] if args.clips else DEFAULT_CLIPS
    clips = [(c, e) for c, e in clips if c.is_file()]
    if not clips:
        print("no clips found (pass --clips)", file=sys.stderr)
        return 2
    print(f"machine: {platform.node()} {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"load average at start: {os.getloadavg()}")
    rows, raw, extra = [], {}, {}
    with tempfile.TemporaryDirectory(prefix="posecheck-speed-") as tmp:
        work = Path(tmp)
        if not args.long_only:
            for clip, ex in clips:
                print(f"- {clip.name} ({ex}), {args.rounds} rounds", file=sys.stderr)
                cut = None if args.no_cut else make_cut(clip, 1.0, work)
                b = bench_clip(clip, ex, args.rounds, work, cut=cut)
                raw[clip.name] = b
                rows.append(summarise(b))
            if args.live:
                print("- live", file=sys.stderr)
                extra["live"] = {c.name: live_stats(c, e, work) for c, e in clips}
            extra["startup"] = startup_times()
        src = raw.get(clips[0][0].name)
        if args.long_minutes > 0:
            clip, ex = clips[0]
            long = make_long(clip, args.long_minutes, work)
            print(f"- {long.name} ({ex}), 1 round", file=sys.stderr)
            b = bench_clip(long, ex, 1, work, skip_bare=not args.long_bare)
            raw[long.name] = src = b
            rows.append(summarise(b))
        # score --jobs over copies of one landmarks file: the long input's (seconds of
        # work each) when there is one, else the first clip's
        if src and src.get("landmarks"):
            copies = 8 if args.long_minutes > 0 else 24
            print(f"- score --jobs scaling ({copies} copies)", file=sys.stderr)
            extra["score_jobs"] = {
                "copies": copies, "frames_each": src["frames"],
                "wall_s": score_scaling(Path(src["landmarks"]), clips[0][1], work, copies),
            }  # fmt: skip
    print(f"load average at end: {os.getloadavg()}")
    print(table(rows))
    if any(r.get("per_frame") for r in rows):
        print()
        print(per_frame_table(rows))
    if "score_jobs" in extra:
        print()
        sj = extra["score_jobs"]
        one = sj["wall_s"].get(1)
        for jobs, wall in sj["wall_s"].items():
            speed = f" ({one / wall:.2f}x faster than --jobs 1)" if one else ""
            print(f"score --jobs {jobs} over {sj['copies']} landmark files of "
                  f"{sj['frames_each']} frames: {wall:.2f} s{speed}")  # fmt: skip
    for name, lines in extra.get("live", {}).items():
        print(f"\nlive, {name} as camera:")
        for ln in lines:
            print(f"  {ln}")
    if "startup" in extra:
        print()
        for k, v in extra["startup"].items():
            print(f"time to first result: posecheck {k}: {v:.3f} s (median of 5)")
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "extra": extra, "raw": raw}, indent=1))
    return 0


def parallel_main(args: argparse.Namespace) -> int:
    clips = [(c, args.exercise or "bridge") for c in args.clips] if args.clips else DEFAULT_CLIPS
    clips = [(c, e) for c, e in clips if c.is_file()]
    if not clips:
        print("no clips found (pass --clips)", file=sys.stderr)
        return 2
    print(f"machine: {platform.node()} {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"load average at start: {os.getloadavg()}")
    result = {}
    with tempfile.TemporaryDirectory(prefix="posecheck-speed-") as tmp:
        work = Path(tmp)
        if args.parallel:
            clip, ex = clips[0]
            print(f"- {clip.name} looped to {args.parallel:g} s, {args.rounds} rounds",
                  file=sys.stderr)  # fmt: skip
            result["parallel"] = bench_parallel(clip, ex, args.parallel, args.workers,
                                                args.rounds, work, args.full_one,
                                                args.skip_one)  # fmt: skip
        if args.ray:
            result["ray"] = bench_ray([c for c, _ in clips], args.ray, work)
    print(f"load average at end: {os.getloadavg()}")
    if "parallel" in result:
        print(parallel_table(result["parallel"]))
    if "ray" in result:
        print(ray_table(result["ray"]))
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Where one frame's CPU goes in a pose worker: read, BGR->RGB, MediaPipe.

    python bench/frame_cost.py CLIP [--frames 400]

Reads CLIP with OpenCV and one FFmpeg thread (as posecheck's workers do), converts each
frame to RGB and runs ``mp.solutions.pose.Pose`` in tracking mode, and prints the CPU
milliseconds a frame of each step: the read and the conversion on this thread
(``thread_time``), the model on all threads (``process_time``; MediaPipe's graph runs
on its own threads) and, apart, on the calling thread. CPU time, not wall time, so the
figures hold on a busy machine better than a timing would (bench/README.md, issue 17).
"""

from __future__ import annotations

import argparse
import os
import time


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("clip", help="a video file")
    ap.add_argument("--frames", type=int, default=400, help="frames to time (default 400)")
    args = ap.parse_args()
    import cv2
    import mediapipe as mp

    cap = cv2.VideoCapture(args.clip, cv2.CAP_FFMPEG, [cv2.CAP_PROP_N_THREADS, 1])
    if not cap.isOpened():
        print(f"{args.clip}: cannot be read")
        return 1
    pose = mp.solutions.pose.Pose(static_image_mode=False, model_complexity=1)
    read = cvt = model = caller = 0.0
    n = 0
    while n < args.frames:
        c = time.thread_time()
        ok, img = cap.read()
        read += time.thread_time() - c
        if not ok:
            break
        c = time.thread_time()
        rgb = cv2.cvtColor(img, cv2.COLOR_BGR2RGB)
        rgb.flags.writeable = False
        cvt += time.thread_time() - c
        c, p = time.thread_time(), time.process_time()
        pose.process(rgb)
        caller += time.thread_time() - c
        model += time.process_time() - p
        n += 1
    if not n:
        print(f"{args.clip}: no frame read")
        return 1
    h, w = img.shape[:2] if img is not None else (0, 0)
    steps = {"read": read, "bgr_to_rgb": cvt, "mediapipe": model, "of it on the caller": caller}
    ms = {k: round(1000.0 * v / n, 2) for k, v in steps.items()}
    print(f"{os.path.basename(args.clip)}: {n} frames {w}x{h}, CPU ms a frame: {ms}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The live-only parts of the picture, drawn after the shared overlay.

The shared overlay (:class:`posecheck.sinks.overlay.Overlay`, also used for
annotated videos) draws the skeleton, the key angles, phase, side, hold ring,
counts and the cue. Live adds: the set-up message as a large banner, the
get-ready countdown number, "paused" and rest banners, the set count, the keys
line, optional frames/s and latency, and the end-of-session summary card.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import cv2
import numpy as np

from posecheck.live.coach import (
    STAGE_ANNOUNCE,
    STAGE_COUNTDOWN,
    STAGE_PAUSED,
    STAGE_REST,
    STAGE_SETUP,
    LiveStatus,
)
from posecheck.sinks.overlay import (
    AMBER,
    CYAN,
    GREEN,
    GREY,
    WHITE,
    darken,
    put_text,
    text_size,
    wrap_greedy,
)

KEYS_TEXT = "q quit | space pause | s side | r reset"


def _scale(img: np.ndarray) -> float:
    h, w = img.shape[:2]
    return max(0.45, min(w, h) / 720.0)


def _centered_lines(
    img: np.ndarray,
    lines: Sequence[tuple[str, float, tuple[int, int, int]]],
    border: tuple[int, int, int] | None,
    y_centre: int | None = None,
) -> None:
    """A full-width dark band with centred lines of text (text, scale, colour)."""
    h, w = img.shape[:2]
    s = _scale(img)
    pad = max(6, round(16 * s))
    # each line wrapped at words to the width, a word longer than it shrunk (a portrait
    # camera, 480 px, cut the set-up message; the end card's corrections ran off it)
    lines = [(part, sc, col) for t, sc, col in lines
             for part in wrap_greedy(t, sc, max(1, round(2 * sc)), w - 2 * pad)]  # fmt: skip
    lines = [(t, sc * min(1.0, (w - 2 * pad) / max(1, text_size(t, sc, max(1, round(2 * sc)))[0])),
              col) for t, sc, col in lines]  # fmt: skip
    sizes = [text_size(t, sc, max(1, round(2 * sc))) for t, sc, _ in lines]
    bh = sum(th + base for _, th, base in sizes) + pad * (len(lines) + 1)
    yc = h // 2 if y_centre is None else y_centre
    y0 = max(0, yc - bh // 2)
    darken(img, 0, y0, w, y0 + bh, 0.3)
    if border is not None:
        cv2.rectangle(img, (0, y0), (w - 1, y0 + bh), border, max(2, round(3 * s)))
    y = y0
    for (t, sc, col), (tw, th, base) in zip(lines, sizes, strict=True):
        y += pad + th
        put_text(img, t, ((w - tw) // 2, y), sc, col, max(1, round(2 * sc)))
        y += base


def draw_stage(img: np.ndarray, status: LiveStatus, view: str | None) -> None:
    """Set-up banner, countdown number, paused and rest banners, a routine's step card."""
    s = _scale(img)
    if status.stage == STAGE_ANNOUNCE and status.card:
        draw_card(img, status.card)
    elif status.stage == STAGE_SETUP:
        msg = status.message or "Get into position"
        sub = "Set-up: the whole body in view"
        if view in ("side", "front"):
            sub += f", camera from the {view}"
        # the guide's one safety rule, where a person looks (not the terminal)
        safe = "Form feedback, not medical advice: stop on sharp pain"
        _centered_lines(img, [(msg, 1.3 * s, AMBER), (sub, 0.7 * s, WHITE), (safe, 0.6 * s, AMBER)],
                        AMBER)  # fmt: skip
    elif status.stage == STAGE_COUNTDOWN:
        n = max(1, math.ceil(status.countdown_left_s))
        _centered_lines(img, [("Get ready", 1.0 * s, WHITE), (str(n), 3.2 * s, GREEN)], GREEN)
    elif status.stage == STAGE_PAUSED:
        _centered_lines(img, [("Paused", 1.6 * s, GREY), ("press space to resume", 0.8 * s, WHITE)],
                        GREY)  # fmt: skip
    elif status.stage == STAGE_REST:
        _centered_lines(
            img,
            [(status.message or "Rest", 1.2 * s, CYAN),
             (f"{math.ceil(status.rest_left_s)} s", 2.4 * s, WHITE)],
            CYAN,
        )  # fmt: skip


def draw_card(img: np.ndarray, lines: Sequence[str]) -> None:
    """A routine's announcement: "Step 2 of 7", the run's title large, then the dose,
    the camera and the note; the routine's first card ends with its safety line."""
    s = _scale(img)
    head, _, title = lines[0].partition(": ")
    rows = [(head, 0.8 * s, CYAN), (title.rstrip("."), 1.4 * s, WHITE)]
    # the dose and camera lines without their full stops (sentences for the voice)
    for i, t in enumerate(lines[1:], 1):
        rows.append((t.removesuffix(".") if i < 3 else t, 0.75 * s,
                     AMBER if "sharp pain" in t else WHITE))  # fmt: skip
    _centered_lines(img, rows, CYAN)


def draw_corner(img: np.ndarray, status: LiveStatus, stats_text: str = "",
                keys_text: str = KEYS_TEXT,
                avoid: tuple[int, int, int, int] | None = None) -> None:  # fmt: skip
    """Top-right: a routine's step, set count, keys and (with --stats) frames/s and latency;
    below the box ``avoid`` (the overlay's header panel) where they would overlap (a
    portrait camera, 480 px: the keys were drawn across the hold ring)."""
    h, w = img.shape[:2]
    s = _scale(img)
    pad = max(6, round(12 * s))
    sc = 0.55 * s
    thick = max(1, round(1.2 * s))
    rows = []
    if status.step_text:
        rows.append((status.step_text, CYAN))
    if status.sets_total > 1:
        rows.append((f"set {min(status.sets_done + 1, status.sets_total)} of {status.sets_total}",
                     WHITE))  # fmt: skip
    rows.append((keys_text, (210, 210, 210)))
    if stats_text:
        rows.append((stats_text, GREEN))
    sizes = [text_size(t, sc, thick) for t, _ in rows]
    bw = max(tw for tw, _, _ in sizes) + 2 * pad
    bh = sum(th + base for _, th, base in sizes) + pad * (len(rows) + 1)
    x0 = w - bw - pad
    top = pad if avoid is None or x0 >= avoid[2] else avoid[3] + pad
    darken(img, x0, top, x0 + bw, top + bh, 0.4)
    y = top
    for (t, col), (_tw, th, base) in zip(rows, sizes, strict=True):
        y += pad + th
        put_text(img, t, (x0 + pad, y), sc, col, thick)
        y += base


def draw_summary(
    img: np.ndarray, lines: Sequence[str], title: str, footer: str = "press any key to close"
) -> None:
    """The end-of-session card over the last frame (``footer``: the key hint at the bottom)."""
    s = _scale(img)
    darken(img, 0, 0, img.shape[1], img.shape[0], 0.45)
    rows = [(title, 1.3 * s, GREEN)] + [(t, 0.75 * s, WHITE) for t in lines]
    rows.append((footer, 0.6 * s, (200, 200, 200)))
    _centered_lines(img, rows, None)

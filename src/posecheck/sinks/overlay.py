"""Draw a FrameResult onto a BGR image: skeleton, key angles, phase, hold ring, counts, cue.

Used by the annotated-video sink, by the report's thumbnails and by the live
window. Everything scales with the frame height (designed at 720 px, legible at
360 px). Drawing is plain OpenCV on the frame, with a few darkened panels behind
text (darkening a region is one vectorised multiply, far cheaper than blending a
full-frame copy), so it costs ~1-2 ms beside the ~23 ms of the pose model.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import cv2
import numpy as np

from posecheck.angles import known_measures
from posecheck.pose import LANDMARK_INDEX, SKELETON_EDGES, Pose
from posecheck.results import (
    STATE_LOW_VISIBILITY,
    STATE_NO_PERSON,
    STATE_PAUSED,
    STATE_TRACKING,
    STATE_WRONG_VIEW,
    FrameResult,
)
from posecheck.sinks import exview

if TYPE_CHECKING:
    from posecheck.exercise import Exercise

# BGR colours.
GREEN = (90, 200, 60)
AMBER = (0, 180, 255)
RED = (60, 60, 235)
WHITE = (245, 245, 245)
GREY = (160, 160, 160)
DARK = (25, 25, 25)
CYAN = (230, 200, 40)
STATUS_COLOURS = {"ok": GREEN, "near": AMBER, "bad": RED}
SEVERITY_COLOURS = {"safety": RED, "form": AMBER, "setup": CYAN}

FONT = cv2.FONT_HERSHEY_DUPLEX
FONT_BOLD = cv2.FONT_HERSHEY_DUPLEX
MIN_VIS = 0.5

# What the banner says per state when the engine gives no cue of its own.
STATE_TEXT = {
    STATE_NO_PERSON: "No person in view",
    STATE_LOW_VISIBILITY: "Body partly hidden: move so all of you is in view",
    STATE_WRONG_VIEW: "Wrong camera view",
    STATE_PAUSED: "Paused",
}

# Measures whose name is not what a person calls them: both hips read as one
# (foreshortening.profile_hip) is, to the person, their hip angle.
# the joint a measure's angle is at, as the report and the corrections name it ("shoulder
# angle 171°"): the overlay said "arm reach" where the report said "shoulder angle"
_LABELS = {"profile_hip": "hip", "arm_reach": "shoulder", "leg_reach": "hip",
           "reach_knee": "knee"}  # fmt: skip

_EDGE_IDX = [(LANDMARK_INDEX[a], LANDMARK_INDEX[b], a, b) for a, b in SKELETON_EDGES]


@dataclass
class _Layout:
    s: float  # scale: 1.0 at 720 px height
    pad: int
    line: int
    font: float
    small: float
    big: float


def _layout(w: int, h: int) -> _Layout:
    # Scale on the shorter side so portrait phone video gets the same text size.
    s = max(0.45, min(w, h) / 720.0)
    return _Layout(
        s=s,
        pad=max(6, round(14 * s)),
        line=max(1, round(2 * s)),
        # Text shrinks less than the frame (below ~480 px it would stop being readable),
        # but not so little that it cannot fit a tiny frame.
        font=max(min(0.46, 1.4 * 0.8 * s), 0.8 * s),
        small=max(min(0.4, 1.4 * 0.62 * s), 0.62 * s),
        big=max(min(0.62, 1.4 * 1.15 * s), 1.15 * s),
    )


def darken(img: np.ndarray, x0: int, y0: int, x1: int, y1: int, alpha: float = 0.35) -> None:
    """Darken a rectangle in place (a panel behind text); clipped to the image."""
    h, w = img.shape[:2]
    x0, y0, x1, y1 = max(0, x0), max(0, y0), min(w, x1), min(h, y1)
    if x1 > x0 and y1 > y0:
        roi = img[y0:y1, x0:x1]
        cv2.convertScaleAbs(roi, dst=roi, alpha=alpha, beta=0)


def text_size(text: str, scale: float, thick: int) -> tuple[int, int, int]:
    """(width, height above the baseline, depth below it) of ``text`` as drawn."""
    if not text.isascii():
        left, top, right, bottom = _pil_font(scale).getbbox(text, anchor="ls")
        return right - min(0, left), -top, max(0, bottom)
    (tw, th), base = cv2.getTextSize(text, FONT, scale, thick)
    return tw, th, base


# Text beyond ASCII ("Füße flach", "148°") is drawn with Pillow: OpenCV's Hershey fonts
# only know ASCII and draw "?" for the rest. The font is DejaVu Sans from matplotlib's
# own files (mediapipe requires matplotlib, so it is installed wherever posecheck is;
# found without importing matplotlib); Pillow's bundled font (no umlauts) is the
# fallback. The size matches the Hershey text's height at the same scale.
_PIL_PX_PER_SCALE = 30.0
_PIL_FONTS: dict[int, object] = {}


def unicode_font_path() -> str | None:
    """DejaVuSans.ttf shipped inside matplotlib, or None when it is not there."""
    import importlib.util
    import os

    spec = importlib.util.find_spec("matplotlib")
    if spec is None or not spec.origin:
        return None
    path = os.path.join(os.path.dirname(spec.origin), "mpl-data", "fonts", "ttf", "DejaVuSans.ttf")
    return path if os.path.isfile(path) else None


def _pil_font(scale: float):
    from PIL import ImageFont

    px = max(8, round(_PIL_PX_PER_SCALE * scale))
    font = _PIL_FONTS.get(px)
    if font is None:
        path = unicode_font_path()
        font = ImageFont.truetype(path, px) if path else ImageFont.load_default(size=px)
        _PIL_FONTS[px] = font
    return font


def _render_text_pil(text, scale, colour, thick, shadow):
    """Like :func:`_render_text`, with Pillow (any Unicode text)."""
    from PIL import Image, ImageDraw

    font = _pil_font(scale)
    stroke = (thick + 1 + thick // 2) if shadow else 0
    left, top, right, bottom = font.getbbox(text, anchor="ls", stroke_width=stroke)
    pad = 2
    w, h = right - min(0, left) + 2 * pad, bottom - top + 2 * pad
    org = (pad - min(0, left), pad - top)
    alpha = Image.new("L", (w, h), 0)
    col = Image.new("RGB", (w, h), (0, 0, 0))  # channels in the caller's (BGR) order
    # bolder strokes for thicker Hershey text: a thin stroke in the text's own colour
    body = max(0, thick - 1) // 2
    fill = tuple(int(c) for c in colour)
    width = stroke or body
    ImageDraw.Draw(alpha).text(
        org, text, font=font, fill=255, anchor="ls", stroke_width=width, stroke_fill=255
    )
    ImageDraw.Draw(col).text(
        org, text, font=font, fill=fill, anchor="ls", stroke_width=width,
        stroke_fill=DARK if stroke else fill,
    )  # fmt: skip
    a = np.asarray(alpha)
    c = np.asarray(col).copy()
    # premultiply: the sprite is blended as img * (1 - alpha) + col
    c = (c.astype(np.uint16) * a[..., None] // 255).astype(np.uint8)
    inv = cv2.cvtColor(255 - a, cv2.COLOR_GRAY2BGR)
    return c, inv, -org[0], -org[1]


class _SpriteCache:
    """Rendered text kept as small premultiplied images, reused across frames.

    OpenCV's Hershey text with anti-aliasing and an outline costs ~0.5-1 ms a
    string at 720p (each glyph is stroked as thick polylines); the same strings
    ("holds 1", the cue, "hip 175") come back frame after frame, so they are
    drawn once and then blended in with two vectorised OpenCV calls.
    """

    def __init__(self, size: int = 512) -> None:
        self.size = size
        self._d: dict[tuple, tuple[np.ndarray, np.ndarray, int, int]] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple, render) -> tuple[np.ndarray, np.ndarray, int, int]:
        with self._lock:
            hit = self._d.get(key)
        if hit is not None:
            return hit
        hit = render()
        with self._lock:
            if len(self._d) >= self.size:
                self._d.pop(next(iter(self._d)))
            self._d[key] = hit
        return hit


_SPRITES = _SpriteCache()


def _render_text(text, scale, colour, thick, shadow, bg=None):
    """(premultiplied BGR, inverse alpha BGR, dx, dy): the sprite and its offset from org."""
    if not text.isascii():
        return _render_text_pil(text, scale, colour, thick, shadow)
    outline = thick + 2 + thick // 2 if shadow else thick
    (tw, th), base = cv2.getTextSize(text, FONT, scale, thick)
    pad = outline + 2
    w, h = tw + 2 * pad, th + base + 2 * pad
    org = (pad, pad + th)
    alpha = np.zeros((h, w), np.uint8)
    col = np.zeros((h, w, 3), np.uint8)
    if shadow:
        cv2.putText(alpha, text, org, FONT, scale, (255,), outline, cv2.LINE_AA)
        cv2.putText(col, text, org, FONT, scale, DARK, outline, cv2.LINE_AA)
    cv2.putText(alpha, text, org, FONT, scale, (255,), thick, cv2.LINE_AA)
    cv2.putText(col, text, org, FONT, scale, colour, thick, cv2.LINE_AA)
    inv = cv2.cvtColor(255 - alpha, cv2.COLOR_GRAY2BGR)
    return col, inv, -org[0], -org[1]


def put_text(
    img: np.ndarray,
    text: str,
    org: tuple[int, int],
    scale: float,
    colour: tuple[int, int, int] = WHITE,
    thick: int = 1,
    shadow: bool = True,
) -> None:
    """Text with a dark outline so it reads on any background (``org``: baseline start).

    Same look as ``cv2.putText`` twice (outline, then text), drawn from a cache.
    """
    key = (text, round(float(scale), 4), tuple(int(c) for c in colour), int(thick), shadow)
    col, inv, dx, dy = _SPRITES.get(key, lambda: _render_text(text, scale, colour, thick, shadow))
    H, W = img.shape[:2]
    x0, y0 = int(org[0]) + dx, int(org[1]) + dy
    h, w = col.shape[:2]
    # Clip the sprite to the image.
    sx0, sy0 = max(0, -x0), max(0, -y0)
    sx1, sy1 = min(w, W - x0), min(h, H - y0)
    if sx1 <= sx0 or sy1 <= sy0:
        return
    roi = img[y0 + sy0 : y0 + sy1, x0 + sx0 : x0 + sx1]
    blended = cv2.multiply(roi, inv[sy0:sy1, sx0:sx1], scale=1 / 255)
    cv2.add(blended, col[sy0:sy1, sx0:sx1], dst=roi)


def _free_y(x0: int, y0: int, pw: int, ph: int, h: int, placed) -> int:
    """``y0`` moved, if need be, so a tag of ``pw`` x ``ph`` at ``x0`` covers none of the
    tags already ``placed`` (two joints close together, e.g. the back curvature's label
    and the hip's): below the one it meets, or above it at the bottom of the frame."""
    for _ in range(len(placed) + 1):
        hit = next((r for r in placed if x0 < r[2] and r[0] < x0 + pw and y0 < r[3] and
                    r[1] < y0 + ph), None)  # fmt: skip
        if hit is None:
            return y0
        below = hit[3] + 2
        y0 = below if below + ph <= h - 2 else max(2, hit[1] - ph - 2)
    return y0


def _curve_text(value: float) -> str:
    """The back's curve in words: "back rounded 9%", "back dipped 7%", "back flat" (a
    signed share, "back curvature -7%" or "-0%", meant nothing to a person)."""
    pct = round(value * 100)
    if pct == 0:
        return "back flat"
    return f"back {'rounded' if pct > 0 else 'dipped'} {abs(pct)}%"


def _degree_text(value: float, unit: str) -> str:
    if unit == "deg":
        return f"{value:.0f}"  # (the degree sign is drawn)
    return f"{value * 100:.0f}%"  # a ratio: a share of a length (corrections.ratio_of)


def _wrap(text: str, scale: float, thick: int, max_w: int) -> list[str]:
    lines = wrap_greedy(text, scale, thick, max_w)
    if len(lines) == 2:  # balance two lines: no lone word on the second
        words = text.split()
        best = min(
            (max(text_size(" ".join(words[:i]), scale, thick)[0],
                 text_size(" ".join(words[i:]), scale, thick)[0]), i)
            for i in range(1, len(words))
        )  # fmt: skip
        if best[0] <= max_w:
            i = best[1]
            return [" ".join(words[:i]), " ".join(words[i:])]
    return lines


def wrap_greedy(text: str, scale: float, thick: int, max_w: int) -> list[str]:
    """``text`` in lines no wider than ``max_w`` at ``scale``, as many words on each as fit
    (a word wider than that is a line of its own)."""
    words, lines, cur = text.split(), [], ""
    for wd in words:
        trial = f"{cur} {wd}".strip()
        if cur and text_size(trial, scale, thick)[0] > max_w:
            lines.append(cur)
            cur = wd
        else:
            cur = trial
    if cur:
        lines.append(cur)
    return lines or [""]


class Overlay:
    """Draws FrameResults for one exercise.

    ``draw(img, result)`` draws in place and returns ``img``. ``exercise`` may be
    None (skeleton and state only). ``show_counts=False`` hides the hold ring and
    counters (e.g. during a live set-up stage).
    """

    def __init__(self, exercise: Exercise | None = None, *, show_counts: bool = True) -> None:
        self.exercise = exercise
        self.title = exview.ex_title(exercise) if exercise is not None else ""
        self.view = exview.ex_view(exercise)
        d = exview.dose(exercise)
        self.dose_reps = exercise.dose.total if exercise is not None else None
        self.dose_hold_s = d.get("hold_s")
        self.hold_phases = exview.hold_phases(exercise)
        self.counts_reps = exercise is not None and not exview.holds_only(exercise)
        self.show_counts = show_counts
        self._specs = known_measures()
        self._layout_cache: tuple[tuple[int, int], _Layout] | None = None
        self._placed: list[tuple[int, int, int, int]] = []  # this frame's tags (x0, y0, x1, y1)
        # the last frame's header panel (x0, y0, x1, y1): live's keys box keeps clear of it
        self.header_box: tuple[int, int, int, int] | None = None

    # -- public ------------------------------------------------------------------

    def draw(self, img: np.ndarray, result: FrameResult) -> np.ndarray:
        h, w = img.shape[:2]
        if self._layout_cache is None or self._layout_cache[0] != (w, h):
            self._layout_cache = ((w, h), _layout(w, h))
        lay = self._layout_cache[1]
        if result.pose is not None:
            self._skeleton(img, result.pose, result.side, lay)
            if result.state in (STATE_TRACKING, STATE_PAUSED):
                self._angles(img, result, lay)
        self._header(img, result, lay)
        if result.state != STATE_TRACKING:
            self._banner(img, result, lay)
        if result.cue is not None:
            self._cue(img, result, lay)
        return img

    # -- parts -------------------------------------------------------------------

    def _skeleton(self, img: np.ndarray, pose: Pose, side: str | None, lay: _Layout) -> None:
        xy = pose.xy
        vis = pose.visibility
        thick = max(2, round(4 * lay.s))
        for i, j, a, _b in _EDGE_IDX:
            if vis[i] < MIN_VIS or vis[j] < MIN_VIS:
                continue
            p = (int(xy[i, 0]), int(xy[i, 1]))
            q = (int(xy[j, 0]), int(xy[j, 1]))
            worked = side is None or a.startswith(side) or not a.startswith(("left", "right"))
            cv2.line(img, p, q, DARK, thick + 2, cv2.LINE_AA)
            cv2.line(img, p, q, WHITE if worked else GREY, thick, cv2.LINE_AA)
        r = max(3, round(5 * lay.s))
        for name in ("shoulder", "elbow", "wrist", "hip", "knee", "ankle"):
            for s in ("left", "right"):
                k = LANDMARK_INDEX[f"{s}_{name}"]
                if vis[k] < MIN_VIS:
                    continue
                c = (int(xy[k, 0]), int(xy[k, 1]))
                worked = side is None or s == side
                cv2.circle(img, c, r + 1, DARK, -1, cv2.LINE_AA)
                cv2.circle(img, c, r, CYAN if worked else GREY, -1, cv2.LINE_AA)

    def _angles(self, img: np.ndarray, result: FrameResult, lay: _Layout) -> None:
        pose = result.pose
        assert pose is not None
        self._placed.clear()
        for name in result.key_measures:
            spec = self._specs.get(name)
            val = result.measures.get(name, math.nan)
            if spec is None or val is None or not math.isfinite(val):
                continue
            points = list(spec.points)
            if spec.kind == "joint" and len(points) == 6:
                # a joint read on both sides at once (profile_hip): drawn at the side
                # seen better, as long as that side is in view
                points = max((points[:3], points[3:]), key=lambda t: min(pose.vis(p) for p in t))
            if any(pose.vis(p) < MIN_VIS for p in points):
                continue
            colour = STATUS_COLOURS.get(result.measure_status.get(name, ""), WHITE)
            pts = [pose.point(p) for p in points]
            bare = exview.bare_name(name, result.side)
            label = _LABELS.get(bare, bare.replace("_", " "))
            text = (
                _curve_text(val)
                if bare == "back_curvature"
                else f"{label} {_degree_text(val, spec.unit)}"
            )
            if spec.kind == "joint":
                self._joint_arc(img, pts[0], pts[1], pts[2], colour, text, spec.unit, lay)
            else:
                self._segment_label(img, pts[0], pts[1], colour, text, spec.unit, lay)

    def _joint_arc(self, img, a, b, c, colour, text, unit, lay) -> None:
        a1 = math.degrees(math.atan2(a[1] - b[1], a[0] - b[0]))
        a2 = math.degrees(math.atan2(c[1] - b[1], c[0] - b[0]))
        d = (a2 - a1 + 540) % 360 - 180  # signed short way from a1 to a2
        r = max(12, round(34 * lay.s))
        centre = (int(b[0]), int(b[1]))
        cv2.ellipse(img, centre, (r, r), 0, a1, a1 + d, DARK, max(3, round(7 * lay.s)), cv2.LINE_AA)
        cv2.ellipse(
            img, centre, (r, r), 0, a1, a1 + d, colour, max(2, round(5 * lay.s)), cv2.LINE_AA
        )
        # Label outside the angle, opposite its bisector, so it never covers the limbs.
        mid = math.radians(a1 + d / 2)
        off = r + round(30 * lay.s)
        lx, ly = b[0] - math.cos(mid) * off, b[1] - math.sin(mid) * off
        self._pill(img, (lx, ly), text, colour, unit, lay)

    def _segment_label(self, img, a, b, colour, text, unit, lay) -> None:
        thick = max(2, round(5 * lay.s))
        cv2.line(img, (int(a[0]), int(a[1])), (int(b[0]), int(b[1])), colour, thick, cv2.LINE_AA)
        mx, my = (a[0] + b[0]) / 2, (a[1] + b[1]) / 2
        self._pill(img, (mx, my - 30 * lay.s), text, colour, unit, lay)

    def _pill(self, img, centre, text, colour, unit, lay) -> None:
        """A coloured tag with the value, centred at ``centre`` and kept inside the frame."""
        h, w = img.shape[:2]
        scale, thick = lay.small, max(1, round(1.4 * lay.s))
        tw, th, _ = text_size(text, scale, thick)
        deg_r = max(2, round(3.5 * lay.s)) if unit == "deg" else 0
        pw, ph = tw + lay.pad + (2 * deg_r + 3 if deg_r else 0), th + lay.pad
        x0 = int(min(max(2, centre[0] - pw / 2), w - pw - 2))
        y0 = _free_y(x0, int(min(max(2, centre[1] - ph / 2), h - ph - 2)), pw, ph, h, self._placed)
        self._placed.append((x0, y0, x0 + pw, y0 + ph))
        cv2.rectangle(img, (x0, y0), (x0 + pw, y0 + ph), colour, -1, cv2.LINE_AA)
        cv2.rectangle(img, (x0, y0), (x0 + pw, y0 + ph), DARK, 1, cv2.LINE_AA)
        tx, ty = x0 + lay.pad // 2, y0 + (ph + th) // 2
        put_text(img, text, (tx, ty), scale, DARK, thick, shadow=False)
        if deg_r:  # Hershey fonts have no degree sign: draw one
            cv2.circle(img, (tx + tw + deg_r + 2, ty - th + deg_r), deg_r, DARK, thick, cv2.LINE_AA)

    def _header(self, img: np.ndarray, result: FrameResult, lay: _Layout) -> None:
        """One compact panel at the top left: title, phase and side, hold ring, counts.

        Kept together in a corner (not spread over the top edge) because lying and
        kneeling exercises put knees and feet in the other corners.
        """
        thick = max(1, round(1.5 * lay.s))
        text: list[tuple[str, float, tuple[int, int, int]]] = []
        if self.title:
            text.append((self.title, lay.font, WHITE))
        info = []
        if result.phase:
            info.append(result.phase.replace("_", " "))
        if result.side:
            info.append(exview.side_words(self.exercise, result.side))
        if info:
            text.append((" | ".join(info), lay.small, (215, 215, 215)))
        counting = self.show_counts and self.exercise is not None
        show_ring = counting and (bool(self.hold_phases) or result.hold_target_s is not None)
        counts = self._count_rows(result, show_ring) if counting else []
        if not text and not counts and not show_ring:
            return
        # The ring fits its "12.5s" label, also where text is kept larger than the frame scale.
        r = max(
            round(40 * lay.s), text_size("00.0s", lay.font, thick)[0] // 2 + round(8 * lay.s) + 3
        )
        csz = [text_size(t, lay.font, thick) for t in counts]
        max_w = img.shape[1] - 2 * lay.pad
        title_row = bool(self.title)
        while True:
            tsz = [text_size(t, sc, thick) for t, sc, _ in text]
            blocks_w = [max((s[0] for s in tsz), default=0), 2 * r if show_ring else 0,
                        max((s[0] for s in csz), default=0)]  # fmt: skip
            used = [b for b in blocks_w if b]
            pw = sum(used) + lay.pad * (len(used) + 1) + lay.pad  # a wider gap after the title
            if pw <= max_w or not title_row:
                break
            # A long title on a narrow (portrait) frame: smaller, then shortened, then gone.
            t, sc, col = text[0]
            if sc != lay.small:
                text[0] = (t, lay.small, col)
            elif len(t) > 12:
                text[0] = (t[: len(t) - 4] + "...", sc, col)
            else:
                text.pop(0)
                title_row = False
        col_h = [
            sum(s[1] + s[2] for s in sz) + lay.pad // 2 * max(0, len(sz) - 1) for sz in (tsz, csz)
        ]
        ph = max(col_h[0], col_h[1], 2 * r if show_ring else 0) + 2 * lay.pad
        x0 = y0 = lay.pad
        darken(img, x0, y0, x0 + pw, y0 + ph)
        self.header_box = (x0, y0, x0 + pw, y0 + ph)
        x = x0 + lay.pad
        blocks: tuple[tuple[list[tuple[int, int, int]], Sequence[Any]], ...] = (
            (tsz, text),
            (csz, counts),
        )
        for block, (sz, rows) in enumerate(blocks):
            if not rows:
                continue
            y = y0 + (ph - col_h[block]) // 2
            for (_tw, th, base), row in zip(sz, rows, strict=True):
                t, sc, col = row if isinstance(row, tuple) else (row, lay.font, WHITE)
                y += th
                put_text(img, t, (x, y), sc, col, thick)
                y += base + lay.pad // 2
            x += max(s[0] for s in sz) + 2 * lay.pad
            if block == 0 and show_ring:
                self._ring(img, (x + r, y0 + ph // 2), r, result, lay)
                x += 2 * r + lay.pad

    def _count_rows(self, result: FrameResult, show_ring: bool) -> list[str]:
        """The header's counters: holds (with the ring), reps (with a cycle or a rep dose)."""
        counts: list[str] = []
        # The engine counts a hold when it ends; the ring is full (and live says "Hold
        # complete") as soon as it reaches its target, so the count shows it from then on.
        target = result.hold_target_s
        holds = result.holds_done + bool(target and (result.hold_s or 0.0) >= target)
        if show_ring and not self.counts_reps:
            counts.append(f"holds {holds}" + (f"/{self.dose_reps}" if self.dose_reps else ""))
        elif show_ring:
            counts.append(f"holds {holds}")
        if self.counts_reps:
            counts.append(
                f"reps {result.reps_done}" + (f"/{self.dose_reps}" if self.dose_reps else "")
            )
        return counts

    def _ring(self, img, centre, r, result: FrameResult, lay: _Layout) -> None:
        target = (
            result.hold_target_s or self.hold_phases.get(result.phase or "") or self.dose_hold_s
        )
        ring_w = max(3, round(8 * lay.s))
        cv2.circle(img, centre, r, (90, 90, 90), ring_w, cv2.LINE_AA)
        held = result.hold_s or 0.0
        if target:
            frac = max(0.0, min(1.0, held / float(target)))
            colour = GREEN if frac >= 1.0 else AMBER
            if frac > 0:
                cv2.ellipse(img, centre, (r, r), -90, 0, 360 * frac, colour, ring_w, cv2.LINE_AA)
        thick = max(1, round(1.6 * lay.s))
        big = f"{held:.0f}s" if held >= 10 or held == 0 else f"{held:.1f}s"
        tw, th, _ = text_size(big, lay.font, thick)
        put_text(img, big, (centre[0] - tw // 2, centre[1] + th // 3), lay.font, WHITE, thick)
        if target:
            sub = f"of {float(target):.0f}s"
            sw, sh, _ = text_size(sub, lay.small * 0.8, 1)
            put_text(img, sub, (centre[0] - sw // 2, centre[1] + th // 3 + sh + 4), lay.small * 0.8,
                     (210, 210, 210), 1)  # fmt: skip

    def _banner(self, img: np.ndarray, result: FrameResult, lay: _Layout) -> None:
        h, w = img.shape[:2]
        text = STATE_TEXT.get(result.state, result.state.replace("_", " "))
        if result.state == STATE_WRONG_VIEW and self.view:
            text = (
                f"Wrong view: film from the {self.view}"
                if self.view != "side"
                else ("Wrong view: turn side-on to the camera")
            )
        colour = GREY if result.state == STATE_PAUSED else AMBER
        thick = max(1, round(2 * lay.s))
        lines = _wrap(text, lay.big, thick, int(w * 0.86))
        sizes = [text_size(t, lay.big, thick) for t in lines]
        bh = sum(s[1] + s[2] for s in sizes) + lay.pad * (len(lines) + 1)
        y0 = h // 2 - bh // 2
        darken(img, 0, y0, w, y0 + bh, 0.3)
        cv2.rectangle(img, (0, y0), (w, y0 + bh), colour, max(2, round(3 * lay.s)))
        y = y0
        for t, (tw, th, base) in zip(lines, sizes, strict=True):
            y += lay.pad + th
            put_text(img, t, ((w - tw) // 2, y), lay.big, colour, thick)
            y += base

    def _cue(self, img: np.ndarray, result: FrameResult, lay: _Layout) -> None:
        cue = result.cue
        assert cue is not None
        h, w = img.shape[:2]
        thick = max(1, round(2 * lay.s))
        scale = lay.big
        lines = _wrap(cue.text, scale, thick, int(w - 6 * lay.pad))
        if len(lines) > 2:  # long cue: smaller text rather than a third line
            scale = lay.font
            lines = _wrap(cue.text, scale, thick, int(w - 6 * lay.pad))
        sizes = [text_size(t, scale, thick) for t in lines]
        bh = sum(s[1] + s[2] for s in sizes) + lay.pad * (len(lines) + 1)
        y0 = h - bh
        darken(img, 0, y0, w, h, 0.3)
        accent = SEVERITY_COLOURS.get(cue.severity, AMBER)
        cv2.rectangle(img, (0, y0), (max(6, round(12 * lay.s)), h), accent, -1)
        y = y0
        for t, (tw, th, base) in zip(lines, sizes, strict=True):
            y += lay.pad + th
            put_text(img, t, ((w - tw) // 2, y), scale, WHITE, thick)
            y += base

"""Split one recording of a routine into its exercises (``analyze --routine``).

Pure Python + numpy (no cv2, no mediapipe). Works on what a landmarks file gives: the
frame times and, per frame, a :class:`~posecheck.pose.Pose` or None.

1. **Evidence per second.** The recording is cut into cells of ``HOP_S``; around each
   cell a window of ``WINDOW_S`` of poses (sampled at the recogniser's
   :data:`~posecheck.recognize.SAMPLE_FPS`) is scored by
   :func:`posecheck.recognize.recognize`, the same scoring ``-e auto`` uses on a whole
   clip, on the frames of the cell's own posture. With a named routine the candidates
   are the plan's exercises and a cell's evidence for one is its score, halved when
   another plan exercise ranks above it (bridge and pelvic tilt both fit a bridge's
   start position; the ranking tells them apart). In ``auto`` mode the whole library
   is scored and only the window's answer (or, when none, the closest exercise that
   fits in part) gets evidence: its share of the evidence (``confidence``).
2. **Forced gaps.** A cell where nobody is in view for most of the time, or where the
   poses are frozen (a still frame: every landmark still to within ``FROZEN_MOVE``),
   is "between", whatever the window says.
3. **Best path** (dynamic programming over the cells). Named: states "between" and
   one per plan run, in the plan's order; runs may be skipped, each is one contiguous
   span; when the best path in any order over the plan's exercises gains more than
   ``REORDER_GAIN`` over it (the routine done in another order), that path, each of
   its steps the first run of its exercise not yet found (:func:`plan_path`). Auto:
   "between" or any exercise, in any order. A cell in a step gains its
   evidence minus ``STEP_COST``; entering a step costs ``ENTER_COST`` (so a short dip
   of the evidence inside a step does not split it).
4. **Refined edges.** Each step's edges move from the cell grid to the frames: the
   step spans the frames in the exercise's posture, with a pose, not frozen, that
   overlap its cells (gaps shorter than ``GAP_S`` bridged), so it starts on the first
   frame the person is in position and ends on the last.

Limits: two runs of one posture with no gap between them (no rest, nobody leaving,
no still frame) are parted only where the evidence changes, to the cell grid; a
person resting in the exercise's own posture is counted into the step.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from posecheck.pose import Pose
from posecheck.recognize import POSTURE_UNKNOWN, SAMPLE_FPS, classify_posture, recognize

# Cells (the grid of the split) and the window of poses scored around each.
HOP_S = 1.0
WINDOW_S = 10.0
# A cell in a step gains its evidence (0-1) minus this; "between" gains 0.
STEP_COST = 0.3
# Entering a step costs this: a dip of the evidence shorter than ENTER_COST / STEP_COST
# seconds does not split a step (auto mode), nor end one early.
ENTER_COST = 1.5
# A cell is "between" when a pose is found in less than this share of its frames, or
# when this share of them is frozen.
MIN_PRESENT_SHARE = 0.5
FROZEN_SHARE = 0.5
# Frozen: no visible landmark moved more than this share of the body's extent in
# FROZEN_LAG_S. A still frame (a title card, a paused video); a person holding still
# moves more (over 0.5 s the real clips' holds move 0.0012-0.01 at the least, their
# title cards and frozen frames 0.0002-0.0009).
FROZEN_MOVE = 0.001
FROZEN_LAG_S = 0.5
# A still picture: frames each differing from the one before by less than STILL_CHANGE
# (the largest absolute difference of a grey thumbnail's pixels, 0-255) for
# STILL_SPAN_S or more. An H.264 still frame changes by up to ~5 while the encoder
# refines it; a person breathing or tilting the pelvis in the real clips by more (none
# of their frames is still), a video stored with each frame twice for one frame only.
STILL_CHANGE = 5.0
STILL_SPAN_S = 0.5
# Refinement: gaps in the posture shorter than this are bridged.
GAP_S = 1.0
# A step shorter than this is not a step (a window's glitch).
MIN_STEP_S = 2.0
_FORCED = -5.0  # gain of a step in a forced "between" cell
# A named routine done in another order than its plan: the split in the plan's order is
# replaced by the best split in any order (each run of the plan still found at most
# once) when that gains more than this. A recording done in the plan's order gains
# nothing from leaving it (the same steps), so the plan decides when the evidence is
# close; the cost of entering a step is a step the plan's order cannot place (6 s of
# clear evidence, 0.7 over STEP_COST, gain 2.7).
REORDER_GAIN = ENTER_COST


@dataclass
class Span:
    """One span of the recording: a step (an exercise) or the time between steps."""

    kind: str  # "step" | "between"
    start: int  # first row (frame of the recording), inclusive
    end: int  # last row, exclusive
    start_s: float
    end_s: float  # media time, exclusive: the next frame's time (or the last + one frame)
    exercise: str | None = None
    run: int | None = None  # index into the plan (0-based) in named mode
    confidence: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind, "exercise": self.exercise, "start_s": round(self.start_s, 3),
            "end_s": round(self.end_s, 3), "confidence": self.confidence,
        }  # fmt: skip


@dataclass
class Features:
    """Per-frame facts the split needs (full frame rate)."""

    t_s: np.ndarray
    present: np.ndarray
    frozen: np.ndarray
    postures: list[str] = field(default_factory=list)
    # a still picture (from the video's pixels, :func:`still_frames`): ends a step's
    # edges, never splits a step (a person holding still in a clean video can be one)
    still: np.ndarray | None = None


def frame_features(
    t_s: Sequence[float], poses: Sequence[Pose | None], still: Sequence[bool] | None = None
) -> Features:
    """Posture, pose found, frozen (no landmark moved) and, when given, ``still`` (the
    picture did not change: :func:`still_frames`) for every frame."""
    t = np.asarray(t_s, dtype=float)
    present = np.array([p is not None for p in poses], dtype=bool)
    frozen = np.zeros(len(poses), dtype=bool)
    # against the pose FROZEN_LAG_S earlier: a video that repeats each frame twice
    # (15 frames/s stored at 30) has still pairs, a still frame has no movement at all
    # (and against the pose as long after: the first frames of a still are frozen too)
    before = np.searchsorted(t, t - FROZEN_LAG_S)
    after = np.minimum(np.searchsorted(t, t + FROZEN_LAG_S), len(t) - 1)
    for i, pose in enumerate(poses):
        if pose is None:
            continue
        for j in (int(before[i]), int(after[i])):
            other = poses[j] if j != i else None
            if other is not None and _still(other, pose):
                frozen[i] = True
                break
    postures = [classify_posture(p) for p in poses]
    pixels = None if still is None else np.asarray(still, dtype=bool)
    return Features(t, present, frozen, postures, pixels)


def _still(a: Pose, b: Pose) -> bool:
    vis = (a.visibility >= 0.5) & (b.visibility >= 0.5)
    if vis.sum() < 4:
        return False
    d = np.hypot(*(b.xy[vis] - a.xy[vis]).T)
    ys = b.xy[vis]
    size = float(np.hypot(*(ys.max(axis=0) - ys.min(axis=0)))) or 1.0
    # the body's extent stands in for the trunk (it is there whatever the posture)
    return bool(np.nanmax(d) / size < FROZEN_MOVE)


def still_frames(t_s: Any, change: Any, max_change: float = STILL_CHANGE) -> np.ndarray:
    """Per frame, whether the picture stands still: it belongs to a run of frames each
    differing from the one before by less than ``max_change`` (``change``: the largest
    absolute difference of a small grey thumbnail's pixels, 0-255; the first frame's
    is ignored) that lasts STILL_SPAN_S or more.

    The model does not freeze on a still picture (its landmarks settle over 1.5-2.5 s),
    so a still frame (a paused or frozen video) is told from the pixels. A real person
    holding still is mostly not a still picture (the camera's noise changes it), but in
    a clean, compressed video can be: so a still only ends a step's edges.
    """
    t = np.asarray(t_s, dtype=float)
    same = np.asarray(change, dtype=float) < max_change  # frame i shows frame i - 1
    out = np.zeros(len(t), dtype=bool)
    i = 1
    while i < len(t):
        if not same[i]:
            i += 1
            continue
        j = i
        while j + 1 < len(t) and same[j + 1]:
            j += 1
        if t[j] - t[i - 1] >= STILL_SPAN_S:  # frames i - 1 .. j are one picture
            out[i - 1 : j + 1] = True
        i = j + 1
    return out


def _cells(t: np.ndarray) -> np.ndarray:
    """Cell number of every frame."""
    return np.floor((t - t[0]) / HOP_S).astype(int) if len(t) else np.zeros(0, int)


def forced_between(f: Features) -> np.ndarray:
    """Per cell: nobody in view most of the time, or frozen most of the time."""
    cell = _cells(f.t_s)
    n = int(cell.max()) + 1 if len(cell) else 0
    out = np.zeros(n, dtype=bool)
    for c in range(n):
        sel = cell == c
        k = int(sel.sum())
        if not k:
            out[c] = True
            continue
        out[c] = (f.present[sel].sum() / k < MIN_PRESENT_SHARE) or (
            f.frozen[sel].sum() / k >= FROZEN_SHARE
        )
    return out


def sample_rows(t_s: Any, fps: float) -> list[int]:
    """Row indices at most ``fps`` a second (the first row, then each >= 1/fps later):
    the recogniser is tuned on frames sampled so (``SAMPLE_FPS``)."""
    rows, next_t = [], -math.inf
    for i, t in enumerate(t_s):
        if t + 1e-6 >= next_t:
            rows.append(i)
            next_t = float(t) + 1.0 / fps
    return rows


def window_evidence(
    f: Features, poses: Sequence[Pose | None], exercises: Sequence[Any], auto: bool
) -> np.ndarray:
    """Evidence (cells x exercises, 0-1) from recognition over a window around each cell.

    A cell's window holds the sampled frames within WINDOW_S / 2 of it that are in the
    cell's own posture (its most frequent one), not frozen, and not beyond a "between"
    cell (:func:`forced_between`): what comes before or after another step, a walk out
    or a still frame would dilute the posture the window is judged on.
    """
    forced = forced_between(f)
    n_cells = len(forced)
    names = [ex.name for ex in exercises]
    ev = np.zeros((n_cells, len(names)))
    rows = np.asarray(sample_rows(f.t_s, SAMPLE_FPS), dtype=int)
    rows = rows[~f.frozen[rows]]
    t_rows = f.t_s[rows]
    cell = _cells(f.t_s)
    row_cell = cell[rows]
    postures = np.asarray(f.postures, dtype=object)
    half = int(round(WINDOW_S / 2 / HOP_S))
    for c in range(n_cells):
        if forced[c]:
            continue
        lo, hi = c, c
        while lo > max(0, c - half) and not forced[lo - 1]:
            lo -= 1
        while hi < min(n_cells - 1, c + half) and not forced[hi + 1]:
            hi += 1
        own = _main_posture(postures[cell == c])
        mid = float(f.t_s[0]) + (c + 0.5) * HOP_S
        near = (t_rows >= mid - WINDOW_S / 2) & (t_rows < mid + WINDOW_S / 2)
        near &= (row_cell >= lo) & (row_cell <= hi)
        if own is not None:
            near &= postures[rows] == own
        sel = rows[near]
        if sum(poses[i] is not None for i in sel) < 5:
            continue
        rec = recognize([float(f.t_s[i]) for i in sel], [poses[i] for i in sel], exercises)
        if auto:
            # the answer, or when none the closest exercise if it fits in part (a
            # window sees part of a slow exercise: a cobra's one lift): its share
            best = rec.name or (rec.closest if rec.fits_in_part(rec.closest) else None)
            if best is not None:
                ev[c, names.index(best)] = rec.confidence
            continue
        # the first of the plan's exercises in the recogniser's ranking gets its score,
        # the others half of theirs
        for k, sc in enumerate(rec.scores):
            ev[c, names.index(sc.name)] = sc.score * (1.0 if k == 0 else 0.5)
    return ev


def _main_posture(postures: np.ndarray) -> str | None:
    """The most frequent known posture, or None."""
    known = [p for p in postures if p != POSTURE_UNKNOWN]
    if not known:
        return None
    values, counts = np.unique(np.asarray(known, dtype=str), return_counts=True)
    return str(values[int(np.argmax(counts))])


def best_path(gain: np.ndarray, forced: np.ndarray, ordered: bool) -> list[int]:
    """The state per cell (-1: between; k: step state k) maximising the total gain.

    ``gain``: cells x states, a step cell's gain (evidence minus STEP_COST).
    ``ordered``: named routine, the states are the plan's runs: each is entered at most
    once, in order (runs may be skipped). Otherwise any state follows any.
    """
    n, m = gain.shape
    if n == 0:
        return []
    g = np.where(forced[:, None], _FORCED, gain)
    if ordered:
        return _ordered_path(g)
    # states: 0 = between, 1..m = steps
    score = np.concatenate([[0.0], g[0] - ENTER_COST])
    back = np.zeros((n, m + 1), dtype=int)
    for c in range(1, n):
        new = np.empty(m + 1)
        best_prev = int(np.argmax(score))
        new[0] = score[best_prev]
        back[c, 0] = best_prev
        for s in range(1, m + 1):
            stay, enter = score[s], score[best_prev] - ENTER_COST
            if stay >= enter:
                new[s], back[c, s] = stay, s
            else:
                new[s], back[c, s] = enter, best_prev
            new[s] += g[c, s - 1]
        score = new
    return [s - 1 for s in _backtrack(back, int(np.argmax(score)))]


def path_gain(g: np.ndarray, forced: np.ndarray, path: list[int]) -> float:
    """The total gain of ``path`` (its states index ``g``'s columns; -1 between), as the
    best path scores it: each step cell's gain, each entry into a step ENTER_COST."""
    total, prev = 0.0, -1
    for c, s in enumerate(path):
        if s >= 0:
            total += _FORCED if forced[c] else float(g[c, s])
            if s != prev:
                total -= ENTER_COST
        prev = s
    return total


def plan_path(gain: np.ndarray, forced: np.ndarray, runs: Sequence[int]) -> list[int]:
    """A named routine's path: the state per cell, a plan run (0-based) or -1.

    ``gain``: cells x the plan's distinct exercises; ``runs``: per plan run, its
    exercise's column. The best path in the plan's order, unless the best in any order
    gains more than REORDER_GAIN over it and finds no exercise more often than the plan
    has runs of it: then that one, each of its steps taken (in time order) as the first
    run of its exercise not yet found."""
    cols = list(runs)
    by_run = gain[:, cols]
    ordered = best_path(by_run, forced, True)
    free = best_path(gain, forced, False)
    if path_gain(gain, forced, free) - path_gain(by_run, forced, ordered) <= REORDER_GAIN:
        return ordered
    left = list(range(len(cols)))
    mapped, prev, run = [], -1, -1
    for s in free:
        if s >= 0 and s != prev:
            run = next((r for r in left if cols[r] == s), -1)
            if run < 0:
                return ordered  # more of it than the plan has: the plan's order decides
            left.remove(run)
        mapped.append(run if s >= 0 else -1)
        prev = s
    return mapped


def _ordered_path(g: np.ndarray) -> list[int]:
    """Best path for a plan: states B0, S1, B1, S2, ... (between after run k is 2k)."""
    n, m = g.shape
    ns = 2 * m + 1
    neg = -1e18
    score = np.full(ns, neg)
    score[0] = 0.0
    for k in range(m):
        score[2 * k + 1] = g[0, k] - ENTER_COST  # runs before k skipped
    back = np.zeros((n, ns), dtype=int)
    for c in range(1, n):
        new = np.full(ns, neg)
        # best "between or step" state at or before each position, for entering a step
        best_i = 0
        for s in range(ns):
            if s % 2 == 0:  # between after run s/2: stay, or come from step s/2
                cands = [(score[s], s)] + ([(score[s - 1], s - 1)] if s else [])
                v, i = max(cands)
                new[s], back[c, s] = v, i
            else:  # step (s+1)/2: stay, or enter from any earlier state
                k = (s - 1) // 2
                enter = score[best_i] - ENTER_COST
                if score[s] >= enter:
                    new[s], back[c, s] = score[s] + g[c, k], s
                else:
                    new[s], back[c, s] = enter + g[c, k], best_i
            if score[s] > score[best_i]:
                best_i = s
        score = new
    return [(s - 1) // 2 if s % 2 else -1 for s in _backtrack(back, int(np.argmax(score)))]


def _backtrack(back: np.ndarray, state: int) -> list[int]:
    """The states of the best path ending in ``state``, first cell first."""
    path = [state]
    for c in range(len(back) - 1, 0, -1):
        state = int(back[c, state])
        path.append(state)
    return path[::-1]


def _coarse(path: list[int]) -> list[tuple[int, int, int]]:
    """(state, first cell, last cell + 1) of each run of step cells in ``path``."""
    out: list[tuple[int, int, int]] = []
    for c, s in enumerate(path):
        if s < 0:
            continue
        if out and out[-1][0] == s and out[-1][2] == c:
            out[-1] = (s, out[-1][1], c + 1)
        else:
            out.append((s, c, c + 1))
    return out


def _active_runs(on: np.ndarray, t: np.ndarray) -> list[tuple[int, int]]:
    """Runs (first row, last row + 1) of True in ``on``, gaps shorter than GAP_S bridged."""
    runs: list[tuple[int, int]] = []
    for i in np.flatnonzero(on):
        if runs and t[i] - t[runs[-1][1] - 1] <= GAP_S:
            runs[-1] = (runs[-1][0], int(i) + 1)
        else:
            runs.append((int(i), int(i) + 1))
    return runs


def refine(f: Features, posture: str, first: int, stop: int, lo: int, hi: int) -> tuple[int, int]:
    """A step's rows moved from the cell grid (rows ``first``..``stop``) to the frames in
    ``posture`` (pose found, not frozen) that overlap it, within rows ``lo``..``hi``.

    A run of such frames belongs to the step when most of it lies inside the coarse
    span, or when it is the run overlapping it most (cut to the coarse span on a side
    where it runs into a neighbouring step: the person stayed in that posture, e.g.
    resting between the two sides of a twist); at a run's own edge the span grows over
    the neighbouring frames with a pose that are not frozen, not standing and not in
    the posture (getting into and out of the position). Without any such run: the
    coarse span.
    """
    # runs over the whole recording: a run that reaches past lo or hi (the neighbours'
    # spans) is judged by how much of all of it lies inside the coarse span
    moving = ~f.frozen if f.still is None else ~(f.frozen | f.still)
    on = f.present & moving
    on &= np.array([p == posture for p in f.postures], dtype=bool)
    keep: list[tuple[int, int]] = []
    best, best_overlap = None, 0
    for a, b in _active_runs(on, f.t_s):
        overlap = max(0, min(b, stop) - max(a, first))
        if overlap > best_overlap:
            best, best_overlap = (a, b), overlap
        if overlap * 2 >= b - a and overlap > 0:
            keep.append((a, b))
    if best is not None and best not in keep:
        # cut to the step's cells on a side where it runs on into the neighbouring
        # step's span (the person stayed in the posture, e.g. resting between the two
        # sides of a twist); elsewhere it is all the step's (weak evidence early on)
        a, b = best
        keep.append((first if a < lo else a, stop if b > hi else b))
    keep = [(max(a, lo), min(b, hi)) for a, b in keep if min(b, hi) > max(a, lo)]
    if not keep:
        return first, stop
    a, b = min(a for a, _ in keep), max(b for _, b in keep)
    # getting into and out of the position belongs to the step (from all fours into
    # child's pose, the model re-finding the body): frames with a pose, not frozen, not
    # standing (walking in or out) unless the exercise is done standing
    ok = f.present & moving & ~on
    if posture != "standing":
        ok &= np.array([p != "standing" for p in f.postures], dtype=bool)
    if a == 0 or not on[a - 1]:  # (not where a run was cut)
        while a > lo and ok[a - 1]:
            a -= 1
    if b >= len(on) or not on[b]:
        while b < hi and ok[b]:
            b += 1
    return a, b


def _end_time(t: np.ndarray, row: int) -> float:
    if row < len(t):
        return float(t[row])
    step = float(np.median(np.diff(t))) if len(t) > 1 else 1 / 30
    return float(t[-1]) + step


def split(
    t_s: Sequence[float],
    poses: Sequence[Pose | None],
    candidates: Sequence[Any],
    plan: Sequence[Any] | None = None,
    still: Sequence[bool] | None = None,
) -> list[Span]:
    """The recording's spans in time order: steps and the "between" spans around them.

    ``candidates``: the exercise definitions to tell apart (auto: the library).
    ``plan``: named routine, one exercise definition per run in the plan's order (a
    step's ``run`` is its 0-based index in it); None: auto. ``still``: per frame, the
    picture is a still (:func:`still_frames`); None: not known (a landmarks file alone).
    """
    f = frame_features(t_s, poses, still)
    if not len(f.t_s):
        return []
    ordered = plan is not None
    states = list(plan) if plan is not None else list(candidates)
    distinct = list({ex.name: ex for ex in states}.values()) if ordered else list(candidates)
    ev = window_evidence(f, poses, distinct, auto=not ordered)
    cols = [([ex.name for ex in distinct]).index(ex.name) for ex in states]
    evidence = ev[:, cols]
    if ordered:
        path = plan_path(ev - STEP_COST, forced_between(f), cols)
    else:
        path = best_path(evidence - STEP_COST, forced_between(f), ordered=False)
    cell = _cells(f.t_s)
    steps: list[Span] = []
    coarse = _coarse(path)
    for j, (s, c0, c1) in enumerate(coarse):
        rows = np.flatnonzero((cell >= c0) & (cell < c1))
        lo = steps[-1].end if steps else 0
        nxt = coarse[j + 1][1] if j + 1 < len(coarse) else None
        hi = int(np.flatnonzero(cell >= nxt)[0]) if nxt is not None else len(f.t_s)
        ex = states[s]
        a, b = refine(f, ex.posture, int(rows[0]), int(rows[-1]) + 1, lo, hi)
        if _end_time(f.t_s, b) - float(f.t_s[a]) < MIN_STEP_S:
            continue
        conf = float(np.clip(evidence[c0:c1, s].mean(), 0.0, 1.0))
        steps.append(Span(
            "step", a, b, float(f.t_s[a]), _end_time(f.t_s, b), exercise=ex.name,
            run=s if ordered else None, confidence=round(conf, 3),
        ))  # fmt: skip
    return _with_gaps(steps, f.t_s)


def _with_gaps(steps: list[Span], t: np.ndarray) -> list[Span]:
    out: list[Span] = []
    pos = 0
    for st in steps:
        if st.start > pos:
            out.append(Span("between", pos, st.start, float(t[pos]), float(t[st.start])))
        out.append(st)
        pos = st.end
    if pos < len(t):
        out.append(Span("between", pos, len(t), float(t[pos]), _end_time(t, len(t))))
    return out

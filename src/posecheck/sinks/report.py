"""report.html: one self-contained page about a session (inline CSS, inline SVG, no network).

While the session streams, the sink keeps only down-sampled angle series (at
most ``max_points`` per measure) and a few small JPEG thumbnails (base64): one
for the first time each correction is shown and one "good moment" (a hold that
reached its target, else a completed rep). It never keeps decoded frames.
"""

from __future__ import annotations

import base64
import datetime as _dt
import html
import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from posecheck import DISCLAIMER, __version__
from posecheck.corrections import fmt_value, measure_words, ratio_of
from posecheck.engine.scoring import TOO_BRIEF
from posecheck.pose import Frame, MediaInfo
from posecheck.protocols import SinkBase
from posecheck.results import STATE_TRACKING, FrameResult, HoldRecord, RepRecord, SessionSummary
from posecheck.sinks import exview
from posecheck.sinks.style import BASE_CSS

if TYPE_CHECKING:
    from posecheck.exercise import Exercise
    from posecheck.sinks.overlay import Overlay

MAX_THUMBS = 12
RUNNER_UP_MIN_FIT = 0.05  # a runner-up fitting less than this is not named
THUMB_SETTLE_S = 0.5  # a correction's picture: this long after the cue first shows
BAND_COLOURS = ["#3b73c4", "#8e5bc4", "#2a8f9d", "#a0527a"]  # not green/amber: those mark holds


def _e(s: object) -> str:
    return html.escape(str(s), quote=True)


def _mmss(t: float | None) -> str:
    if t is None or not math.isfinite(t):
        return "-"
    m, s = divmod(max(0.0, t), 60)
    return f"{int(m)}:{s:04.1f}"


def _kept(frame: Frame) -> Frame:
    """A frame kept past this step (a source may reuse its image buffer)."""
    return Frame(frame.index, frame.t_s, frame.image.copy())


class _Series:
    """A time series that halves its resolution when full: memory stays flat for long videos."""

    def __init__(self, max_points: int) -> None:
        self.max_points = max_points
        self.stride = 1
        self.n = 0
        self.t: list[float] = []
        self.v: dict[str, list[float]] = {}

    def add(self, t: float, values: dict[str, float]) -> None:
        self.n += 1
        if (self.n - 1) % self.stride:
            return
        self.t.append(t)
        for k in self.v.keys() | values.keys():
            col = self.v.setdefault(k, [math.nan] * (len(self.t) - 1))
            col.append(values.get(k, math.nan))
        if len(self.t) >= self.max_points:
            self.t = self.t[::2]
            self.v = {k: c[::2] for k, c in self.v.items()}
            self.stride *= 2


class ReportSink(SinkBase):
    """Collects what the report needs while streaming; writes report.html on close."""

    def __init__(
        self,
        path: str | Path,
        *,
        thumb_width: int = 480,
        max_points: int = 4000,
        outputs: dict[str, str] | None = None,
    ) -> None:
        self.path = Path(path)
        self.thumb_width = thumb_width
        self.outputs = outputs or {}
        self.series = _Series(max_points)
        self.thumbs: dict[str, tuple[float, str]] = {}  # cue id -> (t_s, base64 jpeg)
        # phase -> (held s, t_s, frame, result) of its longest hold's last frame, drawn at close
        self._held: dict[str, tuple[float, float, Frame, FrameResult]] = {}
        self._settled: dict[str, bool] = {}
        self._last_cue: str | None = None
        self.hero: tuple[float, str, str] | None = None  # (t_s, caption, base64 jpeg)
        self._hero_rank = 0
        self._overlay: Overlay | None = None
        self.info: MediaInfo | None = None
        self.exercise: Exercise | None = None
        self._names: list[str] = []

    def open(self, info: MediaInfo, exercise: Exercise | None) -> None:
        self.info, self.exercise = info, exercise
        self._names = exview.measure_names(exercise)

    # -- streaming -------------------------------------------------------------

    def _thumb(self, frame: Frame, result: FrameResult) -> str:
        import cv2

        from posecheck.sinks.overlay import Overlay

        if self._overlay is None:
            self._overlay = Overlay(self.exercise)
        img = self._overlay.draw(frame.image.copy(), result)
        h, w = img.shape[:2]
        tw = min(self.thumb_width, w)
        small = cv2.resize(img, (tw, max(1, round(h * tw / w))), interpolation=cv2.INTER_AREA)
        ok, buf = cv2.imencode(".jpg", small, [cv2.IMWRITE_JPEG_QUALITY, 78])
        return base64.b64encode(buf.tobytes()).decode("ascii") if ok else ""

    def write(self, frame: Frame | None, result: FrameResult) -> None:
        values = {exview.bare_name(k, result.side): v for k, v in result.measures.items()}
        if not self._names:
            self._names = [exview.bare_name(k, result.side) for k in result.key_measures]
        self.series.add(result.t_s, {k: values.get(k, math.nan) for k in self._names})
        if frame is None:
            return
        cue = result.cue
        if cue is not None:
            if cue.id not in self.thumbs and len(self.thumbs) < MAX_THUMBS:
                self.thumbs[cue.id] = (result.t_s, self._thumb(frame, result))
                # a repetition that stopped short is told as it turns back: that frame is
                # its furthest point, a moment later is on the way back
                self._settled[cue.id] = cue.id.startswith("short_rep")
            elif (
                cue.id in self.thumbs
                and not self._settled.get(cue.id, True)
                and result.t_s - self.thumbs[cue.id][0] >= THUMB_SETTLE_S
            ):
                # The first frame of a cue is often mid-movement; a moment later shows the
                # fault held. Replaced once, while the same first showing goes on.
                self.thumbs[cue.id] = (result.t_s, self._thumb(frame, result))
                self._settled[cue.id] = True
        if self._last_cue is not None and (cue is None or cue.id != self._last_cue):
            self._settled[self._last_cue] = True  # the first showing ended: keep its picture
        self._last_cue = cue.id if cue is not None else None
        # each phase's longest hold, its last frame: the picture of a hold correction. Not
        # the cue's frame: a short hold is told as it ends, when the body is already on its
        # way out (the real two-cycle cat-camel's "Hold the cat" was pictured in the camel)
        best = self._held.get(result.phase or "")
        if result.phase and result.hold_target_s and result.hold_s > (best[0] if best else 0.0):
            self._held[result.phase] = (result.hold_s, result.t_s, _kept(frame), result)
        # The "good moment": a hold at its target beats a finished rep beats any tracked frame.
        rank = 0
        if result.hold_target_s and result.hold_s >= result.hold_target_s and result.cue is None:
            rank, caption = 3, "hold reached its target"
        elif any(e.kind == "rep" for e in result.events):
            rank, caption = 2, "a completed repetition"
        elif result.state == STATE_TRACKING and self.hero is None:
            rank, caption = 1, "first frame with the person in view"
        if rank > self._hero_rank:
            self._hero_rank = rank
            self.hero = (result.t_s, caption, self._thumb(frame, result))

    def close(self, summary: SessionSummary) -> None:
        from posecheck import safeio

        safeio.write_text(self.path, self.render(summary))  # whole, or not at all

    # -- rendering -------------------------------------------------------------

    def render(self, summary: SessionSummary) -> str:
        ex = self.exercise
        title = exview.ex_title(ex) if ex is not None else summary.exercise
        src = Path(self.info.path).name if self.info else ""
        parts = [
            "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
            "<meta name='viewport' content='width=device-width, initial-scale=1'>",
            f"<title>posecheck: {_e(title)} - {_e(src)}</title><style>{CSS}</style></head><body>",
            "<main>",
            self._header(summary, title, src),
            self._glance(summary),
            self._corrections(summary),
            self._plots(summary),
            self._tables(summary),
            self._how_to(),
            self._footer(summary),
            "</main></body></html>",
        ]
        return "\n".join(p for p in parts if p)

    def _header(self, s: SessionSummary, title: str, src: str) -> str:
        badge = (
            "<span class='badge warn'>partial: analysis was interrupted</span>" if s.partial else ""
        )
        rec = ""
        if s.recognition:
            conf = s.recognition.get("confidence")
            conf_t = f" ({conf * 100:.0f}% confident)" if isinstance(conf, (int, float)) else ""
            rec = f"<span class='badge'>recognised automatically{_e(conf_t)}</span>"
            # the runners-up, by their fit (not a confidence); one that hardly fits is no
            # alternative worth naming ("bird-dog 0%" beside a pelvic tilt)
            others = [
                (o.get("name"), float(o["score"]))
                for o in (s.recognition.get("scores") or [])[1:3]
                if isinstance(o, dict)
                and isinstance(o.get("score"), (int, float))
                and o["score"] >= RUNNER_UP_MIN_FIT
            ]
            if others:
                rec += (
                    "<span class='meta'> also fits in part: "
                    + ", ".join(f"{_e(n)} ({sc * 100:.0f}% fit)" for n, sc in others)
                    + "</span>"
                )
        dur = _mmss(s.duration_s)
        size = f"{self.info.width}x{self.info.height}, {self.info.fps:.2f} fps" if self.info else ""
        return (
            "<header><div class='brand'>posecheck report</div>"
            f"<h1>{_e(title)}</h1>"
            f"<p class='meta'>{_e(_session_date(self.info))}</p>"
            f"<p class='meta'>{_e(src)} &middot; {dur} &middot; {_e(size)} &middot; "
            f"{_e(s.frames)} frames, person found in {_e(s.frames_with_pose)}"
            f"{' &middot; ' + _e(exview.side_words(self.exercise, s.side)) if s.side else ''}"
            f"</p>{badge}{rec}</header>"
        )

    def _glance(self, s: SessionSummary) -> str:
        d = exview.dose(self.exercise)
        score = "-" if s.score is None else f"{s.score:.0f}"
        # coloured as printed: 79.6 prints "80" and is green (it was amber)
        shown = None if s.score is None else round(s.score)
        tone = (
            "none"
            if shown is None
            else ("good" if shown >= 80 else "mid" if shown >= 60 else "low")
        )
        comps = "".join(_component(k, v) for k, v in s.score_components.items())
        if s.score_notes:
            # "why 62": how the score is made and what capped it (Engine._score_notes)
            comps = (
                f"<div class='why'><b>Why {score}</b><ul>"
                + "".join(f"<li>{_e(n)}</li>" for n in s.score_notes)
                + "</ul></div>"
                + comps
            )
        holds_met, due, kept = exview.hold_counts(self.exercise, s.holds, s.reps)
        hold_t = exview.hold_target(self.exercise)
        longest = max((h.duration_s for h in kept), default=None)
        reps_c = s.reps_complete
        # the whole session's, both sides' where dosed per side, as the terminal counts
        reps_t = self.exercise.dose.total if self.exercise is not None else d.get("reps")
        hold_only = exview.holds_only(self.exercise)
        outside = exview.outside_reps(self.exercise, s.holds, s.reps)
        outside = f"<p>{_e(outside)}: not counted as a repetition</p>" if outside else ""
        reps_card = "" if hold_only else (
            f"<div class='card'><div class='big'>{reps_c}"
            f"<small>{f' / {reps_t}' if reps_t else ''}</small></div>"
            f"<div class='lbl'>repetitions completed</div>"
            f"<p>{len(s.reps) - reps_c} started but not completed</p>{outside}</div>"
        )  # fmt: skip
        hero = ""
        if self.hero:
            t, cap, b64 = self.hero
            hero = (
                f"<figure class='hero'><img alt='frame at {_mmss(t)}' "
                f"src='data:image/jpeg;base64,{b64}'><figcaption>{_e(cap)} at {_mmss(t)}"
                "</figcaption></figure>"
            )
        return (
            "<section class='glance'><h2>At a glance</h2><div class='cards'>"
            f"<div class='card score {tone}'><div class='big'>{score}</div><div class='lbl'>"
            "session score / 100: how well the reps and holds went, not how many (the dose"
            f" done is below)</div>{comps}</div>"
            f"<div class='card'><div class='big'>{holds_met}<small> / {due}</small></div>"
            f"<div class='lbl'>holds reached the target"
            f"{f' of {hold_t:g} s' if hold_t else ''}</div>"
            f"<p>longest hold: {'-' if longest is None else f'{longest:.1f} s'}</p></div>"
            f"{reps_card}{hero}</div></section>"
        )

    def _corrections(self, s: SessionSummary) -> str:
        # the session's ranked corrections (posecheck.corrections): the same list, in the
        # same order, as the terminal summary, summary.json and the live cues
        from posecheck.sinks.session import applies_to

        top = s.corrections[:3]
        limits = exview.camera_limits(self.exercise)
        if not top:
            body = _no_corrections(s)
        else:
            items = []
            for c in top:
                t, b64 = self.thumbs.get(c.id, (c.first_s, ""))
                held = self._held.get(c.id.split(":", 1)[-1]) if c.kind == "hold" else None
                if held is not None:  # the position held, not the way out of it
                    # without the cue shown then: another correction's words under this
                    # one's picture read as its caption (the real bridge's "Hold the top")
                    t, b64 = held[1], self._thumb(held[2], replace(held[3], cue=None))
                img = (
                    f"<img alt='frame at {_mmss(t)}' src='data:image/jpeg;base64,{b64}'>"
                    if b64
                    else "<div class='noimg'>no picture</div>"
                )
                items.append(
                    f"<div class='corr'>{img}<div><p class='cue'>{_e(c.text)}</p>"
                    # (a correction of no rep or hold says "N times, first at" already)
                    f"<p class='meta'>{_e(applies_to(c))}"
                    f"{f', first at {_mmss(c.first_s)}' if c.reps or c.holds else ''}"
                    f"{f' &middot; picture at {_mmss(t)}' if b64 else ''}</p>"
                    "</div></div>"
                )
            more = len(s.corrections) - len(top)
            tail = (
                "<ul class='more'>"
                + "".join(
                    f"<li>{_e(c.text)} <span class='meta'>({_e(applies_to(c))})</span></li>"
                    for c in s.corrections[3:]
                )
                + "</ul>"
                if more
                else ""
            )
            body = "<div class='corrs'>" + "".join(items) + "</div>" + tail
        if limits:
            body += f"<p class='meta'>{_e(limits)}</p>"
        return f"<section><h2>Top corrections</h2>{body}</section>"

    def _plots(self, s: SessionSummary) -> str:
        bands = exview.bands(self.exercise)
        limits = exview.rule_limits(self.exercise)
        svgs = []
        for name in self._names:
            vals = self.series.v.get(name)
            if not vals or not any(math.isfinite(v) for v in vals):
                continue
            unit, doc = _measure_unit(name), _measure_doc(name)
            bs, ls = bands.get(name, []), limits.get(name, [])
            if unit != "deg":  # a ratio is shown in % (as the corrections say it)
                vals, bs, ls = [v * 100 for v in vals], _pct(bs), _pct(ls)
                unit, doc = "pct", f"{doc} (in % of {ratio_of(name) or 'its length'})"
            svgs.append(
                f"<figure class='plot'><figcaption>{_e(measure_words(name))} "
                f"<small>{_e(doc)}</small></figcaption>"
                + svg_plot(self.series.t, vals, bs, s, duration=s.duration_s, limits=ls, unit=unit)
                + "</figure>"
            )
        # a ratio (the back curvature, in %) is no angle: say so when one is plotted
        angles = all(_measure_unit(n) == "deg" for n in self._names if self.series.v.get(n))
        heading = "Angles over time" if angles else "Measurements over time"
        if not svgs:
            return f"<section><h2>{heading}</h2><p>Nothing was measured.</p></section>"
        legend = (
            "<p class='legend'><span class='sw band'></span>target band of a phase "
            "<span class='sw hold'></span>hold that reached its target "
            "<span class='sw short'></span>hold that fell short "
            "<span class='sw rep'></span>repetition completed "
            "<span class='sw lim'></span>limit of a form rule</p>"
        )
        return f"<section><h2>{heading}</h2>" + legend + "".join(svgs) + "</section>"

    def _tables(self, s: SessionSummary) -> str:
        out = []
        if s.holds:
            out.append(_holds_table(self.exercise, s))
        if s.reps:
            out.append(_reps_table(s, self._fault_text, self.exercise))
        if not out:
            return ""
        return (
            "<section class='tables'><h2>Holds and repetitions</h2>" + "".join(out) + "</section>"
        )

    def _fault_text(self, rule_id: str) -> str:
        """A rule's cue (what the person was told), not its id."""
        rules = list(getattr(self.exercise, "rules", None) or [])
        for ph in exview.phases(self.exercise):
            rules += list(getattr(ph, "rules", None) or [])
        sf = getattr(self.exercise, "safety", None)
        extra = {"too_fast": getattr(sf, "speed_cue", ""),
                 "bouncing": getattr(sf, "bounce_cue", "")}  # fmt: skip
        cue = next((getattr(r, "cue", "") for r in rules if getattr(r, "id", "") == rule_id), "")
        return cue or extra.get(rule_id) or rule_id.replace("_", " ")

    def _how_to(self) -> str:
        steps = exview.how_to(self.exercise)
        if not steps:
            return ""
        view = exview.ex_view(self.exercise)
        ex = self.exercise
        cam = ex.camera.distance_m if ex is not None else None
        cam_t = ""
        if view:
            cam_t = f"<p class='meta'>Camera: film {_e(exview.filmed_from(view))}"
            cam_t += f", about {cam:g} m away" if cam else ""
            cam_t += ", with the whole body in view.</p>"
        summ = (ex.summary if ex is not None else "") or ""
        return (
            "<section><h2>How to do it</h2>"
            + (f"<p>{_e(summ)}</p>" if summ else "")
            + "<ol class='howto'>"
            + "".join(f"<li>{_e(x)}</li>" for x in steps)
            + "</ol>"
            + cam_t
            + "</section>"
        )

    def _footer(self, s: SessionSummary) -> str:
        warn = "".join(f"<li>{_e(w)}</li>" for w in s.warnings)
        outs = " &middot; ".join(f"<a href='{_e(v)}'>{_e(k)}</a>" for k, v in self.outputs.items())
        return (
            (f"<section class='warnings'><h2>Notes</h2><ul>{warn}</ul></section>" if warn else "")
            + f"<footer><p class='disclaimer'>{_e(DISCLAIMER)}</p>"
            + (f"<p>Files: {outs}</p>" if outs else "")
            + f"<p>posecheck {_e(__version__)}</p></footer>"
        )


def _session_date(info: MediaInfo | None) -> str:
    """ "recorded 21 Jun 2026 19:49 UTC · analysed 3 Dec 2026 11:52 UTC", in the local
    time the history shows: the time the video container carries, as the history dates
    the session (the report gave the file's date beside the history's recording time),
    else the file's date."""
    from posecheck.history.record import recording_time

    def when(t: _dt.datetime) -> str:
        return f"{t.astimezone():%d %b %Y %H:%M %Z}".rstrip()

    out = f"analysed {when(_dt.datetime.now(_dt.timezone.utc))}"
    path = Path(info.path) if info is not None and info.path else None
    if path is not None and path.is_file():
        began = recording_time(path)
        if began is not None:
            return f"recorded {when(began)} \u00b7 {out}"
        mt = _dt.datetime.fromtimestamp(path.stat().st_mtime, _dt.timezone.utc)
        out = f"video file dated {when(mt)} \u00b7 " + out
    return out


def _peak_text(depth: dict[str, float]) -> str:
    """A rep's furthest values in words and units: "hip angle 148°, knee angle 84°"."""
    parts = []
    for k, v in depth.items():
        if v is None or not math.isfinite(v):
            continue
        unit = "deg" if _measure_unit(k.split("~", 1)[0]) == "deg" else "ratio"
        val = fmt_value(v, unit)
        parts.append(f"{measure_words(k)} {'changed ' + val if '~' in k else val}")
    return ", ".join(parts)


def _movement(ex: Exercise | None, rep: RepRecord) -> dict[str, float]:
    """A rep's furthest values on the targets it moves towards: those its start phase
    bounds otherwise (as the rep's depth is read). The bridge's "knees bent" (knee at most
    135°, no bound at the bottom) is kept, not reached: its "furthest" was the knee's most
    bent value, at the bottom (57° on the real clip, 65° at its top); so is the pelvic
    tilt's hook-lying range, the same in both phases."""
    cycle = ex.cycle if ex is not None else ()
    names = {p.name for p in ex.phases} if ex is not None else set()
    peak = rep.peak_phase if rep.peak_phase in names else (cycle[1] if len(cycle) > 1 else None)
    start = next((p for p in cycle if p != peak), None)
    if ex is None or peak is None or start is None:
        return rep.depth
    bounds = {t.key: (t.min, t.max) for t in ex.phase(start).targets}
    keys = {
        t.key for t in ex.phase(peak).targets if bounds.get(t.key, (t.min, t.max)) != (t.min, t.max)
    }
    return {k: v for k, v in rep.depth.items() if k in keys} or rep.depth


def _reps_table(s: SessionSummary, fault_text: Callable[[str], str], ex: Exercise | None) -> str:
    """The report's table of repetitions."""
    rows = "".join(
        f"<tr><td>{i}</td><td>{_mmss(r.start_s)}</td>"
        f"<td>{r.end_s - r.start_s:.1f} s</td>"
        f"<td class='{'yes' if r.complete else 'no'}'>"
        f"{'yes' if r.complete else 'no, turned back early'}</td>"
        f"<td>{_e(_peak_text(_movement(ex, r)))}</td>"
        f"<td>{'-' if r.score is None else f'{r.score:.0f}'}</td>"
        # a sentence a line ("... hug both.; Hold still ..." read as one garbled one)
        f"<td>{'<br>'.join(_e(fault_text(f)) for f in r.faults)}</td></tr>"
        for i, r in enumerate(s.reps, 1)
    )
    return (
        "<h3>Repetitions</h3><table><tr><th>#</th><th>start</th><th>duration</th>"
        "<th>complete</th><th>furthest reached</th><th>score</th><th>faults</th></tr>"
        f"{rows}</table>"
    )


def _holds_table(exercise: Exercise | None, s: SessionSummary) -> str:
    """The report's table of holds."""
    # a setup hold before the first rep that fell short is listed (its number is
    # the one the corrections use) but not counted, and says so
    kept = {id(h) for h in exview.hold_counts(exercise, s.holds, s.reps)[2]}
    # each hold's score where the session is their mean (a stretch; a cycle seen
    # only in its held phase): "why 38" with caps of 55 shows which was lower
    from posecheck.engine.scoring import scored_by_holds

    scored = exercise is None or scored_by_holds(exercise, s.reps)
    rows = "".join(
        f"<tr><td>{i}</td><td>{_e(h.phase)}</td><td>{_mmss(h.start_s)}</td>"
        f"<td>{h.duration_s:.1f} s</td><td>{h.target_s:g} s</td>"
        f"{_reached_cell(h, id(h) in kept)}"
        f"<td>{'' if h.side is None else _e(h.side)}</td>"
        + (f"<td>{'-' if h.score is None else f'{h.score:.0f}'}</td>" if scored else "")
        + "</tr>"
        for i, h in enumerate(s.holds, 1)
    )
    return (
        "<h3>Holds</h3><table><tr><th>#</th><th>phase</th><th>start</th><th>held</th>"
        f"<th>target</th><th>reached</th><th>{exview.side_label(exercise)}</th>"
        f"{'<th>score</th>' if scored else ''}"
        f"</tr>{rows}</table>"
    )


def _no_corrections(s: SessionSummary) -> str:
    """What the report says when nothing is to be corrected, of only what the session had
    (a clip of one held twist has no repetition)."""
    if not (s.holds or s.reps):
        return (
            "<p>No hold or repetition was detected, so there is nothing to correct: "
            "check the exercise and the camera view.</p>"
        )
    held_on = exview.held_on_note(s.holds)
    done = [
        *(["every repetition reached its target"] if s.reps else []),
        *(["every hold lasted its time"] if s.holds and not held_on else []),
        # a rule that failed for a moment, never cued, is in the score's notes
        "no form fault lasted long enough to be told"
        if any(TOO_BRIEF in n for n in s.score_notes)
        else "no form rule was broken",
    ]
    said = ", ".join(done[:-1]) + " and " if len(done) > 1 else ""
    note = f"<p>{_e(held_on[0].upper() + held_on[1:])}.</p>" if held_on else ""
    return f"<p class='ok'>No corrections: {said}{done[-1]}.</p>{note}"


def _component(name: str, v: float | None) -> str:
    """One score component: fractions (0-1) as a bar with a percentage, counts as a number."""
    label = _e(name.replace("_", " "))
    if v is None or not math.isfinite(v):
        return f"<div class='comp'><span>{label}</span><div></div><b>-</b></div>"
    if 0.0 <= v <= 1.0 and not name.endswith(("violations", "count", "_n")):
        return (
            f"<div class='comp'><span>{label}</span>"
            f"<div class='bar'><i style='width:{v * 100:.0f}%'></i></div>"
            f"<b>{v * 100:.0f}%</b></div>"
        )
    return f"<div class='comp'><span>{label}</span><div></div><b>{v:g}</b></div>"


# why a hold still held stopped (HoldRecord.stopped), beside its "no"
_STOPPED_WORDS = {"end": "still held as the recording ended",
                  "stop": "still held as counting stopped",
                  "side": "still held as the side worked changed"}  # fmt: skip


def _reached_cell(h: HoldRecord, counted: bool) -> str:
    if not counted:
        return "<td>before the first rep: not counted</td>"
    why = _STOPPED_WORDS.get(h.stopped or "") if not h.reached else None
    if h.reached and round(h.duration_s, 1) < round(h.target_s, 1):
        # "1.8 s / 2 s / yes" beside "1.5 s / 2 s / no" read as a mistake
        why = f"{h.target_s - h.duration_s:.1f} s short: within the margin a hold is given"
    word = ("yes" if h.reached else "no") + (f" ({why})" if why else "")
    return f"<td class='{'yes' if h.reached else 'no'}'>{word}</td>"


def _pct(
    bands: list[tuple[str, float | None, float | None]],
) -> list[tuple[str, float | None, float | None]]:
    """Bands or limits of a ratio measure in % (0.06 -> 6)."""
    return [(n, None if a is None else round(a * 100, 6), None if b is None else round(b * 100, 6))
            for n, a, b in bands]  # fmt: skip


def _symbol(unit: str) -> str:
    return {"deg": "\u00b0", "pct": "%"}.get(unit, "")


def _range_text(lo: float | None, hi: float | None, unit: str = "deg") -> str:
    u = _symbol(unit)
    if lo is not None and hi is not None:
        return f"{lo:g} to {hi:g}{u}" if lo < 0 or hi < 0 else f"{lo:g}-{hi:g}{u}"
    if lo is not None:
        return f"\u2265 {lo:g}{u}"
    return "" if hi is None else f"\u2264 {hi:g}{u}"


def _merge_bands(
    bands: list[tuple[str, float | None, float | None]],
) -> list[tuple[str, float | None, float | None]]:
    """Phases with the same band share one band and one label ("rest, tilt 100-170°")."""
    out: dict[tuple[float | None, float | None], list[str]] = {}
    for name, lo, hi in bands:
        name = name.replace("_", " ")  # a phase's name in words: "all_fours" -> "all fours"
        names = out.setdefault((lo, hi), [])
        if name not in names:
            names.append(name)
    return [(", ".join(n), lo, hi) for (lo, hi), n in out.items()]


def _spread(
    labels: list[tuple[float, str, str]], top: float, bottom: float, gap: float
) -> list[tuple[float, str, str]]:
    """Label baselines moved apart (at least ``gap`` px) and kept within top..bottom."""
    items = sorted(labels)
    ys = [y for y, _, _ in items]
    for i in range(1, len(ys)):
        ys[i] = max(ys[i], ys[i - 1] + gap)
    if ys and ys[-1] > bottom:  # pushed off the bottom: shift up, keeping the gaps
        ys[-1] = bottom
        for i in range(len(ys) - 2, -1, -1):
            ys[i] = min(ys[i], ys[i + 1] - gap)
    ys = [max(top, y) for y in ys]
    return [(y, c, t) for y, (_, c, t) in zip(ys, items, strict=True)]


def _measure_unit(name: str) -> str:
    from posecheck.angles import known_measures, resolve

    spec = known_measures().get(resolve(name.removeprefix("other_"), "left"))
    return spec.unit if spec else "deg"


def _measure_doc(name: str) -> str:
    from posecheck.angles import known_measures, resolve

    spec = known_measures().get(resolve(name.removeprefix("other_"), "left"))
    return spec.description if spec else ""


def _nice_step(span: float, target_ticks: int = 6) -> float:
    raw = max(span, 1e-9) / target_ticks
    mag = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 5, 10):
        if raw <= m * mag:
            return m * mag
    return 10 * mag


@dataclass(frozen=True)
class _Plot:
    """The plot area of :func:`svg_plot` and its data-to-pixel mapping."""

    width: int
    height: int
    ml: int  # margins: left, top
    mt: int
    pw: int  # plot width and height (pixels)
    ph: int
    lo: float  # value range shown
    hi: float
    t_end: float  # time range shown: 0 to t_end

    def X(self, x: float) -> float:
        return self.ml + self.pw * x / self.t_end

    def Y(self, y: float) -> float:
        return self.mt + self.ph * (1 - (y - self.lo) / (self.hi - self.lo))


def svg_plot(
    t: list[float],
    v: list[float],
    bands: list[tuple[str, float | None, float | None]],
    s: SessionSummary,
    *,
    duration: float,
    limits: list[tuple[str, float | None, float | None]] | None = None,
    unit: str = "deg",
    width: int = 960,
    height: int = 230,
) -> str:
    """One measure over time: target bands shaded, holds and reps marked, gaps where unknown."""
    ml, mr, mt, mb = 46, 120, 14, 28
    finite = [x for x in v if math.isfinite(x)] or [0.0]
    limits = limits or []
    bands = _merge_bands(bands)
    # The scale follows the movement, so a 2-degree tilt is visible: band and limit
    # edges widen it only when they lie near the measured values (a far edge would
    # squash the line flat); bands are clipped to the plot.
    d_lo, d_hi = min(finite), max(finite)
    near = max(d_hi - d_lo, 0.1 if unit == "ratio" else 10.0)
    edges = [e for _, a, b in bands + limits for e in (a, b) if e is not None]
    edges = [e for e in edges if d_lo - near <= e <= d_hi + near]
    # a limit the movement broke is shown however far: how far off is the point (a knee
    # at 55-67 deg hid the 80 deg its correction asked for)
    edges += [a for _, a, _ in limits if a is not None and d_lo < a]
    edges += [b for _, _, b in limits if b is not None and d_hi > b]
    lo, hi = min([d_lo, *edges]), max([d_hi, *edges])
    pad = max((hi - lo) * 0.08, 0.01 if unit == "ratio" else 1.0)
    t_end = max(duration or 0.0, t[-1] if t else 0.0, 1e-6)
    pl = _Plot(width, height, ml, mt, width - ml - mr, height - mt - mb, lo - pad, hi + pad, t_end)
    out = [f"<svg viewBox='0 0 {width} {height}' role='img' xmlns='http://www.w3.org/2000/svg'>"]
    out += _svg_axes(pl)
    out += _svg_bands(pl, bands, unit)
    out += _svg_limits(pl, limits, unit)
    out += _svg_holds(pl, s)
    out += _svg_line(pl, t, v)
    out += _svg_reps(pl, s)
    out.append(f"<rect class='frame' x='{ml}' y='{mt}' width='{pl.pw}' height='{pl.ph}'/>")
    out.append("</svg>")
    return "".join(out)


def _svg_axes(pl: _Plot) -> list[str]:
    """Grid lines with their values, and the time axis."""
    out = []
    ml, pw, lo, hi, t_end, Y, X = pl.ml, pl.pw, pl.lo, pl.hi, pl.t_end, pl.Y, pl.X
    step = _nice_step(hi - lo, 7)
    y = math.ceil(lo / step) * step
    while y <= hi:
        out.append(f"<line class='grid' x1='{ml}' x2='{ml + pw}' y1='{Y(y):.1f}' y2='{Y(y):.1f}'/>")
        out.append(
            f"<text class='ax' x='{ml - 6}' y='{Y(y) + 4:.1f}' text-anchor='end'>"
            f"{round(y, 6) + 0.0:g}</text>"
        )
        y += step
    tstep = _nice_step(t_end, 8)
    x = 0.0
    while x <= t_end + 1e-9:
        out.append(f"<text class='ax' x='{X(x):.1f}' y='{pl.height - 8}' text-anchor='middle'>"
                   f"{_mmss(x) if t_end >= 60 else f'{x:g} s'}</text>")  # fmt: skip
        x += tstep
    return out


def _svg_bands(
    pl: _Plot, bands: list[tuple[str, float | None, float | None]], unit: str = "deg"
) -> list[str]:
    """Target bands of the phases, shaded and labelled right of the plot; labels pushed
    apart so they never overlap, bands outside the plotted range left out."""
    out = []
    ml, pw, lo, hi, Y = pl.ml, pl.pw, pl.lo, pl.hi, pl.Y
    labels: list[tuple[float, str, str]] = []
    for i, (phase, b_lo, b_hi) in enumerate(bands):
        col = BAND_COLOURS[i % len(BAND_COLOURS)]
        top_v = min(hi, b_hi if b_hi is not None else hi)
        bot_v = max(lo, b_lo if b_lo is not None else lo)
        if top_v <= bot_v:  # the band lies outside the plotted range
            continue
        y0, y1 = Y(top_v), Y(bot_v)
        out.append(f"<rect x='{ml}' y='{y0:.1f}' width='{pw}' height='{max(0.0, y1 - y0):.1f}' "
                   f"fill='{col}' fill-opacity='0.13'/>")  # fmt: skip
        labels.append(((y0 + y1) / 2 + 4, col, f"{phase} {_range_text(b_lo, b_hi, unit)}"))
    for y, col, text in _spread(labels, pl.mt + 10, pl.mt + pl.ph, 15.0):
        out.append(f"<text class='bl' x='{ml + pw + 6}' y='{y:.1f}' fill='{col}'>{_e(text)}</text>")
    return out


def _svg_limits(
    pl: _Plot, limits: list[tuple[str, float | None, float | None]], unit: str = "deg"
) -> list[str]:
    """Form-rule limits: dashed lines, the rule fires beyond them. Labelled at the left,
    where no rep marker is (reps are marked at their end), in words, not rule ids."""
    out = []
    ml, pw, lo, hi, Y = pl.ml, pl.pw, pl.lo, pl.hi, pl.Y
    deg = _symbol(unit)
    for _rid, r_lo, r_hi in limits:
        for val, sym in ((r_lo, "\u2265"), (r_hi, "\u2264")):
            if val is None or not lo <= val <= hi:
                continue
            out.append(f"<line class='lim' x1='{ml}' x2='{ml + pw}' y1='{Y(val):.1f}' "
                       f"y2='{Y(val):.1f}'/><text class='ll' x='{ml + 4}' "
                       f"y='{Y(val) - 4:.1f}' text-anchor='start'>form limit "
                       f"{sym} {val:g}{deg}</text>")  # fmt: skip
    return out


def _svg_holds(pl: _Plot, s: SessionSummary) -> list[str]:
    out = []
    X = pl.X
    for h in s.holds:
        cls = "hold" if h.reached else "short"
        out.append(f"<rect class='{cls}' x='{X(h.start_s):.1f}' y='{pl.mt}' "
                   f"width='{max(1.0, X(h.end_s) - X(h.start_s)):.1f}' height='{pl.ph}'>"
                   f"<title>hold {h.duration_s:.1f} s of {h.target_s:g} s</title>"
                   "</rect>")  # fmt: skip
    return out


def _svg_line(pl: _Plot, t: list[float], v: list[float]) -> list[str]:
    """The measured line, broken where the value is unknown."""
    segs, cur = [], []
    for ti, vi in zip(t, v, strict=True):
        if math.isfinite(vi):
            cur.append(f"{pl.X(ti):.1f},{pl.Y(vi):.1f}")
        elif cur:
            segs.append(cur)
            cur = []
    if cur:
        segs.append(cur)
    return [f"<polyline class='line' points='{' '.join(seg)}'/>" for seg in segs]


def _svg_reps(pl: _Plot, s: SessionSummary) -> list[str]:
    """A marker at the end of each rep, numbered from 1 as in the table; a rep that
    turned back early is marked too, in red (it is what the person is asked to fix)."""
    out = []
    X, mt = pl.X, pl.mt
    for i, r in enumerate(s.reps, 1):
        cls = "rep" if r.complete else "rep bad"
        out.append(f"<g class='{cls}'><line x1='{X(r.end_s):.1f}' x2='{X(r.end_s):.1f}' "
                   f"y1='{mt}' y2='{mt + pl.ph}'/><text x='{X(r.end_s) + 3:.1f}' y='{mt + 11}'>"
                   f"{i}{'' if r.complete else ' short'}</text></g>")  # fmt: skip
    return out


CSS = (
    BASE_CSS
    + """
header{margin-bottom:8px}
h2{font-size:19px;margin:0 0 12px}
h3{font-size:15px;margin:16px 0 6px;color:var(--muted)}
.meta{color:var(--muted);margin:2px 0;font-size:14px}
.badge{display:inline-block;margin:6px 8px 0 0;padding:3px 10px;border-radius:99px;
background:#e6eefb;color:var(--accent);font-size:13px;font-weight:600}
.badge.warn{background:#fdecea;color:var(--low)}
.cards{display:flex;gap:14px;flex-wrap:wrap;align-items:stretch}
.card.score{flex:1.5 1 250px}
.card{flex:1 1 150px;border:1px solid var(--line);border-radius:10px;padding:14px 16px}
.card p{margin:6px 0 0;color:var(--muted);font-size:14px}
.big{font-size:44px;font-weight:700;line-height:1.05}
.big small{font-size:22px;color:var(--muted);font-weight:600}
.lbl{color:var(--muted);font-size:13px;margin-bottom:6px}
.score.good .big{color:var(--good)}.score.mid .big{color:var(--mid)}
.score.low .big{color:var(--low)}
.comp{display:grid;grid-template-columns:104px 1fr 38px;gap:8px;align-items:center;font-size:13px}
.comp span{color:var(--muted)}.comp b{text-align:right}
.bar{height:7px;background:#e9edf2;border-radius:4px;overflow:hidden}
.hero{flex:1.4 1 260px;margin:0;max-width:440px}
.hero img{width:100%;border-radius:10px;display:block}
figcaption{font-size:13px;color:var(--muted);margin-top:4px}
.corrs{display:grid;gap:14px}
.corr{display:grid;grid-template-columns:320px 1fr;gap:16px;align-items:center;
border:1px solid var(--line);border-radius:10px;padding:10px}
.corr img{width:100%;border-radius:8px;display:block}
.noimg{height:150px;border-radius:8px;background:#eef1f5;color:var(--muted);font-size:13px;
display:flex;align-items:center;justify-content:center;text-align:center;padding:8px}
.cue{font-size:18px;font-weight:600;margin:0 0 4px}
.plot{margin:8px 0 14px}
.plot figcaption{font-size:15px;color:var(--fg);font-weight:600;margin:0 0 2px}
.plot figcaption small{font-weight:400;color:var(--muted);margin-left:8px}
svg .bl{font-size:12px;font-weight:600}
svg .line{fill:none;stroke:#1d2430;stroke-width:1.8;stroke-linejoin:round}
svg .hold{fill:#2e9d5b;fill-opacity:.16;stroke:#2e9d5b;stroke-opacity:.5}
svg .short{fill:#d89614;fill-opacity:.16;stroke:#d89614;stroke-opacity:.5}
svg .rep line{stroke:#3b73c4;stroke-dasharray:3 3}
svg .rep text{font-size:11px;fill:#3b73c4;font-weight:700}
svg .rep.bad line{stroke:#d0423b}svg .rep.bad text{fill:#d0423b}
.more{margin:10px 0 0;padding-left:20px}
.why{font-size:13px;margin:0 0 8px}.why ul{margin:2px 0 0;padding-left:18px;color:var(--fg)}
svg .lim{stroke:#d0423b;stroke-width:1.2;stroke-dasharray:6 4}
svg .ll{font-size:11px;fill:#d0423b;paint-order:stroke;stroke:#fff;stroke-width:3px}
.legend{font-size:13px;color:var(--muted);margin:0 0 8px}
.sw{display:inline-block;width:14px;height:10px;border-radius:2px;margin:0 4px 0 12px;
vertical-align:middle}
.sw.band{background:rgba(59,115,196,.25)}.sw.hold{background:rgba(46,157,91,.4)}
.sw.short{background:rgba(216,150,20,.45)}
.sw.rep{border-left:2px dashed #3b73c4;width:2px;border-radius:0}
.sw.lim{border-top:2px dashed #d0423b;height:2px;border-radius:0}
table{border-collapse:collapse;width:100%;font-size:14px}
th,td{text-align:left;padding:5px 8px;border-bottom:1px solid var(--line)}
th{color:var(--muted);font-weight:600}
td.yes{color:var(--good);font-weight:600}td.no{color:var(--low);font-weight:600}
.howto li{margin:4px 0}
@media (max-width:720px){main{padding:16px 10px}.corr{grid-template-columns:1fr}
h1{font-size:26px}.big{font-size:36px}}
"""
)

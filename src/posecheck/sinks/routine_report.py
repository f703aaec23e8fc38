"""report.html of a routine session: a timeline strip of the steps, then each step's results.

The page of :class:`posecheck.sinks.report.ReportSink` (same style, header and footer)
with, instead of one exercise's plots, the routine's ``segments`` (summary.json): a
strip with one coloured span per step (its title) and grey gaps between steps, and per
step in order its reps, holds against their target, score and top corrections.
"""

from __future__ import annotations

from typing import Any

from posecheck.results import SessionSummary
from posecheck.sinks.report import CSS, ReportSink, _e, _mmss

# One colour per exercise (in order of appearance); the gaps between steps are grey.
STEP_COLOURS = ["#3b73c4", "#2e9d5b", "#8e5bc4", "#d89614", "#2a8f9d", "#a0527a", "#c4603b"]
GAP_COLOUR = "#c9ced6"
_STRIP_CSS = """
.strip{width:100%;height:auto;display:block;margin:.5em 0}
.strip text{font-size:11px;fill:#fff}
.step h3{margin:.2em 0}.step .meta{color:var(--muted)}
"""


class RoutineReportSink(ReportSink):
    """report.html for ``analyze --routine``. ``routine`` and ``segments`` are the dict
    and list summary.json gets, filled before the sinks close."""

    def __init__(self, path: Any, routine: dict, segments: list, **kw: Any) -> None:
        super().__init__(path, **kw)
        self.routine, self.segments = routine, segments

    def render(self, summary: SessionSummary) -> str:
        title = str(self.routine.get("title") or "Routine")
        src = self.info.path.rsplit("/", 1)[-1] if self.info else ""
        parts = [
            "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
            "<meta name='viewport' content='width=device-width, initial-scale=1'>",
            f"<title>posecheck: {_e(title)} - {_e(src)}</title>"
            f"<style>{CSS}{_STRIP_CSS}</style></head><body><main>",
            self._header(summary, title, src),
            self._timeline(summary),
            self._steps(),
            self._footer(summary),
            "</main></body></html>",
        ]
        return "\n".join(p for p in parts if p)

    def _timeline(self, s: SessionSummary) -> str:
        segs = self.segments
        if not segs:
            return ""
        t0, t1 = float(segs[0]["start_s"]), float(segs[-1]["end_s"])
        total = max(t1 - t0, 1e-6)
        width, height = 1000.0, 36.0
        colours: dict[str, str] = {}
        rects = []
        for seg in segs:
            x = (float(seg["start_s"]) - t0) / total * width
            w = max(1.0, (float(seg["end_s"]) - float(seg["start_s"])) / total * width)
            if seg["kind"] == "step":
                ex = str(seg["exercise"])
                colour = colours.setdefault(ex, STEP_COLOURS[len(colours) % len(STEP_COLOURS)])
                label = str(seg["title"])
            else:
                colour, label = GAP_COLOUR, "between steps"
            tip = f"{label}: {_mmss(seg['start_s'])}-{_mmss(seg['end_s'])}"
            rects.append(f"<rect x='{x:.1f}' y='0' width='{w:.1f}' height='{height:.0f}' "
                         f"fill='{colour}'><title>{_e(tip)}</title></rect>")  # fmt: skip
            if seg["kind"] == "step" and w > 7 * len(label) * 0.6:
                rects.append(f"<text x='{x + 4:.1f}' y='22'>{_e(label)}</text>")
        count = found_text(self.routine)
        return (
            f"<section><h2>Timeline</h2><p class='meta'>{_e(count)}; grey: between steps "
            f"(rest, nobody in view, other movement). {_e(_mmss(t0))} to {_e(_mmss(t1))}.</p>"
            f"<svg class='strip' viewBox='0 0 {width:.0f} {height:.0f}' role='img' "
            f"aria-label='timeline of the steps'>{''.join(rects)}</svg></section>"
        )

    def _steps(self) -> str:
        items = []
        for seg in self.segments:
            if seg["kind"] != "step":
                continue
            d = seg.get("summary") or {}
            items.append(_step_html(seg, d))
        body = "".join(items) or "<p>No step was found.</p>"
        return f"<section><h2>Steps</h2>{body}</section>"


def _step_html(seg: dict, d: dict) -> str:
    dose = d.get("dose") or {}
    holds = d.get("holds") or []
    facts = []
    score = d.get("score")
    facts.append("score " + ("-" if score is None else f"{score:.0f}/100"))
    holds_only = dose.get("counts") == "holds"  # a stretch held N times: N is its holds
    if holds or dose.get("hold_s"):
        target = f" (target {dose['hold_s']:g} s)" if dose.get("hold_s") else ""
        longest = max((h.get("duration_s") or 0.0 for h in holds), default=0.0)
        due = d.get("holds_due", len(holds))
        of = f" of {dose['reps']}" if holds_only and dose.get("reps") else f" of {due}"
        facts.append(f"holds reached {d.get('holds_reached', 0)}{of}{target}, "
                     f"longest {longest:.1f} s")  # fmt: skip
    if not holds_only and (d.get("reps") or dose.get("reps")):
        of = f" of {dose['reps']}" if dose.get("reps") else ""
        facts.append(f"reps {d.get('reps_complete', 0)}{of}")
    fixes = "".join(f"<li>{_e(c.get('text'))}</li>" for c in (d.get("corrections") or [])[:3])
    conf = seg.get("confidence")
    sure = f" &middot; split {conf * 100:.0f}% sure" if isinstance(conf, (int, float)) else ""
    return (
        f"<div class='step'><h3>{_e(seg['title'])}</h3>"
        f"<p class='meta'>{_e(_mmss(seg['start_s']))}-{_e(_mmss(seg['end_s']))}{sure}</p>"
        f"<p>{_e(' · '.join(facts))}</p>"
        + (f"<ul>{fixes}</ul>" if fixes else "<p class='meta'>no corrections needed</p>")
        + "</div>"
    )


def found_text(routine: dict) -> str:
    """ "3 of 7 planned steps found (not found: ...)": summary.json's ``routine``."""
    done, planned = routine.get("runs_done"), routine.get("runs_planned")
    count = (f"{done} of {planned} planned steps found" if planned
             else f"{done} step{'' if done == 1 else 's'} found")  # fmt: skip
    missing = routine.get("runs_missing") or []
    order = ", in another order than planned" if routine.get("in_plan_order") is False else ""
    return count + order + (f" (not found: {'; '.join(missing)})" if missing else "")

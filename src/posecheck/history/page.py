"""progress.html: one self-contained page (inline CSS and SVG, no script, no network).

At the top, days with a session: the last-30-days figure and a 90-day calendar.
Then per exercise: early vs recent tiles, the longest hold of each day against its
target (or complete reps against the dose), the score, pain before and after, and
the top corrections with how often they were needed early vs recently. Charts draw
one point a day, so the page stays small for years of sessions.
"""

from __future__ import annotations

import datetime as _dt
import html
import math
from collections.abc import Sequence

from posecheck import DISCLAIMER, __version__
from posecheck.history.progress import (
    ADHERENCE_DAYS,
    CALENDAR_DAYS,
    ExerciseProgress,
    Progress,
    Trend,
    format_value,
)
from posecheck.sinks.style import BASE_CSS

W, H = 940, 210  # chart viewBox
PAD_L, PAD_R, PAD_T, PAD_B = 44, 16, 14, 28
GOOD, MID, LOW, ACCENT, INK = "#2e9d5b", "#d89614", "#d0423b", "#3b73c4", "#1d2430"
BEFORE, AFTER = "#8e5bc4", "#2a8f9d"
ROLL_DAYS = 7  # the chart lines: mean of the last week (of 4 weeks on weekly charts)


def _e(s: object) -> str:
    return html.escape(str(s), quote=True)


def _fmt(v: float | None, unit: str = "", whole: bool = False) -> str:
    """As the terminal's progress lines write it (a hold of 10.5 s read "11 s" here)."""
    if v is None or not math.isfinite(v):
        return "-"
    return format_value(v, seconds=unit == " s", whole=whole) + unit


def _day(d: _dt.date, year: bool = False) -> str:
    return f"{d:%b} {d.day}" + (f", {d.year}" if year else "")


# --- charts --------------------------------------------------------------------------


def _nice_max(v: float) -> float:
    if v <= 0:
        return 1.0
    mag = 10 ** math.floor(math.log10(v))
    for m in (1, 2, 2.5, 5, 10):
        if v <= m * mag:
            return m * mag
    return 10 * mag


def line_chart(
    series: Sequence[tuple[str, str, list[tuple[_dt.date, float]]]],
    d0: _dt.date,
    d1: _dt.date,
    *,
    y_max: float | None = None,
    unit: str = "",
    target: float | None = None,
    target_label: str = "",
    ticks: int | None = None,
    roll_days: int = 7,
    reached: set[_dt.date] | None = None,
) -> str:
    """An SVG chart of day-valued series: (label, colour, [(day, value)]) each. With a
    ``target``, the main series' dots are green where it was reached (``reached``: the
    days a session said so, with the definition's tolerance; else the value against it)."""
    vals = [v for _, _, pts in series for _, v in pts]
    top = y_max if y_max is not None else _nice_max(max([*vals, target or 0.0, 1e-9]) * 1.1)
    if ticks is None:  # round steps: 0-10 by 2, 0-20 by 5, 0-25 by 5, 0-100 by 20
        lead = top / 10 ** math.floor(math.log10(top))
        ticks = 4 if round(lead, 3) == 2.0 else 5
    span = max(1, (d1 - d0).days)
    iw, ih = W - PAD_L - PAD_R, H - PAD_T - PAD_B

    def x(d: _dt.date) -> float:
        return PAD_L + iw * (d - d0).days / span

    def y(v: float) -> float:
        return PAD_T + ih * (1 - min(max(v, 0.0), top) / top)

    out = [f"<svg viewBox='0 0 {W} {H}' role='img'>"]
    for k in range(ticks + 1):
        v = top * k / ticks
        label = f"{v:g}{unit}"
        out.append(f"<line class='grid' x1='{PAD_L}' x2='{W - PAD_R}' y1='{y(v):.1f}' "
                   f"y2='{y(v):.1f}'/><text class='ax' x='{PAD_L - 6}' y='{y(v) + 4:.1f}' "
                   f"text-anchor='end'>{label}</text>")  # fmt: skip
    step = max(7, 7 * math.ceil(span / 7 / 8))  # at most ~8 date labels, whole weeks
    d = d0
    while d <= d1:
        label = f"{d:%b %Y}" if span > 300 else _day(d)  # years apart: say which year
        out.append(f"<text class='ax' x='{x(d):.1f}' y='{H - 8}' text-anchor='middle'>"
                   f"{_e(label)}</text>")  # fmt: skip
        d += _dt.timedelta(days=step)
    if target:
        out.append(f"<line class='target' x1='{PAD_L}' x2='{W - PAD_R}' y1='{y(target):.1f}' "
                   f"y2='{y(target):.1f}'/><text class='tl' x='{PAD_L + 8}' "
                   f"y='{y(target) - 7:.1f}'>{_e(target_label)}</text>")  # fmt: skip
    for _label, colour, pts in series:
        if not pts:
            continue
        # each day a dot; the line is the mean of the last 7 days, so day-to-day noise
        # (pain is a whole number, a hold varies) does not hide the direction
        r = 3.4 if len(pts) <= 120 else 1.8
        for d, v in pts:
            fill = colour
            if target and colour == INK:
                fill = GOOD if (d in reached if reached is not None else v >= target) else MID
            out.append(f"<circle cx='{x(d):.1f}' cy='{y(v):.1f}' r='{r}' fill='{fill}' "
                       "fill-opacity='.75'/>")  # fmt: skip
        smooth = rolling(pts, roll_days)
        path = " ".join(f"{'M' if i == 0 else 'L'}{x(d):.1f},{y(v):.1f}"
                        for i, (d, v) in enumerate(smooth))  # fmt: skip
        out.append(f"<path d='{path}' fill='none' stroke='{colour}' stroke-width='2.6' "
                   "stroke-linejoin='round' stroke-linecap='round'/>")  # fmt: skip
    out.append(f"<rect class='frame' x='{PAD_L}' y='{PAD_T}' width='{iw}' height='{ih}'/></svg>")
    return "".join(out)


def rolling(pts: list[tuple[_dt.date, float]], days: int) -> list[tuple[_dt.date, float]]:
    """The mean of the points in the ``days`` days up to each point."""
    out, lo, total = [], 0, 0.0
    for hi, (d, v) in enumerate(pts):
        total += v
        while (d - pts[lo][0]).days >= days:
            total -= pts[lo][1]
            lo += 1
        out.append((d, total / (hi - lo + 1)))
    return out


def calendar(per_day: dict[_dt.date, int], today: _dt.date, days: int = CALENDAR_DAYS) -> str:
    """The last ``days`` days as weeks (columns) of days (rows, Monday on top)."""
    start = today - _dt.timedelta(days=days - 1)
    first_monday = start - _dt.timedelta(days=start.weekday())
    weeks = (today - first_monday).days // 7 + 1
    cell, gap, left, topm = 20, 4, 34, 22
    w = left + weeks * (cell + gap)
    h = topm + 7 * (cell + gap)
    out = [f"<svg class='cal' viewBox='0 0 {w} {h}' role='img' "
           f"style='max-width:{w * 1.35:.0f}px'>"]  # fmt: skip
    for i, name in enumerate(("Mon", "", "Wed", "", "Fri", "", "Sun")):
        if name:
            out.append(f"<text class='ax' x='{left - 6}' y='{topm + i * (cell + gap) + 14}' "
                       f"text-anchor='end'>{name}</text>")  # fmt: skip
    # a month is named over the week its first day is in (the week of Mon Nov 30 with
    # Dec 1-5 said nothing), the first week by its own month unless the next names one
    firsts = {}
    for wk in range(weeks):
        monday = first_monday + _dt.timedelta(days=7 * wk)
        days_in = [monday + _dt.timedelta(days=k) for k in range(7)]
        first = [d for d in days_in if start <= d <= today and d.day == 1]
        if first:
            firsts[wk] = first[0]
    if 0 not in firsts and 1 not in firsts:
        firsts[0] = start
    for wk, d in sorted(firsts.items()):
        out.append(f"<text class='ax' x='{left + wk * (cell + gap)}' y='14'>{d:%b}</text>")
    for wk in range(weeks):
        monday = first_monday + _dt.timedelta(days=7 * wk)
        for dow in range(7):
            d = monday + _dt.timedelta(days=dow)
            if d < start or d > today:
                continue
            n = per_day.get(d, 0)
            cls = "c0" if n == 0 else ("c1" if n == 1 else "c2")
            extra = " today" if d == today else ""
            tip = f"{d:%a} {d.isoformat()}: {n} session{'s' if n != 1 else ''}"
            out.append(f"<rect class='{cls}{extra}' x='{left + wk * (cell + gap)}' "
                       f"y='{topm + dow * (cell + gap)}' width='{cell}' height='{cell}' rx='4'>"
                       f"<title>{_e(tip)}</title></rect>")  # fmt: skip
    out.append("</svg>")
    return "".join(out)


# --- sections ------------------------------------------------------------------------


def _arrow(
    t: Trend,
    better: str,
    unit: str = "",
    goal: str = "",
    trend: bool = True,
    whole: bool = False,
    enough: float | None = None,
    neutral: bool = False,
) -> str:
    """'early -> recent' with the change coloured by whether it is better; ``goal`` under it.
    ``trend`` False (every session on one day), or too few sessions with a value: the
    value alone, and why no change. ``enough``: at or past it both ways, a change is
    neither better nor worse (a cat-camel's longest hold 3.7 -> 3.4 s of 2 s was red);
    ``neutral``: neither better nor worse either (reps against another dose)."""
    goal_p = f"<p class='goal'>{_e(goal)}</p>" if goal else ""
    if t.early is None:
        return "<div class='big'>-</div>" + goal_p
    now = _fmt(t.recent, unit, whole)
    if not trend or t.few:
        why = "one day" if not trend else f"{t.n} session{'' if t.n == 1 else 's'}"
        return f"<div class='big'>{now}</div><p>{why}: no trend yet</p>{goal_p}"
    ch = t.change or 0.0
    good = (ch > 0) if better == "up" else (ch < 0)
    met = enough is not None and min(t.early, t.recent or 0.0) >= enough
    cls = "flat" if abs(ch) < 1e-9 or met or neutral else ("up" if good else "down")
    sign = "+" if ch > 0 else ""
    # the change as the difference of the two values shown (11 from 5.3 read "+5.2")
    shown = float(_fmt(t.recent, "", whole)) - float(_fmt(t.early, "", whole))
    was, by = _fmt(t.early, unit, whole), _fmt(shown, unit, whole)
    return (f"<div class='big'>{now}</div><p>from {was} "
            f"<span class='chg {cls}'>{sign}{by}</span></p>{goal_p}")  # fmt: skip


def _dose_words(e: ExerciseProgress) -> str:
    """ "dose 10", or "dose 10, then 5" where the sessions' dose changed."""
    if e.reps_dose and e.reps_dose_was:
        return f"dose {e.reps_dose_was}, then {e.reps_dose}"
    return f"dose {e.reps_dose}" if e.reps_dose else ""


def _tiles(e: ExerciseProgress) -> str:
    tiles = []
    if e.hold.early is not None:
        tgt = f"target {e.hold_target_s:g} s" if e.hold_target_s else ""
        tiles.append(f"<div class='card'><div class='lbl'>longest hold</div>"
                     f"{_arrow(e.hold, 'up', ' s', tgt, not e.no_trend, enough=e.hold_target_s)}"
                     "</div>")  # fmt: skip
    if e.reps.n and not e.is_hold:
        dose = _dose_words(e)
        # another dose: the change is no better or worse (6 of 10, then 5 of 5 read "-1")
        arrow = _arrow(e.reps, "up", "", dose, not e.no_trend, neutral=bool(e.reps_dose_was))
        tiles.append(f"<div class='card'><div class='lbl'>complete reps</div>{arrow}</div>")
    tiles.append(f"<div class='card'><div class='lbl'>score</div>"
                 f"{_arrow(e.score, 'up', trend=not e.no_trend, whole=True)}</div>")  # fmt: skip
    if e.pain_before.early is not None or e.pain_after.early is not None:
        pain = e.pain_after if e.pain_after.early is not None else e.pain_before
        which = "after" if pain is e.pain_after else "before"
        arrow = _arrow(pain, "down", "", "0 none, 10 worst", not e.no_trend)
        tiles.append(f"<div class='card'><div class='lbl'>back pain {which}</div>{arrow}</div>")
    n = f"{e.n_sessions} session{'' if e.n_sessions == 1 else 's'}"
    tiles.append(f"<div class='card'><div class='lbl'>days with a session</div>"
                 f"<div class='big'>{e.days_last_30}<small> of {ADHERENCE_DAYS}</small></div>"
                 f"<p>&nbsp;</p><p class='goal'>{n} in all</p>"
                 "</div>")  # fmt: skip
    return "<div class='cards'>" + "".join(tiles) + "</div>"


def _legend(items: Sequence[tuple[str, str, str]]) -> str:
    """(css swatch style, label, extra class) each."""
    return "<p class='legend'>" + "".join(
        f"<span class='sw {cls}' style='{style}'></span>{_e(label)}" for style, label, cls in items
    ) + "</p>"  # fmt: skip


def _corrections(e: ExerciseProgress) -> str:
    if not e.corrections:
        return "<h3>Corrections</h3><p class='ok'>No corrections were needed.</p>"
    rows = []
    for c in e.corrections:
        cls = {"rarer": "up", "more often": "down"}.get(c.verdict, "flat")
        rows.append(
            f"<tr><td class='ct'>{_e(c.text)}</td>"
            f"<td><div class='pair'><span>early</span><div class='bar'><i style='width:"
            f"{c.early_share * 100:.0f}%;background:#a9b4c4'></i></div>"
            f"<b>{c.early_share:.0%}</b></div><div class='pair'><span>recent</span>"
            f"<div class='bar'><i style='width:{c.recent_share * 100:.0f}%'></i></div>"
            f"<b>{c.recent_share:.0%}</b></div></td>"
            f"<td><span class='chg {cls}'>{_e(c.verdict)}</span></td></tr>"
        )
    return ("<h3>Top corrections <small>share of sessions that needed each, first half of "
            "the sessions vs second half</small></h3><table class='corrs'>"
            + "".join(rows) + "</table>")  # fmt: skip


def _exercise(e: ExerciseProgress, today: _dt.date) -> str:
    d0, d1, b = e.chart  # beyond half a year a point a week, lines the mean of 4 weeks
    each, roll = ("week", 28) if b > 1 else ("day", ROLL_DAYS)
    yr = e.first_day.year != today.year
    first, last = _e(_day(e.first_day, yr)), _e(_day(e.last_day, yr))
    parts = [f"<section class='ex'><h2>{_e(e.title)}</h2><p class='meta'>"
             + (f"{e.n_sessions} session{'s' if e.n_sessions != 1 else ''} on {first}"
                if e.no_trend else
                f"{e.n_sessions} sessions from {first} to {last} ({e.span_days} days)")
             + "</p>",
             _tiles(e)]  # fmt: skip
    if e.hold.n:
        pts = e.series["hold"]
        good = {d for d, v in e.series.get("reached", []) if v}
        tl = f"target {e.hold_target_s:g} s" if e.hold_target_s else ""
        parts.append(f"<h3>Longest hold each {each}</h3>" + _legend([
            (f"background:{GOOD}", "reached the target", "dot"),
            (f"background:{MID}", "short of it", "dot"),
            (f"border-color:{INK}", f"mean of {roll} days", "ln"),
            ("", tl, "tgt") if tl else ("", "", "none"),
        ]) + line_chart([("hold", INK, pts)], d0, d1, unit=" s", target=e.hold_target_s,
                        target_label=tl, roll_days=roll, reached=good))  # fmt: skip
    if e.reps.n and not e.is_hold:
        pts = e.series["reps"]
        # one dose line only where every session had that dose (the old days' 6-8 of 10
        # were green against a routine's later dose of 5)
        one = float(e.reps_dose) if e.reps_dose and not e.reps_dose_was else None
        tl = f"dose {e.reps_dose}" if one else ""
        more = f"; {_dose_words(e)}" if e.reps_dose_was else ""
        parts.append(f"<h3>Complete reps each {each} (best session{more})</h3>" + line_chart(
            [("reps", INK, pts)], d0, d1, target=one, target_label=tl, roll_days=roll))  # fmt: skip
    if e.score.n:
        pts = e.series["score"]
        parts.append(f"<h3>Score <small>0-100; dots: each {each}'s mean, line: of {roll} days"
                     "</small></h3>" + line_chart([("score", ACCENT, pts)], d0, d1, y_max=100,
                                                  roll_days=roll))  # fmt: skip
    if e.pain_before.n or e.pain_after.n:
        before, after = e.series["pain_before"], e.series["pain_after"]
        parts.append(f"<h3>Back pain <small>0 none - 10 worst; lines: mean of {roll} days</small>"
                     "</h3>" + _legend([
            (f"background:{BEFORE}", "before the session", "dot"),
            (f"background:{AFTER}", "after", "dot"),
        ]) + line_chart([("before", BEFORE, before), ("after", AFTER, after)], d0, d1,
                        y_max=10, ticks=5, roll_days=roll))  # fmt: skip
    parts.append(_corrections(e))
    parts.append("</section>")
    return "".join(parts)


def render_page(progress: Progress, *, title: str = "Progress") -> str:
    """The whole progress.html."""
    p = progress
    n = sum(e.n_sessions for e in p.exercises)
    who = f" - {p.person}" if p.person else ""
    mixed = p.mixed()
    head = (f"<header><div class='brand'>posecheck progress</div><h1>{_e(title)}{_e(who)}</h1>"
            f"<p class='meta'>{n} sessions of {len(p.exercises)} exercise"
            f"{'s' if len(p.exercises) != 1 else ''} &middot; as of {_e(p.today.isoformat())}"
            "</p>" + (f"<p class='warn'>{_e(mixed)}</p>" if mixed else "")
            + "</header>")  # fmt: skip
    adherence = (
        "<section class='adh'><div class='adh-num'><div class='lbl'>days with a session</div>"
        f"<div class='big'>{p.days_last_30}<small> of the last {ADHERENCE_DAYS}</small></div>"
        "<p>Short, regular sessions matter more than long ones.</p></div>"
        f"<div class='adh-cal'><div class='lbl'>the last {CALENDAR_DAYS} days</div>"
        f"{calendar(p.sessions_per_day, p.today)}"
        + _legend([("", "no session", "c0"), ("", "1 session", "c1"), ("", "2 or more", "c2")])
        + "</div></section>"
    )
    body = [_exercise(e, p.today) for e in p.exercises] or [
        "<section><p>No sessions recorded yet: <code>posecheck analyze</code>, "
        "<code>live</code> and <code>score</code> record them.</p></section>"
    ]
    foot = (f"<footer><p class='disclaimer'>{_e(DISCLAIMER)}</p>"
            f"<p>posecheck {_e(__version__)} &middot; from the local history; nothing left "
            "this computer</p></footer>")  # fmt: skip
    return ("<!doctype html><html lang='en'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<title>posecheck progress{_e(who)}</title><style>{CSS}</style></head><body><main>"
            + head + adherence + "".join(body) + foot + "</main></body></html>\n")  # fmt: skip


CSS = (
    BASE_CSS
    + """
h2{font-size:22px;margin:0 0 2px}
.warn{background:#fff4d6;border:1px solid #e8c66a;border-radius:8px;padding:8px 12px}
h3{font-size:15px;margin:18px 0 6px}
h3 small,.lbl small{font-weight:400;color:var(--muted);margin-left:6px}
.meta{color:var(--muted);margin:2px 0 12px;font-size:14px}
.cards{display:flex;gap:14px;flex-wrap:wrap}
.card{flex:1 1 170px;border:1px solid var(--line);border-radius:10px;padding:12px 16px}
.card{flex:1 1 150px}
.card p{margin:4px 0 0;color:var(--muted);font-size:14px}
.card p.goal{font-size:12px;margin-top:2px}
.lbl{color:var(--muted);font-size:13px;margin-bottom:4px}
.big{font-size:38px;font-weight:700;line-height:1.05}
.big small{font-size:18px;color:var(--muted);font-weight:600}
.chg{font-weight:700;padding:1px 8px;border-radius:99px;font-size:13px;white-space:nowrap}
.chg.up{background:#e3f4ea;color:var(--good)}.chg.down{background:#fdecea;color:var(--low)}
.chg.flat{background:#eef1f5;color:var(--muted)}
.adh{display:flex;gap:28px;flex-wrap:wrap;align-items:center}
.adh-num{flex:0 0 220px}.adh-num .big{font-size:56px;color:var(--good)}
.adh-num p{color:var(--muted);font-size:14px;margin:8px 0 0}
.adh-cal{flex:1 1 480px}
svg .target{stroke:#2e9d5b;stroke-width:1.5;stroke-dasharray:7 5}
svg .tl{font-size:12px;font-weight:600;fill:#2e9d5b;paint-order:stroke;stroke:#fff;
stroke-width:3px}
svg.cal .c0,.sw.c0{fill:#e9edf2;background:#e9edf2}
svg.cal .c1,.sw.c1{fill:#8fd0a8;background:#8fd0a8}
svg.cal .c2,.sw.c2{fill:#2e9d5b;background:#2e9d5b}
svg.cal .today{stroke:#1d2430;stroke-width:2}
.legend{font-size:13px;color:var(--muted);margin:0 0 6px}
.sw{display:inline-block;width:12px;height:12px;border-radius:3px;margin:0 5px 0 14px;
vertical-align:-1px}
.sw:first-child{margin-left:0}
.sw.dot{border-radius:50%}.sw.none{display:none}
.sw.ln{width:18px;height:0;border-top:3px solid;border-radius:0;vertical-align:3px}
.sw.tgt{width:18px;height:0;border-top:2px dashed #2e9d5b;border-radius:0;vertical-align:3px}
table.corrs{border-collapse:collapse;width:100%;font-size:14px}
table.corrs td{padding:8px 8px;border-bottom:1px solid var(--line);vertical-align:middle}
td.ct{width:44%;font-weight:600}
.pair{display:grid;grid-template-columns:52px 1fr 40px;gap:8px;align-items:center;
font-size:12px;color:var(--muted)}
.pair b{text-align:right;color:var(--fg)}
.bar{height:8px;background:#e9edf2;border-radius:4px;overflow:hidden}
@media (max-width:720px){main{padding:16px 10px}.big{font-size:30px}td.ct{width:auto}}
"""
)

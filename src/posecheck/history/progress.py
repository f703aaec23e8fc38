"""Progress over time: per exercise, the trend of holds, reps, score, corrections and pain.

Pure: takes history rows (:class:`~posecheck.history.store.SessionRow`) and a
``today``; no database, no clock. "Early" and "recent" are the medians of the
first and last :data:`EDGE` sessions (fewer when there are few), so one odd session
does not make the trend. Days are the person's local calendar days.
"""

from __future__ import annotations

import datetime as _dt
import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from posecheck.history.store import SessionRow

EDGE = 3  # sessions at each end that make "early" and "recent"
ADHERENCE_DAYS = 30  # the figure clinics track: days with a session of the last 30
CALENDAR_DAYS = 90


def local_day(iso_utc: str) -> _dt.date:
    """The local calendar day of a stored UTC time."""
    t = _dt.datetime.fromisoformat(iso_utc)
    if t.tzinfo is None:
        t = t.replace(tzinfo=_dt.timezone.utc)
    return t.astimezone().date()


@dataclass
class Trend:
    """Early vs recent value of one measure (``None`` where no session had it)."""

    early: float | None
    recent: float | None
    n: int  # sessions with a value

    @property
    def change(self) -> float | None:
        if self.early is None or self.recent is None:
            return None
        return self.recent - self.early


def trend(values: Sequence[float | None], edge: int = EDGE) -> Trend:
    vals = [float(v) for v in values if v is not None]
    if not vals:
        return Trend(None, None, 0)
    k = max(1, min(edge, len(vals) // 2))
    return Trend(statistics.median(vals[:k]), statistics.median(vals[-k:]), len(vals))


@dataclass
class CorrectionTrend:
    """How often a correction was needed, early sessions vs recent ones."""

    id: str
    text: str
    sessions: int  # sessions that needed it at all
    early_share: float  # share of the first half of the sessions that needed it
    recent_share: float  # share of the second half

    @property
    def verdict(self) -> str:
        d = self.recent_share - self.early_share
        if d <= -0.15:
            return "rarer"
        if d >= 0.15:
            return "more often"
        return "about the same"


@dataclass
class ExerciseProgress:
    exercise: str
    title: str
    sessions: list[SessionRow]
    days: list[_dt.date]  # local day of each session
    hold: Trend
    hold_target_s: float | None
    reps: Trend
    reps_dose: int | None
    score: Trend
    pain_before: Trend
    pain_after: Trend
    corrections: list[CorrectionTrend]
    days_last_30: int
    span_days: int
    is_hold: bool  # judged on holds (else on reps)

    def summary_line(self) -> str:
        """One line: what changed, against the target, and adherence."""
        parts = []
        if self.is_hold and self.hold.early is not None:
            t = f"longest hold {_n(self.hold.early, True)} s -> {_n(self.hold.recent, True)} s"
            if self.hold_target_s:
                t += f" over {self.span_days} days, target {self.hold_target_s:g} s"
            else:
                t += f" over {self.span_days} days"
            parts.append(t)
        if not self.is_hold or self.hold.early is None:
            t = f"reps {_n(self.reps.early)} -> {_n(self.reps.recent)} over {self.span_days} days"
            if self.reps_dose:
                t += f", dose {self.reps_dose}"
            parts.append(t)
        if self.score.early is not None:
            parts.append(f"score {self.score.early:.0f} -> {self.score.recent:.0f}")
        if self.pain_before.early is not None:
            parts.append(f"pain before {_n(self.pain_before.early)} -> "
                         f"{_n(self.pain_before.recent)}")  # fmt: skip
        if self.pain_after.early is not None:
            parts.append(f"pain after {_n(self.pain_after.early)} -> "
                         f"{_n(self.pain_after.recent)}")  # fmt: skip
        parts.append(f"{self.days_last_30} of the last {ADHERENCE_DAYS} days")
        return f"{self.exercise}: " + "; ".join(parts)


def _n(v: float | None, seconds: bool = False) -> str:
    if v is None:
        return "-"
    whole = abs(v - round(v)) < 0.05 and (abs(v) >= 10 or not seconds)
    return f"{v:.0f}" if whole else f"{v:.1f}"


def _correction_trends(rows: list[SessionRow], top: int) -> list[CorrectionTrend]:
    if not rows:
        return []
    seen: dict[str, list[int]] = {}
    text: dict[str, str] = {}
    total: dict[str, int] = {}
    for i, r in enumerate(rows):
        for c in r.detail.get("corrections") or []:
            cid = c.get("id")
            if not cid or not c.get("count", 1):
                continue
            seen.setdefault(cid, []).append(i)
            text.setdefault(cid, c.get("text") or cid)
            total[cid] = total.get(cid, 0) + int(c.get("count") or 1)
    half = len(rows) // 2
    n_early, n_recent = max(1, half), max(1, len(rows) - half)
    ranked = sorted(seen, key=lambda k: (-len(seen[k]), -total[k], k))[:top]
    out = []
    for cid in ranked:
        idx = seen[cid]
        early = sum(1 for i in idx if i < half) / n_early if half else 0.0
        recent = sum(1 for i in idx if i >= half) / n_recent
        out.append(CorrectionTrend(cid, text[cid], len(idx), early, recent))
    return out


def exercise_progress(
    exercise: str,
    rows: list[SessionRow],
    today: _dt.date,
    *,
    title: str | None = None,
    top_corrections: int = 3,
) -> ExerciseProgress:
    """The progress of one exercise over ``rows`` (oldest first)."""
    days = [local_day(r.performed_utc) for r in rows]
    targets = [r.hold_target_s for r in rows if r.hold_target_s]
    doses = [(r.detail.get("dose") or {}).get("reps") for r in rows]
    dose = next((int(d) for d in reversed(doses) if isinstance(d, (int, float))), None)
    holds_seen = sum(1 for r in rows if r.holds_total)
    reps_seen = sum(1 for r in rows if r.reps_attempted)
    window = {today - _dt.timedelta(days=k) for k in range(ADHERENCE_DAYS)}
    if title is None:  # as the summary said it, else from the name
        title = next((r.detail.get("title") for r in reversed(rows) if r.detail.get("title")),
                     None) or exercise.replace("-", " ").capitalize()  # fmt: skip
    return ExerciseProgress(
        exercise=exercise,
        title=title,
        sessions=rows,
        days=days,
        hold=trend([r.longest_hold_s for r in rows]),
        hold_target_s=targets[-1] if targets else None,
        reps=trend([r.reps_complete for r in rows]),
        reps_dose=dose,
        score=trend([r.score for r in rows]),
        pain_before=trend([r.pain_before for r in rows]),
        pain_after=trend([r.pain_after for r in rows]),
        corrections=_correction_trends(rows, top_corrections),
        days_last_30=len(set(days) & window),
        span_days=(max(days) - min(days)).days + 1 if days else 0,
        is_hold=holds_seen >= reps_seen,
    )


@dataclass
class Progress:
    """Everything the progress page and the terminal summary show."""

    today: _dt.date
    exercises: list[ExerciseProgress]
    sessions_per_day: dict[_dt.date, int] = field(default_factory=dict)  # all exercises
    person: str | None = None

    @property
    def days_last_30(self) -> int:
        start = self.today - _dt.timedelta(days=ADHERENCE_DAYS - 1)
        return sum(1 for d in self.sessions_per_day if start <= d <= self.today)

    def lines(self) -> list[str]:
        if not self.exercises:
            return ["no sessions recorded yet (analyze, live and score record them)"]
        out = [e.summary_line() for e in self.exercises]
        if len(self.exercises) > 1:
            out.append(f"any exercise: {self.days_last_30} of the last {ADHERENCE_DAYS} days")
        return out


def build_progress(
    rows: Iterable[SessionRow],
    today: _dt.date,
    *,
    titles: Callable[[str], str | None] | None = None,
    person: str | None = None,
) -> Progress:
    """Group ``rows`` by exercise (most sessions first) and compute each one's progress."""
    by_ex: dict[str, list[SessionRow]] = {}
    per_day: dict[_dt.date, int] = {}
    for r in rows:
        by_ex.setdefault(r.exercise, []).append(r)
        d = local_day(r.performed_utc)
        per_day[d] = per_day.get(d, 0) + 1
    order = sorted(by_ex, key=lambda k: (-len(by_ex[k]), k))
    exs = [exercise_progress(k, by_ex[k], today, title=titles(k) if titles else None)
           for k in order]  # fmt: skip
    return Progress(today, exs, per_day, person)


def daily(
    rows: Sequence[SessionRow],
    days: Sequence[_dt.date],
    value: Callable[[SessionRow], Any],
    how: str = "max",
    bucket_days: int = 1,
) -> list[tuple[_dt.date, float]]:
    """One point a day (or per ``bucket_days``, dated by the bucket's first day): the best
    or the mean, so 10,000 sessions plot as fast as 90."""
    per: dict[_dt.date, list[float]] = {}
    for r, d in zip(rows, days, strict=True):
        v = value(r)
        if v is not None:
            if bucket_days > 1:
                d = d - _dt.timedelta(days=d.toordinal() % bucket_days)
            per.setdefault(d, []).append(float(v))
    agg = max if how == "max" else statistics.fmean
    return [(d, agg(vs)) for d, vs in sorted(per.items())]

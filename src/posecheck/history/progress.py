"""Progress over time: per exercise, the trend of holds, reps, score, corrections and pain.

Pure: what the aggregated numbers mean, with no database and no clock (the numbers come
from :func:`posecheck.history.query.load_progress`, which lets SQL do the counting).
"Early" and "recent" are the medians of the first and last :data:`EDGE` sessions, one
each with fewer than six: always an odd number, so the median is a value a session had
and not the lower of two (scores 55, 100, 30, 55 read "score 55 -> 30", the last session
55), and one odd session does not make the trend; a measure with fewer than
:data:`MIN_TREND` sessions shows its latest value, "last time", and no trend (two
sessions made "longest hold 2.7 s -> 5.7 s" and a green "+3.0 s"). Days are the
person's local calendar days.
"""

from __future__ import annotations

import datetime as _dt
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field

EDGE = 3  # sessions at each end that make "early" and "recent"
MIN_TREND = 4  # sessions with a value before a trend is shown: two at each end at least
ADHERENCE_DAYS = 30  # the figure clinics track: days with a session of the last 30
CALENDAR_DAYS = 90
WEEKLY_AFTER_DAYS = 183  # charts of longer spans plot a point a week, not a day

Series = list[tuple[_dt.date, float]]  # one chart's points: (day, value)


@dataclass
class Trend:
    """Early vs recent value of one measure (``None`` where no session had it)."""

    early: float | None
    recent: float | None
    n: int  # sessions with a value

    @property
    def few(self) -> bool:
        """Too few sessions with a value for a trend (:data:`MIN_TREND`)."""
        return self.n < MIN_TREND

    @property
    def change(self) -> float | None:
        if self.early is None or self.recent is None or self.few:
            return None
        return self.recent - self.early


def trend(values: Sequence[float | None], edge: int = EDGE) -> Trend:
    vals = [float(v) for v in values if v is not None]
    if not vals:
        return Trend(None, None, 0)
    k = max(1, min(edge, len(vals) // 2))
    k -= 1 - k % 2  # odd: the middle one is a session's, not the lower of two
    return Trend(statistics.median_low(vals[:k]), statistics.median_low(vals[-k:]), len(vals))


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


def correction_trend(
    cid: str, text: str, sessions: int, early: int, recent: int, of: int
) -> CorrectionTrend:
    """A correction needed in ``early`` of the first half of ``of`` sessions and ``recent``
    of the second half (``sessions`` in all)."""
    half = of // 2
    return CorrectionTrend(cid, text, sessions, early / max(1, half) if half else 0.0,
                           recent / max(1, of - half))  # fmt: skip


def chart_span(first: _dt.date, last: _dt.date, today: _dt.date) -> tuple[_dt.date, _dt.date, int]:
    """The charts' first and last day and days per point (7 past :data:`WEEKLY_AFTER_DAYS`):
    up to today when the last session is recent, a week at least."""
    d1 = max(last, today) if (today - last).days < 30 else last
    d0 = first if (d1 - first).days >= 6 else d1 - _dt.timedelta(days=6)
    return d0, d1, 7 if (d1 - d0).days > WEEKLY_AFTER_DAYS else 1


@dataclass
class ExerciseProgress:
    exercise: str
    title: str
    n_sessions: int
    first_day: _dt.date  # local day of the first session
    last_day: _dt.date
    hold: Trend
    hold_target_s: float | None
    reps: Trend
    reps_dose: int | None
    score: Trend
    pain_before: Trend
    pain_after: Trend
    corrections: list[CorrectionTrend]
    days_last_30: int
    is_hold: bool  # a stretch: judged on its holds alone (no session had a repetition)
    chart: tuple[_dt.date, _dt.date, int]  # see chart_span
    # per chart (hold, reps: the best; score, pain_before, pain_after: the mean) one point
    # per chart[2] days, dated by the period's first day
    series: dict[str, Series] = field(default_factory=dict)
    # the first session's dose where it differs from the latest (a routine's 5 after 10
    # alone): reps are then no trend against one dose ("reps 6 -> 5, dose 5" in red for
    # 6 of 10, then 5 of 5)
    reps_dose_was: int | None = None

    @property
    def span_days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    @property
    def no_trend(self) -> bool:
        """Every session on one day: early and recent are the same day's sessions, no
        progress over time (four sessions in an afternoon read "score 65 from 100")."""
        return self.span_days < 2

    def summary_line(self) -> str:
        """One line: what changed, against the target, and adherence. An exercise of
        repetitions with a hold (the bridge) shows both: its hold from the sessions that
        held it (a session whose hips never came up made it "reps 3 -> 3" alone)."""
        parts = []
        over = "(all on 1 day: no trend yet)" if self.no_trend else f"over {self.span_days} days"
        if not self.no_trend and self.n_sessions < MIN_TREND:
            over = f"({self.n_sessions} sessions {over}: too few for a trend yet)"
        if self.hold.early is not None:
            t = f"longest hold {self._ch(self.hold, True, ' s')} {over}"
            if self.hold_target_s:
                t += f", target {self.hold_target_s:g} s"
            parts.append(t)
        if not self.is_hold or self.hold.early is None:
            t = f"reps {self._ch(self.reps)}" + ("" if parts else f" {over}")
            if self.reps_dose and self.reps_dose_was:
                t += f", dose {self.reps_dose_was} -> {self.reps_dose}"
            elif self.reps_dose:
                t += f", dose {self.reps_dose}"
            parts.append(t)
        if self.score.early is not None:
            parts.append(f"score {self._ch(self.score, whole=True)}")
        if self.pain_before.early is not None:
            parts.append(f"pain before {self._ch(self.pain_before)}")
        if self.pain_after.early is not None:
            parts.append(f"pain after {self._ch(self.pain_after)}")
        parts.append(f"{self.days_last_30} of the last {ADHERENCE_DAYS} days")
        return f"{self.exercise}: " + "; ".join(parts)

    def _ch(self, t: Trend, seconds: bool = False, unit: str = "", whole: bool = False) -> str:
        """'early -> recent', or the recent value alone where there is no trend (one day,
        or fewer than MIN_TREND sessions with a value: "6 (1 session)")."""

        def f(v: float | None) -> str:
            return format_value(v, seconds, whole)

        if self.no_trend or self.n_sessions < MIN_TREND:  # why: said once, after the first
            return f"{f(t.recent)}{unit} last time"
        if t.few:  # "longest hold 1.4 s (3 sessions)" read as the best of three (one held 5.7)
            return f"{f(t.recent)}{unit} last time (from {t.n} session{'' if t.n == 1 else 's'})"
        return f"{f(t.early)}{unit} -> {f(t.recent)}{unit}"


def format_value(v: float | None, seconds: bool = False, whole: bool = False) -> str:
    """A value as progress writes it, in the terminal and on the page: a tenth unless it
    is whole (a hold under 10 s keeps its tenth: "3.0"); ``whole``: always whole (score)."""
    if v is None:
        return "-"
    whole = whole or (abs(v - round(v)) < 0.05 and (abs(v) >= 10 or not seconds))
    return f"{v:.0f}" if whole else f"{v:.1f}"


@dataclass
class Progress:
    """Everything the progress page and the terminal summary show."""

    today: _dt.date
    exercises: list[ExerciseProgress]
    # sessions per local day (any exercise), at least of the last CALENDAR_DAYS days
    sessions_per_day: dict[_dt.date, int] = field(default_factory=dict)
    person: str | None = None
    # the people of the sessions shown (None: recorded without --person)
    people: list[str | None] = field(default_factory=list)

    def mixed(self) -> str | None:
        """A warning when the sessions shown are of more than one person (a June clip of
        another person squeezed four weeks into the last sixth of every chart), or None."""
        if self.person or len(self.people) < 2:
            return None
        names = [p for p in self.people if p]
        who = ", ".join(names) + (" and sessions without a name" if None in self.people else "")
        return (
            f"note: these are the sessions of {len(self.people)} people ({who}), counted "
            "together: add --person NAME to see one person's"
        )

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
        mixed = self.mixed()
        return [*out, mixed] if mixed else out

"""The cue scheduler: which correction to show, and when.

Failing rules are ranked: safety before form before setup, then by ``priority`` (1
first). A failure must persist ``cue_delay_s`` before its cue is shown; a shown cue
stays at least ``cue_min_s``; a cue that cleared is not shown again within
``cue_repeat_s``. Movement checks (a fast swing, a bounce) fire for a moment: their
cue skips the delay and the failure is held for ``cue_min_s`` so the cue is seen; so
do the corrections :meth:`CueScheduler.announce` raises when a rep turns back short
of the top or a hold ends short (posecheck.corrections words them).
``update`` returns ``cue`` / ``cue_clear`` events, on changes only; :meth:`told`
the rules that failed long enough to be told about (a rep's / hold's faults).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from posecheck.engine.common import EPS, PartEvent, check_nonneg
from posecheck.engine.scoring import TRANSIENT
from posecheck.exercise import Rule
from posecheck.results import Cue

SEVERITY_RANK = {"safety": 0, "form": 1, "setup": 2}


class CueScheduler:
    """``update(t_s, failing)`` per frame; ``cue`` is the one shown, ``stats`` counts shows."""

    def __init__(self, delay_s: float, min_s: float, repeat_s: float) -> None:
        check_nonneg(cue_delay_s=delay_s, cue_min_s=min_s, cue_repeat_s=repeat_s)
        self.delay_s, self.min_s, self.repeat_s = delay_s, min_s, repeat_s
        self.cue: Cue | None = None
        self.stats: dict[str, dict[str, Any]] = {}  # rule id -> text, count, first_s, severity
        self._since = 0.0
        self._fail_since: dict[str, float] = {}
        self._latched: dict[str, tuple[Rule, float]] = {}
        self._cleared_at: dict[str, float] = {}
        self._announced: set[str] = set()  # ids raised by announce(): shown at once
        self._told: list[Rule] = []

    def announce(self, t: float, rule_id: str, text: str) -> None:
        """Show ``text`` from the next update on, without the delay, for at least
        ``cue_min_s`` (a correction for what just happened: a rep short of the top)."""
        rule = Rule(measure="", unit="deg", id=rule_id, cue=text, priority=1, severity="form")
        self._announced.add(rule.id)
        self._cleared_at.pop(rule.id, None)  # a new shortfall is told again
        self._latched[rule.id] = (rule, t + self.min_s)

    def told(self) -> list[Rule]:
        """The rules of the last update that failed long enough to be told about."""
        return list(self._told)

    def update(self, t: float, failing: Sequence[Rule]) -> list[PartEvent]:
        failing = self._with_latched(t, list(failing))
        ids = {r.id: r for r in failing}
        for rid in list(self._fail_since):
            if rid not in ids:
                del self._fail_since[rid]
        for rid in ids:
            self._fail_since.setdefault(rid, t)
        instant = (*TRANSIENT, *self._announced)
        persisted = [
            r for r in ids.values()
            if t - self._fail_since[r.id] >= self.delay_s - EPS or r.id in instant
        ]  # fmt: skip
        self._told = [r for r in persisted if r.id not in self._announced]
        eligible = [
            r for r in persisted if t - self._cleared_at.get(r.id, -1e9) >= self.repeat_s - EPS
        ]
        eligible.sort(key=lambda r: (SEVERITY_RANK.get(r.severity, 3), r.priority))
        best = eligible[0] if eligible else None
        cur = self.cue
        if cur is None:
            return [self._show(t, best)] if best is not None else []
        still = cur.id in ids
        min_done = t - self._since >= self.min_s - EPS
        if best is not None and best.id != cur.id:
            more_urgent = (SEVERITY_RANK[best.severity], best.priority) < (
                SEVERITY_RANK.get(cur.severity, 3), cur.priority)  # fmt: skip
            if (more_urgent and (best.severity == "safety" or min_done)) or (
                not still and min_done
            ):
                return [self._clear(t), self._show(t, best)]
        if not still and min_done:
            return [self._clear(t)]
        return []

    def _with_latched(self, t: float, failing: list[Rule]) -> list[Rule]:
        """``failing`` plus the movement failures still held for ``cue_min_s``."""
        for r in failing:
            if r.id in TRANSIENT:
                self._latched[r.id] = (r, t + self.min_s)
        for rid, (r, until) in list(self._latched.items()):
            if t > until + EPS:
                del self._latched[rid]
            elif rid not in [f.id for f in failing]:
                failing = [*failing, r]
        return failing

    def _show(self, t: float, r: Rule) -> PartEvent:
        self.cue = Cue(r.id, r.cue, r.priority, r.severity)
        self._since = t
        st = self.stats.setdefault(r.id, {"text": r.cue, "count": 0, "first_s": round(t, 3),
                                          "severity": r.severity})  # fmt: skip
        st["count"] += 1
        return PartEvent("cue", t, {"id": r.id, "text": r.cue, "severity": r.severity})

    def _clear(self, t: float) -> PartEvent:
        assert self.cue is not None
        ev = PartEvent("cue_clear", t, {"id": self.cue.id})
        self._cleared_at[self.cue.id] = t
        self.cue = None
        return ev

"""A generated history (seeded): for the tests, the benchmark and the README's screenshot.

Sessions on about 60% of the days, a bridge whose holds lengthen towards the
5 s target, a pelvic tilt whose complete reps rise towards the dose, scores that
climb, pain that eases, and corrections that become rarer at different speeds.
The numbers are made up; only their shape resembles a programme that works.
"""

from __future__ import annotations

import datetime as _dt
import random
from typing import Any

# (exercise, hold target s, reps dose, corrections (id, text, early share, late share))
PLAN: list[tuple[str, float, int, list[tuple[str, str, float, float]]]] = [
    ("bridge", 5.0, 10, [
        ("hips_up", "Lift your hips until shoulders, hips and knees line up.", 0.85, 0.2),
        ("feet_flat", "Keep your feet flat on the floor.", 0.5, 0.45),
        ("speed", "Lift and lower slowly.", 0.3, 0.05),
    ]),
    ("pelvic-tilt", 10.0, 10, [
        ("no_bridge", "Only tilt the pelvis: keep your bottom on the floor.", 0.7, 0.15),
        ("head_down", "Keep your head and shoulders relaxed on the floor.", 0.25, 0.3),
    ]),
]  # fmt: skip


def session_rows(
    days: int = 90, *, end: _dt.date, seed: int = 2, per_day: int = 1, person: str | None = None
) -> list[dict[str, Any]]:
    """History rows (``HistoryStore.upsert`` values) for ``days`` days ending on ``end``."""
    rng = random.Random(seed)
    rows: list[dict[str, Any]] = []
    start = end - _dt.timedelta(days=days - 1)
    for k in range(days):
        day = start + _dt.timedelta(days=k)
        # adherence improves: 45% of days early on, 75% in the last weeks
        if rng.random() > 0.45 + 0.3 * k / max(1, days - 1):
            continue
        f = k / max(1, days - 1)  # 0 -> 1 over the programme
        for j in range(per_day):
            for ex, target, dose, corrs in PLAN:
                if ex != "bridge" and rng.random() < 0.35:
                    continue  # the tilt is done on fewer days
                when = _dt.datetime.combine(day, _dt.time(7 + 11 * (j % 2), rng.randrange(60)))
                when = when.astimezone(_dt.timezone.utc)
                rows.append(_session(rng, ex, target, dose, corrs, f, when, person))
    return rows


def _session(rng: random.Random, ex: str, target: float, dose: int, corrs: list, f: float,
             when: _dt.datetime, person: str | None) -> dict[str, Any]:  # fmt: skip
    if ex == "bridge":
        best = min(target * 1.25, 2.0 + 3.4 * f + rng.gauss(0, 0.45))
        holds = [max(0.5, best - abs(rng.gauss(0, 0.8))) for _ in range(dose - 1)] + [best]
        reps = min(dose, max(3, round(5 + 5 * f + rng.gauss(0, 1.2))))
        holds = holds[:reps]
    else:
        best = min(target * 1.1, 4.0 + 6.0 * f + rng.gauss(0, 0.8))
        holds = [max(0.5, best - abs(rng.gauss(0, 1.0))) for _ in range(3)] + [best]
        reps = min(dose, max(2, round(4 + 6 * f + rng.gauss(0, 1.3))))
    score = max(20.0, min(98.0, 55 + 25 * f + rng.gauss(0, 5)))
    pain_b = max(0, min(10, round(6 - 3 * f + rng.gauss(0, 0.9))))
    pain_a = max(0, min(10, pain_b - (1 if rng.random() < 0.4 + 0.3 * f else 0)))
    corrections = []
    for cid, text, p0, p1 in corrs:
        if rng.random() < p0 + (p1 - p0) * f:
            corrections.append({"id": cid, "text": text, "count": rng.randint(1, 4)})
    corrections.sort(key=lambda c: -c["count"])
    hold_list = [{"duration_s": round(h, 2), "target_s": target, "reached": h >= target}
                 for h in holds]  # fmt: skip
    iso = when.replace(microsecond=0).isoformat()
    return {
        "performed_utc": iso, "performed_from": "run", "recorded_utc": iso, "person": person,
        "exercise": ex, "side": "left", "duration_s": 60.0 + 12 * len(holds),
        "reps_complete": reps, "reps_attempted": reps + (rng.random() < 0.3),
        "holds_reached": sum(h["reached"] for h in hold_list), "holds_total": len(hold_list),
        "longest_hold_s": round(max(holds), 2), "hold_target_s": target,
        "score": round(score, 1), "pain_before": pain_b if rng.random() < 0.85 else None,
        "pain_after": pain_a if rng.random() < 0.8 else None, "command": "live",
        "recording": None, "source": None, "outdir": None, "posecheck_version": "synthetic",
        "definition_hash": None, "partial": False,
        "detail": {"title": ex.replace("-", " ").capitalize(), "holds": hold_list,
                   "dose": {"hold_s": target, "reps": dose}, "score_components": {},
                   "corrections": corrections},
    }  # fmt: skip

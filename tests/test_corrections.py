"""The ranked corrections list: built from the definition and the summary alone."""

from __future__ import annotations

import pytest

from posecheck.corrections import (
    build_corrections,
    fmt_pair,
    fmt_value,
    hold_shortfall,
    measure_words,
)
from posecheck.library import load_file
from posecheck.results import HoldRecord, RepRecord, SessionSummary

from conftest import REPO


def _ex(name: str):
    return load_file(REPO / "poses" / f"{name}.toml")


def _summary(name: str, reps=(), holds=(), cues=None) -> SessionSummary:
    return SessionSummary(name, "left", 20.0, 600, 600, holds=list(holds), reps=list(reps),
                          cues=cues or {})  # fmt: skip


def _rep(i, t0, t1, complete, depth, faults=(), peak="up"):
    return RepRecord(i, t0, t1, complete, depth, "left", 50.0, list(faults), peak_phase=peak)


def test_rep_short_of_the_top_is_told_with_numbers() -> None:
    s = _summary("bridge", reps=[
        _rep(0, 2.0, 8.0, False, {"hip": 147.5, "knee": 84.0}),
        _rep(0, 11.0, 17.0, False, {"hip": 148.2, "knee": 84.0}),
    ])  # fmt: skip
    (c,) = build_corrections(_ex("bridge"), s)
    assert (c.kind, c.id, c.reps, c.count) == ("range", "short_rep:hip", [1, 2], 2)
    assert c.text == "Lift your hips higher: the hip angle reached at best 148°, aim for 165°."


def test_short_holds_say_the_target_and_the_longest() -> None:
    holds = [HoldRecord("tilt", t, t + 1.0, d, 10.0, False, "left", 40.0)
             for t, d in ((1.0, 1.0), (4.0, 1.1), (7.0, 0.9))]  # fmt: skip
    reps = [_rep(i, h.start_s - 0.1, h.end_s + 0.1, True, {"hip": 130.0}, peak="tilt")
            for i, h in enumerate(holds, 1)]  # fmt: skip
    (c,) = build_corrections(_ex("pelvic-tilt"), _summary("pelvic-tilt", reps, holds))
    assert c.text == "Hold the tilt for 10 s: your longest hold was 1.1 s."
    assert (c.kind, c.holds, c.reps) == ("hold", [1, 2, 3], [1, 2, 3])


def test_holds_still_held_when_counting_stopped() -> None:
    """Paused 2.6 s into a hold, then a 1.9 s hold the person came out of: "your longest
    hold was 1.9 s" beside a 2.6 s hold in the table. Paused only: nothing to tell. The
    recording ending in one: said so, with the longest the person came out of."""
    pause = HoldRecord("up", 1.0, 3.6, 2.6, 5.0, False, stopped="stop")
    short = HoldRecord("up", 9.0, 10.9, 1.9, 5.0, False)
    (c,) = build_corrections(_ex("bridge"), _summary("bridge", holds=[pause, short]))
    assert c.text == "Hold the top for 5 s: your longest hold was 2.6 s."
    assert (c.holds, c.count) == ([2], 1)  # the hold told about: the one cut short
    assert build_corrections(_ex("bridge"), _summary("bridge", holds=[pause])) == []
    end = HoldRecord("up", 14.0, 15.2, 1.2, 5.0, False, stopped="end")
    (c,) = build_corrections(_ex("bridge"), _summary("bridge", holds=[short, end]))
    assert c.text == ("Hold the top for 5 s: the recording ended 1.2 s into your last hold, "
                      "so it is not counted as reached (keep recording until you come out of "
                      "it); before it, your longest hold was 1.9 s.")  # fmt: skip
    assert (c.holds, c.count) == ([1, 2], 2)
    # the last hold longer than those before it: no "longest" shorter than the "last"
    long_end = HoldRecord("up", 14.0, 18.3, 4.3, 5.0, False, stopped="end")
    (c,) = build_corrections(_ex("bridge"), _summary("bridge", holds=[short, long_end]))
    assert c.text.startswith("Hold the top for 5 s: the recording ended 4.3 s into your last")
    assert c.text.endswith("; before it, your longest hold was 1.9 s.")
    reached = HoldRecord("up", 1.0, 6.5, 5.5, 5.0, True)
    (c,) = build_corrections(_ex("bridge"), _summary("bridge", holds=[reached, short, long_end]))
    assert c.text.endswith("; before it, 1 of your 2 holds stopped short (the shortest 1.9 s).")


def test_some_holds_reached_does_not_claim_the_longest_was_short() -> None:
    holds = [
        HoldRecord("up", 1.0, 6.0, 5.0, 5.0, True),
        HoldRecord("up", 9.0, 10.0, 1.0, 5.0, False),
    ]
    c = build_corrections(_ex("bridge"), _summary("bridge", holds=holds))[0]
    assert c.text == "Hold the top for 5 s: 1 of your 2 holds stopped short (the shortest 1.0 s)."


def test_complete_rep_without_a_hold_is_a_zero_hold() -> None:
    s = _summary("bridge", reps=[_rep(1, 1.0, 4.0, True, {"hip": 175.0, "knee": 60.0})])
    (c,) = build_corrections(_ex("bridge"), s)
    assert (c.id, c.reps) == ("short_hold:up", [1])
    assert c.text == "Hold the top for 5 s: 1 rep did not hold it at all."


def test_ranking_safety_then_range_then_hold_then_form() -> None:
    cues = {
        "knee_bend": {"text": "Feet about a foot from your hips.", "count": 5, "first_s": 1.0,
                      "severity": "form"},
        "too_fast": {"text": "Lift and lower slowly.", "count": 1, "first_s": 9.0,
                     "severity": "safety"},
    }  # fmt: skip
    reps = [_rep(0, 1.0, 3.0, False, {"hip": 150.0}, faults=["knee_bend"]),
            _rep(1, 4.0, 8.0, True, {"hip": 175.0})]  # fmt: skip
    holds = [HoldRecord("up", 5.0, 6.0, 1.0, 5.0, False)]
    kinds = [
        c.kind for c in build_corrections(_ex("bridge"), _summary("bridge", reps, holds, cues))
    ]
    assert kinds == ["safety", "range", "hold", "form"]


def test_a_bounce_whose_first_swing_read_too_fast_is_told_once_as_the_bounce() -> None:
    def told(fast_s: float, fast_count: int = 1, fast_reps=(1,)) -> list[str]:
        cues = {
            "too_fast": {"text": "Lean back and come up slowly.", "count": fast_count,
                         "first_s": fast_s, "severity": "safety"},
            "bouncing": {"text": "Hold still, do not bounce.", "count": 1, "first_s": 6.0,
                         "severity": "safety"},
        }  # fmt: skip
        reps = [_rep(1, 1.0, 12.0, True, {"trunk_lean": 20.0}, faults=["bouncing"], peak="lean"),
                _rep(2, 13.0, 24.0, True, {"trunk_lean": 20.0}, peak="lean")]  # fmt: skip
        for r in reps:
            if r.index in fast_reps:
                r.faults.append("too_fast")
        s = _summary("standing-backbend", reps, [], cues)
        ids = [c.id for c in build_corrections(_ex("standing-backbend"), s)]
        return [i for i in ids if not i.startswith("short_hold")]  # (no holds given)

    # the bounce's first swing, 1.7 s before 3 direction changes confirmed it (window 3 s)
    assert told(4.3) == ["bouncing"]
    # a fast movement long before the bounce, more than one, or in another rep: its own
    assert told(1.5) == ["too_fast", "bouncing"]
    assert told(4.3, fast_count=2) == ["too_fast", "bouncing"]
    assert told(4.3, fast_reps=(1, 2)) == ["too_fast", "bouncing"]


def test_nothing_short_nothing_said() -> None:
    reps = [_rep(1, 1.0, 8.0, True, {"hip": 175.0})]
    holds = [HoldRecord("up", 2.0, 7.0, 5.0, 5.0, True)]
    assert build_corrections(_ex("bridge"), _summary("bridge", reps, holds)) == []


@pytest.mark.parametrize(
    ("measure", "words"),
    [("hip", "hip angle"), ("left_knee", "knee angle"), ("hip~min3", "hip angle"),
     ("trunk_incline", "trunk incline"), ("profile_hip", "hip angle")],
)  # fmt: skip
def test_measure_words_hide_internal_keys(measure: str, words: str) -> None:
    assert measure_words(measure) == words


def test_small_angles_keep_a_decimal() -> None:
    assert (fmt_value(1.66, "deg"), fmt_value(147.6, "deg"), fmt_value(0.061, "ratio")) == (
        "1.7°", "148°", "6%")  # fmt: skip


def test_a_value_just_short_never_prints_as_its_goal() -> None:
    # 164.6 rounds to 165: the person must still see that the hips stopped short
    s = _summary("bridge", reps=[_rep(1, 2.0, 8.0, False, {"hip": 164.6, "knee": 84.0})])
    (c,) = build_corrections(_ex("bridge"), s)
    assert c.text == "Lift your hips higher: the hip angle reached 164.6°, aim for 165.0°."
    assert fmt_pair(0.0595, 0.06, "ratio") == ("5.9%", "6.0%")


def test_a_ratio_is_told_as_the_share_of_the_way_to_its_target() -> None:
    # the cat's back curvature (goal 0.06 of the trunk length): "4% of the trunk length,
    # aim for 6%" is no measure a person can feel; two thirds of the way is
    s = _summary("cat-camel", reps=[_rep(0, 2.0, 8.0, False, {"back_curvature": 0.04}, peak="cat")])
    (c,) = build_corrections(_ex("cat-camel"), s)
    assert c.text == (
        "Round your back further up (cat): the back's curve reached about two thirds of the "
        "way to its target."
    )
    s = _summary(
        "cat-camel", reps=[_rep(0, 2.0, 8.0, False, {"back_curvature": 0.005}, peak="cat")]
    )
    assert "reached hardly any of the way" in build_corrections(_ex("cat-camel"), s)[0].text


def test_a_hold_just_short_never_prints_as_its_target() -> None:
    holds = [HoldRecord("up", 1.0, 5.97, 4.97, 5.0, False)]
    c = build_corrections(_ex("bridge"), _summary("bridge", holds=holds))[0]
    assert c.text == "Hold the top for 5 s: your longest hold was 4.9 s."
    live = hold_shortfall(_ex("bridge"), holds[0])[1]
    assert live == "That hold lasted 4.9 s: next time, hold the top for 5 s."

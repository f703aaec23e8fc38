"""Routines (routines/*.toml): reading, validation, the plan of runs, doses, commands."""

from __future__ import annotations

import json

import pytest

from posecheck.cli import main
from posecheck.errors import DefinitionError, UnknownExerciseError
from posecheck.library import Library
from posecheck.routine import Run, dosed, find_routine, load_routines, parse_routine

from conftest import REPO


@pytest.fixture(scope="module")
def lib() -> Library:
    return Library.load()


def _doc(**steps_and_top) -> dict:
    doc = {"schema": 1, "name": "t", "title": "T"}
    doc.update(steps_and_top)
    return doc


def test_builtin_routines_load_and_plan_sides_in_turn(lib):
    found, broken = load_routines(lib)
    assert broken == []
    assert {"low-back-flow", "desk-break"} <= set(found)
    flow = found["low-back-flow"]
    plan = flow.plan()
    names = [r.exercise for r in plan]
    assert names[:3] == ["knees-to-chest", "supine-twist", "supine-twist"]
    assert [r.side for r in plan[1:3]] == ["side 1", "side 2"]
    assert [r.number for r in plan] == list(range(1, len(plan) + 1))
    assert plan[-1].rest_s == 0 and plan[0].rest_s == 15  # the file's default rest
    # a few minutes: every hold and rep with a little time to move, and the rests
    assert 3 * 60 < flow.estimate_s(lib) < 12 * 60


def test_aliases_resolve_and_sets_expand(lib):
    r = parse_routine(
        _doc(steps=[{"exercise": "glute-bridge", "reps": 3, "sets": 2, "side": "both"}]),
        "t.toml", lib,
    )  # fmt: skip
    assert r.steps[0].exercise == "bridge"
    runs = r.plan()
    assert [(x.set_no, x.side) for x in runs] == [
        (1, "side 1"), (1, "side 2"), (2, "side 1"), (2, "side 2")
    ]  # fmt: skip
    assert runs[2].label("Bridge") == "Bridge, side 1, set 2 of 2"


def test_every_problem_is_reported_with_its_key_path(lib):
    doc = _doc(
        name="Bad Name",
        steps=[
            {"exercise": "brige", "hold_s": 5000},
            {"exercise": "knee-rock", "hold_s": 10, "sidee": "both"},
            {"exercise": "bridge", "side": "up"},
        ],
    )
    with pytest.raises(DefinitionError) as ei:
        parse_routine(doc, "flow.toml", lib)
    p = ei.value.problems
    assert "flow.toml: name: 'Bad Name': use lower-case letters, digits and '-'" in p
    assert "flow.toml: steps[0].exercise: unknown exercise 'brige' (did you mean bridge?)" in p
    assert "flow.toml: steps[0].hold_s: must be from 1 to 600, got 5000" in p
    assert "flow.toml: steps[1].hold_s: knee-rock has no hold to time (give reps instead)" in p
    assert "flow.toml: steps[1].sidee: unknown key (did you mean side?)" in p
    assert any(x.startswith("flow.toml: steps[2].side: 'up' is not one of") for x in p)
    assert len(p) == 6


def test_empty_and_other_schema_are_refused(lib):
    with pytest.raises(DefinitionError, match="at least one step"):
        parse_routine(_doc(steps=[]), "e.toml", lib)
    with pytest.raises(DefinitionError, match="schema 2 is not supported"):
        parse_routine(_doc(schema=2, steps=[{"exercise": "bridge"}]), "s.toml", lib)


def test_dosed_applies_the_runs_hold_reps_and_side(lib):
    bridge = lib.get("bridge")
    run = Run(number=1, step=1, exercise="bridge", side="side 1", set_no=1, sets=1,
              hold_s=8.0, reps=4, rest_s=0.0)  # fmt: skip
    ex = dosed(bridge, run)
    assert [p.hold_s for p in ex.phases] == [None, 8.0]
    assert (ex.dose.hold_s, ex.dose.hold_max_s, ex.dose.reps) == (8.0, None, 4)
    assert not ex.dose.per_side and ex.side == bridge.side
    left = dosed(lib.get("single-knee-to-chest"), Run(
        number=1, step=1, exercise="single-knee-to-chest", side="left", set_no=1, sets=1,
        hold_s=None, reps=None, rest_s=0.0))  # fmt: skip
    assert left.side == "left"
    assert left.phases == lib.get("single-knee-to-chest").phases  # its own hold


def test_find_routine_user_folder_and_unknown(lib, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    mine = tmp_path / "posecheck" / "routines"
    mine.mkdir(parents=True)
    (mine / "low-back-flow.toml").write_text(
        'schema = 1\nname = "low-back-flow"\ntitle = "Mine"\n[[steps]]\nexercise = "bridge"\n'
    )
    assert find_routine("low-back-flow", lib).title == "Mine"  # the user's replaces it
    with pytest.raises(UnknownExerciseError, match="unknown routine 'no-such-flow'"):
        find_routine("no-such-flow", lib)


def test_routines_show_and_validate_commands(capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(REPO)
    assert main(["routines"]) == 0
    out = capsys.readouterr().out
    assert "low-back-flow  (Low-back flow, 6 exercises in 7 steps, about" in out
    assert main(["routines", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["name"] for r in rows} >= {"low-back-flow", "desk-break"}

    assert main(["show", "desk-break"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Desk break (desk-break)")
    assert "2. Seated spinal twist, side 1: hold 20 s, x1 (camera: front, sitting)" in out
    assert "then rest 10 s" in out

    assert main(["show", "desk-brake"]) == 2
    err = capsys.readouterr().err
    assert "did you mean desk-break" in err and "'posecheck routines'" in err

    bad = tmp_path / "flow.toml"
    bad.write_text('schema = 1\nname = "f"\ntitle = "F"\n[[steps]]\nexercise = "brige"\n')
    assert main(["validate", "routines/low-back-flow.toml", "poses/bridge.toml", str(bad)]) == 1
    cap = capsys.readouterr()
    assert (
        "routines/low-back-flow.toml: OK (routine low-back-flow: 6 exercises in 7 steps)" in cap.out
    )
    assert "poses/bridge.toml: OK (bridge:" in cap.out
    assert f"{bad}: steps[0].exercise: unknown exercise 'brige' (did you mean bridge?)" in cap.err

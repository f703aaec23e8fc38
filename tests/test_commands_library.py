"""The exercises / show / validate commands, in-process through posecheck.cli.main."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from posecheck import DISCLAIMER
from posecheck.cli import main

from conftest import REPO


def test_exercises_lists_every_definition_with_its_origin(capsys):
    assert main(["exercises"]) == 0
    out = capsys.readouterr().out
    for p in (REPO / "poses").glob("*.toml"):
        assert p.stem in out
    assert "bridge" in out and "hold 5 s, x10" in out and "side" in out


def test_exercises_json_and_poses_dir(tmp_path, capsys):
    (tmp_path / "mini-lift.toml").write_text(
        (REPO / "tests" / "fixtures" / "good_minimal.toml").read_text()
    )
    assert main(["exercises", "--json", "--poses-dir", str(tmp_path)]) == 0
    rows = json.loads(capsys.readouterr().out)
    mini = next(r for r in rows if r["name"] == "mini-lift")
    assert mini["origin"] == "poses-dir" and mini["view"] == "side"


def test_show_prints_how_to_camera_targets_dose_and_disclaimer(capsys):
    assert main(["show", "glute-bridge"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Bridge (bridge)")
    assert "How to (lying on your back):" in out
    assert "view: side; about 2.5 m away" in out
    assert "hip 165 to 185 deg" in out
    assert "Dose: hold 5 s, x10; rest 30 s" in out
    assert " ".join(DISCLAIMER.split()[:5]) in out


def test_show_tells_a_ratio_in_percent_and_what_the_speed_check_watches(capsys):
    # the definition's own terms, then as people are told them (corrections, report)
    assert main(["show", "cat-camel"]) == 0
    out = capsys.readouterr().out
    assert "back_curvature >= 0.06 (at least 6% of the trunk length)" in out
    assert "back_curvature >= -0.25 (at least -25% of the trunk length)" in out
    assert '  - hip angle faster than 60 deg/s -> "Move slowly between cat and camel."' in out


def test_show_unknown_exercise_suggests(capsys):
    assert main(["show", "brige"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(
        "posecheck: error: unknown exercise or routine 'brige' (did you mean bridge"
    )


def test_traceback_shows_the_traceback_and_keeps_the_exit_code(capsys):
    assert main(["--traceback", "show", "brige"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Traceback (most recent call last):")
    assert "UnknownExerciseError" in err
    assert err.splitlines()[-1].startswith("posecheck: error: unknown exercise or routine")


def test_show_of_a_results_file_says_what_show_takes(capsys, tmp_path):
    """Not a TOML syntax error from reading a summary.json as a routine."""
    f = tmp_path / "summary.json"
    f.write_text("{}")
    assert main(["show", str(f)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"posecheck: error: {f}: not an exercise or routine")
    assert "Traceback" not in err and "TOML" not in err


def test_validate_ok_and_errors(capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    assert main(["validate", "poses/bridge.toml"]) == 0
    assert capsys.readouterr().out.startswith("poses/bridge.toml: OK")
    code = main(["validate", "poses/bridge.toml", "tests/fixtures/bad_unknown_key.toml"])
    assert code == 1
    captured = capsys.readouterr()
    assert (
        "tests/fixtures/bad_unknown_key.toml: phases[1].rules[0].mn_deg: unknown key "
        "(did you mean min_deg?)" in captured.err.splitlines()
    )
    assert "1 of 2 files have errors" in captured.err


def test_validate_checks_a_folders_toml_files(capsys, monkeypatch, tmp_path):
    """Before: "poses: cannot read (Is a directory)"."""
    monkeypatch.chdir(REPO)
    assert main(["validate", "poses", "routines"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == len([*Path("poses").glob("*.toml"), *Path("routines").glob("*.toml")])
    assert "poses/bridge.toml: OK (bridge: 2 phases, 4 rules)" in out
    assert main(["validate", str(tmp_path)]) == 1  # nothing to check is not "all good"
    assert capsys.readouterr().err.splitlines() == [
        f"{tmp_path}: a folder without .toml files (give definition or routine files, or "
        "their folder)", "1 of 1 files have errors"]  # fmt: skip


def test_validate_missing_file(capsys):
    assert main(["validate", "--poses-dir", "/no/such/dir", "x.toml"]) == 2  # as 'exercises'
    assert "--poses-dir /no/such/dir: not a folder" in capsys.readouterr().err
    assert main(["validate", "nope.toml"]) == 1
    # one line: what, where, what to do
    assert capsys.readouterr().err.splitlines()[0] == "nope.toml: no such file (check the path)"


def test_a_routine_in_the_exercises_folder_and_names_given_to_the_wrong_option(
    tmp_path, capsys, monkeypatch, caplog
):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    poses = tmp_path / "cfg" / "posecheck" / "poses"
    poses.mkdir(parents=True)
    (poses / "my-flow.toml").write_text(
        'schema = 1\nname = "my-flow"\ntitle = "My flow"\n[[steps]]\nexercise = "bridge"\n'
    )
    caplog.set_level("WARNING")
    assert main(["exercises"]) == 0
    routines = tmp_path / "cfg" / "posecheck" / "routines"
    assert f"my-flow.toml: is a routine, not an exercise (file skipped: routines go in " \
           f"{routines})" in caplog.text  # fmt: skip
    capsys.readouterr()
    # an exercise's name given as a routine, a routine's as an exercise: the other option
    assert main(["analyze", "x.mp4", "--routine", "Pelvic tilt"]) == 2
    assert "(Pelvic tilt is an exercise: give it with -e pelvic-tilt)" in capsys.readouterr().err
    assert main(["analyze", str(REPO / "sample_videos" / "bridge.mp4"), "-e", "desk-break"]) == 2
    err = capsys.readouterr().err
    assert "unknown exercise 'desk-break' (desk-break is a routine: give it with --routine " \
           "desk-break)" in err  # fmt: skip


def test_show_and_exercises_fit_a_narrow_terminal(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "60")
    assert main(["show", "bridge"]) == 0
    out = capsys.readouterr().out
    assert max(len(ln) for ln in out.splitlines()) <= 59 and "Keep your feet" in out
    assert main(["exercises"]) == 0
    out = capsys.readouterr().out
    assert max(len(ln) for ln in out.splitlines()[:-2]) <= 59  # the table; folder paths may not
    assert "left out; --json has every column" in out
    monkeypatch.setenv("COLUMNS", "200")
    assert main(["exercises"]) == 0
    assert capsys.readouterr().out.split()[:6] == [
        "NAME",
        "TITLE",
        "VIEW",
        "DOSE",
        "CAMERA",
        "FROM",
    ]


def test_show_a_definition_file_as_validate_reads_it(capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    assert main(["show", "poses/bridge.toml"]) == 0
    assert capsys.readouterr().out.startswith("Bridge (bridge)\n")
    assert main(["show", "routines/desk-break.toml"]) == 0
    assert capsys.readouterr().out.startswith("Desk break (desk-break)\n")
    assert main(["show", "tests/fixtures/bad_unknown_key.toml"]) == 2
    assert "mn_deg: unknown key (did you mean min_deg?)" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (["anlyze", "x.mp4"], "posecheck: error: unknown command 'anlyze' (did you mean analyze? "
                              "'posecheck --help' lists them)"),
        (["analyze"], "posecheck: error: the following arguments are required: VIDEO (see "
                      "'posecheck analyze --help')"),
        (["render", "bridge", "--reps", "2", "--duration-s", "5", "-o", "x.mp4"],
         "posecheck: error: argument --duration-s: not allowed with argument --reps (see "
         "'posecheck render --help')"),
        # reported by the top parser, but the command's help lists its options
        (["live", "bridge", "-q"], "posecheck: error: unrecognized arguments: -q (see "
                                   "'posecheck live --help')"),
        (["--bogus"], "posecheck: error: unrecognized arguments: --bogus (see 'posecheck "
                      "--help')"),
        # argparse takes "-5d" for an option: say how to give it
        (["progress", "--since", "-5d"], "posecheck: error: argument --since: expected one "
         "argument (a value that starts with '-' is given as --since=VALUE; see 'posecheck "
         "progress --help')"),
        (["score", "x.mp4", "-e"], "posecheck: error: argument -e/--exercise: expected one "
         "argument (see 'posecheck score --help')"),
    ],
)  # fmt: skip
def test_usage_errors_are_one_line_too(capsys, argv, line):
    assert main(argv) == 2
    assert capsys.readouterr().err.splitlines() == [line]


@pytest.mark.parametrize(
    ("args", "line"),
    [
        # ignored before: knee-rock rendered without a hold, exit 0
        (["knee-rock", "--hold-s", "3"],
         "--hold-s: knee-rock has no held position to time (it moves without a hold) (leave "
         "--hold-s out; 'posecheck show knee-rock' gives its dose)"),
        # a front view drew the same clip for --side left and right (byte for byte), while
        # its truth named the side given
        (["seated-spinal-twist", "--side", "left"],
         "--side left: seated-spinal-twist is drawn from the front, where no side faces the "
         "camera (leave --side out, or add --view side)"),
    ],
)  # fmt: skip
def test_render_refuses_an_option_the_clip_cannot_show(capsys, tmp_path, args, line):
    out = tmp_path / "clip.mp4"
    assert main(["render", *args, "-o", str(out)]) == 2
    assert capsys.readouterr().err.splitlines() == [f"posecheck: error: {line}"]
    assert not out.exists()


def test_render_moves_an_exercise_of_your_own_as_a_built_in_one(capsys, tmp_path):
    mine = tmp_path / "poses"
    mine.mkdir()
    text = (REPO / "poses" / "bridge.toml").read_text()
    text = text.replace('name = "bridge"', 'name = "my-bridge"', 1)
    text = text.replace("aliases = [", "aliases = [] # [", 1).replace(
        "\nhold_s = 5 ", "\nhold_s = 3 "
    )
    (mine / "my-bridge.toml").write_text(text)
    out = tmp_path / "mine.mp4"
    base = ["render", "my-bridge", "--poses-dir", str(mine), "-o", str(out), "--reps", "1"]
    assert main(base) == 2
    assert "add --motion with the built-in one yours moves like" in capsys.readouterr().err
    assert main([*base, "--motion", "squat"]) == 2
    assert "--motion squat: not a built-in exercise" in capsys.readouterr().err
    assert main([*base, "--motion", "bridge", "--size", "320x180", "--fps", "12"]) == 0
    truth = json.loads(out.with_suffix(".truth.json").read_text())
    assert (truth["exercise"], truth["motion"]) == ("my-bridge", "bridge")
    (hold,) = truth["holds"]
    assert hold["end_s"] - hold["start_s"] == pytest.approx(3.0)  # its own hold, not 5 s


def test_validate_says_when_a_routine_is_named_like_an_exercise(capsys, tmp_path):
    flow = tmp_path / "flow.toml"
    flow.write_text((REPO / "routines" / "desk-break.toml").read_text().replace(
        'name = "desk-break"', 'name = "bridge"'))  # fmt: skip
    assert main(["validate", str(flow)]) == 0
    assert "its name is the exercise bridge's, which 'show bridge' shows: rename it" in (
        capsys.readouterr().out
    )

"""Loading and validating exercise definitions; the search path; every poses/*.toml."""

from __future__ import annotations

from pathlib import Path

import pytest

from posecheck.errors import DefinitionError, UnknownExerciseError
from posecheck.exercise import POSTURES, VIEWS, Exercise
from posecheck.library import Library, builtin_dir, load_file, user_dir

from conftest import REPO

POSES = sorted((REPO / "poses").glob("*.toml"))


@pytest.mark.parametrize(
    ("fixture", "message"),
    [
        ("bad_unknown_key.toml",
         "tests/fixtures/bad_unknown_key.toml: phases[1].rules[0].mn_deg: unknown key "
         "(did you mean min_deg?)"),
        ("bad_measure.toml",
         "tests/fixtures/bad_measure.toml: phases[0].targets[0].measure: unknown measure "
         "'hipp' (did you mean hip?)"),
        ("bad_unit.toml",
         "tests/fixtures/bad_unit.toml: phases[0].targets[0].min: hip is measured in deg: "
         "write min_deg"),
        ("bad_schema.toml",
         "tests/fixtures/bad_schema.toml: schema: schema 2 is not supported (this posecheck "
         "reads schema 1)"),
        ("bad_cycle.toml",
         "tests/fixtures/bad_cycle.toml: cycle[1]: unknown phase 'upp' (did you mean up?)"),
        ("bad_missing.toml", "tests/fixtures/bad_missing.toml: camera.view: missing required key"),
        ("bad_type.toml",
         "tests/fixtures/bad_type.toml: dose.reps: expected an integer, got a string"),
        ("bad_range.toml",
         "tests/fixtures/bad_range.toml: phases[0].targets[0].min_deg: min_deg (150) is larger "
         "than max_deg (90)"),
        ("bad_choice.toml",
         "tests/fixtures/bad_choice.toml: posture: 'supin' is not one of "
         + ", ".join(POSTURES) + " (did you mean supine?)"),
    ],
)  # fmt: skip
def test_broken_fixture_gives_exact_error(fixture, message, monkeypatch):
    monkeypatch.chdir(REPO)
    with pytest.raises(DefinitionError) as info:
        load_file(f"tests/fixtures/{fixture}")
    assert info.value.one_line() == message


def test_toml_syntax_error_names_the_file(monkeypatch):
    monkeypatch.chdir(REPO)
    with pytest.raises(DefinitionError) as info:
        load_file("tests/fixtures/bad_syntax.toml")
    assert info.value.one_line().startswith("tests/fixtures/bad_syntax.toml: TOML syntax error:")


def test_missing_file():
    with pytest.raises(DefinitionError, match="no such file"):
        load_file("nope/absent.toml")


def test_good_fixture_loads_with_defaults():
    ex = load_file(REPO / "tests" / "fixtures" / "good_minimal.toml")
    assert ex.name == "mini-lift" and ex.aliases == ("mini",)
    assert ex.phase("up").rules[0].phases == ("up",)
    assert ex.key_measures == ("hip",)  # defaults to the target measures
    assert ex.setting("grace_s") == 0.5 and ex.side == "auto" and ex.dose.sets == 1


# The exercises of the guide, each must have a definition.
GUIDE = (
    "knees-to-chest", "single-knee-to-chest", "knee-rock", "supine-twist", "abdominal-draw-in",
    "cat-camel", "seated-forward-curl", "pelvic-tilt", "lower-tummy", "bird-dog", "bridge",
    "seated-spinal-twist", "chest-raise", "standing-backbend", "reclined-pigeon",
    "seated-reverse-jack-knife", "childs-pose",
)  # fmt: skip


def test_there_is_a_definition_for_every_exercise_of_the_guide():
    assert set(GUIDE) <= {p.stem for p in POSES}


@pytest.mark.parametrize("path", POSES, ids=[p.stem for p in POSES])
def test_every_pose_file_loads_and_is_sound(path):
    ex = load_file(path)
    assert isinstance(ex, Exercise)
    assert ex.name == path.stem, "file name and name must agree"
    assert ex.camera.view in VIEWS and ex.how_to and ex.title
    assert ex.dose.reps or ex.dose.hold_s
    # a hold phase or a rep cycle: something to time or count
    assert ex.cycle or ex.hold_phases
    # cues are short enough for an overlay line and a spoken sentence
    cues = [r.cue for r in ex.rules] + [r.cue for p in ex.phases for r in p.rules]
    cues += [ex.safety.speed_cue, ex.safety.bounce_cue, ex.camera.wrong_view_cue]
    assert all(len(c) <= 70 for c in cues), [c for c in cues if len(c) > 70]
    # every field has a comment: each key line of the file carries '#'
    for n, line in enumerate(path.read_text().splitlines(), 1):
        s = line.strip()
        if (
            "=" in s
            and not s.startswith(("#", "[", '"'))
            and s.split("=")[0].strip().isidentifier()
        ):
            assert "#" in s, f"{path.name}:{n}: field without a comment"


def test_library_search_path_user_and_poses_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    assert user_dir() == tmp_path / "cfg" / "posecheck" / "poses"
    user = user_dir()
    user.mkdir(parents=True)
    (user / "mini-lift.toml").write_text(
        (REPO / "tests" / "fixtures" / "good_minimal.toml").read_text()
    )
    extra = tmp_path / "extra"
    extra.mkdir()
    # a --poses-dir file with the same name replaces the user's one
    (extra / "mini-lift.toml").write_text(
        (REPO / "tests" / "fixtures" / "good_minimal.toml").read_text().replace(
            'title = "Mini lift"', 'title = "Mini lift 2"')
    )  # fmt: skip
    lib = Library.load()
    assert lib.get("mini").origin == "user"
    lib = Library.load([extra])
    assert lib.get("mini-lift").title == "Mini lift 2"
    assert lib.get("mini-lift").origin == "poses-dir"
    assert builtin_dir() is not None and lib.get("bridge").origin == "built-in"


def test_poses_dir_must_exist(tmp_path):
    with pytest.raises(DefinitionError, match="not a folder"):
        Library.load([tmp_path / "missing"])


def test_get_by_alias_and_unknown_names_suggest():
    lib = Library.load()
    assert lib.get("glute-bridge").name == "bridge"
    assert lib.get("Glute Bridge").name == "bridge"
    with pytest.raises(UnknownExerciseError) as info:
        lib.get("brige")
    assert "bridge" in info.value.one_line()
    assert info.value.one_line().startswith("unknown exercise 'brige' (did you mean bridge")
    # the title as 'posecheck exercises' shows it ("child's pose" was an unknown exercise)
    assert lib.get("Child's pose").name == lib.get("child’s pose").name == "childs-pose"
    assert lib.get("Knees to chest (double)").name == "knees-to-chest"


def test_analyse_is_analyze(capsys):
    from posecheck.cli import main

    assert main(["analyse", "no-such-clip.mp4", "-e", "bridge"]) == 2
    err = capsys.readouterr().err
    assert "no-such-clip.mp4" in err and "invalid choice" not in err


def test_extra_measure_back_curvature_validates():
    text = (REPO / "tests" / "fixtures" / "good_minimal.toml").read_text()
    text = text.replace(
        'measure = "knee"                    # hip-knee-ankle\nmin_deg = 80                        '
        "# lower bound\nmax_deg = 115",
        'measure = "back_curvature"\nmin = 0.03\nmax = 0.3',
    )
    p = Path(REPO / "tests" / "fixtures" / "good_minimal.toml")
    from posecheck.library import parse_definition, tomllib

    ex = parse_definition(tomllib.loads(text), "x.toml")
    assert ex.phase("up").rules[0].unit == "ratio"
    assert p.is_file()


def test_the_commented_example_in_poses_readme_is_valid():
    from posecheck.library import parse_definition, tomllib

    text = (REPO / "poses" / "README.md").read_text()
    block = text.split("```toml\n", 1)[1].split("```", 1)[0]
    ex = parse_definition(tomllib.loads(block), "poses/README.md")
    assert ex.name == "bridge" and ex.cycle == ("down", "up", "down")
    assert ex.phase("up").rules[0].stops_hold is False


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ('side = "alternate"\nside_by = ["hip", "trunk_lean"]',
         "x.toml: side_by[1]: 'trunk_lean': must be a measure with a side (hip, other_hip, ...)"),
        ('side_by = ["hip"]', 'x.toml: side_by: only for side = "alternate"'),
    ],
)  # fmt: skip
def test_side_by_names_sided_measures_of_an_alternate_exercise(lines, message):
    from posecheck.library import parse_definition, tomllib

    text = (REPO / "tests" / "fixtures" / "good_minimal.toml").read_text()
    text = text.replace("\n[camera]", f"\n{lines}\n\n[camera]", 1)
    with pytest.raises(DefinitionError) as info:
        parse_definition(tomllib.loads(text), "x.toml")
    assert info.value.one_line() == message
    ok = text.replace(lines, 'side = "alternate"\nside_by = ["other_hip"]')
    ex = parse_definition(tomllib.loads(ok), "x.toml")
    assert ex.side_by == ("other_hip",) and {"hip", "other_hip"} <= ex.all_measures()


def test_counts_reps_is_a_cycle_of_two_or_more_phases():
    from posecheck.exercise import counts_reps

    assert counts_reps(("down", "up", "down")) and counts_reps(["a", "b"])
    assert not counts_reps(("hold",)) and not counts_reps(()) and not counts_reps(None)
    lib = Library.load()
    assert lib.get("bridge").counts_reps and lib.get("cat-camel").counts_reps
    assert not lib.get("reclined-pigeon").counts_reps and not lib.get("childs-pose").counts_reps


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("brige", ["bridge"]),  # a misspelling
        ("Pelvic Tilt", ["pelvic-tilt"]),  # case and spaces
        ("pigeon", ["reclined-pigeon"]),  # one word of the name
        ("desk", ["desk-break"]),  # the beginning of it
        ("superman", []),  # nothing alike: no guess
        ("twist", ["seated-spinal-twist", "supine-twist"]),  # as close: both, best first
    ],
)
def test_every_did_you_mean_uses_one_measure(word, expected):
    from posecheck.errors import close_names

    names = ["bridge", "pelvic-tilt", "reclined-pigeon", "desk-break", "supine-twist",
             "seated-spinal-twist", "bird-dog"]  # fmt: skip
    assert sorted(close_names(word, names, n=3)) == sorted(expected)


def test_two_files_of_one_name_and_an_alias_that_is_a_name_are_warned_of(
    tmp_path, monkeypatch, caplog
):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    user = user_dir()
    user.mkdir(parents=True)
    good = (REPO / "tests" / "fixtures" / "good_minimal.toml").read_text()
    (user / "a.toml").write_text(good)
    (user / "b.toml").write_text(good.replace('title = "Mini lift"', 'title = "Mini lift 2"'))
    (user / "c.toml").write_text(
        good.replace('name = "mini-lift"', 'name = "other-lift"').replace(
            'aliases = ["mini"]', 'aliases = ["bridge"]')
    )  # fmt: skip
    caplog.set_level("WARNING")
    lib = Library.load()
    assert lib.get("mini-lift").title == "Mini lift 2"  # the later file, as before, but said
    assert "a.toml and " in caplog.text and "b.toml both define mini-lift" in caplog.text
    assert "c.toml: alias bridge is the name of another exercise" in caplog.text
    assert lib.get("bridge").name == "bridge"

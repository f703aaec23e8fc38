"""Sinks with hand-built FrameResults: overlay, annotated video, frames.csv, summary.json, report.

No model here: poses come from helpers.make_pose, results are built by hand so
every field a sink reads is exercised (states, cues, holds, reps, NaN measures).
"""

from __future__ import annotations

import csv
import json
import math
import re
from dataclasses import replace
from html.parser import HTMLParser
from importlib import resources

import numpy as np
import pytest

from posecheck.exercise import Camera, Dose, Exercise, Phase, Target
from posecheck.pose import Frame, MediaInfo
from posecheck.results import (
    STATE_NO_PERSON,
    STATE_TRACKING,
    STATE_WRONG_VIEW,
    Correction,
    Cue,
    Event,
    FrameResult,
    HoldRecord,
    RepRecord,
    SessionSummary,
)

from helpers import make_pose

cv2 = pytest.importorskip("cv2")

# A definition with the fields the architecture contract lists (what sinks read).
EXERCISE = Exercise(
    name="bridge",
    title="Bridge",
    summary="Lift the pelvis until the body is straight from shoulders to knees.",
    how_to=("Lie on your back, knees bent, feet flat.", "Lift your pelvis.", "Lower slowly."),
    posture="lying on the back",
    camera=Camera(view="side", distance_m=2.5),
    phases=(
        Phase("down", (Target("hip", "deg", min=110.0, max=150.0),)),
        Phase("top", (Target("hip", "deg", min=165.0, max=185.0),), hold_s=1.0),
    ),
    cycle=("down", "top", "down"),
    dose=Dose(hold_s=1.0, reps=3, sets=1, rest_s=30.0),
    key_measures=("hip", "knee"),
)

CUE = Cue("lift_higher", "Lift your hips higher", 1, "form")


def bridge_pose(hip_lift: float, size=(640, 360)) -> object:
    """Side view, person's left towards the camera; hip_lift raises the hip (pixels at 640)."""
    k = size[0] / 640
    pts = {
        "left_shoulder": (150, 260),
        "left_hip": (330, 260 - hip_lift),
        "left_knee": (470, 170),
        "left_ankle": (520, 270),
        "left_elbow": (250, 280),
        "left_wrist": (340, 290),
    }
    return make_pose({n: (x * k, y * k) for n, (x, y) in pts.items()}, image_size=size)


def make_results(n: int = 40, fps: float = 20.0, size=(640, 360)) -> list[FrameResult]:
    """A short session: down, up into a 1 s hold, a cue, a gap without a person."""
    out = []
    for i in range(n):
        t = i / fps
        lift = 90.0 * math.sin(math.pi * i / n)
        pose = None if 30 <= i < 33 else bridge_pose(lift, size)
        hip = float("nan") if pose is None else 130 + 45 * math.sin(math.pi * i / n)
        top = hip > 165
        out.append(
            FrameResult(
                index=i,
                t_s=t,
                pose=pose,
                measures={"left_hip": hip, "left_knee": 70.0, "right_hip": float("nan")},
                state=STATE_NO_PERSON if pose is None else STATE_TRACKING,
                side="left",
                phase="top" if top else "down",
                key_measures=["left_hip", "left_knee"],
                measure_status={"left_hip": "ok" if top else "bad", "left_knee": "ok"},
                in_target={"left_hip": top},
                hold_s=0.5 if top else 0.0,
                hold_target_s=1.0 if top else None,
                holds_done=1 if i > 25 else 0,
                reps_done=1 if i > 25 else 0,
                cue=CUE if 5 <= i < 10 else None,
                events=[Event("rep", t, i)] if i == 26 else [],
            )
        )
    return out


def make_summary(n: int = 40, fps: float = 20.0, partial: bool = False) -> SessionSummary:
    return SessionSummary(
        exercise="bridge",
        side="left",
        duration_s=n / fps,
        frames=n,
        frames_with_pose=n - 3,
        holds=[HoldRecord("top", 0.8, 1.3, 0.5, 1.0, False, "left", 50.0)],
        reps=[RepRecord(1, 0.1, 1.3, True, {"left_hip": 175.0}, "left", 80.0, ["lift_higher"])],
        cues={"lift_higher": {"text": CUE.text, "count": 1, "first_s": 0.25}},
        score=72.0,
        score_components={"form": 70.0, "holds": 50.0, "reps": 100.0},
        partial=partial,
        corrections=[
            Correction(
                "short_hold:top",
                "hold",
                "Hold the top for 1 s: your longest hold was 0.5 s.",
                1,
                1.3,
                [1],
                [1],
            ),
            Correction("lift_higher", "form", CUE.text, 1, 0.25, [1], []),
        ],  # fmt: skip
    )


def image(size=(640, 360), i: int = 0) -> np.ndarray:
    img = np.full((size[1], size[0], 3), 90, np.uint8)
    img[:, :, 0] = (i * 5) % 255  # frames differ, so an encoder cannot merge them
    return img


def info(n: int = 40, fps: float = 20.0, size=(640, 360)) -> MediaInfo:
    return MediaInfo("clip.mp4", "video", fps, n, size[0], size[1], 0, n / fps)


def run_sinks(sinks, n=40, fps=20.0, size=(640, 360), with_frames=True, partial=False):
    for s in sinks:
        s.open(info(n, fps, size), EXERCISE)
    for r in make_results(n, fps, size):
        frame = Frame(r.index, r.t_s, image(size, r.index)) if with_frames else None
        for s in sinks:
            s.write(frame, r)
    summary = make_summary(n, fps, partial)
    for s in sinks:
        s.close(summary)
    return summary


# --- overlay ---------------------------------------------------------------------


def _colour_pixels(img: np.ndarray, bgr: tuple[int, int, int], tol: int = 30) -> int:
    return int((np.abs(img.astype(int) - np.array(bgr)).max(axis=2) <= tol).sum())


@pytest.mark.parametrize(
    ("status", "colour"), [("ok", (90, 200, 60)), ("near", (0, 180, 255)), ("bad", (60, 60, 235))]
)
@pytest.mark.parametrize("size", [(640, 360), (1280, 720)])
def test_overlay_draws_key_angle_in_its_status_colour(status, colour, size):
    from posecheck.sinks.overlay import Overlay

    r = make_results(40, size=size)[20]
    r.measure_status = {"left_hip": status, "left_knee": status}
    r.cue = None
    img = image(size)
    Overlay(EXERCISE).draw(img, r)
    # The arc and the value tag at the hip are drawn in the status colour.
    x, y = (int(v) for v in r.pose.point("left_hip"))
    rad = int(110 * size[1] / 720) + 20
    patch = img[max(0, y - rad) : y + rad, max(0, x - rad) : x + rad]
    assert _colour_pixels(patch, colour) > 50 * (size[1] / 360) ** 2


@pytest.mark.parametrize("size", [(640, 360), (1280, 720), (480, 854)])
def test_overlay_cue_and_banner_are_drawn_and_scale(size):
    from posecheck.sinks.overlay import Overlay

    ov = Overlay(EXERCISE)
    r = make_results(40, size=size)[6]  # has a cue
    img = image(size)
    ov.draw(img, r)
    h = size[1]
    bottom = img[int(h * 0.85) :, :]
    # The cue band: darkened background with white text across the bottom.
    assert _colour_pixels(bottom, (245, 245, 245), 40) > 100
    r2 = make_results(40, size=size)[31]
    assert r2.state == STATE_NO_PERSON
    img2 = image(size)
    ov.draw(img2, r2)
    mid = img2[h // 2 - h // 10 : h // 2 + h // 10]
    assert _colour_pixels(mid, (0, 180, 255), 40) > 100  # amber banner text and border


def _drawn_texts(exercise, result, size=(640, 360)) -> list[str]:
    from posecheck.sinks import overlay

    seen: list[str] = []
    orig = overlay.put_text

    def spy(img, text, *a, **k):
        if k.get("shadow", True):  # panel and banner texts (value tags have no outline)
            seen.append(text)
        return orig(img, text, *a, **k)

    overlay.put_text = spy
    try:
        overlay.Overlay(exercise).draw(image(size), result)
    finally:
        overlay.put_text = orig
    return seen


def test_overlay_texts_phase_side_counts_and_wrong_view():
    r = make_results()[27]
    assert _drawn_texts(EXERCISE, r) == [
        "Bridge", "top | left side measured", "0.5s", "of 1s", "holds 1", "reps 1/3",
    ]  # fmt: skip
    r.state = STATE_WRONG_VIEW
    assert "Wrong view: turn side-on to the camera" in _drawn_texts(EXERCISE, r)


def test_overlay_without_exercise_draws_no_counts():
    r = make_results()[20]
    r.cue = None
    img = image()
    from posecheck.sinks.overlay import Overlay

    Overlay(None).draw(img, r)
    assert _colour_pixels(img, (245, 245, 245), 20) > 200  # white bones
    assert _drawn_texts(None, r) == ["top | left side measured"]


# --- video -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoders", "codec", "size"),
    [
        (("pyav",), "h264", (640, 360)),
        (("ffmpeg",), "h264", (320, 240)),
        (("opencv",), "mpeg4", (320, 240)),
    ],
)
def test_video_sink_frame_count_size_and_codec(tmp_path, encoders, codec, size):
    av = pytest.importorskip("av")
    from posecheck.sinks.video import VideoSink

    if encoders == ("ffmpeg",):
        import shutil

        if not shutil.which("ffmpeg"):
            pytest.skip("ffmpeg not installed")
    sink = VideoSink(tmp_path / "a.mp4", encoders=encoders)
    summary = run_sinks([sink], n=30, fps=29.97, size=size)
    with av.open(str(tmp_path / "a.mp4")) as c:
        st = c.streams.video[0]
        frames = sum(1 for _ in c.decode(st))
        assert (st.codec_context.name, st.width, st.height) == (codec, *size)
        assert abs(float(st.average_rate) - 29.97) < 0.01
    assert frames == 30 == sink.frames_written
    assert any("mp4v" in w for w in summary.warnings) == (codec == "mpeg4")


def test_video_sink_odd_size_is_padded_with_a_warning(tmp_path):
    av = pytest.importorskip("av")
    from posecheck.sinks.video import VideoSink

    sink = VideoSink(tmp_path / "a.mp4")
    summary = run_sinks([sink], n=5, size=(321, 241))
    with av.open(str(tmp_path / "a.mp4")) as c:
        assert (c.streams.video[0].width, c.streams.video[0].height) == (322, 242)
    assert any("padded from 321x241" in w for w in summary.warnings)


def test_video_sink_ignores_landmark_only_sessions(tmp_path):
    from posecheck.sinks.video import VideoSink

    run_sinks([VideoSink(tmp_path / "a.mp4")], with_frames=False)
    assert not (tmp_path / "a.mp4").exists()


def test_fps_fraction_keeps_ntsc_rates_exact():
    from fractions import Fraction

    from posecheck.sinks.video import fps_fraction

    assert fps_fraction(29.97002997) == Fraction(30000, 1001)
    assert fps_fraction(25.0) == Fraction(25)
    assert fps_fraction(12.5) == Fraction(25, 2)
    assert fps_fraction(0.0) == Fraction(30)


# --- frames.csv and summary.json --------------------------------------------------


def test_frames_csv_one_row_per_frame(tmp_path):
    from posecheck.sinks.tables import FramesCsvSink

    run_sinks([FramesCsvSink(tmp_path / "f.csv")], n=40)
    with open(tmp_path / "f.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 40
    assert list(rows[0])[:9] == ["frame", "t_s", "pose", "visibility", "state", "side", "phase",
                                 "hip", "knee"]  # fmt: skip
    assert {"in_target_hip", "hold_s", "reps", "cue_id", "cue", "other_hip"} <= set(rows[0])
    assert "in_target_knee" not in rows[0]  # no phase targets the knee: no flag column
    assert rows[31]["pose"] == "0" and rows[31]["hip"] == "" and rows[31]["state"] == "no_person"
    assert float(rows[20]["hip"]) == pytest.approx(175.0, abs=0.01)
    assert rows[20]["in_target_hip"] == "1"
    assert rows[6]["cue_id"] == "lift_higher" and rows[6]["cue"] == CUE.text
    assert [float(r["t_s"]) for r in rows[:3]] == [0.0, 0.05, 0.1]


def _schema() -> dict:
    return json.loads(
        resources.files("posecheck").joinpath("data/summary.schema.json").read_text("utf-8")
    )


@pytest.mark.parametrize("partial", [False, True])
def test_summary_json_validates_against_schema(tmp_path, partial):
    jsonschema = pytest.importorskip("jsonschema")
    from posecheck.sinks.tables import SummaryJsonSink

    sink = SummaryJsonSink(tmp_path / "s.json", extra={"outputs": {"video": "annotated.mp4"}})
    run_sinks([sink], partial=partial)
    data = json.loads((tmp_path / "s.json").read_text())
    jsonschema.validate(data, _schema())
    assert data["partial"] is partial
    assert data["holds"][0]["reached"] is False and data["reps_complete"] == 1
    assert data["cues"] == [{"id": "lift_higher", "text": CUE.text, "count": 1, "first_s": 0.25}]
    assert data["video"]["fps"] == 20.0 and data["definition"]["name"] == "bridge"
    assert data["definition"]["phases"][1]["targets"][0]["min"] == 165.0


def test_summary_schema_rejects_a_broken_summary(tmp_path):
    jsonschema = pytest.importorskip("jsonschema")
    from posecheck.sinks.tables import summary_dict

    data = json.loads(json.dumps(summary_dict(make_summary(), info=info(), exercise=EXERCISE)))
    jsonschema.validate(data, _schema())
    del data["holds"][0]["reached"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, _schema())


def test_summary_nan_becomes_null():
    from posecheck.sinks.tables import summary_dict

    s = make_summary()
    s.reps[0].depth["left_knee"] = float("nan")
    d = summary_dict(s, info=info(), exercise=EXERCISE)
    assert d["reps"][0]["depth"]["left_knee"] is None
    json.dumps(d, allow_nan=False)


# --- report -----------------------------------------------------------------------


class _Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def _report_html(tmp_path, summary: SessionSummary, exercise) -> str:
    """The report of ``summary`` (of 40 frames at 20 frames/s), as HTML."""
    from posecheck.sinks.report import ReportSink

    sink = ReportSink(tmp_path / "r.html")
    sink.open(info(40, 20.0, (640, 360)), exercise)
    sink.close(summary)
    return (tmp_path / "r.html").read_text()


def parse_report(path) -> _Collect:
    p = _Collect()
    p.feed(path.read_text(encoding="utf-8"))
    return p


def test_report_is_self_contained_with_all_sections(tmp_path):
    from posecheck.sinks.report import ReportSink

    run_sinks([ReportSink(tmp_path / "r.html")])
    html_text = (tmp_path / "r.html").read_text()
    p = parse_report(tmp_path / "r.html")
    text = " ".join(p.text)
    for heading in ("At a glance", "Top corrections", "Angles over time", "How to do it"):
        assert heading in text
    assert "not medical advice" in text and CUE.text in text
    imgs = [a["src"] for t, a in p.tags if t == "img"]
    assert imgs and all(s.startswith("data:image/jpeg;base64,") for s in imgs)
    assert sum(1 for t, _ in p.tags if t == "svg") == 2  # hip and knee
    # Nothing is fetched from the network: no external src/href, no @import.
    assert not any(a.get("src", "").startswith(("http", "//")) for _, a in p.tags)
    assert "@import" not in html_text and "<script" not in html_text
    assert "down 110-150" in text and "top 165-185" in text  # target bands labelled


def test_report_from_landmarks_has_no_pictures_and_marks_partial(tmp_path):
    from posecheck.sinks.report import ReportSink

    run_sinks([ReportSink(tmp_path / "r.html")], with_frames=False, partial=True)
    p = parse_report(tmp_path / "r.html")
    text = " ".join(p.text)
    assert not [a for t, a in p.tags if t == "img"]
    assert "no picture" in text and "partial" in text


def test_report_series_stays_bounded():
    from posecheck.sinks.report import _Series

    s = _Series(max_points=100)
    for i in range(10_000):
        s.add(i / 30, {"hip": float(i)})
    assert len(s.t) < 100 and len(s.v["hip"]) == len(s.t)
    assert s.v["hip"][0] == 0.0 and s.t == sorted(s.t)


def test_report_renders_headless_in_chromium(tmp_path):
    """The hand-built report, rendered by a real browser: a tall page with pictures and plots."""
    import shutil
    import subprocess

    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if not exe:
        pytest.skip("chromium not installed")
    from posecheck.sinks.report import ReportSink

    run_sinks([ReportSink(tmp_path / "r.html")])
    shot = tmp_path / "r.png"
    subprocess.run(
        [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run",
         f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={shot}",
         "--window-size=1000,1600", (tmp_path / "r.html").as_uri()],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    img = cv2.imread(str(shot))
    assert img is not None and img.shape[:2] == (1600, 1000)
    # Drawn content in the upper page (cards, thumbnails, plots), not an empty page.
    top = img[:1200]
    assert len(np.unique(top.reshape(-1, 3)[::37], axis=0)) > 100
    # The score colour (amber for 72) is on the page: CSS was applied.
    assert _colour_pixels(top, (20, 150, 216), 25) > 50


def test_overlay_header_fits_a_narrow_portrait_frame():
    from dataclasses import replace

    from posecheck.sinks.overlay import Overlay

    ex = replace(EXERCISE, title="Seated reverse jack knives with a long name")
    size = (360, 640)
    r = replace(make_results(40, size=size)[27], cue=None)
    img = image(size)
    Overlay(ex).draw(img, r)
    texts = _drawn_texts(ex, r, size)
    assert texts[0].endswith("...") and len(texts[0]) < len(ex.title)
    # The panel (darkened) stops before the right edge: the edge column is untouched there.
    assert (img[10:40, -3:] == image(size)[10:40, -3:]).all()


@pytest.mark.parametrize(("cue_frames", "picture_t"), [((5, 10), 0.25), ((5, 30), 0.75)])
def test_report_correction_picture_is_taken_once_the_fault_settles(cue_frames, picture_t):
    from posecheck.sinks.report import ReportSink

    sink = ReportSink("unused.html")
    sink.open(info(), EXERCISE)
    for r in make_results(40):
        r.cue = CUE if cue_frames[0] <= r.index < cue_frames[1] else None
        sink.write(Frame(r.index, r.t_s, image(i=r.index)), r)
    # A short showing keeps its first frame; a longer one the frame 0.5 s in.
    assert sink.thumbs["lift_higher"][0] == pytest.approx(picture_t)


def test_overlay_draws_unicode_cue_text_not_question_marks() -> None:
    import numpy as np

    from posecheck.sinks.overlay import put_text, unicode_font_path

    def drawn(text: str) -> np.ndarray:
        img = np.zeros((60, 400, 3), np.uint8)
        put_text(img, text, (10, 40), 0.8)
        return img

    assert unicode_font_path() is not None  # DejaVu Sans from matplotlib (mediapipe needs it)
    umlaut, question = drawn("Füße flach"), drawn("F??e flach")
    assert umlaut.any() and not np.array_equal(umlaut, question)
    # the degree sign is a small ring up high, not a "?" reaching the baseline
    assert not np.array_equal(drawn("148°"), drawn("148?"))


def test_plot_scales_to_the_movement_and_band_labels_do_not_overlap() -> None:
    import re

    from posecheck.sinks.report import _spread, svg_plot

    t = [i / 10 for i in range(100)]
    v = [130.0 + 2.0 * (1 if 20 <= i < 40 else 0) for i in range(100)]  # a 2-degree tilt
    bands = [("rest", 100.0, 170.0), ("tilt", 100.0, 170.0)]  # the same band twice
    summ = SessionSummary("pelvic-tilt", "left", 10.0, 100, 100)
    svg = svg_plot(t, v, bands, summ, duration=10.0)
    ticks = [float(x) for x in re.findall(r"class='ax' x='40' y='[\d.]+' text-anchor='end'>"
                                          r"([\d.]+)<", svg)]  # fmt: skip
    assert ticks and max(ticks) - min(ticks) <= 6  # a 2-degree step fills the plot
    labels = re.findall(r"class='bl'[^>]*>([^<]*)<", svg)
    assert labels == ["rest, tilt 100-170°"]  # one label for the shared band
    # a phase's name in words, not its id (the bird dog's "all_fours ≤ 105°")
    svg = svg_plot(t, [x - 30 for x in v], [("all_fours", None, 105.0)], summ, duration=10.0)
    assert re.findall(r"class='bl'[^>]*>([^<]*)<", svg) == ["all fours ≤ 105°"]
    spread = _spread([(50.0, "a", "x"), (52.0, "b", "y"), (53.0, "c", "z")], 10, 200, 15)
    ys = [y for y, _, _ in spread]
    assert all(b - a >= 15 for a, b in zip(ys, ys[1:], strict=False))


def test_plot_shows_a_limit_the_movement_broke_however_far() -> None:
    from posecheck.sinks.report import svg_plot

    # the real bridge's knee at 55-67 deg: its "Feet further from your hips" limit (80)
    # was left out of the scale, so the chart could not show how far off it was
    t = [i / 10 for i in range(100)]
    v = [55.0 + 12.0 * (1 if 20 <= i < 40 else 0) for i in range(100)]
    summ = SessionSummary("bridge", "left", 10.0, 100, 100)
    assert "limit ≥ 80°" in svg_plot(t, v, [], summ, duration=10.0, limits=[("knee", 80.0, None)])
    # a limit kept, far from the movement, still does not squash the line
    assert "limit ≥ 20°" not in svg_plot(t, v, [], summ, duration=10.0,
                                         limits=[("knee", 20.0, None)])  # fmt: skip


def test_a_reps_furthest_reached_names_only_what_it_moved_towards(tmp_path) -> None:
    # the real bridge: "hip angle 175°, knee angle 57°", the knee's most bent value, at the
    # bottom (65° at the top): the "knees bent" target is kept, not reached
    from posecheck.library import Library
    from posecheck.sinks.report import ReportSink

    lib = Library.load()
    for name, depth, shown in (
        ("bridge", {"hip": 175.0, "knee": 57.0}, "hip angle 175°"),
        ("pelvic-tilt", {"hip~min3": 4.7, "hip": 133.0, "knee_roll": 14.0},
         "hip angle changed 4.7°"),
    ):  # fmt: skip
        rep = RepRecord(0, 1.0, 3.0, True, depth, "left", 80.0, [], peak_phase=None)
        sink = ReportSink(tmp_path / f"{name}.html")
        sink.open(info(40, 20.0, (640, 360)), lib.get(name))
        sink.close(replace(make_summary(), exercise=name, reps=[rep]))
        cells = re.findall(r"<td>([^<]*°[^<]*)</td>", (tmp_path / f"{name}.html").read_text())
        assert cells == [shown], name


def test_report_has_the_date_and_no_internal_ids(tmp_path) -> None:
    from posecheck.sinks.report import ReportSink

    rep = RepRecord(0, 1.0, 3.0, False, {"hip~min3": 1.2, "left_hip": 131.0}, "left", 45.0,
                    ["lift_higher"])  # fmt: skip
    summ = replace(make_summary(), reps=[rep], score_notes=["each rep scores 45% ..."])
    sink = ReportSink(tmp_path / "r.html")
    sink.open(info(40, 20.0, (640, 360)), EXERCISE)
    sink.close(summ)
    text = (tmp_path / "r.html").read_text()
    assert "hip~min3" not in text and "lift_higher" not in text
    assert "hip angle changed 1.2°" in text and "analysed " in text and "Why 72" in text
    assert "<td>1</td>" in text  # reps numbered from 1, incomplete ones too


def test_report_says_each_thing_once_and_any_camera_view_in_words(tmp_path) -> None:
    from posecheck.sinks.report import ReportSink

    fast = Correction("too_fast", "safety", "Lower your knees slowly.", 2, 0.2)  # no rep, no hold
    ex = replace(EXERCISE, camera=Camera(view="any", distance_m=2.5))
    sink = ReportSink(tmp_path / "r.html")
    sink.open(info(40, 20.0, (640, 360)), ex)
    sink.close(replace(make_summary(), corrections=[fast]))
    text = " ".join(parse_report(tmp_path / "r.html").text)
    assert "2 times, first at 0:00.2" in text and text.count("first at") == 1
    assert "Camera: film from any side (front, side or at an angle), about 2.5 m away" in text


def test_overlay_value_tags_use_the_words_people_use():
    # both hips read as one (profile_hip) is labelled as the hip angle, never by its
    # internal name
    from posecheck.sinks import overlay

    r = make_results()[20]
    r.cue = None
    r.key_measures = ["profile_hip"]
    r.measures = {"profile_hip": 64.0}
    r.measure_status = {"profile_hip": "ok"}
    tags: list[str] = []
    orig = overlay.put_text

    def spy(img, text, *a, **k):
        if not k.get("shadow", True):
            tags.append(text)
        return orig(img, text, *a, **k)

    overlay.put_text = spy
    try:
        overlay.Overlay(EXERCISE).draw(image(), r)
    finally:
        overlay.put_text = orig
    assert tags == ["hip 64"]


def test_a_hold_only_exercise_counts_its_holds_against_the_dose():
    # the reclined pigeon is held 2 x 20 s each side: a person who held once is told "1 of
    # 4" holds, in the terminal and on the overlay, never "reps 0 of 2" (and not "1 of 2":
    # one side's two holds were shown as the whole dose)
    from posecheck.library import Library
    from posecheck.sinks.session import screen_summary

    pigeon = Library.load().get("reclined-pigeon")
    assert not pigeon.cycle and pigeon.dose.reps == 2 and pigeon.dose.total == 4
    held = HoldRecord("stretch", 2.7, 24.3, 21.6, 20.0, True, "right", 92.0)
    summary = replace(make_summary(), exercise="reclined-pigeon", holds=[held], reps=[],
                      corrections=[])  # fmt: skip
    line = screen_summary(summary, pigeon, None).splitlines()[1]
    assert line == "score 72/100   holds reached 1 of 4 (target 20 s)"
    r = make_results()[20]
    r.holds_done = 1
    texts = _drawn_texts(pigeon, r)
    assert "holds 1/4" in texts and not any(t.startswith("reps") for t in texts)
    # a cycle exercise keeps both counters
    assert "reps 1/3" in _drawn_texts(EXERCISE, make_results()[27])
    # the running hold counts from the moment its ring is full (live says "Hold complete"
    # then), not only once the person lets go: no "holds 0/4" beside a full ring
    r = make_results()[20]
    r.holds_done, r.hold_target_s = 0, 20.0
    r.hold_s = 19.9
    assert "holds 0/4" in _drawn_texts(pigeon, r)
    r.hold_s = 20.0
    assert "holds 1/4" in _drawn_texts(pigeon, r)


def test_a_setup_hold_before_the_first_rep_is_not_counted(tmp_path):
    # the sample cat-camel starts in the camel (held 1.2 s of 2 s, before its first rep):
    # the corrections leave that setup out, so "holds reached 4 of 5" beside "no
    # corrections needed" and 100 told the person of a miss nobody names; now 4 of 4
    from posecheck.library import Library
    from posecheck.sinks.report import ReportSink
    from posecheck.sinks.session import screen_summary
    from posecheck.sinks.tables import summary_dict

    cat = Library.load().get("cat-camel")
    holds = [HoldRecord("camel", 0.0, 1.2, 1.2, 2.0, False, "left", 60.0)] + [
        HoldRecord(ph, t, t + 2.7, 2.7, 2.0, True, "left", 100.0)
        for ph, t in (("cat", 2.5), ("camel", 6.3), ("cat", 11.1), ("camel", 15.0))
    ]
    reps = [
        RepRecord(1, 1.8, 5.3, True, {"back_curvature": 0.1}, "left", 100.0, []),
        RepRecord(2, 10.5, 13.9, True, {"back_curvature": 0.1}, "left", 100.0, []),
    ]
    summ = replace(make_summary(), exercise="cat-camel", holds=holds, reps=reps, score=100.0,
                   corrections=[])  # fmt: skip
    assert "holds reached 4 of 4 (target 2 s)" in screen_summary(summ, cat, None)
    d = summary_dict(summ, info=info(), exercise=cat)
    assert (d["holds_reached"], d["holds_due"], len(d["holds"])) == (4, 4, 5)
    sink = ReportSink(tmp_path / "r.html")
    sink.open(info(40, 20.0, (640, 360)), cat)
    sink.close(summ)
    text = " ".join(parse_report(tmp_path / "r.html").text)
    assert "4  / 4 holds reached the target of 2 s" in text
    html = (tmp_path / "r.html").read_text()
    assert "<th>score</th><th>faults</th>" in html and html.count("<th>score</th>") == 1
    assert text.count("before the first rep: not counted") == 1  # listed, as hold 1
    # a setup hold that reached its target counts (the engine's running count did)
    held = [replace(holds[0], duration_s=2.2, reached=True), *holds[1:]]
    summ = replace(summ, holds=held)
    assert "holds reached 5 of 5 (target 2 s)" in screen_summary(summ, cat, None)


@pytest.mark.parametrize(
    "stopped, words",
    [("end", "no (still held as the recording ended)"),
     ("stop", "no (still held as counting stopped)"), (None, "no")],
)  # fmt: skip
def test_the_report_says_why_a_hold_still_held_did_not_reach_its_time(tmp_path, stopped, words):
    from posecheck.library import Library

    bridge = Library.load().get("bridge")
    holds = [
        HoldRecord("up", 2.0, 7.5, 5.5, 5.0, True, "left", 100.0),
        HoldRecord("up", 9.0, 11.1, 2.1, 5.0, False, "left", 55.0, stopped=stopped),
    ]
    reps = [RepRecord(1, 1.0, 8.0, True, {"hip": 175.0}, "left", 100.0, [])]
    summ = replace(make_summary(), exercise="bridge", holds=holds, reps=reps)
    cells = re.findall(r"<td class='(?:yes|no)'>([^<]*)</td>", _report_html(tmp_path, summ, bridge))
    assert cells[:2] == ["yes", words]  # the holds table, then the reps


def test_no_corrections_beside_a_hold_still_held_when_counting_stopped(tmp_path):
    """Ctrl-C 8.8 s into a 20 s stretch: the report said, in green, "No corrections:
    every hold lasted its time" beside "0 / 4 holds reached"."""
    from posecheck.library import Library
    from posecheck.sinks.session import screen_summary

    pigeon = Library.load().get("reclined-pigeon")
    held = HoldRecord("stretch", 1.0, 9.8, 8.8, 20.0, False, "left", 54.0, stopped="stop")
    summ = replace(make_summary(), exercise="reclined-pigeon", holds=[held], reps=[],
                   corrections=[])  # fmt: skip
    _report_html(tmp_path, summ, pigeon)
    text = " ".join(parse_report(tmp_path / "r.html").text)
    assert "every hold lasted its time" not in text
    assert "No corrections: no form rule was broken." in text
    assert "1 hold was still held when counting stopped: not counted as reached." in text
    assert ("no corrections needed (1 hold was still held when counting stopped: not counted "
            "as reached)") in screen_summary(summ, pigeon, None)  # fmt: skip


def test_the_report_counts_reps_of_a_dose_per_side_as_the_terminal_does(tmp_path):
    """Bird dog: 5 reps each side is 10 in all; the report's card said "3 / 5" beside the
    terminal's "reps 3 of 10"."""
    from posecheck.library import Library
    from posecheck.sinks.session import screen_summary

    bird = Library.load().get("bird-dog")
    reps = [RepRecord(i, 2.0 * i, 2.0 * i + 1.5, True, {}, "left", 90.0, []) for i in (1, 2, 3)]
    summ = replace(make_summary(), exercise="bird-dog", holds=[], reps=reps)
    html = _report_html(tmp_path, summ, bird)
    assert "3<small> / 10</small></div><div class='lbl'>repetitions completed" in html
    assert "reps 3 of 10" in screen_summary(summ, bird, None)


def test_the_report_of_a_hold_only_exercise_counts_holds_against_the_dose(tmp_path):
    from posecheck.library import Library
    from posecheck.sinks.report import ReportSink
    from posecheck.sinks.session import screen_summary

    pigeon = Library.load().get("reclined-pigeon")
    held = HoldRecord("stretch", 2.7, 24.3, 21.6, 20.0, True, "right", 92.0)
    summary = replace(make_summary(), exercise="reclined-pigeon", holds=[held], reps=[],
                      corrections=[])  # fmt: skip
    sink = ReportSink(tmp_path / "report.html")
    sink.open(info(40, 20.0, (640, 360)), pigeon)
    sink.close(summary)
    html = (tmp_path / "report.html").read_text()
    # its dose, 2 holds each side, as the terminal counts it (the card said "1 / 2")
    assert "1<small> / 4</small></div><div class='lbl'>holds reached the target of 20 s" in html
    assert "holds reached 1 of 4 (target 20 s)" in screen_summary(summary, pigeon, None)
    assert "repetitions completed" not in html
    # nothing to correct is said of what there was: holds, no repetition
    text = " ".join(parse_report(tmp_path / "report.html").text)
    assert "No corrections: every hold lasted its time and no form rule was broken." in text
    assert "Angles over time" in text  # the pigeon's measures are all angles
    # a rule that failed for a moment, never told, is not denied beside the note naming it
    brief = "the hold lost 1 point of 30 for form (a form rule failed on 2% of the held frames, "
    sink.close(replace(summary, score_notes=[brief + "too briefly to be told)"]))
    text = " ".join(parse_report(tmp_path / "report.html").text)
    assert "no form rule was broken" not in text
    assert "every hold lasted its time and no form fault lasted long enough to be told" in text
    # the session is the mean of its holds: each hold's score is in the table
    # the side measured, not the side stretched (which the pigeon's camera cannot tell)
    assert "<th>side measured</th><th>score</th></tr><tr><td>1</td><td>stretch</td>" in html
    assert "<td>right</td><td>92</td></tr>" in html
    assert "left side measured" in text  # the header (the summary's side)


def test_a_report_plotting_a_ratio_heads_its_plots_as_measurements(tmp_path):
    # the cat-camel's back curvature is a share of the trunk length, not an angle
    from posecheck.library import Library
    from posecheck.sinks.report import ReportSink

    cat = Library.load().get("cat-camel")
    sink = ReportSink(tmp_path / "r.html")
    sink.open(info(40, 20.0, (640, 360)), cat)
    for r in make_results():
        r.measures = {"back_curvature": 0.08, "left_hip": 95.0}
        sink.write(None, r)
    summ = replace(make_summary(), exercise="cat-camel", holds=[], corrections=[])
    sink.close(summ)
    text = " ".join(parse_report(tmp_path / "r.html").text)
    assert "Measurements over time" in text and "Angles over time" not in text
    assert "No corrections: every repetition reached its target and no form rule" in text


def test_the_report_names_only_runners_up_that_fit(tmp_path):
    # the real pelvic-tilt clip: draw-in fits in part, bird dog not at all; a 0% runner-up
    # beside "98% confident" reads as if it were a confidence
    from posecheck.sinks.report import ReportSink

    scores = [{"name": "bridge", "score": 0.98}, {"name": "abdominal-draw-in", "score": 0.37},
              {"name": "bird-dog", "score": 0.0}]  # fmt: skip
    summary = replace(make_summary(), recognition={"exercise": "bridge", "confidence": 0.98,
                                                   "scores": scores})  # fmt: skip
    sink = ReportSink(tmp_path / "report.html")
    sink.open(info(40, 20.0, (640, 360)), EXERCISE)
    sink.close(summary)
    html = (tmp_path / "report.html").read_text()
    assert "recognised automatically (98% confident)" in html
    assert "also fits in part: abdominal-draw-in (37% fit)" in html and "bird-dog" not in html


def test_value_tags_of_close_joints_do_not_cover_each_other():
    # the cat-camel's back-curvature tag (mid-back) and the hip tag met on a real clip
    from posecheck.sinks.overlay import _free_y

    placed = [(200, 120, 360, 140)]
    assert _free_y(330, 125, 70, 20, 360, placed) == 142  # moved below the first tag
    assert _free_y(400, 125, 70, 20, 360, placed) == 125  # beside it: stays
    assert _free_y(330, 335, 70, 20, 360, [(300, 330, 420, 350)]) == 308  # bottom: above
    two = [(200, 120, 360, 140), (300, 142, 420, 162)]
    y = _free_y(330, 125, 70, 20, 360, two)
    assert all(not (y < r[3] and r[1] < y + 20) for r in two)


def test_reps_that_never_reached_the_held_top_read_holds_0_of_2_not_0_of_0(tmp_path):
    """The sample bridge whose hips sag: 2 reps, neither reached the top, so no hold
    began. The terminal, summary.json and the report count the 2 holds asked for."""
    from posecheck.library import Library
    from posecheck.sinks import exview
    from posecheck.sinks.report import ReportSink
    from posecheck.sinks.session import screen_summary
    from posecheck.sinks.tables import summary_dict

    bridge = Library.load().get("bridge")
    assert exview.holds_due(Library.load().get("cat-camel"), 1, 2) == 4  # cat and camel
    assert exview.holds_due(bridge, 3, 2) == 3  # more holds seen than reps: all count
    child = Library.load().get("childs-pose")  # held 2 x 20-30 s: its dose, as the terminal says
    assert (exview.holds_due(child, 1, 0), exview.holds_due(child, 3, 0)) == (2, 3)
    reps = [RepRecord(i, 2.0 * i, 2.0 * i + 1.5, False, {}, "right", 30.0, []) for i in (1, 2)]
    summary = replace(make_summary(), exercise="bridge", holds=[], reps=reps, corrections=[])
    text = screen_summary(summary, bridge, None)
    line = text.splitlines()[1]
    assert "holds reached 0 of 2 (target 5 s)" in line and "0/0" not in line
    assert line.endswith("reps 0 of 10, 2 incomplete")  # as live says it
    from posecheck import DISCLAIMER

    assert DISCLAIMER in text.splitlines()  # where most people read
    assert summary_dict(summary, info=None, exercise=bridge)["holds_due"] == 2
    sink = ReportSink(tmp_path / "report.html")
    sink.open(info(40, 20.0, (640, 360)), bridge)
    sink.close(summary)
    html = (tmp_path / "report.html").read_text()
    assert "0<small> / 2</small></div><div class='lbl'>holds reached the target of 5 s" in html
    from posecheck.live.session import summary_lines  # the live end card and terminal

    assert "holds reached 0 of 2" in summary_lines(summary, bridge)


@pytest.mark.parametrize(
    ("score", "printed", "tone"),
    [(79.6, "80", "good"), (79.0, "79", "mid"), (59.6, "60", "mid"), (59.4, "59", "low")],
)
def test_the_score_is_coloured_as_it_is_printed(tmp_path, score, printed, tone):
    # 79.6 printed "80" in amber: green starts at 80 as the person reads it
    from posecheck.sinks.report import ReportSink

    sink = ReportSink(tmp_path / "r.html")
    sink.open(info(40, 20.0, (640, 360)), EXERCISE)
    sink.close(replace(make_summary(), score=score))
    html = (tmp_path / "r.html").read_text()
    assert f"<div class='card score {tone}'><div class='big'>{printed}</div>" in html


def test_a_short_hold_told_as_it_ends_is_pictured_in_the_hold_not_on_the_way_out(tmp_path):
    # the real two-cycle cat-camel: "Hold the cat" was told as the first cat ended, and its
    # picture, 0.5 s on, showed her back already sunk in the camel
    from posecheck.sinks.report import ReportSink, _mmss

    sink = ReportSink(tmp_path / "r.html")
    sink.open(info(40, 20.0, (640, 360)), EXERCISE)
    told = Cue(
        "short_hold:top", "That hold lasted 0.5 s: next time, hold the top for 5 s.", 2, "form"
    )
    held = [r for r in make_results() if r.phase == "top"]
    for r in make_results():
        r.hold_s = r.t_s - held[0].t_s if r.phase == "top" else 0.0
        r.hold_target_s = 5.0 if r.phase == "top" else None
        r.cue = told if held[-1].index < r.index <= held[-1].index + 15 else None
        sink.write(Frame(r.index, r.t_s, image((640, 360), r.index)), r)
    assert sink.thumbs["short_hold:top"][0] > held[-1].t_s + 0.4  # the cue's own picture
    hold = Correction("short_hold:top", "hold", "Hold the top for 5 s: ...", 1, 1.3, [], [1])
    sink.close(replace(make_summary(), corrections=[hold]))
    text = " ".join(parse_report(tmp_path / "r.html").text)
    assert f"picture at {_mmss(held[-1].t_s)}" in text  # the hold's last frame instead


def test_a_repetition_that_stopped_short_is_pictured_as_it_turned_back():
    from posecheck.sinks.report import ReportSink

    sink = ReportSink("unused.html")
    sink.open(info(), EXERCISE)
    short = Cue("short_rep:top.hip", "Lift your hips higher: ...", 2, "form")
    for r in make_results(40):
        r.cue = short if 5 <= r.index < 30 else None
        sink.write(Frame(r.index, r.t_s, image(i=r.index)), r)
    assert sink.thumbs["short_rep:top.hip"][0] == pytest.approx(0.25)  # not 0.5 s later


def test_a_hold_correction_whose_cue_never_showed_has_the_longest_holds_picture(tmp_path):
    # the real cobra: "Hold the chest up for 20 s" never showed on screen (another cue
    # first, then the clip's end), so the report had "no picture" beside it
    from posecheck.sinks.report import ReportSink, _mmss

    sink = ReportSink(tmp_path / "r.html")
    sink.open(info(40, 20.0, (640, 360)), EXERCISE)
    for r in make_results():
        r.cue = None  # no cue is on screen at all
        r.hold_s = max(0.0, r.t_s - 0.2) if r.phase == "top" else 0.0
        r.hold_target_s = 5.0 if r.phase == "top" else None
        sink.write(Frame(r.index, r.t_s, image((640, 360), r.index)), r)
    longest = sink._held["top"]
    assert longest[0] >= 1.0 and longest[2]
    hold = Correction("short_hold:top", "hold", "Hold the top for 5 s: ...", 1, 1.3, [], [1])
    sink.close(replace(make_summary(), corrections=[hold]))
    html = (tmp_path / "r.html").read_text()
    assert "no picture" not in html
    assert f"picture at {_mmss(longest[1])}" in " ".join(parse_report(tmp_path / "r.html").text)


def test_a_hold_correction_is_pictured_without_another_corrections_words(tmp_path):
    # the real bridge: "Hold the top for 5 s" was pictured with "Feet further from your
    # hips" in the overlay's cue strip, read as the picture's caption
    from posecheck.sinks.report import ReportSink

    sink = ReportSink(tmp_path / "r.html")
    sink.open(info(40, 20.0, (640, 360)), EXERCISE)
    other = Cue("knee_bend", "Feet further from your hips.", 3, "setup")
    for r in make_results():
        r.cue = other
        r.hold_s = max(0.0, r.t_s - 0.2) if r.phase == "top" else 0.0
        r.hold_target_s = 5.0 if r.phase == "top" else None
        sink.write(Frame(r.index, r.t_s, image((640, 360), r.index)), r)
    drawn = []
    sink._thumb = lambda frame, result: drawn.append(result.cue) or "x"  # type: ignore[method-assign]
    hold = Correction("short_hold:top", "hold", "Hold the top for 5 s: ...", 1, 1.3, [], [1])
    sink.close(replace(make_summary(), corrections=[hold]))
    assert drawn == [None]
    assert sink._held["top"][3].cue is other  # the frame's own result is left as it was


def test_a_twist_seen_only_held_is_said_beside_its_zero_reps(tmp_path):
    # the real supine twist: the title card and the closing fade hide the way into and
    # out of its one 28.7 s twist, so no rep; the report said "0 / 2 repetitions, 0
    # started" and "dose done 0%" beside it
    from posecheck.library import Library
    from posecheck.sinks.report import ReportSink
    from posecheck.sinks.session import screen_summary

    twist = Library.load().get("supine-twist")
    held = HoldRecord("twist", 2.0, 30.68, 28.68, 20.0, True, "right", 89.5)
    summary = replace(make_summary(), exercise="supine-twist", holds=[held], reps=[],
                      corrections=[])  # fmt: skip
    assert "reps 0 of 4, and 1 hold whose way in or out was not seen" in screen_summary(
        summary, twist, None
    )
    sink = ReportSink(tmp_path / "report.html")
    sink.open(info(40, 20.0, (640, 360)), twist)
    sink.close(summary)
    text = " ".join(parse_report(tmp_path / "report.html").text)
    assert "1 hold whose way in or out was not seen: not counted as a repetition" in text


def test_a_cat_between_two_cat_camel_reps_is_not_outside_them():
    # symmetric: the real two-cycle clip's reps go cat -> camel -> cat, so its cat holds
    # lie between reps, seen with their way in and out; with no rep, either end is a peak
    from posecheck.corrections import holds_outside_reps
    from posecheck.library import Library

    cat = Library.load().get("cat-camel")
    holds = [
        HoldRecord(ph, a, b, b - a, 2.0, False, "left", 60.0)
        for ph, a, b in (
            ("cat", 1.55, 2.97),
            ("camel", 4.76, 6.01),
            ("cat", 7.78, 9.47),
            ("camel", 11.32, 12.68),
        )
    ]
    reps = [RepRecord(1, 3.33, 6.62, True, {}, "left", 70.0, [], "camel"),
            RepRecord(2, 9.88, 14.22, True, {}, "left", 70.0, [], "camel")]  # fmt: skip
    assert holds_outside_reps(cat, holds, reps) == []
    assert holds_outside_reps(cat, holds[:1], []) == holds[:1]


def test_the_backs_curve_is_drawn_in_words():
    # "back curvature -7%" and "-0%" on the overlay meant nothing to a person
    from posecheck.sinks.overlay import _curve_text

    assert [_curve_text(v) for v in (0.09, -0.071, -0.004, 0.0)] == [
        "back rounded 9%", "back dipped 7%", "back flat", "back flat"
    ]  # fmt: skip


def test_what_one_camera_cannot_see_is_said_beside_the_corrections(tmp_path):
    # a draw-in "with no corrections" is of the position held: the tummy is not seen
    from posecheck.library import Library
    from posecheck.sinks.report import ReportSink
    from posecheck.sinks.session import screen_summary

    lib = Library.load()
    draw_in, bridge = lib.get("abdominal-draw-in"), lib.get("bridge")
    held = HoldRecord("drawn_in", 1.0, 12.0, 11.0, 10.0, True, "right", 95.0)
    summary = replace(make_summary(), exercise="abdominal-draw-in", holds=[held], reps=[],
                      corrections=[])  # fmt: skip
    lines = screen_summary(summary, draw_in, None).splitlines()
    note = lines[lines.index("no corrections needed") + 1]
    assert note.startswith("note: The camera judges this exercise only poorly: the camera can")
    assert "cannot see the tummy drawing in" in note
    sink = ReportSink(tmp_path / "report.html")
    sink.open(info(40, 20.0, (640, 360)), draw_in)
    sink.close(summary)
    assert "cannot see the tummy drawing in" in (tmp_path / "report.html").read_text()
    # an exercise a camera judges well has no such note
    assert not any(
        ln.startswith("note:") for ln in screen_summary(summary, bridge, None).split("\n")
    )


def test_the_hold_target_is_said_when_only_a_phase_has_one():
    # a jack knife's 1 s tuck: no hold_s in its dose, "holds reached 2 of 2 (target 1 s)"
    from posecheck.library import Library
    from posecheck.sinks import exview

    lib = Library.load()
    jack = lib.get("seated-reverse-jack-knife")
    assert not jack.dose.hold_s and exview.hold_target(jack) == 1.0
    assert exview.hold_target(lib.get("bridge")) == 5.0
    assert exview.hold_target(lib.get("knee-rock")) is None


@pytest.mark.parametrize(("low_frames", "told"), [(19, True), (15, False)])
def test_a_second_partly_out_of_view_is_said_with_what_to_do(low_frames, told):
    # the real bird dog: its reaching hand left the picture for 1.7 s of 9.5 (18% of the
    # frames, under the 20% said before), two of three reaches were not counted, and
    # nothing said why
    from posecheck.results import STATE_LOW_VISIBILITY
    from posecheck.sinks.session import SessionChecks

    checks = SessionChecks(EXERCISE)
    checks.open(info(200, 20.0), EXERCISE)
    hands = Cue("view", "Move back so your hands are in view.", 1, "setup")
    for r in make_results(200, 20.0):
        # (and from 9 s a closing card over a dimmed picture: never back in view)
        if 40 <= r.index < 40 + low_frames + 1 or r.index >= 180:
            r.state, r.cue = STATE_LOW_VISIBILITY, hands
        checks.write(None, r)
    summary = make_summary(200, 20.0)
    checks.close(summary)
    said = [w for w in summary.warnings if w.startswith("body partly out of view")]
    if told:
        assert said == ["body partly out of view for 1.0 s, first at 2.0 s: nothing was "
                        "judged or counted then; move back so your hands are in view"]  # fmt: skip
    else:
        assert said == []


def test_a_hold_reached_within_its_margin_says_so_beside_its_yes(tmp_path):
    # the real two-cycle cat-camel: "1.8 s / 2 s / yes" beside "1.5 s / 2 s / no"
    from posecheck.sinks.report import ReportSink

    holds = [HoldRecord("top", 1.0, 2.8, 1.8, 2.0, True, "left", 80.0),
             HoldRecord("top", 5.0, 6.5, 1.5, 2.0, False, "left", 60.0),
             HoldRecord("top", 9.0, 11.1, 2.1, 2.0, True, "left", 90.0)]  # fmt: skip
    sink = ReportSink(tmp_path / "r.html")
    sink.open(info(40, 20.0, (640, 360)), EXERCISE)
    sink.close(replace(make_summary(), holds=holds, reps=[]))
    cells = parse_report(tmp_path / "r.html").text
    assert "yes (0.2 s short: within the margin a hold is given)" in cells
    assert "yes" in cells and "no" in cells  # 2.1 s of 2: no margin said; 1.5 s: not reached


def test_report_dates_a_recording_as_the_history_does(tmp_path) -> None:
    """The report said "video file dated 06 Dec 2026" (the file's time) where the history
    dated the same session 2026-06-21 19:49 (the time the container carries)."""
    import datetime as _dt

    import av
    import numpy as np

    from posecheck.sinks.report import _session_date

    began = _dt.datetime(2026, 6, 21, 19, 49, tzinfo=_dt.timezone.utc).astimezone()
    video = tmp_path / "clip.mp4"
    with av.open(str(video), "w") as c:
        c.metadata["creation_time"] = "2026-06-21T19:49:00.000000Z"
        s = c.add_stream("mpeg4", rate=10)
        s.width, s.height, s.pix_fmt = 64, 48, "yuv420p"
        for _ in range(3):
            frame = av.VideoFrame.from_ndarray(np.zeros((48, 64, 3), np.uint8), format="rgb24")
            c.mux(s.encode(frame))
        c.mux(s.encode())
    assert _session_date(replace(info(3, 10.0, (64, 48)), path=str(video))).startswith(
        f"recorded {began:%d %b %Y %H:%M %Z} \u00b7 analysed "
    )  # local time, as the history
    plain = tmp_path / "plain.mp4"
    plain.write_bytes(b"not a container")
    assert _session_date(replace(info(3, 10.0, (64, 48)), path=str(plain))).startswith(
        "video file dated "
    )

"""Sources on synthetic media written by the tests themselves."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from media_builders import (
    add_rotation,
    brightness,
    frame_image,
    write_av_video,
    write_cv_video,
    write_gif,
    write_vfr_video,
)
from posecheck.errors import InputError
from posecheck.pose import Frame, MediaInfo
from posecheck.sources import (
    CameraSource,
    Source,
    _open_av,
    is_camera_spec,
    mp4_index_missing,
    open_source,
)


def read_all(spec, **kw) -> tuple[Source, list[Frame]]:
    src = open_source(spec, **kw)
    with src:
        frames = list(src.frames())
    return src, frames


def red_corner(img: np.ndarray) -> tuple[float, float]:
    """Where the red marker is: (row, column) as fractions of the image."""
    m = (img[:, :, 2] > 150) & (img[:, :, 1] < 100) & (img[:, :, 0] < 100)
    ys, xs = np.nonzero(m)
    return ys.mean() / img.shape[0], xs.mean() / img.shape[1]


def test_video_2997_fps_stays_float_and_times_follow_the_media(tmp_path):
    path = write_av_video(tmp_path / "a.mp4", 20, Fraction(30000, 1001))
    src, frames = read_all(path)
    assert src.info.kind == "video"
    assert src.info.fps == pytest.approx(29.97, abs=1e-3)
    assert (src.info.width, src.info.height) == (160, 96)
    assert src.info.frame_count == 20
    assert [f.index for f in frames] == list(range(20))
    assert [f.t_s for f in frames] == pytest.approx([i * 1001 / 30000 for i in range(20)], abs=1e-3)
    # decoded in order: brightness grows with the index
    b = [brightness(f.image) for f in frames]
    assert all(b2 > b1 for b1, b2 in zip(b, b[1:], strict=False))
    assert frames[0].image.dtype == np.uint8 and frames[0].image.shape == (96, 160, 3)
    assert not src.truncated and src.frames_read == 20


@pytest.mark.parametrize(
    ("name", "codec"),
    [("a.mkv", "libx264"), ("a.mov", "libx264"), ("a.webm", "libvpx-vp9"), ("a.avi", "mpeg4")],
)
def test_containers_and_codecs(tmp_path, name, codec):
    import av

    try:
        av.codec.Codec(codec, "w")
    except ValueError:  # UnknownCodecError: a PyAV build without this encoder
        pytest.skip(f"PyAV cannot encode {codec} here")
    path = write_av_video(tmp_path / name, 15, Fraction(25), codec=codec)
    src, frames = read_all(path)
    assert len(frames) == 15 and src.info.fps == pytest.approx(25.0)
    assert frames[-1].t_s == pytest.approx(14 / 25, abs=1e-3)
    b = [brightness(f.image) for f in frames]
    assert b[-1] > b[0] + 50  # decoded in order


@pytest.mark.parametrize("opener", ["opencv", "pyav"])
def test_variable_frame_rate_times_come_from_the_media(tmp_path, opener):
    times = [0.0, 0.1, 0.3, 0.35, 0.6, 1.0]
    path = write_vfr_video(tmp_path / "vfr.mp4", times)
    src = open_source(path) if opener == "opencv" else _open_av(str(path), "video", False, 4)
    with src:
        got = [f.t_s for f in src.frames()]
    assert got == pytest.approx(times, abs=1e-3)  # not index / fps


def test_opencv_written_video(tmp_path):
    path = write_cv_video(tmp_path / "b.mp4", 12, 25.0)
    src, frames = read_all(path)
    assert src.info.fps == pytest.approx(25.0)
    assert len(frames) == 12
    assert frames[-1].t_s == pytest.approx(11 / 25.0, abs=1e-3)


@pytest.mark.parametrize("opener", ["opencv", "pyav"])
def test_rotation_metadata_is_applied(tmp_path, opener):
    plain = write_av_video(tmp_path / "plain.mp4", 5, Fraction(30))
    rot = add_rotation(plain, tmp_path / "rot.mp4", 90)
    if opener == "opencv":
        src = open_source(rot)
    else:
        src = _open_av(str(rot), "video", False, 4)
        assert src is not None
    with src:
        frames = list(src.frames())
    assert src.info.rotation_deg == 90
    # upright as a player shows it: 160x96 stored, 96x160 displayed, and the
    # top-left marker ends bottom-left (what ffmpeg's own autorotate produces)
    assert (src.info.width, src.info.height) == (96, 160)
    assert frames[0].image.shape == (160, 96, 3)
    row, col = red_corner(frames[0].image)
    assert row > 0.6 and col < 0.4
    assert len(frames) == 5


@pytest.mark.parametrize("opener", ["opencv", "pyav"])
@pytest.mark.parametrize("degrees", [90, 180, 270])
def test_rotation_matches_what_ffmpeg_displays(tmp_path, opener, degrees):
    import subprocess

    import cv2

    plain = write_av_video(tmp_path / "plain.mp4", 3, Fraction(30))
    rot = add_rotation(plain, tmp_path / "rot.mp4", degrees)
    ref = tmp_path / "ref.png"  # ffmpeg applies the rotation itself when decoding
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-i", str(rot), "-frames:v", "1", str(ref)], check=True
    )
    expected = cv2.imread(str(ref))
    src = open_source(rot) if opener == "opencv" else _open_av(str(rot), "video", False, 4)
    with src:
        first = next(iter(src.frames()))
    assert first.image.shape == expected.shape
    assert red_corner(first.image) == pytest.approx(red_corner(expected), abs=0.05)
    assert (src.info.width, src.info.height) == (expected.shape[1], expected.shape[0])
    assert src.info.rotation_deg in (90, 180, 270)


def test_unrotated_marker_stays_top_left(tmp_path):
    src, frames = read_all(write_av_video(tmp_path / "p.mp4", 3, Fraction(30)))
    row, col = red_corner(frames[0].image)
    assert row < 0.4 and col < 0.4 and src.info.rotation_deg == 0


def test_truncated_video_yields_what_it_can(tmp_path, caplog):
    full = write_cv_video(tmp_path / "full.avi", 50, 25.0, fourcc="MJPG")
    data = full.read_bytes()
    cut = tmp_path / "cut.avi"
    cut.write_bytes(data[: len(data) // 2])
    src, frames = read_all(cut)
    assert src.info.frame_count == 50  # the header still says 50
    assert 0 < len(frames) < 50
    assert src.truncated and src.frames_read == len(frames)
    assert any("truncated" in w for w in src.warnings)


def test_truncated_mp4_with_index_at_the_end_is_a_clear_error(tmp_path):
    full = write_av_video(tmp_path / "full.mp4", 30, Fraction(30))
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(full.read_bytes()[: full.stat().st_size // 2])
    with pytest.raises(InputError) as e:
        open_source(cut)
    assert e.value.one_line() == (
        f"{cut}: the video is incomplete: it has no index (moov), as when a recording or a "
        "copy is interrupted (copy or export the video again; a file cut off like this "
        "cannot be read)"
    )
    assert not mp4_index_missing(full)  # the complete file has its index
    assert not mp4_index_missing(write_cv_video(tmp_path / "x.avi", 3, 25.0, fourcc="MJPG"))


def test_faststart_mp4_cut_short_is_truncated(tmp_path):
    full = write_av_video(tmp_path / "fs.mp4", 60, Fraction(30), faststart=True)
    cut = tmp_path / "fs-cut.mp4"
    cut.write_bytes(full.read_bytes()[: full.stat().st_size * 2 // 3])
    src, frames = read_all(cut)
    assert src.info.frame_count == 60
    assert 0 < len(frames) < 60 and src.truncated


def test_gif_keeps_each_frames_duration(tmp_path):
    path = write_gif(tmp_path / "a.gif", [100, 200, 300, 100])
    src, frames = read_all(path)
    assert src.info.kind == "gif"
    assert [f.t_s for f in frames] == pytest.approx([0.0, 0.1, 0.3, 0.6], abs=1e-6)
    assert src.info.frame_count == 4
    assert src.info.fps == pytest.approx(4 / 0.7, rel=1e-3)
    assert frames[0].image.shape == (48, 64, 3)


def test_single_image(tmp_path):
    import cv2

    p = tmp_path / "one.png"
    cv2.imwrite(str(p), frame_image(3, (40, 30)))
    src, frames = read_all(p)
    assert src.info.kind == "image" and src.info.frame_count == 1
    assert len(frames) == 1 and frames[0].t_s == 0.0 and frames[0].image.shape == (30, 40, 3)


def test_folder_in_natural_order_at_nominal_rate(tmp_path, caplog):
    import cv2

    for i in (1, 2, 10):
        cv2.imwrite(str(tmp_path / f"frame{i}.png"), frame_image(i, (40, 30)))
    (tmp_path / "notes.txt").write_text("not an image")
    (tmp_path / "frame5.jpg").write_bytes(b"broken")  # unreadable: skipped, with a warning
    src, frames = read_all(tmp_path)
    assert src.info.kind == "folder" and src.info.fps == 30.0
    assert [round(brightness(f.image)) for f in frames] == [24, 32, 96]  # 1, 2, 10
    assert [f.index for f in frames] == [0, 1, 3]
    assert [f.t_s for f in frames] == pytest.approx([0, 1 / 30, 3 / 30])
    assert any("frame5.jpg: not a readable image, skipped" in w for w in src.warnings)
    src, frames = read_all(tmp_path, fps=10)
    assert frames[1].t_s == pytest.approx(0.1)
    src = open_source(tmp_path, fps=10, realtime=True)  # played as if live
    waits: list[float] = []
    src.wait = lambda s: bool(waits.append(s))
    src.clock = lambda: 0.0  # time stands still: every frame waits its full delay
    with src:
        frames = list(src.frames())
    assert src.live and frames[-1].index == 3
    assert waits == pytest.approx([0.1, 0.3])  # frames 1 and 3 (2 was unreadable)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: d / "missing.mp4", "{p}: no such file or folder (check the path)"),
        (
            lambda d: _write(d / "notes.mp4", b"hello, not a video\n" * 20),
            "{p}: not a video or image posecheck can read (damaged, truncated or not media) "
            "(check the file plays in a video player; try re-encoding it with ffmpeg)",
        ),
        (
            lambda d: _write(d / "empty.mp4", b""),
            "{p}: file is empty (record or copy the video again)",
        ),
        (
            lambda d: _write(d / "bad.png", b"not a png"),
            "{p}: not an image posecheck can read "
            "(use a PNG or JPEG file, a video, or a folder of images)",
        ),
        (
            lambda d: _mkdir(d / "empty"),
            "{p}: folder has no images (.bmp, .jpeg, .jpg, .pgm, .png, .ppm, .tif, .tiff, .webp) "
            "(point at a folder of frames, or at a video file)",
        ),
        (
            lambda d: "/dev/video97",
            "/dev/video97: no such camera device (list cameras with 'ls /dev/video*')",
        ),
    ],
    ids=["missing", "not-media", "empty-file", "bad-image", "empty-folder", "no-device"],
)
def test_bad_inputs_give_one_clear_line(tmp_path, make, message):
    p = make(tmp_path)
    with pytest.raises(InputError) as e:
        open_source(p)
    assert e.value.one_line() == message.format(p=p)


def test_camera_that_does_not_open():
    with pytest.raises(InputError) as e:
        open_source("97")
    assert e.value.one_line().startswith("camera 97 did not open (check it is connected")


def _write(p: Path, data: bytes) -> Path:
    p.write_bytes(data)
    return p


def _mkdir(p: Path) -> Path:
    p.mkdir()
    return p


@pytest.mark.parametrize(
    ("spec", "camera"),
    [("0", True), (1, True), ("/dev/video0", True), ("rtsp://cam/stream", True),
     ("clip.mp4", False), ("frames/", False)],
)  # fmt: skip
def test_camera_specs(spec, camera):
    assert is_camera_spec(spec) is camera


# --- live delivery: newest frame wins ----------------------------------------------------


class _ScriptedSource(Source):
    live = True

    def __init__(self, n: int) -> None:
        super().__init__(MediaInfo("scripted", "camera", 30.0, 0, 8, 8))
        self.n = n

    def _produce(self):
        for i in range(self.n):
            self.frames_read = i + 1
            yield Frame(i, i / 30, np.zeros((8, 8, 3), np.uint8))


def test_live_source_drops_stale_frames_for_a_slow_consumer():
    src = _ScriptedSource(100)
    it = src.frames()
    first = next(it)
    src._thread.join(timeout=10)  # the consumer is "busy" until capture has moved on
    rest = list(it)
    got = [first, *rest]
    assert got[-1].index == 99  # the newest frame is delivered
    assert len(got) <= 3
    assert src.frames_dropped == 100 - len(got)
    assert [f.index for f in got] == sorted(f.index for f in got)


def test_realtime_file_is_paced_by_its_own_times(tmp_path):
    path = write_av_video(tmp_path / "rt.mp4", 10, Fraction(10))
    src = open_source(path, realtime=True)
    assert src.live
    now = [100.0]
    waits: list[float] = []

    def fake_wait(seconds: float) -> bool:
        waits.append(seconds)
        now[0] += seconds
        return False

    src.clock = lambda: now[0]
    src.wait = fake_wait
    with src:
        frames = list(src.frames())
    assert waits == pytest.approx([0.1] * (len(waits)), abs=1e-6)
    assert len(waits) == 9  # every frame after the first waited for its time
    # nothing was slow here except possibly the consumer: frames keep their media times
    assert all(f.t_s == pytest.approx(f.index / 10, abs=1e-3) for f in frames)
    assert frames[-1].index == 9


class _FakeCap:
    def __init__(self, n: int) -> None:
        self.n, self.i, self.released = n, 0, False

    def read(self):
        if self.i >= self.n:
            return False, None
        self.i += 1
        return True, np.full((4, 6, 3), self.i, np.uint8)

    def release(self) -> None:
        self.released = True


def test_camera_source_times_are_capture_times_from_zero():
    cap = _FakeCap(20)
    ok, first = cap.read()
    src = CameraSource("fake", cap, first, MediaInfo("fake", "camera", 30.0, 0, 6, 4))
    with src:
        got = list(src.frames())
    ts = [f.t_s for f in got]
    assert ts == sorted(ts) and ts[0] >= 0.0 and ts[-1] < 5.0  # seconds since the first capture
    assert [f.index for f in got] == sorted({f.index for f in got})
    assert got[-1].index == 19  # the newest frame is never dropped
    assert src.frames_read == 20 and src.frames_dropped == 20 - len(got)
    assert cap.released
    assert any("stopped delivering frames after 20" in w for w in src.warnings)


def test_consumer_stopping_early_stops_the_decoder(tmp_path):
    path = write_av_video(tmp_path / "long.mp4", 60, Fraction(30))
    src = open_source(path, prefetch=2)
    it = src.frames()
    for _ in range(3):
        next(it)
    it.close()  # e.g. Ctrl-C in the consumer
    assert src._thread is None
    assert src.frames_read < 60


def test_failures_print_nothing_but_the_error(tmp_path):
    # FFmpeg ("moov atom not found") and OpenCV ("[ WARN:0]") write to stderr
    # themselves; the user must see only posecheck's one line. In a fresh process, as a
    # command runs: OpenCV reads FFmpeg's log level once, at its first use of FFmpeg,
    # so a test that opened a video before would decide it (see _quiet_native_logs).
    import subprocess
    import sys

    bad = _write(tmp_path / "notes.mp4", b"hello, not a video\n" * 20)
    code = (
        "import pytest\n"
        "from posecheck.errors import InputError\n"
        "from posecheck.sources import open_source\n"
        f"for spec in ({str(bad)!r}, '97'):\n"
        "    with pytest.raises(InputError):\n"
        "        open_source(spec)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "" and proc.stderr == ""


def test_stream_url_runs_as_a_live_camera_source(tmp_path):
    # FFmpeg reads file:// URLs, so a real OpenCV capture runs the camera path:
    # capture thread, newest frame wins, times from the capture clock.
    path = write_av_video(tmp_path / "cam.mp4", 30, Fraction(30))
    src = open_source(f"file://{path}")
    assert isinstance(src, CameraSource) and src.live and src.info.kind == "camera"
    assert (src.info.width, src.info.height) == (160, 96) and src.info.frame_count == 0
    with src:
        got = list(src.frames())
    assert src.frames_read == 30
    assert got[0].t_s >= 0.0 and got[-1].index == 29  # the newest frame is never dropped
    assert [f.t_s for f in got] == sorted(f.t_s for f in got)
    assert len(got) + src.frames_dropped == 30

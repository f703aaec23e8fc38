"""The progress page from a generated 90-day history, opened in headless Chromium.

The screenshot is checked where the page draws in known colours: the adherence
calendar's cells (90 of them, sessions in greens), the score line (blue), the pain
lines (purple, teal), and nothing drawn past the page's column.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from posecheck.cli import main
from posecheck.history.store import HistoryStore
from posecheck.history.synthetic import session_rows

TODAY = dt.date(2026, 12, 3)


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    pytest.skip("Chromium not installed (apt-get install chromium; .ci/run installs it)")


def _near(img: np.ndarray, rgb: tuple[int, int, int], tol: int = 12) -> np.ndarray:
    return (np.abs(img[..., :3].astype(int) - np.array(rgb)) <= tol).all(axis=-1)


def test_progress_page_in_chromium(tmp_path):
    chromium = _chromium()
    cv2 = pytest.importorskip("cv2")
    db = tmp_path / "h.sqlite"
    with HistoryStore(db) as st:
        for r in session_rows(90, end=TODAY):
            st.upsert(r)
    page = tmp_path / "progress.html"
    assert main(["progress", "--db", str(db), "--today", TODAY.isoformat(), "-o", str(page)]) == 0
    shot = tmp_path / "progress.png"
    subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
         f"--screenshot={shot}", "--window-size=1200,2000", page.as_uri()],
        capture_output=True, timeout=120, check=False, cwd=tmp_path,
    )  # fmt: skip
    assert shot.is_file(), "Chromium wrote no screenshot"
    img = cv2.imread(str(shot), cv2.IMREAD_COLOR)[..., ::-1]  # RGB
    assert img.shape == (2000, 1200, 3)
    # the calendar: session days in two greens, empty days grey; 20x20 px cells
    dark, light = _near(img, (46, 157, 91)).sum(), _near(img, (143, 208, 168)).sum()
    assert dark > 20 * 20 * 15 and light > 20 * 20 * 5, (dark, light)
    # the charts: the score line, the pain lines, the hold target's dashes (bridge first)
    assert _near(img, (59, 115, 196)).sum() > 1500  # score (and the correction bars)
    assert _near(img, (142, 91, 196), 20).sum() > 300 and _near(img, (42, 143, 157), 20).sum() > 300
    # the page is a centred column: the margins stay the background colour
    margin = np.concatenate([img[:, :60], img[:, -60:]], axis=1)
    assert (_near(margin, (245, 247, 250), 3)).mean() > 0.98
    keep = os.environ.get("POSECHECK_KEEP_SCREENSHOTS")
    if keep:  # to look at it: POSECHECK_KEEP_SCREENSHOTS=/tmp/shots
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(keep) / "progress.png")


def test_report_and_progress_pages_share_one_base_stylesheet():
    from posecheck.history.page import CSS as progress_css
    from posecheck.sinks.report import CSS as report_css
    from posecheck.sinks.style import BASE_CSS

    base = [ln for ln in BASE_CSS.splitlines() if ln]
    for css in (report_css, progress_css):
        assert css.startswith(BASE_CSS)
        own = css[len(BASE_CSS) :].splitlines()
        assert not [ln for ln in base if ln in own], "a base rule repeated after the base"

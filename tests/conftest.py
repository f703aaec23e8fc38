"""Shared fixtures: the real footage in ../shared/media, and the repository paths."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _find_media() -> Path:
    """$POSECHECK_MEDIA, else ../shared/media next to the repository (or next to the
    folder holding it, for git worktrees kept one level deeper)."""
    if os.environ.get("POSECHECK_MEDIA"):
        return Path(os.environ["POSECHECK_MEDIA"])
    for base in (REPO.parent, REPO.parent.parent):
        if (base / "shared" / "media").is_dir():
            return base / "shared" / "media"
    return REPO.parent / "shared" / "media"


MEDIA = _find_media()


def media_path(rel: str) -> Path:
    """Path of a clip in ../shared/media; skips the test (with the reason) if absent."""
    p = MEDIA / rel
    if not p.is_file():
        pytest.skip(f"real footage not available: {p} (set POSECHECK_MEDIA or add ../shared/media)")
    return p


@pytest.fixture(autouse=True, scope="session")
def _private_history(tmp_path_factory):
    """Commands record sessions in $POSECHECK_DB: the suite's go to a temporary file,
    never into the user's own history (subprocesses inherit the variable)."""
    mp = pytest.MonkeyPatch()
    mp.setenv("POSECHECK_DB", str(tmp_path_factory.mktemp("history") / "history.sqlite"))
    yield
    mp.undo()


@pytest.fixture
def media():
    return media_path


@pytest.fixture(scope="session")
def labels() -> dict:
    p = MEDIA / "labels.json"
    if not p.is_file():
        pytest.skip(f"labels not available: {p}")
    return json.loads(p.read_text())

"""Where the benchmarks find the real footage (never copied into the repository)."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def find_media() -> Path:
    """$POSECHECK_MEDIA, else the nearest ``shared/media`` beside the repository or one of
    its parents (a git worktree sits a level deeper); ``../shared/media`` if none exists."""
    if os.environ.get("POSECHECK_MEDIA"):
        return Path(os.environ["POSECHECK_MEDIA"])
    for base in REPO.parents:
        if (base / "shared" / "media").is_dir():
            return base / "shared" / "media"
    return REPO.parent / "shared" / "media"

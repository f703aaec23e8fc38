"""Build hook: ship the top-level ``poses/`` folder inside the wheel as ``posecheck/poses``.

The exercise definitions live at the repository root (users and reviewers find
them there); at run time :mod:`posecheck.library` looks for the packaged copy
first and falls back to the source tree for editable installs.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildPyWithPoses(build_py):
    def run(self) -> None:
        super().run()
        src = Path(__file__).parent / "poses"
        dst = Path(self.build_lib) / "posecheck" / "poses"
        dst.mkdir(parents=True, exist_ok=True)
        for f in sorted(src.glob("*.toml")) + sorted(src.glob("*.md")):
            shutil.copy2(f, dst / f.name)


setup(cmdclass={"build_py": BuildPyWithPoses})

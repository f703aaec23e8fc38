"""Build hook: ship the top-level ``poses/`` and ``routines/`` folders inside the wheel
as ``posecheck/poses`` and ``posecheck/routines``.

The exercise definitions and routines live at the repository root (users and
reviewers find them there); at run time :mod:`posecheck.library` and
:mod:`posecheck.routine` look for the packaged copy first and fall back to the source
tree for editable installs.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildPyWithPoses(build_py):
    def run(self) -> None:
        super().run()
        for folder in ("poses", "routines"):
            src = Path(__file__).parent / folder
            dst = Path(self.build_lib) / "posecheck" / folder
            dst.mkdir(parents=True, exist_ok=True)
            for f in sorted(src.glob("*.toml")) + sorted(src.glob("*.md")):
                shutil.copy2(f, dst / f.name)


setup(cmdclass={"build_py": BuildPyWithPoses})

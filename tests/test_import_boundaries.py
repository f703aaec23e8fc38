"""Import boundaries: only the adapters import cv2, mediapipe or PyAV when loaded.

Geometry, definitions, the engine, recognition, the frame loop and the data formats
are pure Python + numpy (docs/ARCHITECTURE.md). Every module of the package that is
not an adapter is imported in one fresh interpreter, one after the other, and the
first one after which ``cv2``, ``mediapipe`` or ``av`` is loaded is named. New
modules (the engine package's parts) are covered without being listed.
"""

from __future__ import annotations

import json
import os
import pkgutil
import subprocess
import sys

import posecheck

from conftest import REPO

HEAVY = ("cv2", "mediapipe", "av")

# The adapters: they draw, decode or encode pictures and may import cv2/av at load.
ADAPTERS = {
    "posecheck.sources",
    "posecheck.live.hud",
    "posecheck.live.window",
    "posecheck.render.clip",
    "posecheck.render.draw",
    "posecheck.render.video",
    "posecheck.sinks.overlay",
    "posecheck.sinks.video",
}
# Runs the command line when imported.
NOT_IMPORTABLE = {"posecheck.__main__"}

# The pure modules named in the architecture; listed so that a rename or a move
# into ADAPTERS fails here instead of silently leaving the check.
PURE = (
    "posecheck.angles",
    "posecheck.pose",
    "posecheck.results",
    "posecheck.errors",
    "posecheck.exercise",
    "posecheck.library",
    "posecheck.engine",
    "posecheck.recognize",
    "posecheck.segment",
    "posecheck.pipeline",
    "posecheck.protocols",
    "posecheck.cuts",
    "posecheck.smoothing",
    "posecheck.landmarks_io",
    "posecheck.curvature",
    "posecheck.lean",
    "posecheck.body3d",
    "posecheck.foreshortening",
    "posecheck.render.motion",
    "posecheck.render.body",
    "posecheck.render.truth",
    "posecheck.sinks.exview",
    "posecheck.sinks.tables",
    "posecheck.live.coach",
    "posecheck.live.setup",
    "posecheck.live.routine",
    "posecheck.live.routine_out",
    "posecheck.cli",
)

_PROBE = """
import importlib, json, sys
heavy = {heavy!r}
out = {{"bad": None, "imported": []}}
for name in {names!r}:
    importlib.import_module(name)
    out["imported"].append(name)
    loaded = [m for m in heavy if m in sys.modules]
    if loaded:
        out["bad"] = [name, loaded]
        break
print(json.dumps(out))
"""


def all_modules() -> list[str]:
    """Every module of the installed-from-src package (a package's own name included)."""
    names = ["posecheck"]
    for info in pkgutil.walk_packages(posecheck.__path__, "posecheck."):
        names.append(info.name)
    return sorted(names)


def test_the_pure_modules_exist_and_are_not_adapters():
    names = set(all_modules())
    assert names >= set(PURE), sorted(set(PURE) - names)
    assert not set(PURE) & ADAPTERS
    assert names >= ADAPTERS, sorted(ADAPTERS - names)  # the allow-list names real modules


def test_only_adapters_import_cv2_mediapipe_or_av():
    pure = [n for n in all_modules() if n not in ADAPTERS | NOT_IMPORTABLE]
    assert len(pure) > len(PURE)
    code = _PROBE.format(heavy=HEAVY, names=pure)
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    r = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=REPO
    )
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert out["bad"] is None, f"importing {out['bad'][0]} loaded {out['bad'][1]}"
    assert out["imported"] == pure

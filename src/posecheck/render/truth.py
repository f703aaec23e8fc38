"""Read a render truth file (``clip.truth.json``). Pure Python + numpy."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from posecheck.errors import InputError


@dataclass
class Truth:
    """A rendered clip's ground truth: ``header`` (clip-level) and per-frame arrays."""

    header: dict[str, Any]
    t_s: np.ndarray  # (N,)
    points: np.ndarray  # (N, 33, 2) pixels, NaN outside the frame
    measures: dict[str, np.ndarray]  # name -> (N,), NaN when not measurable
    series: dict[str, list[Any]]

    @property
    def holds(self) -> list[dict[str, Any]]:
        return self.header["holds"]

    @property
    def reps(self) -> list[dict[str, Any]]:
        return self.header["reps"]

    def __len__(self) -> int:
        return len(self.t_s)


def truth_from_dict(data: dict[str, Any]) -> Truth:
    """A Truth from the JSON structure (``ClipRenderer.truth()`` or a loaded file)."""
    data = dict(data)
    series = data.pop("series")
    nan2 = [np.nan, np.nan]
    rows = [[c if c is not None else nan2 for c in fr] for fr in series["points"]]
    pts = np.array(rows, dtype=float).reshape(-1, 33, 2)
    meas = {
        k: np.array([np.nan if v is None else v for v in vals], dtype=float)
        for k, vals in series["measures"].items()
    }
    return Truth(data, np.array(series["t_s"], dtype=float), pts, meas, series)


def load_truth(path: str | Path) -> Truth:
    """Load ``clip.truth.json`` (or the truth beside ``clip.mp4``)."""
    p = Path(path)
    if p.suffix != ".json":
        p = p.with_name(p.stem + ".truth.json")
    try:
        data = json.loads(p.read_text())
    except (OSError, ValueError) as exc:
        raise InputError(
            f"cannot read truth file {p}: {exc}", "render it with posecheck render"
        ) from None
    if data.get("format") != "posecheck-render-truth":
        raise InputError(
            f"{p}: not a posecheck render truth file", "render it with posecheck render"
        )
    return truth_from_dict(data)


def engine_on_truth(
    exercise: Any, truth: Truth, side: str = "auto", results: list | None = None
) -> tuple[Any, list[str]]:
    """Run the engine on the exact drawn points: the reference for holds and reps.

    Returns the session summary and the per-frame tracking states; ``results``, when
    given, receives every frame's result and then the closing one. ``back_curvature``
    (a mask measure) is taken from the truth's ``back_bulge``; 3D measures
    (``knee_roll``...) from the truth's measures of the drawn figure's joints.
    """
    from posecheck.angles import EXTRA_MEASURES, compute_measures
    from posecheck.engine import Engine
    from posecheck.pose import LANDMARK_NAMES, Pose

    eng = Engine(exercise, side=side)
    w, h = truth.header["width"], truth.header["height"]
    bulge = truth.series.get("back_bulge") or [float("nan")] * len(truth)
    states = []
    # like MediaPipe, the far side is seen less well: the engine's auto side is the near one
    far = "left" if truth.header.get("near_side") == "right" else "right"
    side_vis = np.array([0.7 if n.startswith(far) else 1.0 for n in LANDMARK_NAMES])
    extra = {n: v for n, v in truth.measures.items() if n in EXTRA_MEASURES}
    for i, t in enumerate(truth.t_s):
        xy = truth.points[i]
        vis = np.isfinite(xy[:, 0]) * side_vis
        extras = {n: float(v[i]) for n, v in extra.items()}
        extras["back_curvature"] = float(bulge[i])
        pose = Pose(xy=np.nan_to_num(xy), visibility=vis, image_size=(w, h), extras=extras)
        r = eng.update(i, float(t), pose, compute_measures(pose, eng.measure_names))
        states.append(r.state)
        if results is not None:
            results.append(r)
    summary = eng.finish()
    if results is not None:
        results.append(eng.final_result)
    return summary, states

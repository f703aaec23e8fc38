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
    series = data.pop("series")
    nan2 = [np.nan, np.nan]
    rows = [[c if c is not None else nan2 for c in fr] for fr in series["points"]]
    pts = np.array(rows, dtype=float).reshape(-1, 33, 2)
    meas = {k: np.array([np.nan if v is None else v for v in vals], dtype=float)
            for k, vals in series["measures"].items()}  # fmt: skip
    return Truth(data, np.array(series["t_s"], dtype=float), pts, meas, series)

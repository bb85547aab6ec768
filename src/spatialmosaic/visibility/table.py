"""The visibility file of a scene (``spatialmosaic.visibility``): observations + overlap matrix.

Kept apart from the ray-casting code so that stages reading visibility (view sets, QA) do not
load the geometry engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from spatialmosaic.io import ArtefactError, read_json, write_json
from spatialmosaic.records import Observation

VISIBILITY_FORMAT = "spatialmosaic.visibility"
VISIBILITY_FORMAT_VERSION = 2  # 2: bbox_2d_amodal, camera_distance_m


@dataclass(frozen=True)
class SceneVisibility:
    scene_name: str
    frames: tuple[str, ...]
    observations: tuple[Observation, ...]
    overlap_iou: np.ndarray  # [F, F], frames in ``frames`` order
    min_visible_pixels: int


def write_visibility(dest: Path, visibility: SceneVisibility, meta: dict) -> None:
    write_json(
        dest,
        {
            "format": VISIBILITY_FORMAT,
            "format_version": VISIBILITY_FORMAT_VERSION,
            "scene_name": visibility.scene_name,
            "frames": list(visibility.frames),
            "min_visible_pixels": visibility.min_visible_pixels,
            "observations": [obs.to_json() for obs in visibility.observations],
            "overlap_iou": np.round(visibility.overlap_iou, 6).tolist(),
            "meta": meta,
        },
    )


def read_visibility(path: Path) -> SceneVisibility:
    payload = read_json(path, kind=VISIBILITY_FORMAT)
    if payload.get("format_version") != VISIBILITY_FORMAT_VERSION:
        raise ArtefactError(
            f"{path}: format_version {payload.get('format_version')}, this code reads "
            f"{VISIBILITY_FORMAT_VERSION}; rerun the visibility stage"
        )
    frames = tuple(payload["frames"])
    iou = np.asarray(payload["overlap_iou"], dtype=np.float64)
    if iou.shape != (len(frames), len(frames)):
        raise ArtefactError(
            f"{path}: overlap_iou is {iou.shape}, expected {len(frames)}x{len(frames)}"
        )
    return SceneVisibility(
        scene_name=payload["scene_name"],
        frames=frames,
        observations=tuple(Observation.from_json(item) for item in payload["observations"]),
        overlap_iou=iou,
        min_visible_pixels=int(payload["min_visible_pixels"]),
    )

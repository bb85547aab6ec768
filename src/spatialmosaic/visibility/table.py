"""The visibility file of a scene (``spatialmosaic.visibility``): observations + overlap matrix.

Kept apart from the ray-casting code so that stages reading visibility (view sets, QA) do not
load the geometry engine.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from spatialmosaic.io import ArtefactError, read_json, read_npz, write_json, write_npz
from spatialmosaic.records import Observation

VISIBILITY_FORMAT = "spatialmosaic.visibility"
POINTS_FORMAT = "spatialmosaic.visible_points"
VISIBILITY_FORMAT_VERSION = 2  # 2: bbox_2d_amodal, camera_distance_m, voxels_visible


@dataclass(frozen=True)
class SceneVisibility:
    scene_name: str
    frames: tuple[str, ...]
    observations: tuple[Observation, ...]
    overlap_iou: np.ndarray  # [F, F], frames in ``frames`` order
    min_visible_pixels: int


@dataclass(frozen=True)
class VisiblePoints:
    """Per (frame, instance): the sorted unique voxel keys of the object's visible surface points
    (voxel size ``voxel_m``); a key packs the voxel's x, y, z indices, 15 bits each. The overlap
    of two views is the IoU of the unions of their objects' keys."""

    scene_name: str
    voxel_m: float
    object_voxels: dict[tuple[str, int], np.ndarray]


def write_points(dest: Path, points: VisiblePoints, meta: dict) -> None:
    pairs = sorted(points.object_voxels)
    lengths = [len(points.object_voxels[pair]) for pair in pairs]
    header = {
        "format": POINTS_FORMAT,
        "format_version": VISIBILITY_FORMAT_VERSION,
        "scene_name": points.scene_name,
        "voxel_m": points.voxel_m,
        "meta": meta,
    }
    write_npz(
        dest,
        {
            "header": np.array(json.dumps(header, sort_keys=True)),
            "frame_id": np.array([frame for frame, _ in pairs], dtype=str),
            "instance_id": np.array([instance for _, instance in pairs], dtype=np.int64),
            "offsets": np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64),
            "voxel_keys": (
                np.concatenate([points.object_voxels[pair] for pair in pairs])
                if pairs
                else np.empty(0, dtype=np.int64)
            ),
        },
    )


def read_points(path: Path) -> VisiblePoints:
    arrays = read_npz(path)
    try:
        header = json.loads(str(arrays["header"]))
        offsets, keys = arrays["offsets"], arrays["voxel_keys"]
        frames, instances = arrays["frame_id"], arrays["instance_id"]
    except (KeyError, json.JSONDecodeError) as error:
        raise ArtefactError(f"{path}: not a visible-points file ({error})") from None
    if header.get("format") != POINTS_FORMAT or len(offsets) != len(frames) + 1:
        raise ArtefactError(f"{path}: not a '{POINTS_FORMAT}' file, or its arrays disagree")
    object_voxels = {
        (str(frame), int(instance)): keys[offsets[k] : offsets[k + 1]]
        for k, (frame, instance) in enumerate(zip(frames, instances, strict=True))
    }
    return VisiblePoints(header["scene_name"], float(header["voxel_m"]), object_voxels)


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

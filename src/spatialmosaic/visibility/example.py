"""One example view with its instance buffer and amodal masks, for the visibility figure.

The figure stage only plots; this module does the geometry: it picks the view of a scene with
the most partly hidden objects and stores, per observed object, its visible mask (from the
instance buffer) and its amodal in-image mask (the object-alone pass of the annotation).
File: ``spatialmosaic.visibility_example`` (``.npz``, arrays listed in :func:`write_example`).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from PIL import Image

from spatialmosaic.io import read_png16, write_npz
from spatialmosaic.records import CameraFrame
from spatialmosaic.scene_io import Scene
from spatialmosaic.visibility.observe import SceneAnnotator
from spatialmosaic.visibility.table import SceneVisibility

EXAMPLE_FORMAT = "spatialmosaic.visibility_example"
PARTLY_HIDDEN = (0.1, 0.9)  # occlusions that make an object interesting to show


def pick_example_frame(visibility: SceneVisibility) -> str:
    """The frame with the most visible objects partly hidden by others (occlusion in
    PARTLY_HIDDEN): the view that shows amodal masks best."""
    lo, hi = PARTLY_HIDDEN
    score = {frame: 0 for frame in visibility.frames}
    for obs in visibility.observations:
        if obs.visible and obs.occlusion is not None and lo < obs.occlusion < hi:
            score[obs.frame_id] += 1
    return max(visibility.frames, key=lambda frame: score[frame])  # first frame wins ties


def write_example(
    dest: Path,
    scene: Scene,
    cameras: list[CameraFrame],
    render_dir: Path,
    visibility: SceneVisibility,
    backend: str,
    meta: dict,
) -> None:
    frame_id = pick_example_frame(visibility)
    camera = next(camera for camera in cameras if camera.frame_id == frame_id)
    instance = read_png16(render_dir / "instance" / f"{frame_id}.png")
    rgb = np.asarray(Image.open(render_dir / "images" / f"{frame_id}.jpg").convert("RGB"))
    annotator = SceneAnnotator(scene, visibility.min_visible_pixels, 1.0, backend)
    observed = [obs for obs in visibility.observations if obs.frame_id == frame_id and obs.visible]
    amodal = [annotator.silhouette_in_image(camera, instance, obs.instance_id) for obs in observed]
    categories = {obj.instance_id: obj.category for obj in scene.objects}
    empty = np.zeros((0, *instance.shape), dtype=bool)
    arrays = {
        "rgb": rgb,
        "instance": instance,
        "instance_ids": np.array([obs.instance_id for obs in observed], dtype=np.int64),
        "occlusion": np.array([obs.occlusion for obs in observed], dtype=np.float64),
        "truncation": np.array([obs.truncation for obs in observed], dtype=np.float64),
        "amodal_masks": np.stack(amodal) if amodal else empty,
        "visible_masks": (
            np.stack([instance == obs.instance_id for obs in observed]) if observed else empty
        ),
        "categories": np.array([categories[obs.instance_id] for obs in observed], dtype=str),
        "header": np.array(
            json.dumps(
                {"format": EXAMPLE_FORMAT, "scene_name": scene.name, "frame_id": frame_id, **meta},
                sort_keys=True,
            )
        ),
    }
    write_npz(dest, arrays)

"""The project's scene format: ``scene.json`` (objects, metadata) + ``mesh.ply`` (geometry).

``mesh.ply`` is binary little-endian PLY with float32 vertices (world frame, metres, Z up) and
per-face ``instance_id`` (uint16, matching ``scene.json``) and ``red green blue`` (uint8 diffuse
colour). Every stage after acquisition reads scenes through :func:`read_scene`, whatever the
source (built-in rooms, ScanNet++, ScanNet).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from spatialmosaic.io import ArtefactError, read_json, write_json
from spatialmosaic.ply import read_ply, write_triangle_mesh_ply
from spatialmosaic.records import CameraFrame, Dataset, SceneObject

SCENE_FORMAT = "spatialmosaic.scene"
SCENE_FORMAT_VERSION = 1
CAMERAS_FORMAT = "spatialmosaic.cameras"


@dataclass(frozen=True)
class Scene:
    """A scene in memory; ``face_instance`` [M] uint16 and ``face_rgb`` [M, 3] uint8 per face."""

    name: str
    objects: tuple[SceneObject, ...]
    vertices_world_m: np.ndarray
    triangles: np.ndarray
    face_instance: np.ndarray
    face_rgb: np.ndarray
    info: dict[str, Any]

    def object_by_id(self) -> dict[int, SceneObject]:
        return {obj.instance_id: obj for obj in self.objects}

    @classmethod
    def from_parts(
        cls,
        name: str,
        parts: list[tuple[int, str, bool, tuple[np.ndarray, np.ndarray]]],
        grey: int = 200,
    ) -> Scene:
        """A uniformly grey scene from (instance_id, category, structural, (vertices,
        triangles)) parts, each object's box taken from its vertices (tests, benchmarks)."""
        vertices, triangles, face_instance, objects = [], [], [], []
        offset = 0
        for instance_id, category, structural, (part_vertices, part_triangles) in parts:
            vertices.append(np.asarray(part_vertices, dtype=np.float64))
            triangles.append(np.asarray(part_triangles) + offset)
            face_instance.append(np.full(len(part_triangles), instance_id, dtype=np.uint16))
            offset += len(part_vertices)
            lo = tuple(float(x) for x in vertices[-1].min(axis=0))
            hi = tuple(float(x) for x in vertices[-1].max(axis=0))
            objects.append(SceneObject(instance_id, category, structural, lo, hi))
        n_faces = sum(len(t) for t in triangles)
        return cls(
            name=name,
            objects=tuple(objects),
            vertices_world_m=np.concatenate(vertices),
            triangles=np.concatenate(triangles),
            face_instance=np.concatenate(face_instance),
            face_rgb=np.full((n_faces, 3), grey, dtype=np.uint8),
            info={},
        )


def write_scene(scene_json: Path, mesh_ply: Path, scene: Scene, meta: dict[str, Any]) -> None:
    write_triangle_mesh_ply(
        mesh_ply,
        scene.vertices_world_m.astype(np.float32),
        scene.triangles.astype(np.int32),
        {
            "instance_id": scene.face_instance.astype(np.uint16),
            "red": scene.face_rgb[:, 0].astype(np.uint8),
            "green": scene.face_rgb[:, 1].astype(np.uint8),
            "blue": scene.face_rgb[:, 2].astype(np.uint8),
        },
        comment=f"spatialmosaic scene {scene.name}",
    )
    write_json(
        scene_json,
        {
            "format": SCENE_FORMAT,
            "format_version": SCENE_FORMAT_VERSION,
            "scene_name": scene.name,
            "info": scene.info,
            "objects": [obj.to_json() for obj in scene.objects],
            "meta": meta,
        },
    )


def read_scene(scene_json: Path | str, mesh_ply: Path | str) -> Scene:
    """Read a scene; mesh and object list must agree (every face id is a listed object)."""
    payload = read_json(scene_json, kind=SCENE_FORMAT)
    objects = tuple(SceneObject.from_json(item) for item in payload["objects"])
    ply = read_ply(mesh_ply)
    if "vertex" not in ply or "face" not in ply:
        raise ArtefactError(f"{mesh_ply}: PLY needs 'vertex' and 'face' elements")
    vertex, face = ply["vertex"], ply["face"]
    vertices = np.stack([vertex["x"], vertex["y"], vertex["z"]], axis=1).astype(np.float64)
    triangles = np.asarray(face["vertex_indices"], dtype=np.int64)
    if triangles.ndim != 2 or triangles.shape[1] != 3:
        raise ArtefactError(f"{mesh_ply}: faces must be triangles")
    if len(triangles) and (triangles.min() < 0 or triangles.max() >= len(vertices)):
        raise ArtefactError(f"{mesh_ply}: face index out of range for {len(vertices)} vertices")
    face_instance = np.asarray(face["instance_id"], dtype=np.uint16)
    unknown = set(np.unique(face_instance).tolist()) - {obj.instance_id for obj in objects}
    if unknown:
        raise ArtefactError(
            f"{mesh_ply}: faces carry instance ids {sorted(unknown)[:5]} "
            f"that {scene_json} does not list"
        )
    face_rgb = np.stack([face["red"], face["green"], face["blue"]], axis=1).astype(np.uint8)
    return Scene(
        name=payload["scene_name"],
        objects=objects,
        vertices_world_m=vertices,
        triangles=triangles,
        face_instance=face_instance,
        face_rgb=face_rgb,
        info=payload.get("info", {}),
    )


# ``info.source`` of a scene -> the dataset its records belong to (built-in scenes are ours).
SOURCE_DATASETS = {"waymo_open_dataset_v2": Dataset.WAYMO}


def read_scene_objects(
    scene_json: Path | str,
) -> tuple[str, tuple[SceneObject, ...], Dataset]:
    """Scene name, objects and source dataset, without loading the mesh (for stages that need
    no geometry)."""
    payload = read_json(scene_json, kind=SCENE_FORMAT)
    objects = tuple(SceneObject.from_json(item) for item in payload["objects"])
    dataset = SOURCE_DATASETS.get(payload["info"].get("source"), Dataset.OURS)
    return payload["scene_name"], objects, dataset


def write_cameras(dest: Path, scene_name: str, cameras: list[CameraFrame], meta: dict) -> None:
    write_json(
        dest,
        {
            "format": CAMERAS_FORMAT,
            "format_version": 1,
            "scene_name": scene_name,
            "frames": [c.to_json() for c in cameras],
            "meta": meta,
        },
    )


def read_cameras(path: Path) -> list[CameraFrame]:
    payload = read_json(path, kind=CAMERAS_FORMAT)
    try:
        return [CameraFrame.from_json(item) for item in payload["frames"]]
    except (KeyError, ValueError) as error:
        raise ArtefactError(f"{path}: bad camera ({error})") from None

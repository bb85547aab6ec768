"""The project's scene format: ``scene.json`` (objects, metadata) + ``mesh.ply`` (geometry).

``mesh.ply`` is binary little-endian PLY with float32 vertices (world frame, metres, Z up) and
per-face ``instance_id`` (uint16, matching ``scene.json``) and ``red green blue`` (uint8 diffuse
colour). Every stage after acquisition reads scenes through :func:`read_scene`, whatever the
source (built-in rooms, ScanNet++, ScanNet).

Format version 2 adds optional textures (``scene.json`` ``"textures"``: how many). Then faces
also carry ``texture_id`` (int16, -1: untextured, the face colour is its albedo) and
``texcoord`` (6 float32: u, v of the three corners; OBJ convention, v up from the image's
bottom row, repeating outside 0..1), and two more PLY elements hold the images: ``texture``
(``width height`` per image) and ``texel`` (``red green blue``: every image's pixels in turn,
row-major from the top row). Version 1 files (no textures) are still read.
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
SCENE_FORMAT_VERSION = 2
READABLE_SCENE_VERSIONS = (1, 2)
CAMERAS_FORMAT = "spatialmosaic.cameras"


@dataclass(frozen=True)
class Scene:
    """A scene in memory; ``face_instance`` [M] uint16 and ``face_rgb`` [M, 3] uint8 per face.

    Optional textures: ``textures`` holds [H, W, 3] uint8 albedo images, ``face_texture`` [M]
    int16 the image of each face (-1: none, ``face_rgb`` is the albedo) and ``face_uv``
    [M, 3, 2] float32 the texture coordinates of its corners (see the module docstring).
    ``face_rgb`` of a textured face is its image's mean colour, for consumers without textures.
    """

    name: str
    objects: tuple[SceneObject, ...]
    vertices_world_m: np.ndarray
    triangles: np.ndarray
    face_instance: np.ndarray
    face_rgb: np.ndarray
    info: dict[str, Any]
    textures: tuple[np.ndarray, ...] = ()
    face_texture: np.ndarray | None = None
    face_uv: np.ndarray | None = None

    def __post_init__(self) -> None:
        if not self.textures:
            if self.face_texture is not None or self.face_uv is not None:
                raise ValueError(f"scene {self.name}: face textures given but no texture images")
            return
        n_faces = len(self.triangles)
        if self.face_texture is None or self.face_texture.shape != (n_faces,):
            shape = None if self.face_texture is None else self.face_texture.shape
            raise ValueError(f"scene {self.name}: face_texture shape {shape}; need ({n_faces},)")
        if self.face_uv is None or self.face_uv.shape != (n_faces, 3, 2):
            shape = None if self.face_uv is None else self.face_uv.shape
            raise ValueError(f"scene {self.name}: face_uv shape {shape}; need ({n_faces}, 3, 2)")
        low, high = int(self.face_texture.min()), int(self.face_texture.max())
        if low < -1 or high >= len(self.textures):
            raise ValueError(
                f"scene {self.name}: face_texture spans {low}..{high}; "
                f"need -1..{len(self.textures) - 1}"
            )
        for index, image in enumerate(self.textures):
            if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8 or not image.size:
                raise ValueError(
                    f"scene {self.name}: texture {index} is {image.dtype} {image.shape}; "
                    "need [H, W, 3] uint8"
                )

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
    face_fields = {
        "instance_id": scene.face_instance.astype(np.uint16),
        "red": scene.face_rgb[:, 0].astype(np.uint8),
        "green": scene.face_rgb[:, 1].astype(np.uint8),
        "blue": scene.face_rgb[:, 2].astype(np.uint8),
    }
    extra_elements = None
    if scene.textures:
        face_fields["texture_id"] = scene.face_texture.astype(np.int16)
        face_fields["texcoord"] = scene.face_uv.reshape(-1, 6).astype(np.float32)
        texels = np.concatenate([image.reshape(-1, 3) for image in scene.textures])
        extra_elements = {
            "texture": {
                "width": np.array([image.shape[1] for image in scene.textures], np.uint32),
                "height": np.array([image.shape[0] for image in scene.textures], np.uint32),
            },
            "texel": {key: texels[:, axis] for axis, key in enumerate(("red", "green", "blue"))},
        }
    write_triangle_mesh_ply(
        mesh_ply,
        scene.vertices_world_m.astype(np.float32),
        scene.triangles.astype(np.int32),
        face_fields,
        comment=f"spatialmosaic scene {scene.name}",
        extra_elements=extra_elements,
    )
    write_json(
        scene_json,
        {
            "format": SCENE_FORMAT,
            "format_version": SCENE_FORMAT_VERSION,
            "scene_name": scene.name,
            "info": scene.info,
            "textures": len(scene.textures),
            "objects": [obj.to_json() for obj in scene.objects],
            "meta": meta,
        },
    )


def read_scene_payload(scene_json: Path | str) -> dict[str, Any]:
    """``scene.json`` as a dict, after checking its format tag and version."""
    payload = read_json(scene_json, kind=SCENE_FORMAT)
    version = payload.get("format_version")
    if version not in READABLE_SCENE_VERSIONS:
        raise ArtefactError(
            f"{scene_json}: format_version={version!r}; this reader knows "
            f"{list(READABLE_SCENE_VERSIONS)} (rebuild the scene)"
        )
    return payload


def _read_textures(
    ply: dict[str, np.ndarray], mesh_ply: Path | str, expected: int
) -> tuple[tuple[np.ndarray, ...], np.ndarray | None, np.ndarray | None]:
    """The texture images and per-face texture ids and UVs of a version-2 mesh."""
    face = ply["face"]
    names = face.dtype.names or ()
    if expected == 0:
        if "texture" in ply or "texture_id" in names:
            raise ArtefactError(f"{mesh_ply}: has textures that its scene.json does not declare")
        return (), None, None
    if "texture" not in ply or "texel" not in ply or "texture_id" not in names:
        raise ArtefactError(f"{mesh_ply}: scene.json declares {expected} textures; PLY has none")
    if "texcoord" not in names or face["texcoord"].shape[1:] != (6,):
        raise ArtefactError(f"{mesh_ply}: faces need a 'texcoord' list of 6 floats")
    sizes = np.stack([ply["texture"]["height"], ply["texture"]["width"]], axis=1).astype(np.int64)
    texel = ply["texel"]
    rgb = np.stack([texel["red"], texel["green"], texel["blue"]], axis=1).astype(np.uint8)
    ends = np.cumsum(sizes[:, 0] * sizes[:, 1])
    if len(sizes) != expected or (ends[-1] if len(ends) else 0) != len(rgb):
        raise ArtefactError(
            f"{mesh_ply}: {len(sizes)} textures with {int(ends[-1]) if len(ends) else 0} texels "
            f"for {len(rgb)} stored; scene.json declares {expected} textures"
        )
    starts = ends - sizes[:, 0] * sizes[:, 1]
    images = tuple(
        rgb[start:end].reshape(int(h), int(w), 3)
        for (h, w), start, end in zip(sizes, starts, ends, strict=True)
    )
    face_texture = np.asarray(face["texture_id"], dtype=np.int16)
    if face_texture.min() < -1 or face_texture.max() >= expected:
        raise ArtefactError(
            f"{mesh_ply}: texture_id spans {face_texture.min()}..{face_texture.max()}; "
            f"need -1..{expected - 1}"
        )
    face_uv = np.asarray(face["texcoord"], dtype=np.float32).reshape(-1, 3, 2)
    return images, face_texture, face_uv


def read_scene(scene_json: Path | str, mesh_ply: Path | str) -> Scene:
    """Read a scene; mesh and object list must agree (every face id is a listed object)."""
    payload = read_scene_payload(scene_json)
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
    textures, face_texture, face_uv = _read_textures(ply, mesh_ply, payload.get("textures", 0))
    return Scene(
        name=payload["scene_name"],
        objects=objects,
        vertices_world_m=vertices,
        triangles=triangles,
        face_instance=face_instance,
        face_rgb=face_rgb,
        info=payload.get("info", {}),
        textures=textures,
        face_texture=face_texture,
        face_uv=face_uv,
    )


# ``info.source`` of a scene -> the dataset its records belong to (built-in scenes are ours).
SOURCE_DATASETS = {
    "waymo_open_dataset_v2": Dataset.WAYMO,
    "scannetpp": Dataset.SCANNETPP,
    "scannet": Dataset.SCANNET,
}


def read_scene_objects(
    scene_json: Path | str,
) -> tuple[str, tuple[SceneObject, ...], Dataset]:
    """Scene name, objects and source dataset, without loading the mesh (for stages that need
    no geometry)."""
    payload = read_scene_payload(scene_json)
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

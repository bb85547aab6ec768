"""Mesh pieces every scene source shares: boxes, and the assembly of parts into a :class:`Scene`.

Built-in rooms, street scenes and dataset loaders (Waymo boxes) all build scenes from parts
(instance id, category, triangles, colour); the assembler numbers the vertices, takes each
object's axis-aligned box from its own vertices and keeps the per-face arrays aligned.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from spatialmosaic.records import SceneObject
from spatialmosaic.scene_io import Scene
from spatialmosaic.scenes.materials import TextureImage

_BOX_QUADS = ((0, 2, 3, 1), (4, 5, 7, 6), (0, 1, 5, 4), (2, 6, 7, 3), (0, 4, 6, 2), (1, 3, 7, 5))


def box_mesh(lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Axis-aligned box as 8 vertices and 12 outward-wound triangles."""
    corners = np.array(
        [[x, y, z] for z in (lo[2], hi[2]) for y in (lo[1], hi[1]) for x in (lo[0], hi[0])],
        dtype=np.float64,
    )
    triangles = [[a, b, c] for a, b, c, d in _BOX_QUADS] + [[a, c, d] for a, b, c, d in _BOX_QUADS]
    return corners, np.array(triangles, dtype=np.int64)


def oriented_box_mesh(
    centre_m: np.ndarray, size_m: np.ndarray, heading_rad: float
) -> tuple[np.ndarray, np.ndarray]:
    """Box of ``size_m`` (length along its heading, width, height) centred on ``centre_m``,
    turned by ``heading_rad`` about +Z (Waymo's box convention)."""
    half = np.asarray(size_m, dtype=np.float64) / 2
    corners, triangles = box_mesh(-half, half)
    c, s = np.cos(heading_rad), np.sin(heading_rad)
    rotation = np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])
    return corners @ rotation.T + np.asarray(centre_m, dtype=np.float64), triangles


@dataclass(frozen=True, eq=False)
class FaceTextures:
    """Textures of one mesh: ``face_uv`` [M, 3, 2] corner UVs, ``face_image`` [M] index into
    ``images`` (-1: untextured), in the scene format's conventions (``scene_io``)."""

    face_uv: np.ndarray
    face_image: np.ndarray
    images: tuple[TextureImage, ...]


class SceneAssembler:
    """Collects parts; one call to :meth:`add` per object, several meshes per object allowed.

    Texture images are stored once per ``TextureImage.key``, however many objects use them.
    """

    def __init__(self) -> None:
        self._vertices: list[np.ndarray] = []
        self._triangles: list[np.ndarray] = []
        self._face_instance: list[np.ndarray] = []
        self._face_rgb: list[np.ndarray] = []
        self._face_uv: list[np.ndarray] = []
        self._face_texture: list[np.ndarray] = []
        self._images: dict[str, tuple[int, TextureImage]] = {}
        self._objects: list[SceneObject] = []
        self._offset = 0

    @property
    def next_instance_id(self) -> int:
        return len(self._objects) + 1

    @property
    def objects(self) -> tuple[SceneObject, ...]:
        return tuple(self._objects)

    def add(
        self,
        category: str,
        structural: bool,
        meshes: list[tuple],
        source: dict[str, str],
    ) -> int:
        """Add one object from (vertices, triangles, rgb per face or one rgb) meshes, each
        optionally with a fourth element, its :class:`FaceTextures`; returns the object's
        instance id (numbered from 1 in the order added)."""
        instance_id = self.next_instance_id
        object_vertices = []
        for vertices, triangles, rgb, *textured in meshes:
            vertices = np.asarray(vertices, dtype=np.float64)
            triangles = np.asarray(triangles, dtype=np.int64)
            self._vertices.append(vertices)
            self._triangles.append(triangles + self._offset)
            self._face_instance.append(np.full(len(triangles), instance_id, dtype=np.uint16))
            self._face_rgb.append(
                np.broadcast_to(np.asarray(rgb, dtype=np.uint8), (len(triangles), 3))
            )
            self._add_textures(len(triangles), textured[0] if textured else None)
            self._offset += len(vertices)
            object_vertices.append(vertices)
        stacked = np.concatenate(object_vertices)
        lo, hi = stacked.min(axis=0), stacked.max(axis=0)
        self._objects.append(
            SceneObject(
                instance_id,
                category,
                structural,
                tuple(map(float, lo)),
                tuple(map(float, hi)),
                source,
            )
        )
        return instance_id

    def _add_textures(self, n_faces: int, textured: FaceTextures | None) -> None:
        if textured is None:
            self._face_uv.append(np.zeros((n_faces, 3, 2), np.float32))
            self._face_texture.append(np.full(n_faces, -1, np.int16))
            return
        indices = [
            self._images.setdefault(image.key, (len(self._images), image))[0]
            for image in textured.images
        ]
        scene_index = np.array([*indices, -1], dtype=np.int16)  # index -1 maps to -1
        self._face_uv.append(np.asarray(textured.face_uv, np.float32).reshape(n_faces, 3, 2))
        self._face_texture.append(scene_index[np.asarray(textured.face_image)])  # -1 stays -1

    def build(self, name: str, info: dict[str, Any]) -> Scene:
        if not self._objects:
            raise ValueError(f"scene {name}: no objects")
        textures: dict[str, Any] = {}
        if self._images:
            images = sorted(self._images.values(), key=lambda entry: entry[0])
            textures = {
                "textures": tuple(image.rgb for _, image in images),
                "face_texture": np.concatenate(self._face_texture),
                "face_uv": np.concatenate(self._face_uv),
            }
        return Scene(
            name=name,
            objects=tuple(self._objects),
            vertices_world_m=np.concatenate(self._vertices),
            triangles=np.concatenate(self._triangles),
            face_instance=np.concatenate(self._face_instance),
            face_rgb=np.concatenate(self._face_rgb).astype(np.uint8),
            info=info,
            **textures,
        )

"""Mesh pieces every scene source shares: boxes, and the assembly of parts into a :class:`Scene`.

Built-in rooms, street scenes and dataset loaders (Waymo boxes) all build scenes from parts
(instance id, category, triangles, colour); the assembler numbers the vertices, takes each
object's axis-aligned box from its own vertices and keeps the per-face arrays aligned.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from spatialmosaic.records import SceneObject
from spatialmosaic.scene_io import Scene

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


class SceneAssembler:
    """Collects parts; one call to :meth:`add` per object, several meshes per object allowed."""

    def __init__(self) -> None:
        self._vertices: list[np.ndarray] = []
        self._triangles: list[np.ndarray] = []
        self._face_instance: list[np.ndarray] = []
        self._face_rgb: list[np.ndarray] = []
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
        meshes: list[tuple[np.ndarray, np.ndarray, np.ndarray]],
        source: dict[str, str],
    ) -> int:
        """Add one object from (vertices, triangles, rgb per face or one rgb) meshes; returns
        its instance id (numbered from 1 in the order added)."""
        instance_id = self.next_instance_id
        object_vertices = []
        for vertices, triangles, rgb in meshes:
            vertices = np.asarray(vertices, dtype=np.float64)
            triangles = np.asarray(triangles, dtype=np.int64)
            self._vertices.append(vertices)
            self._triangles.append(triangles + self._offset)
            self._face_instance.append(np.full(len(triangles), instance_id, dtype=np.uint16))
            self._face_rgb.append(
                np.broadcast_to(np.asarray(rgb, dtype=np.uint8), (len(triangles), 3))
            )
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

    def build(self, name: str, info: dict[str, Any]) -> Scene:
        if not self._objects:
            raise ValueError(f"scene {name}: no objects")
        return Scene(
            name=name,
            objects=tuple(self._objects),
            vertices_world_m=np.concatenate(self._vertices),
            triangles=np.concatenate(self._triangles),
            face_instance=np.concatenate(self._face_instance),
            face_rgb=np.concatenate(self._face_rgb).astype(np.uint8),
            info=info,
        )

"""Ray casting through pinhole cameras: exact first-hit instance ids and planar depth.

Backed by Open3D's ``RaycastingScene`` (Embree BVH, CPU). Rays go through pixel centres
(u + 0.5, v + 0.5) and their directions have unit camera-z, so the hit distance ``t`` equals
the planar z-depth in metres (SPEC §8).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import open3d as o3d

from spatialmosaic.records import CameraFrame

NO_HIT = np.uint32(0xFFFFFFFF)  # Open3D's invalid primitive id
RAY_BATCH = 1 << 20  # rays per cast call: bounds memory on large images and meshes


def intrinsics(camera: CameraFrame) -> np.ndarray:
    return np.asarray(camera.K_px, dtype=np.float64)


def pose(camera: CameraFrame) -> np.ndarray:
    return np.asarray(camera.T_world_cam, dtype=np.float64)


def pixel_rays(camera: CameraFrame, us: np.ndarray, vs: np.ndarray) -> np.ndarray:
    """Rays [N, 6] (origin, direction) in the world frame through pixel centres (us, vs).

    ``us``/``vs`` are integer pixel indices and may lie outside the image (amodal passes).
    """
    K_px, T_world_cam = intrinsics(camera), pose(camera)
    x_cam = (us + 0.5 - K_px[0, 2]) / K_px[0, 0]
    y_cam = (vs + 0.5 - K_px[1, 2]) / K_px[1, 1]
    dirs_cam = np.stack([x_cam, y_cam, np.ones_like(x_cam)], axis=-1)
    dirs_world = dirs_cam @ T_world_cam[:3, :3].T
    origins = np.broadcast_to(T_world_cam[:3, 3], dirs_world.shape)
    return np.concatenate([origins, dirs_world], axis=-1).astype(np.float32)


def image_pixels(camera: CameraFrame) -> tuple[np.ndarray, np.ndarray]:
    vs, us = np.mgrid[0 : camera.height, 0 : camera.width]
    return us.ravel(), vs.ravel()


@dataclass(frozen=True)
class Hits:
    """Per ray: hit distance (= planar depth, inf when missed) and triangle index (-1 missed)."""

    depth_z_m: np.ndarray
    triangle: np.ndarray
    normal_world: np.ndarray


class TriangleRaycaster:
    """A BVH over one triangle soup; cast any batch of rays against it."""

    def __init__(self, vertices_m: np.ndarray, triangles: np.ndarray) -> None:
        if len(triangles) == 0:
            raise ValueError("cannot ray cast an empty mesh")
        self._scene = o3d.t.geometry.RaycastingScene()
        self._scene.add_triangles(
            o3d.core.Tensor(np.ascontiguousarray(vertices_m, dtype=np.float32)),
            o3d.core.Tensor(np.ascontiguousarray(triangles, dtype=np.uint32)),
        )

    def cast(self, rays: np.ndarray) -> Hits:
        depth, triangle, normal = [], [], []
        for start in range(0, len(rays), RAY_BATCH):
            batch = o3d.core.Tensor(np.ascontiguousarray(rays[start : start + RAY_BATCH]))
            result = self._scene.cast_rays(batch)
            ids = result["primitive_ids"].numpy()
            depth.append(result["t_hit"].numpy())
            triangle.append(np.where(ids == NO_HIT, -1, ids.astype(np.int64)))
            normal.append(result["primitive_normals"].numpy())
        if not depth:
            return Hits(
                np.empty(0, np.float32), np.empty(0, np.int64), np.empty((0, 3), np.float32)
            )
        return Hits(np.concatenate(depth), np.concatenate(triangle), np.concatenate(normal))

    def hit_mask(self, rays: np.ndarray) -> np.ndarray:
        """Boolean per ray: does it hit anything (used for object-alone silhouettes)?"""
        return self.cast(rays).triangle >= 0

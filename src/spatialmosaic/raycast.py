"""Ray casting through pinhole cameras: exact first-hit triangles and planar depth.

Two backends behind one interface, chosen by ``visibility.backend``:

- ``cpu``: Open3D's ``RaycastingScene`` (Embree BVH);
- ``cuda``: NVIDIA Warp's BVH on a CUDA device (``warp-cpu`` runs the same kernels on the CPU,
  which is how the tests check them on machines without a GPU);
- ``auto``: ``cuda`` when a CUDA device is visible, else ``cpu``.

Rays go through pixel centres (u + 0.5, v + 0.5) and their directions have unit camera-z, so
the hit distance equals the planar z-depth in metres (SPEC §8). Only hits at t > 0 count.
Both backends work in float32; they agree on every hit except rays that graze a triangle edge
within float rounding (see ``tests/test_raycast.py`` for the measured agreement).
"""

from __future__ import annotations

import ctypes.util
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from spatialmosaic.config import ConfigError
from spatialmosaic.records import CameraFrame

BACKENDS = ("auto", "cpu", "cuda", "warp-cpu")
RAY_BATCH = 1 << 20  # rays per cast call: bounds memory on large images, windows and meshes


def intrinsics(camera: CameraFrame) -> np.ndarray:
    return np.asarray(camera.K_px, dtype=np.float64)


def pose(camera: CameraFrame) -> np.ndarray:
    return np.asarray(camera.T_world_cam, dtype=np.float64)


def image_pixels(camera: CameraFrame) -> tuple[np.ndarray, np.ndarray]:
    """Column and row index of every pixel, row-major (int32)."""
    vs, us = np.divmod(np.arange(camera.width * camera.height, dtype=np.int32), camera.width)
    return us, vs


def pixel_directions(camera: CameraFrame, us: np.ndarray, vs: np.ndarray) -> np.ndarray:
    """World-frame directions [N, 3] float32 of rays through pixel centres (unit camera-z).

    ``us``/``vs`` are integer pixel indices and may lie outside the image (amodal passes).
    """
    return _directions_into(np.empty((len(us), 3), dtype=np.float32), camera, us, vs)


def _directions_into(out: np.ndarray, camera: CameraFrame, us: np.ndarray, vs: np.ndarray):
    K_px, rotation = intrinsics(camera).astype(np.float32), pose(camera)[:3, :3].astype(np.float32)
    x_cam = (us.astype(np.float32) + np.float32(0.5) - K_px[0, 2]) / K_px[0, 0]
    y_cam = (vs.astype(np.float32) + np.float32(0.5) - K_px[1, 2]) / K_px[1, 1]
    for axis in range(3):
        out[:, axis] = rotation[axis, 0] * x_cam + rotation[axis, 1] * y_cam + rotation[axis, 2]
    return out


def camera_centre(camera: CameraFrame) -> np.ndarray:
    return pose(camera)[:3, 3]


@dataclass(frozen=True)
class Hits:
    """Per ray: hit distance (= planar depth, inf when missed), triangle index (-1 when missed),
    the unit normal of the hit triangle (by its winding order; zero when missed) and the hit's
    barycentric coordinates ``barycentric_uv`` [N, 2] float32 in Open3D's convention: the hit
    point is ``(1 - u - v) * a + u * b + v * c`` for the triangle's corners (a, b, c); zero when
    missed."""

    depth_z_m: np.ndarray
    triangle: np.ndarray
    normal_world: np.ndarray
    barycentric_uv: np.ndarray

    @staticmethod
    def concatenate(parts: list[Hits]) -> Hits:
        if len(parts) == 1:
            return parts[0]
        if not parts:
            return Hits(
                np.empty(0, np.float32),
                np.empty(0, np.int64),
                np.empty((0, 3), np.float32),
                np.empty((0, 2), np.float32),
            )
        return Hits(
            np.concatenate([part.depth_z_m for part in parts]),
            np.concatenate([part.triangle for part in parts]),
            np.concatenate([part.normal_world for part in parts]),
            np.concatenate([part.barycentric_uv for part in parts]),
        )


class Raycaster(ABC):
    """A BVH over one triangle soup; cast rays through any pixels of any camera against it."""

    def __init__(self, vertices_m: np.ndarray, triangles: np.ndarray) -> None:
        if len(triangles) == 0:
            raise ValueError("cannot ray cast an empty mesh")

    def cast_pixels(self, camera: CameraFrame, us: np.ndarray, vs: np.ndarray) -> Hits:
        """First hit of the ray through each pixel centre (us[i], vs[i])."""
        parts = [
            self._cast(camera, us[start : start + RAY_BATCH], vs[start : start + RAY_BATCH])
            for start in range(0, len(us), RAY_BATCH)
        ]
        return Hits.concatenate(parts)

    def hit_pixels(self, camera: CameraFrame, us: np.ndarray, vs: np.ndarray) -> np.ndarray:
        """Whether the ray through each pixel centre hits anything (an any-hit query)."""
        if len(us) == 0:
            return np.zeros(0, dtype=bool)
        return np.concatenate(
            [
                self._any_hit(camera, us[start : start + RAY_BATCH], vs[start : start + RAY_BATCH])
                for start in range(0, len(us), RAY_BATCH)
            ]
        )

    def cast_image(self, camera: CameraFrame) -> Hits:
        """First hits of every pixel, row-major."""
        return self.cast_pixels(camera, *image_pixels(camera))

    def cast_rays(self, origins_m: np.ndarray, directions: np.ndarray) -> Hits:
        """First hits of free rays (origins [N, 3] in metres, directions [N, 3]); ``depth_z_m``
        is then the ray parameter t (the distance in metres for unit directions)."""
        origins = np.ascontiguousarray(origins_m, dtype=np.float32).reshape(-1, 3)
        directions = np.ascontiguousarray(directions, dtype=np.float32).reshape(-1, 3)
        if origins.shape != directions.shape:
            raise ValueError(f"{len(origins)} ray origins for {len(directions)} directions")
        return Hits.concatenate(
            [
                self._cast_rays(
                    origins[start : start + RAY_BATCH], directions[start : start + RAY_BATCH]
                )
                for start in range(0, len(origins), RAY_BATCH)
            ]
        )

    @abstractmethod
    def _cast(self, camera: CameraFrame, us: np.ndarray, vs: np.ndarray) -> Hits: ...

    @abstractmethod
    def _cast_rays(self, origins_m: np.ndarray, directions: np.ndarray) -> Hits: ...

    @abstractmethod
    def _any_hit(self, camera: CameraFrame, us: np.ndarray, vs: np.ndarray) -> np.ndarray: ...


class Open3DRaycaster(Raycaster):
    def __init__(self, vertices_m: np.ndarray, triangles: np.ndarray) -> None:
        super().__init__(vertices_m, triangles)
        import open3d as o3d  # costs seconds to import: only stages that cast rays pay it

        self._o3d = o3d
        self._scene = o3d.t.geometry.RaycastingScene()
        self._scene.add_triangles(
            o3d.core.Tensor(np.ascontiguousarray(vertices_m, dtype=np.float32)),
            o3d.core.Tensor(np.ascontiguousarray(triangles, dtype=np.uint32)),
        )

    def _rays(self, camera: CameraFrame, us: np.ndarray, vs: np.ndarray):
        rays = np.empty((len(us), 6), dtype=np.float32)
        rays[:, :3] = camera_centre(camera).astype(np.float32)
        _directions_into(rays[:, 3:], camera, us, vs)
        return self._o3d.core.Tensor(rays)

    def _cast(self, camera: CameraFrame, us: np.ndarray, vs: np.ndarray) -> Hits:
        return self._hits(self._rays(camera, us, vs))

    def _cast_rays(self, origins_m: np.ndarray, directions: np.ndarray) -> Hits:
        return self._hits(self._o3d.core.Tensor(np.concatenate([origins_m, directions], axis=1)))

    def _hits(self, rays) -> Hits:
        result = self._scene.cast_rays(rays)
        ids = result["primitive_ids"].numpy()
        missed = ids == np.uint32(0xFFFFFFFF)  # Open3D's invalid primitive id
        return Hits(
            result["t_hit"].numpy(),
            np.where(missed, -1, ids.astype(np.int64)),
            result["primitive_normals"].numpy(),
            result["primitive_uvs"].numpy(),
        )

    def _any_hit(self, camera: CameraFrame, us: np.ndarray, vs: np.ndarray) -> np.ndarray:
        return self._scene.test_occlusions(self._rays(camera, us, vs)).numpy().astype(bool)


def cuda_driver_present() -> bool:
    """A cheap check before importing Warp: is there an NVIDIA driver at all?"""
    return Path("/dev/nvidiactl").exists() or ctypes.util.find_library("cuda") is not None


def resolve_backend(requested: str) -> str:
    """The concrete backend (``open3d-cpu``, ``warp-cpu`` or ``warp-cuda``) for a config value."""
    if requested not in BACKENDS:
        raise ConfigError(f"visibility.backend must be one of {BACKENDS}, not {requested!r}")
    if requested == "cpu":
        return "open3d-cpu"
    if requested == "warp-cpu":
        return "warp-cpu"
    has_cuda = cuda_driver_present() and _warp_cuda_devices() > 0
    if requested == "cuda" and not has_cuda:
        raise ConfigError(
            "visibility.backend is 'cuda' but NVIDIA Warp sees no CUDA device; "
            "use 'auto' or 'cpu' on this machine"
        )
    return "warp-cuda" if has_cuda else "open3d-cpu"


def _warp_cuda_devices() -> int:
    from spatialmosaic.raycast_warp import cuda_device_count

    return cuda_device_count()


def make_raycaster(vertices_m: np.ndarray, triangles: np.ndarray, backend: str) -> Raycaster:
    """A raycaster for a concrete backend name from :func:`resolve_backend`."""
    if backend == "open3d-cpu":
        return Open3DRaycaster(vertices_m, triangles)
    if backend in ("warp-cpu", "warp-cuda"):
        from spatialmosaic.raycast_warp import WarpRaycaster

        return WarpRaycaster(vertices_m, triangles, device=backend.removeprefix("warp-"))
    raise ValueError(f"unknown ray-casting backend {backend!r}")

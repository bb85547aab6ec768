"""The NVIDIA Warp ray-casting backend (CUDA, or the same kernels compiled for the CPU).

Rays are generated inside the kernels from pixel indices, with the same float32 arithmetic as
:func:`spatialmosaic.raycast.pixel_directions`, so only two int32 arrays travel to the device.
The first launch on a machine compiles the kernels (about 25 s on a CPU); Warp caches them.
"""

from __future__ import annotations

import numpy as np
import warp as wp

from spatialmosaic.raycast import Hits, Raycaster, camera_centre, intrinsics, pose
from spatialmosaic.records import CameraFrame

wp.config.log_level = wp.LOG_WARNING  # no greeting banner on stdout
MAX_T = 1.0e9


def cuda_device_count() -> int:
    wp.init()
    return wp.get_cuda_device_count()


@wp.func
def _pixel_direction(u: wp.int32, v: wp.int32, intr: wp.vec4, rotation: wp.mat33) -> wp.vec3:
    x = (wp.float32(u) + 0.5 - intr[2]) / intr[0]
    y = (wp.float32(v) + 0.5 - intr[3]) / intr[1]
    return wp.vec3(
        rotation[0, 0] * x + rotation[0, 1] * y + rotation[0, 2],
        rotation[1, 0] * x + rotation[1, 1] * y + rotation[1, 2],
        rotation[2, 0] * x + rotation[2, 1] * y + rotation[2, 2],
    )


@wp.kernel
def _cast_kernel(
    mesh: wp.uint64,
    us: wp.array(dtype=wp.int32),
    vs: wp.array(dtype=wp.int32),
    intr: wp.vec4,
    rotation: wp.mat33,
    origin: wp.vec3,
    depth: wp.array(dtype=wp.float32),
    face: wp.array(dtype=wp.int32),
    normal: wp.array(dtype=wp.vec3),
    barycentric: wp.array(dtype=wp.vec2),
):
    i = wp.tid()
    query = wp.mesh_query_ray(mesh, origin, _pixel_direction(us[i], vs[i], intr, rotation), MAX_T)
    if query.result and query.t > 0.0:
        depth[i] = query.t
        face[i] = query.face
        normal[i] = query.normal
        # Warp's hit is u * a + v * b + (1 - u - v) * c; Hits uses Open3D's
        # (1 - u' - v') * a + u' * b + v' * c, so u' = v and v' = 1 - u - v.
        barycentric[i] = wp.vec2(query.v, 1.0 - query.u - query.v)
    else:
        depth[i] = wp.inf
        face[i] = -1
        normal[i] = wp.vec3(0.0, 0.0, 0.0)
        barycentric[i] = wp.vec2(0.0, 0.0)


@wp.kernel
def _free_ray_kernel(
    mesh: wp.uint64,
    origins: wp.array(dtype=wp.vec3),
    directions: wp.array(dtype=wp.vec3),
    depth: wp.array(dtype=wp.float32),
    face: wp.array(dtype=wp.int32),
    normal: wp.array(dtype=wp.vec3),
    barycentric: wp.array(dtype=wp.vec2),
):
    i = wp.tid()
    query = wp.mesh_query_ray(mesh, origins[i], directions[i], MAX_T)
    if query.result and query.t > 0.0:
        depth[i] = query.t
        face[i] = query.face
        normal[i] = query.normal
        barycentric[i] = wp.vec2(query.v, 1.0 - query.u - query.v)  # as in _cast_kernel
    else:
        depth[i] = wp.inf
        face[i] = -1
        normal[i] = wp.vec3(0.0, 0.0, 0.0)
        barycentric[i] = wp.vec2(0.0, 0.0)


@wp.kernel
def _any_hit_kernel(
    mesh: wp.uint64,
    us: wp.array(dtype=wp.int32),
    vs: wp.array(dtype=wp.int32),
    intr: wp.vec4,
    rotation: wp.mat33,
    origin: wp.vec3,
    hit: wp.array(dtype=wp.uint8),
):
    i = wp.tid()
    direction = _pixel_direction(us[i], vs[i], intr, rotation)
    hit[i] = (
        wp.uint8(1) if wp.mesh_query_ray_anyhit(mesh, origin, direction, MAX_T) else wp.uint8(0)
    )


class WarpRaycaster(Raycaster):
    def __init__(self, vertices_m: np.ndarray, triangles: np.ndarray, device: str) -> None:
        super().__init__(vertices_m, triangles)
        wp.init()
        self._device = wp.get_device(device)
        self._mesh = wp.Mesh(
            points=wp.array(
                np.ascontiguousarray(vertices_m, dtype=np.float32), dtype=wp.vec3, device=device
            ),
            indices=wp.array(
                np.ascontiguousarray(triangles, dtype=np.int32).ravel(),
                dtype=wp.int32,
                device=device,
            ),
        )

    def _camera_args(self, camera: CameraFrame) -> tuple:
        K_px = intrinsics(camera).astype(np.float32)
        intr = wp.vec4(K_px[0, 0], K_px[1, 1], K_px[0, 2], K_px[1, 2])
        rotation = wp.mat33(pose(camera)[:3, :3].astype(np.float32))
        return intr, rotation, wp.vec3(camera_centre(camera).astype(np.float32))

    def _pixels(self, us: np.ndarray, vs: np.ndarray) -> tuple:
        return (
            wp.array(np.ascontiguousarray(us, dtype=np.int32), dtype=wp.int32, device=self._device),
            wp.array(np.ascontiguousarray(vs, dtype=np.int32), dtype=wp.int32, device=self._device),
        )

    def _cast(self, camera: CameraFrame, us: np.ndarray, vs: np.ndarray) -> Hits:
        n = len(us)
        depth = wp.empty(n, dtype=wp.float32, device=self._device)
        face = wp.empty(n, dtype=wp.int32, device=self._device)
        normal = wp.empty(n, dtype=wp.vec3, device=self._device)
        barycentric = wp.empty(n, dtype=wp.vec2, device=self._device)
        wp.launch(
            _cast_kernel,
            dim=n,
            inputs=[self._mesh.id, *self._pixels(us, vs), *self._camera_args(camera)],
            outputs=[depth, face, normal, barycentric],
            device=self._device,
        )
        return Hits(
            depth.numpy(), face.numpy().astype(np.int64), normal.numpy(), barycentric.numpy()
        )

    def _cast_rays(self, origins_m: np.ndarray, directions: np.ndarray) -> Hits:
        n = len(origins_m)
        outputs = [
            wp.empty(n, dtype=kind, device=self._device)
            for kind in (wp.float32, wp.int32, wp.vec3, wp.vec2)
        ]
        wp.launch(
            _free_ray_kernel,
            dim=n,
            inputs=[
                self._mesh.id,
                wp.array(origins_m, dtype=wp.vec3, device=self._device),
                wp.array(directions, dtype=wp.vec3, device=self._device),
            ],
            outputs=outputs,
            device=self._device,
        )
        depth, face, normal, barycentric = (array.numpy() for array in outputs)
        return Hits(depth, face.astype(np.int64), normal, barycentric)

    def _any_hit(self, camera: CameraFrame, us: np.ndarray, vs: np.ndarray) -> np.ndarray:
        hit = wp.empty(len(us), dtype=wp.uint8, device=self._device)
        wp.launch(
            _any_hit_kernel,
            dim=len(us),
            inputs=[self._mesh.id, *self._pixels(us, vs), *self._camera_args(camera)],
            outputs=[hit],
            device=self._device,
        )
        return hit.numpy().astype(bool)

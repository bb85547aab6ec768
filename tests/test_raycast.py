"""Ray-casting backends: Open3D (CPU) and NVIDIA Warp give the same hits.

The Warp kernels run here on the CPU (``warp-cpu``); the same kernels run on CUDA, checked by the
``gpu`` test when a device is present. The first Warp call compiles its kernels (about 25 s on
a CPU, cached afterwards).
"""

from __future__ import annotations

import numpy as np
import pytest

from analytic import box, builtin_scene_and_cameras, camera_at, make_scene, quad
from spatialmosaic.config import ConfigError
from spatialmosaic.raycast import (
    cuda_driver_present,
    image_pixels,
    make_raycaster,
    resolve_backend,
)

# Pixels where the two backends may disagree: rays that graze a triangle edge within float32
# rounding, where Embree and Warp's intersection tests round differently.
BACKEND_PIXEL_AGREEMENT = 0.9999
BACKEND_DEPTH_TOLERANCE_M = 1e-4


def instance_ids(scene, hits):
    return np.where(hits.triangle >= 0, scene.face_instance[np.maximum(hits.triangle, 0)], 0)


def cast_both(scene, camera, other="warp-cpu"):
    hits = {}
    for backend in ("open3d-cpu", other):
        raycaster = make_raycaster(scene.vertices_world_m, scene.triangles, backend)
        hits[backend] = raycaster.cast_image(camera)
    return hits["open3d-cpu"], hits[other]


def test_backends_agree_exactly_on_analytic_scene():
    scene = make_scene(
        [
            (1, "board", False, quad(-0.49, 0.49, -0.49, 0.49, 2.0)),
            (2, "panel", False, quad(0.001, 1.5, -1.0, 1.0, 1.0)),
            (3, "crate", False, box((-0.9, 0.1, 1.4), (-0.2, 0.6, 1.9))),
            (4, "wall", True, quad(-50, 50, -50, 50, 6.0)),
        ]
    )
    camera = camera_at(position=(0.05, -0.03, 0.0))
    open3d_hits, warp_hits = cast_both(scene, camera)
    assert (open3d_hits.triangle >= 0).all() and (warp_hits.triangle >= 0).all()
    # identical instance buffers; the triangle may differ on an edge shared inside one object
    assert np.array_equal(
        scene.face_instance[open3d_hits.triangle], scene.face_instance[warp_hits.triangle]
    )
    assert np.allclose(open3d_hits.depth_z_m, warp_hits.depth_z_m, atol=1e-5)


def test_any_hit_queries_agree():
    scene = make_scene([(1, "crate", False, box((-0.3, -0.3, 2.0), (0.3, 0.3, 2.6)))])
    camera = camera_at()
    us, vs = image_pixels(camera)
    us, vs = us - 100, vs - 80  # a window that starts off the image (amodal passes)
    masks = [
        make_raycaster(scene.vertices_world_m, scene.triangles, backend).hit_pixels(camera, us, vs)
        for backend in ("open3d-cpu", "warp-cpu")
    ]
    assert np.array_equal(masks[0], masks[1])
    assert masks[0].sum() == 0  # the window [-100, 0) x [-80, 0) misses the crate


def test_backends_agree_on_a_builtin_room():
    scene, cameras = builtin_scene_and_cameras(frames=2, width=160, height=120)
    for camera in cameras:
        open3d_hits, warp_hits = cast_both(scene, camera)
        assert np.array_equal(open3d_hits.triangle >= 0, warp_hits.triangle >= 0)
        same = instance_ids(scene, open3d_hits) == instance_ids(scene, warp_hits)
        assert same.mean() >= BACKEND_PIXEL_AGREEMENT
        both = same & (open3d_hits.triangle >= 0)
        assert np.max(np.abs(open3d_hits.depth_z_m[both] - warp_hits.depth_z_m[both])) < (
            BACKEND_DEPTH_TOLERANCE_M
        )


def test_resolve_backend():
    assert resolve_backend("cpu") == "open3d-cpu"
    assert resolve_backend("warp-cpu") == "warp-cpu"
    with pytest.raises(ConfigError, match="one of"):
        resolve_backend("gpu")
    if not cuda_driver_present():
        assert resolve_backend("auto") == "open3d-cpu"
        with pytest.raises(ConfigError, match="no CUDA device"):
            resolve_backend("cuda")


@pytest.mark.gpu
def test_cuda_backend_agrees_with_cpu_backend():
    if not cuda_driver_present() or resolve_backend("auto") != "warp-cuda":
        pytest.skip("no CUDA device")
    scene, cameras = builtin_scene_and_cameras(frames=2, width=640, height=480)
    for camera in cameras:
        open3d_hits, cuda_hits = cast_both(scene, camera, other="warp-cuda")
        same = instance_ids(scene, open3d_hits) == instance_ids(scene, cuda_hits)
        assert same.mean() >= BACKEND_PIXEL_AGREEMENT


def test_free_rays_agree_between_backends_and_report_distances():
    scene = make_scene([(1, "crate", False, box((-0.3, -0.3, 2.0), (0.3, 0.3, 2.6)))])
    origins = np.array([[0.05, 0.12, 0.0], [0.1, 0.03, 5.0], [0.07, -3.0, 2.41], [2.0, 2.0, 2.0]])
    directions = np.array([[0, 0, 1], [0, 0, -1], [0, 1, 0], [0, 0, 1]], dtype=np.float64)
    hits = [
        make_raycaster(scene.vertices_world_m, scene.triangles, backend).cast_rays(
            origins, directions
        )
        for backend in ("open3d-cpu", "warp-cpu")
    ]
    for result in hits:
        np.testing.assert_allclose(result.depth_z_m[:3], [2.0, 2.4, 2.7], atol=1e-5)
        assert result.triangle[3] == -1 and np.isinf(result.depth_z_m[3])
    assert np.array_equal(hits[0].triangle, hits[1].triangle)  # no ray on a triangle edge
    np.testing.assert_allclose(hits[0].barycentric_uv, hits[1].barycentric_uv, atol=1e-5)

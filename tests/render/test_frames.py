"""Rendering: depth is planar z in metres, ids are exact, files follow the official layout."""

from __future__ import annotations

import numpy as np
import pytest

from analytic import camera_at, make_scene, quad
from spatialmosaic.io import read_png16
from spatialmosaic.raycast import Open3DRaycaster, camera_centre, pixel_directions
from spatialmosaic.render.frames import (
    depth_to_png_mm,
    png_mm_to_depth,
    render_frame,
    render_scene,
)


def test_depth_is_planar_z_not_ray_length():
    # A wall at z = 3 spanning the whole view: every pixel has depth exactly 3 m.
    scene = make_scene([(1, "wall", True, quad(-50, 50, -50, 50, 3.0))])
    images = render_frame(
        Open3DRaycaster(scene.vertices_world_m, scene.triangles), scene, camera_at()
    )
    assert np.allclose(images.depth_z_m, 3.0, atol=1e-5)
    assert np.all(images.instance == 1)


def test_pixel_ray_hits_point_that_projects_back_to_its_pixel():
    camera = camera_at(position=(0.3, -0.2, 0.1))
    u, v = np.array([17]), np.array([61])
    direction = pixel_directions(camera, u, v)[0].astype(np.float64)
    point = camera_centre(camera) + 2.5 * direction
    p_cam = point - np.array([0.3, -0.2, 0.1])
    assert p_cam[2] == pytest.approx(2.5)
    assert 50 + 50 * p_cam[0] / p_cam[2] == pytest.approx(17.5)
    assert 40 + 50 * p_cam[1] / p_cam[2] == pytest.approx(61.5)


def test_depth_png_round_trip_in_millimetres():
    depth = np.array([[0.0014, 2.5], [np.inf, 70.0]], dtype=np.float32)
    restored = png_mm_to_depth(depth_to_png_mm(depth))
    assert restored[0, 0] == pytest.approx(0.001)
    assert restored[0, 1] == pytest.approx(2.5)
    assert np.isinf(restored[1, 0]) and np.isinf(restored[1, 1])  # beyond 65.535 m: no depth


def test_render_scene_writes_official_layout(tmp_path):
    scene = make_scene([(1, "board", False, quad(-0.49, 0.49, -0.49, 0.49, 2.0))])
    render_scene(scene, [camera_at()], tmp_path / "ours_0", jpeg_quality=90)
    assert (tmp_path / "ours_0" / "images" / "frame_000000.jpg").is_file()
    instance = read_png16(tmp_path / "ours_0" / "instance" / "frame_000000.png")
    assert instance.shape == (80, 100) and int((instance == 1).sum()) == 576
    depth = read_png16(tmp_path / "ours_0" / "depth" / "frame_000000.png")
    assert set(np.unique(depth).tolist()) == {0, 2000}

"""Visibility against cases whose answer is known in closed form (SPEC §2).

Camera: 100 x 80 pixels, focal 50 px, principal point (50, 40), looking down +Z. A point
(x, y, z) projects to u = 50 + 50 x / z, v = 40 + 50 y / z; a pixel (u, v) counts when its
centre (u + 0.5, v + 0.5) falls inside the projection. Edges are placed between pixel centres.
"""

from __future__ import annotations

import numpy as np
import pytest

from analytic import box, camera_at, floor_crossing_camera_plane, make_scene, quad
from spatialmosaic.render.frames import render_scene
from spatialmosaic.visibility.observe import (
    AMODAL_MARGIN,
    frame_voxel_keys,
    observe_scene,
    overlap_matrix,
)
from spatialmosaic.visibility.table import (
    read_points,
    read_visibility,
    write_points,
    write_visibility,
)


@pytest.fixture(params=["open3d-cpu", "warp-cpu"])
def backend(request) -> str:
    """Every closed-form case runs on both ray-casting backends."""
    return request.param


def observe(scene, cameras, tmp_path, backend, min_pixels=1):
    render_scene(scene, cameras, tmp_path / "render", jpeg_quality=90, backend=backend)
    visibility, points = observe_scene(
        scene, cameras, tmp_path / "render", min_pixels, 0.05, backend
    )
    write_points(tmp_path / "points.npz", points, meta={})
    for obs in visibility.observations:  # the points behind each object's voxel count
        assert obs.voxels_visible == len(
            points.object_voxels.get((obs.frame_id, obs.instance_id), ())
        )
    return visibility


def only(visibility, instance_id, frame_id="frame_000000"):
    found = [
        o
        for o in visibility.observations
        if o.instance_id == instance_id and o.frame_id == frame_id
    ]
    assert len(found) == 1
    return found[0]


def test_occlusion_ratio_zero_when_fully_visible(tmp_path, backend):
    # x in [-0.49, 0.49] at z = 2 -> u in [37.75, 62.25] -> columns 38..61 (24); rows likewise.
    scene = make_scene([(1, "board", False, quad(-0.49, 0.49, -0.49, 0.49, 2.0))])
    obs = only(observe(scene, [camera_at()], tmp_path, backend), 1)
    assert (obs.pixels_full, obs.pixels_in_image, obs.pixels_visible) == (576, 576, 576)
    assert obs.occlusion == 0.0 and obs.truncation == 0.0 and obs.visible_fraction == 1.0
    assert obs.bbox_2d_visible == obs.bbox_2d_amodal == (38, 28, 61, 51)
    assert obs.center_2d_visible == (50.0, 40.0)
    assert obs.depth_min_m == pytest.approx(2.0, abs=1e-3)
    assert obs.camera_distance_m == pytest.approx(2.0)


def test_occlusion_half_covered_by_nearer_square(tmp_path, backend):
    target = quad(-0.49, 0.49, -0.49, 0.49, 2.0)
    # occluder at z = 1 covering x > 0.001 -> u > 50.05 -> columns 50..99 hidden: 12 of 24.
    occluder = quad(0.001, 1.5, -1.0, 1.0, 1.0)
    scene = make_scene([(1, "board", False, target), (2, "panel", False, occluder)])
    obs = only(observe(scene, [camera_at()], tmp_path, backend), 1)
    assert (obs.pixels_in_image, obs.pixels_visible) == (576, 288)
    assert obs.occlusion == pytest.approx(0.5)
    assert obs.truncation == 0.0
    assert obs.bbox_2d_visible == (38, 28, 49, 51)
    assert obs.bbox_2d_amodal == (38, 28, 61, 51)  # the amodal box spans the hidden half too


def test_truncation_half_cut_by_image_border(tmp_path, backend):
    # z = 1: x in [0.505, 1.495] -> u in [75.25, 124.75] -> columns 75..124, 25 inside (< 100);
    # y in [-0.2, 0.2] -> v in [30, 50] -> rows 30..49 (20).
    scene = make_scene([(1, "board", False, quad(0.505, 1.495, -0.2, 0.2, 1.0))])
    obs = only(observe(scene, [camera_at()], tmp_path, backend), 1)
    assert (obs.pixels_full, obs.pixels_in_image, obs.pixels_visible) == (1000, 500, 500)
    assert obs.truncation == pytest.approx(0.5)
    assert obs.occlusion == 0.0
    assert obs.occlusion_ratio == pytest.approx(0.5)
    assert obs.bbox_2d_amodal == obs.bbox_2d_visible == (75, 30, 99, 49)
    assert obs.camera_distance_m == pytest.approx(np.hypot(1.0, 1.0))


def test_floor_crossing_the_camera_plane(tmp_path, backend):
    scene, full, in_image = floor_crossing_camera_plane()
    obs = only(observe(scene, [camera_at()], tmp_path, backend), 1)
    assert (obs.pixels_full, obs.pixels_in_image, obs.pixels_visible) == (full, in_image, in_image)
    assert obs.bbox_2d_amodal == (0, 44, 99, 79)


def test_object_behind_camera_is_not_observed(tmp_path, backend):
    scene = make_scene(
        [
            (1, "board", False, quad(-0.49, 0.49, -0.49, 0.49, 2.0)),
            (2, "behind", False, quad(-0.5, 0.5, -0.5, 0.5, -2.0)),
        ]
    )
    visibility = observe(scene, [camera_at()], tmp_path, backend)
    assert [o.instance_id for o in visibility.observations] == [1]


def test_self_occlusion_of_closed_box_is_not_occlusion(tmp_path, backend):
    scene = make_scene([(1, "crate", False, box((-0.3, -0.3, 2.0), (0.3, 0.3, 2.6)))])
    obs = only(observe(scene, [camera_at()], tmp_path, backend), 1)
    assert obs.pixels_visible == obs.pixels_in_image > 0
    assert obs.occlusion == 0.0


def test_object_seen_from_inside_fills_the_capped_plane(tmp_path, backend):
    # Camera inside a box: every ray hits it, on the whole capped plane (documented cap).
    scene = make_scene([(1, "tent", False, box((-5, -5, -5), (5, 5, 5)))])
    obs = only(observe(scene, [camera_at()], tmp_path, backend), 1)
    capped = (1 + 2 * AMODAL_MARGIN) ** 2 * 100 * 80
    assert (obs.pixels_full, obs.pixels_in_image, obs.pixels_visible) == (capped, 8000, 8000)
    assert obs.truncation == pytest.approx(1 - 8000 / capped)


def test_structural_classes_occlude_but_are_not_targets(tmp_path, backend):
    scene = make_scene(
        [
            (1, "board", False, quad(-0.49, 0.49, -0.49, 0.49, 2.0)),
            (2, "wall", True, quad(-0.49, 0.0, -1.0, 1.0, 1.0)),
        ]
    )
    visibility = observe(scene, [camera_at()], tmp_path, backend)
    assert {o.instance_id for o in visibility.observations} == {1}
    assert only(visibility, 1).occlusion == pytest.approx(0.5)


def test_overlap_matrix_is_iou_of_point_sets():
    sets = [np.array([1, 2, 3]), np.array([2, 3, 4]), np.array([], dtype=np.int64)]
    iou = overlap_matrix(sets)
    assert iou[0, 1] == pytest.approx(2 / 4)
    assert iou[0, 0] == 1.0 and iou[2, 2] == 0.0 and iou[0, 2] == 0.0


def test_overlap_of_two_views_of_one_surface(tmp_path, backend):
    # Both cameras see the same board from the same place: overlap 1. A camera turned away
    # (looking at a second board behind) shares nothing with them: overlap 0.
    front = quad(-0.49, 0.49, -0.49, 0.49, 2.0)
    back = quad(-0.49, 0.49, -0.49, 0.49, -2.0)
    scene = make_scene([(1, "board", False, front), (2, "board", False, back)])
    turned = camera_at("frame_000002")
    flip = np.diag([-1.0, 1.0, -1.0, 1.0])  # rotate 180 degrees about the camera y axis
    turned = type(turned)("frame_000002", turned.K_px, tuple(map(tuple, flip)), 100, 80)
    cameras = [camera_at("frame_000000"), camera_at("frame_000001"), turned]
    visibility = observe(scene, cameras, tmp_path, backend)
    assert visibility.overlap_iou[0, 1] == pytest.approx(1.0)
    assert visibility.overlap_iou[0, 2] == 0.0
    # the stored points reproduce the matrix
    points = read_points(tmp_path / "points.npz")
    frames = [
        frame_voxel_keys(
            {i: keys for (f, i), keys in points.object_voxels.items() if f == camera.frame_id}
        )
        for camera in cameras
    ]
    assert np.array_equal(overlap_matrix(frames), visibility.overlap_iou)
    assert only(visibility, 2, "frame_000002").pixels_visible == 576


def test_visibility_file_round_trip(tmp_path, backend):
    scene = make_scene([(1, "board", False, quad(-0.49, 0.49, -0.49, 0.49, 2.0))])
    visibility = observe(scene, [camera_at()], tmp_path, backend)
    write_visibility(tmp_path / "vis.json", visibility, meta={})
    again = read_visibility(tmp_path / "vis.json")
    assert again.observations == visibility.observations
    assert np.allclose(again.overlap_iou, visibility.overlap_iou)

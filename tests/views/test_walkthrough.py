"""Walkthrough cameras: eye height, rotation conventions, intrinsics, and loops that stay on the
free floor of rectangular and L-shaped rooms."""

from __future__ import annotations

import numpy as np
import pytest

from spatialmosaic.views.walkthrough import (
    WALL_CLEARANCE_M,
    inside_outline,
    intrinsics_from_fov,
    look_rotation,
    polygon_centroid,
    walkthrough_cameras,
)

RECTANGLE = np.array([[0, 0], [5, 0], [5, 4], [0, 4]], dtype=float)
L_SHAPE = np.array([[0, 0], [6, 0], [6, 2.5], [3.5, 2.5], [3.5, 5], [0, 5]], dtype=float)
MAX_STEP_M = 0.6  # between consecutive frames of a 60-frame walk


def positions(cameras) -> np.ndarray:
    return np.array([np.asarray(c.T_world_cam)[:3, 3] for c in cameras])


def test_look_rotation_is_opencv_with_z_up():
    R_world_cam = look_rotation(np.array([1.0, 0.0, 0.0]))
    assert np.allclose(R_world_cam @ R_world_cam.T, np.eye(3))
    assert np.linalg.det(R_world_cam) == pytest.approx(1.0)
    assert np.allclose(R_world_cam[:, 2], [1, 0, 0])  # camera z = forward
    assert np.allclose(R_world_cam[:, 1], [0, 0, -1])  # camera y = down
    assert np.allclose(R_world_cam[:, 0], [0, -1, 0])  # camera x = right of +X is -Y


def test_intrinsics_match_field_of_view():
    K_px = intrinsics_from_fov(640, 480, 90.0)
    assert K_px[0, 0] == pytest.approx(320.0)
    assert (K_px[0, 2], K_px[1, 2]) == (320.0, 240.0)


def test_walkthrough_stays_in_room_at_eye_height():
    centre = polygon_centroid(RECTANGLE)[None]
    cameras = walkthrough_cameras(
        RECTANGLE, np.zeros((0, 4)), np.random.default_rng(0), 40, 64, 48, 67.0, (1.2, 1.8), centre
    )
    xyz = positions(cameras)
    assert np.all((xyz[:, 2] >= 1.2) & (xyz[:, 2] <= 1.8))
    assert inside_outline(xyz[:, :2], RECTANGLE, WALL_CLEARANCE_M - 1e-9).all()
    assert np.linalg.norm(np.diff(xyz, axis=0), axis=1).max() < MAX_STEP_M
    assert [c.frame_id for c in cameras[:2]] == ["frame_000000", "frame_000001"]


def test_l_shaped_walk_avoids_furniture_and_covers_both_arms():
    # A table in the long arm and a wardrobe against the short arm's end wall.
    obstacles = np.array([[2.0, 0.8, 3.2, 1.7], [0.2, 4.3, 1.6, 4.9]])
    targets = (obstacles[:, :2] + obstacles[:, 2:]) / 2
    cameras = walkthrough_cameras(
        L_SHAPE, obstacles, np.random.default_rng(1), 60, 64, 48, 67.0, (1.2, 1.8), targets
    )
    xyz = positions(cameras)
    assert inside_outline(xyz[:, :2], L_SHAPE, WALL_CLEARANCE_M - 1e-9).all()
    for x0, y0, x1, y1 in obstacles:
        inside = (xyz[:, 0] > x0) & (xyz[:, 0] < x1) & (xyz[:, 1] > y0) & (xyz[:, 1] < y1)
        assert not inside.any()
    assert np.linalg.norm(np.diff(xyz, axis=0), axis=1).max() < MAX_STEP_M
    assert (xyz[:, 0] > 4.0).any() and (xyz[:, 1] > 3.0).any()  # both arms are walked
    # cameras look at the furniture: most frames have a target within the field of view
    forward = np.array([np.asarray(c.T_world_cam)[:3, 2] for c in cameras])[:, :2]
    forward /= np.linalg.norm(forward, axis=1, keepdims=True)
    to_target = targets[None] - xyz[:, None, :2]
    to_target /= np.linalg.norm(to_target, axis=-1, keepdims=True)
    in_view = ((to_target * forward[:, None]).sum(-1) > np.cos(np.deg2rad(33.5))).any(axis=1)
    assert in_view.mean() > 0.8


def test_centroid_of_an_l_is_its_area_centroid():
    # Rectangles [0,6]x[0,2.5] (15 m2) and [0,3.5]x[2.5,5] (8.75 m2).
    expected = (np.array([3.0, 1.25]) * 15 + np.array([1.75, 3.75]) * 8.75) / 23.75
    np.testing.assert_allclose(polygon_centroid(L_SHAPE), expected)


def test_a_room_without_free_floor_is_refused():
    with pytest.raises(ValueError, match="no free floor"):
        blocked = np.array([[-1, -1, 6, 5]])
        rng = np.random.default_rng(0)
        walkthrough_cameras(RECTANGLE, blocked, rng, 4, 8, 6, 67.0, (1.2, 1.8), blocked[:, :2])

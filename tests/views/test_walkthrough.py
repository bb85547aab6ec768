"""Walkthrough cameras: eye height, rotation conventions, intrinsics."""

from __future__ import annotations

import numpy as np
import pytest

from spatialmosaic.views.walkthrough import (
    intrinsics_from_fov,
    look_rotation,
    walkthrough_cameras,
)


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
    cameras = walkthrough_cameras(
        (5.0, 4.0), np.random.default_rng(0), 40, 64, 48, 67.0, (1.2, 1.8)
    )
    positions = np.array([np.asarray(c.T_world_cam)[:3, 3] for c in cameras])
    assert np.all((positions[:, 2] >= 1.2) & (positions[:, 2] <= 1.8))
    assert np.all((positions[:, 0] > 0.9) & (positions[:, 0] < 4.1))
    assert np.all((positions[:, 1] > 0.9) & (positions[:, 1] < 3.1))
    steps = np.linalg.norm(np.diff(positions, axis=0), axis=1)
    assert steps.max() < 0.6  # smooth: no jumps between consecutive frames
    assert [c.frame_id for c in cameras[:2]] == ["frame_000000", "frame_000001"]

"""The five-camera rig: Waymo's yaws, field of view and aspect ratios, in closed form."""

from __future__ import annotations

import numpy as np
import pytest

from spatialmosaic.views.rig import CAMERA_HEIGHT_M, PITCH_DOWN_RAD, RIG, RIG_HFOV_DEG, rig_cameras

WIDTH = 480


@pytest.fixture(scope="module")
def cameras():
    return rig_cameras((10.0, 30.0), -1.75, np.random.default_rng(3), 4, WIDTH)


def _axis(camera) -> np.ndarray:
    return np.array(camera.T_world_cam)[:3, 2]


def _centre(camera) -> np.ndarray:
    return np.array(camera.T_world_cam)[:3, 3]


def test_frames_are_steps_times_cameras_with_unique_names(cameras) -> None:
    assert len(cameras) == 4 * 5
    assert len({c.frame_id for c in cameras}) == 20
    assert cameras[6].frame_id == "frame_000001_FRONT_LEFT"


def test_intrinsics_follow_waymo_fov_and_aspect(cameras) -> None:
    fx = (WIDTH / 2) / np.tan(np.deg2rad(RIG_HFOV_DEG) / 2)
    heights = {"FRONT": 320, "FRONT_LEFT": 320, "FRONT_RIGHT": 320, "SIDE_LEFT": 222}
    for camera in cameras:
        K = np.array(camera.K_px)
        name = camera.frame_id.split("_", 2)[2]
        assert camera.width == WIDTH
        assert camera.height == heights.get(name, 222)  # 480 * 886 / 1920 = 221.5 -> 222
        assert K[0, 0] == pytest.approx(fx) and K[1, 1] == pytest.approx(fx)
        assert (K[0, 2], K[1, 2]) == (WIDTH / 2, camera.height / 2)


def test_cameras_keep_their_yaw_pitch_and_height_relative_to_the_car(cameras) -> None:
    for step in range(4):
        rig = cameras[5 * step : 5 * step + 5]
        front_yaw = np.arctan2(_axis(rig[0])[1], _axis(rig[0])[0])
        heading = front_yaw  # FRONT looks along the car
        for camera, spec in zip(rig, RIG, strict=True):
            axis = _axis(camera)
            yaw = np.arctan2(axis[1], axis[0])
            assert np.angle(np.exp(1j * (yaw - front_yaw))) == pytest.approx(spec.yaw_rad)
            assert axis[2] == pytest.approx(-np.sin(PITCH_DOWN_RAD))
            assert _centre(camera)[2] == pytest.approx(CAMERA_HEIGHT_M)
        # mount offsets in the car frame: rig centre = FRONT centre - 1.5 m forward
        forward = np.array([np.cos(heading), np.sin(heading), 0.0])
        left = np.array([-np.sin(heading), np.cos(heading), 0.0])
        centre = _centre(rig[0]) - 1.5 * forward
        for camera, spec in zip(rig, RIG, strict=True):
            expected = centre + spec.offset_m[0] * forward + spec.offset_m[1] * left
            assert np.allclose(_centre(camera), expected)
        assert abs(centre[1] + 1.75) <= 0.25 + 1e-9  # sways within the lane


def test_rig_advances_along_the_path(cameras) -> None:
    xs = [_centre(cameras[5 * step])[0] for step in range(4)]
    assert np.all(np.diff(xs) > 0)
    assert xs[0] == pytest.approx(10.0 + 1.5, abs=0.05)  # heading is nearly +X

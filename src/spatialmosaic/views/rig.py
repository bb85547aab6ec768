"""The five-camera vehicle rig of the Waymo Open Dataset, driven along a built-in street.

Waymo's cameras look front, front-left, front-right, side-left and side-right; all five have
about 50 degrees of horizontal field of view, the front three give 1920x1280 images and the
side two 1920x886 (Sun et al., CVPR 2020). The rig here keeps those yaws, that field of view
and those aspect ratios at a configurable width. At each time step the car's pose follows the
lane with a gentle sway, and every camera gives one frame: neighbouring cameras overlap little,
which is the partial visibility the paper's outdoor split is about.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from spatialmosaic.records import CameraFrame
from spatialmosaic.views.walkthrough import intrinsics_from_fov, look_rotation

RIG_HFOV_DEG = 50.4
CAMERA_HEIGHT_M = 2.1
PITCH_DOWN_RAD = np.deg2rad(2.0)
LANE_SWAY_M = 0.25


@dataclass(frozen=True)
class RigCamera:
    name: str  # Waymo's CameraName
    yaw_rad: float  # left of the car's heading is positive
    offset_m: tuple[float, float]  # (forward, left) of the rig centre
    aspect: float  # height / width


RIG = (
    RigCamera("FRONT", 0.0, (1.5, 0.0), 1280 / 1920),
    RigCamera("FRONT_LEFT", np.deg2rad(45.0), (1.4, 0.2), 1280 / 1920),
    RigCamera("FRONT_RIGHT", np.deg2rad(-45.0), (1.4, -0.2), 1280 / 1920),
    RigCamera("SIDE_LEFT", np.deg2rad(90.0), (1.2, 0.3), 886 / 1920),
    RigCamera("SIDE_RIGHT", np.deg2rad(-90.0), (1.2, -0.3), 886 / 1920),
)


def rig_frame_id(step: int, camera: RigCamera) -> str:
    return f"frame_{step:06d}_{camera.name}"


def rig_cameras(
    path_x_m: tuple[float, float],
    lane_y_m: float,
    rng: np.random.Generator,
    steps: int,
    width: int,
) -> list[CameraFrame]:
    """``steps`` rig poses evenly along ``path_x_m`` in the lane at ``lane_y_m`` (heading +X),
    five frames each, in (step, camera) order."""
    if steps < 1:
        raise ValueError(f"steps={steps}: need at least one rig pose")
    phase = float(rng.uniform(0, 2 * np.pi))
    xs = np.linspace(path_x_m[0], path_x_m[1], steps)
    span = max(path_x_m[1] - path_x_m[0], 1e-6)
    cameras = []
    for step, x in enumerate(xs):
        angle = 2 * np.pi * (x - path_x_m[0]) / span + phase
        y = lane_y_m + LANE_SWAY_M * np.sin(angle)
        heading = np.arctan(LANE_SWAY_M * 2 * np.pi / span * np.cos(angle))  # along the sway
        forward_car = np.array([np.cos(heading), np.sin(heading), 0.0])
        left_car = np.array([-np.sin(heading), np.cos(heading), 0.0])
        for camera in RIG:
            height = int(round(width * camera.aspect))
            yaw = heading + camera.yaw_rad
            forward = np.array(
                [
                    np.cos(yaw) * np.cos(PITCH_DOWN_RAD),
                    np.sin(yaw) * np.cos(PITCH_DOWN_RAD),
                    -np.sin(PITCH_DOWN_RAD),
                ]
            )
            T_world_cam = np.eye(4)
            T_world_cam[:3, :3] = look_rotation(forward)
            T_world_cam[:3, 3] = (
                np.array([x, y, CAMERA_HEIGHT_M])
                + camera.offset_m[0] * forward_car
                + camera.offset_m[1] * left_car
            )
            K_px = intrinsics_from_fov(width, height, RIG_HFOV_DEG)
            cameras.append(
                CameraFrame(
                    frame_id=rig_frame_id(step, camera),
                    K_px=tuple(tuple(float(v) for v in row) for row in K_px),
                    T_world_cam=tuple(tuple(float(v) for v in row) for row in T_world_cam),
                    width=width,
                    height=height,
                )
            )
    return cameras

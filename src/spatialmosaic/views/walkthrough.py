"""Camera walkthroughs for built-in rooms (ours): a handheld-like loop at eye height.

The camera circles the room on a wobbling ellipse kept away from the walls, looks across the
room with a smoothly swinging heading and a slight downward pitch, and bobs between the
configured eye heights, so consecutive frames overlap a lot while distant frames see other
parts of the room (which is what low-overlap view sets need).
"""

from __future__ import annotations

import numpy as np

from spatialmosaic.records import CameraFrame
from spatialmosaic.scene_io import Scene

WALL_CLEARANCE_M = 1.0
HEADING_SWING_RAD = np.deg2rad(50.0)
PITCH_DOWN_RAD = (np.deg2rad(8.0), np.deg2rad(25.0))


def frame_id(index: int) -> str:
    """ScanNet++ style frame name."""
    return f"frame_{index:06d}"


def intrinsics_from_fov(width: int, height: int, hfov_deg: float) -> np.ndarray:
    """Square pixels, principal point at the image centre."""
    fx = (width / 2) / np.tan(np.deg2rad(hfov_deg) / 2)
    return np.array([[fx, 0.0, width / 2], [0.0, fx, height / 2], [0.0, 0.0, 1.0]])


def look_rotation(forward_world: np.ndarray) -> np.ndarray:
    """R_world_cam for OpenCV axes (x right, y down, z forward) with world +Z up."""
    forward = forward_world / np.linalg.norm(forward_world)
    right = np.cross(forward, [0.0, 0.0, 1.0])
    right /= np.linalg.norm(right)
    down = np.cross(forward, right)
    return np.stack([right, down, forward], axis=1)


def walkthrough_cameras(
    room_size_m: tuple[float, float],
    rng: np.random.Generator,
    n_frames: int,
    width: int,
    height: int,
    hfov_deg: float,
    eye_height_range_m: tuple[float, float],
) -> list[CameraFrame]:
    """Cameras along one loop around a room spanning [0, w] x [0, d] (floor at z = 0)."""
    room_w, room_d = room_size_m
    radius_x = max(0.2, room_w / 2 - WALL_CLEARANCE_M)
    radius_y = max(0.2, room_d / 2 - WALL_CLEARANCE_M)
    phase = rng.uniform(0, 2 * np.pi, size=4)
    start = rng.uniform(0, 2 * np.pi)
    K_px = intrinsics_from_fov(width, height, hfov_deg)
    low, high = eye_height_range_m
    cameras = []
    for index in range(n_frames):
        theta = start + 2 * np.pi * index / n_frames
        wobble = 1.0 - 0.25 * (0.5 + 0.5 * np.sin(3 * theta + phase[0]))
        position = np.array(
            [
                room_w / 2 + wobble * radius_x * np.cos(theta),
                room_d / 2 + wobble * radius_y * np.sin(theta),
                low + (high - low) * (0.5 + 0.5 * np.sin(2 * theta + phase[1])),
            ]
        )
        heading = theta + np.pi + HEADING_SWING_RAD * np.sin(2 * theta + phase[2])
        pitch = -(
            PITCH_DOWN_RAD[0]
            + (PITCH_DOWN_RAD[1] - PITCH_DOWN_RAD[0]) * (0.5 + 0.5 * np.sin(3 * theta + phase[3]))
        )
        forward = np.array(
            [np.cos(heading) * np.cos(pitch), np.sin(heading) * np.cos(pitch), np.sin(pitch)]
        )
        T_world_cam = np.eye(4)
        T_world_cam[:3, :3] = look_rotation(forward)
        T_world_cam[:3, 3] = position
        cameras.append(
            CameraFrame(
                frame_id=frame_id(index),
                K_px=tuple(tuple(float(v) for v in row) for row in K_px),
                T_world_cam=tuple(tuple(float(v) for v in row) for row in T_world_cam),
                width=width,
                height=height,
            )
        )
    return cameras


def builtin_room_walkthrough(
    index: int, frames: int, width: int, height: int, seed: int = 0
) -> tuple[Scene, list[CameraFrame]]:
    """A built-in room with the default config's catalog, object counts, field of view and eye
    heights, and its walkthrough, without files: for tests and benchmarks."""
    from spatialmosaic.provenance import derive_rng
    from spatialmosaic.scenes.builtin import FurnitureLibrary, build_builtin_scene
    from spatialmosaic.scenes.catalog import FURNITURE_DIR

    name = f"ours_indoor_{index:04d}"
    library = FurnitureLibrary(FURNITURE_DIR, ("CC0-1.0",))
    scene = build_builtin_scene(name, library, derive_rng(seed, "scenes", name), 10, 16)
    rng = derive_rng(seed, "views", name)
    room = tuple(scene.info["room_size_m"])
    return scene, walkthrough_cameras(room, rng, frames, width, height, 67.0, (1.2, 1.8))

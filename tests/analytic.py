"""Tiny analytic scenes and cameras whose answers are known in closed form."""

from __future__ import annotations

import functools

import numpy as np

from spatialmosaic.records import CameraFrame, SceneObject
from spatialmosaic.scene_io import Scene


def quad(x0: float, x1: float, y0: float, y1: float, z: float) -> tuple[np.ndarray, np.ndarray]:
    """A rectangle in the plane z = const (two triangles)."""
    vertices = np.array([[x0, y0, z], [x1, y0, z], [x1, y1, z], [x0, y1, z]], dtype=np.float64)
    return vertices, np.array([[0, 1, 2], [0, 2, 3]])


def box(lo: tuple[float, float, float], hi: tuple[float, float, float]):
    corners = np.array(
        [[x, y, z] for z in (lo[2], hi[2]) for y in (lo[1], hi[1]) for x in (lo[0], hi[0])],
        dtype=np.float64,
    )
    quads = [(0, 2, 3, 1), (4, 5, 7, 6), (0, 1, 5, 4), (2, 6, 7, 3), (0, 4, 6, 2), (1, 3, 7, 5)]
    triangles = [[a, b, c] for a, b, c, _ in quads] + [[a, c, d] for a, _, c, d in quads]
    return corners, np.array(triangles)


def make_scene(parts: list[tuple[int, str, bool, tuple[np.ndarray, np.ndarray]]]) -> Scene:
    """Scene from (instance_id, category, structural, (vertices, triangles)) parts."""
    return Scene.from_parts("analytic", parts)


def camera_at(
    frame_id: str = "frame_000000", position=(0.0, 0.0, 0.0), width=100, height=80, focal_px=50.0
) -> CameraFrame:
    """Camera looking down world +Z with OpenCV axes equal to world axes."""
    T_world_cam = np.eye(4)
    T_world_cam[:3, 3] = position
    K_px = [[focal_px, 0.0, width / 2], [0.0, focal_px, height / 2], [0.0, 0.0, 1.0]]
    return CameraFrame(
        frame_id,
        tuple(tuple(row) for row in K_px),
        tuple(tuple(float(v) for v in row) for row in T_world_cam),
        width,
        height,
    )


@functools.cache
def builtin_scene_and_cameras(
    frames: int = 3, width: int = 160, height: int = 120, index: int = 0
) -> tuple[Scene, list[CameraFrame]]:
    """A built-in room from the Debian CC0 catalog with a walkthrough (skips without it)."""
    import pytest

    from spatialmosaic.scenes.catalog import FURNITURE_DIR
    from spatialmosaic.views.walkthrough import builtin_room_walkthrough

    if not any(FURNITURE_DIR.glob("*.sh3f")):
        pytest.skip("Debian sweethome3d-furniture not installed")
    return builtin_room_walkthrough(index, frames, width, height)


def half_hidden_board(tmp_path):
    """Frame 0 sees the board alone; frame 1 sees it half behind a nearer panel."""
    shifted = camera_at("frame_000001", position=(10.0, 0.0, 0.0))
    scene = make_scene(
        [
            (1, "board", False, quad(-0.49, 0.49, -0.49, 0.49, 2.0)),
            (2, "board", False, quad(9.51, 10.49, -0.49, 0.49, 2.0)),
            (3, "panel", False, quad(10.001, 11.5, -1.0, 1.0, 1.0)),
        ]
    )
    cameras = [camera_at("frame_000000"), shifted]
    from spatialmosaic.render.frames import render_scene
    from spatialmosaic.visibility.observe import observe_scene

    render_scene(scene, cameras, tmp_path / "render", jpeg_quality=90)
    visibility, _ = observe_scene(scene, cameras, tmp_path / "render", 1, 0.05)
    return scene, cameras, visibility


def floor_crossing_camera_plane() -> tuple[Scene, int, int]:
    """A floor y = 0.3 under :func:`camera_at` from z = -1 to z = 4, x in [-1, 1], and its
    (S_full, S_in) in closed form. Row v sees it at z = 15 / (v + 0.5 - 40) and covers the
    columns with |u + 0.5 - 50| <= 50 / z; rows run from 44 (z <= 4) to the cap, 2H - 1 = 159;
    columns are capped to [-W, 2W)."""
    floor = (
        np.array([[-1.0, 0.3, -1.0], [1.0, 0.3, -1.0], [1.0, 0.3, 4.0], [-1.0, 0.3, 4.0]]),
        np.array([[0, 1, 2], [0, 2, 3]]),
    )
    full = in_image = 0
    for v in range(44, 160):
        half_width = 50 * (v + 0.5 - 40) / 15
        columns = [u for u in range(-100, 200) if abs(u + 0.5 - 50) <= half_width]
        full += len(columns)
        in_image += sum(0 <= u < 100 for u in columns) if v < 80 else 0
    return make_scene([(1, "rug", False, floor)]), full, in_image


# A 4 x 2 texture whose texels all differ: texel (row r, column c) is (10 r, 10 c, 200).
TEXTURE = np.array([[[10 * r, 10 * c, 200] for c in range(4)] for r in range(2)], dtype=np.uint8)


def textured_quad(uv_scale: float = 1.0) -> Scene:
    """The square x, y in [-1, 1] at z = 2 (camera_at looks down +Z), UV (0, 0) at (-1, -1) and
    (s, s) at (1, 1); image rows grow with world y (camera y is down), so v = 0 is the top row
    of the image and the texture's bottom row."""
    vertices = np.array([[-1, -1, 2], [1, -1, 2], [1, 1, 2], [-1, 1, 2]], dtype=np.float64)
    triangles = np.array([[0, 1, 2], [0, 2, 3]])
    corner_uv = np.array([[0, 0], [1, 0], [1, 1], [0, 1]], dtype=np.float32) * uv_scale
    obj = SceneObject(1, "board", False, (-1.0, -1.0, 2.0), (1.0, 1.0, 2.0))
    return Scene(
        "quad",
        (obj,),
        vertices,
        triangles,
        np.ones(2, np.uint16),
        np.full((2, 3), 9, np.uint8),
        {},
        textures=(TEXTURE,),
        face_texture=np.zeros(2, np.int16),
        face_uv=corner_uv[triangles],
    )

"""Room shapes and structure in closed form: L outlines, walls enclosing them, openings."""

from __future__ import annotations

import numpy as np
import pytest

from spatialmosaic.raycast import make_raycaster
from spatialmosaic.scenes.layout import Opening, OpeningKind, Rect, RoomShape
from spatialmosaic.scenes.materials import TextureImage
from spatialmosaic.scenes.structure import (
    WALL_THICKNESS_M,
    keep_clear_boxes,
    plan_openings,
    structure_parts,
)
from spatialmosaic.views.walkthrough import inside_outline

W, D = 5.0, 4.0
NOTCHES = {
    "none": None,
    "x0y0": Rect(0.0, 0.0, 2.0, 1.5),
    "x1y0": Rect(3.0, 0.0, 5.0, 1.5),
    "x1y1": Rect(3.0, 2.5, 5.0, 4.0),
    "x0y1": Rect(0.0, 2.5, 2.0, 4.0),
}
FLOOR = TextureImage("floor", np.full((4, 4, 3), 120, np.uint8))


def shoelace(points) -> float:
    x, y = np.asarray(points).T
    return float((x * np.roll(y, -1) - np.roll(x, -1) * y).sum() / 2)


@pytest.mark.parametrize("corner", sorted(NOTCHES))
def test_outline_is_counter_clockwise_with_the_notch_removed(corner):
    shape = RoomShape(W, D, NOTCHES[corner])
    outline = shape.outline()
    notch_area = 0.0 if NOTCHES[corner] is None else NOTCHES[corner].area
    assert shoelace(outline) == pytest.approx(W * D - notch_area)  # positive: CCW
    assert len(outline) == (4 if NOTCHES[corner] is None else 6)
    assert sum(part.area for part in shape.parts()) == pytest.approx(shape.floor_area_m2)
    reflex = [not w.convex_start for w in shape.walls()]
    assert sum(reflex) == (0 if NOTCHES[corner] is None else 1)
    for wall in shape.walls():  # the inward normal points into the floor
        mid = wall.point(wall.length / 2, 0.05)
        assert inside_outline(np.array([mid]), np.asarray(outline))[0]


@pytest.mark.parametrize("corner", sorted(NOTCHES))
def test_walls_enclose_the_outline_and_stay_outside_it(corner):
    shape = RoomShape(W, D, NOTCHES[corner])
    outline = np.asarray(shape.outline())
    parts = structure_parts(shape, 2.6, [], np.array([200, 200, 200], np.uint8), FLOOR)
    boxes = [
        (vertices.min(axis=0), vertices.max(axis=0))
        for part in parts
        if part.category == "wall"
        for vertices, *_ in part.meshes
    ]
    # A ring of points half a wall outside the outline, outer corners included, is all wall.
    ring = []
    half = WALL_THICKNESS_M / 2
    for wall in shape.walls():
        first = -half if wall.convex_start else 0.0
        last = wall.length + (half if wall.convex_end else 0.0)
        ring += [wall.point(t, -half) for t in np.linspace(first, last, 60)]
    for x, y in ring:
        assert any(lo[0] <= x <= hi[0] and lo[1] <= y <= hi[1] for lo, hi in boxes), (x, y)
    for lo, hi in boxes:  # no wall reaches into the room: a grid over each box stays outside
        xs, ys = np.linspace(lo[0], hi[0], 9), np.linspace(lo[1], hi[1], 9)
        grid = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)
        assert not inside_outline(grid, outline, 1e-6).any()


def test_openings_split_walls_and_doors_keep_their_swing_clear():
    shape = RoomShape(W, D)
    door = Opening(OpeningKind.DOOR, 0, 1.0, 1.9, 0.0, 2.05)
    window = Opening(OpeningKind.WINDOW, 1, 1.0, 2.2, 0.9, 2.3)
    parts = structure_parts(shape, 2.6, [door, window], np.array([200] * 3, np.uint8), FLOOR)
    categories = [p.category for p in parts]
    assert categories.count("door") == categories.count("window") == 1
    south = next(p for p in parts if p.category == "wall")  # wall 0 runs along y = 0
    spans = sorted((v[:, 0].min(), v[:, 0].max(), v[:, 2].min()) for v, *_ in south.meshes)
    # full height left of the door, the lintel above it, full height right of it
    assert [round(s[0], 6) for s in spans] == [-WALL_THICKNESS_M, 1.0, 1.9]
    boxes = keep_clear_boxes(shape, 2.6, [door, window])
    swing = boxes[0]
    assert swing.rect.y0 == 0 and swing.rect.y1 == pytest.approx(0.9 + 0.1)
    assert (swing.z0_m, swing.z1_m) == (0.0, 2.6)
    assert all(box.z0_m > 0.8 for box in boxes[1:])  # low furniture may stand under a window


def test_planned_openings_fit_their_walls():
    rng = np.random.default_rng(3)
    for _ in range(20):
        shape = RoomShape(4.0, 3.5, Rect(2.5, 2.2, 4.0, 3.5))
        openings = plan_openings(shape, 2.6, "bedroom", rng)
        walls = shape.walls()
        assert [o.kind for o in openings].count(OpeningKind.DOOR) == 1
        for opening in openings:
            assert 0 < opening.along0_m < opening.along1_m < walls[opening.wall].length
            assert opening.top_m <= 2.6


def test_notch_must_be_a_corner_rectangle():
    with pytest.raises(ValueError, match="corner rectangle"):
        RoomShape(W, D, Rect(1.0, 1.0, 2.0, 2.0))


def test_both_ray_casters_see_the_same_walls_of_an_l_room():
    """Walls meeting at a reflex corner, sills and door leaves share no face plane, so the
    ray casters agree on every pixel's instance (coplanar faces of two instances would not)."""
    from analytic import camera_at
    from spatialmosaic.records import CameraFrame
    from spatialmosaic.scenes.meshes import SceneAssembler
    from spatialmosaic.views.walkthrough import look_rotation

    shape = RoomShape(W, D, NOTCHES["x1y1"])
    openings = [
        Opening(OpeningKind.DOOR, 0, 1.0, 1.9, 0.0, 2.05),
        Opening(OpeningKind.WINDOW, 5, 1.0, 2.0, 0.9, 2.3),
    ]
    assembler = SceneAssembler()
    for part in structure_parts(shape, 2.6, openings, np.array([200] * 3, np.uint8), FLOOR):
        assembler.add(part.category, True, part.meshes, {"kind": "structure"})
    scene = assembler.build("l", {})
    template = camera_at(width=120, height=90, focal_px=60.0)
    for position, target in [
        ((1.5, 1.2, 1.5), (3.0, 2.5, 1.2)),
        ((0.8, 3.2, 1.4), (0.0, 1.6, 1.0)),
    ]:
        pose = np.eye(4)
        pose[:3, :3] = look_rotation(np.subtract(target, position))
        pose[:3, 3] = position
        camera = CameraFrame("f", template.K_px, tuple(map(tuple, pose)), 120, 90)
        ids = []
        for backend in ("open3d-cpu", "warp-cpu"):
            hits = make_raycaster(scene.vertices_world_m, scene.triangles, backend).cast_image(
                camera
            )
            assert (hits.triangle >= 0).all()
            ids.append(scene.face_instance[hits.triangle])
        assert np.array_equal(ids[0], ids[1])

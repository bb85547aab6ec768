"""A room's structure: walls along the outline with door and window openings, floor, ceiling,
door leaves and windows (ours). Every part is a structural instance: it occludes, but no
question is asked about it (``taxonomy.STRUCTURAL_CATEGORIES``).

Walls stand outside the outline (``WALL_THICKNESS_M`` thick) and run past convex corners by
their thickness (stopping short of reflex ones by it), so the shell is closed; doors are
closed leaves set into their opening, and a window is a frame, a glass pane and a sill, so no
ray leaves the room.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from spatialmosaic.scenes.layout import Box, Opening, OpeningKind, RoomShape, WallSegment
from spatialmosaic.scenes.materials import TextureImage
from spatialmosaic.scenes.meshes import FaceTextures, box_mesh

WALL_THICKNESS_M = 0.1
WALL_END_CLEARANCE_M = 0.25  # an opening keeps this far from the wall's ends
DOOR_WIDTH_RANGE_M = (0.8, 0.95)
DOOR_HEIGHT_RANGE_M = (2.0, 2.1)
WINDOW_WIDTH_RANGE_M = (0.8, 1.6)
WINDOW_SILL_RANGE_M = (0.8, 1.0)
BATHROOM_SILL_M = 1.2  # bathroom windows sit higher
WINDOW_HEAD_BELOW_CEILING_M = 0.3
WINDOW_COUNT_RANGE = (1, 2)
OPENING_SPACING_M = 0.4  # solid wall between two openings
CASING_WIDTH_M = 0.07  # door trim around the opening, on the room side
CASING_DEPTH_M = 0.02
LEAF_THICKNESS_M = 0.04
HANDLE_HEIGHT_M = 1.0
FRAME_BAR_M = 0.05  # window frame and mullion width
PANE_THICKNESS_M = 0.01
MULLION_MIN_WIDTH_M = 1.0  # wider windows get a vertical bar in the middle
SILL_PROTRUSION_M = 0.06
SILL_THICKNESS_M = 0.04
DOOR_SWING_MARGIN_M = 0.1  # clear floor beyond the leaf's swing, each side
WINDOW_FRONT_DEPTH_M = 0.5  # nothing much taller than the sill stands this close to a window
WINDOW_SILL_ALLOWANCE_M = 0.2  # how far a piece there may rise above the sill (a headboard)

FLOOR_TEXTURE_PX = 256
FLOOR_TILE_M = 1.2  # one texture repeat, in metres
PLANKS_PER_TILE = 8
TILES_PER_TILE = 4

STRUCTURE_RGB = {
    "ceiling": (240, 240, 236),
    "door_leaf": (226, 222, 212),
    "trim": (244, 244, 240),
    "glass": (176, 204, 228),
    "handle": (150, 150, 155),
}


@dataclass(frozen=True)
class StructurePart:
    """One structural instance: its category and meshes, (vertices, triangles, rgb) with
    :class:`FaceTextures` as a fourth element where textured (the floor)."""

    category: str
    meshes: list[tuple]


def plan_openings(
    shape: RoomShape, height_m: float, room_type: str, rng: np.random.Generator
) -> list[Opening]:
    """One door on a random wall, and 1-2 windows where walls have room for them."""
    walls = shape.walls()
    usable = [w for w in walls if w.length >= DOOR_WIDTH_RANGE_M[1] + 2 * WALL_END_CLEARANCE_M]
    door_wall = usable[int(rng.integers(len(usable)))]
    openings = [_door(door_wall, rng)]
    sill_low, sill_high = WINDOW_SILL_RANGE_M
    if room_type == "bathroom":
        sill_low = sill_high = BATHROOM_SILL_M
    n_windows = int(rng.integers(WINDOW_COUNT_RANGE[0], WINDOW_COUNT_RANGE[1] + 1))
    for wall in rng.permutation(len(walls)).tolist():
        if len([o for o in openings if o.kind is OpeningKind.WINDOW]) == n_windows:
            break
        width = float(rng.uniform(*WINDOW_WIDTH_RANGE_M))
        span = walls[wall].length - 2 * WALL_END_CLEARANCE_M - width
        if span <= 0:
            continue
        start = WALL_END_CLEARANCE_M + float(rng.uniform(0, span))
        candidate = Opening(
            OpeningKind.WINDOW,
            wall,
            start,
            start + width,
            float(rng.uniform(sill_low, sill_high)),
            height_m - WINDOW_HEAD_BELOW_CEILING_M,
        )
        if not any(_too_close(candidate, other) for other in openings):
            openings.append(candidate)
    return openings


def _door(wall: WallSegment, rng: np.random.Generator) -> Opening:
    width = float(rng.uniform(*DOOR_WIDTH_RANGE_M))
    start = WALL_END_CLEARANCE_M + float(
        rng.uniform(0, wall.length - 2 * WALL_END_CLEARANCE_M - width)
    )
    return Opening(
        OpeningKind.DOOR,
        wall.index,
        start,
        start + width,
        0.0,
        float(rng.uniform(*DOOR_HEIGHT_RANGE_M)),
    )


def _too_close(a: Opening, b: Opening) -> bool:
    return (
        a.wall == b.wall
        and a.along0_m < b.along1_m + OPENING_SPACING_M
        and (b.along0_m < a.along1_m + OPENING_SPACING_M)
    )


def keep_clear_boxes(shape: RoomShape, height_m: float, openings: list[Opening]) -> list[Box]:
    """Space furniture must leave free: a door's swing, a window's sill, and the space in front
    of a window above its sill (low furniture such as radiators may stand under it)."""
    walls = shape.walls()
    boxes = []
    for opening in openings:
        wall = walls[opening.wall]
        if opening.kind is OpeningKind.DOOR:
            band = wall.band(
                opening.along0_m - DOOR_SWING_MARGIN_M,
                opening.along1_m + DOOR_SWING_MARGIN_M,
                opening.width_m + DOOR_SWING_MARGIN_M,
            )
            boxes.append(Box(band, 0.0, height_m))
        else:
            sill = wall.band(
                opening.along0_m - FRAME_BAR_M, opening.along1_m + FRAME_BAR_M, SILL_PROTRUSION_M
            )
            boxes.append(Box(sill, opening.bottom_m - SILL_THICKNESS_M, opening.top_m))
            front = wall.band(opening.along0_m, opening.along1_m, WINDOW_FRONT_DEPTH_M)
            boxes.append(Box(front, opening.bottom_m + WINDOW_SILL_ALLOWANCE_M, opening.top_m))
    return boxes


def structure_parts(
    shape: RoomShape,
    height_m: float,
    openings: list[Opening],
    wall_rgb: np.ndarray,
    floor_image: TextureImage,
) -> list[StructurePart]:
    """Floor (textured with ``floor_image``), ceiling, one wall per outline edge (painted
    ``wall_rgb``, uint8) and one part per door or window."""
    t = WALL_THICKNESS_M
    parts = []
    floor_meshes = []
    for rect in shape.parts():
        grown = rect.grown(t)
        vertices, triangles = box_mesh(
            np.array([grown.x0, grown.y0, -t]), np.array([grown.x1, grown.y1, 0.0])
        )
        uv = vertices[triangles][..., :2] / FLOOR_TILE_M  # planar mapping, repeating
        faces = FaceTextures(uv, np.zeros(len(triangles), np.int16), (floor_image,))
        mean_rgb = np.round(floor_image.mean_rgb * 255).astype(np.uint8)
        floor_meshes.append((vertices, triangles, mean_rgb, faces))
    parts.append(StructurePart("floor", floor_meshes))
    ceiling = [
        (
            *box_mesh(
                np.array([r.grown(t).x0, r.grown(t).y0, height_m]),
                np.array([r.grown(t).x1, r.grown(t).y1, height_m + t]),
            ),
            np.array(STRUCTURE_RGB["ceiling"]),
        )
        for r in shape.parts()
    ]
    parts.append(StructurePart("ceiling", ceiling))
    for wall in shape.walls():
        mine = sorted((o for o in openings if o.wall == wall.index), key=lambda o: o.along0_m)
        parts.append(
            StructurePart("wall", [(*m, wall_rgb) for m in _wall_pieces(wall, height_m, mine)])
        )
    walls = shape.walls()
    for opening in openings:
        maker = _door_meshes if opening.kind is OpeningKind.DOOR else _window_meshes
        parts.append(StructurePart(opening.kind.value, maker(walls[opening.wall], opening)))
    return parts


def _wall_box(
    wall: WallSegment,
    along: tuple[float, float],
    z: tuple[float, float],
    inward: tuple[float, float],
) -> tuple[np.ndarray, np.ndarray]:
    """A box spanning ``along`` the wall, ``z`` in height and ``inward`` across the wall
    (negative: into the wall)."""
    a = wall.point(along[0], inward[0])
    b = wall.point(along[1], inward[1])
    lo = np.array([min(a[0], b[0]), min(a[1], b[1]), z[0]])
    hi = np.array([max(a[0], b[0]), max(a[1], b[1]), z[1]])
    return box_mesh(lo, hi)


def _wall_pieces(
    wall: WallSegment, height_m: float, openings: list[Opening]
) -> list[tuple[np.ndarray, np.ndarray]]:
    t = WALL_THICKNESS_M
    # Past a convex corner the wall runs on by its thickness to close the corner; at a reflex
    # corner it stops short by it, so the next wall alone fills the corner and no two walls'
    # faces lie in one plane (ray casters disagree on which coplanar face is hit first).
    start = -t if wall.convex_start else 0.0
    end = wall.length + (t if wall.convex_end else -t)
    across = (-t, 0.0)
    pieces = []
    cursor = start
    for opening in openings:
        pieces.append(_wall_box(wall, (cursor, opening.along0_m), (0.0, height_m), across))
        span = (opening.along0_m, opening.along1_m)
        if opening.bottom_m > 0:  # below a window, up to its sill (which fills the wall)
            below = opening.bottom_m - SILL_THICKNESS_M
            pieces.append(_wall_box(wall, span, (0.0, below), across))
        pieces.append(_wall_box(wall, span, (opening.top_m, height_m), across))
        cursor = opening.along1_m
    pieces.append(_wall_box(wall, (cursor, end), (0.0, height_m), across))
    return pieces


def _door_meshes(
    wall: WallSegment, door: Opening
) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    t, c = WALL_THICKNESS_M, CASING_WIDTH_M
    a0, a1, top = door.along0_m, door.along1_m, door.top_m
    trim, leaf_rgb = np.array(STRUCTURE_RGB["trim"]), np.array(STRUCTURE_RGB["door_leaf"])
    casing = (0.0, CASING_DEPTH_M)
    leaf_inner = -t / 2 + LEAF_THICKNESS_M / 2
    return [
        (*_wall_box(wall, (a0 - c, a0), (0.0, top + c), casing), trim),
        (*_wall_box(wall, (a1, a1 + c), (0.0, top + c), casing), trim),
        (*_wall_box(wall, (a0, a1), (top, top + c), casing), trim),
        (
            *_wall_box(wall, (a0, a1), (0.0, top), (-t / 2 - LEAF_THICKNESS_M / 2, leaf_inner)),
            leaf_rgb,
        ),
        (
            *_wall_box(
                wall,
                (a1 - 0.14, a1 - 0.05),
                (HANDLE_HEIGHT_M - 0.02, HANDLE_HEIGHT_M + 0.02),
                (leaf_inner, leaf_inner + 0.06),
            ),
            np.array(STRUCTURE_RGB["handle"]),
        ),
    ]


def _window_meshes(
    wall: WallSegment, window: Opening
) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    t, f = WALL_THICKNESS_M, FRAME_BAR_M
    a0, a1, z0, z1 = window.along0_m, window.along1_m, window.bottom_m, window.top_m
    trim, glass = np.array(STRUCTURE_RGB["trim"]), np.array(STRUCTURE_RGB["glass"])
    frame = (-t / 2 - f / 2, -t / 2 + f / 2)
    pane = (-t / 2 - PANE_THICKNESS_M / 2, -t / 2 + PANE_THICKNESS_M / 2)
    meshes = [
        (*_wall_box(wall, (a0, a1), (z0, z1), pane), glass),
        (*_wall_box(wall, (a0, a0 + f), (z0, z1), frame), trim),
        (*_wall_box(wall, (a1 - f, a1), (z0, z1), frame), trim),
        (*_wall_box(wall, (a0, a1), (z0, z0 + f), frame), trim),
        (*_wall_box(wall, (a0, a1), (z1 - f, z1), frame), trim),
        (
            *_wall_box(
                wall, (a0 - f, a1 + f), (z0 - SILL_THICKNESS_M, z0), (-t, SILL_PROTRUSION_M)
            ),
            trim,
        ),
    ]
    if window.width_m >= MULLION_MIN_WIDTH_M:
        middle = (a0 + a1) / 2
        meshes.append((*_wall_box(wall, (middle - f / 2, middle + f / 2), (z0, z1), frame), trim))
    return meshes


def floor_texture(room_type: str, base_rgb: np.ndarray, rng: np.random.Generator) -> TextureImage:
    """A procedural floor: wooden planks, or square tiles in kitchens and bathrooms.

    One image covers ``FLOOR_TILE_M`` of floor and repeats; every plank or tile gets its own
    shade, and seams are darker.
    """
    px = FLOOR_TEXTURE_PX
    rows, columns = np.mgrid[0:px, 0:px]
    base = np.asarray(base_rgb, dtype=np.float64)
    if room_type in ("kitchen", "bathroom"):
        cell = px // TILES_PER_TILE
        shade = rng.uniform(0.92, 1.04, size=(TILES_PER_TILE, TILES_PER_TILE))
        image = base * shade[rows // cell, columns // cell][..., None]
        seam = (rows % cell < 3) | (columns % cell < 3)
        image[seam] = base * 0.62
    else:
        plank = px // PLANKS_PER_TILE
        stagger = rng.integers(0, px, size=PLANKS_PER_TILE)  # each row's plank ends
        row = rows // plank
        along = (columns + stagger[row]) % px
        piece = along // (px // 2)
        shade = rng.uniform(0.82, 1.08, size=(PLANKS_PER_TILE, 2))[row, piece]
        grain = 1 + 0.05 * np.sin(columns * 0.21 + rows * 1.7 + stagger[row])
        image = base * (shade * grain)[..., None]
        seam = (rows % plank < 2) | (along % (px // 2) < 2)
        image[seam] = base * 0.55
    rgb = np.clip(np.round(image), 0, 255).astype(np.uint8)
    return TextureImage(f"floor/{room_type}", rgb)

"""Built-in indoor scenes: furnished rooms from the Sweet Home 3D furniture catalogs (ours).

A room has a type (living room, bedroom, kitchen, office, bathroom, dining room; ``recipes``),
a shape (a rectangle or an L; ``layout``), walls with a door and windows, a floor and a ceiling
(structural instances; ``structure``). Its furniture follows the type's recipe (``furnish``):
large pieces against the walls facing into the room, seats around tables, small objects on
tables, shelves and counters; every model is scaled to its catalog size. Everything is drawn
from one generator seeded by (seed, scene name), so a scene is reproducible on its own.
"""

from __future__ import annotations

import numpy as np

from spatialmosaic.scene_io import Scene
from spatialmosaic.scenes.furnish import furnish
from spatialmosaic.scenes.layout import Rect, RoomShape
from spatialmosaic.scenes.library import FurnitureLibrary
from spatialmosaic.scenes.meshes import FaceTextures, SceneAssembler
from spatialmosaic.scenes.placement import Placement, RoomPlan
from spatialmosaic.scenes.recipes import RECIPES, ROOM_TYPES, RoomRecipe
from spatialmosaic.scenes.structure import (
    floor_texture,
    keep_clear_boxes,
    plan_openings,
    structure_parts,
)

__all__ = ["ROOM_TYPES", "FurnitureLibrary", "build_builtin_scene", "room_type_of"]

ROOM_HEIGHT_RANGE_M = (2.5, 2.9)
NOTCH_FRACTION_RANGE = (0.3, 0.45)  # an L's missing corner, as a share of each side
MIN_ARM_M = 2.2  # an L's narrowest part stays this wide, room for a walkthrough
WALL_SHADE_JITTER = 12  # per-room variation of the wall paint, per channel


def room_type_of(index: int, seed: int) -> str:
    """Room types cycle with the scene index (offset by the seed), so any 6 consecutive rooms
    hold every type."""
    return ROOM_TYPES[(index + seed) % len(ROOM_TYPES)]


def _room_shape(recipe: RoomRecipe, rng: np.random.Generator) -> RoomShape:
    width = float(rng.uniform(*recipe.width_range_m))
    depth = float(rng.uniform(*recipe.depth_range_m))
    if rng.random() >= recipe.l_shape_probability:
        return RoomShape(width, depth)
    notch_w = width * float(rng.uniform(*NOTCH_FRACTION_RANGE))
    notch_d = depth * float(rng.uniform(*NOTCH_FRACTION_RANGE))
    if width - notch_w < MIN_ARM_M or depth - notch_d < MIN_ARM_M:
        return RoomShape(width, depth)
    corner = int(rng.integers(4))  # counter-clockwise from (0, 0)
    x0, x1 = (0.0, notch_w) if corner in (0, 3) else (width - notch_w, width)
    y0, y1 = (0.0, notch_d) if corner in (0, 1) else (depth - notch_d, depth)
    return RoomShape(width, depth, Rect(x0, y0, x1, y1))


def build_builtin_scene(
    name: str,
    library: FurnitureLibrary,
    rng: np.random.Generator,
    objects_min: int,
    objects_max: int,
    room_type: str,
) -> Scene:
    """Generate one furnished room of ``room_type``. Deterministic given the generator's state.

    Args:
        objects_min, objects_max: range of the number of furniture objects (not counting
            walls, floor, ceiling, doors and windows) the room is furnished with.

    Raises:
        ValueError: an unknown room type, or a library without the pieces the room needs.
    """
    if room_type not in RECIPES:
        raise ValueError(f"scene {name}: room type {room_type!r}; known: {list(RECIPES)}")
    recipe = RECIPES[room_type]
    shape = _room_shape(recipe, rng)
    height = float(rng.uniform(*ROOM_HEIGHT_RANGE_M))
    openings = plan_openings(shape, height, room_type, rng)
    plan = RoomPlan(shape, height, keep_clear_boxes(shape, height, openings))
    furnish(plan, recipe, library, int(rng.integers(objects_min, objects_max + 1)), rng)
    if not plan.placements:
        raise ValueError(f"scene {name}: the library has no furniture for a {room_type}")

    paint = np.array(recipe.wall_rgbs[int(rng.integers(len(recipe.wall_rgbs)))])
    jitter = rng.integers(-WALL_SHADE_JITTER, WALL_SHADE_JITTER + 1, 3)
    wall_rgb = np.clip(paint + jitter, 0, 255).astype(np.uint8)
    floor_image = floor_texture(room_type, np.array(recipe.floor_rgb), rng)
    assembler = SceneAssembler()
    for part in structure_parts(shape, height, openings, wall_rgb, floor_image):
        assembler.add(part.category, True, part.meshes, {"kind": "structure"})
    instance_of: dict[int, int] = {}
    for index, placement in enumerate(plan.placements):
        mesh = _furniture_mesh(library, placement)
        source = _source(placement, instance_of)
        instance_of[index] = assembler.add(placement.label, False, [mesh], source)
    outline = [[round(x, 6), round(y, 6)] for x, y in shape.outline()]
    return assembler.build(
        name,
        {
            "source": "builtin",
            "domain": "indoor",
            "room_type": room_type,
            "room_shape": "l_shape" if shape.is_l_shape else "rectangle",
            "room_size_m": [shape.width_m, shape.depth_m],
            "room_outline_m": outline,
            "room_height_m": height,
            "openings": [
                {
                    "kind": o.kind.value,
                    "wall": o.wall,
                    "along_m": [o.along0_m, o.along1_m],
                    "z_m": [o.bottom_m, o.top_m],
                }
                for o in openings
            ],
        },
    )


def _furniture_mesh(library: FurnitureLibrary, placement: Placement) -> tuple:
    mesh = library.mesh(placement.model)
    rgb = np.clip(np.round(mesh.face_colors * 255), 0, 255).astype(np.uint8)
    vertices = placement.world_vertices(mesh.vertices)
    if not mesh.textures:
        return (vertices, mesh.triangles, rgb)
    textures = FaceTextures(mesh.corner_uvs, mesh.face_texture, mesh.textures)
    return (vertices, mesh.triangles, rgb, textures)


def _source(placement: Placement, instance_of: dict[int, int]) -> dict[str, str]:
    item = placement.item
    source = {
        "kind": "sweethome3d",
        "catalog": item.catalog,
        "item_id": item.item_id,
        "name": item.name,
        "licence": item.licence,
        "creator": item.creator,
        "support": placement.support.value,
    }
    if placement.host is not None:
        source["host_instance"] = str(instance_of[placement.host])
    return source

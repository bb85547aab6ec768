"""Built-in indoor scenes: a furnished room from the Sweet Home 3D furniture catalogs (ours).

A room is a rectangle with floor, ceiling and four walls (structural instances). Furniture of
the room type's catalog category is scaled to its catalog size, turned by multiples of 90
degrees, and placed against walls or in the open floor so that footprints never overlap;
small items stand on the top surface of tables and cabinets. Everything is drawn from one
generator seeded by (seed, scene name), so a scene is reproducible on its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from spatialmosaic.scene_io import Scene
from spatialmosaic.scenes.catalog import CatalogItem, find_catalogs, read_catalog
from spatialmosaic.scenes.meshes import SceneAssembler, box_mesh
from spatialmosaic.scenes.obj_model import load_catalog_model
from spatialmosaic.scenes.taxonomy import category_label

# Room type -> Sweet Home 3D catalog categories its furniture is drawn from.
ROOM_TYPES = {
    "living_room": ("Living room", "Lights"),
    "bedroom": ("Bedroom", "Lights"),
    "kitchen": ("Kitchen",),
    "office": ("Office", "Lights"),
    "bathroom": ("Bathroom",),
}
ROOM_WIDTH_RANGE_M = (3.8, 6.5)
ROOM_DEPTH_RANGE_M = (3.4, 5.5)
ROOM_HEIGHT_RANGE_M = (2.5, 2.9)
WALL_THICKNESS_M = 0.1
FOOTPRINT_GAP_M = 0.03  # free space kept between footprints (no interpenetration)
OPEN_FLOOR_MAX_HEIGHT_M = 1.1  # taller items stand against walls, below the camera path
SMALL_ITEM_MAX_SIZE_M = 0.45  # items this small may stand on tables and cabinets
PLACEMENT_TRIES = 60


@dataclass(frozen=True)
class Placement:
    item: CatalogItem
    zip_path: Path
    quarter_turns: int  # rotation about +Z by 90 degrees times this
    centre_xy_m: tuple[float, float]
    base_z_m: float

    @property
    def footprint_m(self) -> tuple[float, float]:
        w, d = self.item.width_m, self.item.depth_m
        return (d, w) if self.quarter_turns % 2 else (w, d)

    def rect(self) -> tuple[float, float, float, float]:
        (cx, cy), (fx, fy) = self.centre_xy_m, self.footprint_m
        return (cx - fx / 2, cy - fy / 2, cx + fx / 2, cy + fy / 2)


class FurnitureLibrary:
    """Catalog items usable in rooms, indexed by Sweet Home 3D category."""

    def __init__(self, furniture_dir: Path, licences: tuple[str, ...]) -> None:
        self.items: list[tuple[Path, CatalogItem]] = []
        for zip_path in find_catalogs(furniture_dir):
            for item in read_catalog(zip_path):
                if item.licence in licences and not item.door_or_window and item.elevation_m == 0:
                    self.items.append((zip_path, item))
        if not self.items:
            raise FileNotFoundError(
                f"no furniture with licences {list(licences)} in {furniture_dir}: install the "
                "Debian package 'sweethome3d-furniture' (apt-get install sweethome3d-furniture)"
            )
        self._meshes: dict[tuple[Path, str], object] = {}

    def pool(self, categories: tuple[str, ...]) -> list[tuple[Path, CatalogItem]]:
        return [(z, item) for z, item in self.items if item.category in categories]

    def mesh(self, zip_path: Path, item: CatalogItem):
        key = (zip_path, item.item_id)
        if key not in self._meshes:
            self._meshes[key] = load_catalog_model(zip_path, item)
        return self._meshes[key]


def _is_small(item: CatalogItem) -> bool:
    return max(item.width_m, item.depth_m, item.height_m) <= SMALL_ITEM_MAX_SIZE_M


def _flat_topped(item: CatalogItem) -> bool:
    """Tables and low cabinets whose top is their highest surface (no mirror or hood above)."""
    drop = item.drop_on_top_elevation_m
    return item.height_m <= 1.2 and (drop is None or drop >= 0.95 * item.height_m)


def _overlaps(a: tuple[float, ...], b: tuple[float, ...], gap: float) -> bool:
    return a[0] < b[2] + gap and b[0] < a[2] + gap and a[1] < b[3] + gap and b[1] < a[3] + gap


def _fits(
    rect: tuple[float, ...], taken: list[tuple[float, ...]], room: tuple[float, float]
) -> bool:
    inside = rect[0] >= 0 and rect[1] >= 0 and rect[2] <= room[0] and rect[3] <= room[1]
    return inside and not any(_overlaps(rect, other, FOOTPRINT_GAP_M) for other in taken)


def _wall_placement(item, zip_path, room, rng) -> Placement:
    """Back against a random wall, front facing into the room (model front is world -Y)."""
    width, depth = room
    wall = int(rng.integers(4))
    # quarter turns that make the front face into the room from walls north, south, east, west
    turns = (0, 2, 3, 1)[wall]
    probe = Placement(item, zip_path, turns, (0.0, 0.0), 0.0)
    fx, fy = probe.footprint_m
    slack = FOOTPRINT_GAP_M
    if wall in (0, 1):
        x = rng.uniform(fx / 2 + slack, max(fx / 2 + slack, width - fx / 2 - slack))
        y = depth - fy / 2 - slack if wall == 0 else fy / 2 + slack
    else:
        y = rng.uniform(fy / 2 + slack, max(fy / 2 + slack, depth - fy / 2 - slack))
        x = width - fx / 2 - slack if wall == 2 else fx / 2 + slack
    return Placement(item, zip_path, turns, (float(x), float(y)), 0.0)


def _open_floor_placement(item, zip_path, room, rng) -> Placement:
    turns = int(rng.integers(4))
    probe = Placement(item, zip_path, turns, (0.0, 0.0), 0.0)
    fx, fy = probe.footprint_m
    x = rng.uniform(fx / 2 + 0.6, max(fx / 2 + 0.6, room[0] - fx / 2 - 0.6))
    y = rng.uniform(fy / 2 + 0.6, max(fy / 2 + 0.6, room[1] - fy / 2 - 0.6))
    return Placement(item, zip_path, turns, (float(x), float(y)), 0.0)


def _place_floor_items(pool, count, room, rng) -> list[Placement]:
    """Draw ``count`` items (models repeat, so categories have several instances) and place them."""
    floor_pool = [
        (z, it)
        for z, it in pool
        if not _is_small(it) and max(it.width_m, it.depth_m) <= 0.45 * min(room)
    ]
    distinct = min(len(floor_pool), max(2, count // 2))
    chosen = rng.choice(len(floor_pool), size=distinct, replace=False)
    draws = rng.choice(chosen, size=count, replace=True)
    placements: list[Placement] = []
    for index in sorted(
        draws.tolist(), key=lambda i: -floor_pool[i][1].width_m * floor_pool[i][1].depth_m
    ):
        zip_path, item = floor_pool[index]
        for _ in range(PLACEMENT_TRIES):
            tall = item.height_m > OPEN_FLOOR_MAX_HEIGHT_M
            against_wall = tall or rng.random() < 0.6
            maker = _wall_placement if against_wall else _open_floor_placement
            placement = maker(item, zip_path, room, rng)
            if _fits(placement.rect(), [p.rect() for p in placements], room):
                placements.append(placement)
                break
    return placements


def _place_small_items(pool, supports, count, rng) -> list[Placement]:
    """Put small items on the top surfaces of placed tables, desks and cabinets."""
    small = [(z, it) for z, it in pool if _is_small(it)]
    hosts = [p for p in supports if _flat_topped(p.item) and min(p.footprint_m) >= 0.35]
    placed: list[Placement] = []
    if not small or not hosts:
        return placed
    for _ in range(count):
        zip_path, item = small[int(rng.integers(len(small)))]
        host = hosts[int(rng.integers(len(hosts)))]
        top = host.item.height_m
        x0, y0, x1, y1 = host.rect()
        turns = int(rng.integers(4))
        fx, fy = Placement(item, zip_path, turns, (0, 0), 0).footprint_m
        if fx > x1 - x0 - 0.04 or fy > y1 - y0 - 0.04:
            continue
        for _ in range(PLACEMENT_TRIES // 4):
            centre = (
                rng.uniform(x0 + fx / 2 + 0.02, x1 - fx / 2 - 0.02),
                rng.uniform(y0 + fy / 2 + 0.02, y1 - fy / 2 - 0.02),
            )
            candidate = Placement(item, zip_path, turns, (float(centre[0]), float(centre[1])), top)
            same_host = [p.rect() for p in placed if p.base_z_m == top]
            if not any(_overlaps(candidate.rect(), r, FOOTPRINT_GAP_M) for r in same_host):
                placed.append(candidate)
                break
    return placed


def _structure(
    room: tuple[float, float], height: float
) -> list[tuple[str, np.ndarray, np.ndarray]]:
    w, d, t = room[0], room[1], WALL_THICKNESS_M
    slabs = {
        "floor": ((-t, -t, -t), (w + t, d + t, 0.0)),
        "ceiling": ((-t, -t, height), (w + t, d + t, height + t)),
        "wall_north": ((-t, d, 0.0), (w + t, d + t, height)),
        "wall_south": ((-t, -t, 0.0), (w + t, 0.0, height)),
        "wall_east": ((w, 0.0, 0.0), (w + t, d, height)),
        "wall_west": ((-t, 0.0, 0.0), (0.0, d, height)),
    }
    return [(name, *box_mesh(np.array(lo), np.array(hi))) for name, (lo, hi) in slabs.items()]


def build_builtin_scene(
    name: str,
    library: FurnitureLibrary,
    rng: np.random.Generator,
    objects_min: int,
    objects_max: int,
) -> Scene:
    """Generate one furnished room. Deterministic given the generator's state."""
    room_type = sorted(ROOM_TYPES)[int(rng.integers(len(ROOM_TYPES)))]
    room = (float(rng.uniform(*ROOM_WIDTH_RANGE_M)), float(rng.uniform(*ROOM_DEPTH_RANGE_M)))
    height = float(rng.uniform(*ROOM_HEIGHT_RANGE_M))
    pool = library.pool(ROOM_TYPES[room_type])
    if not pool:
        raise ValueError(f"scene {name}: no catalog items for room type {room_type}")
    count = int(rng.integers(objects_min, objects_max + 1))
    n_small = count // 3
    floor = _place_floor_items(pool, count - n_small, room, rng)
    small = _place_small_items(pool, floor, n_small, rng)

    assembler = SceneAssembler()
    wall_rgb = np.array([235, 228, 214]) - rng.integers(0, 30, size=3)
    colours = {"floor": np.array([150, 112, 80]), "ceiling": np.array([240, 240, 236])}
    for part, verts, tris in _structure(room, height):
        category = part.split("_")[0]
        rgb = colours.get(category, wall_rgb).astype(np.uint8)
        assembler.add(category, True, [(verts, tris, rgb)], {"kind": "structure"})
    for placement in floor + small:
        mesh = library.mesh(placement.zip_path, placement.item)
        angle = placement.quarter_turns * np.pi / 2
        rotation = np.array(
            [[np.cos(angle), -np.sin(angle), 0], [np.sin(angle), np.cos(angle), 0], [0, 0, 1]]
        )
        verts = mesh.vertices @ rotation.T
        verts = verts + np.array([*placement.centre_xy_m, placement.base_z_m])
        rgb = np.clip(np.round(mesh.face_colors * 255), 0, 255).astype(np.uint8)
        item = placement.item
        source = {
            "kind": "sweethome3d",
            "catalog": item.catalog,
            "item_id": item.item_id,
            "name": item.name,
            "licence": item.licence,
            "creator": item.creator,
        }
        assembler.add(category_label(item.name), False, [(verts, mesh.triangles, rgb)], source)

    return assembler.build(
        name,
        {
            "source": "builtin",
            "domain": "indoor",
            "room_type": room_type,
            "room_size_m": [room[0], room[1]],
            "room_height_m": height,
        },
    )

"""Where a catalog piece may go in a room: the geometric placement rules (ours).

A :class:`Placement` is a catalog item turned by quarter turns about +Z (its front faces
``FRONT_BY_QUARTER_TURNS``) and put at a floor point and a base height. :class:`RoomPlan`
holds the room, the space doors and windows keep clear, and the pieces placed so far; a new
piece fits when its box is inside the room, below the ceiling, clear of doors and windows, and
does not come within a gap of any other piece's box (the piece it stands on excepted). Each
rule draws candidates from the generator and returns the first that fits, or ``None``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import Enum

import numpy as np

from spatialmosaic.scenes.catalog import CatalogItem
from spatialmosaic.scenes.layout import FRONT_BY_QUARTER_TURNS, Box, Rect, RoomShape, WallSegment
from spatialmosaic.scenes.library import Model

FOOTPRINT_GAP_M = 0.03  # free floor between two pieces
WALL_GAP_M = 0.01  # between a piece's back and its wall
CENTRE_WALL_MARGIN_M = 0.75  # free-standing pieces leave this much floor to every wall
SEAT_GAP_M = 0.06  # between a seat and the table it faces
SEAT_SPACING_M = 0.1  # between neighbouring seats
FLANK_FORWARD_M = 0.35  # flanking seats stand this far in front of the anchor's front
FLANK_OUTSET_M = 0.15  # and this far beyond its ends
BESIDE_GAP_M = 0.04
FACING_JITTER_M = 0.25  # spread of a facing piece around the point opposite its anchor
TRIES = 40
QUARTER_TURNS = 4


class Support(Enum):
    """What a placed piece rests on."""

    FLOOR = "floor"
    SURFACE = "surface"  # a surface of another piece (``Placement.host``)
    WALL = "wall"  # hung on a wall at a height
    CEILING = "ceiling"


@dataclass(frozen=True, slots=True)
class Placement:
    model: Model
    quarter_turns: int = 0
    centre_xy_m: tuple[float, float] = (0.0, 0.0)
    base_z_m: float = 0.0
    support: Support = Support.FLOOR
    host: int | None = None  # index of the supporting piece in the plan
    wall: int | None = None  # index of the wall it backs onto

    @property
    def item(self) -> CatalogItem:
        return self.model.item

    @property
    def label(self) -> str:
        return self.model.label

    @property
    def footprint_m(self) -> tuple[float, float]:
        """Extent along world x and y."""
        w, d = self.item.width_m, self.item.depth_m
        return (d, w) if self.quarter_turns % 2 else (w, d)

    @property
    def rect(self) -> Rect:
        return Rect.around(self.centre_xy_m, self.footprint_m)

    @property
    def box(self) -> Box:
        return Box(self.rect, self.base_z_m, self.base_z_m + self.item.height_m)

    @property
    def front(self) -> tuple[int, int]:
        return FRONT_BY_QUARTER_TURNS[self.quarter_turns % QUARTER_TURNS]

    def world_vertices(self, vertices_m: np.ndarray) -> np.ndarray:
        """Model vertices (``load_catalog_model`` frame) turned and moved into the room."""
        angle = self.quarter_turns * np.pi / 2
        c, s = round(np.cos(angle)), round(np.sin(angle))  # exact for quarter turns
        rotation = np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])
        return vertices_m @ rotation.T + np.array([*self.centre_xy_m, self.base_z_m])


class RoomPlan:
    """The room being furnished: shape, height, keep-clear boxes and the pieces so far."""

    def __init__(self, shape: RoomShape, height_m: float, keep_clear: list[Box]) -> None:
        self.shape = shape
        self.height_m = height_m
        self.walls: list[WallSegment] = shape.walls()
        self.keep_clear = keep_clear
        self.placements: list[Placement] = []

    def fits(self, candidate: Placement, gap_m: float = FOOTPRINT_GAP_M) -> bool:
        return self.box_free(candidate.box, gap_m, candidate.host)

    def box_free(self, box: Box, gap_m: float = FOOTPRINT_GAP_M, host: int | None = None) -> bool:
        """Inside the room, below the ceiling, clear of doors, windows and every placed piece
        but ``host``."""
        if not self.shape.contains_rect(box.rect) or box.z1_m > self.height_m:
            return False
        if any(box.intersects(zone) for zone in self.keep_clear):
            return False
        return not any(
            box.intersects(other.box, gap_m)
            for index, other in enumerate(self.placements)
            if index != host
        )

    def add(self, placement: Placement) -> int:
        self.placements.append(placement)
        return len(self.placements) - 1

    def along(self, wall: WallSegment, point: tuple[float, float]) -> float:
        """Distance of a point's projection along a wall from its start."""
        dx, dy = wall.direction
        return (point[0] - wall.start[0]) * dx + (point[1] - wall.start[1]) * dy


def _turns_facing(direction: tuple[float, float]) -> int:
    return FRONT_BY_QUARTER_TURNS.index(tuple(int(round(v)) for v in direction))


def on_wall(
    piece: Placement,
    wall: WallSegment,
    along_m: float,
    base_z_m: float = 0.0,
    support: Support = Support.FLOOR,
) -> Placement:
    """``piece`` with its back on ``wall``, centred ``along_m`` from the wall's start."""
    depth = piece.item.depth_m
    centre = wall.point(along_m, WALL_GAP_M + depth / 2)
    return replace(
        piece,
        quarter_turns=wall.quarter_turns,
        centre_xy_m=centre,
        base_z_m=base_z_m,
        support=support,
        wall=wall.index,
    )


def against_wall(
    plan: RoomPlan,
    piece: Placement,
    rng: np.random.Generator,
    base_z_m: float = 0.0,
    support: Support = Support.FLOOR,
    side_clearance_m: float = 0.0,
) -> Placement | None:
    """Back against a random wall, anywhere along it, with ``side_clearance_m`` of free
    floor on both sides along the wall (room for what goes beside it)."""
    half = piece.item.width_m / 2 + FOOTPRINT_GAP_M
    walls = [w for w in plan.walls if w.length > 2 * half]
    if not walls:
        return None
    for _ in range(TRIES):
        wall = walls[int(rng.integers(len(walls)))]
        along = float(rng.uniform(half, wall.length - half))
        candidate = on_wall(piece, wall, along, base_z_m, support)
        if not plan.fits(candidate):
            continue
        if side_clearance_m > 0:
            half_width = piece.item.width_m / 2 + side_clearance_m
            band = wall.band(
                along - half_width, along + half_width, WALL_GAP_M + piece.item.depth_m
            )
            sides = Box(band.grown(-FOOTPRINT_GAP_M), base_z_m, base_z_m + piece.item.height_m)
            if not plan.box_free(sides, 0.0) or not plan.shape.contains_rect(band):
                continue
        return candidate
    return None


def beside(
    plan: RoomPlan, piece: Placement, anchor: Placement, rng: np.random.Generator
) -> Placement | None:
    """On the anchor's wall, just left or right of it."""
    if anchor.wall is None:
        return None
    wall = plan.walls[anchor.wall]
    middle = plan.along(wall, anchor.centre_xy_m)
    offset = anchor.item.width_m / 2 + BESIDE_GAP_M + piece.item.width_m / 2
    for side in rng.permutation([-1, 1]).tolist():
        candidate = on_wall(piece, wall, middle + side * offset)
        if plan.fits(candidate):
            return candidate
    return None


def facing(
    plan: RoomPlan, piece: Placement, anchor: Placement, rng: np.random.Generator
) -> Placement | None:
    """Against a wall the anchor's front looks at, roughly opposite it; else any wall."""
    looking = (-anchor.front[0], -anchor.front[1])
    walls = [w for w in plan.walls if tuple(round(v) for v in w.inward_normal) == looking]
    for index in rng.permutation(len(walls)).tolist():
        wall = walls[index]
        middle = plan.along(wall, anchor.centre_xy_m)
        for _ in range(TRIES // 4):
            candidate = on_wall(piece, wall, middle + float(rng.normal(0.0, FACING_JITTER_M)))
            if plan.fits(candidate):
                return candidate
    return against_wall(plan, piece, rng)


def flank(
    plan: RoomPlan, piece: Placement, anchor: Placement, rng: np.random.Generator
) -> Placement | None:
    """In front of one end of the anchor, turned towards the space in front of it."""
    front = np.array(anchor.front, dtype=float)
    side_axis = np.array([-front[1], front[0]])
    reach = anchor.item.depth_m / 2 + FLANK_FORWARD_M + piece.item.width_m / 2
    lateral = anchor.item.width_m / 2 + FLANK_OUTSET_M - piece.item.depth_m / 2
    for side in rng.permutation([-1, 1]).tolist():
        centre = np.asarray(anchor.centre_xy_m) + front * reach + side_axis * side * lateral
        turns = _turns_facing(tuple(-side * side_axis))
        candidate = replace(
            piece, quarter_turns=turns, centre_xy_m=(float(centre[0]), float(centre[1]))
        )
        if plan.fits(candidate):
            return candidate
    return None


def free_standing(plan: RoomPlan, piece: Placement, rng: np.random.Generator) -> Placement | None:
    """On the open floor, long side along the longer side of the part of the room."""
    parts = plan.shape.parts()
    weights = np.array([part.area for part in parts])
    for _ in range(TRIES):
        part = parts[int(rng.choice(len(parts), p=weights / weights.sum()))]
        along_x = part.size[0] >= part.size[1]
        long_x = piece.item.width_m >= piece.item.depth_m
        turns = int(rng.choice([0, 2] if along_x == long_x else [1, 3]))
        probe = replace(piece, quarter_turns=turns)
        half = np.array(probe.footprint_m) / 2 + CENTRE_WALL_MARGIN_M
        low = np.array([part.x0, part.y0]) + half
        high = np.array([part.x1, part.y1]) - half
        if np.any(low > high):
            continue
        centre = rng.uniform(low, high)
        candidate = replace(probe, centre_xy_m=(float(centre[0]), float(centre[1])))
        if plan.fits(candidate):
            return candidate
    return None


def seats_around(plan: RoomPlan, seat: Placement, table: Placement, count: int) -> list[Placement]:
    """Up to ``count`` seats along the table's free sides, each facing the table. A table
    against a wall (a desk) is only sat at from its front."""
    rect = table.rect
    sides = []  # (side length, outward direction, side midpoint)
    for direction in FRONT_BY_QUARTER_TURNS:
        if table.wall is not None and direction != table.front:
            continue
        dx, dy = direction
        length = rect.size[1] if dx else rect.size[0]
        midpoint = (
            rect.centre[0] + dx * rect.size[0] / 2,
            rect.centre[1] + dy * rect.size[1] / 2,
        )
        sides.append((length, direction, midpoint))
    sides.sort(key=lambda side: -side[0])
    per_side = []
    for length, direction, midpoint in sides:
        turns = _turns_facing((-direction[0], -direction[1]))
        n = int((length + SEAT_SPACING_M) // (seat.item.width_m + SEAT_SPACING_M))
        pitch = length / max(n, 1)
        offsets = [(i - (n - 1) / 2) * pitch for i in range(n)]
        offsets.sort(key=abs)  # middle seats first
        across = (-direction[1], direction[0])
        out = SEAT_GAP_M + seat.item.depth_m / 2
        per_side.append(
            [
                replace(
                    seat,
                    quarter_turns=turns,
                    centre_xy_m=(
                        midpoint[0] + direction[0] * out + across[0] * offset,
                        midpoint[1] + direction[1] * out + across[1] * offset,
                    ),
                )
                for offset in offsets
            ]
        )
    placed: list[Placement] = []
    for rank in range(max((len(s) for s in per_side), default=0)):
        for candidates in per_side:  # alternate sides, longest first
            if len(placed) < count and rank < len(candidates):
                if plan.fits(candidates[rank]) and not any(
                    candidates[rank].box.intersects(p.box, FOOTPRINT_GAP_M) for p in placed
                ):
                    placed.append(candidates[rank])
    return placed


def hung_from_ceiling(
    plan: RoomPlan, piece: Placement, rng: np.random.Generator, above: Rect | None
) -> Placement | None:
    """Hanging with its top at the ceiling, over ``above`` or a random open spot."""
    base = plan.height_m - piece.item.height_m
    for _ in range(TRIES):
        if above is not None:
            centre = above.centre
        else:
            bounds = plan.shape.bounds.grown(-CENTRE_WALL_MARGIN_M)
            x, y = rng.uniform((bounds.x0, bounds.y0), (bounds.x1, bounds.y1))
            centre = (float(x), float(y))
        candidate = replace(piece, centre_xy_m=centre, base_z_m=base, support=Support.CEILING)
        if plan.fits(candidate):
            return candidate
        if above is not None:
            return None
    return None

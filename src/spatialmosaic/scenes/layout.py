"""Room shapes (rectangles and L-shapes), their walls and openings, in the floor plane (ours).

Frame: world x, y in metres, floor at z = 0. A room is its bounding rectangle
``[0, width] x [0, depth]`` minus an optional *notch*, a rectangle at one corner: the result is
a rectangle or an L. The outline runs counter-clockwise, so each wall's inward normal is the
left of its direction. Doors and windows are openings in a wall, measured along it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

import numpy as np

GEOMETRY_EPS_M = 1e-9
# Front of a piece turned by k quarter turns about +Z: R(k * 90 deg) @ (0, -1) (obj_model: a
# catalog model's front faces world -Y).
FRONT_BY_QUARTER_TURNS = ((0, -1), (1, 0), (0, 1), (-1, 0))


@dataclass(frozen=True, slots=True)
class Rect:
    """An axis-aligned rectangle ``[x0, x1] x [y0, y1]`` in metres."""

    x0: float
    y0: float
    x1: float
    y1: float

    def __post_init__(self) -> None:
        if self.x1 < self.x0 or self.y1 < self.y0:
            raise ValueError(f"rectangle {self}: needs x0 <= x1 and y0 <= y1")

    @classmethod
    def around(cls, centre: tuple[float, float], size: tuple[float, float]) -> Rect:
        (cx, cy), (sx, sy) = centre, size
        return cls(cx - sx / 2, cy - sy / 2, cx + sx / 2, cy + sy / 2)

    @property
    def size(self) -> tuple[float, float]:
        return (self.x1 - self.x0, self.y1 - self.y0)

    @property
    def centre(self) -> tuple[float, float]:
        return ((self.x0 + self.x1) / 2, (self.y0 + self.y1) / 2)

    @property
    def area(self) -> float:
        return (self.x1 - self.x0) * (self.y1 - self.y0)

    def grown(self, margin: float) -> Rect:
        """The rectangle grown by ``margin`` on every side (shrunk when negative)."""
        x0, x1 = self.x0 - margin, self.x1 + margin
        y0, y1 = self.y0 - margin, self.y1 + margin
        return Rect(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))

    def overlaps(self, other: Rect, gap: float = 0.0) -> bool:
        """Whether the two rectangles come closer than ``gap`` (touching counts at gap 0: no)."""
        return (
            self.x0 < other.x1 + gap - GEOMETRY_EPS_M
            and other.x0 < self.x1 + gap - GEOMETRY_EPS_M
            and self.y0 < other.y1 + gap - GEOMETRY_EPS_M
            and other.y0 < self.y1 + gap - GEOMETRY_EPS_M
        )

    def contains(self, other: Rect) -> bool:
        eps = GEOMETRY_EPS_M
        return (
            self.x0 - eps <= other.x0
            and other.x1 <= self.x1 + eps
            and self.y0 - eps <= other.y0
            and other.y1 <= self.y1 + eps
        )

    def contains_point(self, x: float, y: float) -> bool:
        return self.x0 <= x <= self.x1 and self.y0 <= y <= self.y1


@dataclass(frozen=True, slots=True)
class WallSegment:
    """One straight wall along the outline, from ``start`` to ``end`` (counter-clockwise)."""

    index: int
    start: tuple[float, float]
    end: tuple[float, float]
    convex_start: bool  # the outline turns left (a convex corner) at ``start``
    convex_end: bool

    @property
    def length(self) -> float:
        return float(np.hypot(self.end[0] - self.start[0], self.end[1] - self.start[1]))

    @property
    def direction(self) -> tuple[float, float]:
        length = self.length
        return ((self.end[0] - self.start[0]) / length, (self.end[1] - self.start[1]) / length)

    @property
    def inward_normal(self) -> tuple[float, float]:
        dx, dy = self.direction
        return (-dy, dx)

    @property
    def quarter_turns(self) -> int:
        """Turns of a piece whose back is on this wall and whose front faces into the room."""
        normal = tuple(round(v) for v in self.inward_normal)
        return FRONT_BY_QUARTER_TURNS.index(normal)

    def point(self, along_m: float, inward_m: float = 0.0) -> tuple[float, float]:
        """The floor point ``along_m`` from ``start`` and ``inward_m`` into the room."""
        (dx, dy), (nx, ny) = self.direction, self.inward_normal
        return (
            self.start[0] + dx * along_m + nx * inward_m,
            self.start[1] + dy * along_m + ny * inward_m,
        )

    def band(self, along0_m: float, along1_m: float, inward_m: float) -> Rect:
        """The floor rectangle from ``along0_m`` to ``along1_m`` and ``inward_m`` deep."""
        corners = [self.point(a, d) for a in (along0_m, along1_m) for d in (0.0, inward_m)]
        xs, ys = [c[0] for c in corners], [c[1] for c in corners]
        return Rect(min(xs), min(ys), max(xs), max(ys))


@dataclass(frozen=True, slots=True)
class RoomShape:
    """A rectangle ``width_m`` x ``depth_m`` minus an optional corner ``notch`` (an L)."""

    width_m: float
    depth_m: float
    notch: Rect | None = None

    def __post_init__(self) -> None:
        if self.notch is None:
            return
        bound, n = self.bounds, self.notch
        corners = {(x, y) for x in (bound.x0, bound.x1) for y in (bound.y0, bound.y1)}
        touching = {(x, y) for x in (n.x0, n.x1) for y in (n.y0, n.y1)} & corners
        if len(touching) != 1 or not bound.contains(n) or n.area <= 0 or n == bound:
            raise ValueError(f"notch {self.notch}: must be a corner rectangle of {bound}")

    @property
    def bounds(self) -> Rect:
        return Rect(0.0, 0.0, self.width_m, self.depth_m)

    @property
    def is_l_shape(self) -> bool:
        return self.notch is not None

    @property
    def floor_area_m2(self) -> float:
        return self.bounds.area - (self.notch.area if self.notch else 0.0)

    def outline(self) -> list[tuple[float, float]]:
        """Corners, counter-clockwise from (0, 0) (or from where a notch there begins)."""
        w, d = self.width_m, self.depth_m
        corners = [(0.0, 0.0), (w, 0.0), (w, d), (0.0, d)]
        if self.notch is None:
            return corners
        n = self.notch
        out: list[tuple[float, float]] = []
        for i, corner in enumerate(corners):
            if not (n.contains_point(*corner)):
                out.append(corner)
                continue
            before, after = corners[i - 1], corners[(i + 1) % 4]
            # Walk into the notch along the incoming edge, round its inner corner, leave along
            # the outgoing edge.
            inner = (n.x0 if n.x1 >= w else n.x1, n.y0 if n.y1 >= d else n.y1)
            on_in = (inner[0], corner[1]) if before[1] == corner[1] else (corner[0], inner[1])
            on_out = (inner[0], corner[1]) if after[1] == corner[1] else (corner[0], inner[1])
            out += [on_in, inner, on_out]
        return out

    def walls(self) -> list[WallSegment]:
        points = self.outline()
        walls = []
        for i, start in enumerate(points):
            end = points[(i + 1) % len(points)]
            previous, following = points[i - 1], points[(i + 2) % len(points)]
            walls.append(
                WallSegment(
                    i,
                    start,
                    end,
                    _left_turn(previous, start, end),
                    _left_turn(start, end, following),
                )
            )
        return walls

    def parts(self) -> list[Rect]:
        """Rectangles whose union is the floor (one, or two for an L)."""
        if self.notch is None:
            return [self.bounds]
        n, w, d = self.notch, self.width_m, self.depth_m
        # Split along the notch's horizontal edge: the full-width slab and the slab beside it.
        if n.y0 <= GEOMETRY_EPS_M:
            full, partial = Rect(0.0, n.y1, w, d), Rect(0.0, 0.0, w, n.y1)
        else:
            full, partial = Rect(0.0, 0.0, w, n.y0), Rect(0.0, n.y0, w, d)
        if n.x0 <= GEOMETRY_EPS_M:
            partial = Rect(n.x1, partial.y0, w, partial.y1)
        else:
            partial = Rect(0.0, partial.y0, n.x0, partial.y1)
        return [full, partial]

    def contains_rect(self, rect: Rect) -> bool:
        return self.bounds.contains(rect) and not (self.notch and self.notch.overlaps(rect))

    def contains_point(self, x: float, y: float, margin: float = 0.0) -> bool:
        """Inside the floor and at least ``margin`` from every wall."""
        inner = self.bounds.grown(-margin)
        if not inner.contains_point(x, y):
            return False
        return not (self.notch and self.notch.grown(margin).contains_point(x, y))


def _left_turn(a: tuple[float, float], b: tuple[float, float], c: tuple[float, float]) -> bool:
    return (b[0] - a[0]) * (c[1] - b[1]) - (b[1] - a[1]) * (c[0] - b[0]) > 0


@dataclass(frozen=True, slots=True)
class Box:
    """An axis-aligned box: a floor rectangle and ``z0_m..z1_m`` above the floor."""

    rect: Rect
    z0_m: float
    z1_m: float

    def intersects(self, other: Box, gap: float = 0.0) -> bool:
        """Whether the boxes overlap in height and come closer than ``gap`` in plan."""
        in_height = self.z0_m < other.z1_m - GEOMETRY_EPS_M and other.z0_m < self.z1_m - (
            GEOMETRY_EPS_M
        )
        return in_height and self.rect.overlaps(other.rect, gap)


class OpeningKind(Enum):
    DOOR = "door"
    WINDOW = "window"


@dataclass(frozen=True, slots=True)
class Opening:
    """A door or window in wall ``wall``: ``along0_m..along1_m`` from its start, and
    ``bottom_m..top_m`` above the floor (a door's bottom is 0)."""

    kind: OpeningKind
    wall: int
    along0_m: float
    along1_m: float
    bottom_m: float
    top_m: float

    def __post_init__(self) -> None:
        if not (self.along0_m < self.along1_m and 0 <= self.bottom_m < self.top_m):
            raise ValueError(f"opening {self}: empty extent")

    @property
    def width_m(self) -> float:
        return self.along1_m - self.along0_m

"""Camera walkthroughs for built-in rooms (ours): a handheld-like loop at eye height.

The camera walks one smooth closed loop over the room's free floor (a rectangle or an L, minus
the furniture), so every camera stands inside the room, away from walls and out of every
piece of furniture. It turns towards where most objects are in view (a heading smoothed
along the walk, with a gentle swing and a slight downward pitch) and bobs between the
configured eye heights, so consecutive frames overlap a lot while distant frames see other
parts of the room (which is what low-overlap view sets need).
"""

from __future__ import annotations

import numpy as np

from spatialmosaic.records import CameraFrame, SceneObject
from spatialmosaic.scene_io import Scene

HEADING_SWING_RAD = np.deg2rad(25.0)
PITCH_DOWN_RAD = (np.deg2rad(8.0), np.deg2rad(25.0))
WALL_CLEARANCE_M = 0.35  # no camera closer to a wall
OBSTACLE_CLEARANCE_STEPS_M = (0.25, 0.12, 0.05)  # tried in turn until there is free floor
MIN_FREE_FLOOR_M2 = 2.0  # of connected free floor, before a smaller clearance is tried
OBSTACLE_MAX_BASE_M = 2.0  # furniture starting lower than this is in the camera's way
GRID_CELL_M = 0.05
FLOOR_PER_WAYPOINT_M2 = 1.5
WAYPOINT_COUNT_RANGE = (4, 10)
PATH_SAMPLES = 400
SMOOTHING_WINDOW_M = 0.8
SMOOTHING_PASSES = 4
HEADING_CANDIDATES = 72  # directions tried at each point of the walk
MIN_LOOK_DISTANCE_M = 0.6  # targets nearer than this are not looked at
LOOK_DISTANCE_SCALE_M = 3.0  # a target this far counts half as much as one at the camera
HEADING_SMOOTHING_M = 1.5  # the heading changes smoothly over this much walk


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


def obstacle_rects(objects: tuple[SceneObject, ...]) -> np.ndarray:
    """Floor rectangles [K, 4] (x0, y0, x1, y1) of the furniture a walker must go around."""
    rects = [
        (*obj.bbox_min_m[:2], *obj.bbox_max_m[:2])
        for obj in objects
        if not obj.structural and obj.bbox_min_m[2] < OBSTACLE_MAX_BASE_M
    ]
    return np.array(rects, dtype=np.float64).reshape(-1, 4)


def inside_outline(points: np.ndarray, outline: np.ndarray, margin_m: float = 0.0) -> np.ndarray:
    """Whether points [N, 2] lie inside the polygon ``outline`` [P, 2] at least ``margin_m``
    from each of its edges (even-odd rule plus point-segment distances)."""
    start, end = outline, np.roll(outline, -1, axis=0)
    x, y = points[:, :1], points[:, 1:]
    rise = np.where(end[:, 1] == start[:, 1], 1.0, end[:, 1] - start[:, 1])
    x_at_y = start[:, 0] + (y - start[:, 1]) * (end[:, 0] - start[:, 0]) / rise
    crosses = ((start[:, 1] > y) != (end[:, 1] > y)) & (x < x_at_y)
    inside = crosses.sum(axis=1) % 2 == 1
    edge = end - start
    t = np.clip(((points[:, None] - start) * edge).sum(-1) / (edge**2).sum(-1), 0.0, 1.0)
    nearest = start + t[..., None] * edge
    distance = np.linalg.norm(points[:, None] - nearest, axis=-1).min(axis=1)
    return inside & (distance >= margin_m)


def walk_loop(outline_m: np.ndarray, obstacles_m: np.ndarray) -> np.ndarray:
    """``PATH_SAMPLES`` points [S, 2], evenly spaced along a smooth closed walk through the
    room's free floor.

    Free floor is a grid of cells inside the outline, away from walls and furniture; the walk
    visits waypoints spread over its largest connected part, in order of their angle around
    its centre, along shortest grid paths between them, and is then smoothed without leaving
    the free cells.
    """
    outline = np.asarray(outline_m, dtype=np.float64)
    free, origin = _free_grid(outline, np.asarray(obstacles_m, dtype=np.float64))
    cells = np.argwhere(free)  # (row, column)
    points = origin + (cells[:, ::-1] + 0.5) * GRID_CELL_M
    centre = points.mean(axis=0)
    free_area = len(cells) * GRID_CELL_M**2
    n_waypoints = int(np.clip(round(free_area / FLOOR_PER_WAYPOINT_M2), *WAYPOINT_COUNT_RANGE))
    waypoints = np.asarray(_spread(points, n_waypoints))
    offsets = points[waypoints] - centre
    tour = [
        tuple(cells[i]) for i in waypoints[np.argsort(np.arctan2(offsets[:, 1], offsets[:, 0]))]
    ]
    route: list[np.ndarray] = []
    for start, goal in zip(tour, tour[1:] + tour[:1], strict=True):
        route += _grid_path(free, start, goal)[:-1]
    walk = origin + (np.array(route)[:, ::-1] + 0.5) * GRID_CELL_M
    loop = _resample(walk, PATH_SAMPLES)
    spacing = np.linalg.norm(np.diff(loop, axis=0, append=loop[:1]), axis=1).mean()
    window = max(1, int(round(SMOOTHING_WINDOW_M / max(spacing, GRID_CELL_M) / 2)))
    for _ in range(SMOOTHING_PASSES):
        loop = _resample(_onto(_smooth(loop, window), points), PATH_SAMPLES)
    return _onto(loop, points)


def _free_grid(outline: np.ndarray, obstacles: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The largest connected region [rows, columns] of cells a camera may stand in, with the
    widest obstacle clearance that leaves ``MIN_FREE_FLOOR_M2`` of it, and the grid's
    origin (x, y)."""
    low, high = outline.min(axis=0), outline.max(axis=0)
    xs = np.arange(low[0] + GRID_CELL_M / 2, high[0], GRID_CELL_M)
    ys = np.arange(low[1] + GRID_CELL_M / 2, high[1], GRID_CELL_M)
    cells = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)
    in_room = inside_outline(cells, outline, WALL_CLEARANCE_M)
    largest = np.zeros((len(ys), len(xs)), bool)
    for clearance in OBSTACLE_CLEARANCE_STEPS_M:
        grown = obstacles + np.array([-clearance, -clearance, clearance, clearance])
        x, y = cells[:, None, 0], cells[:, None, 1]
        within_x = (x > grown[:, 0]) & (x < grown[:, 2])
        blocked = (within_x & (y > grown[:, 1]) & (y < grown[:, 3])).any(axis=1)
        largest = _largest_component((in_room & ~blocked).reshape(len(ys), len(xs)))
        if largest.sum() * GRID_CELL_M**2 >= MIN_FREE_FLOOR_M2:
            break
    if not largest.any():
        raise ValueError(f"no free floor for a walkthrough in the room {outline.tolist()}")
    return largest, low


_NEIGHBOURS = ((-1, 0), (1, 0), (0, -1), (0, 1), (-1, -1), (-1, 1), (1, -1), (1, 1))


def _bfs(free: np.ndarray, start: tuple[int, int]) -> np.ndarray:
    """Parent (row * columns + column) of every cell reached from ``start`` over
    8-connected free cells: -1 where unreached; ``start`` is its own parent."""
    rows, columns = free.shape
    parent = np.full(rows * columns, -1, dtype=np.int64)
    parent[start[0] * columns + start[1]] = start[0] * columns + start[1]
    frontier = [start]
    while frontier:
        following = []
        for row, column in frontier:
            for dr, dc in _NEIGHBOURS:
                r, c = row + dr, column + dc
                if (
                    0 <= r < rows
                    and 0 <= c < columns
                    and free[r, c]
                    and parent[r * columns + c] < 0
                ):
                    parent[r * columns + c] = row * columns + column
                    following.append((r, c))
        frontier = following
    return parent


def _largest_component(free: np.ndarray) -> np.ndarray:
    remaining, best = free.copy(), np.zeros_like(free)
    while remaining.any():
        seed = tuple(int(v) for v in np.argwhere(remaining)[0])
        reached = (_bfs(remaining, seed) >= 0).reshape(free.shape)
        if reached.sum() > best.sum():
            best = reached
        remaining &= ~reached
    return best


def _grid_path(free: np.ndarray, start: tuple, goal: tuple) -> list[np.ndarray]:
    """Cells [row, column] of a shortest 8-connected path from ``start`` to ``goal``."""
    parent, columns = _bfs(free, start), free.shape[1]
    path, index = [], int(goal[0]) * columns + int(goal[1])
    while True:
        path.append(np.array(divmod(index, columns)))
        if parent[index] == index:
            return path[::-1]
        index = int(parent[index])


def _spread(points: np.ndarray, n: int) -> list[int]:
    """``n`` point indices spread over ``points``: farthest-point sampling, starting from the
    point farthest from their centre."""
    chosen = [int(np.argmax(np.linalg.norm(points - points.mean(axis=0), axis=1)))]
    distance = np.linalg.norm(points - points[chosen[0]], axis=1)
    while len(chosen) < min(n, len(points)):
        chosen.append(int(np.argmax(distance)))
        distance = np.minimum(distance, np.linalg.norm(points - points[chosen[-1]], axis=1))
    return chosen


def _resample(loop: np.ndarray, n: int) -> np.ndarray:
    """``n`` points evenly spaced by arc length along the closed polyline ``loop``."""
    closed = np.vstack([loop, loop[:1]])
    arc = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(closed, axis=0), axis=1))])
    targets = np.linspace(0.0, arc[-1], n, endpoint=False)
    return np.stack([np.interp(targets, arc, closed[:, axis]) for axis in range(2)], axis=1)


def _smooth(loop: np.ndarray, window: int) -> np.ndarray:
    """Circular moving average over ``2 * window + 1`` samples."""
    offsets = range(-window, window + 1)
    return np.mean([np.roll(loop, k, axis=0) for k in offsets], axis=0)


def _onto(loop: np.ndarray, free: np.ndarray) -> np.ndarray:
    """Each point moved to the nearest free cell centre unless it is within one of them."""
    distance = np.linalg.norm(loop[:, None] - free[None], axis=-1)
    nearest = distance.argmin(axis=1)
    keep = distance[np.arange(len(loop)), nearest] <= GRID_CELL_M / 2
    return np.where(keep[:, None], loop, free[nearest])


def polygon_centroid(outline: np.ndarray) -> np.ndarray:
    """Area centroid (x, y) of a simple polygon [P, 2] (shoelace formula)."""
    x, y = outline[:, 0], outline[:, 1]
    x1, y1 = np.roll(x, -1), np.roll(y, -1)
    cross = x * y1 - x1 * y
    area = cross.sum() / 2
    return np.array([((x + x1) * cross).sum(), ((y + y1) * cross).sum()]) / (6 * area)


def look_headings(loop: np.ndarray, targets: np.ndarray, hfov_rad: float) -> np.ndarray:
    """Heading (radians, world x towards y) at each loop point [S]: the direction that has the
    most targets in view (nearer ones count more, ones within reach none), smoothed along the
    walk; the direction of travel where no target counts."""
    directions = np.linspace(-np.pi, np.pi, HEADING_CANDIDATES, endpoint=False)
    offset = targets[None] - loop[:, None]  # [S, T, 2]
    distance = np.linalg.norm(offset, axis=-1)
    bearing = np.arctan2(offset[..., 1], offset[..., 0])
    weight = (distance > MIN_LOOK_DISTANCE_M) / (1 + distance / LOOK_DISTANCE_SCALE_M)
    gap = np.angle(np.exp(1j * (directions[None, :, None] - bearing[:, None, :])))  # [S, A, T]
    score = (np.clip(1 - np.abs(gap) / (hfov_rad / 2), 0, None) * weight[:, None]).sum(-1)
    ahead = np.roll(loop, -1, axis=0) - np.roll(loop, 1, axis=0)
    best = np.where(
        score.max(axis=1) > 0,
        directions[score.argmax(axis=1)],
        np.arctan2(ahead[:, 1], ahead[:, 0]),
    )
    spacing = np.linalg.norm(np.diff(loop, axis=0, append=loop[:1]), axis=1).mean()
    window = max(1, int(round(HEADING_SMOOTHING_M / 2 / max(spacing, GRID_CELL_M))))
    vectors = _smooth(np.stack([np.cos(best), np.sin(best)], axis=1), window)
    return np.arctan2(vectors[:, 1], vectors[:, 0])


def walkthrough_cameras(
    outline_m: np.ndarray,
    obstacles_m: np.ndarray,
    rng: np.random.Generator,
    n_frames: int,
    width: int,
    height: int,
    hfov_deg: float,
    eye_height_range_m: tuple[float, float],
    look_targets_m: np.ndarray,
) -> list[CameraFrame]:
    """Cameras along one loop around a room (floor at z = 0).

    Args:
        outline_m: [P, 2] the room's floor outline, counter-clockwise (``room_outline_m``).
        obstacles_m: [K, 4] furniture floor rectangles (:func:`obstacle_rects`).
        eye_height_range_m: camera heights, metres above the floor.
        look_targets_m: [T, 2] floor points worth looking at (object centres); the camera
            turns towards where most of them are in view.
    """
    loop = walk_loop(outline_m, obstacles_m)
    headings = look_headings(loop, np.asarray(look_targets_m, np.float64), np.deg2rad(hfov_deg))
    K_px = intrinsics_from_fov(width, height, hfov_deg)
    phase = rng.uniform(0, 2 * np.pi, size=3)
    start = rng.uniform(0, 1)
    low, high = eye_height_range_m
    cameras = []
    for index in range(n_frames):
        theta = 2 * np.pi * index / n_frames
        at = (start + index / n_frames) * len(loop)
        i0 = int(np.floor(at)) % len(loop)
        i1, frac = (i0 + 1) % len(loop), at - np.floor(at)
        xy = loop[i0] * (1 - frac) + loop[i1] * frac
        heading = headings[i0] + HEADING_SWING_RAD * np.sin(2 * theta + phase[0])
        pitch = -(
            PITCH_DOWN_RAD[0]
            + (PITCH_DOWN_RAD[1] - PITCH_DOWN_RAD[0]) * (0.5 + 0.5 * np.sin(3 * theta + phase[1]))
        )
        position = np.array(
            [xy[0], xy[1], low + (high - low) * (0.5 + 0.5 * np.sin(2 * theta + phase[2]))]
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


def scene_walkthrough(
    scene_info: dict, objects: tuple[SceneObject, ...], rng: np.random.Generator, **camera
) -> list[CameraFrame]:
    """:func:`walkthrough_cameras` for a built-in room's ``info`` and objects; ``camera``:
    ``n_frames width height hfov_deg eye_height_range_m``."""
    outline = np.asarray(scene_info["room_outline_m"], dtype=np.float64)
    targets = [
        [(obj.bbox_min_m[k] + obj.bbox_max_m[k]) / 2 for k in range(2)]
        for obj in objects
        if not obj.structural
    ]
    if not targets:
        targets = [polygon_centroid(outline)]
    return walkthrough_cameras(
        outline, obstacle_rects(objects), rng, **camera, look_targets_m=np.array(targets)
    )


def builtin_room_walkthrough(
    index: int, frames: int, width: int, height: int, seed: int = 0
) -> tuple[Scene, list[CameraFrame]]:
    """A built-in room with the default config's catalog, object counts, field of view and eye
    heights, and its walkthrough, without files: for tests and benchmarks."""
    from spatialmosaic.provenance import derive_rng
    from spatialmosaic.scenes.builtin import FurnitureLibrary, build_builtin_scene, room_type_of
    from spatialmosaic.scenes.catalog import FURNITURE_DIR

    name = f"ours_indoor_{index:04d}"
    library = FurnitureLibrary(FURNITURE_DIR, ("CC0-1.0",))
    rng = derive_rng(seed, "scenes", name)
    scene = build_builtin_scene(name, library, rng, 20, 32, room_type_of(index, seed))
    cameras = scene_walkthrough(
        scene.info,
        scene.objects,
        derive_rng(seed, "views", name),
        n_frames=frames,
        width=width,
        height=height,
        hfov_deg=67.0,
        eye_height_range_m=(1.2, 1.8),
    )
    return scene, cameras

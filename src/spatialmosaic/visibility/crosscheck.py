"""An independent cross-check of the ray-cast visibility annotation (SPEC §2).

The pipeline (``render.frames`` + ``visibility.observe``) casts float32 rays through a BVH
(Open3D or Warp) and rasterises amodal silhouettes outside the image by row spans. This module
recomputes the same quantities another way, in pure numpy and float64, importing nothing from
``spatialmosaic.raycast`` or ``spatialmosaic.visibility.observe``: a z-buffer rasteriser that
tests the candidate pixel centres of each triangle (its pixel box, narrowed row by row to the
columns it can reach, plus one on each side) with edge functions.

- Triangles are clipped in camera space at z = ``NEAR_Z_M`` (rays see surfaces at t > 0) and
  projected with ``K_px``; a pixel (u, v) is covered when its centre (u + 0.5, v + 0.5) lies in
  a projected triangle, edges included, either winding (no culling). Edge functions are
  evaluated from canonically ordered end points, so a shared edge gives exactly opposite values
  to its two triangles and no pixel centre falls through the crack.
- Depth is the planar z, interpolated perspective-correctly (1/z is affine on the image).
- S_full and S_in: union of an object's covered pixels on the plane capped at ``amodal_margin``
  image sizes on each side, and its part in the W x H image. S_vis: the object's pixels in the
  rasterised instance buffer. Structural objects occlude but get no areas.

Measured agreement: default dataset, first room, 4 frames at 640 x 480, Open3D backend:
identical instance buffers, and identical S_full, S_in and S_vis for all 25 observations.
Built-in rooms 0-2 at 160 x 120 (4 frames each; room 0 also with the Warp backend and with 8
cameras placed inside furniture): identical too. Room 1 at 640 x 480: 1 pixel in 307,200
differs in one frame (S_* relative differences <= 9e-5, mean |occlusion diff| 9e-7). Depths
agree within 0.5 mm everywhere (the millimetre PNGs' rounding). Differences can only come
from pixel centres within float32 rounding of a triangle edge (the ray casters work in
float32, this module in float64) and from ties between coincident surfaces, where the first
hit is arbitrary. ``CROSSCHECK_TOLERANCE`` holds the bounds that the pipeline and the tests
enforce, with wide margin over these measurements.

Cost: about 0.1-1.5 s per 160 x 120 view of a built-in room (57k-306k triangles) and 2-4 s
per 640 x 480 view on one slow core; memory stays bounded by ``CANDIDATE_BATCH``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from spatialmosaic.io import read_png16
from spatialmosaic.records import CameraFrame, Observation
from spatialmosaic.render.frames import png_mm_to_depth
from spatialmosaic.scene_io import Scene
from spatialmosaic.visibility.table import SceneVisibility

NEAR_Z_M = 1e-5  # clip plane in front of the camera centre: rays see every surface at t > 0
CANDIDATE_BATCH = 1 << 21  # candidate (triangle, pixel) pairs per step: bounds memory


@dataclass(frozen=True)
class CrossCheckTolerance:
    """Bounds on a :func:`compare_scene` summary (measured values in the module docstring)."""

    instance_agreement: float = 0.999  # worst frame's fraction of pixels with equal ids
    mean_abs_truncation: float = 0.002  # over observations both methods made
    mean_abs_occlusion: float = 0.002
    max_one_sided_pixels: int = 10  # S_in of an object only one method observes
    depth_p99_m: float = 0.001  # where both show the same object; PNGs round to 0.5 mm


CROSSCHECK_TOLERANCE = CrossCheckTolerance()


@dataclass(frozen=True)
class RasterView:
    """One camera rasterised: ``instance`` [H, W] uint16 (0 = nothing), ``depth_z_m`` [H, W]
    float64 planar depth (inf = nothing), and ``areas``: instance id -> (S_full, S_in) pixels
    for every non-structural object with S_full > 0."""

    instance: np.ndarray
    depth_z_m: np.ndarray
    areas: dict[int, tuple[int, int]]


def clip_near(corners_cam: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Clip triangles [T, 3, 3] (camera frame, metres) to z > ``NEAR_Z_M``.

    Returns the clipped triangles [T', 3, 3] and the index of each one's source triangle [T'].
    One vertex behind gives two triangles, two behind give one, three behind none.
    """
    front = corners_cam[..., 2] > NEAR_Z_M
    n_front = front.sum(axis=1)
    whole = n_front == 3
    parts, sources = [corners_cam[whole]], [np.flatnonzero(whole)]
    for n, odd in ((1, front), (2, ~front)):  # rotate the odd vertex out to position 0
        index = np.flatnonzero(n_front == n)
        first = np.argmax(odd[index], axis=1)
        order = (first[:, None] + np.arange(3)) % 3
        a, b, c = np.moveaxis(np.take_along_axis(corners_cam[index], order[..., None], 1), 1, 0)
        # cuts run from the vertex in front to the one behind: a shared edge cuts identically
        ab, ac = (_cut(a, b), _cut(a, c)) if n == 1 else (_cut(b, a), _cut(c, a))
        if n == 1:
            parts.append(np.stack([a, ab, ac], axis=1))
            sources.append(index)
        else:
            parts += [np.stack([b, c, ac], axis=1), np.stack([b, ac, ab], axis=1)]
            sources += [index, index]
    return np.concatenate(parts), np.concatenate(sources)


def _cut(front: np.ndarray, behind: np.ndarray) -> np.ndarray:
    t = (NEAR_Z_M - front[:, 2]) / (behind[:, 2] - front[:, 2])
    return front + t[:, None] * (behind - front)


def _apply(matrix: np.ndarray, points: np.ndarray) -> np.ndarray:
    """matrix [3, 3] times each point [..., 3]; numpy's matmul is far slower on [N, 3]."""
    return sum(points[..., j, None] * matrix[:, j] for j in range(3))


def _project(camera: CameraFrame, corners_cam: np.ndarray) -> tuple[np.ndarray, ...]:
    """Pixel coordinates u, v and 1/z, each [T, 3], of clipped camera-frame triangles."""
    image = _apply(np.asarray(camera.K_px, dtype=np.float64), corners_cam)
    inv_z = 1.0 / corners_cam[..., 2]
    return image[..., 0] * inv_z, image[..., 1] * inv_z, inv_z


def _camera_triangles(camera: CameraFrame, vertices_world_m: np.ndarray, triangles: np.ndarray):
    """Clipped, projected triangles (u, v, inv_z [T', 3]) and their source index [T']."""
    T_world_cam = np.asarray(camera.T_world_cam, dtype=np.float64)
    vertices_cam = _apply(T_world_cam[:3, :3].T, vertices_world_m - T_world_cam[:3, 3])
    clipped, source = clip_near(vertices_cam[triangles])
    return (*_project(camera, clipped), source)


def _pixel_boxes(u: np.ndarray, v: np.ndarray, roi: tuple[int, int, int, int]) -> np.ndarray:
    """Half-open boxes [T, 4] (u0, v0, u1, v1) of the pixel centres a triangle can cover,
    within the region of interest roi = (u0, v0, u1, v1), half-open."""
    lo = np.array(roi[:2], dtype=np.float64)
    hi = np.array(roi[2:], dtype=np.float64)
    first = np.clip(np.ceil(np.stack([u.min(1), v.min(1)], axis=1) - 0.5), lo, hi)
    last = np.clip(np.floor(np.stack([u.max(1), v.max(1)], axis=1) - 0.5) + 1, lo, hi)
    return np.concatenate([first, last], axis=1).astype(np.int64)


def _split_rows(boxes: np.ndarray, owner: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cut boxes taller than ``CANDIDATE_BATCH`` pixels into bands of rows."""
    width = boxes[:, 2] - boxes[:, 0]
    rows = np.maximum(CANDIDATE_BATCH // np.maximum(width, 1), 1)
    pieces = -(-(boxes[:, 3] - boxes[:, 1]) // rows)
    band = np.arange(pieces.sum()) - np.repeat(np.cumsum(pieces) - pieces, pieces)
    boxes, owner, rows = boxes.repeat(pieces, 0), owner.repeat(pieces), rows.repeat(pieces)
    boxes[:, 1] += band * rows
    boxes[:, 3] = np.minimum(boxes[:, 3], boxes[:, 1] + rows)
    return boxes, owner


@dataclass(frozen=True)
class _Edges:
    """Edge k of each triangle (vertex k to k + 1) as arrays [3, T]: canonical start (x0, y0)
    (the lexicographically smaller end) and direction (dx, dy), the direction multiplied by
    the sign that makes the edge function e(px, py) = dx (py - y0) - dy (px - x0) >= 0 inside.

    A shared edge thus gives its two triangles bitwise opposite values: no crack, no gap.
    """

    x0: np.ndarray
    y0: np.ndarray
    dx: np.ndarray
    dy: np.ndarray

    @classmethod
    def of(cls, u: np.ndarray, v: np.ndarray, area2: np.ndarray) -> _Edges:
        x_from, y_from = np.ascontiguousarray(u.T), np.ascontiguousarray(v.T)
        x_to, y_to = np.roll(x_from, -1, axis=0), np.roll(y_from, -1, axis=0)
        swap = (x_from > x_to) | ((x_from == x_to) & (y_from > y_to))
        x0, y0 = np.where(swap, x_to, x_from), np.where(swap, y_to, y_from)
        x1, y1 = np.where(swap, x_from, x_to), np.where(swap, y_from, y_to)
        sign = np.where(swap, -1.0, 1.0) * np.sign(area2)
        return cls(x0, y0, sign * (x1 - x0), sign * (y1 - y0))


def _row_intervals(edges: _Edges, tri: np.ndarray, py: np.ndarray, lo, hi):
    """Per (triangle, row) pair: the edge terms dx (py - y0) [3, N] and a column range
    [lo, hi] (inclusive) holding every pixel centre inside, one column wider on each side
    than the exact bounds so that the exact test decides at the ends."""
    terms = []
    for k in range(3):
        x0, dy = edges.x0[k][tri], edges.dy[k][tri]
        term = edges.dx[k][tri] * (py - edges.y0[k][tri])
        terms.append(term)
        with np.errstate(divide="ignore", invalid="ignore"):
            bound = x0 + term / dy  # e >= 0 <=> px <= bound (dy > 0) or px >= bound (dy < 0)
        lo = np.where(dy < 0, np.maximum(lo, np.ceil(bound - 0.5) - 1), lo)
        hi = np.where(dy > 0, np.minimum(hi, np.floor(bound - 0.5) + 1), hi)
        hi = np.where((dy == 0) & (term < 0), lo - 1, hi)
    return np.stack(terms), lo, hi


def _cover(boxes: np.ndarray, owner: np.ndarray, edges: _Edges) -> tuple[np.ndarray, ...]:
    """Pixels of the boxes [B, 4] whose centres lie in triangle owner[b]: (triangle, column,
    row, edge values [3, N])."""
    height = boxes[:, 3] - boxes[:, 1]
    tri = np.repeat(owner, height)
    row = np.repeat(boxes[:, 1] - np.cumsum(height) + height, height) + np.arange(height.sum())
    lo = np.repeat(boxes[:, 0], height).astype(np.float64)
    hi = np.repeat(boxes[:, 2] - 1, height).astype(np.float64)
    terms, lo, hi = _row_intervals(edges, tri, row + 0.5, lo, hi)
    count = np.maximum(hi - lo + 1, 0).astype(np.int64)
    pair = np.repeat(np.arange(len(tri)), count)
    first = np.where(count > 0, lo, 0).astype(np.int64)
    col = np.repeat(first - np.cumsum(count) + count, count) + np.arange(count.sum())
    tri, row, px = tri[pair], row[pair], col + 0.5
    values = np.stack(
        [terms[k][pair] - edges.dy[k][tri] * (px - edges.x0[k][tri]) for k in range(3)]
    )
    inside = np.all(values >= 0, axis=0)
    return tri[inside], col[inside], row[inside], values[:, inside]


def fragments(
    u: np.ndarray, v: np.ndarray, inv_z: np.ndarray | None, roi: tuple[int, int, int, int]
) -> Iterator[tuple[np.ndarray, ...]]:
    """Covered pixels of projected triangles (u, v [T, 3]) within roi (u0, v0, u1, v1, half-open).

    Yields batches (triangle [N], column [N], row [N], depth_z_m [N] or None without
    ``inv_z``), each from pixel boxes of at most ``CANDIDATE_BATCH`` pixels in all (boxes
    larger than that are cut into bands of rows). Within a box, each row is narrowed to the
    columns the triangle can cover; every remaining pixel centre is tested with the three edge
    functions (edges included, either winding).
    """
    area2 = (u[:, 1] - u[:, 0]) * (v[:, 2] - v[:, 0]) - (u[:, 2] - u[:, 0]) * (v[:, 1] - v[:, 0])
    boxes = _pixel_boxes(u, v, roi)
    keep = (boxes[:, 0] < boxes[:, 2]) & (boxes[:, 1] < boxes[:, 3]) & (area2 != 0)
    index = np.flatnonzero(keep)  # only triangles that reach the region are worked on
    u, v, area2 = u[index], v[index], area2[index]
    boxes, owner = _split_rows(boxes[index], np.arange(len(index)))
    edges = _Edges.of(u, v, area2)
    counts = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    ends = np.cumsum(counts)
    start = 0
    while start < len(counts):
        stop = np.searchsorted(ends, ends[start] - counts[start] + CANDIDATE_BATCH, "right")
        part = slice(start, max(int(stop), start + 1))
        start = part.stop
        tri, col, row, values = _cover(boxes[part], owner[part], edges)
        depth = None
        if inv_z is not None:  # barycentric weight of vertex k: edge k + 1 over the area
            w = sum(values[(k + 1) % 3] * inv_z[index[tri], k] for k in range(3))
            depth = np.abs(area2[tri]) / w
        yield index[tri], col, row, depth


def _zbuffer(camera: CameraFrame, u, v, inv_z, ids) -> tuple[np.ndarray, np.ndarray]:
    """Nearest surface per pixel: instance [H, W] uint16 and depth [H, W] float64. Ties go to
    the lower triangle index (coincident surfaces: the first hit is arbitrary anyway)."""
    size = camera.width * camera.height
    depth, instance = np.full(size, np.inf), np.zeros(size, dtype=np.uint16)
    nearest, winner = np.empty(size), np.empty(size, dtype=np.int64)
    for tri, col, row, z in fragments(u, v, inv_z, (0, 0, camera.width, camera.height)):
        pixel = row * camera.width + col
        nearest.fill(np.inf)
        np.minimum.at(nearest, pixel, z)
        ties = z == nearest[pixel]
        winner.fill(len(ids))
        np.minimum.at(winner, pixel[ties], tri[ties])
        nearer = np.flatnonzero(nearest < depth)
        depth[nearer] = nearest[nearer]
        instance[nearer] = ids[winner[nearer]]
    shape = (camera.height, camera.width)
    return instance.reshape(shape), depth.reshape(shape)


def _silhouette_areas(
    camera: CameraFrame, u: np.ndarray, v: np.ndarray, amodal_margin: int
) -> tuple[int, int]:
    """(S_full, S_in) of one object's triangles (u, v [T, 3]): the union of the pixels they
    cover on the capped plane, and its part in the image."""
    width, height = camera.width, camera.height
    roi = (
        -amodal_margin * width,
        -amodal_margin * height,
        (1 + amodal_margin) * width,
        (1 + amodal_margin) * height,
    )
    boxes = _pixel_boxes(u, v, roi)
    reach = (boxes[:, 0] < boxes[:, 2]) & (boxes[:, 1] < boxes[:, 3])
    if not reach.any():
        return 0, 0
    u0, v0 = boxes[reach, :2].min(axis=0)  # a mask over the boxes' union window, not the plane
    u1, v1 = boxes[reach, 2:].max(axis=0)
    mask = np.zeros((v1 - v0, u1 - u0), dtype=bool)
    for _, col, row, _ in fragments(u[reach], v[reach], None, (u0, v0, u1, v1)):
        mask[row - v0, col - u0] = True
    in_image = mask[max(-v0, 0) : max(height - v0, 0), max(-u0, 0) : max(width - u0, 0)]
    return int(mask.sum()), int(in_image.sum())


def rasterize_view(scene: Scene, camera: CameraFrame, amodal_margin: int = 1) -> RasterView:
    """Instance buffer, planar depth and amodal areas of one camera, by z-buffer rasterisation.

    Args:
        scene: geometry (world frame, metres) with per-face instance ids.
        camera: pinhole camera (OpenCV axes, ``T_world_cam`` camera-to-world).
        amodal_margin: the unbounded plane is capped at ``amodal_margin`` image sizes on each
            side; must equal the pipeline's ``AMODAL_MARGIN`` for the areas to be comparable.

    Returns:
        A :class:`RasterView`.

    Raises:
        ValueError: ``amodal_margin`` is negative.
    """
    if amodal_margin < 0:
        raise ValueError(f"amodal_margin={amodal_margin}: need >= 0")
    u, v, inv_z, face = _camera_triangles(camera, scene.vertices_world_m, scene.triangles)
    ids = scene.face_instance[face]
    instance, depth = _zbuffer(camera, u, v, inv_z, ids)
    order = np.argsort(ids, kind="stable")  # one object's triangles are then contiguous
    present, starts = np.unique(ids[order], return_index=True)
    ends = np.append(starts[1:], len(order))
    structural = {obj.instance_id for obj in scene.objects if obj.structural}
    areas = {}
    for instance_id, start, end in zip(present.tolist(), starts, ends, strict=True):
        if instance_id == 0 or instance_id in structural:
            continue
        part = order[start:end]
        full, inside = _silhouette_areas(camera, u[part], v[part], amodal_margin)
        if full > 0:
            areas[instance_id] = (full, inside)
    return RasterView(instance=instance, depth_z_m=depth, areas=areas)


def _stats(values: list[float]) -> dict[str, Any]:
    if not values:
        return {"n": 0, "max": None, "mean": None}
    array = np.abs(np.asarray(values, dtype=np.float64))
    return {"n": len(array), "max": float(array.max()), "mean": float(array.mean())}


def _relative(a: int, b: int) -> float:
    return 0.0 if a == b else abs(a - b) / max(a, b)


def _one_sided(observations: list[Observation]) -> dict[str, Any]:
    return {
        "count": len(observations),
        "max_pixels_full": max((o.pixels_full for o in observations), default=0),
        "max_pixels_in_image": max((o.pixels_in_image for o in observations), default=0),
    }


def _raster_observations(camera: CameraFrame, view: RasterView) -> dict[int, Observation]:
    """The rasteriser's observations; observed means S_in > 0, as in the pipeline."""
    visible = np.bincount(view.instance.ravel(), minlength=1 << 16)
    observations = {}
    for instance_id, (full, inside) in view.areas.items():
        if inside > 0:
            seen = int(visible[instance_id])
            observations[instance_id] = Observation(
                frame_id=camera.frame_id,
                instance_id=instance_id,
                pixels_full=full,
                pixels_in_image=inside,
                pixels_visible=seen,
                bbox_2d_visible=None,  # the comparison needs only the three areas
                center_2d_visible=None,
                depth_min_m=None,
                depth_median_m=None,
                depth_max_m=None,
                visible=seen > 0,
            )
    return observations


def _compare_observations(pairs: list[tuple[Observation, Observation]]) -> dict[str, Any]:
    """Differences (pipeline minus rasteriser) over observations both methods made."""
    summary: dict[str, Any] = {"observations_compared": len(pairs)}
    for name in ("truncation", "occlusion", "visible_fraction"):
        diffs = [
            getattr(a, name) - getattr(b, name)
            for a, b in pairs
            if getattr(a, name) is not None and getattr(b, name) is not None
        ]
        summary[f"{name}_abs_diff"] = _stats(diffs)
    for name in ("pixels_full", "pixels_in_image", "pixels_visible"):
        diffs = [_relative(getattr(a, name), getattr(b, name)) for a, b in pairs]
        summary[f"{name}_rel_diff"] = _stats(diffs)
    return summary


def compare_scene(
    scene: Scene,
    cameras: list[CameraFrame],
    visibility: SceneVisibility,
    render_dir: Path,
    amodal_margin: int = 1,
) -> dict[str, Any]:
    """Compare the pipeline's rendered buffers and observations with :func:`rasterize_view`.

    Args:
        scene: the scene the pipeline rendered.
        cameras: the frames to compare (each must be in ``visibility.frames``).
        visibility: the pipeline's observations of the scene.
        render_dir: the pipeline's render directory (``instance/`` and ``depth/`` PNGs).
        amodal_margin: must equal the pipeline's ``AMODAL_MARGIN``.

    Returns:
        A JSON-able summary: instance-buffer agreement (overall and worst frame), depth
        differences where both buffers show the same object, differences of truncation,
        occlusion and visible fraction (absolute) and of S_full, S_in, S_vis (relative to the
        larger) over observations both methods made, and the observations only one made.

    Raises:
        ValueError: a camera is not among the visibility file's frames.
    """
    unknown = [c.frame_id for c in cameras if c.frame_id not in visibility.frames]
    if unknown:
        raise ValueError(f"frames {unknown[:5]} are not in the visibility of {scene.name}")
    pipeline = {(o.frame_id, o.instance_id): o for o in visibility.observations}
    pairs, only_pipeline, only_raster = [], [], []
    agreement, depth_diffs = {}, []
    for camera in cameras:
        view = rasterize_view(scene, camera, amodal_margin)
        instance = read_png16(render_dir / "instance" / f"{camera.frame_id}.png")
        depth = png_mm_to_depth(read_png16(render_dir / "depth" / f"{camera.frame_id}.png"))
        same = instance == view.instance
        agreement[camera.frame_id] = float(same.mean())
        both = same & (instance > 0) & np.isfinite(depth) & np.isfinite(view.depth_z_m)
        depth_diffs.append(depth[both] - view.depth_z_m[both])
        raster = _raster_observations(camera, view)
        mine = {k[1]: o for k, o in pipeline.items() if k[0] == camera.frame_id}
        pairs += [(mine[i], raster[i]) for i in sorted(mine.keys() & raster.keys())]
        only_pipeline += [mine[i] for i in sorted(mine.keys() - raster.keys())]
        only_raster += [raster[i] for i in sorted(raster.keys() - mine.keys())]
    depth_diff = np.abs(np.concatenate(depth_diffs)) if depth_diffs else np.zeros(0)
    worst = min(agreement, key=agreement.get) if agreement else None
    return {
        "frames": len(cameras),
        "instance_agreement": float(np.mean(list(agreement.values()))) if agreement else None,
        "instance_agreement_worst_frame": agreement.get(worst),
        "worst_frame": worst,
        "depth_abs_diff_m": {
            "n": len(depth_diff),
            "median": float(np.median(depth_diff)) if len(depth_diff) else None,
            "p99": float(np.quantile(depth_diff, 0.99)) if len(depth_diff) else None,
            "max": float(depth_diff.max()) if len(depth_diff) else None,
        },
        **_compare_observations(pairs),
        "only_pipeline": _one_sided(only_pipeline),
        "only_crosscheck": _one_sided(only_raster),
    }


def violations(
    summary: dict[str, Any], tolerance: CrossCheckTolerance = CROSSCHECK_TOLERANCE
) -> list[str]:
    """Which bounds of ``tolerance`` a :func:`compare_scene` summary breaks (empty: none)."""
    found = []
    worst = summary["instance_agreement_worst_frame"]
    if worst is not None and worst < tolerance.instance_agreement:
        found.append(
            f"instance agreement {worst:.5f} in {summary['worst_frame']} "
            f"< {tolerance.instance_agreement}"
        )
    for name, bound in (
        ("truncation", tolerance.mean_abs_truncation),
        ("occlusion", tolerance.mean_abs_occlusion),
    ):
        mean = summary[f"{name}_abs_diff"]["mean"]
        if mean is not None and mean > bound:
            found.append(f"mean |{name} diff| {mean:.5f} > {bound}")
    depth_p99 = summary["depth_abs_diff_m"]["p99"]
    if depth_p99 is not None and depth_p99 > tolerance.depth_p99_m:
        found.append(f"99th percentile |depth diff| {depth_p99:.5f} m > {tolerance.depth_p99_m}")
    for side in ("only_pipeline", "only_crosscheck"):
        largest = summary[side]["max_pixels_in_image"]
        if largest > tolerance.max_one_sided_pixels:
            found.append(
                f"{side}: an object of {largest} px (> {tolerance.max_one_sided_pixels}) "
                "observed by one method only"
            )
    return found

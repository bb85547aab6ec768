"""Per object and frame visibility, and pairwise view overlap (SPEC §2).

S_vis comes from the rendered instance buffer. S_full and S_in need the object's silhouette
rendered alone (so an object's own back side never counts as occlusion), without one full
render per object:

- in the image, object-alone rays are cast only where the object can be: inside the union of
  its triangles' projected pixel boxes (widened by one pixel against float rounding), minus
  the pixels the instance buffer already shows as this object (those are hits). S_in thus
  comes from the same ray casts as S_vis, pixel for pixel;
- outside the image, the silhouette is rasterised exactly by row spans: a pixel (u, v) is
  covered when its centre (u + 0.5, v + 0.5) lies in a projected triangle, which for each row
  is an interval per triangle, computed in float64; the union of the intervals is the area.
  Cost grows with the rows a triangle spans, not with its area, so near objects that spill far
  beyond the image stay cheap.

Triangles are clipped just in front of the camera centre (``CLIP_Z_M``), as rays see every
surface at t > 0. The unbounded image plane is capped at ``AMODAL_MARGIN`` image sizes on each
side (an object seen from inside fills the capped plane). Objects whose silhouette misses the
image entirely are not observed in that frame.

Overlap(i, j) is the IoU of the sets of visible object surface points of frames i and j,
discretised into voxels of ``voxel_m`` (structural classes excluded).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path

import numpy as np
from tqdm import tqdm

from spatialmosaic.io import ArtefactError, read_png16
from spatialmosaic.raycast import (
    Raycaster,
    camera_centre,
    intrinsics,
    make_raycaster,
    pixel_directions,
    pose,
)
from spatialmosaic.records import CameraFrame, Observation, SceneObject
from spatialmosaic.render.frames import png_mm_to_depth
from spatialmosaic.scene_io import Scene
from spatialmosaic.visibility.table import SceneVisibility, VisiblePoints

AMODAL_MARGIN = 1  # the unbounded plane is capped at [-W, 2W) x [-H, 2H)
CLIP_Z_M = 1e-6  # triangles are clipped here: in front of the camera centre, as rays see them
SPAN_BATCH = 1 << 20  # (polygon, row) pairs per rasterisation step: bounds memory
_VOXEL_KEY_BITS = 15  # per axis: +-819 m at 5 cm voxels, leaving 16 bits for the instance id


def plane_cap(camera: CameraFrame) -> tuple[int, int, int, int]:
    """Inclusive pixel bounds (u0, v0, u1, v1) of the capped amodal plane."""
    width, height = camera.width, camera.height
    return (
        -AMODAL_MARGIN * width,
        -AMODAL_MARGIN * height,
        (1 + AMODAL_MARGIN) * width - 1,
        (1 + AMODAL_MARGIN) * height - 1,
    )


@dataclass(frozen=True)
class ProjectedPolygons:
    """Triangles clipped at z = CLIP_Z_M and projected: convex polygons of 3 or 4 vertices,
    stored as 4 (the first vertex repeated for triangles), in pixel coordinates."""

    u: np.ndarray  # [P, 4] float64
    v: np.ndarray  # [P, 4]

    def __len__(self) -> int:
        return len(self.u)

    @cached_property
    def pixel_boxes(self) -> np.ndarray:
        """Inclusive pixel boxes [P, 4] (u0, v0, u1, v1) of the pixel centres a polygon can
        cover, widened by one pixel against float rounding (float64, may be huge)."""
        return np.stack(
            [
                np.floor(self.u.min(axis=1) - 0.5),
                np.floor(self.v.min(axis=1) - 0.5),
                np.ceil(self.u.max(axis=1) - 0.5),
                np.ceil(self.v.max(axis=1) - 0.5),
            ],
            axis=1,
        )


def project_triangles(
    camera: CameraFrame, vertices_world_m: np.ndarray, triangles: np.ndarray
) -> ProjectedPolygons:
    T_world_cam = pose(camera)
    vertices_cam = (vertices_world_m - T_world_cam[:3, 3]) @ T_world_cam[:3, :3]
    K_px = intrinsics(camera)
    if vertices_cam[:, 2].min() > CLIP_Z_M:  # common case: nothing to clip, project vertices
        u = K_px[0, 0] * vertices_cam[:, 0] / vertices_cam[:, 2] + K_px[0, 2]
        v = K_px[1, 1] * vertices_cam[:, 1] / vertices_cam[:, 2] + K_px[1, 2]
        quad = triangles[:, [0, 1, 2, 0]]
        return ProjectedPolygons(u=u[quad], v=v[quad])
    corners = vertices_cam[triangles]  # [T, 3, 3]
    following = np.roll(corners, -1, axis=1)
    z_from, z_to = corners[..., 2], following[..., 2]
    in_front = z_from > CLIP_Z_M
    crossing = in_front != (z_to > CLIP_Z_M)
    t = (CLIP_Z_M - z_from) / np.where(crossing, z_to - z_from, 1.0)
    cuts = corners + t[..., None] * (following - corners)
    # Sutherland-Hodgman order: vertex 0, cut 0-1, vertex 1, cut 1-2, vertex 2, cut 2-0
    points = np.stack([corners, cuts], axis=2).reshape(len(corners), 6, 3)
    valid = np.stack([in_front, crossing], axis=2).reshape(len(corners), 6)
    kept = valid.sum(axis=1)
    points, valid, kept = points[kept >= 3], valid[kept >= 3], kept[kept >= 3]
    order = np.argsort(~valid, axis=1, kind="stable")[:, :4]
    polygon = np.take_along_axis(points, order[..., None], axis=1)
    polygon[kept == 3, 3] = polygon[kept == 3, 0]
    z = np.maximum(polygon[..., 2], CLIP_Z_M)
    return ProjectedPolygons(
        u=K_px[0, 0] * polygon[..., 0] / z + K_px[0, 2],
        v=K_px[1, 1] * polygon[..., 1] / z + K_px[1, 2],
    )


def _scanline_triangles(polygons: ProjectedPolygons) -> tuple[np.ndarray, np.ndarray]:
    """Triangles (u, v) [T, 3] with vertices sorted top to bottom: quads split in two, flat
    triangles (no area, so they cover no pixel centre) dropped."""
    quads = polygons.u[:, 3] != polygons.u[:, 0]
    quads |= polygons.v[:, 3] != polygons.v[:, 0]
    u = np.concatenate([polygons.u[:, :3], polygons.u[quads][:, [0, 2, 3]]])
    v = np.concatenate([polygons.v[:, :3], polygons.v[quads][:, [0, 2, 3]]])
    us, vs = [u[:, k] for k in range(3)], [v[:, k] for k in range(3)]
    for a, b in ((0, 1), (1, 2), (0, 1)):  # a sorting network for three vertices
        swap = vs[a] > vs[b]
        us[a], us[b] = np.where(swap, us[b], us[a]), np.where(swap, us[a], us[b])
        vs[a], vs[b] = np.where(swap, vs[b], vs[a]), np.where(swap, vs[a], vs[b])
    u, v = np.stack(us, axis=1), np.stack(vs, axis=1)
    area2 = (u[:, 1] - u[:, 0]) * (v[:, 2] - v[:, 0]) - (u[:, 2] - u[:, 0]) * (v[:, 1] - v[:, 0])
    return u[area2 != 0], v[area2 != 0]


def _edge(u_from, v_from, u_to, v_to) -> tuple[np.ndarray, np.ndarray]:
    """x = intercept + slope * y along an edge; a flat edge becomes x = u_to (its far end)."""
    flat = v_from == v_to
    slope = np.where(flat, 0.0, (u_to - u_from) / np.where(flat, 1.0, v_to - v_from))
    return np.where(flat, u_to, u_from - slope * v_from), slope


def _row_spans(polygons: ProjectedPolygons, row_lo: int, row_hi: int):
    """Yield (row, u_first, u_last) arrays: the pixel centres each polygon covers per row.

    Classic scanline: in a triangle sorted top to bottom, every row is bounded by the long
    edge (top to bottom) and one short edge (top to middle above the middle vertex, middle to
    bottom below it).
    """
    u, v = _scanline_triangles(polygons)
    first = np.maximum(np.ceil(v[:, 0] - 0.5), row_lo)
    last = np.minimum(np.floor(v[:, 2] - 0.5), row_hi)
    counts = np.maximum(last - first + 1, 0).astype(np.int64)
    long_b, long_m = _edge(u[:, 0], v[:, 0], u[:, 2], v[:, 2])
    upper_b, upper_m = _edge(u[:, 0], v[:, 0], u[:, 1], v[:, 1])
    lower_b, lower_m = _edge(u[:, 2], v[:, 2], u[:, 1], v[:, 1])
    ends = np.cumsum(counts)
    start = 0
    while start < len(u):
        stop = max(int(np.searchsorted(ends, ends[start] - counts[start] + SPAN_BATCH)), start + 1)
        batch = np.arange(start, min(stop, len(u)))
        start = batch[-1] + 1
        n = counts[batch]
        if n.sum() == 0:
            continue
        owner = np.repeat(batch, n)
        row = np.repeat(first[batch].astype(np.int64) - np.cumsum(n) + n, n) + np.arange(n.sum())
        y = row + 0.5
        upper = y <= v[owner, 1]
        x_long = long_b[owner] + long_m[owner] * y
        x_short = np.where(
            upper,
            upper_b[owner] + upper_m[owner] * y,
            lower_b[owner] + lower_m[owner] * y,
        )
        yield (
            row,
            np.ceil(np.minimum(x_long, x_short) - 0.5),
            np.floor(np.maximum(x_long, x_short) - 0.5),
        )


def _union_length(rows: np.ndarray, firsts: np.ndarray, lasts: np.ndarray, col_lo: int) -> int:
    """Number of pixels in the union of inclusive integer intervals, row by row."""
    if len(rows) == 0:
        return 0
    stride = np.int64(1 << 32)  # columns are shifted to [0, 2^32): one key orders rows, columns
    start = rows * stride + (firsts.astype(np.int64) - col_lo)
    stop = rows * stride + (lasts.astype(np.int64) - col_lo)
    order = np.argsort(start, kind="stable")
    start, stop = start[order], stop[order]
    reach = np.maximum.accumulate(stop)
    covered_before = np.concatenate([[np.iinfo(np.int64).min], reach[:-1]])
    return int(np.maximum(stop - np.maximum(start, covered_before + 1) + 1, 0).sum())


def area_outside_image(camera: CameraFrame, polygons: ProjectedPolygons) -> int:
    """Pixels of the capped plane outside the W x H image covered by the polygons."""
    cap = plane_cap(camera)
    boxes = polygons.pixel_boxes
    leaves_image = (
        (boxes[:, 0] < 0)
        | (boxes[:, 1] < 0)
        | (boxes[:, 2] >= camera.width)
        | (boxes[:, 3] >= camera.height)
    )
    polygons = ProjectedPolygons(polygons.u[leaves_image], polygons.v[leaves_image])
    # |spans U image| - |image|: the image rows enter as one full span each
    image_rows = np.arange(camera.height, dtype=np.int64)
    rows, firsts, lasts = (
        [image_rows],
        [np.zeros(camera.height)],
        [np.full(camera.height, camera.width - 1.0)],
    )
    for row, first, last in _row_spans(polygons, cap[1], cap[3]):
        first, last = np.maximum(first, cap[0]), np.minimum(last, cap[2])
        keep = first <= last
        rows.append(row[keep])
        firsts.append(first[keep])
        lasts.append(last[keep])
    covered = _union_length(
        np.concatenate(rows), np.concatenate(firsts), np.concatenate(lasts), col_lo=cap[0]
    )
    return covered - camera.width * camera.height


def image_candidates(camera: CameraFrame, boxes: np.ndarray) -> tuple[np.ndarray, int, int]:
    """Mask of the union of inclusive pixel boxes within the image, over the union's bounding
    window; returns (mask, u_offset, v_offset) of that window."""
    u0 = np.clip(boxes[:, 0], 0, camera.width).astype(np.int64)
    v0 = np.clip(boxes[:, 1], 0, camera.height).astype(np.int64)
    u1 = np.clip(boxes[:, 2] + 1, 0, camera.width).astype(np.int64)
    v1 = np.clip(boxes[:, 3] + 1, 0, camera.height).astype(np.int64)
    keep = (u0 < u1) & (v0 < v1)
    if not keep.any():
        return np.zeros((0, 0), dtype=bool), 0, 0
    u0, v0, u1, v1 = u0[keep], v0[keep], u1[keep], v1[keep]
    u_lo, v_lo = int(u0.min()), int(v0.min())
    width, height = int(u1.max()) - u_lo, int(v1.max()) - v_lo
    stride, size = width + 1, (height + 1) * (width + 1)
    u0, u1, v0, v1 = u0 - u_lo, u1 - u_lo, v0 - v_lo, v1 - v_lo
    opened = np.bincount(np.concatenate([v0 * stride + u0, v1 * stride + u1]), minlength=size)
    closed = np.bincount(np.concatenate([v0 * stride + u1, v1 * stride + u0]), minlength=size)
    table = (opened - closed).astype(np.int32).reshape(height + 1, stride)
    return table.cumsum(axis=0).cumsum(axis=1)[:-1, :-1] > 0, u_lo, v_lo


def in_image_silhouette(
    raycaster: Raycaster, camera: CameraFrame, boxes: np.ndarray, visible: np.ndarray
) -> np.ndarray:
    """[H, W] mask of the object-alone silhouette inside the image, given the object's visible
    pixels (hits without a cast) and the pixel boxes that bound it."""
    candidates, u_lo, v_lo = image_candidates(camera, boxes)
    silhouette = visible.copy()
    window = silhouette[v_lo : v_lo + candidates.shape[0], u_lo : u_lo + candidates.shape[1]]
    vs, us = np.nonzero(candidates & ~window)
    us, vs = (us + u_lo).astype(np.int32), (vs + v_lo).astype(np.int32)
    silhouette[vs, us] = raycaster.hit_pixels(camera, us, vs)
    return silhouette


def _object_voxel_keys(
    camera: CameraFrame,
    depth_z_m: np.ndarray,
    instance: np.ndarray,
    mask: np.ndarray,
    voxel_m: float,
) -> dict[int, np.ndarray]:
    """Per instance, the sorted unique voxel keys of its visible surface points in ``mask``."""
    vs, us = np.nonzero(mask)
    directions = pixel_directions(camera, us, vs).astype(np.float64)
    points = camera_centre(camera) + directions * depth_z_m[vs, us][:, None]
    cells = np.floor(points / voxel_m).astype(np.int64) + (1 << (_VOXEL_KEY_BITS - 1))
    if np.any((cells < 0) | (cells >= 1 << _VOXEL_KEY_BITS)):
        extent = voxel_m * (1 << _VOXEL_KEY_BITS)
        raise ValueError(
            f"scene extends beyond +-{extent / 2:.0f} m, the voxel key range at voxel size "
            f"{voxel_m} m; raise visibility.overlap_voxel_m"
        )
    keys = (cells[:, 0] << (2 * _VOXEL_KEY_BITS)) | (cells[:, 1] << _VOXEL_KEY_BITS) | cells[:, 2]
    # one sort of (instance, voxel) packed into one int64: 16 + 3 x 15 bits
    packed = np.unique((instance[vs, us].astype(np.int64) << (3 * _VOXEL_KEY_BITS)) | keys)
    owners = packed >> (3 * _VOXEL_KEY_BITS)
    keys = packed & ((1 << (3 * _VOXEL_KEY_BITS)) - 1)
    bounds = np.flatnonzero(np.diff(owners)) + 1
    return {
        int(group[0]): part
        for group, part in zip(np.split(owners, bounds), np.split(keys, bounds), strict=True)
        if len(group)
    }


def frame_voxel_keys(object_voxels: dict[int, np.ndarray]) -> np.ndarray:
    """The view's point set for the overlap: the union of its objects' voxel keys."""
    if not object_voxels:
        return np.empty(0, dtype=np.int64)
    return np.unique(np.concatenate(list(object_voxels.values())))


def overlap_matrix(voxel_sets: list[np.ndarray]) -> np.ndarray:
    """Pairwise IoU of sorted unique key arrays; IoU of two empty sets is 0."""
    n = len(voxel_sets)
    iou = np.zeros((n, n))
    for i in range(n):
        for j in range(i, n):
            inter = len(np.intersect1d(voxel_sets[i], voxel_sets[j], assume_unique=True))
            union = len(voxel_sets[i]) + len(voxel_sets[j]) - inter
            iou[i, j] = iou[j, i] = inter / union if union else 0.0
    return iou


def _silhouette_in_image(
    camera: CameraFrame,
    box_window: np.ndarray,
    raycaster: Raycaster,
    vertices_world_m: np.ndarray,
    triangles: np.ndarray,
    visible: np.ndarray,
) -> tuple[np.ndarray | None, ProjectedPolygons | None]:
    """The in-image silhouette (None when it cannot reach the image) and the projected
    triangles (None when the object's box lies inside the image: nothing spills outside)."""
    inside = (
        box_window[0] >= 0
        and box_window[1] >= 0
        and box_window[2] < camera.width
        and box_window[3] < camera.height
    )
    if inside:  # S_full = S_in: no per-triangle work
        return in_image_silhouette(raycaster, camera, box_window[None], visible), None
    polygons = project_triangles(camera, vertices_world_m, triangles)
    if len(polygons) == 0 or not _reaches_image(camera, polygons.pixel_boxes):
        return None, None
    return in_image_silhouette(raycaster, camera, polygons.pixel_boxes, visible), polygons


def _observe(
    camera: CameraFrame,
    obj: SceneObject,
    raycaster: Raycaster,
    vertices_world_m: np.ndarray,
    triangles: np.ndarray,
    instance: np.ndarray,
    depth: np.ndarray,
    min_pixels: int,
) -> Observation | None:
    box_window = box_pixel_window(camera, obj)
    if box_window is None or not _reaches_image(camera, box_window[None]):
        return None  # wholly behind the camera, or projects off the image
    mask = instance == obj.instance_id
    pixels_visible = int(mask.sum())
    silhouette, polygons = _silhouette_in_image(
        camera, box_window, raycaster, vertices_world_m, triangles, mask
    )
    in_image = 0 if silhouette is None else int(silhouette.sum())
    if in_image == 0:
        return None
    full = in_image + (0 if polygons is None else area_outside_image(camera, polygons))
    vs_in, us_in = np.nonzero(silhouette)
    amodal_box = (int(us_in.min()), int(vs_in.min()), int(us_in.max()), int(vs_in.max()))
    box_centre = (np.asarray(obj.bbox_min_m) + np.asarray(obj.bbox_max_m)) / 2
    box = centre = d_min = d_med = d_max = None
    if pixels_visible:
        vs, us = np.nonzero(mask)
        box = (int(us.min()), int(vs.min()), int(us.max()), int(vs.max()))
        centre = ((box[0] + box[2] + 1) / 2, (box[1] + box[3] + 1) / 2)
        depths = depth[mask]
        d_min, d_med, d_max = (
            float(np.min(depths)),
            float(np.median(depths)),
            float(np.max(depths)),
        )
    return Observation(
        camera.frame_id,
        obj.instance_id,
        full,
        in_image,
        pixels_visible,
        box,
        centre,
        d_min,
        d_med,
        d_max,
        pixels_visible >= min_pixels,
        bbox_2d_amodal=amodal_box,
        camera_distance_m=float(np.linalg.norm(box_centre - camera_centre(camera))),
    )


class SceneAnnotator:
    """Everything per scene that the frames share: the object-alone raycasters."""

    def __init__(self, scene: Scene, min_visible_pixels: int, voxel_m: float, backend: str):
        self.targets = [obj for obj in scene.objects if not obj.structural]
        self.structural_ids = [obj.instance_id for obj in scene.objects if obj.structural]
        self.min_visible_pixels, self.voxel_m = min_visible_pixels, voxel_m
        self._objects = {obj.instance_id: obj for obj in self.targets}
        self._per_object = {}
        for obj in self.targets:
            faces = scene.triangles[scene.face_instance == obj.instance_id]
            used, local = np.unique(faces, return_inverse=True)
            vertices, local_triangles = scene.vertices_world_m[used], local.reshape(-1, 3)
            raycaster = make_raycaster(vertices, local_triangles, backend)
            self._per_object[obj.instance_id] = (raycaster, vertices, local_triangles)

    def annotate(
        self, camera: CameraFrame, instance: np.ndarray, depth_z_m: np.ndarray
    ) -> tuple[list[Observation], dict[int, np.ndarray]]:
        """Observations of one frame, and per object its visible voxel keys (sorted, unique)."""
        object_mask = (
            (instance > 0) & ~np.isin(instance, self.structural_ids) & np.isfinite(depth_z_m)
        )
        voxels = _object_voxel_keys(camera, depth_z_m, instance, object_mask, self.voxel_m)
        observations = []
        for obj in self.targets:
            observation = _observe(
                camera,
                obj,
                *self._per_object[obj.instance_id],
                instance,
                depth_z_m,
                self.min_visible_pixels,
            )
            if observation is not None:
                count = len(voxels.get(obj.instance_id, ()))
                observations.append(replace(observation, voxels_visible=count))
        return observations, voxels

    def silhouette_in_image(
        self, camera: CameraFrame, instance: np.ndarray, instance_id: int
    ) -> np.ndarray:
        """[H, W] mask of an object's amodal silhouette in the image (for figures and checks)."""
        box_window = box_pixel_window(camera, self._objects[instance_id])
        silhouette = None
        if box_window is not None and _reaches_image(camera, box_window[None]):
            silhouette, _ = _silhouette_in_image(
                camera, box_window, *self._per_object[instance_id], instance == instance_id
            )
        return np.zeros(instance.shape, dtype=bool) if silhouette is None else silhouette


def _reaches_image(camera: CameraFrame, boxes: np.ndarray) -> bool:
    return bool(
        boxes[:, 0].min() < camera.width
        and boxes[:, 1].min() < camera.height
        and boxes[:, 2].max() >= 0
        and boxes[:, 3].max() >= 0
    )


def box_pixel_window(camera: CameraFrame, obj: SceneObject) -> np.ndarray | None:
    """Inclusive pixel bounds (u0, v0, u1, v1), widened by one pixel, of the projection of the
    object's 3D box; None when the box is wholly behind the camera, unbounded when it crosses
    the camera plane. The silhouette lies inside (a cheap test before per-triangle work)."""
    lo, hi = obj.bbox_min_m, obj.bbox_max_m
    corners = np.array(
        [[x, y, z] for x in (lo[0], hi[0]) for y in (lo[1], hi[1]) for z in (lo[2], hi[2])]
    )
    T_world_cam = pose(camera)
    corners_cam = (corners - T_world_cam[:3, 3]) @ T_world_cam[:3, :3]
    z = corners_cam[:, 2]
    if np.all(z <= CLIP_Z_M):
        return None
    if np.any(z <= CLIP_Z_M):
        return np.array([-np.inf, -np.inf, np.inf, np.inf])
    K_px = intrinsics(camera)
    u = K_px[0, 0] * corners_cam[:, 0] / z + K_px[0, 2]
    v = K_px[1, 1] * corners_cam[:, 1] / z + K_px[1, 2]
    return np.array(
        [
            np.floor(u.min() - 0.5),
            np.floor(v.min() - 0.5),
            np.ceil(u.max() - 0.5),
            np.ceil(v.max() - 0.5),
        ]
    )


def observe_scene(
    scene: Scene,
    cameras: list[CameraFrame],
    render_dir: Path,
    min_visible_pixels: int,
    voxel_m: float,
    backend: str = "open3d-cpu",
) -> tuple[SceneVisibility, VisiblePoints]:
    """Observations of every non-structural object in every frame where it projects, and the
    visible voxel keys of every object in every frame (the points behind the overlap).

    ``backend`` is a concrete name from :func:`spatialmosaic.raycast.resolve_backend`.
    """
    annotator = SceneAnnotator(scene, min_visible_pixels, voxel_m, backend)
    observations, voxel_sets, points = [], [], {}
    for camera in tqdm(cameras, desc=f"visibility {scene.name}", unit="frame"):
        instance = read_png16(render_dir / "instance" / f"{camera.frame_id}.png")
        depth = png_mm_to_depth(read_png16(render_dir / "depth" / f"{camera.frame_id}.png"))
        if instance.shape != (camera.height, camera.width):
            raise ArtefactError(
                f"{render_dir}: {camera.frame_id} is {instance.shape}, camera says "
                f"{(camera.height, camera.width)}"
            )
        frame_observations, object_voxels = annotator.annotate(camera, instance, depth)
        observations.extend(frame_observations)
        voxel_sets.append(frame_voxel_keys(object_voxels))
        points.update(
            {(camera.frame_id, instance_id): keys for instance_id, keys in object_voxels.items()}
        )
    visibility = SceneVisibility(
        scene_name=scene.name,
        frames=tuple(camera.frame_id for camera in cameras),
        observations=tuple(observations),
        overlap_iou=overlap_matrix(voxel_sets),
        min_visible_pixels=min_visible_pixels,
    )
    return visibility, VisiblePoints(scene.name, voxel_m, points)

"""Per object and frame visibility, and pairwise view overlap (SPEC §2).

S_vis comes from the rendered instance buffer. S_full and S_in come from an object-alone pass:
rays through every pixel centre of the object's projected bounds, extended beyond the image,
cast against that object's triangles only (so an object's own back side never counts as
occlusion). The unbounded image plane is capped at ``AMODAL_MARGIN`` image sizes on each side.
Objects whose projection misses the image entirely are not observed in that frame.

Overlap(i, j) is the IoU of the sets of visible object surface points of frames i and j,
discretised into voxels of ``voxel_m`` (structural classes excluded).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from tqdm import tqdm

from spatialmosaic.io import ArtefactError, read_png16
from spatialmosaic.raycast import TriangleRaycaster, image_pixels, pixel_rays, pose
from spatialmosaic.records import CameraFrame, Observation
from spatialmosaic.render.frames import png_mm_to_depth
from spatialmosaic.scene_io import Scene
from spatialmosaic.visibility.table import SceneVisibility

AMODAL_MARGIN = 1  # the unbounded plane is capped at [-W, 2W) x [-H, 2H)
NEAR_PLANE_M = 0.05  # surfaces closer than 5 cm to a camera centre are not expected
_VOXEL_KEY_BITS = 21


def _box_corners_and_edges(points: np.ndarray) -> tuple[np.ndarray, list[tuple[int, int]]]:
    lo, hi = points.min(axis=0), points.max(axis=0)
    corners = np.array(
        [[x, y, z] for x in (lo[0], hi[0]) for y in (lo[1], hi[1]) for z in (lo[2], hi[2])]
    )
    edges = [(a, b) for a in range(8) for b in range(a + 1, 8) if bin(a ^ b).count("1") == 1]
    return corners, edges


def _amodal_window(
    camera: CameraFrame, vertices_world_m: np.ndarray
) -> tuple[int, int, int, int] | None:
    """Pixel bounds [u0, u1) x [v0, v1) of the object's projection, capped; None if behind.

    An object crossing the near plane is bounded by its 3D box clipped at the near plane
    (perspective maps segments in front of the camera to segments, so the clipped box's
    projected corners bound the silhouette of everything in front of the plane).
    """
    T_world_cam = pose(camera)
    points_cam = (vertices_world_m - T_world_cam[:3, 3]) @ T_world_cam[:3, :3]
    z = points_cam[:, 2]
    if np.all(z <= NEAR_PLANE_M):
        return None
    if np.any(z <= NEAR_PLANE_M):
        corners, edges = _box_corners_and_edges(points_cam)
        kept = [corners[corners[:, 2] > NEAR_PLANE_M]]
        for a, b in edges:
            za, zb = corners[a, 2], corners[b, 2]
            if (za - NEAR_PLANE_M) * (zb - NEAR_PLANE_M) < 0:
                t = (NEAR_PLANE_M - za) / (zb - za)
                kept.append((corners[a] + t * (corners[b] - corners[a]))[None])
        points_cam = np.concatenate(kept)
        z = np.maximum(points_cam[:, 2], NEAR_PLANE_M)
    K_px = np.asarray(camera.K_px)
    u = K_px[0, 0] * points_cam[:, 0] / z + K_px[0, 2]
    v = K_px[1, 1] * points_cam[:, 1] / z + K_px[1, 2]
    cap = (
        -AMODAL_MARGIN * camera.width,
        -AMODAL_MARGIN * camera.height,
        (1 + AMODAL_MARGIN) * camera.width,
        (1 + AMODAL_MARGIN) * camera.height,
    )
    u0, v0 = max(cap[0], int(np.floor(u.min())) - 1), max(cap[1], int(np.floor(v.min())) - 1)
    u1, v1 = min(cap[2], int(np.ceil(u.max())) + 1), min(cap[3], int(np.ceil(v.max())) + 1)
    in_image = u0 < camera.width and v0 < camera.height and u1 > 0 and v1 > 0
    return (u0, v0, u1, v1) if in_image and u0 < u1 and v0 < v1 else None


def _amodal_areas(raycaster: TriangleRaycaster, camera: CameraFrame, window) -> tuple[int, int]:
    u0, v0, u1, v1 = window
    vs, us = np.mgrid[v0:v1, u0:u1]
    us, vs = us.ravel(), vs.ravel()
    hit = raycaster.hit_mask(pixel_rays(camera, us, vs))
    inside = (us >= 0) & (us < camera.width) & (vs >= 0) & (vs < camera.height)
    return int(hit.sum()), int((hit & inside).sum())


def _voxel_keys(
    camera: CameraFrame, depth_z_m: np.ndarray, mask: np.ndarray, voxel_m: float
) -> np.ndarray:
    us, vs = image_pixels(camera)
    keep = mask.ravel()
    rays = pixel_rays(camera, us[keep], vs[keep]).astype(np.float64)
    points = rays[:, :3] + rays[:, 3:] * depth_z_m.ravel()[keep, None]
    cells = np.floor(points / voxel_m).astype(np.int64) + (1 << (_VOXEL_KEY_BITS - 1))
    if np.any((cells < 0) | (cells >= 1 << _VOXEL_KEY_BITS)):
        raise ValueError(f"scene extent exceeds the voxel key range at voxel size {voxel_m} m")
    keys = (cells[:, 0] << (2 * _VOXEL_KEY_BITS)) | (cells[:, 1] << _VOXEL_KEY_BITS) | cells[:, 2]
    return np.unique(keys)


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


def _observe(frame_id, instance_id, raycaster, camera, vertices, instance, depth, min_pixels):
    window = _amodal_window(camera, vertices)
    mask = instance == instance_id
    pixels_visible = int(mask.sum())
    if window is None and pixels_visible == 0:
        return None
    full, in_image = _amodal_areas(raycaster, camera, window) if window else (0, 0)
    if pixels_visible > in_image:
        raise ArtefactError(
            f"frame {frame_id}, instance {instance_id}: {pixels_visible} visible pixels exceed "
            f"{in_image} silhouette pixels; the render does not match the scene mesh"
        )
    if full == 0:
        return None
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
        frame_id,
        instance_id,
        full,
        in_image,
        pixels_visible,
        box,
        centre,
        d_min,
        d_med,
        d_max,
        pixels_visible >= min_pixels,
    )


def observe_scene(
    scene: Scene,
    cameras: list[CameraFrame],
    render_dir: Path,
    min_visible_pixels: int,
    voxel_m: float,
) -> SceneVisibility:
    """Observations of every non-structural object in every frame where it projects."""
    targets = [obj for obj in scene.objects if not obj.structural]
    structural_ids = [obj.instance_id for obj in scene.objects if obj.structural]
    per_object = {}
    for obj in targets:
        faces = scene.triangles[scene.face_instance == obj.instance_id]
        used, local = np.unique(faces, return_inverse=True)
        vertices = scene.vertices_world_m[used]
        per_object[obj.instance_id] = (TriangleRaycaster(vertices, local.reshape(-1, 3)), vertices)
    observations, voxel_sets = [], []
    for camera in tqdm(cameras, desc=f"visibility {scene.name}", unit="frame"):
        instance = read_png16(render_dir / "instance" / f"{camera.frame_id}.png")
        depth = png_mm_to_depth(read_png16(render_dir / "depth" / f"{camera.frame_id}.png"))
        if instance.shape != (camera.height, camera.width):
            raise ArtefactError(
                f"{render_dir}: {camera.frame_id} is {instance.shape}, camera says "
                f"{(camera.height, camera.width)}"
            )
        for obj in targets:
            raycaster, vertices = per_object[obj.instance_id]
            observation = _observe(
                camera.frame_id,
                obj.instance_id,
                raycaster,
                camera,
                vertices,
                instance,
                depth,
                min_visible_pixels,
            )
            if observation is not None:
                observations.append(observation)
        object_mask = (instance > 0) & ~np.isin(instance, structural_ids) & np.isfinite(depth)
        voxel_sets.append(_voxel_keys(camera, depth, object_mask, voxel_m))
    return SceneVisibility(
        scene_name=scene.name,
        frames=tuple(camera.frame_id for camera in cameras),
        observations=tuple(observations),
        overlap_iou=overlap_matrix(voxel_sets),
        min_visible_pixels=min_visible_pixels,
    )

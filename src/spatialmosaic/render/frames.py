"""Render frames: RGB (Lambertian-shaded albedo), planar depth and instance ids.

All three images come from one ray cast per pixel, so colour edges, depth and ids agree
pixel for pixel. The albedo is a face's colour or its texture at the hit (``textures``). With
``supersample`` s > 1 the RGB alone is the mean of s x s rays per pixel (anti-aliasing); depth
and ids stay one exact ray per pixel centre. Files follow the official image layout (SPEC §4):
``<root>/<scene>/images/<frame>.jpg``, plus ``depth/<frame>.png`` (uint16 millimetres,
0 = no hit) and ``instance/<frame>.png`` (uint16 instance id, 0 = no hit).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm import tqdm

from spatialmosaic.io import ArtefactError, atomic_dir, write_jpeg, write_png16
from spatialmosaic.raycast import (
    Hits,
    Raycaster,
    image_pixels,
    intrinsics,
    make_raycaster,
    pixel_directions,
)
from spatialmosaic.records import CameraFrame
from spatialmosaic.render.textures import RGB_MAX, TextureSampler
from spatialmosaic.scene_io import Scene

DEPTH_UNITS_PER_M = 1000  # depth PNGs store millimetres, as ScanNet / ScanNet++ do
MAX_DEPTH_M = 65.535  # largest depth a uint16 millimetre image can hold
KEY_LIGHT_DIR = np.array([0.35, 0.5, 1.0]) / np.linalg.norm([0.35, 0.5, 1.0])
AMBIENT, KEY, HEADLIGHT = 0.28, 0.42, 0.40
FALLOFF_PER_M2 = 0.025  # gentle distance falloff of the headlight: a depth cue
BACKGROUND_RGB = np.array([128, 128, 128], dtype=np.uint8)


@dataclass(frozen=True)
class FrameImages:
    rgb: np.ndarray  # [H, W, 3] uint8
    depth_z_m: np.ndarray  # [H, W] float32, inf where no surface
    instance: np.ndarray  # [H, W] uint16, 0 where no surface


def render_frame(
    raycaster: Raycaster,
    scene: Scene,
    camera: CameraFrame,
    sampler: TextureSampler | None = None,
    supersample: int = 1,
) -> FrameImages:
    """One frame; ``sampler`` (built from ``scene`` when ``None``) can be shared by frames."""
    if supersample < 1:
        raise ValueError(f"supersample={supersample}: need an integer >= 1")
    sampler = TextureSampler(scene) if sampler is None else sampler
    us, vs = image_pixels(camera)
    hits = raycaster.cast_pixels(camera, us, vs)
    hit = hits.triangle >= 0
    instance = np.where(hit, scene.face_instance[np.maximum(hits.triangle, 0)], 0)
    shape = (camera.height, camera.width)
    if supersample == 1:
        rgb = _shade(scene, sampler, camera, hits)
    else:
        fine = _supersampled(camera, supersample)
        fine_rgb = _shade(scene, sampler, fine, raycaster.cast_image(fine))
        s = supersample
        rgb = fine_rgb.reshape(shape[0], s, shape[1], s, 3).mean(axis=(1, 3)).reshape(-1, 3)
    return FrameImages(
        rgb=np.clip(np.round(rgb * RGB_MAX), 0, RGB_MAX).astype(np.uint8).reshape(*shape, 3),
        depth_z_m=np.where(hit, hits.depth_z_m, np.inf).astype(np.float32).reshape(shape),
        instance=instance.astype(np.uint16).reshape(shape),
    )


def _shade(scene: Scene, sampler: TextureSampler, camera: CameraFrame, hits: Hits) -> np.ndarray:
    """Lambertian RGB in 0..1 [N, 3] of every pixel's hit: a key light from above plus a
    headlight whose falloff with distance is a depth cue; the background where nothing is hit."""
    us, vs = image_pixels(camera)
    hit = hits.triangle >= 0
    directions = pixel_directions(camera, us, vs)  # float32, as is the rest of the shading
    ray_length = np.sqrt(np.einsum("ij,ij->i", directions, directions))
    view_dir = directions / ray_length[:, None]
    normal = hits.normal_world.astype(np.float32)
    facing = np.einsum("ij,ij->i", normal, view_dir)
    normal = np.where((facing > 0)[:, None], -normal, normal)  # the side the camera sees
    distance = np.where(hit, hits.depth_z_m, 0) * ray_length
    key = np.clip(normal @ KEY_LIGHT_DIR.astype(np.float32), 0, None)
    head = np.abs(facing) / (1 + np.float32(FALLOFF_PER_M2) * distance**2)
    albedo = sampler.albedo(np.maximum(hits.triangle, 0), hits.barycentric_uv)
    light = np.float32(AMBIENT) + np.float32(KEY) * key + np.float32(HEADLIGHT) * head
    rgb = albedo * light[:, None]
    background = np.asarray(scene.info.get("background_rgb", BACKGROUND_RGB)) / RGB_MAX
    rgb[~hit] = background  # street scenes: sky
    return rgb


def _supersampled(camera: CameraFrame, factor: int) -> CameraFrame:
    """The camera with ``factor`` x ``factor`` pixels per pixel: its pixel centres are the
    sub-pixel centres of a regular grid inside each original pixel."""
    K_px = intrinsics(camera)
    K_px[:2] *= factor
    return CameraFrame(
        frame_id=camera.frame_id,
        K_px=tuple(tuple(float(v) for v in row) for row in K_px),
        T_world_cam=camera.T_world_cam,
        width=camera.width * factor,
        height=camera.height * factor,
    )


def depth_to_png_mm(depth_z_m: np.ndarray) -> np.ndarray:
    """Millimetres in uint16; 0 marks no surface or depth beyond the representable range."""
    valid = np.isfinite(depth_z_m) & (depth_z_m <= MAX_DEPTH_M)
    return np.where(valid, np.round(np.where(valid, depth_z_m, 0) * DEPTH_UNITS_PER_M), 0).astype(
        np.uint16
    )


def png_mm_to_depth(depth_mm: np.ndarray) -> np.ndarray:
    """Inverse of :func:`depth_to_png_mm`: metres, inf where the PNG holds 0."""
    return np.where(depth_mm > 0, depth_mm.astype(np.float64) / DEPTH_UNITS_PER_M, np.inf)


def render_scene(
    scene: Scene,
    cameras: list[CameraFrame],
    out_dir: Path,
    jpeg_quality: int,
    backend: str = "open3d-cpu",
    photos_dir: Path | None = None,
    supersample: int = 1,
) -> None:
    """Render every camera of a scene into ``out_dir`` (replaced atomically as a whole).

    ``backend`` is a concrete name from :func:`spatialmosaic.raycast.resolve_backend`. With
    ``photos_dir`` (a dataset's own images, ``<frame>.jpg``), those photos are the RGB frames
    and only depth and instance ids are rendered. ``supersample``: rays per pixel side for the
    RGB (1: one ray per pixel).
    """
    raycaster = make_raycaster(scene.vertices_world_m, scene.triangles, backend)
    sampler = TextureSampler(scene)
    with atomic_dir(out_dir) as tmp:
        for camera in tqdm(cameras, desc=f"render {scene.name}", unit="frame"):
            images = render_frame(raycaster, scene, camera, sampler, supersample)
            rgb_path = tmp / "images" / f"{camera.frame_id}.jpg"
            if photos_dir is None:
                write_jpeg(rgb_path, images.rgb, jpeg_quality)
            else:
                photo = photos_dir / f"{camera.frame_id}.jpg"
                if not photo.is_file():
                    raise ArtefactError(f"{photo}: missing photo of frame {camera.frame_id}")
                rgb_path.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(photo, rgb_path)
            write_png16(tmp / "depth" / f"{camera.frame_id}.png", depth_to_png_mm(images.depth_z_m))
            write_png16(tmp / "instance" / f"{camera.frame_id}.png", images.instance)

"""A scanned scene with its own photos: the scene, its cameras and one JPEG per frame.

What every real dataset loader (ScanNet++, ScanNet v2) hands to the pipeline, and the few
steps they share: evenly spaced frame selection, pose checks, resizing a photo with its
intrinsics, bilinear resampling (lens undistortion) and the atomic write of all four outputs.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from spatialmosaic.io import ArtefactError, atomic_dir
from spatialmosaic.records import CameraFrame
from spatialmosaic.scene_io import Scene, write_cameras, write_scene

JPEG_QUALITY = 95  # the photos are re-encoded once, after resizing
RIGID_TOLERANCE = 1e-3


@dataclass(frozen=True)
class Capture:
    """``images[frame_id]`` is the JPEG of each camera, in ``cameras`` order."""

    scene: Scene
    cameras: tuple[CameraFrame, ...]
    images: dict[str, bytes]


def evenly_spaced(count: int, wanted: int) -> list[int]:
    """``wanted`` indices spread evenly over ``range(count)``, first and last included; all
    of them when ``wanted >= count``; ``[0]`` for one."""
    if count <= 0 or wanted <= 0:
        return []
    if wanted >= count:
        return list(range(count))
    if wanted == 1:
        return [0]
    return [round(i * (count - 1) / (wanted - 1)) for i in range(wanted)]


def rigid_transform(path: Path, what: str, matrix: object) -> np.ndarray:
    """A 4x4 rigid transform (finite, rotation with det +1, last row 0 0 0 1) as float64.

    Raises:
        ArtefactError: naming ``path``, ``what`` and the problem.
    """
    try:
        T = np.asarray(matrix, dtype=np.float64).reshape(4, 4)
    except (TypeError, ValueError):
        raise ArtefactError(f"{path}: {what}: expected a 4x4 matrix, got {matrix!r:.80}") from None
    if not np.all(np.isfinite(T)):
        raise ArtefactError(f"{path}: {what}: NaN/inf in pose {T.tolist()}")
    rotation = T[:3, :3]
    if (
        np.abs(rotation.T @ rotation - np.eye(3)).max() > RIGID_TOLERANCE
        or np.linalg.det(rotation) < 0
        or np.abs(T[3] - [0, 0, 0, 1]).max() > RIGID_TOLERANCE
    ):
        raise ArtefactError(f"{path}: {what}: not a rigid transform {T.round(4).tolist()}")
    return T


def intrinsic_matrix(path: Path, what: str, matrix: object) -> np.ndarray:
    """A 3x3 pinhole ``K`` (the top-left block of a 4x4 one) with positive focal lengths."""
    try:
        K = np.asarray(matrix, dtype=np.float64)
        K = K[:3, :3] if K.shape == (4, 4) else K.reshape(3, 3)
    except (TypeError, ValueError):
        raise ArtefactError(f"{path}: {what}: expected a 3x3 intrinsic matrix") from None
    if not np.all(np.isfinite(K)) or K[0, 0] <= 0 or K[1, 1] <= 0:
        raise ArtefactError(f"{path}: {what}: bad intrinsics {K.tolist()}")
    return K


def fit_photo(rgb: np.ndarray, K_px: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Resize [H, W, 3] to ``width`` (height keeps the aspect ratio) and scale ``K`` by each
    axis' own ratio, so it matches the resized image exactly (pixel-corner origin)."""
    height_in, width_in = rgb.shape[:2]
    height = max(1, round(height_in * width / width_in))
    scale = np.diag([width / width_in, height / height_in, 1.0])
    if (height, width) != (height_in, width_in):
        image = Image.fromarray(rgb).resize((width, height), Image.Resampling.LANCZOS)
        rgb = np.asarray(image)
    return rgb, scale @ K_px


def check_principal_point(path: Path, frame_id: str, K_px: np.ndarray, rgb: np.ndarray) -> None:
    """Intrinsics must belong to the photo's size: a photo resized on its own breaks them."""
    height, width = rgb.shape[:2]
    cx, cy = K_px[0, 2], K_px[1, 2]
    if not (0 < cx < width and 0 < cy < height):
        raise ArtefactError(
            f"{path}: {frame_id}: principal point ({cx:.1f}, {cy:.1f}) lies outside its "
            f"{width}x{height} photo; the intrinsics are for another image size"
        )


def camera_frame(frame_id: str, K_px: np.ndarray, T_world_cam: np.ndarray, rgb: np.ndarray):
    """The :class:`CameraFrame` of a photo (OpenCV axes, camera-to-world)."""
    return CameraFrame(
        frame_id=frame_id,
        K_px=tuple(tuple(float(v) for v in row) for row in K_px),
        T_world_cam=tuple(tuple(float(v) for v in row) for row in T_world_cam),
        width=int(rgb.shape[1]),
        height=int(rgb.shape[0]),
    )


def encode_jpeg(rgb: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, format="JPEG", quality=JPEG_QUALITY)
    return buffer.getvalue()


def decode_image(path: Path) -> np.ndarray:
    """[H, W, 3] uint8 of an image file."""
    if not path.is_file():
        raise ArtefactError(f"{path}: missing image")
    try:
        with Image.open(path) as image:
            return np.asarray(image.convert("RGB"))
    except (OSError, ValueError, SyntaxError) as error:
        raise ArtefactError(f"{path}: not a decodable image ({error})") from None


def sample_bilinear(
    image: np.ndarray, src_u: np.ndarray, src_v: np.ndarray, valid: np.ndarray
) -> np.ndarray:
    """Read [H, W, C] uint8 ``image`` bilinearly at pixel coordinates (pixel centres at +0.5)
    of shape [h, w]; black where ``valid`` is false."""
    height, width = image.shape[:2]
    valid = valid & (src_u >= 0) & (src_u <= width) & (src_v >= 0) & (src_v <= height)
    col, row = np.clip(src_u - 0.5, 0, width - 1), np.clip(src_v - 0.5, 0, height - 1)
    c0, r0 = np.floor(col).astype(int), np.floor(row).astype(int)
    c1, r1 = np.minimum(c0 + 1, width - 1), np.minimum(r0 + 1, height - 1)
    fc, fr = (col - c0)[..., None], (row - r0)[..., None]
    values = image.astype(np.float64)
    top = values[r0, c0] * (1 - fc) + values[r0, c1] * fc
    bottom = values[r1, c0] * (1 - fc) + values[r1, c1] * fc
    out = np.where(valid[..., None], np.round(top * (1 - fr) + bottom * fr), 0)
    return np.clip(out, 0, 255).astype(np.uint8)


def write_capture(
    capture: Capture,
    scene_json: Path,
    mesh_ply: Path,
    cameras_json: Path,
    images_dir: Path,
    meta: dict,
) -> None:
    """Write ``images_dir/<frame_id>.jpg``, the cameras and the scene, each atomically."""
    with atomic_dir(images_dir) as tmp:
        for frame_id, data in sorted(capture.images.items()):
            (tmp / f"{frame_id}.jpg").write_bytes(data)
    write_cameras(cameras_json, capture.scene.name, list(capture.cameras), meta)
    write_scene(scene_json, mesh_ply, capture.scene, meta)

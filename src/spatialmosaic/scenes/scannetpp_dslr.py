"""ScanNet++ DSLR frames: pinhole cameras and photos of one scene's ``dslr/`` folder.

Intrinsics and the image list come from nerfstudio's ``transforms.json`` (``fl_x fl_y cx cy w
h``, ``camera_model``, ``k1..k4``; ``frames`` and ``test_frames`` with ``file_path`` and
``is_bad``). The DSLR has a fisheye lens (``OPENCV_FISHEYE``), so:

- when the toolkit's ``dslr/undistort.py`` has run, its pinhole output is used as it is:
  ``nerfstudio/transforms_undistorted.json`` (``PINHOLE``) and ``undistorted_images/``;
- otherwise ``resized_images/`` are resampled here onto a pinhole camera with the same
  ``fl_x, fl_y, cx, cy`` and size (the fisheye model: ``theta_d = theta (1 + k1 theta^2 + k2
  theta^4 + k3 theta^6 + k4 theta^8)``); a pinhole of the same focal length sees less than the
  fisheye, so the photo is cropped to the central field of view, never stretched.

Poses come from ``colmap/images.txt`` (COLMAP world-to-camera, OpenCV axes), in the mesh frame:
the toolkit's ``common/render.py`` renders the scan mesh with exactly these poses. nerfstudio's
``transform_matrix`` (OpenGL axes: x right, y up, z backward) is the fallback without COLMAP;
nerfstudio's COLMAP import may also permute the world axes (it then records
``applied_transform``, which is undone here), so that path is the less certain one.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from spatialmosaic.io import ArtefactError, read_json
from spatialmosaic.records import CameraFrame
from spatialmosaic.scenes.captures import (
    camera_frame,
    decode_image,
    encode_jpeg,
    evenly_spaced,
    fit_photo,
    rigid_transform,
    sample_bilinear,
)

FISHEYE, PINHOLE = "OPENCV_FISHEYE", "PINHOLE"
# OpenGL/nerfstudio camera axes -> OpenCV: flip y (up -> down) and z (backward -> forward).
OPENGL_TO_OPENCV = np.diag([1.0, -1.0, -1.0, 1.0])


def _sources(dslr_dir: Path) -> tuple[Path, Path]:
    """(transforms JSON, image folder): the undistorted pair when present."""
    undistorted = dslr_dir / "nerfstudio" / "transforms_undistorted.json"
    if undistorted.is_file() and (dslr_dir / "undistorted_images").is_dir():
        return undistorted, dslr_dir / "undistorted_images"
    return dslr_dir / "nerfstudio" / "transforms.json", dslr_dir / "resized_images"


def dslr_required(dslr_dir: Path) -> list[Path]:
    transforms, images = _sources(dslr_dir)
    colmap = dslr_dir / "colmap" / "images.txt"
    return [transforms, images] + ([colmap] if colmap.exists() else [])


def opengl_to_opencv(T_world_cam_gl: np.ndarray) -> np.ndarray:
    """Camera-to-world with OpenGL camera axes -> the same camera with OpenCV axes (and back:
    the map is its own inverse)."""
    return T_world_cam_gl @ OPENGL_TO_OPENCV


def quaternion_matrix(qw: float, qx: float, qy: float, qz: float) -> np.ndarray:
    """Rotation of a unit quaternion (COLMAP's QW QX QY QZ order)."""
    w, x, y, z = np.array([qw, qx, qy, qz]) / np.linalg.norm([qw, qx, qy, qz])
    return np.array(
        [
            [1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)],
            [2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)],
            [2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)],
        ]
    )


def read_colmap_poses(path: Path) -> dict[str, np.ndarray]:
    """Image name -> ``T_world_cam`` [4, 4] (OpenCV axes) from COLMAP's ``images.txt``: two
    lines per image, ``IMAGE_ID QW QX QY QZ TX TY TZ CAMERA_ID NAME`` then its 2D points."""
    if not path.is_file():
        raise ArtefactError(f"{path}: missing COLMAP images.txt")
    lines = [line for line in path.read_text().splitlines() if not line.startswith("#")]
    poses, index = {}, 0
    while index < len(lines):
        words = lines[index].split()
        if not words:
            index += 1
            continue
        try:
            qw, qx, qy, qz, tx, ty, tz = (float(v) for v in words[1:8])
            name = words[9]
        except (ValueError, IndexError):
            raise ArtefactError(f"{path}: bad image line {lines[index]!r:.80}") from None
        T_cam_world = np.eye(4)
        T_cam_world[:3, :3] = quaternion_matrix(qw, qx, qy, qz)
        T_cam_world[:3, 3] = (tx, ty, tz)
        poses[name] = rigid_transform(path, name, np.linalg.inv(T_cam_world))
        index += 2  # skip the POINTS2D line
    return poses


def read_transforms(path: Path) -> tuple[dict, list[dict]]:
    """The camera block (model, intrinsics, size, distortion) and the usable frames."""
    payload = read_json(path)
    keys = ("fl_x", "fl_y", "cx", "cy", "w", "h")
    missing = [key for key in keys if key not in payload] if isinstance(payload, dict) else keys
    if missing:
        raise ArtefactError(f"{path}: missing {list(missing)}")
    model = payload.get("camera_model", PINHOLE)
    if model not in (FISHEYE, PINHOLE):
        raise ArtefactError(f"{path}: camera_model {model!r}; expected {FISHEYE} or {PINHOLE}")
    frames = [
        frame
        for frame in payload.get("frames", []) + payload.get("test_frames", [])
        if not frame.get("is_bad", False)
    ]
    if not frames or any("file_path" not in frame for frame in frames):
        raise ArtefactError(f"{path}: no usable frames with a file_path")
    return payload, sorted(frames, key=lambda frame: frame["file_path"])


def undistort_fisheye(rgb: np.ndarray, K_px: np.ndarray, k: tuple[float, ...]) -> np.ndarray:
    """Resample an ``OPENCV_FISHEYE`` image onto the pinhole camera ``K_px`` of the same size."""
    height, width = rgb.shape[:2]
    us, vs = np.meshgrid(np.arange(width) + 0.5, np.arange(height) + 0.5)
    a, b = (us - K_px[0, 2]) / K_px[0, 0], (vs - K_px[1, 2]) / K_px[1, 1]
    r = np.hypot(a, b)
    theta = np.arctan(r)
    theta_d = theta * (1 + k[0] * theta**2 + k[1] * theta**4 + k[2] * theta**6 + k[3] * theta**8)
    scale = np.where(r > 1e-12, theta_d / np.maximum(r, 1e-12), 1.0)
    src_u, src_v = a * scale * K_px[0, 0] + K_px[0, 2], b * scale * K_px[1, 1] + K_px[1, 2]
    return sample_bilinear(rgb, src_u, src_v, np.ones_like(r, dtype=bool))


def _transform_pose(path: Path, frame: dict, applied: np.ndarray) -> np.ndarray:
    if "transform_matrix" not in frame:
        raise ArtefactError(f"{path}: {frame['file_path']}: no transform_matrix (and no COLMAP)")
    T_gl = rigid_transform(path, frame["file_path"], frame["transform_matrix"])
    return opengl_to_opencv(np.linalg.inv(applied) @ T_gl)


def dslr_frames(
    dslr_dir: Path, count: int, width: int
) -> tuple[list[CameraFrame], dict[str, bytes]]:
    """``count`` evenly spaced DSLR frames (by file name) at ``width`` pixels."""
    transforms_path, image_dir = _sources(dslr_dir)
    camera, frames = read_transforms(transforms_path)
    colmap_path = dslr_dir / "colmap" / "images.txt"
    colmap = read_colmap_poses(colmap_path) if colmap_path.exists() else None
    applied = np.eye(4)
    if "applied_transform" in camera:
        applied[:3] = np.asarray(camera["applied_transform"], dtype=np.float64).reshape(3, 4)
    K_px = np.array(
        [[camera["fl_x"], 0, camera["cx"]], [0, camera["fl_y"], camera["cy"]], [0, 0, 1]],
        dtype=np.float64,
    )
    size = (int(camera["h"]), int(camera["w"]))
    distortion = tuple(float(camera.get(f"k{i}", 0.0)) for i in range(1, 5))
    cameras, images = [], {}
    for frame in [frames[i] for i in evenly_spaced(len(frames), count)]:
        name = frame["file_path"]
        if colmap is not None and Path(name).name not in colmap:
            raise ArtefactError(f"{colmap_path}: no pose for image {name}")
        if colmap is not None:
            T_world_cam = colmap[Path(name).name]
        else:
            T_world_cam = _transform_pose(transforms_path, frame, applied)
        rgb = decode_image(image_dir / name)
        if rgb.shape[:2] != size:
            raise ArtefactError(
                f"{image_dir / name}: {rgb.shape[1]}x{rgb.shape[0]} pixels, "
                f"{transforms_path} says {size[1]}x{size[0]}"
            )
        if camera.get("camera_model", PINHOLE) == FISHEYE:
            rgb = undistort_fisheye(rgb, K_px, distortion)
        rgb, K_scaled = fit_photo(rgb, K_px, width)
        frame_id = Path(name).stem
        cameras.append(camera_frame(frame_id, K_scaled, T_world_cam, rgb))
        images[frame_id] = encode_jpeg(rgb)
    return cameras, images

"""Waymo Open Dataset v2 (Parquet components) -> the project's scene format, one snapshot at a time.

A snapshot is one timestamp of one segment with its (up to) five camera images. The mesh holds the
labelled 3D boxes of that timestamp, so moving objects need no time axis, plus a ground quad;
what Waymo does not box (buildings, vegetation, poles) is missing (docs/waymo.md). Column names,
types and frames follow waymo_open_dataset/v2/perception/*.py and camera_model.cc.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, replace
from enum import IntEnum
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from PIL import Image

from spatialmosaic.io import ArtefactError, atomic_dir
from spatialmosaic.records import CameraFrame
from spatialmosaic.scene_io import Scene, write_cameras, write_scene
from spatialmosaic.scenes.captures import sample_bilinear
from spatialmosaic.scenes.meshes import SceneAssembler, oriented_box_mesh

DATASET = "waymo_open_dataset_v2"
LICENCE = (
    "Waymo Open Dataset License Agreement for Non-Commercial Use (waymo.com/open/terms): "
    "non-commercial use only, no redistribution of the data"
)
SEGMENT, TIMESTAMP = "key.segment_context_name", "key.frame_timestamp_micros"
CAMERA, LASER_OBJECT = "key.camera_name", "key.laser_object_id"
_IMG, _CAL, _BOX = "[CameraImageComponent]", "[CameraCalibrationComponent]", "[LiDARBoxComponent]"
IMAGE_COLUMNS = (SEGMENT, TIMESTAMP, CAMERA, f"{_IMG}.image", f"{_IMG}.pose.transform")
INTRINSICS = ("f_u", "f_v", "c_u", "c_v", "k1", "k2", "p1", "p2", "k3")
_CALIBRATION_VALUES = (*(f"intrinsic.{name}" for name in INTRINSICS), "width", "height")
CALIBRATION_COLUMNS = (SEGMENT, CAMERA, *(f"{_CAL}.{name}" for name in _CALIBRATION_VALUES),
                       f"{_CAL}.extrinsic.transform")  # fmt: skip
BOX_VALUES = ("center.x", "center.y", "center.z", "size.x", "size.y", "size.z", "heading")
BOX_COLUMNS = (SEGMENT, TIMESTAMP, LASER_OBJECT, *(f"{_BOX}.box.{name}" for name in BOX_VALUES),
               f"{_BOX}.type")  # fmt: skip
POSE_COLUMNS = (SEGMENT, TIMESTAMP, "[VehiclePoseComponent].world_from_vehicle.transform")
ASSOCIATION = "camera_to_lidar_box_association"
ASSOCIATION_COLUMNS = (SEGMENT, TIMESTAMP, CAMERA, "key.camera_object_id", LASER_OBJECT)


class CameraName(IntEnum):
    """camera_image.py CameraName."""

    FRONT = 1
    FRONT_LEFT = 2
    FRONT_RIGHT = 3
    SIDE_LEFT = 4
    SIDE_RIGHT = 5


class BoxType(IntEnum):
    """box.py BoxType (TYPE_UNKNOWN = 0 is rejected); the category is the lower-case name."""

    VEHICLE = 1
    PEDESTRIAN = 2
    SIGN = 3
    CYCLIST = 4


CATEGORY_RGB = {
    BoxType.VEHICLE: (70, 110, 200),
    BoxType.PEDESTRIAN: (220, 70, 60),
    BoxType.SIGN: (240, 200, 40),
    BoxType.CYCLIST: (60, 170, 90),
}
GROUND_RGB = (120, 120, 115)
SKY_RGB = (168, 196, 228)  # render background, as for the built-in street scenes
# box.py: "currently only camera labels with class TYPE_PEDESTRIAN store information about
# associated lidar objects", so a missing association says nothing about the other types.
ASSOCIATED_TYPES = frozenset({BoxType.PEDESTRIAN})
GROUND_MIN_HALF_SIZE_M = 80.0  # past the 75 m range of the lidar labels
GROUND_MARGIN_M = 10.0
JPEG_QUALITY = 95
MIN_DEPTH_M = 0.05  # near plane for deciding whether a box projects into an image
RADIAL_FACTOR_RANGE = (0.8, 1.2)  # camera_model.cc kMinRadialDistortion, kMaxRadialDistortion
RIGID_TOLERANCE = 1e-3
# OpenCV camera axes (x right, y down, z forward) as columns in Waymo camera axes (x forward,
# y left, z up); camera_model.cc projects u = -y/x, v = -z/x.
R_WAYMO_CAM_FROM_OPENCV = np.array([[0.0, 0.0, 1.0], [-1.0, 0.0, 0.0], [0.0, -1.0, 0.0]])


@dataclass(frozen=True)
class Calibration:
    """One camera: ``K_px`` [3, 3] at its native size, ``vehicle_from_cam`` [4, 4] (Waymo axes)."""

    camera: CameraName
    K_px: np.ndarray
    distortion: tuple[float, float, float, float, float]  # k1, k2, p1, p2, k3 as in OpenCV
    vehicle_from_cam: np.ndarray
    width: int
    height: int


@dataclass(frozen=True)
class LidarBox:
    """An upright box in the vehicle frame of its timestamp; size is (length, width, height)."""

    laser_object_id: str
    box_type: BoxType
    centre_m: np.ndarray
    size_m: np.ndarray
    heading_rad: float


@dataclass(frozen=True)
class WaymoSnapshot:
    """One timestamp of one segment in the project's format; images are keyed by ``frame_id``.

    ``camera_labels[frame_id]``: instances with an associated camera box in that image.
    ``camera_unlabelled[frame_id]``: pedestrians whose 3D box projects into the image but that
    have no camera box there (hidden, possibly by geometry the scene lacks). Both are empty
    when the segment has no ``camera_to_lidar_box_association`` component.
    """

    scene: Scene
    cameras: tuple[CameraFrame, ...]
    images: dict[str, bytes]
    camera_labels: dict[str, tuple[int, ...]]
    camera_unlabelled: dict[str, tuple[int, ...]]


def component_path(root: Path | str, tag: str, segment: str) -> Path:
    """``<root>/<tag>/<segment>.parquet``; ``root`` is one split folder (``.../training``)."""
    return Path(root) / tag / f"{segment}.parquet"


def list_segments(root: Path | str) -> list[str]:
    """Segments with camera images under ``root``."""
    folder = Path(root) / "camera_image"
    if not folder.is_dir():
        raise ArtefactError(f"{folder}: no camera_image component folder (Waymo v2 layout)")
    return sorted(path.stem for path in folder.glob("*.parquet"))


def segment_timestamps(root: Path | str, segment: str) -> list[int]:
    """Timestamps (microseconds) with both a vehicle pose and camera images."""
    poses = _read(root, "vehicle_pose", segment, (SEGMENT, TIMESTAMP))[1]
    images = _read(root, "camera_image", segment, (SEGMENT, TIMESTAMP))[1]
    return sorted(set(poses[TIMESTAMP].to_pylist()) & set(images[TIMESTAMP].to_pylist()))


def load_snapshot(
    root: Path | str, segment: str, timestamp_micros: int, width: int, undistort: bool = True
) -> WaymoSnapshot:
    """One timestamp: boxes and ground as a scene, its cameras and images at ``width`` pixels.

    Args:
        root: the split folder holding the component folders (``camera_image/``, ...).
        width: output image width in pixels; each camera keeps its aspect ratio.
        undistort: resample the images onto the pinhole model of ``K_px`` (see docs/waymo.md).

    Raises:
        ArtefactError: a component, column, segment, timestamp or calibration is missing, or a
            pose, box or image is malformed; the message names the file.
    """
    if width < 1:
        raise ValueError(f"width={width}: need a positive number of pixels")
    world_from_vehicle = read_vehicle_pose(root, segment, timestamp_micros)
    boxes = read_lidar_boxes(root, segment, timestamp_micros)
    calibrations = read_calibrations(root, segment)
    associated = read_associations(root, segment, timestamp_micros)
    scene, instance_of = build_scene(segment, timestamp_micros, boxes, world_from_vehicle)
    path, images = _read(root, "camera_image", segment, IMAGE_COLUMNS, timestamp_micros)
    if images.num_rows == 0:
        raise _timestamp_error(path, segment, timestamp_micros)
    frames: dict[CameraName, tuple[CameraFrame, bytes]] = {}
    for row in range(images.num_rows):
        camera = _member(path, CameraName, images[CAMERA][row].as_py(), "camera name")
        if camera in frames:
            raise ArtefactError(f"{path}: two images of camera {camera.name} at {timestamp_micros}")
        if camera not in calibrations:
            calibration_file = component_path(root, "camera_calibration", segment)
            raise ArtefactError(f"{calibration_file}: no calibration for camera {camera.name}")
        frames[camera] = _camera_image(
            path, images.slice(row, 1), calibrations[camera], width, undistort, timestamp_micros
        )
    cameras = [(camera, frames[camera][0]) for camera in sorted(frames)]
    labelled, unlabelled = camera_box_labels(scene, cameras, boxes, instance_of, associated)
    info = {
        **scene.info,
        "undistorted": undistort,
        "camera_association": associated is not None,
        "camera_labels": {frame_id: list(ids) for frame_id, ids in labelled.items()},
        "camera_unlabelled": {frame_id: list(ids) for frame_id, ids in unlabelled.items()},
    }
    return WaymoSnapshot(
        scene=replace(scene, info=info),
        cameras=tuple(frame for _, frame in cameras),
        images={frame.frame_id: frames[camera][1] for camera, frame in cameras},
        camera_labels=labelled,
        camera_unlabelled=unlabelled,
    )


def write_snapshot(
    snapshot: WaymoSnapshot,
    scene_json: Path,
    mesh_ply: Path,
    cameras_json: Path,
    images_dir: Path,
    meta: dict,
) -> None:
    """Write the scene, the cameras and ``images_dir/<frame_id>.jpg``, each atomically."""
    with atomic_dir(images_dir) as tmp:
        for frame_id, data in sorted(snapshot.images.items()):
            (tmp / f"{frame_id}.jpg").write_bytes(data)
    write_cameras(cameras_json, snapshot.scene.name, list(snapshot.cameras), meta)
    write_scene(scene_json, mesh_ply, snapshot.scene, meta)


# --- Reading components ----------------------------------------------------------------------


def _read(
    root: Path | str, tag: str, segment: str, columns: tuple[str, ...], timestamp: int | None = None
) -> tuple[Path, pa.Table]:
    """The rows of ``segment`` (at ``timestamp``, if given; there may be none) in one file."""
    path = component_path(root, tag, segment)
    if not path.is_file():
        raise ArtefactError(f"{path}: missing Waymo v2 component '{tag}' for segment {segment}")
    filters = [(SEGMENT, "==", segment)]
    if timestamp is not None:
        filters.append((TIMESTAMP, "==", int(timestamp)))
    try:
        names = set(pq.read_schema(path).names)
        missing = [name for name in columns if name not in names]
        if missing:
            raise ArtefactError(f"{path}: missing column(s) {missing} of Waymo v2 '{tag}'")
        table = pq.read_table(path, columns=list(columns), filters=filters)
        in_file = (
            table.num_rows > 0
            or pq.read_table(path, columns=[SEGMENT], filters=filters[:1]).num_rows
        )
    except (pa.ArrowException, OSError) as error:
        raise ArtefactError(f"{path}: not a readable Waymo v2 Parquet file ({error})") from None
    if not in_file:
        raise ArtefactError(f"{path}: segment {segment!r} not in file")
    return path, table


def _timestamp_error(path: Path, segment: str, timestamp: int) -> ArtefactError:
    frames = pq.read_table(path, columns=[TIMESTAMP], filters=[(SEGMENT, "==", segment)])
    known = sorted(set(frames[TIMESTAMP].to_pylist())) or ["-"]
    return ArtefactError(
        f"{path}: timestamp {timestamp} not found for segment {segment} "
        f"(has {known[0]}..{known[-1]})"
    )


def _floats(path: Path, table: pa.Table, columns: list[str]) -> np.ndarray:
    """[N, len(columns)] float64; nulls become NaN."""
    try:
        return np.stack(
            [np.asarray(table[c].to_numpy(zero_copy_only=False), np.float64) for c in columns],
            axis=1,
        )
    except (TypeError, ValueError, pa.ArrowException) as error:
        raise ArtefactError(f"{path}: non-numeric column in {columns} ({error})") from None


def _transforms(path: Path, table: pa.Table, column: str, what: str) -> np.ndarray:
    """Row-major 4x4 rigid transforms [N, 4, 4] (camera_model.cc ToEigenTransform)."""
    rows = table[column].to_pylist()
    if any(not isinstance(row, list) or len(row) != 16 for row in rows):
        raise ArtefactError(f"{path}: {what}: {column} must hold 16 floats per row")
    matrices = np.asarray(rows, dtype=np.float64).reshape(-1, 4, 4)
    if not np.all(np.isfinite(matrices)):
        raise ArtefactError(f"{path}: {what}: NaN/inf in {column}")
    rotations = matrices[:, :3, :3]
    orthonormal = np.abs(rotations.transpose(0, 2, 1) @ rotations - np.eye(3)).max(initial=0)
    if (
        orthonormal > RIGID_TOLERANCE
        or np.abs(matrices[:, 3] - [0, 0, 0, 1]).max(initial=0) > RIGID_TOLERANCE
    ):
        raise ArtefactError(f"{path}: {what}: {column} is not a rigid transform")
    return matrices


def _member(path: Path, enum: type[IntEnum], value: object, kind: str, where: str = ""):
    try:
        return enum(value)
    except ValueError:
        known = ", ".join(f"{member.value} {member.name}" for member in enum)
        raise ArtefactError(f"{path}: {where}unknown {kind} {value!r} (expected {known})") from None


def read_vehicle_pose(root: Path | str, segment: str, timestamp_micros: int) -> np.ndarray:
    """``world_from_vehicle`` [4, 4] at one timestamp."""
    path, table = _read(root, "vehicle_pose", segment, POSE_COLUMNS, timestamp_micros)
    if table.num_rows == 0:
        raise _timestamp_error(path, segment, timestamp_micros)
    if table.num_rows > 1:
        raise ArtefactError(f"{path}: {table.num_rows} vehicle poses at {timestamp_micros}")
    return _transforms(path, table, POSE_COLUMNS[-1], f"vehicle pose at {timestamp_micros}")[0]


def read_lidar_boxes(root: Path | str, segment: str, timestamp_micros: int) -> list[LidarBox]:
    """The timestamp's 3D boxes (none is valid: an empty road): finite, positive size, known
    type."""
    path, table = _read(root, "lidar_box", segment, BOX_COLUMNS, timestamp_micros)
    values = _floats(path, table, [f"{_BOX}.box.{name}" for name in BOX_VALUES])
    ids = table[LASER_OBJECT].to_pylist()
    if len(set(ids)) != len(ids):
        raise ArtefactError(f"{path}: duplicate laser_object_id at {timestamp_micros}")
    boxes = []
    for object_id, row, value in zip(ids, values, table[f"{_BOX}.type"].to_pylist(), strict=True):
        what = f"box {object_id} at {timestamp_micros}"
        if not np.all(np.isfinite(row)):
            raise ArtefactError(f"{path}: {what}: NaN/inf in centre, size or heading {row}")
        if np.any(row[3:6] <= 0):
            raise ArtefactError(f"{path}: {what}: non-positive size {row[3:6].tolist()}")
        box_type = _member(path, BoxType, value, "box type", f"{what}: ")
        boxes.append(LidarBox(object_id, box_type, row[:3], row[3:6], float(row[6])))
    return boxes


def read_calibrations(root: Path | str, segment: str) -> dict[CameraName, Calibration]:
    """Intrinsics, distortion and camera-to-vehicle extrinsic of every camera in the segment."""
    path, table = _read(root, "camera_calibration", segment, CALIBRATION_COLUMNS)
    values = _floats(path, table, [f"{_CAL}.{name}" for name in _CALIBRATION_VALUES])
    intrinsics, sizes = values[:, : len(INTRINSICS)], values[:, len(INTRINSICS) :]
    extrinsics = _transforms(path, table, f"{_CAL}.extrinsic.transform", "camera extrinsic")
    calibrations = {}
    for row, value in enumerate(table[CAMERA].to_pylist()):
        camera = _member(path, CameraName, value, "camera name")
        if camera in calibrations:
            raise ArtefactError(f"{path}: two calibrations for camera {camera.name}")
        f_u, f_v, c_u, c_v = intrinsics[row, :4]
        if not (np.all(np.isfinite(intrinsics[row])) and f_u > 0 and f_v > 0):
            raise ArtefactError(f"{path}: camera {camera.name}: bad intrinsics {intrinsics[row]}")
        if not (np.all(np.isfinite(sizes[row])) and np.all(sizes[row] >= 1)):
            raise ArtefactError(f"{path}: camera {camera.name}: bad image size {sizes[row]}")
        K_px = np.array([[f_u, 0.0, c_u], [0.0, f_v, c_v], [0.0, 0.0, 1.0]])
        distortion = tuple(float(v) for v in intrinsics[row, 4:])
        width, height = (int(v) for v in sizes[row])
        calibrations[camera] = Calibration(camera, K_px, distortion, extrinsics[row], width, height)
    return calibrations


def read_associations(
    root: Path | str, segment: str, timestamp_micros: int
) -> set[tuple[CameraName, str]] | None:
    """(camera, laser_object_id) pairs with a camera box; None without the (optional) component."""
    if not component_path(root, ASSOCIATION, segment).is_file():
        return None
    path, table = _read(root, ASSOCIATION, segment, ASSOCIATION_COLUMNS, timestamp_micros)
    cameras = [_member(path, CameraName, v, "camera name") for v in table[CAMERA].to_pylist()]
    return set(zip(cameras, table[LASER_OBJECT].to_pylist(), strict=True))


# --- Scene, cameras, images ------------------------------------------------------------------


def build_scene(
    segment: str, timestamp_micros: int, boxes: list[LidarBox], world_from_vehicle: np.ndarray
) -> tuple[Scene, dict[str, int]]:
    """The ground (instance 1) and a closed box per label in the world frame, with the instance
    id of each laser_object_id (numbered in laser_object_id order).

    The ground is a quad parallel to the vehicle's xy plane at the lowest box bottom, so no box
    sinks into it, and it hides what the road hides."""
    ground_z_m = min((b.centre_m[2] - b.size_m[2] / 2 for b in boxes), default=0.0)
    meshes = {
        b.laser_object_id: oriented_box_mesh(b.centre_m, b.size_m, b.heading_rad) for b in boxes
    }
    reach_m = max((np.abs(vertices[:, :2]).max() for vertices, _ in meshes.values()), default=0.0)
    half = max(GROUND_MIN_HALF_SIZE_M, reach_m + GROUND_MARGIN_M)
    ground = np.array([[-half, -half, 0], [half, -half, 0], [half, half, 0], [-half, half, 0]])
    ground[:, 2] = ground_z_m
    source = {"dataset": DATASET, "segment": segment}
    assembler = SceneAssembler()
    assembler.add(
        "ground",
        True,
        [(_to_world(world_from_vehicle, ground), np.array([[0, 1, 2], [0, 2, 3]]), GROUND_RGB)],
        {**source, "geometry": "plane at the lowest box bottom (ours)"},
    )
    instance_of = {}
    for box in sorted(boxes, key=lambda b: b.laser_object_id):
        vertices, triangles = meshes[box.laser_object_id]
        instance_of[box.laser_object_id] = assembler.add(
            box.box_type.name.lower(),
            False,
            [(_to_world(world_from_vehicle, vertices), triangles, CATEGORY_RGB[box.box_type])],
            {**source, "laser_object_id": box.laser_object_id},
        )
    info = {
        "source": DATASET,
        "domain": "outdoor",
        "segment": segment,
        "timestamp_micros": int(timestamp_micros),
        "licence": LICENCE,
        "ground_z_vehicle_m": float(ground_z_m),
        "world_from_vehicle": world_from_vehicle.tolist(),
        "background_rgb": list(SKY_RGB),
    }
    return assembler.build(f"waymo_{segment}_{timestamp_micros}", info), instance_of


def _to_world(world_from_vehicle: np.ndarray, points_m: np.ndarray) -> np.ndarray:
    return points_m @ world_from_vehicle[:3, :3].T + world_from_vehicle[:3, 3]


def camera_frame(
    frame_id: str, calibration: Calibration, world_from_vehicle: np.ndarray, width: int
) -> CameraFrame:
    """The pinhole camera at ``width`` pixels: T_world_cam = world_from_vehicle @
    vehicle_from_cam @ (OpenCV -> Waymo camera axes); K scales per axis with the image."""
    height = max(1, round(calibration.height * width / calibration.width))
    scale = np.diag([width / calibration.width, height / calibration.height, 1.0])
    axes = np.eye(4)
    axes[:3, :3] = R_WAYMO_CAM_FROM_OPENCV
    T_world_cam = world_from_vehicle @ calibration.vehicle_from_cam @ axes
    return CameraFrame(
        frame_id=frame_id,
        K_px=tuple(tuple(float(v) for v in row) for row in scale @ calibration.K_px),
        T_world_cam=tuple(tuple(float(v) for v in row) for row in T_world_cam),
        width=width,
        height=height,
    )


def _camera_image(
    path: Path,
    image_row: pa.Table,
    calibration: Calibration,
    width: int,
    undistort: bool,
    timestamp_micros: int,
) -> tuple[CameraFrame, bytes]:
    """One camera and its JPEG at ``width``. The camera takes the image's own vehicle pose (at
    its exposure), as Waymo's camera model does, so static geometry lines up with the pixels."""
    name = calibration.camera.name
    what = f"camera {name} at {timestamp_micros}"
    world_from_vehicle = _transforms(path, image_row, IMAGE_COLUMNS[-1], what)[0]
    frame = camera_frame(f"frame_{timestamp_micros}_{name}", calibration, world_from_vehicle, width)
    rgb = _decode_jpeg(path, what, image_row[IMAGE_COLUMNS[3]][0].as_py())
    if rgb.shape[:2] != (calibration.height, calibration.width):
        raise ArtefactError(
            f"{path}: {what}: image is {rgb.shape[1]}x{rgb.shape[0]} pixels, calibration "
            f"says {calibration.width}x{calibration.height}"
        )
    image = Image.fromarray(rgb).resize((frame.width, frame.height), Image.Resampling.LANCZOS)
    rgb = np.asarray(image)
    if undistort:
        rgb = undistort_rgb(rgb, np.asarray(frame.K_px), calibration.distortion)
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, format="JPEG", quality=JPEG_QUALITY)
    return frame, buffer.getvalue()


def _decode_jpeg(path: Path, what: str, data: object) -> np.ndarray:
    try:
        with Image.open(io.BytesIO(data if isinstance(data, bytes) else b"")) as image:
            if image.format == "JPEG":
                return np.asarray(image.convert("RGB"))
            problem = f"a {image.format} image"
    except (OSError, ValueError, SyntaxError) as error:
        problem = str(error)
    raise ArtefactError(f"{path}: {what}: image is not a decodable JPEG ({problem})")


def undistort_rgb(
    rgb: np.ndarray, K_px: np.ndarray, distortion: tuple[float, float, float, float, float]
) -> np.ndarray:
    """Resample a distorted [H, W, 3] uint8 image onto the pinhole model of ``K_px``.

    Each output pixel centre is distorted with OpenCV's k1, k2, p1, p2, k3 model (as
    camera_model.cc DirectionToImage) and read bilinearly from the input; pixels that land
    outside the input, or where the radial factor leaves Waymo's valid range, are black."""
    k1, k2, p1, p2, k3 = distortion
    height, width = rgb.shape[:2]
    us, vs = np.meshgrid(np.arange(width) + 0.5, np.arange(height) + 0.5)
    x, y = (us - K_px[0, 2]) / K_px[0, 0], (vs - K_px[1, 2]) / K_px[1, 1]
    r2 = x * x + y * y
    radial = 1 + k1 * r2 + k2 * r2**2 + k3 * r2**3
    src_u = (x * radial + 2 * p1 * x * y + p2 * (r2 + 2 * x * x)) * K_px[0, 0] + K_px[0, 2]
    src_v = (y * radial + p1 * (r2 + 2 * y * y) + 2 * p2 * x * y) * K_px[1, 1] + K_px[1, 2]
    valid = (radial >= RADIAL_FACTOR_RANGE[0]) & (radial <= RADIAL_FACTOR_RANGE[1])
    return sample_bilinear(rgb, src_u, src_v, valid)


def camera_box_labels(
    scene: Scene,
    cameras: list[tuple[CameraName, CameraFrame]],
    boxes: list[LidarBox],
    instance_of: dict[str, int],
    associated: set[tuple[CameraName, str]] | None,
) -> tuple[dict[str, tuple[int, ...]], dict[str, tuple[int, ...]]]:
    """Per frame: instances with an associated camera box, and boxes of an associated type
    (pedestrians) that project into the image without one. Both empty without associations."""
    labelled = {frame.frame_id: () for _, frame in cameras}
    unlabelled = dict(labelled)
    if associated is None:
        return labelled, unlabelled
    for camera, frame in cameras:
        has_box = {b.laser_object_id for b in boxes if (camera, b.laser_object_id) in associated}
        candidates = [
            instance_of[b.laser_object_id]
            for b in boxes
            if b.box_type in ASSOCIATED_TYPES and b.laser_object_id not in has_box
        ]
        labelled[frame.frame_id] = tuple(sorted(instance_of[i] for i in has_box))
        unlabelled[frame.frame_id] = tuple(
            sorted(i for i in candidates if projects_into_image(frame, _vertices(scene, i)))
        )
    return labelled, unlabelled


def _vertices(scene: Scene, instance_id: int) -> np.ndarray:
    return scene.vertices_world_m[np.unique(scene.triangles[scene.face_instance == instance_id])]


def projects_into_image(frame: CameraFrame, points_world_m: np.ndarray) -> bool:
    """Does the convex hull of the points, cut at the near plane, project into the image?
    Cutting every segment between a point in front and one behind keeps the hull exact."""
    T_world_cam, K_px = np.asarray(frame.T_world_cam), np.asarray(frame.K_px)
    points_cam = (points_world_m - T_world_cam[:3, 3]) @ T_world_cam[:3, :3]
    in_front = points_cam[:, 2] >= MIN_DEPTH_M
    front, behind = points_cam[in_front], points_cam[~in_front]
    if len(front) == 0:
        return False
    t = (MIN_DEPTH_M - front[:, None, 2]) / (behind[None, :, 2] - front[:, None, 2])
    cuts = front[:, None] + t[..., None] * (behind[None] - front[:, None])
    projected = np.concatenate([front, cuts.reshape(-1, 3)]) @ K_px.T
    u, v = projected[:, 0] / projected[:, 2], projected[:, 1] / projected[:, 2]
    return bool(
        u.max() >= 0 and u.min() <= frame.width and v.max() >= 0 and v.min() <= frame.height
    )

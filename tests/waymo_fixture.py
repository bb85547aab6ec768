"""A tiny Waymo Open Dataset v2 segment, written as real-layout Parquet components (tests).

Each component is one file ``<root>/<tag>/<segment>.parquet`` with the flat, dotted column names
and Arrow types of ``Component.schema()`` in waymo_open_dataset/v2/perception/*.py (as listed by
the official tutorial_v2.ipynb "List columns in all components"). The segment has two frames, the
five cameras and five boxes whose answers are known in closed form: the vehicle faces world +Y,
the FRONT camera sits at (1.5, 0, 2) with no rotation, and a sign stands straight ahead of it at
its height. The vehicle drives 1 m forward between the frames and the boxes are static in the
world, so their vehicle-frame x drops by 1 m.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from PIL import Image

SEGMENT = "4242424242424242424_1000_000_1020_000"
TIMESTAMPS = (1_550_000_000_000_000, 1_550_000_000_100_000)
VEHICLE_YAW_RAD = np.pi / 2  # vehicle forward (+x) is world +Y
VEHICLE_START_M = (100.0, 200.0, 10.0)
STEP_M = 1.0  # forward motion between the two frames

_TRANSFORM = pa.list_(pa.float64(), 16)  # column_types.Transform
_IMAGE = "[CameraImageComponent]"
_CALIB = "[CameraCalibrationComponent]"
_CBOX = "[CameraBoxComponent]"
_LBOX = "[LiDARBoxComponent]"
_KEY_SEG = ("key.segment_context_name", pa.string())
_KEY_TS = ("key.frame_timestamp_micros", pa.int64())
_KEY_CAM = ("key.camera_name", pa.int8())


def _xyz(prefix: str, arrow_type: pa.DataType, axes: str = "xyz") -> list[tuple[str, pa.DataType]]:
    return [(f"{prefix}.{axis}", arrow_type) for axis in axes]


SCHEMAS = {
    "camera_image": pa.schema(
        [
            _KEY_SEG,
            _KEY_TS,
            _KEY_CAM,
            (f"{_IMAGE}.image", pa.binary()),
            (f"{_IMAGE}.pose.transform", _TRANSFORM),
            *_xyz(f"{_IMAGE}.velocity.linear_velocity", pa.float32()),
            *_xyz(f"{_IMAGE}.velocity.angular_velocity", pa.float64()),
            (f"{_IMAGE}.pose_timestamp", pa.float64()),
            (f"{_IMAGE}.rolling_shutter_params.shutter", pa.float64()),
            (f"{_IMAGE}.rolling_shutter_params.camera_trigger_time", pa.float64()),
            (f"{_IMAGE}.rolling_shutter_params.camera_readout_done_time", pa.float64()),
        ]
    ),
    "camera_calibration": pa.schema(
        [
            _KEY_SEG,
            _KEY_CAM,
            *[
                (f"{_CALIB}.intrinsic.{name}", pa.float64())
                for name in ("f_u", "f_v", "c_u", "c_v", "k1", "k2", "p1", "p2", "k3")
            ],
            (f"{_CALIB}.extrinsic.transform", _TRANSFORM),
            (f"{_CALIB}.width", pa.int32()),
            (f"{_CALIB}.height", pa.int32()),
            (f"{_CALIB}.rolling_shutter_direction", pa.int8()),
        ]
    ),
    "camera_box": pa.schema(
        [
            _KEY_SEG,
            _KEY_TS,
            _KEY_CAM,
            ("key.camera_object_id", pa.string()),
            *_xyz(f"{_CBOX}.box.center", pa.float64(), "xy"),
            *_xyz(f"{_CBOX}.box.size", pa.float64(), "xy"),
            (f"{_CBOX}.type", pa.int8()),
            (f"{_CBOX}.difficulty_level.detection", pa.int8()),
            (f"{_CBOX}.difficulty_level.tracking", pa.int8()),
        ]
    ),
    "lidar_box": pa.schema(
        [
            _KEY_SEG,
            _KEY_TS,
            ("key.laser_object_id", pa.string()),
            *_xyz(f"{_LBOX}.box.center", pa.float64()),
            *_xyz(f"{_LBOX}.box.size", pa.float64()),
            (f"{_LBOX}.box.heading", pa.float64()),
            (f"{_LBOX}.type", pa.int8()),
            (f"{_LBOX}.num_lidar_points_in_box", pa.int64()),
            (f"{_LBOX}.num_top_lidar_points_in_box", pa.int64()),
            *_xyz(f"{_LBOX}.speed", pa.float64()),
            *_xyz(f"{_LBOX}.acceleration", pa.float64()),
            (f"{_LBOX}.difficulty_level.detection", pa.int8()),
            (f"{_LBOX}.difficulty_level.tracking", pa.int8()),
        ]
    ),
    "camera_to_lidar_box_association": pa.schema(
        [
            _KEY_SEG,
            _KEY_TS,
            _KEY_CAM,
            ("key.camera_object_id", pa.string()),
            ("key.laser_object_id", pa.string()),
        ]
    ),
    "vehicle_pose": pa.schema(
        [_KEY_SEG, _KEY_TS, ("[VehiclePoseComponent].world_from_vehicle.transform", _TRANSFORM)]
    ),
}


@dataclass(frozen=True)
class FixtureCamera:
    name: int  # CameraName value
    yaw_rad: float  # extrinsic rotation about vehicle +Z
    position_m: tuple[float, float, float]  # in the vehicle frame
    width: int
    height: int
    focal_px: float


# Side cameras are wider than tall, like the real 1920 x 886 ones.
CAMERAS = (
    FixtureCamera(1, 0.0, (1.5, 0.0, 2.0), 64, 48, 40.0),
    FixtureCamera(2, np.pi / 4, (1.4, 0.4, 2.0), 64, 48, 40.0),
    FixtureCamera(3, -np.pi / 4, (1.4, -0.4, 2.0), 64, 48, 40.0),
    FixtureCamera(4, np.pi / 2, (1.0, 0.9, 2.0), 64, 32, 40.0),
    FixtureCamera(5, -np.pi / 2, (1.0, -0.9, 2.0), 64, 32, 40.0),
)


@dataclass(frozen=True)
class FixtureBox:
    laser_object_id: str
    box_type: int  # BoxType value
    centre_m: tuple[float, float, float]  # vehicle frame of the first frame
    size_m: tuple[float, float, float]  # length, width, height
    heading_rad: float


BOXES = (
    FixtureBox("veh-a", 1, (10.0, -4.0, 0.8), (4.5, 2.0, 1.6), 0.3),
    FixtureBox("ped-a", 2, (8.0, 3.0, 0.9), (0.6, 0.6, 1.8), 0.0),
    FixtureBox("ped-b", 2, (16.0, 3.3, 0.9), (0.6, 0.6, 1.8), 0.0),  # no camera box anywhere
    FixtureBox("sign-a", 3, (20.0, 0.0, 2.0), (0.1, 0.8, 0.8), 0.0),  # straight ahead of FRONT
    FixtureBox("cyc-a", 4, (-6.0, 2.0, 0.75), (1.8, 0.6, 1.7), np.pi / 2),  # lowest bottom
)
LOWEST_BOTTOM_M = -0.1
ASSOCIATED = (("ped-a", 1),)  # (laser_object_id, camera) pairs with a camera box


def rigid(yaw_rad: float, translation_m) -> np.ndarray:
    """4x4 rotation about +Z then translation."""
    c, s = np.cos(yaw_rad), np.sin(yaw_rad)
    matrix = np.eye(4)
    matrix[:3, :3] = [[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]]
    matrix[:3, 3] = translation_m
    return matrix


def world_from_vehicle(frame: int) -> np.ndarray:
    forward = np.array([np.cos(VEHICLE_YAW_RAD), np.sin(VEHICLE_YAW_RAD), 0.0])
    return rigid(VEHICLE_YAW_RAD, np.array(VEHICLE_START_M) + frame * STEP_M * forward)


def box_centre(box: FixtureBox, frame: int) -> tuple[float, float, float]:
    x, y, z = box.centre_m
    return (x - frame * STEP_M, y, z)


def ramp_image(width: int, height: int, blue: int) -> np.ndarray:
    """R = 4 * column, G = 5 * row: smooth, so JPEG keeps it and resampling is predictable."""
    red = np.broadcast_to(4 * np.arange(width), (height, width))
    green = np.broadcast_to(5 * np.arange(height)[:, None], (height, width))
    rgb = np.stack([red, green, np.full((height, width), blue)], axis=2)
    return np.clip(rgb, 0, 255).astype(np.uint8)


def jpeg_bytes(rgb: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, format="JPEG", quality=98, subsampling=0)
    return buffer.getvalue()


def _rows_to_table(tag: str, rows: list[dict]) -> pa.Table:
    schema = SCHEMAS[tag]
    columns = {name: [row.get(name) for row in rows] for name in schema.names}
    return pa.table(columns, schema=schema)


def _image_rows(segment: str) -> list[dict]:
    rows = []
    for frame, timestamp in enumerate(TIMESTAMPS):
        pose = world_from_vehicle(frame).ravel().tolist()
        for camera in CAMERAS:
            rgb = ramp_image(camera.width, camera.height, 40 * camera.name)
            rows.append(
                {
                    "key.segment_context_name": segment,
                    "key.frame_timestamp_micros": timestamp,
                    "key.camera_name": camera.name,
                    f"{_IMAGE}.image": jpeg_bytes(rgb),
                    f"{_IMAGE}.pose.transform": pose,
                    **{f"{_IMAGE}.velocity.linear_velocity.{a}": 0.0 for a in "xyz"},
                    **{f"{_IMAGE}.velocity.angular_velocity.{a}": 0.0 for a in "xyz"},
                    f"{_IMAGE}.pose_timestamp": timestamp / 1e6,
                    f"{_IMAGE}.rolling_shutter_params.shutter": 0.005,
                    f"{_IMAGE}.rolling_shutter_params.camera_trigger_time": timestamp / 1e6,
                    f"{_IMAGE}.rolling_shutter_params.camera_readout_done_time": timestamp / 1e6
                    + 0.03,
                }
            )
    return rows


def _calibration_rows(segment: str) -> list[dict]:
    rows = []
    for camera in CAMERAS:
        intrinsic = {
            "f_u": camera.focal_px,
            "f_v": camera.focal_px,
            "c_u": camera.width / 2,
            "c_v": camera.height / 2,
            "k1": 0.0,
            "k2": 0.0,
            "p1": 0.0,
            "p2": 0.0,
            "k3": 0.0,
        }
        rows.append(
            {
                "key.segment_context_name": segment,
                "key.camera_name": camera.name,
                **{f"{_CALIB}.intrinsic.{name}": value for name, value in intrinsic.items()},
                f"{_CALIB}.extrinsic.transform": rigid(camera.yaw_rad, camera.position_m)
                .ravel()
                .tolist(),
                f"{_CALIB}.width": camera.width,
                f"{_CALIB}.height": camera.height,
                f"{_CALIB}.rolling_shutter_direction": 2,  # LEFT_TO_RIGHT
            }
        )
    return rows


def _lidar_box_rows(segment: str) -> list[dict]:
    rows = []
    for frame, timestamp in enumerate(TIMESTAMPS):
        for box in BOXES:
            centre = box_centre(box, frame)
            rows.append(
                {
                    "key.segment_context_name": segment,
                    "key.frame_timestamp_micros": timestamp,
                    "key.laser_object_id": box.laser_object_id,
                    **{f"{_LBOX}.box.center.{a}": v for a, v in zip("xyz", centre, strict=True)},
                    **{f"{_LBOX}.box.size.{a}": v for a, v in zip("xyz", box.size_m, strict=True)},
                    f"{_LBOX}.box.heading": box.heading_rad,
                    f"{_LBOX}.type": box.box_type,
                    f"{_LBOX}.num_lidar_points_in_box": 120,
                    f"{_LBOX}.num_top_lidar_points_in_box": 100,
                    **{f"{_LBOX}.speed.{a}": 0.0 for a in "xyz"},
                    **{f"{_LBOX}.acceleration.{a}": 0.0 for a in "xyz"},
                    f"{_LBOX}.difficulty_level.detection": 1,
                    f"{_LBOX}.difficulty_level.tracking": 1,
                }
            )
    return rows


def _camera_label_rows(segment: str) -> tuple[list[dict], list[dict]]:
    boxes, associations = [], []
    for timestamp in TIMESTAMPS:
        for laser_object_id, camera in ASSOCIATED:
            camera_object_id = f"cam-{laser_object_id}-{camera}-{timestamp}"
            key = {
                "key.segment_context_name": segment,
                "key.frame_timestamp_micros": timestamp,
                "key.camera_name": camera,
                "key.camera_object_id": camera_object_id,
            }
            associations.append({**key, "key.laser_object_id": laser_object_id})
            boxes.append(
                {
                    **key,
                    f"{_CBOX}.box.center.x": 10.0,
                    f"{_CBOX}.box.center.y": 20.0,
                    f"{_CBOX}.box.size.x": 4.0,
                    f"{_CBOX}.box.size.y": 9.0,
                    f"{_CBOX}.type": 2,
                    f"{_CBOX}.difficulty_level.detection": 1,
                    f"{_CBOX}.difficulty_level.tracking": 1,
                }
            )
    return boxes, associations


def component_path(root: Path, tag: str, segment: str = SEGMENT) -> Path:
    return Path(root) / tag / f"{segment}.parquet"


def write_component(root: Path, tag: str, table: pa.Table, segment: str = SEGMENT) -> Path:
    path = component_path(root, tag, segment)
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path)
    return path


def read_component(root: Path, tag: str, segment: str = SEGMENT) -> pa.Table:
    return pq.read_table(component_path(root, tag, segment))


def set_column(table: pa.Table, column: str, values: list) -> pa.Table:
    """The table with one column's values replaced, its type kept."""
    index = table.schema.get_field_index(column)
    return table.set_column(index, table.schema.field(index), pa.array(values, table[column].type))


def set_cell(table: pa.Table, column: str, row: int, value) -> pa.Table:
    """The table with one cell replaced (to break a fixture in one place)."""
    values = table.column(column).to_pylist()
    values[row] = value
    return set_column(table, column, values)


def write_segment(root: Path, segment: str = SEGMENT) -> Path:
    """Write all six components of the fixture segment under ``root``; returns ``root``."""
    camera_boxes, associations = _camera_label_rows(segment)
    pose_rows = [
        {
            "key.segment_context_name": segment,
            "key.frame_timestamp_micros": timestamp,
            "[VehiclePoseComponent].world_from_vehicle.transform": world_from_vehicle(frame)
            .ravel()
            .tolist(),
        }
        for frame, timestamp in enumerate(TIMESTAMPS)
    ]
    tables = {
        "camera_image": _image_rows(segment),
        "camera_calibration": _calibration_rows(segment),
        "camera_box": camera_boxes,
        "lidar_box": _lidar_box_rows(segment),
        "vehicle_pose": pose_rows,
        "camera_to_lidar_box_association": associations,
    }
    for tag, rows in tables.items():
        write_component(root, tag, _rows_to_table(tag, rows), segment)
    return Path(root)

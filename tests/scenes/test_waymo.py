"""Tests for spatialmosaic.scenes.waymo on the tiny real-layout segment of ``waymo_fixture``."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import waymo_fixture as wf
from spatialmosaic.io import ArtefactError
from spatialmosaic.scene_io import read_cameras, read_scene
from spatialmosaic.scenes.waymo import (
    R_WAYMO_CAM_FROM_OPENCV,
    CameraName,
    list_segments,
    load_snapshot,
    projects_into_image,
    segment_timestamps,
    undistort_rgb,
    write_snapshot,
)

T0, T1 = wf.TIMESTAMPS
WIDTH = 32  # half the fixture's 64-pixel images


@pytest.fixture(scope="module")
def segment_root(tmp_path_factory) -> Path:
    return wf.write_segment(tmp_path_factory.mktemp("waymo") / "training")


@pytest.fixture(scope="module")
def snapshot(segment_root):
    return load_snapshot(segment_root, wf.SEGMENT, T0, WIDTH)


@pytest.fixture
def copied_root(segment_root, tmp_path) -> Path:
    """A copy of the segment to change or break."""
    return Path(shutil.copytree(segment_root, tmp_path / "training"))


def _object(snapshot, laser_object_id: str):
    (obj,) = [
        o for o in snapshot.scene.objects if o.source.get("laser_object_id") == laser_object_id
    ]
    return obj


def _camera(snapshot, name: str):
    (camera,) = [c for c in snapshot.cameras if c.frame_id.endswith(f"_{name}")]
    return camera


def _project(camera, point_world):
    T_world_cam, K_px = np.asarray(camera.T_world_cam), np.asarray(camera.K_px)
    point_cam = np.linalg.inv(T_world_cam) @ np.append(point_world, 1.0)
    uvw = K_px @ point_cam[:3]
    return uvw[:2] / uvw[2], point_cam[2]


def test_segments_and_timestamps_are_listed(segment_root):
    assert list_segments(segment_root) == [wf.SEGMENT]
    assert segment_timestamps(segment_root, wf.SEGMENT) == [T0, T1]


def test_box_world_vertices_and_aabb_in_closed_form(snapshot):
    box = wf.BOXES[0]  # vehicle, heading 0.3 in a vehicle that faces world +Y
    obj = _object(snapshot, box.laser_object_id)
    yaw = wf.VEHICLE_YAW_RAD + box.heading_rad
    (length, width, height), (cx, cy, cz) = box.size_m, box.centre_m
    centre_world = np.array(wf.VEHICLE_START_M) + [-cy, cx, cz]  # vehicle +x is world +Y
    half_x = abs(np.cos(yaw)) * length / 2 + abs(np.sin(yaw)) * width / 2
    half_y = abs(np.sin(yaw)) * length / 2 + abs(np.cos(yaw)) * width / 2
    half = np.array([half_x, half_y, height / 2])
    np.testing.assert_allclose(obj.bbox_min_m, centre_world - half, atol=1e-9)
    np.testing.assert_allclose(obj.bbox_max_m, centre_world + half, atol=1e-9)

    faces = snapshot.scene.face_instance == obj.instance_id
    assert faces.sum() == 12  # a closed box
    vertices = snapshot.scene.vertices_world_m[np.unique(snapshot.scene.triangles[faces])]
    front_left_top = centre_world + [
        np.cos(yaw) * length / 2 - np.sin(yaw) * width / 2,
        np.sin(yaw) * length / 2 + np.cos(yaw) * width / 2,
        height / 2,
    ]
    assert np.min(np.linalg.norm(vertices - front_left_top, axis=1)) < 1e-9


def test_static_boxes_stay_put_in_the_world_while_the_vehicle_drives(segment_root, snapshot):
    later = load_snapshot(segment_root, wf.SEGMENT, T1, WIDTH)
    for box in wf.BOXES:
        first, second = _object(snapshot, box.laser_object_id), _object(later, box.laser_object_id)
        np.testing.assert_allclose(first.bbox_min_m, second.bbox_min_m, atol=1e-9)
    assert later.scene.name == f"waymo_{wf.SEGMENT}_{T1}"


def test_front_camera_looks_along_vehicle_forward(snapshot):
    camera = _camera(snapshot, "FRONT")
    T_world_cam = np.asarray(camera.T_world_cam)
    forward_world = wf.world_from_vehicle(0)[:3, 0]
    np.testing.assert_allclose(T_world_cam[:3, 2], forward_world, atol=1e-12)  # optical axis
    np.testing.assert_allclose(T_world_cam[:3, 1], [0, 0, -1], atol=1e-12)  # image down = down
    np.testing.assert_allclose(T_world_cam[:3, 3], wf.world_from_vehicle(0)[:3] @ [1.5, 0, 2, 1])
    assert camera.frame_id == f"frame_{T0}_FRONT"


def test_camera_takes_the_pose_of_its_own_image(copied_root):
    """Waymo's camera model places each camera with the vehicle pose at its exposure."""
    images = wf.read_component(copied_root, "camera_image")
    column = "[CameraImageComponent].pose.transform"
    poses = images[column].to_pylist()
    row = images["key.camera_name"].to_pylist().index(1)  # FRONT at T0
    moved = wf.world_from_vehicle(0) @ wf.rigid(0.0, (0.4, 0.0, 0.0))  # 0.4 m further on
    poses[row] = moved.ravel().tolist()
    wf.write_component(copied_root, "camera_image", wf.set_column(images, column, poses))
    camera = _camera(load_snapshot(copied_root, wf.SEGMENT, T0, WIDTH), "FRONT")
    np.testing.assert_allclose(np.asarray(camera.T_world_cam)[:3, 3], moved[:3] @ [1.5, 0, 2, 1])


def test_axis_change_is_a_proper_rotation():
    np.testing.assert_allclose(R_WAYMO_CAM_FROM_OPENCV @ R_WAYMO_CAM_FROM_OPENCV.T, np.eye(3))
    assert np.linalg.det(R_WAYMO_CAM_FROM_OPENCV) == pytest.approx(1.0)


def test_box_straight_ahead_projects_onto_the_principal_point(snapshot):
    camera = _camera(snapshot, "FRONT")
    sign = _object(snapshot, "sign-a")
    centre = (np.array(sign.bbox_min_m) + np.array(sign.bbox_max_m)) / 2
    uv, depth = _project(camera, centre)
    np.testing.assert_allclose(uv, [camera.K_px[0][2], camera.K_px[1][2]], atol=1e-9)
    assert depth == pytest.approx(20.0 - 1.5)


@pytest.mark.parametrize("width", [32, 40, 128])
def test_intrinsics_scale_with_width_and_keep_aspect(segment_root, width):
    snapshot = load_snapshot(segment_root, wf.SEGMENT, T0, width, undistort=False)
    for spec in wf.CAMERAS:
        camera = _camera(snapshot, CameraName(spec.name).name)
        scale = width / spec.width
        assert (camera.width, camera.height) == (width, round(spec.height * scale))
        np.testing.assert_allclose(
            camera.K_px,
            [
                [spec.focal_px * scale, 0, spec.width / 2 * scale],
                [0, spec.focal_px * scale, spec.height / 2 * scale],
                [0, 0, 1],
            ],
        )
        with Image.open(io.BytesIO(snapshot.images[camera.frame_id])) as image:
            assert image.format == "JPEG" and image.size == (camera.width, camera.height)


def test_ground_is_structural_and_under_the_lowest_box(snapshot):
    ground = snapshot.scene.objects[0]
    assert (ground.instance_id, ground.category, ground.structural) == (1, "ground", True)
    expected_z = wf.VEHICLE_START_M[2] + wf.LOWEST_BOTTOM_M
    assert ground.bbox_min_m[2] == pytest.approx(expected_z)
    assert ground.bbox_max_m[2] == pytest.approx(expected_z)
    lowest = min(o.bbox_min_m[2] for o in snapshot.scene.objects[1:])
    assert lowest == pytest.approx(expected_z)


def test_objects_carry_category_colour_and_source(snapshot):
    scene = snapshot.scene
    categories = {o.source.get("laser_object_id"): o.category for o in scene.objects}
    assert categories == {
        None: "ground",
        "veh-a": "vehicle",
        "ped-a": "pedestrian",
        "ped-b": "pedestrian",
        "sign-a": "sign",
        "cyc-a": "cyclist",
    }
    for obj in scene.objects[1:]:
        assert not obj.structural
        assert obj.source == {
            "dataset": "waymo_open_dataset_v2",
            "segment": wf.SEGMENT,
            "laser_object_id": obj.source["laser_object_id"],
        }
        colours = np.unique(scene.face_rgb[scene.face_instance == obj.instance_id], axis=0)
        assert len(colours) == 1
    pedestrians = [o.instance_id for o in scene.objects if o.category == "pedestrian"]
    rgb = [tuple(scene.face_rgb[scene.face_instance == i][0]) for i in pedestrians]
    assert rgb[0] == rgb[1]
    assert scene.info["segment"] == wf.SEGMENT and scene.info["timestamp_micros"] == T0
    assert "Non-Commercial" in scene.info["licence"]


def test_camera_labels_come_from_the_association(snapshot):
    ped_a, ped_b = _object(snapshot, "ped-a").instance_id, _object(snapshot, "ped-b").instance_id
    front = f"frame_{T0}_FRONT"
    assert snapshot.camera_labels[front] == (ped_a,)
    assert snapshot.camera_unlabelled[front] == (ped_b,)  # in view, but no camera box
    for frame_id in snapshot.camera_labels:
        assert ped_a not in snapshot.camera_labels[frame_id] or frame_id == front
    vehicles = {o.instance_id for o in snapshot.scene.objects if o.category != "pedestrian"}
    assert not vehicles & set(sum(snapshot.camera_unlabelled.values(), ()))  # not associable
    assert ped_b not in snapshot.camera_unlabelled[f"frame_{T0}_SIDE_RIGHT"]  # out of view
    assert snapshot.scene.info["camera_unlabelled"][front] == [ped_b]


def test_without_association_component_labels_are_empty(copied_root):
    wf.component_path(copied_root, "camera_to_lidar_box_association").unlink()
    snapshot = load_snapshot(copied_root, wf.SEGMENT, T0, WIDTH)
    assert not any(snapshot.camera_labels.values())
    assert not any(snapshot.camera_unlabelled.values())
    assert snapshot.scene.info["camera_association"] is False


def test_projects_into_image_cuts_boxes_at_the_near_plane(snapshot):
    camera = _camera(snapshot, "FRONT")
    T_world_cam = np.asarray(camera.T_world_cam)

    def world(points_cam):
        return np.asarray(points_cam, float) @ T_world_cam[:3, :3].T + T_world_cam[:3, 3]

    assert projects_into_image(camera, world([[0, 0, 5]]))
    assert not projects_into_image(camera, world([[0, 0, -5], [1, 1, -2]]))  # behind
    assert not projects_into_image(camera, world([[50, 0, 5], [60, 1, 6]]))  # off to the right
    # A wall from behind the camera to the front, off to the side: its front part is in view.
    assert projects_into_image(camera, world([[0.5, 0, -3], [0.5, 0, 3]]))


def test_undistort_without_distortion_is_identity():
    rgb = wf.ramp_image(16, 12, 7)
    K_px = np.array([[10.0, 0, 8], [0, 10.0, 6], [0, 0, 1]])
    np.testing.assert_array_equal(undistort_rgb(rgb, K_px, (0.0, 0.0, 0.0, 0.0, 0.0)), rgb)


def test_undistort_reads_from_the_distorted_position():
    """Red is 4 * column, so each output pixel's red says which input column it came from."""
    rgb = wf.ramp_image(64, 48, 0)
    K_px = np.array([[40.0, 0, 32], [0, 40.0, 24], [0, 0, 1]])
    k1 = 0.1
    out = undistort_rgb(rgb, K_px, (k1, 0.0, 0.0, 0.0, 0.0))
    row = 23  # pixel centre 23.5: v_n = -0.0125, almost the optical axis
    for col in (40, 50, 55):
        x, y = (col + 0.5 - 32) / 40, (row + 0.5 - 24) / 40
        src_u = x * (1 + k1 * (x * x + y * y)) * 40 + 32
        assert out[row, col, 0] == pytest.approx(4 * (src_u - 0.5), abs=0.51)
    x_corner = (0.5 - 32) / 40
    assert (x_corner * (1 + k1 * 2 * x_corner**2) * 40 + 32) < 0
    assert out[0, 0].tolist() == [0, 0, 0]  # lands outside the input: black


def test_distorted_segment_images_are_undistorted(copied_root):
    root = copied_root
    calibration = wf.read_component(root, "camera_calibration")
    k1 = [0.1] * calibration.num_rows
    calibration = wf.set_column(calibration, "[CameraCalibrationComponent].intrinsic.k1", k1)
    wf.write_component(root, "camera_calibration", calibration)
    plain = load_snapshot(root, wf.SEGMENT, T0, 64, undistort=False)
    straight = load_snapshot(root, wf.SEGMENT, T0, 64)
    frame_id = f"frame_{T0}_FRONT"
    with Image.open(io.BytesIO(plain.images[frame_id])) as image:
        before = np.asarray(image.convert("RGB")).astype(int)
    with Image.open(io.BytesIO(straight.images[frame_id])) as image:
        after = np.asarray(image.convert("RGB")).astype(int)
    assert np.abs(before[23, 20:44, 0] - 4 * np.arange(20, 44)).max() <= 6
    x = (55.5 - 32) / 40
    src_u = x * (1 + 0.1 * x * x) * 40 + 32
    assert after[23, 55, 0] == pytest.approx(4 * (src_u - 0.5), abs=6)
    assert after[0, 0].max() <= 8  # black corner (JPEG noise aside)
    assert straight.scene.info["undistorted"] and not plain.scene.info["undistorted"]


def test_write_snapshot_round_trips(snapshot, tmp_path):
    out = tmp_path / "scene"
    paths = (out / "scene.json", out / "mesh.ply", out / "cameras.json", out / "images")
    write_snapshot(snapshot, *paths, meta={"stage": "test"})
    scene = read_scene(paths[0], paths[1])
    assert scene.name == snapshot.scene.name
    assert scene.objects == snapshot.scene.objects
    np.testing.assert_allclose(scene.vertices_world_m, snapshot.scene.vertices_world_m, atol=1e-4)
    np.testing.assert_array_equal(scene.face_instance, snapshot.scene.face_instance)
    np.testing.assert_array_equal(scene.face_rgb, snapshot.scene.face_rgb)
    assert scene.info["camera_labels"] == snapshot.scene.info["camera_labels"]
    assert read_cameras(paths[2]) == list(snapshot.cameras)
    files = sorted(p.name for p in paths[3].iterdir())
    assert files == sorted(f"{c.frame_id}.jpg" for c in snapshot.cameras)
    for camera in snapshot.cameras:
        assert (paths[3] / f"{camera.frame_id}.jpg").read_bytes() == snapshot.images[
            camera.frame_id
        ]


# --- Bad input -------------------------------------------------------------------------------


def _break(root: Path, tag: str, column: str, row: int, value) -> Path:
    table = wf.set_cell(wf.read_component(root, tag), column, row, value)
    return wf.write_component(root, tag, table)


def _drop_column(root: Path, tag: str, column: str) -> Path:
    table = wf.read_component(root, tag)
    return wf.write_component(root, tag, table.drop_columns([column]))


def _drop_rows(root: Path, tag: str, column: str, value) -> Path:
    table = wf.read_component(root, tag)
    keep = [v != value for v in table[column].to_pylist()]
    return wf.write_component(root, tag, table.filter(keep))


_TRANSFORM = "[VehiclePoseComponent].world_from_vehicle.transform"
_NAN_POSE = [float("nan")] + [0.0] * 15
BREAKAGES = {
    "missing component": lambda root: _unlink(wf.component_path(root, "lidar_box")),
    "missing column": lambda root: _drop_column(
        root, "camera_calibration", "[CameraCalibrationComponent].intrinsic.f_u"
    ),
    "nan pose": lambda root: _break(root, "vehicle_pose", _TRANSFORM, 0, _NAN_POSE),
    "nan image pose": lambda root: _break(
        root, "camera_image", "[CameraImageComponent].pose.transform", 0, _NAN_POSE
    ),
    "non-rigid pose": lambda root: _break(root, "vehicle_pose", _TRANSFORM, 0, [2.0] * 16),
    "nan box": lambda root: _break(
        root, "lidar_box", "[LiDARBoxComponent].box.center.x", 0, float("nan")
    ),
    "inf heading": lambda root: _break(
        root, "lidar_box", "[LiDARBoxComponent].box.heading", 1, float("inf")
    ),
    "non-positive size": lambda root: _break(
        root, "lidar_box", "[LiDARBoxComponent].box.size.y", 2, 0.0
    ),
    "unknown box type": lambda root: _break(root, "lidar_box", "[LiDARBoxComponent].type", 3, 0),
    "bad jpeg": lambda root: _break(
        root, "camera_image", "[CameraImageComponent].image", 0, b"\xff\xd8\xff not a jpeg"
    ),
    "png not jpeg": lambda root: _break(
        root, "camera_image", "[CameraImageComponent].image", 1, _png_bytes()
    ),
    "calibration missing for a camera": lambda root: _drop_rows(
        root, "camera_calibration", "key.camera_name", 3
    ),
}
MESSAGES = {
    "missing component": "missing Waymo v2 component 'lidar_box'",
    "missing column": "missing column(s) ['[CameraCalibrationComponent].intrinsic.f_u']",
    "nan pose": "NaN/inf",
    "nan image pose": "NaN/inf",
    "non-rigid pose": "not a rigid transform",
    "nan box": "NaN/inf",
    "inf heading": "NaN/inf",
    "non-positive size": "non-positive size",
    "unknown box type": "unknown box type 0",
    "bad jpeg": "not a decodable JPEG",
    "png not jpeg": "not a decodable JPEG (a PNG image)",
    "calibration missing for a camera": "no calibration for camera FRONT_RIGHT",
}


def _unlink(path: Path) -> Path:
    path.unlink()
    return path


def _png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(wf.ramp_image(64, 48, 0)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.parametrize("case", sorted(BREAKAGES))
def test_bad_input_raises_artefact_error_naming_the_file(copied_root, case):
    path = BREAKAGES[case](copied_root)
    with pytest.raises(ArtefactError) as error:
        load_snapshot(copied_root, wf.SEGMENT, T0, WIDTH)
    assert str(path) in str(error.value)
    assert MESSAGES[case] in str(error.value)


def test_segment_not_in_file(copied_root):
    path = wf.component_path(copied_root, "vehicle_pose")
    other = wf.component_path(copied_root, "vehicle_pose", "other_segment")
    shutil.copy(path, other)  # a file named for a segment whose rows are another's
    with pytest.raises(ArtefactError, match="segment 'other_segment' not in file") as error:
        load_snapshot(copied_root, "other_segment", T0, WIDTH)
    assert str(other) in str(error.value)


def test_timestamp_not_found(segment_root):
    with pytest.raises(ArtefactError, match=f"timestamp {T0 + 1} not found") as error:
        load_snapshot(segment_root, wf.SEGMENT, T0 + 1, WIDTH)
    assert str(wf.component_path(segment_root, "vehicle_pose")) in str(error.value)


def test_image_missing_at_a_timestamp_with_a_pose(copied_root):
    path = _drop_rows(copied_root, "camera_image", "key.frame_timestamp_micros", T1)
    assert segment_timestamps(copied_root, wf.SEGMENT) == [T0]
    with pytest.raises(ArtefactError, match=f"timestamp {T1} not found") as error:
        load_snapshot(copied_root, wf.SEGMENT, T1, WIDTH)
    assert str(path) in str(error.value)


def test_not_a_parquet_file(copied_root):
    path = wf.component_path(copied_root, "camera_calibration")
    path.write_bytes(b"not parquet")
    with pytest.raises(ArtefactError, match="not a readable Waymo v2 Parquet file") as error:
        load_snapshot(copied_root, wf.SEGMENT, T0, WIDTH)
    assert str(path) in str(error.value)


def test_missing_split_folder(tmp_path):
    with pytest.raises(ArtefactError, match="camera_image"):
        list_segments(tmp_path)

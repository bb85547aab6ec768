"""Tests for the ScanNet++ loader on the real-layout scene of ``scannetpp_fixture``."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import scannetpp_fixture as fx
from spatialmosaic.cli import main
from spatialmosaic.io import ArtefactError, read_png16
from spatialmosaic.records import Dataset
from spatialmosaic.scene_io import read_cameras, read_scene, read_scene_objects
from spatialmosaic.scenes.indoor_labels import indoor_category
from spatialmosaic.scenes.indoor_mesh import SegGroup, face_groups, vertex_groups
from spatialmosaic.scenes.scannetpp import Device, ScanNetppLayout, load_capture, load_scan
from spatialmosaic.scenes.scannetpp_dslr import opengl_to_opencv, undistort_fisheye


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    return fx.write_dslr(fx.write_scene(tmp_path_factory.mktemp("scannetpp")))


@pytest.fixture
def copied(root, tmp_path) -> Path:
    """A copy of the scene to change or break."""
    return Path(shutil.copytree(root, tmp_path / "scannetpp"))


@pytest.fixture
def layout(copied) -> ScanNetppLayout:
    return ScanNetppLayout(copied, fx.SCENE_ID)


def _objects(scene) -> dict[str, object]:
    return {obj.category: obj for obj in scene.objects}


def _colour(jpeg: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(jpeg))).reshape(-1, 3).mean(axis=0)


def test_scan_gives_known_boxes_instance_ids_and_structural_flags(root):
    scene = load_scan(ScanNetppLayout(root, fx.SCENE_ID))
    objects = _objects(scene)
    assert [(o.instance_id, o.category, o.structural) for o in scene.objects] == [
        (1, "unlabelled", True),  # the "remove" cube and the cube in no segment group
        (2, "floor", True),
        (3, "wall", True),
        (4, "cabinet", False),
    ]
    assert objects["cabinet"].bbox_min_m == tuple(fx.CABINET_LO)
    assert objects["cabinet"].bbox_max_m == tuple(fx.CABINET_HI)
    assert objects["cabinet"].source == {"dataset": "scannetpp", "scene_id": fx.SCENE_ID,
                                         "object_id": "2", "label": "cabinet"}  # fmt: skip
    assert np.bincount(scene.face_instance).tolist() == [0, 24, 2, 2, 12]
    assert scene.info["ignored_labels"] == ["remove"] and scene.info["unlabelled_faces"] == 24
    cabinet_faces = scene.face_instance == 4
    assert np.all(scene.face_rgb[cabinet_faces] == (120, 60, 30))  # vertex colours per face


def test_labels_are_normalised_structural_spellings_mapped_placeholders_ignored():
    assert indoor_category(" Office_Chair ").name == "office chair"
    assert not indoor_category("office chair").structural
    for spelling, category in [("doorframe", "door"), ("window frame", "window"),
                               ("windowsill", "window"), ("shower wall", "wall"),
                               ("Ceiling", "ceiling")]:  # fmt: skip
        assert (indoor_category(spelling).name, indoor_category(spelling).structural) == (
            category,
            True,
        )
    for placeholder in ("remove", "REMOVE", "split", "", "  ", "unknown"):
        assert indoor_category(placeholder) is None


def test_overlapping_groups_give_vertices_to_the_smallest_and_faces_to_the_majority():
    seg_indices = np.array([0, 0, 1, 1, 2])
    groups = [SegGroup(7, "table", np.array([0, 1])), SegGroup(3, "cup", np.array([1])),
              SegGroup(5, "book", np.array([1]))]  # fmt: skip
    # vertices 2, 3 are claimed by all three: the two one-segment groups tie, objectId 3 wins
    assert vertex_groups(seg_indices, groups).tolist() == [0, 0, 1, 1, -1]
    triangles = np.array([[0, 1, 2], [2, 3, 0], [0, 2, 4]])
    assert face_groups(triangles, np.array([0, 0, 1, 1, -1])).tolist() == [0, 1, 0]


def test_written_scene_round_trips_and_its_records_are_scannetpp(root, tmp_path):
    capture = load_capture(root, fx.SCENE_ID, Device.IPHONE, 3, fx.WIDTH)
    out = tmp_path / "out"
    code = main(["scenes", "scannetpp", "--root", str(root), "--scene-id", fx.SCENE_ID,
                 "--frames", "3", "--width", str(fx.WIDTH), "--scene-json",
                 str(out / "scene.json"), "--mesh", str(out / "mesh.ply"), "--cameras",
                 str(out / "cameras.json"), "--photos", str(out / "photos")])  # fmt: skip
    assert code == 0
    scene = read_scene(out / "scene.json", out / "mesh.ply")
    assert scene.objects == capture.scene.objects
    assert np.array_equal(scene.face_instance, capture.scene.face_instance)
    assert np.allclose(scene.vertices_world_m, capture.scene.vertices_world_m)
    assert read_scene_objects(out / "scene.json")[2] is Dataset.SCANNETPP
    assert read_cameras(out / "cameras.json") == list(capture.cameras)
    assert sorted(p.name for p in (out / "photos").iterdir()) == [
        f"{c.frame_id}.jpg" for c in capture.cameras
    ]


def test_iphone_frames_are_evenly_spaced_from_the_video_with_scaled_intrinsics(root):
    capture = load_capture(root, fx.SCENE_ID, Device.IPHONE, 3, fx.WIDTH // 2)
    assert [c.frame_id for c in capture.cameras] == ["frame_000000", "frame_000002",
                                                     "frame_000004"]  # fmt: skip
    for camera in capture.cameras:
        index = int(camera.frame_id.split("_")[1])
        assert np.allclose(camera.T_world_cam, fx.world_from_cam(index))  # OpenCV, as stored
        assert np.allclose(camera.K_px, np.diag([0.5, 0.5, 1]) @ fx.K_PX)
        assert (camera.width, camera.height) == (fx.WIDTH // 2, fx.HEIGHT // 2)
        expected = fx.frame_rgb(index)[0, 0]
        assert np.abs(_colour(capture.images[camera.frame_id]) - expected).max() < 8


def test_extracted_jpegs_win_and_only_frames_with_one_are_candidates(copied):
    fx.write_scene(copied, jpegs=True)
    (copied / "data" / fx.SCENE_ID / "iphone" / "rgb" / "frame_000004.jpg").unlink()
    (copied / "data" / fx.SCENE_ID / "iphone" / "rgb.mkv").unlink()
    capture = load_capture(copied, fx.SCENE_ID, Device.IPHONE, 2, fx.WIDTH)
    assert [c.frame_id for c in capture.cameras] == ["frame_000000", "frame_000003"]


def test_the_toolkits_mp4_name_is_read(copied):
    iphone = copied / "data" / fx.SCENE_ID / "iphone"
    (iphone / "rgb.mkv").unlink()
    fx.write_video(iphone / "rgb.mp4", [fx.frame_rgb(i) for i in range(fx.N_FRAMES)])
    capture = load_capture(copied, fx.SCENE_ID, Device.IPHONE, 2, fx.WIDTH)
    assert np.abs(_colour(capture.images["frame_000004"]) - fx.frame_rgb(4)[0, 0]).max() < 8


def test_cube_renders_to_its_closed_form_box_and_depth(root, tmp_path):
    out = tmp_path / "out"
    scene_args = ["--scene-json", str(out / "scene.json"), "--mesh", str(out / "mesh.ply")]
    assert (
        main(
            [
                "scenes",
                "scannetpp",
                "--root",
                str(root),
                "--scene-id",
                fx.SCENE_ID,
                "--frames",
                "2",
                "--width",
                str(fx.WIDTH),
                *scene_args,
                "--cameras",
                str(out / "cameras.json"),
                "--photos",
                str(out / "photos"),
            ]
        )
        == 0
    )
    assert main(["render", "frames", *scene_args, "--cameras", str(out / "cameras.json"),
                 "--out-dir", str(out / "render"), "--jpeg-quality", "90",
                 "--photos", str(out / "photos"), "--backend", "cpu"]) == 0  # fmt: skip
    instance = read_png16(out / "render" / "instance" / "frame_000000.png")
    rows, columns = np.nonzero(instance == 4)  # the cabinet
    assert (columns.min(), columns.max()) == fx.CABINET_COLUMNS
    assert (rows.min(), rows.max()) == fx.CABINET_ROWS
    depth_mm = read_png16(out / "render" / "depth" / "frame_000000.png")
    assert depth_mm[24, 32] == 2500  # the front face, 2.5 m ahead (planar depth)
    photo = (out / "photos" / "frame_000000.jpg").read_bytes()
    assert (out / "render" / "images" / "frame_000000.jpg").read_bytes() == photo


def test_dslr_poses_from_colmap_match_the_nerfstudio_opengl_poses(root, copied):
    capture = load_capture(root, fx.SCENE_ID, Device.DSLR, 3, fx.WIDTH)
    assert [c.frame_id for c in capture.cameras] == ["DSC00000", "DSC00002", "DSC00003"]
    for camera in capture.cameras:  # is_bad DSC00004 is never used
        assert np.allclose(camera.T_world_cam, fx.world_from_cam(int(camera.frame_id[3:])))
    (copied / "data" / fx.SCENE_ID / "dslr" / "colmap" / "images.txt").unlink()
    from_gl = load_capture(copied, fx.SCENE_ID, Device.DSLR, 3, fx.WIDTH)
    assert [np.allclose(a.T_world_cam, b.T_world_cam) for a, b in
            zip(from_gl.cameras, capture.cameras, strict=True)] == [True] * 3  # fmt: skip


def test_opengl_opencv_conversion_round_trips_and_flips_the_view_direction():
    T = fx.world_from_cam(2)
    assert np.allclose(opengl_to_opencv(opengl_to_opencv(T)), T)
    gl = opengl_to_opencv(T)
    ahead = T[:3, 3] + T[:3, 2]  # 1 m along the OpenCV optical axis (+z)
    assert np.allclose(np.linalg.inv(gl) @ [*ahead, 1], [0, 0, -1, 1])  # OpenGL looks down -z


def test_applied_transform_of_nerfstudio_is_undone(copied):
    dslr = copied / "data" / fx.SCENE_ID / "dslr"
    (dslr / "colmap" / "images.txt").unlink()
    path = dslr / "nerfstudio" / "transforms.json"
    payload = json.loads(path.read_text())
    applied = np.array([[0, 1, 0, 0], [1, 0, 0, 0], [0, 0, -1, 0], [0, 0, 0, 1.0]])
    for frame in payload["frames"] + payload["test_frames"]:
        frame["transform_matrix"] = (applied @ np.array(frame["transform_matrix"])).tolist()
    payload["applied_transform"] = applied[:3].tolist()
    path.write_text(json.dumps(payload))
    capture = load_capture(copied, fx.SCENE_ID, Device.DSLR, 1, fx.WIDTH)
    assert np.allclose(capture.cameras[0].T_world_cam, fx.world_from_cam(0))


def test_fisheye_resampling_follows_the_opencv_fisheye_model():
    height, width = 40, 60
    K = np.array([[30.0, 0, 30], [0, 30, 20], [0, 0, 1]])
    k = (0.1, 0.0, 0.0, 0.0)
    gradient = np.broadcast_to((np.arange(width) * 4)[None, :, None], (height, width, 3))
    out = undistort_fisheye(gradient.astype(np.uint8), K, k)
    u = 50.5  # an output pixel centre on the principal row
    a = (u - 30) / 30
    theta = np.arctan(a)
    src_u = 30 + 30 * theta * (1 + k[0] * theta**2)  # r = |a| on the principal row
    assert abs(out[20, 50, 0] - 4 * (src_u - 0.5)) <= 1
    assert np.array_equal(out[20, 30], gradient[20, 30])  # the centre does not move


def test_undistorted_dslr_images_are_used_when_the_toolkit_made_them(copied):
    dslr = copied / "data" / fx.SCENE_ID / "dslr"
    payload = json.loads((dslr / "nerfstudio" / "transforms.json").read_text())
    payload.update(camera_model="PINHOLE", k1=0.0, k2=0.0, k3=0.0, k4=0.0)
    (dslr / "nerfstudio" / "transforms_undistorted.json").write_text(json.dumps(payload))
    (dslr / "undistorted_images").mkdir()
    for name in ("DSC00000.JPG", "DSC00002.JPG", "DSC00003.JPG"):
        Image.fromarray(np.full((fx.HEIGHT, fx.WIDTH, 3), 77, np.uint8)).save(
            dslr / "undistorted_images" / name
        )
    shutil.rmtree(dslr / "resized_images")
    capture = load_capture(copied, fx.SCENE_ID, Device.DSLR, 3, fx.WIDTH)
    assert all(np.abs(_colour(jpeg) - 77).max() < 2 for jpeg in capture.images.values())


# --- Bad input: each names the file -------------------------------------------------------


def _edit_json(path: Path, change) -> None:
    payload = json.loads(path.read_text())
    change(payload)
    path.write_text(json.dumps(payload))


def test_missing_scan_file_is_named(layout):
    layout.mesh.unlink()
    with pytest.raises(ArtefactError, match="mesh_aligned_0.05.ply: file not found"):
        load_capture(layout.root, fx.SCENE_ID, Device.IPHONE, 2, fx.WIDTH)


def test_missing_scene_says_how_to_get_the_data(copied):
    with pytest.raises(ArtefactError, match="ffffffffff: no such ScanNet.*kaldir"):
        load_capture(copied, "ffffffffff", Device.IPHONE, 2, fx.WIDTH)


def test_segment_count_must_match_the_vertex_count(layout):
    _edit_json(layout.segments, lambda p: p["segIndices"].pop())
    with pytest.raises(ArtefactError, match=r"segments.json: 31 segIndices but .*32 vertices"):
        load_scan(layout)


def test_a_label_that_is_not_a_string_is_an_error(layout):
    _edit_json(layout.annotation, lambda p: p["segGroups"][2].update(label=None))
    with pytest.raises(ArtefactError, match=r"segments_anno.json: segGroups\[2\] needs"):
        load_scan(layout)


def test_duplicate_object_ids_are_an_error(layout):
    _edit_json(layout.annotation, lambda p: p["segGroups"][1].update(objectId=0))
    with pytest.raises(ArtefactError, match="segments_anno.json: duplicate objectId 0"):
        load_scan(layout)


def test_ply_without_vertex_colours_is_an_error(layout):
    vertices, _, triangles, _ = fx.scan_arrays()
    header = (f"ply\nformat binary_little_endian 1.0\nelement vertex {len(vertices)}\n"
              "property float x\nproperty float y\nproperty float z\n"
              f"element face {len(triangles)}\nproperty list uchar int vertex_indices\n"
              "end_header\n")  # fmt: skip
    face = np.empty(len(triangles), dtype=[("n", "u1"), ("v", "<i4", (3,))])
    face["n"], face["v"] = 3, triangles
    layout.mesh.write_bytes(header.encode() + vertices.astype("<f4").tobytes() + face.tobytes())
    with pytest.raises(ArtefactError, match=r"mesh_aligned_0.05.ply: PLY vertices lack \['red'"):
        load_scan(layout)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda m: m[0].__setitem__(3, float("nan")), "frame_000001 aligned_pose: NaN/inf"),
        (lambda m: [r.__setitem__(0, r[0] * 2) for r in m], "frame_000001 aligned_pose: not a"),
        (lambda m: m.pop(), "frame_000001 aligned_pose: expected a 4x4"),
    ],
)  # fmt: skip
def test_bad_poses_are_named_with_their_frame(layout, change, message):
    _edit_json(layout.pose_json, lambda p: change(p["frame_000001"]["aligned_pose"]))
    with pytest.raises(ArtefactError, match=f"pose_intrinsic_imu.json: {message}"):
        load_capture(layout.root, fx.SCENE_ID, Device.IPHONE, 2, fx.WIDTH)


def test_missing_photos_and_short_videos_are_named(layout):
    _edit_json(layout.pose_json, lambda p: p.update(frame_000009=p["frame_000004"]))
    with pytest.raises(ArtefactError, match=r"rgb.mkv: 5 frames; frame 9 was asked for"):
        load_capture(layout.root, fx.SCENE_ID, Device.IPHONE, 6, fx.WIDTH)
    (layout.scene_dir / "iphone" / "rgb.mkv").unlink()
    with pytest.raises(ArtefactError, match="iphone: no rgb/ frames and no rgb.mp4 or rgb.mkv"):
        load_capture(layout.root, fx.SCENE_ID, Device.IPHONE, 2, fx.WIDTH)


def test_intrinsics_of_another_image_size_are_refused(layout):
    def scale(payload):
        for entry in payload.values():
            entry["intrinsic"] = (np.array(entry["intrinsic"]) * [[30], [30], [1]]).tolist()

    _edit_json(layout.pose_json, scale)
    with pytest.raises(ArtefactError, match="principal point .* outside its 64x48 photo"):
        load_capture(layout.root, fx.SCENE_ID, Device.IPHONE, 2, fx.WIDTH)

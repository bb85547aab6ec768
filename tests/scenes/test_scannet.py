"""Tests for the ScanNet v2 loader and the .sens reader on ``scannet_fixture``."""

from __future__ import annotations

import shutil
import struct
from pathlib import Path

import numpy as np
import pytest

import scannet_fixture as sf
import scannetpp_fixture as fx
from spatialmosaic.cli import main
from spatialmosaic.io import ArtefactError
from spatialmosaic.records import Dataset
from spatialmosaic.scene_io import read_cameras, read_scene_objects
from spatialmosaic.scenes.scannet import FrameSource, ScanNetLayout, load_capture
from spatialmosaic.scenes.sens import read_color, read_depth_mm, read_sens_header


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    return sf.write_all(tmp_path_factory.mktemp("scannet"))


@pytest.fixture
def layout(root, tmp_path) -> ScanNetLayout:
    return ScanNetLayout(Path(shutil.copytree(root, tmp_path / "scannet")), sf.SCENE)


def test_sens_header_frames_colour_and_depth_are_read(root):
    header = read_sens_header(root / "scans" / sf.SCENE / f"{sf.SCENE}.sens")
    assert header.sensor_name == "StructureSensor"
    assert (header.color_compression, header.depth_compression) == ("jpeg", "zlib_ushort")
    assert header.color_size == header.depth_size == (fx.WIDTH, fx.HEIGHT)
    assert np.allclose(header.intrinsic_color[:3, :3], fx.K_PX)
    assert len(header.camera_to_world) == fx.N_FRAMES
    assert np.all(np.isneginf(header.camera_to_world[sf.LOST]))
    assert np.allclose(header.camera_to_world[2], sf.scan_pose(2), atol=1e-6)
    assert np.abs(read_color(header, 3).mean(axis=(0, 1)) - fx.frame_rgb(3)[0, 0]).max() < 3
    assert np.all(read_depth_mm(header, 0) == 2000)


def test_scan_is_axis_aligned_and_boxes_are_closed_form_in_the_world(root):
    capture = load_capture(root, sf.SCENE, FrameSource.SENS, 3, fx.WIDTH)
    (cabinet,) = [o for o in capture.scene.objects if o.category == "cabinet"]
    assert np.allclose(cabinet.bbox_min_m, fx.CABINET_LO) and np.allclose(
        cabinet.bbox_max_m, fx.CABINET_HI
    )
    assert capture.scene.info["axis_aligned"] is True
    assert [o.category for o in capture.scene.objects] == ["unlabelled", "floor", "wall",
                                                           "cabinet"]  # fmt: skip


def test_sens_and_export_give_the_same_cameras_and_skip_lost_tracking(root):
    from_sens = load_capture(root, sf.SCENE, FrameSource.SENS, 3, fx.WIDTH)
    from_export = load_capture(root, sf.SCENE, FrameSource.EXPORT, 3, fx.WIDTH)
    ids = [c.frame_id for c in from_sens.cameras]
    assert ids == [c.frame_id for c in from_export.cameras]
    assert ids == ["frame_000000", "frame_000003", "frame_000004"]  # 4 valid frames, frame 1 lost
    assert from_sens.scene.info["lost_tracking_frames"] == 1
    for a, b in zip(from_sens.cameras, from_export.cameras, strict=True):
        index = int(a.frame_id.split("_")[1])
        assert np.allclose(a.T_world_cam, fx.world_from_cam(index), atol=1e-5)
        assert np.allclose(b.T_world_cam, fx.world_from_cam(index), atol=1e-5)
        assert np.allclose(a.K_px, fx.K_PX) and np.allclose(b.K_px, fx.K_PX)


def test_cli_writes_a_scene_whose_records_are_scannet(root, tmp_path):
    out = tmp_path / "out"
    assert (
        main(
            [
                "scenes",
                "scannet",
                "--root",
                str(root),
                "--scene",
                sf.SCENE,
                "--frames-from",
                "export",
                "--frames",
                "2",
                "--width",
                "32",
                "--scene-json",
                str(out / "scene.json"),
                "--mesh",
                str(out / "mesh.ply"),
                "--cameras",
                str(out / "cameras.json"),
                "--photos",
                str(out / "photos"),
            ]
        )
        == 0
    )
    assert read_scene_objects(out / "scene.json")[2] is Dataset.SCANNET  # fmt: skip
    cameras = read_cameras(out / "cameras.json")
    assert [(c.width, c.height) for c in cameras] == [(32, 24)] * 2
    assert sorted(p.stem for p in (out / "photos").iterdir()) == [c.frame_id for c in cameras]


def test_truncated_or_foreign_sens_files_are_named(layout, tmp_path):
    data = layout.sens.read_bytes()
    layout.sens.write_bytes(data[: len(data) // 2])
    with pytest.raises(ArtefactError, match=r"scene0042_00.sens: truncated .sens file in frame"):
        read_sens_header(layout.sens)
    layout.sens.write_bytes(struct.pack("<I", 3) + data[4:])
    with pytest.raises(ArtefactError, match="scene0042_00.sens: .sens version 3; expected 4"):
        read_sens_header(layout.sens)


def test_a_partly_non_finite_pose_is_an_error_not_lost_tracking(layout):
    pose = sf.scan_pose(2)
    pose[0, 3] = np.nan
    np.savetxt(layout.export_dir / "pose" / "2.txt", pose)
    with pytest.raises(ArtefactError, match=r"pose: frame 2 pose: NaN/inf"):
        load_capture(layout.root, sf.SCENE, FrameSource.EXPORT, 4, fx.WIDTH)


def test_a_non_rigid_alignment_is_an_error(layout):
    layout.meta.write_text("axisAlignment = 2 0 0 0 0 1 0 0 0 0 1 0 0 0 0 1\n")
    with pytest.raises(ArtefactError, match=r"scene0042_00.txt: axisAlignment: not a rigid"):
        load_capture(layout.root, sf.SCENE, FrameSource.SENS, 2, fx.WIDTH)


def test_missing_files_and_count_mismatch_are_named(layout):
    layout.segments.write_text('{"segIndices": [1, 2, 3]}')
    with pytest.raises(ArtefactError, match=r"segs.json: 3 segIndices but .*32 vertices"):
        load_capture(layout.root, sf.SCENE, FrameSource.SENS, 2, fx.WIDTH)
    layout.aggregation.unlink()
    layout.mesh.unlink()
    with pytest.raises(ArtefactError, match=r"scene0042_00_vh_clean_2.ply: file not found"):
        load_capture(layout.root, sf.SCENE, FrameSource.SENS, 2, fx.WIDTH)
    shutil.rmtree(layout.export_dir / "pose")
    with pytest.raises(ArtefactError, match="scene0042_00/pose: missing"):
        from spatialmosaic.scenes.scannet import _exported_poses

        _exported_poses(layout)

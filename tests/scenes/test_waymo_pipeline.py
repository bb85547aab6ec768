"""A Waymo snapshot through the CLI stages: scene, then frames with the dataset's photos."""

from __future__ import annotations

import numpy as np

import waymo_fixture as wf
from spatialmosaic.cli import main
from spatialmosaic.io import read_json, read_png16
from spatialmosaic.records import Dataset
from spatialmosaic.scene_io import read_cameras, read_scene_objects


def test_snapshot_scene_then_frames_keep_the_photos(tmp_path):
    root = wf.write_segment(tmp_path / "waymo" / "training")
    out = tmp_path / "data"
    scene_args = ["--scene-json", str(out / "scene.json"), "--mesh", str(out / "mesh.ply")]
    assert main(["scenes", "waymo", "--root", str(root), "--segment", wf.SEGMENT,
                 "--snapshot", "1", "--snapshots", "2", "--width", "64",
                 "--name", "waymo_x_01", *scene_args, "--cameras", str(out / "cameras.json"),
                 "--photos", str(out / "photos")]) == 0  # fmt: skip
    info = read_json(out / "scene.json")["info"]
    assert info["timestamp_micros"] == wf.TIMESTAMPS[1]  # the last of two snapshots
    assert read_scene_objects(out / "scene.json")[2] is Dataset.WAYMO  # records: outdoor
    cameras = read_cameras(out / "cameras.json")
    assert main(["render", "frames", *scene_args, "--cameras", str(out / "cameras.json"),
                 "--out-dir", str(out / "render"), "--jpeg-quality", "90",
                 "--photos", str(out / "photos"), "--backend", "cpu"]) == 0  # fmt: skip
    for camera in cameras:
        photo = (out / "photos" / f"{camera.frame_id}.jpg").read_bytes()
        assert (out / "render" / "images" / f"{camera.frame_id}.jpg").read_bytes() == photo
        instance = read_png16(out / "render" / "instance" / f"{camera.frame_id}.png")
        assert instance.shape == (camera.height, camera.width)
        assert np.any(instance == 1)  # the ground is seen by every camera


def test_missing_photo_is_named(tmp_path, capsys):
    root = wf.write_segment(tmp_path / "waymo" / "training")
    out = tmp_path / "data"
    scene_args = ["--scene-json", str(out / "scene.json"), "--mesh", str(out / "mesh.ply")]
    main(["scenes", "waymo", "--root", str(root), "--segment", wf.SEGMENT, "--snapshot", "0",
          "--snapshots", "1", "--width", "32", "--name", "waymo_x_00", *scene_args,
          "--cameras", str(out / "cameras.json"), "--photos", str(out / "photos")])  # fmt: skip
    first = sorted((out / "photos").iterdir())[0]
    first.unlink()
    code = main(["render", "frames", *scene_args, "--cameras", str(out / "cameras.json"),
                 "--out-dir", str(out / "render"), "--jpeg-quality", "90",
                 "--photos", str(out / "photos"), "--backend", "cpu"])  # fmt: skip
    assert code != 0
    assert f"{first}: missing photo" in capsys.readouterr().err
    assert not (out / "render").exists()

"""The scene examples figure and the scene cards, from rendered frames and scene files only."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
from PIL import Image

from analytic import camera_at, textured_quad
from spatialmosaic.io import write_jpeg
from spatialmosaic.records import SceneObject
from spatialmosaic.reporting.scene_card import write_scene_card
from spatialmosaic.reporting.scene_examples import FRAMES_PER_ROOM, main
from spatialmosaic.scene_io import write_cameras, write_scene

ROOM_INFO = {
    "source": "builtin",
    "room_type": "dining_room",
    "room_shape": "l_shape",
    "room_size_m": [4.0, 3.0],
    "room_outline_m": [[0, 0], [4, 0], [4, 1], [2, 1], [2, 3], [0, 3]],
    "room_height_m": 2.6,
}


def write_room(root, name: str, room_type: str, frames: int = 6):
    source = {"item_id": "c#1", "name": "Chair", "catalog": "Scopia", "creator": "Ann"}
    source |= {"licence": "CC-BY-3.0", "support": "floor"}
    chair = SceneObject(2, "chair", False, (0, 0, 0), (1, 1, 1), source)
    other_chair = dataclasses.replace(chair, instance_id=4)
    wall = SceneObject(3, "wall", True, (0, 0, 0), (1, 1, 1), {"kind": "structure"})
    quad = textured_quad()
    scene = dataclasses.replace(
        quad,
        name=name,
        info={**ROOM_INFO, "room_type": room_type},
        objects=(*quad.objects, chair, other_chair, wall),
    )
    write_scene(root / name / "scene.json", root / name / "mesh.ply", scene, meta={})
    for k in range(frames):
        rgb = np.full((48, 64, 3), 40 * k % 255, np.uint8)
        write_jpeg(root / "render" / name / "images" / f"frame_{k:06d}.jpg", rgb, 90)
    cameras = [camera_at(f"frame_{k:06d}", width=64, height=48) for k in range(frames)]
    write_cameras(root / f"{name}.cameras.json", name, cameras, meta={})
    return root / name / "scene.json", root / "render" / name


def test_figure_has_a_row_per_room_type_and_is_deterministic(tmp_path):
    types = ["kitchen", "bedroom"]
    rooms = [write_room(tmp_path, f"ours_indoor_{i:04d}", t) for i, t in enumerate(types)]
    scenes, renders = [r[0] for r in rooms], [r[1] for r in rooms]
    pdf, png = tmp_path / "fig.pdf", tmp_path / "fig.png"
    main(renders, scenes, pdf, png)
    assert pdf.read_bytes().startswith(b"%PDF")
    width, height = Image.open(png).size
    assert width > 600 and height > width * 0.3  # 2 rows of FRAMES_PER_ROOM tiles
    assert FRAMES_PER_ROOM == 4
    first = png.read_bytes()
    main(renders, scenes, pdf, png)
    assert png.read_bytes() == first
    assert not list(tmp_path.glob(".*.tmp"))


def test_figure_refuses_renders_without_scene_files(tmp_path):
    scene, render = write_room(tmp_path, "ours_indoor_0000", "office")
    with pytest.raises(ValueError, match="no scene.json"):
        main([render, tmp_path / "other"], [scene], tmp_path / "f.pdf", tmp_path / "f.png")


def test_scene_card_counts_categories_frames_and_licences(tmp_path):
    scene, _ = write_room(tmp_path, "ours_indoor_0000", "dining_room", frames=5)
    card_json, card_md = tmp_path / "card.json", tmp_path / "card.md"
    write_scene_card(scene, tmp_path / "ours_indoor_0000.cameras.json", card_json, card_md)
    card = json.loads(card_json.read_text())
    assert card["room_type"] == "dining_room" and card["frames"] == 5
    assert card["objects_per_category"] == {"chair": 2, "board": 1}
    assert card["floor_area_m2"] == pytest.approx(8.0)  # 4 x 3 minus the 2 x 2 notch
    assert card["licences"] == {"CC-BY-3.0": 1} and card["structure"] == {"wall": 1}
    text = card_md.read_text()
    assert "L-shaped" in text and "| chair | 2 |" in text
    assert "| Chair (`c#1`) | Scopia | Ann | CC-BY-3.0 |" in text

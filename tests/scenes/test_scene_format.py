"""The scene format: version 2 textures round-trip through scene.json + mesh.ply; readers are
strict about versions and about textures the two files disagree on."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from analytic import TEXTURE, textured_quad
from spatialmosaic.io import ArtefactError
from spatialmosaic.ply import read_ply, write_triangle_mesh_ply
from spatialmosaic.scene_io import read_scene, read_scene_payload, write_scene


def test_textured_scene_round_trips(tmp_path):
    scene = textured_quad(uv_scale=2.5)
    write_scene(tmp_path / "scene.json", tmp_path / "mesh.ply", scene, meta={})
    again = read_scene(tmp_path / "scene.json", tmp_path / "mesh.ply")
    assert len(again.textures) == 1 and np.array_equal(again.textures[0], TEXTURE)
    assert np.array_equal(again.face_texture, scene.face_texture)
    np.testing.assert_array_equal(again.face_uv, scene.face_uv)
    assert read_scene_payload(tmp_path / "scene.json")["format_version"] == 2


def test_untextured_scene_has_no_texture_elements(tmp_path):
    scene = textured_quad()
    flat = dataclasses.replace(scene, textures=(), face_texture=None, face_uv=None)
    write_scene(tmp_path / "scene.json", tmp_path / "mesh.ply", flat, meta={})
    assert "texture" not in read_ply(tmp_path / "mesh.ply")
    assert read_scene(tmp_path / "scene.json", tmp_path / "mesh.ply").textures == ()


def test_unknown_format_version_is_refused_naming_the_file(tmp_path):
    write_scene(tmp_path / "scene.json", tmp_path / "mesh.ply", textured_quad(), meta={})
    payload = json.loads((tmp_path / "scene.json").read_text())
    payload["format_version"] = 7
    (tmp_path / "scene.json").write_text(json.dumps(payload))
    with pytest.raises(ArtefactError, match=r"scene\.json: format_version=7"):
        read_scene(tmp_path / "scene.json", tmp_path / "mesh.ply")


def test_texture_count_disagreement_is_refused(tmp_path):
    write_scene(tmp_path / "scene.json", tmp_path / "mesh.ply", textured_quad(), meta={})
    payload = json.loads((tmp_path / "scene.json").read_text())
    payload["textures"] = 0
    (tmp_path / "scene.json").write_text(json.dumps(payload))
    with pytest.raises(ArtefactError, match=r"mesh\.ply: has textures that its scene\.json"):
        read_scene(tmp_path / "scene.json", tmp_path / "mesh.ply")
    payload["textures"] = 2
    (tmp_path / "scene.json").write_text(json.dumps(payload))
    with pytest.raises(ArtefactError, match=r"2 textures"):
        read_scene(tmp_path / "scene.json", tmp_path / "mesh.ply")


def test_scene_checks_texture_ids():
    scene = textured_quad()
    with pytest.raises(ValueError, match=r"face_texture spans 0\.\.3"):
        dataclasses.replace(scene, face_texture=np.array([0, 3], np.int16))


def test_ply_reads_a_second_list_property_and_extra_elements(tmp_path):
    vertices = np.zeros((3, 3), np.float32)
    texcoord = np.arange(12, dtype=np.float32).reshape(2, 6)
    write_triangle_mesh_ply(
        tmp_path / "m.ply",
        vertices,
        np.array([[0, 1, 2], [2, 1, 0]]),
        {"texcoord": texcoord, "tag": np.array([5, 6], np.uint8)},
        extra_elements={"texel": {"red": np.array([1, 2, 3], np.uint8)}},
    )
    ply = read_ply(tmp_path / "m.ply")
    np.testing.assert_array_equal(ply["face"]["texcoord"], texcoord)
    np.testing.assert_array_equal(ply["face"]["tag"], [5, 6])
    np.testing.assert_array_equal(ply["texel"]["red"], [1, 2, 3])

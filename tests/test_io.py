"""Atomic writes and the binary PLY format."""

from __future__ import annotations

import json

import numpy as np
import pytest

from spatialmosaic.io import ArtefactError, atomic_dir, atomic_path, read_json, write_json
from spatialmosaic.ply import read_ply, write_triangle_mesh_ply


def test_atomic_path_leaves_nothing_when_writer_fails(tmp_path):
    dest = tmp_path / "out.json"
    with pytest.raises(RuntimeError), atomic_path(dest) as tmp:
        tmp.write_text("half")
        raise RuntimeError("killed")
    assert list(tmp_path.iterdir()) == []


def test_atomic_dir_keeps_old_directory_until_success(tmp_path):
    dest = tmp_path / "frames"
    dest.mkdir()
    (dest / "old.txt").write_text("old")
    with pytest.raises(RuntimeError), atomic_dir(dest) as tmp:
        (tmp / "new.txt").write_text("new")
        raise RuntimeError("killed")
    assert [p.name for p in dest.iterdir()] == ["old.txt"]
    with atomic_dir(dest) as tmp:
        (tmp / "new.txt").write_text("new")
    assert [p.name for p in dest.iterdir()] == ["new.txt"]


def test_json_is_byte_stable_and_refuses_nan(tmp_path):
    write_json(tmp_path / "a.json", {"b": 1, "a": [1.5, 2]})
    write_json(tmp_path / "b.json", {"a": [1.5, 2], "b": 1})
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()
    with pytest.raises(ValueError, match="non-finite"):
        write_json(tmp_path / "c.json", {"a": float("nan")})


def test_read_json_checks_format_tag(tmp_path):
    write_json(tmp_path / "x.json", {"format": "spatialmosaic.scene"})
    with pytest.raises(ArtefactError, match="x.json: expected a 'spatialmosaic.cameras' file"):
        read_json(tmp_path / "x.json", kind="spatialmosaic.cameras")


def test_ply_round_trip(tmp_path):
    vertices = np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1]], dtype=np.float32)
    triangles = np.array([[0, 1, 2], [0, 2, 3]], dtype=np.int32)
    ids = np.array([7, 9], dtype=np.uint16)
    write_triangle_mesh_ply(tmp_path / "m.ply", vertices, triangles, {"instance_id": ids})
    ply = read_ply(tmp_path / "m.ply")
    assert np.array_equal(ply["face"]["vertex_indices"], triangles)
    assert np.array_equal(ply["face"]["instance_id"], ids)
    assert np.array_equal(ply["vertex"]["z"], vertices[:, 2])


def test_truncated_ply_names_the_file(tmp_path):
    vertices = np.zeros((3, 3), dtype=np.float32)
    write_triangle_mesh_ply(tmp_path / "m.ply", vertices, np.array([[0, 1, 2]]), {})
    data = (tmp_path / "m.ply").read_bytes()
    (tmp_path / "m.ply").write_bytes(data[:-5])
    with pytest.raises(ArtefactError, match="m.ply: truncated in element 'face'"):
        read_ply(tmp_path / "m.ply")


def test_ascii_ply_is_refused_clearly(tmp_path):
    (tmp_path / "a.ply").write_text("ply\nformat ascii 1.0\nelement vertex 0\nend_header\n")
    with pytest.raises(ArtefactError, match="a.ply: PLY format .*ascii"):
        read_ply(tmp_path / "a.ply")


def test_json_list_streams_its_own_layout_and_reads_any_other_list(tmp_path):
    from spatialmosaic.io import iter_json_list, write_json, write_json_list

    items = [{"a": 1, "text": "x, y"}, {"a": 2}, {"b": [1, 2]}]
    streamed = tmp_path / "streamed.json"
    assert write_json_list(streamed, iter(items)) == 3
    assert json.loads(streamed.read_text()) == items  # valid JSON as a whole
    assert list(iter_json_list(streamed)) == items
    pretty = tmp_path / "pretty.json"
    write_json(pretty, items)  # indented: read whole
    assert list(iter_json_list(pretty)) == items
    empty = tmp_path / "empty.json"
    write_json_list(empty, [])
    assert list(iter_json_list(empty)) == []


def test_json_list_names_the_file_and_line_of_a_broken_item(tmp_path):
    from spatialmosaic.io import iter_json_list

    broken = tmp_path / "broken.json"
    broken.write_text('[\n{"a": 1},\n{"a": \n]\n')
    with pytest.raises(ArtefactError, match=r"broken.json:3: not one JSON item per line"):
        list(iter_json_list(broken))
    with pytest.raises(ArtefactError, match="file not found"):
        list(iter_json_list(tmp_path / "missing.json"))

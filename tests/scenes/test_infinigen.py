"""Infinigen interchange export -> scene: closed-form boxes, ids, flags, outline; bad input;
the DAG with indoor_source infinigen (planned, never run: Infinigen is not run in tests)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from spatialmosaic.config import ConfigError, check_data_sources, validate_config
from spatialmosaic.io import ArtefactError
from spatialmosaic.records import Dataset, scene_domain
from spatialmosaic.scene_io import read_scene, read_scene_objects, write_scene
from spatialmosaic.scenes.infinigen import (
    FORMAT,
    FORMAT_VERSION,
    build_infinigen_scene,
    floor_outline,
    load_infinigen_scene,
    read_export,
)
from spatialmosaic.scenes.infinigen_run import STAMP_NAME, env_problem
from spatialmosaic.scenes.meshes import box_mesh
from workflow_support import BIN, ROOT, planned_jobs, run

FLOOR_Z = 0.05  # the fixture's floor top: the importer moves it to z = 0
ROOM = ((0.0, 0.0), (4.0, 3.0))
KITCHEN = ((4.0, 0.0), (6.0, 3.0))  # an empty room sharing the wall x = 4
BED = ((0.5, 0.5, FLOOR_Z), (2.5, 2.1, FLOOR_Z + 0.6))
LAMP = ((3.2, 2.2, FLOOR_Z), (3.6, 2.6, FLOOR_Z + 1.5))


def _box(lo, hi, rgb):
    vertices, triangles = box_mesh(np.array(lo), np.array(hi))
    return vertices, triangles, np.tile(np.array(rgb, np.uint8), (len(triangles), 1))


def _quad(z, rgb, room=ROOM):
    (x0, y0), (x1, y1) = room
    vertices = np.array([[x0, y0, z], [x1, y0, z], [x1, y1, z], [x0, y1, z]], float)
    triangles = np.array([[0, 1, 2], [0, 2, 3]])
    return vertices, triangles, np.tile(np.array(rgb, np.uint8), (2, 1))


def room_objects() -> list[tuple[str, str, bool, tuple]]:
    """A 4 x 3 m room (floor, ceiling, a wall) with a bed and a lamp, and an empty 2 x 3 m room
    beside it (Infinigen builds a house, furnishes one room): name, label, flag, mesh."""
    (x0, y0), (x1, y1) = ROOM
    return [
        ("living-room_0/0.floor", "floor", True, _quad(FLOOR_Z, (150, 120, 90))),
        ("living-room_0/0.ceiling", "ceiling", True, _quad(FLOOR_Z + 2.8, (240, 240, 240))),
        ("living-room_0/0.wall", "wall", True,
         _box((x0 - 0.1, y0 - 0.1, FLOOR_Z), (x0, y1 + 0.1, FLOOR_Z + 2.8), (220, 220, 210))),
        ("BedFactory(11).spawn_asset(0)", "BedFactory", False, _box(*BED, (200, 30, 30))),
        ("LampFactory(12).spawn_asset(1)", "LampFactory", False, _box(*LAMP, (30, 30, 200))),
        ("kitchen_0/0.floor", "floor", True, _quad(FLOOR_Z, (90, 90, 90), KITCHEN)),
    ]  # fmt: skip


def write_export(folder: Path, objects=None) -> tuple[Path, Path]:
    """The interchange files of ``objects`` (default :func:`room_objects`) in ``folder``."""
    objects = room_objects() if objects is None else objects
    folder.mkdir(parents=True, exist_ok=True)
    vertices = np.concatenate([mesh[0] for *_, mesh in objects]).astype(np.float32)
    np.savez(
        folder / "meshes.npz",
        vertices=vertices,
        triangles=np.concatenate([mesh[1] for *_, mesh in objects]).astype(np.int32),
        face_rgb=np.concatenate([mesh[2] for *_, mesh in objects]).astype(np.uint8),
    )
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "generator": {"infinigen": "1.15.5", "seed": 0},
        "bounds_min_m": vertices.min(axis=0).tolist(),
        "bounds_max_m": vertices.max(axis=0).tolist(),
        "objects": [
            {"name": name, "label": label, "structural": structural,
             "vertex_count": len(mesh[0]), "triangle_count": len(mesh[1])}
            for name, label, structural, mesh in objects
        ],
    }  # fmt: skip
    (folder / "manifest.json").write_text(json.dumps(manifest))
    return folder / "manifest.json", folder / "meshes.npz"


def test_objects_keep_their_boxes_ids_and_flags_with_the_floor_moved_to_zero(tmp_path):
    manifest, meshes = write_export(tmp_path / "export")
    scene = load_infinigen_scene("infinigen_0000", manifest, meshes)
    by_id = scene.object_by_id()
    assert [(o.instance_id, o.category, o.structural) for o in scene.objects] == [
        (1, "floor", True), (2, "ceiling", True), (3, "wall", True), (4, "bed", False),
        (5, "lamp", False), (6, "floor", True),
    ]  # fmt: skip
    for instance, (lo, hi) in ((4, BED), (5, LAMP)):
        moved = np.array([0, 0, FLOOR_Z])
        np.testing.assert_allclose(by_id[instance].bbox_min_m, np.array(lo) - moved, atol=1e-6)
        np.testing.assert_allclose(by_id[instance].bbox_max_m, np.array(hi) - moved, atol=1e-6)
    assert by_id[4].source == {"dataset": "infinigen", "name": "BedFactory(11).spawn_asset(0)",
                               "label": "BedFactory"}  # fmt: skip
    assert np.bincount(scene.face_instance).tolist() == [0, 2, 2, 12, 12, 12, 2]
    assert scene.face_rgb[scene.face_instance == 4].tolist()[0] == [200, 30, 30]
    # the furnished room is walked, not the larger house nor the empty room
    assert scene.info["room_outline_m"] == [[0.0, 0.0], [4.0, 0.0], [4.0, 3.0], [0.0, 3.0]]
    assert scene.info["walked_floor"] == "living-room_0/0.floor"
    assert scene.info["room_type"] == "living room"
    assert scene.info["floor_z_moved_m"] == pytest.approx(-FLOOR_Z)
    assert scene.info["objects"] == 2 and scene.info["categories"] == 2


def test_written_scene_is_an_indoor_scene_of_our_own(tmp_path):
    scene = load_infinigen_scene("infinigen_0000", *write_export(tmp_path / "export"))
    write_scene(tmp_path / "scene.json", tmp_path / "mesh.ply", scene, {})
    name, objects, dataset = read_scene_objects(tmp_path / "scene.json")
    assert dataset is Dataset.OURS and scene_domain(dataset, name) is not None
    assert scene_domain(dataset, name).value == "indoor"
    reread = read_scene(tmp_path / "scene.json", tmp_path / "mesh.ply")
    assert len(reread.triangles) == len(scene.triangles) and len(objects) == 6


def test_outline_of_an_l_shaped_floor_is_counter_clockwise_without_collinear_corners():
    # an L from unit squares, given clockwise, with duplicated (unwelded) corners
    cells = [(0, 0), (1, 0), (2, 0), (0, 1)]
    vertices, triangles = [], []
    for x, y in cells:
        base = len(vertices)
        vertices += [[x, y, 0], [x, y + 1, 0], [x + 1, y + 1, 0], [x + 1, y, 0]]
        triangles += [[base, base + 1, base + 2], [base, base + 2, base + 3]]
    outline = floor_outline(np.array(vertices, float), np.array(triangles))
    assert len(outline) == 6
    x, y = outline[:, 0], outline[:, 1]
    assert 0.5 * np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y) == pytest.approx(4.0)
    assert {tuple(p) for p in outline.tolist()} == {(0, 0), (3, 0), (3, 1), (1, 1), (1, 2), (0, 2)}


def _rewrite(manifest: Path, change) -> None:
    payload = json.loads(manifest.read_text())
    change(payload)
    manifest.write_text(json.dumps(payload))


def test_bad_exports_raise_errors_naming_the_file(tmp_path):
    manifest, meshes = write_export(tmp_path / "export")
    with pytest.raises(ArtefactError, match="nope/manifest.json"):
        read_export(tmp_path / "nope" / "manifest.json", meshes)
    with pytest.raises(ArtefactError, match=r"nope.npz: missing"):
        read_export(manifest, tmp_path / "nope.npz")
    arrays = dict(np.load(meshes))
    np.savez(meshes, **{**arrays, "triangles": arrays["triangles"][:, :2]})
    with pytest.raises(ArtefactError, match=r"meshes.npz: triangles has shape \(42, 2\)"):
        read_export(manifest, meshes)
    vertices = arrays["vertices"].copy()
    vertices[10, 1] = np.nan  # a vertex of the wall, the third object
    np.savez(meshes, **{**arrays, "vertices": vertices})
    with pytest.raises(ArtefactError, match=r"meshes.npz: object 2 \(living-room_0/0.wall\).*NaN"):
        read_export(manifest, meshes)
    np.savez(meshes, **arrays)
    _rewrite(manifest, lambda p: p["objects"][3].update(label="SpaceshipFactory"))
    with pytest.raises(ArtefactError, match=r"manifest.json: object 'BedFactory.*'Spaceship"):
        build_infinigen_scene("x", read_export(manifest, meshes))
    _rewrite(manifest, lambda p: p["objects"][3].update(label="BedFactory", structural=True))
    with pytest.raises(ArtefactError, match=r"manifest.json: .*structural=True, but .*'bed'"):
        build_infinigen_scene("x", read_export(manifest, meshes))
    _rewrite(manifest, lambda p: p["objects"][3].update(vertex_count="8"))
    with pytest.raises(ArtefactError, match=r"manifest.json: objects\[3\].vertex_count='8'"):
        read_export(manifest, meshes)
    _rewrite(manifest, lambda p: p.update(format_version=7))
    with pytest.raises(ArtefactError, match=r"manifest.json: format .* version 7"):
        read_export(manifest, meshes)


def test_a_scene_without_floor_cannot_be_walked(tmp_path):
    export = read_export(*write_export(tmp_path / "export", room_objects()[1:-1]))
    with pytest.raises(ArtefactError, match="manifest.json: no floor object"):
        build_infinigen_scene("x", export)


def _infinigen_config(venv: Path, python: str = "python3.11") -> dict:
    block = {"venv": str(venv), "python": python, "count": 2}
    return validate_config({"scenes": {"indoor_source": "infinigen", "infinigen": block}})


def test_start_up_check_refuses_a_python_that_cannot_make_the_environment(tmp_path):
    with pytest.raises(ConfigError, match="infinigen: python2.0: no such Python interpreter"):
        check_data_sources(_infinigen_config(tmp_path / "venv", "python2.0"))
    assert env_problem(tmp_path / "venv", "python3.11", ROOT / "nope.txt").endswith("missing")
    (tmp_path / "venv" / "bin").mkdir(parents=True)
    (tmp_path / "venv" / "bin" / "python").touch()
    (tmp_path / "venv" / STAMP_NAME).write_text("{}")
    check_data_sources(_infinigen_config(tmp_path / "venv", "python2.0"))  # made already


def test_dag_with_infinigen_rooms_plans_env_generation_import_and_walkthrough(tmp_path):
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").touch()
    (venv / STAMP_NAME).write_text("{}")
    overlay = tmp_path / "overlay.yaml"
    overlay.write_text(
        f"scenes:\n  indoor_source: infinigen\n  outdoor_count: 0\n  infinigen:\n"
        f"    venv: {venv}\n    count: 3\n"
    )
    result = run([str(BIN / "snakemake"), "-n", "--cores", "1", "--configfile", "config/tiny.yaml",
                  str(overlay), "--forceall"], ROOT)  # fmt: skip
    jobs = planned_jobs(result.stdout)
    assert jobs["scenes_infinigen_env"] == 1
    assert jobs["scenes_infinigen_generate"] == jobs["scenes_infinigen"] == 3
    assert jobs["views_walkthrough"] == jobs["render_frames"] == 3
    assert "scenes_build" not in jobs
    assert "infinigen_0002" in result.stdout

"""Built-in rooms: no interpenetration, supported objects, determinism (Debian catalogs)."""

from __future__ import annotations

from itertools import combinations
from pathlib import Path

import numpy as np
import pytest

from spatialmosaic.provenance import derive_rng
from spatialmosaic.scene_io import read_scene, write_scene
from spatialmosaic.scenes.builtin import FurnitureLibrary, build_builtin_scene
from spatialmosaic.scenes.catalog import FURNITURE_DIR
from spatialmosaic.scenes.taxonomy import category_label

needs_catalogs = pytest.mark.skipif(
    not any(FURNITURE_DIR.glob("*.sh3f")), reason="Debian sweethome3d-furniture not installed"
)


@pytest.fixture(scope="module")
def library() -> FurnitureLibrary:
    return FurnitureLibrary(FURNITURE_DIR, ("CC0-1.0",))


@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("Oak chair", "chair"),
        ("Bedside table", "nightstand"),
        ("Table fan", "fan"),
        ("Winchester armchair", "armchair"),
        ("Corner sofa", "sofa"),
        ("Teddy bear", "teddy bear"),
    ],
)
def test_category_labels(name, label):
    assert category_label(name) == label


@needs_catalogs
@pytest.mark.parametrize("index", range(4))
def test_furniture_never_interpenetrates_and_stands_on_something(library, index):
    scene = build_builtin_scene(f"s{index}", library, derive_rng(0, "scenes", f"s{index}"), 10, 16)
    furniture = [o for o in scene.objects if not o.structural]
    assert len(furniture) >= 6
    width, depth = scene.info["room_size_m"]
    for a, b in combinations(furniture, 2):
        separated = any(
            a.bbox_max_m[axis] <= b.bbox_min_m[axis] + 1e-6
            or b.bbox_max_m[axis] <= a.bbox_min_m[axis] + 1e-6
            for axis in range(3)
        )
        assert separated, f"{a.category} {a.instance_id} intersects {b.category} {b.instance_id}"
    tops = {round(o.bbox_max_m[2], 6) for o in furniture} | {0.0}
    for o in furniture:
        assert -1e-6 <= o.bbox_min_m[0] and o.bbox_max_m[0] <= width + 1e-6
        assert -1e-6 <= o.bbox_min_m[1] and o.bbox_max_m[1] <= depth + 1e-6
        base = round(o.bbox_min_m[2], 6)
        assert base in tops, f"{o.category} {o.instance_id} floats at z={base}"


@needs_catalogs
def test_structure_is_marked_and_licences_recorded(library):
    scene = build_builtin_scene("s", library, derive_rng(0, "scenes", "s"), 10, 12)
    structural = {o.category for o in scene.objects if o.structural}
    assert structural == {"floor", "ceiling", "wall"}
    assert {o.source["licence"] for o in scene.objects if not o.structural} == {"CC0-1.0"}


@needs_catalogs
def test_same_seed_gives_byte_identical_scene_files(library, tmp_path):
    for run in ("a", "b"):
        scene = build_builtin_scene("s", library, derive_rng(3, "scenes", "s"), 10, 12)
        write_scene(tmp_path / run / "scene.json", tmp_path / run / "mesh.ply", scene, meta={})
    for name in ("scene.json", "mesh.ply"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    again = read_scene(tmp_path / "a" / "scene.json", tmp_path / "a" / "mesh.ply")
    assert np.array_equal(again.face_instance, scene.face_instance)


def test_read_scene_rejects_faces_of_unknown_objects(tmp_path):
    from analytic import make_scene, quad
    from spatialmosaic.io import ArtefactError

    scene = make_scene([(1, "board", False, quad(0, 1, 0, 1, 1))])
    scene.face_instance[:] = 5
    write_scene(tmp_path / "scene.json", tmp_path / "mesh.ply", scene, meta={})
    with pytest.raises(ArtefactError, match="mesh.ply: faces carry instance ids \\[5\\]"):
        read_scene(tmp_path / "scene.json", Path(tmp_path / "mesh.ply"))

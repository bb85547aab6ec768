"""Built-in street scenes: Waymo classes, plausible placement, no interpenetration."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from spatialmosaic.provenance import derive_rng
from spatialmosaic.scenes.street import CURB_HEIGHT_M, LANE_WIDTH_M, build_street_scene

TARGETS = {"vehicle", "pedestrian", "cyclist", "sign"}
STRUCTURE = {"road", "sidewalk", "road_marking", "building", "tree", "pole"}
GROUND = {"road", "sidewalk", "road_marking", "building"}


@pytest.fixture(scope="module", params=[0, 1, 2])
def scene(request):
    name = f"ours_outdoor_{request.param:04d}"
    return build_street_scene(name, derive_rng(0, "scenes", name))


def test_same_seed_same_scene() -> None:
    a = build_street_scene("ours_outdoor_0000", derive_rng(0, "scenes", "ours_outdoor_0000"))
    b = build_street_scene("ours_outdoor_0000", derive_rng(0, "scenes", "ours_outdoor_0000"))
    assert a.objects == b.objects and a.info == b.info
    assert np.array_equal(a.vertices_world_m, b.vertices_world_m)
    assert np.array_equal(a.face_rgb, b.face_rgb)


def test_classes_are_waymo_targets_and_unlabelled_structure(scene) -> None:
    targets = {o.category for o in scene.objects if not o.structural}
    structure = {o.category for o in scene.objects if o.structural}
    assert targets <= TARGETS and {"vehicle", "pedestrian", "sign"} <= targets
    assert structure <= STRUCTURE
    counts = scene.info["object_counts"]
    for category in TARGETS:
        assert counts[category] == sum(o.category == category for o in scene.objects)
    assert counts["vehicle"] >= 5 and counts["pedestrian"] >= 3


def test_street_scenes_are_ours(tmp_path) -> None:
    from spatialmosaic.records import Dataset
    from spatialmosaic.scene_io import read_scene_objects, write_scene

    scene = build_street_scene("ours_outdoor_0009", derive_rng(0, "scenes", "ours_outdoor_0009"))
    write_scene(tmp_path / "scene.json", tmp_path / "mesh.ply", scene, {})
    assert read_scene_objects(tmp_path / "scene.json")[2] is Dataset.OURS


def test_mesh_arrays_agree_with_objects(scene) -> None:
    assert len(scene.face_instance) == len(scene.triangles) == len(scene.face_rgb)
    assert set(np.unique(scene.face_instance)) == {o.instance_id for o in scene.objects}
    for obj in scene.objects:
        verts = scene.vertices_world_m[
            np.unique(scene.triangles[scene.face_instance == obj.instance_id])
        ]
        assert np.allclose(verts.min(axis=0), obj.bbox_min_m)
        assert np.allclose(verts.max(axis=0), obj.bbox_max_m)


def test_standing_objects_never_interpenetrate(scene) -> None:
    """Footprints (x-y boxes) of everything that stands on the ground are pairwise apart."""
    standing = [o for o in scene.objects if o.category not in GROUND]
    for a, b in itertools.combinations(standing, 2):
        apart = any(
            a.bbox_max_m[k] <= b.bbox_min_m[k] or b.bbox_max_m[k] <= a.bbox_min_m[k] for k in (0, 1)
        )
        assert apart, (a.category, a.instance_id, b.category, b.instance_id)


def test_everything_stands_on_the_road_or_the_sidewalk(scene) -> None:
    road = scene.info["road_half_width_m"]
    for obj in scene.objects:
        if obj.category in GROUND:
            continue
        centre_y = (obj.bbox_min_m[1] + obj.bbox_max_m[1]) / 2
        expected = 0.0 if abs(centre_y) < road else CURB_HEIGHT_M
        assert obj.bbox_min_m[2] == pytest.approx(expected, abs=1e-9), obj


def test_ego_lane_is_free_along_the_drive(scene) -> None:
    start, end = scene.info["ego_path_x_m"]
    lane_y = scene.info["ego_lane_y_m"]
    assert lane_y == -LANE_WIDTH_M / 2
    for obj in scene.objects:
        if obj.category in GROUND:
            continue
        overlaps_x = obj.bbox_max_m[0] > start - 2 and obj.bbox_min_m[0] < end + 4
        overlaps_y = obj.bbox_max_m[1] > lane_y - 1.2 and obj.bbox_min_m[1] < lane_y + 1.2
        assert not (overlaps_x and overlaps_y), obj

"""Built-in rooms (Debian catalogs): the default 8 rooms' categories, no interpenetration,
every object supported, closed shells, doors and windows, determinism."""

from __future__ import annotations

import functools
from collections import Counter
from itertools import combinations
from pathlib import Path

import numpy as np
import pytest

from spatialmosaic.config import load_config
from spatialmosaic.provenance import derive_rng
from spatialmosaic.raycast import make_raycaster
from spatialmosaic.scene_io import Scene, read_scene, write_scene
from spatialmosaic.scenes.builtin import (
    ROOM_TYPES,
    FurnitureLibrary,
    build_builtin_scene,
    room_type_of,
)
from spatialmosaic.scenes.catalog import FURNITURE_DIR
from spatialmosaic.scenes.taxonomy import STRUCTURAL_CATEGORIES, category_label
from spatialmosaic.views.walkthrough import (
    WALL_CLEARANCE_M,
    inside_outline,
    obstacle_rects,
    scene_walkthrough,
)

ROOT = Path(__file__).resolve().parents[2]
needs_catalogs = pytest.mark.skipif(
    not any(FURNITURE_DIR.glob("*.sh3f")), reason="Debian sweethome3d-furniture not installed"
)
MIN_DEFAULT_CATEGORIES = 40
SUPPORT_PROBE_M = 0.01  # rays start this far above an object's base
SUPPORT_TOLERANCE_M = 0.006
WALL_TOLERANCE_M = 0.03


@functools.cache
def default_rooms() -> tuple[Scene, ...]:
    """The default config's rooms, as the pipeline builds them."""
    config = load_config(ROOT / "config.yaml")
    scenes = config["scenes"]
    library = FurnitureLibrary(Path(scenes["furniture_dir"]), tuple(scenes["licences"]))
    rooms = []
    for index in range(scenes["count"]):
        name = f"ours_indoor_{index:04d}"
        rng = derive_rng(config["seed"], "scenes", name)
        room_type = room_type_of(index, config["seed"])
        rooms.append(
            build_builtin_scene(
                name, library, rng, scenes["objects_min"], scenes["objects_max"], room_type
            )
        )
    return tuple(rooms)


def furniture(scene: Scene):
    return [o for o in scene.objects if not o.structural]


@pytest.mark.parametrize(
    ("name", "item_id", "label"),
    [
        ("Oak chair", "", "chair"),
        ("Bedside table", "", "nightstand"),
        ("Table fan", "", "fan"),
        ("Winchester armchair", "", "armchair"),
        ("Corner sofa", "", "sofa"),
        ("Teddy bear", "", "teddy bear"),
        ("Cup cake", "", "cupcake"),
        ("Toilet paper dispenser", "", "toilet paper holder"),
        ("Upper corner cabinet", "", "wall cabinet"),
        ("Armchair", "Blend Swap CC-0#armchair", "office chair"),
    ],
)
def test_category_labels(name, item_id, label):
    assert category_label(name, item_id) == label


@needs_catalogs
def test_default_rooms_cover_every_type_and_many_repeated_categories():
    rooms = default_rooms()
    assert {room.info["room_type"] for room in rooms} == set(ROOM_TYPES)
    assert {room.info["room_shape"] for room in rooms} == {"rectangle", "l_shape"}
    per_category = Counter(o.category for room in rooms for o in furniture(room))
    assert len(per_category) >= MIN_DEFAULT_CATEGORIES, sorted(per_category)
    for category in ("chair", "cup", "plant", "bottle"):
        assert per_category[category] >= 5, per_category
    within_room = [max(Counter(o.category for o in furniture(r)).values()) for r in rooms]
    assert min(within_room) >= 3  # every room repeats some category (counting questions)
    config = load_config(ROOT / "config.yaml")["scenes"]
    for room in rooms:
        assert config["objects_min"] <= len(furniture(room)) <= config["objects_max"]


@needs_catalogs
def test_structure_is_marked_with_doors_windows_and_licences():
    for room in default_rooms():
        structural = Counter(o.category for o in room.objects if o.structural)
        assert set(structural) == set(STRUCTURAL_CATEGORIES), structural
        assert structural["wall"] == len(room.info["room_outline_m"])
        assert {o.source["licence"] for o in furniture(room)} == {"CC0-1.0"}
        assert not {o.category for o in furniture(room)} & set(STRUCTURAL_CATEGORIES)


@needs_catalogs
def test_footprints_never_overlap_and_stay_inside_the_room():
    for room in default_rooms():
        outline = np.asarray(room.info["room_outline_m"])
        pieces = furniture(room)
        doors_windows = [o for o in room.objects if o.category in ("door", "window")]
        for obj in pieces:
            (x0, y0, _), (x1, y1, _) = obj.bbox_min_m, obj.bbox_max_m
            inset = 1e-6  # corners touching a wall count as inside
            corners = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]])
            corners += inset * np.array([[1, 1], [-1, 1], [-1, -1], [1, -1]])
            assert inside_outline(corners, outline).all(), obj
            assert obj.bbox_max_m[2] <= room.info["room_height_m"] + 1e-6
            for opening in doors_windows:
                assert not _boxes_overlap(obj, opening), (obj.category, opening.category)
        on_floor = [o for o in pieces if o.source["support"] == "floor"]
        for a, b in combinations(on_floor, 2):  # floor footprints are disjoint
            assert not all(
                a.bbox_min_m[k] < b.bbox_max_m[k] - 1e-6
                and b.bbox_min_m[k] < a.bbox_max_m[k] - 1e-6
                for k in range(2)
            ), f"{room.name}: footprints of {a.category} and {b.category} overlap"
        hosts = {o.instance_id: o for o in pieces}
        for a, b in combinations(pieces, 2):
            stacked = {a.source.get("host_instance"), b.source.get("host_instance")}
            if str(a.instance_id) in stacked or str(b.instance_id) in stacked:
                continue  # an object on a shelf lies inside its host's box
            assert not _boxes_overlap(a, b), f"{room.name}: {a.category} {a.instance_id} / {b}"
        assert hosts


def _boxes_overlap(a, b) -> bool:
    return all(
        a.bbox_min_m[k] < b.bbox_max_m[k] - 1e-6 and b.bbox_min_m[k] < a.bbox_max_m[k] - 1e-6
        for k in range(3)
    )


@needs_catalogs
def test_every_object_rests_on_floor_surface_wall_or_ceiling():
    for room in default_rooms():
        outline = np.asarray(room.info["room_outline_m"])
        on_surfaces = []
        for obj in furniture(room):
            support = obj.source["support"]
            if support == "floor":
                assert abs(obj.bbox_min_m[2]) < 1e-6, obj
            elif support == "ceiling":
                assert abs(obj.bbox_max_m[2] - room.info["room_height_m"]) < 1e-6, obj
            elif support == "wall":
                assert obj.bbox_min_m[2] > 0.1 and _wall_distance(obj, outline) < WALL_TOLERANCE_M
            else:
                on_surfaces.append(obj)
        assert on_surfaces
        # A ray down from just above each object's base, at its footprint centre, hits its host
        # at the base height (objects on surfaces removed; no host stands on another object).
        keep = ~np.isin(room.face_instance, [o.instance_id for o in on_surfaces])
        raycaster = make_raycaster(room.vertices_world_m, room.triangles[keep], "open3d-cpu")
        origins = np.array(
            [
                [*((np.add(o.bbox_min_m, o.bbox_max_m) / 2)[:2]), o.bbox_min_m[2] + SUPPORT_PROBE_M]
                for o in on_surfaces
            ]
        )
        hits = raycaster.cast_rays(origins, np.tile([0.0, 0.0, -1.0], (len(origins), 1)))
        hit_instance = room.face_instance[keep][np.maximum(hits.triangle, 0)]
        for obj, instance, depth in zip(on_surfaces, hit_instance, hits.depth_z_m, strict=True):
            assert instance == int(obj.source["host_instance"]), (room.name, obj)
            assert abs(depth - SUPPORT_PROBE_M) < SUPPORT_TOLERANCE_M, (room.name, obj, depth)


def _wall_distance(obj, outline: np.ndarray) -> float:
    """Distance from the object's box to the nearest wall line of the outline."""
    distances = []
    for (x0, y0), (x1, _) in zip(outline, np.roll(outline, -1, axis=0), strict=True):
        if x0 == x1:  # a wall along y
            distances += [abs(obj.bbox_min_m[0] - x0), abs(obj.bbox_max_m[0] - x0)]
        else:
            distances += [abs(obj.bbox_min_m[1] - y0), abs(obj.bbox_max_m[1] - y0)]
    return min(distances)


@needs_catalogs
def test_rooms_are_closed_no_ray_escapes():
    rng = np.random.default_rng(0)
    for room in default_rooms()[:4]:
        raycaster = make_raycaster(room.vertices_world_m, room.triangles, "open3d-cpu")
        outline = np.asarray(room.info["room_outline_m"])
        low, high = outline.min(axis=0), outline.max(axis=0)
        starts = rng.uniform(low, high, size=(400, 2))
        starts = starts[inside_outline(starts, outline, 0.05)]
        heights = rng.uniform(0.1, room.info["room_height_m"] - 0.1, len(starts))
        origins = np.column_stack([starts, heights])
        directions = rng.normal(size=(len(starts), 3))
        directions /= np.linalg.norm(directions, axis=1, keepdims=True)
        assert (raycaster.cast_rays(origins, directions).triangle >= 0).all(), room.name


@needs_catalogs
def test_same_seed_gives_byte_identical_scene_files(tmp_path):
    library = FurnitureLibrary(FURNITURE_DIR, ("CC0-1.0",))
    for run in ("a", "b"):
        rng = derive_rng(3, "scenes", "s")
        scene = build_builtin_scene("s", library, rng, 10, 14, "kitchen")
        write_scene(tmp_path / run / "scene.json", tmp_path / run / "mesh.ply", scene, meta={})
    for name in ("scene.json", "mesh.ply"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    again = read_scene(tmp_path / "a" / "scene.json", tmp_path / "a" / "mesh.ply")
    assert np.array_equal(again.face_instance, scene.face_instance)
    assert len(again.textures) == len(scene.textures) > 0


@needs_catalogs
def test_unknown_room_type_is_refused():
    library = FurnitureLibrary(FURNITURE_DIR, ("CC0-1.0",))
    with pytest.raises(ValueError, match="room type 'garage'"):
        build_builtin_scene("s", library, np.random.default_rng(0), 5, 6, "garage")


def test_read_scene_rejects_faces_of_unknown_objects(tmp_path):
    from analytic import make_scene, quad
    from spatialmosaic.io import ArtefactError

    scene = make_scene([(1, "board", False, quad(0, 1, 0, 1, 1))])
    scene.face_instance[:] = 5
    write_scene(tmp_path / "scene.json", tmp_path / "mesh.ply", scene, meta={})
    with pytest.raises(ArtefactError, match="mesh.ply: faces carry instance ids \\[5\\]"):
        read_scene(tmp_path / "scene.json", Path(tmp_path / "mesh.ply"))


@needs_catalogs
def test_default_walkthroughs_stay_inside_the_room_and_out_of_the_furniture():
    for room in default_rooms():
        cameras = scene_walkthrough(
            room.info,
            room.objects,
            derive_rng(0, "views", room.name),
            n_frames=60,
            width=64,
            height=48,
            hfov_deg=67.0,
            eye_height_range_m=(1.2, 1.8),
        )
        xyz = np.array([np.asarray(c.T_world_cam)[:3, 3] for c in cameras])
        outline = np.asarray(room.info["room_outline_m"])
        assert inside_outline(xyz[:, :2], outline, WALL_CLEARANCE_M - 1e-9).all(), room.name
        assert ((xyz[:, 2] >= 1.2) & (xyz[:, 2] <= 1.8)).all()
        for x0, y0, x1, y1 in obstacle_rects(room.objects):
            inside = (xyz[:, 0] > x0) & (xyz[:, 0] < x1) & (xyz[:, 1] > y0) & (xyz[:, 1] < y1)
            assert not inside.any(), room.name
        assert np.linalg.norm(np.diff(xyz, axis=0), axis=1).max() < 0.6, room.name


@needs_catalogs
def test_every_label_a_recipe_names_has_a_cc0_model():
    from spatialmosaic.scenes.recipes import RECIPES

    labels = {m.label for m in FurnitureLibrary(FURNITURE_DIR, ("CC0-1.0",)).models}
    for recipe in RECIPES.values():
        named = {label for slot in recipe.slots for label in slot.labels}
        named |= set(recipe.hosts) | set(recipe.small_objects) | set(recipe.run_units)
        assert named <= labels, (recipe.name, sorted(named - labels))

"""Tests for spatialmosaic.scenes.obj_model: OBJ/MTL parsing and the model -> world fit."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from spatialmosaic.scenes.catalog import FURNITURE_DIR, CatalogItem, read_catalog
from spatialmosaic.scenes.materials import TextureImage
from spatialmosaic.scenes.obj_model import (
    NEUTRAL_GREY,
    R_WORLD_FROM_MODEL,
    load_catalog_model,
    model_to_world_m,
    parse_mtl,
    parse_obj,
)

# A 1 x 2 x 3 box (model X, Y, Z) offset from the origin, as six quads in three materials.
# Corner k has bits (x, y, z) = (k & 1, k >> 1 & 1, k >> 2 & 1).
BOX_OBJ = """\
# test box
mtllib box.mtl
o box
v 10 20 30
v 11 20 30
v 10 22 30
v 11 22 30
v 10 20 33
v 11 20 33
v 10 22 33
v 11 22 33
vt 0 0
vn 0 0 1
f 1 3 4 2
usemtl red
s 1
f 5/1 6/1 8/1 7/1
f 1//1 2//1 6//1 5//1
usemtl textured
f 3/1/1 7/1/1 8/1/1 4/1/1
f -8 -4 -2 -6
usemtl undefined_here
f 2 4 8 6
"""
BOX_MTL = """\
newmtl red
Ka 0 0 0
Kd 1.0 0.0 0.0
newmtl textured
    Kd 0.5 1.0 1.0
    map_Kd tex.png
"""
TEXTURE_RGB = (200, 100, 50)


def write_model_zip(path: Path, obj_text: str = BOX_OBJ, mtl_text: str = BOX_MTL) -> Path:
    """A zip with models/box/{box.obj, box.mtl, tex.png}, like a catalog's model folder."""
    png = io.BytesIO()
    Image.new("RGB", (4, 4), TEXTURE_RGB).save(png, format="PNG")
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("models/box/box.obj", obj_text)
        archive.writestr("models/box/box.mtl", mtl_text)
        archive.writestr("models/box/tex.png", png.getvalue())
    return path


def box_item(rotation: tuple[float, ...] | None = None) -> CatalogItem:
    return CatalogItem(
        catalog="BlendSwap-CC-0",
        item_id="Test#box",
        name="Box",
        category="Living room",
        width_m=0.4,
        depth_m=0.6,
        height_m=0.9,
        model_path="models/box/box.obj",
        licence="CC0-1.0",
        creator="test",
        door_or_window=False,
        model_rotation=rotation,
    )


def test_parse_obj_quads_become_two_triangles_each() -> None:
    mesh = parse_obj("v 0 0 0\nv 1 0 0\nv 1 1 0\nv 0 1 0\nf 1 2 3 4\n", {})

    assert mesh.vertices.dtype == np.float64 and mesh.vertices.shape == (4, 3)
    assert mesh.triangles.dtype == np.int32
    np.testing.assert_array_equal(mesh.triangles, [[0, 1, 2], [0, 2, 3]])


def test_parse_obj_fan_triangulates_polygons() -> None:
    vertices = "".join(f"v {i} {i * i} 0\n" for i in range(5))

    mesh = parse_obj(vertices + "f 1 2 3 4 5\n", {})

    np.testing.assert_array_equal(mesh.triangles, [[0, 1, 2], [0, 2, 3], [0, 3, 4]])


def test_parse_obj_face_forms_give_the_same_vertex_indices() -> None:
    header = "v 0 0 0\nv 1 0 0\nv 0 1 0\nvt 0 0\nvn 0 0 1\n"
    forms = ["f 1 2 3", "f 1/1 2/1 3/1", "f 1//1 2//1 3//1", "f 1/1/1 2/1/1 3/1/1", "f -3 -2 -1"]

    for form in forms:
        mesh = parse_obj(header + form + "\n", {})
        np.testing.assert_array_equal(mesh.triangles, [[0, 1, 2]], err_msg=form)


def test_parse_obj_negative_indices_count_from_vertices_so_far() -> None:
    text = "v 0 0 0\nv 1 0 0\nv 0 1 0\nf -3 -2 -1\nv 5 5 5\nf -4 -1 -2\n"

    mesh = parse_obj(text, {})

    np.testing.assert_array_equal(mesh.triangles, [[0, 1, 2], [0, 3, 2]])


def test_parse_obj_colours_from_usemtl_with_grey_default() -> None:
    materials = {"red": (1.0, 0.0, 0.0), "blue": (0.0, 0.0, 1.0)}
    text = (
        "v 0 0 0\nv 1 0 0\nv 0 1 0\n"
        "f 1 2 3\nusemtl red\nf 1 2 3\nusemtl blue\nf 1 2 3\nusemtl nowhere\nf 1 2 3\n"
    )

    mesh = parse_obj(text, materials)

    grey = [NEUTRAL_GREY] * 3
    assert mesh.face_colors.dtype == np.float32
    np.testing.assert_allclose(mesh.face_colors, [grey, [1, 0, 0], [0, 0, 1], grey])


def test_parse_obj_two_vertex_face_adds_no_triangle() -> None:
    mesh = parse_obj("v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2\nf 1 2 3\n", {})

    np.testing.assert_array_equal(mesh.triangles, [[0, 1, 2]])


def test_parse_obj_ignores_texture_normal_group_and_line_statements() -> None:
    text = "o a\ng b\ns off\nv 0 0 0\r\nvt 0 0\nvn 0 0 1\nv 1 0 0\nv 0 1 0\nl 1 2\nf 1 2 3\n"

    mesh = parse_obj(text, {})

    assert mesh.vertices.shape == (3, 3)
    assert mesh.triangles.shape == (1, 3)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 4\n", r"line 4: vertex index 4 out of range"),
        ("v 0 0 0\nv 1 0 0\nv 0 1 0\n\nf 1 2 0\n", r"line 5: vertex index 0 out of range"),
        ("v 0 0 0\nf -1 -2 -3\nv 1 0 0\nv 0 1 0\n", r"line 2: vertex index -2 out of range"),
        ("v 0 0 0\nv 1 0 x\n", r"line 2: malformed vertex"),
        ("v 0 0 0\nv 1 0\n", r"line 2: malformed vertex"),
        ("v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 a\n", r"line 4: malformed face"),
        ("v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 /2 3\n", r"line 4: malformed face"),
        ("v 0 0 0\ncurv 0 1 1 2\n", r"line 2: unknown statement"),
    ],
)
def test_parse_obj_bad_input_names_the_line(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_obj(text, {})


def test_parse_mtl_reads_kd_and_map_kd() -> None:
    materials = parse_mtl(BOX_MTL + "newmtl plain\nKd 0.25\nnewmtl bare\n")

    assert materials["red"].diffuse_rgb == (1.0, 0.0, 0.0)
    assert materials["red"].diffuse_texture is None
    assert materials["textured"].diffuse_rgb == (0.5, 1.0, 1.0)
    assert materials["textured"].diffuse_texture == "tex.png"
    assert materials["plain"].diffuse_rgb == (0.25, 0.25, 0.25)
    assert materials["bare"].diffuse_rgb == (NEUTRAL_GREY,) * 3


def test_parse_mtl_malformed_kd_names_the_line() -> None:
    with pytest.raises(ValueError, match=r"MTL line 2: malformed Kd"):
        parse_mtl("newmtl a\nKd red\n")


def test_world_from_model_is_a_proper_rotation() -> None:
    np.testing.assert_allclose(R_WORLD_FROM_MODEL @ R_WORLD_FROM_MODEL.T, np.eye(3))
    assert np.linalg.det(R_WORLD_FROM_MODEL) == pytest.approx(1.0)


def test_model_to_world_unit_cube_fills_the_catalog_box() -> None:
    corners_model = np.array([[x, y, z] for x in (0, 1) for y in (0, 1) for z in (0, 1)], float)
    width_m, depth_m, height_m = 0.5, 0.7, 1.3

    vertices_world_m = model_to_world_m(corners_model + 7.0, None, (width_m, depth_m, height_m))

    np.testing.assert_allclose(vertices_world_m.min(axis=0), [-width_m / 2, -depth_m / 2, 0])
    np.testing.assert_allclose(vertices_world_m.max(axis=0), [width_m / 2, depth_m / 2, height_m])


def test_model_up_maps_to_world_top_and_model_front_to_world_minus_y() -> None:
    # Unit cube corners plus three marker points on face centres.
    cube = [[x, y, z] for x in (-1, 1) for y in (-1, 1) for z in (-1, 1)]
    markers = [[0, 1, 0], [0, 0, 1], [1, 0, 0]]  # model top, model front (+Z), model right
    vertices_world_m = model_to_world_m(np.array(cube + markers, float), None, (2.0, 4.0, 6.0))

    top, front, right = vertices_world_m[-3:]
    np.testing.assert_allclose(top, [0, 0, 6.0])
    np.testing.assert_allclose(front, [0, -2.0, 3.0])
    np.testing.assert_allclose(right, [1.0, 0, 3.0])


def test_model_rotation_is_applied_in_the_model_frame_first() -> None:
    # Sweet Home 3D's "1 0 0 0 0 1 0 -1 0" turns a Z-up model into its Y-up frame.
    z_up_to_y_up = (1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, -1.0, 0.0)
    box = np.array([[x, y, z] for x in (0, 1) for y in (0, 2) for z in (0, 3)], float)
    top_marker = np.array([[0.5, 1.0, 3.0]])  # top of the Z-up model

    vertices_world_m = model_to_world_m(np.vstack([box, top_marker]), z_up_to_y_up, (1.0, 2.0, 3.0))

    np.testing.assert_allclose(vertices_world_m.max(axis=0), [0.5, 1.0, 3.0])
    # Model Z (3 units) became height and model Y (2 units) depth: the scale is 1 everywhere.
    np.testing.assert_allclose(vertices_world_m[-1], [0.0, 0.0, 3.0])


def test_model_to_world_round_trip_recovers_model_vertices() -> None:
    rng = np.random.default_rng(0)
    vertices_model = rng.normal(size=(50, 3)) * [1.0, 2.0, 3.0] + [4.0, 5.0, 6.0]
    rotation = (0.0, 0.0, 1.0, 0.0, 1.0, 0.0, -1.0, 0.0, 0.0)
    size_m = (0.8, 0.5, 1.1)

    vertices_world_m = model_to_world_m(vertices_model, rotation, size_m)

    r_world_from_model = R_WORLD_FROM_MODEL @ np.reshape(rotation, (3, 3))
    rotated = vertices_model @ r_world_from_model.T
    low, high = rotated.min(axis=0), rotated.max(axis=0)
    scale = np.asarray(size_m) / (high - low)
    offset = np.array([(low[0] + high[0]) / 2, (low[1] + high[1]) / 2, low[2]])
    back = (vertices_world_m / scale + offset) @ r_world_from_model
    np.testing.assert_allclose(back, vertices_model, atol=1e-12)


def test_model_to_world_flat_axis_sits_at_box_centre() -> None:
    flat = np.array([[0, 5, 0], [1, 5, 0], [0, 5, 1]], float)  # zero height

    vertices_world_m = model_to_world_m(flat, None, (1.0, 1.0, 0.02))

    np.testing.assert_allclose(vertices_world_m[:, 2], 0.01)


def test_load_catalog_model_fits_box_and_colours_faces(tmp_path: Path) -> None:
    path = write_model_zip(tmp_path / "models.sh3f")

    mesh = load_catalog_model(path, box_item())

    np.testing.assert_allclose(mesh.vertices.min(axis=0), [-0.2, -0.3, 0.0], atol=1e-12)
    np.testing.assert_allclose(mesh.vertices.max(axis=0), [0.2, 0.3, 0.9], atol=1e-12)
    assert mesh.triangles.shape == (12, 3)
    texture_rgb = np.array(TEXTURE_RGB) / 255.0 * [0.5, 1.0, 1.0]
    expected = [[NEUTRAL_GREY] * 3] * 2 + [[1, 0, 0]] * 4 + [texture_rgb] * 4
    expected += [[NEUTRAL_GREY] * 3] * 2
    np.testing.assert_allclose(mesh.face_colors, expected, atol=1e-6)


def test_load_catalog_model_top_face_is_model_plus_y(tmp_path: Path) -> None:
    mesh = load_catalog_model(write_model_zip(tmp_path / "models.sh3f"), box_item())

    # "f 3 7 8 4" is the model's y = 22 face (textured): it must lie on the world top z = h.
    textured = np.all(np.isclose(mesh.face_colors, mesh.face_colors[6]), axis=1)
    top_triangles = mesh.triangles[textured][:2]
    np.testing.assert_allclose(mesh.vertices[top_triangles][..., 2], 0.9)


def test_load_catalog_model_is_deterministic(tmp_path: Path) -> None:
    path = write_model_zip(tmp_path / "models.sh3f")

    first, second = load_catalog_model(path, box_item()), load_catalog_model(path, box_item())

    np.testing.assert_array_equal(first.vertices, second.vertices)
    np.testing.assert_array_equal(first.triangles, second.triangles)
    np.testing.assert_array_equal(first.face_colors, second.face_colors)


def test_load_catalog_model_missing_texture_keeps_kd(tmp_path: Path) -> None:
    mtl = BOX_MTL.replace("map_Kd tex.png", "map_Kd C:/Users/someone/Desktop/gone.jpg")
    mesh = load_catalog_model(write_model_zip(tmp_path / "m.sh3f", mtl_text=mtl), box_item())

    np.testing.assert_allclose(mesh.face_colors[6], [0.5, 1.0, 1.0])


def test_load_catalog_model_missing_mtl_names_zip(tmp_path: Path) -> None:
    obj = BOX_OBJ.replace("mtllib box.mtl", "mtllib other.mtl")
    path = tmp_path / "m.sh3f"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("models/box/box.obj", obj)

    with pytest.raises(ValueError, match=r"m\.sh3f.*models/box/other\.mtl"):
        load_catalog_model(path, box_item())


def test_load_catalog_model_bad_obj_names_zip_and_line(tmp_path: Path) -> None:
    path = write_model_zip(tmp_path / "m.sh3f", obj_text=BOX_OBJ + "f 1 2 99\n")

    with pytest.raises(ValueError, match=r"m\.sh3f:models/box/box\.obj: OBJ line 24"):
        load_catalog_model(path, box_item())


REAL_MODELS = [
    ("BlendSwap-CC-0", "Blend Swap CC-0#armchair"),
    ("BlendSwap-CC-0", "Blend Swap CC-0#bed1"),
    ("Scopia", "Scopia#ext_chair"),  # has a modelRotation
    ("KatorLegaz", None),
    ("Reallusion", None),
]


@pytest.mark.skipif(not FURNITURE_DIR.is_dir(), reason="Debian sweethome3d-furniture absent")
@pytest.mark.parametrize(("catalog", "item_id"), REAL_MODELS)
def test_real_models_fill_their_catalog_box(catalog: str, item_id: str | None) -> None:
    path = FURNITURE_DIR / f"{catalog}.sh3f"
    items = read_catalog(path)
    item = items[0] if item_id is None else next(i for i in items if i.item_id == item_id)

    mesh = load_catalog_model(path, item)

    size_m = np.array([item.width_m, item.depth_m, item.height_m])
    np.testing.assert_allclose(mesh.vertices.min(axis=0), [*(-size_m[:2] / 2), 0], atol=1e-6)
    np.testing.assert_allclose(mesh.vertices.max(axis=0), [*(size_m[:2] / 2), size_m[2]], atol=1e-6)
    assert len(mesh.triangles) > 100
    assert 0.0 <= mesh.face_colors.min() and mesh.face_colors.max() <= 1.0


SEATS_WITH_A_BACK = [
    ("BlendSwap-CC-0", "Blend Swap CC-0#armchair"),
    ("Scopia", "Scopia#armchair1"),  # modelRotation turns a Z-up model upright
    ("Scopia", "Scopia#chair"),  # modelRotation turns the model about its up axis
]


@pytest.mark.skipif(not FURNITURE_DIR.is_dir(), reason="Debian sweethome3d-furniture absent")
@pytest.mark.parametrize(("catalog", "item_id"), SEATS_WITH_A_BACK)
def test_real_seat_backrest_is_on_top_behind_the_front(catalog: str, item_id: str) -> None:
    path = FURNITURE_DIR / f"{catalog}.sh3f"
    item = next(i for i in read_catalog(path) if i.item_id == item_id)

    vertices_world_m = load_catalog_model(path, item).vertices

    # The top of a seat is its thin backrest, at the back (+Y: the front faces -Y). With the
    # transposed modelRotation these come out upside down or facing +Y.
    top = vertices_world_m[vertices_world_m[:, 2] > 0.85 * item.height_m]
    assert np.ptp(top[:, 1]) < 0.2 * item.depth_m
    assert top[:, 1].mean() > 0.2 * item.depth_m


def test_parse_obj_reads_texture_coordinates_of_textured_materials() -> None:
    text = "v 0 0 0\nv 1 0 0\nv 1 1 0\nv 0 1 0\nvt 0 0\nvt 1 0\nvt 1 1\nvt 0 1\n"
    text += "usemtl wood\nf 1/1 2/2 3/3 4/4\nf 1 2 3\nusemtl paint\nf 1/-4 3/-2 4/-1\n"
    image = TextureImage("wood.png", np.zeros((2, 2, 3), np.uint8))
    mesh = parse_obj(text, {"wood": (0.5, 0.5, 0.5)}, {"wood": image})
    np.testing.assert_array_equal(mesh.face_texture, [0, 0, -1, -1])  # no vt / no texture
    np.testing.assert_allclose(mesh.corner_uvs[1], [[0, 0], [1, 1], [0, 1]])
    assert mesh.textures == (image,)


def test_load_catalog_model_keeps_textures_with_kd_applied(tmp_path: Path) -> None:
    mesh = load_catalog_model(write_model_zip(tmp_path / "m.sh3f"), box_item())
    assert len(mesh.textures) == 1
    np.testing.assert_array_equal(mesh.textures[0].rgb[0, 0], [100, 100, 50])  # Kd 0.5 1 1
    assert set(mesh.face_texture.tolist()) == {-1, 0}

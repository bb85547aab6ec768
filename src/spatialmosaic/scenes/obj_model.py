"""Wavefront OBJ/MTL models of Sweet Home 3D catalogs as coloured triangle meshes.

Frames (SPEC §8): catalog OBJ files are Y-up. Sweet Home 3D's model frame has +X to the right
(width), +Y up (height) and +Z toward the viewer, i.e. out of the front of the piece (depth).
Our world frame is right-handed Z-up: ``x_world = x_model``, ``y_world = -z_model``,
``z_world = y_model``, so the front of a piece faces world -Y. Units of OBJ files are arbitrary;
``load_catalog_model`` rescales every axis to the catalog size in metres.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from pathlib import Path

import numpy as np

from spatialmosaic.scenes.catalog import CatalogItem
from spatialmosaic.scenes.materials import (
    NEUTRAL_GREY,
    MaterialSpec,
    TextureImage,
    material_texture,
    parse_mtl,
)
from spatialmosaic.scenes.obj_parse import TriangleMesh, parse_obj

__all__ = [
    "NEUTRAL_GREY",
    "R_WORLD_FROM_MODEL",
    "MaterialSpec",
    "TriangleMesh",
    "load_catalog_model",
    "model_to_world_m",
    "parse_mtl",
    "parse_obj",
]
# Rows: world axes; columns: model axes. p_world = R_WORLD_FROM_MODEL @ p_model (det +1).
R_WORLD_FROM_MODEL = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, -1.0], [0.0, 1.0, 0.0]])


def model_to_world_m(
    vertices_model: np.ndarray,
    model_rotation: tuple[float, ...] | None,
    size_m: tuple[float, float, float],
) -> np.ndarray:
    """Map model-frame vertices into the world frame, fitted to the catalog box.

    Applies ``model_rotation`` (row-major 3x3, ``p' = R @ p``, Sweet Home 3D semantics) in
    the model frame, then ``R_WORLD_FROM_MODEL``, then scales each axis so that the bounding
    box of ``vertices_model`` becomes ``[-w/2, w/2] x [-d/2, d/2] x [0, h]``. An axis with zero
    extent (a flat model) is placed at the box centre, as Sweet Home 3D does.

    Args:
        vertices_model: ``[N, 3]``, any units; N >= 1.
        model_rotation: 9 numbers or ``None``.
        size_m: ``(width_m, depth_m, height_m)``.

    Returns:
        ``[N, 3]`` float64 world-frame vertices in metres.
    """
    vertices = np.asarray(vertices_model, dtype=np.float64)
    if len(vertices) == 0:
        raise ValueError("cannot fit an empty model into its catalog box")
    transform = R_WORLD_FROM_MODEL
    if model_rotation is not None:
        transform = R_WORLD_FROM_MODEL @ np.asarray(model_rotation, dtype=np.float64).reshape(3, 3)
    vertices_world_units = vertices @ transform.T  # world axes, still in model units
    low, high = vertices_world_units.min(axis=0), vertices_world_units.max(axis=0)
    extent = high - low
    size = np.asarray(size_m, dtype=np.float64)
    scale = np.divide(size, extent, out=np.zeros(3), where=extent > 0)
    centre = (low + high) / 2.0
    vertices_world_m = (vertices_world_units - centre) * scale
    vertices_world_m[:, 2] += size[2] / 2.0  # bottom at z = 0
    return vertices_world_m


def load_catalog_model(zip_path: Path, item: CatalogItem) -> TriangleMesh:
    """Load one catalog item's OBJ from its zip as a world-frame mesh in metres.

    The mesh keeps only vertices used by faces; its bounding box is exactly
    ``[-w/2, w/2] x [-d/2, d/2] x [0, h]`` of the item's catalog size (up to rounding).

    Raises:
        ValueError: the OBJ or one of its ``mtllib`` files is missing from ``zip_path``, the
            OBJ/MTL is malformed, the OBJ has no triangles, or a texture cannot be decoded.
    """
    with zipfile.ZipFile(zip_path) as archive:
        names = set(archive.namelist())
        obj_text = _read_text(archive, names, item.model_path, zip_path)
        folder = posixpath.dirname(item.model_path)
        decoded: dict[str, np.ndarray] = {}  # each image file decoded once per model
        materials: dict[str, tuple[float, float, float]] = {}
        textures: dict[str, TextureImage] = {}
        for mtl_name in _mtllib_names(obj_text, folder, names):
            mtl_path = _mtl_member(folder, mtl_name, item.model_path, names)
            mtl_folder = posixpath.dirname(mtl_path)
            for name, spec in parse_mtl(_read_text(archive, names, mtl_path, zip_path)).items():
                texture = material_texture(spec, mtl_folder, archive, names, decoded)
                rgb = spec.diffuse_rgb if texture is None else texture.mean_rgb
                materials[name] = (float(rgb[0]), float(rgb[1]), float(rgb[2]))
                if texture is not None:
                    textures[name] = texture
    try:
        mesh_model = parse_obj(obj_text, materials, textures)
    except ValueError as err:
        raise ValueError(f"{zip_path}:{item.model_path}: {err}") from err
    if len(mesh_model.triangles) == 0:
        raise ValueError(f"{zip_path}:{item.model_path}: no triangles")
    used, triangles = np.unique(mesh_model.triangles, return_inverse=True)
    vertices_world_m = model_to_world_m(
        mesh_model.vertices[used], item.model_rotation, (item.width_m, item.depth_m, item.height_m)
    )
    return TriangleMesh(
        vertices_world_m,
        triangles.reshape(-1, 3),
        mesh_model.face_colors,
        mesh_model.corner_uvs,
        mesh_model.face_texture,
        mesh_model.textures,
    )


def _read_text(archive: zipfile.ZipFile, names: set[str], member: str, zip_path: Path) -> str:
    if member not in names:
        raise ValueError(f"{zip_path}: {member!r} is not in the zip")
    # latin-1 maps every byte to one character, so material names match between OBJ and MTL.
    return archive.read(member).decode("latin-1")


def _mtl_member(folder: str, mtl_name: str, obj_member: str, names: set[str]) -> str:
    """Zip member of an ``mtllib`` file.

    Scopia's ``kids_shelves.obj`` names ``kids_shelves_sh3d.mtl`` but ships ``kids_shelves.mtl``;
    when the named file is missing we fall back to the OBJ's own stem with ``.mtl``.
    """
    member = posixpath.normpath(posixpath.join(folder, mtl_name))
    fallback = posixpath.splitext(obj_member)[0] + ".mtl"
    return fallback if member not in names and fallback in names else member


def _mtllib_names(obj_text: str, folder: str, names: set[str]) -> list[str]:
    libraries: list[str] = []
    # A literal search is much faster than a multiline regex over a several-MB OBJ.
    for match in re.finditer(r"mtllib[ \t]+([^\r\n]+)", obj_text):
        line_start = obj_text.rfind("\n", 0, match.start()) + 1
        if obj_text[line_start : match.start()].strip():
            continue  # "mtllib" inside another statement or a comment
        rest = match.group(1).strip()
        # One file name with spaces, or several names separated by spaces.
        whole = posixpath.normpath(posixpath.join(folder, rest))
        libraries.extend([rest] if whole in names else rest.split())
    return libraries

"""Wavefront OBJ/MTL models of Sweet Home 3D catalogs as coloured triangle meshes.

Frames (SPEC §8): catalog OBJ files are Y-up. Sweet Home 3D's model frame has +X to the right
(width), +Y up (height) and +Z toward the viewer, i.e. out of the front of the piece (depth).
Our world frame is right-handed Z-up: ``x_world = x_model``, ``y_world = -z_model``,
``z_world = y_model``, so the front of a piece faces world -Y. Units of OBJ files are arbitrary;
``load_catalog_model`` rescales every axis to the catalog size in metres.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

import numpy as np
from PIL import Image, UnidentifiedImageError

from spatialmosaic.scenes.catalog import CatalogItem

NEUTRAL_GREY = 0.7  # colour of faces with no (or an undefined) material
# Rows: world axes; columns: model axes. p_world = R_WORLD_FROM_MODEL @ p_model (det +1).
R_WORLD_FROM_MODEL = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, -1.0], [0.0, 1.0, 0.0]])
# OBJ statements that carry no geometry we use; anything else unknown is an error.
_IGNORED_OBJ_KEYWORDS = frozenset({"vt", "vn", "vp", "o", "g", "s", "l", "mtllib", "mg"})
# The vertex index that starts a face corner token ("12", "-3/4", "5//6"); one match per token.
_CORNER_VERTEX = re.compile(rb"(?<!\S)([+-]?\d+)(?=[/\s]|$)")
_TEXTURE_DRAFT_PX = (64, 64)  # JPEG draft decode size; plenty for a mean colour


@dataclass(frozen=True, eq=False)  # arrays: compare with np.array_equal, not ==
class TriangleMesh:
    """An indexed triangle mesh with one colour per face.

    Attributes:
        vertices: float64 ``[N, 3]``. From ``parse_obj``: the OBJ's own frame and units. From
            ``load_catalog_model``: world frame (Z-up, right-handed), metres.
        triangles: int32 ``[M, 3]`` indices into ``vertices``.
        face_colors: float32 ``[M, 3]`` diffuse RGB in 0..1 (MTL ``Kd`` times the mean texture
            colour when there is one).
    """

    vertices: np.ndarray
    triangles: np.ndarray
    face_colors: np.ndarray

    def __post_init__(self) -> None:
        # Own read-only copies, so neither the caller nor a user can change a frozen mesh.
        vertices = np.array(self.vertices, dtype=np.float64)
        triangles = np.array(self.triangles, dtype=np.int32)
        face_colors = np.array(self.face_colors, dtype=np.float32)
        if vertices.ndim != 2 or vertices.shape[1] != 3:
            raise ValueError(f"vertices shape {vertices.shape}; need [N, 3]")
        if triangles.ndim != 2 or triangles.shape[1] != 3:
            raise ValueError(f"triangles shape {triangles.shape}; need [M, 3]")
        if face_colors.shape != triangles.shape:
            raise ValueError(f"face_colors shape {face_colors.shape}; need {triangles.shape}")
        if triangles.size and (triangles.min() < 0 or triangles.max() >= len(vertices)):
            raise ValueError(
                f"triangle indices span {triangles.min()}..{triangles.max()}; "
                f"need 0..{len(vertices) - 1}"
            )
        arrays = {"vertices": vertices, "triangles": triangles, "face_colors": face_colors}
        for name, array in arrays.items():
            array.setflags(write=False)
            object.__setattr__(self, name, array)


@dataclass(frozen=True, slots=True)
class MaterialSpec:
    """One ``newmtl`` block: diffuse colour ``Kd`` (0..1) and the ``map_Kd`` reference, if any."""

    name: str
    diffuse_rgb: tuple[float, float, float]
    diffuse_texture: str | None = None


def parse_mtl(text: str) -> dict[str, MaterialSpec]:
    """Parse MTL text into materials by name (``Kd`` and ``map_Kd``; other keys ignored).

    A material without ``Kd`` gets the neutral grey. Raises ``ValueError`` naming the line for
    a malformed ``Kd`` or a statement before the first ``newmtl``.
    """
    materials: dict[str, MaterialSpec] = {}
    current: MaterialSpec | None = None
    for lineno, raw in enumerate(text.splitlines(), start=1):
        parts = raw.strip().split(None, 1)
        if not parts or parts[0].startswith("#"):
            continue
        keyword, rest = parts[0], (parts[1].strip() if len(parts) > 1 else "")
        if keyword == "newmtl":
            current = MaterialSpec(rest, (NEUTRAL_GREY,) * 3)
            materials[rest] = current
            continue
        if keyword not in ("Kd", "map_Kd"):
            continue
        if current is None:
            raise ValueError(f"MTL line {lineno}: {keyword!r} before any newmtl: {raw!r}")
        if keyword == "Kd":
            current = _with_kd(current, rest, lineno, raw)
        else:
            current = MaterialSpec(current.name, current.diffuse_rgb, rest or None)
        materials[current.name] = current
    return materials


def _with_kd(material: MaterialSpec, rest: str, lineno: int, raw: str) -> MaterialSpec:
    try:
        values = [float(v) for v in rest.split()]
    except ValueError as err:
        raise ValueError(f"MTL line {lineno}: malformed Kd: {raw!r}") from err
    if len(values) == 1:  # MTL spec: "Kd r" means g = b = r
        values *= 3
    if len(values) != 3:
        raise ValueError(f"MTL line {lineno}: Kd needs 1 or 3 numbers: {raw!r}")
    red, green, blue = (min(max(v, 0.0), 1.0) for v in values)
    return MaterialSpec(material.name, (red, green, blue), material.diffuse_texture)


def parse_obj(obj_text: str, materials: dict[str, tuple[float, float, float]]) -> TriangleMesh:
    """Parse OBJ text into a triangle mesh in the OBJ's own frame and units.

    Reads ``v`` (first three numbers) and ``f`` (``v``, ``v/vt``, ``v//vn``, ``v/vt/vn``;
    1-based or negative relative indices). Polygons are fan-triangulated; faces with fewer
    than three vertices (they occur in the catalogs) add no triangle. ``usemtl`` picks the
    colour from ``materials``; faces before any ``usemtl`` or with a name not in
    ``materials`` are neutral grey. ``vt vn vp o g s l mg mtllib`` are ignored.

    Args:
        obj_text: the OBJ file's text.
        materials: RGB in 0..1 per material name.

    Raises:
        ValueError: a malformed line, an index out of range or an unknown statement; the
            message names the 1-based line number.
    """
    lines = _ObjLines()
    for lineno, raw in enumerate(obj_text.splitlines(), start=1):
        head = raw[:2]  # fast path for the common statements; the rest go through split()
        if head == "v ":
            lines.v_rests.append(raw[2:])
            lines.v_linenos.append(lineno)
        elif head == "f ":
            lines.f_rests.append(raw[2:])
            lines.f_linenos.append(lineno)
        elif not ((head == "vt" or head == "vn") and raw[2:3] in " \t"):
            lines.add_general(lineno, raw)
    vertices = _parse_vertices(lines.v_rests, lines.v_linenos)
    f_linenos = np.asarray(lines.f_linenos, dtype=np.int64)
    # Vertices defined before each face line, for negative (relative) indices.
    n_before = np.searchsorted(np.asarray(lines.v_linenos, dtype=np.int64), f_linenos)
    indices, corners = _parse_face_indices(lines.f_rests, f_linenos, n_before, len(vertices))
    triangles, tri_face = _fan_triangulate(indices, corners)
    palette = np.full((len(lines.material_ids) + 1, 3), NEUTRAL_GREY, dtype=np.float32)
    for name, mid in lines.material_ids.items():
        if name in materials:
            palette[mid] = materials[name]
    face_material = lines.face_materials(f_linenos)
    colors = palette[face_material[tri_face]]  # material -1 -> last row, the grey
    return TriangleMesh(vertices, triangles, colors)


@dataclass
class _ObjLines:
    """OBJ statements we use, kept as text until numpy parses them in bulk."""

    v_rests: list[str] = field(default_factory=list)
    v_linenos: list[int] = field(default_factory=list)
    f_rests: list[str] = field(default_factory=list)
    f_linenos: list[int] = field(default_factory=list)
    material_ids: dict[str, int] = field(default_factory=dict)
    material_changes: list[tuple[int, int]] = field(default_factory=list)  # (lineno, id)

    def add_general(self, lineno: int, raw: str) -> None:
        parts = raw.split(None, 1)
        if not parts or parts[0][0] == "#":
            return
        keyword = parts[0]
        rest = parts[1] if len(parts) > 1 else ""
        if keyword == "v":
            self.v_rests.append(rest)
            self.v_linenos.append(lineno)
        elif keyword == "f":
            self.f_rests.append(rest)
            self.f_linenos.append(lineno)
        elif keyword == "usemtl":
            name = rest.strip()
            mid = self.material_ids.setdefault(name, len(self.material_ids)) if name else -1
            self.material_changes.append((lineno, mid))
        elif keyword not in _IGNORED_OBJ_KEYWORDS:
            raise ValueError(f"OBJ line {lineno}: unknown statement {raw.strip()[:80]!r}")

    def face_materials(self, f_linenos: np.ndarray) -> np.ndarray:
        """Material id of each face (-1: none), from the last ``usemtl`` above it."""
        if not self.material_changes:
            return np.full(len(f_linenos), -1, dtype=np.int64)
        change_linenos, change_ids = np.asarray(self.material_changes, dtype=np.int64).T
        last = np.searchsorted(change_linenos, f_linenos) - 1
        return np.where(last >= 0, change_ids[np.maximum(last, 0)], -1)


def _parse_vertices(v_rests: list[str], v_linenos: list[int]) -> np.ndarray:
    tokens = " ".join(v_rests).split()
    if len(tokens) == 3 * len(v_rests):
        try:
            return np.array(list(map(float, tokens)), dtype=np.float64).reshape(-1, 3)
        except ValueError:
            pass  # locate the bad line below
    vertices = np.empty((len(v_rests), 3), dtype=np.float64)
    for row, (rest, lineno) in enumerate(zip(v_rests, v_linenos, strict=True)):
        values = rest.split()[:3]  # "v x y z [w]" or "v x y z r g b"
        try:
            if len(values) != 3:
                raise ValueError(len(values))
            vertices[row] = [float(v) for v in values]
        except ValueError as err:
            raise ValueError(f"OBJ line {lineno}: malformed vertex 'v {rest}'") from err
    return vertices


def _parse_face_indices(
    f_rests: list[str], f_linenos: np.ndarray, n_before: np.ndarray, n_vertices: int
) -> tuple[np.ndarray, np.ndarray]:
    """Absolute 0-based vertex index of every face corner, and the corner count per face."""
    corners = np.array([len(rest.split()) for rest in f_rests], dtype=np.int64)
    # One C-level pass takes the vertex index at the start of every corner token.
    text = "\n".join(f_rests).encode("utf-8", "surrogatepass")
    matches = _CORNER_VERTEX.findall(text)
    if len(matches) != int(corners.sum()):  # some token is not "v", "v/vt", "v//vn", ...
        _raise_malformed_face(f_rests, f_linenos)
    raw = np.array(matches, dtype=np.bytes_).astype(np.int64) if matches else np.zeros(0, int)
    # Negative indices count back from the vertices defined so far; positive ones may refer
    # to any vertex of the file.
    before = np.repeat(n_before, corners)
    absolute = np.where(raw < 0, before + raw, raw - 1)
    bad = (raw == 0) | (absolute < 0) | (absolute >= n_vertices)
    if bad.any():
        corner = int(np.argmax(bad))
        face = int(np.searchsorted(np.cumsum(corners), corner, side="right"))
        raise ValueError(
            f"OBJ line {f_linenos[face]}: vertex index {raw[corner]} out of range; "
            f"{n_vertices} vertices in all, {before[corner]} before this line: "
            f"'f {f_rests[face]}'"
        )
    return absolute, corners


def _raise_malformed_face(f_rests: list[str], f_linenos: np.ndarray) -> NoReturn:
    for rest, lineno in zip(f_rests, f_linenos, strict=True):
        found = _CORNER_VERTEX.findall(rest.encode("utf-8", "surrogatepass"))
        if len(found) != len(rest.split()):
            raise ValueError(f"OBJ line {lineno}: malformed face 'f {rest}'")
    raise AssertionError("a face line miscounted, but none alone does")  # cannot happen


def _fan_triangulate(indices: np.ndarray, corners: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Fan triangles ``(c0, ck, ck+1)`` per polygon; returns triangles and their face ids."""
    tri_counts = np.maximum(corners - 2, 0)
    face_start = np.cumsum(corners) - corners
    tri_face = np.repeat(np.arange(len(corners)), tri_counts)
    first_tri = np.cumsum(tri_counts) - tri_counts
    k = np.arange(len(tri_face)) - first_tri[tri_face] + 1
    start = face_start[tri_face]
    triangles = np.stack([indices[start], indices[start + k], indices[start + k + 1]], axis=1)
    return triangles, tri_face


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
        textures: dict[str, np.ndarray] = {}  # decoded once per model
        materials: dict[str, tuple[float, float, float]] = {}
        for mtl_name in _mtllib_names(obj_text, folder, names):
            mtl_path = _mtl_member(folder, mtl_name, item.model_path, names)
            mtl_folder = posixpath.dirname(mtl_path)
            for name, spec in parse_mtl(_read_text(archive, names, mtl_path, zip_path)).items():
                materials[name] = _material_rgb(spec, mtl_folder, archive, names, textures)
    try:
        mesh_model = parse_obj(obj_text, materials)
    except ValueError as err:
        raise ValueError(f"{zip_path}:{item.model_path}: {err}") from err
    if len(mesh_model.triangles) == 0:
        raise ValueError(f"{zip_path}:{item.model_path}: no triangles")
    used, triangles = np.unique(mesh_model.triangles, return_inverse=True)
    vertices_world_m = model_to_world_m(
        mesh_model.vertices[used], item.model_rotation, (item.width_m, item.depth_m, item.height_m)
    )
    return TriangleMesh(vertices_world_m, triangles.reshape(-1, 3), mesh_model.face_colors)


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


def _material_rgb(
    spec: MaterialSpec,
    mtl_folder: str,
    archive: zipfile.ZipFile,
    names: set[str],
    textures: dict[str, np.ndarray],
) -> tuple[float, float, float]:
    rgb = np.asarray(spec.diffuse_rgb, dtype=np.float64)
    member = _texture_member(spec.diffuse_texture, mtl_folder, names)
    if member is not None:
        if member not in textures:
            textures[member] = _mean_texture_rgb(archive, member)
        rgb = rgb * textures[member]
    return (float(rgb[0]), float(rgb[1]), float(rgb[2]))


def _texture_member(reference: str | None, mtl_folder: str, names: set[str]) -> str | None:
    """Zip member of a ``map_Kd`` file, or ``None`` when it is not in the zip.

    32 catalog MTL references are missing, some pointing at the author's disk
    (``C:/Documents and Settings/...``); Sweet Home 3D then shows the plain ``Kd``, as do we.
    """
    if not reference:
        return None
    member = posixpath.normpath(posixpath.join(mtl_folder, reference.replace("\\", "/")))
    return member if member in names else None


def _mean_texture_rgb(archive: zipfile.ZipFile, member: str) -> np.ndarray:
    """Mean RGB (0..1) of a texture image, weighted by alpha when it has one."""
    try:
        with Image.open(io.BytesIO(archive.read(member))) as image:
            image.draft("RGB", _TEXTURE_DRAFT_PX)  # JPEG only: decode at reduced size
            rgba = np.asarray(image.convert("RGBA"), dtype=np.float64) / 255.0
    except (UnidentifiedImageError, OSError) as err:
        raise ValueError(f"{archive.filename}:{member}: cannot decode texture ({err})") from err
    weights = rgba[..., 3].reshape(-1)
    rgb = rgba[..., :3].reshape(-1, 3)
    if weights.sum() > 0:
        return (rgb * weights[:, None]).sum(axis=0) / weights.sum()
    return rgb.mean(axis=0)

"""Wavefront OBJ text as an indexed, coloured and optionally textured triangle mesh.

The parser reads what the Sweet Home 3D catalogs use (``v``, ``vt``, ``f``, ``usemtl``) in bulk
with numpy, since some catalog OBJ files have millions of lines; geometry stays in the OBJ's
own frame and units (``obj_model`` fits it into the world).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import NoReturn

import numpy as np

from spatialmosaic.scenes.materials import NEUTRAL_GREY, TextureImage

# OBJ statements that carry no geometry we use; anything else unknown is an error.
_IGNORED_OBJ_KEYWORDS = frozenset({"vn", "vp", "o", "g", "s", "l", "mtllib", "mg"})
# A face corner token ("12", "-3/4", "5//6", "1/2/3"): its vertex index and, when present,
# its texture-coordinate index (empty otherwise); one match per token.
_CORNER = re.compile(rb"(?<!\S)([+-]?\d+)(?:/([+-]?\d*))?(?:/[+-]?\d*)?(?=\s|$)")


@dataclass(frozen=True, eq=False)  # arrays: compare with np.array_equal, not ==
class TriangleMesh:
    """An indexed triangle mesh with one colour per face, optionally textured.

    Attributes:
        vertices: float64 ``[N, 3]``. From ``parse_obj``: the OBJ's own frame and units. From
            ``load_catalog_model``: world frame (Z-up, right-handed), metres.
        triangles: int32 ``[M, 3]`` indices into ``vertices``.
        face_colors: float32 ``[M, 3]`` diffuse RGB in 0..1 (MTL ``Kd`` times the mean texture
            colour when there is one).
        corner_uvs: float32 ``[M, 3, 2]`` OBJ texture coordinates (u right, v up) of each
            face's corners; zero where a face has none.
        face_texture: int32 ``[M]`` index into ``textures``, -1 for untextured faces.
        textures: the images ``face_texture`` points at (``Kd`` applied).
    """

    vertices: np.ndarray
    triangles: np.ndarray
    face_colors: np.ndarray
    corner_uvs: np.ndarray | None = None
    face_texture: np.ndarray | None = None
    textures: tuple[TextureImage, ...] = ()

    def __post_init__(self) -> None:
        # Own read-only copies, so neither the caller nor a user can change a frozen mesh.
        vertices = np.array(self.vertices, dtype=np.float64)
        triangles = np.array(self.triangles, dtype=np.int32)
        face_colors = np.array(self.face_colors, dtype=np.float32)
        n_faces = len(triangles)
        corner_uvs = np.zeros((n_faces, 3, 2), np.float32)
        if self.corner_uvs is not None:
            corner_uvs = np.array(self.corner_uvs, dtype=np.float32)
        face_texture = np.full(n_faces, -1, np.int32)
        if self.face_texture is not None:
            face_texture = np.array(self.face_texture, dtype=np.int32)
        if corner_uvs.shape != (n_faces, 3, 2) or face_texture.shape != (n_faces,):
            raise ValueError(
                f"corner_uvs {corner_uvs.shape} / face_texture {face_texture.shape}; "
                f"need ({n_faces}, 3, 2) / ({n_faces},)"
            )
        if n_faces and not -1 <= face_texture.min() <= face_texture.max() < len(self.textures):
            raise ValueError(
                f"face_texture spans {face_texture.min()}..{face_texture.max()}; "
                f"{len(self.textures)} textures"
            )
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
        arrays = {
            "vertices": vertices,
            "triangles": triangles,
            "face_colors": face_colors,
            "corner_uvs": corner_uvs,
            "face_texture": face_texture,
        }
        for name, array in arrays.items():
            array.setflags(write=False)
            object.__setattr__(self, name, array)


def parse_obj(
    obj_text: str,
    materials: dict[str, tuple[float, float, float]],
    textures: dict[str, TextureImage] | None = None,
) -> TriangleMesh:
    """Parse OBJ text into a triangle mesh in the OBJ's own frame and units.

    Reads ``v`` (first three numbers), ``vt`` (u and v) and ``f`` (``v``, ``v/vt``, ``v//vn``,
    ``v/vt/vn``; 1-based or negative relative indices). Polygons are fan-triangulated; faces
    with fewer than three vertices (they occur in the catalogs) add no triangle. ``usemtl``
    picks the colour from ``materials``; faces before any ``usemtl`` or with a name not in
    ``materials`` are neutral grey. A face whose material has a texture in ``textures`` and
    whose corners all name a ``vt`` is textured. ``vn vp o g s l mg mtllib`` are ignored.

    Args:
        obj_text: the OBJ file's text.
        materials: RGB in 0..1 per material name (the flat colour, also of textured faces).
        textures: texture image per material name, for materials that have one.

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
        elif head == "vt" and raw[2:3] in " \t":
            lines.vt_rests.append(raw[3:])
            lines.vt_linenos.append(lineno)
        elif not (head == "vn" and raw[2:3] in " \t"):
            lines.add_general(lineno, raw)
    vertices = _parse_vertices(lines.v_rests, lines.v_linenos)
    f_linenos = np.asarray(lines.f_linenos, dtype=np.int64)
    # Vertices and texture coordinates defined before each face line, for relative indices.
    n_before = np.searchsorted(np.asarray(lines.v_linenos, dtype=np.int64), f_linenos)
    vt_before = np.searchsorted(np.asarray(lines.vt_linenos, dtype=np.int64), f_linenos)
    uv_table = _parse_texcoords(lines.vt_rests, lines.vt_linenos)
    indices, uv_indices, corners = _parse_face_indices(
        lines.f_rests, f_linenos, (n_before, vt_before), (len(vertices), len(uv_table))
    )
    triangles, tri_face, tri_corners = _fan_triangulate(indices, corners)
    palette = np.full((len(lines.material_ids) + 1, 3), NEUTRAL_GREY, dtype=np.float32)
    for name, mid in lines.material_ids.items():
        if name in materials:
            palette[mid] = materials[name]
    face_material = lines.face_materials(f_linenos)[tri_face]
    colors = palette[face_material]  # material -1 -> last row, the grey
    return _with_textures(
        TriangleMesh(vertices, triangles, colors),
        (uv_table, uv_indices[tri_corners]),
        face_material,
        {name: (textures or {}).get(name) for name in lines.material_ids},
        lines.material_ids,
    )


def _with_textures(
    mesh: TriangleMesh,
    uvs: tuple[np.ndarray, np.ndarray],
    face_material: np.ndarray,
    material_textures: dict[str, TextureImage | None],
    material_ids: dict[str, int],
) -> TriangleMesh:
    """``mesh`` with UVs and texture ids on faces whose material has a texture and whose
    corners all have texture coordinates."""
    uv_table, tri_uv_index = uvs
    images: dict[str, int] = {}
    texture_of_material = np.full(len(material_ids) + 1, -1, dtype=np.int32)
    for name, mid in material_ids.items():
        image = material_textures.get(name)
        if image is not None:
            texture_of_material[mid] = images.setdefault(image.key, len(images))
    has_uv = np.all(tri_uv_index >= 0, axis=1)
    face_texture = np.where(has_uv, texture_of_material[face_material], -1)
    used = np.unique(face_texture[face_texture >= 0])
    if not len(used):
        return mesh
    by_key = {image.key: image for image in material_textures.values() if image is not None}
    keys = list(images)
    remap = np.full(len(images) + 1, -1, dtype=np.int32)  # index -1 reads the last entry
    remap[used] = np.arange(len(used))
    corner_uvs = np.where(has_uv[:, None, None], uv_table[np.maximum(tri_uv_index, 0)], 0.0)
    return TriangleMesh(
        mesh.vertices,
        mesh.triangles,
        mesh.face_colors,
        corner_uvs.astype(np.float32),
        remap[face_texture],
        tuple(by_key[keys[index]] for index in used),
    )


@dataclass
class _ObjLines:
    """OBJ statements we use, kept as text until numpy parses them in bulk."""

    v_rests: list[str] = field(default_factory=list)
    v_linenos: list[int] = field(default_factory=list)
    vt_rests: list[str] = field(default_factory=list)
    vt_linenos: list[int] = field(default_factory=list)
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
        elif keyword == "vt":
            self.vt_rests.append(rest)
            self.vt_linenos.append(lineno)
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


def _parse_texcoords(vt_rests: list[str], vt_linenos: list[int]) -> np.ndarray:
    """``[K, 2]`` float32 (u, v) of the ``vt`` lines; a missing v is 0 (OBJ spec)."""
    uv = np.zeros((len(vt_rests), 2), dtype=np.float32)
    for row, (rest, lineno) in enumerate(zip(vt_rests, vt_linenos, strict=True)):
        values = rest.split()[:2]
        try:
            uv[row, : len(values)] = [float(v) for v in values]
        except ValueError as err:
            raise ValueError(
                f"OBJ line {lineno}: malformed texture coordinate 'vt {rest}'"
            ) from err
        if not values:
            raise ValueError(f"OBJ line {lineno}: texture coordinate without values")
    return uv


def _parse_face_indices(
    f_rests: list[str],
    f_linenos: np.ndarray,
    before_line: tuple[np.ndarray, np.ndarray],
    counts: tuple[int, int],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Absolute 0-based vertex and texture-coordinate index of every face corner (-1: no
    ``vt``), and the corner count per face. ``before_line`` holds the vertices and ``vt``s
    defined before each face line, ``counts`` their totals."""
    corners = np.array([len(rest.split()) for rest in f_rests], dtype=np.int64)
    # One C-level pass takes the vertex and texture index of every corner token.
    text = "\n".join(f_rests).encode("utf-8", "surrogatepass")
    matches = _CORNER.findall(text)
    if len(matches) != int(corners.sum()):  # some token is not "v", "v/vt", "v//vn", ...
        _raise_malformed_face(f_rests, f_linenos)
    tokens = np.array(matches, dtype=np.bytes_).reshape(-1, 2)
    raw = tokens[:, 0].astype(np.int64)
    has_vt = tokens[:, 1] != b""
    raw_vt = np.zeros(len(tokens), dtype=np.int64)
    raw_vt[has_vt] = tokens[has_vt, 1].astype(np.int64)
    absolute = _absolute_indices(raw, np.ones(len(raw), bool), before_line[0], corners, counts[0])
    uv_index = _absolute_indices(raw_vt, has_vt, before_line[1], corners, counts[1])
    for kind, (index, values) in {"vertex": (absolute, raw), "texture": (uv_index, raw_vt)}.items():
        bad = index == -2
        if bad.any():
            corner = int(np.argmax(bad))
            face = int(np.searchsorted(np.cumsum(corners), corner, side="right"))
            total = counts[0] if kind == "vertex" else counts[1]
            raise ValueError(
                f"OBJ line {f_linenos[face]}: {kind} index {values[corner]} out of range; "
                f"{total} in all: 'f {f_rests[face]}'"
            )
    return absolute, uv_index, corners


def _absolute_indices(
    raw: np.ndarray, present: np.ndarray, n_before: np.ndarray, corners: np.ndarray, total: int
) -> np.ndarray:
    """0-based indices from OBJ ones; -1 where absent, -2 where out of range. Negative indices
    count back from those defined so far; positive ones may refer to any of the file."""
    before = np.repeat(n_before, corners)
    absolute = np.where(raw < 0, before + raw, raw - 1)
    bad = present & ((raw == 0) | (absolute < 0) | (absolute >= total))
    return np.where(bad, -2, np.where(present, absolute, -1))


def _raise_malformed_face(f_rests: list[str], f_linenos: np.ndarray) -> NoReturn:
    for rest, lineno in zip(f_rests, f_linenos, strict=True):
        found = _CORNER.findall(rest.encode("utf-8", "surrogatepass"))
        if len(found) != len(rest.split()):
            raise ValueError(f"OBJ line {lineno}: malformed face 'f {rest}'")
    raise AssertionError("a face line miscounted, but none alone does")  # cannot happen


def _fan_triangulate(
    indices: np.ndarray, corners: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Fan triangles ``(c0, ck, ck+1)`` per polygon; returns the triangles, their face ids
    and the corner-token positions of their three corners."""
    tri_counts = np.maximum(corners - 2, 0)
    face_start = np.cumsum(corners) - corners
    tri_face = np.repeat(np.arange(len(corners)), tri_counts)
    first_tri = np.cumsum(tri_counts) - tri_counts
    k = np.arange(len(tri_face)) - first_tri[tri_face] + 1
    start = face_start[tri_face]
    tri_corners = np.stack([start, start + k, start + k + 1], axis=1)
    return indices[tri_corners], tri_face, tri_corners

"""Infinigen interchange export -> the project's scene format.

The exporter (:mod:`spatialmosaic.scenes.infinigen_export`, run in Infinigen's own venv)
writes two files per scene, read here with numpy alone (docs/infinigen.md):

- ``manifest.json``: ``format`` ``spatialmosaic.infinigen_export``, ``format_version`` 1,
  ``generator`` (versions, seed, gin configs), ``bounds_min_m``/``bounds_max_m`` (all
  geometry, world frame) and ``objects``, in order: ``name`` (Blender's), ``label`` (the
  Infinigen factory or room surface), ``structural``, ``vertex_count``, ``triangle_count``;
- ``meshes.npz``: ``vertices`` [N, 3] float (metres, Z up), ``triangles`` [M, 3] int (indices
  into the object's own vertex block), ``face_rgb`` [M, 3] uint8 (sRGB diffuse colour);
  objects follow one another in manifest order, with the counts of the manifest.

Each object becomes one instance (ids from 1 in manifest order), its category from
:mod:`spatialmosaic.scenes.infinigen_labels`. Infinigen lays out a whole house and furnishes
one room; the floor with the most furniture above it is the walked room: the world is moved
up or down so that its top is at z = 0, and its outline (``info.room_outline_m``) lets the
built-in walkthrough place cameras, so views, render, visibility and QA treat the scene like
a built-in room. Records carry dataset ``ours``: the scene is generated here, not a dataset.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zipfile import BadZipFile

import numpy as np

from spatialmosaic.io import ArtefactError, read_json
from spatialmosaic.scene_io import Scene
from spatialmosaic.scenes.indoor_labels import IndoorCategory
from spatialmosaic.scenes.indoor_mesh import MAX_INSTANCES
from spatialmosaic.scenes.infinigen_labels import infinigen_category
from spatialmosaic.scenes.meshes import SceneAssembler

FORMAT = "spatialmosaic.infinigen_export"
FORMAT_VERSION = 1
SOURCE = "infinigen"  # info.source; not a records.Dataset, so records carry Dataset.OURS
LICENCE = (
    "generated with Infinigen (github.com/princeton-vl/infinigen, BSD-3-Clause code; its "
    "assets and materials are procedural, made by that code: no third-party models or images)"
)
OBJECT_KEYS = {"name": str, "label": str, "structural": bool, "vertex_count": int,
               "triangle_count": int}  # fmt: skip
WELD_M = 1e-3  # floor vertices closer than this are one vertex when tracing the outline
FLOOR_TOP_TOLERANCE_M = 0.01  # floor triangles this close to the floor's top are its top
HORIZONTAL_COSINE = 0.99


@dataclass(frozen=True)
class ExportedObject:
    """One labelled object: ``vertices_m`` [N, 3] float64, ``triangles`` [M, 3] int64 into its
    own vertices, ``face_rgb`` [M, 3] uint8."""

    name: str
    label: str
    structural: bool
    vertices_m: np.ndarray
    triangles: np.ndarray
    face_rgb: np.ndarray


@dataclass(frozen=True)
class InfinigenExport:
    manifest_path: Path
    generator: dict[str, Any]
    objects: tuple[ExportedObject, ...]


def _manifest_objects(path: Path, payload: Any) -> list[dict[str, Any]]:
    if not isinstance(payload, dict):
        raise ArtefactError(f"{path}: expected a JSON object")
    if payload.get("format") != FORMAT or payload.get("format_version") != FORMAT_VERSION:
        raise ArtefactError(
            f"{path}: format {payload.get('format')!r} version {payload.get('format_version')!r};"
            f" expected {FORMAT!r} version {FORMAT_VERSION}"
        )
    for key in ("bounds_min_m", "bounds_max_m"):
        bound = payload.get(key)
        if not (isinstance(bound, list) and len(bound) == 3 and np.all(np.isfinite(bound))):
            raise ArtefactError(f"{path}: {key}={bound!r}; expected 3 finite numbers")
    objects = payload.get("objects")
    if not isinstance(objects, list) or not objects:
        raise ArtefactError(f"{path}: 'objects' must be a non-empty list")
    names = set()
    for index, entry in enumerate(objects):
        if not isinstance(entry, dict):
            raise ArtefactError(f"{path}: objects[{index}] is not an object")
        for key, kind in OBJECT_KEYS.items():
            value = entry.get(key)
            if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
                raise ArtefactError(
                    f"{path}: objects[{index}].{key}={value!r}; expected {kind.__name__}"
                )
        if entry["vertex_count"] < 3 or entry["triangle_count"] < 1:
            raise ArtefactError(
                f"{path}: objects[{index}] ({entry['name']}): {entry['vertex_count']} vertices, "
                f"{entry['triangle_count']} triangles; need at least 3 and 1"
            )
        if entry["name"] in names:
            raise ArtefactError(f"{path}: duplicate object name {entry['name']!r}")
        names.add(entry["name"])
    return objects


def _arrays(path: Path, n_vertices: int, n_triangles: int) -> dict[str, np.ndarray]:
    if not path.is_file():
        raise ArtefactError(f"{path}: missing (the meshes of the Infinigen export)")
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {key: npz[key] for key in npz.files}
    except (OSError, ValueError, BadZipFile) as error:
        raise ArtefactError(f"{path}: not a readable .npz ({error})") from None
    expected = {"vertices": (n_vertices, 3), "triangles": (n_triangles, 3),
                "face_rgb": (n_triangles, 3)}  # fmt: skip
    for key, shape in expected.items():
        if key not in arrays:
            raise ArtefactError(f"{path}: no array {key!r} (has {sorted(arrays)})")
        if arrays[key].shape != shape:
            raise ArtefactError(
                f"{path}: {key} has shape {arrays[key].shape}; the manifest's counts give {shape}"
            )
    kinds = {"vertices": "f", "triangles": "iu", "face_rgb": "u"}
    for key, kind in kinds.items():
        if arrays[key].dtype.kind not in kind:
            raise ArtefactError(f"{path}: {key} is {arrays[key].dtype}; expected kind {kind!r}")
    if arrays["face_rgb"].dtype != np.uint8:
        raise ArtefactError(f"{path}: face_rgb is {arrays['face_rgb'].dtype}; expected uint8")
    return arrays


def read_export(manifest_json: Path | str, meshes_npz: Path | str) -> InfinigenExport:
    """Read and check an export.

    Raises:
        ArtefactError: a missing file, another format, a malformed object entry, arrays whose
            shapes disagree with the manifest's counts, NaN/inf vertices, vertices outside the
            manifest's bounds or triangle indices outside their object; the message names the
            file (and the object).
    """
    manifest_json, meshes_npz = Path(manifest_json), Path(meshes_npz)
    payload = read_json(manifest_json)
    entries = _manifest_objects(manifest_json, payload)
    vertex_counts = np.array([e["vertex_count"] for e in entries])
    triangle_counts = np.array([e["triangle_count"] for e in entries])
    arrays = _arrays(meshes_npz, int(vertex_counts.sum()), int(triangle_counts.sum()))
    vertex_start = np.concatenate([[0], np.cumsum(vertex_counts)])
    triangle_start = np.concatenate([[0], np.cumsum(triangle_counts)])
    lo, hi = np.array(payload["bounds_min_m"]), np.array(payload["bounds_max_m"])
    objects = []
    for index, entry in enumerate(entries):
        where = f"{meshes_npz}: object {index} ({entry['name']})"
        vertices = arrays["vertices"][vertex_start[index] : vertex_start[index + 1]]
        vertices = vertices.astype(np.float64)
        triangles = arrays["triangles"][triangle_start[index] : triangle_start[index + 1]]
        triangles = triangles.astype(np.int64)
        if not np.all(np.isfinite(vertices)):
            raise ArtefactError(f"{where}: NaN/inf vertex coordinates")
        if np.any(vertices < lo - WELD_M) or np.any(vertices > hi + WELD_M):
            raise ArtefactError(f"{where}: vertices outside the bounds of {manifest_json}")
        if triangles.min() < 0 or triangles.max() >= len(vertices):
            raise ArtefactError(
                f"{where}: triangle indices {triangles.min()}..{triangles.max()} outside its "
                f"{len(vertices)} vertices"
            )
        face_rgb = arrays["face_rgb"][triangle_start[index] : triangle_start[index + 1]]
        objects.append(ExportedObject(entry["name"], entry["label"], entry["structural"],
                                      vertices, triangles, face_rgb))  # fmt: skip
    generator = payload.get("generator", {})
    return InfinigenExport(manifest_json, generator if isinstance(generator, dict) else {},
                           tuple(objects))  # fmt: skip


def floor_outline(vertices_m: np.ndarray, triangles: np.ndarray) -> np.ndarray:
    """The floor's outline [P, 2], counter-clockwise, from its upward-facing top triangles:
    the closed loop of edges that only one of them uses enclosing the largest area (the outer
    boundary; holes and separate pieces are ignored), without collinear corners, starting at
    its corner of lowest x (then y).

    Raises:
        ValueError: no upward-facing triangles, or their boundary is not a closed loop.
    """
    corners = vertices_m[triangles]
    normal = np.cross(corners[:, 1] - corners[:, 0], corners[:, 2] - corners[:, 0])
    level = np.abs(normal[:, 2]) > HORIZONTAL_COSINE * np.linalg.norm(normal, axis=1)
    top = corners[:, :, 2].min(axis=1) >= corners[:, :, 2].max() - FLOOR_TOP_TOLERANCE_M
    faces = triangles[level & top]
    if not len(faces):
        raise ValueError("the floor has no upward-facing triangles")
    keys, welded = np.unique(np.round(vertices_m[:, :2] / WELD_M).astype(np.int64), axis=0,
                             return_inverse=True)  # fmt: skip
    points = keys * WELD_M
    faces = welded.reshape(-1)[faces]
    edges = np.sort(faces[:, [0, 1, 1, 2, 2, 0]].reshape(-1, 2), axis=1)
    edges = edges[edges[:, 0] != edges[:, 1]]
    unique, counts = np.unique(edges, axis=0, return_counts=True)
    loops = _edge_loops(unique[counts == 1])
    if not loops:
        raise ValueError("the floor's boundary is not a closed loop")
    outlines = [points[loop] for loop in loops]
    outline = max(outlines, key=lambda loop: abs(_signed_area(loop)))
    if _signed_area(outline) < 0:
        outline = outline[::-1]
    outline = _drop_collinear(outline)
    first = np.lexsort((outline[:, 1], outline[:, 0]))[0]  # start at the lowest x, then y
    return np.roll(outline, -first, axis=0)


def _edge_loops(edges: np.ndarray) -> list[list[int]]:
    """Closed loops of vertex ids walked along boundary ``edges`` [E, 2]."""
    neighbours: dict[int, list[int]] = {}
    for a, b in edges.tolist():
        neighbours.setdefault(a, []).append(b)
        neighbours.setdefault(b, []).append(a)
    used: set[frozenset[int]] = set()
    loops = []
    for a, b in edges.tolist():
        if frozenset((a, b)) in used:
            continue
        loop, current = [a], b
        used.add(frozenset((a, b)))
        while current != a:
            loop.append(current)
            free = [n for n in neighbours[current] if frozenset((current, n)) not in used]
            if not free:
                break
            used.add(frozenset((current, free[0])))
            current = free[0]
        if current == a and len(loop) >= 3:
            loops.append(loop)
    return loops


def _signed_area(loop: np.ndarray) -> float:
    x, y = loop[:, 0], loop[:, 1]
    return float(0.5 * np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y))


def _drop_collinear(loop: np.ndarray, tolerance_m2: float = 1e-6) -> np.ndarray:
    before, after = np.roll(loop, 1, axis=0), np.roll(loop, -1, axis=0)
    cross = (loop[:, 0] - before[:, 0]) * (after[:, 1] - loop[:, 1]) - (
        loop[:, 1] - before[:, 1]
    ) * (after[:, 0] - loop[:, 0])
    return loop[np.abs(cross) > tolerance_m2]


def build_infinigen_scene(name: str, export: InfinigenExport) -> Scene:
    """The scene of one export (module docstring).

    Raises:
        ArtefactError: an unknown label, a structural flag that disagrees with the label, no
            floor (or one without a closed outline), or more objects than instance ids; the
            message names the manifest.
    """
    path = export.manifest_path
    if len(export.objects) > MAX_INSTANCES:
        raise ArtefactError(f"{path}: {len(export.objects)} objects; ids stop at {MAX_INSTANCES}")
    categories = []
    for obj in export.objects:
        category = infinigen_category(obj.label)
        if category is None:
            raise ArtefactError(
                f"{path}: object {obj.name!r} has label {obj.label!r}, unknown to "
                "scenes/infinigen_labels.py (Infinigen 1.15.5's factories); add it there"
            )
        if category.structural != obj.structural:
            raise ArtefactError(
                f"{path}: object {obj.name!r} ({obj.label}) has structural={obj.structural}, "
                f"but its category {category.name!r} is structural={category.structural}"
            )
        categories.append(category)
    walked, outline = _walked_floor(export, categories)
    floor_z = float(walked.vertices_m[:, 2].max())
    shift = np.array([0.0, 0.0, -floor_z])
    assembler = SceneAssembler()
    for obj, category in zip(export.objects, categories, strict=True):
        source = {"dataset": SOURCE, "name": obj.name, "label": obj.label}
        mesh = (obj.vertices_m + shift, obj.triangles, obj.face_rgb)
        assembler.add(category.name, category.structural, [mesh], source)
    furniture = [c.name for c in categories if not c.structural]
    info = {
        "source": SOURCE,
        "domain": "indoor",
        "licence": LICENCE,
        "generator": export.generator,
        "room_type": _room_type(walked.name),
        "walked_floor": walked.name,
        "room_outline_m": outline.round(4).tolist(),
        "floor_z_moved_m": -floor_z,
        "objects": len(furniture),
        "categories": len(set(furniture)),
    }
    return assembler.build(name, info)


def _walked_floor(
    export: InfinigenExport, categories: list[IndoorCategory]
) -> tuple[ExportedObject, np.ndarray]:
    """The floor the cameras walk, and its outline: of the room floors, the one with the most
    furniture (box centres) above it, then the largest. Infinigen builds a whole house and
    ``singleroom.gin`` furnishes one of its rooms; the others stay as empty rooms beyond the
    doors."""
    pairs = list(zip(export.objects, categories, strict=True))
    floors = [obj for obj, category in pairs if category.name == "floor"]
    if not floors:
        raise ArtefactError(
            f"{export.manifest_path}: no floor object; the walkthrough needs the room's floor"
        )
    centres = np.array(
        [(o.vertices_m.min(0) + o.vertices_m.max(0))[:2] / 2 for o, c in pairs if not c.structural]
    ).reshape(-1, 2)
    ranked = []
    for floor in floors:
        try:
            outline = floor_outline(floor.vertices_m, floor.triangles)
        except ValueError as error:
            raise ArtefactError(f"{export.manifest_path}: {floor.name}: {error}") from None
        inside = int(np.sum(_inside(centres, outline)))
        ranked.append((inside, abs(_signed_area(outline)), floor.name, floor, outline))
    _, _, _, floor, outline = max(ranked, key=lambda entry: entry[:3])
    return floor, outline


def _inside(points: np.ndarray, outline: np.ndarray) -> np.ndarray:
    """Even-odd test of points [K, 2] against the polygon ``outline`` [P, 2]."""
    start, end = outline, np.roll(outline, -1, axis=0)
    x, y = points[:, :1], points[:, 1:]
    rise = np.where(end[:, 1] == start[:, 1], 1.0, end[:, 1] - start[:, 1])
    x_at_y = start[:, 0] + (y - start[:, 1]) * (end[:, 0] - start[:, 0]) / rise
    crosses = ((start[:, 1] > y) != (end[:, 1] > y)) & (x < x_at_y)
    return crosses.sum(axis=1) % 2 == 1


def _room_type(floor_name: str) -> str:
    """Infinigen names room surfaces ``<room-type>_<i>/<j>.<surface>``: "dining room"."""
    return floor_name.split("/")[0].rsplit("_", 1)[0].replace("-", " ")


def load_infinigen_scene(name: str, manifest_json: Path, meshes_npz: Path) -> Scene:
    """:func:`read_export` then :func:`build_infinigen_scene`."""
    return build_infinigen_scene(name, read_export(manifest_json, meshes_npz))

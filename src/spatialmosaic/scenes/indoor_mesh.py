"""Instance-annotated scans (ScanNet++, ScanNet v2) -> the project's :class:`Scene`.

Both datasets annotate one vertex-coloured triangle mesh the same way: a per-vertex
over-segmentation (``segIndices``: one segment id per vertex) and ``segGroups``, one per
annotated object, each listing its segment ids, its ``objectId`` and its ``label``. So one
conversion serves both:

- a vertex belongs to the group whose segments contain its segment id; a vertex claimed by
  several groups (ScanNet++ annotations may overlap) goes to the smallest group, by vertex
  count, as the ScanNet++ toolkit does (``semantic/transforms/mesh.py`` keeps "the label of the
  smallest instance"); equal sizes go to the lower objectId;
- a face takes the group that at least two of its three vertices share, else its first
  vertex's;
- faces of no group, or of a group with an ignored label (:mod:`indoor_labels`), form one
  structural ``unlabelled`` object: they occlude but are never asked about;
- every object's axis-aligned box spans the vertices of its faces (world frame, metres).

The mesh keeps its vertices as they are (no per-object copies), so a 4M-face scan converts in
seconds; instance ids are numbered from 1, ``unlabelled`` first when present, then objects by
objectId.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from spatialmosaic.io import ArtefactError, read_json
from spatialmosaic.ply import read_ply
from spatialmosaic.records import SceneObject
from spatialmosaic.scene_io import Scene
from spatialmosaic.scenes.indoor_labels import UNLABELLED_CATEGORY, indoor_category

VERTEX_PROPERTIES = ("x", "y", "z", "red", "green", "blue")
MAX_INSTANCES = 65535  # instance ids are uint16 in mesh.ply and the id images


@dataclass(frozen=True)
class VertexMesh:
    """``vertices_m`` [N, 3] float64, ``rgb`` [N, 3] uint8, ``triangles`` [M, 3] int64."""

    path: Path
    vertices_m: np.ndarray
    rgb: np.ndarray
    triangles: np.ndarray


@dataclass(frozen=True)
class SegGroup:
    """One annotated object: ``segments`` holds segment ids of ``segIndices``."""

    object_id: int
    label: str
    segments: np.ndarray


def read_vertex_mesh(path: Path | str) -> VertexMesh:
    """A binary PLY with ``x y z red green blue`` vertices and triangle ``vertex_indices``.

    Raises:
        ArtefactError: missing file or property, non-triangle faces, out-of-range indices or
            non-finite coordinates; the message names the file.
    """
    path = Path(path)
    ply = read_ply(path)
    if "vertex" not in ply or "face" not in ply:
        raise ArtefactError(f"{path}: PLY needs 'vertex' and 'face' elements, has {sorted(ply)}")
    vertex, face = ply["vertex"], ply["face"]
    missing = [name for name in VERTEX_PROPERTIES if name not in (vertex.dtype.names or ())]
    if missing:
        raise ArtefactError(f"{path}: PLY vertices lack {missing} (need {VERTEX_PROPERTIES})")
    if "vertex_indices" not in (face.dtype.names or ()):
        raise ArtefactError(f"{path}: PLY faces lack 'vertex_indices'")
    vertices = np.stack([vertex[axis] for axis in "xyz"], axis=1).astype(np.float64)
    rgb = np.stack([vertex[c] for c in ("red", "green", "blue")], axis=1)
    if rgb.dtype != np.uint8:
        raise ArtefactError(f"{path}: vertex colours are {rgb.dtype}, expected uchar")
    triangles = np.asarray(face["vertex_indices"], dtype=np.int64)
    if triangles.ndim != 2 or triangles.shape[1] != 3:
        raise ArtefactError(f"{path}: faces must be triangles, got shape {triangles.shape}")
    if len(triangles) and (triangles.min() < 0 or triangles.max() >= len(vertices)):
        raise ArtefactError(f"{path}: face index out of range for {len(vertices)} vertices")
    if not np.all(np.isfinite(vertices)):
        raise ArtefactError(f"{path}: NaN/inf vertex coordinates")
    return VertexMesh(path, vertices, rgb, triangles)


def read_seg_indices(path: Path | str, mesh: VertexMesh) -> np.ndarray:
    """``segIndices`` [N] int64: one segment id per vertex of ``mesh``."""
    payload = read_json(path)
    values = payload.get("segIndices") if isinstance(payload, dict) else None
    if not isinstance(values, list):
        raise ArtefactError(f"{path}: no 'segIndices' list")
    try:
        seg_indices = np.asarray(values, dtype=np.int64)
    except (TypeError, ValueError):
        raise ArtefactError(f"{path}: 'segIndices' must hold integers") from None
    if seg_indices.shape != (len(mesh.vertices_m),):
        raise ArtefactError(
            f"{path}: {len(values)} segIndices but {mesh.path} has "
            f"{len(mesh.vertices_m)} vertices (one segment id per vertex expected)"
        )
    return seg_indices


def read_seg_groups(path: Path | str) -> list[SegGroup]:
    """``segGroups``: ``objectId`` (or ``id``), ``label`` and ``segments`` of each object."""
    payload = read_json(path)
    groups = payload.get("segGroups") if isinstance(payload, dict) else None
    if not isinstance(groups, list):
        raise ArtefactError(f"{path}: no 'segGroups' list")
    parsed: dict[int, SegGroup] = {}
    for number, group in enumerate(groups):
        if not isinstance(group, dict):
            raise ArtefactError(f"{path}: segGroups[{number}] is not an object")
        object_id = group.get("objectId", group.get("id"))
        label, segments = group.get("label"), group.get("segments")
        if not isinstance(object_id, int) or not isinstance(label, str):
            raise ArtefactError(f"{path}: segGroups[{number}] needs an integer objectId, a label")
        if not isinstance(segments, list) or not all(isinstance(s, int) for s in segments):
            raise ArtefactError(f"{path}: segGroups[{number}] (objectId {object_id}): bad segments")
        if object_id in parsed:
            raise ArtefactError(f"{path}: duplicate objectId {object_id}")
        parsed[object_id] = SegGroup(object_id, label, np.asarray(segments, dtype=np.int64))
    return [parsed[object_id] for object_id in sorted(parsed)]


def vertex_groups(seg_indices: np.ndarray, groups: list[SegGroup]) -> np.ndarray:
    """Index into ``groups`` of each vertex's group, -1 for none; overlaps go to the smallest
    group (then the lower objectId)."""
    order = np.argsort(seg_indices, kind="stable")
    sorted_ids = seg_indices[order]
    members = []
    for group in groups:
        segments = np.unique(group.segments)
        starts = np.searchsorted(sorted_ids, segments, side="left")
        ends = np.searchsorted(sorted_ids, segments, side="right")
        members.append(
            np.concatenate([order[s:e] for s, e in zip(starts, ends, strict=True)])
            if len(segments)
            else np.zeros(0, dtype=np.int64)
        )
    assignment = np.full(len(seg_indices), -1, dtype=np.int64)
    # Largest first, so smaller groups overwrite; among equals the lower objectId writes last.
    for index in sorted(range(len(groups)), key=lambda i: (-len(members[i]), -groups[i].object_id)):
        assignment[members[index]] = index
    return assignment


def face_groups(triangles: np.ndarray, vertex_group: np.ndarray) -> np.ndarray:
    """The group two of a face's three vertices share, else its first vertex's ([M] int64)."""
    a, b, c = (vertex_group[triangles[:, k]] for k in range(3))
    return np.where((b == c) & (a != b), b, a)


def build_annotated_scene(
    name: str,
    mesh: VertexMesh,
    groups: list[SegGroup],
    face_group: np.ndarray,
    source: dict[str, str],
    info: dict[str, Any],
) -> Scene:
    """The scene: one object per group with faces, plus ``unlabelled`` (see module doc)."""
    categories = [indoor_category(group.label) for group in groups]
    usable = np.array([category is not None for category in categories] + [False])
    face_group = np.where(usable[face_group], face_group, -1)  # -1 indexes the False sentinel
    with_faces = np.unique(face_group[face_group >= 0])
    offset = 2 if np.any(face_group < 0) else 1
    if len(with_faces) + offset - 1 > MAX_INSTANCES:
        raise ArtefactError(f"{name}: {len(with_faces)} objects; ids stop at {MAX_INSTANCES}")
    instance_of_group = np.zeros(len(groups) + 1, dtype=np.int64)  # last slot: -1 -> unlabelled
    instance_of_group[with_faces] = np.arange(len(with_faces)) + offset
    instance_of_group[-1] = 1
    face_instance = instance_of_group[face_group].astype(np.uint16)
    lo, hi = _instance_boxes(mesh, face_instance)
    objects = []
    if offset == 2:
        objects.append(
            SceneObject(1, UNLABELLED_CATEGORY, True, lo[1], hi[1], {**source, "object_id": "-"})
        )
    for index in with_faces:
        group, category = groups[index], categories[index]
        instance = int(instance_of_group[index])
        origin = {**source, "object_id": str(group.object_id), "label": group.label}
        box = lo[instance], hi[instance]
        objects.append(SceneObject(instance, category.name, category.structural, *box, origin))
    ignored = sorted({g.label for g, c in zip(groups, categories, strict=True) if c is None})
    seen = set(with_faces.tolist())
    without_faces = [i for i, c in enumerate(categories) if c is not None and i not in seen]
    face_rgb = np.round(mesh.rgb[mesh.triangles].astype(np.float64).mean(axis=1)).astype(np.uint8)
    return Scene(
        name=name,
        objects=tuple(objects),
        vertices_world_m=mesh.vertices_m,
        triangles=mesh.triangles,
        face_instance=face_instance,
        face_rgb=face_rgb,
        info={
            **info,
            "unlabelled_faces": int(np.sum(face_group < 0)),
            "ignored_labels": ignored,
            "objects_without_faces": [groups[i].object_id for i in without_faces],
        },
    )


def _instance_boxes(
    mesh: VertexMesh, face_instance: np.ndarray
) -> tuple[dict[int, tuple[float, ...]], dict[int, tuple[float, ...]]]:
    """Per instance id, min and max over the vertices of its faces."""
    corners = mesh.vertices_m[mesh.triangles]  # [M, 3, 3]
    face_lo, face_hi = corners.min(axis=1), corners.max(axis=1)
    order = np.argsort(face_instance, kind="stable")
    ids, starts = np.unique(face_instance[order], return_index=True)
    if not len(ids):
        return {}, {}
    lo = np.minimum.reduceat(face_lo[order], starts, axis=0)
    hi = np.maximum.reduceat(face_hi[order], starts, axis=0)
    return (
        {int(i): tuple(map(float, row)) for i, row in zip(ids, lo, strict=True)},
        {int(i): tuple(map(float, row)) for i, row in zip(ids, hi, strict=True)},
    )


def load_annotated_scan(
    name: str,
    mesh_ply: Path,
    segments_json: Path,
    annotation_json: Path,
    source: dict[str, str],
    info: dict[str, Any],
    world_from_mesh: np.ndarray | None = None,
) -> Scene:
    """Read a mesh, its ``segIndices`` and ``segGroups`` and build the scene; with
    ``world_from_mesh`` [4, 4], the vertices are moved into that world frame first.

    Raises:
        ArtefactError: a missing or malformed file, or a segment file whose length differs
            from the mesh's vertex count; the message names the file.
    """
    mesh = read_vertex_mesh(mesh_ply)
    if world_from_mesh is not None:
        moved = mesh.vertices_m @ world_from_mesh[:3, :3].T + world_from_mesh[:3, 3]
        mesh = VertexMesh(mesh.path, moved, mesh.rgb, mesh.triangles)
    seg_indices = read_seg_indices(segments_json, mesh)
    groups = read_seg_groups(annotation_json)
    faces = face_groups(mesh.triangles, vertex_groups(seg_indices, groups))
    return build_annotated_scene(name, mesh, groups, faces, source, info)

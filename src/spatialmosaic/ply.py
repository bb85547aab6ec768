"""Binary little-endian PLY: the mesh format of our scenes and of ScanNet / ScanNet++.

Own reader and writer (numpy only): scene meshes store per-face ``instance_id`` and colour,
which general mesh libraries drop. Lists must have a constant length per element (triangle
meshes), which holds for every mesh the project reads.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from spatialmosaic.io import ArtefactError, atomic_path

_PLY_TYPES = {
    "char": "i1",
    "int8": "i1",
    "uchar": "u1",
    "uint8": "u1",
    "short": "<i2",
    "int16": "<i2",
    "ushort": "<u2",
    "uint16": "<u2",
    "int": "<i4",
    "int32": "<i4",
    "uint": "<u4",
    "uint32": "<u4",
    "float": "<f4",
    "float32": "<f4",
    "double": "<f8",
    "float64": "<f8",
}


def _ply_type_name(dtype: np.dtype) -> str:
    names = {
        "u1": "uchar",
        "u2": "ushort",
        "u4": "uint",
        "i1": "char",
        "i2": "short",
        "i4": "int",
        "f4": "float",
        "f8": "double",
    }
    return names[f"{dtype.kind}{dtype.itemsize}"]


def _parse_header(path: Path, raw: bytes) -> tuple[list[tuple[str, int, list]], int]:
    end = raw.find(b"end_header\n")
    if not raw.startswith(b"ply\n") or end < 0:
        raise ArtefactError(f"{path}: not a PLY file (missing 'ply' magic or 'end_header')")
    elements: list[tuple[str, int, list]] = []
    for line in raw[:end].decode("ascii", errors="replace").splitlines()[1:]:
        words = line.split()
        if not words or words[0] in ("comment", "obj_info"):
            continue
        if words[0] == "format" and words[1:2] != ["binary_little_endian"]:
            raise ArtefactError(
                f"{path}: PLY format {words[1:2]} unsupported; need binary_little_endian"
            )
        elif words[0] == "element":
            elements.append((words[1], int(words[2]), []))
        elif words[0] == "property":
            if not elements:
                raise ArtefactError(f"{path}: PLY property before any element")
            elements[-1][2].append(words[1:])
    return elements, end + len(b"end_header\n")


def read_ply(path: Path | str) -> dict[str, np.ndarray]:
    """Read every element of a binary PLY into a structured array keyed by element name.

    A list property ``p`` becomes a field of shape [count] (the per-row length must be constant).

    Raises:
        ArtefactError: the file is missing, truncated, or not binary little-endian PLY.
    """
    path = Path(path)
    if not path.is_file():
        raise ArtefactError(f"{path}: file not found")
    raw = path.read_bytes()
    elements, offset = _parse_header(path, raw)
    result: dict[str, np.ndarray] = {}
    for name, count, properties in elements:
        fields: list[tuple] = []
        for prop in properties:
            if prop[0] == "list":
                count_type, item_type, prop_name = _PLY_TYPES[prop[1]], _PLY_TYPES[prop[2]], prop[3]
                if count == 0:
                    fields.append((prop_name, item_type, (0,)))
                    continue
                # The first row's count, after the fields before it (rows have a fixed layout).
                in_row = np.dtype(fields).itemsize if fields else 0
                length = int(
                    np.frombuffer(raw, dtype=count_type, count=1, offset=offset + in_row)[0]
                )
                fields += [(f"__{prop_name}_count", count_type), (prop_name, item_type, (length,))]
            else:
                if prop[0] not in _PLY_TYPES:
                    raise ArtefactError(f"{path}: unknown PLY type {prop[0]!r}")
                fields.append((prop[1], _PLY_TYPES[prop[0]]))
        dtype = np.dtype(fields)
        if offset + dtype.itemsize * count > len(raw):
            raise ArtefactError(f"{path}: truncated in element '{name}' ({count} rows expected)")
        data = np.frombuffer(raw, dtype=dtype, count=count, offset=offset)
        for field_name in dtype.names or ():
            if field_name.startswith("__") and np.any(data[field_name] != data[field_name][0]):
                raise ArtefactError(f"{path}: element '{name}' has lists of varying length")
        result[name] = data
        offset += dtype.itemsize * count
    return result


def write_triangle_mesh_ply(
    dest: Path | str,
    vertices_m: np.ndarray,
    triangles: np.ndarray,
    face_fields: dict[str, np.ndarray],
    comment: str = "",
    extra_elements: dict[str, dict[str, np.ndarray]] | None = None,
) -> None:
    """Write vertices [N, 3] float32 and triangles [M, 3] with extra per-face fields.

    A face field of shape [M] is a scalar property; one of shape [M, K] is a list property of
    K items per face (e.g. ``texcoord``: 6 floats, the UVs of the three corners).
    ``extra_elements`` (element name -> scalar fields of equal length) follow the faces.
    """
    vertex = np.empty(len(vertices_m), dtype=[("x", "<f4"), ("y", "<f4"), ("z", "<f4")])
    for axis, key in enumerate("xyz"):
        vertex[key] = vertices_m[:, axis]
    face_dtype: list[tuple] = [("count", "u1"), ("vertex_indices", "<i4", (3,))]
    face_header = ["property list uchar int vertex_indices"]
    for key, values in face_fields.items():
        kind = values.dtype.newbyteorder("<").str
        if values.ndim == 2:
            face_dtype += [(f"__{key}_count", "u1"), (key, kind, (values.shape[1],))]
            face_header.append(f"property list uchar {_ply_type_name(values.dtype)} {key}")
        else:
            face_dtype.append((key, kind))
            face_header.append(f"property {_ply_type_name(values.dtype)} {key}")
    face = np.empty(len(triangles), dtype=face_dtype)
    face["count"] = 3
    face["vertex_indices"] = triangles
    for key, values in face_fields.items():
        if values.ndim == 2:
            face[f"__{key}_count"] = values.shape[1]
        face[key] = values
    header = ["ply", "format binary_little_endian 1.0"]
    header += [f"comment {comment}"] if comment else []
    header += [f"element vertex {len(vertex)}"] + [f"property float {k}" for k in "xyz"]
    header += [f"element face {len(face)}", *face_header]
    extras = []
    for name, fields in (extra_elements or {}).items():
        lengths = {len(values) for values in fields.values()}
        if len(lengths) != 1:
            raise ValueError(f"PLY element {name!r}: fields of unequal lengths {sorted(lengths)}")
        dtype = [(key, values.dtype.newbyteorder("<").str) for key, values in fields.items()]
        rows = np.empty(lengths.pop(), dtype=dtype)
        for key, values in fields.items():
            rows[key] = values
        header.append(f"element {name} {len(rows)}")
        header += [f"property {_ply_type_name(rows.dtype[k])} {k}" for k in fields]
        extras.append(rows)
    header += ["end_header", ""]
    with atomic_path(dest) as tmp:
        with tmp.open("wb") as handle:
            handle.write("\n".join(header).encode("ascii"))
            handle.write(vertex.tobytes())
            handle.write(face.tobytes())
            for rows in extras:
                handle.write(rows.tobytes())

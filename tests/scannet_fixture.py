"""A tiny ScanNet v2 scan in the real layout and formats (tests; synthetic, no ScanNet data).

The geometry and cameras of ``scannetpp_fixture`` (same closed-form cabinet), stored the ScanNet
way: ``scans/<scene>/<scene>_vh_clean_2.ply`` (vertices ``x y z red green blue alpha``),
``<scene>_vh_clean_2.0.010000.segs.json``, ``<scene>.aggregation.json``, ``<scene>.txt`` with
an ``axisAlignment``, a version-4 ``<scene>.sens`` (JPEG colour, zlib depth) and SensReader's
export (``color/<i>.jpg``, ``pose/<i>.txt``, ``intrinsic/intrinsic_color.txt``). Everything
is written in the scan frame, ``ALIGNMENT^-1`` times the world, so the loader must apply the
alignment to recover the closed-form world. Frame ``LOST`` has ScanNet's all ``-inf`` pose.
"""

from __future__ import annotations

import io
import json
import struct
import zlib
from pathlib import Path

import numpy as np
from PIL import Image

import scannetpp_fixture as fx

SCENE = "scene0042_00"
LOST = 1  # lost tracking: never a candidate
# world_from_scan: a quarter turn about Z and a shift, as ScanNet's axisAlignment is.
ALIGNMENT = np.array([[0.0, -1, 0, 1.5], [1, 0, 0, -0.5], [0, 0, 1, 0], [0, 0, 0, 1]])
SCAN_FROM_WORLD = np.linalg.inv(ALIGNMENT)


def scan_pose(index: int) -> np.ndarray:
    if index == LOST:
        return np.full((4, 4), -np.inf)
    return SCAN_FROM_WORLD @ fx.world_from_cam(index)


def write_scan(root: Path, scene: str = SCENE) -> Path:
    """``root/scans/<scene>/`` with mesh, segments, aggregation and meta file; returns it."""
    folder = root / "scans" / scene
    vertices, rgb, triangles, segments = fx.scan_arrays()
    scan_vertices = vertices @ SCAN_FROM_WORLD[:3, :3].T + SCAN_FROM_WORLD[:3, 3]
    fx.write_vertex_ply(folder / f"{scene}_vh_clean_2.ply", scan_vertices, rgb, triangles, True)
    fx.write_json(
        folder / f"{scene}_vh_clean_2.0.010000.segs.json",
        {"params": {"kThresh": "0.0001", "segMinVerts": "20"}, "sceneId": scene,
         "segIndices": segments.tolist()},
    )  # fmt: skip
    groups = [{key: g[key] for key in ("id", "objectId", "segments", "label")}
              for g in fx.seg_groups()]  # fmt: skip
    fx.write_json(
        folder / f"{scene}.aggregation.json",
        {"sceneId": f"scannet.{scene}", "appId": "Aggregator.v2", "segGroups": groups,
         "segmentsFile": f"scannet.{scene}_vh_clean_2.0.010000.segs.json"},
    )  # fmt: skip
    meta = [f"axisAlignment = {' '.join(f'{v:g}' for v in ALIGNMENT.ravel())}",
            f"colorHeight = {fx.HEIGHT}", f"colorWidth = {fx.WIDTH}",
            f"numColorFrames = {fx.N_FRAMES}", "sceneType = Storage"]  # fmt: skip
    (folder / f"{scene}.txt").write_text("\n".join(meta) + "\n")
    return folder


def _intrinsic_4x4() -> np.ndarray:
    K = np.eye(4)
    K[:3, :3] = fx.K_PX
    return K


def write_export(export_root: Path, scene: str = SCENE) -> Path:
    """SensReader's export of every frame; returns ``export_root/<scene>``."""
    folder = export_root / scene
    for sub in ("color", "pose", "intrinsic", "depth"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    for index in range(fx.N_FRAMES):
        Image.fromarray(fx.frame_rgb(index)).save(folder / "color" / f"{index}.jpg", quality=95)
        np.savetxt(folder / "pose" / f"{index}.txt", scan_pose(index), fmt="%f")
    np.savetxt(folder / "intrinsic" / "intrinsic_color.txt", _intrinsic_4x4(), fmt="%f")
    np.savetxt(folder / "intrinsic" / "extrinsic_color.txt", np.eye(4), fmt="%f")
    return folder


def sens_bytes(scene: str = SCENE) -> bytes:
    """A version-4 .sens stream: JPEG colour, zlib_ushort depth (2 m everywhere)."""
    out = io.BytesIO()
    name = b"StructureSensor"
    out.write(struct.pack("<IQ", 4, len(name)) + name)
    for matrix in (_intrinsic_4x4(), np.eye(4), _intrinsic_4x4(), np.eye(4)):
        out.write(struct.pack("<16f", *matrix.ravel()))
    out.write(struct.pack("<iiIIIIfQ", 2, 1, fx.WIDTH, fx.HEIGHT, fx.WIDTH, fx.HEIGHT, 1000.0,
                          fx.N_FRAMES))  # fmt: skip
    depth = zlib.compress(np.full((fx.HEIGHT, fx.WIDTH), 2000, dtype="<u2").tobytes())
    for index in range(fx.N_FRAMES):
        buffer = io.BytesIO()
        Image.fromarray(fx.frame_rgb(index)).save(buffer, format="JPEG", quality=95)
        color = buffer.getvalue()
        out.write(struct.pack("<16f", *scan_pose(index).ravel()))
        out.write(struct.pack("<QQQQ", 10 * index, 10 * index, len(color), len(depth)))
        out.write(color + depth)
    out.write(struct.pack("<Q", 0))  # IMU frames follow in real files; none here
    return out.getvalue()


def write_all(root: Path, scene: str = SCENE) -> Path:
    """Scan, .sens and export (under ``root/scans``, the default export root); returns root."""
    folder = write_scan(root, scene)
    (folder / f"{scene}.sens").write_bytes(sens_bytes(scene))
    write_export(root / "scans", scene)
    (root / "scannetv2_val.txt").write_text(f"{scene}\n")
    return root


def read_json(path: Path) -> dict:
    return json.loads(path.read_text())

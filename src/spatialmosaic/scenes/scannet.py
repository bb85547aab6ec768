"""ScanNet v2 -> the project's scene format: one scan's annotated mesh, cameras and photos.

Layout of the official release (``<root>/scans/<scene>/``): ``<scene>_vh_clean_2.ply``
(binary PLY, vertices ``x y z red green blue alpha``), ``<scene>_vh_clean_2.0.010000.segs.json``
(``segIndices``), ``<scene>.aggregation.json`` (``segGroups`` with ``objectId``, ``label``,
``segments``), ``<scene>.txt`` (meta data with ``axisAlignment``) and ``<scene>.sens``. The
mesh becomes a scene as for ScanNet++ (:mod:`spatialmosaic.scenes.indoor_mesh`).

Frames come from the ``.sens`` stream (:mod:`spatialmosaic.scenes.sens`) or from SensReader's
export (``<export>/<scene>/color/<i>.jpg``, ``pose/<i>.txt`` 4x4 camera-to-world,
``intrinsic/intrinsic_color.txt`` 4x4). ScanNet poses have OpenCV camera axes (x right, y
down, z forward). Frames whose pose is all ``-inf`` (ScanNet's mark for lost tracking) are no
candidates; any other non-finite or non-rigid pose is an error. When ``<scene>.txt`` has an
``axisAlignment``, mesh and poses are moved by it (a turn about Z that squares the room with
the axes, so the objects' axis-aligned boxes fit them); ``info.axis_aligned`` says so.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import Enum
from pathlib import Path

import numpy as np

from spatialmosaic.io import ArtefactError
from spatialmosaic.records import CameraFrame
from spatialmosaic.scene_io import Scene
from spatialmosaic.scenes.captures import (
    Capture,
    camera_frame,
    check_principal_point,
    decode_image,
    encode_jpeg,
    evenly_spaced,
    fit_photo,
    intrinsic_matrix,
    rigid_transform,
)
from spatialmosaic.scenes.indoor_mesh import load_annotated_scan
from spatialmosaic.scenes.sens import read_color, read_sens_header

DATASET = "scannet"  # info.source of the scenes; records carry Dataset.SCANNET
LICENCE = (
    "ScanNet Terms of Use (kaldir.vc.in.tum.de/scannet/ScanNet_TOS.pdf): non-commercial "
    "research and education only, no redistribution of the data"
)
HOWTO = (
    "ScanNet is licensed: sign the ScanNet Terms of Use (github.com/ScanNet/ScanNet), download "
    "with the official script, then set scenes.scannet.root (docs/scannetpp.md, ScanNet v2)"
)


class FrameSource(Enum):
    """Where a ScanNet scan's frames are read from."""

    SENS = "sens"
    EXPORT = "export"


@dataclass(frozen=True)
class ScanNetLayout:
    """Paths of one scan; ``export_root`` holds SensReader exports (default: ``root/scans``)."""

    root: Path
    scene: str
    export_root: Path | None = None

    @property
    def scene_dir(self) -> Path:
        return self.root / "scans" / self.scene

    @property
    def mesh(self) -> Path:
        return self.scene_dir / f"{self.scene}_vh_clean_2.ply"

    @property
    def segments(self) -> Path:
        return self.scene_dir / f"{self.scene}_vh_clean_2.0.010000.segs.json"

    @property
    def aggregation(self) -> Path:
        return self.scene_dir / f"{self.scene}.aggregation.json"

    @property
    def meta(self) -> Path:
        return self.scene_dir / f"{self.scene}.txt"

    @property
    def sens(self) -> Path:
        return self.scene_dir / f"{self.scene}.sens"

    @property
    def export_dir(self) -> Path:
        return (self.export_root or self.root / "scans") / self.scene

    def required(self, source: FrameSource) -> list[Path]:
        files = [self.mesh, self.segments, self.aggregation]
        if source is FrameSource.SENS:
            return files + [self.sens]
        export = self.export_dir
        return files + [export / "color", export / "pose", export / "intrinsic/intrinsic_color.txt"]


def read_axis_alignment(path: Path) -> np.ndarray | None:
    """``axisAlignment`` [4, 4] (row-major, 16 numbers) of a scan's meta file, if any."""
    if not path.is_file():
        return None
    for line in path.read_text().splitlines():
        key, _, value = line.partition("=")
        if key.strip() == "axisAlignment":
            return rigid_transform(path, "axisAlignment", value.split())
    return None


def lost_tracking(T: np.ndarray) -> bool:
    """ScanNet marks frames without a pose by a matrix of -inf."""
    return bool(np.all(np.isneginf(np.asarray(T, dtype=np.float64))))


def load_scan(layout: ScanNetLayout, world_from_scan: np.ndarray | None) -> Scene:
    source = {"dataset": DATASET, "scene_id": layout.scene}
    info = {
        "source": DATASET,
        "domain": "indoor",
        "scene_id": layout.scene,
        "licence": LICENCE,
        "mesh": layout.mesh.name,
        "axis_aligned": world_from_scan is not None,
    }
    return load_annotated_scan(
        layout.scene, layout.mesh, layout.segments, layout.aggregation, source, info,
        world_from_scan,
    )  # fmt: skip


def _exported_poses(layout: ScanNetLayout) -> tuple[np.ndarray, list[tuple[int, object]]]:
    """Colour intrinsics and (frame index, raw 4x4) of every exported frame with a photo."""
    export = layout.export_dir
    K_file = export / "intrinsic" / "intrinsic_color.txt"
    if not K_file.is_file():
        raise ArtefactError(f"{K_file}: missing (SensReader export of {layout.scene})")
    K_px = intrinsic_matrix(K_file, "intrinsic_color", _matrix_text(K_file))
    if not (export / "pose").is_dir():
        raise ArtefactError(f"{export / 'pose'}: missing (SensReader export of {layout.scene})")
    stems = [p.stem for p in (export / "pose").glob("*.txt") if p.stem.isdigit()]
    frames = [
        (int(stem), _matrix_text(export / "pose" / f"{stem}.txt"))
        for stem in sorted(stems, key=int)
        if (export / "color" / f"{stem}.jpg").is_file()
    ]
    return K_px, frames


def _matrix_text(path: Path) -> object:
    try:
        return np.loadtxt(path, dtype=np.float64)
    except ValueError as error:
        raise ArtefactError(f"{path}: not a whitespace-separated matrix ({error})") from None


def scan_frames(
    layout: ScanNetLayout, source: FrameSource, count: int, width: int, world_from_scan
) -> tuple[list[CameraFrame], dict[str, bytes], int]:
    """``count`` evenly spaced frames with a pose: cameras, JPEGs, and how many frames were
    skipped for lost tracking."""
    if source is FrameSource.SENS:
        header = read_sens_header(layout.sens)
        K_px, where = header.intrinsic_color[:3, :3], layout.sens
        K_px = intrinsic_matrix(where, "intrinsic_color", K_px)
        raw = list(enumerate(header.camera_to_world))
    else:
        K_px, raw = _exported_poses(layout)
        where = layout.export_dir / "pose"
    valid = [(index, pose) for index, pose in raw if not lost_tracking(pose)]
    if not valid:
        raise ArtefactError(f"{where}: no frame with a valid pose")
    align = np.eye(4) if world_from_scan is None else world_from_scan
    cameras, images = [], {}
    for index, pose in [valid[i] for i in evenly_spaced(len(valid), count)]:
        T_world_cam = align @ rigid_transform(where, f"frame {index} pose", pose)
        if source is FrameSource.SENS:
            rgb = read_color(header, index)
        else:
            rgb = decode_image(layout.export_dir / "color" / f"{index}.jpg")
        frame_id = f"frame_{index:06d}"
        check_principal_point(where, frame_id, K_px, rgb)
        rgb, K_scaled = fit_photo(rgb, K_px, width)
        cameras.append(camera_frame(frame_id, K_scaled, T_world_cam, rgb))
        images[frame_id] = encode_jpeg(rgb)
    return cameras, images, len(raw) - len(valid)


def load_capture(
    root: Path | str,
    scene: str,
    source: FrameSource,
    frames: int,
    width: int,
    export_root: Path | None = None,
) -> Capture:
    """The scan, ``frames`` evenly spaced cameras at ``width`` pixels, and their photos.

    Raises:
        ArtefactError: a missing or malformed file; the message names it.
    """
    if width < 1 or frames < 1:
        raise ValueError(f"width={width}, frames={frames}: need positive numbers")
    layout = ScanNetLayout(Path(root), scene, export_root)
    if not layout.scene_dir.is_dir():
        raise ArtefactError(f"{layout.scene_dir}: no such ScanNet scan. {HOWTO}")
    world_from_scan = read_axis_alignment(layout.meta)
    scan = load_scan(layout, world_from_scan)
    cameras, images, lost = scan_frames(layout, source, frames, width, world_from_scan)
    info = {**scan.info, "frame_source": source.value, "lost_tracking_frames": lost}
    return Capture(replace(scan, info=info), tuple(cameras), images)

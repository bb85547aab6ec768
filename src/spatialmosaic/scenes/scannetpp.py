"""ScanNet++ -> the project's scene format: one scene's annotated scan, cameras and photos.

Layout and file names follow the official toolkit (``common/scene_release.py``,
``ScannetppScene_Release``): ``<root>/data/<scene_id>/scans/mesh_aligned_0.05.ply`` (binary
PLY, vertices ``x y z red green blue``), ``scans/segments.json`` (``segIndices``) and
``scans/segments_anno.json`` (``segGroups``), turned into a scene by
:mod:`spatialmosaic.scenes.indoor_mesh`. Frames come from the iPhone (here) or the DSLR
(:mod:`spatialmosaic.scenes.scannetpp_dslr`); docs/scannetpp.md has the conventions.

iPhone: ``iphone/pose_intrinsic_imu.json`` maps ``frame_NNNNNN`` to ``timestamp``, ``pose``,
``intrinsic`` (3x3, pixels of the RGB frame), ``imu`` and ``aligned_pose`` (4x4,
camera-to-world in the mesh frame). ``aligned_pose`` has OpenCV camera axes (x right, y down,
z forward): the toolkit's ``iphone/arkit_pcl.py`` back-projects ``K^-1 [u, v, 1] * depth``
and applies ``aligned_pose`` to it unchanged, so it is used as ``T_world_cam`` as it is.
Photos are ``iphone/rgb/frame_NNNNNN.jpg`` where extracted, else frame ``NNNNNN`` of
``iphone/rgb.mp4`` (the toolkit's name) or ``iphone/rgb.mkv``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from enum import Enum
from pathlib import Path

import numpy as np

from spatialmosaic.io import ArtefactError, read_json
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
from spatialmosaic.scenes.scannetpp_dslr import dslr_frames, dslr_required
from spatialmosaic.scenes.video import read_video_frames

DATASET = "scannetpp"  # info.source of the scenes; records carry Dataset.SCANNETPP
LICENCE = (
    "ScanNet++ Terms of Use (kaldir.vc.in.tum.de/scannetpp): non-commercial research and "
    "education only, no redistribution of the data"
)
HOWTO = (
    "ScanNet++ is licensed: apply at https://kaldir.vc.in.tum.de/scannetpp/ , then download with "
    "the official download script and your token, or set scenes.scannetpp.download: true "
    "(docs/scannetpp.md)"
)
FRAME_KEY = re.compile(r"frame_(\d+)")
VIDEO_NAMES = ("rgb.mp4", "rgb.mkv")  # scene_release.py names rgb.mp4; SPEC §7 says rgb.mkv


class Device(Enum):
    """Which camera of a ScanNet++ scene gives the frames."""

    IPHONE = "iphone"
    DSLR = "dslr"


@dataclass(frozen=True)
class ScanNetppLayout:
    """Paths of one scene, as ``ScannetppScene_Release`` names them."""

    root: Path
    scene_id: str

    @property
    def scene_dir(self) -> Path:
        return self.root / "data" / self.scene_id

    @property
    def mesh(self) -> Path:
        return self.scene_dir / "scans" / "mesh_aligned_0.05.ply"

    @property
    def segments(self) -> Path:
        return self.scene_dir / "scans" / "segments.json"

    @property
    def annotation(self) -> Path:
        return self.scene_dir / "scans" / "segments_anno.json"

    @property
    def pose_json(self) -> Path:
        return self.scene_dir / "iphone" / "pose_intrinsic_imu.json"

    @property
    def rgb_dir(self) -> Path:
        return self.scene_dir / "iphone" / "rgb"

    def video(self) -> Path | None:
        """The first of ``rgb.mp4`` / ``rgb.mkv`` that exists."""
        found = [
            path for name in VIDEO_NAMES if (path := self.scene_dir / "iphone" / name).exists()
        ]
        return found[0] if found else None

    @property
    def dslr_dir(self) -> Path:
        return self.scene_dir / "dslr"

    def required(self, device: Device) -> list[Path]:
        """Files a capture needs (an alternative that is missing is named by its first choice)."""
        files = [self.mesh, self.segments, self.annotation]
        if device is Device.IPHONE:
            photos = self.rgb_dir if self.rgb_dir.is_dir() else self.video()
            return files + [self.pose_json, photos or self.scene_dir / "iphone" / VIDEO_NAMES[0]]
        return files + dslr_required(self.dslr_dir)


def load_scan(layout: ScanNetppLayout) -> Scene:
    """The annotated scan as a scene named by its ScanNet++ id."""
    source = {"dataset": DATASET, "scene_id": layout.scene_id}
    info = {
        "source": DATASET,
        "domain": "indoor",
        "scene_id": layout.scene_id,
        "licence": LICENCE,
        "mesh": layout.mesh.name,
    }
    return load_annotated_scan(
        layout.scene_id, layout.mesh, layout.segments, layout.annotation, source, info
    )


@dataclass(frozen=True)
class PosedFrame:
    """A frame's id, intrinsics ``K_px`` [3, 3] and ``T_world_cam`` [4, 4] (OpenCV axes)."""

    frame_id: str
    index: int
    K_px: np.ndarray
    T_world_cam: np.ndarray


def read_iphone_poses(path: Path) -> list[PosedFrame]:
    """Every frame of ``pose_intrinsic_imu.json``, in frame order.

    Raises:
        ArtefactError: not a JSON object of ``frame_NNNNNN`` entries, or an entry without
            ``intrinsic``/``aligned_pose``, with NaN/inf, bad intrinsics or a non-rigid pose.
    """
    payload = read_json(path)
    if not isinstance(payload, dict) or not payload:
        raise ArtefactError(f"{path}: expected an object of frame_NNNNNN entries")
    frames = []
    for key, entry in payload.items():
        match = FRAME_KEY.fullmatch(key)
        if match is None or not isinstance(entry, dict):
            raise ArtefactError(f"{path}: unexpected entry {key!r} (frames are frame_NNNNNN)")
        missing = [name for name in ("intrinsic", "aligned_pose") if name not in entry]
        if missing:
            raise ArtefactError(f"{path}: {key}: missing {missing}")
        K_px = intrinsic_matrix(path, f"{key} intrinsic", entry["intrinsic"])
        T_world_cam = rigid_transform(path, f"{key} aligned_pose", entry["aligned_pose"])
        frames.append(PosedFrame(key, int(match.group(1)), K_px, T_world_cam))
    return sorted(frames, key=lambda frame: frame.index)


def iphone_frames(
    layout: ScanNetppLayout, count: int, width: int
) -> tuple[list[CameraFrame], dict[str, bytes]]:
    """``count`` evenly spaced iPhone frames at ``width`` pixels: cameras and JPEGs.

    Frames with extracted JPEGs (``iphone/rgb/``) are the candidates when that folder exists;
    otherwise every posed frame is, read from the video."""
    posed = read_iphone_poses(layout.pose_json)
    if layout.rgb_dir.is_dir():
        posed = [f for f in posed if (layout.rgb_dir / f"{f.frame_id}.jpg").is_file()]
        if not posed:
            raise ArtefactError(f"{layout.rgb_dir}: no JPEG of a frame in {layout.pose_json}")
        chosen = [posed[i] for i in evenly_spaced(len(posed), count)]
        photos = {f.index: decode_image(layout.rgb_dir / f"{f.frame_id}.jpg") for f in chosen}
    else:
        video = layout.video()
        if video is None:
            raise ArtefactError(
                f"{layout.scene_dir / 'iphone'}: no rgb/ frames and no {' or '.join(VIDEO_NAMES)}"
            )
        chosen = [posed[i] for i in evenly_spaced(len(posed), count)]
        photos = read_video_frames(video, [f.index for f in chosen])
    cameras, images = [], {}
    for frame in chosen:
        rgb = photos[frame.index]
        check_principal_point(layout.pose_json, frame.frame_id, frame.K_px, rgb)
        rgb, K_px = fit_photo(rgb, frame.K_px, width)
        cameras.append(camera_frame(frame.frame_id, K_px, frame.T_world_cam, rgb))
        images[frame.frame_id] = encode_jpeg(rgb)
    return cameras, images


def load_capture(
    root: Path | str, scene_id: str, device: Device, frames: int, width: int
) -> Capture:
    """The scene, ``frames`` evenly spaced cameras of ``device`` at ``width`` pixels, photos.

    Raises:
        ArtefactError: a missing or malformed file; the message names it.
    """
    if width < 1 or frames < 1:
        raise ValueError(f"width={width}, frames={frames}: need positive numbers")
    layout = ScanNetppLayout(Path(root), scene_id)
    if not layout.scene_dir.is_dir():
        raise ArtefactError(f"{layout.scene_dir}: no such ScanNet++ scene. {HOWTO}")
    scene = load_scan(layout)
    if device is Device.IPHONE:
        cameras, images = iphone_frames(layout, frames, width)
    else:
        cameras, images = dslr_frames(layout.dslr_dir, frames, width)
    scene = replace(scene, info={**scene.info, "device": device.value})
    return Capture(scene, tuple(cameras), images)

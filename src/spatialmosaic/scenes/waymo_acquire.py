"""Download Waymo Open Dataset v2 segments with the Google Cloud CLI, resumably, with checksums.

The dataset is licence-gated: register at waymo.com/open, accept the licence with a Google
account, then authenticate that account for ``gcloud`` (``gcloud auth login``, or a service
account key named by ``GOOGLE_APPLICATION_CREDENTIALS``). Nothing here stores credentials.
``gcloud storage cp`` checks each object against the bucket's own CRC32C/MD5 as it downloads;
a manifest of SHA-256 digests next to the data lets a rerun skip verified files and
re-fetch damaged ones.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tqdm import tqdm

from spatialmosaic.io import ArtefactError, atomic_path
from spatialmosaic.scenes.manifests import (
    AcquisitionError,
    manifest_file,
    read_manifest,
    sha256,
    write_manifest,
)

BUCKET = "gs://waymo_open_dataset_v_2_0_1"
COMPONENTS = (
    "camera_image",
    "camera_calibration",
    "lidar_box",
    "vehicle_pose",
    "camera_to_lidar_box_association",
)
REQUIRED = COMPONENTS[:4]  # the association only adds camera_labels (docs/waymo.md)
MANIFEST_FORMAT = "spatialmosaic.waymo-manifest"
HOWTO = (
    "install the Google Cloud CLI, accept the Waymo Open Dataset licence at waymo.com/open, then "
    "run `gcloud auth login` with that account (or set GOOGLE_APPLICATION_CREDENTIALS)"
)


def component_file(split: str, component: str, segment: str) -> str:
    """Path of a component inside the bucket and inside the local root (the same layout)."""
    return f"{split}/{component}/{segment}.parquet"


def _read_manifest(path: Path) -> dict[str, str]:
    return read_manifest(path, MANIFEST_FORMAT)


def acquire_segments(
    segments: list[str], split: str, root: Path, bucket: str = BUCKET
) -> dict[str, str]:
    """Fetch every component of ``segments`` into ``root/<split>/<component>/``; returns the
    manifest (file -> SHA-256). Files already there with their recorded digest are kept."""
    gcloud = shutil.which("gcloud")
    if gcloud is None:
        raise AcquisitionError(f"gcloud not found on PATH: {HOWTO}")
    manifests = {}
    for segment in segments:
        manifests.update(_acquire_segment(gcloud, segment, split, root, bucket))
    return manifests


def manifest_path(root: Path, segment: str) -> Path:
    return manifest_file(root, segment)


def _acquire_segment(gcloud: str, segment: str, split: str, root: Path, bucket: str):
    manifest = _read_manifest(manifest_path(root, segment))
    wanted = [component_file(split, component, segment) for component in COMPONENTS]
    for relative in tqdm(wanted, desc=f"waymo {segment}", unit="file"):
        dest = root / relative
        if dest.exists() and manifest.get(relative) == sha256(dest):
            continue
        with atomic_path(dest) as tmp:
            command = [gcloud, "storage", "cp", f"{bucket}/{relative}", str(tmp)]
            result = subprocess.run(command, capture_output=True, text=True, check=False)
            if result.returncode != 0 or not tmp.exists():
                detail = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["no output"]
                raise AcquisitionError(
                    f"gcloud storage cp {bucket}/{relative} failed ({detail[0]}); {HOWTO}"
                )
        manifest[relative] = sha256(dest)
        write_manifest(manifest_path(root, segment), MANIFEST_FORMAT, manifest)
    return manifest


def verify_segments(segments: list[str], split: str, root: Path, digests: bool = True) -> None:
    """Every required component is present and, with ``digests``, every recorded one matches
    the manifest; else a clear error naming the file. The workflow's start-up check passes
    ``digests=False`` (hashing gigabytes on every DAG build would dwarf it); the digests are
    checked where a snapshot reads the files (``stages.waymo_scene``)."""
    for segment in segments:
        manifest = _read_manifest(manifest_path(root, segment))
        for component in COMPONENTS:
            relative = component_file(split, component, segment)
            path = root / relative
            if not path.exists() and component not in REQUIRED:
                continue
            if not path.exists():
                raise ArtefactError(f"{path}: missing; run the acquire_waymo rule ({HOWTO})")
            if digests and relative in manifest and manifest[relative] != sha256(path):
                raise ArtefactError(
                    f"{path}: SHA-256 differs from {manifest_path(root, segment)}; re-download"
                )

"""Download ScanNet++ scenes with the official download script, resumably, with checksums.

ScanNet++ is licensed: apply at kaldir.vc.in.tum.de/scannetpp; approval brings a personal
token and the download script (``download_scannetpp.py`` with its ``download_scannetpp.yml``).
For each scene this module

1. skips the scene when every file it needs is on disk with the digest recorded earlier;
2. writes a private copy of the official YAML (mode 0600, outside the repository, deleted
   afterwards) that sets ``token`` from an environment variable, ``data_root`` to a fresh
   staging folder, ``download_scenes`` to the scene and ``download_assets`` to what is missing;
3. runs the script with ``y`` on standard input (it asks before a large download) and relays
   its output with the token masked (the script prints it);
4. checks that every asset arrived (the script reports failures but may still exit 0), moves
   the files into ``<root>/data/<scene>/`` one ``os.replace`` at a time, and records each
   file's SHA-256 in ``<root>/manifests/<scene>.sha256.json``.

A download killed half-way leaves only the staging folder, which the next run deletes. Asset
names are the ``ScannetppScene_Release`` properties the script resolves with ``getattr``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

from spatialmosaic.io import ArtefactError
from spatialmosaic.scenes.manifests import (
    AcquisitionError,
    check_digests,
    manifest_file,
    read_manifest,
    sha256,
    write_manifest,
)
from spatialmosaic.scenes.scannetpp import HOWTO, Device, ScanNetppLayout

MANIFEST_FORMAT = "spatialmosaic.scannetpp-manifest"
# ScannetppScene_Release property -> path inside data/<scene_id>/ (common/scene_release.py).
ASSET_PATHS = {
    "scan_mesh_path": "scans/mesh_aligned_0.05.ply",
    "scan_mesh_segs_path": "scans/segments.json",
    "scan_anno_json_path": "scans/segments_anno.json",
    "iphone_video_path": "iphone/rgb.mp4",
    "iphone_pose_intrinsic_imu_path": "iphone/pose_intrinsic_imu.json",
    "dslr_resized_dir": "dslr/resized_images",
    "dslr_colmap_dir": "dslr/colmap",
    "dslr_nerfstudio_transform_path": "dslr/nerfstudio/transforms.json",
}
SCAN_ASSETS = ("scan_mesh_path", "scan_mesh_segs_path", "scan_anno_json_path")
DEVICE_ASSETS = {
    Device.IPHONE: SCAN_ASSETS + ("iphone_video_path", "iphone_pose_intrinsic_imu_path"),
    Device.DSLR: SCAN_ASSETS
    + ("dslr_resized_dir", "dslr_colmap_dir", "dslr_nerfstudio_transform_path"),
}
STAGING = ".staging"
MASK = "<token>"


def manifest_path(root: Path, scene_id: str) -> Path:
    return manifest_file(root, scene_id)


def _files(path: Path) -> list[Path]:
    """A file, or every file under a folder."""
    return sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]


def _missing_assets(root: Path, scene_id: str, device: Device) -> list[str]:
    """Assets not on disk, or whose files differ from the manifest."""
    manifest = read_manifest(manifest_path(root, scene_id), MANIFEST_FORMAT)
    scene_dir = ScanNetppLayout(root, scene_id).scene_dir
    missing = []
    for asset in DEVICE_ASSETS[device]:
        path = scene_dir / ASSET_PATHS[asset]
        files = _files(path) if path.exists() else []
        if not files or any(manifest.get(str(p.relative_to(root))) != sha256(p) for p in files):
            missing.append(asset)
    return missing


def _download_config(
    template: Path, token: str, staging: Path, scene_id: str, assets: list[str]
) -> dict:
    try:
        config = yaml.safe_load(template.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise AcquisitionError(f"{template}: cannot read the download config ({error})") from None
    if not isinstance(config, dict) or "root_url" not in config:
        raise AcquisitionError(f"{template}: not the official download_scannetpp.yml (no root_url)")
    return {
        **config,
        "token": token,
        "data_root": str(staging),
        "download_scenes": [scene_id],
        "download_assets": assets,
        "download_splits": None,
        "dry_run": False,
        "metadata_only": False,
    }


def _run_script(python: str, script: Path, config: dict, staging: Path, token: str) -> str:
    """Run the script on a private YAML; returns its output with the token masked."""
    handle, config_path = tempfile.mkstemp(prefix="download-", suffix=".yml", dir=staging)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:  # mkstemp: mode 0600
            yaml.safe_dump(config, out, sort_keys=True)
        result = subprocess.run(
            [python, str(script), config_path],
            input="y\n",
            capture_output=True,
            text=True,
            check=False,
            cwd=script.parent,
        )
    finally:
        Path(config_path).unlink(missing_ok=True)
    output = (result.stdout + result.stderr).replace(token, MASK)
    if result.returncode != 0:
        last = output.strip().splitlines()[-1:] or ["no output"]
        raise AcquisitionError(f"{script} exited {result.returncode} ({last[0]}); {HOWTO}")
    return output


def acquire_scene(
    root: Path,
    scene_id: str,
    device: Device,
    script: Path,
    config_template: Path | None = None,
    token_env: str = "SCANNETPP_TOKEN",
    python: str | None = None,
) -> dict[str, str]:
    """Download what ``device``'s capture of ``scene_id`` needs into ``root/data/<scene_id>``;
    returns the scene's manifest (path relative to ``root`` -> SHA-256).

    Raises:
        AcquisitionError: no token, no script, the script failed or an asset did not arrive.
    """
    root = Path(root)
    missing = _missing_assets(root, scene_id, device)
    if not missing:
        return read_manifest(manifest_path(root, scene_id), MANIFEST_FORMAT)
    token = os.environ.get(token_env, "").strip()
    if not token:
        raise AcquisitionError(
            f"environment variable {token_env} is empty: export your ScanNet++ token there "
            f"(never in a file of the repository); {HOWTO}"
        )
    script = Path(script)
    if not script.is_file():
        raise AcquisitionError(f"{script}: no download_scannetpp.py there; {HOWTO}")
    template = Path(config_template or script.with_name("download_scannetpp.yml"))
    staging = root / STAGING / scene_id
    shutil.rmtree(staging, ignore_errors=True)  # a killed run's partial files
    staging.mkdir(parents=True)
    try:
        config = _download_config(template, token, staging, scene_id, missing)
        output = _run_script(python or sys.executable, script, config, staging, token)
        sys.stdout.write(output)
        return _install(root, staging, scene_id, missing)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _install(root: Path, staging: Path, scene_id: str, assets: list[str]) -> dict[str, str]:
    """Move the downloaded assets into place, then record their digests."""
    staged = ScanNetppLayout(staging, scene_id).scene_dir
    absent = [ASSET_PATHS[a] for a in assets if not (staged / ASSET_PATHS[a]).exists()]
    if absent:
        raise AcquisitionError(
            f"the download script did not deliver {absent} of scene {scene_id} (see its output "
            f"above; a 401 means an invalid or expired token); {HOWTO}"
        )
    manifest = read_manifest(manifest_path(root, scene_id), MANIFEST_FORMAT)
    scene_dir = ScanNetppLayout(root, scene_id).scene_dir
    for asset in assets:
        for path in _files(staged / ASSET_PATHS[asset]):
            dest = scene_dir / path.relative_to(staged)
            dest.parent.mkdir(parents=True, exist_ok=True)
            manifest[str(dest.relative_to(root))] = sha256(path)
            os.replace(path, dest)
    write_manifest(manifest_path(root, scene_id), MANIFEST_FORMAT, manifest)
    return manifest


def verify_scene(root: Path, scene_id: str, device: Device, digests: bool = True) -> None:
    """Every file the capture needs is there and, with ``digests``, matches the manifest.

    The workflow's start-up check passes ``digests=False``; the scene stage checks digests.

    Raises:
        ArtefactError: naming the first missing or changed file.
    """
    root = Path(root)
    for path in ScanNetppLayout(root, scene_id).required(device):
        if not path.exists():
            raise ArtefactError(f"{path}: missing; {HOWTO}")
    if digests:
        what = "re-download it (scenes.scannetpp.download: true)"
        check_digests(root, manifest_path(root, scene_id), MANIFEST_FORMAT, what)

"""SHA-256 manifests beside downloaded data, shared by the licence-gated acquisitions.

A dataset's download tools check transfers their own way (gcloud: CRC32C/MD5; the ScanNet++
script: zip CRCs); none publishes one digest per file. So the first download records each
file's SHA-256 in ``<root>/manifests/<name>.sha256.json``: a rerun keeps files that still
match, fetches again those that do not, and a stage reading the data can check it has not
changed since.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from spatialmosaic.io import ArtefactError, read_json, write_json

MANIFESTS = "manifests"


class AcquisitionError(RuntimeError):
    """A download could not be done; the message says what to do."""


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def manifest_file(root: Path, name: str) -> Path:
    """``<root>/manifests/<name>.sha256.json``: one per segment or scene, so parallel
    downloads never write the same file."""
    return root / MANIFESTS / f"{name}.sha256.json"


def read_manifest(path: Path, kind: str) -> dict[str, str]:
    """Relative file path -> SHA-256; empty when there is no manifest yet."""
    if not path.exists():
        return {}
    return dict(read_json(path, kind=kind)["sha256"])


def write_manifest(path: Path, kind: str, digests: dict[str, str]) -> None:
    write_json(path, {"format": kind, "sha256": digests})


def check_digests(root: Path, manifest: Path, kind: str, what: str) -> None:
    """Every file the manifest lists (relative to ``root``) still has its digest.

    Raises:
        ArtefactError: naming the first file that is missing or differs.
    """
    for relative, digest in sorted(read_manifest(manifest, kind).items()):
        path = root / relative
        if not path.is_file():
            raise ArtefactError(f"{path}: listed in {manifest} but missing; {what}")
        if sha256(path) != digest:
            raise ArtefactError(f"{path}: SHA-256 differs from {manifest}; {what}")

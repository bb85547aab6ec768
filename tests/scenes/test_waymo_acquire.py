"""Waymo acquisition through a stand-in `gcloud` that copies from a local folder bucket."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from spatialmosaic.io import ArtefactError
from spatialmosaic.scenes.waymo_acquire import (
    COMPONENTS,
    AcquisitionError,
    acquire_segments,
    manifest_path,
    sha256,
    verify_segments,
)

SEGMENT = "123_456"
FAKE_GCLOUD = """#!/bin/sh
# gcloud storage cp gs://bucket/<path> <dest>: copy from $FAKE_BUCKET/<path>, log the call
echo "$3" >> "$FAKE_BUCKET/calls.log"
src="$FAKE_BUCKET/${3#gs://bucket/}"
[ -f "$src" ] || { echo "ERROR: (gcloud.storage.cp) URLs matched no objects" >&2; exit 1; }
cp "$src" "$4"
"""


@pytest.fixture
def bucket(tmp_path, monkeypatch) -> Path:
    bucket = tmp_path / "bucket"
    for number, component in enumerate(COMPONENTS):
        path = bucket / "training" / component / f"{SEGMENT}.parquet"
        path.parent.mkdir(parents=True)
        path.write_bytes(bytes([number]) * 100)
    tools = tmp_path / "bin"
    tools.mkdir()
    gcloud = tools / "gcloud"
    gcloud.write_text(FAKE_GCLOUD)
    gcloud.chmod(gcloud.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{tools}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_BUCKET", str(bucket))
    return bucket


def calls(bucket: Path) -> list[str]:
    return (bucket / "calls.log").read_text().split()


def test_downloads_every_component_and_records_digests(bucket, tmp_path):
    root = tmp_path / "waymo"
    manifest = acquire_segments([SEGMENT], "training", root, "gs://bucket")
    assert len(calls(bucket)) == len(COMPONENTS)
    for component in COMPONENTS:
        path = root / "training" / component / f"{SEGMENT}.parquet"
        assert path.read_bytes() == (bucket / path.relative_to(root)).read_bytes()
        assert manifest[f"training/{component}/{SEGMENT}.parquet"] == sha256(path)
    assert manifest_path(root, SEGMENT).exists()
    verify_segments([SEGMENT], "training", root)


def test_rerun_skips_verified_files_and_refetches_damaged_ones(bucket, tmp_path):
    root = tmp_path / "waymo"
    acquire_segments([SEGMENT], "training", root, "gs://bucket")
    acquire_segments([SEGMENT], "training", root, "gs://bucket")
    assert len(calls(bucket)) == len(COMPONENTS)  # resumed: nothing fetched twice
    damaged = root / "training" / "lidar_box" / f"{SEGMENT}.parquet"
    damaged.write_bytes(b"truncated")
    with pytest.raises(ArtefactError, match="lidar_box.*SHA-256 differs"):
        verify_segments([SEGMENT], "training", root)
    acquire_segments([SEGMENT], "training", root, "gs://bucket")
    assert calls(bucket)[-1].endswith(f"lidar_box/{SEGMENT}.parquet")
    verify_segments([SEGMENT], "training", root)


def test_missing_object_and_missing_gcloud_give_clear_errors(bucket, tmp_path, monkeypatch):
    with pytest.raises(AcquisitionError, match="gs://bucket/training/camera_image/nope.parquet"):
        acquire_segments(["nope"], "training", tmp_path / "waymo", "gs://bucket")
    assert not list((tmp_path / "waymo").rglob("*.parquet"))  # no half-written file
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(AcquisitionError, match="gcloud not found.*waymo.com/open"):
        acquire_segments([SEGMENT], "training", tmp_path / "waymo", "gs://bucket")
    with pytest.raises(ArtefactError, match="camera_image/123_456.parquet: missing"):
        verify_segments([SEGMENT], "training", tmp_path / "elsewhere")

"""ScanNet++ acquisition through a stand-in for the official download script (no network).

The stand-in reads the generated YAML the way ``download_scannetpp.py`` does (``token``,
``data_root``, ``download_scenes``, ``download_assets``, ``root_url``), asks for confirmation
on standard input, prints the token as the real script does, and copies each asset from a
local "server" folder to ``<data_root>/data/<scene>/``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

import scannetpp_fixture as fx
from spatialmosaic.io import ArtefactError
from spatialmosaic.scenes.scannetpp import Device
from spatialmosaic.scenes.scannetpp_acquire import (
    ASSET_PATHS,
    DEVICE_ASSETS,
    MASK,
    AcquisitionError,
    acquire_scene,
    manifest_path,
    verify_scene,
)

TOKEN = "secret-token-123"
STAND_IN = """
import json, os, shutil, sys
from pathlib import Path
import yaml

config = yaml.safe_load(open(sys.argv[1]))
log = Path(os.environ["FAKE_SCANNETPP_SERVER"]) / "calls.jsonl"
with log.open("a") as handle:
    handle.write(json.dumps({"config": config, "mode": oct(os.stat(sys.argv[1]).st_mode)}) + "\\n")
print(f"Using token from config file: {config['token']}")
if input().strip() != "y":
    sys.exit("not confirmed")
paths = json.loads(os.environ["FAKE_ASSET_PATHS"])
for scene in config["download_scenes"]:
    for asset in config["download_assets"]:
        source = Path(os.environ["FAKE_SCANNETPP_SERVER"]) / "data" / scene / paths[asset]
        target = Path(config["data_root"]) / "data" / scene / paths[asset]
        target.parent.mkdir(parents=True, exist_ok=True)
        if not source.exists():
            print(f"ERROR when accessing {config['root_url']}: 404")
        elif source.is_dir():
            shutil.copytree(source, target)
        else:
            shutil.copyfile(source, target)
"""
TEMPLATE = {
    "root_url": "https://example.invalid/download?token=TOKEN&file=FILEPATH",
    "token": "<YOUR_TOKEN_HERE>",
    "data_root": "<DOWNLOAD_LOCATION_HERE>",
    "splits": ["nvs_sem_train", "nvs_sem_val"],
    "zipped_assets": ["dslr_resized_dir", "dslr_colmap_dir"],
    "meta_files": ["splits/nvs_sem_train.txt"],
    "exclude_assets": {},
    "verbose": True,
}


@pytest.fixture
def server(tmp_path, monkeypatch) -> Path:
    """The 'server': a scene with an mp4 (the toolkit's name) and a DSLR folder."""
    server = fx.write_dslr(fx.write_scene(tmp_path / "server", video="rgb.mp4"))
    tools = tmp_path / "toolkit"
    tools.mkdir()
    (tools / "download_scannetpp.py").write_text(STAND_IN)
    (tools / "download_scannetpp.yml").write_text(yaml.safe_dump(TEMPLATE))
    monkeypatch.setenv("FAKE_SCANNETPP_SERVER", str(server))
    monkeypatch.setenv("FAKE_ASSET_PATHS", json.dumps(ASSET_PATHS))
    monkeypatch.setenv("SCANNETPP_TOKEN", TOKEN)
    return server


def calls(server: Path) -> list[dict]:
    log = server / "calls.jsonl"
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def script(server: Path) -> Path:
    return server.parent / "toolkit" / "download_scannetpp.py"


def test_download_uses_the_official_config_with_the_token_from_the_environment(
    server, tmp_path, capsys
):
    root = tmp_path / "scannetpp"
    manifest = acquire_scene(root, fx.SCENE_ID, Device.IPHONE, script(server))
    (call,) = calls(server)
    config = call["config"]
    assert config["token"] == TOKEN and config["root_url"] == TEMPLATE["root_url"]
    assert config["download_scenes"] == [fx.SCENE_ID]
    assert config["download_assets"] == list(DEVICE_ASSETS[Device.IPHONE])
    assert config["dry_run"] is False and call["mode"].endswith("600")  # private copy
    assert TOKEN not in capsys.readouterr().out  # the script prints it; we mask it
    assert not list(root.rglob("*.yml"))  # the config with the token is gone
    assert not (root / ".staging").exists() or not any((root / ".staging").iterdir())
    verify_scene(root, fx.SCENE_ID, Device.IPHONE)
    scene_dir = root / "data" / fx.SCENE_ID
    assert (scene_dir / "iphone" / "rgb.mp4").read_bytes() == (
        server / "data" / fx.SCENE_ID / "iphone" / "rgb.mp4"
    ).read_bytes()
    assert f"data/{fx.SCENE_ID}/scans/segments.json" in manifest
    assert manifest_path(root, fx.SCENE_ID).is_file()


def test_masked_output_is_relayed(server, tmp_path, capsys):
    acquire_scene(tmp_path / "scannetpp", fx.SCENE_ID, Device.IPHONE, script(server))
    assert f"Using token from config file: {MASK}" in capsys.readouterr().out


def test_rerun_fetches_nothing_then_only_what_changed(server, tmp_path):
    root = tmp_path / "scannetpp"
    acquire_scene(root, fx.SCENE_ID, Device.DSLR, script(server))
    acquire_scene(root, fx.SCENE_ID, Device.DSLR, script(server))
    assert len(calls(server)) == 1  # resumed: everything verified, nothing fetched
    damaged = root / "data" / fx.SCENE_ID / "scans" / "segments.json"
    damaged.write_text("{}")
    with pytest.raises(ArtefactError, match="segments.json: SHA-256 differs"):
        verify_scene(root, fx.SCENE_ID, Device.DSLR)
    acquire_scene(root, fx.SCENE_ID, Device.DSLR, script(server))
    assert calls(server)[-1]["config"]["download_assets"] == ["scan_mesh_segs_path"]
    verify_scene(root, fx.SCENE_ID, Device.DSLR)


def test_an_asset_the_server_lacks_fails_without_leaving_partial_files(server, tmp_path):
    (server / "data" / fx.SCENE_ID / "scans" / "segments_anno.json").unlink()
    root = tmp_path / "scannetpp"
    with pytest.raises(AcquisitionError, match=r"did not deliver \['scans/segments_anno.json'\]"):
        acquire_scene(root, fx.SCENE_ID, Device.IPHONE, script(server))
    assert not (root / "data").exists()  # nothing half-installed
    assert not manifest_path(root, fx.SCENE_ID).exists()


def test_missing_token_script_or_failing_script_are_clear(server, tmp_path, monkeypatch):
    root = tmp_path / "scannetpp"
    monkeypatch.setenv("MY_TOKEN", "")
    with pytest.raises(AcquisitionError, match="environment variable MY_TOKEN is empty"):
        acquire_scene(root, fx.SCENE_ID, Device.IPHONE, script(server), token_env="MY_TOKEN")
    with pytest.raises(AcquisitionError, match="nope.py: no download_scannetpp.py there"):
        acquire_scene(root, fx.SCENE_ID, Device.IPHONE, tmp_path / "nope.py")
    broken = tmp_path / "broken.py"
    broken.write_text(
        "import sys, yaml\ntoken = yaml.safe_load(open(sys.argv[1]))['token']\n"
        "print(f'HTTP Error 401: invalid token {token}')\nsys.exit(3)\n"
    )
    template = script(server).with_name("download_scannetpp.yml")
    with pytest.raises(AcquisitionError, match=f"broken.py exited 3 .*invalid token {MASK}"):
        acquire_scene(root, fx.SCENE_ID, Device.IPHONE, broken, template)


def test_verify_names_missing_files(tmp_path):
    with pytest.raises(ArtefactError, match="mesh_aligned_0.05.ply: missing; ScanNet"):
        verify_scene(tmp_path, fx.SCENE_ID, Device.IPHONE)

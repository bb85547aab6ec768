"""Real indoor scans through the workflow: DAG plans, start-up checks and a run to the QA."""

from __future__ import annotations

from pathlib import Path

import pytest

import scannet_fixture as sf
import scannetpp_fixture as fx
from spatialmosaic.config import ConfigError, check_data_sources, validate_config
from spatialmosaic.io import read_json
from workflow_support import BIN, ROOT, copy_repo, planned_jobs, run

SECOND_ID = "5f6a7b8c9d"


def _overlay(tmp_path: Path, text: str) -> Path:
    overlay = tmp_path / "overlay.yaml"
    overlay.write_text(text)
    return overlay


def _dry_run(overlay: Path, check: bool = True):
    command = [str(BIN / "snakemake"), "-n", "--cores", "1", "--configfile", "config/tiny.yaml",
               str(overlay), "--forceall"]  # fmt: skip
    return run(command, ROOT, check=check)


def _scannetpp_overlay(tmp_path: Path, root: Path, extra: str = "") -> Path:
    (root / "splits").mkdir(parents=True, exist_ok=True)
    (root / "splits" / "nvs_sem_val.txt").write_text(f"{SECOND_ID}\n{fx.SCENE_ID}\n")
    return _overlay(
        tmp_path,
        f"scenes:\n  indoor_source: scannetpp\n  outdoor_count: 0\n  scannetpp:\n"
        f"    root: {root}\n    scenes: ['{fx.SCENE_ID}']\n"
        f"    split_files: [splits/nvs_sem_val.txt]\n    frames_per_scene: 5\n{extra}",
    )


def test_scannetpp_scenes_replace_the_built_in_rooms_in_the_dag(tmp_path):
    root = fx.write_scene(fx.write_scene(tmp_path / "scannetpp"), SECOND_ID)
    overlay = _scannetpp_overlay(tmp_path, root)
    jobs = planned_jobs(_dry_run(overlay).stdout)
    assert jobs["scenes_scannetpp"] == 2 and jobs["render_frames"] == 2
    assert "scenes_build" not in jobs and "views_walkthrough" not in jobs
    (root / "data" / SECOND_ID / "scans" / "segments.json").unlink()
    result = _dry_run(overlay, check=False)
    assert result.returncode != 0
    assert f"{SECOND_ID}/scans/segments.json: missing" in result.stdout + result.stderr
    assert "scenes.scannetpp.download: true" in result.stdout + result.stderr


def test_download_needs_the_script_and_the_token_before_any_rule_runs(tmp_path, monkeypatch):
    root = fx.write_scene(tmp_path / "scannetpp")  # SECOND_ID is not downloaded yet
    (root / "splits").mkdir()
    (root / "splits" / "nvs_sem_val.txt").write_text(f"{SECOND_ID}\n")
    block = {"root": str(root), "split_files": ["splits/nvs_sem_val.txt"], "download": True,
             "token_env": "TEST_SCANNETPP_TOKEN"}  # fmt: skip
    config = validate_config({"scenes": {"indoor_source": "scannetpp", "scannetpp": block}})
    with pytest.raises(ConfigError, match="scannetpp.download_script=None: not a file"):
        check_data_sources(config)
    (tmp_path / "download_scannetpp.py").write_text("# the official script\n")
    config["scenes"]["scannetpp"]["download_script"] = str(tmp_path / "download_scannetpp.py")
    monkeypatch.delenv("TEST_SCANNETPP_TOKEN", raising=False)
    with pytest.raises(ConfigError, match="TEST_SCANNETPP_TOKEN: that environment variable is"):
        check_data_sources(config)
    monkeypatch.setenv("TEST_SCANNETPP_TOKEN", "t")
    check_data_sources(config)
    config["scenes"]["scannetpp"]["split_files"] = ["splits/nope.txt"]
    with pytest.raises(ConfigError, match="scannetpp.split_files: .*nope.txt: scene list not"):
        check_data_sources(config)


def test_download_plans_one_acquisition_per_scene(tmp_path, monkeypatch):
    root = fx.write_scene(tmp_path / "scannetpp")
    (tmp_path / "download_scannetpp.py").write_text("# the official script\n")
    extra = (f"    download: true\n    token_env: TEST_SCANNETPP_TOKEN\n"
             f"    download_script: {tmp_path / 'download_scannetpp.py'}\n")  # fmt: skip
    monkeypatch.setenv("TEST_SCANNETPP_TOKEN", "t")
    jobs = planned_jobs(_dry_run(_scannetpp_overlay(tmp_path, root, extra)).stdout)
    assert jobs["acquire_scannetpp"] == 2 and jobs["scenes_scannetpp"] == 2


def test_scannet_scans_plug_in_as_the_indoor_source(tmp_path):
    root = sf.write_all(sf.write_all(tmp_path / "scannet", "scene0043_00"))  # val: scene0042_00
    overlay = _overlay(
        tmp_path,
        f"scenes:\n  indoor_source: scannet\n  outdoor_count: 0\n  scannet:\n    root: {root}\n"
        f"    scenes: [scene0043_00]\n    split_files: [scannetv2_val.txt]\n",
    )
    jobs = planned_jobs(_dry_run(overlay).stdout)
    assert jobs["scenes_scannet"] == 2 and "scenes_build" not in jobs


def test_scannetpp_scenes_run_through_render_visibility_and_qa(tmp_path):
    """The real rules on two fixture scenes, in a fresh copy of the repository."""
    repo = copy_repo(tmp_path / "repo")
    root = fx.write_scene(tmp_path / "scannetpp", furnished=True)
    fx.write_scene(root, SECOND_ID, furnished=True)
    overlay = _scannetpp_overlay(tmp_path, root)
    layout = "data/tiny"
    targets = [f"{layout}/qa/benchmark.json", f"{layout}/qa/train_records.json"]
    run([str(BIN / "snakemake"), *targets, "--cores", "2", "--configfile", "config/tiny.yaml",
         str(overlay)], repo)  # fmt: skip
    for scene in (fx.SCENE_ID, SECOND_ID):
        assert (repo / layout / "render" / scene / "images" / "frame_000000.jpg").is_file()
        visibility = read_json(repo / layout / "visibility" / f"{scene}.json")
        assert visibility["scene_name"] == scene
    records = [r for f in targets for r in read_json(repo / f)]
    assert records and {r["dataset"] for r in records} == {"scannetpp"}
    assert {r["scene_name"] for r in records} <= {fx.SCENE_ID, SECOND_ID}

"""Checks of the workflow's definition that need no run: DAG, dvc.yaml, envs, README, CI."""

from __future__ import annotations

import re
import tomllib

import yaml

from spatialmosaic.dvc_stages import STAGE_PARAMS
from workflow_support import BIN, ROOT, planned_jobs, run


def test_dry_run_plans_every_stage_for_each_profile_scene():
    result = run([str(BIN / "snakemake"), "-n", "--cores", "1", "--configfile",
                  "config/tiny.yaml", "--forceall"], ROOT)  # fmt: skip
    jobs = planned_jobs(result.stdout + result.stderr)
    assert jobs["scenes_build"] == jobs["scenes_street"] == jobs["views_rig"] == 2
    assert jobs["render_frames"] == jobs["qa_generate"] == 4
    assert {rule.split("_")[0] for rule in jobs} - {"all"} == set(STAGE_PARAMS)


def test_waymo_segments_plug_in_as_outdoor_scenes(tmp_path):
    import waymo_fixture

    root = tmp_path / "waymo"
    waymo_fixture.write_segment(root / "training")
    overlay = tmp_path / "waymo.yaml"
    overlay.write_text(
        f"scenes:\n  outdoor_count: 0\n  waymo:\n    root: {root}\n"
        f"    segments: ['{waymo_fixture.SEGMENT}']\n    snapshots_per_segment: 2\n"
    )
    command = [str(BIN / "snakemake"), "-n", "--cores", "1", "--configfile", "config/tiny.yaml",
               str(overlay), "--forceall"]  # fmt: skip
    jobs = planned_jobs(run(command, ROOT).stdout)
    assert jobs["scenes_waymo"] == 2 and jobs["render_frames"] == 4 and "views_rig" not in jobs
    (root / "training" / "lidar_box" / f"{waymo_fixture.SEGMENT}.parquet").unlink()
    result = run(command, ROOT, check=False)
    assert result.returncode != 0
    assert "lidar_box" in result.stdout + result.stderr
    assert "scenes.waymo.download: true" in result.stdout + result.stderr


def test_full_profile_trains_the_small_scale_on_smollm2():
    result = run([str(BIN / "snakemake"), "-n", "-p", "--cores", "1", "--configfile",
                  "config/full.yaml", "--forceall"], ROOT)  # fmt: skip
    output = result.stdout + result.stderr
    jobs = planned_jobs(output)
    # five variants and the data-size sweep's two shares
    assert jobs["train_convert_smollm2"] == 1 and jobs["train_vlm"] == 7
    assert "train_vision" not in jobs and "train_language" not in jobs
    commands = [line for line in output.splitlines() if "spatialmosaic train vlm" in line]
    assert len(commands) == 7
    assert all("--base-model data/full/models/smollm2" in c and "--scale small" in c
               for c in commands)  # fmt: skip


def test_paper_profile_stops_before_any_rule_with_instructions():
    result = run([str(BIN / "snakemake"), "-n", "--cores", "1", "--configfile",
                  "config/paper.yaml"], ROOT, check=False)  # fmt: skip
    assert result.returncode != 0
    assert "scenes.scannetpp.root=None" in result.stdout + result.stderr


def test_invalid_config_is_refused_naming_the_key(tmp_path):
    overlay = tmp_path / "bad.yaml"
    overlay.write_text("viewsets:\n  max_overlap: 1.3\n")
    result = run([str(BIN / "snakemake"), "-n", "--cores", "1", "--configfile", str(overlay)],
                 ROOT, check=False)  # fmt: skip
    assert result.returncode != 0
    assert "viewsets.max_overlap=1.3" in result.stdout + result.stderr


def test_dvc_yaml_is_generated_from_the_snakefile():
    run([str(BIN / "spatialmosaic"), "dvc", "generate", "--out", "dvc.yaml", "--check"], ROOT)
    stages = yaml.safe_load((ROOT / "dvc.yaml").read_text())["stages"]
    assert list(stages) == list(STAGE_PARAMS)
    assert stages["report"]["plots"] and stages["evaluate"]["metrics"]


def test_env_files_pin_the_same_versions_as_pyproject():
    pins = {}
    for requirement in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "dependencies"
    ]:
        name, version = requirement.split("==")
        pins[name] = version
    for env_file in sorted((ROOT / "envs").glob("*.yaml")):
        env = yaml.safe_load(env_file.read_text())
        if "dependencies" not in env:
            continue  # a launcher config (accelerate), not a conda environment
        pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
        for line in pip:
            if "==" in line:
                name, version = line.split("==")
                assert pins.get(name) == version, f"{env_file.name}: {line} vs pyproject"
        assert "-e .." in pip


def test_every_rule_file_uses_an_env_that_exists():
    for rules in (ROOT / "workflow/rules").glob("*.smk"):
        for env in re.findall(r'"\.\./\.\./(envs/[\w.]+)"', rules.read_text()):
            assert (ROOT / env).is_file(), f"{rules.name} names missing {env}"


def test_readme_commands_exist_and_ci_runs_the_test_command():
    readme = (ROOT / "README.md").read_text()
    assert "make reproduce" in readme and "make test" in readme
    makefile = (ROOT / "Makefile").read_text()
    for target in ("reproduce", "test", "install", "sync-times", "dvc-yaml"):
        assert re.search(rf"^{target}:", makefile, re.MULTILINE), target
    assert "make test" in (ROOT / ".ci/run").read_text()
    for target in ("reproduce", "test"):
        plan = run(["make", "-n", target], ROOT).stdout
        assert "torch==2.13.0" in plan or (ROOT / ".venv/.installed").exists()


def test_python_lint_and_format():
    run([str(BIN / "ruff"), "check", "src", "tests", "benchmarks"], ROOT)
    run([str(BIN / "ruff"), "format", "--check", "src", "tests", "benchmarks"], ROOT)


def test_snakemake_lint_and_format():
    run([str(BIN / "snakefmt"), "--check", "Snakefile", "workflow/rules"], ROOT)
    run([str(BIN / "snakemake"), "--lint", "--cores", "1"], ROOT)

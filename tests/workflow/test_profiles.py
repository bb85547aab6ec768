"""The SLURM profile: a dry run plans one job per scene and tags the GPU rules (no cluster)."""

from __future__ import annotations

import re

from workflow_support import BIN, ROOT, planned_jobs, run

GPU_RULES = {"render_frames", "visibility_compute", "train_vision", "train_vlm", "evaluate_model"}


def job_resources(dry_run_output: str) -> dict[str, set[str]]:
    """Rule -> the distinct `resources:` lines of its planned jobs."""
    resources: dict[str, set[str]] = {}
    rule = None
    for line in dry_run_output.splitlines():
        match = re.match(r"^(?:local)?rule (\w+):", line)
        if match:
            rule = match.group(1)
        elif rule and line.strip().startswith("resources:"):
            resources.setdefault(rule, set()).add(line.strip())
    return resources


def test_slurm_profile_dry_run_needs_no_cluster_and_asks_gpus_for_gpu_rules():
    command = [str(BIN / "snakemake"), "--profile", "profiles/slurm", "-n", "--forceall",
               "--configfile", "config/tiny.yaml"]  # fmt: skip
    result = run(command, ROOT)
    output = result.stdout + result.stderr
    assert "Using profile profiles/slurm" in output
    jobs = planned_jobs(output)
    assert jobs["render_frames"] == jobs["visibility_compute"] == jobs["qa_generate"] == 4
    resources = job_resources(output)
    for rule in GPU_RULES:
        assert all("gpu=1" in line and "slurm_partition=gpu" in line for line in resources[rule])
    for rule in ("scenes_build", "qa_stats", "report_table"):
        (line,) = resources[rule]
        assert "slurm_partition=cpu" in line and "gpu=" not in line

"""The tiny profile end to end, in a fresh copy of the repository (what CI runs).

The tests share one workspace and run in order: one full run, then nothing left to do; a QA
parameter change plans QA and downstream only; a run killed inside a rule leaves no
complete-looking output and the next run finishes; DVC records, pushes and pulls the outputs,
Snakemake accepts them after `--touch`, and `dvc repro` after a QA change reruns only QA and
downstream, leaving upstream files untouched. The last two take minutes each: they are marked
slow (`make test-all`).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import time
from collections import Counter

import pytest
import yaml

from spatialmosaic.config import load_config
from spatialmosaic.records import Metric, QuestionType
from workflow_support import BIN, copy_repo, planned_jobs, run, snakemake

DOWNSTREAM_OF_QA = {
    "qa_generate",
    "qa_export_benchmark",
    "qa_export_train",
    "qa_verify",
    "qa_stats",
    "qa_datasheet",
    "qa_parquet",
    "qa_lmms_eval",
    "qa_blind_check",
    "train_frequency",
    "train_blind",
    "train_vision",
    "train_geometry",
    "train_language",
    "train_vlm",
    "evaluate_model",
    "report_table",
    "report_breakdowns",
    "report_domains",
    "report_radar",
    "report_figure",
    "report_dataset_comparison",
    "report_task_distribution",
    "report_example_questions",
    "report_values",
    "report_ablations",
    "report_training_curves",
    "report_scaling",
    "all",
}
REPORT_TABLES = (
    "baselines",
    "breakdowns",
    "main_results",
    "dataset_statistics",
    "dataset_comparison",
    "qa_blind_check",
    "ablations",
)
REPORT_FIGURES = (
    "baselines_by_type",
    "radar_by_domain",
    "street_frames",
    "scene_examples",
    "visibility_overview",
    "task_distribution",
    "example_questions",
    "training_curves",
    "scaling_curve",
)
MCA_TYPES = {qt.value for qt in QuestionType if qt.metric is Metric.ACCURACY}


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    repo = copy_repo(tmp_path_factory.mktemp("clone"))
    run(snakemake(), repo)
    return repo


def test_full_run_produces_dataset_metrics_table_and_figure(workdir):
    benchmark = json.loads((workdir / "data/tiny/qa/benchmark.json").read_text())
    # two small rooms have too few objects for attribute questions (three wrong categories)
    assert len({r["question_type"] for r in benchmark}) >= 12
    scene = benchmark[0]["scene_name"]
    for frame in benchmark[0]["frames"]:
        assert (workdir / "data/tiny/render" / scene / "images" / f"{frame}.jpg").is_file()
    train = json.loads((workdir / "data/tiny/qa/train.json").read_text())
    assert {r["scene_name"] for r in train}.isdisjoint({r["scene_name"] for r in benchmark})
    verified = json.loads((workdir / "results/tiny/metrics/qa_verify.json").read_text())
    for split in verified["splits"].values():
        assert split["checked"] > 0 and split["problems"] == 0
    assert (workdir / "results/tiny/DATASHEET.md").read_text().startswith("# Datasheet")
    assert sorted(p.name for p in (workdir / "data/tiny/qa/hf/data").iterdir()) == [
        "test-00000-of-00001.parquet",
        "train-00000-of-00001.parquet",
    ]
    assert (workdir / "data/tiny/qa/lmms_eval/spatialmosaic_bench.yaml").is_file()
    blind = json.loads((workdir / "results/tiny/metrics/qa_blind_check.json").read_text())
    assert set(blind["types"]) <= {r["question_type"] for r in benchmark}
    table = (workdir / "results/tiny/tables/baselines.md").read_text()
    assert table.startswith("| model | obj_count_occ |") and "| overall (circular) |" in table
    assert [line.split(" | ")[0] for line in table.splitlines()[2:]] == [
        "| chance",
        "| frequency",
        "| blind",
        "| vlm",
        "| vlm_geo",
    ]
    blind_metrics = json.loads((workdir / "results/tiny/metrics/blind.json").read_text())
    assert blind_metrics["samples"] == dict(
        Counter(record["question_type"] for record in benchmark)
    )
    assert set(blind_metrics["breakdowns"]) == {
        "occ_level",
        "overlap_level",
        "vis_level",
        "GT Scenario",
        "views",
    }
    logged = (workdir / "data/tiny/evaluation/blind.jsonl").read_text().splitlines()
    multiple_choice = sum(r["question_type"] in MCA_TYPES for r in benchmark)
    assert len(logged) == len(benchmark) + 3 * multiple_choice  # circular: 4 rotations
    breakdowns = (workdir / "results/tiny/tables/breakdowns.md").read_text()
    assert breakdowns.startswith("| model | dimension | level | n | score |")
    assert (workdir / "paper_figures/tiny/baselines_by_type.png").stat().st_size > 1000
    meta = json.loads((workdir / "data/tiny/qa/benchmark.meta.json").read_text())
    assert "numpy" in meta["versions"]


def test_street_scenes_give_the_outdoor_benchmark_with_nine_tasks(workdir):
    benchmark = json.loads((workdir / "data/tiny/qa/benchmark.json").read_text())
    outdoor = [r for r in benchmark if r["scene_name"].startswith("ours_outdoor_")]
    tasks = {QuestionType(r["question_type"]).task for r in outdoor}
    assert outdoor and len(tasks) >= 7
    assert tasks.isdisjoint({"obj_attribute_occ", "obj_size_occ_na"})
    train = json.loads((workdir / "data/tiny/qa/train.json").read_text())
    assert any(r["scene_name"].startswith("ours_outdoor_") for r in train)
    main_table = (workdir / "results/tiny/tables/main_results.md").read_text().splitlines()
    assert [row.split(" | ")[1] for row in main_table[2:]] == ["indoor", "outdoor"] * 5
    for figure in ("radar_by_domain", "street_frames"):
        assert (workdir / f"paper_figures/tiny/{figure}.png").stat().st_size > 1000


def test_vlm_variants_are_trained_on_frozen_encoders_and_scored(workdir):
    models = workdir / "data/tiny/models"
    for variant, encoders in (
        ("vlm", {"language", "vision"}),
        ("vlm_geo", {"language", "vision", "geometry"}),
    ):
        folder = models / variant
        assert {p.name for p in folder.iterdir() if p.is_dir()} == encoders
        meta = json.loads((folder / "vlm.json").read_text())["meta"]
        assert meta["params"]["settings"]["geometry"] == ("none" if variant == "vlm" else "both")
        assert set(meta["params"]["train_scenes"]).isdisjoint(
            {
                r["scene_name"]
                for r in json.loads((workdir / "data/tiny/qa/benchmark.json").read_text())
            }
        )
        curve = (workdir / f"results/tiny/training/{variant}.csv").read_text().splitlines()
        assert curve[0] == "step,epoch,loss,lr" and len(curve) > 1
        metrics = json.loads((workdir / f"results/tiny/metrics/{variant}.json").read_text())
        assert metrics["model"] == variant and "circular" in metrics
    for encoder in ("vision", "geometry", "language"):
        assert (workdir / f"results/tiny/training/{encoder}.csv").is_file()


def test_report_html_has_every_table_and_figure_with_a_caption(workdir):
    run(snakemake("--report", "report.html"), workdir)
    html = (workdir / "report.html").read_text()
    for name in REPORT_TABLES:
        assert f"{name}.csv" in html, name
        assert (workdir / f"results/tiny/tables/{name}.tex").read_text().startswith("\\begin")
    for name in REPORT_FIGURES:
        assert f"{name}.png" in html, name
        assert (workdir / f"paper_figures/tiny/{name}.pdf").is_file()
    for caption in (workdir / "workflow/report").glob("*.rst"):  # every caption is shown
        assert " ".join(caption.read_text().split()[:3]) in html, caption.name
    comparison = (workdir / "results/tiny/tables/dataset_comparison.md").read_text()
    assert "| SpatialMosaic-Repro (this run) | this repository |" in comparison
    values = json.loads((workdir / "results/tiny/values.json").read_text())["values"]
    assert values["qa.test.questions"] == len(
        json.loads((workdir / "data/tiny/qa/benchmark.json").read_text())
    )


def test_nothing_to_do_after_a_full_run(workdir):
    result = run(snakemake("-n"), workdir)
    assert planned_jobs(result.stdout + result.stderr) == {}
    assert "Nothing to be done" in result.stdout + result.stderr


def test_deleting_one_figure_regenerates_only_that_figure(workdir):
    figures = workdir / "paper_figures/tiny"
    figure = figures / "task_distribution.png"
    others = {p: p.stat().st_mtime_ns for p in figures.iterdir() if p.stem != "task_distribution"}
    figure.unlink()
    dry = run(snakemake("-n"), workdir)
    assert planned_jobs(dry.stdout + dry.stderr) == {"report_task_distribution": 1, "all": 1}
    run(snakemake(), workdir)
    assert figure.stat().st_size > 1000
    assert {p: p.stat().st_mtime_ns for p in others} == others


def test_an_external_model_is_scored_on_the_rendered_frames(workdir):
    (workdir / "external.yaml").write_text(
        "evaluate:\n"
        "  models: [chance, mine]\n"
        "  external:\n"
        "    mine: {adapter: openai, endpoint: 'http://127.0.0.1:9/v1', api_model: m,"
        " api_key_env: MY_KEY}\n"
    )
    dry = run(snakemake("-n", "-p", "--configfile", "config/tiny.yaml", "external.yaml"), workdir)
    output = dry.stdout + dry.stderr
    assert planned_jobs(output) == {
        "evaluate_model": 1,
        "report_table": 1,
        "report_breakdowns": 1,
        "report_domains": 1,
        "report_radar": 1,
        "report_figure": 1,
        "report_values": 1,
        "all": 1,
    }
    command = next(line for line in output.splitlines() if "--label mine" in line)
    assert "--model openai --images data/tiny/render --endpoint http://127.0.0.1:9/v1" in command
    assert "--api-model m --api-key-env MY_KEY" in command and "--circular" in command


def test_qa_parameter_change_plans_qa_and_downstream_only(workdir):
    (workdir / "qa_change.yaml").write_text("qa:\n  questions_per_viewset: 1\n")
    dry = run(snakemake("-n", "--configfile", "config/tiny.yaml", "qa_change.yaml"), workdir)
    assert set(planned_jobs(dry.stdout + dry.stderr)) == DOWNSTREAM_OF_QA
    # the real rerun, and that it leaves upstream files alone, is checked under DVC below


@pytest.mark.slow  # minutes: re-renders / reruns the DAG under DVC
def test_killed_run_leaves_no_complete_looking_output(workdir):
    render_dir = workdir / "data/tiny/render/ours_indoor_0000"
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    target = str(render_dir.relative_to(workdir))
    process = subprocess.Popen(
        snakemake("--forcerun", "render_frames", "--", target),
        cwd=workdir,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 300
    partial = []
    while time.monotonic() < deadline and not partial:
        partial = [
            p for p in render_dir.parent.glob(".ours_indoor_0000.*.tmp") if any(p.rglob("*.png"))
        ]
        time.sleep(0.02)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert partial, "the render rule never started"
    assert not render_dir.exists()  # old output removed, the new one never renamed into place
    run(snakemake("--unlock"), workdir)
    run(snakemake("--", target), workdir)
    assert len(list((render_dir / "images").glob("*.jpg"))) == 12
    assert not list(render_dir.parent.glob(".*.tmp"))


@pytest.mark.slow  # minutes: re-renders / reruns the DAG under DVC
def test_dvc_records_pushes_pulls_and_repro_agrees(workdir):
    # dvc.yaml is generated for the active config: make the tiny profile the config here.
    config = load_config(workdir / "config.yaml", workdir / "config/tiny.yaml")
    (workdir / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    run(["git", "init", "-q"], workdir)
    run([str(BIN / "spatialmosaic"), "dvc", "generate", "--out", "dvc.yaml"], workdir)
    dvc = str(BIN / "dvc")
    run([dvc, "commit", "-f", "-q"], workdir)
    assert "up to date" in run([dvc, "status"], workdir).stdout
    run([dvc, "push", "-q"], workdir)
    benchmark = workdir / "data/tiny/qa/benchmark.json"
    original = benchmark.read_bytes()
    shutil.rmtree(workdir / "data/tiny")
    run([dvc, "pull", "-q"], workdir)
    assert benchmark.read_bytes() == original
    plain = [str(BIN / "snakemake"), "--cores", "2"]
    run(plain + ["--touch"], workdir)  # `make sync-times`: restored files are up to date
    assert planned_jobs(run(plain + ["-n"], workdir).stdout) == {}
    assert "up to date" in run([dvc, "repro"], workdir).stdout
    # A QA parameter change: DVC reruns qa and what follows, through Snakemake.
    config["qa"]["questions_per_viewset"] = 1
    (workdir / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    visibility = workdir / "data/tiny/visibility/ours_indoor_0000.json"
    before = visibility.stat().st_mtime_ns
    repro = run([dvc, "repro"], workdir).stdout
    ran = set(re.findall(r"Running stage '(\w+)'", repro))
    assert ran == {"qa", "train", "evaluate", "report"}
    assert visibility.stat().st_mtime_ns == before
    assert json.loads(benchmark.read_text()) != json.loads(original)

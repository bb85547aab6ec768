"""``spatialmosaic train large`` on tiny random checkpoints of the three families: two optimiser
steps of two accumulated micro-batches on records in the official format, then evaluation of
the result (``hf`` for the merged folder, ``large`` for the geometry variant), resume, and the
scene-disjointness check. The module's file name differs from ``tests/models/test_large.py``
because the test folders are not packages."""

from __future__ import annotations

import csv

import pytest

from large_fixtures import training_records, write_frames, write_geometry_encoder, write_records
from spatialmosaic.cli import main
from spatialmosaic.io import ArtefactError, read_json
from tiny_large import FAMILIES, build_tiny_large

pytest.importorskip("peft")
pytest.importorskip("accelerate")

BENCH_SCENE = "ours_indoor_0000"


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    from bench_records import bench_record

    root = tmp_path_factory.mktemp("large_data")
    train = training_records(count=4)
    bench = [bench_record(id="b0", scene_name=BENCH_SCENE)]
    write_frames(root / "images", [*train, *bench])
    return {
        "train": write_records(root / "train_records.json", train),
        "benchmark": write_records(root / "benchmark.json", bench),
        "images": root / "images",
        "geometry": write_geometry_encoder(root / "geometry"),
        "records": bench,
    }


def arguments(data, base, out, *extra: str) -> list[str]:
    return [
        "train", "large",
        "--train-records", str(data["train"]), "--benchmark", str(data["benchmark"]),
        "--images", str(data["images"]), "--base-model", str(base),
        "--out", str(out), "--curve", str(out.with_suffix(".csv")), "--seed", "0",
        "--epochs", "1", "--batch-size", "2", "--micro-batch", "1", "--lr", "1e-3",
        "--lora-rank", "4", "--lora-alpha", "8", "--workers", "0",
        *extra,
    ]  # fmt: skip


def curve(out):
    with open(out.with_suffix(".csv"), encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("family", FAMILIES)
def test_two_steps_then_the_merged_folder_scores_with_hf(data, family, tmp_path):
    from spatialmosaic.evaluate.models import build_model
    from spatialmosaic.evaluate.run import evaluate_model

    base = build_tiny_large(family, tmp_path / "base")
    out = tmp_path / "model"
    extra = () if family == "qwen2_5_vl" else ("--no-gradient-checkpointing",)
    assert main(arguments(data, base, out, *extra)) == 0
    rows = curve(out)
    assert [row["step"] for row in rows] == ["1", "2"] and rows[0].keys() >= {"loss", "lr"}
    meta = read_json(out / "spatialmosaic_large.json", kind="spatialmosaic.model.large")
    params = meta["meta"]["params"]
    assert params["gradient_accumulation"] == 2 and params["train_scenes"] == ["ours_indoor_0001"]
    assert len(params["train_records_sha256"]) == 64 and meta["merged"] is True
    replies = evaluate_model(build_model("hf", 0, path=out), data["records"], data["images"])
    assert isinstance(replies[0]["reply"], str) and 0.0 <= replies[0]["score"] <= 1.0


def test_geometry_variant_trains_and_scores_with_the_large_adapter(data, tmp_path):
    from spatialmosaic.evaluate.models import build_model
    from spatialmosaic.evaluate.run import evaluate_model

    base = build_tiny_large("llava_onevision", tmp_path / "base")
    out = tmp_path / "fused"
    extra = ("--geometry", "both", "--geometry-encoder", str(data["geometry"]))
    assert main(arguments(data, base, out, *extra, "--no-gradient-checkpointing")) == 0
    assert (out / "geometry" / "geometry.json").is_file() and not (out / "config.json").exists()
    model = build_model("large", 0, model_file=out)
    first = evaluate_model(model, data["records"], data["images"])
    second = evaluate_model(model, data["records"], data["images"])
    assert first[0]["reply"] == second[0]["reply"]


@pytest.mark.slow
def test_a_killed_run_resumes_from_its_last_state(data, tmp_path, monkeypatch):
    import spatialmosaic.training.large as large

    base = build_tiny_large("qwen2_5_vl", tmp_path / "base")
    whole, killed = tmp_path / "whole", tmp_path / "killed"
    flags = ("--save-every", "1", "--no-gradient-checkpointing")
    assert main(arguments(data, base, whole, *flags)) == 0

    def fail(*args, **kwargs):
        raise RuntimeError("killed before the final save")

    monkeypatch.setattr(large, "save_large", fail)
    with pytest.raises(RuntimeError, match="killed"):
        main(arguments(data, base, killed, *flags))
    progress = read_json(tmp_path / ".killed.resume" / "progress.json")
    assert progress["step"] == 1
    monkeypatch.undo()
    assert main(arguments(data, base, killed, *flags)) == 0
    assert [r["loss"] for r in curve(killed)] == [r["loss"] for r in curve(whole)]
    assert not (tmp_path / ".killed.resume").exists()


def test_benchmark_scenes_and_bad_batches_are_refused(data, tmp_path):
    from spatialmosaic.training.large import accumulation_steps, training_samples

    leaking = write_records(tmp_path / "leak.json", training_records(scene=BENCH_SCENE))
    with pytest.raises(ArtefactError, match="scene-disjoint"):
        training_samples(leaking, data["benchmark"], data["images"], None)
    with pytest.raises(ValueError, match="batch size 6 is not a multiple of micro batch 4 x 1"):
        accumulation_steps(6, 4, 1)
    assert accumulation_steps(512, 2, 8) == 32


def test_launch_configs_are_deepspeed_zero2():
    """``envs/accelerate_zero2.yaml`` parses as an accelerate config and names the ZeRO-2 file
    whose "auto" values the run fills (micro batch, accumulation, bf16)."""
    import json
    from pathlib import Path

    from accelerate.commands.config.config_args import load_config_from_file

    root = Path(__file__).resolve().parents[2]
    config = load_config_from_file(str(root / "envs" / "accelerate_zero2.yaml"))
    assert config.distributed_type.value == "DEEPSPEED"
    zero = json.loads((root / config.deepspeed_config["deepspeed_config_file"]).read_text())
    assert zero["zero_optimization"]["stage"] == 2 and zero["bf16"]["enabled"] == "auto"
    assert zero["gradient_accumulation_steps"] == zero["train_micro_batch_size_per_gpu"] == "auto"

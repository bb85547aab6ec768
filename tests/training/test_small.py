"""The small scale: the pretrained parts shipped in PyPI wheels, loaded offline, and a short
LoRA training run through the same code path as the tiny scale."""

from __future__ import annotations

import json

import pytest
import torch

from spatialmosaic import stages
from spatialmosaic.evaluate.models import Query, build_model
from spatialmosaic.evaluate.prompts import build_prompt
from spatialmosaic.evaluate.run import frame_paths
from spatialmosaic.models.checkpoint import WEIGHTS
from spatialmosaic.models.settings import Schedule, VLMSettings
from spatialmosaic.models.small import EFFICIENTNET_WIDTH, EfficientNetLite0Encoder
from spatialmosaic.qa.generate import read_benchmark
from vlm_fixture import train_geometry, write_dataset


def test_efficientnet_is_frozen_imagenet_and_pools_to_the_grid():
    encoder = EfficientNetLite0Encoder(grid=(2, 3), image_size=64)
    assert not any(p.requires_grad for p in encoder.parameters())
    tokens = encoder(torch.rand(2, 3, 64, 64))
    assert tokens.shape == (2, 6, EFFICIENTNET_WIDTH)
    encoder.train()
    assert not encoder.network.training  # batch-norm statistics stay ImageNet's


@pytest.mark.slow  # dequantising the GGUF takes about a minute on 2 cores
def test_small_scale_trains_lora_and_answers(tmp_path):
    data = write_dataset(tmp_path, train_count=8, eval_count=4)
    base = tmp_path / "smollm2"
    stages.convert_smollm2(base)
    assert json.loads((base / "config.json").read_text())["model_type"] == "llama"
    train_geometry(data, tmp_path / "geometry", Schedule(epochs=1, batch_size=4))
    settings = VLMSettings(
        scale="small",
        geometry="both",
        vision_grid=(2, 2),
        vision_size=64,
        lora_rank=4,
        lora_alpha=8,
    )
    stages.train_vlm(
        data.train_records,
        data.benchmark,
        data.render_root,
        tmp_path / "vlm",
        tmp_path / "vlm.csv",
        0,
        settings,
        Schedule(epochs=1, batch_size=4),
        base_model=base,
        geometry_dir=tmp_path / "geometry",
    )
    saved = {p.name for p in (tmp_path / "vlm").iterdir()}
    assert saved == {WEIGHTS, "vlm.json", "geometry"}  # SmolLM2 is named, not copied
    meta = json.loads((tmp_path / "vlm" / "vlm.json").read_text())
    params = meta["meta"]["params"]
    assert params["trainable_parameters"] < params["parameters"] / 10  # LoRA + projector + fusion
    model = build_model("vlm", 0, tmp_path / "vlm")
    records = read_benchmark(data.benchmark)
    queries = [
        Query(
            r,
            build_prompt(r.question, r.options, r.question_type),
            frame_paths(r, data.render_root),
        )
        for r in records
    ]
    replies = model.reply_batch(queries)
    assert len(replies) == len(records) and all(isinstance(r, str) for r in replies)

"""Every tiny-scale training stage on a small rendered dataset, then the VLM as a benchmark
model: the checkpoint reloads to the same replies, and the same seed gives the same bytes."""

from __future__ import annotations

import json

import pytest

from spatialmosaic import stages
from spatialmosaic.evaluate.models import Query, build_model
from spatialmosaic.evaluate.prompts import build_prompt
from spatialmosaic.evaluate.run import frame_paths
from spatialmosaic.io import ArtefactError
from spatialmosaic.models.checkpoint import GEOMETRY, LANGUAGE, VISION, WEIGHTS
from spatialmosaic.models.settings import (
    LanguageModelConfig,
    Schedule,
    VisionEncoderConfig,
    VLMSettings,
)
from spatialmosaic.qa.generate import read_benchmark
from vlm_fixture import train_geometry, write_dataset

QUICK = Schedule(epochs=1, batch_size=8, lr=1e-3)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """The dataset and its vision, geometry and language models (trained once per module)."""
    root = tmp_path_factory.mktemp("vlm")
    data = write_dataset(root)
    vision = VisionEncoderConfig(
        height=24, width=32, patch=8, dim=16, layers=1, heads=2, grid=(1, 2)
    )
    stages.train_vision(
        data.scene_jsons,
        data.render_dirs,
        data.benchmark,
        root / "vision",
        root / "vision.csv",
        0,
        10,
        vision,
        Schedule(epochs=2, batch_size=2),
    )
    train_geometry(data, root / "geometry", QUICK)
    stages.train_language(
        data.train_records,
        data.benchmark,
        root / "language",
        root / "language.csv",
        0,
        LanguageModelConfig(dim=16, layers=1, heads=2),
        QUICK,
        format_epochs=1,
    )
    return data


def _train_variant(data, name: str, **settings) -> None:
    root = data.root
    stages.train_vlm(
        data.train_records,
        data.benchmark,
        data.render_root,
        root / name,
        root / f"{name}.csv",
        0,
        VLMSettings(fusion_heads=2, **settings),
        QUICK,
        base_model=root / "language",
        vision_dir=root / "vision",
        geometry_dir=root / "geometry" if settings.get("geometry", "none") != "none" else None,
    )


def _replies(data, name: str) -> list[str]:
    model = build_model("vlm", 0, data.root / name)
    queries = [
        Query(
            r,
            build_prompt(r.question, r.options, r.question_type),
            frame_paths(r, data.render_root),
        )
        for r in read_benchmark(data.benchmark)
    ]
    return model.reply_batch(queries)


def test_encoders_record_what_they_trained_on(trained):
    vision = json.loads((trained.root / "vision" / "vision.json").read_text())
    assert vision["meta"]["params"]["train_scenes"] == ["ours_indoor_0000"]
    assert vision["meta"]["params"]["encoder"]["categories"] == ["chair", "table"]
    language = json.loads((trained.root / "language" / "language.json").read_text())
    assert language["meta"]["params"]["hinted"] == 24  # the multiple-choice half of 48
    header = (trained.root / "geometry.csv").read_text().splitlines()[0]
    assert header == "step,epoch,loss,depth_l1,pose_l1,lr"
    # the format phase (24 count questions, batch 8: 3 steps), then all 48 records (6 steps)
    phases = [row.split(",")[-1] for row in (trained.root / "language.csv").read_text().split()]
    assert phases == ["phase"] + ["format"] * 3 + ["all"] * 6
    assert not (trained.root / ".language.resume").exists()


@pytest.mark.parametrize(
    ("name", "settings", "folders"),
    [
        ("plain", {}, {LANGUAGE, VISION}),
        ("geo", {"geometry": "both"}, {LANGUAGE, VISION, GEOMETRY}),
        ("geo_concat", {"geometry": "camera", "fusion": "concat"}, {LANGUAGE, VISION, GEOMETRY}),
    ],
)
def test_a_variant_trains_saves_and_answers_the_same_after_reload(trained, name, settings, folders):
    _train_variant(trained, name, **settings)
    folder = trained.root / name
    assert {p.name for p in folder.iterdir() if p.is_dir()} == folders
    first, again = _replies(trained, name), _replies(trained, name)
    assert first == again and len(first) == 12
    assert all(isinstance(reply, str) for reply in first)


def test_the_same_seed_gives_a_byte_identical_checkpoint(trained):
    _train_variant(trained, "twin_a", geometry="patch")
    _train_variant(trained, "twin_b", geometry="patch")
    a, b = (trained.root / name / WEIGHTS for name in ("twin_a", "twin_b"))
    assert a.read_bytes() == b.read_bytes()
    meta_a = json.loads((trained.root / "twin_a" / "vlm.json").read_text())["meta"]
    assert meta_a["seed"] == 0 and "torch" in meta_a["versions"]


def test_training_on_benchmark_scenes_is_refused(trained):
    with pytest.raises(ArtefactError, match="benchmark scenes"):
        stages.train_vlm(
            trained.benchmark,
            trained.benchmark,
            trained.render_root,
            trained.root / "leak",
            trained.root / "leak.csv",
            0,
            VLMSettings(),
            QUICK,
            base_model=trained.root / "language",
            vision_dir=trained.root / "vision",
        )
    assert not (trained.root / "leak").exists()


def test_a_geometry_variant_without_its_encoder_is_refused(trained):
    with pytest.raises(ValueError, match="needs a geometry encoder"):
        stages.train_vlm(
            trained.train_records,
            trained.benchmark,
            trained.render_root,
            trained.root / "x",
            trained.root / "x.csv",
            0,
            VLMSettings(geometry="both"),
            QUICK,
            base_model=trained.root / "language",
            vision_dir=trained.root / "vision",
        )

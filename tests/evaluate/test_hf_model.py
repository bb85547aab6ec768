"""A Hugging Face image-text-to-text model from a local path, on a tiny random LLaVA."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from bench_records import bench_record
from spatialmosaic.evaluate.models import ModelError, Query, build_model
from spatialmosaic.evaluate.prompts import build_prompt
from spatialmosaic.evaluate.run import evaluate_model, frame_paths
from spatialmosaic.records import QuestionType
from tiny_vlm import IMAGE_SIZE_PX, PATCH_PX

pytest.importorskip("transformers")


@pytest.fixture
def model_dir(tiny_llava_dir):
    return tiny_llava_dir


def write_frames(root, records):
    """Random JPEG frames in the official layout."""
    rng = np.random.default_rng(0)
    for record in records:
        for path in frame_paths(record, root):
            path.parent.mkdir(parents=True, exist_ok=True)
            Image.fromarray(rng.integers(0, 256, (48, 64, 3), dtype=np.uint8)).save(path)


def records():
    return [
        bench_record(id="a", frames=("f0", "f1")),
        bench_record(id="b", frames=("f0", "f1", "f2")),
        bench_record(
            id="c",
            frames=("f1", "f2"),
            question_type=QuestionType.OBJ_LOCALIZATION_NA,
            ground_truth="(10,10)",
            bbox_2d_diag="10",
        ),
    ]


def test_multi_image_prompts_follow_the_chat_template(model_dir, tmp_path):
    model = build_model("hf", 0, path=model_dir)
    record = records()[1]
    write_frames(tmp_path, [record])
    query = Query(record, build_prompt(record.question, record.options, record.question_type), ())
    images = [Image.new("RGB", (40, 30))] * 3
    inputs = model.inputs(query, images)
    image_token = model.model.config.image_token_id
    tokens_per_frame = (IMAGE_SIZE_PX // PATCH_PX) ** 2
    assert int((inputs["input_ids"] == image_token).sum()) == 3 * tokens_per_frame
    assert tuple(inputs["pixel_values"].shape) == (3, 3, IMAGE_SIZE_PX, IMAGE_SIZE_PX)
    text = model.processor.decode(inputs["input_ids"][0])
    assert "Answer with the option's letter from the given choices directly." in text


def test_greedy_replies_are_scored_and_repeatable(model_dir, tmp_path):
    write_frames(tmp_path, records())
    first = evaluate_model(build_model("hf", 0, path=model_dir), records(), tmp_path)
    second = evaluate_model(build_model("hf", 0, path=model_dir), records(), tmp_path)
    assert [row["reply"] for row in first] == [row["reply"] for row in second]
    assert all(isinstance(row["reply"], str) for row in first)
    assert all(0.0 <= row["score"] <= 1.0 for row in first)


def test_missing_model_or_frame_names_the_path(model_dir, tmp_path):
    with pytest.raises(ModelError, match="nowhere: no Hugging Face model here"):
        build_model("hf", 0, path=tmp_path / "nowhere")
    model = build_model("hf", 0, path=model_dir)
    with pytest.raises(ModelError, match="ours_indoor_0000/images/f0.jpg"):
        evaluate_model(model, records()[:1], tmp_path / "empty")

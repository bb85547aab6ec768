"""The generated lmms-eval task: YAML shape, and hooks that score exactly as SPEC §5 does."""

from __future__ import annotations

import glob
import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml
from PIL import Image

from spatialmosaic.evaluate.models import Query
from spatialmosaic.evaluate.prompts import build_prompt
from spatialmosaic.evaluate.run import evaluate_model, write_evaluation
from spatialmosaic.io import ArtefactError, read_json, read_jsonl
from spatialmosaic.qa.lmms_eval_task import IMAGE_ROOT_ENV, write_lmms_eval_task
from spatialmosaic.qa.parquet import read_parquet_records, write_parquet_dataset
from spatialmosaic.records import BenchRecord, Dataset, QuestionType

FRAME_SIZE_PX = (8, 6)  # width, height of the fixture JPEGs

# (question_type, ground_truth, bbox_2d_diag, reply, SPEC §5 reference score)
CASES = [
    (QuestionType.OBJ_COUNT, "4", "0", "D", 1.0),
    (QuestionType.OBJ_COUNT, "4", "0", "(D)", 0.0),
    (QuestionType.OBJ_EXISTENCE_AB, "4", "0", "d. 1", 1.0),
    (QuestionType.OBJ_DISTANCE_NA, "3.5", "0", "3.5m", 0.0),
    (QuestionType.OBJ_DISTANCE_NA, "3.5", "0", "4", 0.8),
    (QuestionType.OBJ_COUNT_NA, "1", "0", "1.2", 0.7),
    (QuestionType.OBJ_LOCALIZATION_NA, "(10,10)", "10", "(14,10)", 1.0),
    (QuestionType.OBJ_LOCALIZATION_NA, "(10,10)", "10", "(19,10)", 0.6),
]


def case_record(index: int) -> BenchRecord:
    question_type, truth, diag, _, _ = CASES[index]
    return BenchRecord(
        dataset=Dataset.OURS,
        scene_name=f"scene_{index % 2}",
        question_type=question_type,
        frames=tuple(f"frame_{index}_{view}" for view in range(2 + index % 4)),
        question=f"Question {index}?",
        options=("A. 1", "B. 2", "C. 3", "D. 4"),
        ground_truth=truth,
        mc_answer="D",
        overlap_avg=0.5,
        occlusion_avg=0.5,
        occ_level="Medium Occlusion",
        overlap_level="Medium Overlap",
        vis_level="Fully Visible",
        gt_scenario="Full Coverage",
        id=f"q{index}",
        bbox_2d=(5.0, 5.0, 13.0, 11.0) if diag != "0" else (),
        bbox_2d_diag=diag,
    )


class ScriptedModel:
    """Replies from CASES by record id, as spatialmosaic.evaluate.models.Model."""

    def reply(self, query: Query) -> str:
        return CASES[int(query.record.id[1:])][3]


@pytest.fixture
def task(tmp_path):
    """Parquet benchmark, tiny JPEG frames (colour = frame position) and the task folder."""
    records = [case_record(index) for index in range(len(CASES))]
    write_parquet_dataset(tmp_path / "bench", {"eval": records}, "# test\n", rows_per_shard=3)
    for record in records:
        for view, frame in enumerate(record.frames):
            path = tmp_path / "images" / record.scene_name / "images" / f"{frame}.jpg"
            path.parent.mkdir(parents=True, exist_ok=True)
            Image.new("RGB", FRAME_SIZE_PX, (40 * view, 0, 0)).save(path)
    write_lmms_eval_task(tmp_path / "task", tmp_path / "bench", tmp_path / "images")
    return tmp_path


def load_utils(path: Path):
    """Import a generated utils.py the way lmms-eval does: as a file, not a package module."""
    name = f"spatialmosaic_task_utils_{abs(hash(path))}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class TaskLoader(yaml.SafeLoader):
    """A SafeLoader that reads lmms-eval's ``!function module.name`` tags as plain markers."""


TaskLoader.add_constructor(
    "!function", lambda loader, node: ("!function", loader.construct_scalar(node))
)


def docs(task_dir: Path) -> list[dict]:
    """The docs lmms-eval hands to hooks: the Parquet rows as plain dicts."""
    return [record.to_json() for record in read_parquet_records(task_dir / "bench", "eval")]


def test_yaml_is_an_lmms_eval_task_over_the_parquet_split(task):
    config = yaml.load((task / "task" / "spatialmosaic_bench.yaml").read_text(), TaskLoader)
    assert config["task"] == "spatialmosaic_bench"
    assert config["dataset_path"] == "parquet"
    data_files = config["dataset_kwargs"]["data_files"]["eval"]
    assert Path(data_files).is_absolute()
    assert sorted(glob.glob(data_files)) == [
        str(task.resolve() / "bench" / "data" / f"eval-0000{i}-of-00003.parquet") for i in range(3)
    ]
    assert config["test_split"] == "eval"
    assert config["output_type"] == "generate_until"
    assert config["doc_to_visual"] == ("!function", "utils.doc_to_visual")
    assert config["doc_to_text"] == ("!function", "utils.doc_to_text")
    assert config["doc_to_target"] == "ground_truth"
    assert config["generation_kwargs"] == {
        "max_new_tokens": 16,
        "temperature": 0,
        "do_sample": False,
    }
    assert config["process_results"] == ("!function", "utils.process_results")
    assert config["metric_list"] == [
        {
            "metric": "spatialmosaic_score",
            "aggregation": ("!function", "utils.aggregate_results"),
            "higher_is_better": True,
        }
    ]
    assert config["metadata"] == [{"version": 0.0}]


def test_yaml_data_files_load_with_datasets_as_lmms_eval_calls_it(task, monkeypatch):
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(task / "hf_home"))
    import datasets

    config = yaml.load((task / "task" / "spatialmosaic_bench.yaml").read_text(), TaskLoader)
    loaded = datasets.load_dataset(
        config["dataset_path"], cache_dir=str(task / "cache"), **config["dataset_kwargs"]
    )
    assert loaded[config["test_split"]]["id"] == [f"q{i}" for i in range(len(CASES))]


def test_rewrite_gives_identical_files(task):
    before = {p.name: p.read_bytes() for p in (task / "task").iterdir()}
    write_lmms_eval_task(task / "task", task / "bench", task / "images")
    assert {p.name: p.read_bytes() for p in (task / "task").iterdir()} == before
    assert sorted(before) == ["spatialmosaic_bench.yaml", "utils.py"]


def test_utils_imports_without_lmms_eval(task):
    utils = load_utils(task / "task" / "utils.py")
    assert "lmms_eval" not in sys.modules
    assert utils.DEFAULT_IMAGE_ROOT == str((task / "images").resolve())


def test_doc_to_visual_returns_frames_in_order(task, monkeypatch):
    monkeypatch.delenv(IMAGE_ROOT_ENV, raising=False)
    utils = load_utils(task / "task" / "utils.py")
    doc = docs(task)[5]  # 3 frames
    images = utils.doc_to_visual(doc)
    assert [image.size for image in images] == [FRAME_SIZE_PX] * 3
    reds = [int(np.asarray(image)[..., 0].mean().round()) for image in images]
    assert all(abs(red - 40 * view) <= 4 for view, red in enumerate(reds)), reds  # JPEG loss


def test_image_root_environment_variable_overrides_the_baked_root(task, monkeypatch):
    utils = load_utils(task / "task" / "utils.py")
    (task / "images").rename(task / "moved")
    monkeypatch.setenv(IMAGE_ROOT_ENV, str(task / "moved"))
    assert len(utils.doc_to_visual(docs(task)[0])) == 2
    monkeypatch.delenv(IMAGE_ROOT_ENV)
    with pytest.raises(FileNotFoundError, match="scene_0/images/frame_0_0.jpg"):
        utils.doc_to_visual(docs(task)[0])


def test_doc_to_text_is_build_prompt(task):
    utils = load_utils(task / "task" / "utils.py")
    for doc in docs(task):
        expected = build_prompt(doc["question"], doc["options"], QuestionType(doc["question_type"]))
        assert utils.doc_to_text(doc) == expected
        assert utils.doc_to_text(doc, {"pre_prompt": "ignored"}) == expected


def test_hooks_score_like_spatialmosaic_evaluate(task):
    utils = load_utils(task / "task" / "utils.py")
    replies = [case[3] for case in CASES]
    processed = [
        utils.process_results(doc, [reply]) for doc, reply in zip(docs(task), replies, strict=True)
    ]
    samples = [result["spatialmosaic_score"] for result in processed]
    assert [sample["score"] for sample in samples] == pytest.approx([case[4] for case in CASES])

    records = [case_record(index) for index in range(len(CASES))]
    rows = evaluate_model(ScriptedModel(), records)
    write_evaluation(task / "p.jsonl", task / "m.json", "scripted", rows, records, seed=0, meta={})
    ours = read_json(task / "m.json", kind="spatialmosaic.metrics")
    assert utils.aggregate_results(samples) == ours["overall"]
    logged = read_jsonl(task / "p.jsonl")
    assert [row["score"] for row in logged] == [sample["score"] for sample in samples]
    # SPEC §5 by hand: per type 0.5, 1.0, 0.4, 0.7, 0.8 -> unweighted mean 0.68.
    assert utils.aggregate_results(samples) == pytest.approx(68.0)


def test_missing_split_or_bad_task_name_is_refused(task):
    with pytest.raises(ArtefactError, match="no shards for split 'test'"):
        write_lmms_eval_task(task / "other", task / "bench", task / "images", split="test")
    with pytest.raises(ValueError, match="task_name='spatial-mosaic'"):
        write_lmms_eval_task(task / "other", task / "bench", task / "images", "spatial-mosaic")
    assert not (task / "other").exists()

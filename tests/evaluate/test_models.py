"""Baseline adapters and the evaluation loop."""

from __future__ import annotations

import pytest

from spatialmosaic.evaluate.models import build_model
from spatialmosaic.evaluate.run import evaluate_model, write_evaluation
from spatialmosaic.io import read_json, read_jsonl
from spatialmosaic.records import BenchRecord, Dataset, QuestionType
from spatialmosaic.training.frequency import write_frequency_model


def record(question_type: QuestionType, record_id: str, truth: str = "3", letter: str = "C"):
    return BenchRecord(
        Dataset.OURS,
        "s",
        question_type,
        ("f0", "f1"),
        "How many?",
        ("A. 1", "B. 2", "C. 3", "D. 4"),
        truth,
        letter,
        0.1,
        0.2,
        "Low Occlusion",
        "Medium Overlap",
        "Fully Visible",
        "Full Coverage",
        record_id,
    )


def test_unknown_model_lists_registered_ones():
    with pytest.raises(ValueError, match="unknown model 'gpt'; registered: chance, frequency"):
        build_model("gpt", 0, None)


def test_chance_is_seeded_per_record_and_answers_option_values_for_na():
    model = build_model("chance", 0, None)
    mca, na = record(QuestionType.OBJ_COUNT, "a"), record(QuestionType.OBJ_COUNT_NA, "b")
    assert model.reply(mca, "") == build_model("chance", 0, None).reply(mca, "")
    assert model.reply(mca, "") in "ABCD"
    assert model.reply(na, "") in {"1", "2", "3", "4"}


def test_frequency_model_scores_with_official_metrics(tmp_path):
    fitted = {
        "obj_count_occ": {"answer": "C", "count": 1, "total": 1},
        "obj_count_occ_na": {"answer": "4", "count": 1, "total": 1},
    }
    write_frequency_model(tmp_path / "f.json", fitted, meta={})
    model = build_model("frequency", 0, tmp_path / "f.json")
    records = [
        record(QuestionType.OBJ_COUNT, "a"),
        record(QuestionType.OBJ_COUNT, "b", letter="A"),
        record(QuestionType.OBJ_COUNT_NA, "c", truth="3.5"),
    ]
    rows = evaluate_model(model, records)
    assert [row["score"] for row in rows] == [1.0, 0.0, 0.8]  # "4" vs 3.5 -> 0.8 (SPEC §5)
    write_evaluation(tmp_path / "p.jsonl", tmp_path / "m.json", "frequency", rows, records, {})
    metrics = read_json(tmp_path / "m.json", kind="spatialmosaic.metrics")
    assert metrics["per_type"] == {"obj_count_occ": 50.0, "obj_count_occ_na": 80.0}
    assert metrics["overall"] == pytest.approx(65.0)
    logged = read_jsonl(tmp_path / "p.jsonl")
    assert logged[0]["prompt"].endswith(
        "Answer with the option's letter from the given choices directly."
    )
    assert len(logged[0]["record_sha256"]) == 64

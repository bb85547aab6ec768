"""Baseline adapters and the evaluation loop."""

from __future__ import annotations

import pytest

from bench_records import bench_record
from spatialmosaic.evaluate.models import Query, build_model
from spatialmosaic.evaluate.run import evaluate_model, write_evaluation
from spatialmosaic.io import read_json, read_jsonl
from spatialmosaic.records import QuestionType
from spatialmosaic.training.frequency import write_frequency_model


def ask(model, record):
    return model.reply(Query(record, "", ()))


def test_unknown_model_lists_registered_ones():
    with pytest.raises(
        ValueError,
        match="unknown model 'gpt'; registered: blind, chance, frequency, hf, large, openai, vlm",
    ):
        build_model("gpt", 0)


@pytest.mark.parametrize("name", ["frequency", "blind"])
def test_fitted_baselines_need_their_file(name):
    with pytest.raises(ValueError, match=f"the {name} model needs --model-file"):
        build_model(name, 0)


def test_chance_is_seeded_per_record_and_answers_option_values_for_na():
    model = build_model("chance", 0)
    mca = bench_record(id="a")
    na = bench_record(id="b", question_type=QuestionType.OBJ_COUNT_NA)
    assert ask(model, mca) == ask(build_model("chance", 0), mca)
    assert ask(model, mca) in "ABCD"
    assert ask(model, na) in {"1", "2", "3", "4"}
    letters = {ask(model, bench_record(id=str(i))) for i in range(40)}
    assert letters == set("ABCD")


def test_frequency_model_scores_with_official_metrics(tmp_path):
    fitted = {
        "obj_count_occ": {"answer": "C", "count": 1, "total": 1},
        "obj_count_occ_na": {"answer": "4", "count": 1, "total": 1},
    }
    write_frequency_model(tmp_path / "f.json", fitted, meta={})
    model = build_model("frequency", 0, tmp_path / "f.json")
    records = [
        bench_record(id="a"),
        bench_record(id="b", mc_answer="A"),
        bench_record(id="c", question_type=QuestionType.OBJ_COUNT_NA, ground_truth="3.5"),
    ]
    rows = evaluate_model(model, records)
    assert [row["score"] for row in rows] == [1.0, 0.0, 0.8]  # "4" vs 3.5 -> 0.8 (SPEC §5)
    write_evaluation(tmp_path / "p.jsonl", tmp_path / "m.json", "frequency", rows, records, 0, {})
    metrics = read_json(tmp_path / "m.json", kind="spatialmosaic.metrics")
    assert metrics["per_type"] == {"obj_count_occ": 50.0, "obj_count_occ_na": 80.0}
    assert metrics["overall"] == pytest.approx(65.0)
    logged = read_jsonl(tmp_path / "p.jsonl")
    assert logged[0]["prompt"].endswith(
        "Answer with the option's letter from the given choices directly."
    )
    assert len(logged[0]["record_sha256"]) == 64
    assert [row["parsed"] for row in logged] == ["C", "C", 4.0]

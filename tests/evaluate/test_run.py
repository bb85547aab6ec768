"""The evaluation loop: per-sample logs, circular scores, domains and letter counts."""

from __future__ import annotations

import pytest

from bench_records import bench_record
from spatialmosaic.evaluate.models import Query
from spatialmosaic.evaluate.run import evaluate_model, frame_paths, summarise
from spatialmosaic.records import Dataset, QuestionType


class AlwaysA:
    def __init__(self):
        self.queries: list[Query] = []

    def reply(self, query: Query) -> str:
        self.queries.append(query)
        return "A" if query.record.question_type.metric.value == "accuracy" else "(9, 9)"


class KnowsTheAnswer:
    def reply(self, query: Query) -> str:
        return query.record.mc_answer + "."


def records():
    return [
        bench_record(id="a", mc_answer="A"),
        bench_record(id="b", mc_answer="B"),
        bench_record(
            id="p",
            question_type=QuestionType.OBJ_LOCALIZATION_NA,
            ground_truth="(10,10)",
            bbox_2d=(5.0, 5.0, 13.0, 11.0),
            bbox_2d_diag="10",
        ),
        bench_record(id="w", dataset=Dataset.WAYMO, scene_name="segment-1", mc_answer="A"),
    ]


def test_rows_log_prompt_reply_parsed_and_score():
    rows = evaluate_model(AlwaysA(), records())
    assert [row["rotation"] for row in rows] == [0, 0, 0, 0]
    assert [row["parsed"] for row in rows] == ["A", "A", [9.0, 9.0], "A"]
    assert [row["score"] for row in rows] == [1.0, 0.0, 1.0, 1.0]
    assert rows[2]["prompt"].endswith("formatted as (x,y).")


def test_circular_asks_each_rotation_and_a_letter_bias_scores_zero():
    model = AlwaysA()
    rows = evaluate_model(model, records(), circular=True)
    assert len(rows) == 3 * 4 + 1
    assert [q.record.mc_answer for q in model.queries[:4]] == ["A", "D", "C", "B"]
    assert "A. 2" in model.queries[1].prompt  # the prompt shows the rotated options
    summary = summarise(rows, records(), seed=0)
    assert summary["per_type"]["obj_count_occ"] == pytest.approx(200 / 3)  # a, w right; b wrong
    assert summary["circular"]["per_type"]["obj_count_occ"] == 0.0
    assert summary["circular"]["per_type"]["obj_localization_occ_na"] == 100.0
    assert summary["reply_letters"] == {"A": 3, "B": 0, "C": 0, "D": 0, "other": 0}


def test_a_model_that_knows_the_answers_keeps_its_score_under_rotation():
    mca = [r for r in records() if r.question_type is QuestionType.OBJ_COUNT]
    rows = evaluate_model(KnowsTheAnswer(), mca, circular=True)
    summary = summarise(rows, mca, seed=0)
    assert summary["overall"] == summary["circular"]["overall"] == 100.0


def test_domains_split_indoor_and_outdoor():
    summary = summarise(evaluate_model(AlwaysA(), records()), records(), seed=0)
    assert set(summary["domains"]) == {"indoor", "outdoor"}
    assert summary["domains"]["outdoor"]["per_type"] == {"obj_count_occ": 100.0}
    assert summary["domains"]["indoor"]["per_type"]["obj_count_occ"] == 50.0
    assert summary["samples"] == {"obj_count_occ": 3, "obj_localization_occ_na": 1}
    assert "circular" not in summary


def test_builtin_street_scenes_are_outdoor():
    assert bench_record(scene_name="ours_outdoor_0003").domain.value == "outdoor"
    assert bench_record(scene_name="ours_indoor_0003").domain.value == "indoor"


def test_missing_predictions_are_refused():
    rows = evaluate_model(AlwaysA(), records()[:2])
    with pytest.raises(ValueError, match="no prediction for 2 records, e.g. p"):
        summarise(rows, records(), seed=0)


def test_frames_resolve_to_the_official_image_layout(tmp_path):
    record = bench_record(frames=("frame_000010", "frame_000020"))
    assert frame_paths(record, tmp_path) == (
        tmp_path / "ours_indoor_0000" / "images" / "frame_000010.jpg",
        tmp_path / "ours_indoor_0000" / "images" / "frame_000020.jpg",
    )
    assert frame_paths(record, None) == ()

"""Count questions: distinct instances across frames, valid options, official record format."""

from __future__ import annotations

import numpy as np
import pytest

from spatialmosaic.qa.count import count_options, count_records
from spatialmosaic.qa.generate import training_record
from spatialmosaic.records import (
    BenchRecord,
    Observation,
    QuestionType,
    SceneObject,
    ViewSet,
)

TYPES = (QuestionType.OBJ_COUNT, QuestionType.OBJ_COUNT_NA)


def obj(instance_id: int, category: str) -> SceneObject:
    return SceneObject(instance_id, category, False, (0.0, 0.0, 0.0), (1.0, 1.0, 1.0))


def seen(frame: str, instance_id: int, visible: bool = True, visible_px: int = 100) -> Observation:
    return Observation(
        frame, instance_id, 200, 200, visible_px, (0, 0, 9, 9), (5.0, 5.0), 1.0, 1.0, 1.0, visible
    )


def test_instance_seen_in_two_frames_counts_once():
    objects = {1: obj(1, "chair"), 2: obj(2, "chair"), 3: obj(3, "chair"), 4: obj(4, "table")}
    observations = [
        seen("f0", 1),
        seen("f1", 1),  # the same chair in both frames
        seen("f1", 2),
        seen("f0", 3, visible=False, visible_px=3),  # barely visible: not counted
        seen("f2", 3),  # visible, but in a frame outside the set
    ]
    viewset = ViewSet("s_vs0000", "s", ("f0", "f1"), 0.1)
    records = count_records(viewset, objects, observations, TYPES, 5, np.random.default_rng(0))
    chairs = [r for r in records if "chair" in r.question]
    assert {r.question_type for r in chairs} == set(TYPES)
    assert all(r.ground_truth == "2" for r in chairs)
    assert chairs[0].vis_level == "Partially Visible"  # chair 2 only in f1
    assert chairs[0].gt_scenario == "Partial Coverage"  # chair 3 not seen in the set
    assert not [r for r in records if "table" in r.question]  # no visible table


@pytest.mark.parametrize("answer", [1, 2, 3, 7])
def test_options_are_four_distinct_counts_containing_the_answer(answer):
    for seed in range(20):
        options, letter = count_options(answer, np.random.default_rng(seed))
        values = [int(option.split(". ")[1]) for option in options]
        assert len(set(values)) == 4 and min(values) >= 1
        assert values["ABCD".index(letter)] == answer


def test_correct_letter_is_not_stuck_on_one_position():
    letters = [count_options(3, np.random.default_rng(seed))[1] for seed in range(200)]
    counts = [letters.count(letter) for letter in "ABCD"]
    assert min(counts) > 30


def test_records_round_trip_in_official_format():
    objects = {1: obj(1, "lamp")}
    viewset = ViewSet("s_vs0001", "s", ("f0", "f1", "f2"), 0.05)
    observations = [seen("f0", 1), seen("f1", 1), seen("f2", 1)]
    records = count_records(viewset, objects, observations, TYPES, 1, np.random.default_rng(0))
    data = records[0].to_json()
    assert set(data) == {
        "dataset",
        "scene_name",
        "question_type",
        "frames",
        "question",
        "options",
        "ground_truth",
        "mc_answer",
        "overlap_avg",
        "occlusion_avg",
        "occ_level",
        "overlap_level",
        "vis_level",
        "GT Scenario",
        "id",
        "bbox_2d",
        "bbox_2d_diag",
    }
    assert BenchRecord.from_json(data) == records[0]
    assert data["vis_level"] == "Fully Visible" and data["GT Scenario"] == "Full Coverage"
    # 100 of 200 silhouette pixels visible in each frame: occlusion ratio 0.5
    assert data["occlusion_avg"] == 0.5 and data["occ_level"] == "Medium Occlusion"


def test_training_record_answers_letter_for_choice_and_number_for_na():
    objects = {1: obj(1, "lamp")}
    viewset = ViewSet("s_vs0001", "s", ("f0", "f1"), 0.05)
    records = count_records(viewset, objects, [seen("f0", 1)], TYPES, 1, np.random.default_rng(0))
    by_type = {r.question_type: training_record(r) for r in records}
    choice, number = by_type[QuestionType.OBJ_COUNT], by_type[QuestionType.OBJ_COUNT_NA]
    assert choice["conversations"][1]["value"] in "ABCD"
    assert number["conversations"][1]["value"] == "1"
    assert choice["conversations"][0]["value"].startswith("<image>\nThese are frames of a video.")


def test_record_rejects_one_frame():
    with pytest.raises(ValueError, match="need 2-5 distinct frames"):
        ViewSet("x", "s", ("f0",), 0.0)

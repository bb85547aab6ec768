"""Question generators on the hand-written scene of ``qa_scene``: answers known by hand."""

from __future__ import annotations

import dataclasses
import math
from collections import defaultdict

import numpy as np
import pytest

import qa_scene
from spatialmosaic.provenance import derive_rng
from spatialmosaic.qa import verify
from spatialmosaic.qa.generate import GENERATORS, generate_scene_questions, training_record
from spatialmosaic.records import OPTION_LETTERS, BenchRecord, QuestionType

Q = QuestionType


@pytest.fixture(scope="module")
def records() -> dict[QuestionType, list[BenchRecord]]:
    """Every question of every type the hand scene allows (50 per type is more than exist)."""
    found, _ = generate_scene_questions(
        qa_scene.facts(), [qa_scene.viewset()], tuple(GENERATORS), 50, seed=3
    )
    by_type = defaultdict(list)
    for record in found:
        by_type[record.question_type].append(record)
    return by_type


def answers(records: list[BenchRecord]) -> dict[str, str]:
    return {r.question: r.ground_truth for r in records}


def correct_text(record: BenchRecord) -> str:
    return record.options[OPTION_LETTERS.index(record.mc_answer)][3:]


def test_every_type_is_generated_and_every_mca_answer_is_its_letter(records):
    assert set(records) == set(QuestionType)
    for question_type, found in records.items():
        for record in found:
            assert len({o[3:] for o in record.options}) == 4
            if question_type.metric.value == "accuracy":
                assert correct_text(record) == record.ground_truth


def test_counts_are_distinct_objects_across_frames_and_skip_barely_visible(records):
    expected = {
        "How many chair(s) are visible across these frames?": "2",
        "How many lamp(s) are visible across these frames?": "1",
        "How many table(s) are visible across these frames?": "1",
    }
    assert answers(records[Q.OBJ_COUNT]) == expected
    assert answers(records[Q.OBJ_COUNT_NA]) == expected
    chairs = next(r for r in records[Q.OBJ_COUNT] if "chair" in r.question)
    assert chairs.vis_level == "Partially Visible"  # chair B is only in Frame 2
    assert chairs.gt_scenario == "Full Coverage"  # both chairs of the scene are seen
    # the chair observations where visible: A in f1 and f2, B in f2, all with 1 - S_vis/S_full
    assert chairs.occlusion_avg == pytest.approx(np.mean([0.4, 0.4, 0.5]), abs=1e-6)


def test_best_view_takes_the_most_objects_then_the_pixel_margin(records):
    found = {r.question.split(" ")[2]: r.ground_truth for r in records[Q.BESTVIEW_COUNT]}
    assert found == {
        "chair(s)": "2 chair(s); Frame 2",
        "lamp(s)": "1 lamp(s); Frame 1",  # 400 px >= 1.25 x 300 px
        "table(s)": "1 table(s); Frame 3",  # 1000 px >= 1.25 x 800 px, the boundary
    }
    for record in records[Q.BESTVIEW_COUNT]:
        counts = [o[3:].split(";")[0] for o in record.options]
        frames = [o.split("; ")[1] for o in record.options]
        assert all(counts.count(c) == 2 for c in counts)  # a 2x2 grid
        assert all(frames.count(f) == 2 for f in frames)


def test_localization_yes_no_and_points(records):
    # two chairs in Frame 2 would make "its" ambiguous; the cup is barely visible; the table in
    # Frame 3 (diagonal 57 px) leaves no room in 200 x 100 px for two wrong points 85 px apart
    assert answers(records[Q.OBJ_LOCALIZATION]) == {
        f"Is there a {cat} in Frame {k}? If so, what is its bounding-box centre?": answer
        for cat, k, answer in [
            ("chair", 1, "Yes; (20,60)"),
            ("lamp", 1, "Yes; (160,20)"),
            ("table", 1, "Yes; (100,70)"),
            ("lamp", 3, "Yes; (30,20)"),
            ("lamp", 2, "No"),
            ("table", 2, "No"),
            ("chair", 3, "No"),
        ]
    }
    truths = {"chair in Frame 1": "(20,60)", "lamp in Frame 1": "(160,20)"}
    truths |= {"table in Frame 1": "(100,70)", "lamp in Frame 3": "(30,20)"}
    assert records[Q.OBJ_LOCALIZATION_NA]
    for record in records[Q.OBJ_LOCALIZATION_NA]:
        asked = record.question.removeprefix("What is the bounding-box centre of the ")[:-1]
        assert record.ground_truth == truths[asked]
        x0, y0, x1, y1 = record.bbox_2d
        assert f"({int(x0 + x1) // 2},{int(y0 + y1) // 2})" == record.ground_truth
        assert record.bbox_2d_diag == f"{math.hypot(x1 - x0, y1 - y0):.2f}"
    for record in records[Q.OBJ_LOCALIZATION_NA]:
        truth = tuple(map(int, record.ground_truth.strip("()").split(",")))
        diagonal = float(record.bbox_2d_diag)
        for option in record.options:
            other = tuple(map(int, option[3:].strip("()").split(",")))
            if other != truth:  # wrong points lie beyond every MPA threshold (1.4 diagonals)
                assert math.dist(other, truth) >= 1.5 * diagonal


def test_localization_never_asks_about_ambiguous_cases(records):
    questions = " ".join(r.question for r in records[Q.OBJ_LOCALIZATION_NA])
    assert "chair in Frame 2" not in questions and "cup" not in questions
    assert len(records[Q.OBJ_LOCALIZATION_NA]) <= 5


def test_metric_answers(records):
    for record in records[Q.OBJ_SIZE_NA]:
        category = record.question.split(" ")[10].split("(")[0]
        assert record.ground_truth == {"chair": "90", "lamp": "160", "table": "120"}[category]
    for record in records[Q.OBJ_DISTANCE_NA]:  # camera distances are depth + 0.2 in the fixture
        assert record.ground_truth in {"2.20", "3.20", "2.70", "4.20", "1.70"}
    centres = {10: (1.25, 1.25, 0.45), 11: (3.25, 1.25, 0.45), 12: (1.15, 4.15, 0.8)}
    centres[13] = (2.6, 2.4, 0.375)
    expected = {f"{math.dist(a, b):.2f}" for a in centres.values() for b in centres.values()}
    for record in records[Q.OBJ_OBJ_DISTANCE_NA]:
        assert record.ground_truth in expected - {"0.00"}


def test_spatial_relations_in_frame_one(records):
    spatial = answers(records[Q.OBJ_SPATIAL_LR])
    left_closer = "to the left of it, closer to the camera"
    question = "In Frame 1, where is the chair relative to the table?"
    if question in spatial:
        assert spatial[question] == left_closer
    question = "In Frame 1, where is the lamp relative to the table?"
    if question in spatial:
        assert spatial[question] == "to the right of it, farther from the camera"
    in_frame_2 = "In Frame 2, where is the chair(110,60) relative to the chair(170,60)?"
    if in_frame_2 in spatial:
        assert spatial[in_frame_2] == left_closer
    assert records[Q.OBJ_SPATIAL_LR]
    for record in records[Q.OBJ_SPATIAL_AB]:
        assert "Frame 2" not in record.question  # the two chairs share a height: no margin


def test_existence_cases(records):
    for record in records[Q.OBJ_EXISTENCE_LR]:
        if "is there a sofa" in record.question:
            assert record.ground_truth == "No, it is not in any of these frames"
        if "In Frame 2, is there a lamp" in record.question:
            assert record.ground_truth == "No, it appears only in other frames"
    everything = " ".join(r.question for found in records.values() for r in found)
    assert "cup" not in everything


def test_the_independent_verifier_accepts_every_generated_record(records):
    facts = verify.SceneFacts(qa_scene.OBJECTS, qa_scene.cameras(), qa_scene.visibility())
    problems = [
        p for found in records.values() for r in found for p in verify.verify_record(r, facts)
    ]
    assert problems == []


def test_same_seed_same_records_and_ids_are_unique():
    first = generate_scene_questions(qa_scene.facts(), [qa_scene.viewset()], tuple(Q), 5, seed=1)
    again = generate_scene_questions(qa_scene.facts(), [qa_scene.viewset()], tuple(Q), 5, seed=1)
    assert first == again
    ids = [r.id for r in first[0]]
    assert len(ids) == len(set(ids))


def test_a_type_draws_the_same_questions_whatever_else_is_generated():
    alone, _ = generate_scene_questions(
        qa_scene.facts(), [qa_scene.viewset()], (Q.OBJ_SPATIAL_FB,), 3, seed=1
    )
    together, _ = generate_scene_questions(qa_scene.facts(), [qa_scene.viewset()], tuple(Q), 3, 1)
    assert alone == [r for r in together if r.question_type is Q.OBJ_SPATIAL_FB]


def test_training_record_is_llava_style():
    record, *_ = GENERATORS[Q.OBJ_COUNT](qa_scene.context(), Q.OBJ_COUNT, 1, derive_rng(0, "test"))
    converted = training_record(record)
    human, gpt = converted["conversations"]
    assert human["from"] == "human" and human["value"].startswith("<image>\nThese are frames")
    assert gpt == {"from": "gpt", "value": record.mc_answer}
    assert set(converted) == {
        "id",
        "data_source",
        "scene_name",
        "question_type",
        "frames",
        "conversations",
    }


def test_export_is_byte_identical_and_keeps_each_question_once(tmp_path):
    from spatialmosaic.io import ArtefactError
    from spatialmosaic.qa.generate import export_split, read_benchmark, write_scene_questions

    records, pools = generate_scene_questions(
        qa_scene.facts(), [qa_scene.viewset()], tuple(Q), 50, seed=2
    )
    scene_file = tmp_path / "hand.json"
    write_scene_questions(scene_file, records, pools, {"seed": 2})
    outputs = []
    for run in range(2):
        dest, llava = tmp_path / f"split{run}.json", tmp_path / f"llava{run}.json"
        summary = export_split([scene_file], 5, dest, llava, {"seed": 5})
        outputs.append((dest.read_bytes(), llava.read_bytes()))
        exported = read_benchmark(dest)
        assert summary["records"] == len(exported) and len({r.id for r in exported}) == len(
            exported
        )
    assert outputs[0] == outputs[1]
    with pytest.raises(ArtefactError, match="appears twice"):
        export_split([scene_file, scene_file], 5, tmp_path / "twice.json", None, {})


def test_outdoor_scenes_get_nine_tasks_without_attribute_or_size(records):
    """SPEC §3: the outdoor split asks 9 of the 11 tasks; the same scene named as a street
    keeps every other type's questions unchanged."""
    facts = dataclasses.replace(qa_scene.facts(), scene_name="ours_outdoor_0000")
    viewset = dataclasses.replace(qa_scene.viewset(), scene_name="ours_outdoor_0000")
    found, _ = generate_scene_questions(facts, [viewset], tuple(GENERATORS), 50, seed=3)
    outdoor_types = {r.question_type for r in found}
    assert {t.task for t in outdoor_types} == {t.task for t in records} - {
        "obj_attribute_occ",
        "obj_size_occ_na",
    }
    assert len({t.task for t in outdoor_types}) == 9
    for question_type in outdoor_types:
        indoor = [r.question for r in records[question_type]]
        assert [r.question for r in found if r.question_type is question_type] == indoor
    assert all(r.domain.value == "outdoor" for r in found)

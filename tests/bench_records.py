"""A valid benchmark record with every field overridable, for evaluation tests."""

from __future__ import annotations

from dataclasses import replace

from spatialmosaic.records import BenchRecord, Dataset, QuestionType

_DEFAULT = BenchRecord(
    dataset=Dataset.OURS,
    scene_name="ours_indoor_0000",
    question_type=QuestionType.OBJ_COUNT,
    frames=("f0", "f1"),
    question="How many chair(s) are visible across these frames?",
    options=("A. 1", "B. 2", "C. 3", "D. 4"),
    ground_truth="3",
    mc_answer="C",
    overlap_avg=0.1,
    occlusion_avg=0.2,
    occ_level="Low Occlusion",
    overlap_level="Medium Overlap",
    vis_level="Fully Visible",
    gt_scenario="Full Coverage",
    id="q0",
)


def bench_record(**fields) -> BenchRecord:
    return replace(_DEFAULT, **fields)

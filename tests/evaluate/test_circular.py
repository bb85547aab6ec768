"""Option rotations keep every question answerable and move the answer letter."""

from __future__ import annotations

from bench_records import bench_record
from spatialmosaic.evaluate.circular import option_rotations
from spatialmosaic.records import QuestionType


def test_rotations_shift_values_and_follow_the_answer():
    record = bench_record(options=("A. 1", "B. 2", "C. 3", "D. 4"), mc_answer="C")
    rotated = option_rotations(record)
    assert rotated[0] == record
    assert [r.options for r in rotated[1:]] == [
        ("A. 2", "B. 3", "C. 4", "D. 1"),
        ("A. 3", "B. 4", "C. 1", "D. 2"),
        ("A. 4", "B. 1", "C. 2", "D. 3"),
    ]
    assert [r.mc_answer for r in rotated] == ["C", "B", "A", "D"]
    for r in rotated:  # the correct value is always the one behind the answer letter
        assert dict(o.split(". ", 1) for o in r.options)[r.mc_answer] == "3"


def test_option_values_with_dots_survive():
    record = bench_record(options=("A. 1.5 m", "B. 2. x", "C. 3", "D. 4"), mc_answer="A")
    assert option_rotations(record)[1].options[3] == "D. 1.5 m"


def test_numerical_records_are_asked_once():
    record = bench_record(question_type=QuestionType.OBJ_DISTANCE_NA, ground_truth="2.5")
    assert option_rotations(record) == [record]

"""SPEC §5 scoring semantics, quirks included, on hand-made replies."""

from __future__ import annotations

import numpy as np
import pytest

from spatialmosaic.evaluate.metrics import (
    MPA_THRESHOLDS,
    MRA_THRESHOLDS,
    aggregate,
    mca_accuracy,
    mean_point_accuracy,
    mean_relative_accuracy,
    parse_ground_truth_point,
    parse_point,
    parsed_answer,
    score,
)
from spatialmosaic.records import Metric, QuestionType

# --- thresholds --------------------------------------------------------------------------------


def test_mra_thresholds_are_ten_because_the_count_is_truncated() -> None:
    # SPEC §5: (0.95 - 0.5) / 0.05 + 2 is 10.999... in float64, so int() gives 10, not 11.
    assert (0.95 - 0.5) / 0.05 + 2 < 11
    assert len(MRA_THRESHOLDS) == 10
    assert MRA_THRESHOLDS[0] == 0.5
    assert MRA_THRESHOLDS[-1] == 0.95
    np.testing.assert_allclose(np.diff(MRA_THRESHOLDS), 0.05)


def test_mpa_thresholds_are_ten_from_half_to_one_point_four() -> None:
    assert len(MPA_THRESHOLDS) == 10
    np.testing.assert_allclose(MPA_THRESHOLDS, [0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.3, 1.4])


# --- multiple-choice accuracy -----------------------------------------------------------------


@pytest.mark.parametrize(
    "reply",
    [
        pytest.param("D", id="bare_letter"),
        pytest.param("D.", id="letter_with_dot"),
        pytest.param("d. 1", id="lowercase_letter_then_text"),
        pytest.param("D\n", id="trailing_newline_stripped"),
        pytest.param("D..", id="all_trailing_dots_stripped_as_reference_rstrip"),
        pytest.param("D. The chair", id="letter_dot_then_explanation"),
    ],
)
def test_mca_first_token_letter_scores_one(reply: str) -> None:
    assert mca_accuracy(reply, "D") == 1.0


@pytest.mark.parametrize(
    "reply",
    [
        pytest.param("(D)", id="parenthesised_letter"),
        pytest.param("The answer is D", id="letter_not_first_token"),
        pytest.param(" D", id="leading_space_makes_empty_first_token"),
        pytest.param("C", id="wrong_letter"),
        pytest.param("", id="empty_reply"),
        pytest.param("D:", id="letter_with_colon"),
    ],
)
def test_mca_other_replies_score_zero(reply: str) -> None:
    assert mca_accuracy(reply, "D") == 0.0


def test_mca_answer_letter_compared_case_insensitively() -> None:
    assert mca_accuracy("B", "b") == 1.0


# --- mean relative accuracy -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reply", "ground_truth", "expected"),
    [
        pytest.param("3.5", 3.5, 1.0, id="exact_value_hits_all"),
        pytest.param("4", 3.5, 0.8, id="four_vs_three_point_five"),
        pytest.param("5", 4.0, 0.6, id="five_vs_four_boundary_hit"),
        pytest.param("1.2", 1.0, 0.7, id="one_point_two_vs_one_float_boundary_miss"),
        pytest.param("4.", 3.5, 0.8, id="trailing_dot_stripped"),
        pytest.param("4 metres", 3.5, 0.8, id="only_first_token_read"),
        pytest.param("100", 3.5, 0.0, id="far_off_hits_none"),
    ],
)
def test_mra_reference_values(reply: str, ground_truth: float, expected: float) -> None:
    assert mean_relative_accuracy(reply, ground_truth) == expected


def test_mra_one_point_two_vs_one_is_not_the_exact_arithmetic_answer() -> None:
    # In exact arithmetic 0.2 <= 1 - 0.8 would hit 8 thresholds; float64 gives 7 (SPEC §5).
    assert mean_relative_accuracy("1.2", 1.0) != 0.8


@pytest.mark.parametrize(
    "reply",
    [
        pytest.param("3.5m", id="number_with_unit_glued"),
        pytest.param("about 3.5", id="number_not_first_token"),
        pytest.param("", id="empty_reply"),
        pytest.param(" 3.5", id="leading_space_makes_empty_first_token"),
    ],
)
def test_mra_unparsable_first_token_scores_zero(reply: str) -> None:
    assert mean_relative_accuracy(reply, 3.5) == 0.0


@pytest.mark.parametrize("reply", ["0", "1", "nan"])
def test_mra_zero_ground_truth_scores_zero_without_raising(reply: str) -> None:
    assert mean_relative_accuracy(reply, 0.0) == 0.0


# --- mean point accuracy ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("(14,10)", (14.0, 10.0), id="parenthesised_pair"),
        pytest.param("( 14 , 10.5 )", (14.0, 10.5), id="parenthesised_pair_with_spaces"),
        pytest.param("14, 10", (14.0, 10.0), id="comma_pair"),
        pytest.param("x 12 y 10", (12.0, 10.0), id="first_two_numbers_anywhere"),
        pytest.param("(-3.5, 2)", (-3.5, 2.0), id="negative_decimal"),
        pytest.param("1, 2 or rather (14, 10)", (14.0, 10.0), id="parentheses_win_over_comma"),
        pytest.param("frame 3 at 7, 8", (7.0, 8.0), id="comma_pair_wins_over_first_numbers"),
    ],
)
def test_parse_point_reads_reference_formats(text: str, expected: tuple[float, float]) -> None:
    assert parse_point(text) == expected


@pytest.mark.parametrize("text", ["", "no idea", "7", "(7)"])
def test_parse_point_without_two_numbers_is_none(text: str) -> None:
    assert parse_point(text) is None


def test_parse_ground_truth_point_reads_record_string() -> None:
    assert parse_ground_truth_point("(91, 218)") == (91.0, 218.0)


def test_parse_ground_truth_point_rejects_text_and_names_it() -> None:
    with pytest.raises(ValueError, match="'n/a'"):
        parse_ground_truth_point("n/a")


@pytest.mark.parametrize(
    ("reply", "diag", "expected"),
    [
        pytest.param("(14,10)", 10.0, 1.0, id="distance_four_within_all"),
        pytest.param("(19,10)", 10.0, 0.6, id="distance_nine_hits_from_point_nine"),
        pytest.param("x 12 y 10", 10.0, 1.0, id="loose_numbers_parsed"),
        pytest.param("(10,10)", 0.0, 0.0, id="zero_diagonal"),
        pytest.param("(10,10)", -5.0, 0.0, id="negative_diagonal"),
        pytest.param("somewhere left", 10.0, 0.0, id="unparsable_reply"),
        pytest.param("(40,10)", 10.0, 0.0, id="too_far_hits_none"),
        pytest.param("(" + "9" * 200 + ", 0)", 10.0, 0.0, id="huge_number_does_not_raise"),
    ],
)
def test_mpa_reference_values(reply: str, diag: float, expected: float) -> None:
    assert mean_point_accuracy(reply, (10.0, 10.0), diag) == expected


# --- dispatch ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question_type", "reply", "ground_truth", "diag", "expected"),
    [
        pytest.param(QuestionType.OBJ_COUNT, "D.", "3", "0", 1.0, id="mca_uses_letter"),
        pytest.param(QuestionType.OBJ_SPATIAL_LR, "A", "3", "0", 0.0, id="mca_wrong_letter"),
        pytest.param(QuestionType.OBJ_SIZE_NA, "4", "3.5", "0", 0.8, id="na_uses_mra"),
        pytest.param(QuestionType.OBJ_COUNT_NA, "D", "3", "0", 0.0, id="na_ignores_letter"),
        pytest.param(QuestionType.OBJ_DISTANCE_NA, "4", "n/a", "0", 0.0, id="na_bad_truth"),
        pytest.param(
            QuestionType.OBJ_LOCALIZATION_NA, "(19,10)", "(10,10)", "10", 0.6, id="point_uses_mpa"
        ),
        pytest.param(
            QuestionType.OBJ_LOCALIZATION_NA, "(10,10)", "(10,10)", "n/a", 0.0, id="point_bad_diag"
        ),
        pytest.param(
            QuestionType.OBJ_LOCALIZATION_NA, "(10,10)", "none", "10", 0.0, id="point_bad_truth"
        ),
    ],
)
def test_score_dispatches_by_metric(
    question_type: QuestionType, reply: str, ground_truth: str, diag: str, expected: float
) -> None:
    assert score(question_type, reply, ground_truth, "D", diag) == expected


@pytest.mark.parametrize("question_type", list(QuestionType), ids=lambda qt: qt.value)
def test_score_handles_every_question_type(question_type: QuestionType) -> None:
    assert score(question_type, "garbage", "(1,1)", "A", "10") == 0.0


def test_every_metric_is_used_by_some_question_type() -> None:
    assert {qt.metric for qt in QuestionType} == set(Metric)


# --- aggregation ------------------------------------------------------------------------------


def test_aggregate_overall_is_unweighted_over_question_types() -> None:
    scores = [(QuestionType.OBJ_COUNT, s) for s in (1.0, 1.0, 1.0, 0.0)]
    scores.append((QuestionType.OBJ_SIZE_NA, 0.5))
    result = aggregate(scores)
    assert result["per_type"] == {"obj_count_occ": 75.0, "obj_size_occ_na": 50.0}
    assert result["overall"] == pytest.approx(62.5)  # sample-weighted would be 70


def test_aggregate_counts_direction_variants_separately_but_task_view_merges_them() -> None:
    scores = [
        (QuestionType.OBJ_SPATIAL_AB, 1.0),
        (QuestionType.OBJ_SPATIAL_FB, 0.0),
        (QuestionType.OBJ_SPATIAL_LR, 0.0),
        (QuestionType.OBJ_COUNT, 1.0),
    ]
    result = aggregate(iter(scores))
    assert result["overall"] == pytest.approx(50.0)
    assert result["tasks"] == pytest.approx({"obj_count_occ": 100.0, "obj_spatial_occ": 100 / 3})


def test_aggregate_task_view_has_eleven_tasks_for_all_seventeen_types() -> None:
    result = aggregate((qt, 1.0) for qt in QuestionType)
    assert len(result["per_type"]) == 17
    assert len(result["tasks"]) == 11
    assert list(result["per_type"]) == [qt.value for qt in QuestionType]


def test_aggregate_empty_input_raises() -> None:
    with pytest.raises(ValueError, match="no scores"):
        aggregate([])


def test_aggregate_rejects_score_outside_unit_interval_and_names_it() -> None:
    with pytest.raises(ValueError, match="1.5.*obj_count_occ"):
        aggregate([(QuestionType.OBJ_COUNT, 1.5)])


@pytest.mark.parametrize(
    ("question_type", "reply", "parsed"),
    [
        (QuestionType.OBJ_COUNT, "d. 1", "d"),
        (QuestionType.OBJ_COUNT, "(D)", "(D)"),
        (QuestionType.OBJ_COUNT, " D", ""),
        (QuestionType.OBJ_DISTANCE_NA, "4 m", 4.0),
        (QuestionType.OBJ_DISTANCE_NA, "3.5m", None),
        (QuestionType.OBJ_LOCALIZATION_NA, "x 12 y 10", [12.0, 10.0]),
        (QuestionType.OBJ_LOCALIZATION_NA, "left", None),
    ],
)
def test_parsed_answer_is_what_the_scorer_reads(question_type, reply, parsed) -> None:
    assert parsed_answer(question_type, reply) == parsed

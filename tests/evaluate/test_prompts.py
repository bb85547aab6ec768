"""SPEC §5 prompt text: frozen as a JSON snapshot (rewrite with UPDATE_SNAPSHOTS=1)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from spatialmosaic.evaluate.prompts import (
    MCA_POST_PROMPT,
    NA_POST_PROMPT,
    POINT_POST_PROMPT,
    PRE_PROMPT,
    build_prompt,
)
from spatialmosaic.records import Metric, QuestionType

SNAPSHOT = Path(__file__).parent / "snapshots" / "prompts.json"
OPTIONS = ("A. 1 chair(s)", "B. 2 chair(s)", "C. 3 chair(s)", "D. 4 chair(s)")
CASES: dict[str, tuple[QuestionType, str, tuple[str, ...]]] = {
    "mca_obj_count_occ": (
        QuestionType.OBJ_COUNT,
        "How many chair(s) are visible across these frames?",
        OPTIONS,
    ),
    "na_obj_distance_occ_na": (
        QuestionType.OBJ_DISTANCE_NA,
        "In Frame 2, how far is the table from the camera, in metres?",
        ("A. 1.0", "B. 1.5", "C. 2.0", "D. 2.5"),
    ),
    "point_obj_localization_occ_na": (
        QuestionType.OBJ_LOCALIZATION_NA,
        "What is the bounding-box centre of the sofa in frame_009770?",
        ("A. (91, 218)", "B. (12, 40)", "C. (300, 5)", "D. (77, 77)"),
    ),
}


def test_prompts_match_snapshot() -> None:
    actual = {
        name: {"question_type": qt.value, "prompt": build_prompt(question, options, qt)}
        for name, (qt, question, options) in CASES.items()
    }
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.parent.mkdir(exist_ok=True)
        SNAPSHOT.write_text(json.dumps(actual, indent=2, ensure_ascii=False) + "\n")
    expected = json.loads(SNAPSHOT.read_text())
    assert actual == expected


def test_mca_prompt_matches_reference_expression() -> None:
    question = CASES["mca_obj_count_occ"][1]
    reference = "\n".join(
        [PRE_PROMPT, question, "Options:\n" + "\n".join(OPTIONS), MCA_POST_PROMPT]
    )
    assert build_prompt(question, OPTIONS, QuestionType.OBJ_COUNT) == reference


@pytest.mark.parametrize(
    ("question_type", "post_prompt"),
    [
        pytest.param(QuestionType.OBJ_SIZE_NA, NA_POST_PROMPT, id="numeric"),
        pytest.param(QuestionType.OBJ_LOCALIZATION_NA, POINT_POST_PROMPT, id="point"),
    ],
)
def test_na_prompt_matches_reference_expression_and_ignores_options(
    question_type: QuestionType, post_prompt: str
) -> None:
    prompt = build_prompt("How big?", OPTIONS, question_type)
    assert prompt == PRE_PROMPT + "\n" + "How big?" + "\n" + post_prompt
    assert "Options:" not in prompt


@pytest.mark.parametrize("question_type", list(QuestionType), ids=lambda qt: qt.value)
def test_every_question_type_ends_with_its_metric_post_prompt(question_type: QuestionType) -> None:
    post = {
        Metric.ACCURACY: MCA_POST_PROMPT,
        Metric.MRA: NA_POST_PROMPT,
        Metric.MPA: POINT_POST_PROMPT,
    }
    prompt = build_prompt("Q?", OPTIONS, question_type)
    assert prompt.startswith(PRE_PROMPT + "\nQ?\n")
    assert prompt.endswith("\n" + post[question_type.metric])


def test_post_prompts_are_the_official_wording() -> None:
    assert PRE_PROMPT == "These are frames of a video."
    assert MCA_POST_PROMPT == "Answer with the option's letter from the given choices directly."
    assert NA_POST_PROMPT == "Please answer the question using a single word or phrase."
    assert POINT_POST_PROMPT == "Please answer with the coordinate pair only, formatted as (x,y)."


def test_mca_without_options_raises() -> None:
    with pytest.raises(ValueError, match="obj_count_occ"):
        build_prompt("How many?", (), QuestionType.OBJ_COUNT)

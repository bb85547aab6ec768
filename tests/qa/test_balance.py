"""Balance: no option feature predicts the answer beyond chance; letters dealt uniformly."""

from __future__ import annotations

from collections import Counter

import pytest

from spatialmosaic.qa.balance import CHANCE, SLACK_QUESTIONS, Balancer, option_features
from spatialmosaic.records import OPTION_LETTERS, BenchRecord, Dataset, QuestionType


def record(question_type: QuestionType, texts: list[str], correct: int, index: int) -> BenchRecord:
    return BenchRecord(
        dataset=Dataset.OURS,
        scene_name="s",
        question_type=question_type,
        frames=("f1", "f2"),
        question=f"question {index}",
        options=tuple(f"{L}. {t}" for L, t in zip(OPTION_LETTERS, texts, strict=True)),
        ground_truth=texts[correct],
        mc_answer=OPTION_LETTERS[correct],
        overlap_avg=0.1,
        occlusion_avg=0.2,
        occ_level="Low Occlusion",
        overlap_level="Medium Overlap",
        vis_level="Fully Visible",
        gt_scenario="Full Coverage",
        id=f"r{index}",
    )


def test_features_mask_points_split_compounds_and_rank_numbers():
    assert option_features(["Yes; (12,40)", "No"]) == [
        ["text:Yes; (x,y)", "part:Yes", "part:(x,y)"],
        ["text:No"],
    ]
    assert [f[-1] for f in option_features(["3", "0", "10", "2"])] == [
        "rank:2",
        "rank:0",
        "rank:3",
        "rank:1",
    ]
    assert option_features(["above it, to the left of it"])[0][1:] == [
        "part:above it",
        "part:to the left of it",
    ]


def test_a_give_away_option_is_dropped_once_its_slack_is_spent():
    balancer = Balancer(seed=0)
    kept = [
        balancer.admit(record(QuestionType.OBJ_COUNT, ["7", "a", "b", "c"], 0, k))
        for k in range(40)
    ]
    admitted = sum(r is not None for r in kept)
    # "7" is shown once per question and always right: kept while correct + 1 <= (shown + 1)/4 + 2
    assert admitted == 2
    assert balancer.summary()["obj_count_occ"] == {"kept": 2, "dropped_for_balance": 38}


def test_no_kept_feature_is_right_more_than_a_quarter_of_the_time_plus_slack():
    balancer = Balancer(seed=1)
    texts = ["red", "green", "blue", "cyan", "pink"]
    kept = []
    for k in range(400):
        correct_text = texts[k % 2]  # red and green are always the answer
        wrong = [t for t in texts if t != correct_text][: 3 if k % 3 else 2] + ["plum"]
        options = [correct_text, *wrong[:3]]
        admitted = balancer.admit(record(QuestionType.OBJ_ATTRIBUTE_LR, options, 0, k))
        if admitted is not None:
            kept.append(admitted)
    shown, right = Counter(), Counter()
    for r in kept:
        for option in r.options:
            shown[option[3:]] += 1
        right[r.ground_truth] += 1
    for text, times_shown in shown.items():
        assert right[text] <= CHANCE * times_shown + SLACK_QUESTIONS + 1


def test_letters_are_dealt_in_shuffled_blocks_and_options_keep_their_texts():
    balancer = Balancer(seed=2)
    letters = []
    for k in range(400):
        values = [str(k % 7), str(k % 7 + 1), str(k % 7 + 2), str(k % 7 + 3)]
        original = record(QuestionType.OBJ_SPATIAL_LR, values, k % 4, k)
        admitted = balancer.admit(original, None)
        if admitted is None:
            continue
        assert admitted.options[OPTION_LETTERS.index(admitted.mc_answer)][3:] == (
            original.ground_truth
        )
        assert sorted(o[3:] for o in admitted.options) == sorted(values)
        letters.append(admitted.mc_answer)
    counts = Counter(letters)
    assert max(counts.values()) - min(counts.values()) <= 1  # whole blocks of ABCD, then a part


def test_distractors_come_from_the_pool_and_expose_over_correct_options():
    balancer = Balancer(seed=3)
    question_type = QuestionType.OBJ_COUNT
    for k in range(6):  # "1" has been right six times and never shown as wrong
        balancer.admit(record(question_type, ["1", f"x{k}", f"y{k}", f"z{k}"], 0, k))
    pooled = record(question_type, ["4", "5", "6", "7"], 0, 99)
    admitted = balancer.admit(pooled, wrong_pool=["9", "1", "8", "0", "2", "3"])
    assert admitted is not None
    texts = {o[3:] for o in admitted.options}
    assert "4" in texts and "1" in texts and texts <= {"4", "9", "1", "8", "0", "2", "3"}


@pytest.mark.parametrize("question_type", [QuestionType.OBJ_COUNT_NA, QuestionType.OBJ_SIZE_NA])
def test_numeric_questions_pass_unchanged(question_type):
    balancer = Balancer(seed=0)
    original = record(question_type, ["7", "8", "9", "10"], 0, 0)
    for _ in range(10):
        assert balancer.admit(original) == original

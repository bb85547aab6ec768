"""The blind check catches a dataset whose text gives the answer away, and passes a fair one."""

from __future__ import annotations

import numpy as np
from test_balance import record

from spatialmosaic.qa.blind import blind_check
from spatialmosaic.records import QuestionType

Q = QuestionType.OBJ_ATTRIBUTE_AB


def leaky(n: int, offset: int) -> list:
    """The answer is always "lamp", at a random letter: text alone answers it."""
    rng = np.random.default_rng(offset)
    records = []
    for k in range(n):
        texts = ["rug", "chair", "sofa"]
        position = int(rng.integers(4))
        texts.insert(position, "lamp")
        records.append(record(Q, texts, position, offset + k))
    return records


def fair(n: int, offset: int) -> list:
    """Four colours in random order and a random answer: nothing to learn from the text."""
    rng = np.random.default_rng(offset)
    return [
        record(Q, list(rng.permutation(["red", "green", "blue", "cyan"])), int(rng.integers(4)), k)
        for k in range(offset, offset + n)
    ]


def test_a_leaky_dataset_fails_the_check():
    report = blind_check(leaky(200, 0), leaky(100, 1000), seed=0)
    row = report["types"][Q.value]
    assert row["baselines"]["option_prior"]["accuracy"] == 100.0
    assert row["best"] in {"option_prior", "feature_odds"}
    assert not row["within_margin"] and not report["passed"]


def test_a_fair_dataset_passes_near_chance():
    report = blind_check(fair(400, 0), fair(400, 1000), seed=0)
    row = report["types"][Q.value]
    for baseline in row["baselines"].values():
        low, high = baseline["ci95"]
        assert low <= baseline["accuracy"] <= high
        assert abs(baseline["accuracy"] - 25.0) < 7.5
    assert report["passed"]


def test_numeric_types_are_not_checked():
    numeric = [record(QuestionType.OBJ_SIZE_NA, ["1", "2", "3", "4"], 0, k) for k in range(5)]
    assert blind_check(numeric, numeric, seed=0)["types"] == {}


def test_markdown_table_lists_each_type_with_its_verdict():
    from spatialmosaic.qa.blind import blind_check_markdown

    text = blind_check_markdown(blind_check(leaky(200, 0), leaky(100, 1000), seed=0))
    assert "| obj_attribute_occ_ab | 100 | option_prior | 100.00 | 100.00 | 100.00 | no |" in text

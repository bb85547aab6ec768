"""The most-frequent-answer baseline."""

from __future__ import annotations

from spatialmosaic.training.frequency import (
    fit_frequency,
    read_frequency_model,
    write_frequency_model,
)


def record(question_type: str, answer: str) -> dict:
    return {
        "question_type": question_type,
        "conversations": [{"from": "human", "value": "q"}, {"from": "gpt", "value": answer}],
    }


def test_most_frequent_answer_per_type_with_deterministic_ties(tmp_path):
    records = [record("obj_count_occ", a) for a in "BBAC"] + [
        record("obj_count_occ_na", a) for a in ("3", "2", "2", "3")
    ]
    fitted = fit_frequency(records)
    assert fitted["obj_count_occ"] == {"answer": "B", "count": 2, "total": 4}
    assert fitted["obj_count_occ_na"]["answer"] == "2"  # tie 2/2: smallest string wins
    write_frequency_model(tmp_path / "m.json", fitted, meta={})
    assert read_frequency_model(tmp_path / "m.json") == {
        "obj_count_occ": "B",
        "obj_count_occ_na": "2",
    }

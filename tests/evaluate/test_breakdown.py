"""Breakdowns: counts, means and bootstrap intervals per level."""

from __future__ import annotations

import pytest

from bench_records import bench_record
from spatialmosaic.evaluate.breakdown import breakdowns
from spatialmosaic.records import QuestionType


def test_levels_follow_the_records_with_means_and_intervals():
    records = [
        bench_record(id="a", occ_level="Low Occlusion", frames=("f0", "f1")),
        bench_record(id="b", occ_level="Low Occlusion", frames=("f0", "f1", "f2")),
        bench_record(id="c", occ_level="High Occlusion", frames=("f0", "f1", "f2")),
        bench_record(
            id="d",
            occ_level="High Occlusion",
            question_type=QuestionType.OBJ_SIZE_NA,
            frames=("f0", "f1", "f2"),
        ),
    ]
    result = breakdowns(records, [1.0, 0.0, 1.0, 0.4], seed=0)
    occlusion = result["occ_level"]
    assert list(occlusion) == ["Low Occlusion", "High Occlusion"]  # enum order, empty left out
    assert occlusion["Low Occlusion"]["n"] == 2
    assert occlusion["Low Occlusion"]["score"] == pytest.approx(50.0)
    low, high = occlusion["Low Occlusion"]["ci95"]
    assert 0.0 <= low <= 50.0 <= high <= 100.0
    assert occlusion["High Occlusion"]["score"] == pytest.approx(70.0)
    assert occlusion["High Occlusion"]["by_metric"]["mra"] == {
        "n": 1,
        "score": pytest.approx(40.0),
        "ci95": [pytest.approx(40.0), pytest.approx(40.0)],
    }
    assert list(result["views"]) == ["2", "3"]
    assert result["views"]["3"]["n"] == 3
    assert result["GT Scenario"]["Full Coverage"]["n"] == 4


def test_intervals_are_seeded_and_cover_the_mean():
    records = [bench_record(id=str(i)) for i in range(200)]
    scores = [float(i % 3 == 0) for i in range(200)]
    first = breakdowns(records, scores, seed=3)
    assert first == breakdowns(records, scores, seed=3)
    entry = first["vis_level"]["Fully Visible"]
    assert entry["ci95"][0] < entry["score"] < entry["ci95"][1]
    # 95% interval of a Bernoulli(0.335) mean over 200 samples: about +-6.5 points
    assert 10 < entry["ci95"][1] - entry["ci95"][0] < 16


def test_length_mismatch_is_refused():
    with pytest.raises(ValueError, match="2 records but 1 scores"):
        breakdowns([bench_record(id="a"), bench_record(id="b")], [1.0], seed=0)

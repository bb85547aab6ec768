"""Scores broken down by the record's difficulty labels and number of views, with 95%
bootstrap intervals, for the paper's diagnostics (accuracy drops with occlusion and overlap)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from spatialmosaic.evaluate.bootstrap import bootstrap_interval
from spatialmosaic.provenance import derive_rng
from spatialmosaic.records import (
    BenchRecord,
    GTScenario,
    Metric,
    OccLevel,
    OverlapLevel,
    VisLevel,
)

PERCENT = 100.0

# Field name in the record JSON -> (label of a record, labels in reading order).
DIMENSIONS: dict[str, tuple[Callable[[BenchRecord], str], list[str]]] = {
    "occ_level": (lambda r: r.occ_level, [level.value for level in OccLevel]),
    "overlap_level": (lambda r: r.overlap_level, [level.value for level in OverlapLevel]),
    "vis_level": (lambda r: r.vis_level, [level.value for level in VisLevel]),
    "GT Scenario": (lambda r: r.gt_scenario, [level.value for level in GTScenario]),
    "views": (lambda r: str(len(r.frames)), [str(n) for n in range(2, 6)]),
}


def _summary(scores: list[float], seed: int, *keys: str) -> dict:
    low, high = bootstrap_interval(scores, derive_rng(seed, "breakdown", *keys))
    return {
        "n": len(scores),
        "score": PERCENT * float(np.mean(scores)),
        "ci95": [PERCENT * low, PERCENT * high],
    }


def breakdowns(records: Sequence[BenchRecord], scores: Sequence[float], seed: int) -> dict:
    """Per dimension and level: sample count, mean score x 100 and its 95% bootstrap interval,
    over all questions and per metric (accuracy, MRA, MPA). Levels without samples are left out.

    The score of a group is the plain mean of its per-sample scores (each in [0, 1]), not the
    official per-type mean: groups hold different mixes of types, and a per-sample mean is what
    the bootstrap resamples.
    """
    if len(records) != len(scores):
        raise ValueError(f"breakdowns: {len(records)} records but {len(scores)} scores")
    result: dict[str, dict] = {}
    for dimension, (label_of, order) in DIMENSIONS.items():
        groups: dict[str, list[tuple[Metric, float]]] = {}
        for record, value in zip(records, scores, strict=True):
            groups.setdefault(label_of(record), []).append((record.question_type.metric, value))
        levels = [level for level in order if level in groups]
        levels += sorted(set(groups) - set(order))  # labels a loader may add, kept visible
        table = {}
        for level in levels:
            pairs = groups[level]
            entry = _summary([value for _, value in pairs], seed, dimension, level)
            entry["by_metric"] = {
                metric.value: _summary(values, seed, dimension, level, metric.value)
                for metric in Metric
                if (values := [value for kind, value in pairs if kind is metric])
            }
            table[level] = entry
        result[dimension] = table
    return result

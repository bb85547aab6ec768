"""Percentile bootstrap confidence intervals for mean scores (breakdowns, blind check)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

RESAMPLES = 1000
LEVEL = 0.95


def bootstrap_interval(
    scores: Sequence[float], rng: np.random.Generator, resamples: int = RESAMPLES
) -> tuple[float, float]:
    """95% percentile interval of the mean of ``scores``, resampling samples with replacement.

    A single sample (or none) has no spread to resample: its interval is the mean itself.
    """
    values = np.asarray(scores, dtype=float)
    if len(values) < 2:
        mean = float(values.mean()) if len(values) else float("nan")
        return mean, mean
    picks = rng.integers(len(values), size=(resamples, len(values)))
    means = values[picks].mean(axis=1)
    tail = (1 - LEVEL) / 2
    low, high = np.quantile(means, [tail, 1 - tail])
    return float(low), float(high)

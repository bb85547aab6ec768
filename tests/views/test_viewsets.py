"""View-set sampling respects the overlap bound and the 2-5 size range."""

from __future__ import annotations

from itertools import combinations

import numpy as np

from spatialmosaic.records import Observation
from spatialmosaic.views.viewsets import sample_viewsets
from spatialmosaic.visibility.table import SceneVisibility


def synthetic_visibility(n_frames: int = 12) -> SceneVisibility:
    frames = tuple(f"frame_{i:06d}" for i in range(n_frames))
    index = np.arange(n_frames)
    gap = np.minimum(
        np.abs(index[:, None] - index[None]), n_frames - np.abs(index[:, None] - index[None])
    )
    iou = np.clip(1.0 - 0.3 * gap, 0.0, 1.0)  # neighbours overlap a lot, far frames not at all
    observations = tuple(
        Observation(f, 1, 100, 100, 100, (0, 0, 9, 9), (5.0, 5.0), 1.0, 1.0, 1.0, True)
        for f in frames
    )
    return SceneVisibility("s", frames, observations, iou, 10)


def test_every_pair_in_a_set_stays_under_the_bound():
    visibility = synthetic_visibility()
    index = {f: i for i, f in enumerate(visibility.frames)}
    sets = sample_viewsets(visibility, np.random.default_rng(1), 20, 2, 5, 0.3, 200)
    assert len(sets) == 20
    for viewset in sets:
        assert 2 <= len(viewset.frames) <= 5
        for a, b in combinations(viewset.frames, 2):
            assert visibility.overlap_iou[index[a], index[b]] <= 0.3
    assert len({vs.frames for vs in sets}) == len(sets)  # no duplicate sets


def test_sampling_is_deterministic_for_a_seed():
    visibility = synthetic_visibility()
    first = sample_viewsets(visibility, np.random.default_rng(7), 5, 2, 5, 0.3, 200)
    again = sample_viewsets(visibility, np.random.default_rng(7), 5, 2, 5, 0.3, 200)
    assert first == again


def test_impossible_bound_gives_no_sets_instead_of_bad_ones():
    visibility = synthetic_visibility()
    assert sample_viewsets(visibility, np.random.default_rng(0), 3, 2, 5, -0.1, 50) == []

"""View-set sampling: the overlap bound, the 2-5 size range and the condition shares."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest

from spatialmosaic.records import Observation
from spatialmosaic.views.viewsets import CONDITIONS, pick_by_targets, sample_viewsets
from spatialmosaic.views.viewsets import viewset_conditions as conditions
from spatialmosaic.visibility.table import SceneVisibility

TARGETS = {"partial_visibility": 0.5, "occlusion": 0.5, "low_overlap": 0.5}


def observation(frame: str, instance_id: int, visible_px: int) -> Observation:
    """An object with S_full = S_in = 100: occlusion ratio 1 - visible_px / 100."""
    return Observation(
        frame,
        instance_id,
        100,
        100,
        visible_px,
        (0, 0, 9, 9),
        (5.0, 5.0),
        1.0,
        1.0,
        1.0,
        visible_px >= 10,
    )


def synthetic_visibility(n_frames: int = 12) -> SceneVisibility:
    """Neighbouring frames overlap a lot, far ones not at all. Object 1 is in every frame
    (occluded by half in odd frames), object 2 only in frames 0-3."""
    frames = tuple(f"frame_{i:06d}" for i in range(n_frames))
    index = np.arange(n_frames)
    gap = np.minimum(
        np.abs(index[:, None] - index[None]), n_frames - np.abs(index[:, None] - index[None])
    )
    iou = np.clip(0.45 - 0.1 * gap, 0.0, 1.0)
    np.fill_diagonal(iou, 1.0)
    observations = tuple(observation(f, 1, 50 if i % 2 else 100) for i, f in enumerate(frames))
    observations += tuple(observation(f, 2, 100) for f in frames[:4])
    return SceneVisibility("s", frames, observations, iou, 10)


def sample(visibility, seed, count, max_overlap=0.3, targets=TARGETS):
    rng = np.random.default_rng(seed)
    return sample_viewsets(visibility, rng, count, 2, 5, max_overlap, 200, targets, 0.5)


def test_every_pair_in_a_set_stays_under_the_bound():
    visibility = synthetic_visibility()
    index = {f: i for i, f in enumerate(visibility.frames)}
    sets, _ = sample(visibility, 1, 20)
    assert len(sets) == 20
    for viewset in sets:
        assert 2 <= len(viewset.frames) <= 5
        pairs = [
            visibility.overlap_iou[index[a], index[b]] for a, b in combinations(viewset.frames, 2)
        ]
        assert max(pairs) <= 0.3
        assert viewset.overlap_avg == pytest.approx(np.mean(pairs), abs=1e-6)
    assert len({vs.frames for vs in sets}) == len(sets)  # no duplicate sets


def test_conditions_of_a_set_follow_their_definitions():
    visibility = synthetic_visibility()
    f = visibility.frames
    # frames 0 and 2: both objects in both, nothing occluded, overlap 0.25 (Medium)
    assert conditions(visibility, (f[0], f[2]), 0.25, 0.5) == (False, False, False)
    # frames 0 and 5: object 2 only in frame 0; object 1 half hidden in frame 5 (ratio 0.5)
    assert conditions(visibility, (f[0], f[5]), 0.0, 0.5) == (True, True, True)
    assert conditions(visibility, (f[0], f[5]), 0.0, 0.51) == (True, False, True)


def test_greedy_pick_meets_reachable_targets_exactly():
    flags = np.array([[1, 0, 0]] * 10 + [[0, 1, 1]] * 10 + [[0, 0, 0]] * 10, dtype=float)
    taken = pick_by_targets(flags, 10, np.array([0.3, 0.5, 0.5]))
    assert flags[taken].mean(axis=0).tolist() == [0.3, 0.5, 0.5]


def test_achieved_shares_are_recorded_and_follow_the_targets():
    visibility = synthetic_visibility()
    achieved = {}
    for share in (0.0, 1.0):
        targets = dict.fromkeys(CONDITIONS, share)
        sets, achieved[share] = sample(visibility, 3, 8, max_overlap=0.45, targets=targets)
        recomputed = np.mean(
            [conditions(visibility, vs.frames, vs.overlap_avg, 0.5) for vs in sets], axis=0
        )
        assert list(achieved[share].values()) == pytest.approx(recomputed.tolist())
    for name in CONDITIONS:  # the pool has sets with and without each condition
        assert achieved[1.0][name] >= achieved[0.0][name] + 0.25


def test_sampling_is_deterministic_for_a_seed():
    visibility = synthetic_visibility()
    assert sample(visibility, 7, 5) == sample(visibility, 7, 5)


def test_impossible_bound_gives_no_sets_instead_of_bad_ones():
    assert sample(synthetic_visibility(), 0, 3, max_overlap=-0.1)[0] == []

"""View sets: 2-5 frames of a scene whose pairwise overlap stays at or under a bound (SPEC §2).

Two steps. Rejection sampling draws a pool of distinct valid sets (pairwise overlap IoU at most
``max_overlap``, at least one visible object). A greedy pick then takes sets from the pool so
that the share of sets showing each hard condition (partial visibility, occlusion, low overlap;
``docs/qa.md``) comes as close as the pool allows to the configured targets. Frames of a set are
listed in capture order.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np

from spatialmosaic.io import read_json, write_json
from spatialmosaic.qa.levels import OVERLAP_THRESHOLDS
from spatialmosaic.records import ViewSet
from spatialmosaic.visibility.table import SceneVisibility

CONDITIONS = ("partial_visibility", "occlusion", "low_overlap")
POOL_FACTOR = 4  # candidates drawn per view set wanted


def viewset_conditions(
    visibility: SceneVisibility,
    frames: tuple[str, ...],
    overlap_avg: float,
    occluded_min_ratio: float,
) -> tuple[bool, bool, bool]:
    """(partial visibility, occlusion, low overlap) of a set of frames, as in ``CONDITIONS``."""
    chosen = set(frames)
    visible = [obs for obs in visibility.observations if obs.frame_id in chosen and obs.visible]
    frames_seen: dict[int, int] = {}
    for obs in visible:
        frames_seen[obs.instance_id] = frames_seen.get(obs.instance_id, 0) + 1
    partial = any(seen < len(frames) for seen in frames_seen.values())
    occluded = any(obs.occlusion_ratio >= occluded_min_ratio for obs in visible)
    return partial, occluded, overlap_avg < OVERLAP_THRESHOLDS[0]


def _candidate_pool(
    visibility: SceneVisibility,
    rng: np.random.Generator,
    size: int,
    min_views: int,
    max_views: int,
    max_overlap: float,
    max_tries: int,
) -> list[tuple[tuple[int, ...], float]]:
    frames = visibility.frames
    with_objects = {
        visibility.frames.index(o.frame_id) for o in visibility.observations if o.visible
    }
    iou = visibility.overlap_iou
    pool: list[tuple[tuple[int, ...], float]] = []
    seen: set[tuple[int, ...]] = set()
    for _ in range(size):
        for _ in range(max_tries):
            n_views = int(rng.integers(min_views, max_views + 1))
            if n_views > len(frames):
                continue
            members = tuple(sorted(int(i) for i in rng.choice(len(frames), n_views, replace=False)))
            pairs = [iou[i, j] for i, j in combinations(members, 2)]
            if members in seen or max(pairs) > max_overlap or not with_objects & set(members):
                continue
            seen.add(members)
            pool.append((members, round(float(np.mean(pairs)), 6)))
            break
    return pool


def pick_by_targets(flags: np.ndarray, count: int, targets: np.ndarray) -> list[int]:
    """Greedy: each step takes the candidate that brings the condition shares closest to the
    targets (squared error); ties go to the earliest candidate. Returns pool indices."""
    taken: list[int] = []
    totals = np.zeros(flags.shape[1])
    available = np.ones(len(flags), dtype=bool)
    for step in range(min(count, len(flags))):
        error = (((totals + flags) / (step + 1) - targets) ** 2).sum(axis=1)
        error[~available] = np.inf
        best = int(np.argmin(error))
        taken.append(best)
        totals += flags[best]
        available[best] = False
    return taken


def sample_viewsets(
    visibility: SceneVisibility,
    rng: np.random.Generator,
    count: int,
    min_views: int,
    max_views: int,
    max_overlap: float,
    max_tries: int,
    condition_targets: dict[str, float],
    occluded_min_ratio: float,
) -> tuple[list[ViewSet], dict[str, float]]:
    """Up to ``count`` view sets (fewer when the scene cannot supply them) and the achieved
    share of sets with each condition."""
    pool = _candidate_pool(
        visibility, rng, POOL_FACTOR * count, min_views, max_views, max_overlap, max_tries
    )
    frames = visibility.frames
    flags = np.array(
        [
            viewset_conditions(
                visibility, tuple(frames[i] for i in members), avg, occluded_min_ratio
            )
            for members, avg in pool
        ],
        dtype=float,
    ).reshape(len(pool), len(CONDITIONS))
    targets = np.array([condition_targets[name] for name in CONDITIONS])
    taken = sorted(pick_by_targets(flags, count, targets))
    chosen = [
        ViewSet(
            f"{visibility.scene_name}_vs{k:04d}",
            visibility.scene_name,
            tuple(frames[i] for i in pool[index][0]),
            pool[index][1],
        )
        for k, index in enumerate(taken)
    ]
    achieved = flags[taken].mean(axis=0) if taken else np.zeros(len(CONDITIONS))
    return chosen, {name: round(float(v), 6) for name, v in zip(CONDITIONS, achieved, strict=True)}


VIEWSETS_FORMAT = "spatialmosaic.viewsets"


def write_viewsets(dest, viewsets: list[ViewSet], meta: dict) -> None:
    write_json(
        dest,
        {
            "format": VIEWSETS_FORMAT,
            "format_version": 1,
            "viewsets": [vs.to_json() for vs in viewsets],
            "meta": meta,
        },
    )


def read_viewsets(path) -> list[ViewSet]:
    return [ViewSet.from_json(item) for item in read_json(path, kind=VIEWSETS_FORMAT)["viewsets"]]

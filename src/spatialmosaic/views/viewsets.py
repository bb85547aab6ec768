"""View sets: 2-5 frames of a scene whose pairwise overlap stays at or under a bound (SPEC §2).

Rejection sampling: draw a size, draw that many distinct frames, keep the set when every pair's
overlap IoU is at most ``max_overlap`` and at least one object is visible in it. Frames of a
set are listed in capture order; duplicate sets are skipped.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np

from spatialmosaic.io import read_json, write_json
from spatialmosaic.records import ViewSet
from spatialmosaic.visibility.table import SceneVisibility


def sample_viewsets(
    visibility: SceneVisibility,
    rng: np.random.Generator,
    count: int,
    min_views: int,
    max_views: int,
    max_overlap: float,
    max_tries: int,
) -> list[ViewSet]:
    """Up to ``count`` view sets; fewer when the scene cannot supply them in ``max_tries`` each."""
    frames = visibility.frames
    frames_with_objects = {obs.frame_id for obs in visibility.observations if obs.visible}
    iou = visibility.overlap_iou
    chosen: list[ViewSet] = []
    seen: set[tuple[int, ...]] = set()
    for _ in range(count):
        for _ in range(max_tries):
            size = int(rng.integers(min_views, max_views + 1))
            if size > len(frames):
                continue
            members = tuple(
                sorted(int(i) for i in rng.choice(len(frames), size=size, replace=False))
            )
            pairs = [iou[i, j] for i, j in combinations(members, 2)]
            if members in seen or max(pairs) > max_overlap:
                continue
            if not any(frames[i] in frames_with_objects for i in members):
                continue
            seen.add(members)
            viewset_id = f"{visibility.scene_name}_vs{len(chosen):04d}"
            overlap_avg = round(float(np.mean(pairs)), 6)
            chosen.append(
                ViewSet(
                    viewset_id,
                    visibility.scene_name,
                    tuple(frames[i] for i in members),
                    overlap_avg,
                )
            )
            break
    return chosen


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

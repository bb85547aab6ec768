"""Diagnostic buckets of a question (ours; the paper does not publish its thresholds).

- ``occ_level``: ``occlusion_avg`` < 1/3 Low, < 2/3 Medium, else High.
- ``overlap_level``: ``overlap_avg`` < 0.10 Low, < 0.20 Medium, else High (sets are capped at
  ``viewsets.max_overlap``, 0.30 by default, so the buckets split that range in thirds).
- ``vis_level``: Fully Visible when every target instance is visible in every frame of the set
  (and there is at least one target).
- ``GT Scenario`` (computed in ``qa.context``): Full Coverage when the frames together show
  every instance of the target categories in the scene.
"""

from __future__ import annotations

from spatialmosaic.records import OccLevel, OverlapLevel, VisLevel

OCCLUSION_THRESHOLDS = (1 / 3, 2 / 3)
OVERLAP_THRESHOLDS = (0.10, 0.20)


def occ_level(occlusion_avg: float) -> OccLevel:
    low, high = OCCLUSION_THRESHOLDS
    if occlusion_avg < low:
        return OccLevel.LOW
    return OccLevel.MEDIUM if occlusion_avg < high else OccLevel.HIGH


def overlap_level(overlap_avg: float) -> OverlapLevel:
    low, high = OVERLAP_THRESHOLDS
    if overlap_avg < low:
        return OverlapLevel.LOW
    return OverlapLevel.MEDIUM if overlap_avg < high else OverlapLevel.HIGH


def vis_level(frames_seen_per_instance: list[int], n_frames: int) -> VisLevel:
    if frames_seen_per_instance and all(seen == n_frames for seen in frames_seen_per_instance):
        return VisLevel.FULLY_VISIBLE
    return VisLevel.PARTIALLY_VISIBLE

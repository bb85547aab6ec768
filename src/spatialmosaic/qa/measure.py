"""Metric questions scored by MRA: camera-object distance, object-object distance, size.

Distances use the centres of the objects' 3D boxes; size is the box's longest side
(``docs/qa.md``). The answers need 3D understanding across views, not pixel reading.
"""

from __future__ import annotations

import math

import numpy as np

from spatialmosaic.qa.context import ViewSetContext
from spatialmosaic.records import BenchRecord, QuestionType, SceneObject

# Wrong values of numeric options (scoring ignores them; records carry them as the official
# ones do): the answer times three of these factors.
DISTRACTOR_FACTORS = (0.5, 0.75, 1.25, 1.5, 2.0)


def box_centre_3d(obj: SceneObject) -> tuple[float, ...]:
    return tuple((lo + hi) / 2 for lo, hi in zip(obj.bbox_min_m, obj.bbox_max_m, strict=True))


def longest_side_cm(obj: SceneObject) -> int:
    return round(100 * max(hi - lo for lo, hi in zip(obj.bbox_min_m, obj.bbox_max_m, strict=True)))


def numeric_options(answer: float, text: str, fmt, rng: np.random.Generator) -> list[str] | None:
    factors = rng.choice(len(DISTRACTOR_FACTORS), size=3, replace=False)
    options = [text, *(fmt(answer * DISTRACTOR_FACTORS[k]) for k in sorted(factors))]
    return options if len(set(options)) == 4 else None


def _metres(value: float) -> str:
    return f"{value:.2f}"


def _centimetres(value: float) -> str:
    return str(round(value))


def distance_records(
    ctx: ViewSetContext, question_type: QuestionType, wanted: int, rng: np.random.Generator
) -> list[BenchRecord]:
    records: list[BenchRecord] = []
    asked: set[int] = set()
    for frame, instance_id in ctx.shuffled_sightings(rng):
        if len(records) == wanted:
            break
        distance = ctx.obs(frame, instance_id).camera_distance_m
        if instance_id in asked or distance is None:
            continue
        truth = _metres(distance)
        options = numeric_options(float(truth), truth, _metres, rng)
        if options is None:
            continue
        asked.add(instance_id)
        question = (
            f"How far is {ctx.reference(frame, instance_id)} in Frame {ctx.label(frame)} "
            "from the camera of that frame, in metres?"
        )
        records.append(
            ctx.record(
                question_type,
                len(records),
                question,
                options,
                truth,
                truth,
                targets=[instance_id],
                named=[],
                rng=rng,
            )
        )
    return records


def _frames_for_pair(
    ctx: ViewSetContext, frame_a: str, a: int, partners: list[int], asked: set[frozenset[int]]
) -> tuple[str, str, int] | None:
    """(frame of ``a``, frame of its partner, partner): the first partner that the set shows
    in a different frame from ``a``, else the first one shown only with ``a``."""
    same_frame = None
    for b in dict.fromkeys(partners):
        if b == a or frozenset((a, b)) in asked:
            continue
        frames_b = ctx.visible_frames[b]
        other = [f for f in frames_b if f != frame_a]
        if other:
            return frame_a, other[0], b
        moved = [f for f in ctx.visible_frames[a] if f not in frames_b]
        if moved:
            return moved[0], frames_b[0], b
        same_frame = same_frame or (frame_a, frame_a, b)
    return same_frame


def object_distance_records(
    ctx: ViewSetContext, question_type: QuestionType, wanted: int, rng: np.random.Generator
) -> list[BenchRecord]:
    pairs = ctx.shuffled_sightings(rng)
    records: list[BenchRecord] = []
    asked: set[frozenset[int]] = set()
    for frame_a, a in pairs:
        if len(records) == wanted:
            break
        choice = _frames_for_pair(ctx, frame_a, a, [b for _, b in pairs], asked)
        if choice is None:
            continue
        frame_a, frame_b, b = choice
        centres = [box_centre_3d(ctx.facts.objects[i]) for i in (a, b)]
        truth = _metres(math.dist(*centres))
        options = numeric_options(float(truth), truth, _metres, rng)
        if options is None:
            continue
        asked.add(frozenset((a, b)))
        question = (
            f"What is the distance in metres between {ctx.reference(frame_a, a)} in Frame "
            f"{ctx.label(frame_a)} and {ctx.reference(frame_b, b)} in Frame {ctx.label(frame_b)}?"
        )
        records.append(
            ctx.record(
                question_type,
                len(records),
                question,
                options,
                truth,
                truth,
                targets=[a, b],
                named=[],
                rng=rng,
            )
        )
    return records


def size_records(
    ctx: ViewSetContext, question_type: QuestionType, wanted: int, rng: np.random.Generator
) -> list[BenchRecord]:
    records: list[BenchRecord] = []
    asked: set[int] = set()
    for frame, instance_id in ctx.shuffled_sightings(rng):
        if len(records) == wanted:
            break
        if instance_id in asked:
            continue
        size = longest_side_cm(ctx.facts.objects[instance_id])
        truth = str(size)
        options = numeric_options(size, truth, _centimetres, rng)
        if options is None or size == 0:
            continue
        asked.add(instance_id)
        question = (
            f"What is the length of the longest dimension of {ctx.reference(frame, instance_id)} "
            f"in Frame {ctx.label(frame)}, in centimetres?"
        )
        records.append(
            ctx.record(
                question_type,
                len(records),
                question,
                options,
                truth,
                truth,
                targets=[instance_id],
                named=[],
                rng=rng,
            )
        )
    return records

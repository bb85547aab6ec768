"""Relation questions in one frame: existence, attribute and object-object relation.

A relation holds only beyond a margin (image position for ``lr``/``ab``, camera depth for
``fb``); pairs inside a margin are never asked about (``docs/qa.md``).
"""

from __future__ import annotations

import numpy as np

from spatialmosaic.qa.context import ViewSetContext
from spatialmosaic.records import BenchRecord, QuestionType

LR_MARGIN_WIDTH = 0.05  # fraction of the image width between box-centre x
AB_MARGIN_HEIGHT = 0.05  # fraction of the image height between box-centre y
FB_MARGIN_M = 0.30  # depth difference, metres ...
FB_MARGIN_RELATIVE = 0.15  # ... or this fraction of the smaller depth, whichever is larger

# Per axis: the phrase when the first object is left/above/closer, then the opposite.
RELATION_PHRASES = {
    "lr": ("to the left of", "to the right of"),
    "ab": ("above", "below"),
    "fb": ("closer to the camera than", "farther from the camera than"),
}
SPATIAL_PHRASES = {
    "lr": ("to the left of it", "to the right of it"),
    "ab": ("above it", "below it"),
    "fb": ("closer to the camera", "farther from the camera"),
}
# Height in the image and depth go together (what is higher up is often farther away), so the
# vertical axis is paired with the horizontal one, which is independent of both.
SECONDARY_AXIS = {"lr": "fb", "ab": "lr", "fb": "lr"}
NOT_IN_FRAME = "No, it appears only in other frames"
NOT_IN_SET = "No, it is not in any of these frames"


def axis_of(question_type: QuestionType) -> str:
    return question_type.value.rsplit("_", 1)[1]


def relation(ctx: ViewSetContext, frame: str, a: int, b: int, axis: str) -> int | None:
    """0 when ``a`` is left of / above / closer than ``b`` beyond the margin, 1 for the
    opposite, None inside the margin."""
    if axis == "fb":
        depth_a = ctx.obs(frame, a).depth_median_m
        depth_b = ctx.obs(frame, b).depth_median_m
        margin = max(FB_MARGIN_M, FB_MARGIN_RELATIVE * min(depth_a, depth_b))
        difference = depth_b - depth_a
    else:
        k = 0 if axis == "lr" else 1
        extent = ctx.facts.image_size(frame)[k]
        margin = (LR_MARGIN_WIDTH if axis == "lr" else AB_MARGIN_HEIGHT) * extent
        difference = ctx.centre(frame, b)[k] - ctx.centre(frame, a)[k]
    if abs(difference) < margin:
        return None
    return 0 if difference > 0 else 1


def category_side(
    ctx: ViewSetContext, frame: str, category: str, ref: int, axis: str
) -> int | str | None:
    """Where a category stands relative to ``ref`` in the frame.

    0 or 1 when all its objects present there are visible and on that side; ``"absent"``
    when none is present in the frame; None when mixed, barely visible or inside a margin.
    """
    present = ctx.present[frame].get(category, [])
    if not present:
        return "absent"
    if not all(ctx.is_visible(frame, i) for i in present):
        return None
    sides = {relation(ctx, frame, i, ref, axis) for i in present}
    return sides.pop() if len(sides) == 1 and None not in sides else None


def existence_records(
    ctx: ViewSetContext, question_type: QuestionType, wanted: int, rng: np.random.Generator
) -> list[BenchRecord]:
    axis = axis_of(question_type)
    records: list[BenchRecord] = []
    asked: set[tuple[str, int, str]] = set()
    for frame, ref in ctx.shuffled_sightings(rng):
        if len(records) == wanted:
            break
        side = int(rng.integers(2))
        phrase, opposite = RELATION_PHRASES[axis][side], RELATION_PHRASES[axis][1 - side]
        cases: dict[str, list[str]] = {"yes": [], "opposite": [], "other": [], "none": []}
        for category in ctx.facts.categories:
            if category == ctx.category(ref) or (frame, ref, category) in asked:
                continue
            where = category_side(ctx, frame, category, ref, axis)
            if where == "absent":
                if ctx.seen_instances(category):
                    cases["other"].append(category)
                elif not any(ctx.present_frames.get(i) for i in ctx.instances_of(category)):
                    cases["none"].append(category)
            elif where is not None:
                cases["yes" if where == side else "opposite"].append(category)
        feasible = [case for case, found in cases.items() if found]
        if not feasible:
            continue
        case = feasible[int(rng.integers(len(feasible)))]
        category = cases[case][int(rng.integers(len(cases[case])))]
        asked.add((frame, ref, category))
        answers = {
            "yes": "Yes",
            "opposite": f"No, only {opposite} it",
            "other": NOT_IN_FRAME,
            "none": NOT_IN_SET,
        }
        question = (
            f"In Frame {ctx.label(frame)}, is there a {category} {phrase} "
            f"{ctx.reference(frame, ref)}?"
        )
        records.append(
            ctx.record(
                question_type,
                len(records),
                question,
                list(answers.values()),
                answers[case],
                answers[case],
                targets=ctx.seen_instances(category),
                named=[ref],
                rng=rng,
                categories=(category,),
            )
        )
    return records


def attribute_records(
    ctx: ViewSetContext, question_type: QuestionType, wanted: int, rng: np.random.Generator
) -> list[BenchRecord]:
    axis = axis_of(question_type)
    records: list[BenchRecord] = []
    for frame, ref in ctx.shuffled_sightings(rng):
        if len(records) == wanted:
            break
        side = int(rng.integers(2))
        right, wrong = [], []
        for category in ctx.facts.categories:
            if category == ctx.category(ref):
                continue
            where = category_side(ctx, frame, category, ref, axis)
            if where == side:
                right.append(category)
            elif where is not None:
                wrong.append(category)
        if not right or len(wrong) < 3:
            continue
        correct = right[int(rng.integers(len(right)))]
        wrong = [wrong[k] for k in rng.permutation(len(wrong))]
        options = [correct, *wrong[:3]]
        question = (
            f"In Frame {ctx.label(frame)}, which of these objects is "
            f"{RELATION_PHRASES[axis][side]} {ctx.reference(frame, ref)}?"
        )
        records.append(
            ctx.record(
                question_type,
                len(records),
                question,
                options,
                correct,
                correct,
                targets=ctx.present[frame][correct],
                named=[ref],
                rng=rng,
                wrong_pool=wrong,
            )
        )
    return records


def spatial_records(
    ctx: ViewSetContext, question_type: QuestionType, wanted: int, rng: np.random.Generator
) -> list[BenchRecord]:
    axis = axis_of(question_type)
    secondary = SECONDARY_AXIS[axis]
    records: list[BenchRecord] = []
    for frame, a in ctx.shuffled_sightings(rng):
        if len(records) == wanted:
            break
        others = [b for b in ctx.visible_in(frame) if b != a]
        for b in (others[k] for k in rng.permutation(len(others))):
            primary_side = relation(ctx, frame, a, b, axis)
            secondary_side = relation(ctx, frame, a, b, secondary)
            if primary_side is None or secondary_side is None:
                continue
            options = [
                f"{SPATIAL_PHRASES[axis][p]}, {SPATIAL_PHRASES[secondary][s]}"
                for p in (0, 1)
                for s in (0, 1)
            ]
            correct = options[2 * primary_side + secondary_side]
            question = (
                f"In Frame {ctx.label(frame)}, where is {ctx.reference(frame, a)} "
                f"relative to {ctx.reference(frame, b)}?"
            )
            records.append(
                ctx.record(
                    question_type,
                    len(records),
                    question,
                    options,
                    correct,
                    correct,
                    targets=[a],
                    named=[b],
                    rng=rng,
                )
            )
            break
    return records

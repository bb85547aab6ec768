"""Localization questions: ``obj_localization_occ`` (is it in the frame, and where) and
``obj_localization_occ_na`` (its box centre as a point, scored by MPA)."""

from __future__ import annotations

import math
from itertools import chain

import numpy as np

from spatialmosaic.qa.context import ViewSetContext, box_centre, box_diagonal, format_point
from spatialmosaic.records import BenchRecord, QuestionType

# Wrong points keep this far from the true centre and from each other: beyond the largest MPA
# threshold (1.4 diagonals) and at least a tenth of the image diagonal (docs/qa.md).
POINT_SEPARATION_DIAGONALS = 1.5
POINT_SEPARATION_IMAGE = 0.1
GRID = (6, 4)  # last resort: cell centres of a coarse grid over the image
NO_FRACTION = 0.25  # share of "No" questions, so that "No" is right a quarter of the time


def localization_question(category: str, label: int) -> str:
    return f"Is there a {category} in Frame {label}? If so, what is its bounding-box centre?"


def point_question(category: str, label: int) -> str:
    return f"What is the bounding-box centre of the {category} in Frame {label}?"


def wrong_points(
    ctx: ViewSetContext,
    frame: str,
    true_point: tuple[int, int] | None,
    diagonal: float,
    count: int,
    rng: np.random.Generator,
) -> list[tuple[int, int]] | None:
    """Plausible wrong centres in ``frame``'s image: other objects' centres in the scene first,
    then uniform points, then grid points; None when even those cannot be spread that far
    apart."""
    width, height = ctx.facts.image_size(frame)
    separation = max(
        POINT_SEPARATION_DIAGONALS * diagonal, POINT_SEPARATION_IMAGE * math.hypot(width, height)
    )
    centres = ctx.facts.centres
    uniform = rng.integers((width, height), size=(4 * count + 16, 2))
    grid = [
        (int((i + 0.5) * width / GRID[0]), int((j + 0.5) * height / GRID[1]))
        for i in range(GRID[0])
        for j in range(GRID[1])
    ]
    candidates = chain(
        (centres[k] for k in rng.permutation(len(centres)) if _inside(centres[k], width, height)),
        ((int(x), int(y)) for x, y in uniform),
        (grid[k] for k in rng.permutation(len(grid))),
    )
    chosen: list[tuple[int, int]] = []
    for point in candidates:
        taken = chosen if true_point is None else [true_point, *chosen]
        if all(math.dist(point, other) >= separation for other in taken):
            chosen.append(point)
            if len(chosen) == count:
                return chosen
    return None


def _inside(point: tuple[int, int], width: int, height: int) -> bool:
    return 0 <= point[0] < width and 0 <= point[1] < height


def _single_visible(ctx: ViewSetContext, frame: str, category: str) -> int | None:
    present = ctx.present[frame].get(category, [])
    if len(present) == 1 and ctx.is_visible(frame, present[0]):
        return present[0]
    return None


def localization_records(
    ctx: ViewSetContext, question_type: QuestionType, wanted: int, rng: np.random.Generator
) -> list[BenchRecord]:
    point_only = question_type is QuestionType.OBJ_LOCALIZATION_NA
    yes_cases, no_cases = [], []
    for frame in ctx.frames:
        for category in ctx.facts.categories:
            instance_id = _single_visible(ctx, frame, category)
            if instance_id is not None:
                yes_cases.append((frame, category, instance_id))
            elif not ctx.present[frame].get(category) and ctx.seen_instances(category):
                no_cases.append((frame, category, ctx.seen_instances(category)[0]))
    if point_only:
        no_cases = []
    records: list[BenchRecord] = []
    yes_order = iter(rng.permutation(len(yes_cases)).tolist())
    no_order = iter(rng.permutation(len(no_cases)).tolist())
    for _ in range(2 * wanted):
        if len(records) == wanted:
            break
        is_no = no_cases and (not yes_cases or rng.random() < NO_FRACTION)
        pick = next(no_order if is_no else yes_order, None)
        if pick is None:
            continue
        frame, category, instance_id = (no_cases if is_no else yes_cases)[pick]
        label = ctx.label(frame)
        if is_no:
            seen_frame = ctx.visible_frames[instance_id][0]
            diagonal = box_diagonal(ctx.obs(seen_frame, instance_id).bbox_2d_visible)
            points = wrong_points(ctx, frame, None, diagonal, 3, rng)
            if points is None:
                continue
            options = ["No", *(f"Yes; {format_point(p)}" for p in points)]
            records.append(
                ctx.record(
                    question_type,
                    len(records),
                    localization_question(category, label),
                    options,
                    "No",
                    "No",
                    targets=ctx.seen_instances(category),
                    named=[],
                    rng=rng,
                )
            )
            continue
        box = ctx.obs(frame, instance_id).bbox_2d_visible
        centre = box_centre(box)
        points = wrong_points(ctx, frame, centre, box_diagonal(box), 3 if point_only else 2, rng)
        if points is None:
            continue
        if point_only:
            question = point_question(category, label)
            options = [format_point(p) for p in [centre, *points]]
            correct, truth = options[0], options[0]
        else:
            question = localization_question(category, label)
            options = [f"Yes; {format_point(p)}" for p in [centre, *points]] + ["No"]
            correct, truth = options[0], options[0]
        records.append(
            ctx.record(
                question_type,
                len(records),
                question,
                options,
                correct,
                truth,
                targets=[instance_id],
                named=[],
                rng=rng,
                bbox=box,
            )
        )
    return records

"""Count questions: ``obj_count_occ``, ``obj_count_occ_na`` and ``bestview_count_occ``.

The answer counts distinct objects visible in at least one frame of the set: an object seen
twice counts once, which is what partial visibility makes hard (``docs/qa.md``).
"""

from __future__ import annotations

import numpy as np

from spatialmosaic.qa.context import ViewSetContext
from spatialmosaic.records import BenchRecord, QuestionType

# Best view: a tie in the number of objects shown is broken by their visible pixels only when
# the larger total is at least this many times the smaller (docs/qa.md).
BESTVIEW_PIXEL_MARGIN = 1.25
COUNT_SPREAD = 4  # wrong counts above the answer are drawn from answer + 1 .. answer + 4


def count_question(category: str) -> str:
    return f"How many {category}(s) are visible across these frames?"


def bestview_question(category: str) -> str:
    return (
        f"How many {category}(s) are visible across these frames, "
        "and which frame shows the most of them?"
    )


def count_distractors(answer: int, rng: np.random.Generator) -> list[int]:
    """Three wrong counts around the answer. The answer's rank among the four options is drawn
    uniformly from the ranks the answer allows (counts start at 0), so that "the smallest" or
    "the second smallest" is no better a guess than a letter."""
    rank = int(rng.integers(min(answer, 3) + 1))
    below = rng.choice(answer, size=rank, replace=False) if rank else np.empty(0, dtype=int)
    above = answer + 1 + rng.choice(COUNT_SPREAD, size=3 - rank, replace=False)
    return sorted(int(v) for v in [*below, *above])


def countable_categories(ctx: ViewSetContext) -> list[str]:
    """Categories with a visible object in the set and no barely visible one."""
    return [c for c in ctx.facts.categories if ctx.seen_instances(c) and not ctx.barely_seen(c)]


def count_records(
    ctx: ViewSetContext, question_type: QuestionType, wanted: int, rng: np.random.Generator
) -> list[BenchRecord]:
    categories = countable_categories(ctx)
    if not categories:
        return []
    # Categories with more objects first (in probability): most categories have one object,
    # and the export keeps only as many 1s as the other answers allow.
    weights = np.array([len(ctx.seen_instances(c)) for c in categories], dtype=float)
    picks = rng.choice(
        len(categories), min(wanted, len(categories)), False, weights / weights.sum()
    )
    records = []
    for pick in picks:
        category = categories[pick]
        seen = ctx.seen_instances(category)
        answer = len(seen)
        options = [str(v) for v in [answer, *count_distractors(answer, rng)]]
        pool = [str(v) for v in range(answer + COUNT_SPREAD + 1) if v != answer]
        records.append(
            ctx.record(
                question_type,
                len(records),
                count_question(category),
                options,
                str(answer),
                str(answer),
                targets=seen,
                named=[],
                rng=rng,
                wrong_pool=[pool[k] for k in rng.permutation(len(pool))],
            )
        )
    return records


def best_frame(ctx: ViewSetContext, instances: list[int]) -> str | None:
    """The frame showing most of the objects, or None when no frame wins by the margin."""

    def shown(frame: str) -> tuple[int, int]:
        here = [i for i in instances if ctx.is_visible(frame, i)]
        return len(here), sum(ctx.obs(frame, i).pixels_visible for i in here)

    ranked = sorted(ctx.frames, key=shown, reverse=True)
    (count_1, pixels_1), (count_2, pixels_2) = shown(ranked[0]), shown(ranked[1])
    if count_1 > count_2 or pixels_1 >= BESTVIEW_PIXEL_MARGIN * pixels_2:
        return ranked[0]
    return None


def bestview_records(
    ctx: ViewSetContext, question_type: QuestionType, wanted: int, rng: np.random.Generator
) -> list[BenchRecord]:
    categories = countable_categories(ctx)
    records = []
    for pick in rng.permutation(len(categories)):
        if len(records) == wanted:
            break
        category = categories[pick]
        seen = ctx.seen_instances(category)
        frame = best_frame(ctx, seen)
        if frame is None:
            continue
        answer, label = len(seen), ctx.label(frame)

        def text(count: int, frame_label: int, category: str = category) -> str:
            return f"{count} {category}(s); Frame {frame_label}"

        # A 2x2 grid of (count, frame): every count and every frame appears in two options,
        # so no part of an option is more frequent than another.
        other_count = int(rng.choice([c for c in range(1, max(answer + 2, 3) + 1) if c != answer]))
        other_frame = int(rng.choice([k for k in range(1, len(ctx.frames) + 1) if k != label]))
        correct = text(answer, label)
        options = [text(c, k) for c in (answer, other_count) for k in (label, other_frame)]
        records.append(
            ctx.record(
                question_type,
                len(records),
                bestview_question(category),
                options,
                correct,
                correct,
                targets=seen,
                named=[],
                rng=rng,
            )
        )
    return records

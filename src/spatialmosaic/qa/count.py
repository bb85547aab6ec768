"""Object count questions: ``obj_count_occ`` (multiple choice) and ``obj_count_occ_na``.

The answer is the number of distinct instances of a category visible in at least one frame of
the set (an instance seen in several frames counts once). Options are four consecutive counts
(at least 1) that contain the answer, in random order, so the correct letter is uniform and the
answer is not simply the middle value.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from spatialmosaic.qa import levels
from spatialmosaic.records import (
    OPTION_LETTERS,
    BenchRecord,
    Dataset,
    Observation,
    QuestionType,
    SceneObject,
    ViewSet,
)

COUNT_TYPES = (QuestionType.OBJ_COUNT, QuestionType.OBJ_COUNT_NA)


def count_question(category: str) -> str:
    return f"How many {category}(s) are visible across these frames?"


def count_options(answer: int, rng: np.random.Generator) -> tuple[tuple[str, ...], str]:
    """Four distinct counts containing ``answer``; returns (options "A. 3", ..., correct letter)."""
    lowest = int(rng.integers(max(1, answer - 3), answer + 1))
    values = [lowest + k for k in range(len(OPTION_LETTERS))]
    order = rng.permutation(len(values))
    shuffled = [values[i] for i in order]
    letter = OPTION_LETTERS[shuffled.index(answer)]
    options = tuple(
        f"{letter}. {value}" for letter, value in zip(OPTION_LETTERS, shuffled, strict=True)
    )
    return options, letter


def count_records(
    viewset: ViewSet,
    objects: dict[int, SceneObject],
    observations: list[Observation],
    question_types: tuple[QuestionType, ...],
    per_viewset: int,
    rng: np.random.Generator,
) -> list[BenchRecord]:
    """Count questions about up to ``per_viewset`` categories visible in the view set."""
    in_set = [obs for obs in observations if obs.frame_id in viewset.frames]
    seen_frames: dict[int, int] = defaultdict(int)
    for obs in in_set:
        if obs.visible:
            seen_frames[obs.instance_id] += 1
    by_category: dict[str, list[int]] = defaultdict(list)
    for instance_id in sorted(seen_frames):
        by_category[objects[instance_id].category].append(instance_id)
    categories = sorted(by_category)
    picks = rng.permutation(len(categories))[:per_viewset]
    records = []
    for pick in sorted(picks.tolist()):
        category = categories[pick]
        instances = by_category[category]
        in_scene = sum(1 for o in objects.values() if o.category == category and not o.structural)
        ratios = [obs.occlusion_ratio for obs in in_set if obs.instance_id in instances]
        occlusion_avg = round(float(np.mean([r for r in ratios if r is not None])), 6)
        options, letter = count_options(len(instances), rng)
        for question_type in question_types:
            records.append(
                BenchRecord(
                    dataset=Dataset.OURS,
                    scene_name=viewset.scene_name,
                    question_type=question_type,
                    frames=viewset.frames,
                    question=count_question(category),
                    options=options,
                    ground_truth=str(len(instances)),
                    mc_answer=letter,
                    overlap_avg=viewset.overlap_avg,
                    occlusion_avg=occlusion_avg,
                    occ_level=levels.occ_level(occlusion_avg).value,
                    overlap_level=levels.overlap_level(viewset.overlap_avg).value,
                    vis_level=levels.vis_level(
                        [seen_frames[i] for i in instances], len(viewset.frames)
                    ).value,
                    gt_scenario=levels.gt_scenario(len(instances), in_scene).value,
                    id=f"{viewset.viewset_id}_{question_type.value}_{category.replace(' ', '-')}",
                )
            )
    return records

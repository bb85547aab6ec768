"""What the question generators know about one view set, and how they turn answers into records.

Every rule here is specified in ``docs/qa.md`` (presence, visibility, reference phrases, record
fields); the independent verifier (``qa.verify``) re-implements them from that page.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from spatialmosaic.qa import levels
from spatialmosaic.records import (
    OPTION_LETTERS,
    BenchRecord,
    Dataset,
    GTScenario,
    Observation,
    QuestionType,
    SceneObject,
    ViewSet,
)


def box_centre(box: tuple[int, int, int, int]) -> tuple[int, int]:
    x0, y0, x1, y1 = box
    return (x0 + x1) // 2, (y0 + y1) // 2


def box_diagonal(box: tuple[int, int, int, int]) -> float:
    x0, y0, x1, y1 = box
    return math.hypot(x1 - x0, y1 - y0)


def format_point(point: tuple[int, int]) -> str:
    return f"({point[0]},{point[1]})"


@dataclass(frozen=True)
class SceneFacts:
    """Per scene, built once: the targets, their observations and each frame's image size."""

    scene_name: str
    dataset: Dataset
    objects: dict[int, SceneObject]  # non-structural objects only: the possible targets
    observations: dict[tuple[str, int], Observation]  # (frame_id, instance_id)
    frame_index: dict[str, int]  # position in the visibility file's frame list
    overlap_iou: np.ndarray
    image_sizes: dict[str, tuple[int, int]]  # frame -> (width, height); rigs mix sizes
    centres: tuple[tuple[int, int], ...]  # box centres of all visible observations (distractors)
    categories: tuple[str, ...]  # sorted target categories of the scene
    by_category: dict[str, tuple[int, ...]]  # category -> its objects, by instance id

    @classmethod
    def build(
        cls,
        scene_name,
        objects,
        visibility,
        image_sizes: dict[str, tuple[int, int]],
        dataset: Dataset = Dataset.OURS,
    ) -> SceneFacts:
        targets = {o.instance_id: o for o in objects if not o.structural}
        observations = {
            (obs.frame_id, obs.instance_id): obs
            for obs in visibility.observations
            if obs.instance_id in targets
        }
        centres = tuple(
            box_centre(obs.bbox_2d_visible)
            for key, obs in sorted(observations.items())
            if obs.visible and obs.bbox_2d_visible is not None
        )
        by_category: dict[str, list[int]] = defaultdict(list)
        for instance_id in sorted(targets):
            by_category[targets[instance_id].category].append(instance_id)
        return cls(
            scene_name=scene_name,
            dataset=dataset,
            objects=targets,
            observations=observations,
            frame_index={frame: k for k, frame in enumerate(visibility.frames)},
            overlap_iou=visibility.overlap_iou,
            image_sizes=dict(image_sizes),
            centres=centres,
            categories=tuple(sorted(by_category)),
            by_category={c: tuple(ids) for c, ids in by_category.items()},
        )

    def image_size(self, frame: str) -> tuple[int, int]:
        return self.image_sizes[frame]


@dataclass
class ViewSetContext:
    """One view set: which objects are present and visible in which of its frames."""

    facts: SceneFacts
    viewset: ViewSet
    present: dict[str, dict[str, list[int]]] = field(init=False)  # frame -> category -> ids
    visible_frames: dict[int, list[str]] = field(init=False)  # instance -> frames visible in
    present_frames: dict[int, list[str]] = field(init=False)
    # record id -> wrong option texts the export may swap in for balance (qa.balance)
    wrong_pools: dict[str, list[str]] = field(default_factory=dict)
    _visible_in: dict[str, list[int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.present = {frame: defaultdict(list) for frame in self.viewset.frames}
        self.visible_frames = defaultdict(list)
        self.present_frames = defaultdict(list)
        for frame in self.viewset.frames:
            for instance_id in sorted(self.facts.objects):
                obs = self.facts.observations.get((frame, instance_id))
                if obs is None or obs.pixels_visible == 0:
                    continue
                self.present[frame][self.facts.objects[instance_id].category].append(instance_id)
                self.present_frames[instance_id].append(frame)
                if obs.visible:
                    self.visible_frames[instance_id].append(frame)

    @property
    def frames(self) -> tuple[str, ...]:
        return self.viewset.frames

    def label(self, frame: str) -> int:
        """The frame's number in questions: 1-based position in the set."""
        return self.viewset.frames.index(frame) + 1

    def obs(self, frame: str, instance_id: int) -> Observation:
        return self.facts.observations[(frame, instance_id)]

    def category(self, instance_id: int) -> str:
        return self.facts.objects[instance_id].category

    def is_visible(self, frame: str, instance_id: int) -> bool:
        return frame in self.visible_frames.get(instance_id, ())

    def visible_in(self, frame: str) -> list[int]:
        """Objects visible in the frame, by category then instance id."""
        if frame not in self._visible_in:
            self._visible_in[frame] = [
                i for ids in self.present[frame].values() for i in ids if self.is_visible(frame, i)
            ]
        return self._visible_in[frame]

    def shuffled_sightings(self, rng: np.random.Generator) -> list[tuple[str, int]]:
        """Every (frame, object visible in it) of the set, in random order: the objects a
        question may name as its subject or reference."""
        pairs = [(frame, i) for frame in self.frames for i in self.visible_in(frame)]
        return [pairs[k] for k in rng.permutation(len(pairs))]

    def instances_of(self, category: str) -> tuple[int, ...]:
        return self.facts.by_category.get(category, ())

    def seen_instances(self, category: str) -> list[int]:
        """Objects of the category visible in at least one frame of the set."""
        return [i for i in self.instances_of(category) if self.visible_frames.get(i)]

    def barely_seen(self, category: str) -> bool:
        """Some object of the category is present in the set but visible in none of its frames."""
        return any(
            self.present_frames.get(i) and not self.visible_frames.get(i)
            for i in self.instances_of(category)
        )

    def centre(self, frame: str, instance_id: int) -> tuple[int, int]:
        return box_centre(self.obs(frame, instance_id).bbox_2d_visible)

    def reference(self, frame: str, instance_id: int) -> str:
        """``the chair``, or ``the chair(94,286)`` when another chair is present in the frame."""
        category = self.category(instance_id)
        if len(self.present[frame][category]) == 1:
            return f"the {category}"
        return f"the {category}{format_point(self.centre(frame, instance_id))}"

    def record(
        self,
        question_type: QuestionType,
        index: int,
        question: str,
        options: list[str],
        correct: str,
        ground_truth: str,
        targets: list[int],
        named: list[int],
        rng: np.random.Generator,
        bbox: tuple[int, int, int, int] | None = None,
        categories: tuple[str, ...] = (),
        wrong_pool: list[str] | None = None,
    ) -> BenchRecord:
        """A record with the options in random order.

        ``named`` are the objects the question names besides the targets (references); they
        count towards ``occlusion_avg``. ``categories`` adds target categories for questions
        whose targets may be empty (a category asked about but seen in no frame).
        ``wrong_pool`` lists every other option text that would be just as wrong; the export
        may pick the distractors from it to keep options balanced.
        """
        if len(set(options)) != len(OPTION_LETTERS) or correct not in options:
            raise ValueError(f"{question!r}: need 4 distinct options including {correct!r}")
        order = [options[k] for k in rng.permutation(len(options))]
        letter = OPTION_LETTERS[order.index(correct)]
        ratios = [
            self.obs(frame, instance_id).occlusion_ratio
            for instance_id in dict.fromkeys([*targets, *named])
            for frame in self.visible_frames.get(instance_id, ())
        ]
        occlusion_avg = round(math.fsum(ratios) / len(ratios), 6) if ratios else 0.0
        n_frames = len(self.frames)
        covered = all(
            self.visible_frames.get(i)
            for category in {*categories, *(self.category(t) for t in targets)}
            for i in self.instances_of(category)
        )
        record_id = f"{self.viewset.viewset_id}_{question_type.value}_{index:02d}"
        if wrong_pool:
            self.wrong_pools[record_id] = wrong_pool
        return BenchRecord(
            dataset=self.facts.dataset,
            scene_name=self.viewset.scene_name,
            question_type=question_type,
            frames=self.frames,
            question=question,
            options=tuple(f"{L}. {text}" for L, text in zip(OPTION_LETTERS, order, strict=True)),
            ground_truth=ground_truth,
            mc_answer=letter,
            overlap_avg=self.viewset.overlap_avg,
            occlusion_avg=occlusion_avg,
            occ_level=levels.occ_level(occlusion_avg).value,
            overlap_level=levels.overlap_level(self.viewset.overlap_avg).value,
            vis_level=levels.vis_level(
                [len(self.visible_frames.get(t, ())) for t in targets], n_frames
            ).value,
            gt_scenario=(
                GTScenario.FULL_COVERAGE if covered else GTScenario.PARTIAL_COVERAGE
            ).value,
            id=record_id,
            bbox_2d=() if bbox is None else tuple(float(v) for v in bbox),
            bbox_2d_diag="0" if bbox is None else f"{box_diagonal(bbox):.2f}",
        )

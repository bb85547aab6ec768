"""Independent verifier of benchmark records: parse each question back, re-derive, compare.

It shares no code with the generator: questions are read with the templates of ``docs/qa.md``
(``verify_parse``), referenced objects are resolved from the visibility observations of the
named frame, and every answer, option, skip rule and record field is derived again from the
scene, camera and visibility files. Readings of ambiguous passages of ``docs/qa.md`` are
marked "Reading:" where they are applied.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable
from itertools import combinations
from pathlib import Path
from typing import Any

from spatialmosaic.io import ArtefactError
from spatialmosaic.qa import verify_parse as vp
from spatialmosaic.qa.levels import OCCLUSION_THRESHOLDS, OVERLAP_THRESHOLDS
from spatialmosaic.qa.verify_derive import (
    DERIVE,
    NUMERIC_OPTION,
    Derived,
    MismatchError,
    QuestionContext,
    SceneFacts,
)
from spatialmosaic.records import (
    BenchRecord,
    Dataset,
    GTScenario,
    OccLevel,
    OverlapLevel,
    VisLevel,
)
from spatialmosaic.records import QuestionType as Q
from spatialmosaic.scene_io import read_cameras, read_scene_objects
from spatialmosaic.visibility.table import read_visibility

__all__ = ["SceneFacts", "load_scene_facts", "verify_record", "verify_records"]

FIELD_TOLERANCE = 1e-6  # overlap_avg and occlusion_avg
MAX_EXAMPLES = 20
VIS_FULL, VIS_PART = VisLevel.FULLY_VISIBLE, VisLevel.PARTIALLY_VISIBLE
GT_FULL, GT_PART = GTScenario.FULL_COVERAGE, GTScenario.PARTIAL_COVERAGE


def load_scene_facts(
    scene_json: Path, cameras_json: Path, visibility_json: Path, dataset: Dataset | None = None
) -> SceneFacts:
    """Read a scene's objects, cameras and visibility file (no mesh needed).

    Raises:
        ArtefactError: a file is malformed, or the scene and visibility files name other scenes.
    """
    name, objects, _ = read_scene_objects(scene_json)
    visibility = read_visibility(visibility_json)
    if name != visibility.scene_name:
        raise ArtefactError(f"{scene_json} is scene {name!r}, {visibility_json} is not")
    try:
        return SceneFacts(objects, tuple(read_cameras(cameras_json)), visibility, dataset)
    except ValueError as error:
        raise ArtefactError(f"{cameras_json}: {error}") from None


def _bucket(value: float, thresholds: tuple[float, float], levels: list[Any]) -> str:
    return levels[sum(value >= t for t in thresholds)].value


def _setting_problems(record: BenchRecord, facts: SceneFacts) -> tuple[list[str], bool]:
    """Scene, dataset, frames and overlap; False when the frames are unusable (end the check)."""
    found = []
    if record.scene_name != facts.scene_name:
        found.append(f"scene_name: expected {facts.scene_name!r}, found {record.scene_name!r}")
    if facts.dataset is not None and record.dataset is not facts.dataset:
        found.append(f"dataset: expected {facts.dataset.value!r}, found {record.dataset.value!r}")
    order = {frame: k for k, frame in enumerate(facts.visibility.frames)}
    unknown = [f for f in record.frames if f not in order]
    if unknown:
        return found + [f"frames {unknown} are not frames of scene {facts.scene_name}"], False
    # Reading: "capture order" is the order of the scene's visibility file.
    index = [order[f] for f in record.frames]
    if any(i >= j for i, j in zip(index, index[1:], strict=False)):
        return found + [f"frames {list(record.frames)} repeat or are not in capture order"], False
    iou = facts.visibility.overlap_iou
    overlap = sum(iou[i, j] for i, j in combinations(index, 2)) / math.comb(len(index), 2)
    if abs(record.overlap_avg - overlap) > FIELD_TOLERANCE:
        found.append(f"overlap_avg: expected {overlap:.6f}, found {record.overlap_avg:.6f}")
    level = _bucket(overlap, OVERLAP_THRESHOLDS, list(OverlapLevel))
    if record.overlap_level != level:
        found.append(f"overlap_level: expected {level!r}, found {record.overlap_level!r}")
    return found, True


def _field_problems(record: BenchRecord, facts: SceneFacts, derived: Derived) -> list[str]:
    """occlusion_avg, occ_level, vis_level, GT Scenario and the localization boxes."""
    found, frames = [], record.frames
    # Reading: targets and references are named per type in the _derive_* functions.
    objects = sorted(set(derived.targets) | set(derived.refs))
    seen = [facts.obs(f, i) for i in objects for f in frames if facts.visible(f, i)]
    occlusion = sum(o.occlusion_ratio for o in seen) / len(seen) if seen else 0.0
    if abs(record.occlusion_avg - occlusion) > FIELD_TOLERANCE:
        found.append(f"occlusion_avg: expected {occlusion:.6f}, found {record.occlusion_avg:.6f}")
    full_vis = bool(derived.targets) and all(
        facts.visible(f, i) for i in derived.targets for f in frames
    )
    covered = all(
        any(facts.visible(f, i) for f in frames)
        for cat in derived.categories
        for i in facts.instances(cat)
    )
    for name, expected, value in [
        ("occ_level", _bucket(occlusion, OCCLUSION_THRESHOLDS, list(OccLevel)), record.occ_level),
        ("vis_level", (VIS_FULL if full_vis else VIS_PART).value, record.vis_level),
        ("GT Scenario", (GT_FULL if covered else GT_PART).value, record.gt_scenario),
    ]:
        if value != expected:
            found.append(f"{name}: expected {expected!r}, found {value!r}")
    if record.question_type in (Q.OBJ_LOCALIZATION, Q.OBJ_LOCALIZATION_NA):
        box, diag = (), "0"  # Reading: a No question has the record defaults: (), "0".
        if derived.box is not None:
            x0, y0, x1, y1 = derived.box
            box, diag = tuple(derived.box), f"{math.hypot(x1 - x0, y1 - y0):.2f}"
        if tuple(float(v) for v in record.bbox_2d) != tuple(float(v) for v in box):
            found.append(f"bbox_2d: expected {list(box)}, found {list(record.bbox_2d)}")
        if record.bbox_2d_diag != diag:
            found.append(f"bbox_2d_diag: expected {diag!r}, found {record.bbox_2d_diag!r}")
    return found


def _answer_problems(record: BenchRecord, texts: tuple[str, ...], derived: Derived) -> list[str]:
    found = list(derived.option_problems)
    marked = texts["ABCD".index(record.mc_answer)]
    if marked != derived.answer:
        found.append(f"mc_answer {record.mc_answer}: expected {derived.answer!r}, found {marked!r}")
    if record.ground_truth != derived.answer:
        found.append(f"ground_truth: expected {derived.answer!r}, found {record.ground_truth!r}")
    if len(set(texts)) != len(texts):
        found.append(f"options are not distinct: {list(texts)}")
    pattern = NUMERIC_OPTION.get(record.question_type)
    if pattern is not None and not all(pattern.fullmatch(t) for t in texts):
        found.append(f"options {list(texts)} are not formatted like {derived.answer!r}")
    return found


def verify_record(record: BenchRecord, facts: SceneFacts) -> list[str]:
    """Problems of one record against its scene's facts, each naming the record; [] if right.

    A question that cannot be parsed, or one the docs say to skip, is a problem, not an error.
    """
    texts = tuple(option[3:] for option in record.options)  # BenchRecord checks "A. "
    found, usable = _setting_problems(record, facts)
    if not usable:
        return [f"{record.id}: {problem}" for problem in found]
    try:
        parsed = vp.parse_question(record.question_type, record.question)
        if facts.structural_only(parsed.category):
            raise MismatchError(f"{parsed.category!r} is structural: never asked about")
        ctx = QuestionContext(facts, record.frames, record.question_type, parsed, texts)
        derived = DERIVE[record.question_type](ctx)
    except (MismatchError, vp.ParseError) as problem:
        return [f"{record.id}: {problem}" for problem in [*found, problem]]
    found += _answer_problems(record, texts, derived) + _field_problems(record, facts, derived)
    return [f"{record.id}: {problem}" for problem in found]


def verify_records(
    records: Iterable[BenchRecord], facts_for_scene: Callable[[str], SceneFacts]
) -> dict[str, Any]:
    """Verify a stream of records, loading each scene's facts when the scene changes.

    Returns:
        ``{"checked", "by_question_type", "problems", "records_with_problems", "examples"}``:
        counts, and the first ``MAX_EXAMPLES`` problem strings.
    """
    by_type: Counter[str] = Counter()
    problems, flagged, examples = 0, 0, []
    scene: tuple[str, SceneFacts] | None = None
    for record in records:
        if scene is None or scene[0] != record.scene_name:
            scene = (record.scene_name, facts_for_scene(record.scene_name))
        found = verify_record(record, scene[1])
        by_type[record.question_type.value] += 1
        problems += len(found)
        flagged += bool(found)
        examples.extend(found[: MAX_EXAMPLES - len(examples)])
    return {
        "checked": sum(by_type.values()),
        "by_question_type": dict(sorted(by_type.items())),
        "problems": problems,
        "records_with_problems": flagged,
        "examples": examples,
    }

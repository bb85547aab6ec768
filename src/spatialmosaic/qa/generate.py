"""Question generation per scene, and the split exports (SPEC §4, ``docs/qa.md``).

- per scene: a ``spatialmosaic.questions`` file with every question the generators found;
- per split, after balancing (``qa.balance``): the official benchmark JSON list (records of
  SpatialMosaic-Bench, or the training split in the same format) plus ``.meta.json``; the
  training split also gets LLaVA-style conversations.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

from spatialmosaic.evaluate.prompts import build_prompt
from spatialmosaic.io import (
    ArtefactError,
    iter_json_list,
    read_json,
    write_json,
    write_json_list,
)
from spatialmosaic.provenance import derive_rng
from spatialmosaic.qa.balance import Balancer
from spatialmosaic.qa.context import SceneFacts, ViewSetContext
from spatialmosaic.qa.count import bestview_records, count_records
from spatialmosaic.qa.localize import localization_records
from spatialmosaic.qa.measure import distance_records, object_distance_records, size_records
from spatialmosaic.qa.relations import attribute_records, existence_records, spatial_records
from spatialmosaic.records import BenchRecord, Metric, QuestionType, ViewSet, scene_domain

QUESTIONS_FORMAT = "spatialmosaic.questions"
IMAGE_TOKEN = "<image>"

Generator = Callable[[ViewSetContext, QuestionType, int, np.random.Generator], list[BenchRecord]]
_Q = QuestionType
GENERATORS: dict[QuestionType, Generator] = {
    _Q.OBJ_COUNT: count_records,
    _Q.OBJ_COUNT_NA: count_records,
    _Q.BESTVIEW_COUNT: bestview_records,
    _Q.OBJ_EXISTENCE_AB: existence_records,
    _Q.OBJ_EXISTENCE_FB: existence_records,
    _Q.OBJ_EXISTENCE_LR: existence_records,
    _Q.OBJ_ATTRIBUTE_AB: attribute_records,
    _Q.OBJ_ATTRIBUTE_FB: attribute_records,
    _Q.OBJ_ATTRIBUTE_LR: attribute_records,
    _Q.OBJ_SPATIAL_AB: spatial_records,
    _Q.OBJ_SPATIAL_FB: spatial_records,
    _Q.OBJ_SPATIAL_LR: spatial_records,
    _Q.OBJ_LOCALIZATION: localization_records,
    _Q.OBJ_LOCALIZATION_NA: localization_records,
    _Q.OBJ_DISTANCE_NA: distance_records,
    _Q.OBJ_OBJ_DISTANCE_NA: object_distance_records,
    _Q.OBJ_SIZE_NA: size_records,
}


# Types whose answers are skewed (most categories have one object; big furniture stands
# behind small things) lose many questions to the balance: they draw this many times the
# candidates, so the export still finds enough that keep every option at chance.
CANDIDATE_FACTOR = {
    _Q.OBJ_COUNT: 3,
    _Q.BESTVIEW_COUNT: 3,
    _Q.OBJ_ATTRIBUTE_AB: 3,
    _Q.OBJ_ATTRIBUTE_FB: 3,
    _Q.OBJ_ATTRIBUTE_LR: 3,
}


def generate_scene_questions(
    facts: SceneFacts,
    viewsets: list[ViewSet],
    question_types: tuple[QuestionType, ...],
    per_viewset: int,
    seed: int,
) -> tuple[list[BenchRecord], dict[str, list[str]]]:
    """Up to ``per_viewset`` questions of each type asked in the scene's domain
    (``CANDIDATE_FACTOR`` times as many for skewed types) from each view set, and the
    wrong-option pools of the questions that have one. Each (view set, type) has its own
    generator state, so adding a type never changes the others' questions."""
    records: list[BenchRecord] = []
    wrong_pools: dict[str, list[str]] = {}
    domain = scene_domain(facts.dataset, facts.scene_name)
    asked = [question_type for question_type in question_types if question_type.asked_in(domain)]
    for viewset in viewsets:
        context = ViewSetContext(facts, viewset)
        for question_type in asked:
            rng = derive_rng(seed, "qa", viewset.viewset_id, question_type.value)
            wanted = per_viewset * CANDIDATE_FACTOR.get(question_type, 1)
            records += GENERATORS[question_type](context, question_type, wanted, rng)
        wrong_pools.update(context.wrong_pools)
    return records, wrong_pools


def write_scene_questions(
    dest: Path, records: list[BenchRecord], wrong_pools: dict[str, list[str]], meta: dict
) -> None:
    write_json(
        dest,
        {
            "format": QUESTIONS_FORMAT,
            "format_version": 2,
            "records": [r.to_json() for r in records],
            "wrong_pools": wrong_pools,
            "meta": meta,
        },
    )


def read_scene_questions(path: Path) -> tuple[list[BenchRecord], dict[str, list[str]]]:
    payload = read_json(path, kind=QUESTIONS_FORMAT)
    try:
        records = [BenchRecord.from_json(item) for item in payload["records"]]
        return records, dict(payload["wrong_pools"])
    except (KeyError, ValueError) as error:
        raise ArtefactError(f"{path}: not a format-2 questions file ({error})") from None


def question_key(record: BenchRecord) -> tuple:
    """Two records are the same question when scene, frames, type and text agree."""
    return (record.scene_name, record.frames, record.question_type.value, record.question)


def balanced_records(scene_files: list[Path], balancer: Balancer) -> Iterator[BenchRecord]:
    """The split's records, scene by scene, balanced; a repeated question or id is a bug."""
    keys: set[int] = set()
    ids: set[str] = set()
    for path in scene_files:
        records, wrong_pools = read_scene_questions(path)
        for record in records:
            key = hash(question_key(record))
            if key in keys or record.id in ids:
                raise ArtefactError(f"{path}: question {record.id} appears twice in the split")
            keys.add(key)
            ids.add(record.id)
            admitted = balancer.admit(record, wrong_pools.get(record.id))
            if admitted is not None:
                yield admitted


def training_record(record: BenchRecord) -> dict:
    """LLaVA-style conversation: the evaluation prompt in, the scored answer out (SPEC §4-5)."""
    prompt = build_prompt(record.question, record.options, record.question_type)
    is_choice = record.question_type.metric is Metric.ACCURACY
    answer = record.mc_answer if is_choice else record.ground_truth
    return {
        "id": record.id,
        "data_source": f"spatialmosaic_{record.dataset.value}",
        "scene_name": record.scene_name,
        "question_type": record.question_type.value,
        "frames": list(record.frames),
        "conversations": [
            {"from": "human", "value": f"{IMAGE_TOKEN}\n{prompt}"},
            {"from": "gpt", "value": answer},
        ],
    }


def export_split(
    scene_files: list[Path], seed: int, dest: Path, llava_dest: Path | None, meta: dict
) -> dict:
    """Balance a split and write it in the official format (and LLaVA style when asked);
    returns the balance summary, also written to ``<dest>.meta.json``."""
    balancer = Balancer(seed)
    count = write_json_list(dest, (r.to_json() for r in balanced_records(scene_files, balancer)))
    if llava_dest is not None:
        write_json_list(llava_dest, (training_record(r) for r in iter_benchmark(dest)))
    summary = {"records": count, "by_question_type": balancer.summary()}
    write_json(dest.with_suffix(".meta.json"), {**meta, **summary})
    return summary


def iter_benchmark(path: Path) -> Iterator[BenchRecord]:
    """Records of an official-format JSON list, streamed (``io.iter_json_list``)."""
    for number, item in enumerate(iter_json_list(path)):
        try:
            yield BenchRecord.from_json(item)
        except (TypeError, ValueError) as error:
            raise ArtefactError(f"{path}: record {number}: {error}") from None


def read_benchmark(path: Path) -> list[BenchRecord]:
    return list(iter_benchmark(path))

"""Question generation per scene, and the two dataset exports (SPEC §4).

- per scene: ``spatialmosaic.questions`` JSON holding official benchmark records;
- benchmark: the official SpatialMosaic-Bench JSON list (eval scenes), plus ``.meta.json``;
- training: LLaVA-style records (train scenes), plus ``.meta.json``.
"""

from __future__ import annotations

from pathlib import Path

from spatialmosaic.evaluate.prompts import build_prompt
from spatialmosaic.io import ArtefactError, read_json, write_json
from spatialmosaic.provenance import derive_rng
from spatialmosaic.qa.count import COUNT_TYPES, count_records
from spatialmosaic.records import BenchRecord, Metric, QuestionType, SceneObject, ViewSet
from spatialmosaic.visibility.table import SceneVisibility

QUESTIONS_FORMAT = "spatialmosaic.questions"
IMAGE_TOKEN = "<image>"
GENERATORS = {question_type: count_records for question_type in COUNT_TYPES}


def generate_scene_questions(
    objects: tuple[SceneObject, ...],
    visibility: SceneVisibility,
    viewsets: list[ViewSet],
    question_types: tuple[QuestionType, ...],
    per_viewset: int,
    seed: int,
) -> list[BenchRecord]:
    unsupported = [qt.value for qt in question_types if qt not in GENERATORS]
    if unsupported:
        raise ValueError(f"no generator yet for question types {unsupported}")
    by_id = {obj.instance_id: obj for obj in objects}
    observations = list(visibility.observations)
    records: list[BenchRecord] = []
    generators: dict = {}
    for question_type in question_types:
        generators.setdefault(GENERATORS[question_type], []).append(question_type)
    for viewset in viewsets:
        for generator, types in generators.items():
            rng = derive_rng(seed, "qa", viewset.viewset_id, generator.__name__)
            records += generator(viewset, by_id, observations, tuple(types), per_viewset, rng)
    return records


def write_scene_questions(dest: Path, records: list[BenchRecord], meta: dict) -> None:
    write_json(
        dest,
        {
            "format": QUESTIONS_FORMAT,
            "format_version": 1,
            "records": [r.to_json() for r in records],
            "meta": meta,
        },
    )


def read_scene_questions(path: Path) -> list[BenchRecord]:
    payload = read_json(path, kind=QUESTIONS_FORMAT)
    return [BenchRecord.from_json(item) for item in payload["records"]]


def _gather(scene_files: list[Path]) -> list[BenchRecord]:
    records = sorted((r for f in scene_files for r in read_scene_questions(f)), key=lambda r: r.id)
    ids = [r.id for r in records]
    if len(set(ids)) != len(ids):
        duplicated = sorted({i for i in ids if ids.count(i) > 1})[:3]
        raise ArtefactError(
            f"duplicate question ids across {len(scene_files)} scenes: {duplicated}"
        )
    return records


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


def export_benchmark(scene_files: list[Path], dest: Path, meta: dict) -> None:
    records = _gather(scene_files)
    write_json(dest, [r.to_json() for r in records])
    write_json(dest.with_suffix(".meta.json"), {**meta, "records": len(records)})


def export_training_set(scene_files: list[Path], dest: Path, meta: dict) -> None:
    records = _gather(scene_files)
    write_json(dest, [training_record(r) for r in records])
    write_json(dest.with_suffix(".meta.json"), {**meta, "records": len(records)})


def read_benchmark(path: Path) -> list[BenchRecord]:
    payload = read_json(path)
    if not isinstance(payload, list):
        raise ArtefactError(f"{path}: expected a JSON list of benchmark records")
    try:
        return [BenchRecord.from_json(item) for item in payload]
    except ValueError as error:
        raise ArtefactError(f"{path}: {error}") from None

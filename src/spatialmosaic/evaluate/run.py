"""Score a model on the benchmark: per-sample logs and a metrics file (SPEC §5)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from tqdm import tqdm

from spatialmosaic.evaluate.metrics import aggregate, score
from spatialmosaic.evaluate.models import Model
from spatialmosaic.evaluate.prompts import build_prompt
from spatialmosaic.io import write_json, write_jsonl
from spatialmosaic.records import BenchRecord

METRICS_FORMAT = "spatialmosaic.metrics"


def record_digest(record: BenchRecord) -> str:
    """Hash of the record as stored, so a log line traces to exactly one benchmark question."""
    blob = json.dumps(record.to_json(), sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(blob).hexdigest()


def evaluate_model(model: Model, records: list[BenchRecord]) -> list[dict]:
    """One log row per record: prompt, raw reply and score."""
    rows = []
    for record in tqdm(records, desc="evaluate", unit="question"):
        prompt = build_prompt(record.question, record.options, record.question_type)
        reply = model.reply(record, prompt)
        rows.append(
            {
                "id": record.id,
                "record_sha256": record_digest(record),
                "question_type": record.question_type.value,
                "prompt": prompt,
                "reply": reply,
                "ground_truth": record.ground_truth,
                "mc_answer": record.mc_answer,
                "score": score(
                    record.question_type,
                    reply,
                    record.ground_truth,
                    record.mc_answer,
                    record.bbox_2d_diag,
                ),
            }
        )
    return rows


def write_evaluation(
    predictions: Path,
    metrics: Path,
    model_name: str,
    rows: list[dict],
    records: list[BenchRecord],
    meta: dict,
) -> None:
    by_id = {record.id: record for record in records}
    summary = aggregate((by_id[row["id"]].question_type, row["score"]) for row in rows)
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["question_type"]] = counts.get(row["question_type"], 0) + 1
    write_jsonl(predictions, rows)
    write_json(
        metrics,
        {
            "format": METRICS_FORMAT,
            "format_version": 1,
            "model": model_name,
            "samples": counts,
            **summary,
            "meta": meta,
        },
    )

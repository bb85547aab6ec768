"""Score a model on the benchmark: per-sample logs and a metrics file (SPEC §5).

Every number in a metrics file traces to log rows: each row carries a hash of the record it
answers, the prompt, the raw reply, what the scorer read from it and the score.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from tqdm import tqdm

from spatialmosaic.evaluate.breakdown import breakdowns
from spatialmosaic.evaluate.circular import option_rotations
from spatialmosaic.evaluate.metrics import aggregate, parsed_answer, score
from spatialmosaic.evaluate.models import Model, Query
from spatialmosaic.evaluate.prompts import build_prompt
from spatialmosaic.io import write_json, write_jsonl
from spatialmosaic.records import OPTION_LETTERS, BenchRecord, Domain, Metric

METRICS_FORMAT = "spatialmosaic.metrics"
METRICS_VERSION = 2
OTHER_LETTER = "other"


def record_digest(record: BenchRecord) -> str:
    """Hash of the record as stored, so a log line traces to exactly one benchmark question."""
    blob = json.dumps(record.to_json(), sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(blob).hexdigest()


def frame_paths(record: BenchRecord, image_root: Path | None) -> tuple[Path, ...]:
    """SPEC §4: ``<root>/<scene_name>/images/<frame>.jpg``; none without a root (text models)."""
    if image_root is None:
        return ()
    return tuple(image_root / record.scene_name / "images" / f"{f}.jpg" for f in record.frames)


def evaluate_model(
    model: Model,
    records: list[BenchRecord],
    image_root: Path | None = None,
    circular: bool = False,
) -> list[dict]:
    """One log row per question asked: a record, or with ``circular`` each rotation of a
    multiple-choice record's options (``rotation`` 0 is the record as published)."""
    asked = [
        (rotation, shown, record, digest)
        for record in records
        for digest in [record_digest(record)]  # once per record, not per rotation
        for rotation, shown in enumerate(option_rotations(record) if circular else [record])
    ]
    queries = [
        Query(
            shown,
            build_prompt(shown.question, shown.options, shown.question_type),
            frame_paths(shown, image_root),
        )
        for _, shown, _, _ in asked
    ]
    rows = []
    for (rotation, shown, record, digest), query, reply in zip(
        asked, queries, _replies(model, queries), strict=True
    ):
        prompt = query.prompt
        rows.append(
            {
                "id": record.id,
                "record_sha256": digest,
                "question_type": record.question_type.value,
                "rotation": rotation,
                "prompt": prompt,
                "reply": reply,
                "parsed": parsed_answer(record.question_type, reply),
                "ground_truth": shown.ground_truth,
                "mc_answer": shown.mc_answer,
                "score": score(
                    shown.question_type,
                    reply,
                    shown.ground_truth,
                    shown.mc_answer,
                    shown.bbox_2d_diag,
                ),
            }
        )
    return rows


def _replies(model: Model, queries: list[Query]) -> Iterator[str]:
    """Replies in query order; in batches when the model answers batches."""
    batch_size = getattr(model, "batch_size", 1) if hasattr(model, "reply_batch") else 1
    with tqdm(total=len(queries), desc="evaluate", unit="question") as bar:
        for start in range(0, len(queries), batch_size):
            chunk = queries[start : start + batch_size]
            replies = model.reply_batch(chunk) if batch_size > 1 else [model.reply(chunk[0])]
            if len(replies) != len(chunk):
                raise RuntimeError(f"model gave {len(replies)} replies to {len(chunk)} questions")
            bar.update(len(chunk))
            yield from replies


def _reply_letters(rows: list[dict], records: dict[str, BenchRecord]) -> dict[str, int]:
    """How often each letter was answered to the published multiple-choice questions: a model
    with a letter bias shows it here (and loses it under circular evaluation)."""
    counts = Counter(
        row["parsed"].upper() if row["parsed"].upper() in OPTION_LETTERS else OTHER_LETTER
        for row in rows
        if row["rotation"] == 0 and records[row["id"]].question_type.metric is Metric.ACCURACY
    )
    return {letter: counts.get(letter, 0) for letter in (*OPTION_LETTERS, OTHER_LETTER)}


def summarise(rows: list[dict], records: list[BenchRecord], seed: int) -> dict:
    """Official scores (rotation 0), per domain, breakdowns, and circular scores when rows
    hold rotations: a question counts only when all its rotations are right."""
    by_id = {record.id: record for record in records}
    published = {row["id"]: row["score"] for row in rows if row["rotation"] == 0}
    missing = [record.id for record in records if record.id not in published]
    if missing:
        raise ValueError(f"no prediction for {len(missing)} records, e.g. {missing[0]}")
    scored = [(record, published[record.id]) for record in records]
    summary = aggregate((record.question_type, value) for record, value in scored)
    summary["samples"] = dict(Counter(record.question_type.value for record in records))
    summary["domains"] = {
        domain.value: aggregate((r.question_type, v) for r, v in scored if r.domain is domain)
        for domain in Domain
        if any(record.domain is domain for record in records)
    }
    summary["breakdowns"] = breakdowns(records, [value for _, value in scored], seed)
    summary["reply_letters"] = _reply_letters(rows, by_id)
    if any(row["rotation"] > 0 for row in rows):
        worst: dict[str, float] = {}
        for row in rows:
            worst[row["id"]] = min(worst.get(row["id"], 1.0), row["score"])
        summary["circular"] = aggregate((r.question_type, worst[r.id]) for r in records)
    return summary


def write_evaluation(
    predictions: Path,
    metrics: Path,
    model_name: str,
    rows: list[dict],
    records: list[BenchRecord],
    seed: int,
    meta: dict,
) -> None:
    summary = summarise(rows, records, seed)
    write_jsonl(predictions, rows)
    write_json(
        metrics,
        {
            "format": METRICS_FORMAT,
            "format_version": METRICS_VERSION,
            "model": model_name,
            **summary,
            "meta": meta,
        },
    )

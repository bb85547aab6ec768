"""The most-frequent-answer baseline, fitted on the training split only.

For each question type it stores the answer it would give: the most frequent correct letter
for multiple choice, the most frequent ground truth for numerical questions (ties: the
smallest in string order, so fitting is deterministic).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from spatialmosaic.io import ArtefactError, read_json, write_json
from spatialmosaic.records import QuestionType

FREQUENCY_FORMAT = "spatialmosaic.model.frequency"


def fit_frequency(training_records: list[dict]) -> dict[str, dict]:
    """Per question type: {"answer": ..., "count": n, "total": N}, from LLaVA-style records."""
    answers: dict[str, Counter] = {}
    for record in training_records:
        question_type = QuestionType(record["question_type"])
        answers.setdefault(question_type.value, Counter())[
            record["conversations"][-1]["value"]
        ] += 1
    fitted = {}
    for question_type, counter in sorted(answers.items()):
        answer, count = min(counter.items(), key=lambda item: (-item[1], item[0]))
        fitted[question_type] = {"answer": answer, "count": count, "total": sum(counter.values())}
    return fitted


def write_frequency_model(dest: Path, fitted: dict[str, dict], meta: dict) -> None:
    write_json(
        dest, {"format": FREQUENCY_FORMAT, "format_version": 1, "answers": fitted, "meta": meta}
    )


def read_frequency_model(path: Path) -> dict[str, str]:
    payload = read_json(path, kind=FREQUENCY_FORMAT)
    answers = {key: value["answer"] for key, value in payload["answers"].items()}
    for key in answers:
        if key not in {qt.value for qt in QuestionType}:
            raise ArtefactError(f"{path}: unknown question_type {key!r}")
    return answers

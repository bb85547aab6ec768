"""The blind text-only model, fitted on the training split (official-format records).

It never sees an image. Multiple choice: the option with the largest summed log-odds of its text
features being right (``qa.blind.feature_odds``, the strongest of the blind check's baselines).
Numbers and points: the training median of the questions that read the same once every number
is masked ("How far is the chair(#,#) from the camera in Frame #?"), which is what a language
model's priors about typical sizes and distances of a category can give; keys with fewer than
``MIN_SUPPORT`` training questions fall back to the question type's median.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from spatialmosaic.evaluate.metrics import parse_point
from spatialmosaic.io import ArtefactError, read_json, write_json
from spatialmosaic.qa.blind import BlindPriors, feature_odds
from spatialmosaic.records import BenchRecord, Metric, QuestionType

BLIND_FORMAT = "spatialmosaic.model.blind"
MIN_SUPPORT = 3
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def masked_question(question: str) -> str:
    return _NUMBER.sub("#", question)


def _format_number(value: float) -> str:
    return f"{value:.6g}"


def _median_answer(metric: Metric, truths: list[str]) -> str:
    if metric is Metric.MPA:
        points = np.array([parse_point(truth) for truth in truths], dtype=float)
        x, y = np.median(points, axis=0)
        return f"({round(float(x))},{round(float(y))})"
    return _format_number(float(np.median([float(truth) for truth in truths])))


class BlindTextModel:
    def __init__(self, priors: BlindPriors, type_answers: dict, question_answers: dict) -> None:
        self.priors = priors
        self.type_answers = type_answers  # question_type -> answer
        self.question_answers = question_answers  # question_type -> masked question -> answer

    def answer(self, record: BenchRecord) -> str:
        question_type = record.question_type
        if question_type.metric is Metric.ACCURACY:
            return feature_odds(self.priors, record)
        by_question = self.question_answers.get(question_type.value, {})
        answer = by_question.get(masked_question(record.question))
        return answer if answer is not None else self.type_answers.get(question_type.value, "")

    def to_json(self) -> dict:
        return {
            "priors": self.priors.to_json(),
            "type_answers": self.type_answers,
            "question_answers": self.question_answers,
        }


def fit_blind_model(training: Iterable[BenchRecord]) -> BlindTextModel:
    """One streaming pass over the training records."""
    priors = BlindPriors(())
    truths: dict[QuestionType, dict[str, list[str]]] = {}
    for record in training:
        if record.question_type.metric is Metric.ACCURACY:
            priors.add(record)
        else:
            truths.setdefault(record.question_type, {}).setdefault(
                masked_question(record.question), []
            ).append(record.ground_truth)
    type_answers, question_answers = {}, {}
    for question_type in sorted(truths, key=lambda t: t.value):
        by_question = truths[question_type]
        every = [truth for group in by_question.values() for truth in group]
        type_answers[question_type.value] = _median_answer(question_type.metric, every)
        question_answers[question_type.value] = {
            question: _median_answer(question_type.metric, group)
            for question, group in sorted(by_question.items())
            if len(group) >= MIN_SUPPORT
        }
    return BlindTextModel(priors, type_answers, question_answers)


def write_blind_model(dest: Path, model: BlindTextModel, meta: dict) -> None:
    write_json(dest, {"format": BLIND_FORMAT, "format_version": 1, **model.to_json(), "meta": meta})


def read_blind_model(path: Path) -> BlindTextModel:
    payload = read_json(path, kind=BLIND_FORMAT)
    try:
        return BlindTextModel(
            BlindPriors.from_json(payload["priors"]),
            payload["type_answers"],
            payload["question_answers"],
        )
    except (KeyError, ValueError, TypeError) as error:
        raise ArtefactError(f"{path}: malformed blind model ({error!r})") from None

"""The blind text-only model, fitted on the training split (official-format records).

It never sees an image. Multiple choice: the option with the largest summed log-odds of its text
features being right (``qa.blind.feature_odds``, the strongest of the blind check's baselines).
Numbers and points: the training median of the questions that read the same once every number
is masked ("How far is the chair(#,#) from the camera in Frame #?"), which is what a language
model's priors about typical sizes and distances of a category can give. How many training
questions a masked question needs before its own median is trusted (else the type's median) is
chosen per type by a scene-disjoint cross-fit inside the training split, never on the benchmark.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from spatialmosaic.evaluate.metrics import parse_point, score
from spatialmosaic.io import ArtefactError, read_json, write_json
from spatialmosaic.qa.blind import BlindPriors, feature_odds
from spatialmosaic.records import BenchRecord, Metric, QuestionType

BLIND_FORMAT = "spatialmosaic.model.blind"
# Candidate minimum numbers of training questions behind a per-question median; None: none.
SUPPORT_CHOICES: tuple[int | None, ...] = (None, 30, 10, 3)
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
    def __init__(
        self, priors: BlindPriors, type_answers: dict, question_answers: dict, supports: dict
    ) -> None:
        self.priors = priors
        self.type_answers = type_answers  # question_type -> answer
        self.question_answers = question_answers  # question_type -> masked question -> answer
        self.supports = supports  # question_type -> the minimum support chosen by cross-fit

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
            "min_support": self.supports,
        }


def _medians(records: list[BenchRecord], support: int | None) -> tuple[str, dict[str, str]]:
    """The type's median answer, and the medians of masked questions with enough records."""
    metric = records[0].question_type.metric
    groups: dict[str, list[str]] = {}
    for record in records:
        groups.setdefault(masked_question(record.question), []).append(record.ground_truth)
    by_question = {}
    if support is not None:
        by_question = {
            question: _median_answer(metric, truths)
            for question, truths in sorted(groups.items())
            if len(truths) >= support
        }
    return _median_answer(metric, [record.ground_truth for record in records]), by_question


def _choose_support(records: list[BenchRecord]) -> int | None:
    """The minimum support that scores best on held-out training scenes (2 folds, both ways):
    per-question medians only help when the benchmark's questions resemble the training ones,
    which the training split alone must decide. None means the type's median only."""
    scenes = sorted({record.scene_name for record in records})
    if len(scenes) < 2:
        return None
    fold_of = {scene: index % 2 for index, scene in enumerate(scenes)}
    folds = [[r for r in records if fold_of[r.scene_name] == k] for k in (0, 1)]
    best, best_score = None, -1.0
    for support in SUPPORT_CHOICES:
        total = 0.0
        for fit, held_out in ((folds[0], folds[1]), (folds[1], folds[0])):
            type_answer, by_question = _medians(fit, support)
            for record in held_out:
                answer = by_question.get(masked_question(record.question), type_answer)
                total += score(
                    record.question_type,
                    answer,
                    record.ground_truth,
                    record.mc_answer,
                    record.bbox_2d_diag,
                )
        if total > best_score + 1e-9:  # ties keep the earlier (simpler) choice
            best, best_score = support, total
    return best


def fit_blind_model(training: Iterable[BenchRecord]) -> BlindTextModel:
    """One streaming pass over the training records; numerical records are kept for the
    cross-fit of their minimum support."""
    priors = BlindPriors(())
    numeric: dict[QuestionType, list[BenchRecord]] = {}
    for record in training:
        if record.question_type.metric is Metric.ACCURACY:
            priors.add(record)
        else:
            numeric.setdefault(record.question_type, []).append(record)
    type_answers, question_answers, supports = {}, {}, {}
    for question_type in sorted(numeric, key=lambda t: t.value):
        records = sorted(numeric[question_type], key=lambda r: r.id)  # order-free fit
        support = _choose_support(records)
        type_answer, by_question = _medians(records, support)
        type_answers[question_type.value] = type_answer
        question_answers[question_type.value] = by_question
        supports[question_type.value] = support
    return BlindTextModel(priors, type_answers, question_answers, supports)


def write_blind_model(dest: Path, model: BlindTextModel, meta: dict) -> None:
    write_json(dest, {"format": BLIND_FORMAT, "format_version": 1, **model.to_json(), "meta": meta})


def read_blind_model(path: Path) -> BlindTextModel:
    payload = read_json(path, kind=BLIND_FORMAT)
    try:
        return BlindTextModel(
            BlindPriors.from_json(payload["priors"]),
            payload["type_answers"],
            payload["question_answers"],
            payload["min_support"],
        )
    except (KeyError, ValueError, TypeError) as error:
        raise ArtefactError(f"{path}: malformed blind model ({error!r})") from None

"""Scoring of model replies, reproducing the official SpatialMosaic scorer exactly (SPEC §5).

Reference: the authors' lmms-eval task
``thinking-in-space/lmms_eval/tasks/spatial_mosaic/indoor/utils.py`` (functions
``fuzzy_matching``, ``exact_match``, ``mean_relative_accuracy``, ``mean_point_accuracy``,
``to_point``, ``vsibench_aggregate_results``). Its quirks are kept on purpose, so that our numbers
compare with the paper's: MCA and MRA read only the first space-separated token; the MRA
threshold count is truncated to 10; threshold boundaries are decided by floating point.

Every function here is pure; a reply that cannot be read scores 0, never raises.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable

import numpy as np

from spatialmosaic.records import BenchRecord, Metric, QuestionType

# SPEC §5: MRA thresholds theta, "MRA:.5:.95:.05" in the reference.
MRA_START = 0.5
MRA_END = 0.95
MRA_INTERVAL = 0.05
# SPEC §5: the reference sizes the grid as int((end - start) / interval + 2); in floating point
# that is int(10.999...) = 10, so 0.50..0.95 has 10 values (the "+ 2" was meant to give 10 too).
MRA_THRESHOLDS = np.linspace(MRA_START, MRA_END, int((MRA_END - MRA_START) / MRA_INTERVAL + 2))

# SPEC §5: MPA thresholds t (multiples of the box diagonal), "MPA:.5:1.4:.1" in the reference.
MPA_START = 0.5
MPA_END = 1.4
MPA_INTERVAL = 0.1
MPA_THRESHOLDS = np.arange(MPA_START, MPA_END + MPA_INTERVAL / 2, MPA_INTERVAL)

# SPEC §5: reported scores are fractions x 100.
PERCENT = 100.0

# The reference's ``to_point`` patterns, tried in this order: "(x, y)", then "x, y", then any
# two numbers. Numbers are optionally negative decimals without exponent.
_NUMBER = r"-?\d+(?:\.\d+)?"
_POINT_IN_PARENTHESES = re.compile(rf"\(\s*({_NUMBER})\s*,\s*({_NUMBER})\s*\)")
_POINT_COMMA_PAIR = re.compile(rf"({_NUMBER})\s*,\s*({_NUMBER})")
_ANY_NUMBER = re.compile(_NUMBER)


def _first_token(reply: str) -> str:
    """The reference's ``fuzzy_matching`` (SPEC §5).

    ``split(" ")`` (not ``split()``): a leading space makes the first token empty. Then
    ``rstrip(".")`` removes trailing dots and ``strip()`` surrounding whitespace, e.g. ``"D\\n"``.
    """
    return reply.split(" ")[0].rstrip(".").strip()


def _to_float(text: str) -> float | None:
    """Python ``float()`` of the text, or None when it is no number (SPEC §5: "3.5m" -> None)."""
    try:
        return float(text)
    except ValueError:
        return None


def mca_accuracy(reply: str, mc_answer: str) -> float:
    """Multiple-choice accuracy: 1.0 when the reply's first token is the answer letter (SPEC §5).

    Args:
        reply: the raw model reply.
        mc_answer: the correct letter, e.g. ``"D"``.

    Returns:
        1.0 or 0.0. ``"D"``, ``"D."``, ``"d. 1"`` score 1; ``"(D)"``, ``"The answer is D"`` and
        ``" D"`` (leading space: the first token is empty) score 0.
    """
    return 1.0 if _first_token(reply).lower() == mc_answer.lower() else 0.0


def mean_relative_accuracy(reply: str, ground_truth: float) -> float:
    """Mean relative accuracy of a numeric reply over ``MRA_THRESHOLDS`` (SPEC §5).

    A threshold theta is hit when ``|pred - gt| / gt <= 1 - theta``, evaluated in float64 exactly
    as the reference does (so ``"1.2"`` vs 1 scores 0.7, not 0.8).

    Args:
        reply: the raw model reply; its first token (see ``mca_accuracy``) is parsed as a float.
        ground_truth: the true value (count, metres, ...).

    Returns:
        The fraction of thresholds hit, in [0, 1]; 0.0 when the first token is no number.
        ``ground_truth == 0`` scores 0.0 (ours): the reference divides Python floats and would
        raise ZeroDivisionError; we return what its numpy comparison gives for inf/nan ratios,
        where every comparison is False. A negative ground truth is not special-cased: the
        reference formula then hits every threshold.
    """
    prediction = _to_float(_first_token(reply))
    if prediction is None or ground_truth == 0:
        return 0.0
    relative_error = abs(prediction - ground_truth) / ground_truth
    return float(np.mean(relative_error <= 1 - MRA_THRESHOLDS))


def parse_point(text: str) -> tuple[float, float] | None:
    """Read a pixel point the way the reference's ``to_point`` does (SPEC §5).

    Tries ``"(x, y)"``, then ``"x, y"``, then the first two numbers anywhere in the text.

    Returns:
        ``(x, y)`` in pixels, or None when fewer than two numbers are found.
    """
    match = _POINT_IN_PARENTHESES.search(text) or _POINT_COMMA_PAIR.search(text)
    if match is not None:
        return float(match.group(1)), float(match.group(2))
    numbers = _ANY_NUMBER.findall(text)
    if len(numbers) >= 2:
        return float(numbers[0]), float(numbers[1])
    return None


def parse_ground_truth_point(text: str) -> tuple[float, float]:
    """Parse a record's ``"(x,y)"`` ground truth with the reference parser (SPEC §4-5).

    Raises:
        ValueError: when the text holds no point.
    """
    point = parse_point(text)
    if point is None:
        raise ValueError(f"ground truth {text!r}: expected a pixel point '(x,y)' (SPEC §4)")
    return point


def mean_point_accuracy(
    reply: str, ground_truth: tuple[float, float], bbox_2d_diag: float
) -> float:
    """Mean point accuracy of a ``(x,y)`` reply over ``MPA_THRESHOLDS`` (SPEC §5).

    A threshold t is hit when the Euclidean distance from the predicted to the true point is at
    most ``t * bbox_2d_diag``.

    Args:
        reply: the raw model reply (the whole reply is searched, see ``parse_point``).
        ground_truth: the true point ``(x, y)`` in pixels.
        bbox_2d_diag: diagonal of the target's 2D box, pixels.

    Returns:
        The fraction of thresholds hit, in [0, 1]; 0.0 when no point can be read or the
        diagonal is not positive (the reference's ``to_positive_float``).
    """
    prediction = parse_point(reply)
    if prediction is None or not bbox_2d_diag > 0:
        return 0.0
    dx, dy = np.subtract(prediction, ground_truth, dtype=np.float64)
    # The reference's sqrt(dx**2 + dy**2) in float64. numpy overflows to inf where Python's
    # float ** 2 raises OverflowError (a reply with a 200-digit number), so we never raise.
    with np.errstate(over="ignore", invalid="ignore"):
        distance_px = np.sqrt(dx**2 + dy**2)
        return float(np.mean(distance_px <= bbox_2d_diag * MPA_THRESHOLDS))


def _score_accuracy(reply: str, ground_truth: str, mc_answer: str, bbox_2d_diag: str) -> float:
    return mca_accuracy(reply, mc_answer)


def _score_mra(reply: str, ground_truth: str, mc_answer: str, bbox_2d_diag: str) -> float:
    truth = _to_float(ground_truth)
    # SPEC §5: the reference scores an unreadable ground truth 0 (TypeError -> worst case).
    return 0.0 if truth is None else mean_relative_accuracy(reply, truth)


def _score_mpa(reply: str, ground_truth: str, mc_answer: str, bbox_2d_diag: str) -> float:
    truth = parse_point(ground_truth)
    diag = _to_float(bbox_2d_diag)
    # SPEC §5: the reference scores an unreadable ground truth or diagonal 0.
    if truth is None or diag is None:
        return 0.0
    return mean_point_accuracy(reply, truth, diag)


def parsed_answer(question_type: QuestionType, reply: str) -> str | float | list[float] | None:
    """What the scorer read from the reply, for per-sample logs (JSON-ready).

    Multiple choice: the first token as compared (``"(D)"`` stays ``"(D)"``); numeric: the
    float of the first token; point: ``[x, y]``. None when nothing could be read.
    """
    metric = question_type.metric
    if metric is Metric.ACCURACY:
        return _first_token(reply)
    if metric is Metric.MRA:
        return _to_float(_first_token(reply))
    point = parse_point(reply)
    return None if point is None else list(point)


_SCORERS: dict[Metric, Callable[[str, str, str, str], float]] = {
    Metric.ACCURACY: _score_accuracy,
    Metric.MRA: _score_mra,
    Metric.MPA: _score_mpa,
}


def score(
    question_type: QuestionType, reply: str, ground_truth: str, mc_answer: str, bbox_2d_diag: str
) -> float:
    """Score one reply with the metric of its question type (SPEC §5).

    Args:
        question_type: selects the metric through ``question_type.metric``.
        reply: the raw model reply.
        ground_truth: the record's string: a number, or ``"(x,y)"`` for point questions.
        mc_answer: the record's answer letter (used by accuracy only).
        bbox_2d_diag: the record's box diagonal string in pixels (used by MPA only).

    Returns:
        A score in [0, 1]. Unreadable replies, ground truths or diagonals score 0.0.
    """
    return _SCORERS[question_type.metric](reply, ground_truth, mc_answer, bbox_2d_diag)


def aggregate(scores: Iterable[tuple[QuestionType, float]]) -> dict:
    """Per-type, overall and per-task means, all x 100 (SPEC §5).

    ``overall`` is the unweighted mean over the question types present (so ``_ab/_fb/_lr`` count
    separately), as the reference's ``vsibench_aggregate_results``. ``tasks`` is the paper's
    11-task view: the unweighted mean of the per-type means sharing ``QuestionType.task``.

    Args:
        scores: ``(question_type, score)`` pairs, scores in [0, 1].

    Returns:
        ``{"per_type": {question_type.value: mean}, "overall": mean, "tasks": {task: mean}}``,
        every value a percentage (0-100); keys follow the ``QuestionType`` order.

    Raises:
        ValueError: when there are no scores, or a score is outside [0, 1].
    """
    by_type: dict[QuestionType, list[float]] = defaultdict(list)
    for question_type, value in scores:
        if not 0.0 <= value <= 1.0:
            raise ValueError(f"score {value!r} for {question_type.value}: expected 0..1")
        by_type[question_type].append(value)
    if not by_type:
        raise ValueError("aggregate: no scores given; need at least one (question_type, score)")
    present = [qt for qt in QuestionType if qt in by_type]
    per_type = {qt: float(np.mean(by_type[qt])) for qt in present}
    by_task: dict[str, list[float]] = defaultdict(list)
    for question_type in present:
        by_task[question_type.task].append(per_type[question_type])
    return {
        "per_type": {qt.value: PERCENT * mean for qt, mean in per_type.items()},
        "overall": PERCENT * float(np.mean(list(per_type.values()))),
        "tasks": {task: PERCENT * float(np.mean(means)) for task, means in by_task.items()},
    }


def reference_reply(record: BenchRecord) -> str:
    """A reply the official scorer gives full marks: the option letter for multiple choice,
    the ground truth itself for numbers and points (what models are trained to answer)."""
    if record.question_type.metric is Metric.ACCURACY:
        return record.mc_answer
    return record.ground_truth

"""Circular evaluation: ask a multiple-choice question once per rotation of its options, and
count it right only when every rotation is right, so a model that prefers a letter cannot
score by luck (as MMBench's CircularEval; ours, not part of the official scorer)."""

from __future__ import annotations

from dataclasses import replace

from spatialmosaic.qa.balance import option_text
from spatialmosaic.records import OPTION_LETTERS, BenchRecord, Metric


def option_rotations(record: BenchRecord) -> list[BenchRecord]:
    """The record with its option values shifted by 0..3 places, letters kept in place.

    Rotation k shows the value of old option ``(i + k) % 4`` under letter i, so the correct
    letter moves from c to ``(c - k) % 4``. Numerical records are not rotated: their scorers
    ignore the options.
    """
    if record.question_type.metric is not Metric.ACCURACY:
        return [record]
    values = [option_text(option) for option in record.options]
    correct = OPTION_LETTERS.index(record.mc_answer)
    count = len(OPTION_LETTERS)
    rotated = []
    for shift in range(count):
        options = tuple(
            f"{letter}. {values[(index + shift) % count]}"
            for index, letter in enumerate(OPTION_LETTERS)
        )
        rotated.append(
            replace(record, options=options, mc_answer=OPTION_LETTERS[(correct - shift) % count])
        )
    return rotated

"""Balance a split so that text alone does not reveal answers (``docs/qa.md``, "Balance").

One streaming pass over a split's records: a multiple-choice question is kept only if no text
feature of its correct option has been right more than a quarter of the time it was shown
(plus a small slack), and its correct letter is then dealt from shuffled ``ABCD`` blocks. The
state is a few counters, so memory stays flat however many scenes stream through.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from functools import lru_cache
from itertools import combinations

import numpy as np

from spatialmosaic.provenance import derive_rng
from spatialmosaic.records import OPTION_LETTERS, BenchRecord, Metric, QuestionType

CHANCE = 1 / len(OPTION_LETTERS)
SLACK_QUESTIONS = 2
POOL_CAP = 6  # distractors are chosen among the first 6 of a pool: at most 20 triples
_POINT = re.compile(r"\(\d+,\d+\)")
_PARTS = re.compile(r"; |, ")


def option_text(option: str) -> str:
    """``"B. 3 chair(s); Frame 2"`` -> ``"3 chair(s); Frame 2"``."""
    return option[3:]


@lru_cache(maxsize=1 << 16)
def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


@lru_cache(maxsize=1 << 16)
def _text_features(text: str) -> tuple[str, ...]:
    masked = _POINT.sub("(x,y)", text)
    parts = _PARTS.split(masked)
    return (f"text:{masked}", *(f"part:{p}" for p in parts if len(parts) > 1))


def option_features(texts: list[str]) -> list[list[str]]:
    """The features a text-only model can read off each option text: the text with coordinates
    masked, the parts of compound options, and the rank of numeric options (ties by order)."""
    features = [list(_text_features(text)) for text in texts]
    numbers = [_number(text) for text in texts]
    if all(n is not None for n in numbers):
        order = sorted(range(len(texts)), key=lambda k: (numbers[k], k))
        for rank, k in enumerate(order):
            features[k].append(f"rank:{rank}")
    return features


def lettered(record: BenchRecord, correct: str, wrong: list[str], letter: str) -> BenchRecord:
    """The record with ``correct`` at ``letter`` and the wrong texts, in order, around it."""
    texts = list(wrong)
    texts.insert(OPTION_LETTERS.index(letter), correct)
    options = tuple(f"{L}. {t}" for L, t in zip(OPTION_LETTERS, texts, strict=True))
    return replace(record, options=options, mc_answer=letter)


class Balancer:
    """Streaming filter and letter dealer for one split; feed records in a fixed order."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.shown: Counter[tuple[QuestionType, str]] = Counter()
        self.correct: Counter[tuple[QuestionType, str]] = Counter()
        self.kept: Counter[QuestionType] = Counter()
        self.dropped: Counter[QuestionType] = Counter()
        self._blocks: dict[QuestionType, list[str]] = {}
        self._rngs: dict[QuestionType, np.random.Generator] = {}

    def _letter(self, question_type: QuestionType) -> str:
        block = self._blocks.setdefault(question_type, [])
        if not block:
            rng = self._rngs.setdefault(
                question_type, derive_rng(self.seed, "qa-balance", question_type.value)
            )
            block.extend(OPTION_LETTERS[k] for k in rng.permutation(len(OPTION_LETTERS)))
        return block.pop(0)

    def _admissible(self, question_type: QuestionType, right: list[str]) -> bool:
        return all(
            self.correct[(question_type, f)] + 1
            <= CHANCE * (self.shown[(question_type, f)] + 1) + SLACK_QUESTIONS
            for f in right
        )

    def _excess(self, question_type: QuestionType, feature: str) -> float:
        """How much more often than chance the feature has been the right answer so far."""
        shown = self.shown[(question_type, feature)]
        return self.correct[(question_type, feature)] / shown - CHANCE if shown else 0.0

    def admit(self, record: BenchRecord, wrong_pool: list[str] | None = None) -> BenchRecord | None:
        """The record, re-lettered (and with distractors from ``wrong_pool`` when given), or
        None when every choice of options would make a feature predictive.

        From the pool, the distractors chosen are those whose features have been right too
        often so far: showing them as wrong answers pulls their rate back to chance.
        """
        question_type = record.question_type
        if question_type.metric is not Metric.ACCURACY:
            self.kept[question_type] += 1
            return record
        texts = [option_text(o) for o in record.options]
        correct = texts.pop(OPTION_LETTERS.index(record.mc_answer))
        choices = (
            [list(c) for c in combinations(wrong_pool[:POOL_CAP], 3)] if wrong_pool else [texts]
        )
        best, best_score = None, -np.inf
        for wrong in choices:
            features = option_features([correct, *wrong])
            if not self._admissible(question_type, features[0]):
                continue
            score = sum(self._excess(question_type, f) for o in features[1:] for f in o)
            if score > best_score:
                best, best_score = (wrong, features), score
        if best is None:
            self.dropped[question_type] += 1
            return None
        wrong, features = best
        for option in features:
            for feature in option:
                self.shown[(question_type, feature)] += 1
        for feature in features[0]:
            self.correct[(question_type, feature)] += 1
        self.kept[question_type] += 1
        return lettered(record, correct, wrong, self._letter(question_type))

    def summary(self) -> dict:
        types = sorted({*self.kept, *self.dropped}, key=lambda t: t.value)
        return {
            t.value: {"kept": self.kept[t], "dropped_for_balance": self.dropped[t]} for t in types
        }

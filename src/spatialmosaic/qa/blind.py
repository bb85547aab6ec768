"""Blind check: how well can the options be guessed without the images (``docs/qa.md``)?

Text-only baselines are fitted on the training split and scored on the benchmark, per
multiple-choice type. They read exactly the option features that ``qa.balance`` evens out, plus
their combination; a dataset whose answers leak through the text would let one of them beat
chance (25%) clearly.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd

from spatialmosaic.evaluate.bootstrap import bootstrap_interval
from spatialmosaic.provenance import derive_rng
from spatialmosaic.qa.balance import CHANCE, option_features, option_text
from spatialmosaic.records import OPTION_LETTERS, BenchRecord, Metric, QuestionType

MARGIN_POINTS = 5.0  # the check passes when every baseline stays within this of chance
PERCENT = 100.0


class BlindPriors:
    """Counts from the training split: correct letters, and how often each option feature was
    shown and was right, per question type."""

    def __init__(self, training: Iterable[BenchRecord]) -> None:
        self.letters: Counter[tuple[QuestionType, str]] = Counter()
        self.shown: Counter[tuple[QuestionType, str]] = Counter()
        self.correct: Counter[tuple[QuestionType, str]] = Counter()
        for record in training:
            self.add(record)

    def add(self, record: BenchRecord) -> None:
        """Count one training record (numerical ones are ignored)."""
        if record.question_type.metric is not Metric.ACCURACY:
            return
        self.letters[(record.question_type, record.mc_answer)] += 1
        features = option_features([option_text(o) for o in record.options])
        for option in features:
            for feature in option:
                self.shown[(record.question_type, feature)] += 1
        for feature in features[OPTION_LETTERS.index(record.mc_answer)]:
            self.correct[(record.question_type, feature)] += 1

    def to_json(self) -> dict:
        """Counts per question type: ``letters`` {letter: n}, ``features`` {feature: [shown,
        correct]}; sorted, so a fitted model file is byte-stable."""
        letters: dict[str, dict[str, int]] = {}
        for (question_type, letter), count in sorted(
            self.letters.items(), key=lambda item: (item[0][0].value, item[0][1])
        ):
            letters.setdefault(question_type.value, {})[letter] = count
        features: dict[str, dict[str, list[int]]] = {}
        for question_type, feature in sorted(self.shown, key=lambda k: (k[0].value, k[1])):
            key = (question_type, feature)
            features.setdefault(question_type.value, {})[feature] = [
                self.shown[key],
                self.correct[key],
            ]
        return {"letters": letters, "features": features}

    @classmethod
    def from_json(cls, payload: dict) -> BlindPriors:
        priors = cls(())
        for type_name, counts in payload["letters"].items():
            for letter, count in counts.items():
                priors.letters[(QuestionType(type_name), letter)] = count
        for type_name, counts in payload["features"].items():
            for feature, (shown, correct) in counts.items():
                priors.shown[(QuestionType(type_name), feature)] = shown
                priors.correct[(QuestionType(type_name), feature)] = correct
        return priors

    def rate(self, question_type: QuestionType, feature: str) -> float:
        """How often the feature was right when shown, smoothed towards chance."""
        key = (question_type, feature)
        return (self.correct[key] + CHANCE) / (self.shown[key] + 1)


def _best(scores: list[float]) -> str:
    return OPTION_LETTERS[int(np.argmax(scores))]  # ties: the first letter


def letter_prior(priors: BlindPriors, record: BenchRecord) -> str:
    return _best([priors.letters[(record.question_type, letter)] for letter in OPTION_LETTERS])


def _feature_pick(prefix: str) -> Callable[[BlindPriors, BenchRecord], str]:
    def pick(priors: BlindPriors, record: BenchRecord) -> str:
        features = option_features([option_text(o) for o in record.options])
        return _best(
            [
                max(
                    (priors.rate(record.question_type, f) for f in o if f.startswith(prefix)),
                    default=0.0,
                )
                for o in features
            ]
        )

    return pick


def feature_odds(priors: BlindPriors, record: BenchRecord) -> str:
    """All features together: the option with the largest summed log-odds of being right."""
    features = option_features([option_text(o) for o in record.options])

    def log_odds(feature: str) -> float:
        rate = priors.rate(record.question_type, feature)
        return math.log(rate / (1 - rate)) - math.log(CHANCE / (1 - CHANCE))

    return _best([sum(log_odds(f) for f in option) for option in features])


BASELINES: dict[str, Callable[[BlindPriors, BenchRecord], str]] = {
    "letter_prior": letter_prior,
    "option_prior": _feature_pick("text:"),
    "part_prior": _feature_pick("part:"),
    "rank_prior": _feature_pick("rank:"),
    "feature_odds": feature_odds,
}


def blind_check(
    training: Iterable[BenchRecord], benchmark: Iterable[BenchRecord], seed: int
) -> dict:
    """Per multiple-choice type of the benchmark: each baseline's accuracy (%) with a 95%
    bootstrap interval and the best baseline. ``point_within_margin``: the best accuracy is at
    most chance + 5 points; ``within_margin``: its interval reaches down to that bound, i.e. the
    benchmark gives no significant evidence that text alone beats the margin. ``passed``
    requires ``within_margin`` for every type. Both splits are streamed once."""
    priors = BlindPriors(training)
    hits: dict[QuestionType, dict[str, list[float]]] = {}
    for record in benchmark:
        if record.question_type.metric is not Metric.ACCURACY:
            continue
        rows = hits.setdefault(record.question_type, {name: [] for name in BASELINES})
        for name, baseline in BASELINES.items():
            rows[name].append(float(baseline(priors, record) == record.mc_answer))
    report: dict = {"chance": CHANCE * PERCENT, "margin_points": MARGIN_POINTS, "types": {}}
    bound = CHANCE * PERCENT + MARGIN_POINTS
    for question_type in sorted(hits, key=lambda t: t.value):
        rows = {}
        for name, values in hits[question_type].items():
            rng = derive_rng(seed, "blind-check", question_type.value, name)
            low, high = bootstrap_interval(values, rng)
            rows[name] = {
                "accuracy": PERCENT * float(np.mean(values)),
                "ci95": [PERCENT * low, PERCENT * high],
            }
        best = max(rows, key=lambda name: rows[name]["accuracy"])
        report["types"][question_type.value] = {
            "samples": len(hits[question_type]["letter_prior"]),
            "baselines": rows,
            "best": best,
            "point_within_margin": rows[best]["accuracy"] <= bound,
            # not significantly above the margin: small benchmarks cannot show more
            "within_margin": rows[best]["ci95"][0] <= bound,
        }
    report["passed"] = all(row["within_margin"] for row in report["types"].values())
    return report


def _verdict(row: dict) -> str:
    if not row["within_margin"]:
        return "no"
    return "yes" if row["point_within_margin"] else "interval only"


def blind_check_frame(report: dict) -> pd.DataFrame:
    """The report as a table: per multiple-choice type, the best text-only baseline, its
    accuracy (%) and 95% interval, and whether it stays within the margin of chance."""
    rows = []
    for question_type, row in report["types"].items():
        best = row["baselines"][row["best"]]
        rows.append(
            {
                "question_type": question_type,
                "samples": row["samples"],
                "best baseline": row["best"],
                "accuracy (%)": best["accuracy"],
                "ci95_low": best["ci95"][0],
                "ci95_high": best["ci95"][1],
                "within margin": _verdict(row),
            }
        )
    columns = ["question_type", "samples", "best baseline", "accuracy (%)", "ci95_low",
               "ci95_high", "within margin"]  # fmt: skip
    return pd.DataFrame(rows, columns=columns).round(2)


def blind_check_markdown(report: dict) -> str:
    """The table of ``blind_check_frame`` under a line that states chance and the margin."""
    from spatialmosaic.reporting.tables import to_markdown

    return (
        f"Best text-only baseline per multiple-choice type (chance {report['chance']:.0f}%, "
        f"margin {report['margin_points']:.0f} points); fitted on the training split, scored "
        "on the benchmark.\n\n" + to_markdown(blind_check_frame(report), index=False)
    )

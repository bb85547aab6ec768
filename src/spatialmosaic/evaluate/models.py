"""Model adapters: anything that turns (record, prompt) into a reply string.

Adapters register under a name with ``@register("name")``; ``build_model`` looks them up and an
unknown name lists the valid ones. Baselines here see no images.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Protocol

import numpy as np

from spatialmosaic.provenance import derive_rng
from spatialmosaic.records import OPTION_LETTERS, BenchRecord, Metric
from spatialmosaic.training.frequency import read_frequency_model


class Model(Protocol):
    def reply(self, record: BenchRecord, prompt: str) -> str: ...


_REGISTRY: dict[str, Callable[..., Model]] = {}


def register(name: str) -> Callable[[Callable[..., Model]], Callable[..., Model]]:
    def decorate(factory: Callable[..., Model]) -> Callable[..., Model]:
        _REGISTRY[name] = factory
        return factory

    return decorate


def build_model(name: str, seed: int, model_file: Path | None) -> Model:
    if name not in _REGISTRY:
        raise ValueError(f"unknown model {name!r}; registered: {', '.join(sorted(_REGISTRY))}")
    return _REGISTRY[name](seed=seed, model_file=model_file)


def _option_value(option: str) -> str:
    return option.split(". ", 1)[1]


@register("chance")
class ChanceModel:
    """Uniform random option; numerical questions get that option's value (seeded per record)."""

    def __init__(self, seed: int, model_file: Path | None = None) -> None:
        self.seed = seed

    def reply(self, record: BenchRecord, prompt: str) -> str:
        rng: np.random.Generator = derive_rng(self.seed, "chance", record.id)
        pick = int(rng.integers(len(OPTION_LETTERS)))
        if record.question_type.metric is Metric.ACCURACY:
            return OPTION_LETTERS[pick]
        return _option_value(record.options[pick])


@register("frequency")
class FrequencyModel:
    """The answer most frequent in the training split for the record's question type."""

    def __init__(self, seed: int, model_file: Path | None = None) -> None:
        if model_file is None:
            raise ValueError(
                "the frequency model needs --model-file (fitted by 'spatialmosaic train')"
            )
        self.answers = read_frequency_model(model_file)

    def reply(self, record: BenchRecord, prompt: str) -> str:
        return self.answers.get(record.question_type.value, "")

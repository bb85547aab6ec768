"""Model adapters: anything that turns a query (record, prompt, frame images) into a reply.

Adapters register under a name with ``@register("name")``; ``build_model`` looks them up and an
unknown name lists the valid ones. The baselines here see no images; ``hf`` (a local Hugging
Face image-text-to-text model) and ``openai`` (an OpenAI-compatible chat-completions endpoint)
do, and are imported only when asked for, so the baselines never load torch.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from spatialmosaic.provenance import derive_rng
from spatialmosaic.qa.balance import option_text
from spatialmosaic.records import OPTION_LETTERS, BenchRecord, Metric


class ModelError(RuntimeError):
    """A model could not answer (server down, model files missing); the message says which."""


@dataclass(frozen=True, slots=True)
class Query:
    """One question as a model sees it: the official prompt and the frames in record order."""

    record: BenchRecord
    prompt: str
    images: tuple[Path, ...]


class Model(Protocol):
    """Answers one query; a model may also offer ``reply_batch(queries) -> replies`` (with a
    ``batch_size``), which the harness then uses."""

    def reply(self, query: Query) -> str: ...


_REGISTRY: dict[str, Callable[..., Model]] = {}


def register(name: str) -> Callable[[Callable[..., Model]], Callable[..., Model]]:
    def decorate(factory: Callable[..., Model]) -> Callable[..., Model]:
        _REGISTRY[name] = factory
        return factory

    return decorate


def registered_models() -> list[str]:
    return sorted(_REGISTRY)


def build_model(name: str, seed: int, model_file: Path | None = None, **settings: Any) -> Model:
    """The adapter ``name``, built with the fitted file (baselines) or settings (``hf``:
    ``path``; ``openai``: ``endpoint``, ``api_model``, ``api_key_env``)."""
    if name not in _REGISTRY:
        raise ValueError(f"unknown model {name!r}; registered: {', '.join(registered_models())}")
    return _REGISTRY[name](seed=seed, model_file=model_file, **settings)


def _require_file(name: str, model_file: Path | None) -> Path:
    if model_file is None:
        raise ValueError(f"the {name} model needs --model-file (fitted by 'spatialmosaic train')")
    return model_file


@register("chance")
class ChanceModel:
    """Uniform random option; numerical questions get that option's value (seeded per record)."""

    def __init__(self, seed: int, model_file: Path | None = None) -> None:
        self.seed = seed

    def reply(self, query: Query) -> str:
        record = query.record
        # Keyed by the shown options too, so each circular rotation gets its own draw.
        rng: np.random.Generator = derive_rng(self.seed, "chance", record.id, *record.options)
        pick = int(rng.integers(len(OPTION_LETTERS)))
        if record.question_type.metric is Metric.ACCURACY:
            return OPTION_LETTERS[pick]
        return option_text(record.options[pick])


@register("frequency")
class FrequencyModel:
    """The answer most frequent in the training split for the record's question type."""

    def __init__(self, seed: int, model_file: Path | None = None) -> None:
        from spatialmosaic.training.frequency import read_frequency_model

        self.answers = read_frequency_model(_require_file("frequency", model_file))

    def reply(self, query: Query) -> str:
        return self.answers.get(query.record.question_type.value, "")


@register("blind")
class BlindModel:
    """Text only: the option whose text features were right most often in training (the blind
    check's ``feature_odds``), and for numbers the training median of questions that read the
    same once numbers are masked (``training.blind``)."""

    def __init__(self, seed: int, model_file: Path | None = None) -> None:
        from spatialmosaic.training.blind import read_blind_model

        self.fitted = read_blind_model(_require_file("blind", model_file))

    def reply(self, query: Query) -> str:
        return self.fitted.answer(query.record)


@register("hf")
def _hugging_face(seed: int, model_file: Path | None = None, **settings: Any) -> Model:
    from spatialmosaic.evaluate.hf_model import HuggingFaceModel

    return HuggingFaceModel(seed=seed, **settings)


@register("vlm")
def _trained_vlm(seed: int, model_file: Path | None = None, **settings: Any) -> Model:
    from spatialmosaic.evaluate.vlm_model import TrainedVLM

    return TrainedVLM(seed=seed, model_file=model_file, **settings)


@register("large")
def _fine_tuned_large(seed: int, model_file: Path | None = None, **settings: Any) -> Model:
    from spatialmosaic.evaluate.large_model import LargeModel

    return LargeModel(seed=seed, model_file=model_file, **settings)


@register("openai")
def _openai_compatible(seed: int, model_file: Path | None = None, **settings: Any) -> Model:
    from spatialmosaic.evaluate.openai_model import ChatCompletionsModel

    return ChatCompletionsModel(seed=seed, **settings)

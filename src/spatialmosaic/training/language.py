"""Pretrain the tiny scale's language model on the training split's text, before any vision.

A pretrained LLM arrives knowing how to answer a multiple-choice question: find the option that
says what it believes and write that option's letter. A language model trained from scratch on
2 cores has to learn that first, and learning it inside VLM training wastes most of the budget
(a first run always answered "C"). So this stage teaches the answer format on text alone:
every multiple-choice question of the training split is shown with a hint, the text of its
right option, in front of the prompt (where the visual tokens will later stand), and every
numeric question without one (its answer distribution). The benchmark never carries hints; VLM
training starts from this model and no hint is shown there. The word tokenizer is built here,
from the training text, and saved with the model as one Hugging Face folder.
"""

from __future__ import annotations

from pathlib import Path

import torch
from tqdm import tqdm

from spatialmosaic.evaluate.prompts import build_prompt
from spatialmosaic.io import ArtefactError, atomic_dir, write_json
from spatialmosaic.models.language import (
    answer_ids,
    answer_loss,
    empty_prefix,
    prompt_ids,
    tiny_language_model,
)
from spatialmosaic.models.settings import LanguageModelConfig, Schedule
from spatialmosaic.models.text import HINT, build_word_tokenizer
from spatialmosaic.provenance import artefact_meta
from spatialmosaic.qa.balance import option_text
from spatialmosaic.qa.generate import iter_benchmark
from spatialmosaic.records import OPTION_LETTERS, BenchRecord, Metric
from spatialmosaic.training.loop import check_scene_disjoint, sha256_file, train, write_curve

LANGUAGE_FORMAT = "spatialmosaic.model.language"
CONFIG = "language.json"


def target_answer(record: BenchRecord) -> str:
    """What the official scorer accepts as right (SPEC §5)."""
    if record.question_type.metric is Metric.ACCURACY:
        return record.mc_answer
    return record.ground_truth


def hint(record: BenchRecord) -> str | None:
    """The right option's text for a multiple-choice record, else None."""
    if record.question_type.metric is not Metric.ACCURACY:
        return None
    return option_text(record.options[OPTION_LETTERS.index(record.mc_answer)])


def train_language_model(
    train_records: Path,
    benchmark: Path,
    out_dir: Path,
    curve_path: Path,
    config: LanguageModelConfig,
    schedule: Schedule,
    seed: int,
) -> None:
    records = list(iter_benchmark(train_records))
    if not records:
        raise ArtefactError(f"{train_records}: no training records")
    check_scene_disjoint(
        {r.scene_name for r in records},
        {r.scene_name for r in iter_benchmark(benchmark)},
        train_records,
    )
    prompts = [build_prompt(r.question, r.options, r.question_type) for r in records]
    answers = [target_answer(r) for r in records]
    hints = [hint(r) for r in records]
    tokenizer = build_word_tokenizer([*prompts, *answers, *(h for h in hints if h)])
    torch.manual_seed(seed)
    model = tiny_language_model(len(tokenizer), tokenizer.pad_token_id, config)
    hint_ids = [
        [] if h is None else list(tokenizer(f"{HINT} {h}", add_special_tokens=False)["input_ids"])
        for h in hints
    ]
    texts = [
        [*h, *prompt_ids(tokenizer, p)]
        for h, p in zip(hint_ids, tqdm(prompts, desc="tokenize", unit="prompt"), strict=True)
    ]
    targets = [answer_ids(tokenizer, a) for a in answers]

    def loss_fn(indices: list[int]) -> tuple[torch.Tensor, dict[str, float]]:
        prefix, prefix_mask = empty_prefix(model, len(indices))
        loss = answer_loss(
            model,
            tokenizer.pad_token_id,
            prefix,
            prefix_mask,
            [texts[i] for i in indices],
            [targets[i] for i in indices],
        )
        return loss, {}

    records_hash = sha256_file(train_records)
    fingerprint = f"{records_hash}/{config}/{schedule}/{seed}"
    resume = out_dir.with_name(f".{out_dir.name}.resume")
    curve = train(
        model, len(records), loss_fn, schedule, seed, resume, fingerprint, "train language"
    )
    params = {
        "model": config.to_json(),
        "schedule": schedule.to_json(),
        "train_records_sha256": records_hash,
        "samples": len(records),
        "hinted": sum(h is not None for h in hints),
        "vocabulary": len(tokenizer),
        "final": curve[-1],
    }
    with atomic_dir(out_dir) as tmp:
        model.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
        write_json(
            tmp / CONFIG,
            {
                "format": LANGUAGE_FORMAT,
                "format_version": 1,
                "meta": artefact_meta("train-language", seed, params),
            },
        )
    write_curve(curve_path, curve)

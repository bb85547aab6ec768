"""Pretrain the tiny scale's language model on the training split's text, before any vision.

A pretrained LLM arrives knowing how to answer a multiple-choice question: find the option that
says what it believes and write that option's letter. A language model trained from scratch on
2 cores has to learn that first, and learning it inside VLM training wastes most of the budget
(a first run always answered "C"). So this stage teaches the answer format on text alone:
every multiple-choice question of the training split is shown with a hint, the text of its
right option, in front of the prompt (where the visual tokens will later stand), and every
numeric question without one (its answer distribution). It starts with the questions whose
options are one token each (counts), where the matching is learnt quickly, then takes them all.
The benchmark never carries hints; VLM training starts from this model and shows none. The
word tokenizer is built here, from the training text, and saved with the model as one Hugging
Face folder.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import torch
from tqdm import tqdm

from spatialmosaic.evaluate.metrics import reference_reply
from spatialmosaic.evaluate.prompts import build_prompt
from spatialmosaic.io import ArtefactError, atomic_dir, atomic_path, write_json
from spatialmosaic.models.checkpoint import restore_trainable, trainable_state
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
from spatialmosaic.records import OPTION_LETTERS, BenchRecord, Metric
from spatialmosaic.training.loop import (
    read_training_records,
    sha256_file,
    train,
    training_device,
    write_curve,
)

LANGUAGE_FORMAT = "spatialmosaic.model.language"
CONFIG = "language.json"
FORMAT_DONE = "format_done.pt"  # the model after the format phase, kept for a resume


def hint(record: BenchRecord) -> str | None:
    """The right option's text for a multiple-choice record, else None."""
    if record.question_type.metric is not Metric.ACCURACY:
        return None
    return option_text(record.options[OPTION_LETTERS.index(record.mc_answer)])


def hinted_prompt(prompt: str, hint_text: str | None) -> str:
    """The prompt the format phase shows: the hint ends the user turn, right before the answer."""
    return prompt if hint_text is None else f"{prompt} {HINT} {hint_text}"


def _load_phase(path: Path, fingerprint: str) -> dict | None:
    """The model after a finished format phase of this very run, if one was saved."""
    if not path.is_file():
        return None
    state = torch.load(path, weights_only=True)
    return state if state.get("fingerprint") == fingerprint else None


def _token_count(tokenizer, text: str) -> int:
    return len(tokenizer(text, add_special_tokens=False)["input_ids"])


def train_language_model(
    train_records: Path,
    benchmark: Path,
    out_dir: Path,
    curve_path: Path,
    config: LanguageModelConfig,
    schedule: Schedule,
    seed: int,
    format_epochs: float = 6.0,
) -> None:
    """``format_epochs`` passes over the one-token-option questions come first."""
    records = read_training_records(train_records, benchmark)
    prompts = [build_prompt(r.question, r.options, r.question_type) for r in records]
    answers = [reference_reply(r) for r in records]
    hints = [hint(r) for r in records]
    tokenizer = build_word_tokenizer([*prompts, *answers, *(h for h in hints if h)])
    torch.manual_seed(seed)
    model = tiny_language_model(len(tokenizer), tokenizer.pad_token_id, config)
    model.to(training_device())
    # The hint ends the user turn, right before the answer: a hint at the start of the prompt
    # (where the visual tokens go) was not learnt in 450 steps; next to the answer it is.
    texts = [
        prompt_ids(tokenizer, hinted_prompt(p, h))
        for p, h in zip(tqdm(prompts, desc="tokenize", unit="prompt"), hints, strict=True)
    ]
    targets = [answer_ids(tokenizer, a) for a in answers]
    # Curriculum: matching a one-token hint to one-token options is learnt in a few hundred
    # steps; with every kind of option mixed in from the start, a first run stayed at chance
    # for over a thousand steps. So the format phase shows only such questions (counts).
    one_token = [
        i
        for i, r in enumerate(records)
        if hints[i] is not None
        and all(_token_count(tokenizer, option_text(o)) == 1 for o in r.options)
    ]
    if format_epochs > 0 and not one_token:
        raise ArtefactError(f"{train_records}: no question with one-token options to start on")

    def loss_on(chosen: list[int]):
        def loss_fn(indices: list[int]) -> tuple[torch.Tensor, dict[str, float]]:
            batch = [chosen[i] for i in indices]
            prefix, prefix_mask = empty_prefix(model, len(batch))
            loss = answer_loss(
                model,
                tokenizer.pad_token_id,
                prefix,
                prefix_mask,
                [texts[i] for i in batch],
                [targets[i] for i in batch],
            )
            return loss, {}

        return loss_fn

    records_hash = sha256_file(train_records)
    fingerprint = f"{records_hash}/{config}/{schedule}/{format_epochs}/{seed}"
    resume = out_dir.with_name(f".{out_dir.name}.resume")
    curve = []
    if format_epochs > 0:
        finished = resume / FORMAT_DONE
        state = _load_phase(finished, fingerprint)
        if state is None:
            phase = replace(schedule, epochs=format_epochs)
            curve = train(
                model,
                len(one_token),
                loss_on(one_token),
                phase,
                seed,
                resume / "format",
                fingerprint,
                "train language (format)",
            )
            curve = [{**row, "phase": "format"} for row in curve]
            finished.parent.mkdir(parents=True, exist_ok=True)
            with atomic_path(finished) as tmp:
                torch.save(
                    {"fingerprint": fingerprint, "model": trainable_state(model), "curve": curve},
                    tmp,
                )
        else:
            restore_trainable(model, state["model"], finished)
            curve = list(state["curve"])
    everything = list(range(len(records)))
    rest = train(
        model,
        len(records),
        loss_on(everything),
        schedule,
        seed,
        resume / "all",
        fingerprint,
        "train language",
    )
    offset = len(curve)
    curve += [{**row, "step": row["step"] + offset, "phase": "all"} for row in rest]
    shutil.rmtree(resume, ignore_errors=True)
    params = {
        "model": config.to_json(),
        "schedule": schedule.to_json(),
        "train_records_sha256": records_hash,
        "samples": len(records),
        "hinted": sum(h is not None for h in hints),
        "format_epochs": format_epochs,
        "one_token_questions": len(one_token),
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

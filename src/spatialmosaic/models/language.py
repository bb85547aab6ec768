"""A causal language model behind a prefix of embeddings: the one text path of every scale.

The sequence is ``[prefix embeddings] [prompt ids] [answer ids] <eos>``, left-padded, with
position ids that skip padding; the loss is on the answer tokens only, and decoding is greedy
with the key-value cache (SPEC §5). The prefix is the VLM's visual tokens, or nothing for the
tiny scale's text-only pretraining (``training.language``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import torch
from torch import nn

from spatialmosaic.io import ArtefactError
from spatialmosaic.models.settings import LanguageModelConfig

IGNORE = -100  # label of tokens without loss (transformers' convention)


def tiny_language_model(vocab_size: int, pad_id: int, config: LanguageModelConfig) -> nn.Module:
    """A Llama-architecture decoder, randomly initialised (the tiny scale trains it)."""
    from transformers import LlamaConfig, LlamaForCausalLM

    return LlamaForCausalLM(
        LlamaConfig(
            vocab_size=vocab_size,
            hidden_size=config.dim,
            intermediate_size=config.dim * 8 // 3,
            num_hidden_layers=config.layers,
            num_attention_heads=config.heads,
            num_key_value_heads=config.heads,
            max_position_embeddings=config.max_positions,
            tie_word_embeddings=False,
            pad_token_id=pad_id,
        )
    )


def load_causal_lm(directory: Path):
    """(language model, tokenizer) from a local Hugging Face folder: the tiny scale's pretrained
    LM (``training.language``) or the small scale's converted SmolLM2 (``models.small``)."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    directory = Path(directory)
    if not (directory / "config.json").is_file():
        raise ArtefactError(f"{directory}: no language model here (config.json missing)")
    tokenizer = AutoTokenizer.from_pretrained(directory, local_files_only=True)
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    model = AutoModelForCausalLM.from_pretrained(
        directory, local_files_only=True, dtype=torch.float32
    )
    return model, tokenizer


def prompt_ids(tokenizer, prompt: str) -> list[int]:
    """The user turn in the tokenizer's chat template, ready for the answer."""
    return list(
        tokenizer.apply_chat_template(
            [{"role": "user", "content": prompt}],
            add_generation_prompt=True,
            tokenize=True,
            return_dict=True,
        )["input_ids"]
    )


def answer_ids(tokenizer, answer: str) -> list[int]:
    return [*tokenizer(answer, add_special_tokens=False)["input_ids"], tokenizer.eos_token_id]


def _assemble(
    language_model: nn.Module,
    pad_id: int,
    prefix: torch.Tensor,
    prefix_mask: torch.Tensor,
    texts: Sequence[Sequence[int]],
    labels: Sequence[Sequence[int]] | None,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor | None]:
    """``prefix`` [B, P, D] then the left-padded texts: embeddings, attention mask, positions
    and labels (``IGNORE`` outside the answer)."""
    device = prefix.device
    length = max(len(ids) for ids in texts)
    ids = torch.full((len(texts), length), pad_id, dtype=torch.long, device=device)
    text_mask = torch.zeros(len(texts), length, dtype=torch.bool, device=device)
    for row, sample in enumerate(texts):
        ids[row, length - len(sample) :] = torch.tensor(sample, device=device)
        text_mask[row, length - len(sample) :] = True
    embeddings = language_model.get_input_embeddings()(ids)
    inputs = torch.cat([prefix, embeddings.to(prefix.dtype)], dim=1)
    mask = torch.cat([prefix_mask, text_mask], dim=1)
    positions = (mask.long().cumsum(dim=1) - 1).clamp(min=0)
    target = None
    if labels is not None:
        target = torch.full_like(ids, IGNORE)
        for row, sample in enumerate(labels):
            target[row, length - len(sample) :] = torch.tensor(sample, device=device)
        target = torch.cat([torch.full_like(prefix_mask, IGNORE, dtype=torch.long), target], 1)
    return inputs, mask.long(), positions, target


def empty_prefix(language_model: nn.Module, batch: int) -> tuple[torch.Tensor, torch.Tensor]:
    weight = language_model.get_input_embeddings().weight
    mask = torch.zeros(batch, 0, dtype=torch.bool, device=weight.device)
    return weight.new_zeros(batch, 0, weight.shape[1]), mask


def answer_loss(
    language_model: nn.Module,
    pad_id: int,
    prefix: torch.Tensor,
    prefix_mask: torch.Tensor,
    prompts: Sequence[Sequence[int]],
    answers: Sequence[Sequence[int]],
) -> torch.Tensor:
    """Mean cross-entropy of the answer tokens (and <eos>) given prefix and prompt."""
    texts = [[*p, *a] for p, a in zip(prompts, answers, strict=True)]
    labels = [[IGNORE] * len(p) + list(a) for p, a in zip(prompts, answers, strict=True)]
    inputs, mask, positions, target = _assemble(
        language_model, pad_id, prefix, prefix_mask, texts, labels
    )
    return language_model(
        inputs_embeds=inputs, attention_mask=mask, position_ids=positions, labels=target
    ).loss


@torch.no_grad()
def greedy_replies(
    language_model: nn.Module,
    tokenizer,
    prefix: torch.Tensor,
    prefix_mask: torch.Tensor,
    prompts: Sequence[Sequence[int]],
    max_new_tokens: int,
) -> list[str]:
    """Greedy decoding with the key-value cache, stopping at <eos> (SPEC §5: greedy)."""
    inputs, mask, positions, _ = _assemble(
        language_model, tokenizer.pad_token_id, prefix, prefix_mask, prompts, None
    )
    embed = language_model.get_input_embeddings()
    eos = tokenizer.eos_token_id
    output = language_model(
        inputs_embeds=inputs, attention_mask=mask, position_ids=positions, use_cache=True
    )
    generated: list[torch.Tensor] = []
    finished = torch.zeros(len(prompts), dtype=torch.bool, device=inputs.device)
    position = positions[:, -1:]
    for _ in range(max_new_tokens):
        token = output.logits[:, -1].argmax(dim=-1)
        token = torch.where(finished, torch.full_like(token, eos), token)
        generated.append(token)
        finished |= token == eos
        if bool(finished.all()):
            break
        mask = torch.cat([mask, torch.ones_like(mask[:, :1])], dim=1)
        position = position + 1
        output = language_model(
            inputs_embeds=embed(token[:, None]).to(inputs.dtype),
            attention_mask=mask,
            position_ids=position,
            cache=output.cache,
            use_cache=True,
        )
    replies = []
    for row in torch.stack(generated, dim=1).tolist():
        row = row[: row.index(eos)] if eos in row else row
        replies.append(tokenizer.decode(row, skip_special_tokens=True).strip())
    return replies

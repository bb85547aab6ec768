"""Model inputs of the large scale, built by each model's own processor and chat template.

A sample's frames go in as multiple images of one user turn, followed by the official prompt
(SPEC §5), exactly as the ``hf`` evaluation adapter asks its questions, so a fine-tuned model is
trained on the inputs it is scored on. For training, the chat template's assistant turn (the
answer the scorer expects, then the template's end-of-turn tokens) is appended, and only those
tokens carry a loss.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

IGNORE = -100
# Per-token tensors [1, L]: right-padded; every other processor output is concatenated on dim 0.
SEQUENCE_KEYS = ("input_ids", "attention_mask", "mm_token_type_ids", "token_type_ids")


def messages(images: Sequence, prompt: str, answer: str | None = None) -> list[dict]:
    """One user turn: the frames as image items, then the prompt; optionally the answer."""
    content = [{"type": "image", "image": image} for image in images]
    content.append({"type": "text", "text": prompt})
    turns = [{"role": "user", "content": content}]
    if answer is not None:
        turns.append({"role": "assistant", "content": [{"type": "text", "text": answer}]})
    return turns


def answer_suffix(processor, frames: int, prompt: str, answer: str) -> str:
    """The chat template's text for the answer turn: what follows the generation prompt.

    Raises:
        ValueError: when the template does not render the answer turn after the prompt.
    """
    images = [None] * frames  # text rendering only; the image items become placeholders
    prompt_text = processor.apply_chat_template(
        messages(images, prompt), add_generation_prompt=True, tokenize=False
    )
    full_text = processor.apply_chat_template(messages(images, prompt, answer), tokenize=False)
    suffix = full_text[len(prompt_text) :]
    if not full_text.startswith(prompt_text) or answer not in suffix:
        raise ValueError(
            f"the chat template does not put the answer {answer!r} after its generation "
            f"prompt (it renders {suffix[:80]!r}); training needs a template that does"
        )
    return suffix


def encode(processor, images: Sequence, prompt: str, answer: str | None = None) -> dict:
    """One sample's processor outputs (batch dimension 1). With ``answer``: the answer turn's
    tokens appended, and ``labels`` [1, L] that are -100 except on them."""
    features = dict(
        processor.apply_chat_template(
            messages(images, prompt),
            add_generation_prompt=True,
            tokenize=True,
            return_dict=True,
            return_tensors="pt",
        )
    )
    if answer is None:
        return features
    suffix = answer_suffix(processor, len(images), prompt, answer)
    answer_ids = processor.tokenizer(suffix, add_special_tokens=False, return_tensors="pt")
    answer_ids = answer_ids["input_ids"].to(features["input_ids"].dtype)
    prompt_length = features["input_ids"].shape[1]
    for key in SEQUENCE_KEYS:
        if key in features:
            fill = 1 if key == "attention_mask" else 0  # answer tokens are attended text
            extra = answer_ids if key == "input_ids" else torch.full_like(answer_ids, fill)
            features[key] = torch.cat([features[key], extra.to(features[key].dtype)], dim=1)
    features["labels"] = torch.cat(
        [torch.full((1, prompt_length), IGNORE, dtype=answer_ids.dtype), answer_ids], dim=1
    )
    return features


def _pad_to(tensor: torch.Tensor, shape: Sequence[int], value: float) -> torch.Tensor:
    """``tensor`` zero-/value-padded at the end of every dimension up to ``shape``."""
    padding: list[int] = []
    for size, target in zip(reversed(tensor.shape), reversed(shape), strict=True):
        padding += [0, target - size]
    return torch.nn.functional.pad(tensor, padding, value=value)


def collate(samples: Sequence[dict], pad_token_id: int) -> dict[str, torch.Tensor]:
    """:func:`encode` outputs -> one batch: per-token tensors right-padded to the longest
    sample (``pad_token_id``, labels -100, masks 0); image tensors concatenated on dim 0
    (images of all samples in order), their other dimensions zero-padded to the largest."""
    batch: dict[str, torch.Tensor] = {}
    length = max(sample["input_ids"].shape[1] for sample in samples)
    for key in samples[0]:
        tensors = [sample[key] for sample in samples]
        if key in SEQUENCE_KEYS or key == "labels":
            value = {"input_ids": pad_token_id, "labels": IGNORE}.get(key, 0)
            batch[key] = torch.cat([_pad_to(t, (1, length), value) for t in tensors])
        else:
            shape = [max(sizes) for sizes in zip(*(t.shape for t in tensors), strict=True)]
            batch[key] = torch.cat([_pad_to(t, [t.shape[0], *shape[1:]], 0) for t in tensors])
    return batch

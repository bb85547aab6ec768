"""LoRA on a causal language model through ``peft`` (SPEC §6: r=128, alpha=256, dropout 0.05)."""

from __future__ import annotations

import re

from torch import nn

from spatialmosaic.models.settings import LoraSettings


def apply_lora(
    language_model: nn.Module, settings: LoraSettings, within: str | None = None
) -> nn.Module:
    """The model wrapped with trainable LoRA adapters; its own weights are frozen.

    ``within`` adapts only the target modules under a submodule of that name (a VLM's
    ``language_model``: vision towers reuse the names ``q_proj``, ``gate_proj``, ...).
    """
    from peft import LoraConfig, get_peft_model

    targets: list[str] | str = list(settings.targets)
    if within is not None:  # peft full-matches a string against each module's dotted name
        names = "|".join(map(re.escape, settings.targets))
        targets = rf"(?:.*\.)?{re.escape(within)}\..*\.(?:{names})"
    config = LoraConfig(
        r=settings.rank,
        lora_alpha=settings.alpha,
        lora_dropout=settings.dropout,
        target_modules=targets,
        task_type="CAUSAL_LM",
    )
    return get_peft_model(language_model, config)

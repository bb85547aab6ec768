"""SpatialMosaicVLM: vision encoder -> (geometry fusion) -> projector -> causal language model.

One code path for the ``tiny`` scale (ViT and Llama-architecture LM trained from scratch, word
tokenizer) and the ``small`` scale (frozen EfficientNet-Lite0, SmolLM2-135M-Instruct with LoRA).
Each sample's frames become visual tokens; a learned embedding per view position tells the
language model which tokens are "Frame k". The sequence is
``[visual tokens of views 1..V] [chat prompt] [answer] <eos>``, padded on the left, with position
ids that skip padding, and the loss is on the answer tokens only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

import torch
from torch import nn

from spatialmosaic.models.fusion import FusionKind, GeometryFeatures, Projector, build_fusion
from spatialmosaic.models.lora import LoraSettings

IGNORE = -100
SCALES = ("tiny", "small")


@dataclass(frozen=True, slots=True)
class VLMSettings:
    """What a variant is; stored with every checkpoint so it rebuilds exactly."""

    scale: str = "tiny"
    geometry: str = "none"  # none, or which geometry tokens: camera, patch, both
    fusion: str = "cross_attention"  # or concat
    fusion_heads: int = 4
    dropout: float = 0.1
    max_views: int = 5
    text_dim: int = 128  # tiny language model
    text_layers: int = 3
    text_heads: int = 4
    vision_grid: tuple[int, int] = (3, 4)  # small scale: EfficientNet tokens per frame
    vision_size: int = 224  # small scale: EfficientNet input (square)
    lora: dict = field(default_factory=lambda: asdict(LoraSettings(rank=16, alpha=32)))

    def __post_init__(self) -> None:
        if self.scale not in SCALES:
            raise ValueError(f"scale {self.scale!r}: expected one of {', '.join(SCALES)}")
        if self.geometry != "none":
            GeometryFeatures(self.geometry)
        FusionKind(self.fusion)

    @property
    def uses_geometry(self) -> bool:
        return self.geometry != "none"

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, payload: dict) -> VLMSettings:
        return cls(**{**payload, "vision_grid": tuple(payload["vision_grid"])})


def tiny_language_model(vocab_size: int, settings: VLMSettings) -> nn.Module:
    from transformers import LlamaConfig, LlamaForCausalLM

    config = LlamaConfig(
        vocab_size=vocab_size,
        hidden_size=settings.text_dim,
        intermediate_size=settings.text_dim * 8 // 3,
        num_hidden_layers=settings.text_layers,
        num_attention_heads=settings.text_heads,
        num_key_value_heads=settings.text_heads,
        max_position_embeddings=1024,
        tie_word_embeddings=False,
        pad_token_id=0,
    )
    return LlamaForCausalLM(config)


class SpatialMosaicVLM(nn.Module):
    def __init__(
        self,
        vision: nn.Module,
        language_model: nn.Module,
        tokenizer,
        settings: VLMSettings,
        geometry_dim: int | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.vision = vision
        self.language_model = language_model
        self.tokenizer = tokenizer
        text_dim = language_model.get_input_embeddings().embedding_dim
        self.fusion = None
        if settings.uses_geometry:
            if geometry_dim is None:
                raise ValueError("a geometry variant needs the geometry encoder's width")
            self.fusion = build_fusion(
                FusionKind(settings.fusion),
                vision.out_dim,
                geometry_dim,
                settings.fusion_heads,
                settings.dropout,
            )
        self.projector = Projector(vision.out_dim, text_dim)
        self.view_embedding = nn.Parameter(torch.randn(settings.max_views, text_dim) * 0.02)

    def visual_embeddings(
        self,
        vision_tokens: torch.Tensor,
        view_mask: torch.Tensor,
        geometry: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """``vision_tokens`` [B, V, N, Dv] from the frozen vision encoder, ``geometry``
        [B, V, M, Dg] -> embeddings [B, V*N, D] and their mask [B, V*N] (padded views are
        masked out)."""
        batch, views = view_mask.shape
        tokens = vision_tokens[view_mask]  # [F, N, Dv], real views only
        if self.fusion is not None:
            if geometry is None:
                raise ValueError("this variant fuses geometry tokens, but none were given")
            tokens = self.fusion(tokens, geometry[view_mask].to(tokens.dtype))
        embedded = self.projector(tokens)
        view_index = torch.arange(views, device=view_mask.device).expand(batch, views)[view_mask]
        embedded = embedded + self.view_embedding[view_index][:, None, :]
        per_view = embedded.shape[1]
        full = embedded.new_zeros(batch, views, per_view, embedded.shape[-1])
        full[view_mask] = embedded
        mask = view_mask[:, :, None].expand(batch, views, per_view)
        return full.reshape(batch, views * per_view, -1), mask.reshape(batch, -1)

    def prompt_ids(self, prompt: str) -> list[int]:
        return list(
            self.tokenizer.apply_chat_template(
                [{"role": "user", "content": prompt}],
                add_generation_prompt=True,
                tokenize=True,
                return_dict=True,
            )["input_ids"]
        )

    def answer_ids(self, answer: str) -> list[int]:
        ids = self.tokenizer(answer, add_special_tokens=False)["input_ids"]
        return [*ids, self.tokenizer.eos_token_id]

    def _assemble(
        self,
        visual: torch.Tensor,
        visual_mask: torch.Tensor,
        texts: Sequence[Sequence[int]],
        labels: Sequence[Sequence[int]] | None,
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor | None]:
        """Left-padded text after the visual tokens: embeddings, attention mask, positions and
        labels (-100 outside the answer)."""
        device = visual.device
        length = max(len(ids) for ids in texts)
        pad = self.tokenizer.pad_token_id
        ids = torch.full((len(texts), length), pad, dtype=torch.long, device=device)
        text_mask = torch.zeros(len(texts), length, dtype=torch.bool, device=device)
        for row, sample in enumerate(texts):
            ids[row, length - len(sample) :] = torch.tensor(sample, device=device)
            text_mask[row, length - len(sample) :] = True
        embeddings = self.language_model.get_input_embeddings()(ids)
        inputs = torch.cat([visual, embeddings.to(visual.dtype)], dim=1)
        mask = torch.cat([visual_mask, text_mask], dim=1)
        positions = (mask.long().cumsum(dim=1) - 1).clamp(min=0)
        target = None
        if labels is not None:
            target = torch.full_like(ids, IGNORE)
            for row, sample in enumerate(labels):
                target[row, length - len(sample) :] = torch.tensor(sample, device=device)
            target = torch.cat([torch.full_like(visual_mask, IGNORE, dtype=torch.long), target], 1)
        return inputs, mask.long(), positions, target

    def loss(
        self,
        vision_tokens: torch.Tensor,
        view_mask: torch.Tensor,
        prompts: Sequence[Sequence[int]],
        answers: Sequence[Sequence[int]],
        geometry: torch.Tensor | None = None,
    ) -> torch.Tensor:
        visual, visual_mask = self.visual_embeddings(vision_tokens, view_mask, geometry)
        texts = [[*p, *a] for p, a in zip(prompts, answers, strict=True)]
        labels = [[IGNORE] * len(p) + list(a) for p, a in zip(prompts, answers, strict=True)]
        inputs, mask, positions, target = self._assemble(visual, visual_mask, texts, labels)
        return self.language_model(
            inputs_embeds=inputs, attention_mask=mask, position_ids=positions, labels=target
        ).loss

    @torch.no_grad()
    def generate(
        self,
        vision_tokens: torch.Tensor,
        view_mask: torch.Tensor,
        prompts: Sequence[Sequence[int]],
        geometry: torch.Tensor | None = None,
        max_new_tokens: int = 16,
    ) -> list[str]:
        """Greedy decoding with the key-value cache, stopping at <eos> (SPEC §5: greedy)."""
        visual, visual_mask = self.visual_embeddings(vision_tokens, view_mask, geometry)
        inputs, mask, positions, _ = self._assemble(visual, visual_mask, prompts, None)
        embed = self.language_model.get_input_embeddings()
        eos = self.tokenizer.eos_token_id
        output = self.language_model(
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
            output = self.language_model(
                inputs_embeds=embed(token[:, None]).to(inputs.dtype),
                attention_mask=mask,
                position_ids=position,
                past_key_values=output.past_key_values,
                use_cache=True,
            )
        tokens = torch.stack(generated, dim=1).tolist()
        replies = []
        for row in tokens:
            row = row[: row.index(eos)] if eos in row else row
            replies.append(self.tokenizer.decode(row, skip_special_tokens=True).strip())
        return replies

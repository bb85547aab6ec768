"""SpatialMosaicVLM: vision encoder -> (geometry fusion) -> projector -> causal language model.

One code path for the ``tiny`` scale (ViT and Llama-architecture LM trained from scratch, word
tokenizer) and the ``small`` scale (frozen EfficientNet-Lite0, SmolLM2-135M-Instruct with LoRA).
Each sample's frames become visual tokens; a learned embedding per view position tells the
language model which tokens are "Frame k". The visual tokens are the prefix of the language
model's sequence (``models.language``): ``[views 1..V] [chat prompt] [answer] <eos>``.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from spatialmosaic.models.fusion import Projector, build_fusion
from spatialmosaic.models.language import answer_ids, answer_loss, greedy_replies, prompt_ids
from spatialmosaic.models.settings import FusionKind, VLMSettings


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
        return prompt_ids(self.tokenizer, prompt)

    def answer_ids(self, answer: str) -> list[int]:
        return answer_ids(self.tokenizer, answer)

    def loss(
        self,
        vision_tokens: torch.Tensor,
        view_mask: torch.Tensor,
        prompts: Sequence[Sequence[int]],
        answers: Sequence[Sequence[int]],
        geometry: torch.Tensor | None = None,
    ) -> torch.Tensor:
        visual, visual_mask = self.visual_embeddings(vision_tokens, view_mask, geometry)
        return answer_loss(
            self.language_model, self.tokenizer.pad_token_id, visual, visual_mask, prompts, answers
        )

    def generate(
        self,
        vision_tokens: torch.Tensor,
        view_mask: torch.Tensor,
        prompts: Sequence[Sequence[int]],
        geometry: torch.Tensor | None = None,
        max_new_tokens: int = 16,
    ) -> list[str]:
        with torch.no_grad():
            visual, visual_mask = self.visual_embeddings(vision_tokens, view_mask, geometry)
        return greedy_replies(
            self.language_model, self.tokenizer, visual, visual_mask, prompts, max_new_tokens
        )

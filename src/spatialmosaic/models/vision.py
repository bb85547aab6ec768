"""Vision encoders: frames [F, 3, H, W] in [0, 1] -> visual tokens [F, N, D].

Every encoder states ``image_size`` (the (height, width) frames are resized to), ``out_dim``
and ``grid`` (tokens per frame: ``grid[0] * grid[1]``, row-major from the top-left cell). Like
the paper's SigLIP, the vision encoder is pretrained and then frozen; the ``tiny`` scale's ViT
is pretrained from scratch on the training scenes (``training.vision``) with labels the renderer
gives for free: per cell of the token grid, how much of it each category covers and how many
instances of each category have their visible centre there. The ``small`` scale's frozen
ImageNet EfficientNet-Lite0 lives in ``models.small``.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional

from spatialmosaic.models.settings import VisionEncoderConfig


@dataclass(frozen=True, slots=True)
class Perception:
    """What the perception head reads off each cell: ``coverage_logits`` [F, N, C] (sigmoid:
    the share of the cell's pixels a category covers) and ``log_counts`` [F, N, C] (log of the
    expected number of visible instance centres of a category in the cell)."""

    coverage_logits: torch.Tensor
    log_counts: torch.Tensor


class TinyVisionEncoder(nn.Module):
    """A small ViT: patch embedding, learned positions, pre-norm transformer layers, then the
    patch tokens are average-pooled into the ``grid`` cells."""

    trainable = False  # pretrained on its own, then frozen inside the VLM

    def __init__(self, config: VisionEncoderConfig) -> None:
        super().__init__()
        self.config = config
        self.image_size = (config.height, config.width)
        self.out_dim = config.dim
        self.grid = config.grid
        patches = (config.height // config.patch) * (config.width // config.patch)
        self.patch_embed = nn.Conv2d(3, config.dim, config.patch, config.patch)
        self.position = nn.Parameter(torch.randn(1, patches, config.dim) * 0.02)
        self.layers = nn.ModuleList(
            nn.TransformerEncoderLayer(
                config.dim,
                config.heads,
                4 * config.dim,
                dropout=0.0,
                batch_first=True,
                norm_first=True,
            )
            for _ in range(config.layers)
        )
        self.norm = nn.LayerNorm(config.dim)
        categories = max(1, len(config.categories))
        self.perception_head = nn.Linear(config.dim, 2 * categories)

    def forward(self, frames: torch.Tensor) -> torch.Tensor:
        """``frames`` [F, 3, H, W] in [0, 1] -> tokens [F, grid rows * grid cols, D]."""
        tokens = self.patch_embed(frames * 2.0 - 1.0)  # [F, D, h, w]
        rows, cols = tokens.shape[-2:]
        tokens = tokens.flatten(2).transpose(1, 2) + self.position
        for layer in self.layers:
            tokens = layer(tokens)
        tokens = self.norm(tokens).transpose(1, 2).reshape(tokens.shape[0], -1, rows, cols)
        return functional.adaptive_avg_pool2d(tokens, self.grid).flatten(2).transpose(1, 2)

    def perceive(self, tokens: torch.Tensor) -> Perception:
        coverage, counts = self.perception_head(tokens).chunk(2, dim=-1)
        return Perception(coverage_logits=coverage, log_counts=counts)

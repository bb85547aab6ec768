"""How geometry tokens enter the visual tokens of the same frame (SPEC §6), and the projector.

The paper's block: visual tokens query that frame's geometry tokens in one cross-attention;
the result is projected, normalised and added back residually, with dropout. The ablation
``concat`` instead appends the geometry tokens (projected to the visual width) to the frame's
visual tokens, so the language model attends to them directly.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from spatialmosaic.models.settings import FusionKind, GeometryFeatures


@dataclass(frozen=True, slots=True)
class GeometryTokens:
    """One sample's geometry tokens: ``camera`` [V, 1, D] and ``patches`` [V, P, D]."""

    camera: torch.Tensor
    patches: torch.Tensor

    def select(self, features: GeometryFeatures) -> torch.Tensor:
        if features is GeometryFeatures.CAMERA:
            return self.camera
        if features is GeometryFeatures.PATCH:
            return self.patches
        return torch.cat([self.camera, self.patches], dim=1)


class GeometryCrossAttention(nn.Module):
    """Queries: LayerNorm + Linear of the visual tokens; keys and values: LayerNorm + Linear of
    the geometry tokens to the visual width; multi-head attention with its output projection,
    then LayerNorm, dropout and a residual add."""

    def __init__(self, visual_dim: int, geometry_dim: int, heads: int, dropout: float = 0.1):
        super().__init__()
        if visual_dim % heads:
            raise ValueError(f"visual width {visual_dim} is not divisible by {heads} heads")
        self.query_norm = nn.LayerNorm(visual_dim)
        self.query_proj = nn.Linear(visual_dim, visual_dim)
        self.key_value_norm = nn.LayerNorm(geometry_dim)
        self.key_value_proj = nn.Linear(geometry_dim, visual_dim)
        self.attention = nn.MultiheadAttention(visual_dim, heads, batch_first=True)
        self.out_norm = nn.LayerNorm(visual_dim)
        self.dropout = nn.Dropout(dropout)

    def forward(self, visual: torch.Tensor, geometry: torch.Tensor) -> torch.Tensor:
        """``visual`` [F, N, Dv], ``geometry`` [F, M, Dg] (frame f attends to frame f only)."""
        query = self.query_proj(self.query_norm(visual))
        key_value = self.key_value_proj(self.key_value_norm(geometry))
        attended, _ = self.attention(query, key_value, key_value, need_weights=False)
        return visual + self.dropout(self.out_norm(attended))


class GeometryConcat(nn.Module):
    """The concatenation ablation: [visual tokens ; LayerNorm + Linear(geometry tokens)]."""

    def __init__(self, visual_dim: int, geometry_dim: int, dropout: float = 0.1):
        super().__init__()
        self.key_value_norm = nn.LayerNorm(geometry_dim)
        self.key_value_proj = nn.Linear(geometry_dim, visual_dim)
        self.dropout = nn.Dropout(dropout)

    def forward(self, visual: torch.Tensor, geometry: torch.Tensor) -> torch.Tensor:
        projected = self.dropout(self.key_value_proj(self.key_value_norm(geometry)))
        return torch.cat([visual, projected], dim=1)


def build_fusion(
    kind: FusionKind, visual_dim: int, geometry_dim: int, heads: int, dropout: float
) -> nn.Module:
    if kind is FusionKind.CROSS_ATTENTION:
        return GeometryCrossAttention(visual_dim, geometry_dim, heads, dropout)
    return GeometryConcat(visual_dim, geometry_dim, dropout)


class Projector(nn.Module):
    """Visual tokens into the language model's embedding width: Linear, GELU, Linear."""

    def __init__(self, visual_dim: int, text_dim: int):
        super().__init__()
        self.layers = nn.Sequential(
            nn.Linear(visual_dim, text_dim), nn.GELU(), nn.Linear(text_dim, text_dim)
        )

    def forward(self, visual: torch.Tensor) -> torch.Tensor:
        return self.layers(visual)

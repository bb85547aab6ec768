"""The geometry fusion block of SPEC §6 and the concatenation ablation."""

from __future__ import annotations

import pytest
import torch

from spatialmosaic.models.fusion import (
    GeometryConcat,
    GeometryCrossAttention,
    GeometryTokens,
    Projector,
    build_fusion,
)
from spatialmosaic.models.settings import FusionKind, GeometryFeatures


def test_cross_attention_keeps_the_visual_shape_and_adds_residually():
    torch.manual_seed(0)
    block = GeometryCrossAttention(visual_dim=8, geometry_dim=6, heads=2, dropout=0.0).eval()
    visual, geometry = torch.randn(3, 5, 8), torch.randn(3, 7, 6)
    fused = block(visual, geometry)
    assert fused.shape == visual.shape
    # residual: the block adds LayerNorm(attention) to the input, so zeroing the final norm's
    # affine parameters must give the input back exactly
    torch.nn.init.zeros_(block.out_norm.weight)
    torch.nn.init.zeros_(block.out_norm.bias)
    assert torch.equal(block(visual, geometry), visual)


def test_each_frame_attends_only_to_its_own_geometry_tokens():
    torch.manual_seed(0)
    block = GeometryCrossAttention(visual_dim=8, geometry_dim=6, heads=2, dropout=0.0).eval()
    visual, geometry = torch.randn(2, 4, 8), torch.randn(2, 3, 6)
    before = block(visual, geometry)
    changed = geometry.clone()
    changed[1] += 5.0  # frame 1's geometry only
    after = block(visual, changed)
    assert torch.equal(before[0], after[0])
    assert not torch.allclose(before[1], after[1])


def test_concat_appends_projected_geometry_tokens():
    block = GeometryConcat(visual_dim=8, geometry_dim=6, dropout=0.0).eval()
    visual, geometry = torch.randn(2, 4, 8), torch.randn(2, 3, 6)
    fused = block(visual, geometry)
    assert fused.shape == (2, 7, 8)
    assert torch.equal(fused[:, :4], visual)


def test_build_fusion_picks_the_kind_and_checks_heads():
    assert isinstance(build_fusion(FusionKind.CONCAT, 8, 6, 2, 0.1), GeometryConcat)
    assert isinstance(
        build_fusion(FusionKind.CROSS_ATTENTION, 8, 6, 2, 0.1), GeometryCrossAttention
    )
    with pytest.raises(ValueError, match="not divisible by 3 heads"):
        GeometryCrossAttention(8, 6, heads=3)


@pytest.mark.parametrize(
    ("features", "count"),
    [(GeometryFeatures.CAMERA, 1), (GeometryFeatures.PATCH, 4), (GeometryFeatures.BOTH, 5)],
)
def test_geometry_token_selection(features, count):
    tokens = GeometryTokens(camera=torch.zeros(3, 1, 6), patches=torch.ones(3, 4, 6))
    selected = tokens.select(features)
    assert selected.shape == (3, count, 6)
    if features is GeometryFeatures.BOTH:
        assert torch.equal(selected[:, 0], torch.zeros(3, 6))


def test_projector_maps_to_the_text_width():
    assert Projector(8, 12)(torch.randn(2, 5, 8)).shape == (2, 5, 12)

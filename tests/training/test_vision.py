"""Perception targets of the vision-encoder pretraining, checked in closed form."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from spatialmosaic.models.settings import VisionEncoderConfig
from spatialmosaic.models.vision import TinyVisionEncoder
from spatialmosaic.training.vision import cell_index, perception_targets

GRID = (2, 2)


def test_cells_are_equal_bands_row_major():
    cells = cell_index(4, 6, GRID)
    assert cells[0, 0] == 0 and cells[0, 5] == 1 and cells[3, 0] == 2 and cells[3, 5] == 3
    assert np.bincount(cells.ravel()).tolist() == [6, 6, 6, 6]


def test_coverage_and_centre_counts_of_known_squares():
    instance = np.zeros((8, 8), dtype=np.uint16)
    instance[0:4, 0:4] = 5  # fills the top-left cell: chair, centre there
    instance[4:8, 2:8] = 7  # chair across the bottom cells; centre (5.5, 4.5) -> bottom-right
    instance[0:2, 4:8] = 9  # wall: covers half of the top-right cell, never counted
    category_of = {5: 0, 7: 0, 9: 1}
    coverage, counts = perception_targets(
        instance, category_of, counted={5, 7}, categories=2, grid=GRID, min_visible_pixels=1
    )
    assert coverage[:, 0].tolist() == pytest.approx([1.0, 0.0, 0.5, 1.0])
    assert coverage[:, 1].tolist() == pytest.approx([0.0, 0.5, 0.0, 0.0])
    assert counts[:, 0].tolist() == [1, 0, 0, 1]
    assert counts[:, 1].tolist() == [0, 0, 0, 0]


def test_instances_below_the_visibility_threshold_are_not_counted():
    instance = np.zeros((8, 8), dtype=np.uint16)
    instance[0:2, 0:2] = 3  # 4 pixels
    _, counts = perception_targets(instance, {3: 0}, {3}, 1, GRID, min_visible_pixels=5)
    assert counts.sum() == 0
    _, counts = perception_targets(instance, {3: 0}, {3}, 1, GRID, min_visible_pixels=4)
    assert counts.sum() == 1


def test_unknown_instances_are_ignored():
    instance = np.full((8, 8), 11, dtype=np.uint16)
    coverage, counts = perception_targets(instance, {3: 0}, {3, 11}, 1, GRID, 1)
    assert coverage.sum() == 0 and counts.sum() == 0


def test_encoder_pools_patches_into_the_token_grid():
    config = VisionEncoderConfig(
        height=16,
        width=32,
        patch=4,
        dim=8,
        layers=1,
        heads=2,
        grid=(2, 4),
        categories=("chair", "table"),
    )
    encoder = TinyVisionEncoder(config)
    tokens = encoder(torch.rand(3, 3, 16, 32))
    assert tokens.shape == (3, 8, 8)
    perception = encoder.perceive(tokens)
    assert perception.coverage_logits.shape == perception.log_counts.shape == (3, 8, 2)


def test_grid_must_divide_the_patches():
    with pytest.raises(ValueError, match="do not pool evenly"):
        VisionEncoderConfig(height=24, width=32, patch=8, grid=(2, 4))

"""The VGGT-like geometry encoder: relative pose targets in closed form, masking of padded views."""

from __future__ import annotations

import math

import pytest
import torch

from spatialmosaic.models.geometry import GeometryEncoder, relative_pose_targets
from spatialmosaic.models.settings import GeometryEncoderConfig


def _pose(yaw_rad: float, translation: tuple[float, float, float]) -> torch.Tensor:
    c, s = math.cos(yaw_rad), math.sin(yaw_rad)
    pose = torch.eye(4, dtype=torch.float64)
    pose[:3, :3] = torch.tensor([[c, -s, 0], [s, c, 0], [0, 0, 1]], dtype=torch.float64)
    pose[:3, 3] = torch.tensor(translation, dtype=torch.float64)
    return pose


def test_first_view_is_the_identity_and_others_are_relative_to_it():
    first = _pose(0.3, (1.0, 2.0, 1.5))
    # the second camera: 2 m along the first camera's x axis, turned by 90 degrees about z
    second = first @ _pose(math.pi / 2, (2.0, 0.0, 0.0))
    targets = relative_pose_targets(torch.stack([first, second]))
    identity = torch.tensor([0, 0, 0, 1, 0, 0, 0, 1, 0], dtype=torch.float64)
    assert torch.allclose(targets[0], identity, atol=1e-12)
    expected = torch.tensor([2, 0, 0, 0, 1, 0, -1, 0, 0], dtype=torch.float64)
    assert torch.allclose(targets[1], expected, atol=1e-12)


def test_targets_do_not_depend_on_the_world_frame():
    poses = torch.stack([_pose(0.1, (0, 0, 1)), _pose(0.7, (1, -2, 1.2)), _pose(-1.0, (3, 1, 1))])
    moved = _pose(2.0, (10.0, -4.0, 0.5)) @ poses  # the same rig somewhere else
    assert torch.allclose(relative_pose_targets(poses), relative_pose_targets(moved), atol=1e-9)


@pytest.fixture(scope="module")
def encoder():
    torch.manual_seed(0)
    config = GeometryEncoderConfig(height=16, width=24, patch=8, dim=16, blocks=1, heads=2)
    return GeometryEncoder(config).eval()


def test_token_and_prediction_shapes(encoder):
    frames = torch.rand(2, 3, 3, 16, 24)
    tokens = encoder(frames, torch.ones(2, 3, dtype=torch.bool))
    assert tokens.shape == (2, 3, 1 + 2 * 3, 16)  # camera token + 2 x 3 patches per frame
    depth, poses = encoder.predict(tokens)
    assert depth.shape == (2, 3, 4, 6)  # depth_cells = 2 per patch side
    assert poses.shape == (2, 3, 9)


def test_padded_views_do_not_change_the_real_views(encoder):
    frames = torch.rand(1, 3, 3, 16, 24)
    mask = torch.tensor([[True, True, False]])
    with torch.no_grad():
        tokens = encoder(frames, mask)
        frames[0, 2] = torch.rand(3, 16, 24)  # a different padded view
        again = encoder(frames, mask)
    assert torch.allclose(tokens[:, :2], again[:, :2], atol=1e-6)


def test_encode_splits_camera_and_patch_tokens(encoder):
    encoded = encoder.encode(torch.rand(2, 3, 16, 24))
    assert encoded.camera.shape == (2, 1, 16)
    assert encoded.patches.shape == (2, 6, 16)


def test_frame_size_must_be_a_multiple_of_the_patch():
    with pytest.raises(ValueError, match="not a multiple of patch 8"):
        GeometryEncoderConfig(height=20, width=24, patch=8)

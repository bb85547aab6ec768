"""The example view of the visibility figure: the right frame, exact masks, stable bytes."""

from __future__ import annotations

import json

import numpy as np

from analytic import half_hidden_board
from spatialmosaic.io import read_npz
from spatialmosaic.visibility.example import write_example


def test_example_picks_the_occluded_view_with_exact_masks(tmp_path):
    scene, cameras, visibility = half_hidden_board(tmp_path)
    dest = tmp_path / "example.npz"
    write_example(dest, scene, cameras, tmp_path / "render", visibility, "open3d-cpu", {})
    example = read_npz(dest)
    assert json.loads(str(example["header"]))["frame_id"] == "frame_000001"
    board = list(example["instance_ids"]).index(2)
    assert example["amodal_masks"][board].sum() == 576  # the whole square, hidden half too
    assert example["visible_masks"][board].sum() == 288
    assert example["occlusion"][board] == 0.5
    assert str(example["categories"][board]) == "board"
    again = tmp_path / "again.npz"
    write_example(again, scene, cameras, tmp_path / "render", visibility, "open3d-cpu", {})
    assert dest.read_bytes() == again.read_bytes()
    assert np.array_equal(read_npz(again)["rgb"], example["rgb"])

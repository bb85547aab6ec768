"""Shared pieces of the large-scale tests: records in the official format with JPEG frames,
a tiny geometry encoder folder in the ``train geometry`` format, and processor inputs."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from bench_records import bench_record
from spatialmosaic.records import QuestionType

GEOMETRY_DIM = 16


def write_geometry_encoder(dest: Path, seed: int = 0) -> Path:
    """A randomly initialised geometry encoder saved as ``train geometry`` saves one."""
    import torch
    from safetensors.torch import save_file

    from spatialmosaic.models.geometry import GeometryEncoder, GeometryEncoderConfig
    from spatialmosaic.training.geometry import CONFIG, GEOMETRY_FORMAT, WEIGHTS

    torch.manual_seed(seed)
    config = GeometryEncoderConfig(
        height=16, width=16, patch=8, dim=GEOMETRY_DIM, blocks=1, heads=2, depth_cells=1
    )
    encoder = GeometryEncoder(config)
    dest.mkdir(parents=True)
    save_file({k: v.contiguous() for k, v in encoder.state_dict().items()}, dest / WEIGHTS)
    payload = {
        "format": GEOMETRY_FORMAT,
        "format_version": 1,
        "meta": {"params": {"encoder": config.to_json()}},
    }
    (dest / CONFIG).write_text(json.dumps(payload), encoding="utf-8")
    return dest


def training_records(scene: str = "ours_indoor_0001", count: int = 4) -> list:
    """Multiple-choice, numeric and point questions of one training scene."""
    kinds = [
        {},
        {
            "question_type": QuestionType.OBJ_LOCALIZATION_NA,
            "ground_truth": "(10,12)",
            "bbox_2d_diag": "10",
        },
        {"frames": ("f0", "f1", "f2"), "mc_answer": "A"},
        {"question_type": QuestionType.OBJ_COUNT_NA, "ground_truth": "3"},
    ]
    return [
        bench_record(id=f"t{i}", scene_name=scene, **kinds[i % len(kinds)]) for i in range(count)
    ]


def write_records(path: Path, records: list) -> Path:
    path.write_text(json.dumps([record.to_json() for record in records]), encoding="utf-8")
    return path


def write_frames(root: Path, records: list, size: tuple[int, int] = (64, 48)) -> Path:
    """Random JPEG frames in the official layout ``<root>/<scene>/images/<frame>.jpg``."""
    from PIL import Image

    rng = np.random.default_rng(0)
    for record in records:
        for frame in record.frames:
            path = root / record.scene_name / "images" / f"{frame}.jpg"
            path.parent.mkdir(parents=True, exist_ok=True)
            if not path.exists():
                pixels = rng.integers(0, 256, (size[1], size[0], 3), dtype=np.uint8)
                Image.fromarray(pixels).save(path)
    return root

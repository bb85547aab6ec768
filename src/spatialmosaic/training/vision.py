"""Pretrain the tiny vision encoder on the training scenes' frames, then freeze it.

The paper's VLM sees through SigLIP, a frozen encoder pretrained for semantics. No such weights
ship offline here, so the tiny scale pretrains its own ViT from scratch with labels the renderer
gives for free (the instance buffer and each instance's category): per cell of the encoder's
token grid, the share of the cell each category covers, and how many instances of each category
have the centre of their visible pixels in it. Only training scenes are used.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import load_file, save_file
from torch.nn import functional

from spatialmosaic.io import ArtefactError, atomic_dir, read_json, read_png16, write_json
from spatialmosaic.models.frames import FrameStore
from spatialmosaic.models.settings import Schedule, VisionEncoderConfig
from spatialmosaic.models.vision import TinyVisionEncoder
from spatialmosaic.paths import RenderKind, render_file
from spatialmosaic.provenance import artefact_meta
from spatialmosaic.scene_io import read_scene_objects
from spatialmosaic.training.loop import sha256_file, train, training_device, write_curve

VISION_FORMAT = "spatialmosaic.model.vision"
WEIGHTS = "vision.safetensors"
CONFIG = "vision.json"


def cell_index(height: int, width: int, grid: tuple[int, int]) -> np.ndarray:
    """[H, W] row-major cell of every pixel: equal bands of rows and of columns."""
    rows = np.arange(height) * grid[0] // height
    cols = np.arange(width) * grid[1] // width
    return rows[:, None] * grid[1] + cols[None, :]


def perception_targets(
    instance: np.ndarray,
    category_of: dict[int, int],
    counted: set[int],
    categories: int,
    grid: tuple[int, int],
    min_visible_pixels: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Coverage [N, C] (share of each cell's pixels per category) and centre counts [N, C].

    Args:
        instance: [H, W] instance ids, 0 where nothing was hit.
        category_of: instance id -> category index; instances not in it are ignored.
        counted: instance ids whose centres are counted (objects, not walls or floors).
        categories: C, the number of category indices.
        grid: (rows, columns) of cells.
        min_visible_pixels: an instance with fewer visible pixels is not counted (as in QA).
    """
    cells = grid[0] * grid[1]
    cell = cell_index(*instance.shape, grid)
    ids = instance.astype(np.int64).ravel()
    lookup = np.full(int(ids.max(initial=0)) + 1, -1, dtype=np.int64)
    for instance_id, index in category_of.items():
        if instance_id < len(lookup):
            lookup[instance_id] = index
    category = lookup[ids]
    known = category >= 0
    pixels_per_cell = np.bincount(cell.ravel(), minlength=cells).astype(np.float64)
    covered = np.bincount(
        cell.ravel()[known] * categories + category[known], minlength=cells * categories
    ).reshape(cells, categories)
    coverage = covered / pixels_per_cell[:, None]
    counts = np.zeros((cells, categories), dtype=np.float64)
    rows, cols = np.indices(instance.shape)
    for instance_id in np.unique(ids):
        if instance_id not in counted or instance_id not in category_of:
            continue
        mask = instance == instance_id
        if mask.sum() < min_visible_pixels:
            continue
        centre_row = int(rows[mask].mean())
        centre_col = int(cols[mask].mean())
        counts[cell[centre_row, centre_col], category_of[int(instance_id)]] += 1
    return coverage.astype(np.float32), counts.astype(np.float32)


def category_vocabulary(scene_jsons: list[Path]) -> tuple[str, ...]:
    names = set()
    for path in scene_jsons:
        _, objects, _ = read_scene_objects(path)
        names.update(obj.category for obj in objects)
    return tuple(sorted(names))


class PerceptionData:
    """Every rendered frame of the given scenes with its perception targets."""

    def __init__(
        self,
        scene_jsons: list[Path],
        render_dirs: list[Path],
        config: VisionEncoderConfig,
        min_visible_pixels: int,
    ) -> None:
        self.frames = FrameStore((config.height, config.width))
        index = {name: i for i, name in enumerate(config.categories)}
        self.items: list[tuple[Path, torch.Tensor, torch.Tensor]] = []
        for scene_json, render_dir in zip(scene_jsons, render_dirs, strict=True):
            scene, objects, _ = read_scene_objects(scene_json)
            if render_dir.name != scene:
                raise ArtefactError(f"{render_dir}: not the render folder of {scene_json}")
            category_of = {o.instance_id: index[o.category] for o in objects if o.category in index}
            counted = {o.instance_id for o in objects if not o.structural}
            pngs = sorted((render_dir / RenderKind.INSTANCE.value).glob("*.png"))
            if not pngs:
                raise ArtefactError(f"{render_dir}: no instance images of scene {scene}")
            for png in pngs:
                coverage, counts = perception_targets(
                    read_png16(png),
                    category_of,
                    counted,
                    len(index),
                    config.grid,
                    min_visible_pixels,
                )
                image = render_file(render_dir, RenderKind.RGB, png.stem)
                self.items.append((image, torch.from_numpy(coverage), torch.from_numpy(counts)))

    def batch(self, indices: list[int]) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        chosen = [self.items[i] for i in indices]
        return (
            self.frames.frames([item[0] for item in chosen]),
            torch.stack([item[1] for item in chosen]),
            torch.stack([item[2] for item in chosen]),
        )


def perception_loss(
    encoder: TinyVisionEncoder, frames: torch.Tensor, coverage: torch.Tensor, counts: torch.Tensor
) -> tuple[torch.Tensor, dict[str, float]]:
    """Binary cross-entropy on coverage shares, Poisson negative log-likelihood on counts."""
    predicted = encoder.perceive(encoder(frames))
    coverage_loss = functional.binary_cross_entropy_with_logits(predicted.coverage_logits, coverage)
    count_loss = functional.poisson_nll_loss(predicted.log_counts, counts, log_input=True)
    loss = coverage_loss + count_loss
    return loss, {
        "coverage_bce": float(coverage_loss.detach()),
        "count_nll": float(count_loss.detach()),
    }


def train_vision_encoder(
    scene_jsons: list[Path],
    render_dirs: list[Path],
    out_dir: Path,
    curve_path: Path,
    config: VisionEncoderConfig,
    schedule: Schedule,
    seed: int,
    min_visible_pixels: int,
) -> None:
    """Pretrain on every frame of the given (training) scenes; ``render_dirs`` are their render
    folders in the same order."""
    config = replace(config, categories=category_vocabulary(scene_jsons))
    data = PerceptionData(scene_jsons, render_dirs, config, min_visible_pixels)
    torch.manual_seed(seed)
    device = training_device()
    encoder = TinyVisionEncoder(config).to(device)

    def loss_fn(indices: list[int]) -> tuple[torch.Tensor, dict[str, float]]:
        return perception_loss(encoder, *(t.to(device) for t in data.batch(indices)))

    fingerprint = "/".join(
        [*(sha256_file(path) for path in scene_jsons), str(config), str(schedule), str(seed)]
    )
    resume = out_dir.with_name(f".{out_dir.name}.resume")
    curve = train(
        encoder, len(data.items), loss_fn, schedule, seed, resume, fingerprint, "train vision"
    )
    params = {
        "encoder": config.to_json(),
        "schedule": schedule.to_json(),
        "train_scenes": [read_scene_objects(path)[0] for path in scene_jsons],
        "frames": len(data.items),
        "min_visible_pixels": min_visible_pixels,
        "final": curve[-1],
    }
    with atomic_dir(out_dir) as tmp:
        save_file({k: v.cpu().contiguous() for k, v in encoder.state_dict().items()}, tmp / WEIGHTS)
        write_json(
            tmp / CONFIG,
            {
                "format": VISION_FORMAT,
                "format_version": 1,
                "meta": artefact_meta("train-vision", seed, params),
            },
        )
    write_curve(curve_path, curve)


def load_vision_encoder(directory: Path) -> TinyVisionEncoder:
    """The pretrained encoder, frozen, in eval mode."""
    payload = read_json(directory / CONFIG, kind=VISION_FORMAT)
    try:
        config = VisionEncoderConfig.from_json(payload["meta"]["params"]["encoder"])
    except (KeyError, TypeError, ValueError) as error:
        raise ArtefactError(f"{directory / CONFIG}: malformed ({error!r})") from None
    encoder = TinyVisionEncoder(config)
    encoder.load_state_dict(load_file(directory / WEIGHTS))
    return encoder.eval().requires_grad_(False)

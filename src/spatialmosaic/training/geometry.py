"""Train the geometry encoder on the training scenes, with the renderer's depth and poses.

Samples are the view sets the training questions use (2-5 frames of one scene). Targets: each
frame's log depth averaged over the cells of the encoder's ``depth_grid`` (cells without
surface are left out), and each view's pose in the first view's camera frame.
"""

from __future__ import annotations

from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

from spatialmosaic.io import ArtefactError, atomic_dir, read_json, read_png16, write_json
from spatialmosaic.models.frames import FrameStore, pad_views
from spatialmosaic.models.geometry import (
    GeometryEncoder,
    geometry_loss,
    relative_pose_targets,
)
from spatialmosaic.models.settings import GeometryEncoderConfig, Schedule
from spatialmosaic.paths import RenderKind, render_file
from spatialmosaic.provenance import artefact_meta
from spatialmosaic.render.frames import DEPTH_UNITS_PER_M
from spatialmosaic.scene_io import CAMERAS_FORMAT, read_cameras
from spatialmosaic.training.loop import (
    read_training_records,
    sha256_file,
    train,
    training_device,
    write_curve,
)

GEOMETRY_FORMAT = "spatialmosaic.model.geometry"
WEIGHTS = "geometry.safetensors"
CONFIG = "geometry.json"


class GeometryData:
    """View sets of the training scenes with their frames, depth cells and poses."""

    def __init__(
        self,
        view_sets: list[tuple[str, tuple[str, ...]]],
        cameras: list[Path],
        render_root: Path,
        config: GeometryEncoderConfig,
    ) -> None:
        self.view_sets = view_sets
        self.render_root = render_root
        self.config = config
        self.frames = FrameStore((config.height, config.width))
        self.poses: dict[tuple[str, str], torch.Tensor] = {}
        for path in cameras:
            scene = read_json(path, kind=CAMERAS_FORMAT)["scene_name"]
            for camera in read_cameras(path):
                self.poses[scene, camera.frame_id] = torch.tensor(
                    camera.T_world_cam, dtype=torch.float64
                )
        missing = sorted({scene for scene, _ in view_sets} - {scene for scene, _ in self.poses})
        if missing:
            raise ArtefactError(f"no cameras given for training scene(s) {', '.join(missing)}")
        self._depth: dict[tuple[str, str], tuple[torch.Tensor, torch.Tensor]] = {}

    def depth_cells(self, scene: str, frame: str) -> tuple[torch.Tensor, torch.Tensor]:
        """Mean log depth per cell and whether the cell saw any surface."""
        key = (scene, frame)
        if key not in self._depth:
            path = render_file(self.render_root / scene, RenderKind.DEPTH, frame)
            if not path.is_file():
                raise ArtefactError(f"{path}: depth image missing")
            millimetres = torch.from_numpy(read_png16(path).astype("float32"))
            valid = (millimetres > 0).float()[None, None]
            log_depth = torch.log(millimetres.clamp(min=1) / DEPTH_UNITS_PER_M)[None, None]
            grid = self.config.depth_grid
            count = torch.nn.functional.adaptive_avg_pool2d(valid, grid)[0, 0]
            total = torch.nn.functional.adaptive_avg_pool2d(log_depth * valid, grid)[0, 0]
            self._depth[key] = (total / count.clamp(min=1e-6), count > 0.5)
        return self._depth[key]

    def batch(self, indices: list[int]) -> dict[str, torch.Tensor]:
        frames, depths, valids, poses = [], [], [], []
        for index in indices:
            scene, frame_ids = self.view_sets[index]
            paths = [render_file(self.render_root / scene, RenderKind.RGB, f) for f in frame_ids]
            frames.append(self.frames.frames(paths))
            cells = [self.depth_cells(scene, f) for f in frame_ids]
            depths.append(torch.stack([c[0] for c in cells]))
            valids.append(torch.stack([c[1] for c in cells]))
            world = torch.stack([self.poses[scene, f] for f in frame_ids])
            poses.append(relative_pose_targets(world).float())
        frames_batch, view_mask = pad_views(frames)
        return {
            "frames": frames_batch,
            "view_mask": view_mask,
            "log_depth": pad_views(depths)[0],
            "depth_valid": pad_views(valids)[0],
            "poses": pad_views(poses)[0],
        }


def training_view_sets(train_records: Path, benchmark: Path) -> list[tuple[str, tuple[str, ...]]]:
    records = read_training_records(train_records, benchmark)
    return sorted({(r.scene_name, r.frames) for r in records})


def train_geometry_encoder(
    train_records: Path,
    benchmark: Path,
    cameras: list[Path],
    render_root: Path,
    out_dir: Path,
    curve_path: Path,
    config: GeometryEncoderConfig,
    schedule: Schedule,
    seed: int,
) -> None:
    data = GeometryData(training_view_sets(train_records, benchmark), cameras, render_root, config)
    torch.manual_seed(seed)
    device = training_device()
    encoder = GeometryEncoder(config).to(device)

    def loss_fn(indices: list[int]) -> tuple[torch.Tensor, dict[str, float]]:
        batch = {key: tensor.to(device) for key, tensor in data.batch(indices).items()}
        tokens = encoder(batch["frames"], batch["view_mask"])
        return geometry_loss(
            encoder,
            tokens,
            batch["log_depth"],
            batch["depth_valid"],
            batch["poses"],
            batch["view_mask"],
        )

    records_hash = sha256_file(train_records)
    fingerprint = f"{records_hash}/{config}/{schedule}/{seed}"
    curve = train(
        encoder,
        len(data.view_sets),
        loss_fn,
        schedule,
        seed,
        out_dir.with_name(f".{out_dir.name}.resume"),
        fingerprint,
        "train geometry",
    )
    params = {
        "encoder": config.to_json(),
        "schedule": schedule.to_json(),
        "train_records_sha256": records_hash,
        "view_sets": len(data.view_sets),
        "final": curve[-1],
    }
    with atomic_dir(out_dir) as tmp:
        save_file({k: v.cpu().contiguous() for k, v in encoder.state_dict().items()}, tmp / WEIGHTS)
        write_json(
            tmp / CONFIG,
            {
                "format": GEOMETRY_FORMAT,
                "format_version": 1,
                "meta": artefact_meta("train-geometry", seed, params),
            },
        )
    write_curve(curve_path, curve)


def load_geometry_encoder(directory: Path) -> GeometryEncoder:
    """The trained encoder, frozen, in eval mode."""
    payload = read_json(directory / CONFIG, kind=GEOMETRY_FORMAT)
    try:
        config = GeometryEncoderConfig.from_json(payload["meta"]["params"]["encoder"])
    except (KeyError, TypeError, ValueError) as error:
        raise ArtefactError(f"{directory / CONFIG}: malformed ({error!r})") from None
    encoder = GeometryEncoder(config)
    encoder.load_state_dict(load_file(directory / WEIGHTS))
    encoder.eval().requires_grad_(False)
    return encoder

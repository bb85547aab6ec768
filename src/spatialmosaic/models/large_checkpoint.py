"""Save and load a fine-tuned large SpatialMosaicVLM.

Every output folder holds ``spatialmosaic_large.json`` (settings, family, base-model folder,
geometry source, seed, data hashes, versions) and ``adapters.safetensors`` (the trained
parameters only: LoRA, projector, fusion block). Without geometry fusion the folder is also a
complete Hugging Face model: the LoRA adapters merged into the base weights (``save_pretrained``)
beside the base folder's own processor, tokenizer and chat template files, so the ``hf``
evaluation adapter (and any other transformers tool) loads it as it is. With fusion the model
needs the hook of ``models.large``, so the ``large`` adapter rebuilds it from the base folder,
the adapters, and ``geometry/`` (a copy of our geometry encoder) or the VGGT weights named in
the JSON.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

from spatialmosaic.io import ArtefactError, atomic_dir, read_json, write_json
from spatialmosaic.models.checkpoint import restore_trainable, trainable_state
from spatialmosaic.models.large import LargeSettings, LargeVLM, build_large, load_base

LARGE_FORMAT = "spatialmosaic.model.large"
CONFIG = "spatialmosaic_large.json"
ADAPTERS = "adapters.safetensors"
GEOMETRY = "geometry"
GEOMETRY_SOURCES = ("ours", "vggt")
# Files of a base folder that are the model itself, not its processor or tokenizer.
_MODEL_FILES = ("config.json", "generation_config.json")
_WEIGHT_SUFFIXES = (".safetensors", ".bin", ".pt", ".pth", ".gguf", ".index.json")


def _copy_processor_files(base_dir: Path, dest: Path) -> None:
    """The base folder's processor, tokenizer and chat-template files, byte for byte."""
    for path in sorted(base_dir.iterdir()):
        if (
            path.is_file()
            and path.name not in _MODEL_FILES
            and not (path.name.endswith(_WEIGHT_SUFFIXES))
        ):
            shutil.copy2(path, dest / path.name)


def export_merged(vlm: LargeVLM, base_dir: Path, dest: Path, dtype: torch.dtype) -> None:
    """Merge the LoRA adapters into the weights and write a plain Hugging Face folder.

    This consumes ``vlm``: its adapters are folded into the base weights (the run's last step).
    """
    if vlm.fusion is not None:
        raise ValueError("a geometry variant needs its fusion hook; it cannot be exported merged")
    merged = vlm.model.merge_and_unload()
    merged.to(dtype).save_pretrained(dest)
    _copy_processor_files(Path(base_dir), dest)


def save_large(
    dest: Path,
    vlm: LargeVLM,
    base_dir: Path,
    meta: dict,
    geometry_source: str | None = None,
    geometry_path: Path | None = None,
    dtype: torch.dtype = torch.bfloat16,
) -> None:
    """``geometry_source``: ``ours`` (``geometry_path`` is our encoder folder, copied) or
    ``vggt`` (``geometry_path`` is the VGGT-1B weights file, referenced: it is 5 GB)."""
    if vlm.settings.uses_geometry and geometry_source not in GEOMETRY_SOURCES:
        raise ValueError(f"geometry source {geometry_source!r}: expected one of {GEOMETRY_SOURCES}")
    with atomic_dir(dest) as tmp:
        save_file(trainable_state(vlm), tmp / ADAPTERS)
        if not vlm.settings.uses_geometry:
            export_merged(vlm, base_dir, tmp, dtype)
        elif geometry_source == "ours":
            shutil.copytree(geometry_path, tmp / GEOMETRY)
        write_json(
            tmp / CONFIG,
            {
                "format": LARGE_FORMAT,
                "format_version": 1,
                "family": vlm.family.value,
                "settings": vlm.settings.to_json(),
                "base_model": str(Path(base_dir).resolve()),
                "geometry_source": geometry_source if vlm.settings.uses_geometry else None,
                "vggt_weights": str(geometry_path) if geometry_source == "vggt" else None,
                "merged": not vlm.settings.uses_geometry,
                "meta": meta,
            },
        )


def read_large_config(directory: Path) -> dict:
    return read_json(Path(directory) / CONFIG, kind=LARGE_FORMAT)


def load_large(
    directory: Path,
    device: torch.device | str = "cpu",
    dtype: torch.dtype = torch.float32,
    base_model: Path | None = None,
    vggt_weights: Path | None = None,
):
    """(model in eval mode, frozen geometry encoder or None) from a :func:`save_large` folder.

    ``base_model`` and ``vggt_weights`` override the paths recorded at training time (the
    same files on another machine).
    """
    directory = Path(directory)
    payload = read_large_config(directory)
    try:
        settings = LargeSettings.from_json(payload["settings"])
        base = Path(base_model or payload["base_model"])
    except (KeyError, TypeError, ValueError) as error:
        raise ArtefactError(f"{directory / CONFIG}: malformed ({error})") from None
    geometry = None
    if settings.uses_geometry:
        geometry = load_geometry_source(
            payload.get("geometry_source"),
            directory / GEOMETRY
            if payload.get("geometry_source") == "ours"
            else Path(vggt_weights or payload.get("vggt_weights") or ""),
            device,
        )
    vlm = build_large(load_base(base, dtype), settings, geometry.dim if geometry else None)
    restore_trainable(vlm, load_file(directory / ADAPTERS), directory / ADAPTERS)
    vlm.to(device=device, dtype=dtype).eval()
    return vlm, geometry


def load_geometry_source(source: str | None, path: Path, device: torch.device | str):
    """A frozen geometry encoder with ``dim``, ``image_size`` and ``encode(frames)``: our
    trained encoder (a ``train geometry`` folder) or the official VGGT-1B aggregator (on
    ``device``). Feed it frames on its own device (:func:`encode_geometry`)."""
    if source == "ours":
        from spatialmosaic.training.geometry import load_geometry_encoder

        # Small: it stays on the CPU (its encode builds its view mask there).
        return load_geometry_encoder(path)
    if source == "vggt":
        from spatialmosaic.models.vggt_adapter import load_vggt

        return load_vggt(path).to(device)
    raise ValueError(f"geometry source {source!r}: expected one of {GEOMETRY_SOURCES}")


def encode_geometry(encoder, frames: list[torch.Tensor], features, device: torch.device):
    """[F, M, Dg] on ``device``: the geometry tokens (``features``: camera, patch or both) of
    every frame of a batch, sample by sample (each sample's views go through together)."""
    own = next(encoder.parameters()).device
    return torch.cat([encoder.encode(f.to(own)).select(features).to(device) for f in frames])

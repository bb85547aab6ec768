"""SpatialMosaicVLM at the ``large`` scale: the paper's recipe on a 7B Hugging Face VLM.

A local checkpoint of LLaVA-OneVision, LLaVA-NeXT-Video or Qwen2.5-VL (``local_files_only``)
with its vision tower frozen (SPEC §6), LoRA on the language model only (r=128, alpha=256,
dropout 0.05), the projector trained in full and, optionally, the paper's geometry block: each
frame's visual tokens query that frame's geometry tokens (``fusion.GeometryCrossAttention``)
right before the projector. The block enters through a forward pre-hook on the projector:

- LLaVA families: ``multi_modal_projector``, input [patches, N, Dv]. OneVision's multi-image
  input has one patch per frame; NeXT-Video's anyres input has several crops per frame, and
  every crop attends to its own frame's geometry tokens.
- Qwen2.5-VL: ``visual.merger`` (its projector), input [sum over frames of t*h*w, Dv], where each
  frame's patches form one contiguous block in window order. The block has no positional terms,
  so each query's output does not depend on that order: the fusion is exactly per frame and
  before the projector, as in the paper (``docs/training.md``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from enum import Enum
from pathlib import Path

import torch
from torch import nn

from spatialmosaic.io import ArtefactError
from spatialmosaic.models.fusion import GeometryCrossAttention, GeometryFeatures
from spatialmosaic.models.large_processor import model_type
from spatialmosaic.models.lora import LoraSettings, apply_lora

LANGUAGE_MODEL = "language_model"  # the submodule LoRA adapts (not the vision tower)
HEAD_DIM = 64  # fusion heads by default: visual width / 64 (SigLIP 1152 -> 18 heads, SPEC §6)


class Family(Enum):
    LLAVA_ONEVISION = "llava_onevision"
    LLAVA_NEXT_VIDEO = "llava_next_video"
    QWEN2_5_VL = "qwen2_5_vl"

    @property
    def model_class(self) -> str:
        return _MODEL_CLASSES[self]


_MODEL_CLASSES = {
    Family.LLAVA_ONEVISION: "LlavaOnevisionForConditionalGeneration",
    Family.LLAVA_NEXT_VIDEO: "LlavaNextVideoForConditionalGeneration",
    Family.QWEN2_5_VL: "Qwen2_5_VLForConditionalGeneration",
}


@dataclass(frozen=True, slots=True)
class LargeSettings:
    """What a large variant is; stored with every checkpoint so it rebuilds exactly."""

    geometry: str = "none"  # none, or which geometry tokens: camera, patch, both
    fusion: str = "cross_attention"  # the paper's block (the only one at this scale)
    fusion_heads: int = 0  # 0: visual width // HEAD_DIM
    dropout: float = 0.1  # of the fusion block (SPEC §6)
    lora_rank: int = 128
    lora_alpha: int = 256
    lora_dropout: float = 0.05
    lora_targets: tuple[str, ...] = field(default_factory=lambda: LoraSettings().targets)

    def __post_init__(self) -> None:
        if self.geometry != "none":
            GeometryFeatures(self.geometry)
        if self.fusion != "cross_attention":
            # Concatenation adds tokens per frame, which the families' placeholder expansion,
            # anyres packing and M-RoPE grids do not know about.
            raise ValueError(
                f"fusion={self.fusion!r}: the large scale supports only cross_attention"
            )
        if self.fusion_heads < 0 or not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"fusion_heads={self.fusion_heads}, dropout={self.dropout}")
        if self.lora_rank < 1 or self.lora_alpha < 1 or not 0.0 <= self.lora_dropout < 1.0:
            raise ValueError(
                f"LoRA rank={self.lora_rank}, alpha={self.lora_alpha}, "
                f"dropout={self.lora_dropout}: rank and alpha >= 1, dropout in [0, 1)"
            )

    @property
    def uses_geometry(self) -> bool:
        return self.geometry != "none"

    @property
    def lora(self) -> LoraSettings:
        return LoraSettings(self.lora_rank, self.lora_alpha, self.lora_dropout, self.lora_targets)

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, payload: dict) -> LargeSettings:
        return cls(**{**payload, "lora_targets": tuple(payload["lora_targets"])})


def family_of(model_dir: Path) -> Family:
    kind = model_type(model_dir)
    try:
        return Family(kind)
    except ValueError:
        supported = ", ".join(family.value for family in Family)
        raise ValueError(
            f"{model_dir}: model_type {kind!r} is not a large-scale family ({supported})"
        ) from None


def default_dtype(device: torch.device | str) -> torch.dtype:
    """bfloat16 on CUDA (the paper's precision), float32 on the CPU."""
    return torch.bfloat16 if torch.device(device).type == "cuda" else torch.float32


def load_base(model_dir: Path, dtype: torch.dtype) -> nn.Module:
    """The family's conditional-generation model from a local folder (never downloaded)."""
    import transformers

    family = family_of(model_dir)
    model_class = getattr(transformers, family.model_class)
    try:
        return model_class.from_pretrained(model_dir, local_files_only=True, dtype=dtype)
    except (OSError, ValueError) as error:
        raise ArtefactError(f"{model_dir}: cannot load as {family.model_class}: {error}") from None


def _parts(model: nn.Module, family: Family) -> tuple[nn.Module, nn.Module]:
    """(vision tower, projector) of a family's model."""
    inner = model.model
    if family is Family.QWEN2_5_VL:
        return inner.visual, inner.visual.merger
    return inner.vision_tower, inner.multi_modal_projector


def visual_width(config, family: Family) -> int:
    """Width Dv of the visual tokens at the projector's input."""
    if family is Family.QWEN2_5_VL:
        return config.vision_config.hidden_size
    layers = config.vision_feature_layer
    return config.vision_config.hidden_size * (len(layers) if isinstance(layers, list) else 1)


@dataclass(frozen=True, slots=True)
class LargeOutput:
    loss: torch.Tensor | None  # mean cross-entropy over the answer tokens (with labels)
    logits: torch.Tensor  # [B, L, vocab]


class LargeVLM(nn.Module):
    """A family's model with LoRA adapters (``model``) and the optional ``fusion`` block."""

    def __init__(
        self,
        model: nn.Module,
        family: Family,
        settings: LargeSettings,
        geometry_dim: int | None = None,
    ) -> None:
        super().__init__()
        self.family = family
        self.settings = settings
        self.model = model
        self.fusion: GeometryCrossAttention | None = None
        self._pending: tuple[list[int], torch.Tensor] | None = None
        if settings.uses_geometry:
            if geometry_dim is None:
                raise ValueError(f"geometry={settings.geometry} needs the geometry token width")
            width = visual_width(self.base.config, family)
            heads = settings.fusion_heads or max(1, width // HEAD_DIM)
            self.fusion = GeometryCrossAttention(width, geometry_dim, heads, settings.dropout)
            _parts(self.base, family)[1].register_forward_pre_hook(self._fuse)

    @property
    def base(self) -> nn.Module:
        """The wrapped transformers model (LoRA layers injected)."""
        return self.model.get_base_model()

    def _rows_per_image(self, batch: Mapping[str, torch.Tensor]) -> list[int]:
        """How many projector input rows each image of the batch becomes."""
        if self.family is Family.QWEN2_5_VL:
            return batch["image_grid_thw"].prod(dim=1).tolist()
        from transformers.models.llava_next.modeling_llava_next import image_size_to_num_patches

        config = self.base.config
        sizes = batch["image_sizes"].tolist()
        patched = [True] * len(sizes)
        counts = batch.get("batch_num_images")
        if self.family is Family.LLAVA_ONEVISION and counts is not None:
            # OneVision crops a lone image (anyres) but takes one patch per multi-image frame.
            patched = [n == 1 for n in counts.tolist() for _ in range(n)]
        return [
            image_size_to_num_patches(
                size, config.image_grid_pinpoints, config.vision_config.image_size
            )
            if crop
            else 1
            for size, crop in zip(sizes, patched, strict=True)
        ]

    @contextmanager
    def _geometry(
        self, batch: Mapping[str, torch.Tensor], geometry: torch.Tensor | None
    ) -> Iterator[None]:
        if (geometry is None) != (self.fusion is None):
            raise ValueError(
                f"geometry={self.settings.geometry}: geometry tokens "
                f"{'are needed' if self.fusion is not None else 'were given but are not used'}"
            )
        if self.fusion is not None:
            rows = self._rows_per_image(batch)
            if geometry.shape[0] != len(rows):
                raise ValueError(
                    f"{geometry.shape[0]} frames of geometry tokens for {len(rows)} images"
                )
            self._pending = (rows, geometry)
        try:
            yield
        finally:
            self._pending = None

    def _fuse(self, module: nn.Module, args: tuple) -> tuple | None:
        """Forward pre-hook on the projector: its input visual tokens, fused per frame."""
        if self._pending is None:
            return None
        rows, geometry = self._pending
        visual = args[0]
        if visual.shape[0] != sum(rows):
            raise ValueError(f"projector input {tuple(visual.shape)}: the images give {rows} rows")
        dtype = self.fusion.query_proj.weight.dtype
        geometry = geometry.to(visual.device, dtype)
        if self.family is Family.QWEN2_5_VL:  # [rows, Dv]: one variable-length block per frame
            chunks = visual.to(dtype).split(rows)
            pairs = zip(chunks, geometry, strict=True)
            fused = torch.cat([self.fusion(c[None], g[None])[0] for c, g in pairs])
        else:  # [patches, N, Dv]: every crop of a frame sees that frame's geometry tokens
            frame = torch.repeat_interleave(
                torch.arange(len(rows), device=visual.device),
                torch.tensor(rows, device=visual.device),
            )
            fused = self.fusion(visual.to(dtype), geometry[frame])
        return (fused.to(visual.dtype), *args[1:])

    def forward(
        self, batch: Mapping[str, torch.Tensor], geometry: torch.Tensor | None = None
    ) -> LargeOutput:
        """``batch``: the processor's outputs (``input_ids`` [B, L], ``attention_mask`` [B, L],
        ``pixel_values`` and the family's image sizes or grids), optionally ``labels`` [B, L]
        (-100 outside the answer); ``geometry`` [F, M, Dg]: the geometry tokens of each of the
        batch's F images (frames), in image order."""
        with self._geometry(batch, geometry):
            output = self.model(**batch)
        return LargeOutput(output.loss, output.logits)

    @torch.no_grad()
    def generate(
        self,
        batch: Mapping[str, torch.Tensor],
        geometry: torch.Tensor | None = None,
        max_new_tokens: int = 16,
    ) -> torch.Tensor:
        """Greedy decoding (SPEC §5); returns [B, L + new] token ids."""
        with self._geometry(batch, geometry):
            return self.model.generate(**batch, max_new_tokens=max_new_tokens, do_sample=False)


def build_large(
    model: nn.Module, settings: LargeSettings, geometry_dim: int | None = None
) -> LargeVLM:
    """Freeze ``model`` (a :func:`load_base` model), add LoRA to its language model and make
    the projector and the fusion block trainable, in float32 (under bf16 autocast on a GPU)."""
    family = Family(model.config.model_type)
    model.requires_grad_(False)
    wrapped = apply_lora(model, settings.lora, within=LANGUAGE_MODEL)
    vision, projector = _parts(model, family)
    vision.requires_grad_(False)
    projector.to(torch.float32).requires_grad_(True)  # SPEC §6: the projector trains in full
    vlm = LargeVLM(wrapped, family, settings, geometry_dim)
    if vlm.fusion is not None:
        vlm.fusion.to(device=projector_device(vlm), dtype=torch.float32)
    return vlm


def projector_device(vlm: LargeVLM) -> torch.device:
    return next(_parts(vlm.base, vlm.family)[1].parameters()).device

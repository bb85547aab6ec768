"""Every setting of the neural models and their training, defined once (no torch import).

Config blocks ``train.vision``, ``train.geometry`` and ``train.vlm`` map onto these frozen
dataclasses field by field; the CLI turns each field into a flag (``--text-dim``), and every
checkpoint stores them so a model rebuilds exactly.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from enum import Enum
from typing import Any


class GeometryFeatures(Enum):
    """Which geometry tokens a frame's visual tokens see (the paper's feature ablation)."""

    CAMERA = "camera"
    PATCH = "patch"
    BOTH = "both"


class FusionKind(Enum):
    CROSS_ATTENTION = "cross_attention"
    CONCAT = "concat"


class Scale(Enum):
    TINY = "tiny"  # ViT + Llama-style LM trained from scratch
    SMALL = "small"  # frozen ImageNet EfficientNet-Lite0 + SmolLM2-135M-Instruct with LoRA


def _check_patches(height: int, width: int, patch: int) -> None:
    if height % patch or width % patch:
        raise ValueError(f"frame size {height}x{width} is not a multiple of patch {patch}")


class _Json:
    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, payload: dict[str, Any]):
        """Lists in JSON become the tuples the fields declare."""
        known = {f.name for f in fields(cls)}
        unknown = set(payload) - known
        if unknown:
            raise ValueError(f"unknown {cls.__name__} keys {sorted(unknown)}")
        return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in payload.items()})


@dataclass(frozen=True, slots=True)
class VisionEncoderConfig(_Json):
    height: int = 72  # frames are resized to height x width (4:3, as the walkthrough frames)
    width: int = 96
    patch: int = 8
    dim: int = 96
    layers: int = 2
    heads: int = 4
    grid: tuple[int, int] = (3, 4)  # visual tokens per frame (rows, columns)
    categories: tuple[str, ...] = ()  # what the perception head predicts, per grid cell

    def __post_init__(self) -> None:
        _check_patches(self.height, self.width, self.patch)
        rows, cols = self.height // self.patch, self.width // self.patch
        if rows % self.grid[0] or cols % self.grid[1]:
            raise ValueError(f"{rows}x{cols} patches do not pool evenly into grid {self.grid}")


@dataclass(frozen=True, slots=True)
class GeometryEncoderConfig(_Json):
    height: int = 72  # frames are resized to height x width (VGGT: 518 x 518)
    width: int = 96
    patch: int = 8
    dim: int = 96
    blocks: int = 2  # pairs of (frame, global) attention layers
    heads: int = 4
    depth_cells: int = 2  # each patch predicts depth_cells x depth_cells log depths

    def __post_init__(self) -> None:
        _check_patches(self.height, self.width, self.patch)

    @property
    def grid(self) -> tuple[int, int]:
        """Patch rows and columns."""
        return (self.height // self.patch, self.width // self.patch)

    @property
    def depth_grid(self) -> tuple[int, int]:
        """Rows and columns of the predicted log-depth map."""
        return (self.grid[0] * self.depth_cells, self.grid[1] * self.depth_cells)


@dataclass(frozen=True, slots=True)
class LanguageModelConfig(_Json):
    """The tiny scale's Llama-architecture decoder, trained from scratch."""

    dim: int = 128
    layers: int = 3
    heads: int = 4
    max_positions: int = 1024


# The attention and MLP projections of Llama / Qwen2 style decoders.
LORA_TARGETS = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")


@dataclass(frozen=True, slots=True)
class LoraSettings:
    rank: int = 128  # SPEC §6
    alpha: int = 256
    dropout: float = 0.05
    targets: tuple[str, ...] = LORA_TARGETS


@dataclass(frozen=True, slots=True)
class VLMSettings(_Json):
    """What a variant is."""

    scale: str = Scale.TINY.value
    geometry: str = "none"  # none, or which geometry tokens: camera, patch, both
    fusion: str = FusionKind.CROSS_ATTENTION.value
    fusion_heads: int = 4
    dropout: float = 0.1
    max_views: int = 5
    vision_grid: tuple[int, int] = (3, 4)  # small scale: EfficientNet tokens per frame
    vision_size: int = 224  # small scale: EfficientNet input (square)
    lora_rank: int = 16  # small scale: LoRA on the language model (paper, 7B: 128)
    lora_alpha: int = 32  # (paper, 7B: 256)
    lora_dropout: float = 0.05

    def __post_init__(self) -> None:
        Scale(self.scale)
        FusionKind(self.fusion)
        if self.geometry != "none":
            GeometryFeatures(self.geometry)

    @property
    def uses_geometry(self) -> bool:
        return self.geometry != "none"

    @property
    def lora(self) -> LoraSettings:
        return LoraSettings(rank=self.lora_rank, alpha=self.lora_alpha, dropout=self.lora_dropout)


@dataclass(frozen=True, slots=True)
class Schedule(_Json):
    """Optimisation settings: AdamW, linear warm-up then cosine decay to zero (SPEC §6)."""

    epochs: float = 1.0
    batch_size: int = 32
    lr: float = 1e-3
    warmup_fraction: float = 0.03
    weight_decay: float = 0.01
    save_every: int = 200  # steps between resume states

    def __post_init__(self) -> None:
        if self.epochs <= 0 or self.batch_size < 1 or self.lr <= 0:
            raise ValueError(f"schedule {self}: epochs, batch_size and lr must be positive")

    def steps_per_epoch(self, samples: int) -> int:
        return max(1, samples // self.batch_size)

    def total_steps(self, samples: int) -> int:
        return max(1, round(self.steps_per_epoch(samples) * self.epochs))

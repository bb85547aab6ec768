"""Frame images as model inputs: decoded once, resized to an encoder's input size, kept as uint8.

A default run's frames at 64x64 take a few MB, so every view set is assembled from memory
instead of decoding JPEGs per question.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch


class FrameStore:
    def __init__(self, size: tuple[int, int]) -> None:
        self.size = size  # (height, width) the frames are resized to
        self._cache: dict[Path, torch.Tensor] = {}

    def frame(self, path: Path) -> torch.Tensor:
        """[3, H, W] uint8."""
        cached = self._cache.get(path)
        if cached is None:
            from PIL import Image

            height, width = self.size
            try:
                with Image.open(path) as image:
                    image.draft("RGB", (width * 2, height * 2))  # JPEG: decode at reduced size
                    rgb = image.convert("RGB").resize((width, height), Image.Resampling.BILINEAR)
            except OSError as error:
                raise FileNotFoundError(f"frame image {path}: {error}") from None
            cached = torch.from_numpy(np.asarray(rgb).copy()).permute(2, 0, 1).contiguous()
            self._cache[path] = cached
        return cached

    def frames(self, paths: Sequence[Path]) -> torch.Tensor:
        """[V, 3, H, W] float in [0, 1]."""
        return torch.stack([self.frame(Path(path)) for path in paths]).float() / 255.0


def pad_views(samples: Sequence[torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
    """Samples of 2-5 views each -> [B, Vmax, ...] zero-padded, and the [B, Vmax] view mask."""
    most = max(sample.shape[0] for sample in samples)
    batch = samples[0].new_zeros((len(samples), most, *samples[0].shape[1:]))
    mask = torch.zeros(len(samples), most, dtype=torch.bool)
    for index, sample in enumerate(samples):
        batch[index, : sample.shape[0]] = sample
        mask[index, : sample.shape[0]] = True
    return batch, mask

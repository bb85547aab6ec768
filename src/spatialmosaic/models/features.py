"""Tokens of the frozen encoders, computed once and reused by every step that needs them.

Both encoders are frozen (SPEC §6), so a frame's visual tokens never change during training
and a view set's geometry tokens neither: the vision encoder runs once per frame and the
geometry encoder once per view set (its global attention sees all views of the set together).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import torch
from torch import nn
from tqdm import tqdm

from spatialmosaic.models.frames import FrameStore, pad_views
from spatialmosaic.models.settings import GeometryFeatures

ENCODE_BATCH_FRAMES = 64


class EncoderTokens:
    def __init__(
        self,
        vision: nn.Module,
        geometry: nn.Module | None = None,
        features: GeometryFeatures | None = None,
    ) -> None:
        if (geometry is None) != (features is None):
            raise ValueError("geometry tokens need both the encoder and the feature choice")
        self.vision = vision
        self.geometry = geometry
        self.features = features
        self.vision_frames = FrameStore(vision.image_size)
        self.geometry_frames = FrameStore(geometry.image_size) if geometry is not None else None
        self.device = next(vision.parameters()).device
        self._visual: dict[Path, torch.Tensor] = {}
        self._geometry: dict[tuple[Path, ...], torch.Tensor] = {}

    @torch.no_grad()
    def precompute(self, view_sets: Sequence[tuple[Path, ...]], progress: bool = True) -> None:
        """Encode every frame (and view set) not seen yet, in batches."""
        frames = sorted({path for view_set in view_sets for path in view_set} - set(self._visual))
        starts = range(0, len(frames), ENCODE_BATCH_FRAMES)
        for start in tqdm(starts, desc="encode frames", disable=not (progress and frames)):
            chunk = frames[start : start + ENCODE_BATCH_FRAMES]
            tokens = self.vision(self.vision_frames.frames(chunk).to(self.device))
            self._visual.update(zip(chunk, tokens, strict=True))
        if self.geometry is not None:
            missing = sorted(set(map(tuple, view_sets)) - set(self._geometry))
            for view_set in tqdm(
                missing, desc="encode view sets", disable=not (progress and missing)
            ):
                frames = self.geometry_frames.frames(view_set).to(self.device)
                encoded = self.geometry.encode(frames)
                self._geometry[view_set] = encoded.select(self.features)

    def batch(
        self, view_sets: Sequence[tuple[Path, ...]]
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
        """Visual tokens [B, V, N, D], view mask [B, V] and geometry tokens [B, V, M, Dg] (or
        None) for a batch of view sets, zero-padded to the longest set."""
        self.precompute([tuple(view_set) for view_set in view_sets], progress=False)
        visual, view_mask = pad_views(
            [torch.stack([self._visual[path] for path in view_set]) for view_set in view_sets]
        )
        geometry = None
        if self.geometry is not None:
            geometry = pad_views([self._geometry[tuple(view_set)] for view_set in view_sets])[0]
        return visual, view_mask.to(self.device), geometry

"""The official VGGT-1B aggregator (facebookresearch/vggt) as the geometry encoder (SPEC §6).

All views of a sample go through the frozen aggregator together at 518x518. Its forward returns
a list with one tensor per alternating-attention layer, each [B, S, P, 2C] (frame-attention and
global-attention outputs concatenated, 2C = 2048 for VGGT-1B), and ``patch_start_idx``: token 0
of each frame is its camera token, tokens 1 .. patch_start_idx-1 are register tokens, and the
rest are the 37 x 37 = 1369 patch tokens. The paper's geometry tokens are the last layer's camera
token and patch tokens (registers dropped).

The ``vggt`` package is not on PyPI: install it from a clone of its repository
(``pip install -e <clone>``) and download ``model.pt`` (or ``model.safetensors``) of VGGT-1B
yourself; the path goes in ``--vggt-weights``. Both are imported and read only when asked for.
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from spatialmosaic.io import ArtefactError
from spatialmosaic.models.fusion import GeometryTokens

VGGT_IMAGE_PX = 518  # SPEC §6: frames at 518 x 518
VGGT_PATCH_PX = 14
VGGT_DIM = 2048  # 2 x 1024: frame and global attention outputs of the last layer
WEIGHT_NAMES = ("model.safetensors", "model.pt")


class VGGTMissingError(ArtefactError):
    """The ``vggt`` package or the VGGT-1B weights are missing; the message says which."""


class VGGTGeometry(nn.Module):
    """A VGGT aggregator behind the geometry-encoder interface (``dim``, ``image_size``,
    ``encode``)."""

    def __init__(
        self,
        aggregator: nn.Module,
        dim: int = VGGT_DIM,
        image_px: int = VGGT_IMAGE_PX,
        patch_px: int = VGGT_PATCH_PX,
    ) -> None:
        super().__init__()
        if image_px % patch_px:
            raise ValueError(f"image size {image_px} is not a multiple of patch {patch_px}")
        self.aggregator = aggregator
        self.dim = dim
        self.image_size = (image_px, image_px)
        self.patches = (image_px // patch_px) ** 2

    @torch.no_grad()
    def encode(self, frames: torch.Tensor) -> GeometryTokens:
        """All views of one sample together: ``frames`` [V, 3, 518, 518] in [0, 1] -> camera
        tokens [V, 1, 2048] and patch tokens [V, 1369, 2048] of the last layer."""
        if tuple(frames.shape[-2:]) != self.image_size:
            raise ValueError(f"frames {tuple(frames.shape)}: VGGT takes {self.image_size}")
        layers, patch_start = self.aggregator(frames[None])
        last = layers[-1][0]  # [V, P, 2C]
        if last.shape[-1] != self.dim or last.shape[1] - patch_start != self.patches:
            raise ValueError(
                f"aggregator output {tuple(last.shape)} with patch_start_idx {patch_start}: "
                f"expected width {self.dim} and {self.patches} patch tokens"
            )
        return GeometryTokens(camera=last[:, :1], patches=last[:, patch_start:])


def _weights_file(path: Path) -> Path:
    path = Path(path)
    if path.is_dir():
        found = [path / name for name in WEIGHT_NAMES if (path / name).is_file()]
        if not found:
            raise VGGTMissingError(
                f"{path}: no VGGT-1B weights in this folder (expected {' or '.join(WEIGHT_NAMES)})"
            )
        return found[0]
    if not path.is_file():
        raise VGGTMissingError(f"{path}: VGGT-1B weights file not found (--vggt-weights)")
    return path


def load_vggt(weights: Path) -> VGGTGeometry:
    """The frozen VGGT-1B aggregator from a local weights file (or a folder holding one).

    Raises:
        VGGTMissingError: when ``vggt`` does not import, or the weights file is missing.
    """
    try:
        from vggt.models.vggt import VGGT
    except ImportError as error:
        raise VGGTMissingError(
            f"the official VGGT package is not importable ({error}); install "
            "facebookresearch/vggt from a clone of its repository (pip install -e <clone>)"
        ) from None
    path = _weights_file(weights)
    if path.suffix == ".safetensors":
        from safetensors.torch import load_file

        state = load_file(path)
    else:
        state = torch.load(path, map_location="cpu", weights_only=True)
    model = VGGT()  # VGGT-1B: 518 px, patch 14, embed dim 1024
    try:
        model.load_state_dict(state)
    except RuntimeError as error:
        raise ArtefactError(f"{path}: not VGGT-1B weights ({str(error)[:300]})") from None
    geometry = VGGTGeometry(model.aggregator)
    return geometry.eval().requires_grad_(False)

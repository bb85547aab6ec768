"""A multi-view geometry encoder in the spirit of VGGT, small enough to train on 2 CPU cores.

Each frame becomes patch tokens plus one camera token (the first frame has its own camera
token, so the model knows the reference view). Blocks alternate attention within a frame and
global attention over the tokens of all views of the sample. Two heads give the supervision
the renderer provides for free: per-patch log depth, and each view's pose relative to the
first view (translation in metres and the first two columns of the rotation). After training
the encoder is frozen and only its tokens are used (``encode``).
"""

from __future__ import annotations

import torch
from torch import nn

from spatialmosaic.models.fusion import GeometryTokens
from spatialmosaic.models.settings import GeometryEncoderConfig

POSE_DIM = 9  # translation (3) + rotation as its first two columns (6)


def _layer(dim: int, heads: int) -> nn.TransformerEncoderLayer:
    return nn.TransformerEncoderLayer(
        dim, heads, 4 * dim, dropout=0.0, batch_first=True, norm_first=True
    )


class GeometryEncoder(nn.Module):
    def __init__(self, config: GeometryEncoderConfig) -> None:
        super().__init__()
        self.config = config
        dim = config.dim
        self.patch_embed = nn.Conv2d(3, dim, config.patch, config.patch)
        self.position = nn.Parameter(torch.randn(1, config.grid[0] * config.grid[1], dim) * 0.02)
        self.camera_tokens = nn.Parameter(torch.randn(2, dim) * 0.02)  # first view, other views
        self.frame_layers = nn.ModuleList(_layer(dim, config.heads) for _ in range(config.blocks))
        self.global_layers = nn.ModuleList(_layer(dim, config.heads) for _ in range(config.blocks))
        self.norm = nn.LayerNorm(dim)
        self.depth_head = nn.Linear(dim, config.depth_cells**2)
        self.pose_head = nn.Sequential(nn.Linear(dim, dim), nn.GELU(), nn.Linear(dim, POSE_DIM))

    @property
    def dim(self) -> int:
        return self.config.dim

    @property
    def image_size(self) -> tuple[int, int]:
        return (self.config.height, self.config.width)

    def forward(self, frames: torch.Tensor, view_mask: torch.Tensor) -> torch.Tensor:
        """``frames`` [B, V, 3, H, W] in [0, 1], ``view_mask`` [B, V] -> tokens [B, V, 1+P, D]
        (token 0 of each frame is its camera token)."""
        batch, views = frames.shape[:2]
        patches = self.patch_embed(frames.flatten(0, 1) * 2.0 - 1.0).flatten(2).transpose(1, 2)
        patches = patches + self.position
        camera = self.camera_tokens[
            torch.tensor([0] + [1] * (views - 1), device=frames.device)
        ].repeat(batch, 1)
        tokens = torch.cat([camera.unsqueeze(1), patches], dim=1)  # [B*V, 1+P, D]
        per_frame = tokens.shape[1]
        padding = (~view_mask).repeat_interleave(per_frame, dim=1)  # [B, V*(1+P)]
        for frame_layer, global_layer in zip(self.frame_layers, self.global_layers, strict=True):
            tokens = frame_layer(tokens)
            tokens = global_layer(
                tokens.reshape(batch, views * per_frame, -1), src_key_padding_mask=padding
            ).reshape(batch * views, per_frame, -1)
        return self.norm(tokens).reshape(batch, views, per_frame, -1)

    def predict(self, tokens: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Log depth [B, V, Gh, Gw] (``depth_grid``) and relative poses [B, V, 9]."""
        batch, views = tokens.shape[:2]
        (rows, cols), cells = self.config.grid, self.config.depth_cells
        depth = self.depth_head(tokens[:, :, 1:])  # [B, V, P, cells*cells]
        depth = depth.reshape(batch, views, rows, cols, cells, cells)
        depth = depth.permute(0, 1, 2, 4, 3, 5).reshape(batch, views, rows * cells, cols * cells)
        return depth, self.pose_head(tokens[:, :, 0])

    @torch.no_grad()
    def encode(self, frames: torch.Tensor) -> GeometryTokens:
        """All views of one sample together: ``frames`` [V, 3, H, W] -> camera and patch tokens."""
        mask = torch.ones(1, frames.shape[0], dtype=torch.bool, device=frames.device)
        tokens = self(frames.unsqueeze(0), mask)[0]
        return GeometryTokens(camera=tokens[:, :1], patches=tokens[:, 1:])


def relative_pose_targets(T_world_cam: torch.Tensor) -> torch.Tensor:
    """[V, 4, 4] camera-to-world poses -> [V, 9]: each view in the first view's camera frame,
    as translation and the rotation's first two columns (a continuous rotation code)."""
    T_cam0_cam = torch.linalg.inv(T_world_cam[0]) @ T_world_cam
    rotation = T_cam0_cam[:, :3, :3]
    return torch.cat([T_cam0_cam[:, :3, 3], rotation[:, :, 0], rotation[:, :, 1]], dim=1)


def geometry_loss(
    encoder: GeometryEncoder,
    tokens: torch.Tensor,
    log_depth: torch.Tensor,
    depth_valid: torch.Tensor,
    poses: torch.Tensor,
    view_mask: torch.Tensor,
) -> tuple[torch.Tensor, dict[str, float]]:
    """L1 on log depth over valid cells, L1 on relative translation and rotation codes."""
    predicted_depth, predicted_pose = encoder.predict(tokens)
    valid = depth_valid & view_mask[:, :, None, None]
    depth_error = (predicted_depth - log_depth).abs()[valid].mean()
    pose_error = (predicted_pose - poses).abs()[view_mask].mean()
    loss = depth_error + pose_error
    return loss, {"depth_l1": float(depth_error.detach()), "pose_l1": float(pose_error.detach())}

"""Albedo at ray hits: a face's colour, or its texture sampled at the hit's barycentric UV.

Texture coordinates follow OBJ (and the scene format, ``scene_io``): u runs right, v runs up from
the image's bottom row, and both repeat outside 0..1. Sampling is nearest-texel; the render's
optional supersampling (``render.supersample``) is the anti-aliasing.
"""

from __future__ import annotations

import numpy as np

from spatialmosaic.scene_io import Scene

RGB_MAX = 255.0


class TextureSampler:
    """A scene's textures packed once into one flat texel array, for per-hit lookups."""

    def __init__(self, scene: Scene) -> None:
        self._face_rgb = scene.face_rgb.astype(np.float32) / np.float32(RGB_MAX)
        self._face_texture = scene.face_texture
        self._face_uv = scene.face_uv
        sizes = np.array([image.shape[:2] for image in scene.textures], dtype=np.int64)
        self._heights = sizes[:, 0] if len(sizes) else np.zeros(0, np.int64)
        self._widths = sizes[:, 1] if len(sizes) else np.zeros(0, np.int64)
        counts = self._heights * self._widths
        self._offsets = np.cumsum(counts) - counts
        self._texels = (
            np.concatenate([image.reshape(-1, 3) for image in scene.textures])
            if scene.textures
            else np.zeros((0, 3), np.uint8)
        )

    def albedo(self, triangle: np.ndarray, barycentric_uv: np.ndarray) -> np.ndarray:
        """Diffuse RGB in 0..1 [N, 3] of hits on ``triangle`` [N] (>= 0) at ``barycentric_uv``
        [N, 2] (Open3D convention, see :class:`spatialmosaic.raycast.Hits`)."""
        rgb = self._face_rgb[triangle]
        if self._face_texture is None:
            return rgb
        texture = self._face_texture[triangle]
        textured = texture >= 0
        if not textured.any():
            return rgb
        rgb[textured] = self.sample(
            texture[textured], self.texcoords(triangle[textured], barycentric_uv[textured])
        )
        return rgb

    def texcoords(self, triangle: np.ndarray, barycentric_uv: np.ndarray) -> np.ndarray:
        """Texture coordinates [N, 2] at the hits: ``(1-u-v) t0 + u t1 + v t2``."""
        corners = self._face_uv[triangle]  # [N, 3, 2] float32: exact enough for 512-px images
        u, v = barycentric_uv[:, 0:1], barycentric_uv[:, 1:2]
        return (1 - u - v) * corners[:, 0] + u * corners[:, 1] + v * corners[:, 2]

    def sample(self, texture: np.ndarray, uv: np.ndarray) -> np.ndarray:
        """Nearest texels [N, 3] in 0..1 of images ``texture`` [N] at texture coordinates ``uv``
        [N, 2] (OBJ convention, repeating)."""
        width, height = self._widths[texture], self._heights[texture]
        wrapped = uv - np.floor(uv)  # repeat outside 0..1
        column = np.minimum((wrapped[:, 0] * width).astype(np.int64), width - 1)
        row = np.minimum(((1.0 - wrapped[:, 1]) * height).astype(np.int64), height - 1)
        return self._texels[self._offsets[texture] + row * width + column] / np.float32(RGB_MAX)

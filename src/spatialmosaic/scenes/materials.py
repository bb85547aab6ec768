"""Wavefront MTL materials of catalog models: diffuse colour ``Kd`` and texture ``map_Kd``.

A textured material's albedo is ``Kd`` times the texture's colour (MTL semantics). Textures are
decoded from the catalog zip at most :data:`TEXTURE_MAX_PX` pixels on their longer side (the
renders are 640 x 480, where no piece of furniture shows a texture at a higher resolution), and
transparent texels are filled with the texture's mean opaque colour, because the ray casters
have no alpha test: a leaf's cut-out then reads as foliage colour, not as the texture's
arbitrary background.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from dataclasses import dataclass

import numpy as np
from PIL import Image, UnidentifiedImageError

NEUTRAL_GREY = 0.7  # colour of faces with no (or an undefined) material
TEXTURE_MAX_PX = 512  # longer side of a decoded texture
_RGB_MAX = 255.0


@dataclass(frozen=True, slots=True)
class MaterialSpec:
    """One ``newmtl`` block: diffuse colour ``Kd`` (0..1) and the ``map_Kd`` reference, if any."""

    name: str
    diffuse_rgb: tuple[float, float, float]
    diffuse_texture: str | None = None


@dataclass(frozen=True, eq=False)  # arrays: compare with np.array_equal, not ==
class TextureImage:
    """A decoded texture, ``Kd`` already applied: ``rgb`` [H, W, 3] uint8 albedo.

    ``key`` names its origin (zip, member and ``Kd``), so a scene stores each image once
    however many objects use it.
    """

    key: str
    rgb: np.ndarray

    def __post_init__(self) -> None:
        if self.rgb.ndim != 3 or self.rgb.shape[2] != 3 or self.rgb.dtype != np.uint8:
            raise ValueError(f"texture {self.key}: {self.rgb.dtype} {self.rgb.shape}; need [H,W,3]")

    @property
    def mean_rgb(self) -> np.ndarray:
        """Mean albedo in 0..1, the colour of the face where textures are not drawn."""
        return self.rgb.reshape(-1, 3).mean(axis=0) / _RGB_MAX


def parse_mtl(text: str) -> dict[str, MaterialSpec]:
    """Parse MTL text into materials by name (``Kd`` and ``map_Kd``; other keys ignored).

    A material without ``Kd`` gets the neutral grey. Raises ``ValueError`` naming the line for
    a malformed ``Kd`` or a statement before the first ``newmtl``.
    """
    materials: dict[str, MaterialSpec] = {}
    current: MaterialSpec | None = None
    for lineno, raw in enumerate(text.splitlines(), start=1):
        parts = raw.strip().split(None, 1)
        if not parts or parts[0].startswith("#"):
            continue
        keyword, rest = parts[0], (parts[1].strip() if len(parts) > 1 else "")
        if keyword == "newmtl":
            current = MaterialSpec(rest, (NEUTRAL_GREY,) * 3)
            materials[rest] = current
            continue
        if keyword not in ("Kd", "map_Kd"):
            continue
        if current is None:
            raise ValueError(f"MTL line {lineno}: {keyword!r} before any newmtl: {raw!r}")
        if keyword == "Kd":
            current = _with_kd(current, rest, lineno, raw)
        else:
            current = MaterialSpec(current.name, current.diffuse_rgb, rest or None)
        materials[current.name] = current
    return materials


def _with_kd(material: MaterialSpec, rest: str, lineno: int, raw: str) -> MaterialSpec:
    try:
        values = [float(v) for v in rest.split()]
    except ValueError as err:
        raise ValueError(f"MTL line {lineno}: malformed Kd: {raw!r}") from err
    if len(values) == 1:  # MTL spec: "Kd r" means g = b = r
        values *= 3
    if len(values) != 3:
        raise ValueError(f"MTL line {lineno}: Kd needs 1 or 3 numbers: {raw!r}")
    red, green, blue = (min(max(v, 0.0), 1.0) for v in values)
    return MaterialSpec(material.name, (red, green, blue), material.diffuse_texture)


def texture_member(reference: str | None, mtl_folder: str, names: set[str]) -> str | None:
    """Zip member of a ``map_Kd`` file, or ``None`` when it is not in the zip.

    32 catalog MTL references are missing, some pointing at the author's disk
    (``C:/Documents and Settings/...``); Sweet Home 3D then shows the plain ``Kd``, as do we.
    """
    if not reference:
        return None
    member = posixpath.normpath(posixpath.join(mtl_folder, reference.replace("\\", "/")))
    return member if member in names else None


def decode_texture(archive: zipfile.ZipFile, member: str) -> np.ndarray:
    """A texture image as [H, W, 3] float64 RGB in 0..1, transparent texels filled.

    Raises:
        ValueError: the member cannot be decoded as an image; the message names zip and member.
    """
    try:
        with Image.open(io.BytesIO(archive.read(member))) as image:
            image.draft("RGB", (TEXTURE_MAX_PX, TEXTURE_MAX_PX))  # JPEG: decode at reduced size
            rgba = image.convert("RGBA")
            if max(rgba.size) > TEXTURE_MAX_PX:
                scale = TEXTURE_MAX_PX / max(rgba.size)
                size = (max(1, round(rgba.size[0] * scale)), max(1, round(rgba.size[1] * scale)))
                rgba = rgba.resize(size, Image.Resampling.BOX)
            pixels = np.asarray(rgba, dtype=np.float64) / _RGB_MAX
    except (UnidentifiedImageError, OSError) as err:
        raise ValueError(f"{archive.filename}:{member}: cannot decode texture ({err})") from err
    alpha = pixels[..., 3:]
    rgb = pixels[..., :3]
    weight = float(alpha.sum())
    mean = (rgb * alpha).reshape(-1, 3).sum(axis=0) / weight if weight > 0 else rgb.mean((0, 1))
    return rgb * alpha + mean * (1.0 - alpha)


def material_texture(
    spec: MaterialSpec,
    mtl_folder: str,
    archive: zipfile.ZipFile,
    names: set[str],
    decoded: dict[str, np.ndarray],
) -> TextureImage | None:
    """The material's texture with ``Kd`` applied, or ``None`` without a usable ``map_Kd``.

    ``decoded`` caches images by member, so a model decodes each file once.
    """
    member = texture_member(spec.diffuse_texture, mtl_folder, names)
    if member is None:
        return None
    if member not in decoded:
        decoded[member] = decode_texture(archive, member)
    kd = np.asarray(spec.diffuse_rgb, dtype=np.float64)
    rgb = np.clip(np.round(decoded[member] * kd * _RGB_MAX), 0, _RGB_MAX).astype(np.uint8)
    key = f"{archive.filename}:{member}:kd={kd[0]:.4f},{kd[1]:.4f},{kd[2]:.4f}"
    return TextureImage(key, rgb)

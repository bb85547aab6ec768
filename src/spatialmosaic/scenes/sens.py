"""ScanNet's ``.sens`` RGB-D stream, read with numpy and zlib (no SensReader needed).

Format (ScanNet ``SensReader/python/SensorData.py`` and ``c++/src/sensorData.h``, version 4),
little-endian: ``uint32 version`` (4), ``uint64 n`` + ``n`` bytes sensor name, four float32
4x4 matrices (``intrinsic_color``, ``extrinsic_color``, ``intrinsic_depth``,
``extrinsic_depth``), ``int32`` colour and depth compression (colour -1 unknown, 0 raw, 1 png,
2 jpeg; depth -1 unknown, 0 raw_ushort, 1 zlib_ushort, 2 occi_ushort), ``uint32`` colour width,
height, depth width, height, ``float32 depth_shift``, ``uint64`` frame count, then per frame:
float32 4x4 ``camera_to_world``, ``uint64`` colour and depth timestamps, ``uint64`` colour and
depth byte counts, the colour bytes, the depth bytes. IMU data after the frames is not read.
Frame ``i`` is what SensReader exports as ``color/<i>.jpg`` and ``pose/<i>.txt``.
"""

from __future__ import annotations

import io
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from spatialmosaic.io import ArtefactError

SENS_VERSION = 4
COLOR_COMPRESSION = {-1: "unknown", 0: "raw", 1: "png", 2: "jpeg"}
DEPTH_COMPRESSION = {-1: "unknown", 0: "raw_ushort", 1: "zlib_ushort", 2: "occi_ushort"}
_MATRIX = struct.Struct("<16f")
_FRAME_HEADER = struct.Struct("<16fQQQQ")  # camera_to_world, 2 timestamps, 2 byte counts
_SIZES = struct.Struct("<iiIIIIfQ")  # compressions, sizes, depth_shift, frame count


@dataclass(frozen=True)
class SensHeader:
    """The stream's calibration, sizes and where each frame's colour and depth bytes are."""

    path: Path
    sensor_name: str
    intrinsic_color: np.ndarray  # [4, 4]
    extrinsic_color: np.ndarray
    intrinsic_depth: np.ndarray
    extrinsic_depth: np.ndarray
    color_compression: str
    depth_compression: str
    color_size: tuple[int, int]  # (width, height)
    depth_size: tuple[int, int]
    depth_shift: float
    camera_to_world: np.ndarray  # [F, 4, 4] float64
    color_spans: tuple[tuple[int, int], ...]  # (offset, bytes) of each frame's colour data
    depth_spans: tuple[tuple[int, int], ...]


def _read(handle, size: int, path: Path, what: str) -> bytes:
    data = handle.read(size)
    if len(data) != size:
        raise ArtefactError(f"{path}: truncated .sens file in {what}")
    return data


def read_sens_header(path: Path | str) -> SensHeader:
    """Calibration, per-frame poses and data offsets; frame data is skipped, not read.

    Raises:
        ArtefactError: missing file, another version, an unknown compression or truncation.
    """
    path = Path(path)
    if not path.is_file():
        raise ArtefactError(f"{path}: file not found")
    with path.open("rb") as handle:
        (version,) = struct.unpack("<I", _read(handle, 4, path, "the version"))
        if version != SENS_VERSION:
            raise ArtefactError(f"{path}: .sens version {version}; expected {SENS_VERSION}")
        (name_length,) = struct.unpack("<Q", _read(handle, 8, path, "the sensor name"))
        if name_length > 1 << 16:
            raise ArtefactError(f"{path}: implausible sensor-name length {name_length}")
        name = _read(handle, name_length, path, "the sensor name").decode("utf-8", "replace")
        matrices = [
            np.asarray(_MATRIX.unpack(_read(handle, _MATRIX.size, path, "calibration")))
            .reshape(4, 4)
            .astype(np.float64)
            for _ in range(4)
        ]
        color_c, depth_c, cw, ch, dw, dh, shift, count = _SIZES.unpack(
            _read(handle, _SIZES.size, path, "the image sizes")
        )
        if color_c not in COLOR_COMPRESSION or depth_c not in DEPTH_COMPRESSION:
            raise ArtefactError(f"{path}: unknown compression types {color_c}, {depth_c}")
        poses, color_spans, depth_spans = [], [], []
        for index in range(count):
            values = _FRAME_HEADER.unpack(_read(handle, _FRAME_HEADER.size, path, f"frame {index}"))
            color_bytes, depth_bytes = values[18], values[19]
            poses.append(np.asarray(values[:16], dtype=np.float64).reshape(4, 4))
            color_spans.append((handle.tell(), color_bytes))
            depth_spans.append((handle.tell() + color_bytes, depth_bytes))
            handle.seek(color_bytes + depth_bytes, io.SEEK_CUR)
        if handle.tell() > path.stat().st_size:
            raise ArtefactError(f"{path}: truncated .sens file in frame {count - 1}")
    return SensHeader(
        path,
        name,
        *matrices,
        COLOR_COMPRESSION[color_c],
        DEPTH_COMPRESSION[depth_c],
        (cw, ch),
        (dw, dh),
        float(shift),
        np.stack(poses) if poses else np.zeros((0, 4, 4)),
        tuple(color_spans),
        tuple(depth_spans),
    )


def _span(header: SensHeader, span: tuple[int, int]) -> bytes:
    with header.path.open("rb") as handle:
        handle.seek(span[0])
        return _read(handle, span[1], header.path, "frame data")


def read_color(header: SensHeader, index: int) -> np.ndarray:
    """Frame ``index``'s colour image, [H, W, 3] uint8."""
    data = _span(header, header.color_spans[index])
    width, height = header.color_size
    if header.color_compression == "raw":
        if len(data) != width * height * 3:
            raise ArtefactError(f"{header.path}: frame {index}: raw colour of {len(data)} bytes")
        return np.frombuffer(data, dtype=np.uint8).reshape(height, width, 3).copy()
    try:
        with Image.open(io.BytesIO(data)) as image:
            return np.asarray(image.convert("RGB"))
    except (OSError, ValueError, SyntaxError) as error:
        raise ArtefactError(f"{header.path}: frame {index}: bad colour image ({error})") from None


def read_depth_mm(header: SensHeader, index: int) -> np.ndarray:
    """Frame ``index``'s depth, [H, W] uint16 in units of 1/depth_shift m (1000: millimetres)."""
    data = _span(header, header.depth_spans[index])
    if header.depth_compression == "zlib_ushort":
        try:
            data = zlib.decompress(data)
        except zlib.error as error:
            raise ArtefactError(f"{header.path}: frame {index}: bad zlib depth ({error})") from None
    elif header.depth_compression != "raw_ushort":
        raise ArtefactError(f"{header.path}: depth compression {header.depth_compression}")
    width, height = header.depth_size
    if len(data) != width * height * 2:
        raise ArtefactError(f"{header.path}: frame {index}: depth of {len(data)} bytes")
    return np.frombuffer(data, dtype="<u2").reshape(height, width).copy()

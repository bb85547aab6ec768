"""Reading and writing artefacts: one atomic writer, deterministic encodings.

Every artefact goes through :func:`atomic_path`, so a killed run never leaves a file that looks
complete. JSON is written with sorted keys and a trailing newline so identical content gives
identical bytes.
"""

from __future__ import annotations

import glob
import json
import math
import os
import shutil
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image


class ArtefactError(ValueError):
    """An input artefact is missing or malformed; the message names the file."""


@contextmanager
def atomic_path(dest: Path | str) -> Iterator[Path]:
    """Yield a temporary sibling of ``dest``; rename it onto ``dest`` only on success."""
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    for stale in dest.parent.glob(f".{glob.escape(dest.name)}.*.tmp"):
        # Left by a killed run; Snakemake never runs two writers of one output at once.
        if stale.is_dir():
            shutil.rmtree(stale)
        else:
            stale.unlink(missing_ok=True)
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
    try:
        yield tmp
        os.replace(tmp, dest)
    finally:
        if tmp.is_dir():
            shutil.rmtree(tmp)
        else:
            tmp.unlink(missing_ok=True)


@contextmanager
def atomic_dir(dest: Path | str) -> Iterator[Path]:
    """Yield a temporary directory that replaces ``dest`` as a whole only on success."""
    dest = Path(dest)
    with atomic_path(dest) as tmp:
        tmp.mkdir(parents=True)
        yield tmp
        if dest.exists():
            shutil.rmtree(dest)


def _finite_json(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"refusing to write non-finite float {value} to JSON")
    if isinstance(value, dict):
        return {key: _finite_json(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite_json(item) for item in value]
    if isinstance(value, np.generic):
        return _finite_json(value.item())
    return value


def dumps_json(payload: Any) -> str:
    return json.dumps(_finite_json(payload), indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def write_json(dest: Path | str, payload: Any) -> None:
    with atomic_path(dest) as tmp:
        tmp.write_text(dumps_json(payload), encoding="utf-8")


def write_json_list(dest: Path | str, items: Iterable[Any]) -> int:
    """Stream a JSON list, one item per line, so exports of millions of records stay flat in
    memory. Returns the number of items written."""
    count = 0
    with atomic_path(dest) as tmp, tmp.open("w", encoding="utf-8") as handle:
        handle.write("[")
        for item in items:
            handle.write(",\n" if count else "\n")
            handle.write(json.dumps(_finite_json(item), sort_keys=True, ensure_ascii=False))
            count += 1
        handle.write("\n]\n")
    return count


def iter_json_list(path: Path | str) -> Iterator[Any]:
    """The items of a JSON list file, one at a time when it has ``write_json_list``'s layout
    (one item per line), so reading millions of records stays flat in memory; any other JSON
    list is read whole."""
    path = Path(path)
    if not path.is_file():
        raise ArtefactError(f"{path}: file not found")
    with path.open(encoding="utf-8") as handle:
        streamable = handle.readline().strip() == "[" and _item(handle.readline()) is not None
    if not streamable:
        payload = read_json(path)
        if not isinstance(payload, list):
            raise ArtefactError(f"{path}: expected a JSON list")
        yield from payload
        return
    with path.open(encoding="utf-8") as handle:
        handle.readline()
        for number, line in enumerate(handle, start=2):
            if line.strip() in ("]", ""):
                continue
            item = _item(line)
            if item is None:
                raise ArtefactError(f"{path}:{number}: not one JSON item per line")
            yield item


def _item(line: str) -> Any:
    try:
        return json.loads(line.rstrip().removesuffix(","))
    except json.JSONDecodeError:
        return None


def read_json(path: Path | str, kind: str | None = None) -> Any:
    """Read a JSON artefact; with ``kind``, check its ``format`` tag (see ``docs/formats.md``)."""
    path = Path(path)
    if not path.is_file():
        raise ArtefactError(f"{path}: file not found")
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ArtefactError(f"{path}: invalid JSON ({error})") from None
    if kind is not None:
        found = payload.get("format") if isinstance(payload, dict) else None
        if found != kind:
            raise ArtefactError(f"{path}: expected a '{kind}' file, found format={found!r}")
    return payload


def write_jsonl(dest: Path | str, rows: list[dict[str, Any]]) -> None:
    with atomic_path(dest) as tmp:
        with tmp.open("w", encoding="utf-8") as handle:
            for row in rows:
                handle.write(json.dumps(_finite_json(row), sort_keys=True, ensure_ascii=False))
                handle.write("\n")


def read_jsonl(path: Path | str) -> list[dict[str, Any]]:
    path = Path(path)
    if not path.is_file():
        raise ArtefactError(f"{path}: file not found")
    rows = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as error:
                    raise ArtefactError(f"{path}:{number}: invalid JSON ({error})") from None
    return rows


def write_png16(dest: Path | str, image: np.ndarray) -> None:
    """Write a single-channel uint16 image losslessly (depth in mm, instance ids)."""
    if image.ndim != 2 or image.dtype != np.uint16:
        raise ValueError(f"{dest}: need a 2-D uint16 array, got {image.dtype} {image.shape}")
    with atomic_path(dest) as tmp:
        Image.fromarray(image).save(tmp, format="PNG")


def read_png16(path: Path | str) -> np.ndarray:
    path = Path(path)
    if not path.is_file():
        raise ArtefactError(f"{path}: file not found")
    with Image.open(path) as image:
        array = np.asarray(image)
    if array.ndim != 2:
        raise ArtefactError(
            f"{path}: expected a single-channel 16-bit PNG, got shape {array.shape}"
        )
    return array.astype(np.uint16)


def write_jpeg(dest: Path | str, rgb: np.ndarray, quality: int) -> None:
    if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
        raise ValueError(f"{dest}: need an [H, W, 3] uint8 array, got {rgb.dtype} {rgb.shape}")
    with atomic_path(dest) as tmp:
        Image.fromarray(rgb).save(tmp, format="JPEG", quality=quality)


def write_npz(dest: Path | str, arrays: dict[str, np.ndarray]) -> None:
    """A compressed ``.npz`` with fixed zip timestamps, so equal arrays give equal bytes."""
    import io
    import zipfile

    with atomic_path(dest) as tmp:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, array in arrays.items():
                buffer = io.BytesIO()
                np.lib.format.write_array(buffer, np.asanyarray(array), allow_pickle=False)
                info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, buffer.getvalue())


def read_npz(path: Path | str) -> dict[str, np.ndarray]:
    path = Path(path)
    if not path.is_file():
        raise ArtefactError(f"{path}: file not found")
    try:
        with np.load(path, allow_pickle=False) as archive:
            return {name: archive[name] for name in archive.files}
    except (OSError, ValueError) as error:
        raise ArtefactError(f"{path}: not a readable .npz file ({error})") from None

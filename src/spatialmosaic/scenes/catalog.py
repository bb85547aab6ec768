"""Sweet Home 3D furniture catalogs (``.sh3f`` zips) as plain records.

A catalog zip holds ``PluginFurnitureCatalog.properties`` (Java properties, ISO-8859-1) that
lists items as ``id#N``, ``name#N``, ``model#N``, ... with sizes in centimetres (SPEC §8). This
module only reads that file and checks that each item's model exists in the zip; geometry is
loaded by :mod:`spatialmosaic.scenes.obj_model`.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

FURNITURE_DIR = Path("/usr/share/sweethome3d/furniture")
CATALOG_SUFFIX = ".sh3f"
PROPERTIES_NAME = "PluginFurnitureCatalog.properties"
CM_PER_M = 100.0

# SPDX ids by catalog zip stem, from each zip's LICENSE.TXT (SPEC §8). KatorLegaz and Reallusion
# both state "Creative Commons Attribution 3.0 United States" (SPDX CC-BY-3.0-US); like
# KatorLegaz we map Reallusion to CC-BY-3.0 since both need the same attribution.
LICENCE_BY_CATALOG: dict[str, str] = {
    "BlendSwap-CC-0": "CC0-1.0",
    "BlendSwap-CC-BY": "CC-BY-3.0",
    "KatorLegaz": "CC-BY-3.0",
    "Reallusion": "CC-BY-3.0",
    "Scopia": "CC-BY-3.0",
}

_ITEM_KEY = re.compile(r"id#(\d+)")
_ESCAPES = {"t": "\t", "n": "\n", "r": "\r", "f": "\f"}


class CatalogError(ValueError):
    """A catalog zip that cannot be read; the message names the file."""


@dataclass(frozen=True, slots=True)
class CatalogItem:
    """One piece of furniture of a catalog, sizes converted from cm to metres.

    ``width_m`` runs along the model's X axis, ``height_m`` along its Y (up) axis and
    ``depth_m`` along its Z axis (after ``model_rotation``), as in Sweet Home 3D; in our Z-up
    world frame they are the extents along world X, Z and Y (see ``obj_model``).
    ``model_rotation`` is a row-major 3x3 matrix applied to model points as ``p' = R @ p``.
    """

    catalog: str
    item_id: str
    name: str
    category: str
    width_m: float
    depth_m: float
    height_m: float
    model_path: str
    licence: str
    creator: str
    door_or_window: bool
    elevation_m: float = 0.0
    drop_on_top_elevation_m: float | None = None
    model_rotation: tuple[float, ...] | None = None

    def __post_init__(self) -> None:
        sizes = (self.width_m, self.depth_m, self.height_m)
        if not all(s > 0 for s in sizes):
            raise ValueError(f"{self.item_id}: size (w, d, h) = {sizes} m; need all > 0")
        if self.model_rotation is not None and len(self.model_rotation) != 9:
            raise ValueError(
                f"{self.item_id}: model_rotation has {len(self.model_rotation)} values; need 9"
            )


def find_catalogs(directory: Path = FURNITURE_DIR) -> list[Path]:
    """Return the ``*.sh3f`` files of ``directory``, sorted; ``[]`` if it does not exist."""
    if not directory.is_dir():
        return []
    return sorted(directory.glob(f"*{CATALOG_SUFFIX}"))


def read_catalog(path: Path) -> list[CatalogItem]:
    """Read every item of one catalog zip, ordered by its index ``N`` ascending.

    Args:
        path: a ``.sh3f`` zip; its stem must be a key of ``LICENCE_BY_CATALOG``.

    Returns:
        The items, sizes in metres, ``model_path`` relative to the zip root.

    Raises:
        CatalogError: unreadable zip, missing properties file, unknown catalog name, a missing
            or malformed item key, or an item whose model file is not in the zip.
    """
    licence = LICENCE_BY_CATALOG.get(path.stem)
    if licence is None:
        raise CatalogError(
            f"{path}: unknown catalog {path.stem!r}; known: {sorted(LICENCE_BY_CATALOG)}"
        )
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if PROPERTIES_NAME not in names:
                raise CatalogError(f"{path}: no {PROPERTIES_NAME} in the zip")
            # Java reads .properties files as ISO-8859-1; other characters come as \uXXXX.
            text = archive.read(PROPERTIES_NAME).decode("latin-1")
    except (zipfile.BadZipFile, OSError) as err:
        raise CatalogError(f"{path}: not a readable catalog zip ({err})") from err
    props = parse_properties(text)
    indices = sorted(int(m.group(1)) for key in props if (m := _ITEM_KEY.fullmatch(key)))
    items = [_item_from_props(props, n, path, licence) for n in indices]
    for item in items:
        if item.model_path not in names:
            raise CatalogError(
                f"{path}: item {item.item_id!r} names model {item.model_path!r}, "
                "which is not in the zip"
            )
    return items


def parse_properties(text: str) -> dict[str, str]:
    """Parse Java ``.properties`` text (comments, continuations, ``\\uXXXX`` escapes).

    Keys end at the first unescaped ``=``, ``:`` or whitespace; a line with only a key maps to
    ``""``. Later duplicates win, as in ``java.util.Properties``.
    """
    props: dict[str, str] = {}
    for line in _logical_lines(text):
        i = 0
        while i < len(line) and line[i] not in "=: \t\f":
            i += 2 if line[i] == "\\" else 1  # an escaped separator belongs to the key
        key = line[: min(i, len(line))]
        while i < len(line) and line[i] in " \t\f":
            i += 1
        if i < len(line) and line[i] in "=:":
            i += 1
        value = line[i:].lstrip(" \t\f")
        props[_unescape(key)] = _unescape(value)
    return props


def _logical_lines(text: str) -> list[str]:
    """Join continued lines (odd number of trailing backslashes) and drop comments/blanks."""
    logical: list[str] = []
    pending: str | None = None
    for raw in text.splitlines():
        line = raw.lstrip(" \t\f")
        if pending is None and (not line or line[0] in "#!"):
            continue
        trailing = len(line) - len(line.rstrip("\\"))
        continued = trailing % 2 == 1
        part = line[:-1] if continued else line
        pending = part if pending is None else pending + part
        if not continued:
            logical.append(pending)
            pending = None
    if pending is not None:
        logical.append(pending)
    return logical


def _unescape(text: str) -> str:
    if "\\" not in text:
        return text
    out: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char != "\\" or i + 1 == len(text):
            out.append(char)
            i += 1
            continue
        code = text[i + 1]
        if code == "u":
            digits = text[i + 2 : i + 6]
            if not re.fullmatch(r"[0-9a-fA-F]{4}", digits):
                raise ValueError(f"malformed \\uXXXX escape {text[i : i + 6]!r} in {text!r}")
            out.append(chr(int(digits, 16)))
            i += 6
        else:
            out.append(_ESCAPES.get(code, code))
            i += 2
    return "".join(out)


def _item_from_props(props: dict[str, str], n: int, path: Path, licence: str) -> CatalogItem:
    def required(key: str) -> str:
        value = props.get(f"{key}#{n}")
        if value is None:
            raise CatalogError(f"{path}: item #{n} has no {key}#{n}")
        return value

    def number(key: str, default: float | None) -> float | None:
        text = props.get(f"{key}#{n}")
        if text is None or not text.strip():
            return default
        try:
            return float(text)
        except ValueError as err:
            raise CatalogError(f"{path}: {key}#{n}={text!r} is not a number") from err

    rotation_text = props.get(f"modelRotation#{n}")
    rotation = None
    if rotation_text is not None:
        try:
            rotation = tuple(float(v) for v in rotation_text.split())
        except ValueError as err:
            raise CatalogError(f"{path}: modelRotation#{n}={rotation_text!r}") from err
        if len(rotation) != 9:
            raise CatalogError(
                f"{path}: modelRotation#{n}={rotation_text!r} has {len(rotation)} values; need 9"
            )
    drop_cm = number("dropOnTopElevation", None)
    try:
        return CatalogItem(
            catalog=path.stem,
            item_id=required("id"),
            name=required("name"),
            category=required("category"),
            width_m=_cm(number("width", None), path, "width", n),
            depth_m=_cm(number("depth", None), path, "depth", n),
            height_m=_cm(number("height", None), path, "height", n),
            model_path=required("model").lstrip("/"),
            licence=licence,
            creator=props.get(f"creator#{n}", ""),
            door_or_window=props.get(f"doorOrWindow#{n}", "false").strip().lower() == "true",
            elevation_m=(number("elevation", 0.0) or 0.0) / CM_PER_M,
            drop_on_top_elevation_m=None if drop_cm is None else drop_cm / CM_PER_M,
            model_rotation=rotation,
        )
    except CatalogError:
        raise
    except ValueError as err:  # CatalogItem.__post_init__: bad sizes
        raise CatalogError(f"{path}: item #{n}: {err}") from err


def _cm(value_cm: float | None, path: Path, key: str, n: int) -> float:
    if value_cm is None:
        raise CatalogError(f"{path}: item #{n} has no {key}#{n}")
    return value_cm / CM_PER_M

"""Tests for spatialmosaic.scenes.catalog on small .sh3f-like zips built in tmp_path."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from spatialmosaic.scenes.catalog import (
    FURNITURE_DIR,
    LICENCE_BY_CATALOG,
    CatalogError,
    find_catalogs,
    parse_properties,
    read_catalog,
)

# Item #2 comes first in the file: read_catalog must order by N. Item #1 uses the escapes
# that occur in the real catalogs (\u20ac, ISO-8859-1 bytes) plus a continuation line.
PROPERTIES = """\
# PluginFurnitureCatalog.properties
id=SweetHome3D#Test
name=Test catalog
license=Public domain

id#2=Test#table
name#2=Table
category#2=Kitchen
model#2=/test/table/table.obj
width#2=120
depth#2=80
height#2=74.5
creator#2=Somebody
doorOrWindow#2=false
elevation#2=10
dropOnTopElevation#-1

id#1=Test#chair
name#1=Chair 10\\u20ac caf\u00e9
category#1=Living \\
    room
model#1=/test/chair/chair.obj
width#1=59.4
depth#1=62.7
height#1=105
dropOnTopElevation#1=42.1
doorOrWindow#1=true
modelRotation#1=1 0 0 0 0 1 0 -1 0
creator#1=Absfrm
"""


def write_catalog(
    path: Path, properties: str = PROPERTIES, models: tuple[str, ...] | None = None
) -> Path:
    """Write a catalog zip with ``properties`` (ISO-8859-1) and stub model files."""
    if models is None:
        models = ("test/table/table.obj", "test/chair/chair.obj")
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("PluginFurnitureCatalog.properties", properties.encode("latin-1"))
        for member in models:
            archive.writestr(member, "v 0 0 0\n")
    return path


def test_read_catalog_orders_items_by_index_and_converts_cm_to_m(tmp_path: Path) -> None:
    items = read_catalog(write_catalog(tmp_path / "BlendSwap-CC-0.sh3f"))

    assert [item.item_id for item in items] == ["Test#chair", "Test#table"]
    chair, table = items
    assert (chair.catalog, chair.name, chair.category) == (
        "BlendSwap-CC-0",
        "Chair 10\u20ac caf\u00e9",
        "Living room",
    )
    assert (chair.width_m, chair.depth_m, chair.height_m) == pytest.approx((0.594, 0.627, 1.05))
    assert chair.model_path == "test/chair/chair.obj"
    assert (chair.licence, chair.creator, chair.door_or_window) == ("CC0-1.0", "Absfrm", True)
    assert chair.elevation_m == 0.0
    assert chair.drop_on_top_elevation_m == pytest.approx(0.421)
    assert chair.model_rotation == (1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, -1.0, 0.0)
    assert (table.width_m, table.depth_m, table.height_m) == pytest.approx((1.2, 0.8, 0.745))
    assert table.elevation_m == pytest.approx(0.1)
    assert table.drop_on_top_elevation_m is None
    assert table.model_rotation is None
    assert table.door_or_window is False
    assert table.category == "Kitchen"


@pytest.mark.parametrize(("stem", "licence"), sorted(LICENCE_BY_CATALOG.items()))
def test_read_catalog_licence_follows_catalog_name(tmp_path: Path, stem: str, licence: str) -> None:
    items = read_catalog(write_catalog(tmp_path / f"{stem}.sh3f"))

    assert {item.licence for item in items} == {licence}
    assert {item.catalog for item in items} == {stem}


def test_licence_map_covers_cc0_and_cc_by() -> None:
    assert LICENCE_BY_CATALOG["BlendSwap-CC-0"] == "CC0-1.0"
    for stem in ("BlendSwap-CC-BY", "Scopia", "KatorLegaz", "Reallusion"):
        assert LICENCE_BY_CATALOG[stem] == "CC-BY-3.0"


def test_read_catalog_missing_model_names_zip_and_item(tmp_path: Path) -> None:
    path = write_catalog(tmp_path / "Scopia.sh3f", models=("test/table/table.obj",))

    with pytest.raises(CatalogError, match=r"Scopia\.sh3f.*Test#chair.*chair\.obj"):
        read_catalog(path)


def test_read_catalog_bad_zip_names_file(tmp_path: Path) -> None:
    path = tmp_path / "Scopia.sh3f"
    path.write_bytes(b"not a zip")

    with pytest.raises(CatalogError, match=r"Scopia\.sh3f"):
        read_catalog(path)


def test_read_catalog_without_properties_names_file(tmp_path: Path) -> None:
    path = tmp_path / "Scopia.sh3f"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("LICENSE.TXT", "CC-BY")

    with pytest.raises(CatalogError, match=r"Scopia\.sh3f.*PluginFurnitureCatalog"):
        read_catalog(path)


def test_read_catalog_unknown_catalog_name_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match=r"unknown catalog 'Mystery'"):
        read_catalog(write_catalog(tmp_path / "Mystery.sh3f"))


def test_read_catalog_missing_size_names_key(tmp_path: Path) -> None:
    text = PROPERTIES.replace("height#2=74.5\n", "")

    with pytest.raises(CatalogError, match=r"height#2"):
        read_catalog(write_catalog(tmp_path / "Scopia.sh3f", text))


def test_read_catalog_bad_rotation_is_an_error(tmp_path: Path) -> None:
    text = PROPERTIES.replace("modelRotation#1=1 0 0 0 0 1 0 -1 0", "modelRotation#1=1 0 0")

    with pytest.raises(CatalogError, match=r"modelRotation#1.*need 9"):
        read_catalog(write_catalog(tmp_path / "Scopia.sh3f", text))


def test_parse_properties_handles_java_escapes_and_separators() -> None:
    text = (
        "! bang comment\n"
        "  # indented comment\n"
        "a\\:b=c\\:d\n"
        "key2 : value with spaces  \n"
        "key3 value3\n"
        "bare\n"
        "long=one \\\n"
        "     two\\\\\n"
        "tab=\\t\\u00e9\n"
    )

    assert parse_properties(text) == {
        "a:b": "c:d",
        "key2": "value with spaces  ",
        "key3": "value3",
        "bare": "",
        "long": "one two\\",
        "tab": "\t\u00e9",
    }


def test_find_catalogs_sorted_and_empty_for_missing_dir(tmp_path: Path) -> None:
    for name in ("b.sh3f", "a.sh3f", "notes.txt"):
        (tmp_path / name).write_bytes(b"")

    assert find_catalogs(tmp_path) == [tmp_path / "a.sh3f", tmp_path / "b.sh3f"]
    assert find_catalogs(tmp_path / "absent") == []


@pytest.mark.skipif(not FURNITURE_DIR.is_dir(), reason="Debian sweethome3d-furniture absent")
def test_real_catalogs_item_counts() -> None:
    counts = {path.stem: len(read_catalog(path)) for path in find_catalogs()}

    # SPEC §8: 820 models; CC-0 175, CC-BY 135, Scopia 395, KatorLegaz 90, Reallusion 25.
    assert counts == {
        "BlendSwap-CC-0": 175,
        "BlendSwap-CC-BY": 135,
        "KatorLegaz": 90,
        "Reallusion": 25,
        "Scopia": 395,
    }

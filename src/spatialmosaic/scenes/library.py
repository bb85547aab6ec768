"""The furniture a built-in room may use: catalog items of the allowed licences, by label."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from spatialmosaic.scenes.catalog import CatalogItem, find_catalogs, read_catalog
from spatialmosaic.scenes.obj_model import load_catalog_model
from spatialmosaic.scenes.obj_parse import TriangleMesh
from spatialmosaic.scenes.recipes import OUTDOOR_CATEGORIES
from spatialmosaic.scenes.taxonomy import category_label

SMALL_OBJECT_MAX_SIZE_M = 0.45  # small objects stand on surfaces; larger ones on the floor
WALL_HUNG_MIN_ELEVATION_M = 0.15  # catalog pieces this high are hung on a wall


@dataclass(frozen=True, slots=True)
class Model:
    zip_path: Path
    item: CatalogItem
    label: str

    @property
    def small(self) -> bool:
        item = self.item
        return max(item.width_m, item.depth_m, item.height_m) <= SMALL_OBJECT_MAX_SIZE_M

    @property
    def wall_hung(self) -> bool:
        return self.item.elevation_m >= WALL_HUNG_MIN_ELEVATION_M


class FurnitureLibrary:
    """Catalog items usable in rooms: allowed licence, not a door or window, not outdoors."""

    def __init__(self, furniture_dir: Path, licences: tuple[str, ...]) -> None:
        self.models: list[Model] = []
        for zip_path in find_catalogs(furniture_dir):
            for item in read_catalog(zip_path):
                indoor = item.category not in OUTDOOR_CATEGORIES and not item.door_or_window
                if indoor and item.licence in licences:
                    label = category_label(item.name, item.item_id)
                    self.models.append(Model(zip_path, item, label))
        if not self.models:
            raise FileNotFoundError(
                f"no furniture with licences {list(licences)} in {furniture_dir}: install the "
                "Debian package 'sweethome3d-furniture' (apt-get install sweethome3d-furniture)"
            )
        self._meshes: dict[tuple[Path, str], TriangleMesh] = {}

    def choose(
        self, labels: tuple[str, ...], categories: tuple[str, ...] | None = None
    ) -> list[Model]:
        """Models with one of ``labels`` (in catalog order), from ``categories`` if given."""
        return [
            m
            for m in self.models
            if m.label in labels and (categories is None or m.item.category in categories)
        ]

    def mesh(self, model: Model) -> TriangleMesh:
        key = (model.zip_path, model.item.item_id)
        if key not in self._meshes:
            self._meshes[key] = load_catalog_model(model.zip_path, model.item)
        return self._meshes[key]

"""Infinigen 1.15.5 labels -> scene categories.

The exporter (:mod:`spatialmosaic.scenes.infinigen_export`) labels each object by the asset
factory that made it (``BedFactory``; the object names are ``BedFactory(seed).spawn_asset(i)``)
or, for the room itself, by its surface (``wall``, ``floor``, ``ceiling``, ``exterior``: the
outside of the walls, ``skirtingboard``). The table covers every factory that
``infinigen_examples/constraints/semantics.py`` (``home_asset_usage``) and the room decoration
(``core/constraints/example_solver/room/decorate.py``: doors, windows, pillars, stairs) of the
pinned version can place. A label outside it (another Infinigen version, a custom gin config)
is an error that names it, rather than a silently odd category.

Categories follow the vocabulary of the other indoor sources (``indoor_labels``,
``taxonomy``): lower case, the five structural classes for room parts, doors and windows.
"""

from __future__ import annotations

from spatialmosaic.scenes.indoor_labels import IndoorCategory
from spatialmosaic.scenes.taxonomy import STRUCTURAL_CATEGORIES

# Raw label -> category. Structural iff the category is one of STRUCTURAL_CATEGORIES.
INFINIGEN_LABELS: dict[str, str] = {
    # the room (exporter labels) and its decoration
    "wall": "wall",
    "floor": "floor",
    "ceiling": "ceiling",
    "exterior": "wall",  # the walls' outside faces
    "skirtingboard": "wall",  # skirting boards run along the walls
    "WindowFactory": "window",
    "PanelDoorFactory": "door",
    "GlassPanelDoorFactory": "door",
    "LouverDoorFactory": "door",
    "LiteDoorFactory": "door",
    "DoorCasingFactory": "door",
    "DoorFactory": "door",
    "PillarFactory": "pillar",  # stands in the room: an obstacle, so not structural
    "StaircaseFactory": "stairs",
    "StraightStaircaseFactory": "stairs",
    "CantileverStaircaseFactory": "stairs",
    "LShapedStaircaseFactory": "stairs",
    "UShapedStaircaseFactory": "stairs",
    "SpiralStaircaseFactory": "stairs",
    "CurvedStaircaseFactory": "stairs",
    # appliances
    "BeverageFridgeFactory": "refrigerator",
    "DishwasherFactory": "dishwasher",
    "MicrowaveFactory": "microwave",
    "MonitorFactory": "monitor",
    "OvenFactory": "oven",
    "TVFactory": "tv",
    # bathroom
    "BathroomSinkFactory": "sink",
    "StandingSinkFactory": "sink",
    "SinkFactory": "sink",
    "BathtubFactory": "bathtub",
    "HardwareFactory": "towel holder",  # hooks, holders, bars and rings
    "ToiletFactory": "toilet",
    # clothes and textiles
    "BlanketFactory": "blanket",
    "PantsFactory": "clothes",
    "ShirtFactory": "clothes",
    "TowelFactory": "towel",
    "RugFactory": "rug",
    # decor
    "AquariumTankFactory": "aquarium",
    "NatureShelfTrinketsFactory": "decoration",
    "RackFactory": "rack",
    "BalloonFactory": "balloon",
    "MirrorFactory": "mirror",
    "WallArtFactory": "picture",
    "VaseFactory": "vase",
    "LargePlantContainerFactory": "plant",
    "PlantContainerFactory": "plant",
    # lamps
    "CeilingClassicLampFactory": "ceiling lamp",
    "CeilingLightFactory": "ceiling lamp",
    "DeskLampFactory": "lamp",
    "FloorLampFactory": "lamp",
    "LampFactory": "lamp",
    # seating
    "ArmChairFactory": "armchair",
    "BarChairFactory": "chair",
    "ChairFactory": "chair",
    "OfficeChairFactory": "office chair",
    "SofaFactory": "sofa",
    "StaticSofaFactory": "sofa",
    "BedFactory": "bed",
    "BedFrameFactory": "bed",
    # storage
    "CellShelfFactory": "shelf",
    "LargeShelfFactory": "shelf",
    "StaticShelfFactory": "shelf",
    "SimpleBookcaseFactory": "bookshelf",
    "KitchenCabinetFactory": "kitchen cabinet",
    "KitchenSpaceFactory": "kitchen cabinet",
    "KitchenIslandFactory": "kitchen island",
    "SingleCabinetFactory": "cabinet",
    "TVStandFactory": "tv stand",
    # tables and desks
    "SidetableDeskFactory": "desk",
    "SimpleDeskFactory": "desk",
    "CoffeeTableFactory": "coffee table",
    "SideTableFactory": "side table",
    "TableCocktailFactory": "table",
    "TableDiningFactory": "table",
    "StaticTableFactory": "table",
    # books
    "BookFactory": "book",
    "BookColumnFactory": "book",
    "BookStackFactory": "book",
    # tableware and food
    "BottleFactory": "bottle",
    "BowlFactory": "bowl",
    "CanFactory": "can",
    "ChopsticksFactory": "chopsticks",
    "CupFactory": "cup",
    "WineglassFactory": "glass",
    "FoodBagFactory": "food bag",
    "FoodBoxFactory": "food box",
    "ForkFactory": "fork",
    "KnifeFactory": "knife",
    "SpoonFactory": "spoon",
    "FruitContainerFactory": "fruit bowl",
    "JarFactory": "jar",
    "PanFactory": "pan",
    "PotFactory": "pot",
    "PlateFactory": "plate",
}


def infinigen_category(label: str) -> IndoorCategory | None:
    """The category of an exported label, or None when the table does not know it."""
    name = INFINIGEN_LABELS.get(label)
    if name is None:
        return None
    return IndoorCategory(name, name in STRUCTURAL_CATEGORIES)

"""What goes into each type of built-in room, and by which placement rule (ours).

A recipe is a list of slots, placed in order: the room's main pieces first (the bed, the
sofa, the kitchen counter), then the pieces that relate to them (nightstands beside the bed,
chairs around the table), then optional furniture while the room's budget of large pieces
lasts. Small objects then fill the surfaces of the room's host pieces (tables, shelves,
counters) until the room has its drawn number of objects. Labels are category labels
(``taxonomy``); a slot draws one catalog model per slot, so a dining table's chairs match.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Rule(Enum):
    """How a slot's pieces are placed (``furnish``)."""

    WALL = "wall"  # back against a wall, front facing into the room
    CENTRE = "centre"  # free-standing on the open floor, aligned with the walls
    AROUND = "around"  # seats around the anchor (a table or desk), facing it
    BESIDE = "beside"  # against the anchor's wall, next to it (nightstands by a bed)
    FACING = "facing"  # against the wall the anchor faces (a tv stand opposite the sofa)
    FLANK = "flank"  # in front of the anchor's ends, turned towards each other (armchairs)
    WALL_HUNG = "wall_hung"  # on a wall at the catalog's elevation (wall lamps, clocks)
    CEILING = "ceiling"  # hung from the ceiling, above the anchor when there is one
    RUN = "run"  # kitchen: base units along a wall, a cooktop and hood, wall cabinets above
    ON = "on"  # on a surface of the anchor (a tv on its stand, a cooktop on the counter)


@dataclass(frozen=True, slots=True)
class Slot:
    """Pieces of the same model (one of ``labels``) placed by ``rule``.

    ``anchor`` is the label of an earlier slot's piece the rule relates to; ``essential``
    slots are placed whatever the room's budget.
    """

    labels: tuple[str, ...]
    rule: Rule
    count: tuple[int, int] = (1, 1)
    anchor: str | None = None
    essential: bool = False
    side_clearance_m: float = 0.0  # WALL: free floor kept beside it, for BESIDE pieces


@dataclass(frozen=True, slots=True)
class RoomRecipe:
    """A room type: its size ranges, how often it is an L, its palette and its contents."""

    name: str
    width_range_m: tuple[float, float]
    depth_range_m: tuple[float, float]
    l_shape_probability: float
    floor_rgb: tuple[int, int, int]
    wall_rgbs: tuple[tuple[int, int, int], ...]
    catalog_categories: tuple[str, ...]  # Sweet Home 3D categories of its large pieces
    slots: tuple[Slot, ...]
    hosts: tuple[str, ...]  # labels whose surfaces hold small objects
    small_objects: tuple[str, ...]  # labels of the small objects
    run_units: tuple[str, ...] = field(default=())  # RUN: base-unit labels


BESIDE_ROOM_M = 0.55  # room a bed or toilet keeps for its nightstands, holder or brush
WALL_PAINTS = ((236, 230, 218), (222, 228, 226), (238, 226, 208), (214, 222, 232), (230, 232, 222))
WOOD_FLOOR, TILE_FLOOR = (166, 122, 84), (200, 198, 190)
# Sweet Home 3D catalog categories large pieces are drawn from, per room type; small objects
# come from any indoor category.
_COMMON = ("Lights", "Miscellaneous")
LIVING = ("Living room", "Office", *_COMMON)
BEDROOM = ("Bedroom", "Living room", "Office", *_COMMON)
KITCHEN = ("Kitchen", "Living room", *_COMMON)
OFFICE = ("Office", "Living room", *_COMMON)
BATHROOM = ("Bathroom", "Living room", *_COMMON)
DINING = ("Living room", "Kitchen", "Bedroom", *_COMMON)
# Categories never used indoors.
OUTDOOR_CATEGORIES = ("Exterior", "Vehicles", "Characters", "Staircases", "Doors and windows")

RECIPES: dict[str, RoomRecipe] = {
    recipe.name: recipe
    for recipe in (
        RoomRecipe(
            "living_room", (4.4, 6.6), (3.8, 5.6), 0.5, WOOD_FLOOR, WALL_PAINTS, LIVING,
            (
                Slot(("sofa",), Rule.WALL, essential=True),
                Slot(("tv stand",), Rule.FACING, anchor="sofa", essential=True),
                Slot(("tv",), Rule.WALL_HUNG, anchor="tv stand", essential=True),
                Slot(("armchair",), Rule.FLANK, (1, 2), anchor="sofa", essential=True),
                Slot(("speaker",), Rule.BESIDE, (2, 2), anchor="tv stand"),
                Slot(("bookshelf", "shelf"), Rule.WALL, (1, 2)),
                Slot(("plant",), Rule.WALL, (1, 2)),
                Slot(("ceiling lamp", "fan"), Rule.CEILING),
                Slot(("clock", "wall lamp"), Rule.WALL_HUNG),
                Slot(("radiator",), Rule.WALL),
                Slot(("table",), Rule.CENTRE),
                Slot(("chair",), Rule.AROUND, (2, 4), anchor="table"),
                Slot(("piano", "guitar"), Rule.WALL),
                Slot(("cabinet",), Rule.WALL),
            ),
            ("tv stand", "bookshelf", "shelf", "table", "cabinet"),
            ("cup", "glass", "bottle", "plant", "lamp", "figurine", "playing cards", "phone",
             "headphones", "speaker", "toy", "box"),
        ),
        RoomRecipe(
            "bedroom", (3.4, 5.0), (3.2, 4.6), 0.3, WOOD_FLOOR, WALL_PAINTS, BEDROOM,
            (
                Slot(("bed",), Rule.WALL, essential=True, side_clearance_m=BESIDE_ROOM_M),
                Slot(("nightstand",), Rule.BESIDE, (1, 2), anchor="bed", essential=True),
                Slot(("wardrobe", "cabinet"), Rule.WALL, essential=True),
                Slot(("desk",), Rule.WALL),
                Slot(("office chair", "chair"), Rule.AROUND, anchor="desk"),
                Slot(("shelf", "bookshelf"), Rule.WALL),
                Slot(("plant",), Rule.WALL),
                Slot(("ceiling lamp", "fan"), Rule.CEILING),
                Slot(("wall lamp", "clock"), Rule.WALL_HUNG),
                Slot(("radiator",), Rule.WALL),
                Slot(("crib", "rocking horse", "teddy bear"), Rule.WALL),
                Slot(("shoe", "bag", "briefcase"), Rule.WALL, (1, 2)),
            ),
            ("nightstand", "desk", "shelf", "bookshelf", "cabinet"),
            ("lamp", "cup", "glass", "bottle", "phone", "teddy bear", "toy", "figurine", "jar",
             "clock", "headphones", "box"),
        ),
        RoomRecipe(
            "kitchen", (3.2, 4.8), (3.0, 4.4), 0.3, TILE_FLOOR, WALL_PAINTS, KITCHEN,
            (
                Slot(("cabinet",), Rule.RUN, essential=True),
                Slot(("table", "kitchen island"), Rule.CENTRE),
                Slot(("chair", "stool"), Rule.AROUND, (2, 4), anchor="table"),
                Slot(("trash can",), Rule.WALL),
                Slot(("plant",), Rule.WALL),
                Slot(("ceiling lamp",), Rule.CEILING, anchor="table"),
                Slot(("clock",), Rule.WALL_HUNG),
            ),
            ("cabinet", "table", "kitchen island"),
            ("cup", "glass", "bottle", "milk carton", "bread", "butter", "cupcake", "hot dog",
             "mixer", "coffee maker", "knife block", "plant", "jar"),
            run_units=("cabinet", "oven", "refrigerator"),
        ),
        RoomRecipe(
            "office", (3.6, 5.6), (3.2, 4.8), 0.4, WOOD_FLOOR, WALL_PAINTS, OFFICE,
            (
                Slot(("desk",), Rule.WALL, (1, 2), essential=True),
                Slot(("office chair",), Rule.AROUND, anchor="desk", essential=True),
                Slot(("bookshelf", "shelf"), Rule.WALL, (1, 2), essential=True),
                Slot(("whiteboard",), Rule.WALL),
                Slot(("cabinet",), Rule.WALL),
                Slot(("table",), Rule.CENTRE),
                Slot(("chair",), Rule.AROUND, (2, 4), anchor="table"),
                Slot(("plant",), Rule.WALL),
                Slot(("trash can", "fire extinguisher"), Rule.WALL),
                Slot(("ceiling lamp",), Rule.CEILING),
                Slot(("clock", "wall lamp"), Rule.WALL_HUNG),
                Slot(("radiator",), Rule.WALL),
            ),
            ("desk", "bookshelf", "shelf", "cabinet", "table"),
            ("lamp", "calendar", "phone", "headphones", "cup", "glass", "bottle", "marker",
             "scissors", "speaker", "plant", "box", "fan", "ball"),
        ),
        RoomRecipe(
            "bathroom", (2.8, 3.8), (2.6, 3.4), 0.2, TILE_FLOOR, WALL_PAINTS, BATHROOM,
            (
                Slot(("toilet",), Rule.WALL, essential=True, side_clearance_m=BESIDE_ROOM_M),
                Slot(("sink",), Rule.WALL, (1, 2), essential=True),
                Slot(("shower",), Rule.WALL, essential=True),
                Slot(("toilet paper holder",), Rule.WALL_HUNG, anchor="toilet", essential=True),
                Slot(("toilet brush", "bidet"), Rule.BESIDE, anchor="toilet"),
                Slot(("towel rack", "towel"), Rule.WALL_HUNG, (1, 2)),
                Slot(("radiator",), Rule.WALL),
                Slot(("trash can",), Rule.WALL),
                Slot(("shelf", "cabinet"), Rule.WALL),
                Slot(("wall lamp",), Rule.WALL_HUNG),
                Slot(("potty",), Rule.WALL),
            ),
            ("sink", "shelf", "cabinet"),
            ("bottle", "jar", "comb", "cup", "glass", "plant"),
        ),
        RoomRecipe(
            "dining_room", (4.0, 6.2), (3.6, 5.2), 0.4, WOOD_FLOOR, WALL_PAINTS, DINING,
            (
                Slot(("table",), Rule.CENTRE, essential=True),
                Slot(("chair",), Rule.AROUND, (4, 8), anchor="table", essential=True),
                Slot(("cabinet",), Rule.WALL, (1, 2), essential=True),
                Slot(("ceiling lamp",), Rule.CEILING, anchor="table"),
                Slot(("shelf", "bookshelf"), Rule.WALL),
                Slot(("plant",), Rule.WALL, (1, 2)),
                Slot(("clock", "wall lamp"), Rule.WALL_HUNG),
                Slot(("radiator",), Rule.WALL),
                Slot(("piano",), Rule.WALL),
            ),
            ("table", "cabinet", "shelf", "bookshelf"),
            ("cup", "glass", "bottle", "bread", "cupcake", "plant", "lamp", "jar",
             "playing cards", "figurine"),
        ),
    )
}  # fmt: skip
ROOM_TYPES = tuple(RECIPES)

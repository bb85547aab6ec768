"""Category labels for catalog items: free-form model names -> a small shared vocabulary.

Questions ask about categories ("How many chairs ..."), so two models of chairs must share one
label. The first matching phrase wins, so specific phrases ("bedside table") come before
generic ones ("table"). Unmatched names fall back to their lower-cased catalog name.
"""

from __future__ import annotations

import re

STRUCTURAL_CATEGORIES = ("wall", "floor", "ceiling", "door", "window")

# Catalog items whose name alone gives the wrong label: item id -> label.
_ITEM_LABELS: dict[str, str] = {
    "Blend Swap CC-0#armchair": "office chair",  # a swivel desk chair named "Armchair"
    "Blend Swap CC-0#lamp2": "ceiling lamp",  # hangs from the ceiling
}

# (phrase in the catalog name, category label); order matters: the first match wins, so
# specific phrases come before the generic ones they contain.
_PHRASE_LABELS: tuple[tuple[str, str], ...] = (
    ("television cabinet", "tv stand"),
    ("bedside table", "nightstand"),
    ("nightstand", "nightstand"),
    ("fan", "fan"),
    ("football table", "foosball table"),
    ("pool table", "pool table"),
    ("ceiling lamp", "ceiling lamp"),
    ("pendant lamp", "ceiling lamp"),
    ("chandelier", "ceiling lamp"),
    ("wall light", "wall lamp"),
    ("wall lamp", "wall lamp"),
    ("desk lamp", "lamp"),
    ("office chair", "office chair"),
    ("armchair", "armchair"),
    ("sofa", "sofa"),
    ("couch", "sofa"),
    ("piano bench", "bench"),
    ("stool", "stool"),
    ("bench", "bench"),
    ("chair", "chair"),
    ("baby bed", "crib"),
    ("bed", "bed"),
    ("lamp", "lamp"),
    ("lantern", "lamp"),
    ("desk", "desk"),
    ("island", "kitchen island"),
    ("upper", "wall cabinet"),
    ("glass door cabinet", "wall cabinet"),
    ("table", "table"),
    ("bookcase", "bookshelf"),
    ("shelves", "shelf"),
    ("shelf", "shelf"),
    ("wardrobe", "wardrobe"),
    ("cupboard", "cabinet"),
    ("cabinet", "cabinet"),
    ("plant", "plant"),
    ("cactus", "plant"),
    ("orchids", "plant"),
    ("tv", "tv"),
    ("television", "tv"),
    ("fridge", "refrigerator"),
    ("refrigerator", "refrigerator"),
    ("oven", "oven"),
    ("cooktop", "stove"),
    ("stove", "stove"),
    ("range hood", "range hood"),
    ("washbasin", "sink"),
    ("sink", "sink"),
    ("vanity", "sink"),
    ("toilet brush", "toilet brush"),
    ("toilet paper", "toilet paper holder"),
    ("toilets", "toilet"),
    ("toilet", "toilet"),
    ("shower stall", "shower"),
    ("towel rack", "towel rack"),
    ("radiator", "radiator"),
    ("speaker", "speaker"),
    ("cup cake", "cupcake"),
    ("cup", "cup"),
    ("mug", "cup"),
    ("glass", "glass"),
    ("bottle", "bottle"),
    ("flacon", "bottle"),
    ("milk", "milk carton"),
    ("coffee brewer", "coffee maker"),
    ("knife stand", "knife block"),
    ("piano", "piano"),
    ("guitar", "guitar"),
    ("cuckoo clock", "clock"),
    ("clock", "clock"),
    ("white board", "whiteboard"),
    ("dustbin", "trash can"),
    ("extinguisher", "fire extinguisher"),
    ("iphone", "phone"),
    ("text marker", "marker"),
    ("card game", "playing cards"),
    ("deer", "figurine"),
    ("biplane", "toy"),
    ("wood toy", "toy"),
    ("puzzle", "toy"),
    ("handbag", "bag"),
    ("basketball", "ball"),
    ("cosmetics pot", "jar"),
    ("bootie", "shoe"),
    ("slippers", "shoe"),
)


def category_label(catalog_name: str, item_id: str = "") -> str:
    """Map a catalog model (its name, e.g. "Oak chair", and id) to its category label
    (e.g. "chair")."""
    if item_id in _ITEM_LABELS:
        return _ITEM_LABELS[item_id]
    words = " ".join(re.findall(r"[a-z0-9]+", catalog_name.lower()))
    for phrase, label in _PHRASE_LABELS:
        if re.search(rf"\b{re.escape(phrase)}\b", words):
            return label
    return words

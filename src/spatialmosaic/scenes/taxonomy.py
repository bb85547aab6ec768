"""Category labels for catalog items: free-form model names -> a small shared vocabulary.

Questions ask about categories ("How many chairs ..."), so two models of chairs must share one
label. The first matching phrase wins, so specific phrases ("bedside table") come before
generic ones ("table"). Unmatched names fall back to their lower-cased catalog name.
"""

from __future__ import annotations

import re

STRUCTURAL_CATEGORIES = ("wall", "floor", "ceiling", "door", "window")

# (phrase in the catalog name, category label); order matters.
_PHRASE_LABELS: tuple[tuple[str, str], ...] = (
    ("television cabinet", "tv stand"),
    ("bedside table", "nightstand"),
    ("nightstand", "nightstand"),
    ("table fan", "fan"),
    ("football table", "foosball table"),
    ("ceiling fan", "fan"),
    ("desk lamp", "lamp"),
    ("armchair", "armchair"),
    ("sofa", "sofa"),
    ("couch", "sofa"),
    ("stool", "stool"),
    ("bench", "bench"),
    ("chair", "chair"),
    ("baby bed", "crib"),
    ("bed", "bed"),
    ("lamp", "lamp"),
    ("lantern", "lamp"),
    ("desk", "desk"),
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
    ("washbasin", "sink"),
    ("sink", "sink"),
    ("toilets", "toilet"),
    ("toilet", "toilet"),
    ("radiator", "radiator"),
    ("speaker", "speaker"),
    ("cup", "cup"),
    ("glass", "glass"),
    ("bottle", "bottle"),
    ("piano", "piano"),
)


def category_label(catalog_name: str) -> str:
    """Map a catalog model name (e.g. "Oak chair") to its category label (e.g. "chair")."""
    words = " ".join(re.findall(r"[a-z0-9]+", catalog_name.lower()))
    for phrase, label in _PHRASE_LABELS:
        if re.search(rf"\b{re.escape(phrase)}\b", words):
            return label
    return words

"""Annotation labels of the real indoor datasets (ScanNet++, ScanNet v2) -> scene categories.

Both datasets label objects with free-form lower-case names ("office chair", "doorframe").
Categories keep the raw name, normalised (lower case, single spaces), so questions use the
dataset's own vocabulary. Two explicit exceptions:

- structural spellings: the names of walls, floors, ceilings, doors and windows (with the
  frames and sills the annotators label separately) map to the five structural categories of
  :data:`spatialmosaic.scenes.taxonomy.STRUCTURAL_CATEGORIES`; they occlude but are never
  targets of a question;
- ignored labels: annotation placeholders with no object class ("remove", "split", empty,
  ...). Their faces join the scene's ``unlabelled`` occluder (docs/scannetpp.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spatialmosaic.scenes.taxonomy import STRUCTURAL_CATEGORIES

# Spelling (normalised) -> structural category. ScanNet++'s top-100 classes spell frames and
# sills as separate labels ("doorframe", "window frame", "windowsill", "shower wall").
STRUCTURAL_SPELLINGS: dict[str, str] = {
    "wall": "wall",
    "walls": "wall",
    "shower wall": "wall",
    "glass wall": "wall",
    "partition wall": "wall",
    "floor": "floor",
    "ceiling": "ceiling",
    "ceiling beam": "ceiling",
    "door": "door",
    "doors": "door",
    "doorframe": "door",
    "door frame": "door",
    "sliding door": "door",
    "glass door": "door",
    "double door": "door",
    "shower door": "door",
    "window": "window",
    "windows": "window",
    "window frame": "window",
    "windowsill": "window",
    "window sill": "window",
}
# Labels that name no object class: left-overs of the annotation tools ("remove" and "split"
# mark segments to drop or re-annotate) and empty or explicitly unknown names.
IGNORED_LABELS = frozenset(
    {"", "remove", "split", "unknown", "undefined", "unlabeled", "unlabelled", "void", "none"}
)
UNLABELLED_CATEGORY = "unlabelled"  # the occluder made of faces without a usable label


@dataclass(frozen=True, slots=True)
class IndoorCategory:
    name: str
    structural: bool


def normalise_label(label: str) -> str:
    """Lower case, underscores as spaces, runs of white space collapsed: "Office_Chair " ->
    "office chair"."""
    return re.sub(r"\s+", " ", label.replace("_", " ")).strip().lower()


def indoor_category(label: str) -> IndoorCategory | None:
    """The category of an annotation label, or None for an ignored label."""
    name = normalise_label(label)
    if name in IGNORED_LABELS:
        return None
    if name in STRUCTURAL_SPELLINGS:
        return IndoorCategory(STRUCTURAL_SPELLINGS[name], True)
    return IndoorCategory(name, name in STRUCTURAL_CATEGORIES)

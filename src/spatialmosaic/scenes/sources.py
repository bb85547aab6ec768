"""Which real indoor scenes a config asks for, and the files each needs (the workflow's view).

``scenes.scannetpp`` and ``scenes.scannet`` name their scenes the same way: an explicit list,
then the ids of scene-list files (the official ``splits/*.txt``), in order without repeats,
cut to ``count``. The names are the datasets' own ids (``355e5e32db``, ``scene0000_00``), so
records and image folders carry them as the official benchmark does.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from spatialmosaic.io import ArtefactError


def listed_scenes(block: dict[str, Any]) -> list[str]:
    """The scene ids of a ``scenes.scannetpp``/``scenes.scannet`` block.

    Raises:
        ArtefactError: a scene-list file is missing (it names the file).
    """
    names = list(block["scenes"])
    for entry in block["split_files"]:
        path = Path(entry)
        if not path.is_absolute():
            path = Path(block["root"] or ".") / path
        if not path.is_file():
            raise ArtefactError(f"{path}: scene list not found")
        names += [line.strip() for line in path.read_text().splitlines() if line.strip()]
    unique = list(dict.fromkeys(names))
    return unique[: block["count"]] if block["count"] else unique


def name_pattern(names: list[str]) -> str:
    """A regular expression matching exactly these names (none: matches nothing), for a
    rule's ``wildcard_constraints``."""
    return "|".join(map(re.escape, names)) if names else "(?!)"

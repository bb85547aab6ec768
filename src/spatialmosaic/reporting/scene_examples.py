"""Figure: example frames of the built-in rooms, one row per room (from rendered files only).

Rows show up to ``MAX_ROOMS`` rooms, preferring one of each room type; each row holds
``FRAMES_PER_ROOM`` frames spread evenly over the room's walkthrough, labelled with the room's
type, shape and number of objects from its ``scene.json``.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib
import numpy as np
from PIL import Image

from spatialmosaic.reporting.figures import _save, _style
from spatialmosaic.reporting.scene_card import SHAPE_WORDS
from spatialmosaic.scene_io import read_scene_payload

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

MAX_ROOMS = 6
FRAMES_PER_ROOM = 4
TILE_WIDTH_IN = 2.6
TITLE_IN = 0.5  # figure height for the title
LABEL_FONT_SIZE = 7


def _pick_rooms(scenes: list[tuple[Path, dict]]) -> list[tuple[Path, dict]]:
    """One room of each type first (in name order), then the others, up to ``MAX_ROOMS``."""
    ordered = sorted(scenes, key=lambda entry: entry[1]["scene_name"])
    seen: set[str] = set()
    first, rest = [], []
    for entry in ordered:
        room_type = entry[1]["info"].get("room_type", "")
        (rest if room_type in seen else first).append(entry)
        seen.add(room_type)
    return (first + rest)[:MAX_ROOMS]


def _label(payload: dict) -> str:
    info = payload["info"]
    objects = sum(not obj["structural"] for obj in payload["objects"])
    room = str(info.get("room_type", "room")).replace("_", " ")
    shape = SHAPE_WORDS.get(info.get("room_shape"), "room")
    return f"{payload['scene_name']}\n{room}, {shape}\n{objects} objects"


def main(render_dirs: list[Path], scene_jsons: list[Path], pdf: Path, png: Path) -> None:
    """Draw the figure from render folders (``images/<frame>.jpg``) and their scene files.

    Raises:
        ValueError: no scene has rendered frames, or a render folder has no scene file.
    """
    payloads = {}
    for path in scene_jsons:
        payload = read_scene_payload(path)
        payloads[payload["scene_name"]] = payload
    scenes = []
    for render_dir in render_dirs:
        if render_dir.name not in payloads:
            raise ValueError(f"{render_dir}: no scene.json among {sorted(payloads)}")
        if sorted((render_dir / "images").glob("*.jpg")):
            scenes.append((render_dir, payloads[render_dir.name]))
    if not scenes:
        raise ValueError(f"no rendered frames in {[str(d) for d in render_dirs]}")
    rows = _pick_rooms(scenes)
    with matplotlib.rc_context(_style()):
        first = Image.open(sorted((rows[0][0] / "images").glob("*.jpg"))[0])
        aspect = first.height / first.width
        size = (TILE_WIDTH_IN * FRAMES_PER_ROOM, TILE_WIDTH_IN * aspect * len(rows) + TITLE_IN)
        figure, axes = plt.subplots(len(rows), FRAMES_PER_ROOM, figsize=size, squeeze=False)
        for row, (render_dir, payload) in zip(axes, rows, strict=True):
            frames = sorted((render_dir / "images").glob("*.jpg"))
            picks = np.linspace(0, len(frames), FRAMES_PER_ROOM, endpoint=False).astype(int)
            for axis, index in zip(row, picks, strict=True):
                axis.imshow(np.asarray(Image.open(frames[index]).convert("RGB")))
                axis.set_xticks([])
                axis.set_yticks([])
                axis.set_title(frames[index].stem, fontsize=LABEL_FONT_SIZE)
            row[0].set_ylabel(_label(payload), fontsize=LABEL_FONT_SIZE)
        figure.suptitle("Built-in indoor rooms: frames of the camera walkthroughs", fontsize=10)
        figure.tight_layout()
        _save(figure, pdf, png)

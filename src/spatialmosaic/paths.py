"""Where every artefact lives, built once; Snakemake rules and the library both use this.

Patterns accept Snakemake wildcards: ``layout.scene_json("{scene}")``.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from spatialmosaic.records import OUTDOOR_SCENE_PREFIX

BUILTIN_SCENE_PREFIX = "ours_indoor_"


class Split(Enum):
    TRAIN = "train"
    EVAL = "eval"


@dataclass(frozen=True, slots=True)
class Layout:
    data: Path
    results: Path
    figures: Path

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Layout:
        paths = config["paths"]
        return cls(Path(paths["data"]), Path(paths["results"]), Path(paths["figures"]))

    def scene_json(self, scene: str) -> Path:
        return self.data / "scenes" / scene / "scene.json"

    def scene_mesh(self, scene: str) -> Path:
        return self.data / "scenes" / scene / "mesh.ply"

    def scene_card(self, scene: str, suffix: str) -> Path:
        """A built-in room's card: ``json`` or ``md``."""
        return self.data / "scenes" / scene / f"card.{suffix}"

    def cameras(self, scene: str) -> Path:
        return self.data / "views" / f"{scene}.json"

    def render_root(self) -> Path:
        """Official image layout root: ``<root>/<scene_name>/images/<frame>.jpg`` (SPEC §4)."""
        return self.data / "render"

    def photos(self, scene: str) -> Path:
        """A dataset's own camera images (Waymo), before they join the render folder."""
        return self.data / "photos" / scene

    def infinigen_export(self, scene: str, name: str) -> Path:
        """An Infinigen room's interchange file (``manifest.json``, ``meshes.npz``)."""
        return self.data / "infinigen" / scene / name

    def render_dir(self, scene: str) -> Path:
        return self.render_root() / scene

    def visibility(self, scene: str) -> Path:
        return self.data / "visibility" / f"{scene}.json"

    def visible_points(self, scene: str) -> Path:
        return self.data / "visibility" / f"{scene}.points.npz"

    def visibility_example(self) -> Path:
        return self.data / "visibility" / "example_view.npz"

    def viewsets(self, scene: str) -> Path:
        return self.data / "viewsets" / f"{scene}.json"

    def scene_questions(self, scene: str) -> Path:
        return self.data / "qa" / "scenes" / f"{scene}.json"

    def benchmark(self) -> Path:
        """SpatialMosaic-Bench style JSON list of records (SPEC §4)."""
        return self.data / "qa" / "benchmark.json"

    def training_records(self) -> Path:
        """The training split in the official benchmark format (what the verifier checks)."""
        return self.data / "qa" / "train_records.json"

    def training_set(self) -> Path:
        """LLaVA-style training records (SPEC §4)."""
        return self.data / "qa" / "train.json"

    def hf_dataset(self) -> Path:
        """Both splits as a Hugging Face ``datasets``-loadable Parquet folder."""
        return self.data / "qa" / "hf"

    def lmms_eval_task(self) -> Path:
        """An lmms-eval task folder (YAML + utils.py) that scores the benchmark."""
        return self.data / "qa" / "lmms_eval"

    def qa_summary(self, name: str) -> Path:
        """Small QA reports: ``verify``, ``stats``, ``blind_check``."""
        return self.results / "metrics" / f"qa_{name}.json"

    def datasheet(self) -> Path:
        return self.results / "DATASHEET.md"

    def model(self, name: str) -> Path:
        return self.data / "models" / f"{name}.json"

    def model_dir(self, name: str) -> Path:
        """A neural model's folder: ``vision``, ``geometry``, a VLM variant, ``smollm2``."""
        return self.data / "models" / name

    def training_curve(self, name: str) -> Path:
        """Loss per optimiser step, CSV (small: committed, and shown by ``dvc plots``)."""
        return self.results / "training" / f"{name}.csv"

    def predictions(self, model: str) -> Path:
        return self.data / "evaluation" / f"{model}.jsonl"

    def metrics(self, model: str) -> Path:
        return self.results / "metrics" / f"{model}.json"

    def log(self, rule: str, name: str) -> Path:
        return self.data / "logs" / rule / f"{name}.log"

    def visibility_crosscheck(self) -> Path:
        return self.results / "metrics" / "visibility_crosscheck.json"

    def table(self, name: str, suffix: str) -> Path:
        return self.results / "tables" / f"{name}.{suffix}"

    def figure(self, name: str, suffix: str) -> Path:
        return self.figures / f"{name}.{suffix}"

    def values(self) -> Path:
        """The numbers documents quote (``reporting.values``)."""
        return self.results / "values.json"

    def values_tex(self) -> Path:
        """One ``<key>.tex`` per quoted number, for papers."""
        return self.figures / "values"


class RenderKind(Enum):
    """The three images the render stage writes per frame, in folders of a scene's render dir."""

    RGB = "images"  # JPEG; the official layout <root>/<scene_name>/images/<frame>.jpg (SPEC §4)
    DEPTH = "depth"  # uint16 PNG, millimetres
    INSTANCE = "instance"  # uint16 PNG, instance ids

    @property
    def suffix(self) -> str:
        return "jpg" if self is RenderKind.RGB else "png"


def render_file(render_dir: Path, kind: RenderKind, frame: str) -> Path:
    """``<render_dir>/<kind>/<frame>.<suffix>`` for one scene's render folder."""
    return render_dir / kind.value / f"{frame}.{kind.suffix}"


def builtin_scene_names(count: int) -> list[str]:
    return [f"{BUILTIN_SCENE_PREFIX}{index:04d}" for index in range(count)]


def builtin_scene_index(name: str) -> int:
    """The index of a built-in room from its name (``ours_indoor_0003`` -> 3)."""
    digits = name.removeprefix(BUILTIN_SCENE_PREFIX)
    if digits == name or not digits.isdigit():
        raise ValueError(f"scene name {name!r}: built-in rooms are {BUILTIN_SCENE_PREFIX}NNNN")
    return int(digits)


def street_scene_names(count: int) -> list[str]:
    """Built-in street scenes; the prefix makes their records outdoor (``records``)."""
    return [f"{OUTDOOR_SCENE_PREFIX}{index:04d}" for index in range(count)]


INFINIGEN_SCENE_PREFIX = "infinigen_"


def infinigen_scene_names(count: int) -> list[str]:
    """Rooms generated by Infinigen (``scenes.infinigen``): ``infinigen_0000`` ..."""
    return [f"{INFINIGEN_SCENE_PREFIX}{index:04d}" for index in range(count)]


def infinigen_seed(name: str, seed_offset: int) -> int:
    """Infinigen's ``--seed`` of a room: ``seed_offset`` + its index (``infinigen_0003`` -> 3)."""
    digits = name.removeprefix(INFINIGEN_SCENE_PREFIX)
    if digits == name or not digits.isdigit():
        raise ValueError(f"scene name {name!r}: Infinigen rooms are {INFINIGEN_SCENE_PREFIX}NNNN")
    return seed_offset + int(digits)


def waymo_scene_names(segments: list[str], snapshots: int) -> dict[str, tuple[str, int]]:
    """Scene name -> (segment, snapshot index) for every Waymo snapshot the config asks for."""
    return {
        f"waymo_{segment}_{index:02d}": (segment, index)
        for segment in segments
        for index in range(snapshots)
    }


def split_domains(
    domains: list[list[str]], eval_fraction: float, seed: int
) -> dict[Split, list[str]]:
    """:func:`split_scenes` within each domain, so both splits hold every domain."""
    merged: dict[Split, list[str]] = {Split.TRAIN: [], Split.EVAL: []}
    for names in domains:
        if names:
            for split, chosen in split_scenes(names, eval_fraction, seed).items():
                merged[split] += chosen
    return merged


def split_scenes(names: list[str], eval_fraction: float, seed: int) -> dict[Split, list[str]]:
    """Scene-disjoint split: a seeded hash order, the first ``ceil(n * f)`` scenes go to eval.

    Both splits are non-empty whenever there are at least two scenes.
    """
    n_eval = min(max(1, math.ceil(len(names) * eval_fraction)), len(names) - 1)
    ranked = sorted(names, key=lambda name: hashlib.sha256(f"{seed}/{name}".encode()).hexdigest())
    eval_names = set(ranked[:n_eval])
    return {
        Split.TRAIN: [name for name in names if name not in eval_names],
        Split.EVAL: [name for name in names if name in eval_names],
    }

"""Table 1: SpatialMosaic and its peers, plus the dataset this run generated.

The peers' rows come from ``peers.yaml`` (each fact with its source; empty where no source
publishes it). The last row is computed from the dataset statistics of this run
(``results/metrics/qa_stats.json``): questions per split, images, views per question, scenes per
domain, and the share of questions under each of the paper's three conditions:

- partial visibility: ``vis_level`` is "Partially Visible" (a target is missing from some view);
- occlusion: ``occ_level`` is Medium or High (``occlusion_avg`` at least 1/3, ``qa.levels``);
- low overlap: ``overlap_level`` is "Low Overlap" (``overlap_avg`` under 0.10).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml

from spatialmosaic.io import ArtefactError, read_json
from spatialmosaic.records import Dataset, Domain, OccLevel, OverlapLevel, VisLevel
from spatialmosaic.reporting.tables import write_table

PEERS_FORMAT = "spatialmosaic.peers"
NOT_PUBLISHED = "not published"
OURS_NAME = "SpatialMosaic-Repro (this run)"
PERCENT = 100.0


def load_peers(path: Path) -> tuple[dict[str, str], list[dict]]:
    """The column headings and the datasets of ``peers.yaml``, checked: every dataset names its
    citation, arXiv id and URL and gives every column a ``{value, source}`` fact, and a fact
    without a value says so (its source starts with "not published").

    Raises:
        ValueError: a malformed file, naming the dataset and the column.
    """
    payload = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(payload, dict) or payload.get("format") != PEERS_FORMAT:
        raise ValueError(f"{path}: not a {PEERS_FORMAT} file")
    columns = payload["columns"]
    for entry in payload["datasets"]:
        for key in ("name", "citation", "arxiv", "url", "facts"):
            if not entry.get(key):
                raise ValueError(f"{path}: dataset {entry.get('name', '?')!r} has no {key!r}")
        missing = set(columns) - set(entry["facts"])
        if missing:
            raise ValueError(f"{path}: {entry['name']!r} lacks facts {sorted(missing)}")
        for column, fact in entry["facts"].items():
            if column not in columns:
                raise ValueError(f"{path}: {entry['name']!r}: unknown column {column!r}")
            if not isinstance(fact, dict) or not fact.get("source"):
                raise ValueError(f"{path}: {entry['name']!r}.{column}: needs a source")
            if fact.get("value") is None and not fact["source"].startswith(NOT_PUBLISHED):
                raise ValueError(
                    f"{path}: {entry['name']!r}.{column}: no value, and the source does not "
                    f"say {NOT_PUBLISHED!r}: {fact['source']!r}"
                )
    return columns, payload["datasets"]


def _condition(splits: dict, field: str, levels: set) -> str:
    """ "yes (NN%)": the share of questions (both splits) whose ``field`` is one of ``levels``."""
    names = {level.value for level in levels}
    hits = sum(n for s in splits.values() for level, n in s[field].items() if level in names)
    share = PERCENT * hits / sum(s["questions"] for s in splits.values())
    return f"{'yes' if hits else 'no'} ({share:.0f}%)"


def _domains(splits: dict) -> dict[str, int]:
    """Scenes per domain over both splits, in the paper's domain order."""
    for name, split in splits.items():
        if "domains" not in split:
            raise ArtefactError(f"split {name!r} has no domains: re-run 'spatialmosaic qa stats'")
    return {
        domain.value: sum(s["domains"].get(domain.value, {}).get("scenes", 0)
                          for s in splits.values())
        for domain in Domain
    }  # fmt: skip


def ours_row(splits: dict) -> dict[str, str]:
    """The generated dataset's cells, from the ``splits`` of ``qa_stats.json``."""
    scenes = {name: n for name, n in _domains(splits).items() if n}
    views = sorted({int(v) for s in splits.values() for v in s["views_per_question"]})
    datasets = {name for s in splits.values() for name in s["datasets"]}
    rendered = Dataset.OURS.value in datasets
    imagery = " + ".join(
        (["real"] if datasets - {Dataset.OURS.value} else []) + (["synthetic"] if rendered else [])
    )
    train, test = splits.get("train", {}), splits.get("test", {})
    return {
        "qa": f"{train.get('questions', 0):,} train + {test.get('questions', 0):,} bench",
        "visual": f"{sum(s['images'] for s in splits.values()):,} images",
        "views": f"{views[0]}-{views[-1]}" if len(views) > 1 else str(views[0]),
        "scenes": ", ".join(f"{n} {name}" for name, n in scenes.items()),
        "domain": " + ".join(scenes),
        "imagery": imagery,
        "partial_visibility": _condition(splits, "vis_level", {VisLevel.PARTIALLY_VISIBLE}),
        "occlusion": _condition(splits, "occ_level", {OccLevel.MEDIUM, OccLevel.HIGH}),
        "low_overlap": _condition(splits, "overlap_level", {OverlapLevel.LOW}),
    }


def comparison_frame(columns: dict[str, str], peers: list[dict], splits: dict) -> pd.DataFrame:
    """One row per peer (cells as published, empty where not published) and our row."""
    rows = []
    for entry in peers:
        facts = entry["facts"]
        cells = {key: facts[key]["value"] or "" for key in columns}
        rows.append({"dataset": entry["name"], "reference": f"arXiv {entry['arxiv']}", **cells})
    rows.append({"dataset": OURS_NAME, "reference": "this repository", **ours_row(splits)})
    frame = pd.DataFrame(rows, columns=["dataset", "reference", *columns])
    return frame.rename(columns=columns)


def main(
    stats_json: Path, peers_yaml: Path, csv_path: Path, markdown_path: Path, latex_path: Path
) -> None:
    """Write Table 1 (CSV, Markdown, LaTeX) from ``peers.yaml`` and this run's statistics."""
    columns, peers = load_peers(peers_yaml)
    splits = read_json(stats_json)["splits"]
    frame = comparison_frame(columns, peers, splits)
    write_table(frame, csv_path, markdown_path, latex_path, index=False)

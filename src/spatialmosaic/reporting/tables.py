"""Results tables built from the evaluation metrics files (never typed by hand)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from spatialmosaic.io import atomic_path, read_json
from spatialmosaic.records import QuestionType

METRICS_FORMAT = "spatialmosaic.metrics"


def results_frame(metrics_files: list[Path]) -> pd.DataFrame:
    """Models x (question types present, overall), scores x 100, rounded to 2 decimals."""
    rows = {}
    for path in metrics_files:
        payload = read_json(path, kind=METRICS_FORMAT)
        row = dict(payload["per_type"])
        row["overall"] = payload["overall"]
        rows[payload["model"]] = row
    order = [qt.value for qt in QuestionType if any(qt.value in r for r in rows.values())]
    frame = pd.DataFrame.from_dict(rows, orient="index")[order + ["overall"]]
    frame.index.name = "model"
    return frame.round(2)


def _cell(value) -> str:
    return f"{value:.2f}" if isinstance(value, float) else str(value)


def to_markdown(frame: pd.DataFrame, index: bool = True) -> str:
    """A GitHub Markdown table; floats with 2 decimals (pandas' own needs ``tabulate``)."""
    header = [frame.index.name or "", *frame.columns] if index else list(frame.columns)
    lines = ["| " + " | ".join(map(str, header)) + " |", "|" + "---|" * len(header)]
    for name, row in frame.iterrows():
        cells = ([name] if index else []) + list(row)
        lines.append("| " + " | ".join(_cell(v) for v in cells) + " |")
    return "\n".join(lines) + "\n"


def write_table(frame: pd.DataFrame, csv_path: Path, markdown_path: Path) -> None:
    with atomic_path(csv_path) as tmp:
        frame.to_csv(tmp, float_format="%.2f", lineterminator="\n")
    with atomic_path(markdown_path) as tmp:
        tmp.write_text(to_markdown(frame), encoding="utf-8")

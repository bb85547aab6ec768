"""Results tables built from the evaluation metrics files (never typed by hand)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from spatialmosaic.evaluate.breakdown import DIMENSIONS
from spatialmosaic.evaluate.run import METRICS_FORMAT
from spatialmosaic.io import ArtefactError, atomic_path, read_json
from spatialmosaic.records import Domain, QuestionType


def results_frame(metrics_files: list[Path]) -> pd.DataFrame:
    """Models x (question types present, overall, circular overall when scored), scores x 100,
    rounded to 2 decimals."""
    rows = {}
    for path in metrics_files:
        payload = read_json(path, kind=METRICS_FORMAT)
        row = dict(payload["per_type"])
        row["overall"] = payload["overall"]
        if "circular" in payload:
            row["overall (circular)"] = payload["circular"]["overall"]
        rows[payload["model"]] = row
    order = [qt.value for qt in QuestionType if any(qt.value in r for r in rows.values())]
    extra = ["overall (circular)"] if any("overall (circular)" in r for r in rows.values()) else []
    frame = pd.DataFrame.from_dict(rows, orient="index")[order + ["overall", *extra]]
    frame.index.name = "model"
    return frame.round(2)


def domain_frame(metrics_files: list[Path]) -> pd.DataFrame:
    """The paper's main table: one row per model and domain (indoor, outdoor), the 11 tasks
    and overall, scores x 100 rounded to 2 decimals; tasks a domain does not ask are empty
    (outdoor has no attribute or size questions)."""
    rows = []
    for path in metrics_files:
        payload = read_json(path, kind=METRICS_FORMAT)
        if "domains" not in payload:
            raise ArtefactError(f"{path}: no domains; re-run 'spatialmosaic evaluate run'")
        for domain in (d.value for d in Domain if d.value in payload["domains"]):
            scores = payload["domains"][domain]
            rows.append({"model": payload["model"], "domain": domain, **scores["tasks"],
                         "overall": scores["overall"]})  # fmt: skip
    tasks = list(dict.fromkeys(qt.task for qt in QuestionType))
    present = [task for task in tasks if any(task in row for row in rows)]
    frame = pd.DataFrame(rows, columns=["model", "domain", *present, "overall"])
    return frame.round(2)


def _dimension_rank(dimension: str) -> tuple[int, str]:
    names = list(DIMENSIONS)
    return (names.index(dimension) if dimension in names else len(names), dimension)


def _level_rank(dimension: str, level: str) -> tuple[int, str]:
    """Metrics files sort their keys; tables read levels in their natural order again."""
    order = DIMENSIONS[dimension][1] if dimension in DIMENSIONS else []
    return (order.index(level) if level in order else len(order), level)


def breakdown_frame(metrics_files: list[Path]) -> pd.DataFrame:
    """One row per model, dimension and level: samples, score x 100 and its 95% bootstrap
    interval (``evaluate.breakdown``), rounded to 2 decimals."""
    rows = []
    for path in metrics_files:
        payload = read_json(path, kind=METRICS_FORMAT)
        if "breakdowns" not in payload:
            raise ArtefactError(f"{path}: no breakdowns; re-run 'spatialmosaic evaluate run'")
        for dimension in sorted(payload["breakdowns"], key=_dimension_rank):
            levels = payload["breakdowns"][dimension]
            for level in sorted(levels, key=lambda name, d=dimension: _level_rank(d, name)):
                entry = levels[level]
                low, high = entry["ci95"]
                rows.append(
                    {
                        "model": payload["model"],
                        "dimension": dimension,
                        "level": level,
                        "n": entry["n"],
                        "score": entry["score"],
                        "ci95_low": low,
                        "ci95_high": high,
                    }
                )
    return pd.DataFrame(rows).round(2)


def _cell(value) -> str:
    if isinstance(value, float):
        return "" if pd.isna(value) else f"{value:.2f}"
    return str(value)


def to_markdown(frame: pd.DataFrame, index: bool = True) -> str:
    """A GitHub Markdown table; floats with 2 decimals (pandas' own needs ``tabulate``)."""
    header = [frame.index.name or "", *frame.columns] if index else list(frame.columns)
    lines = ["| " + " | ".join(map(str, header)) + " |", "|" + "---|" * len(header)]
    for name, row in frame.iterrows():
        cells = ([name] if index else []) + list(row)
        lines.append("| " + " | ".join(_cell(v) for v in cells) + " |")
    return "\n".join(lines) + "\n"


LATEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "<": r"\textless{}",  # OT1 fonts print < and > as inverted punctuation
    ">": r"\textgreater{}",
}


def latex_escape(text: str) -> str:
    r"""``text`` with LaTeX's special characters escaped (``obj_count`` -> ``obj\_count``)."""
    return "".join(LATEX_SPECIAL.get(char, char) for char in text)


def to_latex(frame: pd.DataFrame, index: bool = True) -> str:
    r"""A booktabs ``tabular`` (needs ``\usepackage{booktabs}``): numeric columns right-aligned,
    floats with 2 decimals as in the other formats, empty cells for missing values, every
    text cell escaped. Deterministic: the same frame gives the same bytes."""
    header = [frame.index.name or "", *frame.columns] if index else list(frame.columns)
    numeric = [pd.api.types.is_numeric_dtype(frame[c]) for c in frame.columns]
    if index:
        numeric.insert(0, pd.api.types.is_numeric_dtype(frame.index))
    lines = [
        "\\begin{tabular}{" + "".join("r" if n else "l" for n in numeric) + "}",
        "\\toprule",
        " & ".join(latex_escape(str(name)) for name in header) + " \\\\",
        "\\midrule",
    ]
    for name, row in frame.iterrows():
        cells = ([name] if index else []) + list(row)
        lines.append(" & ".join(latex_escape(_cell(v)) for v in cells) + " \\\\")
    lines += ["\\bottomrule", "\\end{tabular}"]
    return "\n".join(lines) + "\n"


def write_table(
    frame: pd.DataFrame,
    csv_path: Path,
    markdown_path: Path,
    latex_path: Path,
    index: bool = True,
) -> None:
    """The one table writer: CSV (the data), GitHub Markdown and a LaTeX booktabs table, each
    written atomically; floats with 2 decimals in all three."""
    with atomic_path(csv_path) as tmp:
        frame.to_csv(tmp, float_format="%.2f", lineterminator="\n", index=index)
    with atomic_path(markdown_path) as tmp:
        tmp.write_text(to_markdown(frame, index=index), encoding="utf-8")
    with atomic_path(latex_path) as tmp:
        tmp.write_text(to_latex(frame, index=index), encoding="utf-8")

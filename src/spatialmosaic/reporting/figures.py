"""Figures from results files only (``results/*.csv``); no computation beyond plotting."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from spatialmosaic.io import atomic_path  # noqa: E402

PDF_METADATA = {"CreationDate": None, "Producer": None, "Creator": "spatialmosaic"}
PNG_METADATA = {"Software": None}


def _style() -> dict:
    path = resources.files("spatialmosaic.reporting").joinpath("matplotlibrc")
    return matplotlib.rc_params_from_file(str(path), use_default_template=True)


def baselines_by_type(table_csv: Path, pdf: Path, png: Path) -> None:
    """Grouped bars: score per question type for each model, from the results table."""
    frame = pd.read_csv(table_csv, index_col="model")
    with matplotlib.rc_context(_style()):
        figure, axis = plt.subplots(figsize=(5.5, 3.0))
        columns = list(frame.columns)
        width = 0.8 / len(frame)
        for offset, (model, row) in enumerate(frame.iterrows()):
            positions = np.arange(len(columns)) + (offset - (len(frame) - 1) / 2) * width
            axis.bar(positions, row.values, width, label=model)
        axis.set_xticks(np.arange(len(columns)), columns, rotation=20, ha="right")
        axis.set_ylabel("score (accuracy / MRA, x100)")
        axis.set_ylim(0, 100)
        axis.legend(frameon=False)
        axis.set_title("Baselines on the built-in benchmark")
        with atomic_path(pdf) as tmp:
            figure.savefig(tmp, format="pdf", metadata=PDF_METADATA)
        with atomic_path(png) as tmp:
            figure.savefig(tmp, format="png", metadata=PNG_METADATA)
        plt.close(figure)

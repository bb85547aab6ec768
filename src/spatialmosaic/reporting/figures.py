"""Figures from pipeline files only (results tables, visibility files, the example view); no
computation beyond plotting."""

from __future__ import annotations

import json
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
        figure, axis = plt.subplots(figsize=(8.0, 4.0))
        columns = list(frame.columns)
        width = 0.8 / len(frame)
        for offset, (model, row) in enumerate(frame.iterrows()):
            positions = np.arange(len(columns)) + (offset - (len(frame) - 1) / 2) * width
            axis.bar(positions, row.values, width, label=model)
        axis.set_xticks(
            np.arange(len(columns)), columns, rotation=55, ha="right", rotation_mode="anchor"
        )
        axis.set_ylabel("score (accuracy / MRA / MPA, x100)")
        axis.set_ylim(0, 100)
        axis.legend(frameon=False)
        axis.set_title("Baselines on the built-in benchmark")
        figure.tight_layout()
        _save(figure, pdf, png)


def _save(figure, pdf: Path, png: Path) -> None:
    with atomic_path(pdf) as tmp:
        figure.savefig(tmp, format="pdf", metadata=PDF_METADATA)
    with atomic_path(png) as tmp:
        figure.savefig(tmp, format="png", metadata=PNG_METADATA)
    plt.close(figure)


def _id_colours(ids: np.ndarray) -> np.ndarray:
    """A fixed pseudo-random colour per instance id (0 stays black)."""
    hashed = (ids.astype(np.uint64) * np.uint64(2654435761)) % np.uint64(1 << 24)
    rgb = np.stack([(hashed >> np.uint64(shift)) & np.uint64(255) for shift in (16, 8, 0)], -1)
    rgb = 64 + rgb.astype(np.float64) * (191 / 255)
    rgb[ids == 0] = 0
    return rgb / 255


def visibility_overview(visibility_jsons: list[Path], example_npz: Path, pdf: Path, png: Path):
    """Distributions of occlusion, truncation and pairwise view overlap over all scenes, and an
    example view with its instance buffer and amodal masks."""
    from spatialmosaic.io import read_npz
    from spatialmosaic.visibility.table import read_visibility

    occlusion, truncation, overlap = [], [], []
    for path in visibility_jsons:
        visibility = read_visibility(path)
        for obs in visibility.observations:
            if obs.visible:
                occlusion.append(obs.occlusion)
                truncation.append(obs.truncation)
        upper = np.triu_indices(len(visibility.frames), k=1)
        overlap.extend(visibility.overlap_iou[upper].tolist())
    example = read_npz(example_npz)
    header = json.loads(str(example["header"]))
    with matplotlib.rc_context(_style()):
        figure, axes = plt.subplots(2, 3, figsize=(9.0, 5.4))
        axes[0, 0].imshow(example["rgb"])
        axes[0, 0].set_title(f"{header['scene_name']} / {header['frame_id']}")
        axes[0, 1].imshow(_id_colours(example["instance"]))
        axes[0, 1].set_title("instance buffer (S_vis)")
        overlay = example["rgb"].astype(np.float64) / 255 * 0.35
        for visible in example["visible_masks"]:
            overlay[visible] = 0.5 * overlay[visible] + 0.5 * np.array((0.2, 0.6, 0.95))
        for amodal, visible in zip(example["amodal_masks"], example["visible_masks"], strict=True):
            hidden = amodal & ~visible  # drawn last: where each object continues behind others
            overlay[hidden] = 0.3 * overlay[hidden] + 0.7 * np.array((0.95, 0.55, 0.1))
        axes[0, 2].imshow(overlay)
        axes[0, 2].set_title("visible (blue), hidden amodal (orange)")
        for axis in axes[0]:
            axis.set_axis_off()
        bins = np.linspace(0, 1, 21)
        for axis, values, label in (
            (axes[1, 0], occlusion, "occlusion (1 - S_vis / S_in)"),
            (axes[1, 1], truncation, "truncation (1 - S_in / S_full)"),
            (axes[1, 2], overlap, "pairwise view overlap (IoU)"),
        ):
            axis.hist(values, bins=bins, color="0.35")
            axis.set_xlabel(label)
            axis.set_ylabel("count")
        axes[1, 0].set_title(f"{len(occlusion)} visible object-views")
        axes[1, 2].set_title(f"{len(overlap)} view pairs")
        figure.tight_layout()
        _save(figure, pdf, png)

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


def radar_by_domain(table_csv: Path, pdf: Path, png: Path) -> None:
    """One radar per domain: each model's score on each task the domain asks (main table)."""
    frame = pd.read_csv(table_csv)
    domains = list(dict.fromkeys(frame["domain"]))
    with matplotlib.rc_context(_style()):
        figure, axes = plt.subplots(
            1, len(domains), figsize=(5.2 * len(domains), 5.0), subplot_kw={"projection": "polar"}
        )
        for axis, domain in zip(np.atleast_1d(axes), domains, strict=True):
            rows = frame[frame["domain"] == domain].set_index("model")
            tasks = [c for c in rows.columns if c not in ("domain", "overall")]
            tasks = [t for t in tasks if rows[t].notna().all()]
            angles = np.linspace(0, 2 * np.pi, len(tasks), endpoint=False)
            for model, row in rows.iterrows():
                values = row[tasks].to_numpy(dtype=float)
                axis.plot(np.append(angles, angles[0]), np.append(values, values[0]), label=model)
                axis.fill(angles, values, alpha=0.08)
            axis.set_xticks(angles, [t.removeprefix("obj_").removesuffix("_occ").replace(
                "_occ_", " ") for t in tasks], fontsize=7)  # fmt: skip
            axis.set_ylim(0, 100)
            axis.set_title(f"{domain} ({len(tasks)} tasks)", pad=18)
        # one legend under the radars: beside them it covered labels once there were 8 models
        handles, labels = np.atleast_1d(axes)[0].get_legend_handles_labels()
        figure.tight_layout(rect=(0, 0.1, 1, 1))
        figure.legend(handles, labels, frameon=False, loc="lower center", ncol=min(len(labels), 4))
        _save(figure, pdf, png)


def street_frames(render_dirs: list[Path], pdf: Path, png: Path, scenes: int = 3) -> None:
    """The five rig cameras (side-left to side-right) at the middle pose of a few streets."""
    from PIL import Image

    from spatialmosaic.views.rig import RIG

    order = ["SIDE_LEFT", "FRONT_LEFT", "FRONT", "FRONT_RIGHT", "SIDE_RIGHT"]
    shown = sorted(render_dirs)[:scenes]
    with matplotlib.rc_context(_style()):
        figure, axes = plt.subplots(
            len(shown), len(RIG), figsize=(12.0, 1.8 * len(shown) + 0.4), squeeze=False
        )
        for row, render_dir in zip(axes, shown, strict=True):
            steps = sorted({p.stem.split("_")[1] for p in (render_dir / "images").glob("*.jpg")})
            middle = steps[len(steps) // 2]
            for axis, camera in zip(row, order, strict=True):
                image = Image.open(render_dir / "images" / f"frame_{middle}_{camera}.jpg")
                axis.imshow(np.asarray(image))
                axis.set_xticks([])
                axis.set_yticks([])
                if axis is row[0]:
                    axis.set_ylabel(render_dir.name, fontsize=7)
                if row is axes[0]:
                    axis.set_title(camera.replace("_", " ").lower(), fontsize=8)
        figure.suptitle("Built-in street scenes through the five-camera rig", fontsize=10)
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

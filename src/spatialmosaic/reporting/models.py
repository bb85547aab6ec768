"""The trained models' table and figures: ablations, training curves, accuracy vs data size.

Everything is read from results files: metrics (``results/metrics/<model>.json``), loss curves
(``results/training/<name>.csv``) and the dataset statistics; what each variant is (geometry
tokens, fusion, share of the training data) comes from the config, passed by the rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from spatialmosaic.evaluate.run import METRICS_FORMAT  # noqa: E402
from spatialmosaic.io import ArtefactError, read_json  # noqa: E402
from spatialmosaic.reporting.figures import _save, _style  # noqa: E402

CURVE_SMOOTHING_STEPS = 25  # rolling mean over this many optimiser steps


@dataclass(frozen=True, slots=True)
class Variant:
    """One trained model as the config defines it: ``name:geometry:fusion[:fraction]``."""

    name: str
    geometry: str
    fusion: str
    fraction: float = 1.0

    @classmethod
    def parse(cls, text: str) -> Variant:
        parts = text.split(":")
        if len(parts) not in (3, 4):
            raise ValueError(f"variant {text!r}: expected name:geometry:fusion[:fraction]")
        return cls(*parts[:3], *(float(p) for p in parts[3:]))


def _scores(path: Path) -> dict:
    payload = read_json(path, kind=METRICS_FORMAT)
    domains = payload.get("domains", {})
    return {
        "model": payload["model"],
        "overall": payload["overall"],
        "overall (circular)": payload.get("circular", {}).get("overall"),
        **{domain: scores["overall"] for domain, scores in domains.items()},
    }


def ablation_frame(metrics_files: list[Path], variants: list[Variant]) -> pd.DataFrame:
    """The paper's ablations: one row per variant (geometry tokens, fusion), its scores, and
    the change of the overall score against the variant without geometry."""
    by_name = {variant.name: variant for variant in variants}
    rows = []
    for path in metrics_files:
        scores = _scores(path)
        variant = by_name.get(scores["model"])
        if variant is None:
            raise ArtefactError(f"{path}: model {scores['model']!r} is not among the variants")
        fusion = variant.fusion if variant.geometry != "none" else "-"  # nothing to fuse
        rows.append({"geometry": variant.geometry, "fusion": fusion, **scores})
    frame = pd.DataFrame(rows).set_index("model")
    plain = frame[frame["geometry"] == "none"]
    if len(plain):
        frame["vs no geometry"] = frame["overall"] - plain["overall"].iloc[0]
    columns = ["geometry", "fusion", "overall", "overall (circular)", "indoor", "outdoor"]
    columns = [c for c in columns if c in frame] + (["vs no geometry"] if len(plain) else [])
    return frame[columns].round(2)


def training_curves(curves: list[Path], pdf: Path, png: Path) -> None:
    """Loss per optimiser step: the encoders and language model, then every VLM variant."""
    frames = {path.stem: pd.read_csv(path) for path in curves}
    stages = [name for name in ("vision", "geometry", "language") if name in frames]
    variants = [name for name in frames if name not in stages]
    with matplotlib.rc_context(_style()):
        figure, axes = plt.subplots(1, 2, figsize=(10.0, 3.6))
        for axis, names, title in (
            (axes[0], stages, "pretraining (frozen afterwards)"),
            (axes[1], variants, "SpatialMosaicVLM variants"),
        ):
            for name in names:
                curve = frames[name]
                smooth = curve["loss"].rolling(CURVE_SMOOTHING_STEPS, min_periods=1).mean()
                axis.plot(curve["step"], smooth, label=name, linewidth=1.2)
            axis.set_xlabel("optimiser step")
            axis.set_ylabel(f"loss (mean of {CURVE_SMOOTHING_STEPS} steps)")
            axis.set_yscale("log")
            axis.set_title(title)
            if names:
                axis.legend(frameon=False, fontsize=7)
        figure.tight_layout()
        _save(figure, pdf, png)


def scaling_curve(
    metrics_files: list[Path], variants: list[Variant], qa_stats: Path, pdf: Path, png: Path
) -> None:
    """Overall score against the number of training questions (the data-size sweep), with the
    baselines' levels for reference (models absent from ``variants``)."""
    train_questions = read_json(qa_stats)["splits"]["train"]["questions"]
    by_name = {variant.name: variant for variant in variants}
    points, baselines = [], {}
    for path in metrics_files:
        scores = _scores(path)
        variant = by_name.get(scores["model"])
        if variant is None:
            baselines[scores["model"]] = scores["overall"]
        else:
            points.append((round(variant.fraction * train_questions), scores["overall"]))
    if not points:
        raise ArtefactError("no model of the data-size sweep among the metrics files")
    points.sort()
    with matplotlib.rc_context(_style()):
        figure, axis = plt.subplots(figsize=(5.0, 3.6))
        sizes, overall = zip(*points, strict=True)
        full_data = [v.name for v in variants if v.fraction == 1.0] or [variants[0].name]
        axis.plot(sizes, overall, marker="o", label=f"SpatialMosaicVLM ({full_data[0]})")
        for offset, (name, score) in enumerate(sorted(baselines.items())):
            style = {"linestyle": (0, (4, 2 + offset)), "color": f"C{offset + 1}"}
            axis.axhline(score, linewidth=0.9, label=name, **style)
        axis.set_xscale("log")
        axis.set_xticks(sizes, [f"{s:,}" for s in sizes])
        axis.minorticks_off()
        axis.set_xlabel("training questions")
        axis.set_ylabel("overall score (x100)")
        axis.set_ylim(0, max(60.0, float(np.max(overall)) + 10))
        axis.legend(frameon=False, fontsize=7)
        axis.set_title("Accuracy vs training-set size")
        figure.tight_layout()
        _save(figure, pdf, png)

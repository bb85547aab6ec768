"""Figure: the benchmark's questions by task, as a donut (from ``qa_stats.json`` only).

The inner ring splits the questions by kind, multiple choice (MCA) and numerical answer (NA:
MRA and MPA types); the outer ring splits each kind into the paper's 11 tasks (SPEC §3), with
the ``_ab/_fb/_lr`` variants counted under their task. Tasks without questions are left out.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib
import numpy as np

from spatialmosaic.io import read_json
from spatialmosaic.records import Metric, QuestionType
from spatialmosaic.reporting.figures import _save, _style

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

KINDS = {"MCA": "Blues", "NA": "Oranges"}  # kind -> colour map of its tasks
RING_WIDTH = 0.3
DARK = 1.6  # wedges whose RGB sum is below this get white text
MIN_LABELLED_SHARE = 0.04  # outer wedges smaller than this show their share in the legend only
# The paper's task names (SPEC §3), keyed by the task's question_type stem.
TASK_NAMES = {
    "obj_count_occ": "object count",
    "bestview_count_occ": "best view",
    "obj_existence_occ": "object existence",
    "obj_attribute_occ": "object attribute",
    "obj_spatial_occ": "object-object relation",
    "obj_localization_occ": "object localization",
    "obj_count_occ_na": "object count",
    "obj_distance_occ_na": "camera-object distance",
    "obj_obj_distance_occ_na": "object-object distance",
    "obj_size_occ_na": "object size",
    "obj_localization_occ_na": "localization point",
}


def kind(question_type: QuestionType) -> str:
    """MCA for multiple-choice (accuracy) types, NA for numerical (MRA) and point (MPA) ones."""
    return "MCA" if question_type.metric is Metric.ACCURACY else "NA"


def task_counts(split_stats: dict) -> dict[str, dict[str, int]]:
    """Kind -> task -> questions, tasks in the official order, empty tasks dropped."""
    counts: dict[str, dict[str, int]] = {name: {} for name in KINDS}
    for question_type in QuestionType:
        entry = split_stats["question_types"].get(question_type.value)
        if entry and entry["questions"]:
            tasks = counts[kind(question_type)]
            tasks[question_type.task] = tasks.get(question_type.task, 0) + entry["questions"]
    return {name: tasks for name, tasks in counts.items() if tasks}


def main(stats_json: Path, pdf: Path, png: Path, split: str = "test") -> None:
    """Draw the donut of ``split`` (default: the benchmark) from the statistics file.

    Raises:
        ValueError: the split is missing or has no questions.
    """
    splits = read_json(stats_json)["splits"]
    if split not in splits or not splits[split]["questions"]:
        raise ValueError(f"{stats_json}: no questions in split {split!r} (has {sorted(splits)})")
    counts = task_counts(splits[split])
    total = sum(sum(tasks.values()) for tasks in counts.values())
    inner, outer, inner_colours, outer_colours, shares, legend = [], [], [], [], [], []
    for name, tasks in counts.items():
        cmap = plt.get_cmap(KINDS[name])
        inner.append(sum(tasks.values()))
        inner_colours.append(cmap(0.75))
        shades = np.linspace(0.3, 0.9, len(tasks))
        for (task, n), shade in zip(tasks.items(), shades, strict=True):
            outer.append(n)
            outer_colours.append(cmap(shade))
            share = 100 * n / total
            shares.append(f"{share:.0f}%" if share >= 100 * MIN_LABELLED_SHARE else "")
            legend.append(f"{name}: {TASK_NAMES.get(task, task)}, {n:,} ({share:.1f}%)")
    with matplotlib.rc_context(_style()):
        figure, axis = plt.subplots(figsize=(8.6, 5.0))
        wedge = {"width": RING_WIDTH, "edgecolor": "white", "linewidth": 1.0}
        patches, texts = axis.pie(outer, radius=1.0, colors=outer_colours, labels=shares,
                              labeldistance=1 - RING_WIDTH / 2, startangle=90,
                              counterclock=False, wedgeprops=wedge,
                              textprops={"fontsize": 7, "ha": "center"})  # fmt: skip
        for text, colour in zip(texts, outer_colours, strict=True):
            text.set_color("white" if sum(colour[:3]) < DARK else "black")
        inner_radius = 1.0 - RING_WIDTH
        axis.pie(inner, radius=inner_radius, colors=inner_colours, startangle=90,
                 counterclock=False, wedgeprops=wedge,
                 labels=[f"{name}\n{n:,}" for name, n in zip(counts, inner, strict=True)],
                 labeldistance=(inner_radius - RING_WIDTH / 2) / inner_radius,
                 textprops={"fontsize": 8, "color": "white", "fontweight": "bold",
                            "ha": "center"})  # fmt: skip
        axis.text(0, 0, f"{total:,}\nquestions", ha="center", va="center", fontsize=9)
        axis.set_aspect("equal")
        axis.legend(patches, legend, loc="center left", bbox_to_anchor=(1.02, 0.5),
                    frameon=False, fontsize=8)  # fmt: skip
        axis.set_title(f"Benchmark questions by task ({split} split)")
        _save(figure, pdf, png)

"""Figure: a few benchmark questions with their frames (from the benchmark file and renders).

One row per question: its 2-5 frames (``<render>/<scene>/images/<frame>.jpg``, numbered as the
question numbers them), the target's visible 2D box where the record has ``bbox_2d`` (drawn
in the frame the question names, ``Frame k``), the reference points ``(x,y)`` the question
mentions, and below them the question with its options, the right one marked.

The questions are picked deterministically: one question type from each of ``SHOWCASE`` (the
first type of a group that the benchmark has), then one record of that type by a seeded choice
among its records with ``PREFERRED_FRAMES`` frames where there are any.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import matplotlib
import numpy as np
from PIL import Image

from spatialmosaic.qa.generate import iter_benchmark
from spatialmosaic.records import BenchRecord, Metric, QuestionType
from spatialmosaic.reporting.figures import _save, _style

matplotlib.use("Agg")
import matplotlib.patches as mpatches  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402

# Groups of question types, one question each: a box, a relation, a count, a measurement.
SHOWCASE = (
    (QuestionType.OBJ_LOCALIZATION, QuestionType.OBJ_LOCALIZATION_NA),
    (QuestionType.OBJ_SPATIAL_LR, QuestionType.OBJ_SPATIAL_FB, QuestionType.OBJ_SPATIAL_AB),
    (QuestionType.BESTVIEW_COUNT, QuestionType.OBJ_COUNT, QuestionType.OBJ_COUNT_NA),
    (QuestionType.OBJ_OBJ_DISTANCE_NA, QuestionType.OBJ_DISTANCE_NA, QuestionType.OBJ_SIZE_NA),
)
PREFERRED_FRAMES = 3  # enough views to show partial visibility, few enough to read
TILE_IN = 2.6  # width of one frame in inches
TEXT_IN = 1.3  # height of the question text under each row
WRAP = 110  # characters per text line
BOX_COLOUR = "#00e5ff"
POINT_COLOUR = "#ff3d00"
RIGHT_COLOUR = "#1b7f3b"
FRAME_REF = re.compile(r"\bFrame (\d+)\b")
PREFIX_FRAME = re.compile(r"^In Frame (\d+),")
POINT = re.compile(r"\((\d+),\s*(\d+)\)")
POINT_IN_FRAME = re.compile(r"\((\d+),\s*(\d+)\) in Frame (\d+)")


def pick_examples(records: list[BenchRecord], seed: int) -> list[BenchRecord]:
    """One record per ``SHOWCASE`` group present, chosen with ``seed`` (see the module doc)."""
    rng = np.random.default_rng(seed)
    by_type: dict[QuestionType, list[BenchRecord]] = {}
    for record in sorted(records, key=lambda r: r.id):
        by_type.setdefault(record.question_type, []).append(record)
    chosen = []
    for group in SHOWCASE:
        question_type = next((t for t in group if by_type.get(t)), None)
        if question_type is None:
            continue
        pool = by_type[question_type]
        if question_type in (QuestionType.OBJ_LOCALIZATION, QuestionType.OBJ_LOCALIZATION_NA):
            pool = [r for r in pool if r.bbox_2d] or pool  # show a box when there is one
        pool = [r for r in pool if len(r.frames) == PREFERRED_FRAMES] or pool
        chosen.append(pool[int(rng.integers(len(pool)))])
    return chosen


def box_frame(record: BenchRecord) -> int | None:
    """Index (0-based) of the frame that ``bbox_2d`` belongs to: the one the question names."""
    if not record.bbox_2d:
        return None
    match = FRAME_REF.search(record.question)
    return int(match.group(1)) - 1 if match else None


def question_points(record: BenchRecord) -> list[tuple[int, int, int]]:
    """(frame index, x, y) of the reference points a question names: every ``(x,y)`` of an
    "In Frame k, ..." question is in frame k; otherwise each "(x,y) in Frame k" is."""
    prefix = PREFIX_FRAME.match(record.question)
    if prefix:
        k = int(prefix.group(1)) - 1
        return [(k, int(x), int(y)) for x, y in POINT.findall(record.question)]
    return [(int(k) - 1, int(x), int(y)) for x, y, k in POINT_IN_FRAME.findall(record.question)]


def _text(record: BenchRecord) -> list[tuple[str, str, bool]]:
    """(text, colour, bold) lines: type, question, options with the right one marked."""
    kind = "multiple choice" if record.question_type.metric is Metric.ACCURACY else "numerical"
    lines = [(f"{record.question_type.value} ({kind}), {record.scene_name}", "0.35", False)]
    lines += [(line, "black", False) for line in textwrap.wrap(record.question, WRAP)]
    if record.question_type.metric is Metric.ACCURACY:
        options = []
        for option in record.options:
            right = option.startswith(f"{record.mc_answer}. ")
            options.append((("\u2713 " if right else "   ") + option, right))
        line = "    ".join(text for text, _ in options)
        if len(line) <= WRAP:
            return lines + [(line, "black", False), (f"answer: {_right(record)}", RIGHT_COLOUR,
                                                     True)]  # fmt: skip
        return lines + [(t, RIGHT_COLOUR if r else "black", r) for t, r in options]
    return lines + [(f"answer: {record.ground_truth}", RIGHT_COLOUR, True)]


def _right(record: BenchRecord) -> str:
    return next(o for o in record.options if o.startswith(f"{record.mc_answer}. "))


def _draw_row(axes, text_axis, record: BenchRecord, render_dir: Path) -> None:
    boxed, points = box_frame(record), question_points(record)
    for k, axis in enumerate(axes):
        axis.set_axis_off()
        if k >= len(record.frames):
            continue
        image = Image.open(render_dir / "images" / f"{record.frames[k]}.jpg").convert("RGB")
        axis.imshow(np.asarray(image))
        axis.set_title(f"Frame {k + 1}\n{record.frames[k]}", fontsize=7, linespacing=1.1)
        if k == boxed:
            x0, y0, x1, y1 = record.bbox_2d  # inclusive pixel indices (docs/qa.md)
            axis.add_patch(mpatches.Rectangle((x0 - 0.5, y0 - 0.5), x1 - x0 + 1, y1 - y0 + 1,
                                              fill=False, edgecolor=BOX_COLOUR,
                                              linewidth=1.6))  # fmt: skip
        for frame, x, y in points:
            if frame == k:
                axis.plot(x, y, marker="+", markersize=9, markeredgewidth=2, color=POINT_COLOUR)
    text_axis.set_axis_off()
    lines = _text(record)
    step = 1.0 / (len(lines) + 0.5)
    for n, (line, colour, bold) in enumerate(lines):
        text_axis.text(0.0, 1.0 - n * step, line, fontsize=7.5, color=colour, va="top",
                       fontweight="bold" if bold else "normal", family="DejaVu Sans",
                       transform=text_axis.transAxes)  # fmt: skip


def main(benchmark: Path, render_dirs: list[Path], seed: int, pdf: Path, png: Path) -> None:
    """Draw the figure from the benchmark JSON and the benchmark scenes' render folders.

    Raises:
        ValueError: no question could be shown, or a chosen question's scene has no render
            folder among ``render_dirs``.
    """
    folders = {path.name: path for path in render_dirs}
    records = [r for r in iter_benchmark(benchmark) if r.scene_name in folders]
    examples = pick_examples(records, seed)
    if not examples:
        raise ValueError(f"{benchmark}: no question of {[g[0].value for g in SHOWCASE]} "
                         f"in scenes {sorted(folders)}")  # fmt: skip
    first = Image.open(folders[examples[0].scene_name] / "images" /
                       f"{examples[0].frames[0]}.jpg")  # fmt: skip
    tile_h = TILE_IN * first.height / first.width
    heights = [h for _ in examples for h in (tile_h, TEXT_IN)]
    columns = max(len(r.frames) for r in examples)
    with matplotlib.rc_context(_style()):
        figure = plt.figure(figsize=(TILE_IN * columns, sum(heights) + 0.4))
        grid = figure.add_gridspec(len(heights), columns, height_ratios=heights,
                                   hspace=0.35, wspace=0.04)  # fmt: skip
        for row, record in enumerate(examples):
            axes = [figure.add_subplot(grid[2 * row, k]) for k in range(columns)]
            text_axis = figure.add_subplot(grid[2 * row + 1, :])
            _draw_row(axes, text_axis, record, folders[record.scene_name])
        figure.suptitle("Example benchmark questions (box: the target's visible 2D box; "
                        "+: reference points named in the question)", fontsize=9)  # fmt: skip
        _save(figure, pdf, png)

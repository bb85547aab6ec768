"""Dataset statistics and the datasheet of a generated dataset (every number from the files).

``dataset_statistics`` summarises both splits: questions per type, answer and letter
distributions, diagnostic levels, views per question, scenes and images. ``datasheet``
renders ``DATASHEET.md`` from those statistics, the scenes' model sources and the config.
"""

from __future__ import annotations

import statistics
from collections import Counter
from pathlib import Path

import pandas as pd

from spatialmosaic.io import atomic_path
from spatialmosaic.records import BenchRecord, Metric, QuestionType
from spatialmosaic.reporting.tables import to_markdown

TOP_ANSWERS = 8  # answer values listed per multiple-choice type


def _distribution(values) -> dict[str, int]:
    return dict(sorted(Counter(values).items()))


def _type_statistics(records: list[BenchRecord]) -> dict:
    question_type = records[0].question_type
    row: dict = {"questions": len(records)}
    if question_type.metric is Metric.ACCURACY:
        row["correct_letter"] = _distribution(r.mc_answer for r in records)
        answers = Counter(r.ground_truth for r in records).most_common(TOP_ANSWERS)
        row["top_answers"] = {answer: count for answer, count in answers}
        row["distinct_answers"] = len({r.ground_truth for r in records})
    elif question_type.metric is Metric.MRA:
        values = [float(r.ground_truth) for r in records]
        row["answer_summary"] = {
            "min": min(values),
            "median": statistics.median(values),
            "mean": round(statistics.fmean(values), 6),
            "max": max(values),
        }
    return row


def split_statistics(records: list[BenchRecord]) -> dict:
    by_type: dict[QuestionType, list[BenchRecord]] = {}
    for record in records:
        by_type.setdefault(record.question_type, []).append(record)
    return {
        "questions": len(records),
        "scenes": len({r.scene_name for r in records}),
        "images": len({(r.scene_name, f) for r in records for f in r.frames}),
        "views_per_question": _distribution(len(r.frames) for r in records),
        "occ_level": _distribution(r.occ_level for r in records),
        "overlap_level": _distribution(r.overlap_level for r in records),
        "vis_level": _distribution(r.vis_level for r in records),
        "GT Scenario": _distribution(r.gt_scenario for r in records),
        "question_types": {
            t.value: _type_statistics(by_type[t]) for t in QuestionType if t in by_type
        },
    }


def dataset_statistics(splits: dict[str, list[BenchRecord]]) -> dict:
    """Statistics per split; also checks the splits share no scene and no question."""
    scenes = {name: {r.scene_name for r in records} for name, records in splits.items()}
    names = sorted(splits)
    for k, first in enumerate(names):
        for second in names[k + 1 :]:
            shared = scenes[first] & scenes[second]
            if shared:
                raise ValueError(f"splits {first} and {second} share scenes {sorted(shared)[:3]}")
    return {name: split_statistics(splits[name]) for name in names}


def statistics_frame(stats: dict) -> pd.DataFrame:
    """Questions per type (rows) and split (columns), with the totals, for the tables."""
    rows = []
    for question_type in QuestionType:
        row = {"question_type": question_type.value, "task": question_type.task}
        for split, values in stats.items():
            row[split] = values["question_types"].get(question_type.value, {}).get("questions", 0)
        rows.append(row)
    frame = pd.DataFrame(rows)
    total = {"question_type": "total", "task": ""} | {s: int(frame[s].sum()) for s in stats}
    return pd.concat([frame, pd.DataFrame([total])], ignore_index=True)


def write_statistics_table(stats: dict, csv_path: Path, markdown_path: Path) -> None:
    frame = statistics_frame(stats)
    with atomic_path(csv_path) as tmp:
        frame.to_csv(tmp, index=False, lineterminator="\n")
    with atomic_path(markdown_path) as tmp:
        tmp.write_text(to_markdown(frame, index=False), encoding="utf-8")


def model_sources(scene_payloads: list[dict]) -> list[dict]:
    """Distinct furniture models the scenes use, with catalog, creator and licence."""
    seen: dict[str, dict] = {}
    for payload in scene_payloads:
        for obj in payload["objects"]:
            source = obj.get("source", {})
            if "item_id" in source:
                seen.setdefault(source["item_id"], source)
    return [seen[key] for key in sorted(seen)]


def _level_lines(values: dict) -> str:
    return ", ".join(f"{name}: {count}" for name, count in values.items())


def datasheet(stats: dict, scene_payloads: list[dict], facts: dict) -> str:
    """``DATASHEET.md``: what the data is, where it came from, how it was made, known limits.

    ``facts``: ``profile``, ``seed``, ``scene_source``, ``licences``, ``max_overlap``.
    """
    sources = model_sources(scene_payloads)
    licences = Counter(s.get("licence", "unknown") for s in sources)
    lines = [
        "# Datasheet: SpatialMosaic-Repro generated dataset",
        "",
        f"Profile `{facts['profile']}`, seed {facts['seed']}. This file is generated by the "
        "pipeline (rule `qa_datasheet`) from the dataset files; do not edit it.",
        "",
        "## What it is",
        "",
        "Multi-view spatial-reasoning questions in the format of SpatialMosaic-Bench (arXiv "
        "2512.23365): 2-5 rendered views of an indoor scene per question, 17 question types "
        "(6 multiple-choice tasks, 5 numerical tasks). Definitions: `docs/qa.md`.",
        "",
        "| split | questions | scenes | images |",
        "|---|---|---|---|",
    ]
    for split, values in stats.items():
        lines.append(
            f"| {split} | {values['questions']} | {values['scenes']} | {values['images']} |"
        )
    lines += ["", "Questions per type:", "", to_markdown(statistics_frame(stats), index=False)]
    for split, values in stats.items():
        lines += [
            f"Diagnostic levels, {split}:",
            "",
            f"- views per question: {_level_lines(values['views_per_question'])}",
            f"- occ_level: {_level_lines(values['occ_level'])}",
            f"- overlap_level: {_level_lines(values['overlap_level'])}",
            f"- vis_level: {_level_lines(values['vis_level'])}",
            f"- GT Scenario: {_level_lines(values['GT Scenario'])}",
            "",
        ]
    lines += [
        "## Sources and licences",
        "",
        f"Scenes: `{facts['scene_source']}`. Built-in rooms are laid out by this project's "
        "generator from furniture models of the Debian package `sweethome3d-furniture`; "
        f"allowed licences: {', '.join(facts['licences'])}.",
        "",
        f"{len(sources)} distinct models are used: "
        + ", ".join(f"{count} under {licence}" for licence, count in sorted(licences.items()))
        + ".",
        "",
    ]
    attributed = [s for s in sources if s.get("licence", "").startswith("CC-BY")]
    if attributed:
        lines += ["Attribution (CC-BY models):", ""]
        lines += [
            f'- "{s.get("name", s["item_id"])}" by {s.get("creator", "unknown")} '
            f"({s.get('catalog', '')}), {s['licence']}"
            for s in attributed
        ]
        lines.append("")
    lines += [
        "The questions, answers and renders are generated by this project (Apache-2.0 code).",
        "",
        "## How it was made",
        "",
        "Scenes -> camera walkthroughs -> ray-cast renders (RGB, depth, instance ids) -> exact "
        "per-object visibility (`docs/visibility.md`) -> view sets of 2-5 frames with pairwise "
        "overlap at most "
        f"{facts['max_overlap']} -> questions from scene ground truth -> balance "
        "(no option text predicts the answer; letters dealt uniformly) -> an independent "
        "verifier re-derives every answer -> blind check (`results/metrics/qa_blind_check.json`).",
        "",
        "## Known limits",
        "",
        "- The built-in rooms are synthetic: flat-shaded renders of catalog furniture, far "
        "from photographs; a model trained here learns the task formats and geometry, not "
        "real-world appearance.",
        "- The answers are exact for the scene geometry; the relation margins and the "
        "diagnostic thresholds are ours (the paper does not publish its own).",
        "- Balancing drops multiple-choice questions whose options would give the answer away, "
        "so question types with skewed answers (counts) keep fewer questions.",
        "- The paper's data comes from ScanNet++ and Waymo; this dataset is a stand-in with the "
        "same format and question semantics, not a copy of SpatialMosaic.",
        "",
    ]
    return "\n".join(lines)

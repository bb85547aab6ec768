"""Dataset statistics and the datasheet of a generated dataset (every number from the files).

``dataset_statistics`` summarises both splits: questions per type, answer and letter
distributions, diagnostic levels, views per question, scenes and images. ``datasheet``
renders ``DATASHEET.md`` from those statistics, the scenes' model sources and the config.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from spatialmosaic.records import BenchRecord, Metric, QuestionType
from spatialmosaic.reporting.tables import to_markdown, write_table

TOP_ANSWERS = 8  # answer values listed per multiple-choice type
LEVEL_FIELDS = ("occ_level", "overlap_level", "vis_level", "GT Scenario")


def _sorted(counter: Counter) -> dict:
    return dict(sorted(counter.items()))


class _TypeTally:
    def __init__(self) -> None:
        self.questions = 0
        self.letters: Counter[str] = Counter()
        self.answers: Counter[str] = Counter()
        self.values: list[float] = []

    def add(self, record: BenchRecord) -> None:
        self.questions += 1
        if record.question_type.metric is Metric.ACCURACY:
            self.letters[record.mc_answer] += 1
            self.answers[record.ground_truth] += 1
        elif record.question_type.metric is Metric.MRA:
            self.values.append(float(record.ground_truth))

    def summary(self) -> dict:
        row: dict = {"questions": self.questions}
        if self.letters:
            row["correct_letter"] = _sorted(self.letters)
            row["top_answers"] = dict(self.answers.most_common(TOP_ANSWERS))
            row["distinct_answers"] = len(self.answers)
        if self.values:
            row["answer_summary"] = {
                "min": min(self.values),
                "median": statistics.median(self.values),
                "mean": round(statistics.fmean(self.values), 6),
                "max": max(self.values),
            }
        return row


def split_statistics(records: Iterable[BenchRecord]) -> tuple[dict, set[str]]:
    """Statistics of one split in one pass, and the split's scene names."""
    questions, scenes, images = 0, set(), set()
    levels = {name: Counter() for name in LEVEL_FIELDS}
    views: Counter[int] = Counter()
    by_type: dict[QuestionType, _TypeTally] = {}
    by_domain: dict[str, list] = {}  # domain -> [questions, scenes, images]
    sources: Counter[str] = Counter()
    for record in records:
        questions += 1
        scenes.add(record.scene_name)
        images.update((record.scene_name, frame) for frame in record.frames)
        domain = by_domain.setdefault(record.domain.value, [0, set(), set()])
        domain[0] += 1
        domain[1].add(record.scene_name)
        domain[2].update((record.scene_name, frame) for frame in record.frames)
        sources[record.dataset.value] += 1
        views[len(record.frames)] += 1
        levels["occ_level"][record.occ_level] += 1
        levels["overlap_level"][record.overlap_level] += 1
        levels["vis_level"][record.vis_level] += 1
        levels["GT Scenario"][record.gt_scenario] += 1
        by_type.setdefault(record.question_type, _TypeTally()).add(record)
    stats = {
        "questions": questions,
        "scenes": len(scenes),
        "images": len(images),
        "views_per_question": _sorted(views),
        "domains": {
            name: {"questions": n, "scenes": len(names), "images": len(frames)}
            for name, (n, names, frames) in sorted(by_domain.items())
        },
        "datasets": _sorted(sources),
        **{name: _sorted(counter) for name, counter in levels.items()},
        "question_types": {t.value: by_type[t].summary() for t in QuestionType if t in by_type},
    }
    return stats, scenes


def dataset_statistics(splits: dict[str, Iterable[BenchRecord]]) -> dict:
    """Statistics per split (each streamed once); also checks the splits share no scene, hence
    no question."""
    stats, scenes = {}, {}
    for name in sorted(splits):
        stats[name], scenes[name] = split_statistics(splits[name])
    names = sorted(splits)
    for k, first in enumerate(names):
        for second in names[k + 1 :]:
            shared = scenes[first] & scenes[second]
            if shared:
                raise ValueError(f"splits {first} and {second} share scenes {sorted(shared)[:3]}")
    return stats


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


MIN_VIEWS, MAX_VIEWS = 2, 5  # SPEC §1: 2-5 views per question


def dataset_statistics_frame(stats: dict) -> pd.DataFrame:
    """The paper's dataset statistics table: ``statistics_frame`` (questions per type and
    split, total) followed by the scenes, images and the questions with 2..5 views per split;
    the ``task`` column names what the summary rows count."""
    frame = statistics_frame(stats)
    rows = [
        {"question_type": name, "task": "summary"} | {s: v[name] for s, v in stats.items()}
        for name in ("scenes", "images")
    ]
    for views in range(MIN_VIEWS, MAX_VIEWS + 1):
        rows.append(
            {"question_type": f"{views} views", "task": "questions"}
            | {s: _views(v, views) for s, v in stats.items()}
        )
    return pd.concat([frame, pd.DataFrame(rows)], ignore_index=True)


def _views(split: dict, views: int) -> int:
    """Questions with ``views`` frames; JSON turns the count keys into strings."""
    counts = split["views_per_question"]
    return int(counts.get(views, counts.get(str(views), 0)))


def write_statistics_table(stats: dict, csv_path: Path, markdown_path: Path, latex: Path) -> None:
    write_table(dataset_statistics_frame(stats), csv_path, markdown_path, latex, index=False)


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


CC_BY_LICENCE_URLS = {"CC-BY-3.0": "https://creativecommons.org/licenses/by/3.0/"}
MODEL_CHANGES = "scaled to its catalog size, placed in generated rooms and rendered"


def _attribution(sources: list[dict]) -> list[str]:
    """The ``## Attribution`` section: every CC-BY model with its creator, catalog and
    licence, as CC-BY 3.0 section 4(b) asks (title, author, licence, changes made)."""
    attributed = [s for s in sources if s.get("licence", "").startswith("CC-BY")]
    lines = ["## Attribution", ""]
    if not attributed:
        return lines + [
            "Every model used is CC0-1.0 (public domain): no attribution is required.",
            "",
        ]
    lines += [
        f"{len(attributed)} models are licensed under Creative Commons Attribution; each was "
        f"{MODEL_CHANGES}. CC0-1.0 models need no credit and are not listed.",
        "",
        "| model | creator | catalog | licence |",
        "|---|---|---|---|",
    ]
    for source in attributed:
        licence = source["licence"]
        url = CC_BY_LICENCE_URLS.get(licence)
        licence_text = f"[{licence}]({url})" if url else licence
        lines.append(
            f'| "{source.get("name", source["item_id"])}" (`{source["item_id"]}`) | '
            f"{source.get('creator') or 'unknown'} | {source.get('catalog', '')} | {licence_text} |"
        )
    return [*lines, ""]


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
    lines += [
        "The questions, answers and renders are generated by this project (Apache-2.0 code).",
        "",
        *_attribution(sources),
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
        "- The built-in rooms are synthetic: ray-cast, Lambertian-shaded renders of textured "
        "catalog furniture without shadows or reflections, far from photographs; a model "
        "trained here learns the task formats and geometry, not real-world appearance.",
        "- The answers are exact for the scene geometry; the relation margins and the "
        "diagnostic thresholds are ours (the paper does not publish its own).",
        "- Balancing drops multiple-choice questions whose options would give the answer away, "
        "so question types with skewed answers (counts) keep fewer questions.",
        "- The paper's data comes from ScanNet++ and Waymo; this dataset is a stand-in with the "
        "same format and question semantics, not a copy of SpatialMosaic.",
        "",
    ]
    return "\n".join(lines)

"""Benchmark question generation and export from precomputed visibility.

Measures, on one core:

- **generation**: QA records per second of ``generate_scene_questions`` (all 17 types) from
  the scene, camera and visibility files of the default dataset. The goal is at least 10,000
  records per second, so that the paper's 3M QA take minutes.
- **export**: records per second of the streaming balance and export of a split.
- **memory**: peak resident memory of the export process with 1x and 4x the scenes (copies
  of the scene files under new names). Flat means the peak does not grow with scenes.

A pure-Python loop is timed alongside, so figures from a loaded machine can be judged.

    python benchmarks/qa.py            # needs the default dataset: run `make reproduce` first

Results go to ``benchmarks/results/qa.{json,md}``.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import resource
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from spatialmosaic.config import load_config
from spatialmosaic.paths import Layout, builtin_scene_names
from spatialmosaic.provenance import derive_rng, library_versions
from spatialmosaic.qa.generate import (
    GENERATORS,
    export_split,
    generate_scene_questions,
    read_scene_questions,
    write_scene_questions,
)
from spatialmosaic.stages import scene_facts
from spatialmosaic.views.viewsets import read_viewsets

RESULTS = Path(__file__).parent / "results"
GOAL_RECORDS_PER_SECOND = 10_000
PER_VIEWSET = 2
REPEATS = 5


def calibration_seconds() -> float:
    """Best of 20 runs of a 1M-step Python loop (about 0.03-0.06 s on an idle modern core)."""
    best = float("inf")
    for _ in range(20):
        start = time.perf_counter()
        total = 0
        for step in range(1_000_000):
            total += step
        best = min(best, time.perf_counter() - start)
    return best


def generation(layout: Layout, scenes: list[str]) -> dict:
    inputs = [
        (
            scene_facts(layout.scene_json(s), layout.cameras(s), layout.visibility(s)),
            read_viewsets(layout.viewsets(s)),
        )
        for s in scenes
    ]
    types = tuple(GENERATORS)
    # Per view set, the best of REPEATS runs: this machine's load comes in bursts, and a
    # minimum over short runs measures the code rather than the neighbours.
    seconds, records, view_sets = 0.0, 0, 0
    for facts, viewsets in inputs:
        for viewset in viewsets:
            best = float("inf")
            for _ in range(REPEATS):
                start = time.perf_counter()
                found, _ = generate_scene_questions(facts, [viewset], types, PER_VIEWSET, 0)
                best = min(best, time.perf_counter() - start)
            seconds += best
            records += len(found)
            view_sets += 1
    return {
        "scenes": len(scenes),
        "view_sets": view_sets,
        "records": records,
        "best_seconds": seconds,
        "records_per_second": records / seconds,
        "goal_records_per_second": GOAL_RECORDS_PER_SECOND,
        "goal_met": records / seconds >= GOAL_RECORDS_PER_SECOND,
    }


def _copies(layout: Layout, scenes: list[str], factor: int, folder: Path) -> list[Path]:
    """``factor`` copies of each scene's questions under new scene names and ids."""
    paths = []
    for copy in range(factor):
        for scene in scenes:
            records, pools = read_scene_questions(layout.scene_questions(scene))
            name = f"{scene}_copy{copy}"
            renamed = [
                replace(r, scene_name=name, id=r.id.replace(scene, name, 1)) for r in records
            ]
            pools = {k.replace(scene, name, 1): v for k, v in pools.items()}
            path = folder / f"{name}.json"
            write_scene_questions(path, renamed, pools, {})
            paths.append(path)
    return paths


def _export_in_child(files: list[Path], dest: Path, queue) -> None:
    start = time.perf_counter()
    summary = export_split(files, 0, dest, None, {})
    seconds = time.perf_counter() - start
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    queue.put((summary, seconds, peak_kb))


def export(layout: Layout, scenes: list[str]) -> dict:
    """Each export runs in a fresh process, so its peak resident memory is its own."""
    rows = {}
    context = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for factor in (1, 4):
            files = _copies(layout, scenes, factor, folder / f"x{factor}")
            queue = context.Queue()
            child = context.Process(
                target=_export_in_child, args=(files, folder / f"x{factor}.json", queue)
            )
            child.start()
            summary, seconds, peak_kb = queue.get()
            child.join()
            considered = sum(
                v["kept"] + v["dropped_for_balance"] for v in summary["by_question_type"].values()
            )
            rows[f"x{factor}"] = {
                "scene_files": len(files),
                "records_in": considered,
                "records_out": summary["records"],
                "seconds": seconds,
                "records_per_second": considered / seconds,
                "peak_memory_mb": peak_kb / 1024,
            }
    rows["peak_memory_ratio_x4_over_x1"] = (
        rows["x4"]["peak_memory_mb"] / rows["x1"]["peak_memory_mb"]
    )
    return rows


def markdown(result: dict) -> str:
    g, e = result["generation"], result["export"]
    lines = [
        "# QA generation benchmark",
        "",
        f"Machine: {result['machine']['cpus']} CPUs, Python {result['machine']['python']}; "
        f"a 1M-step Python loop took {result['calibration_seconds']:.3f} s (best of 20).",
        "",
        "| measure | value |",
        "|---|---|",
        f"| generation, records/s on one core | {g['records_per_second']:,.0f} "
        f"(goal {g['goal_records_per_second']:,}: {'met' if g['goal_met'] else 'not met'}) |",
        f"| generation, records | {g['records']:,} from {g['view_sets']} view sets, "
        f"{g['scenes']} scenes |",
        f"| export (balance + write), records/s | {e['x1']['records_per_second']:,.0f} "
        f"({e['x1']['records_in']:,} records in, {e['x1']['records_out']:,} kept) |",
        f"| export peak resident memory, 1x scenes | {e['x1']['peak_memory_mb']:.1f} MB |",
        f"| export peak resident memory, 4x scenes | {e['x4']['peak_memory_mb']:.1f} MB |",
        f"| peak memory ratio 4x / 1x | {e['peak_memory_ratio_x4_over_x1']:.2f} |",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--config", type=Path, default=Path("config.yaml"))
    args = parser.parse_args()
    config = load_config(args.config)
    layout = Layout.from_config(config)
    scenes = builtin_scene_names(config["scenes"]["count"])
    missing = [s for s in scenes if not layout.scene_questions(s).is_file()]
    if missing:
        raise SystemExit(f"no questions for {missing[:3]}: run `make reproduce` first")
    derive_rng(0, "warm-up")
    result = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "versions": library_versions(),
        "calibration_seconds": calibration_seconds(),
        "generation": generation(layout, scenes),
        "export": export(layout, scenes),
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "qa.json").write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    (RESULTS / "qa.md").write_text(markdown(result), encoding="utf-8")
    print(markdown(result))


if __name__ == "__main__":
    main()

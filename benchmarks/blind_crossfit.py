"""Blind check on larger benchmarks: the default rooms split in halves, both ways (a cross-fit).

The default benchmark has a quarter of the rooms, too few questions of some types to tell a
small leak from noise. This script re-balances the default run's per-scene questions into two
scene-disjoint halves, fits the text-only baselines on one half, scores them on the other, and
reports the best baseline per type both ways.

    python benchmarks/blind_crossfit.py     # needs the default dataset: `make reproduce`

Results go to ``benchmarks/results/blind_crossfit.{json,md}``.
"""

from __future__ import annotations

import json
from pathlib import Path

from spatialmosaic.config import load_config
from spatialmosaic.paths import Layout, builtin_scene_names
from spatialmosaic.qa.balance import Balancer
from spatialmosaic.qa.blind import blind_check, blind_check_markdown
from spatialmosaic.qa.generate import balanced_records

RESULTS = Path(__file__).parent / "results"


def main() -> None:
    config = load_config(Path("config.yaml"))
    layout = Layout.from_config(config)
    scenes = builtin_scene_names(config["scenes"]["count"])
    files = [layout.scene_questions(scene) for scene in scenes]
    missing = [path for path in files if not path.is_file()]
    if missing:
        raise SystemExit(f"{missing[0]} not found: run `make reproduce` first")
    half = len(files) // 2
    folds = {"first half scored": (files[half:], files[:half])}
    folds["second half scored"] = (files[:half], files[half:])
    results, text = {}, ["# Blind check, cross-fit over the default rooms", ""]
    for name, (train, test) in folds.items():
        report = blind_check(
            list(balanced_records(train, Balancer(config["seed"]))),
            list(balanced_records(test, Balancer(config["seed"]))),
            config["seed"],
        )
        results[name] = report
        text += [f"## {name} ({len(test)} rooms)", "", blind_check_markdown(report)]
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "blind_crossfit.json").write_text(json.dumps(results, indent=1) + "\n")
    (RESULTS / "blind_crossfit.md").write_text("\n".join(text))
    print("\n".join(text))


if __name__ == "__main__":
    main()

"""Does the tiny scale learn with another schedule? Training recipes compared on the benchmark.

The default run's tiny variants answer multiple choice with one letter and stay below the
baselines (docs/training.md, "Results"). This script retrains the language model and the `vlm`
variant (no geometry) on the default run's data with the library's own training functions
under a few recipes, and scores each on the whole benchmark as published (no rotations), which
is what the pipeline's ``overall`` is. A recipe changes only the learning-rate schedule (the
pipeline's warm-up + cosine, or a constant rate after the same warm-up) and the lengths of the
three phases; everything else is the default config. For each language model it also measures
how often it picks the hinted option (the format phase's task) on the benchmark's
multiple-choice questions with the hint added: whether the matching was learnt at all.

    python benchmarks/tiny_recipes.py      # needs the default run: `make reproduce`; ~1 h
    python benchmarks/tiny_recipes.py --only "constant lr, longest"   # rerun one, keep the rest

Results go to ``benchmarks/results/tiny_recipes.{json,md}``, next to the default run's own
scores (``results/metrics``).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import math
import random
import tempfile
import time
from pathlib import Path

import torch

from spatialmosaic import stages
from spatialmosaic.config import BASELINES, load_config
from spatialmosaic.evaluate.metrics import aggregate, mca_accuracy
from spatialmosaic.evaluate.models import build_model
from spatialmosaic.evaluate.prompts import build_prompt
from spatialmosaic.evaluate.run import METRICS_FORMAT, evaluate_model
from spatialmosaic.io import read_json
from spatialmosaic.models.language import empty_prefix, greedy_replies, load_causal_lm, prompt_ids
from spatialmosaic.models.settings import LanguageModelConfig, Schedule, VLMSettings
from spatialmosaic.qa.generate import iter_benchmark
from spatialmosaic.records import QuestionType
from spatialmosaic.training import loop
from spatialmosaic.training.language import hint, hinted_prompt
from spatialmosaic.training.loop import STEPS_LINE

RESULTS = Path(__file__).parent / "results"
HINT_QUESTIONS = 2000  # benchmark multiple-choice questions for the hint check
# name: (schedule, format epochs, language epochs, VLM epochs)
RECIPES = {
    "constant lr, the default lengths": ("constant", 4.0, 0.3, 0.25),
    "constant lr, longer": ("constant", 8.0, 1.5, 0.75),
    "constant lr, longest": ("constant", 8.0, 3.0, 2.0),
}


def constant_after_warmup(
    optimizer: torch.optim.Optimizer, total_steps: int, warmup_fraction: float
) -> torch.optim.lr_scheduler.LambdaLR:
    """The pipeline's warm-up, then the peak rate to the end (no decay)."""
    warmup = max(1, math.ceil(total_steps * warmup_fraction))
    return torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: min(1.0, (step + 1) / warmup))


@contextlib.contextmanager
def learning_rate_schedule(kind: str):
    """``training.loop`` with its scheduler swapped for this benchmark only."""
    original = loop.cosine_with_warmup
    if kind == "constant":
        loop.cosine_with_warmup = constant_after_warmup
    try:
        yield
    finally:
        loop.cosine_with_warmup = original


def hinted_accuracy(language_dir: Path, benchmark: Path, seed: int) -> float:
    """Share of sampled benchmark multiple-choice questions answered with the hinted option."""
    records = [r for r in iter_benchmark(benchmark) if hint(r) is not None]
    records = random.Random(seed).sample(records, min(HINT_QUESTIONS, len(records)))
    model, tokenizer = load_causal_lm(language_dir)
    model.eval()
    right = 0.0
    for start in range(0, len(records), 64):
        chunk = records[start : start + 64]
        prompts = [
            prompt_ids(
                tokenizer,
                hinted_prompt(build_prompt(r.question, r.options, r.question_type), hint(r)),
            )
            for r in chunk
        ]
        prefix, mask = empty_prefix(model, len(chunk))
        replies = greedy_replies(model, tokenizer, prefix, mask, prompts, 4)
        right += sum(
            mca_accuracy(reply, r.mc_answer) for reply, r in zip(replies, chunk, strict=True)
        )
    return right / len(records)


def overall(model_dir: Path, benchmark: Path, image_root: Path, seed: int) -> dict:
    rows = evaluate_model(
        build_model("vlm", seed, model_file=model_dir), list(iter_benchmark(benchmark)), image_root
    )
    return aggregate((QuestionType(row["question_type"]), row["score"]) for row in rows)


def steps_and_seconds(log: str) -> list[tuple[int, int]]:
    matches = (STEPS_LINE.match(line) for line in log.splitlines())
    return [(int(m["steps"]), int(m["seconds"])) for m in matches if m is not None]


def run_recipe(name: str, recipe: tuple, config: dict, data: Path, workdir: Path) -> dict:
    kind, format_epochs, language_epochs, vlm_epochs = recipe
    train = config["train"]
    language, vlm = train["language"], train["vlm"]
    qa = data / "qa"
    records, benchmark = qa / "train_records.json", qa / "benchmark.json"
    language_dir, vlm_dir = workdir / "language", workdir / "vlm"
    printed = io.StringIO()
    with learning_rate_schedule(kind), contextlib.redirect_stdout(printed):
        stages.train_language(
            records,
            benchmark,
            language_dir,
            workdir / "language.csv",
            config["seed"],
            LanguageModelConfig(
                dim=language["dim"], layers=language["layers"], heads=language["heads"]
            ),
            Schedule(epochs=language_epochs, batch_size=language["batch_size"], lr=language["lr"]),
            format_epochs,
        )
        stages.train_vlm(
            records,
            benchmark,
            data / "render",
            vlm_dir,
            workdir / "vlm.csv",
            config["seed"],
            VLMSettings(geometry="none", fusion_heads=vlm["fusion_heads"], dropout=vlm["dropout"]),
            Schedule(
                epochs=vlm_epochs,
                batch_size=vlm["batch_size"],
                lr=vlm["lr"],
                warmup_fraction=vlm["warmup_fraction"],
            ),
            base_model=language_dir,
            vision_dir=data / "models" / "vision",
        )
    phases = steps_and_seconds(printed.getvalue())
    scores = overall(vlm_dir, benchmark, data / "render", config["seed"])
    return {
        "recipe": name,
        "schedule": kind,
        "format_epochs": format_epochs,
        "language_epochs": language_epochs,
        "vlm_epochs": vlm_epochs,
        "steps": [steps for steps, _ in phases],
        "step_seconds": sum(seconds for _, seconds in phases),
        "hinted_accuracy": round(hinted_accuracy(language_dir, benchmark, config["seed"]), 4),
        "overall": round(scores["overall"], 2),
        "per_type": {k: round(v, 1) for k, v in scores["per_type"].items()},
    }


def default_run(config: dict, data: Path, results: Path) -> list[dict]:
    """The pipeline's own models as the default run trained and scored them."""
    train = config["train"]
    language, vlm = train["language"], train["vlm"]
    rows = []
    for name in BASELINES:
        metrics = read_json(results / "metrics" / f"{name}.json", kind=METRICS_FORMAT)
        rows.append({"recipe": f"baseline: {name}", "overall": round(metrics["overall"], 2)})
    metrics = read_json(results / "metrics" / "vlm.json", kind=METRICS_FORMAT)
    rows.append(
        {
            "recipe": "the default run (warm-up + cosine)",
            "schedule": "cosine",
            "format_epochs": language["format_epochs"],
            "language_epochs": language["epochs"],
            "vlm_epochs": vlm["epochs"],
            "hinted_accuracy": round(
                hinted_accuracy(
                    data / "models" / "language", data / "qa" / "benchmark.json", config["seed"]
                ),
                4,
            ),
            "overall": round(metrics["overall"], 2),
            "per_type": {k: round(v, 1) for k, v in metrics["per_type"].items()},
        }
    )
    return rows


def markdown(rows: list[dict], threads: int, minutes: float) -> str:
    lines = [
        "# Tiny-scale training recipes on the default run's data",
        "",
        f"`vlm` (no geometry), retrained per recipe; {threads} torch threads, {minutes:.0f} "
        "minutes of training and scoring in all. Overall x100 on the benchmark as published "
        "(the pipeline's `overall`); "
        "hinted: share of 2,000 benchmark multiple-choice questions, hint added, where the "
        "language model picks the hinted option (chance 0.25).",
        "",
        "| recipe | schedule | format / language / VLM epochs | steps | seconds in steps "
        "| minutes with scoring | hinted | overall |",
        "|---|---|---|---|---:|---:|---:|---:|",
    ]
    for row in rows:
        if "schedule" not in row:
            lines.append(f"| {row['recipe']} | | | | | | | {row['overall']:.2f} |")
            continue
        epochs = f"{row['format_epochs']} / {row['language_epochs']} / {row['vlm_epochs']}"
        steps = " + ".join(map(str, row.get("steps", []))) or "(pipeline)"
        seconds, minutes = row.get("step_seconds", ""), row.get("minutes", "")
        lines.append(
            f"| {row['recipe']} | {row['schedule']} | {epochs} | {steps} | {seconds} | {minutes} "
            f"| {row['hinted_accuracy']:.3f} | {row['overall']:.2f} |"
        )
    lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only",
        action="append",
        choices=list(RECIPES),
        help="recipes to (re)run; the others keep their rows from the last results file",
    )
    args = parser.parse_args()
    config = load_config(Path("config.yaml"))
    data, results = Path(config["paths"]["data"]), Path(config["paths"]["results"])
    if not (data / "models" / "vlm").is_dir():
        raise SystemExit(f"{data / 'models' / 'vlm'} not found: run `make reproduce` first")
    previous = {}
    if args.only and (RESULTS / "tiny_recipes.json").is_file():
        saved = json.loads((RESULTS / "tiny_recipes.json").read_text())
        previous = {row["recipe"]: row for row in saved["rows"]}
    rows = default_run(config, data, results)
    for name, recipe in RECIPES.items():
        if args.only and name not in args.only and name in previous:
            rows.append(previous[name])
            continue
        with tempfile.TemporaryDirectory() as workdir:
            begun = time.perf_counter()
            row = run_recipe(name, recipe, config, data, Path(workdir))
        rows.append({**row, "minutes": round((time.perf_counter() - begun) / 60, 1)})
        print(json.dumps(rows[-1]), flush=True)
    minutes = sum(row.get("minutes", 0) for row in rows)
    threads = torch.get_num_threads()
    RESULTS.mkdir(exist_ok=True)
    payload = {"rows": rows, "torch_threads": threads, "minutes": round(minutes, 1)}
    (RESULTS / "tiny_recipes.json").write_text(json.dumps(payload, indent=1) + "\n")
    text = markdown(rows, threads, minutes)
    (RESULTS / "tiny_recipes.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()

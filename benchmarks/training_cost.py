"""What SpatialMosaicVLM training costs here: the tiny scale as the default run measured it, and
the small scale timed on a share of the default training split.

The tiny scale's numbers are read from the default run's rule logs (each training stage prints
``<name>: N steps in S s``; Snakemake runs two such jobs side by side with one thread each on a
2-core machine). The small scale (frozen EfficientNet-Lite0 + SmolLM2-135M-Instruct with LoRA,
`config/full.yaml`) is too slow to train on 2 cores in the default run, so this script trains
it for a few steps on a seeded share of the default training records, with the full profile's
settings, and extrapolates one epoch from the measured seconds per step.

    python benchmarks/training_cost.py      # needs the default run: `make reproduce`

Results go to ``benchmarks/results/training_cost.{json,md}``.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import re
import tempfile
import time
from pathlib import Path

import torch

from spatialmosaic import stages
from spatialmosaic.config import load_config
from spatialmosaic.models.settings import Schedule, VLMSettings
from spatialmosaic.qa.generate import iter_benchmark
from spatialmosaic.training.loop import STEPS_LINE

RESULTS = Path(__file__).parent / "results"
SMALL_FRACTION = 0.004  # of the training records: about 20 steps of 8 questions
SMALL_VARIANTS = {"vlm": "none", "vlm_geo": "both"}


def tiny_stages(data: Path) -> list[dict]:
    """Each training job of the default run: its wall time as Snakemake recorded it (start to
    end, with loading, the frozen encoders' token cache and saving) and the optimiser steps its
    log reports (``train <name>: N steps in S s``)."""
    jobs = {}
    for entry in Path(".snakemake/metadata").iterdir():
        try:
            output = base64.b64decode(entry.name).decode()
        except (ValueError, UnicodeDecodeError):
            continue
        if output.startswith(f"{data}/models/") and not output.endswith(".json"):
            record = json.loads(entry.read_text())
            if record.get("starttime") and record.get("endtime"):
                jobs[Path(output).name] = round(record["endtime"] - record["starttime"])
    rows = []
    for name, job_seconds in sorted(jobs.items()):
        log = data / "logs" / ("train_vlm" if name.startswith("vlm") else f"train_{name}")
        log = log / (f"{name}.log" if name.startswith("vlm") else "all.log")
        steps = step_seconds = 0
        for line in log.read_text(errors="replace").replace("\r", "\n").splitlines():
            match = STEPS_LINE.match(line.strip())
            if match:
                steps += int(match["steps"])
                step_seconds += int(match["seconds"])
        if job_seconds < step_seconds:  # `snakemake --touch` rewrites the records, times too
            raise SystemExit(
                f"Snakemake's record of {name} ({job_seconds} s) is shorter than the optimiser "
                f"steps in {log} ({step_seconds} s): the record was rewritten (`make "
                "sync-times`, `snakemake --touch`); rerun the training rules to time them"
            )
        rows.append(
            {
                "model": name,
                "steps": steps,
                "step_seconds": step_seconds,
                "job_seconds": job_seconds,
            }
        )
    return rows


def time_small(config: dict, data: Path, workdir: Path) -> list[dict]:
    full = load_config(Path("config.yaml"), Path("config/full.yaml"))["train"]["vlm"]
    base = data / "models" / "smollm2"
    if not (base / "model.safetensors").is_file():
        base = workdir / "smollm2"
        stages.convert_smollm2(base)
    records = data / "qa" / "train_records.json"
    total_records = sum(1 for _ in iter_benchmark(records))
    rows = []
    for name, geometry in SMALL_VARIANTS.items():
        settings = VLMSettings(
            scale="small",
            geometry=geometry,
            fusion_heads=full["fusion_heads"],
            dropout=full["dropout"],
            lora_rank=full["lora_rank"],
            lora_alpha=full["lora_alpha"],
        )
        schedule = Schedule(epochs=1, batch_size=full["batch_size"], lr=full["lr"])
        printed = io.StringIO()
        started = time.perf_counter()
        with contextlib.redirect_stdout(printed):
            stages.train_vlm(
                records,
                data / "qa" / "benchmark.json",
                data / "render",
                workdir / name,
                workdir / f"{name}.csv",
                config["seed"],
                settings,
                schedule,
                base_model=base,
                geometry_dir=data / "models" / "geometry" if geometry != "none" else None,
                fraction=SMALL_FRACTION,
            )
        wall = time.perf_counter() - started
        match = next(
            m for m in map(STEPS_LINE.match, printed.getvalue().splitlines()) if m is not None
        )
        steps, seconds = int(match["steps"]), int(match["seconds"])
        per_step = seconds / steps
        epoch_steps = schedule.steps_per_epoch(total_records)
        rows.append(
            {
                "model": f"small {name}",
                "records": round(total_records * SMALL_FRACTION),
                "steps": steps,
                "seconds": seconds,
                "wall_seconds_with_encoders": round(wall),
                "seconds_per_step": round(per_step, 2),
                "batch_size": schedule.batch_size,
                "epoch_steps_on_default_data": epoch_steps,
                "epoch_hours_on_default_data": round(epoch_steps * per_step / 3600, 1),
            }
        )
    return rows


def markdown(tiny: list[dict], small: list[dict], threads: int) -> str:
    sweep = [r for r in tiny if re.search(r"_data\d+$", r["model"])]
    total = sum(r["job_seconds"] for r in tiny)
    lines = [
        "# Training cost on this machine",
        "",
        "## Tiny scale, the default run (`snakemake --cores 2`: two jobs at a time, one thread "
        "each)",
        "",
        "| model | optimiser steps | seconds in steps | job seconds |",
        "|---|---:|---:|---:|",
        *(
            f"| {r['model']} | {r['steps']} | {r['step_seconds']} | {r['job_seconds']} |"
            for r in tiny
        ),
        f"| **all jobs** | {sum(r['steps'] for r in tiny)} | "
        f"{sum(r['step_seconds'] for r in tiny)} | {total} |",
        "",
        f"Job seconds on 2 cores: {total / 120:.1f} minutes at best (every job; the data-size "
        f"sweep's {len(sweep)} models take {sum(r['job_seconds'] for r in sweep)} s of it).",
        "",
        f"## Small scale, timed on {SMALL_FRACTION:.1%} of the training records "
        f"({threads} torch threads)",
        "",
        "| model | steps | s/step | batch | wall incl. frozen encoders (s) | "
        "steps per epoch (default data) | hours per epoch |",
        "|---|---:|---:|---:|---:|---:|---:|",
        *(
            f"| {r['model']} | {r['steps']} | {r['seconds_per_step']} | {r['batch_size']} | "
            f"{r['wall_seconds_with_encoders']} | {r['epoch_steps_on_default_data']} | "
            f"{r['epoch_hours_on_default_data']} |"
            for r in small
        ),
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    config = load_config(Path("config.yaml"))
    data = Path(config["paths"]["data"])
    if not (data / "models" / "geometry").is_dir():
        raise SystemExit(f"{data / 'models' / 'geometry'} not found: run `make reproduce` first")
    tiny = tiny_stages(data)
    with tempfile.TemporaryDirectory() as workdir:
        small = time_small(config, data, Path(workdir))
    threads = torch.get_num_threads()
    RESULTS.mkdir(exist_ok=True)
    payload = {"tiny": tiny, "small": small, "torch_threads": threads}
    (RESULTS / "training_cost.json").write_text(json.dumps(payload, indent=1) + "\n")
    text = markdown(tiny, small, threads)
    (RESULTS / "training_cost.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()

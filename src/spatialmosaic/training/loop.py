"""The one training loop every neural model here uses (vision, geometry, VLM).

A run is deterministic from its seed: the sample order of epoch ``e`` is a permutation drawn
from ``torch.Generator(seed * 1000 + e)``, and a resume restores the model, optimiser, schedule
and random state saved at the step it resumes from, so a resumed run ends byte-identical to an
uninterrupted one. Resume states load with ``torch.load(weights_only=True)`` only.
"""

from __future__ import annotations

import csv
import hashlib
import math
import pickle
import re
import shutil
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import torch
from tqdm import tqdm

from spatialmosaic.io import ArtefactError, atomic_path
from spatialmosaic.models.checkpoint import restore_trainable, trainable_state
from spatialmosaic.models.settings import Schedule
from spatialmosaic.qa.generate import iter_benchmark
from spatialmosaic.records import BenchRecord

RESUME_FILE = "resume.pt"
GRAD_CLIP_NORM = 1.0
# The line a completed run prints (``train``), as the benchmarks read it back from logs.
STEPS_LINE = re.compile(r"^train (?P<name>[\w ()]+): (?P<steps>\d+) steps in (?P<seconds>\d+) s$")


# A step's loss and the named parts to log beside it.
LossFn = Callable[[list[int]], tuple[torch.Tensor, dict[str, float]]]


def training_device() -> torch.device:
    """The first CUDA device when there is one (the paper's setting), else the CPU."""
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def model_device(model: torch.nn.Module) -> torch.device:
    return next(model.parameters()).device


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_scene_disjoint(
    training_scenes: Iterable[str], benchmark_scenes: Iterable[str], source: Path
) -> None:
    """Training on a benchmark scene would leak its answers: refuse, naming the scenes."""
    shared = sorted(set(training_scenes) & set(benchmark_scenes))
    if shared:
        raise ArtefactError(
            f"{source}: {len(shared)} training scene(s) are benchmark scenes "
            f"({', '.join(shared[:3])}); the split must be scene-disjoint"
        )


def read_training_records(train_records: Path, benchmark: Path) -> list[BenchRecord]:
    """The training split's records, refused when empty or when it shares a scene with the
    benchmark (every training stage starts here)."""
    records = list(iter_benchmark(train_records))
    if not records:
        raise ArtefactError(f"{train_records}: no training records")
    check_scene_disjoint(
        {r.scene_name for r in records},
        {r.scene_name for r in iter_benchmark(benchmark)},
        train_records,
    )
    return records


def cosine_with_warmup(
    optimizer: torch.optim.Optimizer, total_steps: int, warmup_fraction: float
) -> torch.optim.lr_scheduler.LambdaLR:
    """Linear warm-up over ``warmup_fraction`` of the steps, then cosine decay to zero."""
    warmup = max(1, math.ceil(total_steps * warmup_fraction))

    def factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        progress = (step - warmup) / max(1, total_steps - warmup)
        return 0.5 * (1.0 + math.cos(math.pi * min(1.0, progress)))

    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)


def epoch_order(count: int, seed: int, epoch: int) -> list[int]:
    generator = torch.Generator().manual_seed(seed * 1000 + epoch)
    return torch.randperm(count, generator=generator).tolist()


def batch_indices(step: int, samples: int, schedule: Schedule, seed: int) -> list[int]:
    """The samples of optimiser step ``step`` (0-based): consecutive slices of each epoch's
    permutation, dropping the last incomplete batch of an epoch."""
    epoch, offset = divmod(step, schedule.steps_per_epoch(samples))
    order = epoch_order(samples, seed, epoch)
    return order[offset * schedule.batch_size :][: schedule.batch_size]


def _save_resume(path: Path, state: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        torch.save(state, tmp)


def _load_resume(path: Path, fingerprint: str) -> dict | None:
    if not path.is_file():
        return None
    try:
        state = torch.load(path, weights_only=True)
    except (RuntimeError, OSError, EOFError, pickle.UnpicklingError) as error:
        print(f"ignoring {path}: cannot read it ({error})")
        return None
    if state.get("fingerprint") != fingerprint:
        print(f"ignoring {path}: saved for other inputs or settings")
        return None
    return state


def train(
    model: torch.nn.Module,
    samples: int,
    loss_fn: LossFn,
    schedule: Schedule,
    seed: int,
    resume_dir: Path,
    fingerprint: str,
    desc: str,
) -> list[dict]:
    """Optimise ``model``'s trainable parameters; returns the loss curve (one row per step).

    ``fingerprint`` names the inputs and settings: a resume state saved under another
    fingerprint is ignored, so a changed config never continues a stale run. The resume folder
    is removed when the run completes.
    """
    torch.manual_seed(seed)
    trainable = [p for p in model.parameters() if p.requires_grad]
    if not trainable:
        raise ValueError(f"{desc}: the model has no trainable parameters")
    optimizer = torch.optim.AdamW(trainable, lr=schedule.lr, weight_decay=schedule.weight_decay)
    total = schedule.total_steps(samples)
    scheduler = cosine_with_warmup(optimizer, total, schedule.warmup_fraction)
    resume_path = resume_dir / RESUME_FILE
    state = _load_resume(resume_path, fingerprint)
    step, curve = 0, []
    if state is not None:
        restore_trainable(model, state["model"], resume_path)
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
        torch.set_rng_state(state["rng"])
        step, curve = int(state["step"]), list(state["curve"])
        print(f"resuming from step {step} ({resume_path})")
    per_epoch = schedule.steps_per_epoch(samples)
    started = time.perf_counter()
    model.train()
    with tqdm(total=total, initial=step, desc=desc, unit="step") as bar:
        while step < total:
            loss, parts = loss_fn(batch_indices(step, samples, schedule, seed))
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(trainable, GRAD_CLIP_NORM)
            optimizer.step()
            scheduler.step()
            step += 1
            value = float(loss.detach())
            curve.append(
                {
                    "step": step,
                    "epoch": round(step / per_epoch, 4),
                    "loss": round(value, 6),
                    **{name: round(part, 6) for name, part in parts.items()},
                    "lr": float(f"{scheduler.get_last_lr()[0]:.6g}"),
                }
            )
            bar.set_postfix(loss=f"{value:.3f}")
            bar.update()
            if step % schedule.save_every == 0 and step < total:
                _save_resume(
                    resume_path,
                    {
                        "step": step,
                        "fingerprint": fingerprint,
                        "model": trainable_state(model),
                        "optimizer": optimizer.state_dict(),
                        "scheduler": scheduler.state_dict(),
                        "rng": torch.get_rng_state(),
                        "curve": curve,
                    },
                )
    model.eval()
    print(f"{desc}: {total} steps in {time.perf_counter() - started:.0f} s")
    shutil.rmtree(resume_dir, ignore_errors=True)
    return curve


def write_curve(dest: Path, curve: list[dict]) -> None:
    """The loss curve as CSV (DVC plots read it: ``dvc plots show``)."""
    if not curve:
        raise ValueError("no training steps were run; the loss curve is empty")
    with atomic_path(dest) as tmp, open(tmp, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(curve[0]))
        writer.writeheader()
        writer.writerows(curve)

"""Fine-tune a large SpatialMosaicVLM with the paper's recipe, through Hugging Face Accelerate.

Every training question becomes (frames, the official prompt, the answer the scorer expects),
encoded by the base model's own processor and chat template (``models.large_inputs``). The
schedule is the paper's: AdamW at lr 2e-5, 3% linear warm-up then cosine decay, 5 epochs, an
effective batch of ``Schedule.batch_size`` samples per optimiser step (512) made of
``micro_batch`` samples per device and gradient accumulation, bf16 on GPUs. It runs on one CPU
(the tests), on several GPUs with ``accelerate launch`` or ``torchrun`` (DDP), and with
DeepSpeed ZeRO-2 through ``envs/accelerate_zero2.yaml``.

The sample order is the project's (``training.loop.batch_indices``: a seeded permutation per
epoch); rank r of w takes every w-th sample of a step's batch. A resume state
(``accelerator.save_state`` every ``save_every`` steps, plus ``progress.json``) continues a
killed run at its last saved step when the inputs and settings are unchanged.
"""

from __future__ import annotations

import shutil
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path

import torch
from torch.utils.data import DataLoader, Dataset
from tqdm import tqdm

from spatialmosaic.evaluate.metrics import reference_reply
from spatialmosaic.evaluate.prompts import build_prompt
from spatialmosaic.evaluate.run import frame_paths
from spatialmosaic.io import ArtefactError, read_json, write_json
from spatialmosaic.models.frames import FrameStore
from spatialmosaic.models.fusion import GeometryFeatures
from spatialmosaic.models.large import LargeSettings, build_large, default_dtype, load_base
from spatialmosaic.models.large_checkpoint import (
    encode_geometry,
    load_geometry_source,
    save_large,
)
from spatialmosaic.models.large_inputs import collate, encode
from spatialmosaic.models.large_processor import load_processor
from spatialmosaic.provenance import artefact_meta
from spatialmosaic.training.loop import (
    GRAD_CLIP_NORM,
    Schedule,
    batch_indices,
    cosine_with_warmup,
    read_training_records,
    sha256_file,
    write_curve,
)

PROGRESS = "progress.json"
STATE = "state"


@dataclass(frozen=True, slots=True)
class Sample:
    frames: tuple[Path, ...]
    prompt: str
    answer: str


class LargeSamples(Dataset):
    """Encoded samples: processor outputs with labels, and the frames for the geometry
    encoder ([V, 3, H, W] in [0, 1] at its input size) or None."""

    def __init__(
        self, samples: list[Sample], processor, geometry_size: tuple[int, int] | None
    ) -> None:
        self.samples = samples
        self.processor = processor
        self.geometry_size = geometry_size

    def __len__(self) -> int:
        return len(self.samples)

    def __getitem__(self, index: int) -> tuple[dict, torch.Tensor | None]:
        from PIL import Image

        sample = self.samples[index]
        images = []
        for path in sample.frames:
            try:
                with Image.open(path) as image:
                    images.append(image.convert("RGB"))
            except OSError as error:
                raise ArtefactError(f"frame image {path}: {error}") from None
        features = encode(self.processor, images, sample.prompt, sample.answer)
        frames = None
        if self.geometry_size is not None:  # a store per sample: 518 px frames are not cached
            frames = FrameStore(self.geometry_size).frames(sample.frames)
        return features, frames


def _collate(items: list, pad_token_id: int) -> tuple[dict, list]:
    return collate([f for f, _ in items], pad_token_id), [g for _, g in items]


def accumulation_steps(batch_size: int, micro_batch: int, processes: int) -> int:
    """Micro-batches per device and optimiser step, for an effective batch of ``batch_size``."""
    per_step = micro_batch * processes
    if micro_batch < 1 or batch_size % per_step:
        raise ValueError(
            f"batch size {batch_size} is not a multiple of micro batch {micro_batch} x "
            f"{processes} processes"
        )
    return batch_size // per_step


def training_samples(
    train_records: Path, benchmark: Path, image_root: Path, limit: int | None
) -> tuple[list[Sample], list[str]]:
    """Samples of the first ``limit`` training records, and their scenes (disjoint from the
    benchmark's, or the run is refused)."""
    records = read_training_records(train_records, benchmark)[:limit]
    if not records:
        raise ArtefactError(f"{train_records}: no training records (limit {limit})")
    scenes = sorted({r.scene_name for r in records})
    samples = [
        Sample(
            frame_paths(r, image_root),
            build_prompt(r.question, r.options, r.question_type),
            reference_reply(r),
        )
        for r in records
    ]
    return samples, scenes


def _geometry_hash(source: str | None, path: Path | None) -> str | None:
    if source == "ours":
        return sha256_file(path / "geometry.safetensors")
    if source == "vggt":  # 5 GB: its size and name stand in for its hash
        return f"{path.name}:{path.stat().st_size}"
    return None


def train_large(
    train_records: Path,
    benchmark: Path,
    image_root: Path,
    base_model: Path,
    out_dir: Path,
    curve_path: Path,
    settings: LargeSettings,
    schedule: Schedule,
    seed: int,
    micro_batch: int = 1,
    geometry_source: str | None = None,
    geometry_path: Path | None = None,
    limit: int | None = None,
    gradient_checkpointing: bool = True,
    workers: int = 0,
) -> None:
    """Fine-tune ``base_model`` (a local LLaVA-OneVision, LLaVA-NeXT-Video or Qwen2.5-VL folder)
    and write ``out_dir`` (``models.large_checkpoint``) and the loss curve ``curve_path``.

    ``geometry_source``: ``ours`` (``geometry_path``: a ``train geometry`` folder) or ``vggt``
    (``geometry_path``: the VGGT-1B weights), for a variant with ``settings.geometry``.
    """
    from accelerate import Accelerator, PartialState
    from accelerate.utils import set_seed

    samples, scenes = training_samples(train_records, benchmark, image_root, limit)
    if len(samples) < schedule.batch_size:
        raise ValueError(f"{len(samples)} samples: fewer than one batch of {schedule.batch_size}")
    if settings.uses_geometry != (geometry_source is not None):
        raise ValueError(f"geometry={settings.geometry} with geometry source {geometry_source}")
    state = PartialState()
    steps = accumulation_steps(schedule.batch_size, micro_batch, state.num_processes)
    accelerator = Accelerator(
        gradient_accumulation_steps=steps,
        mixed_precision="bf16" if state.device.type == "cuda" else "no",
    )
    if accelerator.state.deepspeed_plugin is not None:  # our sampler, so DeepSpeed cannot infer it
        accelerator.state.deepspeed_plugin.deepspeed_config["train_micro_batch_size_per_gpu"] = (
            micro_batch
        )
    set_seed(seed)
    device, dtype = accelerator.device, default_dtype(accelerator.device)
    processor = load_processor(base_model)
    geometry = None
    if settings.uses_geometry:
        geometry = load_geometry_source(geometry_source, geometry_path, device)
    vlm = build_large(load_base(base_model, dtype), settings, geometry.dim if geometry else None)
    if gradient_checkpointing:  # of the decoder layers; non-reentrant, so frozen inputs work
        vlm.base.activation_checkpointing_enable({"use_reentrant": False})
    vlm.to(device)
    trainable = [p for p in vlm.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(trainable, lr=schedule.lr, weight_decay=schedule.weight_decay)
    total = schedule.total_steps(len(samples))
    scheduler = cosine_with_warmup(optimizer, total, schedule.warmup_fraction)
    model, optimizer = accelerator.prepare(vlm, optimizer)

    data_hash = sha256_file(train_records)
    base_hash = sha256_file(Path(base_model) / "config.json")
    geometry_hash = _geometry_hash(geometry_source, geometry_path)
    fingerprint = (
        f"{data_hash}/{base_hash}/{geometry_hash}/{settings}/{schedule}/{seed}/"
        f"{limit}/{micro_batch}/{state.num_processes}"
    )
    resume_dir = out_dir.with_name(f".{out_dir.name}.resume")
    step, curve = _resume(accelerator, scheduler, resume_dir, fingerprint)

    chunks = [
        indices[start : start + micro_batch]
        for s in range(step, total)
        for indices in [
            batch_indices(s, len(samples), schedule, seed)[
                state.process_index :: state.num_processes
            ]
        ]
        for start in range(0, len(indices), micro_batch)
    ]
    pad = processor.tokenizer.pad_token_id
    pad = processor.tokenizer.eos_token_id if pad is None else pad
    loader = DataLoader(
        LargeSamples(samples, processor, geometry.image_size if geometry else None),
        batch_sampler=chunks,
        collate_fn=partial(_collate, pad_token_id=pad),
        num_workers=workers,
        # Its own generator: creating the iterator must not draw from the global RNG, which a
        # resumed run restores (dropout masks then match an uninterrupted run's).
        generator=torch.Generator().manual_seed(seed),
    )
    features = GeometryFeatures(settings.geometry) if geometry else None
    model.train()
    losses: list[torch.Tensor] = []
    per_epoch = schedule.steps_per_epoch(len(samples))
    bar = tqdm(
        total=total,
        initial=step,
        desc=f"train {out_dir.name}",
        unit="step",
        disable=not accelerator.is_main_process,
    )
    for batch, frames in loader:
        batch = {key: value.to(device) for key, value in batch.items()}
        tokens = encode_geometry(geometry, frames, features, device) if geometry else None
        with accelerator.accumulate(model):
            loss = model(batch, tokens).loss
            accelerator.backward(loss)
            if accelerator.sync_gradients:
                accelerator.clip_grad_norm_(trainable, GRAD_CLIP_NORM)
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
        losses.append(loss.detach())
        if len(losses) < steps:
            continue
        scheduler.step()
        step += 1
        value = float(accelerator.reduce(torch.stack(losses).mean(), reduction="mean"))
        losses = []
        curve.append(
            {
                "step": step,
                "epoch": round(step / per_epoch, 4),
                "loss": round(value, 6),
                "lr": float(f"{scheduler.get_last_lr()[0]:.6g}"),
            }
        )
        bar.set_postfix(loss=f"{value:.3f}")
        bar.update()
        if step % schedule.save_every == 0 and step < total:
            _save_resume(accelerator, scheduler, resume_dir, fingerprint, step, curve)
    bar.close()
    accelerator.wait_for_everyone()
    if accelerator.is_main_process:
        params = {
            "settings": settings.to_json(),
            "schedule": asdict(schedule),
            "micro_batch": micro_batch,
            "processes": state.num_processes,
            "gradient_accumulation": steps,
            "train_records_sha256": data_hash,
            "base_model": str(base_model),
            "base_config_sha256": base_hash,
            "geometry_source": geometry_source,
            "geometry": geometry_hash,
            "train_scenes": scenes,
            "samples": len(samples),
            "limit": limit,
            "steps": len(curve),
            "final_loss": curve[-1]["loss"] if curve else None,
            "trainable_parameters": sum(p.numel() for p in trainable),
        }
        save_large(
            out_dir,
            accelerator.unwrap_model(model),
            base_model,
            artefact_meta("train-large", seed, params),
            geometry_source,
            geometry_path,
            dtype,
        )
        write_curve(curve_path, curve)
        shutil.rmtree(resume_dir, ignore_errors=True)
    accelerator.wait_for_everyone()


def _save_resume(
    accelerator, scheduler, resume_dir: Path, fingerprint: str, step: int, curve: list[dict]
) -> None:
    accelerator.save_state(str(resume_dir / STATE))
    if accelerator.is_main_process:
        write_json(
            resume_dir / PROGRESS,
            {
                "fingerprint": fingerprint,
                "step": step,
                "curve": curve,
                "scheduler": scheduler.state_dict(),
            },
        )
    accelerator.wait_for_everyone()


def _resume(accelerator, scheduler, resume_dir: Path, fingerprint: str) -> tuple[int, list]:
    """(step, curve) to continue from: 0 and [] unless a state of this very run is there."""
    path = resume_dir / PROGRESS
    if not path.is_file():
        return 0, []
    progress = read_json(path)
    if progress.get("fingerprint") != fingerprint:
        print(f"ignoring {resume_dir}: saved for other inputs or settings")
        return 0, []
    accelerator.load_state(str(resume_dir / STATE))  # tensors load with weights_only=True
    scheduler.load_state_dict(progress["scheduler"])
    print(f"resuming from step {progress['step']} ({resume_dir})")
    return int(progress["step"]), list(progress["curve"])

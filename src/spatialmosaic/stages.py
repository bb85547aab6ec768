"""Stage entry points: read the inputs, call one pure computation, write one artefact.

Each function here backs one CLI subcommand (and so one Snakemake rule). Computations live in
the stage subpackages; this module only wires files to them and records provenance.
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import numpy as np
import yaml

from spatialmosaic.config import load_config
from spatialmosaic.io import ArtefactError, atomic_dir, atomic_path, read_json, write_json
from spatialmosaic.provenance import artefact_meta, derive_rng
from spatialmosaic.records import QuestionType
from spatialmosaic.scene_io import (
    SCENE_FORMAT,
    read_cameras,
    read_scene,
    read_scene_objects,
    read_scene_payload,
    write_cameras,
    write_scene,
)


def check_config(configfiles: list[Path]) -> None:
    config = load_config(*configfiles)
    sys.stdout.write(yaml.safe_dump(config, sort_keys=True))


def build_scene(
    name: str,
    seed: int,
    furniture_dir: Path,
    licences: tuple[str, ...],
    objects_min: int,
    objects_max: int,
    scene_json: Path,
    mesh_ply: Path,
) -> None:
    from spatialmosaic.paths import builtin_scene_index
    from spatialmosaic.scenes.builtin import FurnitureLibrary, build_builtin_scene, room_type_of

    library = FurnitureLibrary(furniture_dir, licences)
    rng = derive_rng(seed, "scenes", name)
    room_type = room_type_of(builtin_scene_index(name), seed)
    scene = build_builtin_scene(name, library, rng, objects_min, objects_max, room_type)
    params = {"licences": list(licences), "objects_min": objects_min, "objects_max": objects_max}
    write_scene(scene_json, mesh_ply, scene, artefact_meta("scenes", seed, params))


def build_street(name: str, seed: int, scene_json: Path, mesh_ply: Path) -> None:
    from spatialmosaic.scenes.street import build_street_scene

    scene = build_street_scene(name, derive_rng(seed, "scenes", name))
    write_scene(scene_json, mesh_ply, scene, artefact_meta("scenes", seed, {}))


def acquire_waymo(segments: list[str], split: str, root: Path, bucket: str) -> None:
    from spatialmosaic.scenes.waymo_acquire import acquire_segments

    acquire_segments(segments, split, root, bucket)


def waymo_scene(
    root: Path,
    segment: str,
    snapshot: int,
    snapshots: int,
    width: int,
    name: str,
    scene_json: Path,
    mesh_ply: Path,
    cameras_json: Path,
    images_dir: Path,
) -> None:
    """Snapshot ``snapshot`` of ``snapshots`` evenly spaced timestamps of a segment."""
    from dataclasses import replace

    from spatialmosaic.scenes.waymo import load_snapshot, segment_timestamps, write_snapshot
    from spatialmosaic.scenes.waymo_acquire import verify_segments

    verify_segments([segment], root.name, root.parent)  # root is <dataset>/<split>
    timestamps = segment_timestamps(root, segment)
    if not 0 <= snapshot < snapshots or not timestamps:
        raise ValueError(f"segment {segment}: no snapshot {snapshot} of {snapshots}")
    index = round(snapshot * (len(timestamps) - 1) / max(snapshots - 1, 1))
    loaded = load_snapshot(root, segment, timestamps[index], width)
    loaded = replace(loaded, scene=replace(loaded.scene, name=name))
    params = {"segment": segment, "timestamp_micros": timestamps[index], "width": width}
    write_snapshot(
        loaded,
        scene_json,
        mesh_ply,
        cameras_json,
        images_dir,
        artefact_meta("scenes", None, params),
    )


def acquire_scannetpp(
    root: Path,
    scenes: list[str],
    device: str,
    script: Path,
    config: Path | None,
    token_env: str,
) -> None:
    from spatialmosaic.scenes.scannetpp import Device
    from spatialmosaic.scenes.scannetpp_acquire import acquire_scene

    for scene_id in scenes:
        acquire_scene(root, scene_id, Device(device), script, config, token_env)


def scannetpp_scene(
    root: Path,
    scene_id: str,
    device: str,
    frames: int,
    width: int,
    scene_json: Path,
    mesh_ply: Path,
    cameras_json: Path,
    images_dir: Path,
) -> None:
    """One ScanNet++ scene: its scan, ``frames`` evenly spaced cameras and their photos."""
    from spatialmosaic.scenes.captures import write_capture
    from spatialmosaic.scenes.scannetpp import Device, load_capture
    from spatialmosaic.scenes.scannetpp_acquire import verify_scene

    verify_scene(root, scene_id, Device(device))  # digests, where a download recorded them
    capture = load_capture(root, scene_id, Device(device), frames, width)
    params = {"scene_id": scene_id, "device": device, "frames": frames, "width": width}
    meta = artefact_meta("scenes", None, params)
    write_capture(capture, scene_json, mesh_ply, cameras_json, images_dir, meta)


def scannet_scene(
    root: Path,
    scene: str,
    frames_from: str,
    export_root: Path | None,
    frames: int,
    width: int,
    scene_json: Path,
    mesh_ply: Path,
    cameras_json: Path,
    images_dir: Path,
) -> None:
    """One ScanNet v2 scan: its mesh, ``frames`` evenly spaced cameras and their photos."""
    from spatialmosaic.scenes.captures import write_capture
    from spatialmosaic.scenes.scannet import FrameSource, load_capture

    capture = load_capture(root, scene, FrameSource(frames_from), frames, width, export_root)
    params = {"scene": scene, "frames_from": frames_from, "frames": frames, "width": width}
    meta = artefact_meta("scenes", None, params)
    write_capture(capture, scene_json, mesh_ply, cameras_json, images_dir, meta)


def infinigen_env(python: str, requirements: Path, stamp: Path) -> None:
    """Infinigen's own virtual environment (the folder of ``stamp``), from the pinned
    requirements (docs/infinigen.md)."""
    from spatialmosaic.scenes.infinigen_run import create_env

    create_env(stamp.parent, requirements, python, stamp)


def infinigen_generate(
    env_stamp: Path,
    seed: int,
    configs: list[str],
    overrides: list[str],
    timeout_s: int,
    niceness: int,
    keep_blend: bool,
    manifest_json: Path,
    meshes_npz: Path,
) -> None:
    """One Infinigen room, generated in the environment of ``env_stamp`` and exported to the
    interchange files."""
    from spatialmosaic.scenes.infinigen_run import generate_export

    venv = env_stamp.parent
    generate_export(
        venv, seed, configs, overrides, timeout_s, niceness, manifest_json, meshes_npz, keep_blend
    )


def infinigen_scene(
    manifest_json: Path, meshes_npz: Path, name: str, scene_json: Path, mesh_ply: Path
) -> None:
    """An Infinigen export as a scene (cameras come from the walkthrough rule)."""
    from spatialmosaic.scenes.infinigen import load_infinigen_scene

    scene = load_infinigen_scene(name, manifest_json, meshes_npz)
    params = {"generator": scene.info["generator"]}
    write_scene(scene_json, mesh_ply, scene, artefact_meta("scenes", None, params))


def rig(scene_json: Path, seed: int, steps: int, width: int, dest: Path) -> None:
    from spatialmosaic.views.rig import RIG_HFOV_DEG, rig_cameras

    payload = read_json(scene_json, kind=SCENE_FORMAT)
    name, info = payload["scene_name"], payload["info"]
    if "ego_path_x_m" not in info:
        raise ArtefactError(f"{scene_json}: no ego_path_x_m; the rig drives built-in streets")
    rng = derive_rng(seed, "views", name)
    cameras = rig_cameras(tuple(info["ego_path_x_m"]), info["ego_lane_y_m"], rng, steps, width)
    params = {"steps": steps, "width": width, "hfov_deg": RIG_HFOV_DEG, "rig": "waymo-5"}
    write_cameras(dest, name, cameras, artefact_meta("views", seed, params))


def walkthrough(
    scene_json: Path,
    seed: int,
    n_frames: int,
    width: int,
    height: int,
    hfov_deg: float,
    eye_height_range_m: tuple[float, float],
    dest: Path,
) -> None:
    from spatialmosaic.views.walkthrough import scene_walkthrough

    name, objects, _ = read_scene_objects(scene_json)
    info = read_scene_payload(scene_json)["info"]
    if "room_outline_m" not in info:
        raise ArtefactError(
            f"{scene_json}: no room_outline_m; walkthroughs are for built-in rooms (rebuild it)"
        )
    cameras = scene_walkthrough(
        info,
        objects,
        derive_rng(seed, "views", name),
        n_frames=n_frames,
        width=width,
        height=height,
        hfov_deg=hfov_deg,
        eye_height_range_m=eye_height_range_m,
    )
    params = {
        "frames": n_frames,
        "width": width,
        "height": height,
        "hfov_deg": hfov_deg,
        "eye_height_range_m": list(eye_height_range_m),
    }
    write_cameras(dest, name, cameras, artefact_meta("views", seed, params))


def render(
    scene_json: Path,
    mesh_ply: Path,
    cameras_json: Path,
    out_dir: Path,
    jpeg_quality: int,
    backend: str,
    photos_dir: Path | None = None,
    supersample: int = 1,
) -> None:
    from spatialmosaic.raycast import resolve_backend
    from spatialmosaic.render.frames import render_scene

    scene, cameras = read_scene(scene_json, mesh_ply), read_cameras(cameras_json)
    render_scene(
        scene, cameras, out_dir, jpeg_quality, resolve_backend(backend), photos_dir, supersample
    )


def visibility(
    scene_json: Path,
    mesh_ply: Path,
    cameras_json: Path,
    render_dir: Path,
    min_visible_pixels: int,
    voxel_m: float,
    backend: str,
    dest: Path,
    points_dest: Path,
) -> None:
    from spatialmosaic.raycast import resolve_backend
    from spatialmosaic.visibility.observe import observe_scene
    from spatialmosaic.visibility.table import write_points, write_visibility

    scene = read_scene(scene_json, mesh_ply)
    backend_used = resolve_backend(backend)
    result, points = observe_scene(
        scene, read_cameras(cameras_json), render_dir, min_visible_pixels, voxel_m, backend_used
    )
    params = {
        "min_visible_pixels": min_visible_pixels,
        "overlap_voxel_m": voxel_m,
        "backend": backend,
        "backend_used": backend_used,
    }
    write_visibility(dest, result, artefact_meta("visibility", None, params))
    write_points(points_dest, points, artefact_meta("visibility", None, params))


def visibility_example(
    scene_json: Path,
    mesh_ply: Path,
    cameras_json: Path,
    render_dir: Path,
    visibility_json: Path,
    backend: str,
    dest: Path,
) -> None:
    from spatialmosaic.raycast import resolve_backend
    from spatialmosaic.visibility.example import write_example
    from spatialmosaic.visibility.table import read_visibility

    backend_used = resolve_backend(backend)
    params = {"backend": backend, "backend_used": backend_used}
    write_example(
        dest,
        read_scene(scene_json, mesh_ply),
        read_cameras(cameras_json),
        render_dir,
        read_visibility(visibility_json),
        backend_used,
        artefact_meta("visibility", None, params),
    )


def visibility_crosscheck(
    scene_json: Path,
    mesh_ply: Path,
    cameras_json: Path,
    render_dir: Path,
    visibility_json: Path,
    n_frames: int,
    dest: Path,
) -> None:
    from spatialmosaic.visibility.crosscheck import CROSSCHECK_TOLERANCE, compare_scene, violations
    from spatialmosaic.visibility.observe import AMODAL_MARGIN
    from spatialmosaic.visibility.table import read_visibility

    cameras = read_cameras(cameras_json)
    chosen = [cameras[k] for k in np.linspace(0, len(cameras) - 1, n_frames).round().astype(int)]
    summary = compare_scene(
        read_scene(scene_json, mesh_ply),
        list({camera.frame_id: camera for camera in chosen}.values()),
        read_visibility(visibility_json),
        render_dir,
        AMODAL_MARGIN,
    )
    broken = violations(summary)
    if broken:
        raise ArtefactError(
            f"{visibility_json}: the independent rasteriser disagrees: {'; '.join(broken)}"
        )
    params = {"frames": n_frames, "tolerance": dataclasses.asdict(CROSSCHECK_TOLERANCE)}
    write_json(dest, {**summary, "meta": artefact_meta("visibility", None, params)})


def viewsets(
    visibility_json: Path,
    seed: int,
    count: int,
    min_views: int,
    max_views: int,
    max_overlap: float,
    max_tries: int,
    condition_targets: dict[str, float],
    occluded_min_ratio: float,
    dest: Path,
) -> None:
    from spatialmosaic.views.viewsets import sample_viewsets, write_viewsets
    from spatialmosaic.visibility.table import read_visibility

    result = read_visibility(visibility_json)
    rng = derive_rng(seed, "viewsets", result.scene_name)
    chosen, achieved = sample_viewsets(
        result,
        rng,
        count,
        min_views,
        max_views,
        max_overlap,
        max_tries,
        condition_targets,
        occluded_min_ratio,
    )
    params = {
        "count": count,
        "min_views": min_views,
        "max_views": max_views,
        "max_overlap": max_overlap,
        "max_tries": max_tries,
        "condition_targets": condition_targets,
        "occluded_min_ratio": occluded_min_ratio,
        "sampled": len(chosen),
        "condition_shares": achieved,
    }
    write_viewsets(dest, chosen, artefact_meta("viewsets", seed, params))


def scene_facts(scene_json: Path, cameras_json: Path, visibility_json: Path):
    """What the question generators read about a scene (``qa.context.SceneFacts``)."""
    from spatialmosaic.qa.context import SceneFacts
    from spatialmosaic.visibility.table import read_visibility

    name, objects, dataset = read_scene_objects(scene_json)
    sizes = {
        camera.frame_id: (camera.width, camera.height) for camera in read_cameras(cameras_json)
    }
    return SceneFacts.build(name, objects, read_visibility(visibility_json), sizes, dataset)


def generate_questions(
    scene_json: Path,
    cameras_json: Path,
    visibility_json: Path,
    viewsets_json: Path,
    seed: int,
    types: tuple[str, ...],
    per_viewset: int,
    dest: Path,
) -> None:
    from spatialmosaic.qa.generate import generate_scene_questions, write_scene_questions
    from spatialmosaic.views.viewsets import read_viewsets

    question_types = tuple(QuestionType(value) for value in types)
    records, wrong_pools = generate_scene_questions(
        scene_facts(scene_json, cameras_json, visibility_json),
        read_viewsets(viewsets_json),
        question_types,
        per_viewset,
        seed,
    )
    params = {"question_types": list(types), "questions_per_viewset": per_viewset}
    write_scene_questions(dest, records, wrong_pools, artefact_meta("qa", seed, params))


def export(kind: str, scene_files: list[Path], seed: int, dest: Path, llava: Path | None) -> None:
    from spatialmosaic.qa.generate import export_split

    meta = artefact_meta(f"qa-export-{kind}", seed, {"scenes": [p.stem for p in scene_files]})
    export_split(scene_files, seed, dest, llava, meta)


def _scene_files(
    scene_jsons: list[Path], cameras: list[Path], visibility: list[Path]
) -> dict[str, tuple[Path, Path, Path]]:
    """Scene name -> (scene.json, cameras, visibility), from the layout's file names."""
    by_name = {path.parent.name: path for path in scene_jsons}
    camera_by_name = {path.stem: path for path in cameras}
    visibility_by_name = {path.stem: path for path in visibility}
    if not by_name.keys() == camera_by_name.keys() == visibility_by_name.keys():
        raise ArtefactError(
            "scene, camera and visibility files name different scenes: "
            f"{sorted(by_name)} / {sorted(camera_by_name)} / {sorted(visibility_by_name)}"
        )
    return {n: (by_name[n], camera_by_name[n], visibility_by_name[n]) for n in sorted(by_name)}


def verify_questions(
    split_files: list[Path],
    scene_jsons: list[Path],
    cameras: list[Path],
    visibility: list[Path],
    dest: Path,
) -> None:
    """Re-derive every answer with the independent verifier; any mismatch fails the stage."""
    from spatialmosaic.qa.generate import iter_benchmark
    from spatialmosaic.qa.verify import load_scene_facts, verify_records

    files = _scene_files(scene_jsons, cameras, visibility)
    cache: dict[str, object] = {}

    def facts_for_scene(name: str):
        if name not in files:
            raise ArtefactError(f"a question names scene {name!r}, which is not among the inputs")
        if name not in cache:
            cache.clear()  # records arrive scene by scene: keep one scene in memory
            cache[name] = load_scene_facts(*files[name])
        return cache[name]

    summary = {
        path.name: verify_records(iter_benchmark(path), facts_for_scene) for path in split_files
    }
    broken = {name: s for name, s in summary.items() if s["problems"]}
    if broken:
        examples = [e for s in broken.values() for e in s["examples"]][:5]
        raise ArtefactError(
            f"the verifier disagrees with the generator in {sorted(broken)}: " + "; ".join(examples)
        )
    write_json(dest, {"splits": summary, "meta": artefact_meta("qa-verify", None, {})})


def qa_statistics(
    benchmark: Path, train_records: Path, dest: Path, csv: Path, markdown: Path, latex: Path
) -> None:
    from spatialmosaic.qa.generate import iter_benchmark
    from spatialmosaic.qa.report import dataset_statistics, write_statistics_table

    stats = dataset_statistics(
        {"train": iter_benchmark(train_records), "test": iter_benchmark(benchmark)}
    )
    write_json(dest, {"splits": stats, "meta": artefact_meta("qa-stats", None, {})})
    write_statistics_table(stats, csv, markdown, latex)


def qa_datasheet(stats_json: Path, scene_jsons: list[Path], facts: dict, dest: Path) -> None:
    """``facts``: the config values the datasheet quotes (``qa.report.datasheet``)."""
    from spatialmosaic.qa.report import datasheet

    stats = read_json(stats_json)["splits"]
    scenes = [read_json(path, kind=SCENE_FORMAT) for path in scene_jsons]
    text = datasheet(stats, scenes, facts)
    with atomic_path(dest) as tmp:
        tmp.write_text(text, encoding="utf-8")


def qa_parquet(benchmark: Path, train_records: Path, datasheet_md: Path, dest: Path) -> None:
    from spatialmosaic.qa.generate import iter_benchmark
    from spatialmosaic.qa.parquet import write_parquet_dataset

    splits = {"train": iter_benchmark(train_records), "test": iter_benchmark(benchmark)}
    write_parquet_dataset(dest, splits, datasheet_md.read_text(encoding="utf-8"))


def qa_lmms_eval(parquet_dir: Path, image_root: Path, dest: Path) -> None:
    from spatialmosaic.qa.lmms_eval_task import write_lmms_eval_task

    with atomic_dir(dest) as tmp:
        write_lmms_eval_task(tmp, parquet_dir, image_root, split="test")


def qa_blind_check(
    train_records: Path,
    benchmark: Path,
    seed: int,
    dest: Path,
    tables: tuple[Path, Path, Path],
) -> None:
    """``tables``: the CSV, Markdown and LaTeX paths of the per-type table."""
    from spatialmosaic.qa.blind import blind_check, blind_check_frame
    from spatialmosaic.qa.generate import iter_benchmark
    from spatialmosaic.reporting.tables import write_table

    report = blind_check(iter_benchmark(train_records), iter_benchmark(benchmark), seed)
    write_json(dest, {**report, "meta": artefact_meta("qa-blind-check", seed, {})})
    write_table(blind_check_frame(report), *tables, index=False)


def train_large(
    train_records: Path,
    benchmark: Path,
    image_root: Path,
    base_model: Path,
    out: Path,
    curve: Path,
    seed: int,
    geometry: str,
    geometry_encoder: Path | None,
    vggt_weights: Path | None,
    schedule: dict,
    lora: dict,
    micro_batch: int,
    fusion_heads: int,
    limit: int | None,
    gradient_checkpointing: bool,
    workers: int,
) -> None:
    """The paper's recipe on a local 7B VLM (``training.large``); ``schedule`` holds the
    ``Schedule`` fields, ``lora`` the ``lora_*`` fields of ``LargeSettings``."""
    from spatialmosaic.models.large import LargeSettings
    from spatialmosaic.training.large import train_large as run
    from spatialmosaic.training.loop import Schedule

    if geometry_encoder is not None and vggt_weights is not None:
        raise ValueError("give --geometry-encoder (ours) or --vggt-weights (VGGT-1B), not both")
    source, path = None, None
    if geometry_encoder is not None:
        source, path = "ours", geometry_encoder
    elif vggt_weights is not None:
        source, path = "vggt", vggt_weights
    settings = LargeSettings(geometry=geometry, fusion_heads=fusion_heads, **lora)
    run(
        train_records,
        benchmark,
        image_root,
        base_model,
        out,
        curve,
        settings,
        Schedule(**schedule),
        seed,
        micro_batch,
        source,
        path,
        limit,
        gradient_checkpointing,
        workers,
    )


def train_frequency(train_set: Path, dest: Path) -> None:
    from spatialmosaic.training.frequency import fit_frequency, write_frequency_model

    records = read_json(train_set)
    if not isinstance(records, list) or not records:
        raise ArtefactError(f"{train_set}: expected a non-empty JSON list of training records")
    write_frequency_model(dest, fit_frequency(records), artefact_meta("train", None, {}))


def train_blind(train_records: Path, dest: Path) -> None:
    from spatialmosaic.qa.generate import iter_benchmark
    from spatialmosaic.training.blind import fit_blind_model, write_blind_model

    model = fit_blind_model(iter_benchmark(train_records))
    if not model.type_answers and not model.priors.letters:
        raise ArtefactError(f"{train_records}: no training records to fit the blind model on")
    write_blind_model(dest, model, artefact_meta("train", None, {"model": "blind"}))


def train_vision(
    scene_jsons: list[Path],
    render_dirs: list[Path],
    benchmark: Path,
    out: Path,
    curve: Path,
    seed: int,
    min_visible_pixels: int,
    config,
    schedule,
) -> None:
    from spatialmosaic.qa.generate import iter_benchmark
    from spatialmosaic.training.loop import check_scene_disjoint
    from spatialmosaic.training.vision import train_vision_encoder

    scenes = [read_scene_objects(path)[0] for path in scene_jsons]
    check_scene_disjoint(scenes, {r.scene_name for r in iter_benchmark(benchmark)}, benchmark)
    train_vision_encoder(
        scene_jsons, render_dirs, out, curve, config, schedule, seed, min_visible_pixels
    )


def train_geometry(
    train_records: Path,
    benchmark: Path,
    cameras: list[Path],
    render_root: Path,
    out: Path,
    curve: Path,
    seed: int,
    config,
    schedule,
) -> None:
    from spatialmosaic.training.geometry import train_geometry_encoder

    train_geometry_encoder(
        train_records, benchmark, cameras, render_root, out, curve, config, schedule, seed
    )


def train_vlm(
    train_records: Path,
    benchmark: Path,
    image_root: Path,
    out: Path,
    curve: Path,
    seed: int,
    settings,
    schedule,
    **encoders,
) -> None:
    from spatialmosaic.training.vlm import train_vlm as train

    train(train_records, benchmark, image_root, out, curve, settings, schedule, seed, **encoders)


def train_language(
    train_records: Path,
    benchmark: Path,
    out: Path,
    curve: Path,
    seed: int,
    config,
    schedule,
    format_epochs: float,
) -> None:
    from spatialmosaic.training.language import train_language_model

    train_language_model(
        train_records, benchmark, out, curve, config, schedule, seed, format_epochs
    )


def convert_smollm2(out: Path) -> None:
    from spatialmosaic.models.small import convert_smollm2 as convert

    convert(out)


def evaluate(
    model_name: str,
    label: str | None,
    benchmark: Path,
    seed: int,
    predictions: Path,
    metrics: Path,
    image_root: Path | None = None,
    circular: bool = False,
    model_file: Path | None = None,
    **settings,
) -> None:
    from spatialmosaic.evaluate.models import build_model
    from spatialmosaic.evaluate.run import evaluate_model, write_evaluation
    from spatialmosaic.qa.generate import read_benchmark

    records = read_benchmark(benchmark)
    if not records:
        raise ArtefactError(f"{benchmark}: the benchmark holds no records")
    settings = {key: value for key, value in settings.items() if value is not None}
    model = build_model(model_name, seed, model_file, **settings)
    rows = evaluate_model(model, records, image_root, circular)
    params = {
        "model": model_name,
        "benchmark": str(benchmark),
        "circular": circular,
        **{key: str(value) for key, value in settings.items() if "key" not in key},
    }
    meta = artefact_meta("evaluate", seed, params)
    write_evaluation(predictions, metrics, label or model_name, rows, records, seed, meta)


def table(metrics_files: list[Path], csv_path: Path, markdown_path: Path, latex: Path) -> None:
    from spatialmosaic.reporting.tables import results_frame, write_table

    write_table(results_frame(metrics_files), csv_path, markdown_path, latex)


def breakdown_table(
    metrics_files: list[Path], csv_path: Path, markdown_path: Path, latex: Path
) -> None:
    from spatialmosaic.reporting.tables import breakdown_frame, write_table

    write_table(breakdown_frame(metrics_files), csv_path, markdown_path, latex, index=False)


def domain_table(
    metrics_files: list[Path], csv_path: Path, markdown_path: Path, latex: Path
) -> None:
    from spatialmosaic.reporting.tables import domain_frame, write_table

    write_table(domain_frame(metrics_files), csv_path, markdown_path, latex, index=False)


def radar_figure(table_csv: Path, pdf: Path, png: Path) -> None:
    from spatialmosaic.reporting.figures import radar_by_domain

    radar_by_domain(table_csv, pdf, png)


def street_figure(render_dirs: list[Path], pdf: Path, png: Path) -> None:
    from spatialmosaic.reporting.figures import street_frames

    street_frames(render_dirs, pdf, png)


def scene_card(scene_json: Path, cameras_json: Path, card_json: Path, card_md: Path) -> None:
    from spatialmosaic.reporting.scene_card import write_scene_card

    write_scene_card(scene_json, cameras_json, card_json, card_md)


def scene_examples_figure(
    render_dirs: list[Path], scene_jsons: list[Path], pdf: Path, png: Path
) -> None:
    from spatialmosaic.reporting.scene_examples import main

    main(render_dirs, scene_jsons, pdf, png)


def visibility_figure(visibility_jsons: list[Path], example: Path, pdf: Path, png: Path) -> None:
    from spatialmosaic.reporting.figures import visibility_overview

    visibility_overview(visibility_jsons, example, pdf, png)


def figure(table_csv: Path, pdf: Path, png: Path) -> None:
    from spatialmosaic.reporting.figures import baselines_by_type

    baselines_by_type(table_csv, pdf, png)


def dataset_comparison(stats_json: Path, peers_yaml: Path, tables: tuple[Path, Path, Path]):
    """``tables``: CSV, Markdown and LaTeX paths of Table 1."""
    from spatialmosaic.reporting.dataset_comparison import main

    main(stats_json, peers_yaml, *tables)


def task_distribution_figure(stats_json: Path, pdf: Path, png: Path) -> None:
    from spatialmosaic.reporting.task_distribution import main

    main(stats_json, pdf, png)


def example_questions_figure(
    benchmark: Path, render_dirs: list[Path], seed: int, pdf: Path, png: Path
) -> None:
    from spatialmosaic.reporting.example_questions import main

    main(benchmark, render_dirs, seed, pdf, png)


def report_values(stats_json: Path, metrics_files: list[Path], dest: Path, tex_dir: Path) -> None:
    from spatialmosaic.reporting.values import collect_values, write_values

    write_values(collect_values(stats_json, metrics_files), dest, tex_dir)


def quote_values(values_json: Path, documents: list[Path], update: bool) -> None:
    from spatialmosaic.reporting.values import quote_values

    quote_values(values_json, documents, update)


def generate_dvc(dest: Path, check: bool) -> None:
    from spatialmosaic.dvc_stages import write_dvc_yaml

    write_dvc_yaml(dest, check=check)


def ablation_table(
    metrics_files: list[Path], variants: list[str], csv: Path, markdown: Path, latex: Path
) -> None:
    from spatialmosaic.reporting.models import Variant, ablation_frame
    from spatialmosaic.reporting.tables import write_table

    frame = ablation_frame(metrics_files, [Variant.parse(v) for v in variants])
    write_table(frame, csv, markdown, latex)


def training_curves_figure(curves: list[Path], pdf: Path, png: Path) -> None:
    from spatialmosaic.reporting.models import training_curves

    training_curves(curves, pdf, png)


def scaling_figure(
    metrics_files: list[Path], variants: list[str], stats: Path, pdf: Path, png: Path
) -> None:
    from spatialmosaic.reporting.models import Variant, scaling_curve

    scaling_curve(metrics_files, [Variant.parse(v) for v in variants], stats, pdf, png)

"""Benchmark the visibility engine: raw ray casts against the full per-view annotation.

For each scene and backend it times, view by view and interleaved (so that machine load hits
both alike), (a) one raw full-frame cast of the whole scene (``Raycaster.cast_image``) and
(b) the full annotation of that view (``SceneAnnotator.annotate``: every object's S_full,
S_in, S_vis, boxes, depths, distances and the view's overlap voxels), and reports rays per
second, views per second and the ratio (b) / (a). The goal is a ratio of at most 3.

Scenes: a built-in room (default config: CC0 catalog, 640x480 walkthrough) and a synthetic
scene of about 1M triangles (16 finely tessellated spheres on a floor before a wall).

    python benchmarks/visibility.py                       # open3d-cpu (+ warp-cuda if present)
    python benchmarks/visibility.py --backends open3d-cpu warp-cpu

Results go to ``benchmarks/results/visibility.{json,md}``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from spatialmosaic.provenance import library_versions
from spatialmosaic.raycast import cuda_driver_present, make_raycaster, resolve_backend
from spatialmosaic.records import CameraFrame
from spatialmosaic.render.frames import depth_to_png_mm, png_mm_to_depth, render_frame
from spatialmosaic.scene_io import Scene
from spatialmosaic.views.walkthrough import (
    builtin_room_walkthrough,
    intrinsics_from_fov,
    look_rotation,
)
from spatialmosaic.visibility.observe import SceneAnnotator

RESULTS = Path(__file__).parent / "results"
GOAL_RATIO = 3.0
MIN_VISIBLE_PIXELS, VOXEL_M = 100, 0.05


def _sphere(centre: np.ndarray, radius: float, n_lat: int, n_lon: int):
    lat = np.linspace(0, np.pi, n_lat + 1)
    lon = np.linspace(0, 2 * np.pi, n_lon, endpoint=False)
    theta, phi = np.meshgrid(lat, lon, indexing="ij")
    vertices = centre + radius * np.stack(
        [np.sin(theta) * np.cos(phi), np.sin(theta) * np.sin(phi), np.cos(theta)], axis=-1
    ).reshape(-1, 3)
    i, j = np.meshgrid(np.arange(n_lat), np.arange(n_lon), indexing="ij")
    a, b = i * n_lon + j, i * n_lon + (j + 1) % n_lon
    c, d = a + n_lon, b + n_lon
    triangles = np.concatenate([np.stack([a, b, d], -1), np.stack([a, d, c], -1)]).reshape(-1, 3)
    return vertices, triangles


def synthetic_megamesh(width: int, height: int, frames: int) -> tuple[Scene, list[CameraFrame]]:
    """About 1M triangles: 16 spheres of 62,500 triangles, a floor and a back wall (Z up)."""
    parts = []
    for k in range(16):
        centre = np.array([1.0 + 1.2 * (k % 4), 3.0 + 1.2 * (k // 4), 0.5])
        parts.append((k + 1, "ball", False, _sphere(centre, 0.5, 125, 250)))
    floor = np.array([[-5, -5, 0], [15, -5, 0], [15, 15, 0], [-5, 15, 0.0]])
    wall = np.array([[-5, 9, 0], [15, 9, 0], [15, 9, 4], [-5, 9, 4.0]])
    quad = np.array([[0, 1, 2], [0, 2, 3]])
    parts += [(17, "floor", True, (floor, quad)), (18, "wall", True, (wall, quad))]
    scene = Scene.from_parts("synthetic_1m", parts, grey=180)
    K_px = tuple(tuple(row) for row in intrinsics_from_fov(width, height, 67.0).tolist())
    cameras = []
    for k in range(frames):
        angle = np.radians(-30 + 60 * k / max(frames - 1, 1))
        eye = np.array([2.8 + 3.0 * np.sin(angle), 3.6 - 1.5 - 0.8 * (k % 2), 1.4])
        T_world_cam = np.eye(4)
        T_world_cam[:3, :3] = look_rotation(np.array([np.sin(angle) * 0.3, 1.0, -0.35]))
        T_world_cam[:3, 3] = eye
        cameras.append(
            CameraFrame(
                f"frame_{k:06d}",
                K_px,
                tuple(tuple(float(v) for v in row) for row in T_world_cam),
                width,
                height,
            )
        )
    return scene, cameras


def _timed(function):
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def bench(scene: Scene, cameras: list[CameraFrame], backend: str, repeats: int) -> dict:
    build_s, raycaster = _timed(
        lambda: make_raycaster(scene.vertices_world_m, scene.triangles, backend)
    )
    annotator_s, annotator = _timed(
        lambda: SceneAnnotator(scene, MIN_VISIBLE_PIXELS, VOXEL_M, backend)
    )
    raycaster.cast_image(cameras[0])  # warm-up (Warp loads or compiles its kernels here)
    raw_s, full_s, observations = [], [], 0
    for camera in cameras:
        images = render_frame(raycaster, scene, camera)
        depth = png_mm_to_depth(depth_to_png_mm(images.depth_z_m))  # as the pipeline reads it
        raw, full = [], []
        for _ in range(repeats):
            raw.append(_timed(lambda c=camera: raycaster.cast_image(c))[0])
            elapsed, (found, _) = _timed(
                lambda c=camera, i=images.instance, d=depth: annotator.annotate(c, i, d)
            )
            full.append(elapsed)
        raw_s.append(min(raw))
        full_s.append(min(full))
        observations += len(found)
    pixels = cameras[0].width * cameras[0].height
    ratios = [f / r for f, r in zip(full_s, raw_s, strict=True)]
    return {
        "backend": backend,
        "views": len(cameras),
        "resolution": [cameras[0].width, cameras[0].height],
        "triangles": int(len(scene.triangles)),
        "objects": sum(not obj.structural for obj in scene.objects),
        "observations": observations,
        "bvh_build_s": round(build_s, 3),
        "annotator_build_s": round(annotator_s, 3),
        "raw_cast_rays_per_s": round(pixels * len(raw_s) / sum(raw_s)),
        "raw_cast_ms_per_view": round(1000 * sum(raw_s) / len(raw_s), 1),
        "annotation_views_per_s": round(len(full_s) / sum(full_s), 3),
        "annotation_ms_per_view": round(1000 * sum(full_s) / len(full_s), 1),
        "ratio_total": round(sum(full_s) / sum(raw_s), 2),
        "ratio_median": round(statistics.median(ratios), 2),
        "ratio_max": round(max(ratios), 2),
    }


def write_markdown(payload: dict, dest: Path) -> None:
    lines = [
        "# Visibility engine benchmark",
        "",
        f"Measured {payload['date']} on {payload['machine']} "
        f"({payload['cpus']} CPUs, CUDA: {payload['cuda']}). "
        f"Times are the best of {payload['repeats']} per view; goal: ratio <= {GOAL_RATIO}.",
        "",
        "| scene | backend | triangles | views | raw cast (Mrays/s) | raw ms/view "
        "| annotation ms/view | views/s | ratio (total) | ratio (median, max) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in payload["results"]:
        lines.append(
            f"| {row['scene']} | {row['backend']} | {row['triangles']:,} | {row['views']} "
            f"| {row['raw_cast_rays_per_s'] / 1e6:.2f} | {row['raw_cast_ms_per_view']} "
            f"| {row['annotation_ms_per_view']} | {row['annotation_views_per_s']} "
            f"| {row['ratio_total']} | {row['ratio_median']}, {row['ratio_max']} |"
        )
    if not payload["cuda"]:
        lines += ["", "No CUDA device on this machine: no CUDA figures were measured."]
    dest.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backends", nargs="+", default=None)
    parser.add_argument("--views", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--width", type=int, default=640)
    parser.add_argument("--height", type=int, default=480)
    parser.add_argument("--out", type=Path, default=RESULTS / "visibility.json")
    args = parser.parse_args()
    cuda = cuda_driver_present() and resolve_backend("auto") == "warp-cuda"
    backends = args.backends or ["open3d-cpu"] + (["warp-cuda"] if cuda else [])
    scenes = {
        "builtin_room": builtin_room_walkthrough(0, 60, args.width, args.height),
        "synthetic_1m": synthetic_megamesh(args.width, args.height, args.views),
    }
    results = []
    for scene_name, (scene, cameras) in scenes.items():
        step = max(len(cameras) // args.views, 1)
        chosen = cameras[::step][: args.views]
        for backend in backends:
            row = {"scene": scene_name, **bench(scene, chosen, backend, args.repeats)}
            print(json.dumps(row))
            results.append(row)
    payload = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "machine": f"{platform.system()} {platform.machine()}",
        "cpus": os.cpu_count(),
        "cuda": cuda,
        "repeats": args.repeats,
        "goal_ratio": GOAL_RATIO,
        "versions": library_versions(),
        "results": results,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    write_markdown(payload, args.out.with_suffix(".md"))
    print(f"wrote {args.out} and {args.out.with_suffix('.md')}")


if __name__ == "__main__":
    main()

"""A small rendered dataset in the pipeline's own formats, for the training tests.

Two scenes (one for training, one for the benchmark), each with four 48 x 64 frames in the
render layout (``images/``, ``depth/``, ``instance/``), a scene file with a chair and a table,
cameras, and official-format records whose answer depends on the frames: the count of chairs
is the number of frames that show the red chair square.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from bench_records import bench_record
from spatialmosaic import stages
from spatialmosaic.io import write_json, write_png16
from spatialmosaic.models.settings import GeometryEncoderConfig, Schedule
from spatialmosaic.records import CameraFrame, QuestionType, SceneObject
from spatialmosaic.scene_io import Scene, write_cameras, write_scene
from spatialmosaic.scenes.meshes import box_mesh

HEIGHT, WIDTH = 48, 64
FRAMES = ("frame_000000", "frame_000001", "frame_000002", "frame_000003")
CHAIR, TABLE = 10, 11
TRAIN_SCENE, EVAL_SCENE = "ours_indoor_0000", "ours_indoor_0001"


@dataclass(frozen=True)
class Dataset:
    root: Path
    train_records: Path
    benchmark: Path
    scene_jsons: list[Path]  # training scenes only
    render_dirs: list[Path]
    cameras: list[Path]
    render_root: Path


def _scene(name: str) -> Scene:
    vertices, triangles = [], []
    for offset, (lo, hi) in enumerate([((0, 0, 0), (0.5, 0.5, 0.9)), ((2, 0, 0), (3, 1, 0.7))]):
        corners, faces = box_mesh(np.array(lo, float), np.array(hi, float))
        vertices.append(corners)
        triangles.append(faces + 8 * offset)
    objects = (
        SceneObject(CHAIR, "chair", False, (0, 0, 0), (0.5, 0.5, 0.9)),
        SceneObject(TABLE, "table", False, (2, 0, 0), (3, 1, 0.7)),
    )
    return Scene(
        name=name,
        objects=objects,
        vertices_world_m=np.concatenate(vertices),
        triangles=np.concatenate(triangles),
        face_instance=np.repeat(np.array([CHAIR, TABLE], np.uint16), 12),
        face_rgb=np.repeat(np.array([[200, 30, 30], [30, 30, 200]], np.uint8), 12, axis=0),
        info={"room_size_m": [4.0, 4.0, 2.5]},
    )


def _frame(render_dir: Path, frame: str, chair: bool) -> None:
    rgb = np.full((HEIGHT, WIDTH, 3), 128, np.uint8)
    instance = np.zeros((HEIGHT, WIDTH), np.uint16)
    instance[28:44, 36:60], rgb[28:44, 36:60] = TABLE, (30, 30, 200)
    if chair:
        instance[8:24, 4:20], rgb[8:24, 4:20] = CHAIR, (200, 30, 30)
    depth = np.where(instance > 0, 2000, 0).astype(np.uint16)
    for kind, image in (("depth", depth), ("instance", instance)):
        write_png16(render_dir / kind / f"{frame}.png", image)
    (render_dir / "images").mkdir(parents=True, exist_ok=True)
    Image.fromarray(rgb).save(render_dir / "images" / f"{frame}.jpg", quality=95)


def _camera(frame: str, index: int) -> CameraFrame:
    K = ((50.0, 0.0, WIDTH / 2), (0.0, 50.0, HEIGHT / 2), (0.0, 0.0, 1.0))
    pose = np.eye(4)
    pose[0, 3] = 0.5 * index  # each frame half a metre further along x
    return CameraFrame(frame, K, tuple(map(tuple, pose.tolist())), WIDTH, HEIGHT)


def _records(scene: str, with_chair: dict[str, bool], count: int) -> list:
    rng = np.random.default_rng(len(scene) + count)
    records = []
    for index in range(count):
        frames = tuple(sorted(rng.choice(FRAMES, size=int(rng.integers(2, 5)), replace=False)))
        chairs = sum(with_chair[f] for f in frames)
        numeric = index % 2 == 1
        options = [str(c) for c in (chairs, (chairs + 1) % 5, (chairs + 2) % 5, (chairs + 3) % 5)]
        rng.shuffle(options)
        letter = "ABCD"[options.index(str(chairs))]
        records.append(
            bench_record(
                id=f"{scene}_{index:03d}",
                scene_name=scene,
                frames=frames,
                question_type=QuestionType.OBJ_COUNT_NA if numeric else QuestionType.OBJ_COUNT,
                options=tuple(f"{x}. {text}" for x, text in zip("ABCD", options, strict=True)),
                ground_truth=str(chairs),
                mc_answer=letter,
            )
        )
    return records


def write_dataset(root: Path, train_count: int = 48, eval_count: int = 12) -> Dataset:
    with_chair = {frame: index % 2 == 0 for index, frame in enumerate(FRAMES)}
    meta = {"stage": "test", "seed": 0, "params": {}, "versions": {}}
    scene_jsons, render_dirs, cameras = [], [], []
    for scene in (TRAIN_SCENE, EVAL_SCENE):
        scene_json = root / "scenes" / scene / "scene.json"
        write_scene(scene_json, scene_json.with_name("mesh.ply"), _scene(scene), meta)
        render_dir = root / "render" / scene
        for frame in FRAMES:
            _frame(render_dir, frame, with_chair[frame])
        camera_file = root / "views" / f"{scene}.json"
        write_cameras(camera_file, scene, [_camera(f, i) for i, f in enumerate(FRAMES)], meta)
        if scene == TRAIN_SCENE:
            scene_jsons, render_dirs, cameras = [scene_json], [render_dir], [camera_file]
    train_records = root / "train_records.json"
    benchmark = root / "benchmark.json"
    for path, scene, count in (
        (train_records, TRAIN_SCENE, train_count),
        (benchmark, EVAL_SCENE, eval_count),
    ):
        write_json(path, [record.to_json() for record in _records(scene, with_chair, count)])
    return Dataset(
        root, train_records, benchmark, scene_jsons, render_dirs, cameras, root / "render"
    )


GEOMETRY = GeometryEncoderConfig(height=24, width=32, patch=8, dim=16, blocks=1, heads=2)


def train_geometry(data: Dataset, out: Path, schedule: Schedule) -> None:
    """A small geometry encoder on the dataset's training view sets (``out`` and ``out.csv``)."""
    stages.train_geometry(
        data.train_records,
        data.benchmark,
        data.cameras,
        data.render_root,
        out,
        out.with_suffix(".csv"),
        0,
        GEOMETRY,
        schedule,
    )

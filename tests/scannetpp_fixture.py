"""A tiny ScanNet++ scene in the real layout and formats (tests; synthetic, no ScanNet++ data).

Files and keys as the official toolkit names them (``common/scene_release.py``): a binary
little-endian ``scans/mesh_aligned_0.05.ply`` (vertex ``float x y z``, ``uchar red green
blue``; face ``list uchar int vertex_indices``), ``scans/segments.json`` (``segIndices``),
``scans/segments_anno.json`` (``segGroups`` of ``id objectId segments label obb``),
``iphone/pose_intrinsic_imu.json`` (``frame_NNNNNN``: ``timestamp intrinsic pose imu
aligned_pose``), a real H.264 ``iphone/rgb.mkv``, and a DSLR folder (nerfstudio
``transforms.json``, ``resized_images/``, COLMAP ``images.txt``).

Closed form: a 1 m cabinet cube [-0.5, 0.5] x [-0.5, 0.5] x [0, 1] stands on a 4 m floor with
a wall behind it. Camera 0 sits at (0, -3, 0.5) looking along +Y with f = 40 px on a 64x48
image (principal point at the centre), so the cube's front face (2.5 m away) spans
u in [24, 40], v in [16, 32]: pixel columns 24..39 and rows 16..31. Cameras 1.. move 0.1 m
along +X each. A cube labelled "remove" and one in no segment group become ``unlabelled``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from PIL import Image

from spatialmosaic.scenes.meshes import box_mesh

SCENE_ID = "0a1b2c3d4e"
WIDTH, HEIGHT, FOCAL_PX = 64, 48, 40.0
K_PX = np.array([[FOCAL_PX, 0, WIDTH / 2], [0, FOCAL_PX, HEIGHT / 2], [0, 0, 1]])
N_FRAMES = 5
CAMERA_0_M = np.array([0.0, -3.0, 0.5])
STEP_X_M = 0.1
# OpenCV camera axes (x right, y down, z forward) as columns in the world: looking along +Y.
R_WORLD_CAM = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, -1.0, 0.0]])
CABINET_COLUMNS, CABINET_ROWS = (24, 39), (16, 31)  # camera 0, inclusive pixel indices
# (label or None, segment id, object id or None, (vertices, triangles), rgb)
CABINET_LO, CABINET_HI = np.array([-0.5, -0.5, 0.0]), np.array([0.5, 0.5, 1.0])


def _quad(corners: list[list[float]]) -> tuple[np.ndarray, np.ndarray]:
    return np.array(corners, dtype=np.float64), np.array([[0, 1, 2], [0, 2, 3]])


_SMALL = np.array([0.5, 0.5, 0.5])
REMOVED_LO, LOOSE_LO = np.array([1.25, -1.75, 0]), np.array([-1.75, -1.75, 0])
PARTS = (
    ("floor", 10, 0, _quad([[-2, -2, 0], [2, -2, 0], [2, 2, 0], [-2, 2, 0]]), (150, 140, 120)),
    ("wall", 11, 1, _quad([[-2, 2, 0], [2, 2, 0], [2, 2, 2.5], [-2, 2, 2.5]]), (220, 220, 210)),
    ("cabinet", 12, 2, box_mesh(CABINET_LO, CABINET_HI), (120, 60, 30)),
    ("remove", 13, 3, box_mesh(REMOVED_LO, REMOVED_LO + _SMALL), (9, 9, 9)),
    (None, 14, None, box_mesh(LOOSE_LO, LOOSE_LO + _SMALL), (5, 5, 5)),
)


RING_RADIUS_M, RING_EYE_M, RING_PITCH_RAD = 1.5, 1.5, np.radians(35)


def _ring_object(index: int, label: str, size: tuple[float, float, float]) -> tuple:
    """An object on a 1.5 m circle, in the direction ring camera ``index`` looks."""
    angle = 2 * np.pi * index / N_FRAMES
    centre = RING_RADIUS_M * np.array([np.cos(angle), np.sin(angle), 0.0])
    half = np.array(size) / 2 * [1, 1, 0]
    mesh = box_mesh(centre - half, centre + half + [0, 0, size[2]])
    return (label, 20 + index, 10 + index, mesh, (60 + 30 * index, 90, 160 - 20 * index))


# For runs of the workflow: objects all around, seen by cameras that look five ways, so view
# sets with little overlap exist (the closed-form tests use PARTS and camera 0 only).
FURNISHED_PARTS = PARTS + tuple(
    _ring_object(i, label, size)
    for i, (label, size) in enumerate([("chair", (0.5, 0.5, 0.8)), ("chair", (0.5, 0.5, 0.8)),
                                       ("table", (1.0, 0.8, 0.7)), ("lamp", (0.3, 0.3, 1.4)),
                                       ("box", (0.6, 0.6, 0.4))])
)  # fmt: skip


def ring_world_from_cam(index: int) -> np.ndarray:
    """Ring camera ``index``: at the room centre, 1.5 m up, looking out and 35 deg down."""
    yaw, pitch = 2 * np.pi * index / N_FRAMES, RING_PITCH_RAD
    forward = np.array([np.cos(yaw) * np.cos(pitch), np.sin(yaw) * np.cos(pitch), -np.sin(pitch)])
    right = np.array([np.sin(yaw), -np.cos(yaw), 0.0])
    T = np.eye(4)
    T[:3, :3] = np.stack([right, np.cross(forward, right), forward], axis=1)
    T[:3, 3] = (0, 0, RING_EYE_M)
    return T


def scan_arrays(parts: tuple = PARTS) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Vertices [N, 3] (world), colours [N, 3] uint8, triangles [M, 3], segIndices [N]."""
    vertices, rgb, triangles, segments, offset = [], [], [], [], 0
    for _, segment, _, (part_vertices, part_triangles), colour in parts:
        vertices.append(part_vertices)
        rgb.append(np.tile(np.array(colour, dtype=np.uint8), (len(part_vertices), 1)))
        triangles.append(part_triangles + offset)
        segments.append(np.full(len(part_vertices), segment))
        offset += len(part_vertices)
    return (np.concatenate(vertices), np.concatenate(rgb), np.concatenate(triangles),
            np.concatenate(segments))  # fmt: skip


def seg_groups(parts: tuple = PARTS) -> list[dict]:
    return [
        {
            "id": object_id,
            "objectId": object_id,
            "segments": [segment],
            "label": label,
            "obb": {"centroid": [0, 0, 0], "axesLengths": [1, 1, 1], "normalizedAxes": [1] * 9},
        }
        for label, segment, object_id, _, _ in parts
        if object_id is not None
    ]


def write_vertex_ply(
    path: Path, vertices: np.ndarray, rgb: np.ndarray, triangles: np.ndarray, alpha: bool = False
) -> None:
    """Binary little-endian PLY as ScanNet / ScanNet++ store their meshes."""
    fields = [("x", "<f4"), ("y", "<f4"), ("z", "<f4"), ("red", "u1"), ("green", "u1"),
              ("blue", "u1")] + ([("alpha", "u1")] if alpha else [])  # fmt: skip
    vertex = np.empty(len(vertices), dtype=fields)
    for axis, key in enumerate("xyz"):
        vertex[key] = vertices[:, axis]
    for channel, key in enumerate(("red", "green", "blue")):
        vertex[key] = rgb[:, channel]
    if alpha:
        vertex["alpha"] = 255
    face = np.empty(len(triangles), dtype=[("n", "u1"), ("vertex_indices", "<i4", (3,))])
    face["n"], face["vertex_indices"] = 3, triangles
    header = ["ply", "format binary_little_endian 1.0", f"element vertex {len(vertex)}"]
    header += [f"property {'float' if kind == '<f4' else 'uchar'} {name}" for name, kind in fields]
    header += [f"element face {len(face)}", "property list uchar int vertex_indices"]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(("\n".join(header + ["end_header"]) + "\n").encode() + vertex.tobytes()
                     + face.tobytes())  # fmt: skip


def world_from_cam(index: int) -> np.ndarray:
    """Camera ``index`` to world, OpenCV axes."""
    T = np.eye(4)
    T[:3, :3] = R_WORLD_CAM
    T[:3, 3] = CAMERA_0_M + [STEP_X_M * index, 0, 0]
    return T


def frame_rgb(index: int) -> np.ndarray:
    """A flat colour per frame, so a test can tell which frame it got."""
    colour = np.array([20 + 40 * index, 120, 220 - 40 * index], dtype=np.uint8)
    return np.broadcast_to(colour, (HEIGHT, WIDTH, 3)).copy()


def write_video(path: Path, frames: list[np.ndarray], fps: int = 30) -> None:
    """A real H.264 video (the container follows the suffix: .mkv or .mp4)."""
    import av

    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        for rgb in frames:
            for packet in stream.encode(av.VideoFrame.from_ndarray(rgb, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


def write_json(path: Path, payload: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload))


def write_scan(scene_dir: Path, scene_id: str = SCENE_ID, parts: tuple = PARTS) -> None:
    vertices, rgb, triangles, segments = scan_arrays(parts)
    write_vertex_ply(scene_dir / "scans" / "mesh_aligned_0.05.ply", vertices, rgb, triangles)
    write_json(scene_dir / "scans" / "segments.json",
               {"sceneId": scene_id, "segIndices": segments.tolist()})  # fmt: skip
    write_json(scene_dir / "scans" / "segments_anno.json",
               {"sceneId": scene_id, "segGroups": seg_groups(parts)})  # fmt: skip


def pose_entries(pose=world_from_cam) -> dict[str, dict]:
    """``pose_intrinsic_imu.json``: ``pose`` is ARKit's raw pose (OpenGL axes, not aligned)."""
    return {
        f"frame_{index:06d}": {
            "timestamp": 1000.0 + index / 60,
            "intrinsic": K_PX.tolist(),
            "pose": (pose(index) @ np.diag([1.0, -1, -1, 1])).tolist(),
            "aligned_pose": pose(index).tolist(),
            "imu": {"gravity": [0, 0, -9.81], "rotation_rate": [0, 0, 0]},
        }
        for index in range(N_FRAMES)
    }


def write_scene(
    root: Path,
    scene_id: str = SCENE_ID,
    video: str | None = "rgb.mkv",
    jpegs: bool = False,
    furnished: bool = False,
) -> Path:
    """``root/data/<scene_id>/`` with the scan and iPhone data; returns ``root``. Furnished:
    ``FURNISHED_PARTS`` seen by the ring cameras."""
    scene_dir = root / "data" / scene_id
    write_scan(scene_dir, scene_id, FURNISHED_PARTS if furnished else PARTS)
    poses = pose_entries(ring_world_from_cam if furnished else world_from_cam)
    write_json(scene_dir / "iphone" / "pose_intrinsic_imu.json", poses)
    frames = [frame_rgb(i) for i in range(N_FRAMES)]
    if video:
        write_video(scene_dir / "iphone" / video, frames)
    if jpegs:
        for index, rgb in enumerate(frames):
            path = scene_dir / "iphone" / "rgb" / f"frame_{index:06d}.jpg"
            path.parent.mkdir(parents=True, exist_ok=True)
            Image.fromarray(rgb).save(path, quality=95)
    return root


def quaternion_wxyz(R: np.ndarray) -> tuple[float, float, float, float]:
    """Unit quaternion of a rotation with trace > -1 (enough for these cameras)."""
    w = np.sqrt(1.0 + np.trace(R)) / 2
    return (w, (R[2, 1] - R[1, 2]) / (4 * w), (R[0, 2] - R[2, 0]) / (4 * w),
            (R[1, 0] - R[0, 1]) / (4 * w))  # fmt: skip


def write_dslr(
    root: Path, scene_id: str = SCENE_ID, fisheye_k: tuple[float, ...] = (0.0, 0.0, 0.0, 0.0)
) -> Path:
    """``dslr/``: nerfstudio transforms (OPENCV_FISHEYE), resized_images, colmap/images.txt."""
    dslr = root / "data" / scene_id / "dslr"
    frames, colmap = [], ["# Image list with two lines of data per image:"]
    for index in range(N_FRAMES):
        name = f"DSC{index:05d}.JPG"
        path = dslr / "resized_images" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(frame_rgb(index)).save(path, quality=95)
        gl = world_from_cam(index) @ np.diag([1.0, -1, -1, 1])  # nerfstudio: OpenGL axes
        frames.append({"file_path": name, "transform_matrix": gl.tolist(), "is_bad": False,
                       "mask_path": name.replace(".JPG", ".png")})  # fmt: skip
        T_cam_world = np.linalg.inv(world_from_cam(index))
        qw, qx, qy, qz = quaternion_wxyz(T_cam_world[:3, :3])
        tx, ty, tz = T_cam_world[:3, 3]
        colmap += [f"{index + 1} {qw} {qx} {qy} {qz} {tx} {ty} {tz} 1 {name}", "1.0 2.0 -1"]
    frames[-1]["is_bad"] = True  # nerfstudio's flag for a frame to leave out
    camera = {"fl_x": FOCAL_PX, "fl_y": FOCAL_PX, "cx": WIDTH / 2, "cy": HEIGHT / 2, "w": WIDTH,
              "h": HEIGHT, "camera_model": "OPENCV_FISHEYE", "has_mask": True}  # fmt: skip
    camera.update({f"k{i + 1}": k for i, k in enumerate(fisheye_k)})
    write_json(dslr / "nerfstudio" / "transforms.json",
               {**camera, "frames": frames[:3], "test_frames": frames[3:]})  # fmt: skip
    (dslr / "colmap").mkdir(parents=True, exist_ok=True)
    (dslr / "colmap" / "images.txt").write_text("\n".join(colmap) + "\n")
    return root

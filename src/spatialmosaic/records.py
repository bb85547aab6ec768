"""Typed records that stages exchange, defined once (SPEC §3-4).

Every file a stage writes is either one of these records serialised with ``to_json`` or a
documented image/mesh format (see ``docs/formats.md``). Field names follow the official
benchmark JSON exactly; odd keys such as ``"GT Scenario"`` are mapped in ``to_json``/``from_json``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import Enum
from typing import Any


class Metric(Enum):
    """How a question type is scored (SPEC §5)."""

    ACCURACY = "accuracy"  # first-token multiple-choice accuracy
    MRA = "mra"  # mean relative accuracy
    MPA = "mpa"  # mean point accuracy


class QuestionType(Enum):
    """The 17 official ``question_type`` strings (SPEC §3)."""

    OBJ_COUNT = "obj_count_occ"
    BESTVIEW_COUNT = "bestview_count_occ"
    OBJ_EXISTENCE_AB = "obj_existence_occ_ab"
    OBJ_EXISTENCE_FB = "obj_existence_occ_fb"
    OBJ_EXISTENCE_LR = "obj_existence_occ_lr"
    OBJ_ATTRIBUTE_AB = "obj_attribute_occ_ab"
    OBJ_ATTRIBUTE_FB = "obj_attribute_occ_fb"
    OBJ_ATTRIBUTE_LR = "obj_attribute_occ_lr"
    OBJ_SPATIAL_AB = "obj_spatial_occ_ab"
    OBJ_SPATIAL_FB = "obj_spatial_occ_fb"
    OBJ_SPATIAL_LR = "obj_spatial_occ_lr"
    OBJ_LOCALIZATION = "obj_localization_occ"
    OBJ_COUNT_NA = "obj_count_occ_na"
    OBJ_DISTANCE_NA = "obj_distance_occ_na"
    OBJ_OBJ_DISTANCE_NA = "obj_obj_distance_occ_na"
    OBJ_SIZE_NA = "obj_size_occ_na"
    OBJ_LOCALIZATION_NA = "obj_localization_occ_na"

    @property
    def metric(self) -> Metric:
        if self is QuestionType.OBJ_LOCALIZATION_NA:
            return Metric.MPA
        if self.value.endswith("_na"):
            return Metric.MRA
        return Metric.ACCURACY

    @property
    def task(self) -> str:
        """The paper's 11-task grouping: ``_ab/_fb/_lr`` variants share one task."""
        name = self.value
        for suffix in ("_ab", "_fb", "_lr"):
            if name.endswith(suffix):
                return name[: -len(suffix)]
        return name

    def asked_in(self, domain: Domain) -> bool:
        """Outdoor scenes get 9 of the 11 tasks: no attribute, no size (SPEC §3)."""
        return domain is Domain.INDOOR or self.task not in OUTDOOR_EXCLUDED_TASKS


class Dataset(Enum):
    SCANNETPP = "scannetpp"
    WAYMO = "waymo"
    OURS = "ours"
    SCANNET = "scannet"  # ScanNet v2 scans (not in the paper; an extra indoor source)


class Domain(Enum):
    """The paper reports indoor (ScanNet++) and outdoor (Waymo) results separately (SPEC §1)."""

    INDOOR = "indoor"
    OUTDOOR = "outdoor"


# Built-in scenes say their domain in their name (``paths.builtin_scene_names``).
OUTDOOR_SCENE_PREFIX = "ours_outdoor_"
OUTDOOR_EXCLUDED_TASKS = ("obj_attribute_occ", "obj_size_occ_na")


def scene_domain(dataset: Dataset, scene_name: str) -> Domain:
    """Waymo and built-in street scenes are outdoor; everything else is indoor."""
    if dataset is Dataset.WAYMO or (
        dataset is Dataset.OURS and scene_name.startswith(OUTDOOR_SCENE_PREFIX)
    ):
        return Domain.OUTDOOR
    return Domain.INDOOR


OPTION_LETTERS = ("A", "B", "C", "D")


class OccLevel(Enum):
    """Bucket of ``occlusion_avg`` (thresholds are ours: ``qa.levels``)."""

    LOW = "Low Occlusion"
    MEDIUM = "Medium Occlusion"
    HIGH = "High Occlusion"


class OverlapLevel(Enum):
    """Bucket of ``overlap_avg`` (thresholds are ours: ``qa.levels``)."""

    LOW = "Low Overlap"
    MEDIUM = "Medium Overlap"
    HIGH = "High Overlap"


class VisLevel(Enum):
    """Are the target instances visible in every frame of the set, or only in some?"""

    FULLY_VISIBLE = "Fully Visible"
    PARTIALLY_VISIBLE = "Partially Visible"


class GTScenario(Enum):
    """Do the frames together show every instance of the target category in the scene?"""

    FULL_COVERAGE = "Full Coverage"
    PARTIAL_COVERAGE = "Partial Coverage"


@dataclass(frozen=True, slots=True)
class BenchRecord:
    """One benchmark question in the official SpatialMosaic-Bench JSON format (SPEC §4)."""

    dataset: Dataset
    scene_name: str
    question_type: QuestionType
    frames: tuple[str, ...]
    question: str
    options: tuple[str, ...]
    ground_truth: str
    mc_answer: str
    overlap_avg: float
    occlusion_avg: float
    occ_level: str
    overlap_level: str
    vis_level: str
    gt_scenario: str
    id: str
    bbox_2d: tuple[float, ...] = ()
    bbox_2d_diag: str = "0"

    def __post_init__(self) -> None:
        if not 2 <= len(self.frames) <= 5:
            raise ValueError(f"record {self.id}: {len(self.frames)} frames; need 2-5 (SPEC §1)")
        if len(self.options) != len(OPTION_LETTERS):
            raise ValueError(f"record {self.id}: {len(self.options)} options; need 4")
        for letter, option in zip(OPTION_LETTERS, self.options, strict=True):
            if not option.startswith(f"{letter}. "):
                raise ValueError(
                    f"record {self.id}: option {option!r} must start with '{letter}. '"
                )
        if self.mc_answer not in OPTION_LETTERS:
            raise ValueError(f"record {self.id}: mc_answer={self.mc_answer!r}; need one of A-D")
        for name in ("overlap_avg", "occlusion_avg"):
            value = getattr(self, name)
            if not (math.isfinite(value) and 0.0 <= value <= 1.0):
                raise ValueError(f"record {self.id}: {name}={value}; expected 0..1")

    @property
    def domain(self) -> Domain:
        return scene_domain(self.dataset, self.scene_name)

    def to_json(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset.value,
            "scene_name": self.scene_name,
            "question_type": self.question_type.value,
            "frames": list(self.frames),
            "question": self.question,
            "options": list(self.options),
            "ground_truth": self.ground_truth,
            "mc_answer": self.mc_answer,
            "overlap_avg": self.overlap_avg,
            "occlusion_avg": self.occlusion_avg,
            "occ_level": self.occ_level,
            "overlap_level": self.overlap_level,
            "vis_level": self.vis_level,
            "GT Scenario": self.gt_scenario,
            "id": self.id,
            "bbox_2d": list(self.bbox_2d),
            "bbox_2d_diag": self.bbox_2d_diag,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> BenchRecord:
        try:
            return cls(
                dataset=Dataset(data["dataset"]),
                scene_name=data["scene_name"],
                question_type=QuestionType(data["question_type"]),
                frames=tuple(data["frames"]),
                question=data["question"],
                options=tuple(data["options"]),
                ground_truth=str(data["ground_truth"]),
                mc_answer=data["mc_answer"],
                overlap_avg=float(data["overlap_avg"]),
                occlusion_avg=float(data["occlusion_avg"]),
                occ_level=data["occ_level"],
                overlap_level=data["overlap_level"],
                vis_level=data["vis_level"],
                gt_scenario=data["GT Scenario"],
                id=str(data["id"]),
                bbox_2d=tuple(data.get("bbox_2d") or ()),
                bbox_2d_diag=str(data.get("bbox_2d_diag", "0")),
            )
        except KeyError as missing:
            raise ValueError(
                f"benchmark record {data.get('id', '?')}: missing key {missing}"
            ) from None


# --- Scenes and cameras --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SceneObject:
    """One instance in a scene. Structural classes (wall, floor, ...) occlude but are no targets.

    ``bbox_min_m``/``bbox_max_m`` are the axis-aligned 3D box in the scene's world frame
    (metres, Z up). ``source`` names where the geometry came from (catalog, model, licence).
    """

    instance_id: int
    category: str
    structural: bool
    bbox_min_m: tuple[float, float, float]
    bbox_max_m: tuple[float, float, float]
    source: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not 1 <= self.instance_id <= 65535:
            raise ValueError(f"instance_id={self.instance_id}: need 1..65535 (16-bit id images)")
        if any(lo > hi for lo, hi in zip(self.bbox_min_m, self.bbox_max_m, strict=True)):
            raise ValueError(f"instance {self.instance_id}: bbox_min {self.bbox_min_m} > max")

    def to_json(self) -> dict[str, Any]:
        return {
            "instance_id": self.instance_id,
            "category": self.category,
            "structural": self.structural,
            "bbox_min_m": list(self.bbox_min_m),
            "bbox_max_m": list(self.bbox_max_m),
            "source": dict(self.source),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SceneObject:
        return cls(
            instance_id=int(data["instance_id"]),
            category=data["category"],
            structural=bool(data["structural"]),
            bbox_min_m=tuple(float(v) for v in data["bbox_min_m"]),
            bbox_max_m=tuple(float(v) for v in data["bbox_max_m"]),
            source=dict(data.get("source", {})),
        )


@dataclass(frozen=True, slots=True)
class CameraFrame:
    """A pinhole camera: OpenCV axes (x right, y down, z forward), pixel centres at +0.5.

    ``T_world_cam`` is camera-to-world (as ScanNet++ ``aligned_pose``), row-major 4x4.
    """

    frame_id: str
    K_px: tuple[tuple[float, float, float], ...]
    T_world_cam: tuple[tuple[float, float, float, float], ...]
    width: int
    height: int

    def __post_init__(self) -> None:
        values = [v for row in (*self.K_px, *self.T_world_cam) for v in row]
        if len(self.K_px) != 3 or len(self.T_world_cam) != 4 or not all(map(math.isfinite, values)):
            raise ValueError(f"frame {self.frame_id}: K must be 3x3 and T 4x4 with finite values")

    def to_json(self) -> dict[str, Any]:
        return {
            "frame_id": self.frame_id,
            "K_px": [list(row) for row in self.K_px],
            "T_world_cam": [list(row) for row in self.T_world_cam],
            "width": self.width,
            "height": self.height,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CameraFrame:
        return cls(
            frame_id=data["frame_id"],
            K_px=tuple(tuple(float(v) for v in row) for row in data["K_px"]),
            T_world_cam=tuple(tuple(float(v) for v in row) for row in data["T_world_cam"]),
            width=int(data["width"]),
            height=int(data["height"]),
        )


# --- Visibility ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Observation:
    """One object seen from one frame (SPEC §2). Pixel areas count pixel centres.

    ``pixels_full`` is S_full (silhouette alone on the unbounded image plane), ``pixels_in_image``
    S_in, ``pixels_visible`` S_vis. Ratios are None where their denominator is 0 (0/0 undefined).
    Boxes are ``(x_min, y_min, x_max, y_max)`` in pixels, inclusive pixel indices:
    ``bbox_2d_visible`` bounds the visible pixels, ``bbox_2d_amodal`` the in-image part of the
    silhouette (S_in). ``camera_distance_m`` is the Euclidean distance from the camera centre to
    the centre of the object's 3D box. ``voxels_visible`` counts the overlap voxels its visible
    pixels fall in. ``visible`` means S_vis >= the visibility file's
    ``min_visible_pixels``.
    """

    frame_id: str
    instance_id: int
    pixels_full: int
    pixels_in_image: int
    pixels_visible: int
    bbox_2d_visible: tuple[int, int, int, int] | None
    center_2d_visible: tuple[float, float] | None
    depth_min_m: float | None
    depth_median_m: float | None
    depth_max_m: float | None
    visible: bool
    bbox_2d_amodal: tuple[int, int, int, int] | None = None
    camera_distance_m: float | None = None
    voxels_visible: int | None = None

    @property
    def truncation(self) -> float | None:
        return None if self.pixels_full == 0 else 1.0 - self.pixels_in_image / self.pixels_full

    @property
    def occlusion(self) -> float | None:
        return (
            None if self.pixels_in_image == 0 else 1.0 - self.pixels_visible / self.pixels_in_image
        )

    @property
    def visible_fraction(self) -> float | None:
        return None if self.pixels_full == 0 else self.pixels_visible / self.pixels_full

    @property
    def occlusion_ratio(self) -> float | None:
        """The paper's combined ratio: hidden by other objects or by the image border."""
        fraction = self.visible_fraction
        return None if fraction is None else 1.0 - fraction

    def to_json(self) -> dict[str, Any]:
        return {
            "frame_id": self.frame_id,
            "instance_id": self.instance_id,
            "pixels_full": self.pixels_full,
            "pixels_in_image": self.pixels_in_image,
            "pixels_visible": self.pixels_visible,
            "truncation": self.truncation,
            "occlusion": self.occlusion,
            "visible_fraction": self.visible_fraction,
            "occlusion_ratio": self.occlusion_ratio,
            "bbox_2d_visible": None if self.bbox_2d_visible is None else list(self.bbox_2d_visible),
            "center_2d_visible": (
                None if self.center_2d_visible is None else list(self.center_2d_visible)
            ),
            "depth_min_m": self.depth_min_m,
            "depth_median_m": self.depth_median_m,
            "depth_max_m": self.depth_max_m,
            "visible": self.visible,
            "bbox_2d_amodal": None if self.bbox_2d_amodal is None else list(self.bbox_2d_amodal),
            "camera_distance_m": self.camera_distance_m,
            "voxels_visible": self.voxels_visible,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Observation:
        box, centre = data["bbox_2d_visible"], data["center_2d_visible"]
        return cls(
            frame_id=data["frame_id"],
            instance_id=int(data["instance_id"]),
            pixels_full=int(data["pixels_full"]),
            pixels_in_image=int(data["pixels_in_image"]),
            pixels_visible=int(data["pixels_visible"]),
            bbox_2d_visible=None if box is None else tuple(int(v) for v in box),
            center_2d_visible=None if centre is None else tuple(float(v) for v in centre),
            depth_min_m=data["depth_min_m"],
            depth_median_m=data["depth_median_m"],
            depth_max_m=data["depth_max_m"],
            visible=bool(data["visible"]),
            bbox_2d_amodal=(
                None
                if data["bbox_2d_amodal"] is None
                else tuple(int(v) for v in data["bbox_2d_amodal"])
            ),
            camera_distance_m=data["camera_distance_m"],
            voxels_visible=data["voxels_visible"],
        )


@dataclass(frozen=True, slots=True)
class ViewSet:
    """2-5 frames of one scene asked about together, with their mean pairwise overlap."""

    viewset_id: str
    scene_name: str
    frames: tuple[str, ...]
    overlap_avg: float

    def __post_init__(self) -> None:
        if not 2 <= len(self.frames) <= 5 or len(set(self.frames)) != len(self.frames):
            raise ValueError(f"view set {self.viewset_id}: need 2-5 distinct frames: {self.frames}")

    def to_json(self) -> dict[str, Any]:
        return {
            "viewset_id": self.viewset_id,
            "scene_name": self.scene_name,
            "frames": list(self.frames),
            "overlap_avg": self.overlap_avg,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ViewSet:
        return cls(
            data["viewset_id"], data["scene_name"], tuple(data["frames"]), data["overlap_avg"]
        )

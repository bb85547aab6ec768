"""The independent verifier on a hand-made scene whose answers are known (docs/qa.md).

Scene (images 100 x 80, so the lr margin is 5 px, the ab margin 4 px; min_visible_pixels 20).
Box centres (x,y), depth in metres, occlusion_ratio = 1 - S_vis / 100:

| frame | chair 1 | chair 2 | lamp 3 | table 4 | cup 5 | sofa 6 |
|---|---|---|---|---|---|---|
| f0 | (15,40) 2.0 .2 | (80,40) 4.0 .6 | (50,10) 3.0 .1 | (50,60) 3.0 .5 | - | - |
| f1 | (30,40) 2.5 .2 | - | (60,15) 3.0 .6 | (60,60) 2.0 .5 | barely | - |
| f2 | - | (50,40) 3.0 .6 | hidden (S_vis 0) | (40,60) 3.5 .5 | - | (20,20) 5.0 .7 |

A bed (7) is in the scene but in no frame; a wall (10) is structural. Overlap IoU: f0-f1 0.08,
f0-f2 0.05, f1-f2 0.20.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from spatialmosaic.io import ArtefactError
from spatialmosaic.qa.verify import SceneFacts, load_scene_facts, verify_record, verify_records
from spatialmosaic.records import (
    BenchRecord,
    CameraFrame,
    Dataset,
    Observation,
    QuestionType,
    SceneObject,
)
from spatialmosaic.scene_io import Scene, write_cameras, write_scene
from spatialmosaic.visibility.table import SceneVisibility, write_visibility

Q = QuestionType
W, H = 100, 80
FRAMES = ("f0", "f1", "f2")
OBJECTS = (
    SceneObject(1, "chair", False, (0.0, 0.0, 0.0), (0.5, 0.5, 1.0)),
    SceneObject(2, "chair", False, (1.0, 0.0, 0.0), (1.5, 0.5, 1.0)),
    SceneObject(3, "lamp", False, (0.0, 0.0, 0.0), (0.4, 0.4, 1.6)),
    SceneObject(4, "table", False, (2.0, 2.0, 0.0), (3.2, 2.8, 0.75)),
    SceneObject(5, "cup", False, (2.5, 2.5, 0.75), (2.6, 2.6, 0.85)),
    SceneObject(6, "sofa", False, (3.0, 0.0, 0.0), (5.0, 1.0, 0.8)),
    SceneObject(7, "bed", False, (6.0, 6.0, 0.0), (8.0, 7.5, 0.5)),
    SceneObject(10, "wall", True, (-1.0, -1.0, 0.0), (9.0, -0.9, 2.5)),
)
# (frame, instance, box centre, depth_median_m, S_vis); S_full = S_in = 100 everywhere.
SEEN = [
    ("f0", 1, (15, 40), 2.0, 80),
    ("f0", 2, (80, 40), 4.0, 40),
    ("f0", 3, (50, 10), 3.0, 90),
    ("f0", 4, (50, 60), 3.0, 50),
    ("f1", 1, (30, 40), 2.5, 80),
    ("f1", 3, (60, 15), 3.0, 40),
    ("f1", 4, (60, 60), 2.0, 50),
    ("f1", 5, (70, 50), 2.0, 5),  # barely visible: 0 < 5 < 20
    ("f2", 2, (50, 40), 3.0, 40),
    ("f2", 3, None, None, 0),  # silhouette in the image, fully hidden: not present
    ("f2", 4, (40, 60), 3.5, 50),
    ("f2", 6, (20, 20), 5.0, 30),
]
IOU = np.array([[1.0, 0.08, 0.05], [0.08, 1.0, 0.2], [0.05, 0.2, 1.0]])


def observation(frame, instance, centre, depth, s_vis) -> Observation:
    box = None if centre is None else (centre[0] - 5, centre[1] - 5, centre[0] + 5, centre[1] + 5)
    return Observation(
        frame_id=frame,
        instance_id=instance,
        pixels_full=100,
        pixels_in_image=100,
        pixels_visible=s_vis,
        bbox_2d_visible=box,
        center_2d_visible=None if centre is None else (float(centre[0]), float(centre[1])),
        depth_min_m=depth,
        depth_median_m=depth,
        depth_max_m=depth,
        visible=s_vis >= 20,
        bbox_2d_amodal=box,
        camera_distance_m=None if depth is None else depth + 0.256,
        voxels_visible=s_vis,
    )


def cameras() -> tuple[CameraFrame, ...]:
    K = ((50.0, 0.0, 50.0), (0.0, 50.0, 40.0), (0.0, 0.0, 1.0))
    T = tuple(tuple(float(i == j) for j in range(4)) for i in range(4))
    return tuple(CameraFrame(frame, K, T, W, H) for frame in FRAMES)


def visibility() -> SceneVisibility:
    observations = tuple(observation(*seen) for seen in SEEN)
    return SceneVisibility("room", FRAMES, observations, IOU, min_visible_pixels=20)


FACTS = SceneFacts(OBJECTS, cameras(), visibility())

LOW_OCC, MED_OCC, HIGH_OCC = "Low Occlusion", "Medium Occlusion", "High Occlusion"
LOW_OV, MED_OV, HIGH_OV = "Low Overlap", "Medium Overlap", "High Overlap"
FULLY, PARTLY = "Fully Visible", "Partially Visible"
FULL, PARTIAL = "Full Coverage", "Partial Coverage"
EXISTENCE = ["Yes", "No, it appears only in other frames", "No, it is not in any of these frames"]

# One hand-derived correct record per case: (question_type, frames, question, option texts,
# correct letter, ground_truth, overlap_avg, occlusion_avg, levels, extra fields).
CORRECT: dict[str, dict] = {
    # chairs 1 and 2; 0..max(2+3, 4); occlusion (.2+.2+.6+.6)/4.
    "count": dict(
        qt=Q.OBJ_COUNT,
        frames=FRAMES,
        question="How many chair(s) are visible across these frames?",
        options=["3", "2", "0", "5"],
        mc="B",
        gt="2",
        overlap=0.11,
        occ=0.4,
        levels=(MED_OCC, MED_OV, PARTLY, FULL),
    ),
    "count_na": dict(
        qt=Q.OBJ_COUNT_NA,
        frames=("f0", "f1"),
        question="How many lamp(s) are visible across these frames?",
        options=["1", "2", "3", "4"],
        mc="A",
        gt="1",
        overlap=0.08,
        occ=0.35,
        levels=(MED_OCC, LOW_OV, FULLY, FULL),
    ),
    # f0 shows 2 chairs, f1 and f2 one each.
    "bestview": dict(
        qt=Q.BESTVIEW_COUNT,
        frames=FRAMES,
        question="How many chair(s) are visible across these frames, and which frame shows the "
        "most of them?",
        options=[
            "1 chair(s); Frame 1",
            "2 chair(s); Frame 2",
            "3 chair(s); Frame 3",
            "2 chair(s); Frame 1",
        ],
        mc="D",
        gt="2 chair(s); Frame 1",
        overlap=0.11,
        occ=0.4,
        levels=(MED_OCC, MED_OV, PARTLY, FULL),
    ),
    # One lamp in f0 and f1: tied counts, S_vis 90 >= 1.25 * 40 breaks the tie.
    "bestview_tie_broken": dict(
        qt=Q.BESTVIEW_COUNT,
        frames=("f0", "f1"),
        question="How many lamp(s) are visible across these frames, and which frame shows the "
        "most of them?",
        options=[
            "1 lamp(s); Frame 2",
            "2 lamp(s); Frame 1",
            "1 lamp(s); Frame 1",
            "2 lamp(s); Frame 2",
        ],
        mc="C",
        gt="1 lamp(s); Frame 1",
        overlap=0.08,
        occ=0.35,
        levels=(MED_OCC, LOW_OV, FULLY, FULL),
    ),
    # f0: chair 1 at x 15 is left of the lamp at 50 (chair 2 at 80 is right): Yes.
    "existence_lr": dict(
        qt=Q.OBJ_EXISTENCE_LR,
        frames=FRAMES,
        question="In Frame 1, is there a chair to the left of the lamp?",
        options=["No, only to the right of it", *EXISTENCE],
        mc="B",
        gt="Yes",
        overlap=0.11,
        occ=2.3 / 6,
        levels=(MED_OCC, MED_OV, PARTLY, FULL),
    ),
    # f1: the lamp (y 15) is above the table (y 60).
    "existence_ab": dict(
        qt=Q.OBJ_EXISTENCE_AB,
        frames=("f0", "f1"),
        question="In Frame 2, is there a lamp below the table?",
        options=[*EXISTENCE, "No, only above it"],
        mc="D",
        gt="No, only above it",
        overlap=0.08,
        occ=0.425,
        levels=(MED_OCC, LOW_OV, FULLY, FULL),
    ),
    # f2 hides the lamp entirely (S_vis 0); f0 and f1 show it.
    "existence_fb": dict(
        qt=Q.OBJ_EXISTENCE_FB,
        frames=FRAMES,
        question="In Frame 3, is there a lamp closer to the camera than the table?",
        options=[*EXISTENCE, "No, only farther from the camera than it"],
        mc="B",
        gt="No, it appears only in other frames",
        overlap=0.11,
        occ=2.2 / 5,
        levels=(MED_OCC, MED_OV, PARTLY, FULL),
    ),
    # No bed in any frame; the bed of the scene is not shown: Partial Coverage, no target.
    "existence_fb_absent": dict(
        qt=Q.OBJ_EXISTENCE_FB,
        frames=("f0", "f2"),
        question="In Frame 1, is there a bed farther from the camera than the table?",
        options=["No, only closer to the camera than it", *EXISTENCE],
        mc="D",
        gt="No, it is not in any of these frames",
        overlap=0.05,
        occ=0.5,
        levels=(MED_OCC, LOW_OV, PARTLY, PARTIAL),
    ),
    # f1: chair 1 (x 30) left of the lamp (x 60); sofa, bed, desk absent from f1.
    "attribute_lr": dict(
        qt=Q.OBJ_ATTRIBUTE_LR,
        frames=("f0", "f1"),
        question="In Frame 2, which of these objects is to the left of the lamp?",
        options=["sofa", "chair", "bed", "desk"],
        mc="B",
        gt="chair",
        overlap=0.08,
        occ=0.275,
        levels=(LOW_OCC, LOW_OV, FULLY, FULL),
    ),
    # f0: both chairs (y 40) below the lamp (y 10).
    "attribute_ab": dict(
        qt=Q.OBJ_ATTRIBUTE_AB,
        frames=FRAMES,
        question="In Frame 1, which of these objects is below the lamp?",
        options=["sofa", "bed", "chair", "desk"],
        mc="C",
        gt="chair",
        overlap=0.11,
        occ=2.3 / 6,
        levels=(MED_OCC, MED_OV, PARTLY, FULL),
    ),
    # Frame 1 is f1 here: lamp 3.0 vs chair 2.5 (margin .375) farther; table 2.0 closer.
    "attribute_fb": dict(
        qt=Q.OBJ_ATTRIBUTE_FB,
        frames=("f1", "f2"),
        question="In Frame 1, which of these objects is farther from the camera than the chair?",
        options=["table", "lamp", "sofa", "bed"],
        mc="B",
        gt="lamp",
        overlap=0.2,
        occ=0.4,
        levels=(MED_OCC, HIGH_OV, PARTLY, FULL),
    ),
    "spatial_lr": dict(
        qt=Q.OBJ_SPATIAL_LR,
        frames=FRAMES,
        question="In Frame 1, where is the chair(15,40) relative to the lamp?",
        options=[
            "to the right of it, closer to the camera",
            "to the left of it, closer to the camera",
            "to the left of it, farther from the camera",
            "to the right of it, farther from the camera",
        ],
        mc="B",
        gt="to the left of it, closer to the camera",
        overlap=0.11,
        occ=0.275,
        levels=(LOW_OCC, MED_OV, PARTLY, FULL),
    ),
    # f1: chair (30,40) above and left of the table (60,60); occlusion (.2+.2+.5+.5)/4.
    "spatial_ab": dict(
        qt=Q.OBJ_SPATIAL_AB,
        frames=("f0", "f1"),
        question="In Frame 2, where is the chair relative to the table?",
        options=[
            "below it, to the left of it",
            "below it, to the right of it",
            "above it, to the right of it",
            "above it, to the left of it",
        ],
        mc="D",
        gt="above it, to the left of it",
        overlap=0.08,
        occ=0.35,
        levels=(MED_OCC, LOW_OV, FULLY, FULL),
    ),
    "spatial_fb": dict(
        qt=Q.OBJ_SPATIAL_FB,
        frames=("f0", "f2"),
        question="In Frame 1, where is the chair(80,40) relative to the chair(15,40)?",
        options=[
            "farther from the camera, to the right of it",
            "closer to the camera, to the right of it",
            "farther from the camera, to the left of it",
            "closer to the camera, to the left of it",
        ],
        mc="A",
        gt="farther from the camera, to the right of it",
        overlap=0.05,
        occ=1.4 / 3,
        levels=(MED_OCC, LOW_OV, FULLY, FULL),
    ),
    # Spacing max(1.5 * 14.14, 0.1 * 128.06) = 21.2 px between all the points.
    "localization_yes": dict(
        qt=Q.OBJ_LOCALIZATION,
        frames=("f0", "f1"),
        question="Is there a lamp in Frame 2? If so, what is its bounding-box centre?",
        options=["Yes; (20,60)", "No", "Yes; (60,15)", "Yes; (90,70)"],
        mc="C",
        gt="Yes; (60,15)",
        overlap=0.08,
        occ=0.35,
        levels=(MED_OCC, LOW_OV, FULLY, FULL),
        bbox_2d=(55, 10, 65, 20),
        bbox_2d_diag="14.14",
    ),
    "localization_no": dict(
        qt=Q.OBJ_LOCALIZATION,
        frames=("f0", "f2"),
        question="Is there a sofa in Frame 1? If so, what is its bounding-box centre?",
        options=["Yes; (20,20)", "Yes; (70,20)", "Yes; (45,65)", "No"],
        mc="D",
        gt="No",
        overlap=0.05,
        occ=0.7,
        levels=(HIGH_OCC, LOW_OV, PARTLY, FULL),
    ),
    "localization_na": dict(
        qt=Q.OBJ_LOCALIZATION_NA,
        frames=("f1", "f2"),
        question="What is the bounding-box centre of the table in Frame 2?",
        options=["(10,10)", "(40,60)", "(90,70)", "(60,20)"],
        mc="B",
        gt="(40,60)",
        overlap=0.2,
        occ=0.5,
        levels=(MED_OCC, HIGH_OV, FULLY, FULL),
        bbox_2d=(35, 55, 45, 65),
        bbox_2d_diag="14.14",
    ),
    # camera_distance_m = 3.0 + 0.256.
    "distance": dict(
        qt=Q.OBJ_DISTANCE_NA,
        frames=("f0", "f1"),
        question="How far is the table in Frame 1 from the camera of that frame, in metres?",
        options=["1.50", "4.80", "6.10", "3.26"],
        mc="D",
        gt="3.26",
        overlap=0.08,
        occ=0.5,
        levels=(MED_OCC, LOW_OV, FULLY, FULL),
    ),
    # Box centres (0.2,0.2,0.8) and (4,0.5,0.4): sqrt(3.8^2 + 0.3^2 + 0.4^2) = 3.833.
    "obj_obj_distance": dict(
        qt=Q.OBJ_OBJ_DISTANCE_NA,
        frames=("f0", "f2"),
        question="What is the distance in metres between the lamp in Frame 1 and the sofa in "
        "Frame 2?",
        options=["2.10", "3.83", "5.40", "7.75"],
        mc="B",
        gt="3.83",
        overlap=0.05,
        occ=0.4,
        levels=(MED_OCC, LOW_OV, PARTLY, FULL),
    ),
    "size": dict(
        qt=Q.OBJ_SIZE_NA,
        frames=("f0", "f2"),
        question="What is the length of the longest dimension of the sofa in Frame 2, in "
        "centimetres?",
        options=["120", "80", "200", "45"],
        mc="C",
        gt="200",
        overlap=0.05,
        occ=0.7,
        levels=(HIGH_OCC, LOW_OV, PARTLY, FULL),
    ),
}


def make(case: str, **changes) -> BenchRecord:
    spec = {**CORRECT[case], **changes}
    occ_level, overlap_level, vis_level, gt_scenario = spec["levels"]
    return BenchRecord(
        dataset=Dataset.OURS,
        scene_name=spec.get("scene", "room"),
        question_type=spec["qt"],
        frames=tuple(spec["frames"]),
        question=spec["question"],
        options=tuple(
            f"{letter}. {text}" for letter, text in zip("ABCD", spec["options"], strict=True)
        ),
        ground_truth=spec["gt"],
        mc_answer=spec["mc"],
        overlap_avg=spec["overlap"],
        occlusion_avg=spec["occ"],
        occ_level=occ_level,
        overlap_level=overlap_level,
        vis_level=vis_level,
        gt_scenario=gt_scenario,
        id=f"room-{case}",
        bbox_2d=spec.get("bbox_2d", ()),
        bbox_2d_diag=spec.get("bbox_2d_diag", "0"),
    )


def test_the_cases_cover_every_question_type():
    assert {spec["qt"] for spec in CORRECT.values()} == set(QuestionType)


@pytest.mark.parametrize("case", sorted(CORRECT))
def test_hand_derived_record_has_no_problem(case):
    assert verify_record(make(case), FACTS) == []


def _levels(case: str, index: int, value: str) -> tuple[str, ...]:
    """The case's (occ_level, overlap_level, vis_level, GT Scenario) with one replaced."""
    levels = list(CORRECT[case]["levels"])
    levels[index] = value
    return tuple(levels)


def _options(case: str, old: str, new: str) -> list[str]:
    return [new if text == old else text for text in CORRECT[case]["options"]]


# (case, changes, a phrase the problem must contain)
CORRUPTED = [
    ("count", dict(mc="A"), "mc_answer A: expected '2', found '3'"),
    ("count", dict(gt="3"), "ground_truth: expected '2', found '3'"),
    ("count", dict(options=["3", "2", "0", "9"]), "not counts 0..6"),
    ("count", dict(options=["3", "2", "0", "3"]), "options are not distinct"),
    (
        "count",
        dict(question="How many cup(s) are visible across these frames?"),
        "should have been skipped: cup [5] barely visible",
    ),
    (
        "count",
        dict(question="How many wall(s) are visible across these frames?"),
        "'wall' is structural",
    ),
    ("count_na", dict(gt="2", mc="B"), "ground_truth: expected '1', found '2'"),
    (
        "bestview",
        dict(options=_options("bestview", "3 chair(s); Frame 3", "2 chair(s); Frame 4")),
        "'2 chair(s); Frame 4' is no",
    ),
    ("bestview", dict(mc="B"), "expected '2 chair(s); Frame 1', found '2 chair(s); Frame 2'"),
    (
        "bestview_tie_broken",
        dict(question=CORRECT["bestview_tie_broken"]["question"].replace("lamp", "table")),
        "should have been skipped: Frames 1 and 2 tie",
    ),
    ("existence_lr", dict(mc="A"), "mc_answer A: expected 'Yes'"),
    (
        "existence_lr",
        dict(question="In Frame 1, is there a lamp to the left of the table?"),
        "should have been skipped: a lamp lies within the lr margin",
    ),
    (
        "existence_ab",
        dict(options=_options("existence_ab", "No, only above it", "No, only below it")),
        "options are not the four texts",
    ),
    (
        "existence_ab",
        dict(question="In Frame 2, is there a cup below the table?"),
        "should have been skipped: a cup is barely visible",
    ),
    (
        "existence_ab",
        dict(question="In Frame 1, is there a cup below the lamp?"),
        "should have been skipped: a cup is only barely visible in the set",
    ),
    ("existence_fb", dict(mc="C"), "expected 'No, it appears only in other frames'"),
    (
        "existence_fb",
        dict(question="In Frame 3, is there a table closer to the camera than the table?"),
        "'table' is the reference's own category",
    ),
    (
        "existence_fb",
        dict(question="In Frame 3, is there a lamp closer to the camera than the the table?"),
        "does not match the obj_existence_occ_fb template",
    ),
    (
        "attribute_lr",
        dict(options=["sofa", "chair", "bed", "table"]),
        "option 'table' is neither correct nor definitely wrong",
    ),
    (
        "attribute_lr",
        dict(options=["sofa", "chair", "bed", "cup"]),
        "option 'cup' is neither correct nor definitely wrong",
    ),
    ("attribute_lr", dict(options=["sofa", "chair", "lamp", "bed"]), "reference's category"),
    (
        "attribute_ab",
        dict(options=["sofa", "bed", "chair", "table"]),
        "2 options are correct: ['chair', 'table']",
    ),
    (
        "attribute_fb",
        dict(question="In Frame 1, which of these objects is to the left of the chair?"),
        "not on the obj_attribute_occ_fb axis",
    ),
    ("attribute_fb", dict(gt="table"), "ground_truth: expected 'lamp', found 'table'"),
    (
        "spatial_lr",
        dict(question="In Frame 1, where is the chair(16,40) relative to the lamp?"),
        "'the chair(16,40)' names 0 objects in f0",
    ),
    (
        "spatial_lr",
        dict(question="In Frame 1, where is the chair(15,40) relative to the lamp(50,10)?"),
        "expected 'the lamp', the only one in f0",
    ),
    (
        "spatial_lr",
        dict(question="In Frame 2, where is the chair relative to the cup?"),
        "'the cup' is only barely visible in f1",
    ),
    (
        "spatial_ab",
        dict(question="In Frame 1, where is the lamp relative to the table?"),
        "should have been skipped: the pair lies within the ab or lr margin",
    ),
    ("spatial_ab", dict(mc="C"), "mc_answer C: expected 'above it, to the left of it'"),
    ("spatial_fb", dict(levels=_levels("spatial_fb", 0, LOW_OCC)), "occ_level: expected"),
    ("spatial_fb", dict(occ=0.45), "occlusion_avg: expected 0.466667, found 0.450000"),
    (
        "localization_yes",
        dict(options=_options("localization_yes", "Yes; (90,70)", "Yes; (70,20)")),
        "points (60, 15) and (70, 20) are 11.2 px apart; need 21.2",
    ),
    (
        "localization_yes",
        dict(options=_options("localization_yes", "Yes; (90,70)", "Yes; (90,85)")),
        "point (90, 85) is outside the image",
    ),
    ("localization_yes", dict(bbox_2d=()), "bbox_2d: expected [55, 10, 65, 20], found []"),
    ("localization_yes", dict(bbox_2d_diag="14.1"), "bbox_2d_diag: expected '14.14'"),
    (
        "localization_no",
        dict(question="Is there a chair in Frame 1? If so, what is its bounding-box centre?"),
        "should have been skipped: 2 chair present in f0",
    ),
    ("localization_no", dict(bbox_2d=(15, 15, 25, 25)), "bbox_2d: expected [], found"),
    ("localization_no", dict(options=["Yes; (20,20)", "Yes; (70,20)", "No", "No"]), "three"),
    ("localization_na", dict(gt="(41,60)"), "ground_truth: expected '(40,60)', found '(41,60)'"),
    (
        "localization_na",
        dict(question="What is the bounding-box centre of the sofa in Frame 1?"),
        "'the sofa': 0 sofa present in f1, need 1",
    ),
    ("localization_na", dict(options=["(10,10)", "(40,60)", "(90, 70)", "(60,20)"]), "format"),
    ("distance", dict(gt="3.25"), "ground_truth: expected '3.26', found '3.25'"),
    ("distance", dict(options=["1.5", "4.80", "6.10", "3.26"]), "not formatted like '3.26'"),
    (
        "obj_obj_distance",
        dict(
            frames=("f0", "f1"),
            overlap=0.08,
            question="What is the distance in metres between the chair(15,40) in Frame 1 and "
            "the lamp in Frame 1?",
        ),
        "both objects asked in f0, but the set shows them in two frames",
    ),
    ("obj_obj_distance", dict(mc="A"), "mc_answer A: expected '3.83', found '2.10'"),
    ("size", dict(levels=_levels("size", 3, PARTIAL)), "GT Scenario: expected 'Full Coverage'"),
    ("size", dict(levels=_levels("size", 2, FULLY)), "vis_level: expected 'Partially Visible'"),
    ("size", dict(gt="199"), "ground_truth: expected '200', found '199'"),
    ("size", dict(frames=("f2", "f0")), "not in capture order"),
    ("size", dict(frames=("f0", "f0")), "repeat or are not in capture order"),
    ("size", dict(frames=("f0", "f9")), "frames ['f9'] are not frames of scene room"),
    ("size", dict(overlap=0.2), "overlap_avg: expected 0.050000, found 0.200000"),
    ("size", dict(levels=_levels("size", 1, MED_OV)), "overlap_level: expected 'Low Overlap'"),
    ("size", dict(scene="other"), "scene_name: expected 'room', found 'other'"),
    (
        "size",
        dict(question=CORRECT["size"]["question"].replace("Frame 2", "Frame 3")),
        "Frame 3 is not in the 2-frame set",
    ),
]


@pytest.mark.parametrize(("case", "changes", "expected"), CORRUPTED)
def test_corrupted_record_reports_the_problem(case, changes, expected):
    problems = verify_record(make(case, **changes), FACTS)
    assert any(expected in problem for problem in problems), problems
    assert all(problem.startswith(f"room-{case}: ") for problem in problems)


def test_corruptions_cover_every_question_type():
    assert {CORRECT[case]["qt"] for case, _, _ in CORRUPTED} == set(QuestionType)


def test_dataset_is_checked_when_the_facts_name_one():
    facts = dataclasses.replace(FACTS, dataset=Dataset.SCANNETPP)
    assert verify_record(make("size"), facts) == [
        "room-size: dataset: expected 'scannetpp', found 'ours'"
    ]


def _one_triangle_each(objects: tuple[SceneObject, ...]) -> Scene:
    """The mesh is irrelevant to the verifier; write_scene only needs one to exist."""
    vertices = np.array([obj.bbox_min_m for obj in objects for _ in range(3)], dtype=np.float64)
    vertices[1::3, 0] += 0.1
    vertices[2::3, 1] += 0.1
    return Scene(
        name="room",
        objects=objects,
        vertices_world_m=vertices,
        triangles=np.arange(3 * len(objects)).reshape(-1, 3),
        face_instance=np.array([obj.instance_id for obj in objects], dtype=np.uint16),
        face_rgb=np.full((len(objects), 3), 200, dtype=np.uint8),
        info={},
    )


def test_load_scene_facts_reads_the_real_file_formats(tmp_path):
    write_scene(tmp_path / "scene.json", tmp_path / "mesh.ply", _one_triangle_each(OBJECTS), {})
    write_cameras(tmp_path / "cameras.json", "room", list(cameras()), {})
    write_visibility(tmp_path / "visibility.json", visibility(), {})
    paths = (tmp_path / "scene.json", tmp_path / "cameras.json", tmp_path / "visibility.json")
    facts = load_scene_facts(*paths)
    assert facts.scene_name == "room" and facts.image_size("f1") == (W, H)
    assert [verify_record(make(case), facts) for case in sorted(CORRECT)] == [[]] * len(CORRECT)
    write_visibility(tmp_path / "visibility.json", dataclasses.replace(visibility(), frames=()), {})
    with pytest.raises(ArtefactError, match="overlap_iou"):
        load_scene_facts(*paths)


def test_facts_refuse_a_frame_without_camera():
    with pytest.raises(ValueError, match=r"frames \['f2'\] have no camera"):
        SceneFacts(OBJECTS, cameras()[:2], visibility())


def test_verify_records_streams_and_summarises():
    loads = []

    def facts_for_scene(name: str) -> SceneFacts:
        loads.append(name)
        return FACTS

    def records():
        for case in sorted(CORRECT):
            yield make(case)
        for _ in range(25):
            yield make("size", gt="199")

    summary = verify_records(records(), facts_for_scene)
    assert summary["checked"] == len(CORRECT) + 25
    assert summary["by_question_type"]["obj_size_occ_na"] == 26
    assert sum(summary["by_question_type"].values()) == summary["checked"]
    assert summary["problems"] == 25 and summary["records_with_problems"] == 25
    assert len(summary["examples"]) == 20
    assert summary["examples"][0] == "room-size: ground_truth: expected '200', found '199'"
    assert loads == ["room"]  # one load while the scene does not change


def _facts_moving(frame: str, instance: int, centre: tuple[int, int], depth: float) -> SceneFacts:
    """FACTS with one observation moved (same S_vis)."""
    old = next(seen for seen in SEEN if seen[:2] == (frame, instance))
    seen = [s for s in SEEN if s is not old] + [(frame, instance, centre, depth, old[4])]
    observations = tuple(observation(*s) for s in seen)
    return dataclasses.replace(
        FACTS, visibility=dataclasses.replace(visibility(), observations=observations)
    )


def test_lr_margin_holds_from_the_threshold_on():
    # 0.05 * 100 = 5 px: chair 1 exactly 5 px left of the lamp (x 60) is left of it.
    assert verify_record(make("attribute_lr"), _facts_moving("f1", 1, (55, 40), 2.5)) == []
    problems = verify_record(make("attribute_lr"), _facts_moving("f1", 1, (56, 40), 2.5))
    assert problems == ["room-attribute_lr: 0 options are correct: []"]


def test_fb_margin_scales_with_the_smaller_depth():
    # Chair at 2.5 m: margin max(0.30, 0.15 * 2.5) = 0.375 m, whatever the lamp's depth.
    assert verify_record(make("attribute_fb"), _facts_moving("f1", 3, (60, 15), 2.9)) == []
    problems = verify_record(make("attribute_fb"), _facts_moving("f1", 3, (60, 15), 2.85))
    assert problems == ["room-attribute_fb: 0 options are correct: []"]

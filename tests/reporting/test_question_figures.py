"""The task donut and the example questions figure, from small statistics and benchmark files."""

from __future__ import annotations

import numpy as np
from PIL import Image

from bench_records import bench_record
from spatialmosaic.io import write_jpeg, write_json, write_json_list
from spatialmosaic.qa.report import dataset_statistics
from spatialmosaic.records import QuestionType
from spatialmosaic.reporting import example_questions, task_distribution

LOCALIZATION = bench_record(
    id="loc",
    question_type=QuestionType.OBJ_LOCALIZATION,
    frames=("f0", "f1", "f2"),
    question="Is there a chair in Frame 2? If so, what is its bounding-box centre?",
    options=("A. No", "B. Yes; (30,20)", "C. Yes; (5,5)", "D. Yes; (50,35)"),
    ground_truth="Yes; (30,20)",
    mc_answer="B",
    bbox_2d=(20.0, 10.0, 40.0, 30.0),
    bbox_2d_diag="28.28",
)
RELATION = bench_record(
    id="rel",
    question_type=QuestionType.OBJ_SPATIAL_LR,
    question="In Frame 1, where is the lamp(12,8) relative to the chair?",
    options=("A. left", "B. right", "C. above", "D. below"),
    ground_truth="left",
    mc_answer="A",
)
DISTANCE = bench_record(
    id="dist",
    question_type=QuestionType.OBJ_OBJ_DISTANCE_NA,
    question="What is the distance in metres between the chair(3,4) in Frame 1 and the "
    "lamp(50,30) in Frame 2?",
    ground_truth="1.25",
)


def test_task_counts_group_variants_by_kind_and_the_donut_is_drawn(tmp_path):
    records = [
        LOCALIZATION,
        RELATION,
        bench_record(id="ab", question_type=QuestionType.OBJ_SPATIAL_AB),
        DISTANCE,
    ]
    stats = dataset_statistics({"test": records})
    assert task_distribution.task_counts(stats["test"]) == {
        "MCA": {"obj_spatial_occ": 2, "obj_localization_occ": 1},
        "NA": {"obj_obj_distance_occ_na": 1},
    }
    write_json(tmp_path / "qa_stats.json", {"splits": stats})
    pdf, png = tmp_path / "donut.pdf", tmp_path / "donut.png"
    task_distribution.main(tmp_path / "qa_stats.json", pdf, png)
    first = pdf.read_bytes()
    assert first.startswith(b"%PDF") and Image.open(png).size[0] > 600
    task_distribution.main(tmp_path / "qa_stats.json", pdf, png)
    assert pdf.read_bytes() == first


def test_box_frame_and_reference_points_come_from_the_question():
    assert example_questions.box_frame(LOCALIZATION) == 1
    assert example_questions.box_frame(RELATION) is None
    assert example_questions.question_points(RELATION) == [(0, 12, 8)]
    assert example_questions.question_points(DISTANCE) == [(0, 3, 4), (1, 50, 30)]


def test_examples_are_one_per_group_chosen_by_the_seed(tmp_path):
    records = [LOCALIZATION, RELATION, DISTANCE, bench_record(id="count")]
    records += [bench_record(id=f"count{k}", frames=("f0", "f1", "f2")) for k in range(5)]
    picked = example_questions.pick_examples(records, seed=0)
    assert [r.question_type for r in picked] == [
        QuestionType.OBJ_LOCALIZATION,
        QuestionType.OBJ_SPATIAL_LR,
        QuestionType.OBJ_COUNT,
        QuestionType.OBJ_OBJ_DISTANCE_NA,
    ]
    assert len(picked[2].frames) == example_questions.PREFERRED_FRAMES
    assert picked == example_questions.pick_examples(list(reversed(records)), seed=0)


def test_example_questions_figure_from_a_benchmark_and_its_frames(tmp_path):
    render = tmp_path / "render" / "ours_indoor_0000"
    rng = np.random.default_rng(0)
    for frame in ("f0", "f1", "f2"):
        write_jpeg(
            render / "images" / f"{frame}.jpg", rng.integers(0, 255, (48, 64, 3), np.uint8), 90
        )
    benchmark = tmp_path / "benchmark.json"
    write_json_list(benchmark, (r.to_json() for r in (LOCALIZATION, RELATION, DISTANCE)))
    pdf, png = tmp_path / "examples.pdf", tmp_path / "examples.png"
    example_questions.main(benchmark, [render], 0, pdf, png)
    assert pdf.read_bytes().startswith(b"%PDF")
    assert Image.open(png).size[0] > 600
    first = png.read_bytes()
    example_questions.main(benchmark, [render], 0, pdf, png)
    assert png.read_bytes() == first

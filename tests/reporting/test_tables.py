"""Tables and figures are built from metrics files."""

from __future__ import annotations

import pandas as pd

from spatialmosaic.io import write_json
from spatialmosaic.records import QuestionType
from spatialmosaic.reporting.figures import baselines_by_type
from spatialmosaic.reporting.tables import results_frame, write_table


def metrics(path, model, per_type, overall):
    write_json(
        path,
        {
            "format": "spatialmosaic.metrics",
            "model": model,
            "per_type": per_type,
            "overall": overall,
            "tasks": {},
        },
    )


def test_table_and_figure_from_metrics(tmp_path):
    metrics(tmp_path / "a.json", "chance", {"obj_count_occ": 25.0, "obj_count_occ_na": 40.0}, 32.5)
    metrics(tmp_path / "b.json", "frequency", {"obj_count_occ_na": 10.0}, 10.0)
    frame = results_frame([tmp_path / "a.json", tmp_path / "b.json"])
    assert list(frame.columns) == ["obj_count_occ", "obj_count_occ_na", "overall"]
    assert frame.loc["chance", "overall"] == 32.5
    write_table(frame, tmp_path / "t.csv", tmp_path / "t.md", tmp_path / "t.tex")
    assert "| chance | 25.00 | 40.00 | 32.50 |" in (tmp_path / "t.md").read_text()
    baselines_by_type(tmp_path / "t.csv", tmp_path / "f.pdf", tmp_path / "f.png")
    first = (tmp_path / "f.pdf").read_bytes()
    baselines_by_type(tmp_path / "t.csv", tmp_path / "f.pdf", tmp_path / "f.png")
    assert (tmp_path / "f.pdf").read_bytes() == first  # no timestamps in figures
    assert (tmp_path / "f.png").stat().st_size > 1000


def test_breakdown_table_from_an_evaluation(tmp_path):
    from bench_records import bench_record
    from spatialmosaic.evaluate.run import write_evaluation
    from spatialmosaic.reporting.tables import breakdown_frame

    records = [
        bench_record(id="a", occ_level="High Occlusion"),
        bench_record(id="b", occ_level="Low Occlusion"),
        bench_record(id="c", occ_level="Low Occlusion", mc_answer="A"),
    ]
    rows = [
        {"id": r.id, "rotation": 0, "score": s, "parsed": "C"}
        for r, s in zip(records, [1.0, 1.0, 0.0], strict=True)
    ]
    write_evaluation(tmp_path / "p.jsonl", tmp_path / "m.json", "m", rows, records, 0, {})
    frame = breakdown_frame([tmp_path / "m.json"])
    occlusion = frame[frame["dimension"] == "occ_level"]
    assert list(occlusion["level"]) == ["Low Occlusion", "High Occlusion"]
    assert list(occlusion["n"]) == [2, 1]
    assert list(occlusion["score"]) == [50.0, 100.0]
    assert list(frame["dimension"].unique()) == [
        "occ_level",
        "overlap_level",
        "vis_level",
        "GT Scenario",
        "views",
    ]
    write_table(frame, tmp_path / "b.csv", tmp_path / "b.md", tmp_path / "b.tex", index=False)
    assert (tmp_path / "b.csv").read_text().splitlines()[0] == (
        "model,dimension,level,n,score,ci95_low,ci95_high"
    )


def test_main_table_splits_domains_and_leaves_outdoor_attribute_and_size_empty(tmp_path):
    from bench_records import bench_record
    from spatialmosaic.evaluate.run import write_evaluation
    from spatialmosaic.reporting.figures import radar_by_domain
    from spatialmosaic.reporting.tables import domain_frame

    records = [
        bench_record(id="i1", question_type=QuestionType.OBJ_ATTRIBUTE_LR, mc_answer="C"),
        bench_record(id="i2", mc_answer="C"),
        bench_record(id="o1", scene_name="ours_outdoor_0000", mc_answer="C"),
        bench_record(id="o2", scene_name="ours_outdoor_0000", mc_answer="A"),
    ]
    rows = [
        {"id": r.id, "rotation": 0, "score": s, "parsed": "C"}
        for r, s in zip(records, [1.0, 0.0, 1.0, 0.0], strict=True)
    ]
    write_evaluation(tmp_path / "p.jsonl", tmp_path / "m.json", "m", rows, records, 0, {})
    frame = domain_frame([tmp_path / "m.json"])
    assert list(frame["domain"]) == ["indoor", "outdoor"]
    indoor, outdoor = frame.iloc[0], frame.iloc[1]
    assert indoor["obj_attribute_occ"] == 100.0 and indoor["overall"] == 50.0
    assert pd.isna(outdoor["obj_attribute_occ"]) and outdoor["overall"] == 50.0
    write_table(frame, tmp_path / "d.csv", tmp_path / "d.md", tmp_path / "d.tex", index=False)
    assert "| m | outdoor | 50.00 |  | 50.00 |" in (tmp_path / "d.md").read_text()
    radar_by_domain(tmp_path / "d.csv", tmp_path / "r.pdf", tmp_path / "r.png")
    assert (tmp_path / "r.png").stat().st_size > 1000


def test_every_table_also_gets_a_deterministic_booktabs_latex_version(tmp_path):
    frame = pd.DataFrame(
        {"obj_count_occ": [25.0, float("nan")], "note": ["50% <5", "a_b & c"]},
        index=pd.Index(["chance", "frequency"], name="model"),
    )
    paths = [tmp_path / name for name in ("t.csv", "t.md", "t.tex")]
    write_table(frame, *paths)
    latex = paths[2].read_text()
    assert latex.splitlines() == [
        "\\begin{tabular}{lrl}",
        "\\toprule",
        "model & obj\\_count\\_occ & note \\\\",
        "\\midrule",
        "chance & 25.00 & 50\\% \\textless{}5 \\\\",
        "frequency &  & a\\_b \\& c \\\\",
        "\\bottomrule",
        "\\end{tabular}",
    ]
    first = [p.read_bytes() for p in paths]
    write_table(frame, *paths)
    assert [p.read_bytes() for p in paths] == first
    assert not list(tmp_path.glob(".*tmp"))

"""Table 1 (dataset comparison) and Table 5 (dataset statistics) from small statistics files."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pandas as pd
import pytest
import yaml

from bench_records import bench_record
from spatialmosaic.io import write_json
from spatialmosaic.qa.report import dataset_statistics, write_statistics_table
from spatialmosaic.reporting.dataset_comparison import OURS_NAME, load_peers, main

PEERS = Path(str(resources.files("spatialmosaic.reporting").joinpath("peers.yaml")))


def small_stats() -> dict:
    """Train: 3 indoor questions (one scene, 2-3 views); test: an indoor and an outdoor one."""
    train = [
        bench_record(id="t1", scene_name="ours_indoor_0000", vis_level="Partially Visible"),
        bench_record(id="t2", scene_name="ours_indoor_0000", occ_level="High Occlusion"),
        bench_record(
            id="t3",
            scene_name="ours_indoor_0000",
            frames=("f0", "f1", "f2"),
            overlap_level="Low Overlap",
        ),
    ]
    test = [
        bench_record(id="b1", scene_name="ours_indoor_0001", overlap_level="Low Overlap"),
        bench_record(id="b2", scene_name="ours_outdoor_0000", frames=("f0", "f1", "f2", "f3")),
    ]
    return dataset_statistics({"train": train, "test": test})


def write_stats(path: Path) -> Path:
    write_json(path, {"splits": small_stats()})
    return path


def test_comparison_has_every_peer_with_sources_and_our_row_from_the_data(tmp_path):
    tables = [tmp_path / f"t1.{suffix}" for suffix in ("csv", "md", "tex")]
    main(write_stats(tmp_path / "qa_stats.json"), PEERS, *tables)
    frame = pd.read_csv(tables[0], keep_default_na=False).set_index("dataset")
    assert list(frame.index[:-1]) == [
        "VSI-Bench",
        "BLINK",
        "MMIU",
        "All-Angles Bench",
        "UniQA-3D",
        "MultiSPA (Multi-SpatialMLLM)",
        "SPAR-7M / SPAR-Bench",
        "SpatialMosaic (paper)",
    ]
    assert frame.loc["VSI-Bench", "reference"] == "arXiv 2412.14171"
    assert frame.loc["SpatialMosaic (paper)", "views per question"] == "2-5"
    assert frame.loc["BLINK", "scenes"] == ""  # not published: left empty
    ours = frame.loc[OURS_NAME]
    assert ours["QA pairs"] == "3 train + 2 bench"
    assert ours["images / videos"] == "9 images"  # 3 train images + 2 + 4 benchmark images
    assert ours["views per question"] == "2-4"
    assert ours["scenes"] == "2 indoor, 1 outdoor"
    assert ours["domain"] == "indoor + outdoor"
    assert ours["imagery"] == "synthetic"
    assert ours["partial visibility"] == "yes (20%)"
    assert ours["occlusion"] == "yes (20%)"
    assert ours["low overlap"] == "yes (40%)"
    assert "SpatialMosaic-Repro (this run)" in tables[1].read_text()
    assert "\\toprule" in tables[2].read_text()


def test_every_peer_fact_has_a_source_and_empty_ones_say_not_published():
    columns, peers = load_peers(PEERS)
    assert set(columns) >= {"qa", "views", "domain", "partial_visibility", "low_overlap"}
    for entry in peers:
        assert entry["url"].startswith("https://") and entry["arxiv"]
        for fact in entry["facts"].values():
            assert fact["value"] is not None or fact["source"].startswith("not published")


def test_a_peer_value_without_a_source_is_refused(tmp_path):
    payload = yaml.safe_load(PEERS.read_text())
    payload["datasets"][0]["facts"]["qa"] = {"value": "5,000", "source": ""}
    broken = tmp_path / "peers.yaml"
    broken.write_text(yaml.safe_dump(payload))
    with pytest.raises(ValueError, match="VSI-Bench.*qa: needs a source"):
        load_peers(broken)
    payload["datasets"][0]["facts"]["qa"] = {"value": None, "source": "somewhere"}
    broken.write_text(yaml.safe_dump(payload))
    with pytest.raises(ValueError, match="not published"):
        load_peers(broken)


def test_statistics_table_adds_scenes_images_and_views_to_the_type_counts(tmp_path):
    tables = [tmp_path / f"t5.{suffix}" for suffix in ("csv", "md", "tex")]
    write_statistics_table(small_stats(), *tables)
    frame = pd.read_csv(tables[0]).set_index("question_type")
    assert frame.loc["total", "train"] == 3 and frame.loc["total", "test"] == 2
    assert frame.loc["scenes", "test"] == 2 and frame.loc["images", "train"] == 3
    assert [frame.loc[f"{n} views", "test"] for n in (2, 3, 4, 5)] == [1, 0, 1, 0]
    assert tables[2].read_text().startswith("\\begin{tabular}{llrr}")

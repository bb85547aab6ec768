"""Benchmark Parquet export: round trip, `datasets` loading, sharding, byte determinism."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from spatialmosaic.io import ArtefactError
from spatialmosaic.qa.parquet import SCHEMA, read_parquet_records, write_parquet_dataset
from spatialmosaic.records import BenchRecord, Dataset, QuestionType

CARD = "# SpatialMosaic-Bench (test)\n\nTiny fixture.\n"


def bench_record(
    question_type: QuestionType,
    record_id: str,
    n_frames: int = 2,
    truth: str = "3",
    bbox_2d: tuple[float, ...] = (),
    bbox_2d_diag: str = "0",
) -> BenchRecord:
    return BenchRecord(
        dataset=Dataset.OURS,
        scene_name="scene_a",
        question_type=question_type,
        frames=tuple(f"frame_{i:06d}" for i in range(n_frames)),
        question=f"Question {record_id}: how many chair(s)?",
        options=("A. 1", "B. 2", "C. 3", "D. 4"),
        ground_truth=truth,
        mc_answer="C",
        overlap_avg=0.25,
        occlusion_avg=0.625,
        occ_level="High Occlusion",
        overlap_level="Low Overlap",
        vis_level="Partially Visible",
        gt_scenario="Partial Coverage",
        id=record_id,
        bbox_2d=bbox_2d,
        bbox_2d_diag=bbox_2d_diag,
    )


def sample_records(prefix: str, count: int) -> list[BenchRecord]:
    """Cycle an MCA, an MRA and a point (MPA) question, with 2-5 frames."""
    kinds = [
        dict(question_type=QuestionType.OBJ_COUNT),
        dict(question_type=QuestionType.OBJ_DISTANCE_NA, truth="2.75"),
        dict(
            question_type=QuestionType.OBJ_LOCALIZATION_NA,
            truth="(120,48)",
            bbox_2d=(100.0, 30.5, 140.0, 66.0),
            bbox_2d_diag="53.74",
        ),
    ]
    return [
        bench_record(record_id=f"{prefix}{i}", n_frames=2 + i % 4, **kinds[i % 3])
        for i in range(count)
    ]


@pytest.fixture
def splits() -> dict[str, list[BenchRecord]]:
    return {"eval": sample_records("e", 5), "train": sample_records("t", 3)}


def shard_names(dest) -> list[str]:
    return sorted(path.name for path in (dest / "data").iterdir())


def test_round_trip_returns_the_records_written(tmp_path, splits):
    write_parquet_dataset(tmp_path / "bench", splits, CARD)
    for split, records in splits.items():
        assert read_parquet_records(tmp_path / "bench", split) == records


def test_columns_keep_official_names_and_types(tmp_path, splits):
    write_parquet_dataset(tmp_path / "bench", splits, CARD)
    table = pq.read_table(tmp_path / "bench" / "data" / "eval-00000-of-00001.parquet")
    assert table.schema.names == list(splits["eval"][0].to_json())  # SPEC §4 key order
    assert table.schema.field("GT Scenario").type == pa.string()
    assert table.schema.field("frames").type == pa.list_(pa.string())
    assert table.schema.field("bbox_2d").type == pa.list_(pa.float64())
    assert table.schema.field("overlap_avg").type == pa.float64()
    assert table.column("bbox_2d").to_pylist()[2] == [100.0, 30.5, 140.0, 66.0]


def test_card_front_matter_declares_each_split(tmp_path, splits):
    write_parquet_dataset(tmp_path / "bench", splits, CARD)
    card = (tmp_path / "bench" / "README.md").read_text(encoding="utf-8")
    assert card.startswith("---\nconfigs:\n- config_name: default\n")
    assert "  - split: eval\n    path: data/eval-*\n" in card
    assert "  - split: train\n    path: data/train-*\n" in card
    assert card.endswith("---\n\n" + CARD)


def test_datasets_loads_the_folder_offline(tmp_path, splits, monkeypatch):
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf_home"))
    import datasets

    write_parquet_dataset(tmp_path / "bench", splits, CARD, rows_per_shard=2)
    loaded = datasets.load_dataset(str(tmp_path / "bench"), cache_dir=str(tmp_path / "cache"))
    assert set(loaded) == {"eval", "train"}
    assert loaded["eval"].num_rows == 5 and loaded["train"].num_rows == 3
    assert loaded["eval"]["GT Scenario"] == ["Partial Coverage"] * 5
    assert [BenchRecord.from_json(row) for row in loaded["eval"]] == splits["eval"]


def test_rows_per_shard_splits_files_with_hub_names(tmp_path, splits):
    write_parquet_dataset(tmp_path / "bench", splits, CARD, rows_per_shard=2)
    assert shard_names(tmp_path / "bench") == [
        "eval-00000-of-00003.parquet",
        "eval-00001-of-00003.parquet",
        "eval-00002-of-00003.parquet",
        "train-00000-of-00002.parquet",
        "train-00001-of-00002.parquet",
    ]
    last = pq.read_table(tmp_path / "bench" / "data" / "eval-00002-of-00003.parquet")
    assert last.num_rows == 1 and last.schema.equals(SCHEMA)
    assert read_parquet_records(tmp_path / "bench", "eval") == splits["eval"]


def file_bytes(folder) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_rewrite_gives_identical_bytes_and_replaces_old_shards(tmp_path, splits):
    dest = tmp_path / "bench"
    write_parquet_dataset(dest, splits, CARD, rows_per_shard=2)
    first = file_bytes(dest)
    write_parquet_dataset(dest, {"eval": splits["eval"]}, CARD)  # other sharding, one split
    write_parquet_dataset(dest, splits, CARD, rows_per_shard=2)
    write_parquet_dataset(tmp_path / "elsewhere", splits, CARD, rows_per_shard=2)
    assert len(first) == 6
    assert file_bytes(dest) == first
    assert file_bytes(tmp_path / "elsewhere") == first
    assert sorted(path.name for path in tmp_path.iterdir()) == ["bench", "elsewhere"]


@pytest.mark.parametrize(
    ("splits_arg", "kwargs", "message"),
    [
        ({}, {}, "no splits"),
        ({"eval": []}, {}, "'eval' has no records"),
        ({"eval-hard": "records"}, {}, "'eval-hard': use letters"),
        ({"eval": "records"}, {"rows_per_shard": 0}, "rows_per_shard=0"),
        ({"eval": "records"}, {"card_markdown": "---\na: 1\n---\n"}, "front matter"),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(tmp_path, splits_arg, kwargs, message):
    records = sample_records("e", 2)
    splits_arg = {
        name: records if value == "records" else value for name, value in splits_arg.items()
    }
    kwargs = {"card_markdown": CARD, **kwargs}
    with pytest.raises(ValueError, match=message):
        write_parquet_dataset(tmp_path / "bench", splits_arg, **kwargs)
    assert not (tmp_path / "bench").exists()


def test_reading_a_missing_folder_or_split_names_the_path(tmp_path, splits):
    with pytest.raises(ArtefactError, match=f"{tmp_path / 'nowhere' / 'data'}: folder not found"):
        read_parquet_records(tmp_path / "nowhere", "eval")
    write_parquet_dataset(tmp_path / "bench", splits, CARD)
    with pytest.raises(ArtefactError, match="no shards for split 'test'"):
        read_parquet_records(tmp_path / "bench", "test")


def test_reading_wrong_columns_names_the_file(tmp_path, splits):
    write_parquet_dataset(tmp_path / "bench", splits, CARD)
    shard = tmp_path / "bench" / "data" / "eval-00000-of-00001.parquet"
    table = pq.read_table(shard).rename_columns(
        ["gt_scenario" if name == "GT Scenario" else name for name in SCHEMA.names]
    )
    pq.write_table(table, shard)
    with pytest.raises(
        ArtefactError,
        match=r"eval-00000-of-00001\.parquet: columns .*"
        r"missing \['GT Scenario'\], unexpected \['gt_scenario'\]",
    ):
        read_parquet_records(tmp_path / "bench", "eval")


def test_reading_a_missing_shard_is_refused(tmp_path, splits):
    write_parquet_dataset(tmp_path / "bench", splits, CARD, rows_per_shard=2)
    (tmp_path / "bench" / "data" / "eval-00001-of-00003.parquet").unlink()
    with pytest.raises(ArtefactError, match="expected .*eval-00001-of-00003.parquet"):
        read_parquet_records(tmp_path / "bench", "eval")

"""The benchmark as a Hugging Face Parquet dataset folder (SPEC §4 records, one row each).

Layout follows the Hub convention, so ``datasets.load_dataset(str(dest_dir))`` (or the
``parquet`` builder with ``data_files``) finds the splits without a loading script::

    dest_dir/README.md                              card; YAML front matter lists the splits
    dest_dir/data/<split>-00000-of-00002.parquet    shards of at most ``rows_per_shard`` rows

Load with ``load_dataset(str(dest_dir))`` or explicit ``data_files``: the ``parquet`` builder's
``data_dir`` inference renames splits by keyword (``eval-*`` files become split ``test``).

Columns keep the official JSON key names exactly (``"GT Scenario"`` with its space). One explicit
schema (``SCHEMA``) types every shard, so shards agree even where a column is all empty lists
(``bbox_2d`` of non-point questions would otherwise be inferred as ``list<null>``). Bytes are
deterministic: the same records give identical files (fixed compression, no timestamps).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from spatialmosaic.io import ArtefactError, atomic_dir
from spatialmosaic.records import BenchRecord

DATA_DIR = "data"
CARD_NAME = "README.md"
# SPEC §4 field order, as BenchRecord.to_json writes it.
SCHEMA = pa.schema(
    [
        pa.field("dataset", pa.string(), nullable=False),
        pa.field("scene_name", pa.string(), nullable=False),
        pa.field("question_type", pa.string(), nullable=False),
        pa.field("frames", pa.list_(pa.string()), nullable=False),
        pa.field("question", pa.string(), nullable=False),
        pa.field("options", pa.list_(pa.string()), nullable=False),
        pa.field("ground_truth", pa.string(), nullable=False),
        pa.field("mc_answer", pa.string(), nullable=False),
        pa.field("overlap_avg", pa.float64(), nullable=False),
        pa.field("occlusion_avg", pa.float64(), nullable=False),
        pa.field("occ_level", pa.string(), nullable=False),
        pa.field("overlap_level", pa.string(), nullable=False),
        pa.field("vis_level", pa.string(), nullable=False),
        pa.field("GT Scenario", pa.string(), nullable=False),
        pa.field("id", pa.string(), nullable=False),
        pa.field("bbox_2d", pa.list_(pa.float64()), nullable=False),
        pa.field("bbox_2d_diag", pa.string(), nullable=False),
    ]
)
COMPRESSION = "zstd"
COMPRESSION_LEVEL = 9
# Hub split names are word characters; no "-" so the "<split>-*" glob cannot catch another split.
_SPLIT_NAME = re.compile(r"[A-Za-z0-9_]+")
_SHARD_NAME = re.compile(r"(?P<split>[A-Za-z0-9_]+)-(?P<index>\d{5})-of-(?P<count>\d{5})\.parquet")


def shard_name(split: str, index: int, count: int) -> str:
    """Hub shard file name, e.g. ``eval-00000-of-00003.parquet``."""
    return f"{split}-{index:05d}-of-{count:05d}.parquet"


def split_glob(split: str) -> str:
    """Glob of a split's shards relative to the dataset folder, as the card declares it."""
    return f"{DATA_DIR}/{split}-*"


def _check_split_name(split: str) -> None:
    if not _SPLIT_NAME.fullmatch(split):
        raise ValueError(f"split name {split!r}: use letters, digits and '_' only")


def dataset_card(splits: list[str], card_markdown: str) -> str:
    """The README: YAML front matter mapping each split to its shards, then the card text.

    Raises:
        ValueError: when ``card_markdown`` brings its own front matter (two would clash).
    """
    if card_markdown.lstrip().startswith("---"):
        raise ValueError("card_markdown starts with '---': give the card body without front matter")
    configs = [
        {
            "config_name": "default",
            "data_files": [{"split": split, "path": split_glob(split)} for split in splits],
        }
    ]
    front = yaml.safe_dump({"configs": configs}, sort_keys=False, allow_unicode=True)
    return f"---\n{front}---\n\n{card_markdown.rstrip()}\n"


def _write_shards(data_dir: Path, split: str, records: Iterable[BenchRecord], rows: int) -> int:
    """Stream records into shards of ``rows``; the "-of-N" names are given once N is known.
    Returns the number of records written."""
    written: list[Path] = []
    total = 0
    for chunk in _chunks(records, rows):
        path = data_dir / f".{split}-{len(written):05d}.partial"
        table = pa.Table.from_pylist([record.to_json() for record in chunk], schema=SCHEMA)
        pq.write_table(
            table,
            path,
            row_group_size=rows,
            compression=COMPRESSION,
            compression_level=COMPRESSION_LEVEL,
        )
        written.append(path)
        total += len(chunk)
    for index, path in enumerate(written):
        path.rename(data_dir / shard_name(split, index, len(written)))
    return total


def _chunks(records: Iterable[BenchRecord], size: int) -> Iterator[list[BenchRecord]]:
    chunk: list[BenchRecord] = []
    for record in records:
        chunk.append(record)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def write_parquet_dataset(
    dest_dir: Path,
    splits: dict[str, Iterable[BenchRecord]],
    card_markdown: str,
    rows_per_shard: int = 100_000,
) -> None:
    """Write benchmark splits as a ``datasets``-loadable Parquet folder, replacing ``dest_dir``.

    Records are streamed shard by shard, so memory stays flat however large a split is. The
    folder is built in a temporary sibling and renamed into place, so a killed run never
    leaves a partial dataset.

    Args:
        dest_dir: the dataset folder to (re)create.
        splits: split name (letters, digits, ``_``) -> records (at least one each; a list or
            any iterable), in the order the card lists them.
        card_markdown: the dataset card body (Markdown, no front matter).
        rows_per_shard: most rows per Parquet file (>= 1).

    Raises:
        ValueError: no splits, an empty split, a bad split name, ``rows_per_shard < 1`` or a
            card with its own front matter.
    """
    if not splits:
        raise ValueError(f"{dest_dir}: no splits given; need at least one")
    if rows_per_shard < 1:
        raise ValueError(f"rows_per_shard={rows_per_shard}: need >= 1")
    for split in splits:
        _check_split_name(split)
    card = dataset_card(list(splits), card_markdown)
    with atomic_dir(dest_dir) as tmp:
        data_dir = tmp / DATA_DIR
        data_dir.mkdir()
        for split, records in splits.items():
            if not _write_shards(data_dir, split, records, rows_per_shard):
                # datasets 5.2 fails on a declared split without rows ("corresponds to no data").
                raise ValueError(f"{dest_dir}: split {split!r} has no records; drop it or fill it")
        (tmp / CARD_NAME).write_text(card, encoding="utf-8")


def split_shards(dest_dir: Path, split: str) -> list[Path]:
    """A split's shard files in order, checked to be complete (``i-of-N`` for every i < N).

    Raises:
        ArtefactError: a missing folder, no shards, or a gap in the numbering.
    """
    _check_split_name(split)
    data_dir = Path(dest_dir) / DATA_DIR
    if not data_dir.is_dir():
        raise ArtefactError(f"{data_dir}: folder not found; write it with write_parquet_dataset")
    shards = sorted(data_dir.glob(f"{split}-*-of-*.parquet"))
    matches = [_SHARD_NAME.fullmatch(path.name) for path in shards]
    named = [m for m in matches if m is not None and m["split"] == split]
    if not named:
        raise ArtefactError(f"{data_dir}: no shards for split {split!r}")
    count = int(named[0]["count"])
    expected = [shard_name(split, index, count) for index in range(count)]
    found = [m.string for m in named]
    if found != expected:
        raise ArtefactError(f"{data_dir}: split {split!r} shards {found}; expected {expected}")
    return [data_dir / name for name in found]


def _read_shard(path: Path) -> pa.Table:
    try:
        table = pq.read_table(path)
    except (OSError, pa.ArrowException) as error:
        raise ArtefactError(f"{path}: not a readable Parquet file ({error})") from None
    if table.schema.names != SCHEMA.names:
        missing = sorted(set(SCHEMA.names) - set(table.schema.names))
        extra = sorted(set(table.schema.names) - set(SCHEMA.names))
        raise ArtefactError(
            f"{path}: columns {table.schema.names}; missing {missing}, unexpected {extra} "
            f"(expected {SCHEMA.names}, SPEC §4)"
        )
    for field in SCHEMA:
        found = table.schema.field(field.name).type
        if found != field.type:
            raise ArtefactError(f"{path}: column {field.name!r} is {found}; expected {field.type}")
        if table.column(field.name).null_count:
            raise ArtefactError(f"{path}: column {field.name!r} holds nulls")
    return table


def read_parquet_records(dest_dir: Path, split: str) -> list[BenchRecord]:
    """Read one split of a folder written by ``write_parquet_dataset`` back into records.

    Raises:
        ArtefactError: a missing folder or split, unreadable shards, wrong columns or types,
            or rows that are no valid records; the message names the file.
    """
    records: list[BenchRecord] = []
    for path in split_shards(dest_dir, split):
        for row in _read_shard(path).to_pylist():
            try:
                records.append(BenchRecord.from_json(row))
            except ValueError as error:
                raise ArtefactError(f"{path}: {error}") from None
    return records

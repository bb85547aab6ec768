"""In-text numbers from generated files (showyourwork's approach, STYLE §14).

Rule ``report_values`` writes every number that the README and the docs may quote into
``results/values.json`` (key -> number) and one ``paper_figures/values/<key>.tex`` per key (the
formatted number, for ``\\input`` in a paper). A document quotes a value with a marker right
before the number::

    The benchmark has <!-- value: qa.test.questions -->7,989 questions.

``check_quotes`` lists every marked number that differs from the file (a test runs it on the
README), and ``sync_quotes`` rewrites them (``spatialmosaic report quote-values --update``).

Keys: ``qa.<split>.{questions,scenes,images}`` from the dataset statistics, and
``models.<model>.overall`` / ``models.<model>.overall_circular`` from the metrics files.
"""

from __future__ import annotations

import re
from pathlib import Path

from spatialmosaic.evaluate.run import METRICS_FORMAT
from spatialmosaic.io import atomic_dir, atomic_path, read_json, write_json
from spatialmosaic.provenance import artefact_meta

VALUES_FORMAT = "spatialmosaic.values"
# a number: digits with thousands separators (a comma after it is punctuation), then decimals
MARKER = re.compile(
    r"<!-- value: (?P<key>[\w.-]+) -->"
    r"(?P<number>-?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?)"
)
SPLIT_FIELDS = ("questions", "scenes", "images")
DECIMALS = 2  # scores, as in the tables


def collect_values(stats_json: Path, metrics_files: list[Path]) -> dict[str, int | float]:
    """Key -> number from the statistics and metrics files, sorted by key; scores rounded to
    ``DECIMALS`` like the tables."""
    values: dict[str, int | float] = {}
    for split, entry in read_json(stats_json)["splits"].items():
        for field in SPLIT_FIELDS:
            values[f"qa.{split}.{field}"] = int(entry[field])
    for path in metrics_files:
        payload = read_json(path, kind=METRICS_FORMAT)
        values[f"models.{payload['model']}.overall"] = round(payload["overall"], DECIMALS)
        if "circular" in payload:
            circular = round(payload["circular"]["overall"], DECIMALS)
            values[f"models.{payload['model']}.overall_circular"] = circular
    return dict(sorted(values.items()))


def format_value(value: int | float) -> str:
    """How documents print a value: integers with thousands separators, scores with 2
    decimals (``7,989``, ``30.45``)."""
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:,.{DECIMALS}f}"


def tex_name(key: str) -> str:
    """File stem of a key's ``.tex`` file: ``qa.test.questions`` -> ``qa_test_questions``."""
    return re.sub(r"[^\w]", "_", key)


def write_values(values: dict[str, int | float], json_path: Path, tex_dir: Path) -> None:
    """``values.json`` and one ``<key>.tex`` per value (the formatted number; the trailing
    ``%`` keeps ``\\input`` from adding a space)."""
    write_json(
        json_path,
        {
            "format": VALUES_FORMAT,
            "values": values,
            "meta": artefact_meta("report-values", None, {}),
        },
    )
    with atomic_dir(tex_dir) as tmp:
        for key, value in values.items():
            (tmp / f"{tex_name(key)}.tex").write_text(f"{format_value(value)}%\n", encoding="utf-8")


def read_values(json_path: Path) -> dict[str, int | float]:
    return read_json(json_path, kind=VALUES_FORMAT)["values"]


def check_quotes(text: str, values: dict[str, int | float]) -> list[str]:
    """One line per marked number in ``text`` that is not the value in the file (an unknown key
    counts too)."""
    problems = []
    for match in MARKER.finditer(text):
        key, quoted = match.group("key"), match.group("number")
        if key not in values:
            problems.append(f"{key}: quoted {quoted}, but no such value (known: {len(values)})")
        elif quoted != format_value(values[key]):
            problems.append(f"{key}: quoted {quoted}, the file has {format_value(values[key])}")
    return problems


def sync_quotes(text: str, values: dict[str, int | float]) -> str:
    """``text`` with every marked number replaced by its value (unknown keys left alone)."""

    def replace(match: re.Match) -> str:
        key = match.group("key")
        if key not in values:
            return match.group(0)
        return f"<!-- value: {key} -->{format_value(values[key])}"

    return MARKER.sub(replace, text)


def quote_values(values_json: Path, documents: list[Path], update: bool) -> None:
    """Check (or with ``update``, rewrite) the marked numbers of ``documents``.

    Raises:
        ValueError: without ``update``, a quoted number differs from ``values_json``.
    """
    values = read_values(values_json)
    problems = []
    for path in documents:
        text = path.read_text(encoding="utf-8")
        if update and sync_quotes(text, values) != text:
            text = sync_quotes(text, values)
            with atomic_path(path) as tmp:
                tmp.write_text(text, encoding="utf-8")
        problems += [f"{path}: {line}" for line in check_quotes(text, values)]
    if problems:
        hint = "" if update else " (run 'spatialmosaic report quote-values --update')"
        raise ValueError("; ".join(problems) + hint)

"""In-text numbers: values.json and .tex files from results, and the README's quoted numbers."""

from __future__ import annotations

import pytest

from spatialmosaic.io import write_json
from spatialmosaic.reporting.values import (
    check_quotes,
    collect_values,
    format_value,
    quote_values,
    read_values,
    sync_quotes,
    write_values,
)
from workflow_support import ROOT


def results(tmp_path):
    stats = {
        "test": {"questions": 7989, "scenes": 3, "images": 178},
        "train": {"questions": 28380, "scenes": 9, "images": 539},
    }
    write_json(tmp_path / "qa_stats.json", {"splits": stats})
    write_json(
        tmp_path / "blind.json",
        {"format": "spatialmosaic.metrics", "model": "blind", "overall": 30.446504,
         "circular": {"overall": 28.2249}},
    )  # fmt: skip
    return tmp_path / "qa_stats.json", [tmp_path / "blind.json"]


def test_values_and_tex_files_come_from_the_results(tmp_path):
    values = collect_values(*results(tmp_path))
    assert values["qa.test.questions"] == 7989
    assert values["models.blind.overall"] == 30.45
    assert values["models.blind.overall_circular"] == 28.22
    write_values(values, tmp_path / "values.json", tmp_path / "values")
    assert read_values(tmp_path / "values.json") == values
    assert (tmp_path / "values" / "qa_test_questions.tex").read_text() == "7,989%\n"
    assert (tmp_path / "values" / "models_blind_overall.tex").read_text() == "30.45%\n"
    assert format_value(28380) == "28,380" and format_value(30.0) == "30.00"


def test_quoted_numbers_are_checked_and_synced():
    values = {"qa.test.questions": 7989, "models.blind.overall": 30.45}
    text = (
        "It has <!-- value: qa.test.questions -->7,000 questions; blind scores "
        "<!-- value: models.blind.overall -->30.45 and <!-- value: models.gone.overall -->1.00."
    )
    problems = check_quotes(text, values)
    assert problems == [
        "qa.test.questions: quoted 7,000, the file has 7,989",
        "models.gone.overall: quoted 1.00, but no such value (known: 2)",
    ]
    synced = sync_quotes(text, values)
    assert "<!-- value: qa.test.questions -->7,989 questions" in synced
    assert check_quotes(synced, values) == [problems[1]]


def test_quote_values_updates_a_document_or_names_the_stale_number(tmp_path):
    write_values({"qa.test.questions": 12}, tmp_path / "values.json", tmp_path / "tex")
    doc = tmp_path / "README.md"
    doc.write_text("<!-- value: qa.test.questions -->10 questions\n")
    with pytest.raises(ValueError, match="quoted 10, the file has 12.*--update"):
        quote_values(tmp_path / "values.json", [doc], update=False)
    quote_values(tmp_path / "values.json", [doc], update=True)
    assert doc.read_text() == "<!-- value: qa.test.questions -->12 questions\n"


@pytest.mark.parametrize("document", ["README.md", "docs/training.md"])
def test_docs_quote_the_numbers_of_the_committed_default_run(document):
    text = (ROOT / document).read_text()
    values = read_values(ROOT / "results/values.json")
    assert text.count("<!-- value: ") >= 4
    assert check_quotes(text, values) == [], (
        f"{document} numbers differ from results/values.json: run 'spatialmosaic report "
        f"quote-values --values results/values.json README.md docs/training.md --update'"
    )


def test_a_comma_after_a_quoted_number_is_punctuation():
    values = {"a": 12, "b": 13310, "c": 26.2}
    text = "<!-- value: a -->10, <!-- value: b -->13,000, and <!-- value: c -->1.00, done"
    assert sync_quotes(text, values) == (
        "<!-- value: a -->12, <!-- value: b -->13,310, and <!-- value: c -->26.20, done"
    )

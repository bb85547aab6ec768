"""The trained models' ablation table, training curves and data-size curve, from results files."""

from __future__ import annotations

import pytest

from spatialmosaic.io import ArtefactError, write_json
from spatialmosaic.reporting.models import (
    Variant,
    ablation_frame,
    scaling_curve,
    training_curves,
)


def _metrics(path, model, overall, indoor, outdoor, circular):
    write_json(
        path,
        {
            "format": "spatialmosaic.metrics",
            "model": model,
            "per_type": {},
            "overall": overall,
            "circular": {"overall": circular},
            "domains": {"indoor": {"overall": indoor}, "outdoor": {"overall": outdoor}},
        },
    )
    return path


VARIANTS = [
    Variant.parse("vlm:none:cross_attention:1.0"),
    Variant.parse("vlm_geo:both:cross_attention:1.0"),
    Variant.parse("vlm_geo_concat:both:concat"),
]


def test_variants_parse_from_the_rule_arguments():
    assert VARIANTS[2] == Variant("vlm_geo_concat", "both", "concat", 1.0)
    assert Variant.parse("vlm_geo_data25:both:cross_attention:0.25").fraction == 0.25
    with pytest.raises(ValueError, match="name:geometry:fusion"):
        Variant.parse("vlm:none")


def test_ablation_rows_and_the_change_against_no_geometry(tmp_path):
    files = [
        _metrics(tmp_path / "a.json", "vlm", 40.0, 41.0, 38.0, 20.0),
        _metrics(tmp_path / "b.json", "vlm_geo", 43.5, 44.0, 42.0, 22.5),
        _metrics(tmp_path / "c.json", "vlm_geo_concat", 39.25, 40.0, 37.0, 19.0),
    ]
    frame = ablation_frame(files, VARIANTS)
    assert list(frame.columns) == [
        "geometry", "fusion", "overall", "overall (circular)", "indoor", "outdoor",
        "vs no geometry",
    ]  # fmt: skip
    assert frame["vs no geometry"].to_dict() == {
        "vlm": 0.0,
        "vlm_geo": 3.5,
        "vlm_geo_concat": -0.75,
    }
    assert frame["fusion"].to_dict() == {
        "vlm": "-",
        "vlm_geo": "cross_attention",
        "vlm_geo_concat": "concat",
    }


def test_a_metrics_file_of_an_unknown_model_is_refused(tmp_path):
    files = [_metrics(tmp_path / "a.json", "mystery", 40.0, 41.0, 38.0, 20.0)]
    with pytest.raises(ArtefactError, match="'mystery' is not among the variants"):
        ablation_frame(files, VARIANTS)


def test_training_curves_and_scaling_figures_are_deterministic(tmp_path):
    curves = []
    for name in ("vision", "language", "vlm", "vlm_geo"):
        path = tmp_path / f"{name}.csv"
        rows = "\n".join(f"{step},{step / 10},{2.0 / step},0.001" for step in range(1, 60))
        path.write_text("step,epoch,loss,lr\n" + rows + "\n")
        curves.append(path)
    training_curves(curves, tmp_path / "c.pdf", tmp_path / "c.png")
    first = (tmp_path / "c.pdf").read_bytes()
    training_curves(curves, tmp_path / "c.pdf", tmp_path / "c.png")
    assert (tmp_path / "c.pdf").read_bytes() == first

    write_json(tmp_path / "stats.json", {"splits": {"train": {"questions": 1000}}})
    sweep = [Variant.parse("vlm_geo_data25:both:cross_attention:0.25"), VARIANTS[1]]
    files = [
        _metrics(tmp_path / "s.json", "vlm_geo_data25", 33.0, 0, 0, 0),
        _metrics(tmp_path / "f.json", "vlm_geo", 43.0, 0, 0, 0),
        _metrics(tmp_path / "b.json", "blind", 30.0, 0, 0, 0),
    ]
    scaling_curve(files, sweep, tmp_path / "stats.json", tmp_path / "s.pdf", tmp_path / "s.png")
    assert (tmp_path / "s.png").stat().st_size > 1000
    with pytest.raises(ArtefactError, match="no model of the data-size sweep"):
        scaling_curve(files[2:], sweep, tmp_path / "stats.json", tmp_path / "x.pdf",
                      tmp_path / "x.png")  # fmt: skip

"""Figures are drawn from pipeline files, atomically, with stable metadata."""

from __future__ import annotations

from PIL import Image

from analytic import half_hidden_board
from spatialmosaic.reporting.figures import visibility_overview
from spatialmosaic.visibility.example import write_example
from spatialmosaic.visibility.table import write_visibility


def test_visibility_overview_from_visibility_files(tmp_path):
    scene, cameras, visibility = half_hidden_board(tmp_path)
    table, example = tmp_path / "vis.json", tmp_path / "example.npz"
    write_visibility(table, visibility, meta={})
    write_example(example, scene, cameras, tmp_path / "render", visibility, "open3d-cpu", {})
    pdf, png = tmp_path / "fig.pdf", tmp_path / "fig.png"
    visibility_overview([table], example, pdf, png)
    assert pdf.read_bytes().startswith(b"%PDF")
    assert Image.open(png).size[0] > 600
    assert not list(tmp_path.glob("*.tmp*"))
    first = png.read_bytes()
    visibility_overview([table], example, pdf, png)
    assert png.read_bytes() == first

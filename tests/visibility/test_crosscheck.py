"""The independent rasteriser: closed-form answers, and agreement with the ray-cast pipeline.

Camera (``camera_at``): 100 x 80 pixels, focal 50 px, principal point (50, 40), looking down
+Z; the amodal plane is capped at [-100, 200) x [-80, 160). Edges are placed between pixel
centres, so every count below is exact.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from analytic import (
    box,
    builtin_scene_and_cameras,
    camera_at,
    floor_crossing_camera_plane,
    make_scene,
    quad,
)
from spatialmosaic.render.frames import render_scene
from spatialmosaic.visibility.crosscheck import (
    CROSSCHECK_TOLERANCE,
    NEAR_Z_M,
    clip_near,
    compare_scene,
    rasterize_view,
    violations,
)
from spatialmosaic.visibility.observe import AMODAL_MARGIN, observe_scene

BOARD = (1, "board", False, quad(-0.49, 0.49, -0.49, 0.49, 2.0))
PANEL = (2, "panel", False, quad(0.001, 1.5, -1.0, 1.0, 1.0))


def floor_triangle(corners_xz) -> tuple[np.ndarray, np.ndarray]:
    """One triangle in the floor plane y = 0.3 (row v sees it at z = 15 / (v + 0.5 - 40))."""
    return np.array([[x, 0.3, z] for x, z in corners_xz]), np.array([[0, 1, 2]])


def floor_areas(half_width) -> tuple[int, int]:
    """(S_full, S_in) of a floor shape covering |u + 0.5 - 50| <= half_width(v) from row 44
    (z = 15 / 4.5 <= 4) to the last row of the capped plane."""
    full = in_image = 0
    for v in range(44, 160):
        columns = [u for u in range(-100, 200) if abs(u + 0.5 - 50) <= half_width(v)]
        full += len(columns)
        in_image += sum(0 <= u < 100 for u in columns) if v < 80 else 0
    return full, in_image


@pytest.mark.parametrize(
    ("parts", "areas", "visible"),
    [
        ([BOARD], {1: (576, 576)}, 576),
        # the panel: columns 50..124 x rows -10..89 on the plane, 50 x 80 of them inside
        ([BOARD, PANEL], {1: (576, 576), 2: (7500, 4000)}, 288),
        ([(1, "board", False, quad(0.505, 1.495, -0.2, 0.2, 1.0))], {1: (1000, 500)}, 500),
        ([BOARD, (2, "behind", False, quad(-0.5, 0.5, -0.5, 0.5, -2.0))], {1: (576, 576)}, 576),
        ([(1, "tent", False, box((-5, -5, -5), (5, 5, 5)))], {1: (9 * 8000, 8000)}, 8000),
        ([BOARD, (2, "wall", True, quad(-0.49, 0.0, -1.0, 1.0, 1.0))], {1: (576, 576)}, 288),
    ],
    ids=["visible", "half-occluded", "truncated", "behind-camera", "inside-box", "structural"],
)
def test_rasteriser_closed_form(parts, areas, visible):
    view = rasterize_view(make_scene(parts), camera_at(), AMODAL_MARGIN)
    assert view.areas == areas
    assert int((view.instance == 1).sum()) == visible


def test_rasteriser_clips_at_the_camera_plane():
    scene, full, in_image = floor_crossing_camera_plane()
    assert rasterize_view(scene, camera_at(), AMODAL_MARGIN).areas == {1: (full, in_image)}


@pytest.mark.parametrize(
    ("corners_xz", "half_width"),
    [
        # apex behind: |x| <= (z + 1) / 5 -> |u + 0.5 - 50| <= 10 + 10 / z
        ([(0.0, -1.0), (-1.0, 4.0), (1.0, 4.0)], lambda v: 10 + 10 * (v + 0.5 - 40) / 15),
        # base behind: |x| <= (4 - z) / 5 -> |u + 0.5 - 50| <= 40 / z - 10
        ([(0.0, 4.0), (-1.0, -1.0), (1.0, -1.0)], lambda v: 40 * (v + 0.5 - 40) / 15 - 10),
    ],
    ids=["one-vertex-behind", "two-vertices-behind"],
)
def test_triangle_clipped_by_the_near_plane(corners_xz, half_width):
    scene = make_scene([(1, "rug", False, floor_triangle(corners_xz))])
    assert rasterize_view(scene, camera_at()).areas == {1: floor_areas(half_width)}


def test_clip_near_splits_and_drops_triangles():
    def triangle(*z):
        return np.array([[0.0, 0.0, z[0]], [1.0, 0.0, z[1]], [0.0, 1.0, z[2]]])

    corners = np.stack(
        [triangle(1, 1, 1), triangle(-1, 1, 1), triangle(-1, -1, 1), triangle(-1, -1, -1)]
    )
    clipped, source = clip_near(corners)
    assert sorted(source.tolist()) == [0, 1, 1, 2]  # 3, 2, 1 and 0 vertices in front
    assert clipped[..., 2].min() >= NEAR_Z_M * (1 - 1e-9)


def test_depth_is_planar_and_perspective_correct():
    scene, _, _ = floor_crossing_camera_plane()
    view = rasterize_view(scene, camera_at())
    rows, _ = np.nonzero(view.instance == 1)
    expected = 15 / (rows + 0.5 - 40)
    assert np.allclose(view.depth_z_m[view.instance == 1], expected, rtol=1e-12)
    assert np.all(np.isinf(view.depth_z_m[view.instance == 0]))


def test_amodal_margin_sets_the_plane_cap():
    scene = make_scene([(1, "tent", False, box((-5, -5, -5), (5, 5, 5)))])
    assert rasterize_view(scene, camera_at(), amodal_margin=0).areas == {1: (8000, 8000)}
    assert rasterize_view(scene, camera_at(), amodal_margin=2).areas == {1: (25 * 8000, 8000)}
    with pytest.raises(ValueError, match="amodal_margin=-1"):
        rasterize_view(scene, camera_at(), amodal_margin=-1)


def pipeline(scene, cameras, tmp_path):
    render_scene(scene, cameras, tmp_path / "render", jpeg_quality=90)
    visibility, _ = observe_scene(scene, cameras, tmp_path / "render", 1, 0.05)
    return visibility, compare_scene(scene, cameras, visibility, tmp_path / "render", AMODAL_MARGIN)


@pytest.mark.parametrize(
    "parts",
    [
        [BOARD, PANEL],
        [(1, "board", False, quad(0.505, 1.495, -0.2, 0.2, 1.0))],
        [BOARD, (2, "behind", False, quad(-0.5, 0.5, -0.5, 0.5, -2.0))],
        [(1, "tent", False, box((-5, -5, -5), (5, 5, 5)))],
        [(1, "rug", False, floor_triangle([(0.0, 4.0), (-1.0, -1.0), (1.0, -1.0)]))],
        [
            BOARD,
            PANEL,
            (3, "crate", False, box((-0.9, 0.1, 1.4), (-0.2, 0.6, 1.9))),
            (4, "wall", True, quad(-50, 50, -50, 50, 6.0)),
        ],
    ],
    ids=["half-occluded", "truncated", "behind-camera", "inside-box", "near-plane", "mixed"],
)
def test_pipeline_matches_exactly_on_analytic_scenes(parts, tmp_path):
    scene = make_scene(parts)
    camera = camera_at(position=(0.05, -0.03, 0.0))
    visibility, summary = pipeline(scene, [camera], tmp_path)
    view = rasterize_view(scene, camera, AMODAL_MARGIN)
    observed = {o.instance_id: (o.pixels_full, o.pixels_in_image) for o in visibility.observations}
    assert observed == {i: areas for i, areas in view.areas.items() if areas[1] > 0}
    assert summary["instance_agreement"] == 1.0
    assert summary["only_pipeline"]["count"] == summary["only_crosscheck"]["count"] == 0
    for name in ("pixels_full", "pixels_in_image", "pixels_visible"):
        assert summary[f"{name}_rel_diff"]["max"] in (0.0, None)
    assert violations(summary) == []


def test_pipeline_agrees_on_a_builtin_room(tmp_path):
    scene, cameras = builtin_scene_and_cameras(frames=3, width=160, height=120)
    _, summary = pipeline(scene, cameras, tmp_path)
    assert summary["frames"] == 3 and summary["observations_compared"] > 0
    assert summary["instance_agreement_worst_frame"] >= CROSSCHECK_TOLERANCE.instance_agreement
    assert summary["truncation_abs_diff"]["mean"] <= CROSSCHECK_TOLERANCE.mean_abs_truncation
    assert summary["occlusion_abs_diff"]["mean"] <= CROSSCHECK_TOLERANCE.mean_abs_occlusion
    assert violations(summary) == []


def test_violations_catch_a_wrong_annotation(tmp_path):
    scene, cameras = make_scene([BOARD, PANEL]), [camera_at()]
    visibility, _ = pipeline(scene, cameras, tmp_path)
    # a pipeline that forgot the occluder (the board would look fully visible) and the panel
    board = [o for o in visibility.observations if o.instance_id == 1]
    wrong = dataclasses.replace(
        visibility,
        observations=tuple(dataclasses.replace(o, pixels_visible=o.pixels_in_image) for o in board),
    )
    summary = compare_scene(scene, cameras, wrong, tmp_path / "render", AMODAL_MARGIN)
    problems = violations(summary)
    assert any("occlusion" in problem for problem in problems)
    assert any("only_crosscheck" in problem for problem in problems)
    assert np.isclose(summary["occlusion_abs_diff"]["max"], 0.5)
    assert summary["only_crosscheck"] == {
        "count": 1,
        "max_pixels_full": 7500,
        "max_pixels_in_image": 4000,
    }


def test_compare_scene_needs_annotated_frames(tmp_path):
    scene, cameras = make_scene([BOARD]), [camera_at()]
    visibility, _ = pipeline(scene, cameras, tmp_path)
    with pytest.raises(ValueError, match="frame_000009"):
        compare_scene(scene, [camera_at("frame_000009")], visibility, tmp_path / "render")

"""Textures: barycentric UVs from both ray casters, and the texel they select."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from analytic import TEXTURE, camera_at, textured_quad
from spatialmosaic.raycast import image_pixels, make_raycaster
from spatialmosaic.render.frames import render_frame
from spatialmosaic.render.textures import TextureSampler


@pytest.mark.parametrize("backend", ["open3d-cpu", "warp-cpu"])
def test_barycentric_uv_interpolates_the_hit_point(backend):
    scene = textured_quad()
    camera = camera_at(width=40, height=40, focal_px=50.0)  # the quad fills the image
    hits = make_raycaster(scene.vertices_world_m, scene.triangles, backend).cast_image(camera)
    assert (hits.triangle >= 0).all()
    corners = scene.vertices_world_m[scene.triangles[hits.triangle]]
    u, v = hits.barycentric_uv[:, :1], hits.barycentric_uv[:, 1:]
    point = (1 - u - v) * corners[:, 0] + u * corners[:, 1] + v * corners[:, 2]
    us, vs = image_pixels(camera)
    expected = np.column_stack([(us + 0.5 - 20) / 50 * 2, (vs + 0.5 - 20) / 50 * 2])
    np.testing.assert_allclose(point[:, :2], expected, atol=1e-5)


def test_backends_agree_on_barycentric_uv_and_texels():
    scene = textured_quad(uv_scale=3.0)
    camera = camera_at(position=(0.03, -0.02, 0.0), width=64, height=48, focal_px=30.0)
    hits = [
        make_raycaster(scene.vertices_world_m, scene.triangles, backend).cast_image(camera)
        for backend in ("open3d-cpu", "warp-cpu")
    ]
    same_face = hits[0].triangle == hits[1].triangle
    assert same_face.mean() > 0.99  # rays exactly on the diagonal may pick either triangle
    np.testing.assert_allclose(
        hits[0].barycentric_uv[same_face], hits[1].barycentric_uv[same_face], atol=1e-5
    )
    sampler = TextureSampler(scene)
    albedo = [sampler.albedo(h.triangle, h.barycentric_uv) for h in hits]
    assert (np.abs(albedo[0] - albedo[1]).max(axis=1) < 1e-9).mean() > 0.99


def test_texel_at_known_uv_is_returned():
    sampler = TextureSampler(textured_quad())
    # Hits on triangle 0 (corners uv (0,0), (1,0), (1,1)) at barycentric (u, v): uv = (u+v, v).
    barycentric = np.array([[0.1, 0.05], [0.3, 0.6], [0.05, 0.9], [0.8, 0.1]], np.float32)
    texcoord = sampler.texcoords(np.zeros(4, np.int64), barycentric)
    np.testing.assert_allclose(texcoord, [[0.15, 0.05], [0.9, 0.6], [0.95, 0.9], [0.9, 0.1]])
    rgb = sampler.albedo(np.zeros(4, np.int64), barycentric) * 255
    # v < 0.5 is the bottom texture row (row 1), u picks the column floor(4 u).
    expected = [TEXTURE[1, 0], TEXTURE[0, 3], TEXTURE[0, 3], TEXTURE[1, 3]]
    np.testing.assert_allclose(rgb, expected, atol=1e-9)


def test_texture_repeats_outside_unit_range():
    sampler = TextureSampler(textured_quad())
    uv = np.array([[1.125, -0.75], [-0.375, 2.75]])  # = (0.125, 0.25) and (0.625, 0.75)
    direct = sampler.sample(np.zeros(2, np.int64), uv) * 255
    np.testing.assert_allclose(direct, [TEXTURE[1, 0], TEXTURE[0, 2]], atol=1e-9)


def test_untextured_faces_keep_their_colour_and_renders_show_texels():
    scene = textured_quad()
    camera = camera_at(width=40, height=40, focal_px=10.0)  # the quad fills the middle
    raycaster = make_raycaster(scene.vertices_world_m, scene.triangles, "open3d-cpu")
    rgb = render_frame(raycaster, scene, camera).rgb
    # Every texel's hue shows up (blue channel 200 shaded), never the flat colour 9.
    assert len({tuple(p) for p in rgb[15:25, 15:25].reshape(-1, 3)}) >= 4
    flat = dataclasses.replace(scene, textures=(), face_texture=None, face_uv=None)
    assert (render_frame(raycaster, flat, camera).rgb[20, 20] < 10).all()


def test_supersampling_averages_rgb_but_keeps_exact_ids_and_depth():
    scene = textured_quad()
    camera = camera_at(width=40, height=40, focal_px=10.0)
    raycaster = make_raycaster(scene.vertices_world_m, scene.triangles, "open3d-cpu")
    single = render_frame(raycaster, scene, camera)
    double = render_frame(raycaster, scene, camera, supersample=2)
    assert np.array_equal(single.instance, double.instance)
    assert np.array_equal(single.depth_z_m, double.depth_z_m)
    assert double.rgb.shape == single.rgb.shape
    edge = slice(9, 11)  # the quad's border: mixed pixels only with supersampling
    assert len(np.unique(double.rgb[20, edge], axis=0)) >= len(np.unique(single.rgb[20, edge]))
    with pytest.raises(ValueError, match="supersample=0"):
        render_frame(raycaster, scene, camera, supersample=0)

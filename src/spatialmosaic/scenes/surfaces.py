"""Horizontal surfaces of placed furniture (table tops, shelves, counters) found by ray casting,
and free spots on them for small objects (ours).

The catalogs do not say where a piece's shelves are, so we find them in its mesh: heights where
upward-facing triangles cover enough area are candidate levels. On a grid of cells over the
piece's footprint, a short ray down from just above a level says whether the cell is supported
there, and a ray up says how much room there is above it (the next shelf). A small object may
stand where every cell under its footprint is supported and has room for its height.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from spatialmosaic.raycast import make_raycaster
from spatialmosaic.scenes.layout import Rect

SURFACE_CELL_M = 0.02
HORIZONTAL_NORMAL_Z = 0.9  # |n_z| of triangles that can be a surface
LEVEL_BIN_M = 0.01
MIN_LEVEL_AREA_M2 = 0.015
MIN_LEVEL_HEIGHT_M = 0.1  # lower levels are a piece's feet, not a surface
MAX_LEVEL_HEIGHT_M = 1.8  # things are not put higher than a hand reaches
PROBE_M = 0.004  # rays start this far above a level
SUPPORT_TOLERANCE_M = 0.004  # a down ray must hit within this of the level
MIN_HEADROOM_M = 0.05  # a level with less room above (inside a plate) holds nothing
HEADROOM_MARGIN_M = 0.02  # free space kept above an object
EDGE_MARGIN_M = 0.02  # objects keep this far from a surface's edge
SPOT_TRIES = 40
CELL_TOLERANCE = 1e-6  # of a cell count, for float error
OPENNESS_PROBE_HEIGHT_M = 0.08  # a covered cell must see out of the front at this height
_RAY_DOWN, _RAY_UP = (0.0, 0.0, -1.0), (0.0, 0.0, 1.0)


@dataclass(frozen=True, eq=False)
class Surface:
    """A level of a placed piece at height ``z_m`` (world), on a grid of
    ``SURFACE_CELL_M`` cells starting at ``origin_xy_m`` (row index along y)."""

    z_m: float
    origin_xy_m: tuple[float, float]
    supported: np.ndarray  # [ny, nx] bool
    headroom_m: np.ndarray  # [ny, nx] float, inf where nothing is above

    def spot(
        self,
        footprint_m: tuple[float, float],
        height_m: float,
        taken: list[Rect],
        gap_m: float,
        rng: np.random.Generator,
        edge_margin_m: float = EDGE_MARGIN_M,
    ) -> Rect | None:
        """A random free footprint rectangle for an object ``height_m`` tall, or ``None``.

        The object keeps ``edge_margin_m`` from the surface's edges and ``gap_m`` from the
        ``taken`` rectangles."""
        usable = self.supported & (self.headroom_m >= height_m + HEADROOM_MARGIN_M)
        nx = _cells(footprint_m[0] + 2 * edge_margin_m, np.ceil)
        ny = _cells(footprint_m[1] + 2 * edge_margin_m, np.ceil)
        rows, columns = usable.shape
        if ny > rows or nx > columns:
            return None
        # Summed-area table: windows whose cells are all usable.
        table = np.pad(usable.astype(np.int32).cumsum(0).cumsum(1), ((1, 0), (1, 0)))
        window = table[ny:, nx:] - table[:-ny, nx:] - table[ny:, :-nx] + table[:-ny, :-nx]
        starts = np.argwhere(window == nx * ny)
        if not len(starts):
            return None
        for index in rng.permutation(len(starts))[:SPOT_TRIES]:
            row, column = starts[index]
            centre = (
                self.origin_xy_m[0] + (column + nx / 2) * SURFACE_CELL_M,
                self.origin_xy_m[1] + (row + ny / 2) * SURFACE_CELL_M,
            )
            rect = Rect.around(centre, footprint_m)
            if not any(rect.overlaps(other, gap_m) for other in taken):
                return rect
        return None


def find_surfaces(
    vertices_m: np.ndarray,
    triangles: np.ndarray,
    footprint: Rect,
    front_xy: tuple[float, float],
) -> list[Surface]:
    """The surfaces of one placed piece (world-frame mesh), lowest first.

    A cell under something (a shelf below the next one) counts only if it is open towards the
    piece's front, so nothing is put behind a cabinet's doors where no camera could see it.

    Args:
        vertices_m: [N, 3] world vertices of the piece alone.
        triangles: [M, 3] vertex indices.
        footprint: the piece's floor rectangle.
        front_xy: unit direction the piece's front faces, in the floor plane.
    """
    levels = _candidate_levels(vertices_m, triangles)
    if not levels:
        return []
    raycaster = make_raycaster(vertices_m, triangles, "open3d-cpu")
    nx = max(1, _cells(footprint.size[0], np.floor))
    ny = max(1, _cells(footprint.size[1], np.floor))
    origin = (
        footprint.centre[0] - nx * SURFACE_CELL_M / 2,
        footprint.centre[1] - ny * SURFACE_CELL_M / 2,
    )
    ys, xs = np.mgrid[0:ny, 0:nx]
    cells = np.stack(
        [
            origin[0] + (xs.ravel() + 0.5) * SURFACE_CELL_M,
            origin[1] + (ys.ravel() + 0.5) * SURFACE_CELL_M,
        ],
        axis=1,
    )
    surfaces = []
    for level in levels:
        starts = np.column_stack([cells, np.full(len(cells), level + PROBE_M)])
        down = raycaster.cast_rays(starts, np.broadcast_to(_RAY_DOWN, starts.shape))
        up = raycaster.cast_rays(starts, np.broadcast_to(_RAY_UP, starts.shape))
        supported = (
            (down.triangle >= 0)
            & (down.depth_z_m <= PROBE_M + SUPPORT_TOLERANCE_M)
            & (np.abs(down.normal_world[:, 2]) >= HORIZONTAL_NORMAL_Z)
        )
        headroom = np.where(up.triangle >= 0, up.depth_z_m + PROBE_M, np.inf)
        supported &= headroom >= MIN_HEADROOM_M
        covered = supported & np.isfinite(headroom)
        if covered.any():
            lift = np.minimum(headroom[covered] / 2, OPENNESS_PROBE_HEIGHT_M)
            sideways = starts[covered] + np.column_stack([np.zeros((len(lift), 2)), lift])
            front = np.broadcast_to((*front_xy, 0.0), sideways.shape)
            supported[np.flatnonzero(covered)] = raycaster.cast_rays(sideways, front).triangle < 0
        if supported.any():
            surfaces.append(
                Surface(level, origin, supported.reshape(ny, nx), headroom.reshape(ny, nx))
            )
    return surfaces


def _cells(length_m: float, rounding) -> int:
    """Cells spanning ``length_m``, rounded by ``rounding`` (np.floor or np.ceil) after a
    tolerance for float error (0.6 m is 30 cells, not 29.999...)."""
    cells = length_m / SURFACE_CELL_M
    return int(rounding(cells - CELL_TOLERANCE if rounding is np.ceil else cells + CELL_TOLERANCE))


def _candidate_levels(vertices_m: np.ndarray, triangles: np.ndarray) -> list[float]:
    """Heights where horizontal triangles cover at least ``MIN_LEVEL_AREA_M2``."""
    corners = vertices_m[triangles]
    cross = np.cross(corners[:, 1] - corners[:, 0], corners[:, 2] - corners[:, 0])
    double_area = np.linalg.norm(cross, axis=1)
    flat = np.abs(cross[:, 2]) >= HORIZONTAL_NORMAL_Z * np.maximum(double_area, 1e-12)
    heights = corners[flat, :, 2].mean(axis=1)
    areas = double_area[flat] / 2
    bins = np.round(heights / LEVEL_BIN_M).astype(np.int64)
    levels = []
    for value in np.unique(bins):
        in_bin = bins == value
        top = float(heights[in_bin].max())  # probe from above every triangle of the bin
        if areas[in_bin].sum() >= MIN_LEVEL_AREA_M2 and MIN_LEVEL_HEIGHT_M <= top <= (
            MAX_LEVEL_HEIGHT_M
        ):
            levels.append(top)
    return levels

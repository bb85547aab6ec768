"""Built-in street scenes (ours): a city block seen from a driving car, with Waymo's classes.

The street runs along +X (Z up) between two rows of buildings and closing buildings at both
ends. Traffic keeps right: the ego car drives along the right lane (``y < 0``) in +X, oncoming
traffic uses the left lane, cars park in the parking lanes along both curbs, and pedestrians
walk on the sidewalks and a crosswalk. Targets carry the Waymo Open Dataset's object classes
(vehicle, pedestrian, cyclist, sign); buildings, road surfaces, trees and lamp posts are
structural: they occlude but are never asked about, like the unlabelled geometry of a Waymo
segment. Shapes are built from boxes in the sizes of real vehicle types and people, and every
footprint keeps a gap to the others (no interpenetration). Everything comes from one generator
seeded by (seed, scene name).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import numpy as np

from spatialmosaic.scene_io import Scene
from spatialmosaic.scenes.meshes import SceneAssembler, box_mesh, oriented_box_mesh

STREET_LENGTH_RANGE_M = (62.0, 72.0)
LANE_WIDTH_M = 3.5
PARKING_WIDTH_M = 2.4
SIDEWALK_WIDTH_RANGE_M = (3.0, 4.5)
CURB_HEIGHT_M = 0.15
EGO_PATH_FRACTION = (0.12, 0.5)  # the drive covers this stretch of the street, in +X
EGO_CLEARANCE_M = 9.0  # no car in the ego lane this close to the drive
FOOTPRINT_GAP_M = 0.4
PLACEMENT_TRIES = 80
SKY_RGB = (168, 196, 228)
COUNTED_CATEGORIES = ("vehicle", "pedestrian", "cyclist", "sign", "tree", "pole")  # scene card

# (kind, length, width, height ranges in metres, wheel radius): sizes of real vehicle types.
VEHICLE_TYPES = (
    ("compact", (3.6, 4.0), (1.65, 1.75), (1.40, 1.55), 0.30),
    ("sedan", (4.4, 4.9), (1.75, 1.85), (1.40, 1.50), 0.32),
    ("suv", (4.6, 5.0), (1.85, 2.00), (1.65, 1.85), 0.36),
    ("van", (4.9, 5.6), (1.95, 2.05), (1.95, 2.30), 0.35),
    ("truck", (6.5, 8.5), (2.30, 2.50), (2.90, 3.40), 0.48),
    ("bus", (10.5, 12.0), (2.50, 2.55), (3.00, 3.20), 0.50),
)
VEHICLE_WEIGHTS = (0.22, 0.3, 0.22, 0.12, 0.08, 0.06)
PARKED_TYPES = 4  # trucks and buses do not fit a parking lane
BODY_COLOURS = (
    (200, 30, 30), (30, 60, 160), (235, 235, 235), (25, 25, 25), (150, 150, 155),
    (40, 110, 60), (230, 190, 40), (120, 70, 30), (90, 150, 200), (240, 120, 30),
)  # fmt: skip
CLOTHES = (
    (30, 40, 90), (150, 20, 30), (40, 40, 40), (220, 220, 210), (60, 110, 60),
    (200, 150, 60), (110, 60, 130), (90, 90, 90),
)  # fmt: skip
SKIN = ((240, 200, 170), (200, 150, 110), (140, 95, 60), (90, 60, 40))
SIGN_COLOURS = ((200, 20, 20), (20, 60, 180), (240, 200, 20), (20, 130, 60), (245, 245, 245))
BUILDING_COLOURS = (
    (170, 90, 70), (200, 190, 170), (140, 140, 145), (225, 215, 190), (110, 100, 95),
    (190, 160, 120),
)  # fmt: skip
GLASS_RGB = (55, 70, 85)
TYRE_RGB = (20, 20, 20)
ASPHALT_RGB = (70, 70, 74)
PAVEMENT_RGB = (175, 172, 165)
MARKING_RGB = (235, 235, 225)


@dataclass(frozen=True)
class StreetLayout:
    length_m: float
    road_half_width_m: float  # curb to curb / 2
    sidewalk_width_m: float
    crosswalk_x_m: float

    @property
    def ego_lane_y_m(self) -> float:
        return -LANE_WIDTH_M / 2

    @property
    def outer_y_m(self) -> float:
        return self.road_half_width_m + self.sidewalk_width_m

    def ego_path_x_m(self) -> tuple[float, float]:
        return (EGO_PATH_FRACTION[0] * self.length_m, EGO_PATH_FRACTION[1] * self.length_m)


class Footprints:
    """Occupied ground rectangles (x0, y0, x1, y1); a new one must keep ``FOOTPRINT_GAP_M``."""

    def __init__(self) -> None:
        self.rects: list[tuple[float, float, float, float]] = []

    def try_add(self, rect: tuple[float, float, float, float], gap: float = FOOTPRINT_GAP_M):
        x0, y0, x1, y1 = rect
        for a0, b0, a1, b1 in self.rects:
            if x0 < a1 + gap and a0 < x1 + gap and y0 < b1 + gap and b0 < y1 + gap:
                return False
        self.rects.append(rect)
        return True


def _footprint(centre_xy, length: float, width: float, heading: float):
    """Axis-aligned rectangle around a box of (length, width) turned by ``heading``."""
    c, s = abs(np.cos(heading)), abs(np.sin(heading))
    half_x = (length * c + width * s) / 2
    half_y = (length * s + width * c) / 2
    return (
        centre_xy[0] - half_x,
        centre_xy[1] - half_y,
        centre_xy[0] + half_x,
        centre_xy[1] + half_y,
    )


def _local_box(frame_xy, heading, base_z, offset, size, rgb):
    """A box at ``offset`` (along, across, up from ``base_z``) in an object's own frame."""
    c, s = np.cos(heading), np.sin(heading)
    along, across, up = offset
    centre = (
        frame_xy[0] + c * along - s * across,
        frame_xy[1] + s * along + c * across,
        base_z + up + size[2] / 2,
    )
    vertices, triangles = oriented_box_mesh(np.array(centre), np.array(size), heading)
    return vertices, triangles, rgb


def vehicle_parts(kind_index: int, rng: np.random.Generator, centre_xy, heading: float):
    """Body, glasshouse (or cargo box) and four wheels of one vehicle; returns (parts, length,
    width)."""
    part = partial(_local_box, centre_xy, heading)  # boxes in this object's frame
    kind, length_r, width_r, height_r, wheel_r = VEHICLE_TYPES[kind_index]
    length, width, height = (float(rng.uniform(*r)) for r in (length_r, width_r, height_r))
    body_rgb = BODY_COLOURS[int(rng.integers(len(BODY_COLOURS)))]
    clearance = wheel_r * 0.7
    parts = []
    if kind in ("compact", "sedan", "suv"):
        belt = clearance + (height - clearance) * 0.5
        parts.append(part(clearance, (0, 0, 0), (length, width, belt - clearance), body_rgb))
        cabin = length * (0.5 if kind != "suv" else 0.62)
        parts.append(
            part(belt, (-0.08 * length, 0, 0), (cabin, width * 0.9, height - belt), GLASS_RGB)
        )
    elif kind == "truck":
        cab = 1.9
        parts.append(
            part(
                clearance,
                (length / 2 - cab / 2, 0, 0),
                (cab, width, height * 0.85 - clearance),
                body_rgb,
            )
        )
        parts.append(
            part(
                clearance + 0.3,
                (-cab / 2 - 0.1, 0, 0),
                (length - cab - 0.2, width, height - clearance - 0.3),
                (230, 230, 225),
            )
        )
    else:  # van, bus: one tall body with a band of windows
        parts.append(
            part(
                clearance,
                (0, 0, 0),
                (length, width, (height - clearance) * 0.6),
                body_rgb,
            )
        )
        top = clearance + (height - clearance) * 0.6
        parts.append(
            part(
                top,
                (0, 0, 0),
                (length, width, (height - top) * 0.75),
                GLASS_RGB,
            )
        )
        parts.append(
            part(
                top + (height - top) * 0.75,
                (0, 0, 0),
                (length, width, (height - top) * 0.25),
                body_rgb,
            )
        )
    axle = length / 2 - max(wheel_r * 2.2, 0.18 * length)
    for along in (axle, -axle):
        for side in (1, -1):
            parts.append(
                part(
                    0.0,
                    (along, side * (width / 2 - 0.14), 0),
                    (2 * wheel_r, 0.26, 2 * wheel_r),
                    TYRE_RGB,
                )
            )
    return parts, length, width, kind


def pedestrian_parts(rng: np.random.Generator, centre_xy, heading: float, base_z: float):
    part = partial(_local_box, centre_xy, heading)  # boxes in this object's frame
    height = float(rng.uniform(1.5, 1.92))
    legs_rgb, top_rgb = (CLOTHES[int(i)] for i in rng.integers(len(CLOTHES), size=2))
    skin = SKIN[int(rng.integers(len(SKIN)))]
    legs, torso = 0.47 * height, 0.34 * height
    head = height - legs - torso
    return [
        part(base_z, (0, 0, 0), (0.26, 0.36, legs), legs_rgb),
        part(base_z, (0, 0, legs), (0.28, 0.46, torso), top_rgb),
        part(base_z, (0, 0, legs + torso), (0.22, 0.2, head), skin),
    ]


def cyclist_parts(rng: np.random.Generator, centre_xy, heading: float):
    part = partial(_local_box, centre_xy, heading)  # boxes in this object's frame
    frame_rgb = BODY_COLOURS[int(rng.integers(len(BODY_COLOURS)))]
    top_rgb = CLOTHES[int(rng.integers(len(CLOTHES)))]
    skin = SKIN[int(rng.integers(len(SKIN)))]
    wheel = 0.68
    parts = [part(0.0, (along, 0, 0), (wheel, 0.05, wheel), TYRE_RGB) for along in (0.52, -0.52)]
    parts.append(part(0.42, (0, 0, 0), (1.0, 0.06, 0.35), frame_rgb))
    parts.append(part(0.8, (-0.1, 0, 0), (0.3, 0.38, 0.16), top_rgb))
    parts.append(part(0.96, (0.05, 0, 0), (0.36, 0.42, 0.58), top_rgb))
    parts.append(part(1.54, (0.12, 0, 0), (0.22, 0.2, 0.24), skin))
    return parts


def sign_parts(rng: np.random.Generator, centre_xy, facing: float, base_z: float):
    """A pole and a plate whose face looks along ``facing``."""
    part = partial(_local_box, centre_xy, facing)  # boxes in this object's frame
    rgb = SIGN_COLOURS[int(rng.integers(len(SIGN_COLOURS)))]
    pole = float(rng.uniform(2.0, 2.6))
    plate = float(rng.uniform(0.55, 0.8))
    return [
        part(base_z, (0, 0, 0), (0.07, 0.07, pole), (110, 110, 115)),
        part(base_z, (0.06, 0, pole), (0.04, plate, plate), rgb),
    ]


def _road_surfaces(street: StreetLayout):
    """Asphalt, raised sidewalks, lane markings and a crosswalk (structural)."""
    length, road, walk = street.length_m, street.road_half_width_m, street.sidewalk_width_m
    end = 12.0  # the ground runs under the closing buildings
    surfaces = [
        (
            "road",
            box_mesh(np.array([-end, -road, -0.1]), np.array([length + end, road, 0.0])),
            ASPHALT_RGB,
        )
    ]
    for side in (1, -1):
        y0, y1 = sorted((side * road, side * (road + walk)))
        surfaces.append(
            (
                "sidewalk",
                box_mesh(np.array([-end, y0, -0.1]), np.array([length + end, y1, CURB_HEIGHT_M])),
                PAVEMENT_RGB,
            )
        )
    markings = []
    for x0 in np.arange(0.0, length, 6.0):  # dashed centre line: 3 m dash, 3 m gap
        markings.append(box_mesh(np.array([x0, -0.08, 0.0]), np.array([x0 + 3.0, 0.08, 0.01])))
    for y0 in np.arange(-road + 0.3, road - 0.5, 1.0):  # crosswalk stripes
        cx = street.crosswalk_x_m
        markings.append(
            box_mesh(np.array([cx - 1.5, y0, 0.0]), np.array([cx + 1.5, y0 + 0.5, 0.01]))
        )
    return surfaces, markings


def _buildings(street: StreetLayout, rng: np.random.Generator):
    """Facades along both sides (gaps between some) and a closing row at each end."""
    blocks = []
    outer = street.outer_y_m
    for side in (1, -1):
        x = -12.0
        while x < street.length_m + 12.0:
            width = float(rng.uniform(6.0, 16.0))
            depth = float(rng.uniform(8.0, 12.0))
            height = float(rng.uniform(5.0, 20.0))
            y0, y1 = sorted((side * outer, side * (outer + depth)))
            blocks.append((np.array([x, y0, 0.0]), np.array([x + width, y1, height])))
            x += width + (float(rng.uniform(1.5, 4.0)) if rng.random() < 0.25 else 0.0)
    span = outer + 12.0
    for x0, x1 in ((-22.0, -12.0), (street.length_m + 12.0, street.length_m + 22.0)):
        blocks.append((np.array([x0, -span, 0.0]), np.array([x1, span, float(rng.uniform(8, 18))])))
    return blocks


def build_street_scene(name: str, rng: np.random.Generator) -> Scene:
    """Generate one street scene. Deterministic given the generator's state."""
    length = float(rng.uniform(*STREET_LENGTH_RANGE_M))
    street = StreetLayout(
        length_m=length,
        road_half_width_m=LANE_WIDTH_M + PARKING_WIDTH_M,
        sidewalk_width_m=float(rng.uniform(*SIDEWALK_WIDTH_RANGE_M)),
        crosswalk_x_m=float(rng.uniform(0.6, 0.85) * length),
    )
    assembler = SceneAssembler()
    structure = {"kind": "structure"}
    surfaces, markings = _road_surfaces(street)
    for category, (vertices, triangles), rgb in surfaces:
        assembler.add(category, True, [(vertices, triangles, rgb)], structure)
    assembler.add("road_marking", True, [(v, t, MARKING_RGB) for v, t in markings], structure)
    for lo, hi in _buildings(street, rng):
        rgb = BUILDING_COLOURS[int(rng.integers(len(BUILDING_COLOURS)))]
        assembler.add("building", True, [(*box_mesh(lo, hi), rgb)], structure)

    footprints = Footprints()
    source = {"kind": "procedural", "generator": "spatialmosaic.scenes.street"}
    road, walk = street.road_half_width_m, street.sidewalk_width_m
    ego_start, ego_end = street.ego_path_x_m()

    def add_vehicle(lane_y: float, heading: float, x_range, keep_out=None, parked=False) -> None:
        kinds = PARKED_TYPES if parked else len(VEHICLE_TYPES)
        weights = np.array(VEHICLE_WEIGHTS[:kinds])
        kind_index = int(rng.choice(kinds, p=weights / weights.sum()))
        for _ in range(PLACEMENT_TRIES):
            centre = (float(rng.uniform(*x_range)), lane_y + float(rng.normal(0, 0.12)))
            jitter = heading + float(rng.normal(0, 0.02))
            parts, vlength, vwidth, kind = vehicle_parts(kind_index, rng, centre, jitter)
            rect = _footprint(centre, vlength, vwidth, jitter)
            if keep_out and rect[2] > keep_out[0] and rect[0] < keep_out[1]:
                continue
            if rect[0] < 0 or rect[2] > length or not footprints.try_add(rect):
                continue
            assembler.add("vehicle", False, parts, {**source, "vehicle_type": kind})
            return

    parking_y = LANE_WIDTH_M + PARKING_WIDTH_M / 2
    for _ in range(int(rng.integers(3, 7))):  # oncoming traffic
        add_vehicle(LANE_WIDTH_M / 2, np.pi, (0.0, length))
    ego_keep_out = (ego_start - EGO_CLEARANCE_M, ego_end + EGO_CLEARANCE_M)
    for _ in range(int(rng.integers(1, 3))):  # traffic ahead of (and behind) the ego car
        add_vehicle(street.ego_lane_y_m, 0.0, (0.0, length), ego_keep_out)
    for side in (1, -1):  # parked along both curbs
        for _ in range(int(rng.integers(3, 7))):
            add_vehicle(side * parking_y, 0.0 if side < 0 else np.pi, (0.0, length), parked=True)

    def add_on_ground(category, make_parts, size_xy, heading, x_range, y_range, base_z) -> bool:
        for _ in range(PLACEMENT_TRIES):
            centre = (float(rng.uniform(*x_range)), float(rng.uniform(*y_range)))
            rect = _footprint(centre, size_xy[0], size_xy[1], heading)
            if footprints.try_add(rect, gap=0.25):
                structural = category in ("tree", "pole")
                assembler.add(category, structural, make_parts(centre), source)
                return True
        return False

    walk_bands = [(road + 0.3, road + walk - 0.3), (-(road + walk) + 0.3, -road - 0.3)]
    for _ in range(int(rng.integers(5, 12))):  # pedestrians on the sidewalks
        band = walk_bands[int(rng.integers(2))]
        heading = float(rng.choice([0.0, np.pi, np.pi / 2, -np.pi / 2]))
        add_on_ground(
            "pedestrian",
            lambda c, h=heading: pedestrian_parts(rng, c, h, CURB_HEIGHT_M),
            (0.3, 0.5),
            heading,
            (0.0, length),
            band,
            CURB_HEIGHT_M,
        )
    for _ in range(int(rng.integers(1, 4))):  # people on the crosswalk
        heading = float(rng.choice([np.pi / 2, -np.pi / 2]))
        cx = street.crosswalk_x_m
        add_on_ground(
            "pedestrian",
            lambda c, h=heading: pedestrian_parts(rng, c, h, 0.0),
            (0.3, 0.5),
            heading,
            (cx - 1.2, cx + 1.2),
            (-road, road),
            0.0,
        )
    for _ in range(int(rng.integers(1, 4))):  # cyclists at the edge of the lanes
        side = 1 if rng.random() < 0.5 else -1
        heading = 0.0 if side < 0 else np.pi
        y = side * (LANE_WIDTH_M - 0.5)
        keep_out = ego_keep_out if side < 0 else (0.0, 0.0)
        x_ranges = [(0.0, keep_out[0]), (keep_out[1], length)] if side < 0 else [(0.0, length)]
        x_range = x_ranges[int(rng.integers(len(x_ranges)))]
        if x_range[1] - x_range[0] > 2.0:
            add_on_ground(
                "cyclist",
                lambda c, h=heading: cyclist_parts(rng, c, h),
                (1.9, 0.6),
                heading,
                x_range,
                (y - 0.2, y + 0.2),
                0.0,
            )
    for _ in range(int(rng.integers(3, 7))):  # signs at the curb, facing the traffic
        side = 1 if rng.random() < 0.5 else -1
        facing = np.pi if side < 0 else 0.0
        y = side * (road + 0.45)
        add_on_ground(
            "sign",
            lambda c, f=facing: sign_parts(rng, c, f, CURB_HEIGHT_M),
            (0.2, 0.8),
            facing,
            (0.0, length),
            (y - 0.05, y + 0.05),
            CURB_HEIGHT_M,
        )
    for _ in range(int(rng.integers(3, 8))):  # street trees and lamp posts
        side = 1 if rng.random() < 0.5 else -1
        y = side * (road + 1.0)
        if rng.random() < 0.65:

            def tree(c):
                trunk_h, crown = float(rng.uniform(2.4, 3.2)), float(rng.uniform(1.6, 2.0))
                return [
                    _local_box(c, 0.0, CURB_HEIGHT_M, (0, 0, 0), (0.3, 0.3, trunk_h), (95, 70, 45)),
                    _local_box(
                        c,
                        0.0,
                        CURB_HEIGHT_M,
                        (0, 0, trunk_h),
                        (crown, crown, crown * 0.9),
                        (60, 120, 55),
                    ),
                ]

            add_on_ground(
                "tree", tree, (2.0, 2.0), 0.0, (0.0, length), (y - 0.1, y + 0.1), CURB_HEIGHT_M
            )
        else:

            def lamp(c):
                return [
                    _local_box(c, 0.0, CURB_HEIGHT_M, (0, 0, 0), (0.16, 0.16, 5.5), (80, 85, 90))
                ]

            add_on_ground(
                "pole", lamp, (0.3, 0.3), 0.0, (0.0, length), (y - 0.1, y + 0.1), CURB_HEIGHT_M
            )

    return assembler.build(
        name,
        {
            "source": "builtin",
            "domain": "outdoor",
            "street_length_m": length,
            "road_half_width_m": street.road_half_width_m,
            "sidewalk_width_m": street.sidewalk_width_m,
            "ego_lane_y_m": street.ego_lane_y_m,
            "ego_path_x_m": [ego_start, ego_end],
            "background_rgb": list(SKY_RGB),
            "object_counts": {
                category: sum(o.category == category for o in assembler.objects)
                for category in COUNTED_CATEGORIES
            },
        },
    )

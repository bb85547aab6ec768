"""A hand-written scene whose question answers are known: three frames of 200 x 100 pixels.

| frame | object (id) | visible box | box centre | depth | S_vis |
|---|---|---|---|---|---|
| f1 | chair A (10) | 10,40,30,80 | (20,60) | 2.0 | 600 |
| f1 | lamp (12) | 150,10,170,30 | (160,20) | 3.0 | 400 |
| f1 | table (13) | 80,50,120,90 | (100,70) | 2.5 | 800 |
| f2 | chair A (10) | 100,40,120,80 | (110,60) | 2.0 | 600 |
| f2 | chair B (11) | 160,40,180,80 | (170,60) | 4.0 | 500 |
| f2 | cup (14) | barely visible: S_vis 5 | | | 5 |
| f3 | lamp (12) | 20,10,40,30 | (30,20) | 3.0 | 300 |
| f3 | table (13) | 120,50,160,90 | (140,70) | 1.5 | 1000 |

The sofa (15) is in the scene but in none of the frames. So: 2 chairs are visible across
the frames (Frame 2 shows both); the lamp's best view is Frame 1 (400 >= 1.25 x 300); the
table's is Frame 3 (1000 >= 1.25 x 800, the margin's boundary); the cup is never asked about.
"""

from __future__ import annotations

import numpy as np

from spatialmosaic.qa.context import SceneFacts, ViewSetContext
from spatialmosaic.records import CameraFrame, Observation, SceneObject, ViewSet
from spatialmosaic.visibility.table import SceneVisibility

WIDTH, HEIGHT = 200, 100
FRAMES = ("f1", "f2", "f3")
MIN_VISIBLE = 20
OVERLAP = np.array([[1.0, 0.1, 0.0], [0.1, 1.0, 0.2], [0.0, 0.2, 1.0]])


def _object(instance_id: int, category: str, low, high, structural: bool = False) -> SceneObject:
    return SceneObject(instance_id, category, structural, low, high)


OBJECTS = (
    _object(1, "floor", (0, 0, -0.01), (5, 5, 0), structural=True),
    _object(10, "chair", (1, 1, 0), (1.5, 1.5, 0.9)),
    _object(11, "chair", (3, 1, 0), (3.5, 1.5, 0.9)),
    _object(12, "lamp", (1, 4, 0), (1.3, 4.3, 1.6)),
    _object(13, "table", (2, 2, 0), (3.2, 2.8, 0.75)),
    _object(14, "cup", (2.5, 2.5, 0.75), (2.58, 2.58, 0.85)),
    _object(15, "sofa", (4, 4, 0), (4.9, 4.9, 0.8)),
)


def _seen(frame, instance_id, box, depth, visible_px, full_px=1000, distance=None):
    x0, y0, x1, y1 = box
    return Observation(
        frame,
        instance_id,
        full_px,
        full_px,
        visible_px,
        box,
        ((x0 + x1) / 2, (y0 + y1) / 2),
        depth - 0.1,
        depth,
        depth + 0.1,
        visible_px >= MIN_VISIBLE,
        box,
        distance if distance is not None else depth + 0.2,
        visible_px // 10,
    )


OBSERVATIONS = (
    _seen("f1", 10, (10, 40, 30, 80), 2.0, 600),
    _seen("f1", 12, (150, 10, 170, 30), 3.0, 400),
    _seen("f1", 13, (80, 50, 120, 90), 2.5, 800),
    _seen("f2", 10, (100, 40, 120, 80), 2.0, 600),
    _seen("f2", 11, (160, 40, 180, 80), 4.0, 500),
    _seen("f2", 14, (60, 60, 61, 61), 3.0, 5),
    _seen("f3", 12, (20, 10, 40, 30), 3.0, 300),
    _seen("f3", 13, (120, 50, 160, 90), 1.5, 1000),
)


def visibility() -> SceneVisibility:
    return SceneVisibility("hand", FRAMES, OBSERVATIONS, OVERLAP, MIN_VISIBLE)


def facts() -> SceneFacts:
    return SceneFacts.build("hand", OBJECTS, visibility(), {f: (WIDTH, HEIGHT) for f in FRAMES})


def viewset() -> ViewSet:
    return ViewSet("hand_vs0000", "hand", FRAMES, round(float(np.mean([0.1, 0.0, 0.2])), 6))


def context() -> ViewSetContext:
    return ViewSetContext(facts(), viewset())


def cameras() -> tuple[CameraFrame, ...]:
    """Placeholder poses: the verifier reads only the image size from the cameras."""
    K = ((100.0, 0.0, 100.0), (0.0, 100.0, 50.0), (0.0, 0.0, 1.0))
    T = tuple(tuple(float(i == j) for j in range(4)) for i in range(4))
    return tuple(CameraFrame(frame, K, T, WIDTH, HEIGHT) for frame in FRAMES)

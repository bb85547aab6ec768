"""Answers re-derived for the verifier: the facts of a scene, and one rule set per question type.

Each ``derive_*`` function applies the rules of ``docs/qa.md`` to a parsed question: it
resolves the referenced objects from the visibility observations of the named frame, applies
the skip rules and margins, and returns the correct option text with the objects the record
fields (occlusion_avg, vis_level, GT Scenario) are computed over. Readings of ambiguous
passages of ``docs/qa.md`` are marked "Reading:" where they are applied.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import combinations

from spatialmosaic.qa import verify_parse as vp
from spatialmosaic.records import CameraFrame, Dataset, Observation, SceneObject
from spatialmosaic.records import QuestionType as Q
from spatialmosaic.visibility.table import SceneVisibility


@dataclass(frozen=True)
class SceneFacts:
    """What the verifier knows of one scene; build it with :func:`load_scene_facts` or directly.

    Args:
        objects: the scene's objects; structural ones are never targets (docs/qa.md).
        cameras: one camera per frame of ``visibility`` (its image size W x H, pixels).
        visibility: the scene's visibility file (observations, overlap IoU, threshold).
        dataset: when set, every record of the scene must carry it.

    Raises:
        ValueError: a frame of ``visibility`` has no camera.
    """

    objects: tuple[SceneObject, ...]
    cameras: tuple[CameraFrame, ...]
    visibility: SceneVisibility
    dataset: Dataset | None = None
    _by_id: dict[int, SceneObject] = field(init=False, repr=False, compare=False)
    _obs: dict[tuple[str, int], Observation] = field(init=False, repr=False, compare=False)
    _camera: dict[str, CameraFrame] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_id = {obj.instance_id: obj for obj in self.objects if not obj.structural}
        camera = {cam.frame_id: cam for cam in self.cameras}
        missing = sorted(set(self.visibility.frames) - set(camera))
        if missing:
            raise ValueError(f"scene {self.scene_name}: frames {missing[:5]} have no camera")
        obs = {(o.frame_id, o.instance_id): o for o in self.visibility.observations}
        object.__setattr__(self, "_by_id", by_id)
        object.__setattr__(self, "_camera", camera)
        object.__setattr__(self, "_obs", {key: o for key, o in obs.items() if key[1] in by_id})

    @property
    def scene_name(self) -> str:
        return self.visibility.scene_name

    def obj(self, instance_id: int) -> SceneObject:
        return self._by_id[instance_id]

    def obs(self, frame: str, instance_id: int) -> Observation | None:
        return self._obs.get((frame, instance_id))

    def instances(self, category: str) -> list[int]:
        return sorted(i for i, obj in self._by_id.items() if obj.category == category)

    def present(self, frame: str, category: str) -> list[Observation]:
        """Observations with S_vis > 0 of the category's objects in ``frame`` (docs/qa.md)."""
        found = (self.obs(frame, i) for i in self.instances(category))
        return [o for o in found if o is not None and o.pixels_visible > 0]

    def visible(self, frame: str, instance_id: int) -> bool:
        found = self.obs(frame, instance_id)
        return found is not None and found.visible

    def image_size(self, frame: str) -> tuple[int, int]:
        return self._camera[frame].width, self._camera[frame].height

    def structural_only(self, category: str) -> bool:
        """True for wall, floor, ...: categories that occlude but are never asked about."""
        return not self.instances(category) and any(
            obj.structural and obj.category == category for obj in self.objects
        )


class MismatchError(Exception):
    """Ends the check of one record; the message says what differs."""


def _skip(why: str) -> MismatchError:
    return MismatchError(f"should have been skipped: {why}")


@dataclass
class Derived:
    """The re-derived answer and the objects the record fields are computed over.

    Reading of docs/qa.md "Record fields" (its table of targets): the counted objects
    (counts); the ``{cat}`` objects visible in some frame of the set (existence); the object in
    frame k, else the ``{cat}`` objects visible in the set (localization); the correct
    category's objects visible in frame k
    (attribute); ``{a}`` (spatial); both objects (object-object distance); the one object
    (the other numeric types). References are ``{ref}``/``{b}``. The target categories
    (GT Scenario) are the categories the question or its answer names.
    """

    answer: str
    targets: tuple[int, ...] = ()
    refs: tuple[int, ...] = ()
    categories: tuple[str, ...] = ()
    box: tuple[int, int, int, int] | None = None  # localization target, frame k
    option_problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class QuestionContext:
    facts: SceneFacts
    frames: tuple[str, ...]
    qt: Q
    q: vp.Parsed
    texts: tuple[str, ...]  # option texts without their "A. " letters

    def frame(self, number: int) -> str:
        if not 1 <= number <= len(self.frames):
            raise MismatchError(f"Frame {number} is not in the {len(self.frames)}-frame set")
        return self.frames[number - 1]


def _centre(o: Observation) -> tuple[int, int]:
    x0, y0, x1, y1 = o.bbox_2d_visible
    return (x0 + x1) // 2, (y0 + y1) // 2


def _diagonal(o: Observation) -> float:
    x0, y0, x1, y1 = o.bbox_2d_visible
    return math.hypot(x1 - x0, y1 - y0)


def _relation(a: Observation, b: Observation, axis: str, size: tuple[int, int]) -> int:
    """-1 / +1 when a is left / right, above / below, closer / farther than b beyond the
    docs' margin on ``axis``; 0 inside the margin."""
    if axis == "fb":
        da, db = a.depth_median_m, b.depth_median_m
        diff, margin = da - db, max(0.30, 0.15 * min(da, db))
    else:
        i = 0 if axis == "lr" else 1
        diff, margin = _centre(a)[i] - _centre(b)[i], 0.05 * size[i]
    return 0 if abs(diff) < margin else (1 if diff > 0 else -1)


def _resolve(facts: SceneFacts, frame: str, ref: vp.Ref) -> Observation:
    """The one visible object a reference phrase names in ``frame`` (docs/qa.md)."""
    here = facts.present(frame, ref.category)
    if ref.position is None:
        if len(here) != 1:
            raise MismatchError(f"'{ref}': {len(here)} {ref.category} present in {frame}, need 1")
        hit = here
    else:
        if len(here) < 2:
            raise MismatchError(f"'{ref}': expected 'the {ref.category}', the only one in {frame}")
        hit = [o for o in here if _centre(o) == ref.position]
        if len(hit) != 1:
            centres = [_centre(o) for o in here]
            raise MismatchError(f"'{ref}' names {len(hit)} objects in {frame} (centres {centres})")
    if not hit[0].visible:
        raise MismatchError(f"'{ref}' is only barely visible in {frame}")
    return hit[0]


def _count(ctx: QuestionContext, category: str) -> tuple[int, ...]:
    """The counted objects: visible in at least one frame; skip on a never-visible one."""
    seen: dict[int, bool] = {}
    for frame in ctx.frames:
        for o in ctx.facts.present(frame, category):
            seen[o.instance_id] = seen.get(o.instance_id, False) or o.visible
    barely = sorted(i for i, vis in seen.items() if not vis)
    if barely:
        raise _skip(f"{category} {barely} barely visible and visible in no frame")
    if not seen:
        raise MismatchError(f"no {category} is visible in the set; a count needs one")
    return tuple(sorted(seen))


def _derive_count(ctx: QuestionContext) -> Derived:
    counted = _count(ctx, ctx.q.category)
    top = len(counted) + 4  # wrong counts: 0 .. answer - 1 below, answer + 1 .. answer + 4 above
    bad = [t for t in ctx.texts if not (vp.COUNT_OPTION.fullmatch(t) and int(t) <= top)]
    found = [f"options {bad} are not counts 0..{top}"] if bad else []
    return Derived(str(len(counted)), counted, (), (ctx.q.category,), None, found)


def _derive_bestview(ctx: QuestionContext) -> Derived:
    cat = ctx.q.category
    counted = _count(ctx, cat)
    # Reading: the count's own skip rule applies ("n is the count above"); a barely visible
    # object does not make the per-frame numbers skip, they count visible objects only.
    shown = [[o for o in ctx.facts.present(f, cat) if o.visible] for f in ctx.frames]
    most = max(len(s) for s in shown)
    tied = sorted(
        ((sum(o.pixels_visible for o in s), k) for k, s in enumerate(shown, 1) if len(s) == most),
        key=lambda item: (-item[0], item[1]),
    )
    if len(tied) > 1 and tied[0][0] < 1.25 * tied[1][0]:
        raise _skip(f"Frames {tied[0][1]} and {tied[1][1]} tie; S_vis {tied[0][0]}/{tied[1][0]}")
    found = []
    for text in ctx.texts:
        match = vp.BESTVIEW_OPTION.fullmatch(text)
        if not match or match["cat"] != cat or int(match["k"]) > len(ctx.frames):
            found.append(f"option {text!r} is no '{{n}} {cat}(s); Frame {{k}}' of this set")
    answer = f"{len(counted)} {cat}(s); Frame {tied[0][1]}"
    return Derived(answer, counted, (), (cat,), None, found)


def _axis_relation(ctx: QuestionContext) -> tuple[str, int]:
    axis, sense = vp.RELATIONS[ctx.q.relation]
    if axis != vp.type_axis(ctx.qt):
        raise MismatchError(f"relation {ctx.q.relation!r} is not on the {ctx.qt.value} axis")
    return axis, sense


def _derive_existence(ctx: QuestionContext) -> Derived:
    axis, sense = _axis_relation(ctx)
    cat, frame, facts = ctx.q.category, ctx.frame(ctx.q.frame), ctx.facts
    ref = _resolve(facts, frame, ctx.q.refs[0])
    if facts.obj(ref.instance_id).category == cat:
        raise MismatchError(f"{cat!r} is the reference's own category")
    here = facts.present(frame, cat)
    if any(not o.visible for o in here):
        raise _skip(f"a {cat} is barely visible in {frame}")
    relations = [_relation(o, ref, axis, facts.image_size(frame)) for o in here]
    if 0 in relations:
        raise _skip(f"a {cat} lies within the {axis} margin of '{ctx.q.refs[0]}'")
    opposite = f"No, only {vp.relation_phrase(axis, -sense)} it"
    elsewhere = sorted({o.instance_id for f in ctx.frames for o in facts.present(f, cat)})
    # targets: the {cat} objects visible in some frame of the set (docs/qa.md, "Record fields")
    targets = [o for f in ctx.frames for o in facts.present(f, cat) if o.visible]
    if here:
        answer = vp.EXISTENCE_YES if sense in relations else opposite
    elif targets:
        answer = vp.EXISTENCE_ONLY_OTHER_FRAMES
    elif elsewhere:
        raise _skip(f"a {cat} is only barely visible in the set")
    else:
        answer = vp.EXISTENCE_IN_NO_FRAME
    texts = {vp.EXISTENCE_YES, opposite, vp.EXISTENCE_ONLY_OTHER_FRAMES, vp.EXISTENCE_IN_NO_FRAME}
    found = [] if set(ctx.texts) == texts else [f"options are not the four texts {sorted(texts)}"]
    ids = tuple(sorted({o.instance_id for o in targets}))
    return Derived(answer, ids, (ref.instance_id,), (cat,), None, found)


def _derive_attribute(ctx: QuestionContext) -> Derived:
    axis, sense = _axis_relation(ctx)
    frame, facts = ctx.frame(ctx.q.frame), ctx.facts
    ref = _resolve(facts, frame, ctx.q.refs[0])
    # Reading: the type's own rules decide; a barely visible object of the correct category
    # is allowed when it also stands in the relation ("all of its objects present there").
    correct, found = [], []
    for cat in ctx.texts:
        here = facts.present(frame, cat)
        relations = [_relation(o, ref, axis, facts.image_size(frame)) for o in here]
        if cat == facts.obj(ref.instance_id).category:
            found.append(f"option {cat!r} is the reference's category")
        elif any(o.visible for o in here) and all(r == sense for r in relations):
            correct.append(cat)
        elif not all(o.visible and r == -sense for o, r in zip(here, relations, strict=True)):
            found.append(f"option {cat!r} is neither correct nor definitely wrong in {frame}")
    if len(correct) != 1:
        raise MismatchError(f"{len(correct)} options are correct: {correct}")
    targets = tuple(o.instance_id for o in facts.present(frame, correct[0]) if o.visible)
    return Derived(correct[0], targets, (ref.instance_id,), (correct[0],), None, found)


def _derive_spatial(ctx: QuestionContext) -> Derived:
    primary = vp.type_axis(ctx.qt)
    secondary = vp.SECONDARY_AXIS[primary]
    frame, facts = ctx.frame(ctx.q.frame), ctx.facts
    a, b = (_resolve(facts, frame, ref) for ref in ctx.q.refs)
    if a.instance_id == b.instance_id:
        raise MismatchError(f"'{ctx.q.refs[0]}' and '{ctx.q.refs[1]}' are one object")
    size = facts.image_size(frame)
    senses = [_relation(a, b, axis, size) for axis in (primary, secondary)]
    if 0 in senses:
        raise _skip(f"the pair lies within the {primary} or {secondary} margin in {frame}")
    p, s = vp.SPATIAL_PHRASES[primary], vp.SPATIAL_PHRASES[secondary]
    texts = {f"{p[i]}, {s[j]}" for i in (-1, 1) for j in (-1, 1)}
    found = [] if set(ctx.texts) == texts else [f"options are not the four pairs {sorted(texts)}"]
    answer = f"{p[senses[0]]}, {s[senses[1]]}"
    cat = facts.obj(a.instance_id).category
    return Derived(answer, (a.instance_id,), (b.instance_id,), (cat,), None, found)


def _derive_localization(ctx: QuestionContext) -> Derived:
    cat, frame, facts = ctx.q.category, ctx.frame(ctx.q.frame), ctx.facts
    here = facts.present(frame, cat)
    elsewhere = [o for f in ctx.frames if f != frame for o in facts.present(f, cat) if o.visible]
    if len(here) == 1 and here[0].visible:
        target, box = here[0], here[0].bbox_2d_visible
        answer, targets = "Yes; ({},{})".format(*_centre(target)), [target]
    elif not here and elsewhere:
        answer, targets, box = "No", elsewhere, None
    else:
        raise _skip(f"{len(here)} {cat} present in {frame}, visible elsewhere: {len(elsewhere)}")
    # Reading: for a No question "the frame where it is visible" may be several frames or
    # objects; the smallest of their diagonals gives the least strict spacing.
    diagonal = min(_diagonal(o) for o in targets)
    width, height = facts.image_size(frame)
    spacing = max(1.5 * diagonal, 0.1 * math.hypot(width, height))
    points = [vp.parse_point(t, vp.LOCALIZATION_YES) for t in ctx.texts if t != "No"]
    found = []
    if ctx.texts.count("No") != 1 or None in points:
        found.append("options must be 'No' and three 'Yes; (x,y)' points")
    points = [pt for pt in points if pt is not None]
    found += [f"point {pt} is outside the image" for pt in points if not _inside(pt, width, height)]
    found += [
        f"points {p} and {q} are {math.dist(p, q):.1f} px apart; need {spacing:.1f}"
        for p, q in combinations(points, 2)
        if math.dist(p, q) < spacing
    ]
    ids = tuple(sorted({o.instance_id for o in targets}))
    return Derived(answer, ids, (), (cat,), box, found)


def _inside(point: tuple[int, int], width: int, height: int) -> bool:
    return 0 <= point[0] < width and 0 <= point[1] < height


def _derive_localization_na(ctx: QuestionContext) -> Derived:
    cat, frame = ctx.q.category, ctx.frame(ctx.q.frame)
    target = _resolve(ctx.facts, frame, vp.Ref(cat, None))
    answer = "({},{})".format(*_centre(target))
    return Derived(answer, (target.instance_id,), (), (cat,), target.bbox_2d_visible)


def _derive_distance(ctx: QuestionContext) -> Derived:
    target = _resolve(ctx.facts, ctx.frame(ctx.q.frame), ctx.q.refs[0])
    if target.camera_distance_m is None:
        raise MismatchError(f"'{ctx.q.refs[0]}' has no camera_distance_m in the visibility file")
    cat = ctx.facts.obj(target.instance_id).category
    return Derived(f"{target.camera_distance_m:.2f}", (target.instance_id,), (), (cat,))


def _box_centre(obj: SceneObject) -> tuple[float, ...]:
    return tuple((lo + hi) / 2 for lo, hi in zip(obj.bbox_min_m, obj.bbox_max_m, strict=True))


def _derive_obj_obj_distance(ctx: QuestionContext) -> Derived:
    facts, (first, second) = ctx.facts, (ctx.frame(ctx.q.frame), ctx.frame(ctx.q.frame2))
    a, b = _resolve(facts, first, ctx.q.refs[0]), _resolve(facts, second, ctx.q.refs[1])
    if a.instance_id == b.instance_id:
        raise MismatchError(f"'{ctx.q.refs[0]}' and '{ctx.q.refs[1]}' are one object")
    if first == second and any(
        facts.visible(f, a.instance_id) and facts.visible(g, b.instance_id)
        for f in ctx.frames
        for g in ctx.frames
        if f != g
    ):
        raise MismatchError(f"both objects asked in {first}, but the set shows them in two frames")
    ida, idb = a.instance_id, b.instance_id
    metres = math.dist(_box_centre(facts.obj(ida)), _box_centre(facts.obj(idb)))
    cats = (facts.obj(ida).category, facts.obj(idb).category)
    return Derived(f"{metres:.2f}", (ida, idb), (), cats)


def _derive_size(ctx: QuestionContext) -> Derived:
    target = _resolve(ctx.facts, ctx.frame(ctx.q.frame), ctx.q.refs[0])
    obj = ctx.facts.obj(target.instance_id)
    longest = max(hi - lo for lo, hi in zip(obj.bbox_min_m, obj.bbox_max_m, strict=True))
    # Reading: "rounded" is Python's round(), half to even on the float value in cm.
    return Derived(str(round(longest * 100)), (target.instance_id,), (), (obj.category,))


DERIVE: dict[Q, Callable[[QuestionContext], Derived]] = {
    Q.OBJ_COUNT: _derive_count,
    Q.OBJ_COUNT_NA: _derive_count,
    Q.BESTVIEW_COUNT: _derive_bestview,
    **dict.fromkeys(
        (Q.OBJ_EXISTENCE_AB, Q.OBJ_EXISTENCE_FB, Q.OBJ_EXISTENCE_LR), _derive_existence
    ),
    **dict.fromkeys(
        (Q.OBJ_ATTRIBUTE_AB, Q.OBJ_ATTRIBUTE_FB, Q.OBJ_ATTRIBUTE_LR), _derive_attribute
    ),
    **dict.fromkeys((Q.OBJ_SPATIAL_AB, Q.OBJ_SPATIAL_FB, Q.OBJ_SPATIAL_LR), _derive_spatial),
    Q.OBJ_LOCALIZATION: _derive_localization,
    Q.OBJ_LOCALIZATION_NA: _derive_localization_na,
    Q.OBJ_DISTANCE_NA: _derive_distance,
    Q.OBJ_OBJ_DISTANCE_NA: _derive_obj_obj_distance,
    Q.OBJ_SIZE_NA: _derive_size,
}
# docs/qa.md "Options of numeric questions": formatted like the answer (counts: own rule).
NUMERIC_OPTION = {
    Q.OBJ_DISTANCE_NA: vp.DISTANCE_OPTION,
    Q.OBJ_OBJ_DISTANCE_NA: vp.DISTANCE_OPTION,
    Q.OBJ_SIZE_NA: vp.COUNT_OPTION,
    Q.OBJ_LOCALIZATION_NA: vp.POINT_OPTION,
}

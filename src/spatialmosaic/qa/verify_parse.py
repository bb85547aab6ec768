"""Question and option texts read back for the verifier, from the templates of ``docs/qa.md``.

The regular expressions are built from the documented templates only, never from the
generator's code, so a template drift in either code path shows up as a verification problem.

Reading of ``docs/qa.md`` taken here: a reference phrase is ``the {category}`` or
``the {category}(x,y)``, and the templates' ``the {ref}``, ``the {a}`` and ``the {b}`` are that
phrase itself (one "the", not "the the chair"), as in the SPEC §3 example "relative to the
vehicle(94,286)". ``a {cat}`` is always "a", never "an" (the templates are exact).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spatialmosaic.records import QuestionType as Q

# docs/qa.md "Relations in a frame": phrase -> (axis, sense); sense -1 is the smaller x
# (left), the smaller y (above) or the smaller depth (closer).
RELATIONS: dict[str, tuple[str, int]] = {
    "to the left of": ("lr", -1),
    "to the right of": ("lr", 1),
    "above": ("ab", -1),
    "below": ("ab", 1),
    "closer to the camera than": ("fb", -1),
    "farther from the camera than": ("fb", 1),
}
# docs/qa.md obj_spatial_*: the phrases of the option pairs, and the secondary axis per type.
SPATIAL_PHRASES: dict[str, dict[int, str]] = {
    "lr": {-1: "to the left of it", 1: "to the right of it"},
    "ab": {-1: "above it", 1: "below it"},
    "fb": {-1: "closer to the camera", 1: "farther from the camera"},
}
SECONDARY_AXIS = {"lr": "fb", "ab": "lr", "fb": "lr"}
EXISTENCE_YES = "Yes"
EXISTENCE_ONLY_OTHER_FRAMES = "No, it appears only in other frames"
EXISTENCE_IN_NO_FRAME = "No, it is not in any of these frames"

_INT = r"(?:0|[1-9]\d*)"
COUNT_OPTION = re.compile(_INT)
DISTANCE_OPTION = re.compile(rf"{_INT}\.\d\d")
POINT_OPTION = re.compile(rf"\((?P<x>{_INT}),(?P<y>{_INT})\)")
LOCALIZATION_YES = re.compile(rf"Yes; \((?P<x>{_INT}),(?P<y>{_INT})\)")
BESTVIEW_OPTION = re.compile(rf"(?P<n>{_INT}) (?P<cat>.+)\(s\); Frame (?P<k>[1-9]\d*)")


class ParseError(ValueError):
    """A question text that matches no template of its type."""


@dataclass(frozen=True)
class Ref:
    """A parsed reference phrase: ``the chair`` or ``the chair(94,286)`` (box centre, px)."""

    category: str
    position: tuple[int, int] | None

    def __str__(self) -> str:
        if self.position is None:
            return f"the {self.category}"
        return f"the {self.category}({self.position[0]},{self.position[1]})"


@dataclass(frozen=True)
class Parsed:
    """The slots of one question; frame numbers are 1-based positions in the record's frames."""

    category: str = ""
    frame: int = 0
    frame2: int = 0
    relation: str = ""
    refs: tuple[Ref, ...] = ()


def type_axis(question_type: Q) -> str:
    """The relation axis of an ``_ab``/``_fb``/``_lr`` type; "" for the others."""
    suffix = question_type.value[-3:]
    return suffix[1:] if suffix in ("_ab", "_fb", "_lr") else ""


def relation_phrase(axis: str, sense: int) -> str:
    return next(p for p, (a, s) in RELATIONS.items() if a == axis and s == sense)


def _frame(name: str) -> str:
    return rf"Frame (?P<{name}>[1-9]\d*)"


def _ref(name: str) -> str:
    return rf"the (?P<{name}>(?!the ).+?)(?:\((?P<{name}_x>{_INT}),(?P<{name}_y>{_INT})\))?"


_REL = "|".join(re.escape(phrase) for phrase in RELATIONS)
_COUNT = r"How many (?P<cat>.+)\(s\) are visible across these frames"
_EXISTENCE = rf"In {_frame('k')}, is there a (?P<cat>.+?) (?P<rel>{_REL}) {_ref('a')}\?"
_ATTRIBUTE = rf"In {_frame('k')}, which of these objects is (?P<rel>{_REL}) {_ref('a')}\?"
_SPATIAL = rf"In {_frame('k')}, where is {_ref('a')} relative to {_ref('b')}\?"
TEMPLATES: dict[Q, re.Pattern[str]] = {
    qt: re.compile(pattern)
    for qts, pattern in [
        ((Q.OBJ_COUNT, Q.OBJ_COUNT_NA), rf"{_COUNT}\?"),
        ((Q.BESTVIEW_COUNT,), rf"{_COUNT}, and which frame shows the most of them\?"),
        ((Q.OBJ_EXISTENCE_AB, Q.OBJ_EXISTENCE_FB, Q.OBJ_EXISTENCE_LR), _EXISTENCE),
        ((Q.OBJ_ATTRIBUTE_AB, Q.OBJ_ATTRIBUTE_FB, Q.OBJ_ATTRIBUTE_LR), _ATTRIBUTE),
        ((Q.OBJ_SPATIAL_AB, Q.OBJ_SPATIAL_FB, Q.OBJ_SPATIAL_LR), _SPATIAL),
        (
            (Q.OBJ_LOCALIZATION,),
            rf"Is there a (?P<cat>.+) in {_frame('k')}\? If so, what is its bounding-box centre\?",
        ),
        (
            (Q.OBJ_LOCALIZATION_NA,),
            rf"What is the bounding-box centre of the (?P<cat>.+) in {_frame('k')}\?",
        ),
        (
            (Q.OBJ_DISTANCE_NA,),
            rf"How far is {_ref('a')} in {_frame('k')} from the camera of that frame, in metres\?",
        ),
        (
            (Q.OBJ_OBJ_DISTANCE_NA,),
            rf"What is the distance in metres between {_ref('a')} in {_frame('k')} "
            rf"and {_ref('b')} in {_frame('j')}\?",
        ),
        (
            (Q.OBJ_SIZE_NA,),
            rf"What is the length of the longest dimension of {_ref('a')} in {_frame('k')}, "
            r"in centimetres\?",
        ),
    ]
    for qt in qts
}


def _parsed_ref(match: re.Match[str], name: str) -> Ref:
    x, y = match.group(f"{name}_x"), match.group(f"{name}_y")
    return Ref(match.group(name), None if x is None else (int(x), int(y)))


def parse_question(question_type: Q, text: str) -> Parsed:
    """Read the slots of ``text`` with the template of ``question_type``.

    Raises:
        ParseError: the text matches no template of its type.
    """
    match = TEMPLATES[question_type].fullmatch(text)
    if match is None:
        raise ParseError(f"question {text!r} does not match the {question_type.value} template")
    slots = match.groupdict()
    refs = tuple(_parsed_ref(match, name) for name in ("a", "b") if slots.get(name) is not None)
    return Parsed(
        category=slots.get("cat") or "",
        frame=int(slots.get("k") or 0),
        frame2=int(slots.get("j") or 0),
        relation=slots.get("rel") or "",
        refs=refs,
    )


def parse_point(text: str, pattern: re.Pattern[str] = POINT_OPTION) -> tuple[int, int] | None:
    match = pattern.fullmatch(text)
    return None if match is None else (int(match["x"]), int(match["y"]))

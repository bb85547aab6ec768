"""Furnish a room from its recipe: slots in order, the kitchen run, then small objects on the
surfaces of host pieces (ours). Every draw comes from the one generator passed in."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from spatialmosaic.scenes.library import FurnitureLibrary, Model
from spatialmosaic.scenes.placement import (
    FOOTPRINT_GAP_M,
    Placement,
    RoomPlan,
    Support,
    against_wall,
    beside,
    facing,
    flank,
    free_standing,
    hung_from_ceiling,
    on_wall,
    seats_around,
)
from spatialmosaic.scenes.recipes import RoomRecipe, Rule, Slot
from spatialmosaic.scenes.surfaces import EDGE_MARGIN_M, Surface, find_surfaces

SMALL_SHARE = 0.45  # share of a room's objects that are small objects on surfaces
SMALL_GAP_M = 0.015  # between small objects on one surface
SMALL_TRIES_PER_OBJECT = 8
MODELS_TRIED_PER_SLOT = 3
FITTED_TRIES_PER_LEVEL = 3
FRONT_TURN_JITTER = (0, 0, 0, 1, 3)  # small objects mostly face the way their host faces
DEFAULT_HUNG_ELEVATION_M = 1.0  # wall pieces the catalog gives no elevation (a wall tv)
HOOD_ABOVE_COOKTOP_M = 0.65
HUNG_BESIDE_GAP_M = 0.12
RUN_GAP_M = 0.002  # kitchen units stand side by side
RUN_SKIP_M = 0.1  # step along the wall past a door or a corner
BASE_UNIT_HEIGHT_M = (0.8, 1.25)
BASE_UNIT_MAX_DEPTH_M = 0.7
BASE_UNIT_MAX_WIDTH_M = 1.0
TALL_UNIT_MIN_HEIGHT_M = 1.0
FLAT_TOP_MAX_HEIGHT_M = 0.9  # base units with a plain worktop (a sink cabinet's tap is higher)
TALL_UNIT_PROBABILITY = 0.6  # of a tall unit (fridge, tall cabinet) at each end of a run
SECOND_RUN_PROBABILITY = 0.5
KITCHEN_RUN_CATEGORIES = ("Kitchen",)


class _Furnisher:
    def __init__(
        self,
        plan: RoomPlan,
        recipe: RoomRecipe,
        library: FurnitureLibrary,
        n_objects: int,
        rng: np.random.Generator,
    ) -> None:
        self.plan, self.recipe, self.library, self.rng = plan, recipe, library, rng
        self.n_objects = n_objects
        self.by_label: dict[str, list[int]] = {}
        self._surfaces: dict[int, list[Surface]] = {}

    def room_left(self) -> int:
        return self.n_objects - len(self.plan.placements)

    def add(self, placement: Placement) -> int | None:
        if self.room_left() <= 0:
            return None
        index = self.plan.add(placement)
        self.by_label.setdefault(placement.label, []).append(index)
        return index

    def models(self, slot: Slot) -> list[Model]:
        hung = slot.rule is Rule.WALL_HUNG
        floor_rule = slot.rule not in (Rule.ON, Rule.WALL_HUNG, Rule.CEILING)
        models = [
            m
            for m in self.library.choose(slot.labels, self.recipe.catalog_categories)
            if not (floor_rule and m.wall_hung)
        ]
        if hung:
            models = [m for m in models if m.wall_hung] or models
        if floor_rule:
            models = [m for m in models if not m.small] or models
        return models

    def run_slot(self, slot: Slot, large_budget: int) -> None:
        budget = (self.n_objects if slot.essential else large_budget) - len(self.plan.placements)
        if budget <= 0:
            return
        if slot.rule is Rule.RUN:
            self.kitchen_run(budget)
            return
        anchors: list[int | None] = [None]
        if slot.anchor is not None:
            anchors = list(self.by_label.get(slot.anchor, []))
            if slot.rule is Rule.ON:  # then any other host of the room
                anchors += [i for i in self.hosts() if i not in anchors]
            if not anchors:
                return
        models = self.models(slot)
        if not models:
            return
        count = int(self.rng.integers(slot.count[0], slot.count[1] + 1))
        order = self.rng.permutation(len(models))[:MODELS_TRIED_PER_SLOT]
        for model_index in order.tolist():
            placed = 0
            for anchor in anchors:
                placed += self.place(slot.rule, models[model_index], count, anchor, slot)
                if slot.rule is Rule.ON and placed >= count:
                    break
            if placed:
                return

    def hosts(self) -> list[int]:
        """Pieces standing on the floor whose surfaces may hold small objects."""
        return [
            i
            for i, p in enumerate(self.plan.placements)
            if p.label in self.recipe.hosts and p.support is Support.FLOOR
        ]

    def place(self, rule: Rule, model: Model, count: int, anchor: int | None, slot: Slot) -> int:
        """Place up to ``count`` pieces of ``model`` by ``rule``; returns how many."""
        plan, rng = self.plan, self.rng
        piece = Placement(model)
        host = None if anchor is None else plan.placements[anchor]
        if rule is Rule.AROUND:
            return sum(self.add(p) is not None for p in seats_around(plan, piece, host, count))
        placed = 0
        for _ in range(count):
            if rule is Rule.WALL:
                clearance = slot.side_clearance_m
                candidate = against_wall(plan, piece, rng, side_clearance_m=clearance)
                if candidate is None and clearance > 0:  # a small room: without the room
                    candidate = against_wall(plan, piece, rng)
            elif rule is Rule.CENTRE:
                candidate = free_standing(plan, piece, rng)
            elif rule is Rule.BESIDE:
                candidate = beside(plan, piece, host, rng)
            elif rule is Rule.FACING:
                candidate = facing(plan, piece, host, rng)
            elif rule is Rule.FLANK:
                candidate = flank(plan, piece, host, rng)
            elif rule is Rule.WALL_HUNG:
                candidate = self.hang(piece, host)
            elif rule is Rule.CEILING:
                candidate = hung_from_ceiling(plan, piece, rng, None if host is None else host.rect)
            else:
                candidate = self.on_surface(piece, anchor, fitted=True)
            if candidate is None or self.add(candidate) is None:
                break
            placed += 1
        return placed

    def hang(self, piece: Placement, near: Placement | None) -> Placement | None:
        """On a wall at the catalog elevation; beside ``near`` on its wall (a toilet's paper
        holder), or above it if it stands on a wall's base unit (a cooktop's hood)."""
        elevation = piece.item.elevation_m or DEFAULT_HUNG_ELEVATION_M
        if near is None:
            return against_wall(self.plan, piece, self.rng, elevation, Support.WALL)
        wall_piece = near if near.host is None else self.plan.placements[near.host]
        if wall_piece.wall is None:
            return None
        wall = self.plan.walls[wall_piece.wall]
        middle = self.plan.along(wall, near.centre_xy_m)
        if near.host is not None:  # above it
            top = near.base_z_m + near.item.height_m
            candidate = on_wall(piece, wall, middle, top + HOOD_ABOVE_COOKTOP_M, Support.WALL)
            return candidate if self.plan.fits(candidate) else None
        offset = near.item.width_m / 2 + HUNG_BESIDE_GAP_M + piece.item.width_m / 2
        for side in self.rng.permutation([-1, 1]).tolist():
            candidate = on_wall(piece, wall, middle + side * offset, elevation, Support.WALL)
            if self.plan.fits(candidate):
                return candidate
        return None

    def surfaces(self, host: int) -> list[Surface]:
        if host not in self._surfaces:
            placement = self.plan.placements[host]
            mesh = self.library.mesh(placement.model)
            vertices = placement.world_vertices(mesh.vertices)
            self._surfaces[host] = find_surfaces(
                vertices, mesh.triangles, placement.rect, placement.front
            )
        return self._surfaces[host]

    def on_surface(
        self, piece: Placement, host: int | None, fitted: bool = False
    ) -> Placement | None:
        """On a random free spot of a random surface of ``host``. A ``fitted`` piece (a tv
        on its stand, a cooktop in its worktop) faces the way the host does, may reach the
        surface's edges, and tries every level."""
        if host is None or not self.surfaces(host):
            return None
        levels = self.surfaces(host)
        weights = np.array([float(level.supported.sum()) for level in levels])
        host_piece = self.plan.placements[host]
        taken = [p.rect for p in self.plan.placements if p.host == host]
        for _ in range(FITTED_TRIES_PER_LEVEL * len(levels) if fitted else 1):
            surface = levels[int(self.rng.choice(len(levels), p=weights / weights.sum()))]
            jitter = 0 if fitted else int(self.rng.choice(FRONT_TURN_JITTER))
            turns = (host_piece.quarter_turns + jitter) % 4
            probe = replace(piece, quarter_turns=turns, support=Support.SURFACE, host=host)
            margin = 0.0 if fitted else EDGE_MARGIN_M
            height = piece.item.height_m
            rect = surface.spot(probe.footprint_m, height, taken, SMALL_GAP_M, self.rng, margin)
            if rect is None:
                continue
            candidate = replace(probe, centre_xy_m=rect.centre, base_z_m=surface.z_m)
            if self.plan.fits(candidate, SMALL_GAP_M):
                return candidate
        return None

    def fill_surfaces(self) -> None:
        """Small objects on the room's hosts until the room has its number of objects."""
        hosts = self.hosts()
        small = [m for m in self.library.choose(self.recipe.small_objects) if m.small]
        labels = sorted({m.label for m in small})
        if not hosts or not labels:
            return
        for _ in range(self.room_left() * SMALL_TRIES_PER_OBJECT):
            if self.room_left() <= 0:
                return
            label = labels[int(self.rng.integers(len(labels)))]
            choices = [m for m in small if m.label == label]
            model = choices[int(self.rng.integers(len(choices)))]
            host = hosts[int(self.rng.integers(len(hosts)))]
            candidate = self.on_surface(Placement(model), host)
            if candidate is not None:
                self.add(candidate)

    def kitchen_run(self, budget: int) -> None:
        """Base units side by side along one or two walls, a tall unit at some ends, a cooktop
        on one base unit with its hood above, and wall cabinets over the other base units."""
        units = self.library.choose(self.recipe.run_units, KITCHEN_RUN_CATEGORIES)
        base = [
            m
            for m in units
            if m.label == "cabinet"
            and BASE_UNIT_HEIGHT_M[0] <= m.item.height_m <= BASE_UNIT_HEIGHT_M[1]
            and m.item.depth_m <= BASE_UNIT_MAX_DEPTH_M
            and m.item.width_m <= BASE_UNIT_MAX_WIDTH_M
        ]
        tall = [m for m in units if m.item.height_m > TALL_UNIT_MIN_HEIGHT_M and not m.wall_hung]
        tall = [m for m in tall if m not in base]
        if not base:
            return
        walls = sorted(self.plan.walls, key=lambda w: -w.length)
        runs = 2 if self.rng.random() < SECOND_RUN_PROBABILITY else 1
        placed_base: list[int] = []
        for wall in walls[:runs]:
            placed_base += self.lay_run(wall, base, tall)
        if placed_base:
            self.cooktop_and_cabinets(placed_base)

    def lay_run(self, wall, base: list[Model], tall: list[Model]) -> list[int]:
        plan, rng = self.plan, self.rng
        start_tall = tall and rng.random() < TALL_UNIT_PROBABILITY
        end_tall = tall and rng.random() < TALL_UNIT_PROBABILITY
        cursor, placed, run_base = FOOTPRINT_GAP_M, [], []
        while cursor < wall.length and self.room_left() > 0:
            use_tall = (start_tall and not placed) or (end_tall and wall.length - cursor < 1.2)
            pool = tall if use_tall else base
            model = pool[int(rng.integers(len(pool)))]
            width = model.item.width_m
            piece = on_wall(Placement(model), wall, cursor + width / 2)
            if cursor + width > wall.length - FOOTPRINT_GAP_M:
                break
            if plan.fits(piece, RUN_GAP_M):
                index = self.add(piece)
                placed.append(index)
                if pool is base:
                    run_base.append(index)
                cursor += width + RUN_GAP_M
                end_tall = end_tall and not use_tall
            else:
                cursor += RUN_SKIP_M
        return run_base

    def cooktop_and_cabinets(self, base_units: list[int]) -> None:
        plan, rng = self.plan, self.rng
        flat = [
            i for i in base_units if plan.placements[i].item.height_m < BASE_UNIT_HEIGHT_M[0] + 0.1
        ]
        cooktops = self.library.choose(("stove",))
        hoods = self.library.choose(("range hood",))
        reserved = None
        if flat and cooktops:
            reserved = flat[int(rng.integers(len(flat)))]
            for choice in rng.permutation(len(cooktops)).tolist():
                placed = self.on_surface(Placement(cooktops[choice]), reserved, fitted=True)
                stove_index = None if placed is None else self.add(placed)
                if stove_index is None:
                    continue
                if hoods:
                    hood = self.hang(Placement(hoods[0]), plan.placements[stove_index])
                    if hood is not None:
                        self.add(hood)
                break
        wall_units = [m for m in self.library.choose(("wall cabinet",)) if m.wall_hung]
        for index in base_units:
            if index == reserved or not wall_units:
                continue
            unit = plan.placements[index]
            fitting = [m for m in wall_units if m.item.width_m <= unit.item.width_m + 1e-6]
            if not fitting or unit.wall is None:
                continue
            model = fitting[int(rng.integers(len(fitting)))]
            wall = plan.walls[unit.wall]
            along = plan.along(wall, unit.centre_xy_m)
            elevation = model.item.elevation_m
            candidate = on_wall(Placement(model), wall, along, elevation, Support.WALL)
            if plan.fits(candidate, RUN_GAP_M):
                self.add(candidate)


def furnish(
    plan: RoomPlan,
    recipe: RoomRecipe,
    library: FurnitureLibrary,
    n_objects: int,
    rng: np.random.Generator,
) -> None:
    """Place up to ``n_objects`` pieces into ``plan``: the recipe's slots, then small objects.

    Essential slots are placed whatever the budget; other large pieces stop at
    ``1 - SMALL_SHARE`` of ``n_objects``, leaving the rest to small objects.
    """
    furnisher = _Furnisher(plan, recipe, library, n_objects, rng)
    large_budget = n_objects - round(n_objects * SMALL_SHARE)
    for slot in recipe.slots:
        furnisher.run_slot(slot, large_budget)
    furnisher.fill_surfaces()

"""Scene names and the scene-disjoint split across domains."""

from __future__ import annotations

from spatialmosaic.paths import (
    Split,
    builtin_scene_names,
    split_domains,
    split_scenes,
    street_scene_names,
)
from spatialmosaic.records import Dataset, Domain, scene_domain


def test_street_names_are_outdoor_and_rooms_indoor():
    assert street_scene_names(2) == ["ours_outdoor_0000", "ours_outdoor_0001"]
    assert {scene_domain(Dataset.OURS, n) for n in street_scene_names(3)} == {Domain.OUTDOOR}
    assert {scene_domain(Dataset.OURS, n) for n in builtin_scene_names(3)} == {Domain.INDOOR}


def test_each_domain_is_split_on_its_own_and_rooms_keep_their_split():
    rooms, streets = builtin_scene_names(8), street_scene_names(4)
    merged = split_domains([rooms, streets], 0.25, seed=0)
    alone = split_scenes(rooms, 0.25, seed=0)
    for split in Split:
        assert [n for n in merged[split] if n in rooms] == alone[split]
    assert len([n for n in merged[Split.EVAL] if n in streets]) == 1
    assert sorted(merged[Split.TRAIN] + merged[Split.EVAL]) == sorted(rooms + streets)
    assert split_domains([rooms, []], 0.25, seed=0) == alone

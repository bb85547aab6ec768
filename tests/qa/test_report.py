"""Dataset statistics and the datasheet: counts from the records, licences from the scenes."""

from __future__ import annotations

import pytest
from test_balance import record

from spatialmosaic.qa.report import dataset_statistics, datasheet, statistics_frame
from spatialmosaic.records import QuestionType

FACTS = {
    "profile": "default",
    "seed": 0,
    "scene_source": "builtin",
    "licences": ["CC0-1.0", "CC-BY-3.0"],
    "max_overlap": 0.3,
}


def with_scene(r, scene: str, frames=("f1", "f2")):
    from dataclasses import replace

    return replace(r, scene_name=scene, frames=frames, id=f"{scene}_{r.id}")


def splits():
    train = [
        with_scene(record(QuestionType.OBJ_COUNT, ["1", "2", "3", "4"], k % 4, k), "a")
        for k in range(8)
    ]
    train.append(with_scene(record(QuestionType.OBJ_SIZE_NA, ["90", "45", "68", "112"], 0, 9), "a"))
    test = [
        with_scene(
            record(QuestionType.OBJ_COUNT, ["1", "2", "3", "4"], 1, 20), "b", ("f1", "f2", "f3")
        )
    ]
    return {"train": train, "test": test}


def test_statistics_count_questions_images_and_answers():
    stats = dataset_statistics(splits())
    train = stats["train"]
    assert train["questions"] == 9 and train["scenes"] == 1 and train["images"] == 2
    assert train["views_per_question"] == {2: 9}
    count = train["question_types"]["obj_count_occ"]
    assert count["correct_letter"] == {"A": 2, "B": 2, "C": 2, "D": 2}
    assert count["top_answers"] == {"1": 2, "2": 2, "3": 2, "4": 2}
    assert train["question_types"]["obj_size_occ_na"]["answer_summary"]["median"] == 90.0
    assert stats["test"]["images"] == 3
    frame = statistics_frame(stats)
    total = frame[frame["question_type"] == "total"].iloc[0]
    assert (total["train"], total["test"]) == (9, 1)


def test_splits_sharing_a_scene_are_refused():
    broken = splits()
    broken["test"][0] = with_scene(broken["test"][0], "a")
    with pytest.raises(ValueError, match="share scenes"):
        dataset_statistics(broken)


def test_datasheet_credits_cc_by_models_and_quotes_the_numbers():
    scenes = [
        {"objects": [{"source": {"item_id": "x#1", "name": "Chair", "creator": "Ann",
                                 "catalog": "Scopia", "licence": "CC-BY-3.0"}},
                     {"source": {"item_id": "y#2", "name": "Lamp", "creator": "Bo",
                                 "catalog": "BlendSwap-CC-0", "licence": "CC0-1.0"}}]},
        {"objects": [{"source": {"item_id": "x#1", "name": "Chair", "creator": "Ann",
                                 "catalog": "Scopia", "licence": "CC-BY-3.0"}}]},
    ]  # fmt: skip
    text = datasheet(dataset_statistics(splits()), scenes, FACTS)
    attribution = text[text.index("## Attribution") :]
    url = "https://creativecommons.org/licenses/by/3.0/"
    assert f'| "Chair" (`x#1`) | Ann | Scopia | [CC-BY-3.0]({url}) |' in attribution
    assert "Lamp" not in text  # CC0 needs no attribution
    assert "2 distinct models are used: 1 under CC-BY-3.0, 1 under CC0-1.0." in text
    assert "| train | 9 | 1 | 2 |" in text and "| test | 1 | 1 | 3 |" in text


def test_datasheet_says_when_no_attribution_is_needed():
    lamp = {"item_id": "y#2", "name": "Lamp", "catalog": "BlendSwap-CC-0", "licence": "CC0-1.0"}
    scenes = [{"objects": [{"source": lamp}]}]
    text = datasheet(dataset_statistics(splits()), scenes, FACTS)
    assert "## Attribution\n\nEvery model used is CC0-1.0" in text

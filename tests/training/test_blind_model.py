"""The blind text-only model: option-feature odds and per-question medians."""

from __future__ import annotations

import pytest

from bench_records import bench_record
from spatialmosaic.evaluate.models import Query, build_model
from spatialmosaic.io import ArtefactError
from spatialmosaic.records import QuestionType
from spatialmosaic.training.blind import (
    fit_blind_model,
    masked_question,
    read_blind_model,
    write_blind_model,
)

SIZE = QuestionType.OBJ_SIZE_NA
POINT = QuestionType.OBJ_LOCALIZATION_NA


def size_question(category: str, frame: int) -> str:
    return f"How long is the longest side of the {category} in Frame {frame}, in centimetres?"


def training():
    leaky = []  # "sofa" is always the right option, wherever it stands
    for i in range(8):
        answer = "ABCD"[i % 4]
        others = iter(["lamp", "cup", "book"][i % 3 :] + ["lamp", "cup", "book"][: i % 3])
        texts = ["sofa" if letter == answer else next(others) for letter in "ABCD"]
        leaky.append(
            bench_record(
                id=f"m{i}",
                question_type=QuestionType.OBJ_ATTRIBUTE_LR,
                options=tuple(
                    f"{letter}. {text}" for letter, text in zip("ABCD", texts, strict=True)
                ),
                mc_answer=answer,
            )
        )
    sizes = [  # 4 scenes, each with 3 sofas (about 200 cm) and 3 cups (about 10 cm)
        bench_record(
            id=f"s{scene}{i}",
            scene_name=f"ours_indoor_000{scene}",
            question_type=SIZE,
            question=size_question(category, i),
            ground_truth=str(size + scene),
        )
        for scene in range(4)
        for i, (category, size) in enumerate([("sofa", 200), ("cup", 10)] * 3)
    ]
    points = [
        bench_record(id=f"p{i}", question_type=POINT, question="Where is it?", ground_truth=g)
        for i, g in enumerate(["(10,20)", "(30,40)", "(50,60)"])
    ]
    return leaky + sizes + points


def test_masking_removes_every_number():
    assert masked_question("the chair(12,340) in Frame 2 is 1.5 m") == (
        "the chair(#,#) in Frame # is # m"
    )


def test_blind_model_learns_text_priors_and_medians(tmp_path):
    fitted = fit_blind_model(training())
    write_blind_model(tmp_path / "blind.json", fitted, meta={})
    model = build_model("blind", 0, tmp_path / "blind.json")

    def ask(record):
        return model.reply(Query(record, "", ()))

    test = bench_record(
        question_type=QuestionType.OBJ_ATTRIBUTE_LR,
        options=("A. cup", "B. sofa", "C. lamp", "D. book"),
        mc_answer="B",
    )
    assert ask(test) == "B"
    # per-category medians win the cross-fit over the type median (106.5 cm)
    assert fitted.supports["obj_size_occ_na"] == 3
    assert ask(bench_record(question_type=SIZE, question=size_question("sofa", 7))) == "201.5"
    assert ask(bench_record(question_type=SIZE, question=size_question("cup", 7))) == "11.5"
    assert ask(bench_record(question_type=SIZE, question=size_question("lamp", 7))) == "106.5"
    # points come from one scene: no held-out scene to trust a per-question median
    assert fitted.supports["obj_localization_occ_na"] is None
    assert ask(bench_record(question_type=POINT, question="Where is it?")) == "(30,40)"
    assert ask(bench_record(question_type=QuestionType.OBJ_DISTANCE_NA)) == ""


def test_fitting_is_deterministic(tmp_path):
    write_blind_model(tmp_path / "a.json", fit_blind_model(training()), meta={})
    write_blind_model(tmp_path / "b.json", fit_blind_model(reversed(training())), meta={})
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()


def test_a_malformed_file_names_itself(tmp_path):
    (tmp_path / "bad.json").write_text('{"format": "spatialmosaic.model.blind"}')
    with pytest.raises(ArtefactError, match="bad.json: malformed blind model"):
        read_blind_model(tmp_path / "bad.json")

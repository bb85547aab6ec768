"""Config validation: every error names the key; profiles validate; paper stops early."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from spatialmosaic.config import (
    ConfigError,
    check_data_sources,
    load_config,
    load_schema,
    sweep_name,
    validate_config,
    vlm_variants,
)

ROOT = Path(__file__).resolve().parents[1]


def default_config() -> dict:
    return yaml.safe_load((ROOT / "config.yaml").read_text())


@pytest.mark.parametrize("profile", ["tiny", "paper"])
def test_profiles_validate(profile):
    config = load_config(ROOT / "config.yaml", ROOT / "config" / f"{profile}.yaml")
    assert config["profile"] == profile


def test_defaults_are_filled_from_the_schema():
    config = validate_config({})
    assert config["viewsets"]["max_overlap"] == 0.3
    assert config["views"]["width"] == 640


def test_config_yaml_equals_schema_defaults():
    # config.yaml spells out the defaults; the schema is their single description.
    assert validate_config(default_config()) == validate_config({})


def test_every_key_has_description_and_default():
    def walk(schema, where):
        for key, sub in schema.get("properties", {}).items():
            assert "description" in sub and "default" in sub, f"{where}{key}"
            walk(sub, f"{where}{key}.")

    walk(load_schema(), "")


@pytest.mark.parametrize(
    ("patch", "message"),
    [
        ({"viewsets": {"max_overlap": 1.3}}, "viewsets.max_overlap=1.3"),
        ({"views": {"width": "wide"}}, 'views.width="wide"'),
        ({"qa": {"colour": 1}}, "qa: Additional properties are not allowed ('colour'"),
        ({"scenes": {"indoor_source": "objaverse"}}, 'scenes.indoor_source="objaverse"'),
        ({"viewsets": {"min_views": 4, "max_views": 3}}, "viewsets.min_views=4 exceeds"),
        ({"train": {"models": []}}, "evaluate.models lists 'frequency'"),
        ({"evaluate": {"models": ["llava"]}}, "evaluate.models lists 'llava': not a baseline"),
        (
            {"evaluate": {"external": {"m": {"adapter": "openai", "endpoint": "localhost"}}}},
            "evaluate.external.m={...}: 'api_model' is a required property",
        ),
        (
            {
                "evaluate": {
                    "external": {"m": {"adapter": "openai", "endpoint": "host", "api_model": "x"}}
                }
            },
            "evaluate.external.m.endpoint=\"host\": 'host' does not match",
        ),
        (
            {"evaluate": {"external": {"blind": {"adapter": "hf", "path": "/m"}}}},
            "evaluate.external.blind: the name is taken",
        ),
        (
            {"train": {"models": ["frequency", "blind"], "vlm": {"sweep": {"variant": "vlm_x"}}}},
            "train.vlm.sweep.variant='vlm_x': not a train.vlm.variants name",
        ),
    ],
)
def test_bad_config_names_the_key(patch, message):
    config = default_config()
    for section, values in patch.items():
        config[section].update(values)
    with pytest.raises(ConfigError) as error:
        validate_config(config)
    assert message in str(error.value)
    assert "\n" not in str(error.value)


def test_unknown_top_level_key_lists_known_keys():
    with pytest.raises(ConfigError, match="known keys: .*viewsets"):
        validate_config({"viewset": {}})


def test_paper_profile_stops_early_and_says_how_to_get_the_data():
    config = load_config(ROOT / "config.yaml", ROOT / "config" / "paper.yaml")
    with pytest.raises(ConfigError, match="scenes.scannetpp.root=None.*licensed"):
        check_data_sources(config)


def test_missing_furniture_says_which_package(tmp_path):
    config = validate_config({"scenes": {"furniture_dir": str(tmp_path)}})
    with pytest.raises(ConfigError, match="apt-get install sweethome3d-furniture"):
        check_data_sources(config)


def test_missing_config_file_is_named(tmp_path):
    with pytest.raises(ConfigError, match="nope.yaml: config file not found"):
        load_config(tmp_path / "nope.yaml")


def test_external_models_join_the_evaluated_models():
    config = default_config()
    config["evaluate"]["external"] = {
        "qwen": {"adapter": "hf", "path": "/models/qwen"},
        "served": {
            "adapter": "openai",
            "endpoint": "http://127.0.0.1:8000/v1",
            "api_model": "qwen",
            "api_key_env": "OPENAI_API_KEY",
        },
    }
    config["evaluate"]["models"] = ["chance", "qwen", "served"]
    assert validate_config(config)["evaluate"]["circular"] is True


def test_one_street_scene_is_rejected_zero_or_two_are_fine():
    """A domain with one scene could not be split scene-disjointly."""
    for count, ok in ((0, True), (1, False), (2, True)):
        config = default_config()
        config["scenes"]["outdoor_count"] = count
        if ok:
            validate_config(config)
        else:
            with pytest.raises(ConfigError, match="outdoor_count"):
                validate_config(config)


def test_the_data_size_sweep_adds_models_of_the_variant_on_shares_of_the_data():
    variants = vlm_variants(validate_config(default_config()))
    assert variants["vlm_data25"] == {
        "geometry": "none",
        "fusion": "cross_attention",
        "fraction": 0.25,
    }
    assert sweep_name("vlm_geo", 0.5) == "vlm_geo_data50" and "vlm_data50" in variants
    config = default_config()
    config["train"]["vlm"]["sweep"]["variant"] = None
    assert not any("fraction" in v for v in vlm_variants(validate_config(config)).values())

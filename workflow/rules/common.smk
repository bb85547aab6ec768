# Validation before any rule runs, and the helpers every rule file uses.
from spatialmosaic.config import check_data_sources, validate_config
from spatialmosaic.paths import Layout, Split, builtin_scene_names, split_scenes

validate_config(config)
check_data_sources(config)

LAYOUT = Layout.from_config(config)
SCENES = builtin_scene_names(config["scenes"]["count"])
SPLITS = split_scenes(SCENES, config["scenes"]["eval_fraction"], config["seed"])


def log_path(rule_name, name="all"):
    return LAYOUT.log(rule_name, name)


def fitted_model_files(wildcards):
    """Evaluating a fitted model needs its file; baselines such as chance need none."""
    if wildcards.model in config["train"]["models"]:
        return [LAYOUT.model(wildcards.model)]
    return []

# Validation before any rule runs, and the helpers every rule file uses.
import shlex
from pathlib import Path

from spatialmosaic.config import check_data_sources, validate_config
from spatialmosaic.paths import (
    Layout,
    Split,
    builtin_scene_names,
    split_domains,
    street_scene_names,
    waymo_scene_names,
)

validate_config(config)
check_data_sources(config)

LAYOUT = Layout.from_config(config)
ROOMS = builtin_scene_names(config["scenes"]["count"])
STREETS = street_scene_names(config["scenes"]["outdoor_count"])
WAYMO = config["scenes"]["waymo"]
WAYMO_SCENES = waymo_scene_names(WAYMO["segments"], WAYMO["snapshots_per_segment"])
SCENES = ROOMS + STREETS + list(WAYMO_SCENES)
SPLITS = split_domains(
    [ROOMS, STREETS, list(WAYMO_SCENES)],
    config["scenes"]["eval_fraction"],
    config["seed"],
)


def log_path(rule_name, name="all"):
    return LAYOUT.log(rule_name, name)


def fitted_model_files(wildcards):
    """Evaluating a fitted model needs its file; baselines such as chance need none."""
    if wildcards.model in config["train"]["models"]:
        return [LAYOUT.model(wildcards.model)]
    return []


def model_frames(wildcards):
    """Models you bring look at the benchmark's frames; the baselines read text only."""
    if wildcards.model in config["evaluate"]["external"]:
        return expand(LAYOUT.render_dir("{scene}"), scene=SPLITS[Split.EVAL])
    return []


def model_arguments(wildcards, input):
    """CLI flags of `spatialmosaic evaluate run` for one configured model."""
    external = config["evaluate"]["external"].get(wildcards.model)
    flags = ["--circular"] if config["evaluate"]["circular"] else []
    if external is None:
        flags += ["--model", wildcards.model]
        if input.model:
            flags += ["--model-file", str(input.model[0])]
        return " ".join(flags)
    flags += ["--model", external["adapter"], "--images", str(LAYOUT.render_root())]
    if external["adapter"] == "hf":
        flags += ["--model-path", shlex.quote(external["path"])]
    else:
        flags += ["--endpoint", shlex.quote(external["endpoint"])]
        flags += ["--api-model", shlex.quote(external["api_model"])]
        if external.get("api_key_env"):
            flags += ["--api-key-env", external["api_key_env"]]
    return " ".join(flags)


def waymo_components(segment, required_only=True):
    """The Parquet files of one Waymo segment (``scenes.waymo_acquire``)."""
    from spatialmosaic.scenes.waymo_acquire import COMPONENTS, REQUIRED, component_file

    root = Path(WAYMO["root"] or "waymo-root-not-configured")
    components = REQUIRED if required_only else COMPONENTS
    return [root / component_file(WAYMO["split"], c, segment) for c in components]


def scene_photos(wildcards):
    """Scenes from a dataset bring their own photos; built-in scenes are rendered in full."""
    if wildcards.scene in WAYMO_SCENES:
        return [LAYOUT.photos(wildcards.scene)]
    return []

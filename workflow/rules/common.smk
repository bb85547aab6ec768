# Validation before any rule runs, and the helpers every rule file uses.
import shlex
from pathlib import Path

from spatialmosaic.config import (
    BASELINES as KNOWN_BASELINES,
    as_cli_flags,
    check_data_sources,
    validate_config,
    vlm_variants,
)
from spatialmosaic.paths import (
    Layout,
    Split,
    builtin_scene_names,
    infinigen_scene_names,
    infinigen_seed,
    split_domains,
    street_scene_names,
    waymo_scene_names,
)
from spatialmosaic.scenes.infinigen_run import REQUIREMENTS, env_stamp
from spatialmosaic.scenes.sources import listed_scenes, name_pattern

validate_config(config)
check_data_sources(config)

LAYOUT = Layout.from_config(config)
INDOOR = config["scenes"]["indoor_source"]
ROOMS = builtin_scene_names(config["scenes"]["count"]) if INDOOR == "builtin" else []
STREETS = street_scene_names(config["scenes"]["outdoor_count"])
WAYMO = config["scenes"]["waymo"]
WAYMO_SCENES = waymo_scene_names(WAYMO["segments"], WAYMO["snapshots_per_segment"])
SCANNETPP = config["scenes"]["scannetpp"]
SCANNETPP_SCENES = listed_scenes(SCANNETPP) if INDOOR == "scannetpp" else []
SCANNET = config["scenes"]["scannet"]
SCANNET_SCENES = listed_scenes(SCANNET) if INDOOR == "scannet" else []
INFINIGEN = config["scenes"]["infinigen"]
INFINIGEN_SCENES = (
    infinigen_scene_names(INFINIGEN["count"]) if INDOOR == "infinigen" else []
)
SCENES = ROOMS + STREETS + list(WAYMO_SCENES) + SCANNETPP_SCENES + SCANNET_SCENES
SCENES += INFINIGEN_SCENES
SPLITS = split_domains(
    [
        ROOMS,
        STREETS,
        list(WAYMO_SCENES),
        SCANNETPP_SCENES,
        SCANNET_SCENES,
        INFINIGEN_SCENES,
    ],
    config["scenes"]["eval_fraction"],
    config["seed"],
)
VLM = config["train"]["vlm"]
VLM_VARIANTS = vlm_variants(config)  # the variants and the data-size sweep's models
EVALUATED_VLMS = [m for m in config["evaluate"]["models"] if m in VLM_VARIANTS]
SWEEP = VLM["sweep"]
SWEEP_MODELS = [m for m in VLM_VARIANTS if "fraction" in VLM_VARIANTS[m]]
# the data-size sweep's points: its models and the variant trained on all the data (when
# that variant is scored)
SCALING_MODELS = (
    [*SWEEP_MODELS, SWEEP["variant"]] if SWEEP["variant"] in EVALUATED_VLMS else []
)
BASELINES = [m for m in config["evaluate"]["models"] if m in KNOWN_BASELINES]
# Scenes that bring their own photos (render_frames renders only their depth and ids).
PHOTO_SCENES = set(WAYMO_SCENES) | set(SCANNETPP_SCENES) | set(SCANNET_SCENES)


def log_path(rule_name, name="all"):
    return LAYOUT.log(rule_name, name)


def fitted_model_files(wildcards):
    """Evaluating a fitted model needs its file; baselines such as chance need none."""
    if wildcards.model in config["train"]["models"]:
        return [LAYOUT.model(wildcards.model)]
    if wildcards.model in VLM_VARIANTS:
        return [LAYOUT.model_dir(wildcards.model)]
    return []


def model_frames(wildcards):
    """Models that look (yours, our VLMs) need the benchmark's frames; baselines read text."""
    if (
        wildcards.model in config["evaluate"]["external"]
        or wildcards.model in VLM_VARIANTS
    ):
        return expand(LAYOUT.render_dir("{scene}"), scene=SPLITS[Split.EVAL])
    return []


def vlm_inputs(wildcards):
    """The frozen encoders (and base model) one VLM variant builds on."""
    inputs = {}
    if VLM["scale"] == "tiny":
        inputs["vision"] = LAYOUT.model_dir("vision")
        inputs["base_model"] = LAYOUT.model_dir("language")
    else:
        inputs["base_model"] = LAYOUT.model_dir("smollm2")
    if VLM_VARIANTS[wildcards.variant]["geometry"] != "none":
        inputs["geometry"] = LAYOUT.model_dir("geometry")
    return inputs


def vlm_encoder_flags(wildcards, input):
    flags = {
        "vision": "--vision",
        "base_model": "--base-model",
        "geometry": "--geometry-encoder",
    }
    given = input.keys()
    return " ".join(
        f"{flag} {getattr(input, key)}" for key, flag in flags.items() if key in given
    )


def variant_specs(models):
    """``name:geometry:fusion:fraction`` of each VLM, for the report rules."""
    return " ".join(
        "{}:{geometry}:{fusion}:{}".format(
            m, VLM_VARIANTS[m].get("fraction", 1.0), **VLM_VARIANTS[m]
        )
        for m in models
    )


def training_curves():
    """The loss curves of every trained neural model the evaluated variants need."""
    names = ["vision", "language"] if VLM["scale"] == "tiny" else []
    if any(VLM_VARIANTS[m]["geometry"] != "none" for m in EVALUATED_VLMS):
        names.append("geometry")
    return [LAYOUT.training_curve(name) for name in names + EVALUATED_VLMS]


def vlm_settings(wildcards):
    """Shared `train.vlm` settings plus the variant's geometry, fusion (and sweep fraction)."""
    shared = {k: v for k, v in VLM.items() if k not in ("variants", "sweep")}
    return as_cli_flags({**shared, **VLM_VARIANTS[wildcards.variant]})


def model_arguments(wildcards, input):
    """CLI flags of `spatialmosaic evaluate run` for one configured model."""
    external = config["evaluate"]["external"].get(wildcards.model)
    flags = ["--circular"] if config["evaluate"]["circular"] else []
    if wildcards.model in VLM_VARIANTS:
        flags += ["--model", "vlm", "--images", str(LAYOUT.render_root())]
        return " ".join([*flags, "--model-file", str(input.model[0])])
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
    if wildcards.scene in PHOTO_SCENES:
        return [LAYOUT.photos(wildcards.scene)]
    return []


def scannetpp_inputs(wildcards):
    """A ScanNet++ scene's files, or its manifest when the acquisition rule fetches them."""
    from spatialmosaic.scenes.scannetpp import Device, ScanNetppLayout

    root = Path(SCANNETPP["root"] or "scannetpp-root-not-configured")
    if SCANNETPP["download"]:
        return [scannetpp_manifest(wildcards.scene)]
    return ScanNetppLayout(root, wildcards.scene).required(Device(SCANNETPP["device"]))


def scannetpp_manifest(scene):
    """``<root>/manifests/<scene>.sha256.json``, written by the acquisition rule."""
    from spatialmosaic.scenes.scannetpp_acquire import manifest_path

    root = Path(SCANNETPP["root"] or "scannetpp-root-not-configured")
    return manifest_path(root, scene)


def scannet_inputs(wildcards):
    """The files of one ScanNet v2 scan and of its frames (``scenes.scannet.frames``)."""
    from spatialmosaic.scenes.scannet import FrameSource, ScanNetLayout

    root = Path(SCANNET["root"] or "scannet-root-not-configured")
    export_root = Path(SCANNET["export_root"]) if SCANNET["export_root"] else None
    layout = ScanNetLayout(root, wildcards.scene, export_root)
    return layout.required(FrameSource(SCANNET["frames"]))

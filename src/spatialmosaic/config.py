"""Configuration: load config.yaml plus profile overlays, validate against the schema.

The schema (``config.schema.yaml`` next to this file, linked from ``workflow/schemas/``) is the
single description of every key. Validation fills defaults and reports the first problem as
one line naming the key, e.g. ``viewsets.max_overlap=1.3: 1.3 is greater than the maximum of 1``.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import yaml


class ConfigError(ValueError):
    """The configuration is invalid; the message names the key and says what is expected."""


def load_schema() -> dict[str, Any]:
    text = resources.files("spatialmosaic").joinpath("config.schema.yaml").read_text("utf-8")
    return yaml.safe_load(text)


def _key_path(parts: Iterable[Any]) -> str:
    return ".".join(str(part) for part in parts) or "<top level>"


def _fill_defaults(schema: dict[str, Any], config: dict[str, Any]) -> None:
    for key, sub_schema in schema.get("properties", {}).items():
        if key not in config and "default" in sub_schema:
            config[key] = copy.deepcopy(sub_schema["default"])
        if isinstance(config.get(key), dict) and sub_schema.get("type") == "object":
            _fill_defaults(sub_schema, config[key])


FITTED_BASELINES = {"frequency", "blind"}
BASELINES = ("chance", "frequency", "blind")  # scored without any training of ours beyond fitting


def _check_cross_keys(config: dict[str, Any]) -> None:
    pairs = [
        ("scenes.objects_min", "scenes.objects_max"),
        ("views.eye_height_min_m", "views.eye_height_max_m"),
        ("viewsets.min_views", "viewsets.max_views"),
    ]
    for low_key, high_key in pairs:
        low, high = (_lookup(config, key) for key in (low_key, high_key))
        if low > high:
            raise ConfigError(f"{low_key}={low} exceeds {high_key}={high}")
    fitted = set(config["train"]["models"])
    external = config["evaluate"]["external"]
    sweep = config["train"]["vlm"]["sweep"]["variant"]
    if sweep is not None and sweep not in config["train"]["vlm"]["variants"]:
        raise ConfigError(
            f"train.vlm.sweep.variant={sweep!r}: not a train.vlm.variants name "
            f"({sorted(config['train']['vlm']['variants'])})"
        )
    variants = set(vlm_variants(config))
    for model in config["evaluate"]["models"]:
        if model in FITTED_BASELINES - fitted:
            raise ConfigError(
                f"evaluate.models lists '{model}' but train.models={sorted(fitted)} does not fit it"
            )
        if model not in {*BASELINES, *external, *variants}:
            raise ConfigError(
                f"evaluate.models lists '{model}': not a baseline (chance, frequency, blind), "
                f"not a train.vlm.variants name (defined: {sorted(variants) or 'none'}) and "
                f"not defined under evaluate.external (defined: {sorted(external) or 'none'})"
            )
    for name in external:
        if name in {*BASELINES, *variants}:
            raise ConfigError(f"evaluate.external.{name}: the name is taken by a baseline or VLM")


def _lookup(config: dict[str, Any], dotted: str) -> Any:
    value: Any = config
    for part in dotted.split("."):
        value = value[part]
    return value


def validate_config(config: dict[str, Any]) -> dict[str, Any]:
    """Validate ``config`` in place (defaults filled) and return it.

    Raises:
        ConfigError: unknown key, wrong type, value out of range, or inconsistent keys.
    """
    if not isinstance(config, dict):
        raise ConfigError(f"<top level>: expected a mapping, got {type(config).__name__}")
    schema = load_schema()
    validator = jsonschema.Draft202012Validator(schema)
    error = jsonschema.exceptions.best_match(validator.iter_errors(config))
    if error is not None:
        where = _key_path(error.absolute_path)
        if error.validator == "additionalProperties":
            known = sorted(error.schema.get("properties", {}))
            raise ConfigError(f"{where}: {error.message}; known keys: {', '.join(known)}")
        shown = json.dumps(error.instance) if not isinstance(error.instance, dict) else "{...}"
        raise ConfigError(f"{where}={shown}: {error.message}")
    _fill_defaults(schema, config)
    _check_cross_keys(config)
    return config


def sweep_name(variant: str, fraction: float) -> str:
    """The data-size sweep's model trained on ``fraction`` of the records: ``vlm_geo_data25``."""
    return f"{variant}_data{round(fraction * 100)}"


def vlm_variants(config: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every VLM the config trains: ``train.vlm.variants`` (fusion defaults filled in) and the
    data-size sweep's models (the sweep variant's settings plus ``fraction``)."""
    vlm = config["train"]["vlm"]
    variants = {
        name: {"fusion": "cross_attention", **settings}
        for name, settings in vlm["variants"].items()
    }
    sweep = vlm["sweep"]
    if sweep["variant"] is not None:
        base = variants[sweep["variant"]]
        for fraction in sweep["fractions"]:
            variants[sweep_name(sweep["variant"], fraction)] = {**base, "fraction": fraction}
    return variants


def as_cli_flags(block: dict[str, Any], skip: Iterable[str] = ()) -> str:
    """A config block as ``spatialmosaic`` flags: ``{text_dim: 128, grid: [3, 4]}`` ->
    ``--text-dim 128 --grid 3 4`` (the CLI makes one flag per settings field, same names)."""
    flags = []
    for key, value in block.items():
        if key in skip:
            continue
        shown = " ".join(map(str, value)) if isinstance(value, list) else str(value)
        flags.append(f"--{key.replace('_', '-')} {shown}")
    return " ".join(flags)


def merge(base: dict[str, Any], overlay: dict[str, Any]) -> dict[str, Any]:
    """Deep-merge ``overlay`` onto ``base`` the way Snakemake merges ``--configfile`` files."""
    merged = copy.deepcopy(base)
    for key, value in overlay.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def load_config(*paths: Path | str) -> dict[str, Any]:
    """Read ``config.yaml`` and any overlays in order, then validate."""
    config: dict[str, Any] = {}
    for path in map(Path, paths):
        if not path.is_file():
            raise ConfigError(f"{path}: config file not found")
        try:
            overlay = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as error:
            raise ConfigError(f"{path}: invalid YAML ({error})") from None
        if not isinstance(overlay, dict):
            raise ConfigError(f"{path}: expected a mapping at the top level")
        config = merge(config, overlay)
    return validate_config(config)


def check_data_sources(config: dict[str, Any]) -> None:
    """Stop before any rule runs when the configured source data is not on this machine."""
    scenes = config["scenes"]
    _check_waymo(scenes["waymo"])
    if scenes["indoor_source"] == "scannetpp":
        _check_scannetpp(scenes["scannetpp"])
    elif scenes["indoor_source"] == "scannet":
        _check_scannet(scenes["scannet"])
    elif scenes["indoor_source"] == "infinigen":
        _check_infinigen(scenes["infinigen"])
    else:
        furniture = Path(scenes["furniture_dir"])
        if not any(furniture.glob("*.sh3f")):
            raise ConfigError(
                f"scenes.furniture_dir={furniture}: no Sweet Home 3D catalogs (*.sh3f); install "
                "the Debian package: apt-get install sweethome3d-furniture"
            )


def _listed(block: dict[str, Any], key: str, howto: str) -> list[str]:
    """The block's scene ids; a null root, a missing list file or no scene stops the run."""
    from spatialmosaic.io import ArtefactError
    from spatialmosaic.scenes.sources import listed_scenes

    root = block["root"]
    if root is None or not Path(root).is_dir():
        raise ConfigError(f"scenes.{key}.root={root!r}: no data there. {howto}")
    try:
        names = listed_scenes(block)
    except ArtefactError as error:
        raise ConfigError(f"scenes.{key}.split_files: {error}. {howto}") from None
    if not names:
        raise ConfigError(f"scenes.{key}: no scenes; list them in scenes or split_files")
    return names


def _check_scannetpp(block: dict[str, Any]) -> None:
    from spatialmosaic.io import ArtefactError
    from spatialmosaic.scenes.scannetpp import HOWTO, Device
    from spatialmosaic.scenes.scannetpp_acquire import verify_scene

    names = _listed(block, "scannetpp", HOWTO)
    device = Device(block["device"])
    for scene_id in names:
        try:
            verify_scene(Path(block["root"]), scene_id, device, digests=False)
        except ArtefactError as error:
            if not block["download"]:
                raise ConfigError(
                    f"scenes.scannetpp: {error}; or set scenes.scannetpp.download: true"
                ) from None
            _check_scannetpp_download(block)
            return


def _check_scannetpp_download(block: dict[str, Any]) -> None:
    """Downloads need the official script and the token in the environment."""
    import os

    script = block["download_script"]
    if script is None or not Path(script).is_file():
        raise ConfigError(
            f"scenes.scannetpp.download_script={script!r}: not a file; give the path of the "
            "download_scannetpp.py that came with your ScanNet++ token (docs/scannetpp.md)"
        )
    if not os.environ.get(block["token_env"], "").strip():
        raise ConfigError(
            f"scenes.scannetpp.token_env={block['token_env']}: that environment variable is "
            "empty; export your ScanNet++ token in it (docs/scannetpp.md)"
        )


def _check_scannet(block: dict[str, Any]) -> None:
    from spatialmosaic.scenes.scannet import HOWTO, FrameSource, ScanNetLayout

    names = _listed(block, "scannet", HOWTO)
    export_root = Path(block["export_root"]) if block["export_root"] else None
    for scene in names:
        layout = ScanNetLayout(Path(block["root"]), scene, export_root)
        for path in layout.required(FrameSource(block["frames"])):
            if not path.exists():
                raise ConfigError(f"scenes.scannet: {path}: missing. {HOWTO}")


def _check_infinigen(block: dict[str, Any]) -> None:
    """Infinigen's environment exists, or this machine can make it (docs/infinigen.md)."""
    from spatialmosaic.scenes.infinigen_run import REQUIREMENTS, env_problem

    problem = env_problem(Path(block["venv"]), block["python"], REQUIREMENTS)
    if problem is not None:
        raise ConfigError(f"scenes.infinigen: {problem}")


def _check_waymo(waymo: dict[str, Any]) -> None:
    from spatialmosaic.io import ArtefactError
    from spatialmosaic.scenes.waymo_acquire import verify_segments

    if not waymo["segments"]:
        return
    if waymo["root"] is None:
        raise ConfigError("scenes.waymo.segments are listed but scenes.waymo.root is null")
    if waymo["download"]:
        return
    try:
        verify_segments(waymo["segments"], waymo["split"], Path(waymo["root"]), digests=False)
    except ArtefactError as error:
        raise ConfigError(
            f"scenes.waymo: {error}; or set scenes.waymo.download: true (docs/waymo.md)"
        ) from None

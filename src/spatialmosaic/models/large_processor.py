"""A large-scale model's own processor, from its local folder, with an image-only fallback.

The three families' processors (LLaVA-OneVision, LLaVA-NeXT-Video, Qwen2.5-VL) each hold a
video processor, and transformers' video processors need torchvision. Frames go to these models
as multiple images (``docs/training.md``), so where torchvision is missing the processor is
rebuilt from the folder's tokenizer, image processor (the PIL backend), processor settings and
chat template, with no video processor. Where torchvision imports, ``AutoProcessor`` loads the
folder as usual.
"""

from __future__ import annotations

import inspect
import json
from functools import cache
from pathlib import Path

PROCESSOR_CONFIG = "processor_config.json"
CHAT_TEMPLATE_FILE = "chat_template.jinja"
VIDEO = "video_processor"


class ProcessorError(ValueError):
    """A model folder's processor cannot be loaded; the message names the folder."""


@cache
def image_only_class(processor_class: type) -> type:
    """``processor_class`` that accepts ``video_processor=None``: the class check of the video
    processor (which needs torchvision to resolve) is skipped for a missing one."""

    def check_argument_for_proper_class(self, argument_name, argument):
        if argument_name == VIDEO and argument is None:
            return None
        return processor_class.check_argument_for_proper_class(self, argument_name, argument)

    def init(self, *args, **kwargs):
        kwargs.setdefault(VIDEO, None)
        processor_class.__init__(self, *args, **kwargs)

    # The signature names the sub-processors (ProcessorMixin.get_attributes reads it).
    init.__signature__ = inspect.signature(processor_class.__init__)
    return type(
        processor_class.__name__,
        (processor_class,),
        {"__init__": init, "check_argument_for_proper_class": check_argument_for_proper_class},
    )


def model_type(model_dir: Path) -> str:
    path = Path(model_dir) / "config.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))["model_type"]
    except (OSError, json.JSONDecodeError, KeyError) as error:
        raise ProcessorError(f"{path}: not a Hugging Face model config ({error})") from None


def load_processor(model_dir: Path):
    """The processor of a local model folder (``local_files_only``); image-only when
    torchvision is missing (see the module docstring)."""
    from transformers import AutoProcessor
    from transformers.utils import is_torchvision_available

    model_dir = Path(model_dir)
    kind = model_type(model_dir)
    if is_torchvision_available():
        try:
            return AutoProcessor.from_pretrained(model_dir, local_files_only=True)
        except (OSError, ValueError) as error:
            raise ProcessorError(f"{model_dir}: cannot load its processor: {error}") from None
    return _image_only_processor(model_dir, kind)


def _image_only_processor(model_dir: Path, kind: str):
    import transformers
    from transformers import AutoImageProcessor, AutoTokenizer
    from transformers.models.auto.processing_auto import PROCESSOR_MAPPING_NAMES

    name = PROCESSOR_MAPPING_NAMES.get(kind)
    if name is None:
        return transformers.AutoProcessor.from_pretrained(model_dir, local_files_only=True)
    processor_class = getattr(transformers, name)
    if VIDEO not in processor_class.get_attributes():
        return processor_class.from_pretrained(model_dir, local_files_only=True)
    settings: dict = {}
    config_path = model_dir / PROCESSOR_CONFIG
    if config_path.is_file():
        settings = json.loads(config_path.read_text(encoding="utf-8"))
    # Sub-processors are saved nested in processor_config.json; they load on their own below.
    accepted = set(inspect.signature(processor_class.__init__).parameters) - set(
        processor_class.get_attributes()
    )
    settings = {key: value for key, value in settings.items() if key in accepted}
    template = model_dir / CHAT_TEMPLATE_FILE
    if template.is_file():
        settings["chat_template"] = template.read_text(encoding="utf-8")
    try:
        image_processor = AutoImageProcessor.from_pretrained(model_dir, local_files_only=True)
        tokenizer = AutoTokenizer.from_pretrained(model_dir, local_files_only=True)
    except (OSError, ValueError) as error:
        raise ProcessorError(f"{model_dir}: cannot load its processor: {error}") from None
    return image_only_class(processor_class)(
        image_processor=image_processor, tokenizer=tokenizer, **settings
    )

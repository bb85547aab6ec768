"""Tiny randomly initialised checkpoints of the three large-scale families, built from the real
transformers classes and saved like Hub checkpoints (config, safetensors, tokenizer, image
processor, chat template), with no downloads:

- ``llava_onevision``: SigLIP vision tower + Qwen2 LM, ``LlavaOnevisionImageProcessorPil``;
- ``llava_next_video``: CLIP vision tower + Llama LM, ``LlavaNextImageProcessorPil`` (anyres);
- ``qwen2_5_vl``: the windowed Qwen2.5-VL vision transformer + its M-RoPE LM,
  ``Qwen2VLImageProcessorPil``.

The families' video processors need torchvision, which does not import here, so the processors
are saved without one (``video_processor=None``); ``models.large_processor.load_processor``
loads such a folder image-only. Frames go in as multiple images, as in training.
"""

from __future__ import annotations

from pathlib import Path

from tiny_vlm import CHAT_TEMPLATE, _tokenizer

IMAGE_PX = 32
PATCH_PX = 8
PINPOINTS = [[32, 32], [32, 64], [64, 32]]
FAMILIES = ("llava_onevision", "llava_next_video", "qwen2_5_vl")

# The tiny tokenizer names "<image>" its image token, so it stands for Qwen's <|image_pad|>.
QWEN_TOKENS = ["<|vision_start|>", "<|vision_end|>", "<|video_pad|>"]
QWEN_TEMPLATE = CHAT_TEMPLATE.replace(
    "{{ '<image>' }}", "{{ '<|vision_start|><image><|vision_end|>' }}"
)


def _text(config_class, tokenizer, **extra):
    return config_class(
        vocab_size=len(tokenizer),
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=4096,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
        **extra,
    )


def _vision(config_class):
    return config_class(
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=2,
        image_size=IMAGE_PX,
        patch_size=PATCH_PX,
    )


def _no_video(processor_class):
    from spatialmosaic.models.large_processor import image_only_class

    return image_only_class(processor_class)


def _onevision(tokenizer):
    from transformers import (
        LlavaOnevisionConfig,
        LlavaOnevisionForConditionalGeneration,
        LlavaOnevisionImageProcessorPil,
        LlavaOnevisionProcessor,
        Qwen2Config,
        SiglipVisionConfig,
    )

    config = LlavaOnevisionConfig(
        vision_config=_vision(SiglipVisionConfig),
        text_config=_text(Qwen2Config, tokenizer),
        image_token_index=tokenizer.convert_tokens_to_ids("<image>"),
        video_token_index=tokenizer.convert_tokens_to_ids("<video>"),
        vision_feature_select_strategy="full",
        vision_feature_layer=-1,
        image_grid_pinpoints=PINPOINTS,
    )
    processor = _no_video(LlavaOnevisionProcessor)(
        image_processor=LlavaOnevisionImageProcessorPil(
            size={"height": IMAGE_PX, "width": IMAGE_PX}, image_grid_pinpoints=PINPOINTS
        ),
        tokenizer=tokenizer,
        video_processor=None,
        num_image_tokens=(IMAGE_PX // PATCH_PX) ** 2,
        vision_feature_select_strategy="full",
        chat_template=CHAT_TEMPLATE,
    )
    return LlavaOnevisionForConditionalGeneration(config), processor


def _next_video(tokenizer):
    from transformers import (
        CLIPVisionConfig,
        LlamaConfig,
        LlavaNextImageProcessorPil,
        LlavaNextVideoConfig,
        LlavaNextVideoForConditionalGeneration,
        LlavaNextVideoProcessor,
    )

    config = LlavaNextVideoConfig(
        vision_config=_vision(CLIPVisionConfig),
        text_config=_text(LlamaConfig, tokenizer),
        image_token_index=tokenizer.convert_tokens_to_ids("<image>"),
        video_token_index=tokenizer.convert_tokens_to_ids("<video>"),
        vision_feature_select_strategy="default",
        vision_feature_layer=-1,
        image_grid_pinpoints=PINPOINTS,
        image_seq_length=(IMAGE_PX // PATCH_PX) ** 2,
    )
    processor = _no_video(LlavaNextVideoProcessor)(
        image_processor=LlavaNextImageProcessorPil(
            size={"shortest_edge": IMAGE_PX},
            crop_size={"height": IMAGE_PX, "width": IMAGE_PX},
            image_grid_pinpoints=PINPOINTS,
        ),
        tokenizer=tokenizer,
        video_processor=None,
        patch_size=PATCH_PX,
        vision_feature_select_strategy="default",
        num_additional_image_tokens=1,
        chat_template=CHAT_TEMPLATE,
    )
    return LlavaNextVideoForConditionalGeneration(config), processor


def _qwen(tokenizer):
    from transformers import (
        Qwen2_5_VLConfig,
        Qwen2_5_VLForConditionalGeneration,
        Qwen2_5_VLProcessor,
        Qwen2_5_VLTextConfig,
        Qwen2VLImageProcessorPil,
    )

    ids = {token: tokenizer.convert_tokens_to_ids(token) for token in QWEN_TOKENS}
    config = Qwen2_5_VLConfig(
        vision_config={
            "depth": 2,
            "hidden_size": 32,
            "intermediate_size": 64,
            "num_heads": 2,
            "out_hidden_size": 64,
            "patch_size": PATCH_PX,
            "spatial_merge_size": 2,
            "temporal_patch_size": 2,
            "window_size": 2 * 2 * PATCH_PX,  # 2x2 merged tokens per window
            "fullatt_block_indexes": [1],
        },
        text_config=_text(
            Qwen2_5_VLTextConfig,
            tokenizer,
            rope_parameters={
                "rope_type": "default",
                "rope_theta": 10000.0,
                "mrope_section": [2, 3, 3],
            },
        ),
        image_token_id=tokenizer.convert_tokens_to_ids("<image>"),
        video_token_id=ids["<|video_pad|>"],
        vision_start_token_id=ids["<|vision_start|>"],
        vision_end_token_id=ids["<|vision_end|>"],
    )
    processor = _no_video(Qwen2_5_VLProcessor)(
        image_processor=Qwen2VLImageProcessorPil(
            patch_size=PATCH_PX,
            merge_size=2,
            temporal_patch_size=2,
            min_pixels=16 * 16,
            max_pixels=64 * 64,
        ),
        tokenizer=tokenizer,
        video_processor=None,
        chat_template=QWEN_TEMPLATE,
    )
    return Qwen2_5_VLForConditionalGeneration(config), processor


def build_tiny_large(family: str, dest: Path, seed: int = 0) -> Path:
    """Save a tiny ``family`` checkpoint with its processor to ``dest``."""
    import torch

    torch.manual_seed(seed)
    tokenizer = _tokenizer()
    extra = QWEN_TOKENS if family == "qwen2_5_vl" else ["<video>"]
    tokenizer.add_special_tokens({"additional_special_tokens": extra})
    builders = {"llava_onevision": _onevision, "llava_next_video": _next_video, "qwen2_5_vl": _qwen}
    model, processor = builders[family](tokenizer)
    model.eval()
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    model.generation_config.eos_token_id = tokenizer.convert_tokens_to_ids("<|end|>")
    model.save_pretrained(dest)
    _save_processor(processor, Path(dest))
    return dest


def _save_processor(processor, dest: Path) -> None:
    """What ``save_pretrained`` writes, less the missing video processor (which it cannot
    skip): tokenizer files, chat template, and ``processor_config.json`` with the image
    processor nested in it."""
    import json

    processor.tokenizer.save_pretrained(dest)
    (dest / "chat_template.jinja").write_text(processor.chat_template, encoding="utf-8")
    settings = {
        key: value
        for key, value in processor.to_dict().items()
        if key not in ("video_processor", "tokenizer") and value is not None
    }
    settings["image_processor"] = processor.image_processor.to_dict()
    settings["processor_class"] = type(processor).__name__
    (dest / "processor_config.json").write_text(json.dumps(settings, indent=2), encoding="utf-8")

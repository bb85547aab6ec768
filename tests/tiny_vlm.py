"""A tiny randomly initialised LLaVA (CLIP vision tower + Llama LM) built from the real
transformers classes and saved like any Hub checkpoint, with a locally trained BPE tokenizer,
a PIL image processor (no torchvision) and a multi-image chat template. Nothing is downloaded.
"""

from __future__ import annotations

from pathlib import Path

IMAGE_SIZE_PX = 32
PATCH_PX = 8
IMAGE_TOKEN = "<image>"
SPECIAL_TOKENS = [
    "<pad>",
    "<s>",
    "</s>",
    "<unk>",
    IMAGE_TOKEN,
    "<|user|>",
    "<|assistant|>",
    "<|end|>",
]

# One turn per message; list content interleaves {"type": "image"} and {"type": "text"} items.
CHAT_TEMPLATE = (
    "{% for message in messages %}{{ '<|' + message['role'] + '|>\\n' }}"
    "{% if message['content'] is string %}{{ message['content'] }}{% else %}"
    "{% for item in message['content'] %}{% if item['type'] == 'image' %}{{ '<image>' }}"
    "{% elif item['type'] == 'text' %}{{ item['text'] }}{% endif %}{% endfor %}{% endif %}"
    "{{ '<|end|>\\n' }}{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|assistant|>\\n' }}{% endif %}"
)

# Words of the benchmark's prompts and answers, so the tokenizer has them as pieces.
CORPUS = [
    "These are frames of a video. Options: A. B. C. D. Answer with the option's letter from the",
    "given choices directly. Please answer the question using a single word or phrase.",
    "How many chair(s) are visible across these frames? Frame 1 2 3 4 5 (12,34) 0.5 1.25",
    "Please answer with the coordinate pair only, formatted as (x,y). left right above below",
]


def _tokenizer():
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    bpe = Tokenizer(models.BPE(unk_token="<unk>"))
    # Metaspace keeps every decoded piece printable (random weights emit arbitrary ids).
    bpe.pre_tokenizer = pre_tokenizers.Metaspace(prepend_scheme="never")
    bpe.decoder = decoders.Metaspace(prepend_scheme="never")
    trainer = trainers.BpeTrainer(
        vocab_size=300,
        special_tokens=SPECIAL_TOKENS,
        initial_alphabet=[chr(code) for code in range(32, 127)] + ["\n", "\u2581"],
        show_progress=False,
    )
    bpe.train_from_iterator(CORPUS * 10, trainer=trainer)
    return PreTrainedTokenizerFast(
        tokenizer_object=bpe,
        bos_token="<s>",
        eos_token="</s>",
        pad_token="<pad>",
        unk_token="<unk>",
        extra_special_tokens={"image_token": IMAGE_TOKEN},
        model_max_length=4096,
    )


def build_tiny_llava(dest: Path, seed: int = 0) -> Path:
    """Save the model and its processor to ``dest``; about 0.2M parameters."""
    import torch
    from transformers import (
        CLIPImageProcessorPil,
        CLIPVisionConfig,
        LlamaConfig,
        LlavaConfig,
        LlavaForConditionalGeneration,
        LlavaProcessor,
    )

    torch.manual_seed(seed)
    tokenizer = _tokenizer()
    processor = LlavaProcessor(
        image_processor=CLIPImageProcessorPil(
            size={"shortest_edge": IMAGE_SIZE_PX},
            crop_size={"height": IMAGE_SIZE_PX, "width": IMAGE_SIZE_PX},
        ),
        tokenizer=tokenizer,
        patch_size=PATCH_PX,
        vision_feature_select_strategy="default",
        num_additional_image_tokens=1,  # CLIP's class token, dropped by "default"
        chat_template=CHAT_TEMPLATE,
        image_token=IMAGE_TOKEN,
    )
    config = LlavaConfig(
        vision_config=CLIPVisionConfig(
            hidden_size=32,
            intermediate_size=64,
            num_hidden_layers=2,
            num_attention_heads=2,
            image_size=IMAGE_SIZE_PX,
            patch_size=PATCH_PX,
        ),
        text_config=LlamaConfig(
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
        ),
        image_token_index=tokenizer.convert_tokens_to_ids(IMAGE_TOKEN),
        image_seq_length=(IMAGE_SIZE_PX // PATCH_PX) ** 2,
        vision_feature_select_strategy="default",
        vision_feature_layer=-1,
    )
    model = LlavaForConditionalGeneration(config).eval()
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    model.generation_config.eos_token_id = tokenizer.eos_token_id
    model.save_pretrained(dest)
    processor.save_pretrained(dest)
    return dest

"""Any Hugging Face image-text-to-text model from a local directory (LLaVA, LLaVA-OneVision,
Qwen2.5-VL, SmolVLM, ...): the frames go into one user turn of the model's own chat template,
then the official prompt; greedy decoding of 16 new tokens (SPEC §5).

Only local files are read (``local_files_only``): a model is never downloaded at run time.
"""

from __future__ import annotations

from pathlib import Path

from spatialmosaic.evaluate.models import ModelError, Query

MAX_NEW_TOKENS = 16


def _load_images(paths: tuple[Path, ...]) -> list:
    from PIL import Image

    images = []
    for path in paths:
        try:
            with Image.open(path) as image:
                images.append(image.convert("RGB"))
        except OSError as error:
            raise ModelError(f"frame image {path}: {error}") from None
    return images


class HuggingFaceModel:
    """``device``: ``auto`` takes the first CUDA device when there is one, else the CPU;
    ``dtype``: ``auto`` is bfloat16 on CUDA and float32 on the CPU."""

    def __init__(self, seed: int, path: Path, device: str = "auto", dtype: str = "auto") -> None:
        path = Path(path)
        if not (path / "config.json").is_file():
            raise ModelError(
                f"{path}: no Hugging Face model here (config.json missing); download it first, "
                "e.g. `hf download <repo> --local-dir <dir>`"
            )
        import torch
        from transformers import AutoModelForImageTextToText

        from spatialmosaic.models.large_processor import load_processor

        if device == "auto":
            device = "cuda" if torch.cuda.is_available() else "cpu"
        if dtype == "auto":
            dtype = "bfloat16" if device.startswith("cuda") else "float32"
        torch.manual_seed(seed)
        try:
            # Image-only where torchvision is missing (Qwen2.5-VL, LLaVA-OneVision, ...).
            self.processor = load_processor(path)
            self.model = AutoModelForImageTextToText.from_pretrained(
                path, local_files_only=True, dtype=getattr(torch, dtype)
            )
        except (OSError, ValueError, KeyError) as error:
            raise ModelError(
                f"{path}: cannot load as an image-text-to-text model: {error}"
            ) from None
        self.model.to(device).eval()
        self.device = device
        self.torch = torch

    def messages(self, query: Query, images: list) -> list[dict]:
        content = [{"type": "image", "image": image} for image in images]
        content.append({"type": "text", "text": query.prompt})
        return [{"role": "user", "content": content}]

    def inputs(self, query: Query, images: list):
        """Token ids and pixel values of one query, on the model's device and dtype."""
        return self.processor.apply_chat_template(
            self.messages(query, images),
            add_generation_prompt=True,
            tokenize=True,
            return_dict=True,
            return_tensors="pt",
        ).to(self.model.device, dtype=self.model.dtype)

    def reply(self, query: Query) -> str:
        inputs = self.inputs(query, _load_images(query.images))
        with self.torch.inference_mode():
            output = self.model.generate(**inputs, max_new_tokens=MAX_NEW_TOKENS, do_sample=False)
        new_tokens = output[0, inputs["input_ids"].shape[1] :]
        # lmms-eval's model wrappers strip generations before scoring; so do we.
        return self.processor.decode(new_tokens, skip_special_tokens=True).strip()

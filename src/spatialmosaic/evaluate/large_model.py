"""A fine-tuned large SpatialMosaicVLM as a benchmark model (``--model large``).

It rebuilds the model from the base folder, the trained adapters and, for a geometry variant,
the fusion block and the frozen geometry encoder (ours, or VGGT-1B). The frames and prompt go in
as in training (``models.large_inputs``: the frames as images of one user turn, then the
official prompt); decoding is greedy with at most 16 new tokens (SPEC §5). A variant without
geometry is also a plain Hugging Face folder, which ``--model hf`` scores the same way.
"""

from __future__ import annotations

from pathlib import Path

import torch

from spatialmosaic.evaluate.hf_model import MAX_NEW_TOKENS, _load_images
from spatialmosaic.evaluate.models import ModelError, Query
from spatialmosaic.io import ArtefactError


class LargeModel:
    """``model_file``: a ``train large`` output folder; ``path``: the base model folder, when it
    is not where training read it; ``vggt_weights`` likewise for VGGT-1B."""

    def __init__(
        self,
        seed: int,
        model_file: Path | None,
        path: Path | None = None,
        vggt_weights: Path | None = None,
        device: str = "auto",
    ) -> None:
        from spatialmosaic.models.frames import FrameStore
        from spatialmosaic.models.fusion import GeometryFeatures
        from spatialmosaic.models.large import default_dtype
        from spatialmosaic.models.large_checkpoint import CONFIG, load_large, read_large_config
        from spatialmosaic.models.large_processor import ProcessorError, load_processor

        if model_file is None or not (Path(model_file) / CONFIG).is_file():
            raise ModelError(f"{model_file}: no fine-tuned large model here ({CONFIG} missing)")
        if device == "auto":
            device = "cuda" if torch.cuda.is_available() else "cpu"
        torch.manual_seed(seed)
        try:
            base = Path(path or read_large_config(model_file)["base_model"])
            self.processor = load_processor(base)
            self.vlm, self.geometry = load_large(
                Path(model_file), device, default_dtype(device), base, vggt_weights
            )
        except (ArtefactError, ProcessorError) as error:
            raise ModelError(str(error)) from None
        self.device = torch.device(device)
        self.dtype = default_dtype(device)
        self.features = None
        self.frames = None
        if self.geometry is not None:
            self.features = GeometryFeatures(self.vlm.settings.geometry)
            self.frames = FrameStore(self.geometry.image_size)

    def _geometry(self, query: Query) -> torch.Tensor | None:
        if self.geometry is None:
            return None
        from spatialmosaic.models.large_checkpoint import encode_geometry

        frames = [self.frames.frames(query.images)]
        return encode_geometry(self.geometry, frames, self.features, self.device)

    def reply(self, query: Query) -> str:
        from spatialmosaic.models.large_inputs import encode

        if not query.images:
            raise ModelError("the fine-tuned model needs the frames: pass --images")
        features = encode(self.processor, _load_images(query.images), query.prompt)
        batch = {
            key: value.to(self.device, self.dtype if value.is_floating_point() else value.dtype)
            for key, value in features.items()
        }
        output = self.vlm.generate(batch, self._geometry(query), MAX_NEW_TOKENS)
        new_tokens = output[0, batch["input_ids"].shape[1] :]
        return self.processor.decode(new_tokens, skip_special_tokens=True).strip()

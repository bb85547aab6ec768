"""Our trained SpatialMosaicVLM checkpoints as benchmark models (``--model vlm``).

Questions are answered in batches (``reply_batch``); the frozen encoders' tokens are computed
once per frame and view set; decoding is greedy with at most 16 new tokens (SPEC §5).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import torch

from spatialmosaic.evaluate.models import ModelError, Query

MAX_NEW_TOKENS = 16


class TrainedVLM:
    def __init__(self, seed: int, model_file: Path | None, batch_size: int = 64) -> None:
        from spatialmosaic.models.checkpoint import load_vlm
        from spatialmosaic.training.loop import training_device
        from spatialmosaic.training.vlm import encoder_tokens

        if model_file is None or not Path(model_file).is_dir():
            raise ModelError(f"{model_file}: no trained model folder (run the train_vlm rule)")
        torch.manual_seed(seed)
        self.model, geometry_encoder = load_vlm(Path(model_file))
        device = training_device()
        self.model.to(device)
        if geometry_encoder is not None:
            geometry_encoder.to(device)
        self.tokens = encoder_tokens(self.model, geometry_encoder)
        self.batch_size = batch_size

    def reply_batch(self, queries: Sequence[Query]) -> list[str]:
        if any(not query.images for query in queries):
            raise ModelError("the trained model needs the frames: pass --images")
        visual, view_mask, geometry = self.tokens.batch([query.images for query in queries])
        prompts = [self.model.prompt_ids(query.prompt) for query in queries]
        return self.model.generate(visual, view_mask, prompts, geometry, MAX_NEW_TOKENS)

    def reply(self, query: Query) -> str:
        return self.reply_batch([query])[0]

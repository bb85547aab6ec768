"""The large scale on tiny random checkpoints of the three real families (no downloads):
LoRA on the language model only, gradients, the geometry hook, save / reload, inputs, VGGT."""

from __future__ import annotations

import sys

import pytest
import torch
from PIL import Image

from large_fixtures import GEOMETRY_DIM, write_geometry_encoder
from tiny_large import FAMILIES, build_tiny_large

pytest.importorskip("peft")

from spatialmosaic.models.large import (  # noqa: E402
    Family,
    LargeSettings,
    build_large,
    family_of,
    load_base,
)
from spatialmosaic.models.large_checkpoint import ADAPTERS, load_large, save_large  # noqa: E402
from spatialmosaic.models.large_inputs import IGNORE, collate, encode  # noqa: E402
from spatialmosaic.models.large_processor import load_processor  # noqa: E402

TINY_LORA = {"lora_rank": 4, "lora_alpha": 8}
PROMPT = "These are frames of a video.\nHow many chair(s)?\nOptions:\nA. 1\nB. 2"


@pytest.fixture(scope="module")
def family_dirs(tmp_path_factory):
    root = tmp_path_factory.mktemp("large_families")
    return {family: build_tiny_large(family, root / family) for family in FAMILIES}


@pytest.fixture(scope="module")
def geometry_dir(tmp_path_factory):
    return write_geometry_encoder(tmp_path_factory.mktemp("geometry") / "encoder")


def images():
    """Two frames of different sizes (so the per-frame split is tested)."""
    return [Image.new("RGB", (64, 48), (200, 30, 30)), Image.new("RGB", (40, 30), (10, 90, 200))]


def built(directory, geometry: str = "none", seed: int = 0):
    torch.manual_seed(seed)
    settings = LargeSettings(geometry=geometry, **TINY_LORA)
    dim = GEOMETRY_DIM if settings.uses_geometry else None
    vlm = build_large(load_base(directory, torch.float32), settings, dim)
    for name, parameter in vlm.named_parameters():  # LoRA B starts at zero: make it matter
        if "lora_B" in name:
            torch.nn.init.normal_(parameter, std=0.5)
    return vlm


def batch(directory, answer: str | None = None):
    return encode(load_processor(directory), images(), PROMPT, answer)


@pytest.mark.parametrize("family", FAMILIES)
def test_lora_adapts_only_the_language_model_and_the_vision_tower_is_frozen(family_dirs, family):
    vlm = built(family_dirs[family], geometry="both")
    trainable = {name for name, p in vlm.named_parameters() if p.requires_grad}
    lora = {name for name in trainable if "lora_" in name}
    assert lora and all(".language_model." in name for name in lora)
    vision = "visual.blocks" if family == "qwen2_5_vl" else "vision_tower"
    assert not any(vision in name for name in trainable)
    projector = "visual.merger" if family == "qwen2_5_vl" else "multi_modal_projector"
    assert any(projector in name for name in trainable)
    assert any(name.startswith("fusion.") for name in trainable)
    assert vlm.family is Family(family) and family_of(family_dirs[family]) is Family(family)


@pytest.mark.parametrize("family", FAMILIES)
def test_gradients_reach_lora_projector_and_fusion_not_the_vision_tower(family_dirs, family):
    vlm = built(family_dirs[family], geometry="both").train()
    inputs = batch(family_dirs[family], answer="B")
    geometry = torch.randn(2, 5, GEOMETRY_DIM)
    output = vlm(inputs, geometry)
    assert torch.isfinite(output.loss)
    output.loss.backward()
    grads = {n: p.grad for n, p in vlm.named_parameters() if p.grad is not None}
    assert all(p.grad is None for n, p in vlm.named_parameters() if not p.requires_grad)
    for part in ("lora_B", "fusion.query_proj", "fusion.key_value_proj"):
        assert any(part in n and float(g.abs().sum()) > 0 for n, g in grads.items()), part
    projector = "visual.merger" if family == "qwen2_5_vl" else "multi_modal_projector"
    assert any(projector in n and float(g.abs().sum()) > 0 for n, g in grads.items())


@pytest.mark.parametrize("family", FAMILIES)
def test_geometry_tokens_reach_each_frame_through_the_projector_hook(family_dirs, family):
    vlm = built(family_dirs[family], geometry="patch").eval()
    inputs = batch(family_dirs[family])
    geometry = torch.randn(2, 4, GEOMETRY_DIM)
    with torch.no_grad():
        base = vlm(inputs, geometry).logits
        changed = geometry.clone()
        changed[1] += 1.0  # only the second frame's geometry
        other = vlm(inputs, changed).logits
    assert not torch.allclose(base, other)
    with pytest.raises(ValueError, match="3 frames of geometry tokens for 2 images"):
        vlm(inputs, torch.randn(3, 4, GEOMETRY_DIM))
    with pytest.raises(ValueError, match="geometry tokens are needed"):
        vlm(inputs)


@pytest.mark.parametrize("family", FAMILIES)
def test_save_and_reload_reproduce_the_logits(family_dirs, geometry_dir, family, tmp_path):
    """With fusion: base + adapters + fusion + geometry encoder; without: the merged folder
    loads as a plain Hugging Face model, and through the adapters."""
    from transformers import AutoModelForImageTextToText

    directory = family_dirs[family]
    inputs = batch(directory)
    geometry = torch.randn(2, 5, GEOMETRY_DIM)
    fused = built(directory, geometry="both").eval()
    with torch.no_grad():
        expected = fused(inputs, geometry).logits
    save_large(
        tmp_path / "fused", fused, directory, {"seed": 0}, "ours", geometry_dir, torch.float32
    )
    reloaded, encoder = load_large(tmp_path / "fused")
    assert encoder is not None and encoder.dim == GEOMETRY_DIM
    assert (tmp_path / "fused" / "geometry" / "geometry.safetensors").is_file()
    with torch.no_grad():
        torch.testing.assert_close(reloaded(inputs, geometry).logits, expected)

    plain = built(directory).eval()
    with torch.no_grad():
        expected = plain(inputs).logits
    save_large(tmp_path / "plain", plain, directory, {"seed": 0}, dtype=torch.float32)
    assert (tmp_path / "plain" / ADAPTERS).is_file()
    merged = AutoModelForImageTextToText.from_pretrained(tmp_path / "plain", local_files_only=True)
    rebuilt, _ = load_large(tmp_path / "plain")
    with torch.no_grad():
        torch.testing.assert_close(merged.eval()(**inputs).logits, expected, atol=1e-4, rtol=1e-4)
        torch.testing.assert_close(rebuilt(inputs).logits, expected)


def test_labels_cover_only_the_answer_turn(family_dirs):
    directory = family_dirs["llava_onevision"]
    processor = load_processor(directory)
    prompt_only = batch(directory)
    sample = batch(directory, answer="B")
    length = prompt_only["input_ids"].shape[1]
    assert torch.equal(sample["input_ids"][:, :length], prompt_only["input_ids"])
    labels = sample["labels"][0]
    assert (labels[:length] == IGNORE).all()
    answer = processor.tokenizer.decode(labels[length:])
    assert answer.startswith("B") and "<|end|>" in answer
    short = encode(processor, images()[:1] * 2, "Frame?", "A")
    padded = collate([sample, short], pad_token_id=processor.tokenizer.pad_token_id)
    assert padded["input_ids"].shape == padded["labels"].shape == (2, labels.numel())
    assert padded["pixel_values"].shape[0] == 4  # both samples' images, in order
    assert (padded["labels"][1, short["labels"].shape[1] :] == IGNORE).all()


def test_qwen_fusion_does_not_depend_on_the_window_order():
    """Qwen2.5-VL's merger input is in window order; the block's output per visual token is
    the same in any order, so fusing there is exactly per frame (docs/training.md)."""
    from spatialmosaic.models.fusion import GeometryCrossAttention

    torch.manual_seed(0)
    block = GeometryCrossAttention(8, 6, 2).eval()
    visual, geometry = torch.randn(1, 12, 8), torch.randn(1, 5, 6)
    order = torch.randperm(12)
    with torch.no_grad():
        torch.testing.assert_close(
            block(visual[:, order], geometry), block(visual, geometry)[:, order]
        )


def test_bad_settings_and_folders_name_the_problem(tmp_path):
    from tiny_vlm import build_tiny_llava

    with pytest.raises(ValueError, match="supports only cross_attention"):
        LargeSettings(geometry="both", fusion="concat")
    with pytest.raises(ValueError, match="geometry 'depth'|'depth' is not a valid"):
        LargeSettings(geometry="depth")
    llava = build_tiny_llava(tmp_path / "llava")
    with pytest.raises(ValueError, match="model_type 'llava' is not a large-scale family"):
        family_of(llava)


class StandInAggregator(torch.nn.Module):
    """VGGT's aggregator output format: one [B, S, P, 2C] tensor per layer, patch_start_idx."""

    def __init__(self, dim: int = 8, patches: int = 4, registers: int = 4, layers: int = 3):
        super().__init__()
        self.scale = torch.nn.Parameter(torch.ones(()))
        self.shape = (1 + registers + patches, dim)
        self.patch_start = 1 + registers
        self.layers = layers

    def forward(self, images):
        batch, views = images.shape[:2]
        tokens, dim = self.shape
        base = torch.arange(tokens * dim, dtype=torch.float32).reshape(1, 1, tokens, dim)
        layers = [
            self.scale * (base + layer).expand(batch, views, tokens, dim)
            for layer in range(self.layers)
        ]
        return layers, self.patch_start


def test_vggt_tokens_are_the_last_layers_camera_and_patch_tokens():
    from spatialmosaic.models.vggt_adapter import VGGTGeometry

    geometry = VGGTGeometry(StandInAggregator(), dim=8, image_px=28, patch_px=14)
    tokens = geometry.encode(torch.rand(3, 3, 28, 28))
    last = torch.arange(9 * 8, dtype=torch.float32).reshape(9, 8) + 2  # layer 2 of 3
    assert tokens.camera.shape == (3, 1, 8) and tokens.patches.shape == (3, 4, 8)
    torch.testing.assert_close(tokens.camera[0, 0], last[0])
    torch.testing.assert_close(tokens.patches[2], last[5:])  # registers 1-4 dropped
    with pytest.raises(ValueError, match="VGGT takes"):
        geometry.encode(torch.rand(2, 3, 32, 32))


def test_vggt_errors_name_the_missing_package_or_file(tmp_path, monkeypatch):
    from safetensors.torch import save_file

    from spatialmosaic.models.vggt_adapter import VGGTMissingError, load_vggt

    monkeypatch.setitem(sys.modules, "vggt", None)
    with pytest.raises(VGGTMissingError, match="VGGT package is not importable"):
        load_vggt(tmp_path / "model.pt")
    package = tmp_path / "pkg" / "vggt" / "models"
    package.mkdir(parents=True)
    for folder in (package.parent, package):
        (folder / "__init__.py").write_text("", encoding="utf-8")
    (package / "vggt.py").write_text(
        "import torch\n"
        "class Aggregator(torch.nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.proj = torch.nn.Linear(2, 2)\n"
        "class VGGT(torch.nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.aggregator = Aggregator()\n",
        encoding="utf-8",
    )
    monkeypatch.delitem(sys.modules, "vggt")
    monkeypatch.syspath_prepend(str(tmp_path / "pkg"))
    with pytest.raises(VGGTMissingError, match="model.pt: VGGT-1B weights file not found"):
        load_vggt(tmp_path / "model.pt")
    with pytest.raises(VGGTMissingError, match="no VGGT-1B weights in this folder"):
        load_vggt(tmp_path)
    save_file(
        {"aggregator.proj.weight": torch.eye(2), "aggregator.proj.bias": torch.zeros(2)},
        tmp_path / "model.safetensors",
    )
    geometry = load_vggt(tmp_path)
    assert geometry.dim == 2048 and geometry.image_size == (518, 518) and geometry.patches == 1369
    assert not any(p.requires_grad for p in geometry.parameters())

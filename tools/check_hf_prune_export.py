#!/usr/bin/env python3
"""Checks a pruned Hugging Face folder written by `avss prune` with transformers alone.

Never run by CI (it needs transformers). Loads the pruned folder with AutoModelForCausalLM, and the
original folder with the removed decoder layers deleted from transformers' own module list, then
compares their logits on a few token sequences: equal (up to fp32 summation order) means the export holds the original's kept
layers, renumbered, with a config transformers reads the same way.

    /tmp/refenv/bin/python tools/check_hf_prune_export.py ORIGINAL_DIR PRUNED_DIR
"""

from __future__ import annotations

import json
import sys

import torch
from transformers import AutoModelForCausalLM


def main() -> None:
    original_dir, pruned_dir = sys.argv[1], sys.argv[2]
    manifest = json.load(open(f"{pruned_dir}/avss_pruned.json", encoding="utf-8"))
    removed = set(manifest["removed_layers"])
    pruned = AutoModelForCausalLM.from_pretrained(pruned_dir, dtype=torch.float32, attn_implementation="eager").eval()
    original = AutoModelForCausalLM.from_pretrained(original_dir, dtype=torch.float32, attn_implementation="eager").eval()
    gpt2 = hasattr(original, "transformer")  # GPT-2: transformer.h, attn, n_layer
    # The decoder stack: model.layers, or a vision-language model's model.language_model.layers.
    stack = original.transformer if gpt2 else getattr(original.model, "language_model", original.model)
    kept = [layer for i, layer in enumerate(stack.h if gpt2 else stack.layers) if i not in removed]
    for i, layer in enumerate(kept):
        (layer.attn if gpt2 else layer.self_attn).layer_idx = i
    if gpt2:
        stack.h = torch.nn.ModuleList(kept)
    else:
        stack.layers = torch.nn.ModuleList(kept)
    config = getattr(original.config, "text_config", original.config)
    config.num_hidden_layers = len(kept)
    if getattr(config, "layer_types", None):
        config.layer_types = [t for i, t in enumerate(config.layer_types) if i not in removed]
    vocab = config.vocab_size
    gen = torch.Generator().manual_seed(0)
    worst = 0.0
    with torch.no_grad():
        for n in (1, 7, 33):
            ids = torch.randint(3, vocab, (1, n), generator=gen)
            a = pruned(input_ids=ids, use_cache=False).logits
            b = original(input_ids=ids, use_cache=False).logits
            worst = max(worst, float((a - b).abs().max()))
    print(f"{pruned_dir}: {len(kept)} layers (removed {sorted(removed)}); "
          f"max |logit(pruned folder) - logit(original with the layers deleted)| = {worst}")
    assert worst < 1e-4, "the pruned folder does not hold the original's kept layers"


if __name__ == "__main__":
    main()

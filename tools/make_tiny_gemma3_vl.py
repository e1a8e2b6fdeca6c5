#!/usr/bin/env python3
"""A tiny Gemma 3 vision-language folder (Gemma3ForConditionalGeneration, model_type "gemma3") and
transformers' logits of its text stack.

Fixture generator, never run by CI. Writes into --out-dir (tests/data):

  tiny_gemma3_vl_hf/             save_pretrained of a Gemma3ForConditionalGeneration whose text_config is
                                 2 blocks (block 0 slides with window 8, block 1 global), with a 1-layer
                                 SigLIP vision tower of width 16 and its projector; the tokenizer files of
                                 tiny_gemma3_hf (run make_tiny_family.py --arch gemma3 first);
  tiny_gemma3_vl_reference.json  logits of make_tiny_model.py's 4 token sequences, text only, from the
                                 config-built model with seeded random weights.

    /tmp/refenv/bin/python tools/make_tiny_gemma3_vl.py --out-dir tests/data
"""

from __future__ import annotations

import argparse
import json
import os
import shutil

import numpy as np
import torch

import make_tiny_model as tiny
from reference_common import provenance

SEED = 20261208


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out-dir", required=True)
    args = ap.parse_args()
    import transformers as tf

    torch.manual_seed(SEED)
    text = dict(vocab_size=tiny.VOCAB, hidden_size=tiny.HIDDEN, intermediate_size=32, num_hidden_layers=2, num_attention_heads=tiny.HEADS,
                num_key_value_heads=tiny.KV_HEADS, head_dim=tiny.HIDDEN // tiny.HEADS, max_position_embeddings=tiny.CTX, sliding_window=8,
                query_pre_attn_scalar=tiny.HIDDEN // tiny.HEADS, rms_norm_eps=1e-6, layer_types=["sliding_attention", "full_attention"],
                bos_token_id=tiny.BOS_ID, eos_token_id=tiny.EOS_ID, pad_token_id=tiny.PAD_ID)
    vision = dict(hidden_size=16, intermediate_size=32, num_hidden_layers=1, num_attention_heads=2, image_size=28, patch_size=14)
    cfg = tf.Gemma3Config(text_config=text, vision_config=vision, mm_tokens_per_image=4, boi_token_index=3, eoi_token_index=4,
                          image_token_index=5, attn_implementation="eager")
    model = tf.Gemma3ForConditionalGeneration(cfg).eval()
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("norm.weight"):
                p.uniform_(-0.2, 0.2)  # Gemma's 1 + w
            elif "embed_tokens" in name:
                p.normal_(0.0, tiny.EMB_STD)
            elif name.endswith(".bias"):
                p.normal_(0.0, 0.02)
            else:
                p.normal_(0.0, tiny.LIN_STD)
    folder = os.path.join(args.out_dir, "tiny_gemma3_vl_hf")
    model.save_pretrained(folder)
    for f in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copy(os.path.join(args.out_dir, "tiny_gemma3_hf", f), folder)
    rng = np.random.default_rng(tiny.SEED)
    tiny.random_weights(rng)  # the same draws as make_tiny_model.py, so the sequences are its sequences
    seqs = [[int(x) for x in rng.integers(6, tiny.VOCAB, size=n)] for n in tiny.SEQ_LENGTHS]  # no image tokens (ids 3-5)
    with torch.no_grad():
        out = [{"ids": s, "logits": tiny.f32list(model(input_ids=torch.tensor([s]), use_cache=False).logits[0].numpy())} for s in seqs]
    doc = {"schema": "avss-tiny-family-reference/1",
           "provenance": provenance("tools/make_tiny_gemma3_vl.py", seed=SEED,
                                    reference="Gemma3ForConditionalGeneration(config) with seeded random weights; text only; CPU fp32, eager"),
           "hf_folder": "tiny_gemma3_vl_hf", "sequences": out}
    with open(os.path.join(args.out_dir, "tiny_gemma3_vl_reference.json"), "w", encoding="utf-8") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {folder} and tiny_gemma3_vl_reference.json")


if __name__ == "__main__":
    main()

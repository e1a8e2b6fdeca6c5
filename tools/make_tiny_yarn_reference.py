#!/usr/bin/env python3
"""transformers' logits of tests/data/tiny_qwen2_hf under YaRN RoPE scaling (tests/data/tiny_qwen2_yarn_reference.json).

Fixture generator, never run by CI. The folder is copied with `rope_parameters` set to YaRN (factor 4,
original context 16, so every position of the 40-token sequence is past it, plus beta_fast 8 so the
ramp crosses this small head's frequencies) and loaded by transformers; the C++ test applies the same
config change to its own copy and compares. Also records how far plain RoPE is from it.

    /tmp/refenv/bin/python tools/make_tiny_yarn_reference.py --data tests/data
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile

import torch
from transformers import AutoModelForCausalLM

import make_tiny_model as tiny
from reference_common import provenance

YARN = {"rope_type": "yarn", "factor": 4.0, "original_max_position_embeddings": 16, "beta_fast": 8.0, "rope_theta": 1000000.0}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True)
    args = ap.parse_args()
    ref = json.load(open(os.path.join(args.data, "tiny_qwen2_reference.json"), encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        folder = os.path.join(tmp, "m")
        shutil.copytree(os.path.join(args.data, "tiny_qwen2_hf"), folder)
        config = json.load(open(os.path.join(folder, "config.json"), encoding="utf-8"))
        config.pop("rope_scaling", None)
        config["rope_parameters"] = YARN
        json.dump(config, open(os.path.join(folder, "config.json"), "w", encoding="utf-8"))
        model = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32, attn_implementation="eager").eval()
        out = []
        with torch.no_grad():
            for s in ref["sequences"][2:]:  # the 17- and 40-token sequences
                logits = model(input_ids=torch.tensor([s["ids"]]), use_cache=False).logits[0]
                out.append({"ids": s["ids"], "logits": tiny.f32list(logits.numpy()),
                            "max_abs_logit_change_from_plain_rope": float((logits - torch.tensor(s["logits"])).abs().max())})
    doc = {"schema": "avss-tiny-family-reference/1", "provenance": provenance("tools/make_tiny_yarn_reference.py"),
           "rope_parameters": YARN, "attention_factor": 0.1 * __import__("math").log(YARN["factor"]) + 1.0, "sequences": out}
    with open(os.path.join(args.data, "tiny_qwen2_yarn_reference.json"), "w", encoding="utf-8") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")
    print("changes from plain RoPE:", [o["max_abs_logit_change_from_plain_rope"] for o in out])


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""The tiny Llama of make_tiny_model.py with RoPE scaling, and transformers' logits for it.

Fixture generator, never run by CI. Writes into --out-dir (tests/data):

  tiny_llama_rope_llama3.gguf   the same weights plus `rope_freqs.weight`: Llama 3.1's "llama3"
                                scaling written as per-frequency factors, the way llama.cpp's converter
                                stores it (factor 8, low/high frequency factors 1 and 4, original
                                context 32 — small, so the tiny model's 8 frequency pairs cover all
                                three regimes: kept, smoothed, divided).
  tiny_llama_rope_linear.gguf   the same weights with llama.rope.scaling.type = "linear", factor 4.
  tiny_llama_rope_reference.json  per file, transformers' logits for make_tiny_model.py's 4 sequences.

transformers' GGUF loader ignores both (it only reads RoPE scaling for gpt-oss), so the reference
model is built from the plain tiny GGUF's weights and a config whose `rope_parameters` name the
scaling: transformers then computes the frequencies itself, independently of the factors written
here. The script asserts that the scaling changes the logits, so a test against this reference fails
for an engine that ignores it.

    /work/refenv/bin/python tools/make_rope_scaling_fixture.py --out-dir tests/data
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import os

import numpy as np
import torch

import make_tiny_model as tiny
from reference_common import provenance, sha256_file

LLAMA3 = {"factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0, "original_max_position_embeddings": 32}
LINEAR_FACTOR = 4.0


def llama3_freq_factors() -> np.ndarray:
    """Per-pair divisors of the inverse frequencies (the converter's formula: 1 kept, factor divided, smoothed between)."""
    c = LLAMA3
    low_wavelen = c["original_max_position_embeddings"] / c["low_freq_factor"]
    high_wavelen = c["original_max_position_embeddings"] / c["high_freq_factor"]
    out = []
    for i in range(0, tiny.HEAD_DIM, 2):
        freq = 1.0 / (tiny.ROPE_THETA ** (i / tiny.HEAD_DIM))
        wavelen = 2 * math.pi / freq
        if wavelen < high_wavelen:
            out.append(1.0)
        elif wavelen > low_wavelen:
            out.append(c["factor"])
        else:
            smooth = (c["original_max_position_embeddings"] / wavelen - c["low_freq_factor"]) / (
                c["high_freq_factor"] - c["low_freq_factor"])
            out.append(1.0 / ((1 - smooth) / c["factor"] + smooth))
    return np.array(out, dtype=np.float32)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out-dir", required=True)
    args = ap.parse_args()
    torch.set_num_threads(2)
    from transformers import AutoModelForCausalLM, LlamaForCausalLM

    rng = np.random.default_rng(tiny.SEED)
    weights = tiny.random_weights(rng)
    seqs = [[int(x) for x in rng.integers(3, tiny.VOCAB, size=n)] for n in tiny.SEQ_LENGTHS]
    factors = llama3_freq_factors()
    regimes = {"kept": int((factors == 1.0).sum()), "divided": int((factors == LLAMA3["factor"]).sum())}
    regimes["smoothed"] = len(factors) - regimes["kept"] - regimes["divided"]
    assert min(regimes.values()) >= 1, regimes

    def add_llama3(wr):
        wr.add_tensor("rope_freqs.weight", factors)

    def add_linear(wr):
        wr.add_string("llama.rope.scaling.type", "linear")
        wr.add_float32("llama.rope.scaling.factor", LINEAR_FACTOR)

    os.makedirs(args.out_dir, exist_ok=True)
    plain = os.path.join(args.out_dir, "tiny_llama_plain.tmp.gguf")
    tiny.write_gguf(plain, weights)
    base = AutoModelForCausalLM.from_pretrained(args.out_dir, gguf_file=os.path.basename(plain),
                                                dtype=torch.float32, attn_implementation="eager").eval()
    os.remove(plain)

    variants = {
        "tiny_llama_rope_llama3.gguf": (add_llama3, {"rope_type": "llama3", **LLAMA3}),
        "tiny_llama_rope_linear.gguf": (add_linear, {"rope_type": "linear", "factor": LINEAR_FACTOR}),
    }
    files = {}
    with torch.no_grad():
        base_logits = [base(input_ids=torch.tensor([s]), use_cache=False).logits[0] for s in seqs]
        for name, (extra, rope) in variants.items():
            path = os.path.join(args.out_dir, name)
            tiny.write_gguf(path, weights, extra=extra)
            cfg = copy.deepcopy(base.config)
            cfg.rope_parameters = {"rope_theta": tiny.ROPE_THETA, **rope}
            model = LlamaForCausalLM(cfg).eval()
            model.load_state_dict(base.state_dict())
            logits = [model(input_ids=torch.tensor([s]), use_cache=False).logits[0] for s in seqs]
            change = [float((a - b).abs().max()) for a, b in zip(logits, base_logits)]
            print(f"{name}: max |logit change| from the scaling per sequence {change}")
            assert change[-1] > 0.05, "the scaling must change the longest sequence's logits"
            files[name] = {
                "sha256": sha256_file(path), "bytes": os.path.getsize(path), "rope_parameters": cfg.rope_parameters,
                "max_abs_change_vs_unscaled": change,
                "sequences": [{"ids": s, "logits": tiny.f32list(l.numpy())} for s, l in zip(seqs, logits)],
            }
    doc = {
        "schema": "avss-tiny-rope-scaling-reference/1",
        "provenance": provenance(
            "tools/make_rope_scaling_fixture.py", seed=tiny.SEED,
            reference="LlamaForCausalLM(config of transformers' load of the plain tiny GGUF, rope_parameters set), "
                      "its state dict; CPU fp32, eager attention, use_cache=False"),
        "llama3_freq_factors": tiny.f32list(factors), "llama3_regimes": regimes,
        "files": files,
    }
    out = os.path.join(args.out_dir, "tiny_llama_rope_reference.json")
    with open(out, "w", encoding="utf-8") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {out}: {os.path.getsize(out)} bytes")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""transformers' logits, greedy ids and token ids of a real non-sample GGUF (tests/data/<name>_reference.json).

Fixture generator, never run by CI. For the real models of docs/parity.md B.4 (`scripts/fetch-model.sh
gemma3-270m`): transformers 5 loads the GGUF (gguf-py dequantises every tensor to fp32; the tokenizer is
its own build from the GGUF metadata), eager attention, fp32, 2 threads. Records, per prompt (tokenised
with special tokens, so BOS where the model adds it): the ids, the last position's top-10 ids and logits,
max |logit|, logsumexp and the logits at 32 fixed ids; a 16-token greedy continuation (full re-forward,
argmax, EOS ignored) with each step's top-1 margin. Plus the ids of a few strings without special tokens,
WikiText's literal "<unk>" among them. The C++ suite test_real_families compares against it.

    /work/refenv/bin/python tools/make_real_family_reference.py ~/.cache/avss-explorer/models/gemma-3-270m-q4_k_m.gguf \\
        --out tests/data/gemma3_270m_reference.json
"""

from __future__ import annotations

import argparse
import json
import os

import torch

from reference_common import hf_tokenizers, provenance, sha256_file

PROMPTS = [
    "The capital of France is",
    "def fibonacci(n):",
    "Question: Which gas do plants take in during photosynthesis?\nAnswer:",
]
STRINGS = [
    "Hello world",
    " = Robert <unk> = \n \n Robert <unk> is an English film , television and theatre actor .",
    "The year 2024 had 366 days; π ≈ 3.14159, naïve café, 東京, emoji 🙂!",
    "  leading and   inner   spaces \ttabs\nnew\r\nlines\n\n",
]
GREEDY_STEPS = 16


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("gguf")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    from transformers import AutoModelForCausalLM

    torch.set_num_threads(2)
    folder, name = os.path.split(os.path.abspath(args.gguf))
    model = AutoModelForCausalLM.from_pretrained(folder, gguf_file=name, dtype=torch.float32, attn_implementation="eager").eval()
    tok, _ = hf_tokenizers(folder, name)
    vocab = model.config.vocab_size
    checksum_ids = [i * (vocab // 32) for i in range(32)]
    prompts = []
    with torch.no_grad():
        for text in PROMPTS:
            ids = tok(text, add_special_tokens=True)["input_ids"]
            row = model(input_ids=torch.tensor([ids]), use_cache=False).logits[0, -1]
            top = torch.topk(row, 10)
            seq, greedy, margins = list(ids), [], []
            for _ in range(GREEDY_STEPS):
                step = model(input_ids=torch.tensor([seq]), use_cache=False).logits[0, -1]
                two = torch.topk(step, 2)
                greedy.append(int(two.indices[0]))
                margins.append(float(two.values[0] - two.values[1]))
                seq.append(greedy[-1])
            prompts.append({"text": text, "ids": ids, "top10_ids": top.indices.tolist(), "top10_logits": top.values.tolist(),
                            "max_abs": float(row.abs().max()), "logsumexp": float(torch.logsumexp(row.double(), 0)),
                            "checksum_logits": row[checksum_ids].tolist(), "greedy": greedy, "greedy_margins": margins,
                            "greedy_min_margin": min(margins)})
    out = {"schema": "avss-real-family-reference/1",
           "provenance": provenance("tools/make_real_family_reference.py", model_file=name, model_sha256=sha256_file(args.gguf),
                                    reference="transformers from the GGUF, fp32, eager, use_cache=False, 2 threads"),
           "model": {"model_type": model.config.model_type, "layers": model.config.num_hidden_layers, "vocab": vocab},
           "checksum_ids": checksum_ids, "prompts": prompts,
           "strings": [{"text": s, "ids": tok(s, add_special_tokens=False)["input_ids"]} for s in STRINGS]}
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(out, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print(f"wrote {args.out}: {len(prompts)} prompts, {len(STRINGS)} strings")


if __name__ == "__main__":
    main()

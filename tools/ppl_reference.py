#!/usr/bin/env python3
"""transformers' token-level perplexity of GGUF files or Hugging Face folders, the protocol `avss perplexity` uses.

Reference tool, never run by CI. For each GGUF: load it with transformers (gguf-py dequantises every
tensor to fp32, including the K-quants), tokenise the text file as one string with the model's
tokenizer (SmolLM2's digit-splitting pre-tokenizer restored, see tools/README.md), take the first
--tokens tokens, cut them into non-overlapping windows of --window tokens, and predict every token
of a window but its first from the tokens before it in the same window (log-softmax in float64). When
the tokenizer adds BOS (Gemma), BOS goes before every window and every window token is predicted.
A folder is loaded with from_pretrained and its own tokenizer.json.
Prints one JSON line per file; compare with

    build/app/cli/avss perplexity FILE --text TEXT --max-tokens N --window W

    /work/refenv/bin/python tools/ppl_reference.py /tmp/smollm2-q4_k_m.gguf ... \\
        --text /work/shared/data/wikitext2/test.txt --tokens 4096 --window 2048
"""

from __future__ import annotations

import argparse
import json
import math
import os

import torch

from reference_common import hf_tokenizers, sha256_file, version


def perplexity(path: str, text: str, tokens: int, window: int) -> dict:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    if os.path.isdir(path):  # a Hugging Face folder, as a user has it
        name = path
        model = AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32, attn_implementation="eager").eval()
        tok = AutoTokenizer.from_pretrained(path)
    else:
        folder, name = os.path.split(os.path.abspath(path))
        model = AutoModelForCausalLM.from_pretrained(folder, gguf_file=name, dtype=torch.float32,
                                                     attn_implementation="eager").eval()
        tok, _ = hf_tokenizers(folder, name)
    ids = tok(text, add_special_tokens=False)["input_ids"][:tokens]
    # The model's own BOS rule, read off its tokenizer: when it adds BOS (Gemma), BOS precedes every window
    # and every window token is predicted, as `avss perplexity` and lm-evaluation-harness do.
    bos = tok.bos_token_id if tok("a", add_special_tokens=True)["input_ids"][:1] == [tok.bos_token_id] else None
    prefix = [] if bos is None else [bos]
    total, predicted = 0.0, 0
    with torch.no_grad():
        for start in range(0, len(ids) - window + 1, window):
            chunk = torch.tensor([prefix + ids[start:start + window]])
            logp = torch.log_softmax(model(input_ids=chunk, use_cache=False).logits[0].double()[:-1], dim=-1)
            total -= float(logp.gather(1, chunk[0, 1:].unsqueeze(1)).sum())
            predicted += chunk.shape[1] - 1
    return {"file": name, "sha256": None if os.path.isdir(path) else sha256_file(path), "tokens": len(ids), "window": window, "bos": bos is not None,
            "predicted": predicted, "mean_nll": total / predicted, "ppl": math.exp(total / predicted),
            "transformers": version("transformers"), "gguf": version("gguf")}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("gguf", nargs="+", help="GGUF files or Hugging Face folders")
    ap.add_argument("--text", required=True)
    ap.add_argument("--tokens", type=int, default=4096)
    ap.add_argument("--window", type=int, default=2048)
    args = ap.parse_args()
    torch.set_num_threads(2)
    with open(args.text, "rb") as f:
        text = f.read().decode("utf-8")  # exactly as stored, as `avss perplexity` reads it
    for path in args.gguf:
        print(json.dumps(perplexity(path, text, args.tokens, args.window)), flush=True)


if __name__ == "__main__":
    main()

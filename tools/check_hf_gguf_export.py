#!/usr/bin/env python3
"""Checks a Hugging Face folder that `avss prune MODEL.gguf --format hf` wrote from a GGUF, with transformers alone.

Never run by CI (it needs transformers). Three independent checks, each optional:

  --reference REF.json  the folder (all blocks kept) against the transformers logits in a tiny-family
                        reference (tools/make_tiny_family.py): max |Δlogit| per sequence;
  --gguf FILE           the folder against transformers' own load of the source GGUF (for architectures
                        its GGUF reader handles, e.g. llama), with the blocks listed in avss_pruned.json
                        deleted from that model's module list;
  --avss BINARY --model FILE
                        transformers' tokenizer of the folder (tokenizer.json) against `avss tokenize FILE
                        TEXT --ids` on a list of diverse strings.

    /tmp/refenv/bin/python tools/check_hf_gguf_export.py FOLDER [--reference R] [--gguf G] [--avss B --model G]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

STRINGS = ["Hello world", "The year 2024 had 366 days.", "  leading and   inner   spaces ", "tabs\tand\nnew\r\nlines\n\n",
           "café, naïve, Ελληνικά, 日本語", "<|im_start|>user\nhi<|im_end|>", "don't we'll I'M", "a1b22c333", "😀 emoji",
           "12 + 34 = 46", "x" * 40, "What is the capital of France? Paris, of course.", ""]


def load(path: str, **kw):
    return AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32, attn_implementation="eager", **kw).eval()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("folder")
    ap.add_argument("--reference")
    ap.add_argument("--gguf")
    ap.add_argument("--avss")
    ap.add_argument("--model")
    args = ap.parse_args()
    folder = load(args.folder)
    worst = []
    with torch.no_grad():
        if args.reference:
            ref = json.load(open(args.reference, encoding="utf-8"))
            for s in ref["sequences"]:
                got = folder(input_ids=torch.tensor([s["ids"]]), use_cache=False).logits[0]
                want = torch.tensor(s["logits"])
                worst.append(float((got - want).abs().max() / want.abs().max()))
            print(f"{args.folder}: vs {os.path.basename(args.reference)}, max |Δlogit| / max |logit| per sequence {worst}")
            assert max(worst) < 1e-5, "the folder does not hold the reference model"
        if args.gguf:
            original = load(os.path.dirname(os.path.abspath(args.gguf)), gguf_file=os.path.basename(args.gguf))
            manifest = os.path.join(args.folder, "avss_pruned.json")
            removed = set(json.load(open(manifest, encoding="utf-8"))["removed_layers"]) if os.path.exists(manifest) else set()
            original.model.layers = torch.nn.ModuleList([layer for i, layer in enumerate(original.model.layers) if i not in removed])
            for i, layer in enumerate(original.model.layers):
                layer.self_attn.layer_idx = i
            original.config.num_hidden_layers = len(original.model.layers)
            gen = torch.Generator().manual_seed(0)
            diffs = []
            for n in (1, 9, 64):
                ids = torch.randint(0, folder.config.vocab_size, (1, n), generator=gen)
                a, b = folder(input_ids=ids, use_cache=False).logits, original(input_ids=ids, use_cache=False).logits
                diffs.append(float((a - b).abs().max()))
            print(f"{args.folder}: vs transformers' load of {args.gguf} (removed {sorted(removed)}), max |Δlogit| {diffs}")
            assert max(diffs) < 1e-3, "the folder differs from the GGUF as transformers reads it"
    if args.avss:
        tok = AutoTokenizer.from_pretrained(args.folder)
        bad = 0
        for text in STRINGS:
            ours = subprocess.run([args.avss, "--quiet", "tokenize", args.model, text, "--ids"], capture_output=True, text=True, check=True)
            avss_ids = [int(x) for x in ours.stdout.split()]
            hf_ids = tok(text)["input_ids"]
            if avss_ids != hf_ids:
                bad += 1
                print(f"  differs on {text!r}: avss {avss_ids} tokenizers {hf_ids}")
        print(f"{args.folder}: tokenizer.json vs avss on {args.model}: {len(STRINGS) - bad} of {len(STRINGS)} strings give the same ids")
        assert bad == 0


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""A real model as a Hugging Face folder, made by transformers alone from a GGUF (docs/parity.md B.3, B.4).

Reference tool, never run by CI. transformers loads the GGUF (gguf-py dequantises every tensor; the
tokenizer is built from the GGUF metadata, with SmolLM2's Digits step restored for `pre = smollm`),
and `save_pretrained` writes config.json, model.safetensors (sharded above --max-shard-size) and
tokenizer.json/tokenizer_config.json. The folder then goes through `avss` as any user's folder would:

    /work/refenv/bin/python tools/gguf_to_hf_folder.py MODEL.gguf OUT_DIR [--dtype bfloat16]
    build/app/cli/avss perplexity OUT_DIR --text ../shared/data/wikitext2/test.txt --max-tokens 4096
    /work/refenv/bin/python tools/ppl_reference.py OUT_DIR --text ... --tokens 4096 --window 2048

Do not commit the folder: it holds model weights.
"""

from __future__ import annotations

import argparse
import os

import torch

from reference_common import hf_tokenizers


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("gguf")
    ap.add_argument("out_dir")
    ap.add_argument("--dtype", choices=("float32", "bfloat16"), default="float32")
    ap.add_argument("--max-shard-size", default="5GB", help="save_pretrained's shard limit, e.g. 200MB for a sharded folder")
    args = ap.parse_args()
    from transformers import AutoModelForCausalLM

    folder, name = os.path.split(os.path.abspath(args.gguf))
    loaded = AutoModelForCausalLM.from_pretrained(folder, gguf_file=name, dtype=torch.float32).eval()
    tok, _ = hf_tokenizers(folder, name)
    # transformers refuses to save a GGUF-loaded model: copy the dequantised weights into a plain one.
    config = loaded.config
    if hasattr(config, "quantization_config"):
        del config.quantization_config
    model = AutoModelForCausalLM.from_config(config, dtype=torch.float32).eval()
    missing, unexpected = model.load_state_dict(loaded.state_dict(), strict=False)
    if unexpected or [k for k in missing if "lm_head" not in k]:  # a tied lm_head is not in the state dict
        raise SystemExit(f"weights did not carry over: missing {missing}, unexpected {unexpected}")
    del loaded
    if args.dtype == "bfloat16":
        model = model.to(torch.bfloat16)
        model.config.dtype = torch.bfloat16
    model.save_pretrained(args.out_dir, max_shard_size=args.max_shard_size)
    tok.save_pretrained(args.out_dir)
    print(f"wrote {args.out_dir}: {type(model).__name__}, {args.dtype}, tokenizer {type(tok).__name__}")


if __name__ == "__main__":
    main()

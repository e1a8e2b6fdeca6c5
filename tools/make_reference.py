#!/usr/bin/env python3
"""Reference logits for the SmolLM2 sample model, computed with Hugging Face transformers.

This is a fixture generator, never run by CI. It loads the sample GGUF with transformers (which
dequantises it to fp32 with gguf-py and un-permutes Q/K itself), runs a few prompts and writes a
JSON file that the C++ engine's real-model tests compare against.

    /work/refenv/bin/python tools/make_reference.py /path/SmolLM2-135M-Instruct.Q4_1.gguf \
        --out tests/data/smollm2_reference.json \
        [--wikitext /work/shared/data/wikitext2/test.txt]

Conventions (see tools/README.md and docs/parity.md):
  * fp32 weights (transformers' own dequantisation), fp32 activations, CPU, eager attention.
  * Prompt token ids come from the HF tokenizer built from the GGUF metadata, with its
    pre-tokenizer set to SmolLM2's original one (Digits(individual) + ByteLevel); see
    TOKENIZER_NOTE. The C++ tests should feed these ids verbatim.
  * Logit row summaries: top-10 (ids, values), max |logit|, sum, sum of squares, logsumexp (the
    last three accumulated in float64) and the logits at 32 fixed ids (every 1536th id).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import time

import numpy as np
import torch

from reference_common import hf_tokenizers, provenance, sha256_file

WIKITEXT_SHA256 = "d790b833ef8cf03a90db7bf1271b7520b83c45ce07ba3c1a9699df81e239eca0"
PPL_TOKENS = 16384
PPL_WINDOW = 2048
GREEDY_NEW = 32
CHECKSUM_STRIDE = 1536

TOKENIZER_NOTE = (
    "transformers builds the tokenizer from GGUF metadata; for tokenizer.ggml.pre='smollm' it "
    "(v5.24) keeps GPT2Tokenizer's plain ByteLevel(use_regex=True) pre-tokenizer and drops the "
    "Digits(individual_digits=True) step of SmolLM2's tokenizer.json (and of llama.cpp's 'smollm' "
    "regex list). The two differ only where whitespace precedes a digit, e.g. '  1'. This script "
    "sets the pre-tokenizer to Sequence[Digits(individual_digits=True), ByteLevel(add_prefix_space="
    "False, trim_offsets=True, use_regex=True)], i.e. SmolLM2's original; 'ids' below use it. "
    "'ids_transformers_gguf_default' records what the unmodified GGUF-derived tokenizer gives."
)

# Prompts written for this fixture (not taken from any data set).
PROMPTS = [
    ("factual", "The tallest mountain on Earth is"),
    ("chat",
     "<|im_start|>user\nName three good habits for staying healthy.<|im_end|>\n<|im_start|>assistant\n"),
    ("code",
     "def fibonacci(n):\n    \"\"\"Return the n-th Fibonacci number.\"\"\"\n    if n < 2:\n        return n\n"),
    ("list", "Things to pack for a weekend camping trip:\n1. A tent\n2. A sleeping bag\n3."),
    ("numbers", "Counting by sevens: 7, 14, 21, 28, 35,"),
    ("unicode", "Le café du coin ouvre à 7h30 — déjà plein de monde ; in English:"),
    ("paragraph",
     "Lighthouses were once tended by keepers who lived in small cottages at the base of the "
     "tower. Every evening the keeper climbed the spiral stairs, trimmed the wick, polished the "
     "great glass lens and wound the clockwork that turned it, so that ships far out at sea could "
     "count the flashes and know exactly which stretch of coast they were passing. On stormy "
     "nights the work went on until dawn, and a keeper might not sleep at all. Today most lights "
     "are automatic, powered by electricity and checked remotely, and many of the old cottages "
     "have become museums, guest houses or homes for artists. On calm summer evenings visitors climb "
     "to the gallery to watch the sun go down over the water. The towers themselves still stand, "
     "and their beams still sweep across the water, reminding sailors that"),
]

# Extra tokenizer cases: both pre-tokenizers are recorded so that the difference is documented.
TOKENIZER_CASES = [
    "Hello, we can use",
    "The capital of France is",
    "\n",
    "Hello world! 123",
    "  multiple   spaces",
    "Café déjà vu.",
    "  1",
    "year 2024,  99 bottles",
    "x = 3.14159\n  42",
    "<|im_start|>user\nhi<|im_end|>\n",
]


def f32(x) -> float:
    """A float32 value as a Python float (exact; JSON prints the shortest round-trip repr)."""
    return float(np.float32(x))


def row_summary(row: torch.Tensor, checksum_ids: list[int], pos: int, label: str) -> dict:
    """Summary of one full-vocabulary fp32 logit row."""
    assert row.dtype == torch.float32 and row.dim() == 1
    r64 = row.double()
    vals, ids = torch.topk(row, 10)
    return {
        "label": label,
        "pos": pos,
        "argmax": int(ids[0]),
        "top10_ids": [int(i) for i in ids],
        "top10_logits": [f32(v) for v in vals],
        "max_abs": f32(row.abs().max()),
        "sum": float(r64.sum()),
        "sum_sq": float((r64 * r64).sum()),
        "logsumexp": float(torch.logsumexp(r64, 0)),
        "checksum_logits": [f32(row[i]) for i in checksum_ids],
    }


@torch.no_grad()
def last_logits(model, ids: list[int]) -> torch.Tensor:
    out = model(input_ids=torch.tensor([ids]), use_cache=False)
    return out.logits[0, -1].float()


@torch.no_grad()
def greedy_manual(model, ids: list[int], n_new: int):
    """Argmax over the full row each step, full re-forward (no cache), EOS ignored."""
    seq = list(ids)
    new, top1, margin = [], [], []
    for _ in range(n_new):
        row = last_logits(model, seq)
        v, i = torch.topk(row, 2)
        new.append(int(i[0]))
        top1.append(f32(v[0]))
        margin.append(f32(v[0] - v[1]))
        seq.append(int(i[0]))
    return new, top1, margin


def wikitext_ppl(model, tok, tok_default, path: str) -> dict:
    digest = sha256_file(path)
    if digest != WIKITEXT_SHA256:
        raise SystemExit(f"{path}: sha256 {digest} != expected {WIKITEXT_SHA256}")
    with open(path, "rb") as f:
        text = f.read().decode("utf-8")  # exactly as stored: no stripping, no newline translation
    t0 = time.time()
    ids = tok(text, add_special_tokens=True)["input_ids"]
    ids_default = tok_default(text, add_special_tokens=True)["input_ids"]
    t_tok = time.time() - t0
    assert len(ids) >= PPL_TOKENS
    bos = tok.bos_token_id
    first = ids[:PPL_TOKENS]
    n_win = PPL_TOKENS // PPL_WINDOW
    win_nll = []
    total = 0.0
    t0 = time.time()
    with torch.no_grad():
        for w in range(n_win):
            chunk = torch.tensor([first[w * PPL_WINDOW:(w + 1) * PPL_WINDOW]])
            logits = model(input_ids=chunk, use_cache=False).logits[0].double()
            logp = torch.log_softmax(logits[:-1], dim=-1)
            nll = -logp.gather(1, chunk[0, 1:].unsqueeze(1)).squeeze(1)
            s = float(nll.sum())
            total += s
            win_nll.append(s / (PPL_WINDOW - 1))
            print(f"  window {w}: mean NLL {win_nll[-1]:.6f}", flush=True)
            del logits, logp
    n_pred = n_win * (PPL_WINDOW - 1)
    mean_nll = total / n_pred
    same_prefix = ids_default[:PPL_TOKENS] == first
    return {
        "file": os.path.basename(path),
        "file_sha256": digest,
        "file_bytes": len(text.encode("utf-8")),
        "text_handling": "whole file read as one UTF-8 string exactly as stored; tokenised once",
        "bos_prepended": False,
        "tokenizer_adds_bos": bool(bos is not None and len(ids) > 0 and ids[0] == bos),
        "total_tokens_whole_file": len(ids),
        "total_tokens_whole_file_transformers_gguf_default_pretokenizer": len(ids_default),
        "first_16384_identical_under_both_pretokenizers": same_prefix,
        "tokens_used": PPL_TOKENS,
        "window": PPL_WINDOW,
        "n_windows": n_win,
        "n_predicted": n_pred,
        "prediction": "within each window token t is predicted from tokens < t of the same window; "
                      "the first token of each window is not predicted",
        "nll_accumulation": "log_softmax in float64 of the fp32 logits; sums in float64",
        "mean_nll": mean_nll,
        "ppl": math.exp(mean_nll),
        "window_mean_nll": win_nll,
        "first_tokens": first[:16],
        "tokenize_seconds": round(t_tok, 2),
        "forward_seconds": round(time.time() - t0, 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("gguf", help="path to SmolLM2-135M-Instruct.Q4_1.gguf")
    ap.add_argument("--out", required=True, help="output JSON (tests/data/smollm2_reference.json)")
    ap.add_argument("--wikitext", help="WikiText-2 test.txt (shared data); adds a perplexity block")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    from transformers import AutoModelForCausalLM

    gguf_path = os.path.abspath(args.gguf)
    model_dir, gguf_name = os.path.split(gguf_path)
    print("hashing model ...", flush=True)
    model_sha = sha256_file(gguf_path)

    print("loading model with transformers ...", flush=True)
    model = AutoModelForCausalLM.from_pretrained(
        model_dir, gguf_file=gguf_name, dtype=torch.float32, attn_implementation="eager")
    model.eval()
    cfg = model.config
    tok, tok_default = hf_tokenizers(model_dir, gguf_name)
    vocab = cfg.vocab_size
    checksum_ids = list(range(0, vocab, CHECKSUM_STRIDE))

    doc: dict = {
        "schema": "avss-smollm2-reference/1",
        "provenance": provenance(
            "tools/make_reference.py",
            model_file=gguf_name,
            model_sha256=model_sha,
            weights="transformers' GGUF loader: gguf-py dequantisation to fp32, Q/K un-permuted",
            compute="CPU, float32, attn_implementation=eager (softmax in fp32), use_cache=False",
            threads=args.threads,
        ),
        "model": {
            "architecture": cfg.model_type,
            "n_layer": cfg.num_hidden_layers,
            "n_embd": cfg.hidden_size,
            "n_ff": cfg.intermediate_size,
            "n_head": cfg.num_attention_heads,
            "n_head_kv": cfg.num_key_value_heads,
            "head_dim": getattr(cfg, "head_dim", cfg.hidden_size // cfg.num_attention_heads),
            "vocab_size": vocab,
            "rope_theta": float(cfg.rope_parameters["rope_theta"]) if getattr(cfg, "rope_parameters", None)
            else float(cfg.rope_theta),
            "rms_norm_eps": float(cfg.rms_norm_eps),
            "tie_word_embeddings": bool(cfg.tie_word_embeddings),
            "bos_token_id": cfg.bos_token_id,
            "eos_token_id": cfg.eos_token_id,
            "pad_token_id": cfg.pad_token_id,
        },
        "tokenizer": {
            "note": TOKENIZER_NOTE,
            "pre_tokenizer_used": str(tok.backend_tokenizer.pre_tokenizer),
            "add_special_tokens": True,
            "adds_bos": False,
            "cases": [],
        },
        "checksum_ids": checksum_ids,
        "prompts": [],
    }

    for text in TOKENIZER_CASES:
        a = tok(text)["input_ids"]
        b = tok_default(text)["input_ids"]
        doc["tokenizer"]["cases"].append(
            {"text": text, "ids": a, "ids_transformers_gguf_default": b, "same": a == b})

    # --- per-prompt forward, summaries, greedy ---------------------------------------------------
    all_last = []
    for name, text in PROMPTS:
        ids = tok(text)["input_ids"]
        ids_default = tok_default(text)["input_ids"]
        T = len(ids)
        print(f"prompt {name}: {T} tokens", flush=True)
        with torch.no_grad():
            logits = model(input_ids=torch.tensor([ids]), use_cache=False).logits[0].float()
        mid = T // 2
        positions = [row_summary(logits[0], checksum_ids, 0, "first"),
                     row_summary(logits[mid], checksum_ids, mid, "middle"),
                     row_summary(logits[T - 1], checksum_ids, T - 1, "last")]
        all_last.append(logits[T - 1].clone())

        new, top1, margin = greedy_manual(model, ids, GREEDY_NEW)
        # HF generate (uses a KV cache; stops at EOS if it comes up).
        with torch.no_grad():
            g = model.generate(input_ids=torch.tensor([ids]), attention_mask=torch.ones(1, T, dtype=torch.long),
                               max_new_tokens=GREEDY_NEW, do_sample=False, pad_token_id=cfg.pad_token_id)
        gen = [int(x) for x in g[0, T:]]
        eos = cfg.eos_token_id
        eos_set = set(eos if isinstance(eos, list) else [eos])
        stopped = len(gen) < GREEDY_NEW
        doc["prompts"].append({
            "name": name,
            "text": text,
            "ids": ids,
            "n_tokens": T,
            "ids_transformers_gguf_default": ids_default,
            "positions": positions,
            "greedy": {
                "n_new": GREEDY_NEW,
                "method": "argmax over the full logit row, full re-forward of prompt+generated each step "
                          "(no KV cache), EOS ignored",
                "ids": new,
                "text": tok.decode(new, skip_special_tokens=False),
                "step_top1_logit": top1,
                "step_top1_margin": margin,
                "min_margin": min(margin),
                "eos_positions": [i for i, t in enumerate(new) if t in eos_set],
            },
            "hf_generate": {
                "call": "model.generate(max_new_tokens=32, do_sample=False) with KV cache",
                "ids": gen,
                "n": len(gen),
                "stopped_early_at_eos": stopped and len(gen) > 0 and gen[-1] in eos_set,
                "matches_manual_prefix": gen == new[:len(gen)],
            },
        })
        print(f"  greedy: {doc['prompts'][-1]['greedy']['text']!r}; generate match="
              f"{doc['prompts'][-1]['hf_generate']['matches_manual_prefix']} n={len(gen)} "
              f"min margin={min(margin):.4g}", flush=True)

    # --- batched, left-padded -------------------------------------------------------------------
    seqs = [p["ids"] for p in doc["prompts"]]
    L = max(len(s) for s in seqs)
    pad = cfg.pad_token_id
    inp = torch.full((len(seqs), L), pad, dtype=torch.long)
    mask = torch.zeros((len(seqs), L), dtype=torch.long)
    for b, s in enumerate(seqs):
        inp[b, L - len(s):] = torch.tensor(s)
        mask[b, L - len(s):] = 1
    pos_ids = (mask.cumsum(-1) - 1).clamp(min=0)
    with torch.no_grad():
        bl = model(input_ids=inp, attention_mask=mask, position_ids=pos_ids, use_cache=False).logits.float()
    per_last, per_all = [], []
    for b, s in enumerate(seqs):
        per_last.append(f32((bl[b, -1] - all_last[b]).abs().max()))
        with torch.no_grad():
            ref = model(input_ids=torch.tensor([s]), use_cache=False).logits[0].float()
        per_all.append(f32((bl[b, L - len(s):] - ref).abs().max()))
    assert torch.isfinite(bl[mask.bool()]).all()
    doc["batched"] = {
        "padding_side": "left",
        "pad_token_id": pad,
        "position_ids": "cumsum(attention_mask) - 1, clamped at 0",
        "batch_len": L,
        "per_prompt_max_abs_diff_last": per_last,
        "max_abs_diff_last": max(per_last),
        "per_prompt_max_abs_diff_all_real_positions": per_all,
        "max_abs_diff_all_real_positions": max(per_all),
    }
    print(f"batched vs unbatched: last {max(per_last):.3g}, all real positions {max(per_all):.3g}", flush=True)

    # --- eager vs sdpa (documents that the attention kernel does not matter at this tolerance) -----
    model.set_attn_implementation("sdpa")
    try:
        diffs = [f32((last_logits(model, p["ids"]) - all_last[i]).abs().max())
                 for i, p in enumerate(doc["prompts"])]
        doc["sdpa_vs_eager_max_abs_diff_last"] = max(diffs)
    finally:
        model.set_attn_implementation("eager")

    if args.wikitext:
        print("wikitext-2 perplexity ...", flush=True)
        doc["wikitext2_ppl"] = wikitext_ppl(model, tok, tok_default, args.wikitext)
        print(f"  PPL {doc['wikitext2_ppl']['ppl']:.6f}  mean NLL {doc['wikitext2_ppl']['mean_nll']:.8f}")

    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print(f"wrote {args.out} ({os.path.getsize(args.out)} bytes)")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""A tiny random Llama model as a GGUF, plus transformers' reference outputs for it.

Fixture generator, never run by CI. Writes, into --out-dir (tests/data):

  tiny_llama.gguf            ~150 KB; architecture "llama", laid out exactly as llama.cpp's
                             converter would write it (Q/K rows permuted, tied embeddings, mixed
                             tensor types F32/F16/BF16/Q8_0/Q4_0/Q4_1/Q5_0/Q5_1, byte-level BPE
                             tokenizer with pre="smollm").
  tiny_llama_reference.json  logits, hidden states, batched and greedy results computed by
                             transformers after loading THAT GGUF back (its own dequantisation and
                             Q/K un-permutation), plus per-tensor dequantisation checksums.

    /work/refenv/bin/python tools/make_tiny_model.py --out-dir tests/data

The script checks that transformers' loaded weights equal the original random weights up to the
quantisation error, and exactly equal gguf-py's dequantisation of the written bytes after the
inverse permutation; it aborts if not. The output is deterministic for a given seed and
library versions.
"""

from __future__ import annotations

import argparse
import json
import os

import numpy as np
import torch

from reference_common import hf_tokenizers, provenance, sha256_file

SEED = 20240607
VOCAB = 300
HIDDEN = 64
FFN = 128
LAYERS = 3
HEADS = 4
KV_HEADS = 2
HEAD_DIM = HIDDEN // HEADS
ROPE_THETA = 10000.0
EPS = 1e-5
CTX = 256
SEQ_LENGTHS = [1, 5, 17, 40]
DETAIL_SEQ = 2  # 0-based index of the sequence with hidden states and greedy continuation
GREEDY_NEW = 16
NAME = "tiny-random-llama"
EMB_STD = 0.25  # token embedding (= tied LM head): logits with std ~2
LIN_STD = 0.2   # every linear weight; large enough that greedy output does not collapse to one token

CHAT_TEMPLATE = ("{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] "
                 "+ '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}"
                 "{{ '<|im_start|>assistant\n' }}{% endif %}")

SPECIAL_TOKENS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
BOS_ID, EOS_ID, UNK_ID, PAD_ID = 1, 2, 0, 2

# Merges in rank order, written in the GPT-2 byte alphabet ('Ġ' = space, 'Ċ' = newline,
# 'Ã' '©' = the two UTF-8 bytes of 'é'). "1 2" is a deliberate trap: with pre="smollm" every digit is
# its own pre-token, so "12" must never be produced by a faithful tokenizer.
MERGES = [
    "Ġ t", "h e", "Ġt he", "i n", "e r", "a n", "o n", "r e", "Ġ a", "Ġ s",
    "Ġ w", "in g", "Ġ c", "e n", "a t", "o r", "Ġ o", "e s", "e d", "Ġ b",
    "Ġ f", "Ġ m", "Ġ p", "l l", "Ġ h", "Ġa n", "Ġan d", "Ġo f", "i s", "Ġ i",
    "Ġi s", "Ġ Ġ", "Ċ Ċ", "o u", "Ġt o", "l o", "ll o", "he llo", "Ġw or", "1 2",
    "Ã ©",
]

# name -> ggml type name; everything not listed: 1-D -> F32, attention -> F16.
TYPE_PLAN = {
    "token_embd.weight": "Q8_0",
    "blk.0.ffn_gate.weight": "Q4_1", "blk.0.ffn_up.weight": "Q4_1", "blk.0.ffn_down.weight": "Q4_1",
    "blk.1.ffn_gate.weight": "Q4_0", "blk.1.ffn_up.weight": "Q5_0", "blk.1.ffn_down.weight": "Q4_1",
    "blk.2.ffn_gate.weight": "Q5_1", "blk.2.ffn_up.weight": "Q4_1", "blk.2.ffn_down.weight": "Q4_1",
    "blk.2.attn_output.weight": "BF16",
}

TOKENIZER_CASES = [
    "hello the world",
    " the cat is on the mat, and the dog is in the house.",
    "  two  spaces\n\nnew paragraph",
    "café 12 and 123",
    "x  12",
    "Hello",
    "<|im_start|>user\nhello<|im_end|>\n",
]


def bytes_to_unicode() -> dict[int, str]:
    """GPT-2's byte -> printable character table (written out here, not imported)."""
    keep = list(range(0x21, 0x7F)) + list(range(0xA1, 0xAD)) + list(range(0xAE, 0x100))
    table, extra = {}, 0
    for b in range(256):
        if b in keep:
            table[b] = chr(b)
        else:
            table[b] = chr(0x100 + extra)
            extra += 1
    return table


def build_vocab() -> tuple[list[str], list[int], list[str]]:
    b2u = bytes_to_unicode()
    tokens = list(SPECIAL_TOKENS) + [b2u[b] for b in range(256)]
    types = [3] * len(SPECIAL_TOKENS) + [1] * 256
    for m in MERGES:
        a, b = m.split(" ")
        assert a in tokens and b in tokens, m
        assert a + b not in tokens, m
        tokens.append(a + b)
        types.append(1)
    assert len(tokens) == VOCAB, len(tokens)
    return tokens, types, list(MERGES)


def f32list(a) -> list:
    """Nested lists of float32 values, printed with the shortest repr that round-trips float32."""
    a = np.asarray(a, dtype=np.float32)
    if a.ndim == 0:
        return float(str(np.float32(a)))
    return [f32list(x) for x in a]


def f32s(x) -> float:
    return float(str(np.float32(x)))


def permute(w: np.ndarray, n_head: int) -> np.ndarray:
    """llama.cpp convert_hf_to_gguf LlamaModel.permute: rows viewed as [H, 2, d/2, ...], axes 1<->2."""
    return w.reshape(n_head, 2, w.shape[0] // n_head // 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)


def unpermute(w: np.ndarray, n_head: int) -> np.ndarray:
    """Inverse: rows viewed as [H, d/2, 2, ...], axes 1<->2."""
    return w.reshape(n_head, w.shape[0] // n_head // 2, 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)


def random_weights(rng: np.random.Generator) -> dict[str, np.ndarray]:
    """HF-named, HF-layout ([out, in]) fp32 weights."""
    def normal(shape, std):
        return (rng.standard_normal(shape) * std).astype(np.float32)

    def norm_w(n):
        return rng.uniform(0.8, 1.2, size=n).astype(np.float32)

    w = {"model.embed_tokens.weight": normal((VOCAB, HIDDEN), EMB_STD)}
    for i in range(LAYERS):
        p = f"model.layers.{i}."
        w[p + "input_layernorm.weight"] = norm_w(HIDDEN)
        w[p + "self_attn.q_proj.weight"] = normal((HEADS * HEAD_DIM, HIDDEN), LIN_STD)
        w[p + "self_attn.k_proj.weight"] = normal((KV_HEADS * HEAD_DIM, HIDDEN), LIN_STD)
        w[p + "self_attn.v_proj.weight"] = normal((KV_HEADS * HEAD_DIM, HIDDEN), LIN_STD)
        w[p + "self_attn.o_proj.weight"] = normal((HIDDEN, HEADS * HEAD_DIM), LIN_STD)
        w[p + "post_attention_layernorm.weight"] = norm_w(HIDDEN)
        w[p + "mlp.gate_proj.weight"] = normal((FFN, HIDDEN), LIN_STD)
        w[p + "mlp.up_proj.weight"] = normal((FFN, HIDDEN), LIN_STD)
        w[p + "mlp.down_proj.weight"] = normal((HIDDEN, FFN), LIN_STD)
    w["model.norm.weight"] = norm_w(HIDDEN)
    return w


def gguf_tensor_plan() -> list[tuple[str, str, int | None]]:
    """(gguf name, hf name, permute-heads or None), in llama.cpp's converter order."""
    plan = [("token_embd.weight", "model.embed_tokens.weight", None)]
    for i in range(LAYERS):
        p = f"model.layers.{i}."
        b = f"blk.{i}."
        plan += [
            (b + "attn_norm.weight", p + "input_layernorm.weight", None),
            (b + "ffn_down.weight", p + "mlp.down_proj.weight", None),
            (b + "ffn_gate.weight", p + "mlp.gate_proj.weight", None),
            (b + "ffn_up.weight", p + "mlp.up_proj.weight", None),
            (b + "ffn_norm.weight", p + "post_attention_layernorm.weight", None),
            (b + "attn_k.weight", p + "self_attn.k_proj.weight", KV_HEADS),
            (b + "attn_output.weight", p + "self_attn.o_proj.weight", None),
            (b + "attn_q.weight", p + "self_attn.q_proj.weight", HEADS),
            (b + "attn_v.weight", p + "self_attn.v_proj.weight", None),
        ]
    plan.append(("output_norm.weight", "model.norm.weight", None))
    return plan


def check_permutation_formula() -> None:
    """formats.md §1.7: GGUF_row(h, 2i + t) = HF_row(h, t*d/2 + i)."""
    H, d = 3, 8
    rows = np.arange(H * d, dtype=np.float32)[:, None] * np.ones((1, 4), np.float32)
    g = permute(rows, H)
    for h in range(H):
        for i in range(d // 2):
            for t in range(2):
                assert g[h * d + 2 * i + t, 0] == rows[h * d + t * d // 2 + i, 0]
    assert np.array_equal(unpermute(g, H), rows)
    assert [int(x) for x in g[:d, 0]] == [0, 4, 1, 5, 2, 6, 3, 7]


def write_gguf(path: str, weights: dict[str, np.ndarray],
               extra=None) -> tuple[list[dict], dict[str, np.ndarray], dict[str, np.ndarray]]:
    """`extra(writer)`, when given, adds metadata and tensors (tools/make_rope_scaling_fixture.py)."""
    import gguf
    from gguf.quants import dequantize, quantize

    QT = gguf.GGMLQuantizationType
    tokens, types, merges = build_vocab()
    wr = gguf.GGUFWriter(path, "llama")
    wr.add_type("model")
    wr.add_name(NAME)
    wr.add_block_count(LAYERS)
    wr.add_context_length(CTX)
    wr.add_embedding_length(HIDDEN)
    wr.add_feed_forward_length(FFN)
    wr.add_head_count(HEADS)
    wr.add_head_count_kv(KV_HEADS)
    wr.add_rope_freq_base(ROPE_THETA)
    wr.add_layer_norm_rms_eps(EPS)
    wr.add_file_type(gguf.LlamaFileType.MOSTLY_Q4_1)
    wr.add_vocab_size(VOCAB)
    wr.add_rope_dimension_count(HEAD_DIM)
    wr.add_add_space_prefix(False)
    wr.add_add_bos_token(False)
    wr.add_tokenizer_model("gpt2")
    wr.add_tokenizer_pre("smollm")
    wr.add_token_list(tokens)
    wr.add_token_types(types)
    wr.add_token_merges(merges)
    wr.add_bos_token_id(BOS_ID)
    wr.add_eos_token_id(EOS_ID)
    wr.add_unk_token_id(UNK_ID)
    wr.add_pad_token_id(PAD_ID)
    wr.add_chat_template(CHAT_TEMPLATE)
    wr.add_quantization_version(gguf.GGML_QUANT_VERSION)
    if extra is not None:
        extra(wr)

    info, expected_hf, gguf_deq = [], {}, {}
    for gname, hname, heads in gguf_tensor_plan():
        w = weights[hname]
        if heads is not None:
            w = permute(w, heads)
        tname = TYPE_PLAN.get(gname, "F32" if w.ndim == 1 else "F16")
        qt = QT[tname]
        data = quantize(np.ascontiguousarray(w), qt)
        if qt in (QT.F32, QT.F16):
            wr.add_tensor(gname, data)
        else:
            wr.add_tensor(gname, data, raw_dtype=qt)
        deq = dequantize(data, qt).reshape(w.shape).astype(np.float32)
        flat = deq.reshape(-1).astype(np.float64)
        info.append({
            "name": gname,
            "type": tname,
            "ne": list(reversed(w.shape)),
            "nbytes": int(data.nbytes),
            "hf_name": hname,
            "qk_permuted_heads": heads,
            "dequant_sum": float(flat.sum()),
            "dequant_sum_sq": float((flat * flat).sum()),
            "dequant_first8": f32list(deq.reshape(-1)[:8]),
            "dequant_last8": f32list(deq.reshape(-1)[-8:]),
        })
        expected_hf[hname] = unpermute(deq, heads) if heads is not None else deq
        gguf_deq[gname] = deq

    wr.write_header_to_file()
    wr.write_kv_data_to_file()
    wr.write_tensors_to_file()
    wr.close()
    return info, expected_hf, gguf_deq


def ggml_style_forward(t: dict[str, np.ndarray], ids: list[int]) -> np.ndarray:
    """Independent float64 NumPy forward in llama.cpp's convention: GGUF-order (permuted) Q/K
    weights with INTERLEAVED ("NORM") RoPE on pairs (2i, 2i+1); tied LM head. formats.md §1.7/§4."""
    T, d = len(ids), HEAD_DIM
    x = t["token_embd.weight"][ids].astype(np.float64)
    inv = ROPE_THETA ** (-np.arange(0, d, 2, dtype=np.float64) / d)
    ang = np.arange(T, dtype=np.float64)[:, None] * inv[None, :]
    cos, sin = np.cos(ang)[:, None, :], np.sin(ang)[:, None, :]

    def rms(v, w):
        return v / np.sqrt((v * v).mean(-1, keepdims=True) + EPS) * w

    def rope(q):
        a, b = q[..., 0::2], q[..., 1::2]
        out = np.empty_like(q)
        out[..., 0::2] = a * cos - b * sin
        out[..., 1::2] = a * sin + b * cos
        return out

    causal = np.triu(np.full((T, T), -np.inf), 1)
    G = HEADS // KV_HEADS
    for i in range(LAYERS):
        W = {k.split(".")[2]: v.astype(np.float64) for k, v in t.items() if k.startswith(f"blk.{i}.")}
        h = rms(x, W["attn_norm"])
        q = rope((h @ W["attn_q"].T).reshape(T, HEADS, d))
        k = rope((h @ W["attn_k"].T).reshape(T, KV_HEADS, d))
        v = (h @ W["attn_v"].T).reshape(T, KV_HEADS, d)
        o = np.empty((T, HEADS, d))
        for hd in range(HEADS):
            g = hd // G
            sc = q[:, hd] @ k[:, g].T / np.sqrt(d) + causal
            p = np.exp(sc - sc.max(-1, keepdims=True))
            p /= p.sum(-1, keepdims=True)
            o[:, hd] = p @ v[:, g]
        x = x + o.reshape(T, -1) @ W["attn_output"].T
        h = rms(x, W["ffn_norm"])
        gate = h @ W["ffn_gate"].T
        x = x + ((gate / (1.0 + np.exp(-gate))) * (h @ W["ffn_up"].T)) @ W["ffn_down"].T
    x = rms(x, t["output_norm.weight"].astype(np.float64))
    return x @ t["token_embd.weight"].astype(np.float64).T


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out-dir", required=True)
    ap.add_argument("--seed", type=int, default=SEED)
    args = ap.parse_args()

    torch.set_num_threads(2)
    from transformers import AutoModelForCausalLM

    check_permutation_formula()
    rng = np.random.default_rng(args.seed)
    weights = random_weights(rng)
    seqs = [[int(x) for x in rng.integers(3, VOCAB, size=n)] for n in SEQ_LENGTHS]

    os.makedirs(args.out_dir, exist_ok=True)
    gguf_name = "tiny_llama.gguf"
    gguf_path = os.path.join(args.out_dir, gguf_name)
    tensor_info, expected_hf, gguf_deq = write_gguf(gguf_path, weights)
    size = os.path.getsize(gguf_path)
    print(f"wrote {gguf_path}: {size} bytes")
    assert size <= 300 * 1024

    # ---- load it back with transformers ----------------------------------------------------
    model = AutoModelForCausalLM.from_pretrained(
        args.out_dir, gguf_file=gguf_name, dtype=torch.float32, attn_implementation="eager")
    model.eval()
    cfg = model.config
    assert (cfg.vocab_size, cfg.hidden_size, cfg.intermediate_size, cfg.num_hidden_layers,
            cfg.num_attention_heads, cfg.num_key_value_heads) == (VOCAB, HIDDEN, FFN, LAYERS, HEADS, KV_HEADS)
    assert cfg.tie_word_embeddings
    rope_theta = cfg.rope_parameters["rope_theta"] if getattr(cfg, "rope_parameters", None) else cfg.rope_theta
    assert abs(rope_theta - ROPE_THETA) < 1e-6 and abs(cfg.rms_norm_eps - EPS) < 1e-9

    sd = {k: v.detach().float().numpy() for k, v in model.state_dict().items()}
    assert np.array_equal(sd["lm_head.weight"], sd["model.embed_tokens.weight"]), "lm_head not tied"
    gtype = {t["hf_name"]: t["type"] for t in tensor_info}
    roundtrip = []
    print(f"{'tensor':45s} {'type':5s} {'max|hf-orig|':>13s} {'max|orig|':>10s} {'max|hf-deq|':>11s}")
    for hname, orig in weights.items():
        got = sd[hname]
        assert got.shape == orig.shape, hname
        err = float(np.abs(got - orig).max())
        exact = float(np.abs(got - expected_hf[hname]).max())
        roundtrip.append({"hf_name": hname, "type": gtype[hname], "max_abs_err_vs_original": err,
                          "max_abs_original": float(np.abs(orig).max()),
                          "max_abs_err_vs_gguf_py_dequant_unpermuted": exact})
        print(f"{hname:45s} {gtype[hname]:5s} {err:13.3e} {float(np.abs(orig).max()):10.4f} {exact:11.3e}")
        assert exact == 0.0, f"{hname}: transformers' weights differ from the written bytes"
        # bound on the quantisation error relative to the tensor's largest magnitude
        rel = {"F32": 0.0, "F16": 1e-3, "BF16": 4e-3, "Q8_0": 1e-2, "Q4_0": 0.13, "Q4_1": 0.07,
               "Q5_0": 0.07, "Q5_1": 0.04}[gtype[hname]]
        assert err <= rel * float(np.abs(orig).max()), f"{hname}: quantisation error {err} too large"
    # The permutation must matter: un-permuting is not the identity for Q/K.
    q0 = weights["model.layers.0.self_attn.q_proj.weight"]
    assert not np.array_equal(permute(q0, HEADS), q0)

    # ---- reference outputs -------------------------------------------------------------------
    doc_seqs = []
    with torch.no_grad():
        unbatched = []
        for i, s in enumerate(seqs):
            logits = model(input_ids=torch.tensor([s]), use_cache=False).logits[0].float()
            unbatched.append(logits)
            doc_seqs.append({"index": i, "ids": s, "n_tokens": len(s), "logits": f32list(logits.numpy())})

        # cross-check: llama.cpp-convention NumPy forward on the GGUF-order weights
        ggml_diffs = [float(np.abs(ggml_style_forward(gguf_deq, sq) - unbatched[i].numpy()).max())
                      for i, sq in enumerate(seqs)]
        print(f"ggml-style NumPy forward (interleaved RoPE, permuted Q/K) vs transformers: {ggml_diffs}")
        assert max(ggml_diffs) < 1e-3

        # hidden states of the detail sequence
        s = seqs[DETAIL_SEQ]
        captured = {}
        h = model.model.layers[-1].register_forward_hook(
            lambda m, inp, out: captured.__setitem__("last", (out[0] if isinstance(out, tuple) else out).detach()))
        out = model(input_ids=torch.tensor([s]), use_cache=False, output_hidden_states=True)
        h.remove()
        hs = [x[0].float() for x in out.hidden_states]
        assert len(hs) == LAYERS + 1
        pre_norm_last = captured["last"][0].float()
        assert torch.equal(model.model.norm(pre_norm_last), hs[-1]), "HF hidden_states[-1] is not the normed output"
        assert torch.equal(out.logits[0].float(), unbatched[DETAIL_SEQ])

        # batched, left-padded
        L = max(SEQ_LENGTHS)
        inp = torch.full((len(seqs), L), PAD_ID, dtype=torch.long)
        mask = torch.zeros((len(seqs), L), dtype=torch.long)
        for b, sq in enumerate(seqs):
            inp[b, L - len(sq):] = torch.tensor(sq)
            mask[b, L - len(sq):] = 1
        pos = (mask.cumsum(-1) - 1).clamp(min=0)
        bl = model(input_ids=inp, attention_mask=mask, position_ids=pos, use_cache=False).logits.float()
        batched_real, diffs = [], []
        for b, sq in enumerate(seqs):
            real = bl[b, L - len(sq):]
            batched_real.append(f32list(real.numpy()))
            diffs.append(float((real - unbatched[b]).abs().max()))

        # greedy continuation (full re-forward, argmax, EOS ignored)
        seq = list(s)
        g_ids, g_margin = [], []
        for _ in range(GREEDY_NEW):
            row = model(input_ids=torch.tensor([seq]), use_cache=False).logits[0, -1]
            v, ix = torch.topk(row, 2)
            g_ids.append(int(ix[0]))
            g_margin.append(f32s(v[0] - v[1]))
            seq.append(int(ix[0]))
        gen = model.generate(input_ids=torch.tensor([s]), attention_mask=torch.ones(1, len(s), dtype=torch.long),
                             max_new_tokens=GREEDY_NEW, do_sample=False, pad_token_id=PAD_ID)
        gen_ids = [int(x) for x in gen[0, len(s):]]
    print(f"batched vs unbatched max |diff| per sequence: {diffs}")
    print(f"greedy: {g_ids} (min margin {min(g_margin):.4g}); generate: {gen_ids}")

    # ---- tokenizer cases -----------------------------------------------------------------------
    tok, tok_default = hf_tokenizers(args.out_dir, gguf_name)
    tok_cases = []
    for text in TOKENIZER_CASES:
        a = tok(text)["input_ids"]
        b = tok_default(text)["input_ids"]
        tok_cases.append({"text": text, "ids": a, "tokens": tok.convert_ids_to_tokens(a),
                          "ids_transformers_gguf_default": b, "same": a == b,
                          "decoded": tok.decode(a, skip_special_tokens=False)})
        assert tok_cases[-1]["decoded"] == text, (text, tok_cases[-1]["decoded"])

    doc = {
        "schema": "avss-tiny-llama-reference/1",
        "provenance": provenance(
            "tools/make_tiny_model.py",
            seed=args.seed,
            rng="numpy.random.default_rng(seed): weights in the order of random_weights(), then the 4 sequences",
            gguf_file=gguf_name,
            gguf_sha256=sha256_file(gguf_path),
            gguf_bytes=size,
            reference="transformers AutoModelForCausalLM.from_pretrained(out_dir, gguf_file=tiny_llama.gguf, "
                      "dtype=float32, attn_implementation=eager); CPU fp32; use_cache=False",
        ),
        "config": {
            "architecture": "llama", "vocab_size": VOCAB, "n_embd": HIDDEN, "n_ff": FFN, "n_layer": LAYERS,
            "n_head": HEADS, "n_head_kv": KV_HEADS, "head_dim": HEAD_DIM, "rope_theta": ROPE_THETA,
            "rms_norm_eps": EPS, "context_length": CTX, "tie_word_embeddings": True,
            "bos_token_id": BOS_ID, "eos_token_id": EOS_ID, "unk_token_id": UNK_ID, "pad_token_id": PAD_ID,
        },
        "gguf_tensors": tensor_info,
        "weight_roundtrip": roundtrip,
        "ggml_style_forward_check": {
            "what": "independent float64 NumPy forward using the GGUF-order (permuted) Q/K weights with interleaved "
                    "RoPE (llama.cpp convention), vs transformers' logits; per sequence max |diff|",
            "max_abs_diff": ggml_diffs,
        },
        "sequences": doc_seqs,
        "hidden_states": {
            "seq_index": DETAIL_SEQ,
            "note": "HF output_hidden_states: entry 0 = token embeddings (input of layer 0); entry k (1..n_layer-1) "
                    "= output of layer k-1 (residual stream); the LAST entry (index n_layer) has the final "
                    "RMSNorm (output_norm) APPLIED, i.e. it is norm(output of layer n_layer-1). The un-normed "
                    "output of the last layer is given separately in last_layer_output_pre_norm.",
            "shape": [LAYERS + 1, len(s), HIDDEN],
            "values": [f32list(x.numpy()) for x in hs],
            "last_layer_output_pre_norm": f32list(pre_norm_last.numpy()),
        },
        "batched": {
            "padding_side": "left",
            "pad_token_id": PAD_ID,
            "batch_len": max(SEQ_LENGTHS),
            "position_ids": "cumsum(attention_mask) - 1, clamped at 0",
            "logits_real_positions": batched_real,
            "max_abs_diff_vs_unbatched": diffs,
        },
        "greedy": {
            "seq_index": DETAIL_SEQ,
            "n_new": GREEDY_NEW,
            "method": "argmax over the full logit row, full re-forward each step (no KV cache), EOS ignored",
            "ids": g_ids,
            "step_top1_margin": g_margin,
            "min_margin": min(g_margin),
            "hf_generate_ids": gen_ids,
            "hf_generate_matches": gen_ids == g_ids[:len(gen_ids)],
        },
        "tokenizer": {
            "model": "gpt2", "pre": "smollm", "add_bos": False,
            "note": "ids use SmolLM2's pre-tokenizer Sequence[Digits(individual_digits=True), ByteLevel(use_regex=True)] "
                    "(llama.cpp 'smollm'); transformers 5.24's GGUF loader omits the Digits step, see "
                    "ids_transformers_gguf_default. The merge '1 2' exists but must never apply under 'smollm'.",
            "n_tokens": VOCAB,
            "n_merges": len(MERGES),
            "cases": tok_cases,
        },
    }
    ref_path = os.path.join(args.out_dir, "tiny_llama_reference.json")
    with open(ref_path, "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {ref_path}: {os.path.getsize(ref_path)} bytes")


if __name__ == "__main__":
    main()

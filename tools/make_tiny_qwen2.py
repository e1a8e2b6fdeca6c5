#!/usr/bin/env python3
"""A tiny random Qwen2 model as a GGUF, with transformers' logits for it.

Fixture generator, never run by CI. Writes into --out-dir (tests/data):

  tiny_qwen2.gguf            ~380 KB; architecture "qwen2" as llama.cpp's converter writes it: Q/K rows
                             NOT permuted (only `llama` GGUFs are), q/k/v biases, tied embeddings,
                             F32 weights, RoPE base 1e6, RMSNorm eps 1e-6; the tiny byte-level BPE
                             vocabulary of make_tiny_model.py with pre-tokenizer "qwen2".
  tiny_qwen2_reference.json  logits at every position of make_tiny_model.py's 4 token sequences,
                             computed by a transformers Qwen2ForCausalLM holding the same weights
                             (built from its config, not from the GGUF), and the same logits from
                             transformers' own load of the GGUF as a check of the file's layout.

    /work/refenv/bin/python tools/make_tiny_qwen2.py --out-dir tests/data
"""

from __future__ import annotations

import argparse
import json
import os

import numpy as np
import torch

import make_tiny_model as tiny
from reference_common import provenance, sha256_file

SEED = 20261207
LAYERS = 2
ROPE_THETA = 1_000_000.0
EPS = 1e-6
BIAS_STD = 0.3  # large enough that a missing bias changes the logits clearly


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out-dir", required=True)
    args = ap.parse_args()
    torch.set_num_threads(2)
    torch.manual_seed(SEED)
    import gguf
    from transformers import AutoModelForCausalLM, Qwen2Config, Qwen2ForCausalLM

    cfg = Qwen2Config(vocab_size=tiny.VOCAB, hidden_size=tiny.HIDDEN, intermediate_size=tiny.FFN,
                      num_hidden_layers=LAYERS, num_attention_heads=tiny.HEADS, num_key_value_heads=tiny.KV_HEADS,
                      max_position_embeddings=tiny.CTX, rms_norm_eps=EPS, rope_theta=ROPE_THETA,
                      tie_word_embeddings=True, use_sliding_window=False, bos_token_id=tiny.BOS_ID,
                      eos_token_id=tiny.EOS_ID, pad_token_id=tiny.PAD_ID, attn_implementation="eager")
    model = Qwen2ForCausalLM(cfg).eval()
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("norm.weight"):
                p.uniform_(0.8, 1.2)
            elif name.endswith(".bias"):
                p.normal_(0.0, BIAS_STD)
            elif "embed_tokens" in name:
                p.normal_(0.0, tiny.EMB_STD)
            else:
                p.normal_(0.0, tiny.LIN_STD)
    sd = {k: v.detach().numpy().astype(np.float32) for k, v in model.state_dict().items()}

    os.makedirs(args.out_dir, exist_ok=True)
    path = os.path.join(args.out_dir, "tiny_qwen2.gguf")
    tokens, types, merges = tiny.build_vocab()
    wr = gguf.GGUFWriter(path, "qwen2")
    wr.add_type("model")
    wr.add_name("tiny-random-qwen2")
    wr.add_block_count(LAYERS)
    wr.add_context_length(tiny.CTX)
    wr.add_embedding_length(tiny.HIDDEN)
    wr.add_feed_forward_length(tiny.FFN)
    wr.add_head_count(tiny.HEADS)
    wr.add_head_count_kv(tiny.KV_HEADS)
    wr.add_rope_freq_base(ROPE_THETA)
    wr.add_layer_norm_rms_eps(EPS)
    wr.add_file_type(gguf.LlamaFileType.ALL_F32)
    wr.add_tokenizer_model("gpt2")
    wr.add_tokenizer_pre("qwen2")
    wr.add_token_list(tokens)
    wr.add_token_types(types)
    wr.add_token_merges(merges)
    wr.add_bos_token_id(tiny.BOS_ID)
    wr.add_eos_token_id(tiny.EOS_ID)
    wr.add_pad_token_id(tiny.PAD_ID)
    wr.add_add_bos_token(False)
    names = {"input_layernorm.weight": "attn_norm.weight", "post_attention_layernorm.weight": "ffn_norm.weight",
             "self_attn.q_proj.weight": "attn_q.weight", "self_attn.q_proj.bias": "attn_q.bias",
             "self_attn.k_proj.weight": "attn_k.weight", "self_attn.k_proj.bias": "attn_k.bias",
             "self_attn.v_proj.weight": "attn_v.weight", "self_attn.v_proj.bias": "attn_v.bias",
             "self_attn.o_proj.weight": "attn_output.weight", "mlp.gate_proj.weight": "ffn_gate.weight",
             "mlp.up_proj.weight": "ffn_up.weight", "mlp.down_proj.weight": "ffn_down.weight"}
    wr.add_tensor("token_embd.weight", sd["model.embed_tokens.weight"])
    for i in range(LAYERS):
        for hf, gg in names.items():
            wr.add_tensor(f"blk.{i}.{gg}", sd[f"model.layers.{i}.{hf}"])
    wr.add_tensor("output_norm.weight", sd["model.norm.weight"])
    wr.write_header_to_file()
    wr.write_kv_data_to_file()
    wr.write_tensors_to_file()
    wr.close()

    rng = np.random.default_rng(tiny.SEED)
    tiny.random_weights(rng)  # the same draws as make_tiny_model.py, so the sequences are its sequences
    seqs = [[int(x) for x in rng.integers(3, tiny.VOCAB, size=n)] for n in tiny.SEQ_LENGTHS]
    loaded = AutoModelForCausalLM.from_pretrained(args.out_dir, gguf_file="tiny_qwen2.gguf", dtype=torch.float32,
                                                  attn_implementation="eager").eval()
    out = []
    with torch.no_grad():
        for s in seqs:
            ids = torch.tensor([s])
            ref = model(input_ids=ids, use_cache=False).logits[0]
            via_gguf = loaded(input_ids=ids, use_cache=False).logits[0]
            out.append({"ids": s, "logits": tiny.f32list(ref.numpy()),
                        "max_abs_diff_transformers_gguf_load": float((ref - via_gguf).abs().max())})
        diffs = [o["max_abs_diff_transformers_gguf_load"] for o in out]
        print(f"transformers: config-built model vs its load of the GGUF, max |diff| per sequence {diffs}")
        assert max(diffs) < 1e-4, "the GGUF does not hold the model transformers built"
        for layer in model.model.layers:  # how much the biases matter: the reference without them
            for proj in (layer.self_attn.q_proj, layer.self_attn.k_proj, layer.self_attn.v_proj):
                proj.bias.zero_()
        no_bias = float((model(input_ids=torch.tensor([seqs[-1]]), use_cache=False).logits[0]
                         - torch.tensor(out[-1]["logits"])).abs().max())
        print(f"without the q/k/v biases the longest sequence moves by {no_bias}")
        assert no_bias > 0.05
    doc = {
        "schema": "avss-tiny-family-reference/1",
        "provenance": provenance("tools/make_tiny_qwen2.py", seed=SEED, gguf_file="tiny_qwen2.gguf",
                                 gguf_sha256=sha256_file(path), gguf_bytes=os.path.getsize(path),
                                 reference="Qwen2ForCausalLM(config) with seeded random weights; CPU fp32, eager, "
                                           "use_cache=False"),
        "config": cfg.to_dict(),
        "max_abs_logit_change_without_qkv_bias": no_bias,
        "sequences": out,
    }
    ref_path = os.path.join(args.out_dir, "tiny_qwen2_reference.json")
    with open(ref_path, "w", encoding="utf-8") as f:
        json.dump(doc, f, separators=(",", ":"), default=str)
        f.write("\n")
    print(f"wrote {path} ({os.path.getsize(path)} bytes), {ref_path} ({os.path.getsize(ref_path)} bytes)")


if __name__ == "__main__":
    main()

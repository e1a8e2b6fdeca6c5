#!/usr/bin/env python3
"""Tiny random models of the architectures beyond the sample model, as GGUFs, with transformers' logits.

Fixture generator, never run by CI. For each --arch it writes into --out-dir (tests/data):

  tiny_<arch>.gguf            the model as llama.cpp's converter writes that architecture (F32 weights,
                              tied embeddings, the tiny byte-level BPE vocabulary of make_tiny_model.py);
  tiny_<arch>_hf/             the same model as transformers saves it (config.json, model.safetensors — sharded
                              for mistral —, tokenizer.json built with the `tokenizers` library, tokenizer_config.json);
  tiny_<arch>_reference.json  logits at every position of make_tiny_model.py's 4 token sequences from a
                              transformers model built from its config with the same seeded weights
                              (not from the GGUF), plus, where transformers can read the GGUF itself,
                              the same logits from that load as a check of the file's layout.

  qwen2    Qwen2ForCausalLM: q/k/v biases, Q/K rows not permuted, RoPE base 1e6, eps 1e-6.
  gemma    GemmaForCausalLM: GELU-tanh gating, embeddings times sqrt(hidden), head size 32 != hidden/heads
           (attention.key_length), RMSNorm weights stored as 1 + w (what llama.cpp's converter does).
  mistral  MistralForCausalLM with sliding_window 8, written as a `llama` GGUF (Q/K permuted) with
           llama.attention.sliding_window = 8: the sequences of 17 and 40 tokens exceed the window. Its
           reference also holds transformers' attention weights (output_attentions) of the 17 tokens.
  phi3     Phi3ForCausalLM: fused attn_qkv and ffn_up (gate then up) tensors as llama.cpp writes them.
  gemma2   Gemma2ForCausalLM: pre and post norms, attention and final logit softcapping (small caps, 2 and 3,
           so they bend the tiny model's scores and logits), sliding window 8 on block 0 and global block 1
           (llama.cpp's pattern: the GGUF has no per-block key), head size 32.
  gpt2     GPT2LMHeadModel: LayerNorms with random biases, learned positions (256), Conv1D weights stored
           [in, out] (transposed in the GGUF as llama.cpp's converter does), a plain GELU-tanh MLP of width 128,
           biases everywhere; the GGUF carries output.weight as a copy of the embedding, as llama.cpp writes it.
           transformers' GGUF reader assumes GPT-2's 1024 positions and MLP width 4 x hidden, so its load
           cross-check runs only with --gpt2-hub-shape (those sizes; not the committed, smaller fixture).
  gemma3   Gemma3ForCausalLM (gemma3_text): q/k norms, 6 blocks of which 0-4 slide (window 8, RoPE base 1e4,
           unscaled) and 5 is global (RoPE base 1e6 with linear scaling x8), MLP width 32 to stay small. Its
           reference also holds transformers' logits of the last sequence with query_pre_attn_scalar 24
           instead of 16 (the same weights), for the folder test of that key.

    /tmp/refenv/bin/python tools/make_tiny_family.py --arch qwen2 --out-dir tests/data
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
BIAS_STD = 0.3  # large enough that a missing bias changes the logits clearly
GEMMA_HEAD_DIM = 32  # != HIDDEN / HEADS = 16, so attention.key_length must be honoured
MISTRAL_WINDOW = 8
GEMMA_WINDOW = 8
GEMMA2_SOFTCAPS = (2.0, 3.0)  # attention, final: small enough to change the tiny model's numbers
GEMMA3_LAYERS = 6  # llama.cpp's Gemma 3 pattern: blocks 0-4 slide, 5 is global
GEMMA3_FFN = 32
GEMMA3_ROPE = (1_000_000.0, 10_000.0, 8.0)  # global base, sliding base, global linear factor
GEMMA3_QUERY_SCALAR_VARIANT = 24
ATTENTION_SEQ = 2  # the 17-token sequence: longer than the window

HF_TO_GGUF = {"input_layernorm.weight": "attn_norm.weight", "post_attention_layernorm.weight": "ffn_norm.weight",
              "self_attn.q_proj.weight": "attn_q.weight", "self_attn.q_proj.bias": "attn_q.bias",
              "self_attn.k_proj.weight": "attn_k.weight", "self_attn.k_proj.bias": "attn_k.bias",
              "self_attn.v_proj.weight": "attn_v.weight", "self_attn.v_proj.bias": "attn_v.bias",
              "self_attn.o_proj.weight": "attn_output.weight", "mlp.gate_proj.weight": "ffn_gate.weight",
              "mlp.up_proj.weight": "ffn_up.weight", "mlp.down_proj.weight": "ffn_down.weight",
              "self_attn.qkv_proj.weight": "attn_qkv.weight", "mlp.gate_up_proj.weight": "ffn_up.weight"}
# Gemma 2/3 norm the sub-block outputs too: post_attention_layernorm is then the attention's post norm.
GEMMA_POST_NORMS = {"post_attention_layernorm.weight": "post_attention_norm.weight", "pre_feedforward_layernorm.weight": "ffn_norm.weight",
                    "post_feedforward_layernorm.weight": "post_ffw_norm.weight", "self_attn.q_norm.weight": "attn_q_norm.weight",
                    "self_attn.k_norm.weight": "attn_k_norm.weight"}
GEMMAS = ("gemma", "gemma2", "gemma3")
# GPT-2 (after "transformer.h.N."), and which of its weights are Conv1D ([in, out]).
GPT2_TO_GGUF = {"ln_1.weight": "attn_norm.weight", "ln_1.bias": "attn_norm.bias", "attn.c_attn.weight": "attn_qkv.weight",
                "attn.c_attn.bias": "attn_qkv.bias", "attn.c_proj.weight": "attn_output.weight", "attn.c_proj.bias": "attn_output.bias",
                "ln_2.weight": "ffn_norm.weight", "ln_2.bias": "ffn_norm.bias", "mlp.c_fc.weight": "ffn_up.weight",
                "mlp.c_fc.bias": "ffn_up.bias", "mlp.c_proj.weight": "ffn_down.weight", "mlp.c_proj.bias": "ffn_down.bias"}
GPT2_CONV1D = ("attn.c_attn.weight", "attn.c_proj.weight", "mlp.c_fc.weight", "mlp.c_proj.weight")


def layer_count(arch: str) -> int:
    return GEMMA3_LAYERS if arch == "gemma3" else LAYERS


def transformers_major() -> int:
    import transformers as tf
    return int(tf.__version__.split(".")[0])


GPT2_SHAPE = {"n_positions": tiny.CTX, "n_inner": tiny.FFN}  # --gpt2-hub-shape: 1024 and 4 x hidden


def build_model(arch: str):
    """The transformers model and the GGUF architecture name for `arch`."""
    import transformers as tf

    common = dict(vocab_size=tiny.VOCAB, hidden_size=tiny.HIDDEN, intermediate_size=GEMMA3_FFN if arch == "gemma3" else tiny.FFN,
                  num_hidden_layers=layer_count(arch),
                  num_attention_heads=tiny.HEADS, num_key_value_heads=tiny.KV_HEADS, max_position_embeddings=tiny.CTX,
                  tie_word_embeddings=True, bos_token_id=tiny.BOS_ID, eos_token_id=tiny.EOS_ID,
                  pad_token_id=tiny.PAD_ID, attn_implementation="eager")
    if arch == "qwen2":
        cfg = tf.Qwen2Config(rms_norm_eps=1e-6, rope_theta=1_000_000.0, use_sliding_window=False, **common)
        return tf.Qwen2ForCausalLM(cfg).eval(), cfg, "qwen2"
    if arch == "gemma":
        cfg = tf.GemmaConfig(rms_norm_eps=1e-6, rope_theta=10000.0, head_dim=GEMMA_HEAD_DIM,
                             hidden_activation="gelu_pytorch_tanh", **common)
        return tf.GemmaForCausalLM(cfg).eval(), cfg, "gemma"
    if arch == "mistral":
        cfg = tf.MistralConfig(rms_norm_eps=1e-5, rope_theta=10000.0, sliding_window=MISTRAL_WINDOW,
                               head_dim=tiny.HIDDEN // tiny.HEADS, **common)
        return tf.MistralForCausalLM(cfg).eval(), cfg, "llama"
    if arch == "phi3":
        cfg = tf.Phi3Config(rms_norm_eps=1e-5, rope_theta=10000.0, sliding_window=None, **common)
        return tf.Phi3ForCausalLM(cfg).eval(), cfg, "phi3"
    if arch == "gemma2":
        cfg = tf.Gemma2Config(rms_norm_eps=1e-6, rope_theta=10000.0, head_dim=GEMMA_HEAD_DIM, query_pre_attn_scalar=GEMMA_HEAD_DIM,
                              sliding_window=GEMMA_WINDOW, attn_logit_softcapping=GEMMA2_SOFTCAPS[0],
                              final_logit_softcapping=GEMMA2_SOFTCAPS[1], hidden_activation="gelu_pytorch_tanh", **common)
        return tf.Gemma2ForCausalLM(cfg).eval(), cfg, "gemma2"
    if arch == "gemma3":
        return gemma3_model(tiny.HIDDEN // tiny.HEADS, common)
    if arch == "gpt2":
        cfg = tf.GPT2Config(vocab_size=tiny.VOCAB, n_embd=tiny.HIDDEN, n_layer=LAYERS, n_head=tiny.HEADS, **GPT2_SHAPE,
                            activation_function="gelu_new", layer_norm_epsilon=1e-5, tie_word_embeddings=True,
                            bos_token_id=tiny.BOS_ID, eos_token_id=tiny.EOS_ID, pad_token_id=tiny.PAD_ID, attn_implementation="eager")
        return tf.GPT2LMHeadModel(cfg).eval(), cfg, "gpt2"
    raise SystemExit(f"unknown --arch {arch}")


COMMON_KEYS = ("vocab_size", "hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads", "num_key_value_heads",
               "max_position_embeddings", "tie_word_embeddings", "bos_token_id", "eos_token_id", "pad_token_id")


def gemma3_model(query_scalar: float, common: dict):
    import transformers as tf

    glob, local, factor = GEMMA3_ROPE
    if transformers_major() >= 5:  # per-layer-kind RoPE parameters
        rope = dict(rope_parameters={"full_attention": {"rope_type": "linear", "factor": factor, "rope_theta": glob},
                                     "sliding_attention": {"rope_type": "default", "rope_theta": local}})
    else:
        rope = dict(rope_theta=glob, rope_local_base_freq=local, rope_scaling={"rope_type": "linear", "factor": factor})
    cfg = tf.Gemma3TextConfig(rms_norm_eps=1e-6, head_dim=tiny.HIDDEN // tiny.HEADS, query_pre_attn_scalar=query_scalar,
                              sliding_window=GEMMA_WINDOW, hidden_activation="gelu_pytorch_tanh", **rope, **common)
    return tf.Gemma3ForCausalLM(cfg).eval(), cfg, "gemma3"


def randomise(model, arch: str) -> None:
    with torch.no_grad():
        for name, p in model.named_parameters():
            if ".ln_" in name and name.endswith(".weight"):  # GPT-2's LayerNorms
                p.uniform_(0.8, 1.2)
            elif "wpe" in name:
                p.normal_(0.0, tiny.EMB_STD)
            elif name.endswith("norm.weight"):
                # Gemma's RMSNorm multiplies by 1 + w: the same 0.8..1.2 range as the others.
                p.uniform_(-0.2, 0.2) if arch in GEMMAS else p.uniform_(0.8, 1.2)
            elif name.endswith(".bias"):
                p.normal_(0.0, BIAS_STD)
            elif "embed_tokens" in name:
                p.normal_(0.0, tiny.EMB_STD)
            else:
                p.normal_(0.0, tiny.LIN_STD)


def gguf_tensor(arch: str, hf_name: str, w: np.ndarray, cfg) -> np.ndarray:
    """A weight as llama.cpp's converter stores it for `arch`."""
    if arch in GEMMAS and hf_name.endswith("norm.weight"):
        return w + 1.0
    if arch == "mistral" and hf_name.endswith("q_proj.weight"):
        return tiny.permute(w, cfg.num_attention_heads)
    if arch == "mistral" and hf_name.endswith("k_proj.weight"):
        return tiny.permute(w, cfg.num_key_value_heads)
    return w


def gpt2_tensors(sd: dict) -> list[tuple[str, np.ndarray]]:
    """GPT-2's tensors as llama.cpp's converter writes them: Conv1D weights transposed, output.weight a copy."""
    out = [("token_embd.weight", sd["transformer.wte.weight"]), ("position_embd.weight", sd["transformer.wpe.weight"])]
    for i in range(LAYERS):
        for hf, gg in GPT2_TO_GGUF.items():
            w = sd[f"transformer.h.{i}.{hf}"]
            out.append((f"blk.{i}.{gg}", np.ascontiguousarray(w.T) if hf in GPT2_CONV1D else w))
    out += [("output_norm.weight", sd["transformer.ln_f.weight"]), ("output_norm.bias", sd["transformer.ln_f.bias"]),
            ("output.weight", sd["transformer.wte.weight"])]
    return out


def write_gguf(path: str, arch: str, gguf_arch: str, cfg, sd: dict) -> None:
    import gguf

    tokens, types, merges = tiny.build_vocab()
    wr = gguf.GGUFWriter(path, gguf_arch)
    if arch == "gpt2":
        return write_gpt2_gguf(wr, cfg, sd, tokens, types, merges)
    wr.add_type("model")
    wr.add_name(f"tiny-random-{arch}")
    wr.add_block_count(layer_count(arch))
    wr.add_context_length(tiny.CTX)
    wr.add_embedding_length(tiny.HIDDEN)
    wr.add_feed_forward_length(cfg.intermediate_size)
    wr.add_head_count(tiny.HEADS)
    wr.add_head_count_kv(tiny.KV_HEADS)
    wr.add_rope_freq_base(GEMMA3_ROPE[0] if arch == "gemma3" else
                          cfg.rope_theta if hasattr(cfg, "rope_theta") else cfg.rope_parameters["rope_theta"])
    wr.add_layer_norm_rms_eps(cfg.rms_norm_eps)
    if arch in ("gemma", "gemma2"):
        wr.add_key_length(GEMMA_HEAD_DIM)
        wr.add_value_length(GEMMA_HEAD_DIM)
    if arch == "mistral":
        wr.add_sliding_window(MISTRAL_WINDOW)
    if arch in ("gemma2", "gemma3"):  # as llama.cpp's converter: the window, no per-block pattern (llama.cpp derives it)
        wr.add_sliding_window(GEMMA_WINDOW)
    if arch == "gemma2":
        wr.add_attn_logit_softcapping(GEMMA2_SOFTCAPS[0])
        wr.add_final_logit_softcapping(GEMMA2_SOFTCAPS[1])
    if arch == "gemma3":
        wr.add_rope_scaling_type(gguf.RopeScalingType.LINEAR)
        wr.add_rope_scaling_factor(GEMMA3_ROPE[2])
    add_tokenizer(wr, "qwen2" if arch == "qwen2" else "default", tokens, types, merges)
    wr.add_tensor("token_embd.weight", sd["model.embed_tokens.weight"])
    names = {**HF_TO_GGUF, **GEMMA_POST_NORMS} if arch in ("gemma2", "gemma3") else HF_TO_GGUF
    for i in range(layer_count(arch)):
        for hf, gg in names.items():
            key = f"model.layers.{i}.{hf}"
            if key in sd:
                wr.add_tensor(f"blk.{i}.{gg}", gguf_tensor(arch, hf, sd[key], cfg))
    wr.add_tensor("output_norm.weight", gguf_tensor(arch, "model.norm.weight", sd["model.norm.weight"], cfg))
    finish(wr)


def add_tokenizer(wr, pre: str, tokens, types, merges) -> None:
    """F32 file type and the tiny byte-level vocabulary, as every family's GGUF carries them."""
    import gguf

    wr.add_file_type(gguf.LlamaFileType.ALL_F32)
    wr.add_tokenizer_model("gpt2")
    wr.add_tokenizer_pre(pre)
    wr.add_token_list(tokens)
    wr.add_token_types(types)
    wr.add_token_merges(merges)
    wr.add_bos_token_id(tiny.BOS_ID)
    wr.add_eos_token_id(tiny.EOS_ID)
    wr.add_pad_token_id(tiny.PAD_ID)
    wr.add_add_bos_token(False)


def check_tensor_names(wr) -> None:
    """Every tensor name must be one gguf-py (llama.cpp's own table) lists for the architecture: names we
    invented would make fixtures that only our engine reads (blk.N.attn_post_norm once did)."""
    import gguf

    arch = next(a for a, name in gguf.MODEL_ARCH_NAMES.items() if name == wr.arch)
    allowed = {gguf.TENSOR_NAMES[t].format(bid=b) + suffix for t in gguf.MODEL_TENSORS[arch] for b in range(64)
               for suffix in (".weight", ".bias")}
    unknown = [n for shard in wr.tensors for n in shard if n not in allowed]
    if unknown:
        raise SystemExit(f"tensor names llama.cpp does not use for {wr.arch}: {unknown}")


def finish(wr) -> None:
    check_tensor_names(wr)
    wr.write_header_to_file()
    wr.write_kv_data_to_file()
    wr.write_tensors_to_file()
    wr.close()


def write_gpt2_gguf(wr, cfg, sd: dict, tokens, types, merges) -> None:
    wr.add_type("model")
    wr.add_name("tiny-random-gpt2")
    wr.add_block_count(LAYERS)
    wr.add_context_length(cfg.n_positions)
    wr.add_embedding_length(cfg.n_embd)
    wr.add_feed_forward_length(cfg.n_inner)
    wr.add_head_count(cfg.n_head)
    wr.add_layer_norm_eps(cfg.layer_norm_epsilon)
    add_tokenizer(wr, "gpt-2", tokens, types, merges)
    for name, w in gpt2_tensors(sd):
        wr.add_tensor(name, w)
    finish(wr)


# Hugging Face's own spelling of Qwen2's pre-tokenizer regex (its tokenizer.json).
QWEN2_SPLIT = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+")
TOKENIZER_STRINGS = ["Hello world", "The year 2024 had 366 days.", "  leading and   inner   spaces ", "tabs\tand\nnew\r\nlines\n\n",
                     "café, naïve, Ελληνικά, 日本語", "<|im_start|>user\nhi<|im_end|>", "don't we'll I'M", "a1b22c333", "😀 emoji",
                     "12 + 34 = 46", "x" * 40, ""]


def write_hf_folder(folder: str, arch: str, model) -> list[dict]:
    """save_pretrained plus a byte-level tokenizer.json; returns the `tokenizers` library's ids for TOKENIZER_STRINGS."""
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    model.save_pretrained(folder, max_shard_size="100KB" if arch == "mistral" else "1GB")
    tokens, _, merges = tiny.build_vocab()
    tk = Tokenizer(models.BPE(vocab={t: i for i, t in enumerate(tokens)}, merges=[tuple(m.split(" ")) for m in merges]))
    if arch == "qwen2":  # as Qwen2's tokenizer.json: NFC, then Split + ByteLevel without its own regex
        tk.normalizer = normalizers.NFC()
        tk.pre_tokenizer = pre_tokenizers.Sequence([
            pre_tokenizers.Split(Regex(QWEN2_SPLIT), behavior="isolated", invert=False),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)])
    else:  # GPT-2's ByteLevel with its built-in regex (the GGUF's pre "default")
        tk.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    tk.decoder = decoders.ByteLevel()
    tk.post_processor = processors.ByteLevel(trim_offsets=False)
    tk.add_special_tokens([AddedToken(t, special=True, normalized=False) for t in tiny.SPECIAL_TOKENS])
    tk.save(os.path.join(folder, "tokenizer.json"))
    with open(os.path.join(folder, "tokenizer_config.json"), "w", encoding="utf-8") as f:
        json.dump({"tokenizer_class": "PreTrainedTokenizerFast", "bos_token": tokens[tiny.BOS_ID], "eos_token": tokens[tiny.EOS_ID],
                   "pad_token": tokens[tiny.PAD_ID], "add_bos_token": False, "chat_template": tiny.CHAT_TEMPLATE}, f, indent=1)
        f.write("\n")
    return [{"text": s, "ids": tk.encode(s, add_special_tokens=True).ids} for s in TOKENIZER_STRINGS]


def sensitivity(model, arch: str, seq: list[int], ref_logits: torch.Tensor) -> dict:
    """How far the reference moves without the feature the fixture tests: the test is only as good as this."""
    ids = torch.tensor([seq])
    out = {}
    if arch == "qwen2":
        for layer in model.model.layers:
            for proj in (layer.self_attn.q_proj, layer.self_attn.k_proj, layer.self_attn.v_proj):
                proj.bias.zero_()
        out["max_abs_logit_change_without_qkv_bias"] = float((model(input_ids=ids, use_cache=False).logits[0] - ref_logits).abs().max())
    if arch == "mistral":
        model.config.sliding_window = None
        full = model(input_ids=ids, use_cache=False).logits[0]
        model.config.sliding_window = MISTRAL_WINDOW
        out["max_abs_logit_change_without_window"] = float((full - ref_logits).abs().max())
    if arch == "phi3":  # gate and up swapped: what reading the fused tensor the wrong way round would give
        for layer in model.model.layers:
            w = layer.mlp.gate_up_proj.weight
            w.copy_(torch.cat(w.chunk(2, dim=0)[::-1]))
        out["max_abs_logit_change_with_gate_up_swapped"] = float((model(input_ids=ids, use_cache=False).logits[0] - ref_logits).abs().max())
    if arch == "gemma2":  # without softcapping, then with every block global
        for layer in model.model.layers:
            layer.self_attn.attn_logit_softcapping = None
        model.config.final_logit_softcapping = None
        out["max_abs_logit_change_without_softcapping"] = float((model(input_ids=ids, use_cache=False).logits[0] - ref_logits).abs().max())
    if arch == "gemma3":  # the sliding blocks on the global blocks' (scaled) RoPE
        emb = model.model.rotary_emb
        emb.sliding_attention_inv_freq.copy_(emb.full_attention_inv_freq)
        out["max_abs_logit_change_with_global_rope_everywhere"] = float((model(input_ids=ids, use_cache=False).logits[0] - ref_logits).abs().max())
    if arch == "gpt2":  # without the learned positions, then also without the LayerNorm biases
        wpe = model.transformer.wpe.weight
        saved = wpe.clone()
        wpe.zero_()
        out["max_abs_logit_change_without_positions"] = float((model(input_ids=ids, use_cache=False).logits[0] - ref_logits).abs().max())
        wpe.copy_(saved)
        for name, p in model.named_parameters():
            if ".ln_" in name and name.endswith(".bias"):
                p.zero_()
        out["max_abs_logit_change_without_layernorm_biases"] = float((model(input_ids=ids, use_cache=False).logits[0] - ref_logits).abs().max())
    if arch == "gemma":
        model.model.config.hidden_activation = "silu"
        for layer in model.model.layers:
            layer.mlp.act_fn = torch.nn.SiLU()
        out["max_abs_logit_change_with_silu"] = float((model(input_ids=ids, use_cache=False).logits[0] - ref_logits).abs().max())
    for k, v in out.items():
        print(f"{k}: {v}")
        assert v > 0.05, f"{k} is too small for the test to notice"
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--arch", required=True, choices=["qwen2", "gemma", "mistral", "phi3", "gemma2", "gemma3", "gpt2"])
    ap.add_argument("--out-dir", required=True)
    ap.add_argument("--gpt2-hub-shape", action="store_true", help="gpt2 with 1024 positions and MLP width 256, for the GGUF load cross-check")
    args = ap.parse_args()
    if args.gpt2_hub_shape:
        GPT2_SHAPE.update(n_positions=1024, n_inner=4 * tiny.HIDDEN)
    arch = args.arch
    torch.set_num_threads(2)
    torch.manual_seed(SEED)
    from transformers import AutoModelForCausalLM

    model, cfg, gguf_arch = build_model(arch)
    randomise(model, arch)
    sd = {k: v.detach().numpy().astype(np.float32) for k, v in model.state_dict().items()}
    os.makedirs(args.out_dir, exist_ok=True)
    name = f"tiny_{arch}.gguf"
    path = os.path.join(args.out_dir, name)
    write_gguf(path, arch, gguf_arch, cfg, sd)
    hf_dir = os.path.join(args.out_dir, f"tiny_{arch}_hf")
    tokenizer_cases = write_hf_folder(hf_dir, arch, model)
    from_folder = AutoModelForCausalLM.from_pretrained(hf_dir, dtype=torch.float32, attn_implementation="eager").eval()

    rng = np.random.default_rng(tiny.SEED)
    tiny.random_weights(rng)  # the same draws as make_tiny_model.py, so the sequences are its sequences
    seqs = [[int(x) for x in rng.integers(3, tiny.VOCAB, size=n)] for n in tiny.SEQ_LENGTHS]
    try:  # transformers reads some architectures' GGUFs itself: an independent check of the layout
        loaded = AutoModelForCausalLM.from_pretrained(args.out_dir, gguf_file=name, dtype=torch.float32,
                                                      attn_implementation="eager").eval()
    except Exception as e:  # noqa: BLE001 - recorded, not fatal: the config-built model is the reference
        print(f"transformers cannot load {name} itself ({type(e).__name__}: {str(e)[:120]}); no layout cross-check")
        loaded = None
    if arch == "mistral":
        loaded = None  # transformers' GGUF reader ignores llama.attention.sliding_window: not comparable
    if arch == "gemma2":
        loaded = None  # transformers 5.25's GGUF reader ignores the softcapping keys and leaves the post norms uninitialised
    out = []
    with torch.no_grad():
        for s in seqs:
            ids = torch.tensor([s])
            ref = model(input_ids=ids, use_cache=False).logits[0]
            row = {"ids": s, "logits": tiny.f32list(ref.numpy())}
            folder_diff = float((ref - from_folder(input_ids=ids, use_cache=False).logits[0]).abs().max())
            assert folder_diff < 1e-5, f"transformers' reload of {hf_dir} differs by {folder_diff}"

            if loaded is not None:
                row["max_abs_diff_transformers_gguf_load"] = float((ref - loaded(input_ids=ids, use_cache=False).logits[0]).abs().max())
            out.append(row)
        diffs = [o.get("max_abs_diff_transformers_gguf_load") for o in out]
        if loaded is not None:
            print(f"transformers: config-built model vs its load of the GGUF, max |diff| per sequence {diffs}")
            assert max(diffs) < 1e-4, "the GGUF does not hold the model transformers built"
        attentions = None
        if arch == "mistral":  # the window's band and the grouped-query head order, for the logit lens's attention
            att = model(input_ids=torch.tensor([seqs[ATTENTION_SEQ]]), use_cache=False, output_attentions=True).attentions
            attentions = {"sequence": ATTENTION_SEQ, "layers": [tiny.f32list(a[0].numpy()) for a in att]}
        variant = None
        if arch == "gemma3":  # the same weights under another query_pre_attn_scalar
            other, _, _ = gemma3_model(GEMMA3_QUERY_SCALAR_VARIANT, {k: v for k, v in cfg.to_dict().items() if k in COMMON_KEYS})
            other.load_state_dict(model.state_dict())
            logits = other(input_ids=torch.tensor([seqs[-1]]), use_cache=False).logits[0]
            variant = {"query_pre_attn_scalar": GEMMA3_QUERY_SCALAR_VARIANT, "sequence": len(seqs) - 1, "logits": tiny.f32list(logits.numpy()),
                       "max_abs_logit_change": float((logits - torch.tensor(out[-1]["logits"])).abs().max())}
            print(f"query_pre_attn_scalar {GEMMA3_QUERY_SCALAR_VARIANT}: max |change| {variant['max_abs_logit_change']}")
            assert variant["max_abs_logit_change"] > 0.05
        checks = sensitivity(model, arch, seqs[-1], torch.tensor(out[-1]["logits"]))
    doc = {
        "schema": "avss-tiny-family-reference/1",
        "provenance": provenance("tools/make_tiny_family.py", seed=SEED, gguf_file=name, gguf_sha256=sha256_file(path),
                                 gguf_bytes=os.path.getsize(path),
                                 reference=f"{type(model).__name__}(config) with seeded random weights; CPU fp32, eager, "
                                           "use_cache=False"),
        "config": cfg.to_dict(),
        **checks,
        "hf_folder": f"tiny_{arch}_hf",
        "hf_tokenizer_cases": tokenizer_cases,
        "sequences": out,
    }
    if attentions is not None:
        doc["attentions"] = attentions
    if variant is not None:
        doc["query_scalar_variant"] = variant
    ref_path = os.path.join(args.out_dir, f"tiny_{arch}_reference.json")
    with open(ref_path, "w", encoding="utf-8") as f:
        json.dump(doc, f, separators=(",", ":"), default=str)
        f.write("\n")
    print(f"wrote {path} ({os.path.getsize(path)} bytes), {ref_path} ({os.path.getsize(ref_path)} bytes)")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Write a random-weight Llama-architecture GGUF of any shape, streaming (standard library only).

Made for memory and speed tests at a real model's size (default: Llama-3-8B's shape) without
downloading one. The weights are random, so the model's text is gibberish, but the file is a
complete, valid llama.cpp-style "llama" GGUF v3 that `avss info/generate/score` load:

  * metadata: general.* (architecture "llama", name, file_type, quantization_version, alignment),
    llama.* hyper-parameters with llama.cpp's keys and integer widths (u32 / f32);
  * tensors in llama.cpp's order and ggml `ne` order ([in, out]: ne[0] is the contiguous dim):
    token_embd, blk.N.{attn_norm, ffn_down, ffn_gate, ffn_up, ffn_norm, attn_k, attn_output,
    attn_q, attn_v}, output_norm, output (a separate LM head unless --tied);
  * every 2-D matrix in --type (Q8_0 or Q4_0) with random, zero-mean quants (Q8_0 on [-127, 127],
    Q4_0 on [-7, 7]) and one scale d for all blocks, chosen so the dequantised weights have
    std = --std (0.02); norms F32 = 1.0. (Q/K rows are random, so llama.cpp's Q/K row permutation
    is irrelevant.)
  * a byte-level BPE tokenizer ("gpt2", pre "llama-bpe" like Llama 3, BOS added) with exactly
    --vocab tokens: the 256 GPT-2 byte symbols, then merge-built tokens (breadth first over
    [Ġ, a-z, A-Z] x a-z, so common short words become single tokens), then Llama-3-style special
    tokens at the end (<|begin_of_text|> = BOS, <|end_of_text|> = EOS, reserved ones).

Nothing holds more than one --chunk-mb chunk of tensor data at a time; peak RSS is ~0.15 GB even
for the 8B shape (its header alone holds ~0.26 M tokenizer strings, 3.7 MB).

    python3 tools/make_random_gguf.py --preset 8b --out /tmp/random-8b.gguf     # 8.5 GB, ~1.5 min
    python3 tools/make_random_gguf.py --preset tiny --out /tmp/tiny.gguf
    python3 tools/make_random_gguf.py --preset 8b --layers 2 --type Q4_0 --out /tmp/x.gguf

The output is deterministic for a given seed, shape and type.
"""

from __future__ import annotations

import argparse
import os
import random
import struct
import sys
import time

# ---- GGUF constants (ggml.h / gguf.h) -----------------------------------------------------------
GGUF_MAGIC = b"GGUF"
GGUF_VERSION = 3
ALIGNMENT = 32

T_U8, T_I8, T_U16, T_I16, T_U32, T_I32, T_F32, T_BOOL, T_STRING, T_ARRAY, T_U64, T_I64, T_F64 = range(13)

GGML_F32 = 0
GGML_Q4_0 = 2
GGML_Q8_0 = 8


def _q8_table() -> bytes:
    """Random byte -> int8 quant: -128 becomes 0, so quants are symmetric on [-127, 127] (mean 0)."""
    return bytes(0 if b == 0x80 else b for b in range(256))


def _q4_table() -> bytes:
    """Random byte -> two nibbles; nibble 0 (value -8) becomes 8 (value 0): symmetric on [-7, 7]."""
    fix = [8 if n == 0 else n for n in range(16)]
    return bytes(fix[b & 15] | fix[b >> 4] << 4 for b in range(256))


def _unit_std(values: list[int]) -> float:
    m = sum(values) / len(values)
    assert m == 0, m
    return (sum(v * v for v in values) / len(values)) ** 0.5


# Uniform random quants (e.g. Q4_0's nibble-8 on [-8, 7]) have mean -d/2: a shared offset in every
# weight of a row, i.e. a rank-1 component that snowballs through the residual stream and makes
# every layer look alike. Mapping the one unpaired value to 0 keeps the quants symmetric.
Q8_TABLE, Q4_TABLE = _q8_table(), _q4_table()
# name -> (ggml type id, block elements, block bytes, byte table, std of one unit quant, llama_ftype)
QUANT = {
    # Q8_0: fp16 d + 32 int8 q; value = q*d
    "Q8_0": (GGML_Q8_0, 32, 34, Q8_TABLE, _unit_std([b - 256 if b > 127 else b for b in Q8_TABLE]), 7),
    # Q4_0: fp16 d + 16 bytes of nibbles; value = (nibble-8)*d
    "Q4_0": (GGML_Q4_0, 32, 18, Q4_TABLE, _unit_std([(b & 15) - 8 for b in Q4_TABLE]), 2),
}

PRESETS = {
    # Llama-3-8B (Meta-Llama-3-8B config.json)
    "8b": dict(layers=32, hidden=4096, heads=32, kv_heads=8, ffn=14336, vocab=128256, ctx=8192,
               rope_theta=500000.0, eps=1e-5),
    # tests and quick checks
    "tiny": dict(layers=2, hidden=64, heads=4, kv_heads=2, ffn=128, vocab=512, ctx=2048,
                 rope_theta=500000.0, eps=1e-5),
}

TOKEN_NORMAL, TOKEN_CONTROL = 1, 3


# ---- tokenizer -----------------------------------------------------------------------------------
def bytes_to_unicode() -> list[str]:
    """GPT-2's byte -> printable character table (index = byte)."""
    keep = set(range(0x21, 0x7F)) | set(range(0xA1, 0xAD)) | set(range(0xAE, 0x100))
    out, extra = [], 0
    for b in range(256):
        if b in keep:
            out.append(chr(b))
        else:
            out.append(chr(0x100 + extra))
            extra += 1
    return out


def special_tokens(vocab: int) -> list[str]:
    """Llama-3's 256 special tokens at the end of a large vocabulary; just 3 for a small one."""
    named = ["<|begin_of_text|>", "<|end_of_text|>", "<|eot_id|>"]
    if vocab < 4096:
        return named
    out = named + [f"<|reserved_special_token_{i}|>" for i in range(256 - len(named))]
    return out


def build_tokenizer(vocab: int) -> tuple[list[str], list[int], list[str], int, int]:
    """(tokens, token types, merges, bos id, eos id) with len(tokens) == vocab."""
    b2u = bytes_to_unicode()
    specials = special_tokens(vocab)
    n_merged = vocab - 256 - len(specials)
    if n_merged < 0:
        raise SystemExit(f"--vocab {vocab} is too small: need at least {256 + len(specials)} tokens")
    tokens = list(b2u)
    seen = set(tokens)
    merges: list[str] = []
    # Breadth first: every token of length k (in order) x each lowercase letter (by English
    # frequency). Ranks grow with length, so BPE builds words left to right ("Ġt" "Ġth" "Ġthe").
    letters = "etaoinshrdlcumwfgypbvkjxqz"
    frontier = [b2u[ord(" ")]] + list(letters) + [c.upper() for c in letters]
    while len(merges) < n_merged:
        nxt = []
        for left in frontier:
            for c in letters:
                tok = left + c
                if tok in seen:
                    continue
                merges.append(f"{left} {c}")
                tokens.append(tok)
                seen.add(tok)
                nxt.append(tok)
                if len(merges) == n_merged:
                    break
            if len(merges) == n_merged:
                break
        frontier = nxt
    types = [TOKEN_NORMAL] * len(tokens) + [TOKEN_CONTROL] * len(specials)
    bos = len(tokens)
    tokens += specials
    assert len(tokens) == vocab and len(set(tokens)) == vocab
    return tokens, types, merges, bos, bos + 1


# ---- GGUF encoding -------------------------------------------------------------------------------
def gguf_str(s: str) -> bytes:
    b = s.encode("utf-8")
    return struct.pack("<Q", len(b)) + b


SCALAR_FMT = {T_U8: "<B", T_I8: "<b", T_U16: "<H", T_I16: "<h", T_U32: "<I", T_I32: "<i",
              T_F32: "<f", T_U64: "<Q", T_I64: "<q", T_F64: "<d", T_BOOL: "<?"}


def kv(key: str, vtype: int, value) -> bytes:
    out = [gguf_str(key), struct.pack("<I", vtype)]
    if vtype == T_STRING:
        out.append(gguf_str(value))
    elif vtype == T_ARRAY:
        etype, items = value
        out.append(struct.pack("<IQ", etype, len(items)))
        if etype == T_STRING:
            out.extend(gguf_str(s) for s in items)
        else:
            out.append(struct.pack(f"<{len(items)}{SCALAR_FMT[etype][1]}", *items))
    else:
        out.append(struct.pack(SCALAR_FMT[vtype], value))
    return b"".join(out)


def pad_to(n: int, a: int = ALIGNMENT) -> int:
    return (a - n % a) % a


def tensor_plan(hp: dict, qtype: str, tied: bool) -> list[tuple[str, list[int], str]]:
    """(name, ne in ggml order [ne0 = contiguous/in, ne1 = out], type name) in llama.cpp's order."""
    H, F, V = hp["hidden"], hp["ffn"], hp["vocab"]
    hd = H // hp["heads"]
    q_rows, kv_rows = hp["heads"] * hd, hp["kv_heads"] * hd
    plan = [("token_embd.weight", [H, V], qtype)]
    for i in range(hp["layers"]):
        b = f"blk.{i}."
        plan += [
            (b + "attn_norm.weight", [H], "F32"),
            (b + "ffn_down.weight", [F, H], qtype),
            (b + "ffn_gate.weight", [H, F], qtype),
            (b + "ffn_up.weight", [H, F], qtype),
            (b + "ffn_norm.weight", [H], "F32"),
            (b + "attn_k.weight", [H, kv_rows], qtype),
            (b + "attn_output.weight", [q_rows, H], qtype),
            (b + "attn_q.weight", [H, q_rows], qtype),
            (b + "attn_v.weight", [H, kv_rows], qtype),
        ]
    plan.append(("output_norm.weight", [H], "F32"))
    if not tied:
        plan.append(("output.weight", [H, V], qtype))
    return plan


def nbytes(ne: list[int], tname: str) -> int:
    n = elements(ne)
    if tname == "F32":
        return 4 * n
    _, be, bb, _, _, _ = QUANT[tname]
    if ne[0] % be:
        raise SystemExit(f"row length {ne[0]} is not a multiple of the {tname} block size {be}")
    return n // be * bb


def write_quant(f, n_bytes: int, tname: str, std: float, rng: random.Random, chunk: int) -> None:
    """Random symmetric quants, every block's fp16 scale = d, streamed in chunks of whole blocks."""
    _, _, bb, table, unit_std, _ = QUANT[tname]
    d = struct.pack("<e", std / unit_std)  # 2 bytes, little-endian fp16
    lo, hi = d[0:1], d[1:2]
    per_chunk = max(1, chunk // bb) * bb
    left = n_bytes
    while left:
        n = min(per_chunk, left)
        blocks = n // bb
        buf = bytearray(rng.randbytes(n).translate(table))
        buf[0::bb] = lo * blocks  # extended-slice assignment: C speed
        buf[1::bb] = hi * blocks
        f.write(buf)
        left -= n


def write_ones_f32(f, n: int) -> None:
    f.write(struct.pack("<f", 1.0) * n)


def elements(ne: list[int]) -> int:
    n = 1
    for d in ne:
        n *= d
    return n


def write_file(tmp: str, header: bytes, total: int, plan, args, rng: random.Random, chunk: int, t0: float) -> None:
    with open(tmp, "wb") as f:
        f.write(header)
        written = 0
        last = time.time()
        for i, (tname, ne, ttype) in enumerate(plan):
            size = nbytes(ne, ttype)
            if ttype == "F32":
                write_ones_f32(f, elements(ne))
            else:
                write_quant(f, size, ttype, args.std, rng, chunk)
            f.write(b"\0" * pad_to(size))
            written += size + pad_to(size)
            if time.time() - last > 5 or i == len(plan) - 1:
                last = time.time()
                print(f"  {i + 1}/{len(plan)} tensors, {written / 2**30:.2f} GiB, {last - t0:.0f} s",
                      file=sys.stderr, flush=True)
        assert f.tell() == total, (f.tell(), total)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, help="output .gguf path (written via PATH.part, then renamed)")
    ap.add_argument("--preset", choices=sorted(PRESETS), default="8b")
    ap.add_argument("--layers", type=int)
    ap.add_argument("--hidden", type=int)
    ap.add_argument("--heads", type=int)
    ap.add_argument("--kv-heads", type=int)
    ap.add_argument("--ffn", type=int)
    ap.add_argument("--vocab", type=int)
    ap.add_argument("--ctx", type=int, help="context length (llama.context_length)")
    ap.add_argument("--rope-theta", type=float)
    ap.add_argument("--type", choices=sorted(QUANT), default="Q8_0", help="type of every 2-D weight (default Q8_0)")
    ap.add_argument("--std", type=float, default=0.02, help="std of the dequantised weights (default 0.02)")
    ap.add_argument("--tied", action="store_true", help="no output.weight: LM head tied to token_embd")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--name", help="general.name (default random-llama-<preset>-shape)")
    ap.add_argument("--chunk-mb", type=int, default=32, help="tensor data generated per write (default 32)")
    args = ap.parse_args()

    hp = dict(PRESETS[args.preset])
    for key, val in (("layers", args.layers), ("hidden", args.hidden), ("heads", args.heads),
                     ("kv_heads", args.kv_heads), ("ffn", args.ffn), ("vocab", args.vocab), ("ctx", args.ctx),
                     ("rope_theta", args.rope_theta)):
        if val is not None:
            hp[key] = val
    if hp["hidden"] % hp["heads"] or hp["heads"] % hp["kv_heads"] or (hp["hidden"] // hp["heads"]) % 2:
        raise SystemExit("need hidden % heads == 0, heads % kv_heads == 0 and an even head size")
    head_dim = hp["hidden"] // hp["heads"]
    qtype = args.type
    custom = hp != PRESETS[args.preset]
    name = args.name or (f"random-llama-{hp['layers']}L-{hp['hidden']}h-{hp['vocab']}v" if custom
                         else f"random-llama-{args.preset}-shape")

    t0 = time.time()
    tokens, types, merges, bos, eos = build_tokenizer(hp["vocab"])
    meta = [
        kv("general.architecture", T_STRING, "llama"),
        kv("general.type", T_STRING, "model"),
        kv("general.name", T_STRING, name),
        kv("general.description", T_STRING,
           f"random weights (seed {args.seed}, std {args.std}) written by tools/make_random_gguf.py"),
        kv("llama.block_count", T_U32, hp["layers"]),
        kv("llama.context_length", T_U32, hp["ctx"]),
        kv("llama.embedding_length", T_U32, hp["hidden"]),
        kv("llama.feed_forward_length", T_U32, hp["ffn"]),
        kv("llama.attention.head_count", T_U32, hp["heads"]),
        kv("llama.attention.head_count_kv", T_U32, hp["kv_heads"]),
        kv("llama.rope.freq_base", T_F32, hp["rope_theta"]),
        kv("llama.attention.layer_norm_rms_epsilon", T_F32, hp["eps"]),
        kv("general.file_type", T_U32, QUANT[qtype][5]),
        kv("llama.vocab_size", T_U32, hp["vocab"]),
        kv("llama.rope.dimension_count", T_U32, head_dim),
        kv("tokenizer.ggml.model", T_STRING, "gpt2"),
        kv("tokenizer.ggml.pre", T_STRING, "llama-bpe"),
        kv("tokenizer.ggml.tokens", T_ARRAY, (T_STRING, tokens)),
        kv("tokenizer.ggml.token_type", T_ARRAY, (T_I32, types)),
        kv("tokenizer.ggml.merges", T_ARRAY, (T_STRING, merges)),
        kv("tokenizer.ggml.bos_token_id", T_U32, bos),
        kv("tokenizer.ggml.eos_token_id", T_U32, eos),
        kv("tokenizer.ggml.add_bos_token", T_BOOL, True),
        kv("general.quantization_version", T_U32, 2),
        kv("general.alignment", T_U32, ALIGNMENT),
    ]
    del tokens, types, merges

    plan = tensor_plan(hp, qtype, args.tied)
    infos, offset = [], 0
    for tname, ne, ttype in plan:
        infos.append(gguf_str(tname) + struct.pack(f"<I{len(ne)}QIQ", len(ne), *ne,
                                                    GGML_F32 if ttype == "F32" else QUANT[ttype][0], offset))
        offset += nbytes(ne, ttype)
        offset += pad_to(offset)
    header = b"".join([GGUF_MAGIC, struct.pack("<IQQ", GGUF_VERSION, len(plan), len(meta))] + meta + infos)
    del meta, infos
    header += b"\0" * pad_to(len(header))
    total = len(header) + offset

    tmp = args.out + ".part"
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    rng = random.Random(args.seed)
    chunk = args.chunk_mb << 20
    print(f"writing {args.out}: {len(plan)} tensors, {total / 2**30:.2f} GiB "
          f"({hp['layers']} layers, hidden {hp['hidden']}, heads {hp['heads']}/{hp['kv_heads']}, "
          f"ffn {hp['ffn']}, vocab {hp['vocab']}, {qtype})", flush=True)
    try:
        write_file(tmp, header, total, plan, args, rng, chunk, t0)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
    os.replace(tmp, args.out)
    dt = time.time() - t0
    n_params = sum(elements(ne) for _, ne, _ in plan)
    print(f"wrote {args.out}: {total} bytes ({total / 2**30:.2f} GiB), {n_params} parameters, "
          f"{dt:.1f} s ({total / 2**20 / max(dt, 1e-9):.0f} MiB/s)")


if __name__ == "__main__":
    main()

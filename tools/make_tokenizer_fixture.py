#!/usr/bin/env python3
"""Write tests/data/tokenizer_smollm2.json: token ids for SmolLM2 from two Hugging Face references.

References, both fed the same hand-written test strings (see tokenizer_test_strings.py next to this script):
  hub          -- a `tokenizers` pipeline that rebuilds SmolLM2's published tokenizer.json from the
                  GGUF vocabulary and merges: BPE, pre-tokenizer Sequence[Digits(individual_digits),
                  ByteLevel(add_prefix_space=False, use_regex=True)], ByteLevel post-processor and
                  decoder, the control tokens (type 3) as special added tokens. AUTHORITATIVE.
  transformers -- transformers' AutoTokenizer.from_pretrained(dir, gguf_file=name), which derives a
                  tokenizer from the GGUF metadata (it has no Digits pre-tokenizer, so it can differ).

Usage (never run by ctest; needs transformers, tokenizers and gguf):
  /work/refenv/bin/python tools/make_tokenizer_fixture.py MODEL.gguf [--out tests/data/tokenizer_smollm2.json]
"""
import argparse
import json
import os
import platform
import sys
from importlib import metadata

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from reference_common import sha256_file  # noqa: E402
from tokenizer_test_strings import test_strings  # noqa: E402

EXPECTED_SHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
CONTROL = 3


def read_gguf_vocab(path):
    from gguf import GGUFReader

    reader = GGUFReader(path)

    def field(name):
        return reader.fields[name].contents()

    return field("tokenizer.ggml.tokens"), field("tokenizer.ggml.merges"), field("tokenizer.ggml.token_type")


def hub_tokenizer(tokens, merges, token_types):
    """SmolLM2's tokenizer.json, rebuilt from the GGUF vocabulary (same structure as the hub file)."""
    from tokenizers import Tokenizer

    byte_level = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True}
    spec = {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [
            {"id": i, "content": t, "single_word": False, "lstrip": False, "rstrip": False,
             "normalized": False, "special": True}
            for i, (t, ty) in enumerate(zip(tokens, token_types)) if ty == CONTROL
        ],
        "normalizer": None,
        "pre_tokenizer": {"type": "Sequence",
                          "pretokenizers": [{"type": "Digits", "individual_digits": True}, byte_level]},
        "post_processor": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": False, "use_regex": True},
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
                  "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False,
                  "vocab": {t: i for i, t in enumerate(tokens)}, "merges": list(merges)},
    }
    return Tokenizer.from_str(json.dumps(spec))


def byte_token_ids(tokens):
    """id of the single-character token of each byte (GPT-2 bytes_to_unicode table), where the vocabulary
    has one: SmolLM2 lacks 21 bytes (e.g. 0x04, 0xC0, 0xFF), which HF's BPE drops (unk_token is null)."""
    printable = list(range(0x21, 0x7F)) + list(range(0xA1, 0xAD)) + list(range(0xAE, 0x100))
    table, extra = {}, 0
    for b in range(256):
        if b in printable:
            table[b] = chr(b)
        else:
            table[b] = chr(0x100 + extra)
            extra += 1
    index = {t: i for i, t in enumerate(tokens)}
    return {b: index[c] for b, c in table.items() if c in index}


def decode_cases(hub, tokens):
    """Id sequences whose bytes are invalid or truncated UTF-8, plus special-token skipping."""
    b = byte_token_ids(tokens)
    sequences = [
        [b[0xE2], b[0x82]],                      # truncated 3-byte sequence
        [b[0xE2], b[0x82], b[0xAC]],             # complete: the euro sign
        [b[0x80]], [b[0xBF], b[0x41]],           # lone continuation bytes
        [b[0xC3]], [b[0xC3], b[0x41]],           # lead byte without its continuation
        [b[0xED], b[0xA0], b[0x80]],             # an encoded surrogate
        [b[0xF0], b[0x9F], b[0x98]],             # truncated 4-byte sequence
        [b[0x80], b[0x41], b[0xF4], b[0x90], b[0x80], b[0x80]],  # stray continuation; beyond U+10FFFF
        [b[0xE0], b[0x80], b[0x41]], [b[0xF0], b[0x80], b[0x80], b[0x80]],  # overlong forms
        [b[0x41], b[0xE2], b[0x82], b[0x42], b[0xC3]],
        [1, 4093, 198, 26843, 2], [0, 19556, 0], [2, 2, 1],
    ]
    cases = []
    for ids in sequences:
        for skip in (False, True):
            cases.append({"ids": ids, "skip_special": skip, "text": hub.decode(ids, skip_special_tokens=skip)})
    return cases


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("gguf")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "tests", "data",
                                                  "tokenizer_smollm2.json"))
    args = ap.parse_args()

    digest = sha256_file(args.gguf)
    if digest != EXPECTED_SHA256:
        sys.exit(f"{args.gguf}: sha256 {digest} is not the sample model's {EXPECTED_SHA256}")

    from transformers import AutoTokenizer

    tokens, merges, token_types = read_gguf_vocab(args.gguf)
    hub = hub_tokenizer(tokens, merges, token_types)
    tf = AutoTokenizer.from_pretrained(os.path.dirname(os.path.abspath(args.gguf)),
                                       gguf_file=os.path.basename(args.gguf))

    cases, disagreements = [], []
    for text in test_strings():
        ids = hub.encode(text).ids
        tf_ids = list(tf(text)["input_ids"])
        case = {"text": text, "ids": ids, "ids_transformers_gguf": tf_ids, "agree": ids == tf_ids,
                "decoded": hub.decode(ids, skip_special_tokens=False),
                "decoded_transformers_gguf": tf.decode(tf_ids)}
        cases.append(case)
        if ids != tf_ids:
            disagreements.append({"text": text, "hub": ids, "transformers_gguf": tf_ids})

    fixture = {
        "provenance": {
            "tool": "tools/make_tokenizer_fixture.py",
            "command": "python tools/make_tokenizer_fixture.py " + " ".join(
                [os.path.basename(args.gguf)] + sys.argv[2:]),
            "model": os.path.basename(args.gguf),
            "model_sha256": digest,
            "python": platform.python_version(),
            "transformers": metadata.version("transformers"),
            "tokenizers": metadata.version("tokenizers"),
            "gguf": metadata.version("gguf"),
            "test_strings": "written for this project (tools/tokenizer_test_strings.py)",
        },
        "authoritative": "hub",
        "references": {
            "hub": "tokenizers pipeline rebuilt like SmolLM2's tokenizer.json: BPE + Sequence[Digits("
                   "individual_digits=True), ByteLevel(add_prefix_space=False, use_regex=True)], ByteLevel "
                   "post-processor and decoder, control tokens as special added tokens; field 'ids'",
            "transformers_gguf": "transformers AutoTokenizer.from_pretrained(dir, gguf_file=...)(text)"
                                 "['input_ids']; field 'ids_transformers_gguf'",
        },
        "summary": {"strings": len(cases), "agree": len(cases) - len(disagreements),
                    "disagree": len(disagreements)},
        "cases": cases,
        "disagreements": disagreements,
        "decode_cases": decode_cases(hub, tokens),
    }
    with open(args.out, "w", encoding="ascii") as f:
        json.dump(fixture, f, ensure_ascii=True, indent=1)
        f.write("\n")
    print(f"{args.out}: {len(cases)} strings, {len(disagreements)} where transformers-from-GGUF differs")


if __name__ == "__main__":
    main()

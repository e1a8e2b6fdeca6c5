#!/usr/bin/env python3
"""Write tests/data/tiny_spm.gguf (a vocabulary-only SentencePiece GGUF) and
tests/data/tiny_spm_expected.json (the ids and decoded text SentencePiece itself gives).

The reference is Google's `sentencepiece` library: a BPE model (byte fallback, identity
normalisation, a dummy prefix, no whitespace squeezing, as Llama 2's tokenizer.model) trained here on
PROSE from tokenizer_test_strings.py, all written for this project. Its pieces, scores and piece
types go into the GGUF exactly as llama.cpp's converter writes them (tokenizer.ggml.model "llama").
Every test string (tokenizer_test_strings.py) is encoded with SentencePieceProcessor.encode, so the
strings outside the training text exercise byte fallback. Never run by ctest. Usage:

    python3 -m venv /tmp/spmenv && /tmp/spmenv/bin/pip install sentencepiece gguf numpy
    /tmp/spmenv/bin/python tools/make_tiny_spm.py [--out-dir tests/data]
"""
import argparse
import datetime
import io
import json
import os
import platform
import sys
from importlib import metadata

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tokenizer_test_strings import PROSE, test_strings  # noqa: E402

# GGUF token types (llama.cpp's llama_token_type).
NORMAL, UNKNOWN, CONTROL, USER_DEFINED, UNUSED, BYTE = 1, 2, 3, 4, 5, 6


def train():
    import sentencepiece as spm

    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(PROSE * 4), model_writer=model, model_type="bpe", vocab_size=420,
        byte_fallback=True, character_coverage=1.0, normalization_rule_name="identity",
        remove_extra_whitespaces=False, add_dummy_prefix=True, split_digits=True,
        bos_id=1, eos_id=2, unk_id=0, pad_id=-1, minloglevel=2)
    return spm.SentencePieceProcessor(model_proto=model.getvalue())


def piece_type(sp, i):
    if sp.is_unknown(i):
        return UNKNOWN
    if sp.is_control(i):
        return CONTROL
    if sp.is_byte(i):
        return BYTE
    if sp.is_unused(i):
        return UNUSED
    return NORMAL


def write_gguf(sp, path):
    import gguf

    w = gguf.GGUFWriter(path, "llama")
    w.add_name("tiny-spm (vocabulary only)")
    w.add_tokenizer_model("llama")
    w.add_token_list([sp.id_to_piece(i) for i in range(sp.get_piece_size())])
    w.add_token_scores([float(sp.get_score(i)) for i in range(sp.get_piece_size())])
    w.add_token_types([piece_type(sp, i) for i in range(sp.get_piece_size())])
    w.add_bos_token_id(sp.bos_id())
    w.add_eos_token_id(sp.eos_id())
    w.add_unk_token_id(sp.unk_id())
    w.add_add_bos_token(True)
    w.add_add_eos_token(False)
    w.add_add_space_prefix(True)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out-dir", default=os.path.join(os.path.dirname(__file__), "..", "tests", "data"))
    a = ap.parse_args()
    sp = train()
    write_gguf(sp, os.path.join(a.out_dir, "tiny_spm.gguf"))
    cases = []
    for text in test_strings():
        ids = sp.encode(text)
        cases.append({"text": text, "ids": ids, "decoded": sp.decode(ids)})
    doc = {
        "provenance": {
            "generator": "tools/make_tiny_spm.py",
            "date_utc": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "python": platform.python_version(),
            "sentencepiece": metadata.version("sentencepiece"),
            "gguf": metadata.version("gguf"),
        },
        "vocab_size": sp.get_piece_size(),
        "byte_fallback_cases": sum(any(sp.is_byte(i) for i in c["ids"]) for c in cases),
        "cases": cases,
    }
    with open(os.path.join(a.out_dir, "tiny_spm_expected.json"), "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=True, indent=1)
        f.write("\n")
    print(f"{len(cases)} cases, {doc['byte_fallback_cases']} with byte fallback, vocabulary {doc['vocab_size']}")


if __name__ == "__main__":
    main()

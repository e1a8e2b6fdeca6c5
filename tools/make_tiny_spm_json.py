#!/usr/bin/env python3
"""Write tests/data/tiny_spm_hf/ (tokenizer.json + tokenizer_config.json) and the Hugging Face fast
tokenizer's ids for every test string: the SentencePiece model of make_tiny_spm.py as transformers
converts a Llama tokenizer.model into a tokenizer.json (byte-fallback BPE with merges, no scores).

transformers 5 converts it (AutoTokenizer on a folder holding the tokenizer.model) into a Metaspace
pre-tokenizer: tokenizer.json with prepend_scheme "always" (legacy=True, Llama 2's behaviour) and
tokenizer-first.json with prepend_scheme "first" (legacy=False: no "▁" after a special token), and as
its Gemma converter writes it into tokenizer-gemma.json: a Replace(" ", "▁") normalizer without a
dummy prefix and a Split(" ") pre-tokenizer that never fires (the spaces are gone by then).
The ids of both and of SentencePiece itself are recorded. Never run by ctest.

    /tmp/refenv/bin/pip install sentencepiece protobuf transformers tokenizers
    /tmp/refenv/bin/python tools/make_tiny_spm_json.py [--out-dir tests/data]
"""
import argparse
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_tiny_spm import train  # noqa: E402  (the same model as tiny_spm.gguf)
from reference_common import provenance  # noqa: E402
from tokenizer_test_strings import test_strings  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out-dir", default=os.path.join(os.path.dirname(__file__), "..", "tests", "data"))
    a = ap.parse_args()
    from transformers import AutoTokenizer

    sp = train()
    out = os.path.join(a.out_dir, "tiny_spm_hf")
    os.makedirs(out, exist_ok=True)

    def convert(legacy: bool, cls: str = "LlamaTokenizer"):
        with tempfile.TemporaryDirectory() as tmp:
            with open(os.path.join(tmp, "tokenizer.model"), "wb") as f:
                f.write(sp.serialized_model_proto())
            with open(os.path.join(tmp, "tokenizer_config.json"), "w", encoding="utf-8") as f:
                json.dump({"tokenizer_class": cls, "legacy": legacy, "add_bos_token": True,
                           "bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>"}, f)
            return AutoTokenizer.from_pretrained(tmp)

    legacy, modern, gemma = convert(True), convert(False), convert(False, "GemmaTokenizer")
    legacy.backend_tokenizer.save(os.path.join(out, "tokenizer.json"))
    modern.backend_tokenizer.save(os.path.join(out, "tokenizer-first.json"))
    gemma.backend_tokenizer.save(os.path.join(out, "tokenizer-gemma.json"))
    with open(os.path.join(out, "tokenizer_config.json"), "w", encoding="utf-8") as f:
        json.dump({"tokenizer_class": "LlamaTokenizer", "bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>"}, f, indent=1)
        f.write("\n")
    cases = []
    # Special tokens inside the text: where prepend_scheme "first" and "always" differ.
    for text in test_strings() + ["Hello</s>world", "<s>Hello there", "a</s> b</s>c"]:
        ids = legacy.encode(text)
        cases.append({"text": text, "ids": ids, "decoded": legacy.decode(ids, skip_special_tokens=True), "ids_first": modern.encode(text),
                      "ids_gemma": gemma.encode(text), "decoded_gemma": gemma.decode(gemma.encode(text), skip_special_tokens=True),
                      "ids_sentencepiece": [sp.bos_id()] + sp.encode(text)})
    agree = sum(c["ids"] == c["ids_sentencepiece"] for c in cases)
    doc = {"provenance": provenance("tools/make_tiny_spm_json.py"), "strings": len(cases),
           "hf_legacy_equals_sentencepiece": agree,
           "hf_first_equals_sentencepiece": sum(c["ids_first"] == c["ids_sentencepiece"] for c in cases), "cases": cases}
    with open(os.path.join(a.out_dir, "tiny_spm_hf_expected.json"), "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=True, indent=1)
        f.write("\n")
    print(f"{len(cases)} strings; HF legacy = sentencepiece on {agree}, prepend_scheme first on {doc['hf_first_equals_sentencepiece']}")


if __name__ == "__main__":
    main()

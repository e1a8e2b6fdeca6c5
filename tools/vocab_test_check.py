#!/usr/bin/env python3
"""`avss tokenize` against llama.cpp's tokenizer test vectors (models/ggml-vocab-*.gguf.inp/.out).

Check tool, never run by CI; nothing of llama.cpp is committed. Each .out line holds the ids that
the model's Hugging Face tokenizer gives for the matching .inp text with add_special_tokens=False
(llama.cpp's convert_hf_to_gguf_update.py writes them), so this compares our tokenizer, reading the
vocabulary-only GGUF, with Hugging Face's. Get the files from a llama.cpp checkout (or the copy
vendored in the llama-cpp-python sdist) and run:

    python3 tools/vocab_test_check.py build/app/cli/avss LLAMA_CPP/models/ggml-vocab-qwen2.gguf ...
"""

from __future__ import annotations

import subprocess
import sys

SEPARATOR = "\n__ggml_vocab_test__\n"


def check(avss: str, gguf: str) -> tuple[int, int, list[str]]:
    with open(gguf + ".inp", encoding="utf-8") as f:
        texts = f.read().split(SEPARATOR)
    with open(gguf + ".out", encoding="utf-8") as f:
        expected = f.read().split("\n")
    if texts and texts[-1] == "":  # the file ends with a separator
        texts.pop()
    failures = []
    for i, text in enumerate(texts):
        want = [int(x) for x in expected[i].split()]
        run = subprocess.run([avss, "--quiet", "tokenize", gguf, text, "--ids", "--no-special"],
                             capture_output=True, text=True, encoding="utf-8")
        got = [int(x) for x in run.stdout.split()] if run.returncode == 0 else None
        if got != want:
            failures.append(f"  #{i} {text[:40]!r}: want {want[:12]} got {got[:12] if got else run.stderr.strip()}")
    return len(texts) - len(failures), len(texts), failures


def main() -> None:
    avss, files = sys.argv[1], sys.argv[2:]
    bad = 0
    for gguf in files:
        ok, total, failures = check(avss, gguf)
        print(f"{gguf.rsplit('/', 1)[-1]}: {ok} / {total} identical")
        for line in failures[:5]:
            print(line)
        bad += total - ok
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()

"""Helpers shared by the reference generators in tools/ (never run by CI)."""
from __future__ import annotations

import hashlib
import os
import importlib.metadata as _md


def sha256_file(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def version(pkg: str) -> str:
    try:
        return _md.version(pkg)
    except _md.PackageNotFoundError:
        return "not installed"


def gguf_pre_tokenizer(path: str) -> str:
    """The GGUF's tokenizer.ggml.pre ("" when absent)."""
    import gguf

    field = gguf.GGUFReader(path).fields.get("tokenizer.ggml.pre")
    return "" if field is None else str(field.contents())


def hf_tokenizers(model_dir: str, gguf_name: str):
    """(tokenizer as the model's hub tokenizer.json splits, transformers' unmodified GGUF tokenizer).

    transformers builds the tokenizer of a `pre = smollm` GGUF without the Digits step of the hub's
    tokenizer.json; for those the first element puts Sequence[Digits(individual), ByteLevel] back.
    Other GGUFs (Gemma's SentencePiece, ...) keep transformers' own tokenizer in both elements."""
    from tokenizers import pre_tokenizers
    from transformers import AutoTokenizer

    default = AutoTokenizer.from_pretrained(model_dir, gguf_file=gguf_name)
    if gguf_pre_tokenizer(os.path.join(model_dir, gguf_name)) != "smollm":
        return default, default
    tok = AutoTokenizer.from_pretrained(model_dir, gguf_file=gguf_name)
    tok.backend_tokenizer.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Digits(individual_digits=True),
        pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=True, use_regex=True),
    ])
    return tok, default


def provenance(generator: str, **extra) -> dict:
    """The provenance block every fixture starts with: who made it, how, when, with which versions."""
    import datetime as _dt
    import platform
    import shlex
    import sys

    import numpy as np
    import torch

    base = {
        "generator": generator,
        "command": " ".join(shlex.quote(a) for a in [sys.executable] + sys.argv),
        "date_utc": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "transformers": version("transformers"),
        "tokenizers": version("tokenizers"),
        "gguf": version("gguf"),
        "numpy": np.__version__,
    }
    base.update(extra)
    return base

#!/usr/bin/env python3
"""K-quant blocks with gguf-py's own dequantisation beside them, as one small GGUF.

Fixture generator, never run by CI. Writes tests/data/kquant_blocks.gguf (~36 KB): for each of
Q2_K, Q3_K, Q4_K, Q5_K and Q6_K a tensor "<type>" of 3 rows x 512 elements (6 super-blocks of random
bytes whose f16 scales are set to finite values) and a tensor "<type>.ref" (F32) holding what
gguf-py's `gguf.quants.dequantize` makes of those bytes. gguf-py is an implementation independent of
ours (numpy, written by the ggml authors); tests/core/test_dequant.cpp compares the two.
Q8_K is absent: gguf-py cannot dequantise it, so it is tested against hand-computed values only.

    python3 -m venv /work/refenv && /work/refenv/bin/pip install gguf numpy
    /work/refenv/bin/python tools/make_kquant_fixture.py --out tests/data/kquant_blocks.gguf
"""

from __future__ import annotations

import argparse
import importlib.metadata

import numpy as np
import gguf
from gguf import GGMLQuantizationType as QT

SEED = 20261206
ROWS, COLS = 3, 512  # two 256-element super-blocks per row

# Byte offsets of each block's f16 fields (d, dmin) in ggml's block_q*_K structs.
HALF_FIELDS = {
    QT.Q2_K: [80, 82],   # scales[16], qs[64], d, dmin
    QT.Q3_K: [108],      # hmask[32], qs[64], scales[12], d
    QT.Q4_K: [0, 2],     # d, dmin, scales[12], qs[128]
    QT.Q5_K: [0, 2],     # d, dmin, scales[12], qh[32], qs[128]
    QT.Q6_K: [208],      # ql[128], qh[64], scales[16], d
}


def random_blocks(rng: np.random.Generator, qtype: QT) -> np.ndarray:
    block_elems, block_bytes = gguf.GGML_QUANT_SIZES[qtype]
    blocks = ROWS * COLS // block_elems
    raw = rng.integers(0, 256, size=(blocks, block_bytes), dtype=np.uint8)
    for off in HALF_FIELDS[qtype]:
        # Finite scales of both signs and several magnitudes; random bits could be NaN or inf.
        vals = (rng.uniform(0.001, 0.05, size=blocks) * rng.choice([-1.0, 1.0], size=blocks)).astype(np.float16)
        raw[:, off:off + 2] = vals.view(np.uint8).reshape(blocks, 2)
    return raw.reshape(ROWS, COLS // block_elems * block_bytes)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    rng = np.random.default_rng(SEED)
    w = gguf.GGUFWriter(args.out, arch="kquant-fixture")
    w.add_string("fixture.generator", "tools/make_kquant_fixture.py")
    w.add_string("fixture.gguf_py_version", importlib.metadata.version("gguf"))
    for qtype in HALF_FIELDS:
        raw = random_blocks(rng, qtype)
        ref = gguf.quants.dequantize(raw, qtype).astype(np.float32)
        assert ref.shape == (ROWS, COLS) and np.isfinite(ref).all(), qtype.name
        w.add_tensor(qtype.name, raw, raw_dtype=qtype)
        w.add_tensor(qtype.name + ".ref", ref)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    print("wrote", args.out)


if __name__ == "__main__":
    main()

// Reads a TokenizerSpec from GGUF metadata (tokenizer.ggml.*, formats.md §1.5). The spec is checked
// here, so a broken file is reported with its path and the metadata key at fault.
#pragma once

#include "avss/tokenizer.h"
#include "io/gguf_file.h"

namespace avss {

// Throws FormatError naming the file and the key when a required key (tokenizer.ggml.model, .tokens,
// .merges for gpt2) is missing or any key has the wrong type, a per-token array has the wrong length,
// a special id is outside the vocabulary, or a merge names symbols that are not tokens. An unknown
// model or pre-tokenizer is not an error here (Tokenizer's constructor reports it).
// Defaults for absent keys follow llama.cpp: pre "default"; add_bos true for SentencePiece ("llama")
// and the Llama-3 pre-tokenizer, else false; add_eos false.
TokenizerSpec tokenizerSpecFromGguf(const io::GgufFile& file);

// The file's tokenizer, errors prefixed "tokenizer: " and naming the file (the model loader's too).
Tokenizer tokenizerFromGguf(const io::GgufFile& file);

}  // namespace avss

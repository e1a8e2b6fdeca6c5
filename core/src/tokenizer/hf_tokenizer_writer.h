// A byte-level BPE tokenizer as Hugging Face files (tokenizer.json, tokenizer_config.json), the
// inverse of hf_tokenizer.h, so a model read from a GGUF can be exported as a folder transformers
// loads with the same token ids.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "avss/tokenizer.h"

namespace avss::tok {

// tokenizer.json: BPE with the vocabulary and merges, the pre-tokenizer row's stages (Digits, Split,
// ByteLevel; NFC for qwen2), added tokens for control and user-defined tokens, BOS/EOS as a
// TemplateProcessing post-processor. UnsupportedError for a SentencePiece (`llama`) tokenizer.
nlohmann::json hfTokenizerJson(const TokenizerSpec& spec);

// tokenizer_config.json: special tokens by text, add_bos/add_eos, chat template, context length.
nlohmann::json hfTokenizerConfig(const TokenizerSpec& spec, int contextLength);

}  // namespace avss::tok

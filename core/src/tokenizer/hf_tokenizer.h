// Reads a TokenizerSpec from a Hugging Face tokenizer.json (+ tokenizer_config.json and config.json
// for the special tokens): byte-level BPE whose pre-tokenizer is one of the table's rows. Anything the
// engine would tokenize differently (another model type, normaliser or pre-tokenizer) is refused.
#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>

#include "avss/tokenizer.h"

namespace avss {

// `file` is tokenizer.json's path (named in errors). FormatError for inconsistent content (ids with
// gaps or clashes, malformed merges), UnsupportedError for features the engine does not implement.
TokenizerSpec tokenizerSpecFromHf(const nlohmann::json& tokenizerJson, const nlohmann::json& tokenizerConfig,
                                  const nlohmann::json& modelConfig, const std::filesystem::path& file);

}  // namespace avss

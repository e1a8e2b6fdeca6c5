// A model read from a GGUF written as a Hugging Face folder transformers loads: config.json
// (hf_config_writer.h), one F32 model.safetensors in transformers' names and layouts, tokenizer.json
// and tokenizer_config.json (tok::hfTokenizerJson), generation_config.json and a manifest.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "avss/cancel.h"
#include "avss/model.h"

namespace avss::model {

// Writes the blocks `kept` (original numbers, ascending; kept[i] becomes layer i) of `model`, which was
// read from a GGUF, into the new folder `out`. Weights are dequantised to F32 and put back into
// transformers' conventions: llama Q/K rows un-permuted, Gemma norms as w for 1 + w, GPT-2 Conv1D
// weights [in, out]. UsageError when `out` exists, UnsupportedError for what a folder cannot hold
// (hf_config_writer.h, a SentencePiece tokenizer); the folder is removed on any error or cancel.
std::uint64_t writeHfFolderFromGguf(const Model& model, const std::vector<int>& kept, const std::string& manifestKey,
                                    const nlohmann::json& manifest, const std::filesystem::path& out, const CancelToken* cancel);

}  // namespace avss::model

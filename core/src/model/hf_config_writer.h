// HyperParams → config.json for transformers (the inverse of hf_hparams.h), so a model read from a
// GGUF can be exported as a Hugging Face folder. One place knows which transformers class and keys
// each architecture row takes.
#pragma once

#include <nlohmann/json.hpp>

#include <vector>

#include "avss/model.h"
#include "avss/tokenizer.h"

namespace avss::model {

// config.json for the kept blocks (original numbers, ascending) of the model `info` describes.
// UnsupportedError for what config.json cannot express: Llama 3.1's per-frequency RoPE factors
// (rope_freqs.weight; the scaling parameters that made them are not in the GGUF).
nlohmann::json hfConfigFor(const ModelInfo& info, const TokenizerSpec& tokenizer, const std::vector<int>& kept);

}  // namespace avss::model

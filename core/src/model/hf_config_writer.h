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
// `ropeFreqs` holds the GGUF's rope_freqs.weight (Llama 3.1+; empty when absent): it becomes
// rope_scaling "llama3" with parameters fitted to reproduce it (llama3ScalingFor), or an
// UnsupportedError when no such parameters exist.
nlohmann::json hfConfigFor(const ModelInfo& info, const TokenizerSpec& tokenizer, const std::vector<int>& kept, const std::vector<float>& ropeFreqs);

}  // namespace avss::model

// Reading a Hugging Face config.json into the architecture row and HyperParams the forward pass uses,
// with the same bounds as the GGUF reader. Every config feature the engine does not implement is
// refused by name (UnsupportedError), never run approximately.
#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "avss/hyper_params.h"
#include "model/arch_traits.h"

namespace avss::model {

struct HfModelConfig {
    const ArchTraits* arch = nullptr;
    std::string modelType;          // config.json's model_type ("mistral" runs on the llama row)
    HyperParams hp;
    std::optional<bool> tiedEmbeddings;  // tie_word_embeddings; absent: tied when lm_head.weight is absent
    // Llama 3 RoPE scaling as per-frequency divisors, computed the way llama.cpp's converter writes
    // rope_freqs.weight (hp.ropeFreqFactors is set when non-empty).
    std::vector<float> ropeFreqFactors;
    std::string activationName;     // as the config names it
    bool textOfMultimodal = false;  // the text stack of a vision-language folder (Gemma 3 4B-27B: text_config)
};

// Llama 3's RoPE scaling parameters (rope_type "llama3") and the per-frequency divisors they give,
// as llama.cpp's converter writes them into rope_freqs.weight.
struct Llama3Rope {
    double factor = 8.0, low = 1.0, high = 4.0, original = 8192.0;  // factor, low/high_freq_factor, original_max_position_embeddings
};
std::vector<float> llama3RopeDivisors(const Llama3Rope& params, double base, int headDim);

// The config.json key holding the block count ("num_hidden_layers"; GPT-2: "n_layer").
const char* hfLayerCountKey(const ArchTraits& arch);

// `config` is config.json's content; `file` names it in errors.
HfModelConfig readHfConfig(const nlohmann::json& config, const std::filesystem::path& file);

}  // namespace avss::model

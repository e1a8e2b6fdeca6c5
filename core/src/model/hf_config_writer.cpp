// config.json from HyperParams (see hf_config_writer.h). Keys are transformers' for each class;
// hf_hparams.cpp reads every one of them back to the same HyperParams (tests/core/test_hf_gguf_export.cpp).
#include "model/hf_config_writer.h"

#include <cstdint>
#include <string>

#include "avss/error.h"
#include "model/arch_traits.h"

namespace avss::model {
namespace {

using nlohmann::json;

struct HfClass {
    const char* arch;  // the architecture row
    const char* modelType;
    const char* className;
};
constexpr HfClass kClasses[] = {
    {"llama", "llama", "LlamaForCausalLM"},   {"qwen2", "qwen2", "Qwen2ForCausalLM"},         {"gemma", "gemma", "GemmaForCausalLM"},
    {"gemma2", "gemma2", "Gemma2ForCausalLM"}, {"gemma3", "gemma3_text", "Gemma3ForCausalLM"}, {"phi3", "phi3", "Phi3ForCausalLM"},
    {"gpt2", "gpt2", "GPT2LMHeadModel"},
};

json orNull(double v) { return v > 0.0 ? json(v) : json(); }

json gpt2Config(const HyperParams& hp, int layers) {
    return {{"n_layer", layers}, {"n_embd", hp.hidden}, {"n_head", hp.heads}, {"n_inner", hp.ffn}, {"n_positions", hp.contextLength},
            {"n_ctx", hp.contextLength}, {"layer_norm_epsilon", hp.normEps}, {"activation_function", "gelu_new"}};
}

}  // namespace

json hfConfigFor(const ModelInfo& info, const TokenizerSpec& tok, const std::vector<int>& kept) {
    const auto& hp = info.hparams;
    const auto& arch = archTraits(info.arch, info.path.string());
    if (hp.ropeFreqFactors) {
        throw UnsupportedError(info.path, "its per-frequency RoPE factors (rope_freqs.weight, Llama 3.1-style scaling) cannot be written as config.json",
                               "The scaling parameters that made them are not in the GGUF; export this model as GGUF.");
    }
    const HfClass* cls = nullptr;
    for (const auto& c : kClasses) {
        if (info.arch == c.arch) cls = &c;
    }
    if (cls == nullptr) throw UnsupportedError(info.path, "architecture '" + info.arch + "' has no Hugging Face class here");
    // Mistral is a llama row with a window; LlamaConfig has no sliding_window.
    const std::string modelType = info.arch == "llama" && hp.slidingWindow > 0 ? "mistral" : cls->modelType;
    const std::string className = modelType == "mistral" ? "MistralForCausalLM" : cls->className;
    const int layers = static_cast<int>(kept.size());
    json c = arch.learnedPositions ? gpt2Config(hp, layers)
                                   : json{{"hidden_size", hp.hidden}, {"intermediate_size", hp.ffn}, {"num_hidden_layers", layers},
                                          {"num_attention_heads", hp.heads}, {"num_key_value_heads", hp.kvHeads}, {"head_dim", hp.headDim},
                                          {"max_position_embeddings", hp.contextLength}, {"rms_norm_eps", hp.normEps}, {"rope_theta", hp.ropeBase}};
    c["model_type"] = modelType;
    c["architectures"] = {className};
    c["vocab_size"] = hp.vocab;
    c["tie_word_embeddings"] = info.tiedEmbeddings;
    c["torch_dtype"] = "float32";
    if (tok.bosId >= 0) c["bos_token_id"] = tok.bosId;
    if (tok.eosId >= 0) c["eos_token_id"] = tok.eosId;
    if (tok.padId >= 0) c["pad_token_id"] = tok.padId;
    if (arch.learnedPositions) return c;
    const bool gemma = arch.activation == Activation::GeluTanh;
    c["hidden_act"] = gemma ? "gelu_pytorch_tanh" : "silu";
    if (gemma) c["hidden_activation"] = "gelu_pytorch_tanh";
    if (hp.ropeLinearFactor != 1.0) c["rope_scaling"] = {{"rope_type", "linear"}, {"factor", hp.ropeLinearFactor}};
    if (modelType == "qwen2") c["use_sliding_window"] = false;
    if (hp.slidingWindow > 0) c["sliding_window"] = hp.slidingWindow;
    else if (modelType == "phi3" || modelType == "mistral") c["sliding_window"] = nullptr;
    if (!hp.slidingLayers.empty()) {
        json kinds = json::array();
        for (int l : kept) kinds.push_back(hp.slidingLayers[static_cast<std::size_t>(l)] ? "sliding_attention" : "full_attention");
        c["layer_types"] = kinds;
    }
    if (arch.hfGemmaAttention) {
        const double scalar = hp.queryScalar > 0.0 ? hp.queryScalar : static_cast<double>(hp.headDim);
        c["query_pre_attn_scalar"] = static_cast<std::int64_t>(scalar);  // transformers 5 insists on an integer
        if (static_cast<double>(static_cast<std::int64_t>(scalar)) != scalar) {
            throw UnsupportedError(info.path, "query scale 1/sqrt(" + std::to_string(scalar) + ") has no integer query_pre_attn_scalar");
        }
        c["attn_logit_softcapping"] = orNull(hp.attnSoftcap);
        c["final_logit_softcapping"] = orNull(hp.finalSoftcap);
    }
    if (hp.slidingRopeBase > 0.0) c["rope_local_base_freq"] = hp.slidingRopeBase;
    return c;
}

}  // namespace avss::model

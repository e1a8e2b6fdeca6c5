// config.json from HyperParams (see hf_config_writer.h). Keys are transformers' for each class;
// hf_hparams.cpp reads every one of them back to the same HyperParams (tests/core/test_hf_gguf_export.cpp).
#include "model/hf_config_writer.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>

#include "avss/error.h"
#include "model/arch_traits.h"
#include "model/hf_hparams.h"

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

// Llama 3 parameters that give `divisors`. Between the two wavelength thresholds a divisor d is
// 1 / ((1 − s)/f + s) with s = original/(wavelength·(high − low)) − low/(high − low), a line in
// 1/wavelength. Two or more such points fix it (original is then set to 8192: only the ratios
// matter); with fewer, Llama 3's own low 1 and high 4 are assumed and original solved for. The
// caller checks that the result reproduces every divisor.
std::optional<Llama3Rope> fitLlama3(const std::vector<float>& divisors, double base, int headDim) {
    const double f = *std::max_element(divisors.begin(), divisors.end());
    if (!(f > 1.0) || std::abs(divisors.front() - 1.0f) > 1e-6f) return std::nullopt;
    std::vector<std::pair<double, double>> points;  // (1/wavelength, s)
    double longestUnscaled = 0.0, shortestScaled = 1e300;
    for (std::size_t i = 0; i < divisors.size(); ++i) {
        const double d = divisors[i];
        const double wavelen = 2.0 * 3.14159265358979323846 * std::pow(base, 2.0 * static_cast<double>(i) / headDim);
        if (d <= 1.0 + 1e-5) longestUnscaled = std::max(longestUnscaled, wavelen);
        else if (d >= f * (1.0 - 1e-5)) shortestScaled = std::min(shortestScaled, wavelen);
        else points.emplace_back(1.0 / wavelen, (1.0 / d - 1.0 / f) / (1.0 - 1.0 / f));
    }
    Llama3Rope p;
    p.factor = f;
    if (points.size() >= 2) {
        double sx = 0, sy = 0, sxx = 0, sxy = 0;
        for (const auto& [x, y] : points) sx += x, sy += y, sxx += x * x, sxy += x * y;
        const double n = static_cast<double>(points.size());
        const double a = (n * sxy - sx * sy) / (n * sxx - sx * sx), b = (a * sx - sy) / n;  // s = a/wavelength − b
        if (!(a > 0.0) || !(b > 0.0)) return std::nullopt;
        p.original = 8192.0;
        const double span = p.original / a;  // high − low
        const auto tidy = [](double v) { return std::round(v * 1e6) / 1e6; };  // fp32 divisors: 1 and 4 come back as 0.99999997, 4.00000008
        p.low = tidy(b * span);
        p.high = tidy(b * span + span);
        return p;
    }
    p.low = 1.0;
    p.high = 4.0;
    if (points.size() == 1) p.original = std::round((3.0 * points[0].second + 1.0) / points[0].first);  // s = original/(3·wavelength) − 1/3
    else if (4.0 * longestUnscaled < shortestScaled) p.original = std::round(std::sqrt(4.0 * longestUnscaled * shortestScaled));
    else return std::nullopt;
    return p;
}

json llama3ScalingFor(const ModelInfo& info, const std::vector<float>& divisors) {
    const auto& hp = info.hparams;
    const auto fitted = fitLlama3(divisors, hp.ropeBase, hp.headDim);
    bool same = fitted.has_value();
    if (fitted) {
        const auto again = llama3RopeDivisors(*fitted, hp.ropeBase, hp.headDim);
        for (std::size_t i = 0; i < again.size() && same; ++i) same = std::abs(again[i] - divisors[i]) <= 1e-5f * divisors[i];
    }
    if (!same) {
        throw UnsupportedError(info.path, "its per-frequency RoPE factors (rope_freqs.weight) are not those of any Llama 3 scaling, so config.json cannot express them",
                               "Export this model as GGUF.");
    }
    return {{"rope_type", "llama3"}, {"factor", fitted->factor}, {"low_freq_factor", fitted->low}, {"high_freq_factor", fitted->high},
            {"original_max_position_embeddings", static_cast<int>(fitted->original)}};
}

json gpt2Config(const HyperParams& hp, int layers) {
    return {{"n_layer", layers}, {"n_embd", hp.hidden}, {"n_head", hp.heads}, {"n_inner", hp.ffn}, {"n_positions", hp.contextLength},
            {"n_ctx", hp.contextLength}, {"layer_norm_epsilon", hp.normEps}, {"activation_function", "gelu_new"}};
}

}  // namespace

json hfConfigFor(const ModelInfo& info, const TokenizerSpec& tok, const std::vector<int>& kept, const std::vector<float>& ropeFreqs) {
    const auto& hp = info.hparams;
    const auto& arch = archTraits(info.arch, info.path.string());
    if (hp.ropeFreqFactors && (hp.ropeLinearFactor != 1.0 || ropeFreqs.size() != static_cast<std::size_t>(hp.headDim / 2))) {
        throw UnsupportedError(info.path, "its RoPE scaling (rope_freqs.weight with linear scaling, or of another length) cannot be written as config.json",
                               "Export this model as GGUF.");
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
    if (hp.ropeFreqFactors) c["rope_scaling"] = llama3ScalingFor(info, ropeFreqs);
    if (hp.yarn) {
        c["rope_scaling"] = {{"rope_type", "yarn"}, {"factor", hp.yarn->factor}, {"original_max_position_embeddings", static_cast<std::int64_t>(hp.yarn->originalContext)},
                             {"beta_fast", hp.yarn->betaFast}, {"beta_slow", hp.yarn->betaSlow}, {"attention_factor", hp.ropeAttentionFactor},
                             {"truncate", hp.yarn->truncate}};
    }
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

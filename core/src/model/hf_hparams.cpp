// config.json → HyperParams. Key names and defaults follow transformers' configuration classes for
// the families in the architecture table; ranges are the GGUF reader's.
#include "model/hf_hparams.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "avss/error.h"
#include "model/hparams.h"

namespace avss::model {
namespace {

using nlohmann::json;

constexpr std::int64_t kMaxLayers = 512;
constexpr std::int64_t kMaxWidth = 1 << 17;
constexpr std::int64_t kMaxVocab = 1 << 21;
constexpr double kPi = 3.14159265358979323846;

class ConfigReader {
public:
    ConfigReader(const json& j, const std::filesystem::path& file) : m_j(j), m_file(file) {}

    bool has(const char* key) const { return m_j.contains(key) && !m_j[key].is_null(); }
    bool present(const char* key) const { return m_j.contains(key); }  // possibly null
    const json& at(const char* key) const { return m_j[key]; }

    [[noreturn]] void fail(const std::string& key, const std::string& what) const {
        throw FormatError(m_file, "key '" + key + "' " + what, "The folder is not a complete model; download it again.");
    }
    [[noreturn]] void refuse(const std::string& feature) const {
        throw UnsupportedError(m_file, feature + " is not supported",
                               "The engine refuses what it does not implement rather than run the model approximately.");
    }

    int integer(const char* key, std::int64_t lo, std::int64_t hi) const {
        if (!has(key)) fail(key, "is missing");
        if (!m_j[key].is_number_integer()) fail(key, "is " + m_j[key].dump() + ", not an integer");
        const auto v = m_j[key].get<std::int64_t>();
        if (v < lo || v > hi) fail(key, "is " + std::to_string(v) + ", outside the supported range " + std::to_string(lo) + ".." + std::to_string(hi));
        return static_cast<int>(v);
    }
    int integerOr(const char* key, int fallback, std::int64_t lo, std::int64_t hi) const { return has(key) ? integer(key, lo, hi) : fallback; }

    double number(const json& v, const std::string& key) const {
        if (!v.is_number()) fail(key, "is " + v.dump() + ", not a number");
        return v.get<double>();
    }
    double numberOr(const char* key, double fallback) const { return has(key) ? number(m_j[key], key) : fallback; }
    bool flag(const char* key) const {
        if (!has(key)) return false;
        if (!m_j[key].is_boolean()) fail(key, "is " + m_j[key].dump() + ", not true or false");
        return m_j[key].get<bool>();
    }
    std::string text(const char* key) const {
        if (!has(key)) return {};
        if (!m_j[key].is_string()) fail(key, "is " + m_j[key].dump() + ", not a string");
        return m_j[key].get<std::string>();
    }

private:
    const json& m_j;
    const std::filesystem::path& m_file;
};

// The activation the config names must be the row's (transformers' names for the same function).
void checkActivation(const ConfigReader& c, const ArchTraits& arch, HfModelConfig& out) {
    // Gemma reads hidden_activation; older Gemma configs leave it unset and transformers then runs
    // gelu_pytorch_tanh whatever hidden_act says.
    const bool gemma = std::string_view(arch.name).rfind("gemma", 0) == 0;
    const char* key = gemma && c.has("hidden_activation") ? "hidden_activation" : "hidden_act";
    out.activationName = gemma && !c.has("hidden_activation") ? "gelu_pytorch_tanh" : c.text(key);
    if (out.activationName.empty()) out.activationName = "silu";  // transformers' default for these families
    const std::set<std::string> ok = arch.activation == Activation::Silu ? std::set<std::string>{"silu", "swish"}
                                                                         : std::set<std::string>{"gelu_pytorch_tanh", "gelu_new", "gelu_fast"};
    if (!ok.count(out.activationName)) c.refuse("activation '" + out.activationName + "' (" + key + ") for model_type '" + out.modelType + "'");
}

// YaRN (yarnDivisors, model/hparams.h): config.json's parameters, with transformers' defaults and its
// mscale/mscale_all_dim rule for the attention factor.
template <typename Param>
void readYarn(const ConfigReader& c, const json& s, const std::string& key, const Param& param, HfModelConfig& out) {
    auto& hp = out.hp;
    YarnScaling y;
    y.factor = param("factor", 0.0);
    if (!(y.factor >= 1.0 && y.factor <= 1e6)) c.fail(key + ".factor", "is missing or out of range [1, 1e6]");
    y.originalContext = param("original_max_position_embeddings", static_cast<double>(hp.contextLength));
    const auto mscale = [](double scale, double m) { return scale <= 1.0 ? 1.0 : 0.1 * m * std::log(scale) + 1.0; };
    double attention = param("attention_factor", 0.0);
    if (attention == 0.0) {
        const double m = param("mscale", 0.0), mAll = param("mscale_all_dim", 0.0);
        attention = m != 0.0 && mAll != 0.0 ? mscale(y.factor, m) / mscale(y.factor, mAll) : yarnDefaultAttention(y.factor);
    }
    y.betaFast = param("beta_fast", 0.0) != 0.0 ? param("beta_fast", 0.0) : 32.0;  // transformers: `or 32`
    y.betaSlow = param("beta_slow", 0.0) != 0.0 ? param("beta_slow", 0.0) : 1.0;
    if (!(y.originalContext >= 1.0 && attention > 0.0 && y.betaFast > 0.0 && y.betaSlow > 0.0)) c.fail(key, "holds yarn parameters that are not positive");
    y.truncate = !s.contains("truncate") || !s["truncate"].is_boolean() || s["truncate"].get<bool>();
    hp.yarn = y;
    hp.ropeAttentionFactor = attention;
}

// One RoPE parameter object (rope_scaling or rope_parameters): its rope_theta wins; type default,
// linear, llama3 or yarn.
void readRopeObject(const ConfigReader& c, const json& s, const std::string& key, HfModelConfig& out) {
    auto& hp = out.hp;
    if (!s.is_object()) c.fail(key, "is " + s.dump() + ", not an object");
    if (s.contains("rope_theta")) hp.ropeBase = c.number(s["rope_theta"], key + ".rope_theta");
    const std::string type = s.contains("rope_type") ? s.value("rope_type", "") : s.value("type", "default");
    auto param = [&](const char* name, double fallback) {
        return s.contains(name) && !s[name].is_null() ? c.number(s[name], key + "." + name) : fallback;
    };
    if (type == "default") return;
    if (type == "linear") {
        hp.ropeLinearFactor = param("factor", 0.0);
        if (!(hp.ropeLinearFactor >= 1e-3 && hp.ropeLinearFactor <= 1e6)) c.fail(key + ".factor", "is missing or out of range [0.001, 1e6]");
        return;
    }
    if (type == "yarn") return readYarn(c, s, key, param, out);
    if (type != "llama3") c.refuse("RoPE scaling type '" + type + "' (" + key + "); supported: default, linear, llama3, yarn");
    const double factor = param("factor", 8.0), low = param("low_freq_factor", 1.0), high = param("high_freq_factor", 4.0);
    const double original = param("original_max_position_embeddings", 8192.0);
    if (!(factor > 0.0 && low > 0.0 && high > low && original >= 1.0)) {
        c.fail(key, "holds llama3 parameters that are not positive with high_freq_factor > low_freq_factor");
    }
    out.ropeFreqFactors = llama3RopeDivisors(Llama3Rope{factor, low, high, original}, hp.ropeBase, hp.headDim);
    hp.ropeFreqFactors = true;
}

// rope_scaling (transformers 4) or rope_parameters (transformers 5, per layer kind for Gemma 3).
// Gemma 3's sliding blocks take rope_local_base_freq, unscaled.
void readRope(const ConfigReader& c, HfModelConfig& out) {
    auto& hp = out.hp;
    const bool gemma3 = out.modelType == "gemma3_text";
    hp.ropeBase = c.numberOr("rope_theta", gemma3 ? 1000000.0 : 10000.0);  // transformers' defaults for the listed families
    const double localBase = c.numberOr("rope_local_base_freq", 10000.0);
    if (gemma3) hp.slidingRopeBase = localBase;
    const char* key = c.has("rope_parameters") ? "rope_parameters" : "rope_scaling";
    if (!c.has(key)) return;
    const json& s = c.at(key);
    if (!(s.is_object() && (s.contains("full_attention") || s.contains("sliding_attention")))) return readRopeObject(c, s, key, out);
    if (!gemma3) c.refuse(std::string("per-layer-kind RoPE parameters (") + key + ") for model_type '" + out.modelType + "'");
    if (s.contains("full_attention")) readRopeObject(c, s["full_attention"], std::string(key) + ".full_attention", out);
    if (!s.contains("sliding_attention")) return;
    const json& local = s["sliding_attention"];
    const std::string localKey = std::string(key) + ".sliding_attention";
    if (!local.is_object()) c.fail(localKey, "is " + local.dump() + ", not an object");
    if (local.value("rope_type", std::string("default")) != "default") c.refuse("RoPE scaling of the sliding blocks (" + localKey + ")");
    if (local.contains("rope_theta")) hp.slidingRopeBase = c.number(local["rope_theta"], localKey + ".rope_theta");
}

// Gemma 2/3: which blocks slide (layer_types, else every sliding_window_pattern-th block is global),
// the query scale, and tanh softcapping, with transformers' defaults for absent keys.
void readGemmaAttention(const ConfigReader& c, HfModelConfig& out) {
    auto& hp = out.hp;
    const bool gemma2 = out.modelType == "gemma2";
    hp.slidingWindow = c.integerOr("sliding_window", 4096, 1, 1 << 24);
    if (c.has("layer_types")) {
        const json& kinds = c.at("layer_types");
        if (!kinds.is_array() || static_cast<int>(kinds.size()) != hp.layers) c.fail("layer_types", "is not a list of num_hidden_layers entries");
        for (const auto& k : kinds) {
            const auto kind = k.is_string() ? k.get<std::string>() : k.dump();
            if (kind != "sliding_attention" && kind != "full_attention") c.refuse("layer_types entry '" + kind + "'");
            hp.slidingLayers.push_back(kind == "sliding_attention");
        }
    } else {
        const int period = gemma2 ? out.arch->slidingPeriod : c.integerOr("sliding_window_pattern", out.arch->slidingPeriod, 1, kMaxLayers);
        for (int l = 0; l < hp.layers; ++l) hp.slidingLayers.push_back(l % period < period - 1);
    }
    auto capOr = [&](const char* key, double fallback) {
        if (!c.has(key)) return c.present(key) ? 0.0 : fallback;  // null: no softcapping
        const double v = c.number(c.at(key), key);
        if (!(v > 0.0 && v < 1e6)) c.fail(key, "is " + std::to_string(v) + ", outside (0, 1e6)");
        return v;
    };
    hp.attnSoftcap = capOr("attn_logit_softcapping", gemma2 ? 50.0 : 0.0);
    hp.finalSoftcap = capOr("final_logit_softcapping", gemma2 ? 30.0 : 0.0);
    hp.queryScalar = c.numberOr("query_pre_attn_scalar", 256.0);
    if (!(hp.queryScalar > 0.0 && hp.queryScalar < 1e6)) c.fail("query_pre_attn_scalar", "is out of range (0, 1e6)");
}

// Mistral and Phi-3 honour sliding_window; Qwen2 only with use_sliding_window, which is refused (its
// max_window_layers split is not implemented). Per-layer kinds must all agree.
void readWindow(const ConfigReader& c, HfModelConfig& out) {
    if (out.arch->hfGemmaAttention) return readGemmaAttention(c, out);
    const auto& t = out.modelType;
    if (c.flag("use_sliding_window")) c.refuse("use_sliding_window (per-layer sliding windows of " + t + ")");
    if ((t == "mistral" || t == "phi3") && c.has("sliding_window")) out.hp.slidingWindow = c.integer("sliding_window", 1, 1 << 24);
    if (!c.has("layer_types")) return;
    const json& kinds = c.at("layer_types");
    if (!kinds.is_array() || static_cast<int>(kinds.size()) != out.hp.layers) c.fail("layer_types", "is not a list of num_hidden_layers entries");
    std::set<std::string> seen;
    for (const auto& k : kinds) seen.insert(k.is_string() ? k.get<std::string>() : k.dump());
    if (seen.size() > 1) c.refuse("mixed per-layer attention kinds (layer_types)");
    const auto kind = *seen.begin();
    if (kind == "full_attention") out.hp.slidingWindow = 0;
    else if (kind != "sliding_attention" || out.hp.slidingWindow == 0) c.refuse("layer_types '" + kind + "' without a sliding_window");
}

void refuseUnimplemented(const ConfigReader& c, const HfModelConfig& out) {
    if (c.flag("attention_bias") && !out.arch->qkvBias) c.refuse("attention_bias (biases on every attention projection)");
    if (c.flag("mlp_bias")) c.refuse("mlp_bias (biases on the MLP projections)");
    if (c.flag("use_bidirectional_attention")) c.refuse("use_bidirectional_attention (attention without the causal mask)");
    if (c.has("quantization_config")) {  // GPTQ, AWQ, bitsandbytes, fp8: packed weights under other tensor names
        const auto& q = c.at("quantization_config");
        c.refuse("a quantized checkpoint (quantization_config, quant_method '" +
                 (q.is_object() && q.contains("quant_method") && q["quant_method"].is_string() ? q["quant_method"].get<std::string>() : std::string("?")) +
                 "'); load its unquantized folder or a GGUF");
    }
    const bool gemmaKeys = out.arch->hfGemmaAttention;  // read by readGemmaAttention; other families' classes lack them
    for (const char* key : {"attn_logit_softcapping", "final_logit_softcapping"}) {
        if (c.has(key) && !gemmaKeys) c.refuse(std::string("logit softcapping (") + key + ")");
    }
    if (c.has("partial_rotary_factor") && c.number(c.at("partial_rotary_factor"), "partial_rotary_factor") != 1.0) {
        c.refuse("partial rotary embeddings (partial_rotary_factor)");
    }
    if (!gemmaKeys && c.has("query_pre_attn_scalar") && c.number(c.at("query_pre_attn_scalar"), "query_pre_attn_scalar") != out.hp.headDim) {
        c.refuse("query_pre_attn_scalar different from head_dim");
    }
}

// GPT-2's config keeps its own key names; n_inner null means 4 × n_embd. Its attention variants that
// change the arithmetic are refused.
void readGpt2(const ConfigReader& c, HfModelConfig& out) {
    auto& hp = out.hp;
    hp.layers = c.integer("n_layer", 1, kMaxLayers);
    hp.hidden = c.integer("n_embd", 1, kMaxWidth);
    hp.ffn = c.has("n_inner") ? c.integer("n_inner", 1, kMaxWidth * 8) : 4 * hp.hidden;
    hp.heads = c.integer("n_head", 1, 4096);
    hp.kvHeads = hp.heads;
    if (hp.hidden % hp.heads != 0) c.fail("n_head", "does not divide n_embd");
    hp.headDim = hp.hidden / hp.heads;
    hp.vocab = c.integer("vocab_size", 1, kMaxVocab);
    hp.contextLength = c.integer("n_positions", 1, 1 << 20);
    hp.normEps = c.numberOr("layer_norm_epsilon", 1e-5);
    if (!(hp.normEps > 0.0 && hp.normEps < 1.0)) c.fail("layer_norm_epsilon", "is out of range (0, 1)");
    hp.learnedPositions = true;
    out.activationName = c.has("activation_function") ? c.text("activation_function") : "gelu_new";
    if (out.activationName != "gelu_new" && out.activationName != "gelu_pytorch_tanh" && out.activationName != "gelu_fast") {
        c.refuse("activation '" + out.activationName + "' (activation_function) for model_type 'gpt2'");
    }
    if (c.present("scale_attn_weights") && !c.flag("scale_attn_weights")) c.refuse("scale_attn_weights false (unscaled attention scores)");
    if (c.flag("scale_attn_by_inverse_layer_idx")) c.refuse("scale_attn_by_inverse_layer_idx (scores scaled per layer)");
    if (c.flag("add_cross_attention")) c.refuse("add_cross_attention (an encoder-decoder GPT-2)");
    if (c.has("tie_word_embeddings")) out.tiedEmbeddings = c.flag("tie_word_embeddings");
}

HfModelConfig readConfig(const json& config, const std::filesystem::path& file) {
    const ConfigReader c(config, file);
    HfModelConfig out;
    out.modelType = c.text("model_type");
    if (out.modelType.empty()) c.fail("model_type", "is missing");
    // Gemma 3 with vision (4B-27B): the text stack is a gemma3_text model under text_config; the
    // vision tower's tensors stay unused.
    if (out.modelType == "gemma3" && c.has("text_config") && c.at("text_config").is_object()) {
        auto text = c.at("text_config");
        text["model_type"] = "gemma3_text";
        if (!text.contains("tie_word_embeddings") && c.has("tie_word_embeddings")) text["tie_word_embeddings"] = c.at("tie_word_embeddings");
        auto inner = readConfig(text, file);
        inner.textOfMultimodal = true;
        return inner;
    }
    out.arch = &archTraitsForModelType(out.modelType, file.string());
    if (out.arch->learnedPositions) {
        readGpt2(c, out);
        refuseUnimplemented(c, out);  // quantized checkpoints and the other refusals hold for GPT-2 too
        return out;
    }
    auto& hp = out.hp;
    hp.layers = c.integer("num_hidden_layers", 1, kMaxLayers);
    hp.hidden = c.integer("hidden_size", 1, kMaxWidth);
    hp.ffn = c.integer("intermediate_size", 1, kMaxWidth * 8);
    hp.heads = c.integer("num_attention_heads", 1, 4096);
    hp.kvHeads = c.integerOr("num_key_value_heads", hp.heads, 1, 4096);
    if (hp.heads % hp.kvHeads != 0) {
        c.fail("num_key_value_heads", "(" + std::to_string(hp.kvHeads) + ") does not divide num_attention_heads (" + std::to_string(hp.heads) + ")");
    }
    if (!c.has("head_dim") && hp.hidden % hp.heads != 0) c.fail("head_dim", "is missing and hidden_size is not a multiple of num_attention_heads");
    hp.headDim = c.integerOr("head_dim", hp.hidden / hp.heads, 2, 4096);
    if (hp.headDim % 2 != 0) c.fail("head_dim", "is odd; rotary embeddings need an even head size");
    hp.vocab = c.integer("vocab_size", 1, kMaxVocab);
    hp.contextLength = c.integerOr("max_position_embeddings", 2048, 1, 1 << 24);
    if (!c.has("rms_norm_eps")) c.fail("rms_norm_eps", "is missing");
    hp.normEps = c.number(c.at("rms_norm_eps"), "rms_norm_eps");
    readRope(c, out);
    if (!(hp.ropeBase > 1.0) || !(hp.normEps > 0.0 && hp.normEps < 1.0)) c.fail("rope_theta", "or rms_norm_eps is out of range");
    readWindow(c, out);
    checkActivation(c, *out.arch, out);
    refuseUnimplemented(c, out);
    if (c.has("tie_word_embeddings")) out.tiedEmbeddings = c.flag("tie_word_embeddings");
    return out;
}

}  // namespace

std::vector<float> llama3RopeDivisors(const Llama3Rope& p, double base, int headDim) {
    std::vector<float> out;
    const double lowWavelen = p.original / p.low, highWavelen = p.original / p.high;
    for (int i = 0; i < headDim; i += 2) {
        const double freq = 1.0 / std::pow(base, static_cast<double>(i) / headDim);
        const double wavelen = 2.0 * kPi / freq;
        double divisor = 1.0;
        if (wavelen > lowWavelen) {
            divisor = p.factor;
        } else if (wavelen >= highWavelen) {
            const double smooth = (p.original / wavelen - p.low) / (p.high - p.low);
            divisor = 1.0 / ((1.0 - smooth) / p.factor + smooth);
        }
        out.push_back(static_cast<float>(divisor));
    }
    return out;
}

const char* hfLayerCountKey(const ArchTraits& arch) { return arch.learnedPositions ? "n_layer" : "num_hidden_layers"; }

HfModelConfig readHfConfig(const json& config, const std::filesystem::path& file) {
    try {
        return readConfig(config, file);
    } catch (const json::exception& e) {  // a field of an unexpected JSON type somewhere the checks do not look
        throw FormatError(file, std::string("unexpected content (") + e.what() + ")", "The folder is not a complete model; download it again.");
    }
}

}  // namespace avss::model

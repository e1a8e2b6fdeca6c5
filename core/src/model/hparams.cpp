// GGUF → HyperParams with range checks (llama.cpp was once exploited through an unchecked block_count).
#include "model/hparams.h"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>
#include <variant>

#include "avss/error.h"

namespace avss::model {
namespace {

constexpr std::int64_t kMaxLayers = 512;
constexpr std::int64_t kMaxWidth = 1 << 17;
constexpr std::int64_t kMaxVocab = 1 << 21;

int requireInt(const io::GgufFile& f, const std::string& key, std::int64_t lo, std::int64_t hi) {
    const auto v = f.getInt(key);
    if (!v) throw FormatError(f.path(), "metadata key '" + key + "' is missing", "The file is not a complete model.");
    if (*v < lo || *v > hi) {
        throw FormatError(f.path(), "metadata key '" + key + "' is " + std::to_string(*v) + ", outside the supported range " +
                                        std::to_string(lo) + ".." + std::to_string(hi));
    }
    return static_cast<int>(*v);
}

int optionalInt(const io::GgufFile& f, const std::string& key, int fallback, std::int64_t lo, std::int64_t hi) {
    return f.find(key) ? requireInt(f, key, lo, hi) : fallback;
}

// llama.cpp's YaRN keys; extensions of it (DeepSeek's log multiplier, another extrapolation mix) are refused.
void readYarn(const io::GgufFile& f, const std::string& a, HyperParams& hp) {
    const std::string s = a + ".rope.scaling.";
    const auto factor = f.getFloat(s + "factor");
    if (!factor) throw FormatError(f.path(), s + "type is 'yarn' but " + s + "factor is missing");
    if (!(*factor >= 1.0 && *factor <= 1e6)) throw FormatError(f.path(), "YaRN factor " + std::to_string(*factor) + " is out of range [1, 1e6]");
    for (const char* key : {"yarn_log_multiplier", "yarn_ext_factor"}) {
        const double neutral = std::string(key) == "yarn_ext_factor" ? 1.0 : 0.0;
        if (const auto v = f.getFloat(s + key); v && *v != neutral) {
            throw UnsupportedError(f.path().string(), "YaRN with " + s + key + " = " + std::to_string(*v) + " is not supported",
                                   "Only llama.cpp's plain YaRN (factor, original context, beta_fast/slow, attention factor) runs here.");
        }
    }
    YarnScaling y;
    y.factor = *factor;
    y.originalContext = static_cast<double>(optionalInt(f, s + "original_context_length", hp.contextLength, 1, std::int64_t{1} << 31));
    y.betaFast = f.getFloat(s + "yarn_beta_fast").value_or(32.0);
    y.betaSlow = f.getFloat(s + "yarn_beta_slow").value_or(1.0);
    const double attention = f.getFloat(s + "yarn_attn_factor").value_or(1.0);
    if (!(y.betaFast > 0.0 && y.betaSlow > 0.0 && attention > 0.0)) throw FormatError(f.path(), "YaRN parameters under " + s + " must be positive");
    hp.yarn = y;
    hp.ropeAttentionFactor = attention * yarnDefaultAttention(y.factor);  // llama.cpp: attn_factor × (1 + 0.1 ln factor)
}

// Scaling kinds llama.cpp's converters write; anything else must be refused, never run unscaled.
void readRopeScaling(const io::GgufFile& f, const std::string& a, HyperParams& hp) {
    const std::string typeKey = a + ".rope.scaling.type";
    const std::string type = f.getString(typeKey).value_or("none");
    if (type == "yarn") {
        readYarn(f, a, hp);
    } else if (type == "linear") {
        const auto factor = f.getFloat(a + ".rope.scaling.factor");
        if (!factor) throw FormatError(f.path(), typeKey + " is 'linear' but " + a + ".rope.scaling.factor is missing");
        hp.ropeLinearFactor = *factor;
    } else if (type == "none") {
        hp.ropeLinearFactor = f.getFloat(a + ".rope.scale_linear").value_or(1.0);  // the key older converters wrote
    } else {
        throw UnsupportedError(f.path().string(), "RoPE scaling type '" + type + "' (" + typeKey + ") is not supported",
                               "Supported: none, linear, yarn, and Llama 3 per-frequency factors (rope_freqs.weight). "
                               "Running it unscaled would give wrong activations at every position.");
    }
    if (!(hp.ropeLinearFactor >= 1e-3 && hp.ropeLinearFactor <= 1e6)) {
        throw FormatError(f.path(), "RoPE scaling factor " + std::to_string(hp.ropeLinearFactor) + " is out of range [0.001, 1e6]");
    }
    hp.ropeFreqFactors = f.findTensor("rope_freqs.weight") != nullptr;
    // Phi-3's LongRoPE comes as two factor tensors and no scaling type; its short factors apply at
    // every length, so running without them would be wrong everywhere.
    for (const char* t : {"rope_factors_short.weight", "rope_factors_long.weight"}) {
        if (f.findTensor(t) != nullptr) {
            throw UnsupportedError(f.path().string(), std::string("LongRoPE scaling (tensor ") + t + ") is not supported",
                                   "Use a model without long-context RoPE factors (e.g. a 4k-context Phi-3).");
        }
    }
}

// Which blocks slide: {arch}.attention.sliding_window_pattern as a period or one flag per block
// (what the prune export writes), else the row's period (llama.cpp hard-codes Gemma 2/3's).
void readSlidingLayers(const io::GgufFile& f, const std::string& a, const ArchTraits& arch, HyperParams& hp) {
    if (hp.slidingWindow == 0) return;
    const std::string key = a + ".attention.sliding_window_pattern";
    int period = arch.slidingPeriod;
    if (const auto* v = f.find(key); v != nullptr && v->type != io::GgufType::Array) {
        period = requireInt(f, key, 1, kMaxLayers);
    } else if (v != nullptr) {
        const auto* items = f.getArray(key);
        if (static_cast<int>(items->items.size()) != hp.layers) {
            throw FormatError(f.path(), "metadata key '" + key + "' has " + std::to_string(items->items.size()) + " entries for " +
                                            std::to_string(hp.layers) + " blocks");
        }
        for (const auto& item : items->items) {
            const auto* flag = std::get_if<bool>(&item.value);
            const auto number = item.asInt();
            if (flag == nullptr && !(item.isInteger() && number && (*number == 0 || *number == 1))) {
                throw FormatError(f.path(), "metadata key '" + key + "' holds " + item.toString() + ", not a flag per block");
            }
            hp.slidingLayers.push_back(flag != nullptr ? *flag : *number == 1);
        }
        return;
    }
    if (period <= 1) return;
    for (int l = 0; l < hp.layers; ++l) hp.slidingLayers.push_back(l % period < period - 1);
}

// Gemma 2/3 keys: softcapping, the sliding blocks' RoPE base, and llama.cpp's query scale rule.
void readGemmaAttention(const io::GgufFile& f, const std::string& a, const ArchTraits& arch, HyperParams& hp) {
    hp.attnSoftcap = f.getFloat(a + ".attn_logit_softcapping").value_or(0.0);
    hp.finalSoftcap = f.getFloat(a + ".final_logit_softcapping").value_or(0.0);
    if (!(hp.attnSoftcap >= 0.0 && hp.attnSoftcap < 1e6) || !(hp.finalSoftcap >= 0.0 && hp.finalSoftcap < 1e6)) {
        throw FormatError(f.path(), "attn_logit_softcapping or final_logit_softcapping is out of range [0, 1e6)");
    }
    if (hp.slidingWindow > 0) hp.slidingRopeBase = f.getFloat(a + ".rope.freq_base_swa").value_or(arch.slidingRopeBase);
    if (hp.slidingRopeBase != 0.0 && !(hp.slidingRopeBase > 1.0)) throw FormatError(f.path(), "rope.freq_base_swa is out of range");
    if (arch.wideQueryScaleLayers > 0 && hp.layers == arch.wideQueryScaleLayers) hp.queryScalar = static_cast<double>(hp.hidden / hp.heads);
}

}  // namespace

HyperParams readHParams(const io::GgufFile& f, const ArchTraits& arch) {
    const std::string a = arch.name;
    HyperParams hp;
    hp.layers = requireInt(f, a + ".block_count", 1, kMaxLayers);
    hp.hidden = requireInt(f, a + ".embedding_length", 1, kMaxWidth);
    hp.ffn = requireInt(f, a + ".feed_forward_length", 1, kMaxWidth * 8);
    hp.heads = requireInt(f, a + ".attention.head_count", 1, 4096);
    hp.kvHeads = optionalInt(f, a + ".attention.head_count_kv", hp.heads, 1, 4096);
    if (hp.heads % hp.kvHeads != 0) {
        throw FormatError(f.path(), "attention.head_count " + std::to_string(hp.heads) + " is not a multiple of head_count_kv " +
                                        std::to_string(hp.kvHeads));
    }
    if (f.find(a + ".attention.key_length") == nullptr && hp.hidden % hp.heads != 0) {
        throw FormatError(f.path(), "embedding_length " + std::to_string(hp.hidden) + " is not divisible by head_count " +
                                        std::to_string(hp.heads) + " and attention.key_length is absent");
    }
    hp.headDim = optionalInt(f, a + ".attention.key_length", hp.hidden / hp.heads, 2, 4096);
    const int valueDim = optionalInt(f, a + ".attention.value_length", hp.headDim, 2, 4096);
    if (valueDim != hp.headDim || hp.headDim % 2 != 0) {
        throw UnsupportedError(f.path().string(), "head sizes key " + std::to_string(hp.headDim) + " / value " +
                                                      std::to_string(valueDim) + " are not supported (need equal and even)");
    }
    const int ropeDims = optionalInt(f, a + ".rope.dimension_count", hp.headDim, 0, 4096);
    if (ropeDims != hp.headDim) {
        throw UnsupportedError(f.path().string(), "partial rotary embeddings (rope.dimension_count " + std::to_string(ropeDims) +
                                                      " < head size " + std::to_string(hp.headDim) + ") are not supported yet");
    }
    hp.slidingWindow = optionalInt(f, a + ".attention.sliding_window", 0, 0, 1 << 24);
    hp.contextLength = optionalInt(f, a + ".context_length", 2048, 1, 1 << 24);
    hp.ropeBase = f.getFloat(a + ".rope.freq_base").value_or(arch.defaultRopeBase);
    readRopeScaling(f, a, hp);
    hp.normEps = f.getFloat(a + (arch.norm == NormKind::Layer ? ".attention.layer_norm_epsilon" : ".attention.layer_norm_rms_epsilon")).value_or(1e-5);
    hp.learnedPositions = arch.learnedPositions;
    readSlidingLayers(f, a, arch, hp);
    readGemmaAttention(f, a, arch, hp);
    if (!(hp.ropeBase > 1.0) || !(hp.normEps > 0.0 && hp.normEps < 1.0)) {
        throw FormatError(f.path(), "rope.freq_base or layer_norm_rms_epsilon is out of range");
    }
    const auto tokens = f.getArray("tokenizer.ggml.tokens");
    const int fallbackVocab = tokens ? static_cast<int>(tokens->items.size()) : 0;
    hp.vocab = optionalInt(f, a + ".vocab_size", fallbackVocab, 1, kMaxVocab);
    if (hp.vocab <= 0) throw FormatError(f.path(), "vocabulary size unknown (no vocab_size and no tokenizer.ggml.tokens)");
    return hp;
}

void checkLayerNumbers(const std::vector<int>& layers, int layerCount) {
    for (int l : layers) {
        if (l < 0 || l >= layerCount) {
            throw UsageError({}, "layer " + std::to_string(l) + " does not exist (the model has layers 0.." + std::to_string(layerCount - 1) + ")");
        }
    }
}

}  // namespace avss::model

namespace avss {

std::string LayerTraits::attentionName() const {
    return slidingWindow > 0 ? "sliding window of " + std::to_string(slidingWindow) + " tokens" : "full causal";
}

LayerTraits HyperParams::layer(int index) const {
    if (index < 0 || index >= layers) model::checkLayerNumbers({index}, layers);  // throws; the forward asks per block and step
    const bool slides = slidingWindow > 0 && (slidingLayers.empty() || slidingLayers[static_cast<std::size_t>(index)]);
    if (slides && slidingRopeBase > 0.0) return LayerTraits{slidingWindow, slidingRopeBase, /*ropeScaled=*/false};
    return LayerTraits{slides ? slidingWindow : 0, ropeBase, /*ropeScaled=*/true};
}

std::string HyperParams::attentionSummary() const {
    if (!mixedAttention()) return layer(0).attentionName();
    std::string out;
    for (const bool sliding : {true, false}) {
        std::string blocks;
        LayerTraits t;
        for (int l = 0; l < layers; ++l) {
            if ((layer(l).slidingWindow > 0) != sliding) continue;
            t = layer(l);
            blocks += (blocks.empty() ? "" : ",") + std::to_string(l);
        }
        if (blocks.empty()) continue;
        std::ostringstream rope;
        rope << t.ropeBase;
        out += (out.empty() ? "" : "; ") + t.attentionName() + " on blocks " + blocks + " (RoPE base " + rope.str() +
               (t.ropeScaled ? "" : ", unscaled") + ")";
    }
    return out;
}

std::string HyperParams::positionName(int index) const {
    if (learnedPositions) return "learned absolute positions (" + std::to_string(contextLength) + ")";
    const auto t = layer(index);
    std::ostringstream out;
    out << "RoPE base " << t.ropeBase << ", scaling " << (t.ropeScaled ? ropeScalingName() : std::string("none (this block's own RoPE)"));
    return out.str();
}

std::string HyperParams::scoringName() const {
    std::ostringstream out;
    out << "scores x 1/sqrt(" << (queryScalar > 0.0 ? queryScalar : static_cast<double>(headDim)) << ")";
    if (attnSoftcap > 0.0) out << ", softcapped at " << attnSoftcap;
    if (finalSoftcap > 0.0) out << "; logits softcapped at " << finalSoftcap;
    return out.str();
}

double HyperParams::queryScale() const {
    return ropeAttentionFactor * ropeAttentionFactor / std::sqrt(queryScalar > 0.0 ? queryScalar : static_cast<double>(headDim));
}

bool HyperParams::mixedAttention() const {
    if (layers == 0) return false;
    const auto first = layer(0);
    for (int l = 0; l < layers; ++l) {
        const auto t = layer(l);
        if (!t.ropeScaled || t.slidingWindow != first.slidingWindow) return true;
    }
    return false;
}

std::string HyperParams::ropeScalingName() const {
    std::ostringstream out;
    if (ropeLinearFactor != 1.0) out << "linear x" << ropeLinearFactor;
    if (ropeFreqFactors) out << (ropeLinearFactor != 1.0 ? " and " : "") << "per-frequency factors (rope_freqs.weight)";
    if (yarn) out << "YaRN x" << yarn->factor << " over " << yarn->originalContext << " positions";
    if (ropeAttentionFactor != 1.0) out << ", attention x" << ropeAttentionFactor;
    return out.str().empty() ? "none" : out.str();
}

double model::yarnDefaultAttention(double factor) { return factor <= 1.0 ? 1.0 : 0.1 * std::log(factor) + 1.0; }

std::vector<double> model::yarnDivisors(const YarnScaling& y, double base, int headDim) {
    constexpr double kPi = 3.14159265358979323846;
    const double dim = headDim;
    const auto correction = [&](double rotations) { return dim * std::log(y.originalContext / (rotations * 2.0 * kPi)) / (2.0 * std::log(base)); };
    double low = correction(y.betaFast), high = correction(y.betaSlow);
    if (y.truncate) low = std::floor(low), high = std::ceil(high);
    low = std::max(low, 0.0);
    high = std::min(high, dim - 1.0);
    if (low == high) high += 0.001;  // transformers' and llama.cpp's guard against a zero-width ramp
    std::vector<double> out;
    for (int i = 0; i < headDim / 2; ++i) {
        const double ramp = std::clamp((static_cast<double>(i) - low) / (high - low), 0.0, 1.0);
        const double keep = 1.0 - ramp;  // extrapolation share
        out.push_back(1.0 / ((1.0 - keep) / y.factor + keep));
    }
    return out;
}

}  // namespace avss

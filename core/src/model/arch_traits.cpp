// The architecture table.
#include "model/arch_traits.h"

#include <algorithm>
#include <array>

#include "avss/error.h"

namespace avss::model {
namespace {

constexpr std::array kArchitectures{
    ArchTraits{"llama", "Llama 1/2/3, SmolLM/SmolLM2, Mistral (llama.cpp 'llama' GGUFs)", NormKind::Rms, Activation::Silu,
               /*gatedMlp=*/true, /*ggufPermutedQK=*/true, /*qkvBias=*/false, /*defaultRopeBase=*/10000.0, /*scaleEmbeddings=*/false,
               /*fusedQkv=*/false, /*fusedGateUp=*/false,
               /*hfModelTypes=*/"llama mistral", /*hfNormPlusOne=*/false},
    // llama.cpp permutes Q/K rows only for `llama`; Qwen2's rotate-half RoPE needs none.
    ArchTraits{"qwen2", "Qwen2, Qwen2.5 (dense)", NormKind::Rms, Activation::Silu,
               /*gatedMlp=*/true, /*ggufPermutedQK=*/false, /*qkvBias=*/true, /*defaultRopeBase=*/1000000.0, /*scaleEmbeddings=*/false,
               /*fusedQkv=*/false, /*fusedGateUp=*/false,
               /*hfModelTypes=*/"qwen2", /*hfNormPlusOne=*/false},
    // llama.cpp's converter stores Gemma's RMSNorm weights as 1 + w, so the plain x·w norm applies.
    ArchTraits{"gemma", "Gemma (first generation: 2B, 7B)", NormKind::Rms, Activation::GeluTanh,
               /*gatedMlp=*/true, /*ggufPermutedQK=*/false, /*qkvBias=*/false, /*defaultRopeBase=*/10000.0, /*scaleEmbeddings=*/true,
               /*fusedQkv=*/false, /*fusedGateUp=*/false,
               /*hfModelTypes=*/"gemma", /*hfNormPlusOne=*/true},
    // Phi-3's converter keeps Hugging Face's fused qkv_proj and gate_up_proj; its sliding window is metadata.
    ArchTraits{"phi3", "Phi-3, Phi-3.5 mini (4k context; longrope variants are refused)", NormKind::Rms, Activation::Silu,
               /*gatedMlp=*/true, /*ggufPermutedQK=*/false, /*qkvBias=*/false, /*defaultRopeBase=*/10000.0, /*scaleEmbeddings=*/false,
               /*fusedQkv=*/true, /*fusedGateUp=*/true,
               /*hfModelTypes=*/"phi3", /*hfNormPlusOne=*/false},
    // Gemma 2: norms before and after each sub-block, tanh softcapping of scores and logits, even blocks
    // slide (llama.cpp's set_swa_pattern(2)); the query scale follows llama.cpp's 27B rule in GGUFs.
    ArchTraits{"gemma2", "Gemma 2 (2B, 9B, 27B)", NormKind::Rms, Activation::GeluTanh,
               /*gatedMlp=*/true, /*ggufPermutedQK=*/false, /*qkvBias=*/false, /*defaultRopeBase=*/10000.0, /*scaleEmbeddings=*/true,
               /*fusedQkv=*/false, /*fusedGateUp=*/false,
               /*hfModelTypes=*/"gemma2", /*hfNormPlusOne=*/true,
               /*postNorms=*/true, /*qkNorm=*/false, /*slidingPeriod=*/2, /*slidingRopeBase=*/0.0, /*wideQueryScaleLayers=*/46,
               /*hfGemmaAttention=*/true},
    // Gemma 3 text models: q/k norms instead of softcapping, five sliding blocks (RoPE base 10000,
    // unscaled) per global one.
    ArchTraits{"gemma3", "Gemma 3 text (270M, 1B; the text stack of 4B-27B)", NormKind::Rms, Activation::GeluTanh,
               /*gatedMlp=*/true, /*ggufPermutedQK=*/false, /*qkvBias=*/false, /*defaultRopeBase=*/1000000.0, /*scaleEmbeddings=*/true,
               /*fusedQkv=*/false, /*fusedGateUp=*/false,
               /*hfModelTypes=*/"gemma3_text", /*hfNormPlusOne=*/true,
               /*postNorms=*/true, /*qkNorm=*/true, /*slidingPeriod=*/6, /*slidingRopeBase=*/10000.0, /*wideQueryScaleLayers=*/62,
               /*hfGemmaAttention=*/true},
    // GPT-2: LayerNorms, learned positions, one fused qkv tensor (Conv1D weights transposed by the
    // converter, or when read from a folder), a plain GELU-tanh MLP, and a bias on every product.
    ArchTraits{"gpt2", "GPT-2 (and DistilGPT-2)", NormKind::Layer, Activation::GeluTanh,
               /*gatedMlp=*/false, /*ggufPermutedQK=*/false, /*qkvBias=*/true, /*defaultRopeBase=*/10000.0, /*scaleEmbeddings=*/false,
               /*fusedQkv=*/true, /*fusedGateUp=*/false,
               /*hfModelTypes=*/"gpt2", /*hfNormPlusOne=*/false,
               /*postNorms=*/false, /*qkNorm=*/false, /*slidingPeriod=*/0, /*slidingRopeBase=*/0.0, /*wideQueryScaleLayers=*/0,
               /*hfGemmaAttention=*/false, /*learnedPositions=*/true, /*projectionBiases=*/true},
};

}  // namespace

std::string supportedArchitectures() {
    std::string s;
    for (const auto& a : kArchitectures) s += (s.empty() ? "" : ", ") + std::string(a.name) + " (" + a.families + ")";
    return s;
}

const ArchTraits& archTraitsForModelType(std::string_view modelType, const std::string& file) {
    std::string known;
    for (const auto& a : kArchitectures) {
        const std::string_view types = a.hfModelTypes;
        for (std::size_t at = 0; at < types.size();) {
            const auto end = std::min(types.find(' ', at), types.size());
            if (types.substr(at, end - at) == modelType) return a;
            known += (known.empty() ? "" : ", ") + std::string(types.substr(at, end - at));
            at = end + 1;
        }
    }
    throw UnsupportedError(file, "model_type '" + std::string(modelType) + "' is not supported", "Supported model_type values: " + known + ".");
}

const ArchTraits& archTraits(std::string_view arch, const std::string& file) {
    for (const auto& a : kArchitectures) {
        if (arch == a.name) return a;
    }
    throw UnsupportedError(file, "architecture '" + std::string(arch) + "' is not supported",
                           "Supported: " + supportedArchitectures() + ".");
}

}  // namespace avss::model

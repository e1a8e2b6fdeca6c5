// Hyper-parameters of a decoder model, as read (and bounded) from its GGUF metadata: the one
// declaration shared by the forward pass and ModelInfo.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace avss {

// What one block's attention does: Gemma 2/3 interleave sliding-window and global blocks, and
// Gemma 3's sliding blocks have their own RoPE base without the global blocks' scaling.
struct LayerTraits {
    int slidingWindow = 0;  // 0 = full causal attention
    double ropeBase = 10000.0;
    bool ropeScaled = true;  // the model's RoPE scaling (ropeScalingName) applies to this block
    std::string attentionName() const;  // "full causal" or "sliding window of W tokens"
};

// YaRN's parameters as transformers and llama.cpp name them (beta_fast/slow: the rotation counts that
// bound the interpolation ramp; truncate: round the ramp's ends to whole dimensions, llama.cpp always does).
struct YarnScaling {
    double factor = 1.0;
    double originalContext = 0.0;
    double betaFast = 32.0;
    double betaSlow = 1.0;
    bool truncate = true;
};

struct HyperParams {
    int layers = 0;         // transformer blocks
    int hidden = 0;         // residual stream width
    int ffn = 0;            // MLP width
    int heads = 0;          // query heads
    int kvHeads = 0;        // key-value heads (grouped-query attention when < heads)
    int headDim = 0;
    int vocab = 0;
    int contextLength = 0;
    double ropeBase = 10000.0;
    // RoPE frequency scaling, as llama.cpp applies it: every inverse frequency is divided by
    // ropeLinearFactor (rope.scaling.type "linear") and pair i's by rope_freqs.weight[i] when the file
    // has that tensor (how converters store Llama 3.1+'s "llama3" scaling).
    double ropeLinearFactor = 1.0;
    bool ropeFreqFactors = false;
    // YaRN (config.json rope_type "yarn", GGUF rope.scaling.type "yarn"): per-pair divisors computed from
    // these parameters (yarnDivisors, model/hparams.h) instead of read from a tensor.
    std::optional<YarnScaling> yarn;
    double ropeAttentionFactor = 1.0;  // YaRN: cos and sin scaled by this (every score by its square; folded into the query scale)
    double normEps = 1e-5;
    // Sliding-window attention ({arch}.attention.sliding_window, Mistral-style): query t sees keys
    // t-W+1..t. 0 = full causal attention.
    int slidingWindow = 0;
    // Which blocks use the window (size = layers) when only some do (Gemma 2/3); empty = every block.
    std::vector<bool> slidingLayers;
    double slidingRopeBase = 0.0;  // > 0: sliding blocks' own RoPE base, unscaled (Gemma 3's local layers)
    double queryScalar = 0.0;      // scores scaled by 1/sqrt(queryScalar) (query_pre_attn_scalar); 0 = head size
    double attnSoftcap = 0.0;      // > 0: scores become cap·tanh(scores/cap) before the mask (Gemma 2)
    double finalSoftcap = 0.0;     // > 0: logits become cap·tanh(logits/cap) (Gemma 2)
    bool learnedPositions = false; // absolute position embeddings (GPT-2): no RoPE; positions < contextLength
    int qRows() const { return heads * headDim; }
    double queryScale() const;  // 1/sqrt(queryScalar or headDim), times YaRN's attention factor squared: the factor on every score
    bool mixedAttention() const;  // blocks differ in window, or some use the sliding blocks' own RoPE
    int kvRows() const { return kvHeads * headDim; }
    std::string ropeScalingName() const;  // "none", "linear x4", "per-frequency factors (rope_freqs.weight)", or both
    LayerTraits layer(int index) const;   // block `index`'s traits (UsageError outside 0..layers-1)
    std::string attentionSummary() const;  // every block's kind: "full causal", or each kind with its block numbers and RoPE base
    std::string positionName(int index) const;  // "RoPE base 10000, scaling none" or "learned absolute positions (1024)"
    std::string scoringName() const;       // "scores x 1/sqrt(256), softcapped at 50; logits softcapped at 30"
};

}  // namespace avss

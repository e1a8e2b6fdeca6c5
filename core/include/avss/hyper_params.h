// Hyper-parameters of a decoder model, as read (and bounded) from its GGUF metadata: the one
// declaration shared by the forward pass and ModelInfo.
#pragma once

#include <string>

namespace avss {

// What one block's attention does. Every block of the supported families has the same traits; a
// family with alternating sliding/global layers would make them differ here first.
struct LayerTraits {
    int slidingWindow = 0;  // 0 = full causal attention
    double ropeBase = 10000.0;
    std::string attentionName() const;  // "full causal" or "sliding window of W tokens"
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
    double normEps = 1e-5;
    // Sliding-window attention ({arch}.attention.sliding_window, Mistral-style): query t sees keys
    // t-W+1..t. 0 = full causal attention.
    int slidingWindow = 0;
    int qRows() const { return heads * headDim; }
    int kvRows() const { return kvHeads * headDim; }
    std::string ropeScalingName() const;  // "none", "linear x4", "per-frequency factors (rope_freqs.weight)", or both
    LayerTraits layer(int index) const;   // block `index`'s traits (UsageError outside 0..layers-1)
};

}  // namespace avss

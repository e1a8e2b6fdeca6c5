// Hyper-parameters of a decoder model, as read (and bounded) from its GGUF metadata: the one
// declaration shared by the forward pass and ModelInfo.
#pragma once

namespace avss {

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
    double normEps = 1e-5;
    int qRows() const { return heads * headDim; }
    int kvRows() const { return kvHeads * headDim; }
};

}  // namespace avss

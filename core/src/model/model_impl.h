// The torch side of a loaded Model: hyper-parameters, architecture row, tokenizer and weights.
#pragma once

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <memory>
#include <vector>

#include "avss/model.h"
#include "model/arch_traits.h"
#include "model/hparams.h"
#include "model/projection.h"

namespace avss::model {

// Projections are stored pre-multiplied so the forward does less elementwise work: each RMSNorm
// weight is folded into the columns of the projection that follows it, and the attention scale into
// the q rows (RoPE is linear, so it commutes with the scale) or, with q/k norms, into q's norm.
// Post norms follow a projection and stay separate.
struct LayerWeights {
    Projection wqkv;      // [(heads + 2 kvHeads) * D, H]: q, k, v rows (q/k in HF order) × attn_norm columns
    at::Tensor bqkv;      // [(heads + 2 kvHeads) * D] or undefined (q part scaled like the rows)
    Projection wo;        // [H, heads * D]
    Projection wGateUp;   // [2F, H]: gate rows then up rows × ffn_norm columns
    Projection wDown;     // [H, F]
    at::Tensor qkNorm;        // [heads + kvHeads, D]: q_norm rows (times the attention scale), then k_norm rows; or undefined
    at::Tensor attnPostNorm;  // [H] or undefined: RMSNorm weight on the attention output (Gemma 2/3)
    at::Tensor ffnPostNorm;   // [H] or undefined: RMSNorm weight on the MLP output
    // GPT-2: biases of the other products; bGateUp also holds W·b of the folded LayerNorm bias.
    at::Tensor bo, bGateUp, bDown;  // [H], [F], [H] or undefined
};

struct Weights {
    Projection tokenEmbd;   // [V, H]
    std::vector<LayerWeights> layers;
    at::Tensor outputNorm;  // [H]
    at::Tensor outputNormBias;  // [H] or undefined (LayerNorm)
    at::Tensor positionEmbd;    // [contextLength, H] learned absolute positions (GPT-2), or undefined
    Projection lmHead;      // [V, H]; the same storage as tokenEmbd when embeddings are tied
    at::Tensor invFreq;     // [D/2] rotary inverse frequencies (fp32)
    at::Tensor invFreqSliding;  // [D/2] the sliding blocks' own (Gemma 3), or undefined
    double qRowScale = 1.0;     // the factor folded into wqkv's q rows and bqkv's q part (the export divides it out)
};

}  // namespace avss::model

namespace avss {

struct Model::Impl {
    Impl() = default;
    Impl(const Impl&) = delete;  // `hp` refers into this object's own info
    Impl& operator=(const Impl&) = delete;
    ModelInfo info;
    std::unique_ptr<Tokenizer> tokenizer;
    const model::ArchTraits* arch = nullptr;
    const HyperParams& hp = info.hparams;  // the forward's short name; stored once, in info
    model::Weights weights;
    c10::Device device{c10::kCPU};
};

// The torch internals of a loaded model, for core sources and tests; not part of the public API.
inline const Model::Impl& modelImpl(const Model& model) { return *model.m_impl; }

// A Model around weights built in core (a contrastively tuned copy sharing the frozen tensors).
std::shared_ptr<const Model> wrapModel(std::unique_ptr<Model::Impl> impl);

}  // namespace avss

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
// weight is folded into the columns of the projection that follows it, and the 1/sqrt(D) attention
// scale into the q rows (RoPE is linear, so it commutes with the scale).
struct LayerWeights {
    Projection wqkv;      // [(heads + 2 kvHeads) * D, H]: q, k, v rows (q/k in HF order) × attn_norm columns
    at::Tensor bqkv;      // [(heads + 2 kvHeads) * D] or undefined (q part scaled like the rows)
    Projection wo;        // [H, heads * D]
    Projection wGateUp;   // [2F, H]: gate rows then up rows × ffn_norm columns
    Projection wDown;     // [H, F]
};

struct Weights {
    Projection tokenEmbd;   // [V, H]
    std::vector<LayerWeights> layers;
    at::Tensor outputNorm;  // [H]
    Projection lmHead;      // [V, H]; the same storage as tokenEmbd when embeddings are tied
    at::Tensor invFreq;     // [D/2] rotary inverse frequencies (fp32)
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

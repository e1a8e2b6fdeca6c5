// The torch side of a loaded Model: hyper-parameters, architecture row, tokenizer and weights.
#pragma once

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <memory>
#include <vector>

#include "avss/model.h"
#include "model/arch_traits.h"
#include "model/hparams.h"

namespace avss::model {

// Projections are stored pre-multiplied so the forward does less elementwise work: each RMSNorm
// weight is folded into the columns of the projection that follows it, and the 1/sqrt(D) attention
// scale into the q rows (RoPE is linear, so it commutes with the scale).
struct LayerWeights {
    at::Tensor wqkv;      // [(heads + 2 kvHeads) * D, H]: q, k, v rows (q/k in HF order) × attn_norm columns
    at::Tensor bqkv;      // [(heads + 2 kvHeads) * D] or undefined (q part scaled like the rows)
    at::Tensor wo;        // [H, heads * D]
    at::Tensor wGateUp;   // [2F, H]: gate rows then up rows × ffn_norm columns
    at::Tensor wDown;     // [H, F]
};

struct Weights {
    at::Tensor tokenEmbd;   // [V, H]
    std::vector<LayerWeights> layers;
    at::Tensor outputNorm;  // [H]
    at::Tensor lmHead;      // [V, H]; the same storage as tokenEmbd when embeddings are tied
    at::Tensor invFreq;     // [D/2] rotary inverse frequencies (fp32)
};

}  // namespace avss::model

namespace avss {

struct Model::Impl {
    ModelInfo info;
    std::unique_ptr<Tokenizer> tokenizer;
    const model::ArchTraits* arch = nullptr;
    model::HParams hp;
    model::Weights weights;
    c10::Device device{c10::kCPU};
};

}  // namespace avss

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

struct LayerWeights {
    at::Tensor attnNorm;  // [H]
    at::Tensor wqkv;      // [(heads + 2 kvHeads) * D, H]: q, k, v rows fused for one GEMM, q/k in HF order
    at::Tensor bqkv;      // [(heads + 2 kvHeads) * D] or undefined
    at::Tensor wo;        // [H, heads * D]
    at::Tensor ffnNorm;   // [H]
    at::Tensor wGateUp;   // [2F, H]: gate rows then up rows
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

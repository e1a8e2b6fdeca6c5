// The forward pass of one new token per row (a decoding step) on the CPU, fused: the generic path
// spends ~45 small tensor operations per layer whose dispatch cost exceeded the arithmetic; these
// loops do RMSNorm and RoPE + KV-cache write + attention each in one pass (SiLU gating: transformer.cpp,
// for every row count).
#pragma once

#include <ATen/core/Tensor.h>

#include "model/model_impl.h"
#include "model/transformer.h"

namespace avss::model::decode {

// True when the fused step applies: one new token per row, fp32 on the CPU, a KV cache, no
// autograd (training keeps the generic path, which is differentiable), and what its loops
// implement: SiLU gating, every one of the `keys` positions visible (no sliding window cutting
// them), and no attention weights asked for.
bool applies(const Model::Impl& m, const at::Tensor& x, const KvCache* cache, std::int64_t keys, bool keepAttention);

at::Tensor rmsNormalize(const at::Tensor& x, double eps);  // [B, 1, H]

// Attention of the step: h [B, 1, H] normalised input; cos [B, 1, 1, D] and sin [B, 1, 1, D/2] of
// each row's position; keyMask [B, cache.length + 1] real positions (the new one included). Writes
// the new keys and values into the cache storage of `layer` and returns the output projection.
at::Tensor attention(const Model::Impl& m, const LayerWeights& lw, int layer, const at::Tensor& h, const at::Tensor& cos,
                     const at::Tensor& sin, const at::Tensor& keyMask, KvCache& cache);

}  // namespace avss::model::decode

// Fused decoding step (see decode_step.h). Same arithmetic as the generic path in transformer.cpp,
// summed in a different order, so results agree to fp32 rounding (tests/core/test_decode_step.cpp).
#include "model/decode_step.h"

#include <torch/torch.h>

#include <cmath>
#include <functional>
#include <limits>
#include <vector>

#include "kernels/row_threads.h"
#include "model/transformer.h"

namespace avss::model::decode {

bool applies(const Model::Impl& m, const at::Tensor& x, const KvCache* cache, std::int64_t keys, bool keepAttention) {
    const bool windowed = m.hp.slidingWindow > 0 && keys > m.hp.slidingWindow;
    return cache != nullptr && x.size(1) == 1 && x.device().is_cpu() && x.scalar_type() == at::kFloat && !at::GradMode::is_enabled() &&
           m.arch->activation == Activation::Silu && !windowed && !keepAttention &&
           !m.arch->postNorms && !m.arch->qkNorm && m.hp.attnSoftcap == 0.0 && !m.hp.mixedAttention() &&  // the plain block only
           m.arch->norm == NormKind::Rms && !m.arch->projectionBiases && !m.hp.learnedPositions;
}

at::Tensor rmsNormalize(const at::Tensor& x, double eps) {
    const auto in = x.contiguous();
    auto out = torch::empty_like(in);
    const auto H = in.size(-1), rows = in.numel() / H;
    const float* src = in.data_ptr<float>();
    float* dst = out.data_ptr<float>();
    for (std::int64_t r = 0; r < rows; ++r) {
        const float* a = src + r * H;
        double sum = 0.0;
#pragma omp simd reduction(+ : sum)
        for (std::int64_t i = 0; i < H; ++i) sum += static_cast<double>(a[i]) * a[i];
        const auto scale = static_cast<float>(1.0 / std::sqrt(sum / static_cast<double>(H) + eps));
#pragma omp simd
        for (std::int64_t i = 0; i < H; ++i) dst[r * H + i] = a[i] * scale;
    }
    return out;
}

// Batch rows go to the kernel threads, except in a bf16 pass: its OpenMP workers spin on the other
// cores between oneDNN products; waking a kernel thread beside them took batched bf16 generation
// from 469 to 338 tokens/s (docs/benchmarks.md).
namespace {
bool splitRows(const Model::Impl& m) { return !bf16OnCpu(m); }
}  // namespace

namespace {

// rotate_half RoPE of one head: out = x·cos + (−x2, x1)·sin.
inline void rope(const float* x, const float* cos, const float* sin, std::int64_t half, float* out) {
    for (std::int64_t i = 0; i < half; ++i) {
        out[i] = x[i] * cos[i] - x[i + half] * sin[i];
        out[i + half] = x[i + half] * cos[i + half] + x[i] * sin[i];
    }
}

}  // namespace

at::Tensor attention(const Model::Impl& m, const LayerWeights& lw, int layer, const at::Tensor& h, const at::Tensor& cos,
                     const at::Tensor& sin, const at::Tensor& keyMask, KvCache& cache) {
    const auto& hp = m.hp;
    const std::int64_t B = h.size(0), Hq = hp.heads, Hk = hp.kvHeads, G = Hq / Hk, D = hp.headDim, half = D / 2;
    const std::int64_t S = cache.length + 1, at = cache.length;
    const auto qkv = lw.wqkv.apply(h, lw.bqkv).contiguous();  // [B, 1, (Hq + 2Hk) D]
    auto& ks = cache.keys[static_cast<std::size_t>(layer)];
    auto& vs = cache.values[static_cast<std::size_t>(layer)];
    cache.makeRoom(ks, {B, Hk, D}, qkv.options(), S);
    cache.makeRoom(vs, {B, Hk, D}, qkv.options(), S);
    const auto cap = ks.size(2);
    const auto mask = keyMask.contiguous();
    const auto cosC = cos.contiguous(), sinC = sin.contiguous();
    auto scores = torch::empty({B, Hq, S}, qkv.options());
    auto out = torch::empty({B, 1, Hq * D}, qkv.options());
    float* K = ks.data_ptr<float>();
    float* V = vs.data_ptr<float>();
    float* P = scores.data_ptr<float>();
    const float inf = std::numeric_limits<float>::infinity();
    // Rows of a batch are independent: each part of the kernel threads takes whole rows.
    const auto byRows = [&](const std::function<void(std::int64_t, std::int64_t)>& fn) {
        if (splitRows(m)) kernels::parallelRows(B, 1, fn);
        else fn(0, B);
    };
    byRows([&](std::int64_t b0, std::int64_t b1) {
        std::vector<float> q(static_cast<std::size_t>(Hq * D));
        for (std::int64_t b = b0; b < b1; ++b) {
            const float* row = qkv.data_ptr<float>() + b * (Hq + 2 * Hk) * D;
            const float* c = cosC.data_ptr<float>() + b * D;
            const float* s = sinC.data_ptr<float>() + b * half;
            const bool* visible = mask.data_ptr<bool>() + b * S;
            for (std::int64_t k = 0; k < Hk; ++k) {
                float* kDst = K + ((b * Hk + k) * cap + at) * D;
                rope(row + (Hq + k) * D, c, s, half, kDst);
                const float* vSrc = row + (Hq + Hk + k) * D;
                std::copy(vSrc, vSrc + D, V + ((b * Hk + k) * cap + at) * D);
            }
            for (std::int64_t qh = 0; qh < Hq; ++qh) {
                float* qd = q.data() + qh * D;
                rope(row + qh * D, c, s, half, qd);  // q carries the 1/sqrt(D) scale (weights.cpp)
                const float* keys = K + (b * Hk + qh / G) * cap * D;
                float* p = P + (b * Hq + qh) * S;
                for (std::int64_t t = 0; t < S; ++t) {
                    if (!visible[t] && t != S - 1) {  // padding is hidden; every query sees itself
                        p[t] = -inf;
                        continue;
                    }
                    const float* kt = keys + t * D;
                    float dot = 0.0f;
                    #pragma omp simd reduction(+ : dot)
                    for (std::int64_t d = 0; d < D; ++d) dot += qd[d] * kt[d];
                    p[t] = dot;
                }
            }
        }
    });
    at::_softmax_out(scores, scores, -1, false);  // vectorised exp; one call for every head
    float* O = out.data_ptr<float>();
    byRows([&](std::int64_t b0, std::int64_t b1) {
        for (std::int64_t b = b0; b < b1; ++b) {
            for (std::int64_t qh = 0; qh < Hq; ++qh) {
                const float* values = V + (b * Hk + qh / G) * cap * D;
                const float* p = P + (b * Hq + qh) * S;
                float* o = O + (b * Hq + qh) * D;
                std::fill(o, o + D, 0.0f);
                for (std::int64_t t = 0; t < S; ++t) {
                    if (p[t] == 0.0f) continue;
                    const float w = p[t];
                    const float* vt = values + t * D;
                    #pragma omp simd
                    for (std::int64_t d = 0; d < D; ++d) o[d] += w * vt[d];
                }
            }
        }
    });
    return lw.wo.apply(out);  // [B, 1, H]
}

}  // namespace avss::model::decode

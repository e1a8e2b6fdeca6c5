// Fused decoding step (see decode_step.h). Same arithmetic as the generic path in transformer.cpp,
// summed in a different order, so results agree to fp32 rounding (tests/core/test_decode_step.cpp).
#include "model/decode_step.h"

#include <torch/torch.h>

#include <cmath>
#include <functional>
#include <limits>
#include <vector>

#include "blas/cpu_features.h"
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

// Always inlined into the per-instruction-set copies below, so each copy vectorises for its set.
#define AVSS_STEP_INLINE inline __attribute__((always_inline))

// rotate_half RoPE of one head: out = x·cos + (−x2, x1)·sin.
AVSS_STEP_INLINE void rope(const float* x, const float* cos, const float* sin, std::int64_t half, float* out) {
    for (std::int64_t i = 0; i < half; ++i) {
        out[i] = x[i] * cos[i] - x[i + half] * sin[i];
        out[i + half] = x[i + half] * cos[i + half] + x[i] * sin[i];
    }
}

// One layer's attention for one new position per batch row: pointers into the step's tensors.
struct StepAttention {
    const float* qkv;  // [B, (Hq + 2Hk) D]
    const float* cos;  // [B, D]
    const float* sin;  // [B, D / 2]
    const bool* visible;  // [B, S]
    float* keys;    // cache [B, Hk, cap, D]
    float* values;  // cache [B, Hk, cap, D]
    float* scores;  // [B, Hq, S]
    float* out;     // [B, Hq D]
    std::int64_t Hq, Hk, D, S, cap;
};

// Rows [b0, b1): the new key (rotated) and value into the cache, then every query head's scores.
AVSS_STEP_INLINE void scoreRowsImpl(const StepAttention& a, std::int64_t b0, std::int64_t b1) {
    const std::int64_t Hq = a.Hq, Hk = a.Hk, G = Hq / Hk, D = a.D, half = D / 2, S = a.S, at = S - 1;
    const float inf = std::numeric_limits<float>::infinity();
    std::vector<float> q(static_cast<std::size_t>(D));
    for (std::int64_t b = b0; b < b1; ++b) {
        const float* row = a.qkv + b * (Hq + 2 * Hk) * D;
        const float* c = a.cos + b * D;
        const float* s = a.sin + b * half;
        const bool* visible = a.visible + b * S;
        for (std::int64_t k = 0; k < Hk; ++k) {
            rope(row + (Hq + k) * D, c, s, half, a.keys + ((b * Hk + k) * a.cap + at) * D);
            const float* vSrc = row + (Hq + Hk + k) * D;
            std::copy(vSrc, vSrc + D, a.values + ((b * Hk + k) * a.cap + at) * D);
        }
        for (std::int64_t qh = 0; qh < Hq; ++qh) {
            float* qd = q.data();
            rope(row + qh * D, c, s, half, qd);  // q carries the 1/sqrt(D) scale (weights.cpp)
            const float* keys = a.keys + (b * Hk + qh / G) * a.cap * D;
            float* p = a.scores + (b * Hq + qh) * S;
            std::int64_t t = 0;
            for (; t + 4 <= S; t += 4) {  // four keys at once: four independent vector sums
                const float *k0 = keys + t * D, *k1 = k0 + D, *k2 = k1 + D, *k3 = k2 + D;
                float d0 = 0.0f, d1 = 0.0f, d2 = 0.0f, d3 = 0.0f;
                #pragma omp simd reduction(+ : d0, d1, d2, d3)
                for (std::int64_t d = 0; d < D; ++d) {
                    d0 += qd[d] * k0[d];
                    d1 += qd[d] * k1[d];
                    d2 += qd[d] * k2[d];
                    d3 += qd[d] * k3[d];
                }
                p[t] = d0, p[t + 1] = d1, p[t + 2] = d2, p[t + 3] = d3;
            }
            for (; t < S; ++t) {
                const float* kt = keys + t * D;
                float dot = 0.0f;
                #pragma omp simd reduction(+ : dot)
                for (std::int64_t d = 0; d < D; ++d) dot += qd[d] * kt[d];
                p[t] = dot;
            }
            for (t = 0; t + 1 < S; ++t) {
                if (!visible[t]) p[t] = -inf;  // padding is hidden (its score is discarded); every query sees itself
            }
        }
    }
}

// Rows [b0, b1): every query head's softmax-weighted sum of the cached values.
AVSS_STEP_INLINE void mixRowsImpl(const StepAttention& a, std::int64_t b0, std::int64_t b1) {
    const std::int64_t Hq = a.Hq, G = Hq / a.Hk, D = a.D, S = a.S;
    for (std::int64_t b = b0; b < b1; ++b) {
        for (std::int64_t qh = 0; qh < Hq; ++qh) {
            const float* values = a.values + (b * a.Hk + qh / G) * a.cap * D;
            const float* p = a.scores + (b * Hq + qh) * S;
            float* o = a.out + (b * Hq + qh) * D;
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
}

// The loops once for AVX2 + FMA and once for the baseline, chosen at run time: built for the
// baseline (SSE2) they were 4 lanes wide without FMA.
__attribute__((target("avx2,fma"))) void scoreRowsAvx2(const StepAttention& a, std::int64_t b0, std::int64_t b1) { scoreRowsImpl(a, b0, b1); }
__attribute__((target("avx2,fma"))) void mixRowsAvx2(const StepAttention& a, std::int64_t b0, std::int64_t b1) { mixRowsImpl(a, b0, b1); }
void scoreRowsBaseline(const StepAttention& a, std::int64_t b0, std::int64_t b1) { scoreRowsImpl(a, b0, b1); }
void mixRowsBaseline(const StepAttention& a, std::int64_t b0, std::int64_t b1) { mixRowsImpl(a, b0, b1); }

bool hasAvx2() {
    static const bool yes = blas::readCpuFeatures().avx2Usable();
    return yes;
}

}  // namespace

at::Tensor attention(const Model::Impl& m, const LayerWeights& lw, int layer, const at::Tensor& h, const at::Tensor& cos,
                     const at::Tensor& sin, const at::Tensor& keyMask, KvCache& cache) {
    const auto& hp = m.hp;
    const std::int64_t B = h.size(0), Hq = hp.heads, Hk = hp.kvHeads, D = hp.headDim;
    const std::int64_t S = cache.length + 1;
    const auto qkv = lw.wqkv.apply(h, lw.bqkv).contiguous();  // [B, 1, (Hq + 2Hk) D]
    auto& ks = cache.keys[static_cast<std::size_t>(layer)];
    auto& vs = cache.values[static_cast<std::size_t>(layer)];
    cache.makeRoom(ks, {B, Hk, D}, qkv.options(), S);
    cache.makeRoom(vs, {B, Hk, D}, qkv.options(), S);
    const auto mask = keyMask.contiguous();
    const auto cosC = cos.contiguous(), sinC = sin.contiguous();
    auto scores = torch::empty({B, Hq, S}, qkv.options());
    auto out = torch::empty({B, 1, Hq * D}, qkv.options());
    const StepAttention a{qkv.data_ptr<float>(), cosC.data_ptr<float>(), sinC.data_ptr<float>(), mask.data_ptr<bool>(),
                          ks.data_ptr<float>(), vs.data_ptr<float>(), scores.data_ptr<float>(), out.data_ptr<float>(),
                          Hq, Hk, D, S, ks.size(2)};
    const bool avx2 = hasAvx2();
    // Rows of a batch are independent: each part of the kernel threads takes whole rows.
    const auto byRows = [&](const std::function<void(std::int64_t, std::int64_t)>& fn) {
        if (splitRows(m)) kernels::parallelRows(B, 1, fn);
        else fn(0, B);
    };
    byRows([&](std::int64_t b0, std::int64_t b1) { avx2 ? scoreRowsAvx2(a, b0, b1) : scoreRowsBaseline(a, b0, b1); });
    at::_softmax_out(scores, scores, -1, false);  // vectorised exp; one call for every head
    byRows([&](std::int64_t b0, std::int64_t b1) { avx2 ? mixRowsAvx2(a, b0, b1) : mixRowsBaseline(a, b0, b1); });
    return lw.wo.apply(out);  // [B, 1, H]
}

}  // namespace avss::model::decode

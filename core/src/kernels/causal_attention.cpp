// The kernel body (causal_attention_body.inc) compiled for AVX-512 and for AVX2 + FMA, chosen at run
// time from cpuid; the work split into (batch row, KV head, block of positions) tasks over the
// weight kernels' thread set.
#include "kernels/causal_attention.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "blas/cpu_features.h"
#include "kernels/row_threads.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define AVSS_FUSED_ATTENTION 1
#endif

namespace avss::kernels {
namespace {

constexpr std::int64_t kMaxHeadDim = 256;   // the tile's accumulator rows live on the stack
constexpr std::int64_t kBlockPositions = 16;  // positions per task: enough tasks to balance two threads at T = 64

}  // namespace

#if AVSS_FUSED_ATTENTION

// Cephes' expf polynomial after range reduction (about 1 ulp); inputs below −87.3 (masked keys are
// −inf) give exactly 0.
#define AVSS_EXP_CONSTANTS                                                                        \
    constexpr float kLog2e = 1.44269504088896341f, kC1 = 0.693359375f, kC2 = -2.12194440e-4f;      \
    constexpr float kP0 = 1.9875691500e-4f, kP1 = 1.3981999507e-3f, kP2 = 8.3334519073e-3f;       \
    constexpr float kP3 = 4.1665795894e-2f, kP4 = 1.6666665459e-1f, kP5 = 5.0000001201e-1f;       \
    constexpr float kLowest = -87.33654475f;

#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw,avx512vl,avx512dq,fma")
namespace avx512 {
struct Isa {
    using V = __m512;
    static constexpr int W = 16, MR = 4;
    static V zero() { return _mm512_setzero_ps(); }
    static V set1(float x) { return _mm512_set1_ps(x); }
    static V load(const float* p) { return _mm512_loadu_ps(p); }
    static void store(float* p, V v) { _mm512_storeu_ps(p, v); }
    static V fma(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
    static V mul(V a, V b) { return _mm512_mul_ps(a, b); }
    static V add(V a, V b) { return _mm512_add_ps(a, b); }
    static V sub(V a, V b) { return _mm512_sub_ps(a, b); }
    static V max(V a, V b) { return _mm512_max_ps(a, b); }
    static float hmax(V v) { return _mm512_reduce_max_ps(v); }
    static float hsum(V v) { return _mm512_reduce_add_ps(v); }
    static V exp(V x) {
        AVSS_EXP_CONSTANTS
        const __mmask16 live = _mm512_cmp_ps_mask(x, set1(kLowest), _CMP_GE_OQ);
        x = _mm512_max_ps(x, set1(kLowest));
        const V n = _mm512_roundscale_ps(_mm512_mul_ps(x, set1(kLog2e)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
        const V r = _mm512_fnmadd_ps(n, set1(kC2), _mm512_fnmadd_ps(n, set1(kC1), x));
        V p = set1(kP0);
        for (float c : {kP1, kP2, kP3, kP4, kP5}) p = fma(p, r, set1(c));
        p = fma(_mm512_mul_ps(p, r), r, _mm512_add_ps(r, set1(1.0f)));
        const __m512i e = _mm512_slli_epi32(_mm512_add_epi32(_mm512_cvtps_epi32(n), _mm512_set1_epi32(127)), 23);
        return _mm512_maskz_mov_ps(live, _mm512_mul_ps(p, _mm512_castsi512_ps(e)));
    }
};
#include "kernels/causal_attention_body.inc"
}  // namespace avx512
#pragma GCC pop_options

#pragma GCC push_options
#pragma GCC target("avx2,fma")
namespace avx2 {
struct Isa {
    using V = __m256;
    static constexpr int W = 8, MR = 2;  // 16 registers: 2 rows × 4 accumulators, 4 loads, 1 broadcast
    static V zero() { return _mm256_setzero_ps(); }
    static V set1(float x) { return _mm256_set1_ps(x); }
    static V load(const float* p) { return _mm256_loadu_ps(p); }
    static void store(float* p, V v) { _mm256_storeu_ps(p, v); }
    static V fma(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
    static V mul(V a, V b) { return _mm256_mul_ps(a, b); }
    static V add(V a, V b) { return _mm256_add_ps(a, b); }
    static V sub(V a, V b) { return _mm256_sub_ps(a, b); }
    static V max(V a, V b) { return _mm256_max_ps(a, b); }
    static float hmax(V v) {
        __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
        m = _mm_max_ps(m, _mm_movehl_ps(m, m));
        return _mm_cvtss_f32(_mm_max_ss(m, _mm_movehdup_ps(m)));
    }
    static float hsum(V v) {
        __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
        s = _mm_add_ps(s, _mm_movehl_ps(s, s));
        return _mm_cvtss_f32(_mm_add_ss(s, _mm_movehdup_ps(s)));
    }
    static V exp(V x) {
        AVSS_EXP_CONSTANTS
        const V live = _mm256_cmp_ps(x, set1(kLowest), _CMP_GE_OQ);
        x = _mm256_max_ps(x, set1(kLowest));
        const V n = _mm256_round_ps(_mm256_mul_ps(x, set1(kLog2e)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
        const V r = _mm256_fnmadd_ps(n, set1(kC2), _mm256_fnmadd_ps(n, set1(kC1), x));
        V p = set1(kP0);
        for (float c : {kP1, kP2, kP3, kP4, kP5}) p = fma(p, r, set1(c));
        p = fma(_mm256_mul_ps(p, r), r, _mm256_add_ps(r, set1(1.0f)));
        const __m256i e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
        return _mm256_and_ps(live, _mm256_mul_ps(p, _mm256_castsi256_ps(e)));
    }
};
#include "kernels/causal_attention_body.inc"
}  // namespace avx2
#pragma GCC pop_options

namespace {

enum class Kernel { None, Avx512, Avx2 };

Kernel kernelFor(std::int64_t headDim, AttentionIsa isa) {
    static const auto cpu = blas::readCpuFeatures();
    if (headDim <= 0 || headDim > kMaxHeadDim) return Kernel::None;
    if (isa == AttentionIsa::Best && cpu.avx512Usable() && headDim % 64 == 0) return Kernel::Avx512;
    if (cpu.avx2Usable() && headDim % 32 == 0) return Kernel::Avx2;
    return Kernel::None;
}

// Block b of n in an order whose halves (and quarters) cost about the same: the causal cost grows
// with the block index, so blocks are taken in pairs from both ends.
std::int64_t zigzag(std::int64_t i, std::int64_t n) { return i % 2 == 0 ? i / 2 : n - 1 - i / 2; }

template <class Transpose, class Attend>
void run(const AttentionArgs& a, std::int64_t spad, Transpose transpose, Attend attend) {
    const std::int64_t heads = a.batch * a.kvHeads, stride = a.headDim * spad;
    thread_local std::vector<float> keys;  // reused between calls: a fresh buffer per layer costs page faults
    keys.resize(static_cast<std::size_t>(heads * stride));
    float* kt = keys.data();
    parallelRows(heads, 1, [&](std::int64_t h0, std::int64_t h1) {
        for (std::int64_t i = h0; i < h1; ++i) transpose(a, i / a.kvHeads, i % a.kvHeads, kt + i * stride, spad);
    });
    const std::int64_t blocks = (a.queries + kBlockPositions - 1) / kBlockPositions;
    parallelRows(heads * blocks, 1, [&](std::int64_t j0, std::int64_t j1) {
        for (std::int64_t j = j0; j < j1; ++j) {
            const std::int64_t i = j / blocks, blk = zigzag(j % blocks, blocks);
            const std::int64_t t0 = blk * kBlockPositions, t1 = std::min(a.queries, t0 + kBlockPositions);
            attend(a, i / a.kvHeads, i % a.kvHeads, t0, t1, kt + i * stride, spad);
        }
    });
}

}  // namespace

bool fusedAttentionAvailable(std::int64_t headDim, AttentionIsa isa) { return kernelFor(headDim, isa) != Kernel::None; }

void causalAttention(const AttentionArgs& a, AttentionIsa isa) {
    switch (kernelFor(a.headDim, isa)) {
        case Kernel::Avx512: {
            const std::int64_t spad = (a.keys + avx512::KB - 1) / avx512::KB * avx512::KB;
            return run(a, spad, avx512::transposeKeys, avx512::attendBlock);
        }
        case Kernel::Avx2: {
            const std::int64_t spad = (a.keys + avx2::KB - 1) / avx2::KB * avx2::KB;
            return run(a, spad, avx2::transposeKeys, avx2::attendBlock);
        }
        case Kernel::None: break;
    }
    throw std::invalid_argument("causalAttention: no kernel for head size " + std::to_string(a.headDim) + " on this CPU");
}

#else  // no x86 kernels: callers take their general path

bool fusedAttentionAvailable(std::int64_t, AttentionIsa) { return false; }
void causalAttention(const AttentionArgs&, AttentionIsa) { throw std::invalid_argument("causalAttention: no kernel on this CPU"); }

#endif

}  // namespace avss::kernels

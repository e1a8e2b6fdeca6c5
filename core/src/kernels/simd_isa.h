// The vector operations the hand-written kernels share, one struct per instruction set (W lanes;
// MR matrix rows per dot-product tile and PanelRows activation rows per packed tile of the row kernel,
// AttentionRows query rows × AttentionVectors vectors per attention tile), each defined inside
// its own `#pragma GCC target` region so a kernel compiled for that set can inline them. x86 with
// GCC or Clang only (AVSS_SIMD_ISA).
#pragma once

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

#include <cstdint>
#define AVSS_SIMD_ISA 1

namespace avss::kernels {

// Cephes' expf polynomial after range reduction (about 1 ulp); inputs below −87.3 (masked keys are
// −inf) give exactly 0, inputs above 88.7 the largest finite result's neighbourhood, never garbage.
#define AVSS_EXP_CONSTANTS                                                                        \
    constexpr float kLog2e = 1.44269504088896341f, kC1 = 0.693359375f, kC2 = -2.12194440e-4f;      \
    constexpr float kP0 = 1.9875691500e-4f, kP1 = 1.3981999507e-3f, kP2 = 8.3334519073e-3f;       \
    constexpr float kP3 = 4.1665795894e-2f, kP4 = 1.6666665459e-1f, kP5 = 5.0000001201e-1f;       \
    constexpr float kLowest = -87.33654475f, kHighest = 88.7228391f;

#pragma GCC push_options
#pragma GCC target("avx2,fma")
namespace avx2 {
struct Isa {
    using V = __m256;
    static constexpr int W = 8, MR = 2;  // 16 registers: 2 rows × 4 accumulators, 4 loads, 1 broadcast
    // 6 query rows × 2 vectors: 12 accumulators + 2 loads + 1 broadcast (2 rows × 4 vectors needed 16
    // bytes of keys per FMA and ran at 0.25–0.39 × the row kernel's rate on Zen 3; docs/benchmarks.md).
    static constexpr int AttentionRows = 6, AttentionVectors = 2;
    static constexpr int PanelRows = 6;      // packed tiles: 6 × 2 accumulators, 2 loads, 1 broadcast
    static V zero() { return _mm256_setzero_ps(); }
    static V set1(float x) { return _mm256_set1_ps(x); }
    static V load(const float* p) { return _mm256_loadu_ps(p); }
    static V widen(const std::int8_t* p) { return _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p)))); }
    static void store(float* p, V v) { _mm256_storeu_ps(p, v); }
    static V fma(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
    static V mul(V a, V b) { return _mm256_mul_ps(a, b); }
    static V div(V a, V b) { return _mm256_div_ps(a, b); }
    static V add(V a, V b) { return _mm256_add_ps(a, b); }
    static V sub(V a, V b) { return _mm256_sub_ps(a, b); }
    static V max(V a, V b) { return _mm256_max_ps(a, b); }
    static float first(V v) { return _mm256_cvtss_f32(v); }
    static float hmax(V v) {
        __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
        m = _mm_max_ps(m, _mm_movehl_ps(m, m));
        return _mm_cvtss_f32(_mm_max_ss(m, _mm_movehdup_ps(m)));
    }
    // The maximum over the lanes, in every lane.
    static V allMax(V v) {
        v = _mm256_max_ps(v, _mm256_permute2f128_ps(v, v, 1));
        v = _mm256_max_ps(v, _mm256_permute_ps(v, 0x4E));
        return _mm256_max_ps(v, _mm256_permute_ps(v, 0xB1));
    }
    static float hsum(V v) {
        __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
        s = _mm_add_ps(s, _mm_movehl_ps(s, s));
        return _mm_cvtss_f32(_mm_add_ss(s, _mm_movehdup_ps(s)));
    }
    // r[j] = row j of a W × W block in, column j out.
    static void transpose(V* r) {
        V t[8], s[8];
        for (int i = 0; i < 8; i += 2) t[i] = _mm256_unpacklo_ps(r[i], r[i + 1]), t[i + 1] = _mm256_unpackhi_ps(r[i], r[i + 1]);
        for (int i = 0; i < 8; i += 4) {
            s[i] = _mm256_shuffle_ps(t[i], t[i + 2], 0x44), s[i + 1] = _mm256_shuffle_ps(t[i], t[i + 2], 0xEE);
            s[i + 2] = _mm256_shuffle_ps(t[i + 1], t[i + 3], 0x44), s[i + 3] = _mm256_shuffle_ps(t[i + 1], t[i + 3], 0xEE);
        }
        for (int i = 0; i < 4; ++i) r[i] = _mm256_permute2f128_ps(s[i], s[i + 4], 0x20), r[i + 4] = _mm256_permute2f128_ps(s[i], s[i + 4], 0x31);
    }
    static V exp(V x) {
        AVSS_EXP_CONSTANTS
        const V live = _mm256_cmp_ps(x, set1(kLowest), _CMP_GE_OQ);
        x = _mm256_min_ps(_mm256_max_ps(x, set1(kLowest)), set1(kHighest));
        const V n = _mm256_round_ps(_mm256_mul_ps(x, set1(kLog2e)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
        const V r = _mm256_fnmadd_ps(n, set1(kC2), _mm256_fnmadd_ps(n, set1(kC1), x));
        V p = set1(kP0);
        for (float c : {kP1, kP2, kP3, kP4, kP5}) p = fma(p, r, set1(c));
        p = fma(_mm256_mul_ps(p, r), r, _mm256_add_ps(r, set1(1.0f)));
        const __m256i e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
        return _mm256_and_ps(live, _mm256_mul_ps(p, _mm256_castsi256_ps(e)));
    }
};
}  // namespace avx2
#pragma GCC pop_options

#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw,avx512vl,avx512dq,fma")
namespace avx512 {
struct Isa {
    using V = __m512;
    static constexpr int W = 16, MR = 4;
    // 6 × 4 accumulators + 4 loads + 1 broadcast = 29 of 32 registers: 18 % less attention CPU time
    // than 4 rows at window 4096 (docs/benchmarks.md); the row kernel measured no gain from 6.
    static constexpr int AttentionRows = 6, AttentionVectors = 4;
    static constexpr int PanelRows = 8;  // packed tiles: 8 × 2 accumulators, 2 loads, 1 broadcast
    static V zero() { return _mm512_setzero_ps(); }
    static V set1(float x) { return _mm512_set1_ps(x); }
    static V load(const float* p) { return _mm512_loadu_ps(p); }
    static V widen(const std::int8_t* p) { return _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)))); }
    static void store(float* p, V v) { _mm512_storeu_ps(p, v); }
    static V fma(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
    static V mul(V a, V b) { return _mm512_mul_ps(a, b); }
    static V div(V a, V b) { return _mm512_div_ps(a, b); }
    static V add(V a, V b) { return _mm512_add_ps(a, b); }
    static V sub(V a, V b) { return _mm512_sub_ps(a, b); }
    // Zero-masked with every lane kept: the same instruction, but GCC 12 flags the plain form's
    // _mm512_undefined_ps() as -Wuninitialized when inlined into some loops.
    static V max(V a, V b) { return _mm512_maskz_max_ps(static_cast<__mmask16>(0xFFFF), a, b); }
    static float first(V v) { return _mm512_cvtss_f32(v); }
    // Two halves, then the AVX2 reduction: GCC 12's _mm512_reduce_*_ps trip its own -Wuninitialized
    // when inlined into templates.
    static float hmax(V v) { return avx2::Isa::hmax(_mm256_max_ps(_mm512_extractf32x8_ps(v, 0), _mm512_extractf32x8_ps(v, 1))); }
    static V allMax(V v) {  // the maximum over the lanes, in every lane: 256-bit halves, 128-bit lanes, pairs, neighbours
        v = max(v, _mm512_shuffle_f32x4(v, v, 0x4E));
        v = max(v, _mm512_shuffle_f32x4(v, v, 0xB1));
        v = max(v, _mm512_permute_ps(v, 0x4E));
        return max(v, _mm512_permute_ps(v, 0xB1));
    }
    static float hsum(V v) { return avx2::Isa::hsum(_mm256_add_ps(_mm512_extractf32x8_ps(v, 0), _mm512_extractf32x8_ps(v, 1))); }
    // r[j] = row j of a W × W block in, column j out: pairs, quads, then 128- and 256-bit lanes.
    static void transpose(V* r) {
        V t[16];
        for (int i = 0; i < 16; i += 2) t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]), t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);
        for (int i = 0; i < 16; i += 4) {
            r[i] = _mm512_shuffle_ps(t[i], t[i + 2], 0x44), r[i + 1] = _mm512_shuffle_ps(t[i], t[i + 2], 0xEE);
            r[i + 2] = _mm512_shuffle_ps(t[i + 1], t[i + 3], 0x44), r[i + 3] = _mm512_shuffle_ps(t[i + 1], t[i + 3], 0xEE);
        }
        for (int i = 0; i < 8; ++i) {
            const int a = (i / 4) * 8 + i % 4;
            t[a] = _mm512_shuffle_f32x4(r[a], r[a + 4], 0x88), t[a + 4] = _mm512_shuffle_f32x4(r[a], r[a + 4], 0xDD);
        }
        for (int i = 0; i < 4; ++i) {
            r[i] = _mm512_shuffle_f32x4(t[i], t[i + 8], 0x88), r[i + 8] = _mm512_shuffle_f32x4(t[i], t[i + 8], 0xDD);
            r[i + 4] = _mm512_shuffle_f32x4(t[i + 4], t[i + 12], 0x88), r[i + 12] = _mm512_shuffle_f32x4(t[i + 4], t[i + 12], 0xDD);
        }
    }
    static V exp(V x) {
        AVSS_EXP_CONSTANTS
        const __mmask16 live = _mm512_cmp_ps_mask(x, set1(kLowest), _CMP_GE_OQ);
        x = _mm512_min_ps(_mm512_max_ps(x, set1(kLowest)), set1(kHighest));
        const V n = _mm512_roundscale_ps(_mm512_mul_ps(x, set1(kLog2e)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
        const V r = _mm512_fnmadd_ps(n, set1(kC2), _mm512_fnmadd_ps(n, set1(kC1), x));
        V p = set1(kP0);
        for (float c : {kP1, kP2, kP3, kP4, kP5}) p = fma(p, r, set1(c));
        p = fma(_mm512_mul_ps(p, r), r, _mm512_add_ps(r, set1(1.0f)));
        return _mm512_maskz_mov_ps(live, _mm512_scalef_ps(p, n));  // p·2ⁿ in one instruction, not four
    }
};
}  // namespace avx512
#pragma GCC pop_options

}  // namespace avss::kernels

#endif

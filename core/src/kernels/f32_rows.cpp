// Register tiles of RW matrix rows × up to 4 activation rows: each weight vector is loaded once per
// tile and each activation vector once per RW matrix rows; the RW matrix rows stay in L1 while all
// activation rows pass, so the weight comes from memory once per call.
#include "kernels/f32_rows.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "blas/cpu_features.h"
#include "kernels/row_threads.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define AVSS_F32_ROWS 1
#endif

namespace avss::kernels {

#if AVSS_F32_ROWS
namespace {

enum class Isa { None, Avx512, Avx2 };

Isa isaFor(std::int64_t cols) {
    static const auto cpu = blas::readCpuFeatures();
    if (cols <= 0) return Isa::None;
    if (cpu.avx512Usable() && cols % 16 == 0) return Isa::Avx512;
    if (cpu.avx2Usable() && cols % 8 == 0) return Isa::Avx2;
    return Isa::None;
}

__attribute__((target("avx2,fma"))) inline float hsum256(__m256 v) {
    const __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    const __m128 t = _mm_add_ps(s, _mm_movehl_ps(s, s));
    return _mm_cvtss_f32(_mm_add_ss(t, _mm_movehdup_ps(t)));
}

// GCC 12's _mm512_reduce_add_ps and 512→256 cast trip its own -Wuninitialized: two extracted halves instead.
__attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,fma"))) inline float hsum512(__m512 v) {
    return hsum256(_mm256_add_ps(_mm512_extractf32x8_ps(v, 0), _mm512_extractf32x8_ps(v, 1)));
}

template <int RW, int MI>
__attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,fma"))) inline void tile512(const float* w, std::int64_t ldw, std::int64_t cols,
                                                                                      const float* x, std::int64_t ldx, float* y,
                                                                                      std::int64_t ldy) {
    __m512 acc[RW][MI];
    for (int r = 0; r < RW; ++r)
        for (int i = 0; i < MI; ++i) acc[r][i] = _mm512_setzero_ps();
    for (std::int64_t c = 0; c < cols; c += 16) {
        __m512 wv[RW];
        for (int r = 0; r < RW; ++r) wv[r] = _mm512_loadu_ps(w + r * ldw + c);
        for (int i = 0; i < MI; ++i) {
            const __m512 xv = _mm512_loadu_ps(x + i * ldx + c);
            for (int r = 0; r < RW; ++r) acc[r][i] = _mm512_fmadd_ps(wv[r], xv, acc[r][i]);
        }
    }
    for (int r = 0; r < RW; ++r)
        for (int i = 0; i < MI; ++i) y[i * ldy + r] = hsum512(acc[r][i]);
}

template <int RW>
__attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,fma"))) void rows512(const float* w, std::int64_t ldw, std::int64_t cols,
                                                                               const float* x, std::int64_t m, std::int64_t ldx, float* y,
                                                                               std::int64_t ldy) {
    std::int64_t i = 0;
    for (; i + 4 <= m; i += 4) tile512<RW, 4>(w, ldw, cols, x + i * ldx, ldx, y + i * ldy, ldy);
    switch (m - i) {
        case 1: tile512<RW, 1>(w, ldw, cols, x + i * ldx, ldx, y + i * ldy, ldy); break;
        case 2: tile512<RW, 2>(w, ldw, cols, x + i * ldx, ldx, y + i * ldy, ldy); break;
        case 3: tile512<RW, 3>(w, ldw, cols, x + i * ldx, ldx, y + i * ldy, ldy); break;
        default: break;
    }
}

template <int RW, int MI>
__attribute__((target("avx2,fma"))) inline void tile256(const float* w, std::int64_t ldw, std::int64_t cols, const float* x,
                                                        std::int64_t ldx, float* y, std::int64_t ldy) {
    __m256 acc[RW][MI];
    for (int r = 0; r < RW; ++r)
        for (int i = 0; i < MI; ++i) acc[r][i] = _mm256_setzero_ps();
    for (std::int64_t c = 0; c < cols; c += 8) {
        __m256 wv[RW];
        for (int r = 0; r < RW; ++r) wv[r] = _mm256_loadu_ps(w + r * ldw + c);
        for (int i = 0; i < MI; ++i) {
            const __m256 xv = _mm256_loadu_ps(x + i * ldx + c);
            for (int r = 0; r < RW; ++r) acc[r][i] = _mm256_fmadd_ps(wv[r], xv, acc[r][i]);
        }
    }
    for (int r = 0; r < RW; ++r)
        for (int i = 0; i < MI; ++i) y[i * ldy + r] = hsum256(acc[r][i]);
}

template <int RW>
__attribute__((target("avx2,fma"))) void rows256(const float* w, std::int64_t ldw, std::int64_t cols, const float* x, std::int64_t m,
                                                 std::int64_t ldx, float* y, std::int64_t ldy) {
    std::int64_t i = 0;
    for (; i + 4 <= m; i += 4) tile256<RW, 4>(w, ldw, cols, x + i * ldx, ldx, y + i * ldy, ldy);
    switch (m - i) {
        case 1: tile256<RW, 1>(w, ldw, cols, x + i * ldx, ldx, y + i * ldy, ldy); break;
        case 2: tile256<RW, 2>(w, ldw, cols, x + i * ldx, ldx, y + i * ldy, ldy); break;
        case 3: tile256<RW, 3>(w, ldw, cols, x + i * ldx, ldx, y + i * ldy, ldy); break;
        default: break;
    }
}

}  // namespace

bool f32RowsAvailable(std::int64_t cols) { return isaFor(cols) != Isa::None; }

void multiplyF32Rows(const float* w, std::int64_t ldw, std::int64_t cols, const float* x, std::int64_t m, std::int64_t ldx, float* y,
                     std::int64_t ldy, std::int64_t r0, std::int64_t r1) {
    std::int64_t r = r0;
    switch (isaFor(cols)) {
        case Isa::Avx512:  // 4 × 4 accumulators, 4 weight vectors and 1 activation vector of the 32 registers
            for (; r + 4 <= r1; r += 4) rows512<4>(w + r * ldw, ldw, cols, x, m, ldx, y + r, ldy);
            for (; r < r1; ++r) rows512<1>(w + r * ldw, ldw, cols, x, m, ldx, y + r, ldy);
            return;
        case Isa::Avx2:  // 2 × 4 accumulators, 2 weight vectors and 1 activation vector of the 16 registers
            for (; r + 2 <= r1; r += 2) rows256<2>(w + r * ldw, ldw, cols, x, m, ldx, y + r, ldy);
            for (; r < r1; ++r) rows256<1>(w + r * ldw, ldw, cols, x, m, ldx, y + r, ldy);
            return;
        case Isa::None: break;
    }
    throw std::invalid_argument("multiplyF32Rows: no kernel for rows of " + std::to_string(cols) + " on this CPU");
}

#else

bool f32RowsAvailable(std::int64_t) { return false; }
void multiplyF32Rows(const float*, std::int64_t, std::int64_t, const float*, std::int64_t, std::int64_t, float*, std::int64_t,
                     std::int64_t, std::int64_t) {
    throw std::invalid_argument("multiplyF32Rows: no kernel on this CPU");
}

#endif

void multiplyF32(const float* w, std::int64_t rows, std::int64_t cols, const float* x, std::int64_t m, std::int64_t ldx, float* y,
                 std::int64_t ldy) {
    if (!f32RowsAvailable(cols)) throw std::invalid_argument("multiplyF32: no kernel for rows of " + std::to_string(cols) + " on this CPU");
    parallelRows(rows, 16, [&](std::int64_t r0, std::int64_t r1) { multiplyF32Rows(w, cols, cols, x, m, ldx, y, ldy, r0, r1); });
}

}  // namespace avss::kernels

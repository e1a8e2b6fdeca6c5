// Row products from int8 blocks: per block, 32 weights are widened to fp32 once and multiplied with
// up to four activation rows, and the block's partial sum is scaled once (not every weight).
#include "kernels/q8_matrix.h"

#include <algorithm>
#include <cmath>

#include "blas/cpu_features.h"
#include "kernels/f32_rows.h"
#include "kernels/row_threads.h"
#include "kernels/simd_isa.h"

namespace avss::kernels {
namespace {

constexpr std::int64_t B = Q8Matrix::kBlock;
static_assert(B == kQ8Block, "the fp32 kernel's panels widen q8 rows in Q8Matrix's blocks");

void rowsPortable(const std::int8_t* q, const float* s, std::int64_t cols, const float* x, std::int64_t m, std::int64_t ldx,
                  float* y, std::int64_t ldy, std::int64_t r0, std::int64_t r1) {
    const std::int64_t nb = cols / B;
    for (std::int64_t r = r0; r < r1; ++r) {
        const std::int8_t* qr = q + r * cols;
        for (std::int64_t i = 0; i < m; ++i) {
            const float* xi = x + i * ldx;
            float acc = 0.0f;
            for (std::int64_t b = 0; b < nb; ++b) {
                float part = 0.0f;
                for (std::int64_t c = 0; c < B; ++c) part += static_cast<float>(qr[b * B + c]) * xi[b * B + c];
                acc += part * s[r * nb + b];
            }
            y[i * ldy + r] = acc;
        }
    }
}

#if AVSS_SIMD_ISA
using avx2::Isa;  // hsum: the shared AVX2 horizontal sum

// MI activation rows (1..4) against one matrix row.
template <int MI>
__attribute__((target("avx2,fma"))) inline void rowAvx2Tile(const std::int8_t* qr, const float* sr, std::int64_t nb, const float* x,
                                                              std::int64_t ldx, float* y, std::int64_t ldy) {
    __m256 acc[MI];
    for (int i = 0; i < MI; ++i) acc[i] = _mm256_setzero_ps();
    for (std::int64_t b = 0; b < nb; ++b) {
        const __m128i lo = _mm_loadu_si128(reinterpret_cast<const __m128i*>(qr + b * B));
        const __m128i hi = _mm_loadu_si128(reinterpret_cast<const __m128i*>(qr + b * B + 16));
        const __m256 w0 = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(lo));
        const __m256 w1 = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_srli_si128(lo, 8)));
        const __m256 w2 = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(hi));
        const __m256 w3 = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_srli_si128(hi, 8)));
        const __m256 scale = _mm256_broadcast_ss(sr + b);
        for (int i = 0; i < MI; ++i) {
            const float* xb = x + i * ldx + b * B;
            __m256 t = _mm256_mul_ps(w0, _mm256_loadu_ps(xb));
            t = _mm256_fmadd_ps(w1, _mm256_loadu_ps(xb + 8), t);
            t = _mm256_fmadd_ps(w2, _mm256_loadu_ps(xb + 16), t);
            t = _mm256_fmadd_ps(w3, _mm256_loadu_ps(xb + 24), t);
            acc[i] = _mm256_fmadd_ps(t, scale, acc[i]);
        }
    }
    for (int i = 0; i < MI; ++i) y[i * ldy] = Isa::hsum(acc[i]);
}

// RW matrix rows × MI activation rows (MI ≤ 4) for more than one activation row: each weight is
// widened and scaled once per tile and each activation vector loaded once per tile, so the
// activations are re-read from cache once per RW matrix rows instead of once per row.
template <int RW, int MI>
__attribute__((target("avx2,fma"))) inline void tileAvx2(const std::int8_t* q, const float* s, std::int64_t cols, const float* x,
                                                          std::int64_t ldx, float* y, std::int64_t ldy) {
    const std::int64_t nb = cols / B;
    __m256 acc[RW][MI];
    for (int r = 0; r < RW; ++r)
        for (int i = 0; i < MI; ++i) acc[r][i] = _mm256_setzero_ps();
    for (std::int64_t b = 0; b < nb; ++b) {
        __m256 scale[RW];
        for (int r = 0; r < RW; ++r) scale[r] = _mm256_broadcast_ss(s + r * nb + b);
        for (int j = 0; j < 4; ++j) {
            __m256 w[RW];
            for (int r = 0; r < RW; ++r) {
                const __m128i raw = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(q + r * cols + b * B + j * 8));
                w[r] = _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(raw)), scale[r]);
            }
            for (int i = 0; i < MI; ++i) {
                const __m256 xv = _mm256_loadu_ps(x + i * ldx + b * B + j * 8);
                for (int r = 0; r < RW; ++r) acc[r][i] = _mm256_fmadd_ps(w[r], xv, acc[r][i]);
            }
        }
    }
    for (int r = 0; r < RW; ++r)
        for (int i = 0; i < MI; ++i) y[i * ldy + r] = Isa::hsum(acc[r][i]);
}

template <int RW>
void tileRowsAvx2(const std::int8_t* q, const float* s, std::int64_t cols, const float* x, std::int64_t m, std::int64_t ldx, float* y,
                  std::int64_t ldy) {
    for (std::int64_t i = 0; i < m; i += 4) {
        const float* xi = x + i * ldx;
        float* yi = y + i * ldy;
        switch (std::min<std::int64_t>(4, m - i)) {
            case 1: tileAvx2<RW, 1>(q, s, cols, xi, ldx, yi, ldy); break;
            case 2: tileAvx2<RW, 2>(q, s, cols, xi, ldx, yi, ldy); break;
            case 3: tileAvx2<RW, 3>(q, s, cols, xi, ldx, yi, ldy); break;
            default: tileAvx2<RW, 4>(q, s, cols, xi, ldx, yi, ldy); break;
        }
    }
}

// One activation row (decoding, bound by reading the weights): per block the partial sum is scaled
// once. More rows: tiles of 2 matrix rows × 4 activation rows (13 of the 16 vector registers).
void rowsAvx2(const std::int8_t* q, const float* s, std::int64_t cols, const float* x, std::int64_t m, std::int64_t ldx, float* y,
              std::int64_t ldy, std::int64_t r0, std::int64_t r1) {
    const std::int64_t nb = cols / B;
    if (m == 1) {
        for (std::int64_t r = r0; r < r1; ++r) rowAvx2Tile<1>(q + r * cols, s + r * nb, nb, x, ldx, y + r, ldy);
        return;
    }
    std::int64_t r = r0;
    for (; r + 2 <= r1; r += 2) tileRowsAvx2<2>(q + r * cols, s + r * nb, cols, x, m, ldx, y + r, ldy);
    for (; r < r1; ++r) tileRowsAvx2<1>(q + r * cols, s + r * nb, cols, x, m, ldx, y + r, ldy);
}
#endif

bool detectAvx2() {
#if AVSS_SIMD_ISA
    return blas::readCpuFeatures().avx2Usable();
#else
    return false;
#endif
}

}  // namespace

bool q8UsesAvx2() {
    static const bool yes = detectAvx2();
    return yes;
}

Q8Matrix Q8Matrix::quantize(const float* w, std::int64_t rows, std::int64_t cols) {
    Q8Matrix out;
    out.m_rows = rows;
    out.m_cols = cols;
    const std::int64_t nb = cols / B;
    out.m_q = PageBuffer(static_cast<std::size_t>(rows * cols));
    out.m_scale = PageBuffer(static_cast<std::size_t>(rows * nb) * sizeof(float));
    auto* dstScale = static_cast<float*>(out.m_scale.data());
    auto* dstQuant = static_cast<std::int8_t*>(out.m_q.data());
    parallelRows(rows, 64, [&](std::int64_t r0, std::int64_t r1) {
        for (std::int64_t blk = r0 * nb; blk < r1 * nb; ++blk) {
            const float* src = w + blk * B;
            float amax = 0.0f;
            for (std::int64_t c = 0; c < B; ++c) amax = std::max(amax, std::fabs(src[c]));
            const float scale = amax / 127.0f;
            const float inv = scale > 0.0f ? 1.0f / scale : 0.0f;
            dstScale[blk] = scale;
            std::int8_t* dst = dstQuant + blk * B;
            for (std::int64_t c = 0; c < B; ++c) {
                dst[c] = static_cast<std::int8_t>(std::clamp(std::nearbyint(src[c] * inv), -127.0f, 127.0f));
            }
        }
    });
    return out;
}

void Q8Matrix::multiplyRows(const float* x, std::int64_t m, std::int64_t ldx, float* y, std::int64_t ldy, std::int64_t r0,
                            std::int64_t r1, bool portable) const {
    if (m >= kPanelMinRows && !portable && f32RowsAvailable(m_cols)) {
        // Widening per tile of 4 rows was ~40 % of a 32-row product's instructions: widen each weight
        // once, as the fp32 row kernel packs it.
        return multiplyQ8Rows(quants(), scales(), m_cols, x, m, ldx, y, ldy, r0, r1);
    }
#if AVSS_SIMD_ISA
    if (q8UsesAvx2() && !portable) return rowsAvx2(quants(), scales(), m_cols, x, m, ldx, y, ldy, r0, r1);
#endif
    rowsPortable(quants(), scales(), m_cols, x, m, ldx, y, ldy, r0, r1);
}

void Q8Matrix::multiply(const float* x, std::int64_t m, std::int64_t ldx, float* y, std::int64_t ldy) const {
    parallelPanels(m_rows, m, [&](std::int64_t i0, std::int64_t mi, std::int64_t r0, std::int64_t r1) {
        multiplyRows(x + i0 * ldx, mi, ldx, y + i0 * ldy, ldy, r0, r1);
    });
}

void Q8Matrix::dequantizeSlice(std::int64_t r0, std::int64_t n, float* out) const {
    const std::int64_t nb = m_cols / B;
    for (std::int64_t blk = r0 * nb; blk < (r0 + n) * nb; ++blk) {
        const float scale = scales()[blk];
        const std::int8_t* src = quants() + blk * B;
        float* dst = out + (blk - r0 * nb) * B;
        for (std::int64_t c = 0; c < B; ++c) dst[c] = static_cast<float>(src[c]) * scale;
    }
}

void Q8Matrix::dequantizeRows(std::int64_t r0, std::int64_t n, float* out) const {
    parallelRows(n, 64, [&](std::int64_t a, std::int64_t b) { dequantizeSlice(r0 + a, b - a, out + a * m_cols); });
}

}  // namespace avss::kernels

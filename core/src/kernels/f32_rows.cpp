// Register tiles (f32_rows_body.inc, once per instruction set): up to 4 activation rows take dot
// products with a few matrix rows held in L1; up to kActivationPanelMaxRows rows are packed into
// panels of 2·W activation rows; more rows take packed panels of 2·W matrix rows. Every way, the
// weight comes from memory once per call.
#include "kernels/f32_rows.h"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "blas/cpu_features.h"
#include "kernels/row_threads.h"
#include "kernels/simd_isa.h"

namespace avss::kernels {

#if AVSS_SIMD_ISA
#define AVSS_KERNEL_BODY "kernels/f32_rows_body.inc"
#include "kernels/per_isa.inc"
#undef AVSS_KERNEL_BODY

namespace {

enum class Isa { None, Avx512, Avx2 };

Isa isaFor(std::int64_t cols, RowsIsa want) {
    static const auto cpu = blas::readCpuFeatures();
    if (cols <= 0) return Isa::None;
    if (want == RowsIsa::Best && cpu.avx512Usable() && cols % avx512::Isa::W == 0) return Isa::Avx512;
    if (cpu.avx2Usable() && cols % avx2::Isa::W == 0) return Isa::Avx2;
    return Isa::None;
}

}  // namespace

bool f32RowsAvailable(std::int64_t cols, RowsIsa isa) { return isaFor(cols, isa) != Isa::None; }

void multiplyF32Rows(const float* w, std::int64_t ldw, std::int64_t cols, const float* x, std::int64_t m, std::int64_t ldx, float* y,
                     std::int64_t ldy, std::int64_t r0, std::int64_t r1, RowsIsa isa) {
    switch (isaFor(cols, isa)) {
        case Isa::Avx512: return avx512::multiplyRows(w, ldw, cols, x, m, ldx, y, ldy, r0, r1);
        case Isa::Avx2: return avx2::multiplyRows(w, ldw, cols, x, m, ldx, y, ldy, r0, r1);
        case Isa::None: break;
    }
    throw std::invalid_argument("multiplyF32Rows: no kernel for rows of " + std::to_string(cols) + " on this CPU");
}

void multiplyQ8Rows(const std::int8_t* q, const float* scales, std::int64_t cols, const float* x, std::int64_t m, std::int64_t ldx,
                    float* y, std::int64_t ldy, std::int64_t r0, std::int64_t r1, RowsIsa isa) {
    switch (isaFor(cols, isa)) {
        case Isa::Avx512: return avx512::multiplyQ8Rows(q, scales, cols, x, m, ldx, y, ldy, r0, r1);
        case Isa::Avx2: return avx2::multiplyQ8Rows(q, scales, cols, x, m, ldx, y, ldy, r0, r1);
        case Isa::None: break;
    }
    throw std::invalid_argument("multiplyQ8Rows: no kernel for rows of " + std::to_string(cols) + " on this CPU");
}

void multiplyF32(const float* w, std::int64_t rows, std::int64_t cols, const float* x, std::int64_t m, std::int64_t ldx, float* y,
                 std::int64_t ldy) {
    switch (isaFor(cols, RowsIsa::Best)) {
        case Isa::Avx512: return avx512::multiplyAll(w, rows, cols, x, m, ldx, y, ldy);
        case Isa::Avx2: return avx2::multiplyAll(w, rows, cols, x, m, ldx, y, ldy);
        case Isa::None: break;
    }
    throw std::invalid_argument("multiplyF32: no kernel for rows of " + std::to_string(cols) + " on this CPU");
}

#else

bool f32RowsAvailable(std::int64_t, RowsIsa) { return false; }
void multiplyF32Rows(const float*, std::int64_t, std::int64_t, const float*, std::int64_t, std::int64_t, float*, std::int64_t,
                     std::int64_t, std::int64_t, RowsIsa) {
    throw std::invalid_argument("multiplyF32Rows: no kernel on this CPU");
}
void multiplyQ8Rows(const std::int8_t*, const float*, std::int64_t, const float*, std::int64_t, std::int64_t, float*, std::int64_t,
                    std::int64_t, std::int64_t, RowsIsa) {
    throw std::invalid_argument("multiplyQ8Rows: no kernel on this CPU");
}

void multiplyF32(const float*, std::int64_t, std::int64_t, const float*, std::int64_t, std::int64_t, float*, std::int64_t) {
    throw std::invalid_argument("multiplyF32: no kernel on this CPU");
}

#endif

}  // namespace avss::kernels

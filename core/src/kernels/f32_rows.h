// Products of a few activation rows with an fp32 weight matrix [rows, cols] that read the weight
// once, packing the activations or at most one panel of the weight at a time: a step of batched
// decoding (2–64 rows), where BLAS GEMM first copies the whole weight into its packed layout on every
// call (half the GEMM rate at 32 rows, docs/benchmarks.md). Also the back end of compact (q8) weights
// at several rows.
#pragma once

#include <cstdint>

namespace avss::kernels {

// Best: the widest the CPU has; Avx2 forces the AVX2 + FMA kernel (tests compare both).
enum class RowsIsa { Best, Avx2 };

// From this many activation rows the fp32 kernel packs panels of the weight, and q8 weights are
// widened into those panels instead of per tile of 4 rows; below, the weight's memory traffic bounds
// both and the dot-product tiles need no buffer.
constexpr std::int64_t kPanelMinRows = 5;
// Up to this many rows the fp32 kernel packs the activations instead (a panel of the weight per call
// costs more than these rows' products can repay); q8 weights always pack weight panels.
constexpr std::int64_t kActivationPanelMaxRows = 64;

// Q8Matrix's block: int8 values per fp32 scale along a row (q8_matrix.cpp checks that they agree).
constexpr std::int64_t kQ8Block = 32;

// Whether this CPU has the kernel (AVX-512, or AVX2 + FMA) for rows of this length (a multiple of
// 16 or 8); callers use BLAS otherwise.
bool f32RowsAvailable(std::int64_t cols, RowsIsa isa = RowsIsa::Best);

// y[i·ldy + r] = Σ_c x[i·ldx + c] · w[r·ldw + c] for matrix rows r0 ≤ r < r1 and activation rows i < m,
// on the calling thread. Requires f32RowsAvailable(cols, isa).
void multiplyF32Rows(const float* w, std::int64_t ldw, std::int64_t cols, const float* x, std::int64_t m, std::int64_t ldx,
                     float* y, std::int64_t ldy, std::int64_t r0, std::int64_t r1, RowsIsa isa = RowsIsa::Best);

// The same product for int8 weights in blocks of 32 along each row with one fp32 scale per block
// (Q8Matrix's layout), each panel widened to fp32 as it is packed; the sums equal those of the
// dequantised fp32 weight through multiplyF32Rows. Requires f32RowsAvailable(cols).
void multiplyQ8Rows(const std::int8_t* q, const float* scales, std::int64_t cols, const float* x, std::int64_t m, std::int64_t ldx,
                    float* y, std::int64_t ldy, std::int64_t r0, std::int64_t r1, RowsIsa isa = RowsIsa::Best);

// The same for all `rows` matrix rows, split over kernelThreads() (row_threads.h).
void multiplyF32(const float* w, std::int64_t rows, std::int64_t cols, const float* x, std::int64_t m, std::int64_t ldx, float* y,
                 std::int64_t ldy);

}  // namespace avss::kernels

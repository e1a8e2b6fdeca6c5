// A weight matrix stored as int8 in blocks of 32 along each row with one fp32 scale per block
// (1.125 bytes per weight instead of 4): the engine's compact weight storage. Products with a few
// activation rows run straight from the int8 blocks (decoding is bound by reading the weights);
// more rows widen the blocks into the fp32 row kernel's packed panels (f32_rows.h).
#pragma once

#include <cstdint>

#include "kernels/page_buffer.h"

namespace avss::kernels {

class Q8Matrix {
public:
    static constexpr std::int64_t kBlock = 32;

    // Symmetric per-block quantisation of a row-major [rows, cols] fp32 matrix: scale = max|w| / 127,
    // q = round(w / scale). cols must be a multiple of kBlock (the caller reports the tensor).
    static Q8Matrix quantize(const float* w, std::int64_t rows, std::int64_t cols);

    std::int64_t rows() const { return m_rows; }
    std::int64_t cols() const { return m_cols; }
    std::uint64_t bytes() const { return m_q.size() + m_scale.size(); }

    // y[i, r] = Σ_c x[i, c] · w[r, c] for i < m, rows [r0, r1) only (row-major x and y with leading
    // dimensions ldx ≥ cols and ldy ≥ rows). Each output is summed in the same order whatever the
    // split, so results do not depend on the thread count.
    // From kPanelMinRows activation rows the weights are widened into the fp32 row kernel's panels
    // (multiplyQ8Rows, f32_rows.h). `portable` forces the plain C++ path (tests compare both).
    void multiplyRows(const float* x, std::int64_t m, std::int64_t ldx, float* y, std::int64_t ldy, std::int64_t r0,
                      std::int64_t r1, bool portable = false) const;
    // The same over all rows, split across kernelThreads().
    void multiply(const float* x, std::int64_t m, std::int64_t ldx, float* y, std::int64_t ldy) const;

    // Rows [r0, r0 + n) as fp32 into out (n × cols, row-major), split across kernelThreads();
    // dequantizeSlice does the same on the calling thread.
    void dequantizeRows(std::int64_t r0, std::int64_t n, float* out) const;
    void dequantizeSlice(std::int64_t r0, std::int64_t n, float* out) const;

    const std::int8_t* quants() const { return static_cast<const std::int8_t*>(m_q.data()); }
    const float* scales() const { return static_cast<const float*>(m_scale.data()); }

private:
    std::int64_t m_rows = 0, m_cols = 0;
    PageBuffer m_q;      // int8 [rows, cols]
    PageBuffer m_scale;  // float [rows, cols / kBlock]
};

// Whether multiplyRows uses the AVX2 + FMA path on this CPU (else portable C++).
bool q8UsesAvx2();

}  // namespace avss::kernels

// One vector pass per row (silu_gate_body.inc): AVX-512 or AVX2 with the shared polynomial exp
// (simd_isa.h); the tail and CPUs without AVX2 in plain C++.
#include "kernels/silu_gate.h"

#include <cmath>

#include "blas/cpu_features.h"
#include "kernels/row_threads.h"
#include "kernels/simd_isa.h"

namespace avss::kernels {
namespace {

void rowPortable(const float* g, const float* u, std::int64_t from, std::int64_t n, float* out) {
    for (std::int64_t i = from; i < n; ++i) out[i] = g[i] / (1.0f + std::exp(-g[i])) * u[i];
}

}  // namespace

#if AVSS_SIMD_ISA
#define AVSS_KERNEL_BODY "kernels/silu_gate_body.inc"
#include "kernels/per_isa.inc"
#undef AVSS_KERNEL_BODY
#endif

namespace {

void rows(const float* in, std::int64_t r0, std::int64_t r1, std::int64_t ffn, float* out) {
    static const auto cpu = blas::readCpuFeatures();
    for (std::int64_t r = r0; r < r1; ++r) {
        const float* g = in + r * 2 * ffn;
        float* o = out + r * ffn;
        std::int64_t done = 0;
#if AVSS_SIMD_ISA
        if (cpu.avx512Usable()) done = avx512::siluRow(g, g + ffn, ffn, o);
        else if (cpu.avx2Usable()) done = avx2::siluRow(g, g + ffn, ffn, o);
#endif
        rowPortable(g, g + ffn, done, ffn, o);
    }
}

}  // namespace

void siluGate(const float* in, std::int64_t count, std::int64_t ffn, float* out, bool split) {
    if (!split) return rows(in, 0, count, ffn, out);
    parallelRows(count, 4, [&](std::int64_t r0, std::int64_t r1) { rows(in, r0, r1, ffn, out); });
}

}  // namespace avss::kernels

// Two passes per row (maximum, then Σ exp), AVX-512 or AVX2 with the shared polynomial exp
// (simd_isa.h), rows split over the kernel threads; plain C++ on CPUs without AVX2.
#include "kernels/token_log_probs.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "blas/cpu_features.h"
#include "kernels/row_threads.h"
#include "kernels/simd_isa.h"

namespace avss::kernels {
namespace {

double logSumExpPortable(const float* x, std::int64_t n) {
    float m = -std::numeric_limits<float>::infinity();
    bool finite = true;
    for (std::int64_t i = 0; i < n; ++i) m = std::max(m, x[i]), finite = finite && std::isfinite(x[i]);
    if (!finite || !std::isfinite(m)) return std::numeric_limits<double>::quiet_NaN();
    double sum = 0.0;
    for (std::int64_t i = 0; i < n; ++i) sum += std::exp(static_cast<double>(x[i]) - m);
    return static_cast<double>(m) + std::log(sum);
}

}  // namespace

#if AVSS_SIMD_ISA
#define AVSS_KERNEL_BODY "kernels/token_log_probs_body.inc"
#include "kernels/per_isa.inc"
#undef AVSS_KERNEL_BODY
#endif

namespace {

double logSumExp(const float* x, std::int64_t n, LogProbIsa isa) {
#if AVSS_SIMD_ISA
    static const auto cpu = blas::readCpuFeatures();
    if (isa == LogProbIsa::Best && cpu.avx512Usable()) return avx512::logSumExp(x, n);
    if (isa != LogProbIsa::Portable && cpu.avx2Usable()) return avx2::logSumExp(x, n);
#else
    (void)isa;
#endif
    return logSumExpPortable(x, n);
}

}  // namespace

void tokenLogProbs(const float* logits, std::int64_t rows, std::int64_t vocab, const std::int64_t* targets, double* out, bool split,
                   LogProbIsa isa) {
    for (std::int64_t r = 0; r < rows; ++r) {
        if (targets[r] < 0 || targets[r] >= vocab) {
            throw std::out_of_range("token " + std::to_string(targets[r]) + " at position " + std::to_string(r) + " is outside the vocabulary of " +
                                    std::to_string(vocab));
        }
    }
    const auto run = [&](std::int64_t r0, std::int64_t r1) {
        for (std::int64_t r = r0; r < r1; ++r) {
            const float* x = logits + r * vocab;
            out[r] = static_cast<double>(x[targets[r]]) - logSumExp(x, vocab, isa);
        }
    };
    if (split) parallelRows(rows, 1, run);
    else run(0, rows);
}

}  // namespace avss::kernels

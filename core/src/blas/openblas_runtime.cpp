// dlsym of OpenBLAS's entry points, and the GEMM timing and correctness probes on them.
#include "blas/openblas_runtime.h"

#include <dlfcn.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <thread>
#include <vector>

namespace avss::blas {
namespace {

// CBLAS enum values (cblas.h), spelled out because core includes no BLAS header.
constexpr int kRowMajor = 101, kNoTrans = 111, kTrans = 112;
using SgemmFn = void (*)(int, int, int, int, int, int, float, const float*, int, const float*, int, float, float*, int);

template <class Fn>
Fn symbol(const char* name) {
    return reinterpret_cast<Fn>(::dlsym(RTLD_DEFAULT, name));
}

SgemmFn sgemm() { return symbol<SgemmFn>("cblas_sgemm"); }

// Multiples of 1/8 in [-1, 1]: every product is a multiple of 1/64, so sums of up to 2^17 terms are exact in fp32.
float fixedValue(long i, long salt) { return static_cast<float>(((i * 7 + salt * 13) % 17) - 8) / 8.0f; }

std::vector<float> fixedMatrix(long count, long salt) {
    std::vector<float> m(static_cast<std::size_t>(count));
    for (long i = 0; i < count; ++i) m[static_cast<std::size_t>(i)] = fixedValue(i, salt);
    return m;
}

// One product against the naive double reference; returns the largest relative error.
double checkOne(SgemmFn f, int m, int n, int k, bool transB, float alpha, float beta) {
    const auto a = fixedMatrix(long(m) * k, 1), b = fixedMatrix(long(k) * n, 2);
    auto c = fixedMatrix(long(m) * n, 3);
    const auto c0 = c;
    f(kRowMajor, kNoTrans, transB ? kTrans : kNoTrans, m, n, k, alpha, a.data(), k, b.data(), transB ? k : n, beta, c.data(), n);
    double worst = 0;
    for (int i = 0; i < m; ++i) {
        for (int j = 0; j < n; ++j) {
            double ref = 0;
            for (int p = 0; p < k; ++p) ref += double(a[std::size_t(i) * k + p]) * b[transB ? std::size_t(j) * k + p : std::size_t(p) * n + j];
            ref = alpha * ref + beta * double(c0[std::size_t(i) * n + j]);
            const double got = c[std::size_t(i) * n + j];
            worst = std::max(worst, std::isfinite(got) ? std::abs(got - ref) / std::max(1.0, std::abs(ref)) : 1e300);
        }
    }
    return worst;
}

}  // namespace

std::optional<LoadedBlas> loadedOpenBlas() {
    const auto corename = symbol<char* (*)()>("openblas_get_corename");
    const auto config = symbol<char* (*)()>("openblas_get_config");
    if (corename == nullptr || config == nullptr) return std::nullopt;
    LoadedBlas b;
    b.coreName = corename() ? corename() : "";
    b.config = config() ? config() : "";
    if (const auto threads = symbol<int (*)()>("openblas_get_num_threads")) b.threads = threads();
    return b;
}

int productThreadBudget() {
    if (const auto blas = loadedOpenBlas(); blas && blas->threads > 0) return std::min(blas->threads, 256);
    return std::clamp(static_cast<int>(std::thread::hardware_concurrency()), 1, 256);
}

std::optional<double> sgemmGflops(int n, double budgetSeconds) {
    const auto f = sgemm();
    if (f == nullptr || n <= 0) return std::nullopt;
    const auto a = fixedMatrix(long(n) * n, 1), b = fixedMatrix(long(n) * n, 2);
    std::vector<float> c(a.size());
    f(kRowMajor, kNoTrans, kNoTrans, 64, 64, 64, 1.0f, a.data(), n, b.data(), n, 0.0f, c.data(), n);  // starts the threads
    using Clock = std::chrono::steady_clock;
    const auto start = Clock::now();
    double best = 1e300;
    for (int rep = 0; rep < 50; ++rep) {
        const auto t = Clock::now();
        f(kRowMajor, kNoTrans, kNoTrans, n, n, n, 1.0f, a.data(), n, b.data(), n, 0.0f, c.data(), n);
        const auto now = Clock::now();
        best = std::min(best, std::chrono::duration<double>(now - t).count());
        if (std::chrono::duration<double>(now - start).count() >= budgetSeconds) break;
    }
    return 2.0 * n * n * double(n) / best / 1e9;
}

std::optional<double> sgemmMaxError() {
    const auto f = sgemm();
    if (f == nullptr) return std::nullopt;
    // Odd sizes reach the kernels' edge paths; 301 rows split across threads.
    return std::max({checkOne(f, 67, 93, 129, false, 1.0f, 0.0f), checkOne(f, 301, 45, 77, true, 0.5f, 2.0f),
                     checkOne(f, 5, 257, 33, false, -1.0f, 1.0f)});
}

}  // namespace avss::blas

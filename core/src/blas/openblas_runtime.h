// The OpenBLAS already loaded into this process (through libtorch), found by symbol at run time so
// that core needs no BLAS headers or link flags; and an fp32 GEMM on it, timed and checked.
#pragma once

#include <optional>
#include <string>

namespace avss::blas {

struct LoadedBlas {
    std::string config;    // openblas_get_config(): "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH ... Zen MAX_THREADS=64"
    std::string coreName;  // openblas_get_corename(): the kernel set in use
    int threads = 0;       // openblas_get_num_threads()
};
std::optional<LoadedBlas> loadedOpenBlas();  // nullopt: no OpenBLAS symbols in the process ("unknown BLAS")

// Threads the engine's own products may use (the q8 kernels, bf16 passes): OpenBLAS's thread count
// when it is loaded, else the hardware's; 1..256.
int productThreadBudget();

// Best fp32 rate of C = A·B on n×n matrices over repeats until budgetSeconds have passed (at least
// one, after a small warm-up); nullopt without cblas_sgemm in the process.
std::optional<double> sgemmGflops(int n, double budgetSeconds);

// Largest relative error of the loaded sgemm against a double-precision reference on fixed odd-sized
// products (both layouts of B, alpha and beta ≠ 1): 0 for correct kernels, since the inputs are
// chosen so fp32 computes every sum exactly. nullopt without cblas_sgemm.
std::optional<double> sgemmMaxError();

}  // namespace avss::blas

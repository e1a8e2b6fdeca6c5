// The BLAS that runs the process's matrix products, and the start-up step that gives it the
// machine's best kernels without user action (docs/engine.md, "BLAS kernels").
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace avss {

// First thing in main(), before anything else runs: when OpenBLAS loaded kernels below what the CPU
// can do (an unknown newer CPU gets the generic "Prescott" set), checks the better set once per
// machine in a child process and re-executes the program (same argv) with OPENBLAS_CORETYPE set.
// Inside such a child it runs the check and exits. Otherwise returns after a dlsym and a cpuid.
// Environment: AVSS_KEEP_BLAS_KERNELS=1 turns it off; a user's OPENBLAS_CORETYPE is always kept;
// AVSS_BLAS_PRETEND_CORENAME=NAME (tests only) decides as if OpenBLAS had loaded NAME.
void ensureBestBlasKernels(int argc, char** argv);

struct BlasInfo {
    std::string library;   // openblas_get_config(), or "unknown BLAS" when the process has no OpenBLAS
    std::string coreName;  // the kernel set in use ("Zen"); empty when unknown
    int threads = 0;       // OpenBLAS's threads; 0 when unknown
    bool switched = false;  // this process was re-executed with better kernels
    std::string reason;     // why these kernels, one clause ("switched by avss from Prescott: ..." when switched)
    std::string bf16;       // what runs --weights bf16 products on this CPU: "oneDNN, AMX-BF16", or why nothing does
};
BlasInfo blasInfo();

// "OpenBLAS 0.3.21 ...; kernels Zen, 2 threads; <reason>; bf16 products: oneDNN, AMX-BF16": for --version and About.
std::string blasSummary(const BlasInfo& info);

// fp32 GEMM rate (GFLOP/s) of the loaded BLAS on n×n×n, best of repeats within budgetSeconds;
// nullopt without a BLAS to call. Cheap at n = 1024 (0.1-0.2 s).
std::optional<double> measureBlasGflops(int n = 1024, double budgetSeconds = 0.12);

// The same GEMM with other kernel sets worth comparing on this machine (the switch candidate when
// one exists), each run in a child process: a benchmark's "best of the available paths".
struct KernelRate {
    std::string coreName;
    double gflops = 0;
};
std::vector<KernelRate> measureOtherKernels();

}  // namespace avss

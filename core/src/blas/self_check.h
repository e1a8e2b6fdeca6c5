// The one-time self-check of a candidate kernel set: the same program is started twice as a child,
// once with the loaded kernels and once with OPENBLAS_CORETYPE=candidate (OpenBLAS reads it only when
// it loads), each checking a GEMM against a double reference and timing one.
#pragma once

#include <optional>
#include <string>

#include "blas/kernel_choice.h"

namespace avss::blas {

constexpr const char* kSelfCheckEnv = "AVSS_BLAS_SELF_CHECK";  // set in the child: probe, print, exit

// In the child: prints one "avss-blas-probe core=... gflops=... error=..." line on stdout and exits.
[[noreturn]] void runProbeAndExit();

struct ProbeResult {
    std::string coreName;  // what OpenBLAS actually loaded in the child
    double gflops = 0;
    double maxError = 0;
};
// Runs /proc/self/exe as a probe child with OPENBLAS_CORETYPE=coreType; nullopt with *failure set
// when it could not start, died (e.g. SIGILL: kernels the CPU cannot run), hung or printed no result.
std::optional<ProbeResult> probeKernels(const std::string& coreType, std::string* failure);

// Candidate against the loaded kernels (named `current`): adopt when its results are exact and it is
// not slower (within 10% noise). nullopt when even the current kernels' probe failed: no verdict.
std::optional<KernelVerdict> selfCheck(const std::string& current, const std::string& candidate, std::string* failure);

}  // namespace avss::blas

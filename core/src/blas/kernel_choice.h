// Which OpenBLAS kernel set (OPENBLAS_CORETYPE) the process should run, decided from what OpenBLAS
// picked, what the CPU can do, what the user set and what an earlier self-check found. Pure: no
// environment, no files, so every row of the table has a unit test (tests/core/test_blas_kernels.cpp).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "blas/cpu_features.h"

namespace avss::blas {

// Instruction-set level of a kernel set or of a CPU, in increasing order.
enum class KernelTier { Unknown, Sse, Avx, Avx2, Avx512 };

KernelTier tierOfCore(std::string_view coreName);  // "Prescott" → Sse, "Zen" → Avx2; Unknown for names not in the table
KernelTier tierOfCpu(const CpuFeatures& cpu);

// The kernel set for this CPU when OpenBLAS's own is a lower tier ("Prescott" on an AVX-512 CPU →
// "SkylakeX", on AVX2+FMA → "Haswell", "Zen" for AMD); empty when the loaded one is as good.
std::string candidateCoreType(std::string_view coreName, const CpuFeatures& cpu);

// Every AVX2-or-wider kernel set this CPU can run ("Haswell", "Zen"; "SkylakeX" first with AVX-512):
// what a benchmark compares against the loaded one.
std::vector<std::string> runnableCoreTypes(const CpuFeatures& cpu);

// The outcome of one self-check of a candidate on one machine, kept in the verdict cache.
struct KernelVerdict {
    std::string candidate;  // the core type that was checked
    bool adopt = false;     // correct and not slower than the loaded kernels
    std::string detail;     // "Zen 52.1 GFLOP/s vs Prescott 6.5" or why it failed
};

struct KernelChoiceInput {
    std::string coreName;         // openblas_get_corename(); empty when the BLAS is not OpenBLAS
    CpuFeatures cpu;
    bool userSetCoreType = false;  // OPENBLAS_CORETYPE was in the environment at start
    bool alreadySwitched = false;  // the re-exec marker: this process is the re-executed one
    bool optedOut = false;         // AVSS_KEEP_BLAS_KERNELS=1
    std::optional<KernelVerdict> cached;  // this machine's verdict, when one was loaded
};

enum class KernelAction {
    Keep,       // run with the loaded kernels
    SelfCheck,  // try the candidate in a child process first (no verdict yet)
    Switch,     // re-execute with OPENBLAS_CORETYPE=candidate
};

struct KernelChoice {
    KernelAction action = KernelAction::Keep;
    std::string candidate;  // for SelfCheck and Switch
    std::string reason;     // one clause for `avss info`: why these kernels
};

KernelChoice chooseKernels(const KernelChoiceInput& in);

}  // namespace avss::blas

// ensureBestBlasKernels and what `avss info`, --version and About report about the BLAS.
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <strings.h>

#include "avss/blas_info.h"
#include "avss/error.h"
#include "avss/paths.h"
#include "blas/cpu_features.h"
#include "blas/kernel_choice.h"
#include "blas/openblas_runtime.h"
#include "blas/self_check.h"
#include "blas/verdict_cache.h"

namespace avss {
namespace {

constexpr const char* kCoreTypeEnv = "OPENBLAS_CORETYPE";
constexpr const char* kSwitchedEnv = "AVSS_BLAS_SWITCHED";  // re-exec marker; its value is the reason
constexpr const char* kOptOutEnv = "AVSS_KEEP_BLAS_KERNELS";
constexpr const char* kPretendEnv = "AVSS_BLAS_PRETEND_CORENAME";

struct StartupChoice {  // what ensureBestBlasKernels decided, for blasInfo()
    bool ran = false;
    std::string reason;
};
StartupChoice& startupChoice() {
    static StartupChoice s;
    return s;
}

const char* env(const char* name) {
    const char* v = std::getenv(name);
    return v != nullptr && *v != '\0' ? v : nullptr;
}

bool envIsOn(const char* name) {
    const char* v = env(name);
    return v != nullptr && std::strcmp(v, "0") != 0;
}

// The self-check and its verdict file: only reached on a machine whose kernels look improvable.
blas::KernelChoice checkCandidate(blas::KernelChoiceInput& in, const blas::LoadedBlas& loaded, const blas::KernelChoice& first) {
    auto key = blas::machineKey(in.cpu, loaded.config, loaded.coreName);
    if (const char* pretend = env(kPretendEnv)) key += std::string(" | pretend ") + pretend;
    const auto file = blas::verdictPath(cacheDirFromEnvironment(), key);
    in.cached = blas::loadVerdict(file, key);
    auto choice = blas::chooseKernels(in);
    if (choice.action != blas::KernelAction::SelfCheck) return choice;
    std::string failure;
    const auto verdict = blas::selfCheck(in.coreName, choice.candidate, &failure);
    if (!verdict) return {blas::KernelAction::Keep, {}, first.reason + "; the self-check could not run: " + failure};
    std::string unsaved;
    try {
        blas::saveVerdict(file, key, *verdict);
    } catch (const Error& e) {
        unsaved = std::string("; verdict not saved, checked again next start: ") + e.what();
    }
    in.cached = verdict;
    choice = blas::chooseKernels(in);
    choice.reason += unsaved;
    return choice;
}

}  // namespace

void ensureBestBlasKernels(int argc, char** argv) {
    (void)argc;  // argv is null-terminated: execv needs no count
    if (env(blas::kSelfCheckEnv)) blas::runProbeAndExit();
    auto& state = startupChoice();
    state.ran = true;
    const auto loaded = blas::loadedOpenBlas();
    blas::KernelChoiceInput in;
    in.coreName = loaded ? loaded->coreName : "";
    if (const char* pretend = env(kPretendEnv); pretend && loaded) in.coreName = pretend;
    if (loaded) in.cpu = blas::readCpuFeatures();  // nothing to choose without OpenBLAS
    in.alreadySwitched = env(kSwitchedEnv) != nullptr;
    in.optedOut = envIsOn(kOptOutEnv);
    in.userSetCoreType = env(kCoreTypeEnv) != nullptr;
    auto choice = blas::chooseKernels(in);
    if (choice.action == blas::KernelAction::SelfCheck) choice = checkCandidate(in, *loaded, choice);
    if (choice.action == blas::KernelAction::Switch) {
        ::setenv(kCoreTypeEnv, choice.candidate.c_str(), 1);
        ::setenv(kSwitchedEnv, ("from " + in.coreName + ": " + choice.reason).c_str(), 1);
        ::execv("/proc/self/exe", argv);  // returns only on failure
        const int err = errno;
        ::unsetenv(kCoreTypeEnv);
        ::unsetenv(kSwitchedEnv);
        choice.reason += std::string("; re-executing the program failed: ") + std::strerror(err);
    }
    state.reason = choice.reason;
}

BlasInfo blasInfo() {
    BlasInfo info;
    const auto isa = blas::readCpuFeatures().bf16Summary();
    info.bf16 = isa == "none" ? "none on this CPU (needs AVX-512 F, BW, VL, DQ)" : "oneDNN, " + isa;
    const auto loaded = blas::loadedOpenBlas();
    if (!loaded) {
        info.library = "unknown BLAS";
        info.reason = "no OpenBLAS in this process, nothing to choose";
        return info;
    }
    info.library = loaded->config;
    info.coreName = loaded->coreName;
    info.threads = loaded->threads;
    if (const char* marker = env(kSwitchedEnv)) {
        info.switched = true;
        info.reason = std::string("switched by avss ") + marker;
    } else {
        const auto& state = startupChoice();
        info.reason = state.ran ? state.reason : "not checked (the program did not call ensureBestBlasKernels)";
    }
    if (const char* forced = env(kCoreTypeEnv)) {
        info.reason += std::string("; ") + kCoreTypeEnv + "=" + forced;
        if (strcasecmp(forced, loaded->coreName.c_str()) != 0) info.reason += " was not applied (OpenBLAS does not know it?)";
    }
    if (const char* pretend = env(kPretendEnv)) info.reason += std::string("; decided as if OpenBLAS had loaded ") + pretend + " (" + kPretendEnv + ")";
    return info;
}

std::string blasSummary(const BlasInfo& info) {
    const auto bf16 = info.bf16.empty() ? std::string() : "; bf16 products: " + info.bf16;
    if (info.coreName.empty()) return info.library + bf16;
    return info.library + "; kernels " + info.coreName + ", " + std::to_string(info.threads) + " threads; " + info.reason + bf16;
}

std::optional<double> measureBlasGflops(int n, double budgetSeconds) { return blas::sgemmGflops(n, budgetSeconds); }

std::vector<KernelRate> measureOtherKernels() {
    std::vector<KernelRate> rates;
    const auto loaded = blas::loadedOpenBlas();
    if (!loaded) return rates;
    for (const auto& type : blas::runnableCoreTypes(blas::readCpuFeatures())) {
        if (strcasecmp(type.c_str(), loaded->coreName.c_str()) == 0) continue;
        std::string failure;
        const auto probe = blas::probeKernels(type, &failure);
        if (probe && strcasecmp(probe->coreName.c_str(), type.c_str()) == 0 && probe->maxError <= 1e-5) rates.push_back({type, probe->gflops});
    }
    return rates;
}

}  // namespace avss

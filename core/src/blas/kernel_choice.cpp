// The kernel-choice table (see kernel_choice.h); docs/engine.md, "BLAS kernels", explains each row.
#include "blas/kernel_choice.h"

#include <array>
#include <cctype>
#include <utility>

namespace avss::blas {
namespace {

bool sameName(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
    }
    return true;
}

// OpenBLAS 0.3.21's x86 core names (driver/others/dynamic.c) by the widest instructions their kernels use.
constexpr std::array<std::pair<std::string_view, KernelTier>, 28> kCoreTiers{{
    {"Generic", KernelTier::Sse},     {"Unknown", KernelTier::Sse},      {"Katmai", KernelTier::Sse},
    {"Coppermine", KernelTier::Sse},  {"Northwood", KernelTier::Sse},    {"Prescott", KernelTier::Sse},
    {"Banias", KernelTier::Sse},      {"Atom", KernelTier::Sse},         {"Core2", KernelTier::Sse},
    {"Penryn", KernelTier::Sse},      {"Dunnington", KernelTier::Sse},   {"Nehalem", KernelTier::Sse},
    {"Athlon", KernelTier::Sse},      {"Opteron", KernelTier::Sse},      {"Opteron_SSE3", KernelTier::Sse},
    {"Barcelona", KernelTier::Sse},   {"Nano", KernelTier::Sse},         {"Bobcat", KernelTier::Sse},
    {"Sandybridge", KernelTier::Avx}, {"Bulldozer", KernelTier::Avx},    {"Piledriver", KernelTier::Avx},
    {"Steamroller", KernelTier::Avx}, {"Excavator", KernelTier::Avx},    {"Haswell", KernelTier::Avx2},
    {"Zen", KernelTier::Avx2},        {"SkylakeX", KernelTier::Avx512},  {"Cooperlake", KernelTier::Avx512},
    {"SapphireRapids", KernelTier::Avx512},
}};

}  // namespace

KernelTier tierOfCore(std::string_view coreName) {
    for (const auto& [name, tier] : kCoreTiers) {
        if (sameName(name, coreName)) return tier;
    }
    return KernelTier::Unknown;
}

KernelTier tierOfCpu(const CpuFeatures& cpu) {
    if (cpu.avx512Usable()) return KernelTier::Avx512;
    if (cpu.avx2Usable()) return KernelTier::Avx2;
    if (cpu.avx && cpu.osSavesYmm) return KernelTier::Avx;
    return cpu.vendor.empty() ? KernelTier::Unknown : KernelTier::Sse;
}

std::string candidateCoreType(std::string_view coreName, const CpuFeatures& cpu) {
    const auto have = tierOfCore(coreName), can = tierOfCpu(cpu);
    // Only the two tiers with kernels worth a switch; an unfamiliar name may be newer than this table.
    if (have == KernelTier::Unknown || have >= can || can < KernelTier::Avx2) return {};
    if (can == KernelTier::Avx512) return "SkylakeX";
    return cpu.isAmd() ? "Zen" : "Haswell";
}

std::vector<std::string> runnableCoreTypes(const CpuFeatures& cpu) {
    const auto can = tierOfCpu(cpu);
    std::vector<std::string> types;
    if (can >= KernelTier::Avx512) types.push_back("SkylakeX");
    if (can >= KernelTier::Avx2) types.insert(types.end(), {"Haswell", "Zen"});
    return types;
}

KernelChoice chooseKernels(const KernelChoiceInput& in) {
    using A = KernelAction;
    if (in.alreadySwitched) return {A::Keep, {}, "already re-executed with the chosen kernels"};
    if (in.optedOut) return {A::Keep, {}, "automatic choice turned off (AVSS_KEEP_BLAS_KERNELS)"};
    if (in.userSetCoreType) return {A::Keep, {}, "OPENBLAS_CORETYPE set by the user"};
    if (in.coreName.empty()) return {A::Keep, {}, "not OpenBLAS, nothing to choose"};
    const auto candidate = candidateCoreType(in.coreName, in.cpu);
    if (candidate.empty()) {
        if (tierOfCore(in.coreName) == KernelTier::Unknown) return {A::Keep, {}, "OpenBLAS's own choice (a core name this table does not know)"};
        return {A::Keep, {}, "OpenBLAS's own choice, the best for this CPU (" + in.cpu.summary() + ")"};
    }
    const auto why = in.coreName + " kernels on a CPU with " + in.cpu.summary();
    if (in.cached && in.cached->candidate == candidate) {
        if (in.cached->adopt) return {A::Switch, candidate, why + "; " + candidate + " passed this machine's self-check (" + in.cached->detail + ")"};
        return {A::Keep, {}, why + ", but " + candidate + " failed this machine's self-check, not tried again (" + in.cached->detail + ")"};
    }
    return {A::SelfCheck, candidate, why};
}

}  // namespace avss::blas

// The BLAS kernel-choice table, row by row: what OpenBLAS loaded × what the CPU can do × the user's
// setting × the re-exec marker × the cached self-check verdict. Pure, so no machine dependence.
#include <catch2/catch.hpp>

#include "blas/kernel_choice.h"

using namespace avss::blas;
using Catch::Matchers::Contains;

namespace {

CpuFeatures sseOnly(const char* vendor = "GenuineIntel") {
    CpuFeatures c;
    c.vendor = vendor;
    c.brand = "Test CPU";
    return c;
}
CpuFeatures avxOnly(const char* vendor = "GenuineIntel") {
    auto c = sseOnly(vendor);
    c.avx = c.osSavesYmm = true;
    return c;
}
CpuFeatures avx2(const char* vendor = "GenuineIntel") {
    auto c = avxOnly(vendor);
    c.avx2 = c.fma = true;
    return c;
}
CpuFeatures avx512(const char* vendor = "GenuineIntel") {
    auto c = avx2(vendor);
    c.avx512f = c.avx512bw = c.avx512vl = c.avx512dq = c.osSavesZmm = true;
    return c;
}

KernelChoiceInput input(const char* core, CpuFeatures cpu) {
    KernelChoiceInput in;
    in.coreName = core;
    in.cpu = std::move(cpu);
    return in;
}

}  // namespace

TEST_CASE("kernel tiers of OpenBLAS core names and of CPUs") {
    CHECK(tierOfCore("Prescott") == KernelTier::Sse);
    CHECK(tierOfCore("prescott") == KernelTier::Sse);  // names compare without case
    CHECK(tierOfCore("Nehalem") == KernelTier::Sse);
    CHECK(tierOfCore("Barcelona") == KernelTier::Sse);
    CHECK(tierOfCore("Sandybridge") == KernelTier::Avx);
    CHECK(tierOfCore("Haswell") == KernelTier::Avx2);
    CHECK(tierOfCore("Zen") == KernelTier::Avx2);
    CHECK(tierOfCore("SkylakeX") == KernelTier::Avx512);
    CHECK(tierOfCore("Cooperlake") == KernelTier::Avx512);
    CHECK(tierOfCore("NeoverseN1") == KernelTier::Unknown);
    CHECK(tierOfCore("") == KernelTier::Unknown);
    CHECK(tierOfCpu(CpuFeatures{}) == KernelTier::Unknown);  // not x86
    CHECK(tierOfCpu(sseOnly()) == KernelTier::Sse);
    CHECK(tierOfCpu(avxOnly()) == KernelTier::Avx);
    CHECK(tierOfCpu(avx2()) == KernelTier::Avx2);
    CHECK(tierOfCpu(avx512()) == KernelTier::Avx512);
    auto noFma = avx2();
    noFma.fma = false;
    CHECK(tierOfCpu(noFma) == KernelTier::Avx);
    auto noOsYmm = avx2();
    noOsYmm.osSavesYmm = false;  // the OS does not save AVX state: AVX code would corrupt registers
    CHECK(tierOfCpu(noOsYmm) == KernelTier::Sse);
    auto noOsZmm = avx512();
    noOsZmm.osSavesZmm = false;
    CHECK(tierOfCpu(noOsZmm) == KernelTier::Avx2);
    auto partial = avx512();
    partial.avx512bw = false;  // AVX-512F alone (Knights Landing) does not run the SkylakeX kernels
    CHECK(tierOfCpu(partial) == KernelTier::Avx2);
}

TEST_CASE("candidate kernel set per loaded core and CPU") {
    CHECK(candidateCoreType("Prescott", avx512()) == "SkylakeX");
    CHECK(candidateCoreType("Prescott", avx512("AuthenticAMD")) == "SkylakeX");  // Zen 4
    CHECK(candidateCoreType("Haswell", avx512()) == "SkylakeX");
    CHECK(candidateCoreType("Prescott", avx2()) == "Haswell");
    CHECK(candidateCoreType("Core2", avx2()) == "Haswell");
    CHECK(candidateCoreType("Sandybridge", avx2()) == "Haswell");
    CHECK(candidateCoreType("Barcelona", avx2("AuthenticAMD")) == "Zen");
    CHECK(candidateCoreType("Nehalem", avx2("HygonGenuine")) == "Zen");
    CHECK(candidateCoreType("Zen", avx2("AuthenticAMD")).empty());
    CHECK(candidateCoreType("Haswell", avx2()).empty());
    CHECK(candidateCoreType("SkylakeX", avx512()).empty());
    CHECK(candidateCoreType("Prescott", avxOnly()).empty());  // no AVX2 kernels worth a switch
    CHECK(candidateCoreType("Prescott", sseOnly()).empty());
    CHECK(candidateCoreType("Prescott", CpuFeatures{}).empty());
    CHECK(candidateCoreType("NeoverseN1", avx512()).empty());  // unfamiliar: maybe newer than the table
}

TEST_CASE("kernel choice table") {
    SECTION("generic kernels on an AVX-512 CPU, no verdict yet: self-check SkylakeX") {
        const auto c = chooseKernels(input("Prescott", avx512()));
        CHECK(c.action == KernelAction::SelfCheck);
        CHECK(c.candidate == "SkylakeX");
        CHECK_THAT(c.reason, Contains("Prescott kernels on a CPU with AVX-512"));
    }
    SECTION("generic kernels on AVX2+FMA: Haswell for Intel, Zen for AMD") {
        CHECK(chooseKernels(input("Prescott", avx2())).candidate == "Haswell");
        CHECK(chooseKernels(input("Prescott", avx2("AuthenticAMD"))).candidate == "Zen");
        CHECK(chooseKernels(input("Nehalem", avx2())).action == KernelAction::SelfCheck);
    }
    SECTION("OpenBLAS's own choice is already the best: keep") {
        for (const auto& [core, cpu] : {std::pair{"Zen", avx2("AuthenticAMD")}, {"Haswell", avx2()}, {"SkylakeX", avx512()}}) {
            const auto c = chooseKernels(input(core, cpu));
            CHECK(c.action == KernelAction::Keep);
            CHECK_THAT(c.reason, Contains("OpenBLAS's own choice"));
        }
    }
    SECTION("a CPU without AVX2 keeps what it has") {
        CHECK(chooseKernels(input("Prescott", sseOnly())).action == KernelAction::Keep);
        CHECK(chooseKernels(input("Prescott", avxOnly())).action == KernelAction::Keep);
    }
    SECTION("an unfamiliar core name is kept") {
        const auto c = chooseKernels(input("FutureLake", avx512()));
        CHECK(c.action == KernelAction::Keep);
        CHECK_THAT(c.reason, Contains("does not know"));
    }
    SECTION("no OpenBLAS in the process: keep") {
        const auto c = chooseKernels(input("", avx512()));
        CHECK(c.action == KernelAction::Keep);
        CHECK_THAT(c.reason, Contains("not OpenBLAS"));
    }
    SECTION("user set OPENBLAS_CORETYPE: respected, even with an adopted verdict") {
        auto in = input("Prescott", avx512());
        in.userSetCoreType = true;
        in.cached = KernelVerdict{"SkylakeX", true, "fast"};
        const auto c = chooseKernels(in);
        CHECK(c.action == KernelAction::Keep);
        CHECK_THAT(c.reason, Contains("set by the user"));
    }
    SECTION("opted out: keep") {
        auto in = input("Prescott", avx512());
        in.optedOut = true;
        CHECK(chooseKernels(in).action == KernelAction::Keep);
    }
    SECTION("loop marker: never re-execute again, whatever else holds") {
        auto in = input("Prescott", avx512());
        in.alreadySwitched = true;
        in.cached = KernelVerdict{"SkylakeX", true, "fast"};
        const auto c = chooseKernels(in);
        CHECK(c.action == KernelAction::Keep);
        CHECK_THAT(c.reason, Contains("already re-executed"));
    }
    SECTION("cached success: switch without checking again") {
        auto in = input("Prescott", avx512());
        in.cached = KernelVerdict{"SkylakeX", true, "SkylakeX 307 GFLOP/s vs Prescott 64"};
        const auto c = chooseKernels(in);
        CHECK(c.action == KernelAction::Switch);
        CHECK(c.candidate == "SkylakeX");
        CHECK_THAT(c.reason, Contains("passed") && Contains("307 GFLOP/s"));
    }
    SECTION("cached failure: never tried again on this machine") {
        auto in = input("Prescott", avx512());
        in.cached = KernelVerdict{"SkylakeX", false, "the probe child died of signal 4"};
        const auto c = chooseKernels(in);
        CHECK(c.action == KernelAction::Keep);
        CHECK(c.candidate.empty());
        CHECK_THAT(c.reason, Contains("failed") && Contains("not tried again") && Contains("signal 4"));
    }
    SECTION("a verdict about another candidate does not count: check this one") {
        auto in = input("Prescott", avx512());
        in.cached = KernelVerdict{"Haswell", false, "slower"};
        const auto c = chooseKernels(in);
        CHECK(c.action == KernelAction::SelfCheck);
        CHECK(c.candidate == "SkylakeX");
    }
}

TEST_CASE("kernel sets a benchmark compares") {
    CHECK(runnableCoreTypes(sseOnly()).empty());
    CHECK(runnableCoreTypes(avx2()) == std::vector<std::string>{"Haswell", "Zen"});
    CHECK(runnableCoreTypes(avx512()) == std::vector<std::string>{"SkylakeX", "Haswell", "Zen"});
}

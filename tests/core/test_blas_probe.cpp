// The kernel self-check's probe children on the real OpenBLAS (loaded through libtorch): a probe
// reports the kernels it ran, exact results and a rate; a kernel set the CPU cannot run, or one the
// OpenBLAS build lacks, gives a rejecting verdict rather than a crash. Own main: a probe child is
// this program started again, and ensureBestBlasKernels must see it first.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "avss/blas_info.h"
#include "blas/cpu_features.h"
#include "blas/kernel_choice.h"
#include "blas/openblas_runtime.h"
#include "blas/self_check.h"

using namespace avss::blas;
using Catch::Matchers::Contains;

int main(int argc, char** argv) {
    avss::ensureBestBlasKernels(argc, argv);
    return Catch::Session().run(argc, argv);
}

TEST_CASE("the loaded OpenBLAS is found and computes exact fixed products") {
    const auto blas = loadedOpenBlas();
    REQUIRE(blas.has_value());  // libtorch links Debian's OpenBLAS
    CHECK_FALSE(blas->coreName.empty());
    CHECK_THAT(blas->config, Contains("OpenBLAS"));
    CHECK(sgemmMaxError() == Approx(0.0).margin(1e-6));
    const auto gflops = avss::measureBlasGflops(256, 0.05);
    REQUIRE(gflops.has_value());
    CHECK(*gflops > 0.01);
}

TEST_CASE("a probe child runs the kernels it was given") {
    REQUIRE(loadedOpenBlas().has_value());
    const auto current = loadedOpenBlas()->coreName;
    std::string failure;
    const auto probe = probeKernels(current, &failure);
    INFO(failure);
    REQUIRE(probe.has_value());
    CHECK(probe->coreName == current);
    CHECK(probe->maxError == 0.0);
    CHECK(probe->gflops > 0.01);
}

TEST_CASE("kernels the build lacks, or the CPU cannot run, are rejected with the reason") {
    REQUIRE(loadedOpenBlas().has_value());
    const auto current = loadedOpenBlas()->coreName;
    std::string failure;
    const auto unknown = selfCheck(current, "NoSuchCore", &failure);
    INFO(failure);
    REQUIRE(unknown.has_value());
    CHECK_FALSE(unknown->adopt);
    CHECK_THAT(unknown->detail, Contains("this build has no NoSuchCore kernels"));
    if (tierOfCpu(readCpuFeatures()) < KernelTier::Avx512) {  // AVX-512 kernels on a CPU without it
        const auto v = selfCheck(current, "SkylakeX", &failure);
        REQUIRE(v.has_value());
        CHECK_FALSE(v->adopt);
        CHECK_THAT(v->detail, Contains("died of signal") || Contains("instead"));  // SIGILL, or OpenBLAS refused the set
    }
}

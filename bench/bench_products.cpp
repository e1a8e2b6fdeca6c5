// The model's weight products (every projection once, LM head included) at R activation rows each:
// the engine's row kernels (Projection::apply) against BLAS GEMM (torch::linear on the same fp32
// weight), alternated, best of several runs. Prints GFLOP/s and the ratio for each R.
// Usage: bench_products [MODEL=default] [--rows 8,32,128,512,2048] [--reps 3]
#include <torch/torch.h>

#include <algorithm>
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include "bench_timing.h"
#include "model_products.h"
#include "avss/blas_info.h"
#include "avss/error.h"
#include "avss/model.h"
#include "avss/paths.h"
#include "kernels/row_threads.h"
#include "model/model_impl.h"

namespace {

using avss::bench::Clock;
using avss::bench::seconds;

int run(int argc, char** argv) {
    const char* usage = "Usage: bench_products [MODEL=default] [--rows 8,32,128,512,2048] [--reps 3]";
    std::string modelArg = "default";
    std::vector<std::int64_t> rowCounts = {8, 32, 128, 512, 2048};
    int reps = 3;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--rows" && i + 1 < argc) {
            rowCounts.clear();
            std::stringstream list(argv[++i]);
            for (std::string n; std::getline(list, n, ',');) rowCounts.push_back(std::stoll(n));
        } else if (a == "--reps" && i + 1 < argc) {
            reps = std::stoi(argv[++i]);
        } else if (!a.empty() && a[0] == '-') {
            throw avss::UsageError({}, "unknown option " + a, usage);
        } else {
            modelArg = a;
        }
    }
    for (const auto r : rowCounts) {
        if (r < 1 || r > 65536) throw avss::UsageError({}, "--rows " + std::to_string(r) + " is outside 1..65536", usage);
    }
    avss::configureProcess(0);
    torch::manual_seed(0);
    torch::InferenceMode inference;
    const auto path = avss::resolveModelArgument(modelArg, avss::cacheDirFromEnvironment());
    std::printf("BLAS %s\nkernel threads %d, best of %d\n", avss::blasSummary(avss::blasInfo()).c_str(), avss::kernels::kernelThreads(), reps);
    avss::LoadOptions lo;
    lo.device = avss::Device::Cpu;
    const auto model = avss::Model::load(path, lo);
    const auto& m = avss::modelImpl(*model);
    const auto all = avss::bench::modelProducts(m);
    double macs = 0;
    for (const auto* p : all) macs += static_cast<double>(p->inFeatures()) * static_cast<double>(p->outFeatures());
    for (const auto rows : rowCounts) {
        std::vector<at::Tensor> xs;
        for (const auto* p : all) xs.push_back(torch::randn({rows, p->inFeatures()}));
        double kernel = 1e300, blas = 1e300;
        for (int rep = 0; rep < reps; ++rep) {  // alternated, so a disturbance hits both sides alike
            auto t = Clock::now();
            for (std::size_t i = 0; i < all.size(); ++i) all[i]->apply(xs[i]);
            kernel = std::min(kernel, seconds(t));
            t = Clock::now();
            for (std::size_t i = 0; i < all.size(); ++i) torch::linear(xs[i], all[i]->fp32());
            blas = std::min(blas, seconds(t));
        }
        const double flop = 2.0 * macs * static_cast<double>(rows);
        std::printf("%5lld rows: row kernels %8.2f ms (%6.1f GFLOP/s) | BLAS GEMM %8.2f ms (%6.1f GFLOP/s) | kernels / BLAS %.2fx\n",
                    static_cast<long long>(rows), kernel * 1e3, flop / kernel / 1e9, blas * 1e3, flop / blas / 1e9, blas / kernel);
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    avss::ensureBestBlasKernels(argc, argv);
    return avss::bench::guardedMain("bench_products", [&] { return run(argc, argv); });
}

// Forward-pass throughput vs the machine's fp32 matmul roofline (the best GEMM of every path: the
// engine's row kernel, libtorch, OpenBLAS direct, other kernel sets in child processes), measured in
// the same run, plus the sample
// model's load + dequantise time. Prints ratios, never asserts (the machine is shared).
// Usage: bench_forward [MODEL=default] [--batch 4] [--seq 512] [--reps 3]
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "bench_timing.h"
#include "avss/blas_info.h"
#include "avss/model.h"
#include "avss/paths.h"
#include "model/model_impl.h"
#include "model/transformer.h"

namespace {

using avss::bench::bestOf;
using avss::bench::Clock;
using avss::bench::seconds;

}  // namespace

namespace {

int run(int argc, char** argv) {
    std::string modelArg = "default";
    int batch = 4, seq = 512, reps = 3, threads = 0;
    avss::WeightStorage weights = avss::WeightStorage::Fp32;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--batch" && i + 1 < argc) batch = std::stoi(argv[++i]);
        else if (a == "--seq" && i + 1 < argc) seq = std::stoi(argv[++i]);
        else if (a == "--reps" && i + 1 < argc) reps = std::stoi(argv[++i]);
        else if (a == "--threads" && i + 1 < argc) threads = std::stoi(argv[++i]);
        else if (a == "--weights" && i + 1 < argc) weights = avss::parseWeightStorage(argv[++i]);
        else modelArg = a;
    }
    avss::configureProcess(threads);
    torch::manual_seed(0);
    const auto path = avss::resolveModelArgument(modelArg, avss::cacheDirFromEnvironment());
    std::printf("threads %d, batch %d x %d tokens, best of %d\n", avss::computeThreads(), batch, seq, reps);
    std::printf("BLAS %s\n", avss::blasSummary(avss::blasInfo()).c_str());

    std::vector<double> loads;
    std::shared_ptr<const avss::Model> model;
    for (int i = 0; i < reps; ++i) {
        const auto t = Clock::now();
        avss::LoadOptions lo{avss::Device::Cpu};
        lo.weights = weights;
        model = avss::Model::load(path, lo);
        loads.push_back(seconds(t));
    }
    std::sort(loads.begin(), loads.end());
    std::printf("load+dequantize: median %.3f s (min %.3f s)   target < 3 s\n", loads[loads.size() / 2], loads.front());

    const auto& m = modelImpl(*model);
    const auto& hp = m.hp;
    const double B = batch, T = seq, H = hp.hidden, F = hp.ffn, D = hp.headDim, Hq = hp.heads, Hk = hp.kvHeads;  // useful FLOPs only
    const double linear = H * (Hq + 2 * Hk) * D + Hq * D * H + 3 * H * F;        // per token per layer
    // Causal attention: query t meets t+1 keys; QK^T and AV each cost 2·D flops per pair and head.
    const double attentionPerSeq = 2.0 * 2.0 * D * Hq * (T * (T + 1) / 2);
    const double flops = 2.0 * B * T * (hp.layers * linear + hp.vocab * H) + B * hp.layers * attentionPerSeq;

    // Roofline and forward are timed in alternation so both see the same machine load (it is shared).
    torch::InferenceMode guard;
    const auto tokens = torch::randint(0, hp.vocab, {batch, seq}, torch::kInt64);
    const auto mask = torch::ones({batch, seq}, torch::kBool);
    const auto a = torch::randn({2048, 2048}), b = torch::randn({2048, 2048});
    const auto x = torch::randn({batch * seq, hp.hidden}), w = torch::randn({hp.hidden, 2 * hp.ffn});
    const avss::model::Projection rowKernel(w.t().contiguous());  // the same product through the engine's own path
    avss::model::forward(m, tokens, mask);  // warm-up
    double square = 1e300, shaped = 1e300, kernelShaped = 1e300, fwd = 1e300;
    for (int r = 0; r < reps; ++r) {
        square = std::min(square, bestOf(1, [&] { torch::matmul(a, b); }));
        shaped = std::min(shaped, bestOf(1, [&] { torch::matmul(x, w); }));
        kernelShaped = std::min(kernelShaped, bestOf(1, [&] { rowKernel.apply(x); }));
        fwd = std::min(fwd, bestOf(1, [&] { avss::model::forward(m, tokens, mask); }));
    }
    const double squareG = 2.0 * 2048.0 * 2048.0 * 2048.0 / square / 1e9;
    const double shapedG = 2.0 * B * T * H * 2 * F / shaped / 1e9;
    std::printf("fp32 matmul: %.1f GFLOP/s (2048^3), %.1f GFLOP/s ([%d x %d] x [%d x %d])\n", squareG, shapedG, batch * seq,
                hp.hidden, hp.hidden, 2 * hp.ffn);
    // Other paths: OpenBLAS called directly, and each other kernel set this CPU runs (child processes).
    std::vector<std::pair<std::string, double>> paths{
        {"row kernel shaped", 2.0 * B * T * H * 2 * F / kernelShaped / 1e9}, {"libtorch 2048^3", squareG}, {"libtorch shaped", shapedG}};
    if (const auto direct = avss::measureBlasGflops(2048, 1.0)) paths.emplace_back("OpenBLAS sgemm 2048^3", *direct);
    for (const auto& k : avss::measureOtherKernels()) paths.emplace_back(k.coreName + " kernels sgemm 768^3 (child)", k.gflops);
    double roofline = 0;
    std::string names;
    for (const auto& [name, g] : paths) {
        roofline = std::max(roofline, g);
        names += (names.empty() ? "" : ", ") + name + " " + std::to_string(static_cast<int>(g + 0.5));
    }
    std::printf("roofline = best of %s: %.1f GFLOP/s\n", names.c_str(), roofline);
    const double achieved = flops / fwd / 1e9;
    std::printf("forward: %.3f s per batch, %.0f tokens/s, %.1f GFLOP/s (%.2f GFLOP per batch)\n", fwd, B * T / fwd, achieved,
                flops / 1e9);
    std::printf("fraction of matmul roofline: %.1f%%   target >= 60%%\n", 100.0 * achieved / roofline);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    avss::ensureBestBlasKernels(argc, argv);  // the roofline should be the machine's best kernels
    return avss::bench::guardedMain("bench_forward", [&] { return run(argc, argv); });
}

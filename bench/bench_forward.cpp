// Forward-pass throughput vs the machine's fp32 matmul roofline, measured in the same run, plus the
// sample model's load + dequantise time. Prints ratios, never asserts (the machine is shared).
// Usage: bench_forward [MODEL=default] [--batch 4] [--seq 512] [--reps 3]
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "avss/model.h"
#include "avss/paths.h"
#include "model/model_impl.h"
#include "model/transformer.h"

namespace {

using Clock = std::chrono::steady_clock;

double seconds(Clock::time_point a) { return std::chrono::duration<double>(Clock::now() - a).count(); }

template <class F>
double bestOf(int reps, F&& f) {
    double best = 1e300;
    for (int i = 0; i < reps; ++i) {
        const auto t = Clock::now();
        f();
        best = std::min(best, seconds(t));
    }
    return best;
}

// GFLOP/s of C[m,n] = A[m,k] B[k,n] in fp32 (best of reps after a warm-up).
double matmulGflops(std::int64_t m, std::int64_t k, std::int64_t n, int reps) {
    const auto a = torch::randn({m, k}), b = torch::randn({k, n});
    auto c = torch::matmul(a, b);
    const double s = bestOf(reps, [&] { c = torch::matmul(a, b); });
    return 2.0 * static_cast<double>(m * k * n) / s / 1e9;
}

}  // namespace

int main(int argc, char** argv) {
    std::string modelArg = "default";
    int batch = 4, seq = 512, reps = 3;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--batch" && i + 1 < argc) batch = std::stoi(argv[++i]);
        else if (a == "--seq" && i + 1 < argc) seq = std::stoi(argv[++i]);
        else if (a == "--reps" && i + 1 < argc) reps = std::stoi(argv[++i]);
        else modelArg = a;
    }
    avss::setComputeThreads(0);
    torch::manual_seed(0);
    const auto path = avss::resolveModelArgument(modelArg, avss::cacheDirFromEnvironment());
    std::printf("threads %d, batch %d x %d tokens, best of %d\n", avss::computeThreads(), batch, seq, reps);

    std::vector<double> loads;
    std::shared_ptr<const avss::Model> model;
    for (int i = 0; i < reps; ++i) {
        const auto t = Clock::now();
        model = avss::Model::load(path, avss::LoadOptions{avss::Device::Cpu});
        loads.push_back(seconds(t));
    }
    std::sort(loads.begin(), loads.end());
    std::printf("load+dequantize: median %.3f s (min %.3f s)   target < 3 s\n", loads[loads.size() / 2], loads.front());

    const auto& m = model->impl();
    const auto& hp = m.hp;
    const double B = batch, T = seq, H = hp.hidden, F = hp.ffn, D = hp.headDim, Hq = hp.heads, Hk = hp.kvHeads;
    const double linear = H * (Hq + 2 * Hk) * D + Hq * D * H + 3 * H * F;        // per token per layer
    const double attention = 2.0 * 2.0 * T * D * Hq;                               // QK^T and AV, full T×T per token
    const double flops = 2.0 * B * T * (hp.layers * linear + hp.vocab * H) + B * T * hp.layers * attention;

    const double squareG = matmulGflops(2048, 2048, 2048, reps);
    const double shapedG = matmulGflops(static_cast<std::int64_t>(B * T), hp.hidden, 2 * hp.ffn, reps);
    const double roofline = std::max(squareG, shapedG);
    std::printf("fp32 matmul: %.1f GFLOP/s (2048^3), %.1f GFLOP/s ([%d x %d] x [%d x %d]); roofline %.1f GFLOP/s\n", squareG,
                shapedG, batch * seq, hp.hidden, hp.hidden, 2 * hp.ffn, roofline);

    torch::InferenceMode guard;
    const auto tokens = torch::randint(0, hp.vocab, {batch, seq}, torch::kInt64);
    const auto mask = torch::ones({batch, seq}, torch::kBool);
    avss::model::forward(m, tokens, mask);  // warm-up
    const double fwd = bestOf(reps, [&] { avss::model::forward(m, tokens, mask); });
    const double achieved = flops / fwd / 1e9;
    std::printf("forward: %.3f s per batch, %.0f tokens/s, %.1f GFLOP/s (%.2f GFLOP per batch)\n", fwd, B * T / fwd, achieved,
                flops / 1e9);
    std::printf("fraction of matmul roofline: %.1f%%   target >= 60%%\n", 100.0 * achieved / roofline);
    return 0;
}

// One layer's fused causal attention (kernels/causal_attention.h) at several window lengths, for each
// instruction set this CPU has, against the fp32 row kernel's product rate measured in the same run:
// the ratio says how close attention comes to the products it sits between. Random inputs of the
// sample model's shape by default (9 query heads over 3 KV heads of 64).
// Usage: bench_attention [--windows 512,2048,4096] [--heads 9/3] [--head-dim 64] [--reps 5]
#include <cstdio>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "avss/blas_info.h"
#include "avss/error.h"
#include "bench_timing.h"
#include "kernels/causal_attention.h"
#include "kernels/f32_rows.h"
#include "kernels/row_threads.h"

namespace {

using avss::kernels::AttentionIsa;

std::vector<float> randomValues(std::size_t n, float scale, std::mt19937& gen) {
    std::normal_distribution<float> normal(0.0f, scale);
    std::vector<float> v(n);
    for (auto& x : v) x = normal(gen);
    return v;
}

// GFLOP/s of one attention call over T positions (4·D FLOPs per query head and visible key).
double attentionRate(std::int64_t T, std::int64_t heads, std::int64_t kvHeads, std::int64_t D, AttentionIsa isa, int reps) {
    std::mt19937 gen(1);
    const auto q = randomValues(static_cast<std::size_t>(T * heads * D), 1.0f / 8.0f, gen);
    const auto k = randomValues(static_cast<std::size_t>(T * kvHeads * D), 1.0f, gen);
    const auto v = randomValues(static_cast<std::size_t>(T * kvHeads * D), 1.0f, gen);
    std::vector<float> out(q.size());
    avss::kernels::AttentionArgs a;
    a.batch = 1, a.kvHeads = kvHeads, a.groups = heads / kvHeads, a.headDim = D, a.queries = T, a.keys = T;
    a.q = q.data(), a.qB = T * heads * D, a.qT = heads * D, a.qH = D;
    a.k = k.data(), a.kB = T * kvHeads * D, a.kS = kvHeads * D, a.kH = D;
    a.v = v.data(), a.vB = a.kB, a.vS = a.kS, a.vH = D;
    a.out = out.data(), a.oB = a.qB, a.oT = a.qT, a.oH = a.qH;
    const double s = avss::bench::bestOf(reps, [&] { avss::kernels::causalAttention(a, isa); });
    return 4.0 * static_cast<double>(heads * D) * static_cast<double>(T) * static_cast<double>(T + 1) / 2.0 / s / 1e9;
}

// GFLOP/s of the row kernel on a [T, hidden] × [hidden, 3·hidden] product (a layer's MLP shape).
double productRate(std::int64_t T, std::int64_t hidden, int reps) {
    std::mt19937 gen(2);
    const std::int64_t rows = 3 * hidden;
    const auto w = randomValues(static_cast<std::size_t>(rows * hidden), 0.05f, gen);
    const auto x = randomValues(static_cast<std::size_t>(T * hidden), 1.0f, gen);
    std::vector<float> y(static_cast<std::size_t>(T * rows));
    const double s = avss::bench::bestOf(reps, [&] { avss::kernels::multiplyF32(w.data(), rows, hidden, x.data(), T, hidden, y.data(), rows); });
    return 2.0 * static_cast<double>(T * rows * hidden) / s / 1e9;
}

int run(int argc, char** argv) {
    const char* usage = "Usage: bench_attention [--windows 512,2048,4096] [--heads 9/3] [--head-dim 64] [--reps 5]";
    std::vector<std::int64_t> windows = {512, 2048, 4096};
    std::int64_t heads = 9, kvHeads = 3, D = 64;
    int reps = 5;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (i + 1 >= argc) throw avss::UsageError({}, "option " + arg + " needs a value", usage);
        const std::string value = argv[++i];
        if (arg == "--windows") {
            windows.clear();
            std::stringstream list(value);
            for (std::string n; std::getline(list, n, ',');) windows.push_back(std::stoll(n));
        } else if (arg == "--heads") {
            const auto slash = value.find('/');
            if (slash == std::string::npos) throw avss::UsageError({}, "--heads takes QUERY/KV, e.g. 9/3", usage);
            heads = std::stoll(value.substr(0, slash));
            kvHeads = std::stoll(value.substr(slash + 1));
        } else if (arg == "--head-dim") {
            D = std::stoll(value);
        } else if (arg == "--reps") {
            reps = std::stoi(value);
        } else {
            throw avss::UsageError({}, "unknown option " + arg, usage);
        }
    }
    if (kvHeads < 1 || heads < kvHeads || heads % kvHeads != 0 || heads > 256) {
        throw avss::UsageError({}, "--heads needs query heads a multiple of the KV heads (at most 256)", usage);
    }
    if (D < 1 || D > 256) throw avss::UsageError({}, "--head-dim is outside 1..256", usage);
    if (reps < 1 || reps > 100) throw avss::UsageError({}, "--reps is outside 1..100", usage);
    for (const auto T : windows) {
        if (T < 1 || T > 32768) throw avss::UsageError({}, "--windows " + std::to_string(T) + " is outside 1..32768", usage);
    }
    std::printf("attention: %lld query heads over %lld KV heads of %lld, %d kernel threads, best of %d\n", static_cast<long long>(heads),
                static_cast<long long>(kvHeads), static_cast<long long>(D), avss::kernels::kernelThreads(), reps);
    const std::int64_t hidden = 576;
    for (const auto T : windows) {
        const double products = avss::kernels::f32RowsAvailable(hidden) ? productRate(T, hidden, reps) : 0.0;
        std::printf("T %5lld  row kernel [%lld x %lld] x [%lld x %lld]  %6.1f GFLOP/s\n", static_cast<long long>(T),
                    static_cast<long long>(T), static_cast<long long>(hidden), static_cast<long long>(hidden),
                    static_cast<long long>(3 * hidden), products);
        for (const auto isa : {AttentionIsa::Best, AttentionIsa::Avx2}) {
            const char* name = isa == AttentionIsa::Best ? "best" : "avx2";
            if (!avss::kernels::fusedAttentionAvailable(D, isa)) {
                std::printf("        attention (%s)  no kernel for this head size on this CPU\n", name);
                continue;
            }
            const double rate = attentionRate(T, heads, kvHeads, D, isa, reps);
            std::printf("        attention (%s)  %6.1f GFLOP/s = %.2f x the row kernel\n", name, rate, products > 0 ? rate / products : 0.0);
        }
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    avss::ensureBestBlasKernels(argc, argv);  // no BLAS in this torch-free benchmark: returns at once, kept for uniformity
    return avss::bench::guardedMain("bench_attention", [&] { return run(argc, argv); });
}

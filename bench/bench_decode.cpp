// Decoding cost per token, split into the weight products and everything else, for each weight
// storage; and batched decoding (B rows per step) against B = 1, with the weight products of B rows
// timed alone too. Prints ratios measured in one run.
// Usage: bench_decode [MODEL=default] [--steps 32] [--prompt 32] [--batch 32] [--weights fp32,q8]
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
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
#include "avss/weight_storage.h"
#include "kernels/row_threads.h"
#include "model/model_impl.h"
#include "model/transformer.h"

namespace {

using avss::bench::Clock;
using avss::bench::seconds;

// Seconds per decoding step for `rows` sequences after a prompt of `prompt` tokens (best of 2 runs).
double stepSeconds(const avss::Model::Impl& m, int rows, int prompt, int steps) {
    double best = 1e300;
    for (int rep = 0; rep < 2; ++rep) {
        avss::model::KvCache cache;
        cache.reserve = prompt + steps;
        avss::model::ForwardOptions fo;
        fo.cache = &cache;
        fo.logits = avss::model::Logits::LastOnly;
        auto tokens = torch::randint(100, 1000, {rows, prompt}, torch::kInt64);
        auto logits = avss::model::forward(m, tokens, torch::ones_like(tokens, torch::kBool), fo);
        const auto t = Clock::now();
        for (int s = 0; s < steps; ++s) {
            const auto next = logits.argmax(-1).unsqueeze(1);
            logits = avss::model::forward(m, next, torch::ones_like(next, torch::kBool), fo);
        }
        best = std::min(best, seconds(t) / steps);
    }
    return best;
}

// Seconds of the weight products alone for one step of `rows` tokens (every projection once, LM head included).
double productSeconds(const avss::Model::Impl& m, int reps, int rows) {
    const auto all = avss::bench::modelProducts(m);
    double best = 1e300;
    for (int r = 0; r < reps; ++r) {
        double total = 0;
        for (const auto* p : all) {
            const auto x = torch::randn({rows, 1, p->inFeatures()});
            const auto t = Clock::now();
            p->apply(x);
            total += seconds(t);
        }
        best = std::min(best, total);
    }
    return best;
}

int run(int argc, char** argv) {
    std::string modelArg = "default";
    int steps = 32, prompt = 32, batch = 32;
    std::vector<avss::WeightStorage> storages = {avss::WeightStorage::Fp32, avss::WeightStorage::Q8};
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--steps" && i + 1 < argc) steps = std::stoi(argv[++i]);
        else if (a == "--prompt" && i + 1 < argc) prompt = std::stoi(argv[++i]);
        else if (a == "--batch" && i + 1 < argc) batch = std::stoi(argv[++i]);
        else if (a == "--weights" && i + 1 < argc) {
            storages.clear();
            std::stringstream list(argv[++i]);
            for (std::string name; std::getline(list, name, ',');) storages.push_back(avss::parseWeightStorage(name));
        } else if (!a.empty() && a[0] == '-') {
            throw avss::UsageError({}, "unknown option " + a, "Usage: bench_decode [MODEL=default] [--steps 32] [--prompt 32] [--batch 32] [--weights fp32,q8]");
        } else {
            modelArg = a;
        }
    }
    avss::configureProcess(0);
    torch::manual_seed(0);
    torch::InferenceMode inference;
    const auto path = avss::resolveModelArgument(modelArg, avss::cacheDirFromEnvironment());
    std::printf("BLAS %s\nkernel threads %d\nprompt %d tokens, %d decoding steps\n", avss::blasSummary(avss::blasInfo()).c_str(),
                avss::kernels::kernelThreads(), prompt, steps);
    for (const auto storage : storages) {
        avss::LoadOptions lo;
        lo.device = avss::Device::Cpu;
        lo.weights = storage;
        const auto model = avss::Model::load(path, lo);
        const auto& m = avss::modelImpl(*model);
        const double step = stepSeconds(m, 1, prompt, steps);
        const double products = productSeconds(m, 3, 1);
        const double batched = stepSeconds(m, batch, prompt, std::max(4, steps / 4));
        const double batchedProducts = productSeconds(m, 3, batch);
        std::printf("%-5s weights %7.1f MiB | batch 1: %6.2f ms/token (%5.1f tokens/s), weight products %6.2f ms (%4.1f GB/s), rest %6.2f ms"
                    " | batch %d: %7.1f tokens/s = %4.1fx batch 1; a step %6.2f ms, weight products %6.2f ms, rest %6.2f ms\n",
                    avss::weightStorageName(storage), static_cast<double>(model->info().weightBytes) / (1 << 20), step * 1e3, 1.0 / step,
                    products * 1e3, static_cast<double>(model->info().weightBytes) / products / 1e9, (step - products) * 1e3, batch,
                    batch / batched, step / batched * batch, batched * 1e3, batchedProducts * 1e3, (batched - batchedProducts) * 1e3);
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    avss::ensureBestBlasKernels(argc, argv);
    return avss::bench::guardedMain("bench_decode", [&] { return run(argc, argv); });
}

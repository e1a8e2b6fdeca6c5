// Windowed perplexity: forward without logits, then the LM head and the targets' log-probabilities in
// chunks of positions so a 2048-token window never materialises [T, V] logits at once.
#include "avss/perplexity.h"

#include <torch/torch.h>

#include <chrono>
#include <cmath>

#include "avss/error.h"
#include "model/model_impl.h"
#include "model/product_threads.h"
#include "model/token_log_probs.h"
#include "model/transformer.h"

namespace avss {
namespace {
constexpr std::int64_t kHeadChunk = 256;  // positions per LM-head chunk: [B·256, V] floats at a time
}

PerplexityResult perplexity(const Model& model, const std::vector<TokenId>& tokens, const PerplexityOptions& options,
                            const ProgressFn& progress, const CancelToken* cancel) {
    const auto& m = modelImpl(model);
    if (options.window < 2 || options.batch < 1) throw UsageError({}, "window must be ≥ 2 and batch ≥ 1");
    const bool withBos = options.bos.value_or(model.tokenizer().prependsBos());
    if (options.window + (withBos ? 1 : 0) > m.hp.contextLength) {
        throw UsageError({}, "window " + std::to_string(options.window) + (withBos ? " plus BOS" : "") + " exceeds the model's context length " +
                                 std::to_string(m.hp.contextLength));
    }
    if (withBos && model.tokenizer().bosId() < 0) throw UsageError({}, "the tokenizer has no BOS token to prepend");
    PerplexityResult r;
    r.tokensAvailable = static_cast<std::int64_t>(tokens.size());
    const std::int64_t n = options.maxTokens > 0 ? std::min<std::int64_t>(options.maxTokens, r.tokensAvailable) : r.tokensAvailable;
    if (n < 2) throw UsageError({}, "need at least 2 tokens to measure perplexity, got " + std::to_string(n));
    r.window = static_cast<int>(std::min<std::int64_t>(options.window, n));
    r.windows = static_cast<int>(n / r.window);
    r.tokensUsed = static_cast<std::int64_t>(r.windows) * r.window;

    const auto start = std::chrono::steady_clock::now();
    torch::InferenceMode inference;
    const model::ProductThreads threads(model::bf16OnCpu(m));  // the LM head's bf16 product too
    const auto skip = model::skipMask(m.hp.layers, options.skipLayers);
    model::ForwardOptions fo;
    fo.skip = &skip;
    fo.logits = model::Logits::None;
    const auto i64 = torch::TensorOptions().dtype(torch::kInt64);
    r.bos = withBos;
    const std::int64_t bos = withBos ? 1 : 0;
    double totalNll = 0.0;
    for (int w0 = 0; w0 < r.windows; w0 += options.batch) {
        if (cancel) cancel->throwIfCancelled();
        const int b = std::min(options.batch, r.windows - w0);
        auto input = torch::empty({b, r.window + bos}, i64);
        auto acc = input.accessor<std::int64_t, 2>();
        for (int i = 0; i < b; ++i) {
            const std::int64_t base = static_cast<std::int64_t>(w0 + i) * r.window;
            if (bos) acc[i][0] = model.tokenizer().bosId();
            for (std::int64_t t = 0; t < r.window; ++t) acc[i][t + bos] = tokens[static_cast<std::size_t>(base + t)];
        }
        input = input.to(m.device);
        const auto hidden = model::forward(m, input, torch::ones_like(input, torch::kBool), fo);  // [b, W+bos, H]
        const auto predictors = hidden.narrow(1, 0, r.window + bos - 1);  // positions that predict a next token
        const auto targets = input.narrow(1, 1, r.window + bos - 1);
        auto nll = torch::zeros({b}, torch::TensorOptions().dtype(torch::kFloat64).device(m.device));
        for (std::int64_t t0 = 0; t0 < predictors.size(1); t0 += kHeadChunk) {
            const auto len = std::min(kHeadChunk, predictors.size(1) - t0);
            const auto logits = model::lmHead(m, predictors.narrow(1, t0, len));  // [b, len, V]
            nll -= model::tokenLogProbs(m, logits, targets.narrow(1, t0, len)).sum(1);
        }
        const auto perWindow = nll.to(torch::kCPU);
        const double count = static_cast<double>(r.window + bos - 1);
        for (int i = 0; i < b; ++i) {
            r.windowNll.push_back(perWindow[i].item<double>() / count);
            totalNll += perWindow[i].item<double>();
        }
        r.predictedTokens += static_cast<std::int64_t>(b) * (r.window + bos - 1);
        report(progress, Progress{"perplexity", static_cast<std::int64_t>(w0 + b) * r.window, r.tokensUsed, "tokens"});
    }
    r.meanNll = totalNll / static_cast<double>(r.predictedTokens);
    r.perplexity = std::exp(r.meanNll);
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return r;
}

}  // namespace avss

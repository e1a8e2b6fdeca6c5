// Autoregressive generation on top of forward() with a KV cache.
#include "avss/generate.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <numeric>
#include <random>

#include "avss/error.h"
#include "model/model_impl.h"
#include "model/transformer.h"

namespace avss {
namespace {

// Samples from softmax(logits / T) restricted to the smallest set with mass ≥ topP; the RNG runs on
// the CPU so a seed gives the same tokens on every device.
TokenId sample(const at::Tensor& logits, const GenerateOptions& o, std::mt19937_64& rng) {
    const auto probs = torch::softmax(logits.to(torch::kCPU, torch::kFloat64) / o.temperature, -1).contiguous();
    const double* p = probs.data_ptr<double>();
    std::vector<std::int32_t> order(static_cast<std::size_t>(probs.numel()));
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return p[a] > p[b]; });
    double mass = 0.0;
    std::size_t keep = 0;
    while (keep < order.size() && (keep == 0 || mass < o.topP)) mass += p[order[keep++]];
    std::uniform_real_distribution<double> uniform(0.0, mass);
    double r = uniform(rng), acc = 0.0;
    for (std::size_t i = 0; i < keep; ++i) {
        acc += p[order[i]];
        if (r < acc) return order[i];
    }
    return order[keep - 1];
}

}  // namespace

GenerateResult generate(const Model& model, const std::vector<TokenId>& prompt, const GenerateOptions& options,
                        const std::function<void(TokenId)>& onToken, const CancelToken* cancel) {
    if (prompt.empty()) throw UsageError({}, "the prompt is empty (no tokens to condition on)");
    if (options.maxNewTokens < 0) throw UsageError({}, "max new tokens must be ≥ 0");
    if (options.temperature < 0.0 || !(options.topP > 0.0 && options.topP <= 1.0)) {
        throw UsageError({}, "temperature must be ≥ 0 and top-p in (0, 1]");
    }
    const auto& m = modelImpl(model);
    const auto limit = static_cast<std::size_t>(m.hp.contextLength);
    if (prompt.size() + static_cast<std::size_t>(options.maxNewTokens) > limit) {
        throw UsageError({}, "prompt (" + std::to_string(prompt.size()) + " tokens) plus " + std::to_string(options.maxNewTokens) +
                                 " new tokens exceeds the model's context length " + std::to_string(limit));
    }
    const auto start = std::chrono::steady_clock::now();
    torch::InferenceMode inference;
    const auto skip = model::skipMask(m.hp.layers, options.skipLayers);
    model::KvCache cache;
    model::ForwardOptions fo;
    fo.skip = &skip;
    fo.cache = &cache;
    fo.logits = model::Logits::LastOnly;
    std::mt19937_64 rng(options.seed);
    const auto i64 = torch::TensorOptions().dtype(torch::kInt64).device(m.device);

    GenerateResult result;
    result.promptTokens = prompt;
    auto input = torch::tensor(std::vector<std::int64_t>(prompt.begin(), prompt.end()), i64).unsqueeze(0);
    for (int step = 0; step < options.maxNewTokens; ++step) {
        if (cancel) cancel->throwIfCancelled();
        const auto logits = model::forward(m, input, torch::ones_like(input, torch::kBool), fo)[0];  // [V]
        const TokenId next = options.temperature == 0.0 ? static_cast<TokenId>(logits.argmax().item<std::int64_t>())
                                                        : sample(logits, options, rng);
        result.tokens.push_back(next);
        if (onToken) onToken(next);
        if (options.stopAtEos && next == model.tokenizer().eosId()) {
            result.stoppedAtEos = true;
            break;
        }
        input = torch::full({1, 1}, static_cast<std::int64_t>(next), i64);
    }
    result.text = model.tokenizer().decode(result.tokens, /*skipSpecial=*/true);
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
}

}  // namespace avss

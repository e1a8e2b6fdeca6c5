// klDivergence() (see avss/divergence.h).
#include "avss/divergence.h"

#include <torch/torch.h>

#include <algorithm>

#include "avss/corpus_tokens.h"
#include "avss/error.h"
#include "model/model_impl.h"
#include "model/transformer.h"

namespace avss {

Divergence klDivergence(const Model& original, const Model& changed, const Corpus& text, int window, std::int64_t maxTokens,
                        const CancelToken* cancel) {
    const auto& a = modelImpl(original);
    const auto& b = modelImpl(changed);
    if (a.hp.vocab != b.hp.vocab) throw UsageError({}, "the two models have different vocabularies; their distributions cannot be compared");
    window = std::min(window, a.hp.contextLength);
    if (window < 2) throw UsageError({}, "the divergence window must hold at least 2 tokens");
    const auto tokens = tokenizeCorpus(original.tokenizer(), text, maxTokens).tokens;
    const bool bos = original.tokenizer().prependsBos();
    const auto content = static_cast<std::size_t>(window - (bos ? 1 : 0));
    if (tokens.size() < content) {
        throw UsageError(text.name, "holds " + std::to_string(tokens.size()) + " tokens, fewer than one window of " + std::to_string(window));
    }
    torch::InferenceMode inference;
    Divergence d;
    double sum = 0;
    for (std::size_t start = 0; start + content <= tokens.size(); start += content) {
        if (cancel != nullptr) cancel->throwIfCancelled();
        std::vector<std::int64_t> ids;
        if (bos) ids.push_back(original.tokenizer().bosId());
        ids.insert(ids.end(), tokens.begin() + static_cast<std::ptrdiff_t>(start), tokens.begin() + static_cast<std::ptrdiff_t>(start + content));
        const auto t = torch::tensor(ids, torch::kInt64).unsqueeze(0);
        const auto mask = torch::ones_like(t, torch::kBool);
        const auto la = torch::log_softmax(model::forward(a, t.to(a.device), mask.to(a.device)).cpu().to(torch::kFloat64), -1);
        const auto lb = torch::log_softmax(model::forward(b, t.to(b.device), mask.to(b.device)).cpu().to(torch::kFloat64), -1);
        const auto kl = (la.exp() * (la - lb)).sum(-1);  // [1, T]
        sum += kl.sum().item<double>();
        d.maxKl = std::max(d.maxKl, kl.max().item<double>());
        d.tokens += kl.numel();
    }
    d.meanKl = sum / static_cast<double>(d.tokens);
    return d;
}

}  // namespace avss

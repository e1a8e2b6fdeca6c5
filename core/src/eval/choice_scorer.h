// Summed continuation log-likelihoods for a batch of requests with shared work: the contexts' common
// token prefix runs once (and stays cached for the next batch while it still matches, so a few-shot
// primer shared by all items is computed once per run), the rest of each context runs once as one
// right-padded batch, and every continuation continues from a copy of its context's KV cache.
#pragma once

#include <ATen/core/Tensor.h>

#include <vector>

#include "avss/evaluator.h"
#include "model/kv_cache.h"
#include "model/model_impl.h"

namespace avss::eval {

class ChoiceScorer {
public:
    // copyBudgetBytes bounds the KV-cache copies made for continuation rows at once.
    ChoiceScorer(const Model::Impl& model, std::vector<bool> skip, std::int64_t copyBudgetBytes = kDefaultCopyBudget);
    static constexpr std::int64_t kDefaultCopyBudget = std::int64_t{256} << 20;  // SmolLM2-135M: 46 KB per cached position and row

    // One vector per request, one value per continuation (an empty continuation scores 0). Each
    // context is left-truncated so that it and its longest continuation fit the model (lm-eval keeps
    // the rightmost tokens); an empty context becomes BOS, else EOS (lm-eval's prefix token). Throws
    // UsageError when a continuation alone does not fit.
    std::vector<std::vector<double>> score(const std::vector<LoglikelihoodRequest>& requests);

    std::int64_t tokensComputed() const { return m_computed; }  // context + continuation tokens run

private:
    // Makes m_prefix hold exactly `prefix` (reusing what matches) and returns its B-row copies.
    model::KvCache prefixRows(const std::vector<TokenId>& prefix, std::int64_t rows, std::int64_t reserve);

    const Model::Impl& m_model;
    std::vector<bool> m_skip;
    model::KvCache m_prefix;                // batch-1 cache of m_prefixTokens
    std::vector<TokenId> m_prefixTokens;
    std::int64_t m_copyBudget;
    std::int64_t m_computed = 0;
};

}  // namespace avss::eval

// Text → calibration windows → shards (the rule is documented in avss/collect.h and docs/metrics.md).
// Torch-free, so the cutting rule is tested without a model.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "avss/activation_stats.h"
#include "avss/corpus.h"
#include "avss/tokenizer.h"

namespace avss::analysis {

struct WindowPlan {
    std::vector<TokenId> tokens;      // corpus tokens actually used (after maxTokens)
    std::int64_t tokensAvailable = 0; // corpus tokens read (all of them unless reading stopped at maxTokens)
    int sequenceLength = 0;
    int content = 0;                  // corpus tokens per window (sequenceLength − 1 with BOS)
    bool bos = false;
    TokenId bosId = -1;
    int windows = 0;
    std::vector<int> shardBegin;      // [shards + 1]: windows of shard s are [shardBegin[s], shardBegin[s + 1])
    std::vector<std::string> warnings;

    int shards() const { return static_cast<int>(shardBegin.size()) - 1; }
    void fill(int window, std::int64_t* out) const;  // writes sequenceLength ids
};

// Validates the options (UsageError naming the field), tokenizes the corpus as a stream that stops
// at maxTokens (avss/corpus_tokens.h) and cuts it. Throws UsageError naming
// the corpus when it holds less than one window.
WindowPlan planWindows(const Tokenizer& tokenizer, const Corpus& corpus, const CollectOptions& options, int contextLength);

void validateOptions(const CollectOptions& options, int contextLength);

}  // namespace avss::analysis

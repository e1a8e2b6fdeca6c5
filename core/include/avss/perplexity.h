// Perplexity over non-overlapping windows of a token stream (pruning-literature convention).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "avss/cancel.h"
#include "avss/model.h"
#include "avss/progress.h"

namespace avss {

struct PerplexityOptions {
    int window = 2048;             // tokens per window; the remainder after the last full window is dropped
    std::int64_t maxTokens = 0;    // use only the first N tokens (0 = all)
    int batch = 1;                 // windows per forward pass
    // BOS before each window (then every window token is predicted); unset: the tokenizer's own rule
    // (Tokenizer::prependsBos), as the statistics windows and lm-evaluation-harness do.
    std::optional<bool> bos;
    std::vector<int> skipLayers;   // what-if pruning
};

struct PerplexityResult {
    double perplexity = 0.0;       // exp(meanNll)
    double meanNll = 0.0;          // nats per predicted token
    std::int64_t predictedTokens = 0;
    std::int64_t tokensUsed = 0;   // windows × window
    std::int64_t tokensAvailable = 0;
    int windows = 0;
    int window = 0;
    bool bos = false;              // whether BOS preceded each window
    std::vector<double> windowNll; // mean NLL of each window
    double seconds = 0.0;
};

// Window w covers tokens [w·window, (w+1)·window); without BOS its first token is context only.
// A text shorter than one window is scored as a single shorter window (reported in `window`).
// Throws UsageError (bad options, fewer than 2 tokens), Cancelled.
PerplexityResult perplexity(const Model& model, const std::vector<TokenId>& tokens, const PerplexityOptions& options,
                            const ProgressFn& progress = {}, const CancelToken* cancel = nullptr);

}  // namespace avss

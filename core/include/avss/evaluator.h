// Scores a model on a benchmark task (avss/eval_task.h) as lm-evaluation-harness does, optionally
// with blocks skipped (what-if pruning, no reload). Multiple-choice contexts are computed once per
// item and shared by its choices; consecutive items reuse the KV cache of their common prefix (a
// few-shot primer is computed once). The facade is torch-free.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "avss/cancel.h"
#include "avss/eval_result.h"
#include "avss/eval_task.h"
#include "avss/model.h"
#include "avss/progress.h"

namespace avss {

struct EvalOptions {
    std::vector<int> skipLayers;         // blocks bypassed (0-based)
    int batch = 16;                      // choice tasks: requests (choice sets) per pass; generation: prompts decoded
                                         // together; perplexity: windows per pass (at most 8192
                                         // tokens per pass)
    int maxNewTokens = 64;               // generation limit (lm-eval: 256; see docs/evaluation.md why 64 gives the same EM)
    int window = 2048;                   // perplexity window (clamped to the context length)
    std::int64_t maxTokens = 0;          // perplexity: first N tokens (0 = all)
    bool records = false;                // keep per-item records in the result
    int bootstrapIterations = 1000;
    std::uint64_t seed = 1234;           // bootstrap resampling
};

// A token-level request: the context ids, then the continuation ids whose log-probabilities are
// summed (lm-eval: whole = encode(context + continuation); continuation = whole[len(encode(context)):]).
struct LoglikelihoodRequest {
    std::vector<TokenId> context;
    std::vector<std::vector<TokenId>> continuations;
};

// Keeps per-skip-set prefix caches between calls, so one Evaluator serves one thread at a time;
// the Model itself may be shared by several Evaluators.
class Evaluator {
public:
    explicit Evaluator(std::shared_ptr<const Model> model);
    ~Evaluator();
    Evaluator(const Evaluator&) = delete;
    Evaluator& operator=(const Evaluator&) = delete;

    // Progress counts items ("items"; perplexity: tokens). Throws UsageError (bad options, a skip list
    // naming a missing block), Cancelled.
    EvalResult run(const TaskData& task, const EvalOptions& options, const ProgressFn& progress = {},
                   const CancelToken* cancel = nullptr);

    // The log-likelihood engine on its own: lm-eval's tokenisation of one context with several
    // continuations (trailing context whitespace moved to the continuation), then the summed
    // log-probabilities of each continuation's tokens.
    LoglikelihoodRequest tokenize(const ChoiceSet& set) const;
    std::vector<double> loglikelihoods(const LoglikelihoodRequest& request, const std::vector<int>& skipLayers);

    struct Impl;
private:
    std::unique_ptr<Impl> m_impl;
};

}  // namespace avss

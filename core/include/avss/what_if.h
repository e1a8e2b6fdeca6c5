// What-if pruning measured on an analysis's held-out text: perplexity of the dense model and with
// some blocks skipped. The explorer's Measure and `avss perplexity --held-out-from CACHE` both call
// measureWhatIf(), so the same settings give the same numbers.
#pragma once

#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "avss/cancel.h"
#include "avss/held_out.h"
#include "avss/model.h"
#include "avss/progress.h"

namespace avss {

struct WhatIfOptions {
    HeldOutOptions heldOut;
    std::vector<int> removed;           // blocks to skip (0-based, original numbers)
    std::optional<double> denseNll;     // known dense mean NLL for these settings: not measured again
};

struct WhatIfResult {
    std::vector<int> removed;
    double denseNll = 0, prunedNll = 0;  // mean NLL per predicted token (nats)
    std::int64_t predictedTokens = 0;
    std::int64_t heldOutStart = 0, heldOutTokens = 0;
    std::string note;                    // e.g. the held-out text overlaps the calibration text
    double densePerplexity() const { return std::exp(denseNll); }
    double prunedPerplexity() const { return std::exp(prunedNll); }
    double retention() const { return densePerplexity() / prunedPerplexity(); }  // PPL_dense / PPL_pruned
};

// Throws UsageError when `model` or `corpus` is not the one the analysis used, Cancelled.
// Progress: that of the perplexity passes.
WhatIfResult measureWhatIf(const Model& model, const Corpus& corpus, const StatsProvenance& calibration,
                           const WhatIfOptions& options, const ProgressFn& progress = {}, const CancelToken* cancel = nullptr);

}  // namespace avss

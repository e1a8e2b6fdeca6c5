// Statistics of a pruned network: the collection pass of collect.h with some blocks bypassed by the
// forward pass's skip mask. Internal on purpose: the analysis identity does not record removed
// blocks, so these statistics must never reach a StatsCache (they would pass for the dense ones).
#pragma once

#include <vector>

#include "avss/activation_stats.h"
#include "avss/cancel.h"
#include "avss/corpus.h"
#include "avss/model.h"
#include "avss/progress.h"

namespace avss::analysis {

// The statistics hold one layer per block that runs, renumbered 0..K−1 in block order
// (provenance.layerCount = K, and a provenance warning names the removed blocks): a kept block's
// transition is its actual input → output in the pruned network, and the last-token states are
// h_0 … h_K of that network. They equal the statistics of the exported pruned model. Throws as
// collectStats(), and UsageError for a block number outside the model.
ActivationStats collectPrunedStats(const Model& model, const Corpus& corpus, const CollectOptions& options,
                                   const std::vector<int>& removed, const ProgressFn& progress = {},
                                   const CancelToken* cancel = nullptr);

}  // namespace avss::analysis

// Iterative one-shot selection: remove the block a one-shot metric ranks lowest, collect the
// statistics of the pruned network again (pruned_stats.h), re-score the remaining blocks, repeat.
#pragma once

#include <string>
#include <string_view>

#include "avss/measured_importance.h"

namespace avss::analysis {

// "bi" for "iterative:bi"; "" for any other id.
std::string iterativeBase(std::string_view id);

// `steps` removals of `metric` ("iterative:<id>"); the calibration text is options.tokens corpus
// tokens in windows of options.window (CollectOptions with one shard). The score of block l after
// removals is its value in the pruned network's statistics: its actual input and output there, the
// other blocks' normalisers taken over the remaining blocks (docs/metrics.md). Throws as
// collectStats() and scoreLayers(), Cancelled. Progress: stage = the id, one report per pass.
MeasuredImportance selectIteratively(const Model& model, const Corpus& corpus, std::string_view metric,
                                     const MeasuredOptions& options, int steps, const ProgressFn& progress,
                                     const CancelToken* cancel);

}  // namespace avss::analysis

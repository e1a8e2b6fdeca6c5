// Measured-importance baselines: block importance read from the model's calibration perplexity with
// blocks skipped (leave-one-out, SLEB-style greedy removal), and iterative selection by a one-shot
// metric that collects the statistics again after every removal. The results convert into
// LayerScores, so plans, reports and the explorer use them like any other metric. Formulas, cost in
// forward passes and the calibration text: docs/metrics.md, "Measured importance".
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "avss/activation_stats.h"
#include "avss/cancel.h"
#include "avss/corpus.h"
#include "avss/layer_scores.h"
#include "avss/model.h"
#include "avss/progress.h"
#include "avss/pruning_plan.h"

namespace avss {

// Ids: "loo-ppl", "sleb", and "iterative:<id>" for every one-shot metric that reads the data
// (reverse and random give the same order either way). findMetric() knows them; they are not in
// metricRegistry(), since statistics alone cannot score them.
const std::vector<MetricInfo>& measuredMetricRegistry();
bool isMeasuredMetric(std::string_view id);

struct MeasuredOptions {
    std::int64_t tokens = 512;  // calibration: the first N corpus tokens, tokenized as collectStats() does
    int window = 256;           // tokens per window (BOS before each when the tokenizer adds BOS); remainder dropped
    int batch = 2;              // windows per forward pass
    int maxRemoved = -1;        // sleb, iterative: removal steps; −1 = ⌊layers / 2⌋, at most the removable blocks
    bool protectFirst = true;   // sleb, iterative: block 0 is never a candidate (as PruningRule)
    bool protectLast = true;    // sleb, iterative: block L − 1 is never a candidate
    StatsSettings settings;     // iterative: what the statistics count
};

struct MeasuredStep {
    static constexpr double kNone = std::numeric_limits<double>::quiet_NaN();
    int layer = 0;        // the block removed at this step (loo-ppl: the block skipped alone)
    double nll = kNone;   // calibration mean NLL with this step's blocks skipped (loo-ppl: this block
                          // alone; sleb: the blocks of steps 0..s); NaN for iterative
    double value = kNone; // what chose it: loo-ppl, sleb: nll − denseNll; iterative: the one-shot score
                          // of `layer` in the network of this step (the lowest of the candidates)
};

struct MeasuredImportance {
    std::string metric;               // "loo-ppl", "sleb", "iterative:bi", ...
    int layerCount = 0;
    std::vector<MeasuredStep> steps;  // loo-ppl: every block, least important first; else the removal order
    double denseNll = MeasuredStep::kNone;  // loo-ppl, sleb: mean NLL of the whole model
    std::int64_t tokens = 0;          // calibration tokens used: windows × window
    int windows = 0, window = 0;
    bool bosPerWindow = false;
    int maxRemoved = 0;               // sleb, iterative: the step limit applied
    bool protectFirst = true, protectLast = true;  // sleb, iterative: blocks that were never candidates
    int forwardPasses = 0;            // the method's cost: perplexity passes, or statistics passes (iterative)
    int reusedPasses = 0;             // of those, already measured by an earlier method of the same call
    double seconds = 0;
    std::vector<std::string> notes;

    bool isGreedy() const;            // sleb and iterative: the order is a sequence of removals
    std::vector<int> removalOrder() const;
};

// Runs each metric in turn on the same calibration text; a removal set measured once is not measured
// again (sleb's first step is loo-ppl's passes). Everything is checked before the first pass.
// Progress: stage = the metric id, unit "passes", once per pass. Throws UsageError (an unknown or
// repeated id, bad options, more steps than removable blocks, a text shorter than one window, a
// one-shot metric these settings cannot score), Cancelled (checked between and inside passes).
std::vector<MeasuredImportance> measureImportance(const Model& model, const Corpus& corpus,
                                                  const std::vector<std::string>& metrics, const MeasuredOptions& options,
                                                  const ProgressFn& progress = {}, const CancelToken* cancel = nullptr);

// The checks measureImportance() makes before its first pass (all but the text's length): lets a
// front end refuse a bad request before other long work. Throws UsageError.
void checkMeasuredRequest(const ModelInfo& model, const std::vector<std::string>& metrics, const MeasuredOptions& options);

// As a metric's scores: loo-ppl's value is its ΔNLL; a greedy method's value is the step that removed
// the block (NaN for blocks it never removed: protected, or beyond the step limit; they come last, in
// block order). Ranks follow the steps. One "shard": no spread, stability not applicable.
// bottomCount as ScoreOptions (−1 = ⌊layers / 4⌋).
LayerScores measuredLayerScores(const MeasuredImportance& measured, int bottomCount = -1);

// planPruning() on those scores. Throws UsageError for a mass rule (measured values are not amounts)
// and for a plan that needs more blocks than a greedy order removed; notes a protection that differs
// from the one the order was measured with.
PruningPlan planMeasuredPruning(const MeasuredImportance& measured, const PruningRule& rule);

}  // namespace avss

// Per-layer values of one metric from one set of accumulators (a single shard, or all shards
// merged). scoring.cpp turns these into ranks, spreads and stability.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "avss/activation_stats.h"
#include "avss/layer_scores.h"

namespace avss::analysis {

struct MetricValues {
    std::vector<double> values;             // [layer]
    std::vector<NamedSeries> components;    // raw ingredients, e.g. variance and sparsity
    std::vector<int> guardedLayers;         // layers whose zero sparsity was replaced by the guard
    std::string guardNote;                  // what the guard did, for the warning
};

MetricValues metricValues(const MetricInfo& metric, const ShardStats& stats, const StatsSettings& settings,
                          const ScoreOptions& options);

// The ingredients of an AVSS preset, per layer, before they are combined: what the hallucination
// scores (avss/hallu_scores.h) build on, so both read variance and sparsity by one definition.
struct AvssComponents {
    std::vector<double> variance;      // σ² (or the reference code's V)
    std::vector<double> sparsity;      // raw share near zero (or Hoyer)
    std::vector<double> sparsityUsed;  // after the zero guard
    std::vector<int> guardedLayers;
    std::string guardNote;
    bool normalise = true;             // the preset divides each by its sum over layers
};
// UsageError when `preset` is not an AVSS preset or the settings lack what it needs.
AvssComponents avssComponents(std::string_view preset, const ShardStats& stats, const StatsSettings& settings);
bool isAvssPreset(std::string_view id);
std::string avssPresetList();  // "avss-paper, avss-reference-code, ..."

// One metric's values from all shards merged and from each shard → ranks (rank 0 at the `order`
// end), mean ± sd across shards, the first-k set and its stability, guard warnings (scoring.cpp).
LayerScores rankLayers(const std::string& id, PruneOrder order, bool usesData, const MetricValues& all,
                       const std::vector<MetricValues>& shards, int k);

}  // namespace avss::analysis

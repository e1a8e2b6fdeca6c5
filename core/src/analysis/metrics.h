// Per-layer values of one metric from one set of accumulators (a single shard, or all shards
// merged). scoring.cpp turns these into ranks, spreads and stability.
#pragma once

#include <string>
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

}  // namespace avss::analysis

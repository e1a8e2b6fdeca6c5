// Layer scores from ActivationStats: the metric registry (AVSS presets and baselines), values with
// their spread across calibration shards, ranks and rank stability. Pure functions over values, no
// I/O and no torch: cheap enough for a GUI thread. Convention for every metric: rank 0 = the first
// layer to prune. Formulas: docs/metrics.md.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "avss/activation_stats.h"

namespace avss {

enum class PruneOrder { LowFirst, HighFirst };  // which end of the value scale is pruned first

struct MetricInfo {
    std::string id;        // "avss-paper", "bi", ...
    std::string name;      // display name
    std::string formula;   // one line, plain text
    std::string measured;  // tensor(s): "block_out", "mlp_act", "block_in→block_out", "none"
    PruneOrder order = PruneOrder::LowFirst;
    bool usesData = true;  // false for reverse and random: no spread, no rank stability
    bool valuesAreAmounts = true;  // a mass rule may add the values up (false: removal steps, NLL differences)
};

const std::vector<MetricInfo>& metricRegistry();
const MetricInfo& findMetric(std::string_view id);  // UsageError listing the known ids
std::vector<std::string> metricIds();

// "" when statistics collected with `settings` can score `metric`; otherwise why not, in domain
// words (e.g. "avss-paper needs the absolute near-zero threshold 1e-05, which these statistics do
// not contain"). Decided by the settings alone, so it can be asked before collecting. UsageError
// for an unknown metric, as findMetric.
std::string metricUnavailableReason(std::string_view metric, const StatsSettings& settings);

struct ScoreOptions {
    std::uint64_t seed = 0;  // random metric
    int bottomCount = -1;    // size of the "lowest set" for stability; −1 = ⌊layers / 4⌋
};

struct LayerScore {
    int layer = 0;
    double value = 0;            // from all shards merged
    double mean = 0, sd = 0;     // across shards (sd: N − 1; NaN with one shard or no data use)
    int rank = 0;                // 0 = first to prune (ties: lower layer first)
    double bottomFrequency = 0;  // share of shards where the layer is in that shard's lowest set
};

struct RankStability {
    int shards = 0;
    int bottomCount = 0;                // k of the lowest-k set
    double kendallTauMean = 0;          // mean pairwise Kendall τ-b between shard rankings
    double kendallTauMin = 0;
    double bottomSetChangedFraction = 0;  // share of shards whose lowest-k set differs from the all-data one
    double bottomSetJaccardMean = 0;      // mean Jaccard overlap of shard lowest-k sets with the all-data one
    bool applicable = false;            // false: one shard, or the metric ignores the data (NaN fields)
};

struct NamedSeries {
    std::string name;            // "variance", "sparsity", ...
    std::vector<double> values;  // [layer], from all shards merged
};

struct LayerScores {
    std::string metric;
    std::vector<LayerScore> layers;    // by layer number
    std::vector<int> pruneOrder;       // layer numbers, rank 0 first
    std::vector<int> bottomSet;        // the all-data lowest-k set (k = stability.bottomCount)
    RankStability stability;
    std::vector<NamedSeries> components;
    std::vector<std::string> warnings;  // guards applied (zero sparsity), missing data, ...
    // Layers whose all-data sparsity was zero and replaced by the guard (half an element): their
    // value is finite but only a lower bound. guardNote says what the guard did.
    std::vector<int> guardedLayers;
    std::string guardNote;
    std::uint64_t seed = 0;             // random metric only
};

// Throws UsageError for an unknown metric, or with metricUnavailableReason's reason.
LayerScores scoreLayers(const ActivationStats& stats, std::string_view metric, const ScoreOptions& options = {});

// Gromov et al.: d(ℓ, n) on last tokens for every start ℓ = 0 … L − n (LayerScore.layer = ℓ).
struct SpanScores {
    int length = 0;
    std::vector<LayerScore> starts;  // rank 0 = smallest distance
    std::vector<std::string> warnings;
};
SpanScores scoreSpans(const ActivationStats& stats, int length);

// How much metrics agree on the all-data values: pairwise Kendall τ-b of values oriented so that
// rank order matches, and Jaccard overlap of the lowest-k sets.
struct MetricAgreement {
    std::vector<std::string> metrics;
    int bottomCount = 0;
    std::vector<std::vector<double>> kendallTau;  // [metric][metric]
    std::vector<std::vector<double>> jaccard;     // [metric][metric]
};
MetricAgreement compareMetrics(const std::vector<LayerScores>& scores);

double kendallTauB(const std::vector<double>& a, const std::vector<double>& b);  // NaN when undefined
double jaccard(std::vector<int> a, std::vector<int> b);                           // 1 for two empty sets

}  // namespace avss

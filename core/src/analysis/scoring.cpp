// scoreLayers(): one metric's values from all shards merged (the score) and from each shard alone
// (mean ± sd, rank stability). Rank 0 = first to prune; ties go to the lower layer number.
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <sstream>

#include "analysis/metrics.h"
#include "avss/error.h"
#include "avss/layer_scores.h"

namespace avss {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Layers in prune order: by oriented value (NaN last), then by layer number.
std::vector<int> pruneOrderOf(const std::vector<double>& values, PruneOrder order) {
    std::vector<int> idx(values.size());
    std::iota(idx.begin(), idx.end(), 0);
    const double sign = order == PruneOrder::LowFirst ? 1.0 : -1.0;
    std::stable_sort(idx.begin(), idx.end(), [&](int a, int b) {
        const double va = values[static_cast<std::size_t>(a)], vb = values[static_cast<std::size_t>(b)];
        if (std::isnan(va) || std::isnan(vb)) return !std::isnan(va) && std::isnan(vb);
        return sign * va < sign * vb;
    });
    return idx;
}

std::vector<int> firstK(const std::vector<int>& order, int k) {
    return {order.begin(), order.begin() + std::min<std::size_t>(static_cast<std::size_t>(std::max(k, 0)), order.size())};
}

void meanSd(const std::vector<double>& xs, double& mean, double& sd) {
    mean = std::accumulate(xs.begin(), xs.end(), 0.0) / static_cast<double>(xs.size());
    if (xs.size() < 2) {
        sd = kNaN;
        return;
    }
    double ss = 0;
    for (double x : xs) ss += (x - mean) * (x - mean);
    sd = std::sqrt(ss / static_cast<double>(xs.size() - 1));
}

std::string layerList(const std::vector<int>& layers) {
    std::ostringstream o;
    for (std::size_t i = 0; i < layers.size(); ++i) o << (i ? ", " : "") << layers[i];
    return o.str();
}

RankStability stabilityOf(const std::vector<std::vector<double>>& shardValues, const std::vector<std::vector<int>>& shardBottom,
                          const std::vector<int>& bottom, int k, bool usesData) {
    RankStability s;
    s.shards = static_cast<int>(shardValues.size());
    s.bottomCount = k;
    s.applicable = usesData && s.shards >= 2;
    if (!s.applicable) {
        s.kendallTauMean = s.kendallTauMin = s.bottomSetChangedFraction = s.bottomSetJaccardMean = kNaN;
        return s;
    }
    double sum = 0, minTau = 1;
    int pairs = 0;
    for (std::size_t a = 0; a < shardValues.size(); ++a) {
        for (std::size_t b = a + 1; b < shardValues.size(); ++b) {
            const double t = kendallTauB(shardValues[a], shardValues[b]);
            sum += t;
            minTau = std::min(minTau, t);
            ++pairs;
        }
    }
    s.kendallTauMean = sum / pairs;
    s.kendallTauMin = minTau;
    int changed = 0;
    double jac = 0;
    for (const auto& set : shardBottom) {
        const double j = jaccard(set, bottom);
        changed += j < 1.0 ? 1 : 0;
        jac += j;
    }
    s.bottomSetChangedFraction = static_cast<double>(changed) / s.shards;
    s.bottomSetJaccardMean = jac / s.shards;
    return s;
}

void addGuardWarning(LayerScores& out, const std::string& metric, const analysis::MetricValues& all, int shardGuards,
                     int shardValues) {
    if (!all.guardedLayers.empty()) {
        out.warnings.push_back(metric + ": layers " + layerList(all.guardedLayers) + ": " + all.guardNote +
                               "; their score is finite but should be read as 'at least this large'");
    }
    if (shardGuards > 0) {
        out.warnings.push_back(metric + ": the same guard was applied to " + std::to_string(shardGuards) + " of " +
                               std::to_string(shardValues) + " per-shard layer values");
    }
}

}  // namespace

namespace analysis {

LayerScores rankLayers(const std::string& id, PruneOrder order, bool usesData, const MetricValues& all,
                       const std::vector<MetricValues>& shards, int k) {
    const int L = static_cast<int>(all.values.size());
    LayerScores out;
    out.metric = id;
    out.components = all.components;
    out.guardedLayers = all.guardedLayers;
    if (!all.guardedLayers.empty()) out.guardNote = all.guardNote;
    out.pruneOrder = pruneOrderOf(all.values, order);
    out.bottomSet = firstK(out.pruneOrder, k);
    std::vector<std::vector<double>> shardValues;
    std::vector<std::vector<int>> shardBottom;
    int shardGuards = 0;
    for (const auto& v : shards) {
        shardGuards += static_cast<int>(v.guardedLayers.size());
        shardBottom.push_back(firstK(pruneOrderOf(v.values, order), k));
        shardValues.push_back(v.values);
    }
    out.layers.resize(static_cast<std::size_t>(L));
    for (int l = 0; l < L; ++l) {
        auto& s = out.layers[static_cast<std::size_t>(l)];
        s.layer = l;
        s.value = all.values[static_cast<std::size_t>(l)];
        std::vector<double> xs;
        int inBottom = 0;
        for (std::size_t i = 0; i < shardValues.size(); ++i) {
            xs.push_back(shardValues[i][static_cast<std::size_t>(l)]);
            inBottom += std::count(shardBottom[i].begin(), shardBottom[i].end(), l) > 0 ? 1 : 0;
        }
        meanSd(xs, s.mean, s.sd);
        if (!usesData) s.sd = 0;  // the same value in every shard by construction
        s.bottomFrequency = static_cast<double>(inBottom) / static_cast<double>(shardValues.size());
        if (std::isnan(s.value)) out.warnings.push_back(id + ": layer " + std::to_string(l) + " has no value (no data)");
    }
    for (int r = 0; r < L; ++r) out.layers[static_cast<std::size_t>(out.pruneOrder[static_cast<std::size_t>(r)])].rank = r;
    out.stability = stabilityOf(shardValues, shardBottom, out.bottomSet, k, usesData);
    addGuardWarning(out, id, all, shardGuards, static_cast<int>(shardValues.size()) * L);
    return out;
}

}  // namespace analysis

LayerScores scoreLayers(const ActivationStats& stats, std::string_view metricId, const ScoreOptions& options) {
    const auto& metric = findMetric(metricId);
    if (stats.shards.empty()) throw UsageError({}, "no statistics to score (zero shards)");
    const auto& settings = stats.provenance.options.settings;
    if (const auto reason = metricUnavailableReason(metric.id, settings); !reason.empty()) {
        throw UsageError({}, reason, "Collect the statistics again with settings that include it.");
    }
    const auto all = analysis::metricValues(metric, stats.merged(), settings, options);
    const int L = static_cast<int>(all.values.size());
    const int k = options.bottomCount >= 0 ? std::min(options.bottomCount, L) : L / 4;
    std::vector<analysis::MetricValues> shards;
    for (const auto& shard : stats.shards) shards.push_back(analysis::metricValues(metric, shard, settings, options));
    auto out = analysis::rankLayers(metric.id, metric.order, metric.usesData, all, shards, k);
    out.seed = options.seed;
    return out;
}

SpanScores scoreSpans(const ActivationStats& stats, int length) {
    const int L = stats.layerCount();
    if (length < 1 || length >= L) {
        throw UsageError({}, "span length " + std::to_string(length) + " is outside 1.." + std::to_string(L - 1));
    }
    SpanScores out;
    out.length = length;
    const auto merged = stats.merged();
    std::vector<double> values;
    for (int l = 0; l + length <= L; ++l) values.push_back(merged.spans.meanAngle(l, l + length));
    const auto order = pruneOrderOf(values, PruneOrder::LowFirst);
    for (int l = 0; l + length <= L; ++l) {
        LayerScore s;
        s.layer = l;
        s.value = values[static_cast<std::size_t>(l)];
        std::vector<double> xs;
        for (const auto& shard : stats.shards) xs.push_back(shard.spans.meanAngle(l, l + length));
        meanSd(xs, s.mean, s.sd);
        s.bottomFrequency = 0;
        for (const auto& shard : stats.shards) {
            std::vector<double> v;
            for (int m = 0; m + length <= L; ++m) v.push_back(shard.spans.meanAngle(m, m + length));
            s.bottomFrequency += pruneOrderOf(v, PruneOrder::LowFirst).front() == l ? 1.0 : 0.0;
        }
        s.bottomFrequency /= static_cast<double>(stats.shards.size());
        out.starts.push_back(s);
    }
    for (std::size_t r = 0; r < order.size(); ++r) out.starts[static_cast<std::size_t>(order[r])].rank = static_cast<int>(r);
    if (merged.spans.sequences == 0) out.warnings.push_back("no last-token states were collected");
    return out;
}

MetricAgreement compareMetrics(const std::vector<LayerScores>& scores) {
    MetricAgreement a;
    const auto n = scores.size();
    a.bottomCount = scores.empty() ? 0 : scores.front().stability.bottomCount;
    a.kendallTau.assign(n, std::vector<double>(n, 1.0));
    a.jaccard.assign(n, std::vector<double>(n, 1.0));
    std::vector<std::vector<double>> priority(n);  // −rank: larger = pruned later, same orientation for all
    for (std::size_t i = 0; i < n; ++i) {
        a.metrics.push_back(scores[i].metric);
        for (const auto& l : scores[i].layers) priority[i].push_back(static_cast<double>(l.rank));
    }
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = i + 1; j < n; ++j) {
            a.kendallTau[i][j] = a.kendallTau[j][i] = kendallTauB(priority[i], priority[j]);
            a.jaccard[i][j] = a.jaccard[j][i] = jaccard(scores[i].bottomSet, scores[j].bottomSet);
        }
    }
    return a;
}

double kendallTauB(const std::vector<double>& a, const std::vector<double>& b) {
    if (a.size() != b.size() || a.size() < 2) return kNaN;
    double concordant = 0, discordant = 0, tiesA = 0, tiesB = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        for (std::size_t j = i + 1; j < a.size(); ++j) {
            const double da = a[i] - a[j], db = b[i] - b[j];
            if (std::isnan(da) || std::isnan(db)) continue;
            if (da == 0 && db == 0) continue;
            if (da == 0) tiesA += 1;
            else if (db == 0) tiesB += 1;
            else if ((da > 0) == (db > 0)) concordant += 1;
            else discordant += 1;
        }
    }
    const double denom = std::sqrt((concordant + discordant + tiesA) * (concordant + discordant + tiesB));
    return denom > 0 ? (concordant - discordant) / denom : kNaN;
}

double jaccard(std::vector<int> a, std::vector<int> b) {
    std::sort(a.begin(), a.end());
    std::sort(b.begin(), b.end());
    std::vector<int> both, either;
    std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(both));
    std::set_union(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(either));
    return either.empty() ? 1.0 : static_cast<double>(both.size()) / static_cast<double>(either.size());
}

}  // namespace avss

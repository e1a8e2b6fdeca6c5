// screeOf: the sorted view's bars, cumulative mass, cut and uncertainty flags (avss/scree.h).
#include "avss/scree.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "avss/pruning_plan.h"

namespace avss {
namespace {

bool has(const std::vector<int>& v, int x) { return std::find(v.begin(), v.end(), x) != v.end(); }

}  // namespace

Scree screeOf(const LayerScores& scores, const std::vector<int>& removed, const std::vector<int>& protectedLayers,
              bool cutsOnValues) {
    constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
    Scree out;
    out.metric = scores.metric;
    const auto& info = findMetric(scores.metric);
    // The mass rule's total: every layer without a guard (planPruning's checkedTotal).
    double total = 0;
    bool amounts = ruleApplies(RuleKind::Mass, info);
    for (const auto& l : scores.layers) {
        if (!std::isfinite(l.value) || l.value < 0) amounts = false;
        if (!has(scores.guardedLayers, l.layer)) total += l.value;
    }
    out.hasMass = amounts && total > 0;
    double cumulative = 0;
    int lastRemoved = -1;
    for (int l : scores.pruneOrder) {
        const auto& s = scores.layers[static_cast<std::size_t>(l)];
        ScreeBar bar;
        bar.layer = l;
        bar.position = static_cast<int>(out.bars.size());
        bar.value = s.value;
        bar.sd = s.sd;
        bar.bottomFrequency = s.bottomFrequency;
        bar.lowerBound = has(scores.guardedLayers, l);
        bar.removed = has(removed, l);
        bar.isProtected = has(protectedLayers, l);
        if (out.hasMass && !bar.lowerBound && !bar.isProtected) cumulative += s.value / total;
        bar.cumulativeMass = out.hasMass ? cumulative : kNaN;
        bar.uncertainShards = info.usesData && s.bottomFrequency > 0 && s.bottomFrequency < 1;
        if (bar.removed) lastRemoved = bar.position;
        out.bars.push_back(bar);
    }
    if (!cutsOnValues) return out;
    out.cutPosition = lastRemoved + 0.5;
    // The cut value: between the last removed bar and the next candidate that is kept.
    const ScreeBar* below = lastRemoved >= 0 ? &out.bars[static_cast<std::size_t>(lastRemoved)] : nullptr;
    const ScreeBar* above = nullptr;
    for (std::size_t i = static_cast<std::size_t>(lastRemoved + 1); i < out.bars.size() && !above; ++i) {
        if (!out.bars[i].isProtected && !out.bars[i].removed) above = &out.bars[i];
    }
    if (below && above && std::isfinite(below->value) && std::isfinite(above->value)) {
        out.cutValue = (below->value + above->value) / 2;
    }
    if (!out.cutValue) return out;
    for (auto& bar : out.bars) {
        if (bar.isProtected || !std::isfinite(bar.sd) || !std::isfinite(bar.value)) continue;
        bar.uncertainAtCut = std::abs(bar.value - *out.cutValue) <= bar.sd;
    }
    return out;
}

int screeCountAt(const Scree& scree, double x) {
    int count = 0;
    for (const auto& bar : scree.bars) {
        if (bar.position < x && !bar.isProtected) ++count;
    }
    return count;
}

}  // namespace avss

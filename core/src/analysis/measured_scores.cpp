// Measured importance as a metric's LayerScores and pruning plans (avss/measured_importance.h):
// pure functions over the measured values, so a report or a slider can use them like any score.
#include <algorithm>
#include <cmath>
#include <limits>

#include "avss/error.h"
#include "avss/measured_importance.h"

namespace avss {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string blockList(const std::vector<int>& blocks) {
    std::string s;
    for (int b : blocks) s += (s.empty() ? "" : ", ") + std::to_string(b);
    return s;
}

std::string protectionText(bool first, bool last) {
    if (first && last) return "first and last blocks protected";
    if (first) return "first block protected";
    if (last) return "last block protected";
    return "no block protected";
}

// [layer] value of each step's field; NaN for blocks no step names.
std::vector<double> byLayer(const MeasuredImportance& m, double MeasuredStep::*field) {
    std::vector<double> out(static_cast<std::size_t>(m.layerCount), kNaN);
    for (const auto& s : m.steps) out.at(static_cast<std::size_t>(s.layer)) = s.*field;
    return out;
}

}  // namespace

bool MeasuredImportance::isGreedy() const { return metric != "loo-ppl"; }

std::vector<int> MeasuredImportance::removalOrder() const {
    std::vector<int> order;
    for (const auto& s : steps) order.push_back(s.layer);
    return order;
}

LayerScores measuredLayerScores(const MeasuredImportance& m, int bottomCount) {
    const int L = m.layerCount;
    LayerScores out;
    out.metric = findMetric(m.metric).id;  // UsageError for an id no registry knows
    out.pruneOrder = m.removalOrder();
    std::vector<int> unreached;  // greedy: blocks no step removed, appended in block order
    for (int l = 0; l < L; ++l) {
        if (std::find(out.pruneOrder.begin(), out.pruneOrder.end(), l) == out.pruneOrder.end()) unreached.push_back(l);
    }
    out.pruneOrder.insert(out.pruneOrder.end(), unreached.begin(), unreached.end());
    const int k = bottomCount >= 0 ? std::min(bottomCount, L) : L / 4;
    out.bottomSet.assign(out.pruneOrder.begin(), out.pruneOrder.begin() + k);
    std::vector<double> values = byLayer(m, &MeasuredStep::value);
    if (m.isGreedy()) {
        out.components = {{m.metric == "sleb" ? "nll_increase" : "score_when_removed", values}};
        if (m.metric == "sleb") out.components.push_back({"nll_after_step", byLayer(m, &MeasuredStep::nll)});
        values.assign(static_cast<std::size_t>(L), kNaN);
        for (std::size_t s = 0; s < m.steps.size(); ++s) values[static_cast<std::size_t>(m.steps[s].layer)] = static_cast<double>(s);
    } else {
        out.components = {{"nll", byLayer(m, &MeasuredStep::nll)}};
    }
    out.layers.resize(static_cast<std::size_t>(L));
    for (int r = 0; r < L; ++r) {
        const int l = out.pruneOrder[static_cast<std::size_t>(r)];
        auto& s = out.layers[static_cast<std::size_t>(l)];
        s.layer = l;
        s.value = s.mean = values[static_cast<std::size_t>(l)];
        s.sd = kNaN;  // one measurement: no spread
        s.rank = r;
        s.bottomFrequency = r < k ? 1.0 : 0.0;
    }
    out.stability.shards = 1;
    out.stability.bottomCount = k;
    out.stability.kendallTauMean = out.stability.kendallTauMin = kNaN;
    out.stability.bottomSetChangedFraction = out.stability.bottomSetJaccardMean = kNaN;
    if (!unreached.empty()) {
        out.warnings.push_back(m.metric + ": " + (unreached.size() == 1 ? "block " : "blocks ") + blockList(unreached) +
                               " never removed (" + protectionText(m.protectFirst, m.protectLast) + "; " +
                               std::to_string(m.steps.size()) + " steps of at most " + std::to_string(m.maxRemoved) +
                               "): no value, ranked after the removed blocks in block order");
    }
    return out;
}

PruningPlan planMeasuredPruning(const MeasuredImportance& m, const PruningRule& rule) {
    if (isMassRule(rule.kind)) {
        throw UsageError({}, "the " + std::string(ruleName(rule.kind)) + " rule adds score values up, and " + m.metric +
                                 "'s values are not amounts",
                         "Use the count or fraction rule.");
    }
    const auto scores = measuredLayerScores(m);
    auto plan = planPruning(scores, rule);
    for (int l : plan.removed) {
        if (std::isnan(scores.layers[static_cast<std::size_t>(l)].value)) {
            throw UsageError({}, m.metric + " removed " + std::to_string(m.steps.size()) + " blocks in its measured steps; a plan of " +
                                     std::to_string(plan.removed.size()) + " blocks needs more",
                             "Measure with a larger removal limit, or remove fewer blocks.");
        }
    }
    if (m.isGreedy() && (rule.protectFirst != m.protectFirst || rule.protectLast != m.protectLast)) {
        plan.notes.push_back("the " + m.metric + " order was measured with " + protectionText(m.protectFirst, m.protectLast) +
                             ", the rule has " + protectionText(rule.protectFirst, rule.protectLast) +
                             ": later steps assumed the earlier blocks removed");
    }
    return plan;
}

}  // namespace avss

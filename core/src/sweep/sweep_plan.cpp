// Which blocks each metric removes at each count of a sweep: count rules on the one-shot scores or
// on a measured order, so a sweep's sets are the plans `avss prune` and the explorer would make.
#include <algorithm>
#include <set>

#include "avss/error.h"
#include "avss/layer_scores.h"
#include "avss/pruning_plan.h"
#include "avss/sweep.h"

namespace avss {
namespace {

int removableBlocks(int layers, bool protectFirst, bool protectLast) {
    int n = layers;
    if (protectFirst && layers > 0) --n;
    if (protectLast && layers > 1) --n;
    return std::max(n, 0);
}

const MeasuredImportance* findMeasured(const std::vector<MeasuredImportance>& measured, const std::string& id) {
    for (const auto& m : measured) {
        if (m.metric == id) return &m;
    }
    return nullptr;
}

// Fills line.removed/unavailable for every count from one plan function.
template <typename PlanFn>
void planLine(SweepLine& line, const std::vector<int>& counts, PlanFn plan) {
    for (const int count : counts) {
        try {
            auto removed = plan(count);
            std::sort(removed.begin(), removed.end());
            line.removed.emplace_back(std::move(removed));
            line.unavailable.emplace_back();
        } catch (const UsageError& e) {  // e.g. a greedy order measured for fewer steps
            line.removed.emplace_back(std::nullopt);
            line.unavailable.emplace_back(e.what());
        }
    }
}

}  // namespace

std::vector<int> defaultSweepCounts(int layers, bool protectFirst, bool protectLast) {
    const int removable = removableBlocks(layers, protectFirst, protectLast);
    std::vector<int> counts;
    for (const int percent : {0, 10, 20, 25, 30, 40, 50}) {
        const int n = std::min(layers * percent / 100, removable);
        if (counts.empty() || counts.back() != n) counts.push_back(n);
    }
    return counts;
}

std::vector<std::string> defaultSweepMetrics() {
    std::vector<std::string> ids;
    for (const auto& m : metricRegistry()) {
        if (m.id.rfind("avss-", 0) == 0) ids.push_back(m.id);
    }
    for (const char* id : {"bi", "angular", "reverse", "random"}) ids.emplace_back(id);
    return ids;
}

std::string SweepLine::label() const { return random ? metric + "#" + std::to_string(seed) : metric; }

SweepPlan planSweep(const ActivationStats& stats, const std::vector<MeasuredImportance>& measured,
                    const SweepPlanOptions& options) {
    const int layers = stats.layerCount();
    if (layers < 1) throw UsageError({}, "a sweep needs statistics of at least one block");
    SweepPlan plan;
    plan.layers = layers;
    const int removable = removableBlocks(layers, options.protectFirst, options.protectLast);
    plan.counts = options.counts.empty() ? defaultSweepCounts(layers, options.protectFirst, options.protectLast) : options.counts;
    std::sort(plan.counts.begin(), plan.counts.end());
    plan.counts.erase(std::unique(plan.counts.begin(), plan.counts.end()), plan.counts.end());
    for (const int c : plan.counts) {
        if (c < 0 || c > removable) {
            throw UsageError({}, "cannot remove " + std::to_string(c) + " blocks: " + std::to_string(removable) + " of " +
                                     std::to_string(layers) + " are removable with this protection",
                             "Give counts from 0 to " + std::to_string(removable) + ".");
        }
    }
    const bool defaults = options.metrics.empty();
    const auto metrics = defaults ? defaultSweepMetrics() : options.metrics;
    std::set<std::string> seen;
    PruningRule rule;
    rule.kind = RuleKind::Count;
    rule.protectFirst = options.protectFirst;
    rule.protectLast = options.protectLast;
    for (const auto& id : metrics) {
        const auto& info = findMetric(id);  // UsageError listing the known ids
        if (!seen.insert(info.id).second) throw UsageError({}, "metric " + info.id + " is listed twice");
        if (isMeasuredMetric(info.id)) {
            const auto* m = findMeasured(measured, info.id);
            if (!m) throw UsageError({}, info.id + " is a measured metric and was not measured for this sweep");
            if (m->layerCount != layers) throw UsageError({}, info.id + " was measured on a model with another layer count");
            SweepLine line;
            line.metric = info.id;
            planLine(line, plan.counts, [&](int count) {
                auto r = rule;
                r.count = count;
                return planMeasuredPruning(*m, r).removed;
            });
            plan.lines.push_back(std::move(line));
            continue;
        }
        if (info.usesData) {
            const auto why = metricUnavailableReason(info.id, stats.provenance.options.settings);
            if (!why.empty()) {
                if (!defaults) throw UsageError({}, why, "Collect the statistics it needs, or leave it out.");
                plan.notes.push_back(why);
                continue;
            }
        }
        const bool random = info.id == "random";
        if (random && options.randomSeeds.empty()) throw UsageError({}, "random needs at least one seed");
        const std::vector<std::uint64_t> seeds = random ? options.randomSeeds : std::vector<std::uint64_t>{0};
        for (const auto seed : seeds) {
            SweepLine line;
            line.metric = info.id;
            line.random = random;
            line.seed = seed;
            ScoreOptions so;
            so.seed = seed;
            const auto scores = scoreLayers(stats, info.id, so);
            planLine(line, plan.counts, [&](int count) {
                auto r = rule;
                r.count = count;
                return planPruning(scores, r).removed;
            });
            plan.lines.push_back(std::move(line));
        }
    }
    if (plan.lines.empty()) throw UsageError({}, "no metric left to sweep", "Name metrics these statistics can score.");
    return plan;
}

}  // namespace avss

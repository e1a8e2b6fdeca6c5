// buildScoreReport() and addMeasured(): the one place that decides which metrics a report has, which
// get a plan and whether the span baseline is included.
#include <chrono>

#include "avss/error.h"
#include "avss/score_report.h"

namespace avss {

ScoreReport buildScoreReport(const ActivationStats& stats, const ScoreReportOptions& options) {
    const auto start = std::chrono::steady_clock::now();
    ScoreReport r;
    r.provenance = stats.provenance;
    const bool everything = options.metrics.empty();
    const auto ids = everything ? metricIds() : options.metrics;
    const auto& rule = options.rule;
    for (const auto& id : ids) {
        const auto why = metricUnavailableReason(id, stats.provenance.options.settings);
        if (!why.empty()) {
            if (!everything) throw UsageError({}, why, "Collect again with what it needs, or leave it out of the metric list.");
            r.unavailable.push_back({id, why});
            continue;
        }
        r.scores.push_back(scoreLayers(stats, id, options.scoring));
        if (!ruleApplies(rule.kind, findMetric(id))) continue;  // mass of a high-first metric means nothing
        r.plans.push_back(planPruning(r.scores.back(), rule));
    }
    r.agreement = compareMetrics(r.scores);
    const int L = stats.layerCount();
    const int n = options.spanLength > 0 ? options.spanLength : L / 4;
    if (n >= 1 && n < L) {
        r.spans = scoreSpans(stats, n);
        r.spanPlan = planSpanPruning(*r.spans, L, rule.protectFirst, rule.protectLast);
    }
    r.scoringSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return r;
}

void addMeasured(ScoreReport& r, std::vector<MeasuredImportance> measured, const ScoreReportOptions& options) {
    for (auto& m : measured) {
        if (m.layerCount != r.provenance.layerCount) {
            throw UsageError({}, m.metric + " was measured on " + std::to_string(m.layerCount) + " blocks, the report's statistics have " +
                                     std::to_string(r.provenance.layerCount));
        }
        r.scores.push_back(measuredLayerScores(m, options.scoring.bottomCount));
        if (ruleApplies(options.rule.kind, findMetric(m.metric))) r.plans.push_back(planMeasuredPruning(m, options.rule));
        r.measured.push_back(std::move(m));
    }
    r.agreement = compareMetrics(r.scores);
}

}  // namespace avss

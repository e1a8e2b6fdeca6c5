// A score report: every metric over one set of statistics, with the metrics they cannot score and
// why, agreement, pruning plans and the span baseline. buildScoreReport() is what `avss score` and
// the explorer both call; the report is written as JSON (schema in docs/metrics.md, "Output
// files") or CSV. No I/O but writeScoreReport(); everything else is a pure function over values.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "avss/activation_stats.h"
#include "avss/layer_scores.h"
#include "avss/measured_importance.h"
#include "avss/pruning_plan.h"

namespace avss {

constexpr int kScoreReportSchemaVersion = 3;  // 2: analysis key, engine version, unavailable metrics; 3: measured

struct UnavailableMetric {
    std::string metric, reason;
};

struct ScoreReport {
    StatsProvenance provenance;
    std::vector<LayerScores> scores;    // requested metrics these statistics can score, in request order
    std::vector<UnavailableMetric> unavailable;
    std::vector<PruningPlan> plans;     // at most one per metric, matched by PruningPlan::metric
    MetricAgreement agreement;
    std::optional<SpanScores> spans;
    std::optional<PruningPlan> spanPlan;
    std::vector<MeasuredImportance> measured;  // measured metrics; their scores and plans are in scores/plans too
    double scoringSeconds = 0;
};

struct ScoreReportOptions {
    std::vector<std::string> metrics;  // empty: every registered metric, unscorable ones listed as unavailable
    ScoreOptions scoring;
    PruningRule rule;                  // a plan per metric; mass rules skip metrics pruned from the high end
    int spanLength = 0;                // Gromov span n; 0 = ⌊layers / 4⌋ (no span when that is 0 or ≥ layers)
};

// Metrics named explicitly must be scorable (UsageError with the reason otherwise).
ScoreReport buildScoreReport(const ActivationStats& stats, const ScoreReportOptions& options = {});

// Adds measured metrics (measureImportance) after the one-shot ones: their scores, a plan each under
// options.rule (none for a mass rule: their values are not amounts), and the agreement over all.
// UsageError when a layer count differs from the report's or a plan needs more measured steps.
void addMeasured(ScoreReport& report, std::vector<MeasuredImportance> measured, const ScoreReportOptions& options = {});

std::string scoreReportJson(const ScoreReport& report);  // NaN/inf → null
std::string scoreReportCsv(const ScoreReport& report);   // one row per (metric, layer)
// Format from the extension (.json or .csv; UsageError otherwise); written atomically. IoError.
void writeScoreReport(const std::filesystem::path& path, const ScoreReport& report);

}  // namespace avss

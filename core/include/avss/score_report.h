// Score results as files: JSON (schema in docs/metrics.md, "Output files") and CSV. No I/O but
// writeScoreReport(); everything here is a pure function over values.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "avss/activation_stats.h"
#include "avss/layer_scores.h"
#include "avss/pruning_plan.h"

namespace avss {

constexpr int kScoreReportSchemaVersion = 1;

struct ScoreReport {
    StatsProvenance provenance;
    std::vector<LayerScores> scores;
    std::vector<PruningPlan> plans;     // at most one per metric, matched by PruningPlan::metric
    MetricAgreement agreement;
    std::optional<SpanScores> spans;
    std::optional<PruningPlan> spanPlan;
    double scoringSeconds = 0;
};

std::string scoreReportJson(const ScoreReport& report);  // NaN/inf → null
std::string scoreReportCsv(const ScoreReport& report);   // one row per (metric, layer)
// Format from the extension (.json or .csv; UsageError otherwise); written atomically. IoError.
void writeScoreReport(const std::filesystem::path& path, const ScoreReport& report);

}  // namespace avss

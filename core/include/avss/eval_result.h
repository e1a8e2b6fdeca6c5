// What one evaluation run produced: per-metric summaries next to chance floors and bootstrap
// intervals, optional per-item records, and the rows that were skipped. Torch-free.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "avss/eval_task.h"
#include "avss/eval_metrics.h"

namespace avss {

struct MetricSummary {
    std::string name;                    // "acc", "mc2", "perplexity", ...
    double value = 0;                    // mean over items (perplexity: exp of the mean NLL)
    double floor = 0;                    // chance value (mean of the items' floors; perplexity: the vocabulary size)
    Interval ci;                         // 95 % percentile bootstrap over items (perplexity: over windows)
    double stderrMean = 0;               // sample sd / sqrt(n), as the harness reports
    bool higherIsBetter = true;
};

struct ItemRecord {
    std::string source;
    std::vector<double> values;          // one per metric
    std::vector<std::vector<double>> loglik;  // per set, per choice
    std::string generation;              // generation tasks: the stripped prediction
    bool tie = false;
};

struct EvalResult {
    std::string task, title, format;
    std::string dataFile;
    std::string model;                   // the model file
    std::vector<int> skipLayers;
    std::int64_t items = 0;              // scored items (perplexity: windows)
    std::int64_t rowsRead = 0;
    std::vector<SkippedRow> skipped;
    std::int64_t ties = 0;
    std::vector<MetricSummary> metrics;
    std::vector<ItemRecord> records;     // when asked for (EvalOptions::records)
    std::vector<std::string> notes;
    double seconds = 0;
    int bootstrapIterations = 0;
    const MetricSummary* metric(const std::string& name) const;  // nullptr when absent
};

// Means, floors, stderr and bootstrap intervals of per-item scores, in metricNames() order.
std::vector<MetricSummary> summariseItems(const TaskData& task, const std::vector<ItemScore>& scores, int iterations,
                                          std::uint64_t seed = 1234);
// Perplexity from per-window mean NLLs (equal window sizes): exp(mean), interval by resampling windows.
MetricSummary summarisePerplexity(const std::vector<double>& windowNll, int vocabularySize, int iterations,
                                  std::uint64_t seed = 1234);

std::string toJson(const EvalResult& result, int indent = 2);  // the `avss eval --out` document (docs/evaluation.md)
// toJson() written atomically (the old file or the whole new one, never half). Throws IoError.
void writeEvalResult(const std::filesystem::path& file, const EvalResult& result);

}  // namespace avss

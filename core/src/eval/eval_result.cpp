// Aggregation of per-item scores into metric summaries (see avss/eval_result.h, docs/evaluation.md §2).
#include "avss/eval_result.h"

#include <cmath>

#include "avss/error.h"

namespace avss {
namespace {

struct Moments {
    double mean = 0, stderrMean = 0;
};

// Mean and sample sd / sqrt(n) (0 when n < 2), as the harness's stderr for mean metrics.
Moments moments(const std::vector<double>& values) {
    Moments m;
    const double n = static_cast<double>(values.size());
    for (const double v : values) m.mean += v;
    m.mean /= n;
    if (values.size() < 2) return m;
    double squares = 0;
    for (const double v : values) squares += (v - m.mean) * (v - m.mean);
    m.stderrMean = std::sqrt(squares / (n - 1)) / std::sqrt(n);
    return m;
}

}  // namespace

const MetricSummary* EvalResult::metric(const std::string& name) const {
    for (const auto& m : metrics) {
        if (m.name == name) return &m;
    }
    return nullptr;
}

std::vector<MetricSummary> summariseItems(const TaskData& task, const std::vector<ItemScore>& scores, int iterations,
                                          std::uint64_t seed) {
    const auto names = metricNames(task);
    if (scores.empty()) throw UsageError({}, "no scored item to summarise");
    std::vector<MetricSummary> out;
    for (std::size_t m = 0; m < names.size(); ++m) {
        std::vector<double> values, floors;
        for (const auto& score : scores) {
            if (score.values.size() != names.size() || score.floors.size() != names.size()) {
                throw UsageError({}, "an item score has " + std::to_string(score.values.size()) + " values for " +
                                         std::to_string(names.size()) + " metrics");
            }
            values.push_back(score.values[m]);
            floors.push_back(score.floors[m]);
        }
        MetricSummary summary;
        summary.name = names[m];
        const Moments stats = moments(values);
        summary.value = stats.mean;
        summary.stderrMean = stats.stderrMean;
        summary.floor = moments(floors).mean;
        summary.ci = bootstrapMeanInterval(values, iterations, seed);  // same seed: metrics share their resamples
        out.push_back(std::move(summary));
    }
    return out;
}

MetricSummary summarisePerplexity(const std::vector<double>& windowNll, int vocabularySize, int iterations, std::uint64_t seed) {
    if (windowNll.empty()) throw UsageError({}, "no window to summarise");
    MetricSummary summary;
    summary.name = "perplexity";
    summary.higherIsBetter = false;
    const Moments stats = moments(windowNll);
    summary.value = std::exp(stats.mean);
    summary.stderrMean = summary.value * stats.stderrMean;  // delta method: d exp(x) = exp(x) dx
    summary.floor = vocabularySize;                         // a uniform guess over the vocabulary
    const Interval nll = bootstrapMeanInterval(windowNll, iterations, seed);
    summary.ci = {std::exp(nll.low), std::exp(nll.high)};
    return summary;
}

}  // namespace avss

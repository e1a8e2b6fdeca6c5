// The registry rows of the measured metrics (avss/measured_importance.h): what findMetric(), the
// report and the explorer show for loo-ppl, sleb and iterative:<id>. Formulas: docs/metrics.md.
#include <string>

#include "avss/measured_importance.h"

namespace avss {
namespace {

constexpr const char* kCalibrationNll = "calibration NLL";

MetricInfo measuredInfo(std::string id, std::string name, std::string formula, std::string measured) {
    MetricInfo m;
    m.id = std::move(id);
    m.name = std::move(name);
    m.formula = std::move(formula);
    m.measured = std::move(measured);
    m.order = PruneOrder::LowFirst;
    m.usesData = true;
    m.valuesAreAmounts = false;  // a ΔNLL may be negative and a removal step is no amount: no mass rule
    return m;
}

}  // namespace

const std::vector<MetricInfo>& measuredMetricRegistry() {
    static const std::vector<MetricInfo> kMetrics = [] {
        std::vector<MetricInfo> out{
            measuredInfo("loo-ppl", "Leave-one-out perplexity",
                         "mean NLL with the block alone skipped − mean NLL of the whole model, on the calibration windows",
                         kCalibrationNll),
            measuredInfo("sleb", "SLEB greedy removal",
                         "removal step: each step removes the block whose removal, with the blocks removed before, "
                         "gives the lowest calibration NLL",
                         kCalibrationNll),
        };
        for (const auto& m : metricRegistry()) {
            if (!m.usesData) continue;  // reverse and random give the same order whatever is removed
            out.push_back(measuredInfo("iterative:" + m.id, "Iterative " + m.name,
                                       "removal step: each step removes the block with the lowest " + m.id +
                                           ", then collects the statistics again with the removed blocks skipped",
                                       m.measured));
        }
        return out;
    }();
    return kMetrics;
}

bool isMeasuredMetric(std::string_view id) {
    for (const auto& m : measuredMetricRegistry()) {
        if (m.id == id) return true;
    }
    return false;
}

}  // namespace avss
